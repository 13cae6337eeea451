/**
 * The strict obsnum → chassis-file rule of badlags.py (rsr.md §1.2):
 * `RedshiftChassis{c}/RedshiftChassis{c}_*_{obsnum:06d}_00_0001.nc` under the data root, exactly one match.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A lookup found more than one candidate file. */
export class AmbiguousFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmbiguousFileError";
  }
}

/**
 * The chassis file of an obsnum (sub-obsnum 00, scan 0001), or null when there is none.
 * Throws {@link AmbiguousFileError} when several files match (badlags.py would skip the chassis).
 */
export function findBadlagsChassisFile(root: string, chassis: number, obsnum: number): string | null {
  const dir = join(root, `RedshiftChassis${chassis}`);
  if (!existsSync(dir)) return null;
  const tail = `_${String(obsnum).padStart(6, "0")}_00_0001.nc`;
  const head = `RedshiftChassis${chassis}_`;
  const hits = readdirSync(dir).filter((f) => f.startsWith(head) && f.endsWith(tail) && f.length > head.length + tail.length - 1)
    .sort();
  if (hits.length === 0) return null;
  if (hits.length > 1) {
    throw new AmbiguousFileError(`${dir}: ${hits.length} files match obsnum ${obsnum}: ${hits.join(", ")}`);
  }
  return join(dir, hits[0]!);
}
