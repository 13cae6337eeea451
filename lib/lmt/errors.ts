/**
 * Errors of the $DATA_LMT lookups.
 * @module
 */
import { DataError } from "../errors.ts";

/**
 * A raw-data lookup failed: missing root, missing or ambiguous file. The message names what was looked
 * for and where (the pattern and directory), e.g.
 * `No file for obsnum 91001 chassis 2: looked for RedshiftChassis2_*_091001_NN_NNNN.nc in /data_lmt/RedshiftChassis2`.
 */
export class LmtDataError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "LmtDataError";
  }
}
