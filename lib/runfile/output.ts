/**
 * How lmt_run creates files. Every file it writes into a run directory (plan.json, job scripts, the
 * Makefile, make.log, SLURM batch scripts, submit.log, submitted.json) and the `--makefile` copy goes
 * through the tool's one output door, lib/cli `ctx.output`, handed down as {@link OpenOutput}: a
 * temporary name beside the target, removed on an error or a signal, an atomic rename, the one overwrite
 * rule and the provenance sidecars. Unlike a tool's products, which the door puts in place when the tool
 * ends, these files are committed as soon as they are written: make and sbatch read them while lmt_run
 * still runs, and the logs of a failed run must stay.
 *
 * The files the job scripts write while they run (status files and pipeline logs) are written by bash
 * with the same temporary names and renames; see lib/runfile/scripts.ts.
 * @module
 */
import { readFileSync } from "../sys/fs.ts";
import { type OpenOutput, putFile } from "../sys/output.ts";

export type { OpenOutput };
export { putFile };

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * {@link putFile}, unless the file already holds exactly `text`: an unchanged file keeps its mtime (make
 * and the stale check compare it with the `.done` status files). Returns whether it wrote.
 */
export function writeIfChanged(open: OpenOutput, path: string, text: string, mode?: number): boolean {
  if (readText(path) === text) return false;
  putFile(open, path, text, mode);
  return true;
}

/**
 * Add `text` at the end of the small log file `path`: the whole new text is written through the door
 * and renamed into place, so a reader sees the log before or after, never a half-written line.
 */
export function appendLog(open: OpenOutput, path: string, text: string): void {
  putFile(open, path, (readText(path) ?? "") + text);
}
