import { equal, ok, throws } from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FitsHeader } from "../../../lib/fits/header.ts";
import {
  centredAxisLength,
  centrePixel,
  cubeWcsCards,
  fitsDateTime,
  velrefCode,
  vradToFreqAxis,
} from "../../../lib/fits/wcs.ts";
import { C_LIGHT } from "../../../lib/num/constants.ts";
import { writeFitsImage } from "../../../lib/fits/writer.ts";
import { parseCardValue, readFits } from "../../../lib/fits/reader.ts";
import { assertClose, needsSamples, sample, tempDir } from "../../_helpers.ts";

const PY = "/usr/bin/python3";

function hasPythonAstropy(): boolean {
  if (!existsSync(PY)) return false;
  const r = new Deno.Command(PY, {
    args: ["-c", "import astropy.io.fits, astropy.wcs, numpy"],
    stderr: "null",
  })
    .outputSync();
  return r.success;
}
const ASTROPY = hasPythonAstropy();
const FITSVERIFY = existsSync("/usr/bin/fitsverify");
if (!ASTROPY) {
  console.error("NOTICE: /usr/bin/python3 with astropy not found: astropy interop tests are SKIPPED");
}
if (!FITSVERIFY) {
  console.error("NOTICE: fitsverify not installed (apt-get install fitsverify): its test is SKIPPED");
}

/** The reference cube's inputs (samples/seq, spec_driver_fits), in double precision. */
function sampleCube(nx: number, ny: number, date: Date | null = null): FitsHeader {
  const cell = 6.5;
  const h = cubeWcsCards({
    telescope: "LMT",
    instrument: "Sequoia",
    object: "SAMPLE-OTF",
    dateObs: new Date("2025-04-20T07:40:24Z"),
    origin: "LMTSLR 29-may-2025",
    bunit: "K",
    celestial: {
      crval: [198, 38],
      cdelt: [-cell / 3600, cell / 3600],
      crpix: [centrePixel(nx), centrePixel(ny)],
    },
    spectral: {
      ctype: "VRAD",
      crval: 394594.8046875,
      cdelt: -1195.1962890625,
      crpix: 1,
      restfrq: 97980953000,
    },
    beam: { bmaj: 14.95 / 3600, bmin: 14.95 / 3600, bpa: 0 },
    date,
  });
  h.set("VLSR", 45, "Header.LineData.VSource").set("NCHAN0", 2048).set("CHAN0", 731);
  return h;
}

Deno.test("centredAxisLength()/centrePixel() give the gridder's odd map sizes", () => {
  equal(centredAxisLength(120, 6.5), 37);
  equal(centrePixel(37), 19);
  equal(centredAxisLength(80, 6.5), 25);
  equal(centrePixel(25), 13);
});

Deno.test("fitsDateTime() is UTC and truncates", () => {
  equal(fitsDateTime(new Date("2025-04-20T07:40:24.999Z")), "2025-04-20T07:40:24");
  equal(fitsDateTime(1745134824.5, 1), "2025-04-20T07:40:24.5");
  equal(fitsDateTime(1745134824.123456, 6), "2025-04-20T07:40:24.123456");
  throws(() => fitsDateTime(NaN), RangeError);
});

Deno.test("velrefCode() and vradToFreqAxis()", () => {
  equal(velrefCode("LSRK", "VRAD"), 257);
  equal(velrefCode("BARYCENT", "VOPT"), 2);
  const f = vradToFreqAxis({ crval: 45000, cdelt: -1000 }, 97980953000);
  assertClose([f.crval, f.cdelt], [97980953000 * (1 - 45000 / C_LIGHT), 97980953000 * 1000 / C_LIGHT], {
    rtol: 1e-15,
  });
});

