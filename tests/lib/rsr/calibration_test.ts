import assert from "node:assert/strict";
import { ambientTemperature, DIFFSAT, isAfter20151201 } from "../../../lib/rsr/calibration.ts";
import { bsPairs, chassisSign } from "../../../lib/rsr/bs.ts";
import type { RsrScan } from "../../../lib/rsr/raw.ts";
import { simulatedWidth } from "../../../lib/rsr/filters.ts";

Deno.test("ambientTemperature() takes Temperature[6] within 100..400 K, else 279 K", () => {
  assert.equal(ambientTemperature(new Float64Array([0, 0, 0, 0, 0, 0, 281.3, 0])), 281.3);
  assert.equal(ambientTemperature(new Float64Array([0, 0, 0, 0, 0, 0, 450, 0])), 279);
  assert.equal(ambientTemperature(null), 279);
});

Deno.test("isAfter20151201() and the diffsat table", () => {
  assert.equal(isAfter20151201(2024.83), true);
  assert.equal(isAfter20151201(2015.5), false);
  assert.equal(isAfter20151201(2015.95), true);
  assert.equal(DIFFSAT[3]![4]![0], -1.84163344e+01);
  assert.equal(DIFFSAT.length, 4);
});

Deno.test("bsPairs() accepts BufPos pairs in either order and rejects others; chassis 1,2 flip sign", () => {
  const scan = (pos: number[]) =>
    ({ header: { path: "f.nc" }, nrec: pos.length, bufPos: Int32Array.from(pos) }) as unknown as RsrScan;
  assert.deepEqual(bsPairs(scan([0, 1, 1, 0])), [[0, 1], [3, 2]]);
  assert.throws(() => bsPairs(scan([0, 0])), /BufPos/);
  assert.throws(() => bsPairs(scan([0, 1, 0])), /odd number/);
  assert.deepEqual([0, 1, 2, 3].map(chassisSign), [1, -1, -1, 1]);
  // 300 km/s at 100 GHz: f0·(√((1+β)/(1−β)) − 1) ≈ f0·(β + β²/2) = 0.1001193 GHz
  assert.ok(Math.abs(simulatedWidth(100, 300) - 0.1001193) < 1e-6);
});
