/**
 * The data behind lmt_web's interactive plots, read from an obsnum directory's plain-text products:
 * text spectra (first column x, second T), the RSR per-board spectra (`*_bandspec.txt`: frequency and T
 * per board), the Tsys jitter per chassis/board (rsr_tsys `#OKCB`/`#BADCB` lines) and the boards flagged so
 * far (`#BADCB` lines of the .badlags, the jitter test and `badcb=`).
 *
 * @module
 */
import { parseBadlags } from "../formats/badlags.ts";
import { readTextSpectrum } from "../formats/spectrum.ts";
import type { ObsEntry } from "./scan.ts";
import { kindOf } from "./scan.ts";

/** One spectrum for the browser. */
export interface SpectrumData {
  file: string;
  /** "GHz" when the x column is a sky frequency, "km/s" a velocity (SEQ Bs/Ps "# vlsr ..."), else "". */
  xunit: string;
  x: number[];
  y: number[];
}

/** Everything the obsnum page plots. */
export interface ObsData {
  id: string;
  kind: "rsr" | "seq";
  obsnum: number;
  spectra: SpectrumData[];
  /** Per-board spectra (RSR). */
  bands: { board: number; f: number[]; t: number[] }[];
  /** Tsys jitter per chassis/board (RSR): [chassis, board, jitter]. */
  jitter: [number, number, number][];
  /** Flagged chassis/boards (RSR): [chassis, board, where]. */
  flagged: [number, number, string][];
  /** Waterfall PNGs of the latest run, one per chassis (RSR) or the SEQ waterfall. */
  waterfalls: string[];
  /** Rest frequency hint (GHz) for the velocity axis: the first xlines= line, or "". */
  restfreq: string;
  /**
   * The numbers of the RSR waterfall pages (`rsr_driver --waterfall-data rsr.wf.json`), served under
   * /files/ID/ for the interactive waterfall; "" when the run did not write them.
   */
  waterfallData: string;
}

const MAX_TEXT = 8 << 20;

function readSmall(path: string): string | undefined {
  try {
    if (Deno.statSync(path).size > MAX_TEXT) return undefined;
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

function finite(a: Float64Array): number[] {
  return Array.from(a, (v) => (Number.isFinite(v) ? v : NaN));
}

/** Collect the plot data of an obsnum directory. */
export function obsData(e: ObsEntry): ObsData {
  const kind = kindOf(e);
  const label = e.id.split("__")[0]!;
  const obsnum = Number(label.split("_")[0]);
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(e.dir)].filter((d) => d.isFile).map((d) => d.name).sort();
  } catch { /* empty */ }
  const spectra: SpectrumData[] = [];
  const bands: ObsData["bands"] = [];
  const txt = names.filter((n) => n.endsWith(".txt") && !/^README/i.test(n));
  const order = (n: string) =>
    n === `rsr.${label}.driver.sum.txt`
      ? 0
      : n === `rsr.${label}.blanking.sum.txt`
      ? 1
      : n.startsWith("first.")
      ? 3
      : 2;
  txt.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  for (const n of txt) {
    const text = readSmall(`${e.dir}/${n}`);
    if (text === undefined) continue;
    let sp;
    try {
      sp = readTextSpectrum(text, n);
    } catch {
      continue;
    }
    if (sp.columns.length < 2 || sp.columns[0]!.length < 2) continue;
    if (n.endsWith("_bandspec.txt")) {
      if (n === `rsr.${label}.driver.sum_bandspec.txt` && sp.columns.length >= 12) {
        for (let b = 0; b < 6; b++) {
          bands.push({ board: b, f: finite(sp.columns[2 * b]!), t: finite(sp.columns[2 * b + 1]!) });
        }
      }
      continue;
    }
    const ghz = sp.header.some((h) => /Frequency Units:\s*GHz/i.test(h)) ||
      (kind === "rsr" && sp.columns[0]![0]! > 60 && sp.columns[0]![0]! < 130);
    const kms = !ghz && sp.header.some((h) => /^\s*(vlsr|velocity|VLSR)\b/.test(h));
    spectra.push({
      file: n,
      xunit: ghz ? "GHz" : kms ? "km/s" : "",
      x: finite(sp.columns[0]!),
      y: finite(sp.columns[1]!),
    });
  }
  const jitter: ObsData["jitter"] = [];
  const flagged: ObsData["flagged"] = [];
  const tsys = readSmall(`${e.dir}/rsr_tsys0.log`) ?? "";
  for (const m of tsys.matchAll(/^#(OK|BAD)CB\s+\d+\s+(\d)\s+(\d)\s+(\S+)/gm)) {
    jitter.push([Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  const bl = readSmall(`${e.dir}/rsr.${label}.badlags`);
  if (bl !== undefined && bl !== "") {
    try {
      for (const b of parseBadlags(bl).badcb) {
        flagged.push([b.chassis, b.board, `badlags${b.tag ? ` (${b.tag})` : ""}`]);
      }
    } catch { /* a broken file is shown as it is under /files */ }
  }
  const t1 = readSmall(`${e.dir}/rsr_tsys1.log`) ?? "";
  for (const m of t1.matchAll(/^#BADCB\s+\d+\s+(\d)\s+(\d)/gm)) {
    flagged.push([Number(m[1]), Number(m[2]), "jitter"]);
  }
  for (const cb of (e.params.get("badcb") ?? "").split(",").filter((s) => s !== "")) {
    const [c, b] = cb.split("/").map(Number);
    if (Number.isInteger(c) && Number.isInteger(b)) flagged.push([c!, b!, "badcb="]);
  }
  const waterfalls = kind === "rsr"
    ? names.filter((n) => /^rsr\.wf-\d\.png$/.test(n))
    : names.filter((n) => /(waterfall|\.wf).*\.png$/.test(n));
  const xl = (e.params.get("xlines") ?? "").split(",")[0] ?? "";
  const waterfallData = kind === "rsr" && names.includes("rsr.wf.json") ? "rsr.wf.json" : "";
  return { id: e.id, kind, obsnum, spectra, bands, jitter, flagged, waterfalls, restfreq: xl, waterfallData };
}
