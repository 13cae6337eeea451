/**
 * Summary of an RSR obsnum directory made by scripts/rsr.mk: key numbers (rms, Tsys, integration time,
 * opacity, line fit), the bad chassis/boards and lags, and the plots, as an index.html page.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "../sys/fs.ts";
import { parseDriverHeader, readTextSpectrum } from "../formats/spectrum.ts";
import { badLagSets, parseBadlags } from "../formats/badlags.ts";
import { qacStats } from "../num/qacstats.ts";
import { fitGaussian, type GaussFit } from "../num/gaussfit.ts";
import { plotLines } from "../plot/mod.ts";
import type { Page, Section } from "./html.ts";
import { calibrateChassis } from "../rsr/tsys.ts";
import { CorrCalCache } from "../rsr/corrcal.ts";
import { findRsrChassisFile } from "../lmt/rsr_files.ts";
import { corrCalDir } from "../lmt/env.ts";
import { join } from "../sys/path.ts";

const C_KMS = 299792.458;

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
 * Mean Tsys per chassis/board of the (first) obsnum, from its Cal scan with the directory's bad lags.
 * Returns null when the RSR library or data are not available.
 */
async function meanTsys(obsnum: number, dataLmt: string, badlagsPath: string): Promise<number[][] | null> {
  try {
    const sets = existsSync(badlagsPath)
      ? badLagSets(parseBadlags(readFileSync(badlagsPath, "utf8"), badlagsPath))
      : new Map<string, Set<number>>();
    const cache = new CorrCalCache(corrCalDir(dataLmt));
    const out: number[][] = [];
    for (let c = 0; c < 4; c++) {
      const p = findRsrChassisFile(dataLmt, obsnum, c);
      if (p === null) {
        out.push(new Array(6).fill(NaN));
        continue;
      }
      const bl = Array.from(
        { length: 6 },
        (_, b) => [...(sets.get(`${c}/${b}`) ?? [])].sort((a, z) => a - z),
      );
      const cc = await calibrateChassis(dataLmt, p, bl, cache);
      out.push(cc.cal.tsys.map((ts) => {
        let s = 0, n = 0;
        for (const v of ts) {
          if (Number.isFinite(v)) {
            s += v;
            n++;
          }
        }
        return n ? s / n : NaN;
      }));
    }
    return out;
  } catch {
    return null;
  }
}

/** Gather the key numbers of an RSR directory. */
export async function summarizeRsr(dir: string, label: string, dataLmt: string): Promise<RsrSummary> {
  const drv = readSpec(join(dir, `rsr.${label}.driver.sum.txt`));
  if (!drv) {
    throw new Error(`${join(dir, `rsr.${label}.driver.sum.txt`)}: no such file (run the pipeline first)`);
  }
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
    tsys: Number.isFinite(first) ? await meanTsys(first, dataLmt, bl) : null,
    jitter,
  };
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** Make the spectra plots of the summary; returns the PNG names written (relative to dir). */
export async function rsrSummaryPlots(dir: string, label: string, s: RsrSummary): Promise<string[]> {
  const drv = readSpec(join(dir, `rsr.${label}.driver.sum.txt`))!;
  const sum = readSpec(join(dir, `rsr.${label}.blanking.sum.txt`));
  const mk = (t: Float64Array) => t.map((v) => (v === 0 ? NaN : v * 1000));
  const series = [{ x: drv.f, y: mk(drv.t), label: "rsr_driver", step: true }];
  if (sum) series.push({ x: sum.f, y: mk(sum.t), label: "rsr_sum", step: true });
  const names: string[] = [];
  const png = await plotLines({
    title: `${s.source} ${label}  rms ${fmt(s.rmsDriver)} mK`,
    xLabel: "Frequency (GHz)",
    yLabel: "T_A (mK)",
    series,
    xDomain: [72.5, 111.5],
    hlines: [0],
    width: 900,
    height: 320,
  });
  Deno.writeFileSync(join(dir, "rsr.spectra.png"), png);
  names.push("rsr.spectra.png");
  if (s.line) {
    const c = s.line.center;
    const png2 = await plotLines({
      title: `line at ${fmt(c, 3)} GHz: ${fmt(s.line.peak * 1000)} mK, FWHM ${fmt(s.line.fwhmKms, 0)} km/s`,
      xLabel: "Frequency (GHz)",
      yLabel: "T_A (mK)",
      series,
      xDomain: [c - 1, c + 1],
      hlines: [0],
      vlines: [c],
      width: 700,
      height: 320,
    });
    Deno.writeFileSync(join(dir, "rsr.spectra_zoom.png"), png2);
    names.push("rsr.spectra_zoom.png");
  }
  return names;
}

/** The index.html page of an RSR directory. */
export function rsrPage(dir: string, label: string, s: RsrSummary): Page {
  const files = new Set(readdirSync(dir));
  const img = (src: string, caption: string) => (files.has(src) ? [{ src, caption }] : []);
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
        ...img("rsr.spectra.png", "final rsr_driver and rsr_sum spectra"),
        ...img("rsr.spectra_zoom.png", "zoom on the strongest line with the Gaussian fit centre"),
        ...img("rsr.driver.png", "final board spectra (rsr_driver -p)"),
        ...img("rsr.driver1.png", "merged spectrum (rsr_driver -p)"),
      ],
    },
  ];
  if (s.tsys) {
    sections.push({
      title: "Tsys (K, mean over the band) and jitter per chassis/board",
      table: {
        head: ["chassis", ...[0, 1, 2, 3, 4, 5].map((b) => `board ${b}`)],
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
  const wf = [...files].filter((f) => /^rsr\.wf-?\d*\.png$/.test(f) || /^rsr\.wf-\d+\.png$/.test(f)).sort();
  if (wf.length) sections.push({ title: "Waterfalls", images: wf.map((f) => ({ src: f, caption: f })) });
  return {
    title: `RSR ${label} — ${s.source}`,
    subtitle: `reduced with lmt-slr-toolkit; final spectrum rsr.${label}.driver.sum.txt`,
    numbers,
    sections,
    footer: `Generated ${new Date().toISOString().slice(0, 19)} UTC.`,
  };
}
