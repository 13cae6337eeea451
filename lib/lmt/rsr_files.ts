/**
 * RSR raw files under $DATA_LMT: one strict rule per file kind (rsr.md §1.1–1.2).
 *
 * Chassis files: `RedshiftChassis{c}/RedshiftChassis{c}_{YYYY-MM-DD}_{obsnum:06d}_{NN}_{NNNN}.nc`
 * (normal scans are `_00_0001`; multi-file Cal scans have several `_00_NNNN` files). Several candidates
 * for one obsnum and chassis are reported as an error, never resolved by "first glob hit".
 * Calibration matrices: `{corrCalDir}/corr_cal_{CorrCalId}_{chassis}.nc`.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "../sys/fs.ts";
import { LmtDataError } from "./errors.ts";
import { join } from "../sys/path.ts";

/** The chassis numbers of the RSR. */
export const RSR_CHASSIS: readonly number[] = [0, 1, 2, 3];

function pad6(obsnum: number): string {
  return String(obsnum).padStart(6, "0");
}

/** Human-readable pattern of the chassis file searched for (used in messages). */
export function rsrChassisPattern(obsnum: number, chassis: number): string {
  return `RedshiftChassis${chassis}/RedshiftChassis${chassis}_*_${pad6(obsnum)}_NN_NNNN.nc`;
}

/**
 * All chassis files of an obsnum (every sub-obsnum/scan number), sorted by name; empty when none.
 * Use this for multi-file Cal scans.
 */
export function findRsrChassisFiles(root: string, obsnum: number, chassis: number): string[] {
  if (!Number.isSafeInteger(obsnum) || obsnum <= 0) throw new RangeError(`Invalid obsnum ${obsnum}`);
  const dir = join(root, `RedshiftChassis${chassis}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const re = new RegExp(
    `^RedshiftChassis${chassis}_\\d{4}-\\d{2}-\\d{2}_${pad6(obsnum)}_\\d{2}_\\d{4}\\.nc$`,
  );
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
}

/**
 * The one chassis file of an obsnum, or null when the chassis has none. Throws {@link LmtDataError}
 * listing the candidates when there are several (two dates, or a multi-file scan: use
 * {@link findRsrChassisFiles} for those).
 *
 * @example
 * ```ts
 * findRsrChassisFile("/work/shared/samples/rsr/data_lmt", 91001, 0);
 * // ".../RedshiftChassis0/RedshiftChassis0_2024-11-02_091001_00_0001.nc"
 * ```
 */
export function findRsrChassisFile(root: string, obsnum: number, chassis: number): string | null {
  const all = findRsrChassisFiles(root, obsnum, chassis);
  if (all.length === 0) return null;
  if (all.length > 1) {
    throw new LmtDataError(
      `Several files for obsnum ${obsnum} chassis ${chassis} match ${
        rsrChassisPattern(obsnum, chassis)
      } in ${root}: ` +
        all.join(", "),
    );
  }
  return all[0]!;
}

/**
 * The chassis files of an obsnum by chassis (missing chassis are absent). Throws {@link LmtDataError}
 * when no chassis has a file (naming the pattern and root), or on an ambiguous chassis.
 */
export function findRsrFiles(
  root: string,
  obsnum: number,
  chassisList: readonly number[] = RSR_CHASSIS,
): Map<number, string> {
  const m = new Map<number, string>();
  for (const c of chassisList) {
    const f = findRsrChassisFile(root, obsnum, c);
    if (f !== null) m.set(c, f);
  }
  if (m.size === 0) {
    throw new LmtDataError(
      `No RSR file for obsnum ${obsnum}: looked for ` +
        `RedshiftChassis{${chassisList.join(",")}}/RedshiftChassis?_*_${pad6(obsnum)}_NN_NNNN.nc in ${root}`,
    );
  }
  return m;
}

/**
 * The correlator-calibration file `corr_cal_{id}_{chassis}.nc` in `dir`. Throws {@link LmtDataError}
 * naming the full path when it does not exist.
 */
export function findCorrCal(dir: string, corrCalId: number | string, chassis: number): string {
  const p = join(dir, `corr_cal_${corrCalId}_${chassis}.nc`);
  if (!existsSync(p)) {
    throw new LmtDataError(
      `Correlator calibration file not found: ${p} (CorrCalId ${corrCalId}, chassis ${chassis}; set CORR_CAL_DIR?)`,
    );
  }
  return p;
}
