import assert from "node:assert/strict";
import { baseline } from "../../../lib/rsr/baseline.ts";
import { BLANK, makeProduct, NO_SIGMA, type Windows } from "../../../lib/rsr/product.ts";
import { averageRepeats, averageScans } from "../../../lib/rsr/average.ts";

function freqs(): Float64Array[] {
  return Array.from(
    { length: 6 },
    (_, b) => Float64Array.from({ length: 256 }, (_, k) => 70 + 8 * b + 0.03125 * k),
  );
}

Deno.test("baseline() removes a linear baseline and gives σ = population std of the residuals in the windows", () => {
  const f = freqs();
  const data = new Float64Array(6 * 256);
  for (let b = 0; b < 6; b++) {
    for (let k = 0; k < 256; k++) data[b * 256 + k] = 2 + 0.5 * f[b]![k]! + (k % 2 ? 0.1 : -0.1);
  }
  data[3] = NaN;
  data[10] = BLANK;
  const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, data);
  const w: Windows = new Map([[0, [[f[0]![0]!, f[0]![255]!]]], [1, [[f[1]![0]!, f[1]![127]!]]]]);
  baseline(p, { windows: null }, { order: 1, windows: w });
  // ±0.1 alternating residuals: std ≈ 0.1 (fit absorbs a tiny slope)
  assert.ok(Math.abs(p.sigma[0]! - 0.1) < 1e-3, String(p.sigma[0]));
  assert.ok(Math.abs(p.data[101]! - 0.1) < 2e-3);
  assert.equal(p.data[10], BLANK);
  assert.ok(Number.isNaN(p.data[3]!));
  // board 2 has no window list in a call with windows → previous board's selection (board 1, channels 0..127)
  assert.ok(Math.abs(p.sigma[2]! - 0.1) < 2e-3);
  // order 3 max; 4 is an error
  assert.throws(() => baseline(p, { windows: null }, { order: 4 }), RangeError);
});

Deno.test("baseline() gives σ = 1e38 when no channel is usable", () => {
  const p = makeProduct(1, 0, freqs(), [0, 1, 2, 3, 4, 5], 1, new Float64Array(6 * 256).fill(BLANK));
  baseline(p, { windows: null }, { order: 1 });
  assert.equal(p.sigma[0], NO_SIGMA);
});

Deno.test("averageRepeats() uses one scalar 1/σ² weight per board, σ threshold is strict, BLANK from any repeat", () => {
  const f = freqs();
  const data = new Float64Array(2 * 6 * 256);
  for (let k = 0; k < 256; k++) {
    data[k] = 1; // repeat 0 board 0
    data[6 * 256 + k] = 4; // repeat 1 board 0
  }
  data[6 * 256 + 20] = BLANK; // BLANK only in repeat 1 → BLANK in the average
  const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 2, data);
  p.sigma.fill(1);
  p.sigma[0] = 1; // w = 1
  p.sigma[6] = 0.5; // w = 4
  const st = { windows: null };
  const a = averageRepeats(p, st);
  assert.ok(Math.abs(a.data[100]! - (1 * 1 + 4 * 4) / 5) < 1e-15);
  assert.equal(a.data[20], BLANK);
  // channel 21: repeat 1 value 4; with threshold 0.6 only repeat 1 (σ 0.5 < 0.6) is accepted
  const b = averageRepeats(p, { windows: null }, 0.6);
  assert.equal(b.data[100], 4);
  const c = averageRepeats(p, { windows: null }, 0.5); // strict: nothing accepted
  assert.ok(Number.isNaN(c.data[100]!));
});

Deno.test("averageScans() uses per-channel weights, leaves BLANK out and drops σ=1e38 boards", () => {
  const f = freqs();
  const mk = (v: number, s: number) => {
    const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, new Float64Array(6 * 256).fill(v));
    p.sigma.fill(s);
    return p;
  };
  const a = mk(1, 1);
  const b = mk(3, 1);
  b.data[5] = BLANK;
  const c = mk(100, 1e38);
  const r = averageScans([a, b, c], { windows: null });
  assert.equal(r.data[100], 2);
  assert.equal(r.data[5], 1);
  const t = averageScans([a, b], { windows: null }, 1); // σ=1 is not < 1
  assert.ok(Number.isNaN(t.data[100]!));
});
