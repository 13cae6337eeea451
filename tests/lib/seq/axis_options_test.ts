/**
 * lib/seq/axis.ts lineAxis (process_otf_map --restfreq), velocityFrameOf (--x_axis F*) and
 * lib/seq/options.ts parseSampleOption (--sample).
 */
import assert from "node:assert/strict";
import {
  axisValues,
  lineAxis,
  type SpectralAxis,
  velocityFrameOf,
  type XAxisName,
} from "../../../lib/seq/axis.ts";
import { C_KMS } from "../../../lib/num/constants.ts";
import { parseSampleOption } from "../../../lib/seq/options.ts";

/** A bank set up as the LMT does: LineFreq at the source velocity (+ LineOffset) in the centre channel. */
function bank(o: { sideband: number; foffHz: number; velSys: 0 | 1 }): SpectralAxis {
  const nchan = 2048, frest = 110.201354e9, bw = 800e6;
  const vsrc = 35, vbary = -14.2, vobs = 3.1;
  const dfdc = o.sideband === 1 ? -bw / nchan : bw / nchan;
  const v0Lsr = o.velSys === 0 ? vsrc : vsrc + vbary;
  const v0Bary = o.velSys === 0 ? vsrc + vbary : vsrc;
  const v0Sky = o.velSys === 0 ? vobs + vsrc : vobs + vsrc - vbary;
  const voff = -o.foffHz / frest * C_KMS;
  return {
    nchan,
    bank: 0,
    frest,
    fsky: frest * (1 - (v0Sky + voff) / C_KMS),
    foff: o.foffHz,
    voff,
    bw,
    ch0: (nchan - 1) / 2,
    dfdc,
    dvdc: -dfdc / frest * C_KMS,
    vsrc,
    vbary,
    vobs,
    velSys: o.velSys,
    v0Lsr,
    v0Bary,
    v0Sky,
    sideband: o.sideband,
  };
}

const SETUPS = [
  { sideband: 0, foffHz: 0, velSys: 0 as const },
  { sideband: 1, foffHz: 0, velSys: 0 as const },
  { sideband: 0, foffHz: 120e6, velSys: 0 as const },
  { sideband: 1, foffHz: -75e6, velSys: 1 as const },
];

Deno.test("lineAxis() with the header LineFreq is the header axis (all four velocity frames)", () => {
  for (const s of SETUPS) {
    const a = bank(s);
    const b = lineAxis(a, a.frest);
    for (const name of ["VLSR", "VBARY", "VSKY", "VSRC"] as XAxisName[]) {
      const x = axisValues(a, name), y = axisValues(b, name);
      for (let i = 0; i < a.nchan; i += 97) assert.ok(Math.abs(x[i]! - y[i]!) < 1e-9, `${name} ${i}`);
    }
  }
});

Deno.test("lineAxis(): a line at rest frequency R and LSR velocity v sits at v on the VLSR axis (≤ 1e-6 km/s)", () => {
  // the line is seen at sky frequency R·(1 − (v + (v0_sky − v0_lsr))/c); its channel is found from the band's
  // sky frequencies (fsky + (i − ch0)·dfdc), independently of lineAxis
  for (const s of SETUPS) {
    const a = bank(s);
    for (const R of [109.782176e9, 110.0e9, 110.38e9]) {
      const ax = lineAxis(a, R);
      assert.equal(ax.frest, R);
      assert.ok(Math.abs(ax.dvdc - -a.dfdc / R * C_KMS) < 1e-12);
      const x = axisValues(ax, "VLSR"), xb = axisValues(ax, "VBARY");
      for (const v of [-20, 35, 80]) {
        const fLine = R * (1 - (v + a.v0Sky - a.v0Lsr) / C_KMS);
        const ci = a.ch0 + (fLine - a.fsky) / a.dfdc;
        if (ci < 0 || ci > a.nchan - 1) continue;
        const k = Math.floor(ci), t = ci - k;
        const at = x[k]! + t * (x[k + 1]! - x[k]!);
        assert.ok(Math.abs(at - v) < 1e-6, `R ${R} v ${v}: ${at}`);
        // other frames are shifted by the frame velocities
        const atB = xb[k]! + t * (xb[k + 1]! - xb[k]!);
        assert.ok(Math.abs(atB - (v + a.v0Bary - a.v0Lsr)) < 1e-6);
      }
    }
  }
  // the original's axis (dv for R, centre at the source velocity) is wrong by (R − LineFreq)/R·c
  const a = bank(SETUPS[0]!);
  const R = 109.782176e9;
  const ax = lineAxis(a, R);
  const centre = axisValues(ax, "VLSR")[1023]! + 0.5 * ax.dvdc;
  assert.ok(Math.abs(centre - a.v0Lsr - (R - a.frest) / R * C_KMS * (1 - a.v0Sky / C_KMS)) < 1e-6);
});

Deno.test("velocityFrameOf(): frequency axes map to the velocity axis of their frame", () => {
  const m: Record<string, string> = {
    FLSR: "VLSR",
    FBARY: "VBARY",
    FSKY: "VSKY",
    FSRC: "VSRC",
    VLSR: "VLSR",
    VSRC: "VSRC",
  };
  for (const [k, v] of Object.entries(m)) assert.equal(velocityFrameOf(k as XAxisName), v);
});

Deno.test("parseSampleOption(): triples P,S0,S1; -1,0,0 and -1 are none; bad lists throw", () => {
  assert.deepEqual(parseSampleOption("5,10,20"), [{ pixel: 5, s0: 10, s1: 20 }]);
  assert.deepEqual(parseSampleOption("[5,10,20, 0,0,0]"), [{ pixel: 5, s0: 10, s1: 20 }, {
    pixel: 0,
    s0: 0,
    s1: 0,
  }]);
  assert.deepEqual(parseSampleOption("-1,0,0"), []);
  assert.deepEqual(parseSampleOption("-1"), []);
  assert.deepEqual(parseSampleOption("-1,0,0,3,4,5"), [{ pixel: 3, s0: 4, s1: 5 }]);
  for (const bad of ["", "5,10", "5,1.5,3", "16,0,1", "5,9,3", "5,-1,3", "a,b,c"]) {
    assert.throws(() => parseSampleOption(bad), Error, bad);
  }
});
