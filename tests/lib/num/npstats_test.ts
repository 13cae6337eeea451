import { equal } from "node:assert/strict";
import {
  maStd,
  npMean,
  npMedian,
  npMedianInPlace,
  npPercentile,
  npStd,
  pairwiseSum,
  selectKth,
} from "../../../lib/num/npstats.ts";

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

Deno.test("npMedian() and selectKth() give np.median and the k-th smallest exactly", () => {
  // np.median([3, 1, 2]) = 2.0; np.median([4, 1, 3, 2]) = 2.5; np.median([]) is nan
  equal(npMedian([3, 1, 2]), 2);
  equal(npMedian([4, 1, 3, 2]), 2.5);
  equal(npMedian([]), NaN);
  // large inputs take the histogram path: compare with the sorted reference, odd and even counts,
  // with many equal values (rounded) and a wide range (one outlier)
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (const n of [1023, 1024, 4097, 20000]) {
    for (const kind of ["uniform", "rounded", "outlier"]) {
      const a = Float64Array.from(
        { length: n },
        () => kind === "rounded" ? Math.round(rnd() * 4) : rnd() * 10 - 5,
      );
      if (kind === "outlier") a[17] = 1e300;
      const s = a.slice().sort();
      const ref = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
      equal(npMedianInPlace(a.slice()), ref, `${kind} n=${n}`);
      for (const k of [0, 1, n >> 1, n - 1]) equal(selectKth(a.slice(), k), s[k], `${kind} n=${n} k=${k}`);
    }
  }
  // float32 input: the k-th smallest float32 value
  const f = Float32Array.from([0.1, 0.7, 0.3, 0.5]);
  equal(selectKth(f, 2), Math.fround(0.5));
});
