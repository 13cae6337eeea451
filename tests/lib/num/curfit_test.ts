/**
 * lib/num/curfit.ts against scipy.interpolate.UnivariateSpline (FITPACK curfit + splev), run by
 * /usr/bin/python3 (Debian python3-scipy; `python3` on PATH otherwise). Measured on scipy 1.10.1 and
 * 1.17.1: knots, coefficients, fp and values agree bit for bit on every case below; the tolerance asserted
 * is 1e-12 relative (values: relative to max(|v|, rms y)).
 * @module
 */
import assert from "node:assert/strict";
import { curfit, splev, univariateSpline } from "../../../lib/num/curfit.ts";
import { pyJson, PYTHON3, pythonHas } from "../../_helpers.ts";

const SCIPY = pythonHas("scipy.interpolate, numpy");
if (!SCIPY) console.error(`NOTICE: ${PYTHON3} with scipy not found: curfit-vs-scipy tests are SKIPPED`);

/** One fit to compare: data, options as UnivariateSpline takes them, points to evaluate at. */
interface Case {
  name: string;
  x: number[];
  y: number[];
  w?: number[];
  k?: number;
  s?: number;
  bbox?: [number, number];
  at: number[];
}

interface Ref {
  knots: number[];
  coeffs: number[];
  fp: number;
  ier: number;
  v: number[];
}

const SCRIPT = `
import json, sys, warnings
import numpy as np
from scipy.interpolate import UnivariateSpline
warnings.simplefilter("ignore")
out = []
for c in json.load(sys.stdin):
    kw = {}
    for key in ("k", "s", "w", "bbox"):
        if key in c:
            kw[key] = c[key]
    spl = UnivariateSpline(np.array(c["x"]), np.array(c["y"]), **kw)
    out.append({"knots": spl.get_knots().tolist(), "coeffs": spl.get_coeffs().tolist(),
                "fp": float(spl.get_residual()), "ier": int(spl._data[-1]), "v": spl(np.array(c["at"])).tolist()})
json.dump(out, sys.stdout)
`;

async function scipyFits(cases: Case[]): Promise<Ref[]> {
  return await pyJson(SCRIPT, cases);
}

