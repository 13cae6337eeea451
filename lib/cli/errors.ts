/**
 * Error classes that decide a tool's exit code.
 *
 * - {@link UsageError}: the command line is wrong → exit 2.
 * - {@link DataError} (lib/errors.ts, re-exported here) and its subclasses (NetcdfError, FormatError,
 *   LmtDataError, ...): an input file or the data are wrong → one line `tool: message`, exit 1.
 * - Any other error (a bug, a system failure) → one line `tool: error: message`, exit 1.
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

export { DataError } from "../errors.ts";

/** Exit codes used by every tool. */
export const EXIT = { OK: 0, DATA: 1, USAGE: 2 } as const;
