/**
 * What process_bs and process_ps make of a switched reduction ({@link reduceBs}, {@link reducePs}):
 * the channels kept ({@link SWITCHED_EDGE} dropped on each side, as the originals), the text spectrum
 * with the axis named in its header, the SDFITS rows, the waterfall cube and the plot. One
 * {@link SwitchedProducts} per reduction, so both tools write their files the same way.
 *
 * @example
 * ```ts
 * import { reducePs } from "./ps.ts";
 *
 * async function psText(root: string) {  // root: $DATA_LMT
 *   const r = await reducePs({ root, obsnums: [98005], pixList: [10], bank: 0, useCal: true });
 *   return psProducts(r, { obsnums: [98005], bank: 0 }).text(); // "# vlsr  TA(K) Tsys(K) (<1 beams>) ..."
 * }
 * ```
 * @module
 */
import { stringifyBsSpectrum } from "../formats/spectrum.ts";
import { stringifyPsSpectrum } from "../formats/ps_spectrum.ts";
import { npMeanRows } from "../num/npstats.ts";
import type { Sdfits } from "../sdfits/sdfits.ts";
import type { BsResult } from "./bs.ts";
import { SeqDataError } from "./errors.ts";
import type { PsResult, SwitchedObs } from "./ps.ts";
import { sdfitsFromSwitched, type SwitchedRow } from "./sdfits.ts";
import { bsBlocksPlotPng, bsPlotPng, psPlotPng } from "./switched_plots.ts";
import { switchedWaterfall } from "./switched_waterfall.ts";
import type { Waterfall } from "./waterfall.ts";

/** Edge channels dropped on each side of a Bs or Ps spectrum, as the originals. */
export const SWITCHED_EDGE = 64;

/**
 * The channels [lo, hi) kept of `nchan` when `edge` are dropped on each side. Throws SeqDataError when
 * none are left.
 *
 * @example
 * ```ts
 * edgeRange(2048); // [64, 1984]
 * edgeRange(10, 3); // [3, 7]
 * ```
 */
export function edgeRange(nchan: number, edge: number = SWITCHED_EDGE): [number, number] {
  const lo = edge, hi = nchan - edge;
  if (hi <= lo) throw new SeqDataError(`${nchan} channels: nothing left after dropping ${edge} on each side`);
  return [lo, hi];
}

/**
 * The channels of `a` kept by {@link edgeRange} (a view, not a copy).
 *
 * @example
 * ```ts
 * trimEdges(Float64Array.of(0, 1, 2, 3, 4, 5), 2); // Float64Array [2, 3]
 * ```
 */
export function trimEdges(a: Float64Array, edge: number = SWITCHED_EDGE): Float64Array {
  const [lo, hi] = edgeRange(a.length, edge);
  return a.subarray(lo, hi);
}

/** What names the products (titles of the plots). */
export interface SwitchedLabel {
  /** The obsnums as given. */
  obsnums: readonly number[];
  bank: number;
}

/** The products of one switched reduction; each is made when asked for. */
export interface SwitchedProducts {
  obsPgm: "Bs" | "Ps";
  /** The channels written, [lo, hi) of the full band. */
  range: [number, number];
  /** The text spectrum (lmtslr process_bs.py / process_ps.py format). */
  text(): string;
  /** One SDFITS row per obsnum (Bs) or per obsnum and pixel (Ps); `history` is its HISTORY line. */
  sdfits(history?: string): Sdfits;
  /** The calibrated ON dumps as a cube (the reduction must have been asked for `dumps`). */
  waterfall(history?: string): Waterfall;
  /** Title of the waterfall PNG. */
  waterfallTitle: string;
  /** The spectrum plot (PNG). */
  plot(): Promise<Uint8Array>;
}

/**
 * The Bs products: TA = 0.5·(ON beam − other beam) and the two Tsys columns; SDFITS rows carry the
 * mean Tsys of the two beams and both beams' ON time. `perBlock` plots each block in its own panel
 * (process_bs --block -2) instead of the average.
 */
