/**
 * Calibrated RSR products of obsnums, the one place that turns chassis files into calibrated data
 * (rsr.md §2.4–2.5): the chassis files of an obsnum (a missing chassis is skipped and reported), the
 * Cal scan named by `CalObsNum`, the corr_cal matrices (shared {@link CorrCalCache}), the bad-lag
 * tables and the calibrated Bs repeats. rsr_driver, rsr_sum, rsr_tsys, badlags and the RSR report use it.
 *
 * One rule for missing header values (as the originals, docs/compat.md): a science file without
 * `CorrCalId` or `CalObsNum`, a `CalObsNum` without a Cal file of the same chassis, or a Cal file
 * without `CorrCalId` is an {@link RsrDataError} naming that file (exit 1), never a skipped chassis or a
 * value borrowed from the other file.
 *
 * @module
 */
import { identityOf, memoized, type ObjectMemo } from "../sys/identity.ts";
import { type Badlags, badLagSets } from "../formats/badlags.ts";
import { DataError } from "../errors.ts";
import { findRsrChassisFile, RSR_CHASSIS } from "../lmt/rsr_files.ts";
import { join } from "../sys/path.ts";
import { boardFrequencies, NBOARD, NCHASSIS, readRsrScan, RsrDataError, type RsrScan } from "./raw.ts";
import { CorrCalCache } from "./corrcal.ts";
import { type BoardBadLags, calibrate, type Calibration } from "./calibration.ts";
import { bsSpectra } from "./bs.ts";
import { makeProduct, type RsrProduct } from "./product.ts";

// ---------------------------------------------------------------------------------------------
// bad-lag tables

/** Bad lags per chassis (NCHASSIS × NBOARD lists of lag indices). */
export type BadLagTable = BoardBadLags[];

/** Empty bad-lag table. */
export function noBadLags(): BadLagTable {
  return Array.from({ length: NCHASSIS }, () => Array.from({ length: NBOARD }, () => [] as number[]));
}

/** Build a bad-lag table from `"c/b"` → lag sets (badLagSets of lib/formats/badlags.ts), lags sorted. */
export function badLagTable(sets: Map<string, Set<number>>): BadLagTable {
  const t = noBadLags();
  for (const [key, lags] of sets) {
    const [c, b] = key.split("/").map(Number) as [number, number];
    if (c >= 0 && c < NCHASSIS && b >= 0 && b < NBOARD) t[c]![b] = [...lags].sort((x, y) => x - y);
  }
  return t;
}

/** A bad lag as read from a `.badlags` lag line (obsnum = its 4th column, when present). */
export interface ObsnumBadLag {
  chassis: number;
  board: number;
  lag: number;
  obsnum?: number;
}

/**
 * Bad lags applied to each obsnum's own data only (`--badlags-per-obsnum`, the corrected R7): a lag line
 * applies to the obsnum of its 4th column; a line without an obsnum applies to every obsnum (`global`).
 * `byObsnum` holds, per obsnum named in the file, its own lags plus the global ones.
 */
export function badLagTablesPerObsnum(lags: readonly ObsnumBadLag[]): {
  global: BadLagTable;
  byObsnum: Map<number, BadLagTable>;
} {
  const sets = new Map<number | null, Map<string, Set<number>>>();
  for (const l of lags) {
    const key = l.obsnum ?? null;
    let m = sets.get(key);
    if (!m) sets.set(key, m = new Map());
    const cb = `${l.chassis}/${l.board}`;
    let s = m.get(cb);
    if (!s) m.set(cb, s = new Set());
    s.add(l.lag);
  }
  const globalSets = sets.get(null) ?? new Map<string, Set<number>>();
  const byObsnum = new Map<number, BadLagTable>();
  for (const [o, m] of sets) {
    if (o === null) continue;
    const merged = new Map<string, Set<number>>();
    for (const src of [globalSets, m]) {
      for (const [cb, s] of src) merged.set(cb, new Set([...(merged.get(cb) ?? []), ...s]));
    }
    byObsnum.set(o, badLagTable(merged));
  }
  return { global: badLagTable(globalSets), byObsnum };
}

/** The bad lags given to a reduction: one table for every obsnum, or per obsnum (`--badlags-per-obsnum`). */
export interface BadLagChoice {
  /** Bad lags applied to every obsnum (the original's global reading of a `.badlags` file, R7). */
  badLags?: BadLagTable;
  /**
   * Per-obsnum bad lags (`--badlags-per-obsnum`): an obsnum found here uses its own table instead of
   * `badLags` (which then holds the lags that name no obsnum).
   */
  badLagsByObsnum?: Map<number, BadLagTable>;
}