Deno.test({
  name: "cubeWcsCards() gives the reference cube header's keywords and values (corrected ones stated)",
  ignore: needsSamples(),
  fn() {
    const ref = new Map<string, unknown>();
    for (
      const line of readFileSync(
        sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.fitshead.txt"),
        "latin1",
      ).split("\n")
    ) {
      if (line.slice(8, 10) === "= ") ref.set(line.slice(0, 8).trim(), parseCardValue(line.slice(10)).value);
    }
    const h = sampleCube(37, 37, new Date());
    // Reference keys the gridder adds itself beyond cubeWcsCards: VSOURCE (same as VLSR).
    const structural = new Set([
      "SIMPLE",
      "BITPIX",
      "NAXIS",
      "NAXIS1",
      "NAXIS2",
      "NAXIS3",
      "EXTEND",
      "VSOURCE",
    ]);
    for (const [k, v] of ref) {
      if (structural.has(k)) continue;
      ok(h.has(k), `missing ${k}`);
      const ours = h.get(k);
      if (k === "DATE") continue; // write time
      if (typeof v === "number") {
        // the reference rounds to float32 and prints 7 digits (%.7G): agree to that precision
        ok(Math.abs((ours as number) - v) <= 1e-6 * Math.abs(v) + 1e-12, `${k}: ${ours} vs ${v}`);
      } else equal(ours, v, k);
    }
    // every one of our keys is in the reference header, except MJD-OBS (added: WCS Paper III)
    for (const k of h.keys()) ok(ref.has(k) || k === "MJD-OBS", `extra key ${k}`);
    assertClose([h.get("MJD-OBS") as number], [60785 + (7 * 3600 + 40 * 60 + 24) / 86400], { atol: 1e-9 });
  },
});

Deno.test("cubeWcsCards() gives each axis its own reference pixel for non-square maps (LMTOY issue #9)", () => {
  const h = sampleCube(centredAxisLength(80, 6.5), centredAxisLength(120, 6.5));
  equal(h.get("CRPIX1"), 13);
  equal(h.get("CRPIX2"), 19);
  const g = cubeWcsCards({
    celestial: {
      frame: "galactic",
      projection: "CAR",
      crval: [10, 0.5],
      cdelt: [-1e-3, 1e-3],
      crpix: [5, 6],
    },
    date: null,
  });
  equal(g.get("CTYPE1"), "GLON-CAR");
  equal(g.get("CTYPE2"), "GLAT-CAR");
  equal(g.has("RADESYS"), false);
  equal(g.has("DATE"), false);
  equal(g.has("CTYPE3"), false);
  throws(() => cubeWcsCards({ celestial: { crval: [NaN, 0], cdelt: [1, 1], crpix: [1, 1] } }), RangeError);
});

