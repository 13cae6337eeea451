/**
 * The figures of badlags (σ per lag, 4×6 panels, rsr.md §3.4), rsr_tsys (Tsys or calibrated
 * spectrum vs frequency, §6) and rsr_driver (waterfall pages per obsnum/chassis, merged and per-board
 * spectra, §7.4): which arrays, colours and labels go into the generic plots of lib/plot.
 *
 * @module
 */
import { npPercentile, npStd } from "../num/npstats.ts";
import { sigmaClip } from "../num/sigmaclip.ts";
import type { Series } from "../plot/mod.ts";
import { plotStack, type PlotStackOpts, type StackPanel } from "../plot/stack.ts";
import type { BadlagsResult } from "./badlags.ts";
import { NBOARD, NCHASSIS, NLAG } from "./raw.ts";
import type { DriverResult, ProductRecord } from "./driver.ts";
import { isGood, offset, type RsrProduct } from "./product.ts";

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

const LAGS = Float64Array.from({ length: NLAG }, (_, k) => k);

/** Title of a badlags σ panel: the chassis and the board it shows (`BAD ` in front when flagged). */
export function badlagsPanelTitle(chassis: number, board: number, bad: boolean): string {
  return `${bad ? "BAD " : ""}chassis=${chassis} board=${board}`;
}

/** Title of the badlags page: `obsnum=N`, then `badcb=c/b,c/b` (the badcb parameter's syntax) if any. */
export function badlagsPlotTitle(r: BadlagsResult): string {
  const bad = r.cb.filter((x) => x.bad).map((x) => `${x.chassis}/${x.board}`);
  return `obsnum=${r.obsnum}` + (bad.length ? ` badcb=${bad.join(",")}` : "");
}

/**
 * The plot of {@link badlagsPlot}: 4 rows (chassis) × 6 columns (board), max σ vs lag; bad C/B drawn
 * in black with a red `BAD chassis=c board=b` title; short ticks (0..0.2) at the flagged lags.
 */
export function badlagsPlotOpts(r: BadlagsResult, plotmax: number): PlotStackOpts {
  const panels: StackPanel[] = [];
  for (let c = 0; c < NCHASSIS; c++) {
    for (let b = 0; b < NBOARD; b++) {
      const cb = r.cb[c * NBOARD + b]!;
      const y = r.maxSigma[c]!.subarray(b * NLAG, (b + 1) * NLAG);
      const ticks = r.entries.filter((e) => e.chassis === c && e.board === b && e.active)
        .map((e) => ({ x: e.lag, y0: 0, y1: 0.2 }));
      panels.push({
        title: badlagsPanelTitle(c, b, cb.bad),
        ...(cb.bad ? { titleColor: "red" } : {}),
        series: [{ x: LAGS, y, color: cb.bad ? "black" : MPL_COLORS[b]! }],
        yDomain: [0, plotmax],
        ticks,
      });
    }
  }
  return {
    title: badlagsPlotTitle(r),
    xLabel: "Lag Channel",
    yLabel: "σ_ACF",
    xDomain: [-10, NLAG + 10],
    columns: NBOARD,
    panels,
    width: 150,
    panelHeight: 100,
    scale: 1.25,
  };
}

/** PNG of the badlags σ panels ({@link badlagsPlotOpts}). */
export async function badlagsPlot(r: BadlagsResult, plotmax: number): Promise<Uint8Array> {
  return await plotStack(badlagsPlotOpts(r, plotmax));
}

/**
 * A y range that shows the bulk of the data: the 0.5th..99.5th percentile of the finite values (spikes and
 * a few wild channels do not stretch it), widened by `pad` of its width on each side; `fallback` when
 * there are no finite values.
 */
export function robustRange(
  values: Iterable<ArrayLike<number>>,
  fallback: [number, number],
  pad = 0.1,
): [number, number] {
  const all: number[] = [];
  for (const a of values) {
    for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) all.push(a[i]!);
  }
  if (all.length === 0) return fallback;
  const lo = npPercentile(all, 0.5), hi = npPercentile(all, 99.5);
  const w = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi) * 0.05, 1);
  return [lo - pad * w, hi + pad * w];
}

/** What an rsr_tsys plot shows (see {@link tsysPlotOpts}). */
export interface TsysPlotInfo {
  obsnum: number;
  /** `badcb=c/b,...` of the jitter test ("" when none or in spectrum mode). */
  label: string;
  /** -t: the calibrated spectrum instead of Tsys. */
  spectrum: boolean;
  /** Whether bad lags (-b) were applied. */
  badlags: boolean;
}

/** Title of an rsr_tsys plot: what is shown, with or without bad lags, and the jittery boards. */
export function tsysPlotTitle(info: TsysPlotInfo): string {
  const what = info.spectrum ? "calibrated spectrum per chassis/board" : "Tsys per chassis/board";
  const lags = info.badlags ? "with bad lags" : "before bad lags";
  const jitter = info.spectrum ? "" : info.label ? `; jitter ${info.label}` : "; jitter: all boards ok";
  return `obsnum=${info.obsnum} ${what}, ${lags}${jitter}`;
}

