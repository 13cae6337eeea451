/**
 * Errors thrown by the text-format parsers of `lib/formats/`.
 * @module
 */
import { markDataError } from "../errors.ts";

/**
 * A text file could not be parsed. The message reads `<file>:<line>: <what is wrong>` (the file part
 * is `<input>` when the caller gave no source name and `<stdin>` when it gave `-`), so the CLI layer
 * can print it as one line. A `SyntaxError`, and `instanceof DataError` holds (exit 1 in a tool).
 *
 * @example
 * ```ts
 * const e = new FormatError("expected 3 fields but got 1", 4, "rsr.33551.rfile");
 * // e.message === "rsr.33551.rfile:4: expected 3 fields but got 1"
 * ```
 */
export class FormatError extends SyntaxError {
  /** Source name given to the parser (usually a file name), if any. */
  readonly file: string | undefined;
  /** 1-based line number of the offending line (0 when the whole text is at fault). */
  readonly line: number;
  /** The bare description, without the `<file>:<line>: ` prefix. */
  readonly detail: string;

  constructor(detail: string, line: number, file?: string) {
    // `-` is stdin everywhere in the toolkit; messages name it `<stdin>`, whoever parsed it
    const name = file === "-" ? "<stdin>" : file;
    super(`${name ?? "<input>"}:${line}: ${detail}`);
    this.name = "FormatError";
    this.file = name;
    this.line = line;
    this.detail = detail;
  }
}

// a parse error stays a SyntaxError (the JSON.parse convention) and is a data error for the tools
markDataError(FormatError);
