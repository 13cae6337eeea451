/**
 * numpy-exact reductions: the same summation order (pairwise, 8-way unrolled blocks of 128) and the
 * same percentile interpolation as numpy 1.24, so results agree with the original Python tools to the
 * last bit where the original used `np.sum`, `np.mean`, `np.std`, `np.percentile` or their `numpy.ma`
 * counterparts; and the toolkit's one selection routine ({@link selectKth}) and float64 median
 * ({@link npMedianInPlace}, {@link npMedian}; float32 medians are in float32.ts).
 *
 * @module
 */

const PW_BLOCKSIZE = 128;

/**
 * numpy's pairwise sum of `n` elements of `a` starting at `start` with `stride`
 * (`np.add.reduce` on a float64 array).
 *
 * @example
 * ```ts
 * pairwiseSum(new Float64Array([1, 2, 3])); // 6
 * ```
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start, stride = 1): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i * stride]!;
    // numpy starts from -0.0 here; the reduce then adds the identity 0.0, giving +0 for empty input
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[start]!, r1 = a[start + stride]!, r2 = a[start + 2 * stride]!, r3 = a[start + 3 * stride]!;
    let r4 = a[start + 4 * stride]!, r5 = a[start + 5 * stride]!, r6 = a[start + 6 * stride]!;
    let r7 = a[start + 7 * stride]!;
    let i = 8;
    const lim = n - (n % 8);
    for (; i < lim; i += 8) {
      const p = start + i * stride;
      r0 += a[p]!;
      r1 += a[p + stride]!;
      r2 += a[p + 2 * stride]!;
      r3 += a[p + 3 * stride]!;
      r4 += a[p + 4 * stride]!;
      r5 += a[p + 5 * stride]!;
      r6 += a[p + 6 * stride]!;
      r7 += a[p + 7 * stride]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i * stride]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2, stride) + pairwiseSum(a, start + n2 * stride, n - n2, stride);
}

/** `np.mean` of a float64 vector (NaN for an empty one). */
export function npMean(a: ArrayLike<number>): number {
  return (0 + pairwiseSum(a)) / a.length;
}

/**
 * `np.mean(rows, axis=0)` of equal-length float64 rows (spectra of several pixels or repeats): per
 * column the rows added in their order to 0, then divided by their number. A NaN in a column makes that
 * column NaN, as numpy (use a masked mean to skip them).
 *
 * @example
 * ```ts
 * npMeanRows([[1, 2, NaN], [3, 5, 1]]); // Float64Array [2, 3.5, NaN]
 * ```
 */
export function npMeanRows(rows: readonly ArrayLike<number>[]): Float64Array {
  const first = rows[0];
  if (first === undefined) throw new RangeError("npMeanRows: no rows to average");
  const n = first.length;
  const out = new Float64Array(n);
  for (const r of rows) {
    if (r.length !== n) throw new RangeError(`npMeanRows: rows of unequal length ${r.length} and ${n}`);
    for (let c = 0; c < n; c++) out[c]! += r[c]!;
  }
  for (let c = 0; c < n; c++) out[c]! /= rows.length;
  return out;
}

/**
 * `np.std(a, ddof)` of a float64 vector: sqrt(sum((a - mean)²) / (n - ddof)), numpy's operation order.
 *
 * @example
 * ```ts
 * npStd([1, 2, 3, 4]); // 1.118033988749895
 * ```
 */
export function npStd(a: ArrayLike<number>, ddof = 0): number {
  const n = a.length;
  const mean = npMean(a);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - mean;
    sq[i] = d * d;
  }
  return Math.sqrt((0 + pairwiseSum(sq)) / (n - ddof));
}

/**
 * `numpy.ma` std of a vector with a validity mask (`valid[i]` false = masked), ddof 0:
 * masked slots count as 0 in every sum (numpy fills them before the pairwise sum), the count is the
 * number of valid slots. NaN when nothing is valid.
 */
export function maStd(a: ArrayLike<number>, valid: ArrayLike<boolean>): number {
  const n = a.length;
  let cnt = 0;
  const filled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (valid[i]) {
      filled[i] = a[i]!;
      cnt++;
    }
  }
  if (cnt === 0) return NaN;
  const mean = (0 + pairwiseSum(filled)) * 1.0 / cnt;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (valid[i]) {
      const d = a[i]! - mean;
      sq[i] = d * d;
    }
  }
  return Math.sqrt((0 + pairwiseSum(sq)) / cnt);
}