/**
 * The plot of {@link tsysPlot}: step lines per board, one colour per chassis (legend on board 0),
 * x 72..112 GHz; y: Tsys (K) over the robust range of the curves ({@link robustRange}), or the
 * spectrum over −10..100 mK (the original's range).
 */
export function tsysPlotOpts(curves: readonly TsysPlotCurve[], info: TsysPlotInfo): PlotStackOpts {
  const series: Series[] = curves.map((c) => ({
    x: c.freq,
    y: c.y,
    step: true,
    color: MPL_COLORS[c.chassis]!,
    ...(c.board === 0 ? { label: `chassis ${c.chassis}` } : {}),
  }));
  const yDomain: [number, number] = info.spectrum
    ? [-10, 100]
    : robustRange(curves.map((c) => c.y), [40, 310]);
  return {
    title: tsysPlotTitle(info),
    xLabel: "Frequency (GHz)",
    yLabel: info.spectrum ? "Spectrum (mK)" : "Tsys (K)",
    xDomain: [72, 112],
    panels: [{ series, yDomain }],
    width: 640,
    panelHeight: 440,
    scale: 1.5,
  };
}

/** PNG of the rsr_tsys curves ({@link tsysPlotOpts}). */
export async function tsysPlot(curves: readonly TsysPlotCurve[], info: TsysPlotInfo): Promise<Uint8Array> {
  return await plotStack(tsysPlotOpts(curves, info));
}

/** x range of the rsr_driver plots (GHz). */
export const DRIVER_XRANGE: [number, number] = [72.5, 111.5];

/** Options of {@link waterfallPng}. */
export interface WaterfallOptions {
  /** Repeat threshold (K): repeat panels draw boards with σ above it at alpha 0.3 (undefined/0 = off). */
  repeatThreshold?: number;
  /** Coadd threshold (K): the same for the averaged panel. */
  coaddThreshold?: number;
  /** PNG scale (default 1: 674 px wide). */
  scale?: number;
}

/**
 * The waterfall y scale s (K) of one product: population std of its finite, non-BLANK repeat values
 * after sigma clipping (3σ low, 4σ high, as scipy `sigmaclip(a, 3)`); 1 when that is 0 or NaN.
 */
export function waterfallScale(repeats: RsrProduct): number {
  const good: number[] = [];
  for (const v of repeats.data) if (isGood(v)) good.push(v);
  if (good.length === 0) return 1;
  const s = npStd(sigmaClip(good, 3, 4));
  return Number.isFinite(s) && s > 0 ? s : 1;
}

/** Board b of repeat r in mK (BLANK/NaN → NaN, line break). */
function boardMilliK(p: RsrProduct, r: number, b: number): Float64Array {
  const o = offset(r, b);
  const y = new Float64Array(NLAG);
  for (let k = 0; k < NLAG; k++) {
    const v = p.data[o + k]!;
    y[k] = isGood(v) ? v * 1000 : NaN;
  }
  return y;
}

/** Points drawn per board in a waterfall panel (min/max decimation of the 256 channels). */
const WATERFALL_POINTS = 128;

/**
 * One waterfall page (PNG) of an (obsnum, chassis) product: one panel per repeat (after the first
 * baseline) and a last panel with the repeat average, all sharing x 72.5..111.5 GHz and y ±3·s mK
 * ({@link waterfallScale}); boards in matplotlib colours, alpha 0.3 when σ exceeds the threshold.
 */
export async function waterfallPng(rec: ProductRecord, opts: WaterfallOptions = {}): Promise<Uint8Array> {
  const rep = rec.repeats;
  const s = waterfallScale(rep) * 1000;
  const yDomain: [number, number] = [-3 * s, 3 * s];
  const panel = (p: RsrProduct, r: number, title: string, thr: number | undefined): StackPanel => {
    const series: Series[] = [];
    for (let b = 0; b < NBOARD; b++) {
      const sig = p.sigma[r * NBOARD + b]!;
      series.push({
        x: p.freq[b]!,
        y: boardMilliK(p, r, b),
        color: MPL_COLORS[b]!,
        opacity: thr && sig > thr ? 0.3 : 1,
      });
    }
    return { title, series, yDomain };
  };
  const head = `ObsNum ${rec.obsnum}, Chassis ${rec.chassis}`;
  const panels: StackPanel[] = [];
  for (let r = 0; r < rep.nrep; r++) panels.push(panel(rep, r, `${head}, Repeat ${r}`, opts.repeatThreshold));
  panels.push(panel(rec.average, 0, `${head}, Averaged`, opts.coaddThreshold));
  return await plotStack({
    xLabel: "Frequency (GHz)",
    yLabel: "T_A* (mK)",
    xDomain: DRIVER_XRANGE,
    panels,
    width: 600,
    panelHeight: 64,
    maxPoints: WATERFALL_POINTS,
    scale: opts.scale ?? 1,
  });
}

