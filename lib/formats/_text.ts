/**
 * Small text helpers shared by the format modules (private).
 * @module
 */

/** Split text into lines (`\n` or `\r\n`); a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
