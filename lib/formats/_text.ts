/**
 * Small text helpers shared by the format modules (private).
 * @module
 */
import { FormatError } from "./errors.ts";

/**
 * Split text into lines: `\n`, `\r\n` and a lone `\r` (old Mac editors) all end a line; a final line
 * end does not make an extra empty line.
 */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Integer field `tok` of line `lineNo`, checked to lie in `lo..hi`; throws {@link FormatError}
 * naming `what` when it is missing, not an integer, or out of range.
 */
export function intInRange(
  what: string,
  tok: string | undefined,
  lo: number,
  hi: number,
  lineNo: number,
  source: string | undefined,
): number {
  if (tok === undefined) throw new FormatError(`missing ${what}`, lineNo, source);
  if (!/^[-+]?\d+$/.test(tok)) {
    throw new FormatError(`invalid ${what} "${tok}": expected an integer`, lineNo, source);
  }
  const n = Number(tok);
  if (n < lo || n > hi) throw new FormatError(`${what} ${n} out of range ${lo}..${hi}`, lineNo, source);
  return n;
}

/**
 * rsr_badcb output for BADCB entries in mode `r` or `b`: `# rsr_badcb: adding N badcb's`, `# mode M`,
 * then `line(entry)` per entry; `# no badcb's` when there are none.
 */
export function badcbLines<T>(badcb: readonly T[], mode: "r" | "b", line: (e: T) => string): string {
  if (badcb.length === 0) return "# no badcb's\n";
  const lines = [`# rsr_badcb: adding ${badcb.length} badcb's`, `# mode ${mode}`];
  for (const e of badcb) lines.push(line(e));
  return lines.join("\n") + "\n";
}
