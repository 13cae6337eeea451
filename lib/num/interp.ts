/**
 * One-dimensional interpolation with numpy/scipy semantics (the ones the original SEQ reduction used).
 *
 * @module
 */

/**
 * Index j of the last element of the ascending `xp` with `xp[j] <= x` (−1 if x < xp[0]).
 */
export function searchRight(xp: ArrayLike<number>, x: number): number {
  let lo = 0, hi = xp.length; // first index with xp[i] > x
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xp[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Piecewise-linear interpolation as `np.interp` (used by scipy `interp1d(kind="linear")` for float64
 * data): `slope·(x − xp[j]) + fp[j]`, an exact sample time returns that sample, and queries outside
 * `[xp[0], xp[n−1]]` give NaN (scipy's default `bounds_error=False, fill_value=nan`).
 *
 * @example
 * ```ts
 * interpLinear(new Float64Array([0, 1]), new Float64Array([0, 10]), 0.25); // 2.5
 * ```
 */
export function interpLinear(xp: ArrayLike<number>, fp: ArrayLike<number>, x: number): number {
  const n = xp.length;
  if (!(x >= xp[0]!) || !(x <= xp[n - 1]!)) return NaN;
  const j = searchRight(xp, x);
  if (j >= n - 1) return fp[n - 1]!;
  if (x === xp[j]) return fp[j]!;
  const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
  return slope * (x - xp[j]!) + fp[j]!;
}

/**
 * Nearest-sample interpolation as scipy `interp1d(kind="nearest")`: a query exactly half-way between
 * two samples takes the earlier one; outside the sampled range → NaN.
 */
export function interpNearest(xp: ArrayLike<number>, fp: ArrayLike<number>, x: number): number {
  const n = xp.length;
  if (!(x >= xp[0]!) || !(x <= xp[n - 1]!)) return NaN;
  // first boundary (xp[i]+xp[i+1])/2 that is >= x (searchsorted side="left")
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xp[mid]! + xp[mid + 1]!) / 2 < x) lo = mid + 1;
    else hi = mid;
  }
  return fp[lo]!;
}
