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

/** A bad option value or combination (e.g. two outputs on stdout): a usage problem, exit 2 in tools. */
export class GridOptionError extends GridError {
  constructor(message: string) {
    super(message);
    this.name = "GridOptionError";
  }
}
