/**
 * Optional operations of the driver (rsr.md §2.13): Savitzky–Golay high-pass, notch filter, boxcar
 * smoothing, simulated line, jackknife signs.
 *
 * @module
 */
import { irfft, rfft } from "../num/dft.ts";
import { npMean, npStd } from "../num/npstats.ts";
import { savgolFilter } from "../num/savgol.ts";
import { splev, univariateSpline } from "../num/curfit.ts";
import { sigmaClip } from "../num/sigmaclip.ts";
import { NBOARD, NLAG } from "./raw.ts";
import { BLANK, boardRange, offset, type RsrProduct } from "./product.ts";
import { C_KMS } from "../num/constants.ts";

/** Contiguous runs [start, end) of valid (finite, non-BLANK) channels of one spectrum. */
export function validRuns(data: Float64Array, off: number): [number, number][] {
  const runs: [number, number][] = [];
  let s = -1;
  for (let k = 0; k <= NLAG; k++) {
    const ok = k < NLAG && Number.isFinite(data[off + k]!) && data[off + k] !== BLANK;
    if (ok && s < 0) s = k;
    else if (!ok && s >= 0) {
      runs.push([s, k]);
      s = -1;
    }
  }
  return runs;
}

/** A message callback (warnings such as the SG window change). */
export type Warn = (msg: string) => void;

/**
 * SG high-pass per board and run: data − savgol(data', N', 3), N' reduced for short runs
 * (m = floor(256/N), N' = floor(L/m), made odd). With `exclude` (f, w) pairs, data' is the run with each
 * window bridged in turn, as rsr_driver.py's rsr_savgolfilter does: pairs sorted by centre; a pair whose
 * centre lies within the run's frequency range replaces the channels f−w ≤ ν ≤ f+w by scipy's
 * `UnivariateSpline` (cubic smoothing spline, s = number of points) fitted to all other channels of the
 * run, the windows bridged before included. Applied to every repeat of `p`. Runs too short for a cubic SG
 * window are left unchanged.
 */
export function sgFilter(p: RsrProduct, window: number, exclude: number[] | null, warn?: Warn): void {
  if (window % 2 !== 1) throw new RangeError(`Cannot apply SG filter: window ${window} must be odd`);
  if (window > NLAG) throw new RangeError(`Cannot apply SG filter: window ${window} must be ≤ 256`);
  const pairs = exclude && exclude.length >= 2 ? sortedPairs(exclude) : null;
  for (let r = 0; r < p.nrep; r++) {
    for (let b = 0; b < NBOARD; b++) {
      const o = offset(r, b);
      const f = p.freq[b]!;
      for (const [s, e] of validRuns(p.data, o)) {
        const L = e - s;
        let n = window;
        if (n > L - 3) {
          const m = Math.floor(NLAG / window);
          n = Math.floor(L / m);
          if (n % 2 === 0) n += 1;
          warn?.(
            `Requested SGF window ${window} is too large for valid data scan ${L}. Changing window to ${n}`,
          );
        }
        if (n > L || n <= 3) continue;
        const seg = p.data.slice(o + s, o + e);
        const work = seg.slice();
        if (pairs) bridgeWindows(f.subarray(s, e), work, pairs, warn);
        const sm = savgolFilter(work, n, 3);
        for (let i = 0; i < L; i++) p.data[o + s + i] = seg[i]! - sm[i]!;
      }
    }
  }
}

/** (f, w) pairs of a flat list, sorted by centre (stable). */
function sortedPairs(flat: number[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let q = 0; q + 1 < flat.length; q += 2) pairs.push([flat[q]!, flat[q + 1]!]);
  return pairs.sort((a, b) => a[0] - b[0]);
}

/**
 * Bridge each exclusion window whose centre lies within [min f, max f] of the run: the channels
 * f−w ≤ ν ≤ f+w get the values of the smoothing spline (scipy UnivariateSpline defaults) through the
 * other channels, x increasing (reversed for a descending board). Windows come one after the other, each
 * fitted on the data already bridged.
 */
