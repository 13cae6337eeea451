/**
 * Errors of run files and run directories.
 * @module
 */
import { DataError } from "../errors.ts";

/** A run file is wrong; the message starts with `file:line:`. */
export class RunfileError extends DataError {
  /** 1-based line number (0 when the error concerns the whole file). */
  readonly line: number;
  /** Name of the run file as given. */
  readonly source: string;
  constructor(message: string, source: string, line: number) {
    super(line > 0 ? `${source}:${line}: ${message}` : `${source}: ${message}`);
    this.name = "RunfileError";
    this.source = source;
    this.line = line;
  }
}

/** Running a plan went wrong (no run directory, sbatch/make missing or failing, jobs that did not finish). */
export class RunError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}