Deno.test({
  name: "interop: astropy verify('exception') passes, WCS maps pixels to the expected world coordinates",
  ignore: !ASTROPY,
  fn() {
    const { dir, cleanup } = tempDir();
    try {
      const [nx, ny, nz] = [25, 37, 64]; // non-square on purpose
      const data = new Float32Array(nx * ny * nz);
      for (let i = 0; i < data.length; i++) data[i] = i % 97 === 0 ? NaN : (i % 1000) * 0.001;
      data[(10 * ny + 20) * nx + 7] = 42.5; // k=10, y=20, x=7
      const header = sampleCube(nx, ny, new Date("2026-01-02T03:04:05Z"));
      // long string → CONTINUE (without quotes: astropy 5.2.1 itself mis-joins CONTINUE pieces holding '' —
      // it cannot round-trip its own output — so quotes are tested on a short card here)
      header.set("OBJECT", "Long source name ".repeat(5));
      header.set("OBSERVER", "O'Brien");
      header.history("grid_data " + "in=x.nc ".repeat(20));
      const wt = new Float32Array(nx * ny).fill(1.5);
      const path = join(dir, "cube.fits");
      writeFitsImage(path, {
        data,
        shape: [nx, ny, nz],
        header,
        extensions: [{ extname: "WEIGHT", data: wt, shape: [nx, ny] }],
      });
      const script = `
import sys, json, warnings
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
warnings.simplefilter("error")
with fits.open(sys.argv[1]) as hl:
    hl.verify("exception")
    d = hl[0].data
    w = WCS(hl[0].header)
    out = {
        "names": [h.name for h in hl], "shape": list(d.shape), "nan": int(np.isnan(d).sum()),
        "peak": [int(i) for i in np.unravel_index(np.nanargmax(d), d.shape)], "peakval": float(np.nanmax(d)),
        "object": hl[0].header["OBJECT"], "observer": hl[0].header["OBSERVER"], "crval3": hl[0].header["CRVAL3"], "cdelt1": hl[0].header["CDELT1"],
        "ctype": list(w.wcs.ctype), "w0": [float(x) for x in w.wcs_pix2world([[12, 18, 0]], 0)[0]],
        "wy": [float(x) for x in w.wcs_pix2world([[12, 28, 5]], 0)[0]],
        "wx": [float(x) for x in w.wcs_pix2world([[2, 18, 5]], 0)[0]],
        "wt": float(hl["WEIGHT"].data.mean()), "specsys": hl[0].header["SPECSYS"],
    }
print(json.dumps(out))
`;
      const r = new Deno.Command(PY, { args: ["-c", script, path], stdout: "piped", stderr: "piped" })
        .outputSync();
      const err = new TextDecoder().decode(r.stderr);
      ok(r.success, `python failed: ${err}`);
      const o = JSON.parse(new TextDecoder().decode(r.stdout));
      equal(o.names.join(","), "PRIMARY,WEIGHT");
      equal(o.shape.join(","), `${nz},${ny},${nx}`);
      equal(o.nan, [...data].filter(Number.isNaN).length);
      equal(o.peak.join(","), "10,20,7");
      equal(o.peakval, 42.5);
      equal(o.object, "Long source name ".repeat(5).trimEnd());
      equal(o.observer, "O'Brien");
      equal(o.crval3, 394594.8046875); // full precision kept
      equal(o.cdelt1, -6.5 / 3600);
      equal(o.ctype.join(","), "RA---SFL,DEC--SFL,VRAD");
      equal(o.specsys, "LSRK");
      equal(o.wt, 1.5);
      // reference pixel (0-based 12,18) → CRVAL exactly; spectral pixel 0 → CRVAL3
      assertClose(o.w0, [198, 38, 394594.8046875], { atol: 1e-9 });
      // 10 pixels up the Dec axis: along the native meridian, Dec + 10·cdelt2; channel 5 → CRVAL3 + 5·CDELT3
      assertClose(o.wy, [198, 38 + 65 / 3600, 394594.8046875 + 5 * -1195.1962890625], { atol: 1e-9 });
      // 10 pixels to the left (pixel 2 vs 12; CDELT1 < 0, so 65″ east, RA increases): along the native equator of SFL = the great circle through the
      // reference point perpendicular to the meridian, distance 65″ (independent spherical-trig formula)
      const d = (65 / 3600) * Math.PI / 180, d0 = 38 * Math.PI / 180;
      const dec = Math.asin(Math.sin(d0) * Math.cos(d));
      const ra = 198 +
        Math.atan2(Math.sin(d) * Math.cos(d0), Math.cos(d) - Math.sin(d0) * Math.sin(dec)) * 180 / Math.PI;
      assertClose(o.wx.slice(0, 2), [ra, dec * 180 / Math.PI], { atol: 1e-10 });
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "interop: fitsverify reports 0 warnings and 0 errors",
  ignore: !FITSVERIFY,
  fn() {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "v.fits");
      const data = new Float32Array(9 * 7 * 5).map((_, i) => (i % 5 === 0 ? NaN : i));
      const header = sampleCube(9, 7, new Date("2026-01-02T03:04:05Z"));
      header.history("a history line");
      header.set("OBJECT", "x".repeat(100));
      writeFitsImage(path, {
        data,
        shape: [9, 7, 5],
        header,
        extensions: [{ extname: "WEIGHT", data: new Float32Array(63), shape: [9, 7] }],
      });
      const r = new Deno.Command("/usr/bin/fitsverify", { args: [path], stdout: "piped", stderr: "piped" })
        .outputSync();
      const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      ok(/Verification found 0 warning\(s\) and 0 error\(s\)/.test(out), out);
      ok(/2 +WEIGHT +Image Array +0 +0/.test(out), out); // the WEIGHT extension was checked too
      equal(readFits(path).hdus.length, 2);
    } finally {
      cleanup();
    }
  },
});