/**
 * The bad-lag options of runDriver and runSum from a parsed `.badlags` file: one table for
 * every obsnum (the default, as dreampy3), or with `perObsnum` (`--badlags-per-obsnum`) the table of
 * lines without an obsnum as `badLags` plus one table per obsnum named in the file. Empty without a file.
 */
export function badLagOptions(model: Pick<Badlags, "lags"> | null, perObsnum: boolean): BadLagChoice {
  if (model === null) return {};
  if (!perObsnum) return { badLags: badLagTable(badLagSets(model)) };
  const p = badLagTablesPerObsnum(model.lags);
  return { badLags: p.global, badLagsByObsnum: p.byObsnum };
}

/** The bad lags (board → lags) of one (obsnum, chassis) under a {@link BadLagChoice}. */
export function boardBadLags(choice: BadLagChoice, obsnum: number, chassis: number): BoardBadLags {
  const table = choice.badLagsByObsnum?.get(obsnum) ?? choice.badLags ?? noBadLags();
  return table[chassis] ?? [];
}

// ---------------------------------------------------------------------------------------------
// chassis files

/** One chassis file of an obsnum. */
export interface ChassisFile {
  chassis: number;
  path: string;
}

/** Options of {@link chassisFilesOf}. */
export interface ChassisFilesOptions {
  /** Chassis to look for, in this order (default 0..NCHASSIS−1). */
  chassis?: readonly number[];
  /** Called, in chassis order, for each chassis without a file (`dir` = its RedshiftChassisC directory). */
  onMissing?: (chassis: number, dir: string) => void;
  /**
   * Throw a {@link DataError} `no RedshiftChassis files for obsnum N under ROOT` when no chassis has a
   * file (before any `onMissing` call).
   */
  requireAny?: boolean;
}

/**
 * The chassis files of an obsnum under a `$DATA_LMT` root, in chassis order; a chassis without a file is
 * left out after `onMissing` (as the originals, which skip it). Files are looked up as the iteration
 * reaches their chassis (all at once first with `requireAny`). Several candidate files for one chassis
 * are an error (lib/lmt/rsr_files.ts).
 */
export function* chassisFilesOf(
  root: string,
  obsnum: number,
  opts: ChassisFilesOptions = {},
): Generator<ChassisFile, void, undefined> {
  const list = opts.chassis ?? RSR_CHASSIS;
  const known = new Map<number, string | null>();
  if (opts.requireAny) {
    for (const c of list) known.set(c, findRsrChassisFile(root, obsnum, c));
    if ([...known.values()].every((p) => p === null)) {
      throw new DataError(`no RedshiftChassis files for obsnum ${obsnum} under ${root}`);
    }
  }
  for (const chassis of list) {
    const path = known.has(chassis) ? known.get(chassis)! : findRsrChassisFile(root, obsnum, chassis);
    if (path === null) opts.onMissing?.(chassis, join(root, `RedshiftChassis${chassis}`));
    else yield { chassis, path };
  }
}

// ---------------------------------------------------------------------------------------------
// calibration

/** Caches reused across products and calls: corr_cal readers per directory and calibrations. */
export class CalibrationCache {
  readonly corrCal: Map<string, CorrCalCache> = new Map();
  readonly cal: Map<string, Promise<Calibration>> = new Map();
  /** The (shared) corr_cal reader of a directory. */
  corrCalFor(dir: string): CorrCalCache {
    let c = this.corrCal.get(dir);
    if (!c) this.corrCal.set(dir, c = new CorrCalCache(dir));
    return c;
  }
}

/** Where calibrations come from: the data root, the corr_cal reader and the cache of calibrations. */
export interface CalSource {
  /** $DATA_LMT root (Cal scans are looked up here). */
  dataLmt: string;
  corrCal: CorrCalCache;
  cache: CalibrationCache;
}

/** A {@link CalSource} for a data root; `corrCalDir` defaults to `<dataLmt>/rsr/cal`. */
export function calSource(dataLmt: string, corrCalDir?: string, cache = new CalibrationCache()): CalSource {
  return { dataLmt, corrCal: cache.corrCalFor(corrCalDir ?? join(dataLmt, "rsr", "cal")), cache };
}

