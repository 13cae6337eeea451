/**
 * The per-pixel quality statistics process_otf_map prints (the original's table): mean, std, min, max
 * over the finite float32 values of a pixel's spectra, accumulated row by row as they are produced,
 * and a robust width (1.4826·MAD) from a fixed-stride sample of at most 16384 values.
 *
 * @module
 */

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

/**
 * k-th smallest value of `a` (reordered in place so that a[0..k) ≤ a[k] ≤ a(k..]): quickselect with
 * a median-of-three-random-elements pivot and three-way partitioning (runs of equal values cost one pass). No NaN.
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  let seed = 0x9e3779b9;
  while (hi > lo) {
    // pivot: median of three pseudo-random elements (xorshift32; partially ordered inputs cannot degrade it)
    const n = hi - lo + 1;
    seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
    const x = a[lo + (seed >>> 0) % n]!;
    seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
    const y = a[lo + (seed >>> 0) % n]!;
    seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
    const z = a[lo + (seed >>> 0) % n]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      const v = a[i]!;
      if (v < p) {
        a[i] = a[lt]!;
        a[lt] = v;
        lt++;
        i++;
      } else if (v > p) {
        a[i] = a[gt]!;
        a[gt] = v;
        gt--;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return p;
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

/** Histogram buckets of {@link medianInPlace}. */
const BUCKETS = 2048;

/**
 * Median of `x` (may be reordered); NaN-containing inputs fall back to a sort. Large inputs are
 * narrowed with a histogram between min and max (bucket index is monotone in the value, so the
 * median's rank lies in one bucket), then that bucket alone is quickselected: the exact median, at
 * a fraction of quickselect's mispredicted branches over the whole array.
 */
function medianInPlace(x: Float64Array): number {
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

/** 1.4826·MAD of a sample (the sample is reordered). */
function madOfSample(s: Float64Array): number {
  if (s.length === 0) return NaN;
  const m = medianInPlace(s);
  for (let i = 0; i < s.length; i++) s[i] = Math.abs(s[i]! - m);
  return 1.482602218505602 * medianInPlace(s);
}
