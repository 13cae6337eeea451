/**
 * The in-memory model of one reduced (obsnum, chassis) product or of a coadd: repeat spectra per
 * board with two kinds of missing value (rsr.md §2.6):
 * - NaN = invalid/masked (IF edge channels, anything derived from NaN, boards without data);
 * - {@link BLANK} = −32767 = explicitly blanked channel (default blanking, rfile, blanking file).
 *
 * Layout: `data[(r·6 + b)·256 + k]`, `sigma[r·6 + b]`.
 *
 * @module
 */
import { NBOARD, NLAG } from "./raw.ts";

/** The BLANK value of dreampy3 ("like Gildas CLASS"). */
export const BLANK = -32767.0;

/** True when v is the BLANK value. */
export function isBlank(v: number): boolean {
  return v === BLANK;
}

/** True when v is a usable number (finite and not BLANK). */
export function isGood(v: number): boolean {
  return Number.isFinite(v) && v !== BLANK;
}

/** σ sentinel for "no data" (dreampy3). */
export const NO_SIGMA = 1e38;

/** One window entry: an inclusive frequency interval (either order), or null = whole board. */
export type WindowEntry = [number, number] | null;

/** Baseline windows: board index → list of entries. Shared and mutated like dreampy's dict. */
export type Windows = Map<number, WindowEntry[]>;

/** Repeat spectra of one (obsnum, chassis) or a coadd. */
export interface RsrProduct {
  obsnum: number;
  chassis: number;
  /** Frequencies (GHz) of the 6 boards, 256 channels each. */
  freq: Float64Array[];
  /** Board numbers in header order (the loop order of baseline fits). */
  boardNumber: number[];
  /** Number of repeats. */
  nrep: number;
  /** Values [nrep·6·256]: NaN = masked, BLANK = blanked. */
  data: Float64Array;
  /** σ per repeat and board [nrep·6]; NaN before the first baseline. */
  sigma: Float64Array;
}

/** Offset of (repeat r, board b) in `data`. */
export function offset(r: number, b: number): number {
  return (r * NBOARD + b) * NLAG;
}

/** Make a product from repeat data. */
export function makeProduct(
  obsnum: number,
  chassis: number,
  freq: Float64Array[],
  boardNumber: number[],
  nrep: number,
  data: Float64Array,
): RsrProduct {
  return { obsnum, chassis, freq, boardNumber, nrep, data, sigma: new Float64Array(nrep * NBOARD).fill(NaN) };
}

/** Minimum and maximum of a board's frequency axis. */
export function boardRange(f: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < f.length; k++) {
    const v = f[k]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * blank_frequencies (rsr.md §2.7): channels of `board` with min(f1,f2) ≤ f ≤ max(f1,f2) become BLANK in
 * every repeat.
 */
export function blankFrequencies(p: RsrProduct, board: number, f1: number, f2: number): void {
  if (!Number.isInteger(board) || board < 0 || board >= NBOARD) {
    throw new RangeError(`Cannot blank board ${board}: must be 0..5`);
  }
  const lo = Math.min(f1, f2);
  const hi = Math.max(f1, f2);
  const f = p.freq[board]!;
  for (let r = 0; r < p.nrep; r++) {
    const o = offset(r, board);
    for (let k = 0; k < NLAG; k++) {
      const v = f[k]!;
      if (v >= lo && v <= hi) p.data[o + k] = BLANK;
    }
  }
}
