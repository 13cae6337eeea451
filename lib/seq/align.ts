/**
 * Time alignment of spectrometer dumps with the telescope stream (seq.md §1.8): segments of constant
 * BufPos, the strict segment test, and the ON/REF/SKY/HOT ranges of the kept dumps.
 *
 * @module
 */
import { interpLinear, interpNearest } from "../num/interp.ts";

/** Dumps of one board kept after alignment, in time order. */
export interface Aligned {
  /** kept[t] = dump index k of trimmed dump t. */
  kept: Int32Array;
  /** BufPos of each trimmed dump. */
  bufPos: Int32Array;
  /** Dump time of each trimmed dump. */
  time: Float64Array;
}

/** An inclusive range [start, end] of trimmed dump indices. */
export type Range = [number, number];

/** Trimmed indices grouped by state. */
export interface StateRanges {
  ons: Int32Array;
  onRanges: Range[];
  refs: Int32Array;
  refRanges: Range[];
  skys: Int32Array;
  skyRanges: Range[];
  hots: Int32Array;
  hotRanges: Range[];
}

/**
 * Keep the dumps whose time lies strictly inside a segment of constant BufPos (`t0 < t < t1`), with
 * BufPos taken from the nearest telescope sample (ties → earlier sample).
 */
export function alignDumps(telTime: Float64Array, telBufPos: Int32Array, specTime: Float64Array): Aligned {
  const n = telTime.length;
  const t0: number[] = [telTime[0]!];
  const t1: number[] = [];
  for (let j = 0; j + 1 < n; j++) {
    if (telBufPos[j] !== telBufPos[j + 1]) {
      t1.push(telTime[j]!);
      t0.push(telTime[j + 1]!);
    }
  }
  t1.push(telTime[n - 1]!);
  const kept: number[] = [];
  const bp: number[] = [];
  const tm: number[] = [];
  for (let k = 0; k < specTime.length; k++) {
    const t = specTime[k]!;
    // last segment with t0 < t
    let lo = 0, hi = t0.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t0[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    const s = lo - 1;
    if (s < 0 || !(t < t1[s]!)) continue;
    const b = interpNearest(telTime, telBufPos, t);
    if (Number.isNaN(b)) continue;
    kept.push(k);
    bp.push(Math.trunc(b));
    tm.push(t);
  }
  return { kept: Int32Array.from(kept), bufPos: Int32Array.from(bp), time: Float64Array.from(tm) };
}

/** Group consecutive indices into inclusive ranges. */
export function toRanges(idx: ArrayLike<number>): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    const last = out[out.length - 1];
    if (last && last[1] + 1 === v) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** ON (BufPos 0 or ≥ 100), REF (1), SKY (2) and HOT (3) trimmed indices and their ranges. */
export function stateRanges(bufPos: Int32Array): StateRanges {
  const ons: number[] = [], refs: number[] = [], skys: number[] = [], hots: number[] = [];
  for (let t = 0; t < bufPos.length; t++) {
    const b = bufPos[t]!;
    if (b === 0 || b >= 100) ons.push(t);
    else if (b === 1) refs.push(t);
    else if (b === 2) skys.push(t);
    else if (b === 3) hots.push(t);
  }
  return {
    ons: Int32Array.from(ons),
    onRanges: toRanges(ons),
    refs: Int32Array.from(refs),
    refRanges: toRanges(refs),
    skys: Int32Array.from(skys),
    skyRanges: toRanges(skys),
    hots: Int32Array.from(hots),
    hotRanges: toRanges(hots),
  };
}

/** Linear interpolation of a telescope quantity at the given times (NaN outside the stream). */
export function interpAt(
  telTime: Float64Array,
  values: Float64Array,
  times: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = interpLinear(telTime, values, times[i]!);
  return out;
}
