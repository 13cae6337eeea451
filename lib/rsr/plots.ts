/**
 * The figures of badlags (σ per lag, 4×6 panels, rsr.md §3.4) and rsr_tsys (Tsys or calibrated
 * spectrum vs frequency, §6): which arrays, colours and labels go into the generic plots of lib/plot.
 *
 * @module
 */
import { plotLines, plotPanels, type Series } from "../plot/mod.ts";
import { type BadlagsResult, BOARD_TO_BAND, NBOARDS, NCHASSIS, NLAGS } from "./badlags.ts";

/** matplotlib's default colour cycle (C0..C9), used by the original plots. */
export const MPL_COLORS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** One board's curve of the rsr_tsys plot. */
export interface TsysPlotCurve {
  chassis: number;
  board: number;
  freq: Float64Array;
  y: Float64Array;
}

const LAGS = Float64Array.from({ length: NLAGS }, (_, k) => k);

/**
 * PNG of the badlags σ panels: 4 rows (chassis) × 6 columns (board), max σ vs lag; bad C/B drawn in
 * black with a red `BAD chassis=c band=B` title; short black ticks (0..0.2) at the flagged lags.
 */
export async function badlagsPlot(r: BadlagsResult, plotmax: number): Promise<Uint8Array> {
  const panels = [];
  for (let c = 0; c < NCHASSIS; c++) {
    for (let b = 0; b < NBOARDS; b++) {
      const cb = r.cb[c * NBOARDS + b]!;
      const y = r.maxSigma[c]!.subarray(b * NLAGS, (b + 1) * NLAGS);
      const ticks = r.entries.filter((e) => e.chassis === c && e.board === b && e.active)
        .map((e) => ({ x: e.lag, y0: 0, y1: 0.2 }));
      panels.push({
        title: `${cb.bad ? "BAD " : ""}chassis=${c} band=${BOARD_TO_BAND[b]}`,
        ...(cb.bad ? { titleColor: "red" } : {}),
        xLabel: c === NCHASSIS - 1 && b === 0 ? "Lag Channel" : "",
        yLabel: c === NCHASSIS - 1 && b === 0 ? "σ_ACF" : "",
        series: [{ x: LAGS, y, color: cb.bad ? "black" : MPL_COLORS[b]! }],
        xDomain: [-10, NLAGS + 10] as [number, number],
        yDomain: [0, plotmax] as [number, number],
        ticks,
      });
    }
  }
  const label = "badcb=" + r.cb.filter((x) => x.bad).map((x) => `${x.chassis}/${x.board},`).join("");
  return await plotPanels({
    title: `obsnum=${r.obsnum} ${label}`,
    columns: NBOARDS,
    panels,
    width: 150,
    height: 100,
  });
}

/**
 * PNG of the rsr_tsys curves: step lines per board, one colour per chassis (legend on board 0),
 * x 72..112 GHz, y 40..310 K (Tsys) or −10..100 mK (spectrum), title `obsnum=N jitter badcb=...`.
 */
export async function tsysPlot(
  curves: readonly TsysPlotCurve[],
  obsnum: number,
  label: string,
  spectrum: boolean,
): Promise<Uint8Array> {
  const series: Series[] = curves.map((c) => ({
    x: c.freq,
    y: c.y,
    step: true,
    color: MPL_COLORS[c.chassis]!,
    ...(c.board === 0 ? { label: `chassis ${c.chassis}` } : {}),
  }));
  return await plotLines({
    title: `obsnum=${obsnum} jitter ${label}`,
    xLabel: "Frequency (GHz)",
    yLabel: spectrum ? "Spectrum (mK)" : "Tsys (K)",
    series,
    xDomain: [72, 112],
    yDomain: spectrum ? [-10, 100] : [40, 310],
    width: 640,
    height: 480,
  });
}
