/**
 * Error classes that decide a tool's exit code.
 *
 * - {@link UsageError}: the command line is wrong → exit 2.
 * - {@link DataError}: an input file or the data are wrong → exit 1.
 * - Any other Error thrown by library code (NetcdfError, FormatError, LmtDataError, ...) → exit 1.
 *
 * @module
 */

/** The command line is wrong (unknown option, bad value, missing argument). Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An input or the data are wrong. Exit code 1. Message should name the file (and line/variable). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/** Exit codes used by every tool. */
export const EXIT = { OK: 0, DATA: 1, USAGE: 2 } as const;
