import { equal } from "node:assert/strict";
import { maStd, npMean, npPercentile, npStd, pairwiseSum } from "../../../lib/num/npstats.ts";

Deno.test("npPercentile() interpolates linearly like numpy", () => {
  // values from numpy 1.24: np.percentile([1,2,3,4],25) = 1.75, 75 → 3.25; [3,1,2] 50 → 2.0
  equal(npPercentile([1, 2, 3, 4], 25), 1.75);
  equal(npPercentile([4, 3, 2, 1], 75), 3.25);
  equal(npPercentile([3, 1, 2], 50), 2);
  equal(npPercentile([5], 25), 5);
  equal(npPercentile(Array.from({ length: 256 }, (_, i) => i * i), 25), 63 * 63 + 0.75 * (64 * 64 - 63 * 63));
});

Deno.test("npStd() is the population std; ddof 1 is the sample std", () => {
  equal(npStd([1, 2, 3, 4]), Math.sqrt(1.25));
  equal(npStd([1, 2, 3, 4], 1), Math.sqrt(5 / 3));
  equal(npStd([7]), 0);
});

Deno.test("pairwiseSum() follows numpy's blocked order (differs from a naive loop)", () => {
  // 1e16 then 1s: naive left-to-right loses every 1; numpy's 8 accumulators keep some
  const a = new Float64Array(16).fill(1);
  a[0] = 1e16;
  let naive = 0;
  for (const v of a) naive += v;
  equal(naive, 1e16);
  // r0 = 1e16 + 1 (lost), r1..r7 = 2 each → (1e16 + 2) + ... = 1e16 + 14
  equal(pairwiseSum(a), 1e16 + 14);
  equal(npMean([1, 2, 3]), 2);
});

Deno.test("maStd() ignores masked slots", () => {
  equal(maStd([1, 100, 3], [true, false, true]), 1);
  equal(Number.isNaN(maStd([1, 2], [false, false])), true);
});
