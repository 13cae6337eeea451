/**
 * The one base class of data errors, at the bottom of the import graph: every module may import it
 * (it imports nothing). A tool prints a data error as one line `tool: message` and exits 1; the
 * command-line layer (lib/cli) tells data errors from other failures with `instanceof DataError`,
 * never by class name.
 *
 * Module error classes extend it (NetcdfError, RsrDataError, SeqDataError, LmtDataError, GridError,
 * CubeError, ...). A parse error that must stay a `SyntaxError` (the `JSON.parse` convention of
 * lib/formats) cannot extend it; such a class is registered with {@link markDataError} right after
 * its declaration, and `instanceof DataError` then holds for its instances too.
 *
 * @example
 * ```ts
 * import { DataError, markDataError } from "./errors.ts";
 * class LineError extends SyntaxError {}
 * markDataError(LineError);
 * const e: unknown = new LineError("x.txt:3: expected 2 fields");
 * if (!(e instanceof DataError) || !(e instanceof SyntaxError)) throw new Error("bad");
 * ```
 *
 * @module
 */

const DATA_ERROR = Symbol.for("lmt.DataError");

/** An input or the data are wrong. Exit code 1. Message should name the file (and line/variable). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }

  /** Subclasses by prototype chain, plus instances of classes registered with {@link markDataError}. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === DataError && typeof x === "object" && x !== null &&
      (x as { [DATA_ERROR]?: boolean })[DATA_ERROR] === true;
  }
}

/** Make `instanceof DataError` hold for an error class that extends another built-in (SyntaxError). */
export function markDataError(cls: abstract new (...args: never[]) => Error): void {
  Object.defineProperty(cls.prototype, DATA_ERROR, { value: true });
}
