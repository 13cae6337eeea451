/**
 * The one way a name from a raw file's header (the source name, the project id) becomes part of a file or
 * directory name: every product name of the pipelines goes through {@link safeName}. A header is data from
 * outside (archives, other observatories, hand-edited files): `../../x` must not walk out of the obsnum
 * directory and `` X`touch y` `` must stay text.
 *
 * The characters kept are the ones LMTOY's product names use: letters, digits, `_`, `-`, `+` and `.`.
 * Any other character (space, `/`, quotes, `$`, backquote, parentheses, control characters, non-ASCII)
 * becomes `_`; a leading `.` or `-` becomes `_` too (no hidden files, no names read as options); the result
 * is at most 64 characters, and an empty name becomes `unknown`.
 *
 * @example
 * ```ts
 * safeName("NGC 253");          // "NGC_253"
 * safeName("../../../x");       // "_._.._.._x"
 * safeName("X`touch y`");       // "X_touch_y_"
 * ```
 * @module
 */

/** A header name made safe for file names (see the module doc). */
export function safeName(name: string): string {
  let s = name.trim().replace(/[^A-Za-z0-9_+.-]/g, "_").replace(/^[.-]/, "_").slice(0, 64);
  // "." and ".." cannot survive the leading-dot rule; a name of only dots and underscores is still a name
  if (s === "") s = "unknown";
  return s;
}
