/**
 * Optional operations of the driver (rsr.md §2.13): Savitzky–Golay high-pass, notch filter, boxcar
 * smoothing, simulated line, jackknife signs.
 *
 * @module
 */
import { irfft, rfft } from "../num/dft.ts";
import { npMean, npStd } from "../num/npstats.ts";
import { savgolFilter } from "../num/savgol.ts";
import { sigmaClip } from "../num/sigmaclip.ts";
import { NBOARD, NLAG } from "./raw.ts";
import { BLANK, boardRange, offset, type RsrProduct } from "./product.ts";

/** Speed of light, km/s. */
export const C_KMS = 299792.458;

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
 * (m = floor(256/N), N' = floor(L/m), made odd). Channels within `exclude` (f, w) pairs are replaced in
 * data' by a cubic interpolation of the other channels of the run (see docs/compat.md). Applied to every
 * repeat of `p`. Runs too short for a cubic SG window are left unchanged.
 */
export function sgFilter(p: RsrProduct, window: number, exclude: number[] | null, warn?: Warn): void {
  if (window % 2 !== 1) throw new RangeError(`Cannot apply SG filter: window ${window} must be odd`);
  if (window > NLAG) throw new RangeError(`Cannot apply SG filter: window ${window} must be ≤ 256`);
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
        if (exclude && exclude.length >= 2) {
          const excl = new Uint8Array(L);
          let any = false;
          for (let i = 0; i < L; i++) {
            for (let q = 0; q + 1 < exclude.length; q += 2) {
              const fc = exclude[q]!;
              const w = exclude[q + 1]!;
              if (f[s + i]! >= fc - w && f[s + i]! <= fc + w) {
                excl[i] = 1;
                any = true;
              }
            }
          }
          if (any) fillExcluded(f.subarray(s, e), work, excl);
        }
        const sm = savgolFilter(work, n, 3);
        for (let i = 0; i < L; i++) p.data[o + s + i] = seg[i]! - sm[i]!;
      }
    }
  }
}

/** Replace excluded channels by a natural cubic spline through the kept ones (x ascending). */
function fillExcluded(f: Float64Array, y: Float64Array, excl: Uint8Array): void {
  const idx: number[] = [];
  for (let i = 0; i < y.length; i++) if (!excl[i]) idx.push(i);
  if (idx.length < 2) return;
  const asc = f[f.length - 1]! > f[0]!;
  const pts = idx.map((i) => [f[i]!, y[i]!] as [number, number]);
  if (!asc) pts.reverse();
  const n = pts.length;
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  const m = new Float64Array(n);
  if (n > 2) {
    const a = new Float64Array(n), bb = new Float64Array(n), c = new Float64Array(n), d = new Float64Array(n);
    for (let i = 1; i < n - 1; i++) {
      const h0 = xs[i]! - xs[i - 1]!;
      const h1 = xs[i + 1]! - xs[i]!;
      a[i] = h0;
      bb[i] = 2 * (h0 + h1);
      c[i] = h1;
      d[i] = 6 * ((ys[i + 1]! - ys[i]!) / h1 - (ys[i]! - ys[i - 1]!) / h0);
    }
    for (let i = 2; i < n - 1; i++) {
      const w = a[i]! / bb[i - 1]!;
      bb[i]! -= w * c[i - 1]!;
      d[i]! -= w * d[i - 1]!;
    }
    for (let i = n - 2; i >= 1; i--) m[i] = (d[i]! - c[i]! * m[i + 1]!) / bb[i]!;
  }
  for (let i = 0; i < y.length; i++) {
    if (!excl[i]) continue;
    const x = f[i]!;
    let j = 0;
    while (j < n - 2 && xs[j + 1]! < x) j++;
    const h = xs[j + 1]! - xs[j]!;
    const t0 = xs[j + 1]! - x;
    const t1 = x - xs[j]!;
    y[i] = (m[j]! * t0 ** 3 + m[j + 1]! * t1 ** 3) / (6 * h) + (ys[j]! / h - m[j]! * h / 6) * t0 +
      (ys[j + 1]! / h - m[j + 1]! * h / 6) * t1;
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
      for (let k = 0; k < NLAG; k++) p.data[o + k] += amp * Math.exp(-0.5 * ((f[k]! - f0) / sig) ** 2);
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
