/**
 * Errors of the SpecFile module.
 * @module
 */
import { DataError } from "../errors.ts";

/** A file is not a readable SpecFile (message names the file and variable). Exit 1 in tools. */
export class SpecFileError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "SpecFileError";
  }
}
