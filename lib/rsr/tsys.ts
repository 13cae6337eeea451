/**
 * Tsys "jitter" per chassis/board (rsr_tsys.py, rsr.md §6): the std of the channel-to-channel
 * differences of the calibrated Tsys spectrum flags a C/B whose Tsys is jittery (`#BADCB ... Tsys`).
 * {@link obsnumTsys} calibrates every chassis of an obsnum (lib/rsr/calibrated.ts) for rsr_tsys.
 *
 * @module
 */
import { maStd } from "../num/npstats.ts";
import { pyStr } from "../formats/printf.ts";
import { NBOARD } from "./raw.ts";
import { bsSpectra } from "./bs.ts";
import {
  type BadLagTable,
  boardBadLags,
  type CalibratedScan,
  calibrateFile,
  type CalSource,
  chassisFilesOf,
} from "./calibrated.ts";

/** rsr_tsys.py default jitter threshold (K). */
export const DEFAULT_JITTER_THRESHOLD = 25.0;

/**
 * Jitter of one Tsys spectrum: population std of y[k+1] − y[k] over the pairs where both channels are
 * finite (numpy.ma semantics: masked slots count as 0 in the pairwise sums). NaN when no pair is valid.
 *
 * @example
 * ```ts
 * tsysJitter(new Float64Array([NaN, 100, 101, 100, 101, NaN])); // 1
 * ```
 */
export function tsysJitter(tsys: ArrayLike<number>): number {
  const n = tsys.length - 1;
  if (n < 1) return NaN;
  const d = new Float64Array(n);
  const valid: boolean[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const a = tsys[k]!, b = tsys[k + 1]!;
    const ok = Number.isFinite(a) && Number.isFinite(b);
    valid[k] = ok;
    d[k] = ok ? b - a : 0;
  }
  return maStd(d, valid);
}

/** Verdict for one chassis/board. */
export interface TsysCb {
  obsnum: number;
  chassis: number;
  board: number;
  jitter: number;
  /** jitter > threshold (a NaN jitter is not bad, as in the original). */
  bad: boolean;
}

/** Jitter verdicts of the six boards of one chassis. */
export function tsysVerdicts(
  obsnum: number,
  chassis: number,
  tsys: readonly ArrayLike<number>[],
  threshold = DEFAULT_JITTER_THRESHOLD,
): TsysCb[] {
  return tsys.map((t, board) => {
    const jitter = tsysJitter(t);
    return { obsnum, chassis, board, jitter, bad: jitter > threshold };
  });
}

/**
 * The line rsr_tsys.py prints per board: `#BADCB OBSNUM C B JITTER Tsys` or `#OKCB ...`, JITTER in
 * Python float repr (appendable to a `.badlags` file).
 */
export function formatTsysCbLine(v: TsysCb): string {
  return `${v.bad ? "#BADCB" : "#OKCB"} ${v.obsnum} ${v.chassis} ${v.board} ${pyStr(v.jitter)} Tsys`;
}

/** `badcb=c/b,c/b` (no trailing comma; empty string when nothing is bad), as rsr_tsys.py builds it. */
export function tsysBadcbLabel(verdicts: readonly TsysCb[]): string {
  const bad = verdicts.filter((v) => v.bad);
  return bad.length === 0 ? "" : "badcb=" + bad.map((v) => `${v.chassis}/${v.board}`).join(",");
}

/**
 * The `-t` curve of rsr_tsys.py: per board, 1000 × the mean over repeats of the calibrated Bs spectra
 * (mK; NaN where no repeat is valid).
 */
export function meanSpectrumMilliK(c: CalibratedScan): Float64Array[] {
  const { nrep, data } = bsSpectra(c.scan, c.cal, c.badLags, c.corrCal);
  const nl = data.length / Math.max(1, nrep * NBOARD);
  const out: Float64Array[] = [];
  for (let b = 0; b < NBOARD; b++) {
    const y = new Float64Array(nl);
    for (let k = 0; k < nl; k++) {
      let s = 0, n = 0;
      for (let i = 0; i < nrep; i++) {
        const v = data[(i * NBOARD + b) * nl + k]!;
        if (Number.isFinite(v)) {
          s += v;
          n++;
        }
      }
      y[k] = n === 0 ? NaN : 1000 * (s / n);
    }
    out.push(y);
  }
  return out;
}

/** What rsr_tsys shows of one chassis. */
export interface ChassisTsys {
  chassis: number;
  /** Frequencies (GHz) of the science file's boards (the x axis of rsr_tsys plots). */
  freq: Float64Array[];
  /** Cal Tsys spectrum per board (K, NaN = invalid channel). */
  tsys: Float64Array[];
  /** With `spectrum`: the `-t` curve per board ({@link meanSpectrumMilliK}, mK). */
  spectrum: Float64Array[] | null;
}

/**
 * Calibrate every chassis of an obsnum with the given bad lags (rsr_tsys.py): a chassis without a file
 * is skipped after `onMissing`; no chassis file at all, or a calibration that cannot be built, is an
 * error (lib/rsr/calibrated.ts).
 */
export async function obsnumTsys(
  src: CalSource,
  obsnum: number,
  badLags: BadLagTable,
  opts: { spectrum?: boolean; onMissing?: (chassis: number, dir: string) => void } = {},
): Promise<ChassisTsys[]> {
  const out: ChassisTsys[] = [];
  const files = chassisFilesOf(src.dataLmt, obsnum, {
    requireAny: true,
    ...(opts.onMissing ? { onMissing: opts.onMissing } : {}),
  });
  for (const { chassis, path } of files) {
    const c = await calibrateFile(path, src, boardBadLags({ badLags }, obsnum, chassis));
    out.push({
      chassis,
      freq: c.freq,
      tsys: c.cal.tsys,
      spectrum: opts.spectrum ? meanSpectrumMilliK(c) : null,
    });
  }
  return out;
}

/**
 * The `--table` text of rsr_tsys: two comment lines, then `c b ch sky_freq_GHz Tsys_K` per
 * chassis/board/channel (`nan` for an invalid channel).
 */
export function tsysTableText(
  obsnum: number,
  badlagsName: string | undefined,
  chassis: readonly ChassisTsys[],
): string {
  const lines: string[] = [
    `# Tsys per chassis/board/channel of obsnum ${obsnum} (rsr_tsys), bad lags: ${badlagsName ?? "none"}`,
    "# chassis board channel sky_freq_GHz Tsys_K  (nan = invalid channel)",
  ];
  for (const { chassis: c, freq, tsys } of chassis) {
    for (let b = 0; b < tsys.length; b++) {
      const t = tsys[b]!, f = freq[b]!;
      for (let k = 0; k < t.length; k++) {
        const v = t[k]!;
        lines.push(
          `${c} ${b} ${String(k).padStart(3)} ${f[k]!.toFixed(5)} ${
            Number.isFinite(v) ? v.toFixed(4) : "nan"
          }`,
        );
      }
    }
  }
  return lines.join("\n") + "\n";
}
