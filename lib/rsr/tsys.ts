/**
 * Tsys "jitter" per chassis/board (rsr_tsys.py, rsr.md §6): the std of the channel-to-channel
 * differences of the calibrated Tsys spectrum flags a C/B whose Tsys is jittery (`#BADCB ... Tsys`).
 * Also the per-chassis driver that finds the science and Cal files and calibrates them.
 *
 * @module
 */
import { findRsrChassisFile } from "../lmt/rsr_files.ts";
import { maStd } from "../num/npstats.ts";
import { pyStr } from "../formats/printf.ts";
import { boardFrequencies, NBOARD, readRsrScan, RsrDataError, type RsrScan } from "./raw.ts";
import { type BoardBadLags, calibrate, type Calibration } from "./calibration.ts";
import { bsSpectra } from "./bs.ts";
import type { CorrCalCache } from "./corrcal.ts";

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

/** A science scan of one chassis with the calibration built from its Cal obsnum. */
export interface CalibratedChassis {
  scan: RsrScan;
  calScan: RsrScan;
  cal: Calibration;
  /** Frequencies (GHz) of the science file's boards (the x axis of rsr_tsys plots). */
  freq: Float64Array[];
  /** corr_cal matrices in board order (needed again for Bs spectra). */
  corrCal: Float64Array[];
}

/**
 * Read the science file of (obsnum, chassis), find its Cal obsnum's file of the same chassis,
 * and calibrate it with the given bad lags (board index → lags).
 * Throws RsrDataError naming the file when the Cal scan is missing or unusable.
 */
export async function calibrateChassis(
  root: string,
  sciencePath: string,
  badLags: BoardBadLags,
  corrCals: CorrCalCache,
): Promise<CalibratedChassis> {
  const scan = await readRsrScan(sciencePath);
  const h = scan.header;
  if (h.calObsNum === null) {
    throw new RsrDataError(sciencePath, "variable CalObsNum is missing: cannot calibrate");
  }
  const calPath = findRsrChassisFile(root, h.calObsNum, h.chassis);
  if (calPath === null) {
    throw new RsrDataError(
      sciencePath,
      `Cal obsnum ${h.calObsNum} of chassis ${h.chassis} not found under ${root}`,
    );
  }
  const calScan = await readRsrScan(calPath);
  const ch = calScan.header;
  if (ch.corrCalId === null) throw new RsrDataError(calPath, "variable CorrCalId is missing");
  const corrCal = await corrCals.matrices(ch.corrCalId, ch.chassis, ch.slotNumber);
  const cal = calibrate(calScan, badLags, corrCal);
  const scienceCorrCal = h.corrCalId === ch.corrCalId && h.slotNumber.join() === ch.slotNumber.join()
    ? corrCal
    : await corrCals.matrices(h.corrCalId ?? ch.corrCalId, h.chassis, h.slotNumber);
  return { scan, calScan, cal, freq: boardFrequencies(h), corrCal: scienceCorrCal };
}

/**
 * The `-t` curve of rsr_tsys.py: per board, 1000 × the mean over repeats of the calibrated Bs spectra
 * (mK; NaN where no repeat is valid).
 */
export function meanSpectrumMilliK(c: CalibratedChassis, badLags: BoardBadLags): Float64Array[] {
  const { nrep, data } = bsSpectra(c.scan, c.cal, badLags, c.corrCal);
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
