import assert from "node:assert/strict";
import { boardFrequencies, type RsrHeader } from "../../../lib/rsr/raw.ts";
import { makeProduct } from "../../../lib/rsr/product.ts";
import { mergeBands } from "../../../lib/rsr/merge.ts";
import { excludeWindows, startWindows } from "../../../lib/rsr/windows.ts";

const header = {
  path: "x", slotNumber: [5, 8, 11, 14, 17, 20], bandName: null, feLoLow: 93.4, feLoHigh: 112.296,
  chassisLoLow: 15.4, chassisLoHigh: 21.7,
} as unknown as RsrHeader;

Deno.test("boardFrequencies() gives the §2.1 axes for the default LOs", () => {
  const f = boardFrequencies(header);
  assert.equal(f[0]![0], 93.4 - 21.7 + 0.01953125);
  assert.ok(Math.abs(f[1]![0]! - 93.38046875) < 1e-12 && f[1]![255]! < f[1]![0]!);
  assert.ok(Math.abs(f[4]![255]! - 104.30771875) < 1e-12);
  assert.ok(Math.abs(f[3]![0]! - 90.61553125) < 1e-12);
});

Deno.test("mergeBands() grid: 1297 channels from 71.71953125, constant boards give their value, uncovered 0.0", () => {
  const f = boardFrequencies(header);
  const data = new Float64Array(6 * 256);
  for (let b = 0; b < 6; b++) for (let k = 0; k < 256; k++) data[b * 256 + k] = k < 41 || k > 252 ? NaN : b + 1;
  const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, data);
  p.sigma.fill(1);
  const c = mergeBands(p);
  assert.equal(c.freq.length, 1297);
  assert.equal(c.freq[0], f[0]![0]);
  assert.equal(c.value[0], 0);
  assert.ok(Number.isNaN(c.sigma[0]!));
  assert.equal(c.value[100], 1); // board 0 only (74.84 GHz)
  // overlap of board 0 (value 1) and board 2 (value 3) at 79.5 GHz: unweighted mean 2
  const j = Math.round((79.5 - c.freq[0]!) / 0.03125);
  assert.equal(c.value[j], 2);
  assert.equal(c.sigma[j], 0); // constant boards: std 0
});

Deno.test("excludeWindows() splits (min,max) start windows, also on descending boards", () => {
  const f = boardFrequencies(header);
  const w = excludeWindows(startWindows(f), f, [106.4, 0.4, 94.3, 0.6]);
  const [lo4, hi4] = [f[4]![255]!, f[4]![0]!];
  assert.deepEqual(w.get(4), [[lo4, 106.4 - 0.4], [106.4 + 0.4, hi4]]);
  assert.equal(w.get(3)!.length, 2);
  assert.equal(w.get(0)!.length, 1);
  assert.throws(() => excludeWindows(startWindows(f), f, [1]), RangeError);
});
