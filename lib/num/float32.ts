/**
 * float32 arithmetic as numpy does it on `float32` arrays: pairwise sums with a float32 accumulator,
 * means rounded to float32, medians whose even-count midpoint is a float32 mean.
 *
 * @module
 */
import { selectKth } from "./npstats.ts";

const f = Math.fround;
const PW_BLOCKSIZE = 128;

/**
 * numpy's pairwise sum (`np.add.reduce`) of a float32 vector, every addition rounded to float32.
 *
 * @example
 * ```ts
 * pairwiseSumF32(new Float32Array([0.1, 0.2, 0.3])); // 0.6000000238418579
 * ```
 */
export function pairwiseSumF32(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + a[start + i]!);
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [
      a[start]!,
      a[start + 1]!,
      a[start + 2]!,
      a[start + 3]!,
      a[start + 4]!,
      a[start + 5]!,
      a[start + 6]!,
      a[start + 7]!,
    ];
    let i = 8;
    const lim = n - (n % 8);
    for (; i < lim; i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f(r[j]! + a[start + i + j]!);
    }
    let res = f(f(f(r[0]! + r[1]!) + f(r[2]! + r[3]!)) + f(f(r[4]! + r[5]!) + f(r[6]! + r[7]!)));
    for (; i < n; i++) res = f(res + a[start + i]!);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f(pairwiseSumF32(a, start, n2) + pairwiseSumF32(a, start + n2, n - n2));
}

/** `np.mean` of a float32 vector: float32 pairwise sum divided by the count in float32. */
export function meanF32(a: ArrayLike<number>): number {
  return f(pairwiseSumF32(a) / a.length);
}

/** `np.std` (ddof 0) of a float32 vector with numpy's float32 operation order. */
export function stdF32(a: ArrayLike<number>): number {
  const m = meanF32(a);
  const sq = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = f(a[i]! - m);
    sq[i] = f(d * d);
  }
  return f(Math.sqrt(f(pairwiseSumF32(sq) / a.length)));
}

/**
 * Median of float32 values as `np.median` on a float32 array: the middle value, or for an even count
 * the float32 mean of the two middle values. NaN for an empty input. `work` is sorted in place.
 *
 * @example
 * ```ts
 * medianF32InPlace(new Float32Array([3, 1, 2, 4])); // 2.5
 * ```
 */
export function medianF32InPlace(work: Float32Array): number {
  const n = work.length;
  if (n === 0) return NaN;
  work.sort();
  if (n % 2 === 1) return work[(n - 1) / 2]!;
  return f(f(work[n / 2 - 1]! + work[n / 2]!) / 2);
}

/**
 * Per-channel float32 median over `rows` spectra of `nchan` channels stored row-major in `data`
 * (the rows listed in `rowIndex`), like `np.median(raw[rows], axis=0)`: {@link medianF32InPlace}
 * per column, by selection ({@link selectKth}; columns holding a NaN or a zero median take the
 * sorting path, so even NaN placement and the sign of zero are those of the sort).
 */
export function columnMedianF32(
  data: Float32Array,
  nchan: number,
  rowIndex: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(nchan);
  const n = rowIndex.length;
  const work = new Float32Array(n);
  const k = n >> 1;
  for (let c = 0; c < nchan; c++) {
    let nan = false;
    for (let r = 0; r < n; r++) {
      const v = data[rowIndex[r]! * nchan + c]!;
      if (v !== v) nan = true;
      work[r] = v;
    }
    let m = NaN;
    if (!nan && n > 0) {
      m = selectKth(work, k);
      if (n % 2 === 0) {
        let lo = -Infinity;
        for (let i = 0; i < k; i++) if (work[i]! > lo) lo = work[i]!;
        m = f(f(lo + m) / 2);
      }
    }
    if (nan || m === 0) {
      for (let r = 0; r < n; r++) work[r] = data[rowIndex[r]! * nchan + c]!;
      m = medianF32InPlace(work);
    }
    out[c] = m;
  }
  return out;
}