function bridgeWindows(f: Float64Array, y: Float64Array, pairs: [number, number][], warn?: Warn): void {
  const L = y.length;
  let fmin = Infinity;
  let fmax = -Infinity;
  for (let i = 0; i < L; i++) {
    if (f[i]! < fmin) fmin = f[i]!;
    if (f[i]! > fmax) fmax = f[i]!;
  }
  const descending = f[L - 1]! < f[0]!;
  for (const [fc, w] of pairs) {
    if (!(fc >= fmin && fc <= fmax)) continue;
    const lo = fc - w;
    const hi = fc + w;
    const inside: number[] = [];
    const outside: number[] = [];
    for (let i = 0; i < L; i++) {
      if (f[i]! >= lo && f[i]! <= hi) inside.push(i);
      else if (f[i]! < lo || f[i]! > hi) outside.push(i);
    }
    if (descending) outside.reverse();
    if (outside.length <= 3) {
      // UnivariateSpline needs more than k = 3 points (the original stops with an error here)
      warn?.(`SGF: cannot bridge ${lo} to ${hi} GHz: only ${outside.length} channels outside it`);
      continue;
    }
    const spline = univariateSpline(outside.map((i) => f[i]!), outside.map((i) => y[i]!));
    const v = splev(spline, inside.map((i) => f[i]!));
    inside.forEach((i, j) => y[i] = v[j]!);
    warn?.(`SGF: Removing interval ${lo} to ${hi} GHz`);
  }
}

/**
 * Notch filter per board and run: d = data − mean; F = rfft(d); P = |F|²; zero F[0] and every F[j] with
 * P[j] > sigma·std(sigmaclip(P[1:], 4, 4)); run := irfft(F, L) (mean not restored). Odd-length runs are
 * handled (the original crashes on them).
 */
export function notchFilter(p: RsrProduct, sigma: number): void {
  for (let r = 0; r < p.nrep; r++) {
    for (let b = 0; b < NBOARD; b++) {
      const o = offset(r, b);
      for (const [s, e] of validRuns(p.data, o)) {
        const L = e - s;
        if (L < 3) continue;
        const seg = p.data.slice(o + s, o + e);
        const mean = npMean(seg);
        for (let i = 0; i < L; i++) seg[i]! -= mean;
        const [re, im] = rfft(seg);
        const P = new Float64Array(re.length);
        for (let j = 0; j < re.length; j++) P[j] = re[j]! * re[j]! + im[j]! * im[j]!;
        const clipped = sigmaClip(P.subarray(1), 4, 4);
        const lim = sigma * npStd(clipped);
        re[0] = 0;
        im[0] = 0;
        for (let j = 1; j < re.length; j++) {
          if (P[j]! > lim) {
            re[j] = 0;
            im[j] = 0;
          }
        }
        const back = irfft(re, im, L);
        for (let i = 0; i < L; i++) p.data[o + s + i] = back[i]!;
      }
    }
  }
}

/** Boxcar smoothing of n channels per board (numpy.convolve 'same'; NaN spreads). */
export function boxcarSmooth(p: RsrProduct, n: number): void {
  if (!Number.isInteger(n) || n < 2 || n > NLAG) {
    throw new RangeError(`Cannot smooth: ${n} channels must be 2..256`);
  }
  const shift = Math.floor((n - 1) / 2);
  for (let r = 0; r < p.nrep; r++) {
    for (let b = 0; b < NBOARD; b++) {
      const o = offset(r, b);
      const src = p.data.slice(o, o + NLAG);
      for (let i = 0; i < NLAG; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) {
          const m = i + shift - j;
          if (m >= 0 && m < NLAG) s += src[m]! * (1 / n);
        }
        p.data[o + i] = s;
      }
    }
  }
}

/** Width ΔF (GHz) of a line of FWHM v km/s at f0 GHz (relativistic Doppler). */
export function simulatedWidth(f0: number, v: number): number {
  const beta = v / C_KMS;
  return f0 * Math.sqrt((1 + beta) / (1 - beta)) - f0;
}

/** Add a Gaussian line (peak A K, centre f0 GHz, FWHM v km/s) to every repeat of boards strictly containing f0. */
export function simulateLine(p: RsrProduct, amp: number, f0: number, v: number): void {
  const df = simulatedWidth(f0, v);
  const sig = df / (2 * Math.sqrt(2 * Math.log(2)));
  for (let b = 0; b < NBOARD; b++) {
    const f = p.freq[b]!;
    const [lo, hi] = boardRange(f);
    if (!(lo < f0 && f0 < hi)) continue;
    for (let r = 0; r < p.nrep; r++) {
      const o = offset(r, b);
      for (let k = 0; k < NLAG; k++) p.data[o + k]! += amp * Math.exp(-0.5 * ((f[k]! - f0) / sig) ** 2);
    }
  }
}

/** A deterministic uniform [0,1) generator (mulberry32) for a seed; Math.random without a seed. */
export function uniformSource(seed?: number): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Jackknife: multiply a product by a random sign (uniform(−0.5,0.5) → sign, 0 → +1) on its good channels. */
export function jackknife(p: RsrProduct, rand: () => number): number {
  const u = rand() - 0.5;
  const sign = u < 0 ? -1 : 1;
  for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i]!;
    if (Number.isFinite(v) && v !== BLANK) p.data[i] = v * sign;
  }
  return sign;
}
