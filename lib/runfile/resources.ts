/**
 * Raw-data sizes of a job's obsnums, for SLURM memory requests.
 * @module
 */
import { statSync } from "../sys/fs.ts";
import { findRsrChassisFile, RSR_CHASSIS } from "../lmt/rsr_files.ts";
import { findIfproc, findRoachFile } from "../lmt/seq_files.ts";
import type { Job } from "./plan.ts";

function size(p: string | null): number {
  if (p === null) return 0;
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** Total bytes of the raw files of a job's obsnums under `root` (0 for what cannot be found). */
export function rawBytes(root: string, job: Job): number {
  let total = 0;
  for (const o of job.obsnums) {
    try {
      if (job.pipeline === "seq") {
        total += size(findIfproc(root, o));
        for (let r = 0; r < 4; r++) total += size(findRoachFile(root, o, r));
      } else {
        for (const c of RSR_CHASSIS) total += size(findRsrChassisFile(root, o, c));
      }
    } catch {
      // unknown obsnum: the job fails quickly, no memory to speak of
    }
  }
  return total;
}
