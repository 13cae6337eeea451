import assert from "node:assert/strict";
import { addRow, runningStats, stats, summary } from "../../../lib/seq/quality.ts";

const madStd = (a: Float32Array | Float64Array) => stats(a).madStd;

/** Deterministic standard normal deviates (Box-Muller on mulberry32). */
function gauss(n: number, seed = 7): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

Deno.test("quality: running sums row by row equal the whole-array statistics; non-finite values skipped", () => {
  const a = gauss(659 * 300);
  a[17] = NaN;
  a[5000] = Infinity;
  const whole = stats(a);
  const r = runningStats(a.length);
  for (let row = 0; row < 300; row++) addRow(r, a, row * 659, 659);
  const s = summary(r);
  assert.deepEqual(s, whole);
  // against a direct two-pass computation over the finite values
  const f = Array.from(a).filter(Number.isFinite);
  const mean = f.reduce((x, y) => x + y, 0) / f.length;
  const sd = Math.sqrt(f.reduce((x, y) => x + (y - mean) ** 2, 0) / f.length);
  assert.ok(Math.abs(s.mean - mean) < 1e-12, `${s.mean} vs ${mean}`);
  assert.ok(Math.abs(s.std - sd) < 1e-9, `${s.std} vs ${sd}`);
  assert.equal(s.min, f.reduce((x, y) => Math.min(x, y)));
  assert.equal(s.max, f.reduce((x, y) => Math.max(x, y)));
  // 1.4826·MAD of unit Gaussian noise from a ≤16384-value sample: 1 within ~2 %
  assert.ok(Math.abs(s.madStd - 1) < 0.03, `madStd ${s.madStd}`);
});

Deno.test("quality: madStd of a small sample is exact 1.4826·MAD (odd and even lengths)", () => {
  // values 1..5: median 3, |dev| = 2,1,0,1,2 → MAD 1
  assert.ok(Math.abs(madStd(new Float64Array([5, 1, 4, 2, 3])) - 1.482602218505602) < 1e-15);
  // 1,2,3,10: median 2.5, |dev| 1.5,0.5,0.5,7.5 → MAD 1
  assert.ok(Math.abs(madStd(new Float32Array([10, 1, 3, 2])) - 1.482602218505602) < 1e-15);
  assert.ok(Number.isNaN(madStd(new Float64Array(0))));
});

Deno.test("quality: madStd of large samples (histogram-narrowed selection) equals a sort-based MAD exactly", () => {
  const sortedMedian = (s: Float64Array) => {
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  };
  const ref = (a: Float64Array) => {
    const m = sortedMedian(Float64Array.from(a).sort());
    return 1.482602218505602 * sortedMedian(Float64Array.from(a, (v) => Math.abs(v - m)).sort());
  };
  const g = gauss(40000, 11);
  for (const [n, kind] of [[5000, "gauss"], [5001, "ties"], [12000, "outliers"], [16384, "gauss"]] as const) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = g[i]!;
      a[i] = kind === "ties" ? Math.round(v * 3) : kind === "outliers" && i % 101 === 0 ? v * 1e9 : v;
    }
    assert.equal(madStd(a), ref(a), `${kind} n=${n}`);
  }
});