/** Deterministic normal deviates (LCG + Box–Muller). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function cases(): Case[] {
  const out: Case[] = [];
  const g = normals(7);
  // noisy sinusoids: from the polynomial (s ≥ fp0) to many knots, and past scipy's first nest = m/2
  for (const m of [20, 37, 100, 256, 600, 2000]) {
    for (const sig of [0.01, 0.3, 1, 3]) {
      const x = Array.from({ length: m }, (_, i) => 2 + 10 * i / (m - 1));
      const y = x.map((v) => 2 * Math.sin(1.7 * v) + 0.5 * Math.cos(5.1 * v) + sig * g());
      out.push({ name: `sinusoid m=${m} sigma=${sig}`, x, y, at: [1.5, 2, 2.37, 7.001, 11.9, 12, 12.8] });
    }
  }
  // steps (knots crowd at the jumps), uneven x
  for (const m of [50, 300, 1500]) {
    const x = Array.from({ length: m }, (_, i) => i + 0.3 * Math.sin(i));
    const y = x.map((v) => (v > m / 3 ? 4 : 0) - (v > 0.7 * m ? 6 : 0) + 0.8 * g());
    out.push({ name: `steps m=${m}`, x, y, at: [-3, 0, m / 3, m / 3 + 0.5, 0.7 * m, m - 1, m + 4] });
  }
  // RSR-like board: 256 channels of 31.25 MHz, ripple baseline + lines; the channels outside an
  // exclusion window as rsr_savgolfilter passes them (descending board reversed to increasing x)
  for (const [unit, label] of [[1, "K"], [1000, "mK"]] as const) {
    for (const desc of [false, true]) {
      const f = Array.from({ length: 256 }, (_, i) => desc ? 92.0 - 0.03125 * i : 84.0 + 0.03125 * i);
      const d = f.map((v) =>
        unit *
        (0.02 * Math.sin(v * 3.1) + 0.004 * (v - 88) + 0.04 * Math.exp(-0.5 * ((v - 88.3) / 0.05) ** 2) +
          0.0015 * g())
      );
      const keep = f.map((v, i) => [v, d[i]!] as [number, number]).filter(([v]) => v < 88.0 || v > 88.6);
      if (desc) keep.reverse();
      out.push({
        name: `RSR-like ${label} ${desc ? "descending" : "ascending"} board`,
        x: keep.map((q) => q[0]),
        y: keep.map((q) => q[1]),
        at: [84.0, 88.0, 88.03125, 88.3, 88.59375, 92.0, 83.9],
      });
    }
  }
  // other degrees, s, weights, bbox, interpolation, very few points
  const xs = Array.from({ length: 40 }, (_, i) => i * 0.25);
  const ys = xs.map((v) => Math.exp(-0.1 * v) * Math.sin(2 * v) + 0.05 * g());
  for (const k of [1, 2, 4, 5]) {
    out.push({ name: `k=${k}`, x: xs, y: ys, k, s: 0.05, at: [-1, 0, 3.3, 9.75, 10] });
  }
  out.push({ name: "s=0 interpolation", x: xs, y: ys, s: 0, at: [-0.5, 0.1, 4.44, 9.75] });
  out.push({ name: "s=0 interpolation k=2", x: xs, y: ys, s: 0, k: 2, at: [0.1, 4.44, 9.75] });
  out.push({ name: "small s", x: xs, y: ys, s: 0.001, at: [0.1, 4.44, 9.75] });
  out.push({
    name: "weights",
    x: xs,
    y: ys,
    w: xs.map((_, i) => 1 + (i % 5)),
    s: 0.2,
    at: [0.1, 4.44, 9.75],
  });
  out.push({ name: "bbox wider than the data", x: xs, y: ys, s: 0.05, bbox: [-1, 11], at: [-1, 0, 5, 11] });
  for (const m of [4, 5, 6, 9]) {
    const x = Array.from({ length: m }, (_, i) => i * i * 0.5);
    const y = x.map((v) => Math.cos(v) * 10);
    out.push({ name: `m=${m} points`, x, y, at: [-1, 0, 1.3, x[m - 1]!, x[m - 1]! + 2] });
  }
  return out;
}

Deno.test({
  name:
    "univariateSpline()/splev() equal scipy UnivariateSpline on sinusoids, steps, RSR-like boards, k, s, w",
  ignore: !SCIPY,
  async fn() {
    const cs = cases();
    const refs = await scipyFits(cs);
    let worst = 0;
    cs.forEach((c, i) => {
      const r = refs[i]!;
      const opts: Parameters<typeof univariateSpline>[2] = {};
      if (c.k !== undefined) opts.k = c.k;
      if (c.s !== undefined) opts.s = c.s;
      if (c.w) opts.w = c.w;
      if (c.bbox) opts.bbox = c.bbox;
      const fit = univariateSpline(c.x, c.y, opts);
      const n = fit.t.length;
      const k = fit.k;
      assert.equal(fit.ier, r.ier, `${c.name}: ier`);
      const knots = Array.from(fit.t.subarray(k, n - k));
      const coeffs = Array.from(fit.c.subarray(0, n - k - 1));
      assert.equal(knots.length, r.knots.length, `${c.name}: number of knots`);
      const rms = Math.sqrt(c.y.reduce((a, b) => a + b * b, 0) / c.y.length);
      const rel = (a: number, b: number, scale: number) => Math.abs(a - b) / Math.max(Math.abs(b), scale);
      for (let j = 0; j < knots.length; j++) {
        worst = Math.max(worst, rel(knots[j]!, r.knots[j]!, 1e-300));
        assert.ok(
          rel(knots[j]!, r.knots[j]!, 1e-300) <= 1e-12,
          `${c.name}: knot ${j} ${knots[j]} vs ${r.knots[j]}`,
        );
      }
      for (let j = 0; j < coeffs.length; j++) {
        worst = Math.max(worst, rel(coeffs[j]!, r.coeffs[j]!, rms));
        assert.ok(rel(coeffs[j]!, r.coeffs[j]!, rms) <= 1e-12, `${c.name}: coefficient ${j}`);
      }
      assert.ok(rel(fit.fp, r.fp, 1e-300) <= 1e-12, `${c.name}: fp ${fit.fp} vs ${r.fp}`);
      const v = splev(fit, c.at);
      for (let j = 0; j < v.length; j++) {
        worst = Math.max(worst, rel(v[j]!, r.v[j]!, rms));
        assert.ok(rel(v[j]!, r.v[j]!, rms) <= 1e-12, `${c.name}: s(${c.at[j]}) ${v[j]} vs ${r.v[j]}`);
      }
    });
    console.log(`curfit vs scipy: ${cs.length} fits, largest relative difference ${worst.toExponential(2)}`);
  },
});

Deno.test("curfit() returns the least-squares cubic (ier −2) when s ≥ its residual, reproducing a cubic", () => {
  const x = Array.from({ length: 30 }, (_, i) => -1 + i / 14.5);
  const y = x.map((v) => 0.5 * v ** 3 - v + 2);
  const fit = curfit(x, y);
  assert.equal(fit.ier, -2);
  assert.equal(fit.t.length, 8);
  assert.ok(fit.fp < 1e-25);
  const at = [-1.5, -0.3, 0.77, 1, 2];
  const v = splev(fit, at);
  at.forEach((a, i) => assert.ok(Math.abs(v[i]! - (0.5 * a ** 3 - a + 2)) < 1e-12, `x=${a}: ${v[i]}`));
});

Deno.test("curfit() with s = 0 interpolates; with s > 0 ends with |fp − s| ≤ tol·s (ier 0)", () => {
  const x = Array.from({ length: 25 }, (_, i) => i);
  const y = x.map((v) => Math.sin(v) * 3 + (v % 4));
  const interp = curfit(x, y, { s: 0 });
  assert.equal(interp.ier, -1);
  const v = splev(interp, x);
  x.forEach((_, i) => assert.ok(Math.abs(v[i]! - y[i]!) < 1e-10, `point ${i}`));
  const sm = univariateSpline(x, y, { s: 10 }); // curfit's own nest = 12 knots would run out (ier 1)
  assert.equal(curfit(x, y, { s: 10 }).ier, 1);
  assert.equal(sm.ier, 0);
  assert.ok(Math.abs(sm.fp - 10) <= 0.001 * 10, `fp ${sm.fp}`);
  const sv = splev(sm, x);
  const rss = y.reduce((a, yy, i) => a + (yy - sv[i]!) ** 2, 0);
  assert.ok(Math.abs(rss - sm.fp) < 1e-9);
});

Deno.test("curfit() rejects what FITPACK/scipy reject: too few points, decreasing x, bad k or s", () => {
  assert.throws(() => curfit([0, 1, 2], [1, 2, 3]), /more than 3 points/);
  assert.throws(() => curfit([0, 2, 1, 3, 4], [1, 2, 3, 4, 5]), /increasing/);
  assert.throws(() => curfit([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { k: 6 }), /1\.\.5/);
  assert.throws(() => curfit([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { s: -1 }), />= 0/);
});