export function bsProducts(
  r: BsResult,
  o: SwitchedLabel & { stype: number; perBlock?: boolean },
): SwitchedProducts {
  const range = edgeRange(r.x.length);
  const cut = (a: Float64Array) => a.subarray(range[0], range[1]);
  return {
    obsPgm: "Bs",
    range,
    text: () => stringifyBsSpectrum(cut(r.x), cut(r.ta), cut(r.tsys[0]), cut(r.tsys[1]), xColumnName(r)),
    sdfits: (history) =>
      sdfitsFromSwitched(bsSdfitsRows(r), sdfitsOptions("Bs:BSWITCH:NONE", range, history)),
    waterfall: (history) => waterfallOf(r.perObs.map((p) => p.obs), r, "Bs", o.stype, history),
    waterfallTitle: waterfallTitle("Bs", o, r.pixels),
    plot: () =>
      o.perBlock === true && r.blocks.length > 0 ? bsBlocksPlotPng(r, o, range) : bsPlotPng(r, o, range),
  };
}

/** The Ps products: TA, the Tsys column and one column per (obsnum, pixel) spectrum. */
export function psProducts(r: PsResult, o: SwitchedLabel): SwitchedProducts {
  const range = edgeRange(r.x.length);
  const cut = (a: Float64Array) => a.subarray(range[0], range[1]);
  return {
    obsPgm: "Ps",
    range,
    text: () =>
      stringifyPsSpectrum({
        x: cut(r.x),
        ta: cut(r.ta),
        tsys: cut(r.tsys),
        beams: r.spectra.map((s) => cut(s.spectrum)),
        nchan: r.x.length,
        edge: range[0],
        xName: xColumnName(r),
      }),
    sdfits: (history) =>
      sdfitsFromSwitched(psSdfitsRows(r), sdfitsOptions("Ps:PSWITCH:NONE", range, history)),
    waterfall: (history) => waterfallOf(r.obs, r, "Ps", 2, history),
    waterfallTitle: waterfallTitle("Ps", o, r.obs[0]?.pixels.map((p) => p.pixel) ?? []),
    plot: () => psPlotPng(r, o, range),
  };
}

/** The SDFITS rows of a Bs reduction: per obsnum its TA as the ON beam's, Tsys the mean of both beams. */
export function bsSdfitsRows(r: BsResult): SwitchedRow[] {
  return r.perObs.map(({ obs, ta }) => {
    const beam = (pixel: number) => {
      const p = obs.pixels.find((q) => q.pixel === pixel);
      if (!p) throw new SeqDataError(`obsnum ${obs.obsnum}: no reduction of beam ${pixel}`);
      return p;
    };
    const pm = beam(r.main), po = beam(r.other);
    return {
      obs,
      pixel: r.main,
      spectrum: ta,
      tsys: npMeanRows([pm.tsys, po.tsys]),
      exposure: (pm.nOn + po.nOn) * obs.dumpTime,
    };
  });
}

/** The SDFITS rows of a Ps reduction: one per (obsnum, pixel) spectrum, exposure its ON time. */
export function psSdfitsRows(r: PsResult): SwitchedRow[] {
  return r.spectra.map((s) => {
    const obs = r.obs.find((o) => o.obsnum === s.obsnum);
    if (!obs) throw new SeqDataError(`obsnum ${s.obsnum}: no reduction`);
    return { obs, pixel: s.pixel, spectrum: s.spectrum, tsys: s.tsys, exposure: s.onTime };
  });
}

/** The first column's name in a text header: the axis name in lower case (`vlsr`, `fsky`, ...). */
function xColumnName(r: { axisName: string }): string {
  return r.axisName.toLowerCase();
}

function sdfitsOptions(obsmode: string, slice: [number, number], history: string | undefined) {
  return { obsmode, slice, ...(history !== undefined ? { history } : {}) };
}

function waterfallOf(
  obs: SwitchedObs[],
  r: BsResult | PsResult,
  obsPgm: "Bs" | "Ps",
  stype: number,
  history: string | undefined,
): Waterfall {
  return switchedWaterfall({
    obs,
    axisName: r.axisName,
    edge: SWITCHED_EDGE,
    obsPgm,
    stype,
    ...(history !== undefined ? { history } : {}),
  });
}

function waterfallTitle(obsPgm: string, o: SwitchedLabel, pixels: readonly number[]): string {
  return `${obsPgm} ${o.obsnums.join(",")} bank ${o.bank}: ON dumps, pixels ${pixels.join(" ")}`;
}