/**
 * `np.percentile(a, q)` with the default "linear" method (numpy ≥ 1.22 `_lerp` formula), NaN-free input.
 *
 * @example
 * ```ts
 * npPercentile([1, 2, 3, 4], 25); // 1.75
 * ```
 */
export function npPercentile(a: ArrayLike<number>, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(a as ArrayLike<number>).sort();
  const quant = q / 100;
  // _compute_virtual_index(n, q, alpha=1, beta=1) = n*q + (alpha + q*(1-alpha-beta)) - 1
  const virt = n * quant + (1 + quant * (1 - 1 - 1)) - 1;
  let prev = Math.floor(virt);
  let next = prev + 1;
  const gamma = virt - prev;
  if (prev < 0) prev = 0;
  if (prev > n - 1) prev = n - 1;
  if (next > n - 1) next = n - 1;
  if (next < 0) next = 0;
  const lo = sorted[prev]!;
  const hi = sorted[next]!;
  const diff = hi - lo;
  return gamma >= 0.5 ? hi - diff * (1 - gamma) : lo + diff * gamma;
}

/**
 * k-th smallest value (0-based) of `a`, reordered in place so that a[0..k) ≤ a[k] ≤ a(k..]: Hoare
 * partitions around a median-of-three pivot down to short ranges, then insertion sort. No NaN. The
 * one selection routine of the toolkit (the float64 and float32 medians use it). The k-th value is
 * unique, so any selection gives the same number; only the sign of a zero may depend on the method.
 *
 * @example
 * ```ts
 * selectKth(new Float64Array([5, 1, 4, 2, 3]), 1); // 2
 * ```
 */
export function selectKth(a: Float64Array | Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi - lo > 12) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < p) i++;
      while (a[j]! > p) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  return a[k]!;
}

/** Median of `x` (reordered in place) by quickselect alone. No NaN. */
function medianBySelect(x: Float64Array): number {
  const n = x.length, k = n >> 1;
  const m = selectKth(x, k);
  if (n % 2) return m;
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (x[i]! > lo) lo = x[i]!;
  return (lo + m) / 2;
}

/** Histogram buckets of {@link npMedianInPlace}. */
const BUCKETS = 2048;

/**
 * `np.median` of float64 values, reordering `x`: the middle value, or for an even count the mean
 * `(lo + hi) / 2` of the two middle values (numpy's `mean` of the two); NaN for an empty input.
 * Large inputs are narrowed with a histogram between min and max (bucket index is monotone in the
 * value, so the median's rank lies in one bucket), then that bucket alone is quickselected: the
 * exact median, at a fraction of quickselect's mispredicted branches over the whole array.
 * Unlike numpy, an input holding NaN is sorted (NaN last) and its middle taken; callers pass
 * NaN-free values.
 *
 * @example
 * ```ts
 * npMedianInPlace(new Float64Array([4, 1, 3, 2])); // 2.5
 * ```
 */
export function npMedianInPlace(x: Float64Array): number {
  const n = x.length;
  let mn = Infinity, mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== v) {
      x.sort();
      return n % 2 ? x[(n - 1) / 2]! : (x[n / 2 - 1]! + x[n / 2]!) / 2;
    }
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  if (n === 0) return NaN;
  if (mn === mx) return mn;
  const scale = BUCKETS / (mx - mn);
  if (n < 1024 || !Number.isFinite(scale) || !Number.isFinite(mx - mn)) return medianBySelect(x);
  const counts = new Int32Array(BUCKETS + 1);
  for (let i = 0; i < n; i++) counts[((x[i]! - mn) * scale) | 0]!++;
  const k = n >> 1;
  let j = 0, below = 0;
  while (below + counts[j]! <= k) below += counts[j++]!;
  const tmp = new Float64Array(counts[j]!);
  let lowerMax = -Infinity; // largest value of the buckets below j
  for (let i = 0, t = 0; i < n; i++) {
    const v = x[i]!;
    const b = ((v - mn) * scale) | 0;
    if (b === j) tmp[t++] = v;
    else if (b < j && v > lowerMax) lowerMax = v;
  }
  const kk = k - below;
  const m = selectKth(tmp, kk);
  if (n % 2) return m;
  let lo = lowerMax;
  for (let i = 0; i < kk; i++) if (tmp[i]! > lo) lo = tmp[i]!;
  return (lo + m) / 2;
}

/**
 * {@link npMedianInPlace} of a copy of `a` (which is left as it is).
 *
 * @example
 * ```ts
 * npMedian([3, 1, 2]); // 2
 * ```
 */
export function npMedian(a: ArrayLike<number>): number {
  return npMedianInPlace(Float64Array.from(a));
}
