/**
 * Errors of the SEQ reduction. Messages name the file (and variable) or the obsnum concerned.
 * @module
 */
import { DataError } from "../errors.ts";

/** A problem with SEQ raw data or with a request that the data cannot satisfy (exit 1 in a tool). */
export class SeqDataError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "SeqDataError";
  }
}
