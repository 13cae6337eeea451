/**
 * The pipeline `lmtoy_OBSNUM.rc` format: bash `key=value` lines that the shell scripts `source`.
 *
 * Read without executing anything: `KEY=VALUE` (optionally `export KEY=VALUE`), VALUE one bash word
 * made of bare text, `'single'` and `"double"` quoted parts and backslash escapes; `#` comments (whole
 * line or after the value); blank lines. `$VAR`/`${VAR}` references are kept as text (expand them
 * with {@link expandRcValue} if needed); command substitution (`$(...)`, backticks) and anything
 * after the value other than a comment are rejected with a FormatError, since sourcing such a line
 * would run a command. A key set twice keeps its last value, as bash does.
 *
 * Written values are bare when they are plain words (`obsnum=91001`, `bsbeam=0,1`), otherwise in
 * double quotes with `\`, `"`, backticks and any `$` that does not start a `$NAME`/`${NAME}`
 * reference escaped — safe to `source`.
 *
 * @module
 */
import { FormatError } from "./errors.ts";
import { splitLines } from "./_text.ts";

/** One `key=value` line. */
export interface RcEntry {
  key: string;
  /** The value after bash quote removal (variable references kept as text). */
  value: string;
  /** Text of a trailing `# comment`, without the `#`, trimmed. */
  comment?: string;
}

/** A line of an rc file; `text` is the original line when it came from a parse. */
export type RcItem =
  | { type: "entry"; entry: RcEntry; text?: string }
  | { type: "comment"; text: string }
  | { type: "blank"; text: string };

/** A parsed rc file. */
export interface Rc {
  items: RcItem[];
  /** key → value; a key set twice keeps the last value. */
  values: Map<string, string>;
}

const KEY_RE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/;

function parseWord(
  s: string,
  start: number,
  lineNo: number,
  source?: string,
): { value: string; end: number } {
  let v = "";
  let i = start;
  const fail = (what: string): never => {
    throw new FormatError(what, lineNo, source);
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === " " || c === "\t") break;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) fail("unterminated single quote");
      v += s.slice(i + 1, j);
      i = j + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) fail("unterminated double quote");
        const d = s[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < s.length && '$`"\\'.includes(s[i + 1]!)) {
          v += s[i + 1];
          i += 2;
          continue;
        }
        if (d === "`" || (d === "$" && s[i + 1] === "(")) {
          fail("command substitution is not allowed in an rc file");
        }
        v += d;
        i++;
      }
    } else if (c === "\\") {
      if (i + 1 < s.length) v += s[i + 1];
      i += 2;
    } else if (c === "`" || (c === "$" && s[i + 1] === "(")) {
      fail("command substitution is not allowed in an rc file");
    } else if (";&|<>()".includes(c)) {
      fail(`unexpected "${c}" in the value (shell syntax is not allowed)`);
    } else {
      v += c;
      i++;
    }
  }
  return { value: v, end: i };
}

/**
 * Parse an rc file (never executes it). Throws {@link FormatError} (`file:line: ...`) on a line that
 * is not `KEY=VALUE [# comment]`, a comment or blank.
 *
 * @example
 * ```ts
 * const rc = parseRc('obsnum=91001\nsrc="SAMPLE-QSO"\ninttime=300 # sec\n');
 * rc.values.get("src");     // "SAMPLE-QSO"
 * rc.values.get("inttime"); // "300"
 * ```
 */
export function parseRc(text: string, source?: string): Rc {
  const out: Rc = { items: [], values: new Map() };
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const t = line.trim();
    if (t === "") {
      out.items.push({ type: "blank", text: line });
      continue;
    }
    if (t.startsWith("#")) {
      out.items.push({ type: "comment", text: line });
      continue;
    }
    const m = KEY_RE.exec(t);
    if (m === null) throw new FormatError(`expected KEY=VALUE but got "${t}"`, lineNo, source);
    const { value, end } = parseWord(t, m[0].length, lineNo, source);
    const rest = t.slice(end).trim();
    const entry: RcEntry = { key: m[1]!, value };
    if (rest !== "") {
      if (!rest.startsWith("#")) {
        throw new FormatError(
          `unexpected text "${rest}" after the value of ${m[1]} (quote values with spaces)`,
          lineNo,
          source,
        );
      }
      entry.comment = rest.slice(1).trim();
    }
    out.values.set(entry.key, entry.value);
    out.items.push({ type: "entry", entry, text: line });
  }
  return out;
}

/**
 * Quote a value so that bash `source` gives back exactly this text (with `$NAME`/`${NAME}`
 * references left to expand). Plain words stay bare.
 *
 * @example
 * ```ts
 * quoteRcValue("0,1");          // "0,1"
 * quoteRcValue("SAMPLE QSO");   // "\"SAMPLE QSO\""
 * quoteRcValue("a$(rm -rf x)"); // "\"a\\$(rm -rf x)\""
 * ```
 */
export function quoteRcValue(value: string): string {
  if (/^[A-Za-z0-9_.,:+\/@%=-]+$/.test(value)) return value;
  let s = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" || c === '"' || c === "`") s += "\\" + c;
    else if (c === "$") {
      const rest = value.slice(i + 1);
      s += /^([A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})/.test(rest) ? "$" : "\\$";
    } else s += c;
  }
  return `"${s}"`;
}

/** One entry as `key=value` (quoted by {@link quoteRcValue}) with ` # comment` when it has one. */
export function formatRcLine(e: RcEntry): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key)) throw new RangeError(`Invalid rc key "${e.key}"`);
  if (/[\n\r]/.test(e.value)) {
    throw new RangeError(`Invalid rc value for "${e.key}": line breaks are not allowed`);
  }
  return `${e.key}=${quoteRcValue(e.value)}` + (e.comment !== undefined ? ` # ${e.comment}` : "");
}

/**
 * Write rc lines: items from a parse keep their exact text, new entries are formatted with
 * {@link formatRcLine}. Pass `{ entries }` to write just the entries.
 *
 * @example
 * ```ts
 * stringifyRc({ entries: [{ key: "obsnum", value: "91001" }, { key: "src", value: "SAMPLE QSO" }] });
 * // 'obsnum=91001\nsrc="SAMPLE QSO"\n'
 * ```
 */
export function stringifyRc(model: { items?: RcItem[]; entries?: RcEntry[] }): string {
  const items = model.items ?? (model.entries ?? []).map((entry): RcItem => ({ type: "entry", entry }));
  let out = "";
  for (const it of items) out += (it.type === "entry" ? it.text ?? formatRcLine(it.entry) : it.text) + "\n";
  return out;
}

/**
 * Expand `$NAME` and `${NAME}` references of an rc value from `vars` (unknown names become empty,
 * as in bash). Nothing else is interpreted.
 *
 * @example
 * ```ts
 * expandRcValue("$DATA_LMT/RedshiftChassis0/x.nc", { DATA_LMT: "/data" }); // "/data/RedshiftChassis0/x.nc"
 * ```
 */
export function expandRcValue(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g,
    (_m, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? "",
  );
}
