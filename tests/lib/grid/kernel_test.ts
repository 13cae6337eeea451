import assert from "node:assert/strict";
import { jinc, kernelWeight, makeKernel } from "../../../lib/grid/kernel.ts";

const base = { resolution: 11, cell: 5.5, rmax: 3, a: 1.1, b: 4.75, c: 2 };

Deno.test("makeKernel() jinc table matches the compiled ConvolveFunction.c check values", () => {
  const k = makeKernel({ otfSelect: 1, ...base });
  assert.equal(k.nCells, 7);
  assert.equal(k.delta.toPrecision(9), "0.129411772");
  const expected: [number, number][] = [
    [0, 1.0],
    [10, 0.9396325],
    [20, 0.7740511],
    [30, 0.5445322],
    [40, 0.3043682],
    [50, 0.1020967],
    [70, -0.0915926],
    [85, -0.076611],
    [100, -0.0154613],
    [120, 0.0273298],
    [150, 0.0013003],
    [170, -0.0073023],
    [255, 0.0],
  ];
  for (const [i, v] of expected) {
    assert.ok(Math.abs(k.table[i]! - v) <= 5e-8, `table[${i}] = ${k.table[i]} vs ${v}`);
  }
  // first sign change at i = 58 (7.506")
  assert.ok(k.table[57]! > 0 && k.table[58]! < 0);
  assert.equal(k.beam, Math.fround(1.15 * 11));
});

Deno.test("jinc() is J1(r)/r: 0.5 at 0, first zero near 3.8317", () => {
  assert.equal(jinc(0), 0.5);
  assert.ok(Math.abs(jinc(1) - 0.44005059) < 1e-7); // J1(1) = 0.44005059
  assert.ok(Math.abs(jinc(3.831706)) < 2e-7);
  assert.ok(Math.abs(jinc(5) - -0.32757914 / 5) < 1e-7); // J1(5) = -0.32757914
});

Deno.test("makeKernel() gauss: exp(-4ln2 (x/b)^2), FWHM = b·resolution", () => {
  const k = makeKernel({ otfSelect: 2, ...base, b: 1 });
  // r = resolution/2 = 5.5" → half power
  const i = Math.round(5.5 / k.delta);
  const r = Math.fround(i * k.delta);
  assert.ok(Math.abs(k.table[i]! - Math.exp(-2.77258872 * (r / 11) ** 2)) < 1e-7);
  assert.ok(Math.abs(kernelWeight(k, 5.5) - 0.5) < 0.02);
  assert.equal(k.beam, Math.fround(Math.fround(1.15 * 11) * 1));
});

Deno.test("makeKernel() triangle, box(resolution), box(cell/2)", () => {
  const t = makeKernel({ otfSelect: 3, ...base });
  assert.ok(Math.abs(kernelWeight(t, 0) - 1) < 1e-7);
  const i = 20;
  assert.ok(Math.abs(t.table[i]! - (1 - (i * t.delta) / 11)) < 1e-6);
  assert.equal(kernelWeight(t, 11.5), 0);
  const b4 = makeKernel({ otfSelect: 4, ...base });
  assert.equal(kernelWeight(b4, 10.9), 1);
  assert.equal(kernelWeight(b4, 11.2), 0);
  const b0 = makeKernel({ otfSelect: 0, ...base });
  assert.equal(kernelWeight(b0, 2.7), 1);
  assert.equal(kernelWeight(b0, 2.9), 0);
  assert.equal(b0.beam, 11);
  assert.equal(kernelWeight(b0, 1000), 0); // beyond the table
});

Deno.test("makeKernel() rejects non-positive sizes", () => {
  assert.throws(() => makeKernel({ otfSelect: 1, ...base, resolution: 0 }), RangeError);
  assert.throws(() => makeKernel({ otfSelect: 1, ...base, cell: -1 }), RangeError);
});
