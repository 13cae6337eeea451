/**
 * Errors of the gridding library.
 * @module
 */
import { DataError } from "../errors.ts";

/** A problem with the gridder's input data (message names the file and variable). Exit 1 in tools. */
export class GridError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "GridError";
  }
}

/**
 * A `GridJob` (job.ts) that cannot run as asked (stdin read twice, two outputs on stdout, equal output
 * names): the caller's mistake, not the data's; the tools (cmd/_grid.ts) report it as a usage error, exit 2.
 */
export class GridOptionError extends GridError {
  constructor(message: string) {
    super(message);
    this.name = "GridOptionError";
  }
}