/**
 * The calibration (Tsys, g_norm) of a science scan's chassis from the Cal scan of its `CalObsNum`
 * (same chassis), with the given bad lags; cached per (root, corr_cal dir, CalObsNum, chassis, bad lags).
 */
export function calibrationFor(scan: RsrScan, src: CalSource, badLags: BoardBadLags): Promise<Calibration> {
  const h = scan.header;
  if (h.calObsNum === null) {
    throw new RsrDataError(h.path, `variable Header.RedshiftChassis_${h.chassis}_.CalObsNum is missing`);
  }
  const calObsNum = h.calObsNum;
  const key = `${src.dataLmt}|${src.corrCal.dir}|${calObsNum}|${h.chassis}|${JSON.stringify(badLags)}`;
  let p = src.cache.cal.get(key);
  if (!p) {
    p = (async () => {
      const path = findRsrChassisFile(src.dataLmt, calObsNum, h.chassis);
      if (path === null) {
        throw new RsrDataError(
          h.path,
          `Cal scan ${calObsNum} (CalObsNum) of chassis ${h.chassis} not found under ${
            join(src.dataLmt, `RedshiftChassis${h.chassis}`)
          }`,
        );
      }
      const cal = await readRsrScan(path);
      const ch = cal.header;
      if (ch.corrCalId === null) {
        throw new RsrDataError(path, `variable Header.RedshiftChassis_${ch.chassis}_.CorrCalId is missing`);
      }
      return calibrateOnce(cal, badLags, await src.corrCal.matrices(ch.corrCalId, ch.chassis, ch.slotNumber));
    })();
    src.cache.cal.set(key, p);
  }
  return p;
}

/**
 * Calibrations computed in this process, per Cal scan object (the same object while its file is unchanged,
 * lib/rsr/raw.ts), keyed by the corr_cal matrices (the same arrays while their file is unchanged,
 * lib/rsr/corrcal.ts) and the bad lags: the tools a pipeline runs in one process share them, and so share
 * the Bs spectra computed from them (lib/rsr/bs.ts). A calibration is never modified by its users.
 */
const CALIBRATIONS: ObjectMemo<RsrScan, Calibration> = new WeakMap();

function calibrateOnce(cal: RsrScan, badLags: BoardBadLags, corrCal: Float64Array[]): Calibration {
  const key = `${corrCal.map(identityOf).join(",")}|${JSON.stringify(badLags)}`;
  return memoized(CALIBRATIONS, cal, key, () => calibrate(cal, badLags, corrCal));
}

/** A science scan of one chassis with its calibration and what its Bs spectra need. */
export interface CalibratedScan {
  scan: RsrScan;
  cal: Calibration;
  badLags: BoardBadLags;
  /** Frequencies (GHz) of the science file's boards. */
  freq: Float64Array[];
  /** corr_cal matrices of the science file's slots, in board order. */
  corrCal: Float64Array[];
}

/** Calibrate one science scan (the rule for missing header values is in the module doc). */
export async function calibrateScan(
  scan: RsrScan,
  src: CalSource,
  badLags: BoardBadLags,
): Promise<CalibratedScan> {
  const h = scan.header;
  if (h.corrCalId === null) {
    throw new RsrDataError(h.path, `variable Header.RedshiftChassis_${h.chassis}_.CorrCalId is missing`);
  }
  const cal = await calibrationFor(scan, src, badLags);
  const corrCal = await src.corrCal.matrices(h.corrCalId, h.chassis, h.slotNumber);
  return { scan, cal, badLags, freq: boardFrequencies(h), corrCal };
}

/** Read and calibrate the science file of one chassis. */
export async function calibrateFile(
  path: string,
  src: CalSource,
  badLags: BoardBadLags,
): Promise<CalibratedScan> {
  return calibrateScan(await readRsrScan(path), src, badLags);
}

/** The calibrated Bs repeats of a calibrated scan as a product (rsr.md §2.5). */
export function calibratedProduct(c: CalibratedScan): RsrProduct {
  const h = c.scan.header;
  const { nrep, data } = bsSpectra(c.scan, c.cal, c.badLags, c.corrCal);
  return makeProduct(h.obsnum, h.chassis, c.freq, h.boardNumber, nrep, data);
}

/** Mean of the finite channels of each board's Tsys spectrum (K; NaN for a board without any). */
export function meanTsys(cal: Calibration): number[] {
  return cal.tsys.map((t) => {
    let s = 0, n = 0;
    for (const v of t) {
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
    return n > 0 ? s / n : NaN;
  });
}
