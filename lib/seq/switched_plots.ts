/**
 * The spectrum plots of process_bs and process_ps (PNG): TA against the spectral axis with the edge
 * channels dropped; Bs also one panel per block (`--block -2`); Ps one curve per (obsnum, pixel) and
 * their mean.
 *
 * @example
 * ```ts
 * import { reduceBs } from "./bs.ts";
 *
 * async function bsPng(root: string) {  // root: $DATA_LMT
 *   const r = await reduceBs({ root, obsnums: [97003], bank: 0, useCal: true, stype: 2, block: -1 });
 *   return await bsPlotPng(r, { obsnums: [97003], bank: 0 }, [64, r.x.length - 64]);
 * }
 * ```
 * @module
 */
import { plotLines, plotPanels, type Series } from "../plot/mod.ts";
import { isFrequencyAxis, type XAxisName } from "./axis.ts";
import type { BsResult } from "./bs.ts";
import type { PsResult } from "./ps.ts";

/** What the titles name. */
export interface SwitchedPlotLabel {
  obsnums: readonly number[];
  bank: number;
}

/** The x label: the axis name and its unit (km/s, or Hz for a frequency axis). */
function xLabel(axisName: XAxisName): string {
  return `${axisName} (${isFrequencyAxis(axisName) ? "Hz" : "km/s"})`;
}

/** The Bs TA = 0.5·(ON beam − other beam) over channels [lo, hi), a zero line. */
export async function bsPlotPng(
  r: BsResult,
  o: SwitchedPlotLabel,
  [lo, hi]: [number, number],
): Promise<Uint8Array> {
  return await plotLines({
    title: `Bs obsnum ${o.obsnums.join(",")} bank ${o.bank} (ON beam ${r.main}, OFF beam ${r.other})`,
    xLabel: xLabel(r.axisName),
    yLabel: "TA (K)",
    series: [{
      x: r.x.subarray(lo, hi),
      y: r.ta.subarray(lo, hi),
      step: true,
      label: `0.5·(${r.main} − ${r.other})`,
    }],
    hlines: [0],
  });
}

/** The Bs TA of each block (first obsnum) in its own panel, up to three panels a row. */
export async function bsBlocksPlotPng(
  r: BsResult,
  o: SwitchedPlotLabel,
  [lo, hi]: [number, number],
): Promise<Uint8Array> {
  const x = r.x.subarray(lo, hi);
  return await plotPanels({
    title: `Bs obsnum ${o.obsnums.join(",")} bank ${o.bank}: per block`,
    columns: Math.min(3, r.blocks.length),
    panels: r.blocks.map((b, i) => ({
      title: `block ${i}`,
      xLabel: xLabel(r.axisName),
      yLabel: "TA (K)",
      series: [{ x, y: b.subarray(lo, hi), step: true }],
    })),
  });
}

/** Each Ps spectrum (translucent when several) and, when several, their mean TA in black. */
export async function psPlotPng(
  r: PsResult,
  o: SwitchedPlotLabel,
  [lo, hi]: [number, number],
): Promise<Uint8Array> {
  const x = r.x.subarray(lo, hi);
  const several = r.spectra.length > 1;
  const series: Series[] = r.spectra.map((s) => ({
    x,
    y: s.spectrum.subarray(lo, hi),
    step: true,
    label: o.obsnums.length > 1 ? `${s.obsnum} pixel ${s.pixel}` : `pixel ${s.pixel}`,
    ...(several ? { opacity: 0.6 } : {}),
  }));
  if (several) series.push({ x, y: r.ta.subarray(lo, hi), step: true, label: "TA (mean)", color: "#000000" });
  return await plotLines({
    title: `Ps obsnum ${o.obsnums.join(",")} bank ${o.bank}`,
    xLabel: xLabel(r.axisName),
    yLabel: "TA (K)",
    series,
    hlines: [0],
  });
}
