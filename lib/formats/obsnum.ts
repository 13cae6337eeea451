/**
 * The one obsnum-list parser used by every tool and format.
 *
 * | text                    | result                        |
 * | ----------------------- | ----------------------------- |
 * | `123`                   | `[123]`                       |
 * | `123,125`               | `[123, 125]`                  |
 * | `123-126`               | `[123, 124, 125, 126]` (**inclusive**: both ends are used) |
 * | `123 125\n130-131`      | `[123, 125, 130, 131]`        |
 * | `123  # a comment`      | `[123]`                       |
 *
 * Items are separated by commas and/or whitespace (newlines included); `#` starts a comment that
 * runs to the end of the line; blank lines are fine. Order is kept and duplicates are kept (a sum
 * over a list with a repeated obsnum counts it twice, as the original tools do). A range `a-b` needs
 * a ≤ b; spaces around the `-` are allowed. Obsnums are integers 1..{@link MAX_OBSNUM} (netCDF `int`), and
 * one list expands to at most {@link MAX_OBSNUMS} obsnums in total (ranges included), so a typo or a
 * hostile list such as `1-1000000` repeated fifty times is an error, not gigabytes of memory.
 *
 * @module
 */
import { FormatError } from "./errors.ts";

/** Largest obsnum (obsnums are netCDF `int` values in the raw data: 1..2^31−1). */
export const MAX_OBSNUM = 2_147_483_647;

/** Largest number of obsnums one list may expand to, all ranges together. */
export const MAX_OBSNUMS = 1_000_000;

/** Largest number of obsnums one range may expand to (the same bound as a whole list). */
export const MAX_RANGE_LENGTH = MAX_OBSNUMS;

/**
 * Whether `n` is a valid obsnum: an integer 1..{@link MAX_OBSNUM}.
 *
 * @example
 * ```ts
 * isObsnum(91001); // true
 * isObsnum(1e20); // false
 * ```
 */
export function isObsnum(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_OBSNUM;
}

function parseInt10(tok: string, lineNo: number, source: string | undefined): number {
  if (!/^\d+$/.test(tok)) {
    throw new FormatError(`invalid obsnum "${tok}": expected a positive integer`, lineNo, source);
  }
  const n = Number(tok);
  if (!isObsnum(n)) {
    throw new FormatError(`invalid obsnum "${tok}": expected an integer 1..${MAX_OBSNUM}`, lineNo, source);
  }
  return n;
}

function tooMany(lineNo: number, source: string | undefined): FormatError {
  return new FormatError(
    `obsnum list is too long (more than ${MAX_OBSNUMS} obsnums in total)`,
    lineNo,
    source,
  );
}

/**
 * Parse one item (`123` or `123-130`) and push its obsnums; throws FormatError on a bad item.
 */
function pushItem(tok: string, out: number[], lineNo: number, source: string | undefined): void {
  const dash = tok.indexOf("-");
  if (dash < 0) {
    if (out.length >= MAX_OBSNUMS) throw tooMany(lineNo, source);
    out.push(parseInt10(tok, lineNo, source));
    return;
  }
  const a = tok.slice(0, dash);
  const b = tok.slice(dash + 1);
  if (a === "" || b === "" || b.includes("-")) {
    throw new FormatError(`invalid obsnum range "${tok}": expected FIRST-LAST`, lineNo, source);
  }
  const lo = parseInt10(a, lineNo, source);
  const hi = parseInt10(b, lineNo, source);
  if (hi < lo) throw new FormatError(`invalid obsnum range "${tok}": ${hi} < ${lo}`, lineNo, source);
  if (hi - lo + 1 > MAX_RANGE_LENGTH) {
    throw new FormatError(
      `obsnum range "${tok}" is too long (more than ${MAX_RANGE_LENGTH} obsnums)`,
      lineNo,
      source,
    );
  }
  if (out.length + (hi - lo + 1) > MAX_OBSNUMS) throw tooMany(lineNo, source);
  for (let k = lo; k <= hi; k++) out.push(k);
}

/**
 * Parse an obsnum list: `123`, `123,125`, `123-130` (inclusive), separated by commas, whitespace or
 * newlines, with `#` comments. Throws {@link FormatError} naming the line on a malformed item.
 *
 * @example
 * ```ts
 * parseObsnumList("33551,33560-33562 # tonight"); // [33551, 33560, 33561, 33562]
 * ```
 */
export function parseObsnumList(text: string, source?: string): number[] {
  const out: number[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    // allow spaces around the dash of a range: "123 - 130"
    line = line.replace(/(\d)\s*-\s*(?=\d)/g, "$1-");
    for (const tok of line.split(/[\s,]+/)) {
      if (tok !== "") pushItem(tok, out, i + 1, source);
    }
  }
  return out;
}

/**
 * Parse an obsnum list file (rsr_driver's OBSLIST, e.g. `rsr.obsnum`): one obsnum or inclusive
 * `a-b` range per line in the original; here any {@link parseObsnumList} text is accepted, so blank
 * lines, inline comments and comma lists are fine (the original aborts on them). A file without any
 * obsnum is an error, as in the original.
 *
 * @example
 * ```ts
 * parseObsnumFile("91001\n91003\n", "rsr.obsnum"); // [91001, 91003]
 * ```
 */
export function parseObsnumFile(text: string, source?: string): number[] {
  const out = parseObsnumList(text, source);
  if (out.length === 0) throw new FormatError("no obsnum found in the file", 0, source);
  return out;
}

/**
 * Write obsnums back as a compact list: runs of three or more consecutive obsnums become an
 * inclusive `a-b` range, others are comma separated (parseObsnumList reads it back to the same array).
 *
 * @example
 * ```ts
 * formatObsnumList([1, 2, 3, 5, 7, 8]); // "1-3,5,7,8"
 * ```
 */
export function formatObsnumList(obsnums: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < obsnums.length) {
    let j = i;
    while (j + 1 < obsnums.length && obsnums[j + 1] === obsnums[j]! + 1) j++;
    if (j - i >= 2) {
      parts.push(`${obsnums[i]}-${obsnums[j]}`);
      i = j + 1;
    } else {
      parts.push(String(obsnums[i]));
      i++;
    }
  }
  return parts.join(",");
}
