/**
 * The configobj `-c/--config` files of the lmtslr tools (lmtslr/utils/configuration.py): `[section]`
 * headers, `key = value` lines, `#` comments. Values are returned as text: a quoted value as it is
 * inside the quotes, a list (`pix_list = 10, 8`) with its items trimmed and joined by commas (`10,8`).
 * Sections only group keys: every key is global.
 *
 * @module
 */

/** One `key = value` line. */
export interface ConfigEntry {
  section: string;
  key: string;
  value: string;
  /** 1-based line number. */
  line: number;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

function stripComment(s: string): string {
  let q = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) q = "";
    } else if (c === "'" || c === '"') q = c;
    else if (c === "#") return s.slice(0, i);
  }
  return s;
}

/**
 * Parse a configobj file. Throws `SyntaxError` naming the line for anything else than a section,
 * a `key = value` line, a comment or a blank line, and for a key given twice.
 *
 * @example
 * ```ts
 * parseConfigObj("[spectra]\npix_list = 10, 8   # beams\nuse_cal = True\n");
 * // [{ section: "spectra", key: "pix_list", value: "10,8", line: 2 },
 * //  { section: "spectra", key: "use_cal", value: "True", line: 3 }]
 * ```
 */
export function parseConfigObj(text: string): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  const seen = new Map<string, number>();
  let section = "";
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = stripComment(raw).trim();
    if (s === "") return;
    const sec = /^\[+\s*([^\]]*?)\s*\]+$/.exec(s);
    if (sec) {
      section = sec[1]!;
      return;
    }
    const eq = s.indexOf("=");
    if (eq <= 0) {
      throw new SyntaxError(`line ${line}: expected "key = value" or "[section]", got "${raw.trim()}"`);
    }
    const key = s.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new SyntaxError(`line ${line}: bad key "${key}"`);
    if (seen.has(key)) {
      throw new SyntaxError(`line ${line}: key "${key}" already given on line ${seen.get(key)}`);
    }
    seen.set(key, line);
    const rhs = s.slice(eq + 1).trim();
    const quoted = rhs.length >= 2 && (rhs[0] === "'" || rhs[0] === '"') && rhs[rhs.length - 1] === rhs[0];
    const value = quoted ? rhs.slice(1, -1) : rhs.split(",").map(unquote).filter((w) => w !== "").join(",");
    out.push({ section, key, value, line });
  });
  return out;
}

/** configobj's boolean words (case-insensitive): true/yes/on/1 and false/no/off/0; undefined otherwise. */
export function configBoolean(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(t)) return true;
  if (["false", "no", "off", "0"].includes(t)) return false;
  return undefined;
}