/** The waterfall of one (obsnum, chassis) product as numbers (rsr_driver --waterfall-data). */
export interface WaterfallProductData {
  obsnum: number;
  chassis: number;
  /** The y scale s (mK) of the PNG page: panels span ±3·s. */
  scale: number;
  /** Sky frequency (GHz) of each board's channels (6 × 256). */
  freq: number[][];
  /** One panel per repeat, then the repeat average: T (mK, 3 decimals; null = blanked) per board. */
  panels: { title: string; sigma: number[]; t: (number | null)[][] }[];
}

/**
 * The numbers behind the waterfall pages ({@link waterfallPng}): every board's channels of every repeat
 * and of the average (not decimated), for an interactive plot.
 */
export function waterfallData(products: readonly ProductRecord[]): WaterfallProductData[] {
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return products.map((rec) => {
    const rep = rec.repeats;
    const head = `ObsNum ${rec.obsnum}, Chassis ${rec.chassis}`;
    const panel = (p: RsrProduct, r: number, title: string) => ({
      title,
      sigma: Array.from({ length: NBOARD }, (_, b) => r3(p.sigma[r * NBOARD + b]! * 1000)),
      t: Array.from(
        { length: NBOARD },
        (_, b) => Array.from(boardMilliK(p, r, b), (v) => (Number.isFinite(v) ? r3(v) : null)),
      ),
    });
    const panels = [];
    for (let r = 0; r < rep.nrep; r++) panels.push(panel(rep, r, `${head}, Repeat ${r}`));
    panels.push(panel(rec.average, 0, `${head}, Averaged`));
    return {
      obsnum: rec.obsnum,
      chassis: rec.chassis,
      scale: r3(waterfallScale(rep) * 1000),
      freq: Array.from(
        { length: NBOARD },
        (_, b) => Array.from(rep.freq[b]!, (f) => Math.round(f * 1e6) / 1e6),
      ),
      panels,
    };
  });
}

/**
 * Names of the waterfall pages for `-w NAME`: a trailing `.png` or `.pdf` is removed and
 * `-0.png`, `-1.png`, ... appended (the pages ImageMagick's `convert rsr.wf.pdf rsr.wf.png` made
 * in the LMTOY pipeline).
 */
export function waterfallPageNames(name: string, pages: number): string[] {
  const base = name.replace(/\.(png|pdf)$/i, "");
  return Array.from({ length: pages }, (_, i) => `${base}-${i}.png`);
}

/** `%g` of C/Python (6 significant digits, trailing zeros removed). */
function fmtG(x: number): string {
  if (x === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(x)));
  if (e < -4 || e >= 6) {
    const [m, ex] = x.toExponential(5).split("e");
    const mm = m!.includes(".") ? m!.replace(/0+$/, "").replace(/\.$/, "") : m!;
    const n = Number(ex);
    return `${mm}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const t = x.toFixed(Math.max(0, 5 - e));
  return t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
}

/** Exposure for a plot title: `%g` in sec below a minute, min below an hour, hrs below a day, else days. */
export function exposureLabel(seconds: number): string {
  if (!Number.isFinite(seconds)) return `${seconds} sec`;
  if (seconds < 60) return `${fmtG(seconds)} sec`;
  if (seconds < 3600) return `${fmtG(seconds / 60)} min`;
  if (seconds < 86400) return `${fmtG(seconds / 3600)} hrs`;
  return `${fmtG(seconds / 86400)} days`;
}

function driverTitle(res: DriverResult): string {
  return `${res.sourceName} Tint=${exposureLabel(res.integrationTime)}`;
}

/** The merged spectrum of rsr_driver -p (mK, step line, x 72.5..111.5 GHz), "SOURCE Tint=X min". */
export async function driverSpectrumPng(res: DriverResult): Promise<Uint8Array> {
  const c = res.composite;
  return await plotStack({
    title: driverTitle(res),
    xLabel: "Frequency (GHz)",
    yLabel: "TA* (mK)",
    xDomain: DRIVER_XRANGE,
    panels: [{ series: [{ x: c.freq, y: c.value.map((v) => v * 1000), step: true, color: MPL_COLORS[0]! }] }],
    width: 640,
    panelHeight: 400,
    scale: 1.5,
  });
}

/** The six final board spectra of rsr_driver -p (mK, legend "Board i", x 72.5..111.5 GHz). */
export async function driverBoardsPng(res: DriverResult): Promise<Uint8Array> {
  const series: Series[] = [];
  for (let b = 0; b < NBOARD; b++) {
    series.push({
      x: res.coadd.freq[b]!,
      y: boardMilliK(res.coadd, 0, b),
      step: true,
      color: MPL_COLORS[b]!,
      label: `Board ${b}`,
    });
  }
  return await plotStack({
    title: driverTitle(res),
    xLabel: "Frequency (GHz)",
    yLabel: "TA* (mK)",
    xDomain: DRIVER_XRANGE,
    panels: [{ series }],
    width: 640,
    panelHeight: 400,
    scale: 1.5,
  });
}
