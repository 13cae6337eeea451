/**
 * Summary of an RSR obsnum directory made by scripts/rsr.mk: key numbers (rms, Tsys, integration time,
 * opacity, line fit), the bad chassis/boards and lags, and the plots, as an index.html page. The page's
 * own plots go to a {@link PlotSink} (this module writes no file).
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "../sys/fs.ts";
import { parseDriverHeader, readTextSpectrum } from "../formats/spectrum.ts";
import { badLagSets, parseBadlags } from "../formats/badlags.ts";
import { qacStats } from "../num/qacstats.ts";
import { fitGaussian, type GaussFit } from "../num/gaussfit.ts";
import { plotStack, type PlotStackOpts } from "../plot/stack.ts";
import type { Page, Section } from "./html.ts";
import type { PlotSink } from "./sink.ts";
import {
  badLagTable,
  calibrateFile,
  calSource,
  chassisFilesOf,
  meanTsys,
  noBadLags,
} from "../rsr/calibrated.ts";
import { NBOARD, NCHASSIS } from "../rsr/raw.ts";
import { join } from "../sys/path.ts";
import { C_KMS } from "../num/constants.ts";

/** Key numbers of an RSR reduction. */
export interface RsrSummary {
  source: string;
  dateObs: string;
  inttime: number;
  tau: string;
  /** robust rms (mK) of the final driver spectrum (QAC_STATS rms) and of rsr_sum */
  rmsDriver: number;
  rmsSum: number;
  /** rms (mK) of channel differences / sqrt 2: noise independent of baseline structure */
  rmsTrend: number;
  sigmaPerBoard: string;
  line: (GaussFit & { fwhmKms: number }) | null;
  badcb: string[];
  nBadLags: number;
  /** mean Tsys (K) per chassis/board, when available */
  tsys: number[][] | null;
  jitter: { chassis: number; board: number; jitter: number; bad: boolean }[];
}

function readSpec(path: string): { f: Float64Array; t: Float64Array; header: string[] } | null {
  if (!existsSync(path)) return null;
  const s = readTextSpectrum(readFileSync(path, "utf8"), path);
  return { f: s.columns[0]!, t: s.columns[1]!, header: s.header };
}

/** The final rsr_driver spectrum of a directory (an error when the pipeline has not made it). */
function driverSpectrum(dir: string, label: string): { f: Float64Array; t: Float64Array; header: string[] } {
  const path = join(dir, `rsr.${label}.driver.sum.txt`);
  const drv = readSpec(path);
  if (!drv) throw new Error(`${path}: no such file (run the pipeline first)`);
  return drv;
}

/** Strongest line of a spectrum (K): Gaussian fit within ±0.4 GHz of the highest 3-channel mean. */
export function strongestLine(
  f: Float64Array,
  t: Float64Array,
  near?: number,
): (GaussFit & { fwhmKms: number }) | null {
  let best = -Infinity;
  let ib = -1;
  for (let i = 1; i + 1 < t.length; i++) {
    if (near !== undefined && Math.abs(f[i]! - near) > 0.3) continue;
    const a = t[i - 1]!, b = t[i]!, c = t[i + 1]!;
    if (a === 0 || b === 0 || c === 0 || !Number.isFinite(a + b + c)) continue;
    const m = (a + b + c) / 3;
    if (m > best) {
      best = m;
      ib = i;
    }
  }
  if (ib < 0) return null;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < f.length; i++) {
    if (Math.abs(f[i]! - f[ib]!) <= 0.4 && t[i] !== 0 && Number.isFinite(t[i]!)) {
      x.push(f[i]!);
      y.push(t[i]!);
    }
  }
  try {
    const g = fitGaussian(x, y, { center: f[ib]!, peak: best, sigma: 0.05 });
    if (!(g.peak > 0) || Math.abs(g.center - f[ib]!) > 0.4) return null;
    return { ...g, fwhmKms: (g.fwhm / g.center) * C_KMS };
  } catch {
    return null;
  }
}

function trendRms(t: Float64Array): number {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) {
    if (t[i] !== 0 && t[i - 1] !== 0 && Number.isFinite(t[i]! + t[i - 1]!)) d.push(t[i]! - t[i - 1]!);
  }
  return qacStats(d).rms / Math.SQRT2;
}

/** Parse `#OKCB/#BADCB obsnum c b jitter Tsys` lines. */
export function parseTsysLog(
  text: string,
): { chassis: number; board: number; jitter: number; bad: boolean }[] {
  const out: { chassis: number; board: number; jitter: number; bad: boolean }[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^#(OK|BAD)CB\s+\d+\s+(\d+)\s+(\d+)\s+(\S+)/);
    if (m) {
      out.push({ chassis: Number(m[2]), board: Number(m[3]), jitter: Number(m[4]), bad: m[1] === "BAD" });
    }
  }
  return out;
}

