/**
 * Spectrum selection of the OTF gridder (SLR C/Stats.c and spec_driver_fits.c), per input file:
 * pixel list, RMS cut (absolute, or the "robust" per-pixel cut for negative values), and sample
 * blanking (`-b P,S0,S1,...`). Float32 arithmetic as in the original.
 *
 * @example
 * ```ts
 * const rms = new Float32Array([1, 1.1, 0.9, 5]);
 * const pix = new Int32Array([0, 0, 0, 0]);
 * const cut = rmsCutoffs(rms, pix, [0], -4);   // IQR-clipped mean + 4·std of pixel 0
 * selectSpectra(rms, pix, { pixList: [0], cutoffs: cut, blank: [] }); // Uint8Array [1, 1, 1, 0]
 * ```
 * @module
 */

const f = Math.fround;

/** Highest pixel number accepted (pixels are 0..MAX_PIXEL). */
export const MAX_PIXEL = 63;

/** A sample-blanking range: spectra of `pixel` with running index S0 ≤ seq ≤ S1. */
export interface BlankRange {
  pixel: number;
  s0: number;
  s1: number;
}

/**
 * Parse the `-b/--sample` list `P,S0,S1,P,S0,S1,...`. The default `-1,0,0` (or `-1`) blanks nothing.
 * Throws RangeError when the count is not a multiple of 3 (the C code only warned and ignored it;
 * a single `-1` is accepted as "none").
 */
export function parseSampleList(values: number[]): BlankRange[] {
  if (values.length === 1 && values[0] === -1) return [];
  if (values.length % 3 !== 0) {
    throw new RangeError(`sample list needs triples P,S0,S1 (got ${values.length} numbers)`);
  }
  const out: BlankRange[] = [];
  for (let i = 0; i < values.length; i += 3) {
    const [p, s0, s1] = [values[i]!, values[i + 1]!, values[i + 2]!];
    if (!Number.isInteger(p) || !Number.isInteger(s0) || !Number.isInteger(s1)) {
      throw new RangeError(`sample list entries must be integers: ${p},${s0},${s1}`);
    }
    if (p < 0) continue; // -1,0,0 = nothing
    out.push({ pixel: p, s0, s1 });
  }
  return out;
}

/**
 * Per-pixel RMS cut-offs (index = pixel number, length MAX_PIXEL+1), as Stats.c `rms_stats`:
 * - rmsCut > 0: the cut is rmsCut for pixels that have at least one RMS < rmsCut, else −1;
 * - rmsCut < 0: per pixel, sort the RMS values, Q1 = d[⌊k/4⌋], Q3 = d[⌊3k/4⌋], keep values within
 *   [Q1 − 1.5·IQR, Q3 + 1.5·IQR], cut = mean + |rmsCut|·std (population) of the kept values;
 * - rmsCut = 0, pixels not in pixList or without spectra: −1 (everything rejected).
 */
export function rmsCutoffs(
  rms: Float32Array,
  pixel: Int32Array,
  pixList: readonly number[],
  rmsCut: number,
): Float32Array {
  const cut = new Float32Array(MAX_PIXEL + 1).fill(-1);
  const rc = f(rmsCut);
  if (rc === 0) return cut;
  const byPixel = new Map<number, number[]>();
  for (const p of pixList) byPixel.set(p, []);
  for (let i = 0; i < rms.length; i++) {
    const list = byPixel.get(pixel[i]!);
    if (list === undefined) continue;
    const r = rms[i]!;
    if (rc > 0 && !(r < rc)) continue; // only values below the cut are collected (C quirk)
    list.push(r);
  }
  for (const [p, list] of byPixel) {
    if (list.length === 0 || p < 0 || p > MAX_PIXEL) continue;
    if (rc > 0) {
      cut[p] = rc;
      continue;
    }
    const d = Float32Array.from(list).sort();
    const k = d.length;
    const q1 = d[Math.floor(k / 4)]!;
    const q3 = d[Math.floor((3 * k) / 4)]!;
    const iqr = f(q3 - q1);
    const lo = f(q1 - f(1.5 * iqr));
    const hi = f(q3 + f(1.5 * iqr));
    let s = 0, s2 = 0, l = 0;
    for (let i = 0; i < k; i++) {
      const x = d[i]!;
      if (x < lo || x > hi) continue;
      s = f(s + x);
      s2 = f(s2 + f(x * x));
      l++;
    }
    const mean = f(s / l);
    const v = f(f(s2 / l) - f(mean * mean));
    const std = f(Math.sqrt(v > 0 ? v : 0));
    cut[p] = f(mean + f(Math.abs(rc) * std));
  }
  return cut;
}

/** Options of {@link selectSpectra}. */
export interface SelectOptions {
  pixList: readonly number[];
  /** From {@link rmsCutoffs}. */
  cutoffs: Float32Array;
  blank: readonly BlankRange[];
}

/**
 * use[i] = 1 when spectrum i's pixel is in pixList, RMS ≤ cut (strict `>` rejects), and it is not
 * in a blanked sample range (the running per-pixel counter counts every spectrum of the pixel in
 * file order, rejected ones included).
 */
export function selectSpectra(rms: Float32Array, pixel: Int32Array, o: SelectOptions): Uint8Array {
  const n = rms.length;
  const use = new Uint8Array(n);
  const inList = new Uint8Array(MAX_PIXEL + 1);
  for (const p of o.pixList) if (p >= 0 && p <= MAX_PIXEL) inList[p] = 1;
  const seq = new Int32Array(MAX_PIXEL + 1);
  for (let i = 0; i < n; i++) {
    const p = pixel[i]!;
    if (p < 0 || p > MAX_PIXEL || inList[p] === 0) continue;
    const s = seq[p]!++;
    if (rms[i]! > o.cutoffs[p]!) continue;
    let ok = 1;
    for (const b of o.blank) if (b.pixel === p && b.s0 <= s && s <= b.s1) ok = 0;
    use[i] = ok;
  }
  return use;
}
