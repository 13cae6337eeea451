/**
 * SEQ (Sequoia / 1MM) raw files under $DATA_LMT: one strict rule per file kind (seq.md §1.1–1.2).
 *
 * IFPROC: `ifproc/ifproc_{YYYY-MM-DD}_{obsnum:06d}_{NN}_{NNNN}.nc`, exactly one per obsnum.
 * Roach: `spectrometer/roach{k}/roach{k}_{obsnum}_*.nc` (obsnum not padded), names containing
 * `allantest` skipped, at most one per roach. Several candidates are an error listing them.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "../sys/fs.ts";
import { LmtDataError } from "./errors.ts";
import { join } from "../sys/path.ts";

function listDir(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).sort();
}

/**
 * The IFPROC file of an obsnum. Throws {@link LmtDataError} naming the pattern and directory when
 * there is none, or listing the candidates when there are several.
 *
 * @example
 * ```ts
 * findIfproc("/work/shared/samples/seq/data_lmt", 97001); // ".../ifproc/ifproc_2025-04-20_097001_00_0001.nc"
 * ```
 */
export function findIfproc(root: string, obsnum: number): string {
  if (!Number.isSafeInteger(obsnum) || obsnum <= 0) throw new RangeError(`Invalid obsnum ${obsnum}`);
  const dir = join(root, "ifproc");
  const p6 = String(obsnum).padStart(6, "0");
  const re = new RegExp(`^ifproc_\\d{4}-\\d{2}-\\d{2}_${p6}_\\d{2}_\\d{4}\\.nc$`);
  const hits = listDir(dir).filter((f) => re.test(f)).map((f) => join(dir, f));
  const pattern = `ifproc_*_${p6}_NN_NNNN.nc`;
  if (hits.length === 0) {
    throw new LmtDataError(`No IFPROC file for obsnum ${obsnum}: looked for ${pattern} in ${dir}`);
  }
  if (hits.length > 1) {
    throw new LmtDataError(
      `Several IFPROC files for obsnum ${obsnum} match ${pattern} in ${dir}: ${hits.join(", ")}`,
    );
  }
  return hits[0]!;
}

/** The roach file of an obsnum for one roach, or null; throws {@link LmtDataError} when several match. */
export function findRoachFile(root: string, obsnum: number, roach: number): string | null {
  if (!Number.isSafeInteger(obsnum) || obsnum <= 0) throw new RangeError(`Invalid obsnum ${obsnum}`);
  const dir = join(root, "spectrometer", `roach${roach}`);
  const prefix = `roach${roach}_${obsnum}_`;
  const hits = listDir(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".nc") && !f.includes("allantest"))
    .map((f) => join(dir, f));
  if (hits.length > 1) {
    throw new LmtDataError(
      `Several files for obsnum ${obsnum} roach ${roach} match ${prefix}*.nc in ${dir}: ${hits.join(", ")}`,
    );
  }
  return hits[0] ?? null;
}

/**
 * The roach files of an obsnum by roach number (roaches without a file are absent). Throws
 * {@link LmtDataError} when none of the roaches has a file (naming the glob), or on an ambiguous roach.
 */
export function findRoachFiles(
  root: string,
  obsnum: number,
  roaches: readonly number[],
): Map<number, string> {
  const m = new Map<number, string>();
  for (const k of roaches) {
    const f = findRoachFile(root, obsnum, k);
    if (f !== null) m.set(k, f);
  }
  if (m.size === 0) {
    throw new LmtDataError(
      `No roach file for obsnum ${obsnum}: looked for spectrometer/roach{${
        roaches.join(",")
      }}/roach?_${obsnum}_*.nc ` +
        `in ${root}`,
    );
  }
  return m;
}