/**
 * Mean Tsys per chassis/board of the (first) obsnum, from its Cal scan with the directory's bad lags
 * (NaN for a missing chassis). Returns null when the data cannot be calibrated.
 */
async function obsnumMeanTsys(
  obsnum: number,
  dataLmt: string,
  corrCal: string,
  badlagsPath: string,
): Promise<number[][] | null> {
  try {
    const badLags = existsSync(badlagsPath)
      ? badLagTable(badLagSets(parseBadlags(readFileSync(badlagsPath, "utf8"), badlagsPath)))
      : noBadLags();
    const src = calSource(dataLmt, corrCal);
    const out: number[][] = Array.from({ length: NCHASSIS }, () => new Array(NBOARD).fill(NaN));
    for (const { chassis, path } of chassisFilesOf(dataLmt, obsnum)) {
      out[chassis] = meanTsys((await calibrateFile(path, src, badLags[chassis]!)).cal);
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Gather the key numbers of an RSR directory; the Tsys table calibrates the first obsnum's raw data
 * under `dataLmt` with the corr_cal files of `corrCal` (the caller resolves both, lib/lmt/env.ts).
 */
export async function summarizeRsr(
  dir: string,
  label: string,
  dataLmt: string,
  corrCal: string,
): Promise<RsrSummary> {
  const drv = driverSpectrum(dir, label);
  const sum = readSpec(join(dir, `rsr.${label}.blanking.sum.txt`));
  const h = parseDriverHeader(drv.header);
  const bl = join(dir, `rsr.${label}.badlags`);
  const badlags = existsSync(bl) ? parseBadlags(readFileSync(bl, "utf8"), bl) : null;
  const badcbFile = join(dir, `rsr.${label}.badcb`);
  const badcb = existsSync(badcbFile)
    ? readFileSync(badcbFile, "utf8").split("\n").filter((l) => l.startsWith("#BADCB")).map((l) => {
      const w = l.trim().split(/\s+/);
      return `${w[1]} ${w[2]}/${w[3]} (${w[5] ?? "?"})`;
    })
    : (badlags?.badcb ?? []).map((b) => `${b.obsnum} ${b.chassis}/${b.board}`);
  const tsysLog = join(dir, "rsr_tsys1.log");
  const jitter = existsSync(tsysLog) ? parseTsysLog(readFileSync(tsysLog, "utf8")) : [];
  const first = Number(label.split("_")[0]);
  return {
    source: h.get("Source") ?? "?",
    dateObs: h.get("Date of Observation") ?? "?",
    inttime: Number((h.get("Integration Time") ?? "NaN").split(/\s+/)[0]),
    tau: (h.get("Average Opacity (220GHz)") ?? "?").trim(),
    rmsDriver: qacStats(drv.t).rms * 1000,
    rmsSum: sum ? qacStats(sum.t).rms * 1000 : NaN,
    rmsTrend: trendRms(drv.t) * 1000,
    sigmaPerBoard: h.get("Sigma per board (mK)") ?? "?",
    line: strongestLine(drv.f, drv.t),
    badcb,
    nBadLags: badlags?.lags.length ?? 0,
    tsys: Number.isFinite(first) ? await obsnumMeanTsys(first, dataLmt, corrCal, bl) : null,
    jitter,
  };
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** The fitted Gaussian plus its linear baseline at x (the model of {@link fitGaussian}). */
export function gaussModel(g: GaussFit, x: number): number {
  return g.offset + g.slope * (x - g.center) + g.peak * Math.exp(-((x - g.center) ** 2) / (2 * g.sigma ** 2));
}

/**
 * The zoom plot around the strongest line: the spectra (mK) over centre ± 1 GHz, the fitted Gaussian
 * with its baseline over the fit window ± 0.4 GHz (sampled every 2.5 MHz, mK) and a dashed line at its centre.
 */
export function rsrZoomPlotOpts(
  series: { x: Float64Array; y: Float64Array; label: string; step: boolean }[],
  line: GaussFit & { fwhmKms: number },
): PlotStackOpts {
  const c = line.center;
  const n = 321; // over the fit window, c ± 0.4 GHz ({@link strongestLine})
  const fx = Float64Array.from({ length: n }, (_, i) => c - 0.4 + (0.8 * i) / (n - 1));
  return {
    title: `line at ${fmt(c, 3)} GHz: ${fmt(line.peak * 1000)} mK, FWHM ${fmt(line.fwhmKms, 0)} km/s`,
    xLabel: "Frequency (GHz)",
    yLabel: "T_A (mK)",
    xDomain: [c - 1, c + 1],
    panels: [{
      series: [
        ...series,
        {
          x: fx,
          y: fx.map((v) => gaussModel(line, v) * 1000),
          label: "Gaussian fit",
          color: "#d62728",
          strokeWidth: 1.5,
        },
      ],
      hlines: [0],
      vlines: [c],
    }],
    width: 520, // plot area: the page is ~700 × 320 with axes and legend, × 1.5
    panelHeight: 254,
    scale: 1.5,
  };
}

/**
 * The spectra plots of the summary, put into `sink` (rendering, not awaited): `rsr.spectra.png` (the
 * final rsr_driver and rsr_sum spectra) and, with a line fit, `rsr.spectra_zoom.png`. Returns the names
 * put, for {@link rsrPage}.
 */
export function rsrSummaryPlots(dir: string, label: string, s: RsrSummary, sink: PlotSink): string[] {
  const drv = driverSpectrum(dir, label);
  const sum = readSpec(join(dir, `rsr.${label}.blanking.sum.txt`));
  const mk = (t: Float64Array) => t.map((v) => (v === 0 ? NaN : v * 1000));
  const series = [{ x: drv.f, y: mk(drv.t), label: "rsr_driver", step: true }];
  if (sum) series.push({ x: sum.f, y: mk(sum.t), label: "rsr_sum", step: true });
  const names: string[] = [];
  const put = (name: string, png: Promise<Uint8Array>) => {
    sink.put(name, png);
    names.push(name);
  };
  // drawn as line panels (lib/plot/stack.ts), as the tools' RSR plots: no vega in an RSR reduction
  put(
    "rsr.spectra.png",
    plotStack({
      title: `${s.source} ${label}  rms ${fmt(s.rmsDriver)} mK`,
      xLabel: "Frequency (GHz)",
      yLabel: "T_A (mK)",
      xDomain: [72.5, 111.5],
      panels: [{ series, hlines: [0] }],
      width: 730, // plot area: the page is ~900 × 320 with axes and legend, × 1.5
      panelHeight: 254,
      scale: 1.5,
    }),
  );
  if (s.line) put("rsr.spectra_zoom.png", plotStack(rsrZoomPlotOpts(series, s.line)));
  return names;
}

/** The rsr_driver runs of scripts/rsr.mk that write waterfall pages: `-w` base name → spectrum and caption. */
const WATERFALL_PASSES: { base: string; spectrum: (label: string) => string; what: string }[] = [
  { base: "rsr.wf0", spectrum: (l) => `first.rsr.${l}.driver.sum.txt`, what: "first pass, no bad lags" },
  { base: "rsr.wf1", spectrum: (l) => `rsr.${l}.driver1.sum.txt`, what: "second pass, with bad lags" },
  { base: "rsr.wf", spectrum: (l) => `rsr.${l}.driver.sum.txt`, what: "final" },
  {
    base: "rsr.wf_nbs",
    spectrum: (l) => `nbs.rsr.${l}.driver.sum.txt`,
    what: "final, no baseline subtraction",
  },
];

/** `obsnum_chassis` entries of a driver spectrum's `# Input Observations:` line (the waterfall pages' order). */
export function inputObservations(header: readonly string[]): string[] {
  for (const h of header) {
    const m = h.match(/^#?\s*Input Observations:\s*(.*)$/);
    if (m) return m[1]!.split(/[\s,]+/).filter((w) => /^\d+_\d+$/.test(w));
  }
  return [];
}

/**
 * The waterfall pages of an RSR directory with captions: `waterfall, obsnum O, chassis C, <pass>` (page k
 * of a run is the k-th entry of that run's `Input Observations`; `page k` when it is not known), in the
 * order first pass, second pass, final, final without baseline subtraction.
 * @param inputObs the `Input Observations` of the spectrum a pass wrote, null if it is missing
 */
export function waterfallImages(
  files: Iterable<string>,
  label: string,
  inputObs: (spectrum: string) => string[] | null,
): { src: string; caption: string }[] {
  const names = [...files];
  const out: { src: string; caption: string }[] = [];
  for (const pass of WATERFALL_PASSES) {
    const esc = pass.base.replace(/\./g, "\\.");
    const pages = names.map((f) => ({ f, m: f.match(new RegExp(`^${esc}-(\\d+)\\.png$`)) }))
      .filter((p) => p.m !== null)
      .map((p) => ({ src: p.f, k: Number(p.m![1]) }))
      .sort((a, b) => a.k - b.k);
    if (pages.length === 0) continue;
    const obs = inputObs(pass.spectrum(label)) ?? [];
    for (const { src, k } of pages) {
      const oc = obs.length === pages.length ? obs[k]?.split("_") : undefined;
      const where = oc ? `obsnum ${oc[0]}, chassis ${oc[1]}` : `page ${k}`;
      out.push({ src, caption: `waterfall, ${where}, ${pass.what}` });
    }
  }
  return out;
}

/**
 * The index.html page of an RSR directory.
 * @param plots the plots the summary made ({@link rsrSummaryPlots}), shown whether or not they are
 *   written yet; the other images are the ones of the directory
 */
export function rsrPage(dir: string, label: string, s: RsrSummary, plots: readonly string[]): Page {
  const files = new Set(readdirSync(dir));
  const made = new Set(plots);
  const img = (src: string, caption: string) => (files.has(src) ? [{ src, caption }] : []);
  const plot = (src: string, caption: string) => (made.has(src) ? [{ src, caption }] : []);
  const numbers: [string, string][] = [
    ["source", s.source],
    ["obsnum", label],
    ["date (UT)", s.dateObs],
    ["integration", `${fmt(s.inttime, 1)} s`],
    ["tau (220 GHz)", s.tau],
    ["rms driver", `${fmt(s.rmsDriver, 3)} mK`],
    ["rms rsr_sum", `${fmt(s.rmsSum, 3)} mK`],
    ["rms(Δ)/√2", `${fmt(s.rmsTrend, 3)} mK`],
  ];
  if (s.tsys) {
    const all = s.tsys.flat().filter(Number.isFinite);
    if (all.length) numbers.push(["mean Tsys", `${fmt(all.reduce((a, b) => a + b, 0) / all.length, 1)} K`]);
  }
  if (s.line) {
    numbers.push(
      ["line", `${fmt(s.line.center, 3)} GHz`],
      ["peak", `${fmt(s.line.peak * 1000)} ± ${fmt(s.line.errors.peak * 1000)} mK`],
      ["FWHM", `${fmt(s.line.fwhmKms, 0)} km/s`],
    );
  }
  numbers.push(["bad C/B", s.badcb.length ? s.badcb.join(", ") : "none"], ["bad lags", String(s.nBadLags)]);
  const sections: Section[] = [
    {
      title: "Spectra",
      text: `Sigma per board (mK): ${s.sigmaPerBoard}`,
      images: [
        ...plot("rsr.spectra.png", "final rsr_driver and rsr_sum spectra"),
        ...plot(
          "rsr.spectra_zoom.png",
          "zoom on the strongest line with the fitted Gaussian (dashed: its centre)",
        ),
        ...img("rsr.driver.png", "final board spectra (rsr_driver -p)"),
        ...img("rsr.driver1.png", "merged spectrum (rsr_driver -p)"),
      ],
    },
  ];
  if (s.tsys) {
    sections.push({
      title: "Tsys (K, mean over the band) and jitter per chassis/board",
      table: {
        head: ["chassis", ...Array.from({ length: NBOARD }, (_, b) => `board ${b}`)],
        rows: s.tsys.map((r, c) => [
          String(c),
          ...r.map((v, b) => {
            const j = s.jitter.find((x) => x.chassis === c && x.board === b);
            return `${fmt(v, 1)}${j ? ` (${fmt(j.jitter, 1)}${j.bad ? " BAD" : ""})` : ""}`;
          }),
        ]),
      },
      images: [...img("rsr.tsys.png", "Tsys with bad lags"), ...img("rsr.tsys0.png", "Tsys before bad lags")],
    });
  }
  sections.push({
    title: "Bad lags",
    images: [
      ...img(`badlags.${label}.png`, "lag statistics with flagged lags"),
      ...img("rsr.spectrum.png", "calibrated spectra per chassis"),
    ],
  });
  const wf = waterfallImages(files, label, (name) => {
    const spec = readSpec(join(dir, name));
    return spec ? inputObservations(spec.header) : null;
  });
  if (wf.length) sections.push({ title: "Waterfalls", images: wf });
  return {
    title: `RSR ${label} — ${s.source}`,
    subtitle: `reduced with lmt-slr-toolkit; final spectrum rsr.${label}.driver.sum.txt`,
    numbers,
    sections,
    footer: `Generated ${new Date().toISOString().slice(0, 19)} UTC.`,
  };
}
