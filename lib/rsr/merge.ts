/**
 * Band merging into one spectrum (`make_composite_scan`, rsr.md §2.11) and the per-channel σ column
 * (`update_compspec_sigma`, §2.12).
 *
 * @module
 */
import { interpLinear } from "../num/interp.ts";
import { npStd } from "../num/npstats.ts";
import { NBOARD, NLAG } from "./raw.ts";
import { BLANK, boardRange, type RsrProduct } from "./product.ts";

/** Channel width of the merged grid (GHz). */
export const CHANNEL_WIDTH = 0.03125;

/** The merged spectrum: grid frequencies, values (0.0 where no board contributes) and σ. */
export interface Composite {
  freq: Float64Array;
  value: Float64Array;
  sigma: Float64Array;
}

/** Value of a coadd channel as used by the merge: NaN for masked and BLANK. */
function val(v: number): number {
  return v === BLANK ? NaN : v;
}

/**
 * Merge the 6 boards (scipy interp1d linear = np.interp for float64 data, NaN outside) of a 1-repeat product onto one grid f_j = fmin + 0.03125·j (linear interpolation,
 * unweighted mean in overlaps, 0.0 where no board contributes), with compsigma per channel.
 */
export function mergeBands(p: RsrProduct): Composite {
  let fmin = Infinity;
  let fmax = -Infinity;
  for (let b = 0; b < NBOARD; b++) {
    const [lo, hi] = boardRange(p.freq[b]!);
    if (lo < fmin) fmin = lo;
    if (hi > fmax) fmax = hi;
  }
  const nchan = Math.trunc(Math.abs(fmax - fmin) / CHANNEL_WIDTH);
  const freq = new Float64Array(nchan);
  for (let j = 0; j < nchan; j++) freq[j] = fmin + CHANNEL_WIDTH * j;
  const sumV = new Float64Array(nchan);
  const sumW = new Float64Array(nchan);
  for (let b = 0; b < NBOARD; b++) {
    const f = p.freq[b]!;
    const ascending = f[NLAG - 1]! > f[0]!;
    const xs = new Float64Array(NLAG);
    const ys = new Float64Array(NLAG);
    for (let k = 0; k < NLAG; k++) {
      const kk = ascending ? k : NLAG - 1 - k;
      xs[k] = f[kk]!;
      ys[k] = val(p.data[b * NLAG + kk]!);
    }
    const bmin = xs[0]!;
    let x1 = 0;
    let best = Infinity;
    for (let j = 0; j < nchan; j++) {
      const d = Math.abs(freq[j]! - bmin);
      if (d < best) {
        best = d;
        x1 = j;
      }
    }
    let x2 = x1 + NLAG;
    if (x2 > nchan - 1) x2 = nchan;
    for (let i = 0; i < x2 - x1; i++) {
      const g = freq[x1]! + CHANNEL_WIDTH * i;
      const v = interpLinear(xs, ys, g);
      if (!Number.isNaN(v)) {
        sumV[x1 + i] += v;
        sumW[x1 + i] += 1;
      }
    }
  }
  const value = new Float64Array(nchan);
  for (let j = 0; j < nchan; j++) value[j] = sumW[j] === 0 ? sumV[j]! : sumV[j]! / sumW[j]!;
  return { freq, value, sigma: compSigma(p, freq) };
}

/** Population std over all valid (finite, non-BLANK) channels of each board (NaN if none). */
export function boardSigmas(p: RsrProduct): Float64Array {
  const s = new Float64Array(NBOARD);
  for (let b = 0; b < NBOARD; b++) {
    const v: number[] = [];
    for (let k = 0; k < NLAG; k++) {
      const x = p.data[b * NLAG + k]!;
      if (Number.isFinite(x) && x !== BLANK) v.push(x);
    }
    s[b] = v.length ? npStd(v) : NaN;
  }
  return s;
}

/**
 * compsigma_j = sqrt(mean(s_b²)) over boards whose full range contains f_j and whose nearest channel is
 * valid; NaN if none.
 */
export function compSigma(p: RsrProduct, freq: Float64Array): Float64Array {
  const sb = boardSigmas(p);
  const ranges = p.freq.map((f) => boardRange(f));
  const out = new Float64Array(freq.length);
  for (let j = 0; j < freq.length; j++) {
    const fj = freq[j]!;
    let sum = 0;
    let n = 0;
    for (let b = 0; b < NBOARD; b++) {
      const [lo, hi] = ranges[b]!;
      if (fj < lo || fj > hi) continue;
      const f = p.freq[b]!;
      let kb = 0;
      let best = Infinity;
      for (let k = 0; k < NLAG; k++) {
        const d = Math.abs(f[k]! - fj);
        if (d < best) {
          best = d;
          kb = k;
        }
      }
      const v = p.data[b * NLAG + kb]!;
      if (!Number.isFinite(v) || v === BLANK) continue;
      sum += sb[b]! * sb[b]!;
      n++;
    }
    out[j] = n === 0 ? NaN : Math.sqrt(sum / n);
  }
  return out;
}

/** "Board intervals": per board [min, max] frequency of valid channels, null when none. */
export function boardIntervals(p: RsrProduct): ([number, number] | null)[] {
  const out: ([number, number] | null)[] = [];
  for (let b = 0; b < NBOARD; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    const f = p.freq[b]!;
    for (let k = 0; k < NLAG; k++) {
      const v = p.data[b * NLAG + k]!;
      if (Number.isFinite(v) && v !== BLANK) {
        if (f[k]! < lo) lo = f[k]!;
        if (f[k]! > hi) hi = f[k]!;
      }
    }
    out.push(lo <= hi ? [lo, hi] : null);
  }
  return out;
}
