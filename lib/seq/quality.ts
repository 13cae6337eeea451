/**
 * The per-pixel quality statistics process_otf_map prints (the original's table): mean, std, min, max
 * over the finite float32 values of a pixel's spectra, accumulated row by row as they are produced,
 * and a robust width (1.4826·MAD) from a fixed-stride sample of at most 16384 values.
 *
 * @module
 */
import { npMedianInPlace } from "../num/npstats.ts";

/** Mean, std, min, max (and the MAD-based std) of a set of values. */
export interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
  madStd: number;
}

/**
 * Running sums over a pixel's values in output order. A plain object (structured-cloneable: worker
 * threads send it back); fill it with {@link addRow}.
 */
export interface RunningStats {
  s: number;
  ss: number;
  n: number;
  mn: number;
  mx: number;
  /** Flattened index of the next value. */
  pos: number;
  stride: number;
  sample: Float64Array;
}

/** Stride of the MAD sample of `n` values: at most 16384 values are used (a display statistic; ±1 % on the MAD). */
function madStride(n: number): number {
  return Math.max(1, Math.ceil(n / 16384));
}

/** Empty running statistics for `total` values. */
export function runningStats(total: number): RunningStats {
  const stride = madStride(total);
  return {
    s: 0,
    ss: 0,
    n: 0,
    mn: Infinity,
    mx: -Infinity,
    pos: 0,
    stride,
    sample: new Float64Array(Math.ceil(total / stride)),
  };
}

/** Take the MAD sample values of the `len` values `a[from, from+len)` that follow `r.pos` (advances pos). */
function addSample(r: RunningStats, a: ArrayLike<number>, from: number, len: number): void {
  const stride = r.stride, p0 = r.pos, sample = r.sample;
  let k = Math.ceil(p0 / stride);
  for (let q = k * stride; q < p0 + len; q += stride) sample[k++] = a[from + q - p0]!;
  r.pos = p0 + len;
}

/** Add the values `a[from, from+len)` (non-finite values are skipped by the sums). */
export function addRow(r: RunningStats, a: Float32Array | Float64Array, from: number, len: number): void {
  let s = r.s, ss = r.ss, n = r.n, mn = r.mn, mx = r.mx;
  for (let i = from; i < from + len; i++) {
    const v = a[i]!;
    if (v - v !== 0) continue; // not finite
    s += v;
    ss += v * v;
    n++;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  r.s = s, r.ss = ss, r.n = n, r.mn = mn, r.mx = mx;
  addSample(r, a, from, len);
}

/** The summary of running statistics. */
export function summary(r: RunningStats): Summary {
  const mean = r.s / r.n;
  return {
    mean,
    std: Math.sqrt(Math.max(0, r.ss / r.n - mean * mean)),
    min: r.mn,
    max: r.mx,
    madStd: madOfSample(r.sample),
  };
}

/** Summary of all values of `a` (the MAD from the strided sample of at most 16384 values). */
export function stats(a: Float32Array | Float64Array): Summary {
  const r = runningStats(a.length);
  addRow(r, a, 0, a.length);
  return summary(r);
}

/** 1.4826·MAD of a sample (the sample is reordered). */
function madOfSample(s: Float64Array): number {
  if (s.length === 0) return NaN;
  const m = npMedianInPlace(s);
  for (let i = 0; i < s.length; i++) s[i] = Math.abs(s[i]! - m);
  return 1.482602218505602 * npMedianInPlace(s);
}
