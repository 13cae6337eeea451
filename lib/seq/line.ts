/**
 * Per-spectrum line processing of the OTF reduction (seq.md §2.6): birdie interpolation, baseline
 * region channels, polynomial baseline subtraction and RMS.
 *
 * @module
 */
import { type PolyFitter, polyFitter, polyval } from "../num/polyfit.ts";

/** A velocity region [a, b] (km/s). */
export type Region = [number, number];

/**
 * Local channel indices of the baseline regions on the sliced axis `x`, concatenated region by
 * region (overlaps give duplicates, as the original): open intervals on increasing axes, closed on
 * decreasing ones.
 */
export function regionChannels(x: Float64Array, regions: Region[]): Int32Array {
  const out: number[] = [];
  const inc = x.length < 2 || x[1]! > x[0]!;
  for (const [a, b] of regions) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (inc ? (v > a) === (v < b) : (v > b) === (v < a)) out.push(i);
    }
  }
  return Int32Array.from(out);
}

/** Runs of consecutive channel numbers [j0, j1] of a birdie list (sorted ascending first). */
export function birdieRuns(list: number[]): [number, number][] {
  const s = [...new Set(list)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const c of s) {
    const last = runs[runs.length - 1];
    if (last && last[1] + 1 === c) last[1] = c;
    else runs.push([c, c]);
  }
  return runs;
}

/** Everything needed to process spectra of one slice. */
export interface LinePlan {
  /** First original channel of the slice and number of channels. */
  c0: number;
  nchan: number;
  /** Birdie runs in original channel numbers that lie strictly inside the slice. */
  runs: [number, number][];
  /** Baseline channels (local indices, duplicates allowed). */
  base: Int32Array;
  /** Polynomial order; < 0 = no baseline (RMS = 1). */
  order: number;
  fitter: PolyFitter | null;
}

/** Prepare a line plan. Birdie runs touching the slice edges are skipped (as the original). */
export function linePlan(
  c0: number,
  x: Float64Array,
  regions: Region[],
  order: number,
  birdies: number[],
): LinePlan {
  const nchan = x.length;
  const runs = birdieRuns(birdies).filter(([j0, j1]) => j0 > c0 && j1 < c0 + nchan - 1);
  const base = regionChannels(x, regions);
  let fitter: PolyFitter | null = null;
  if (order >= 0 && base.length > order) fitter = polyFitter(Float64Array.from(base), order);
  return { c0, nchan, runs, base, order, fitter };
}

/**
 * Process one spectrum in place (float64): birdies, baseline fit over the finite baseline channels
 * and subtraction; returns the RMS of the residual over those channels (1 when order < 0, NaN when
 * there are too few baseline channels).
 */
export function processLine(plan: LinePlan, y: Float64Array): number {
  for (const [j0, j1] of plan.runs) {
    const v = (y[j0 - 1 - plan.c0]! + y[j1 + 1 - plan.c0]!) / 2;
    for (let j = j0; j <= j1; j++) y[j - plan.c0] = v;
  }
  if (plan.order < 0) return 1;
  const base = plan.base;
  if (plan.order === 0 && plan.fitter !== null) {
    // the usual case, fused: mean of the baseline channels (numpy.polyfit order 0 = the mean, summed in
    // channel-list order like the general fitter), subtraction, RMS of the residual — same values
    const nb = base.length;
    let s = 0, finite = true;
    for (let i = 0; i < nb; i++) {
      const v = y[base[i]!]!;
      if (v - v !== 0) {
        finite = false;
        break;
      }
      s += v;
    }
    if (finite) {
      const c = s / nb;
      for (let i = 0; i < y.length; i++) y[i] = y[i]! - c;
      let ss = 0;
      for (let i = 0; i < nb; i++) ss += y[base[i]!]! ** 2;
      return Math.sqrt(ss / nb);
    }
  }
  let allFinite = true;
  for (let i = 0; i < base.length; i++) {
    if (!Number.isFinite(y[base[i]!]!)) {
      allFinite = false;
      break;
    }
  }
  let idx = base;
  let fitter = plan.fitter;
  if (!allFinite) {
    idx = base.filter((i) => Number.isFinite(y[i]!));
    fitter = idx.length > plan.order ? polyFitter(Float64Array.from(idx), plan.order) : null;
  }
  if (fitter === null) return NaN;
  const ys = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) ys[i] = y[idx[i]!]!;
  const coef = fitter.fit(ys);
  if (plan.order === 0) {
    const c = coef[0]!;
    for (let i = 0; i < y.length; i++) y[i] = y[i]! - c;
  } else {
    for (let i = 0; i < y.length; i++) y[i] = y[i]! - polyval(coef, i);
  }
  let ss = 0;
  for (let i = 0; i < idx.length; i++) ss += y[idx[i]!]! ** 2;
  return Math.sqrt(ss / idx.length);
}
