/**
 * numpy-exact reductions: the same summation order (pairwise, 8-way unrolled blocks of 128) and the
 * same percentile interpolation as numpy 1.24, so results agree with the original Python tools to the
 * last bit where the original used `np.sum`, `np.mean`, `np.std`, `np.percentile` or their `numpy.ma`
 * counterparts.
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
