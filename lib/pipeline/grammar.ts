/**
 * The grammars of pipeline parameter values (`key=value` of SLpipeline.sh, run files, the Makefiles and the
 * web form). A value is checked against its grammar BEFORE anything runs; what passes is plain data made of
 * digits, signs, letters, `.`, `,`, `/`, `[`, `]` and `_` only, so it is inert wherever it goes afterwards
 * (argv entries, rc files, HTML). Nothing here reads files: file-name values are checked for their shape
 * here and for their place in the work tree by the caller ({@link fileName}).
 *
 * Each grammar has a `describe` text: the message of a rejected value is
 * `key=value: <describe>` (e.g. `badcb=1/7: expected C/B pairs like 2/3,1/5 (C 0..3, B 0..5), or empty`).
 *
 * @module
 */

/** A value grammar: a test and the sentence that says what is allowed. */
export interface Grammar {
  /** What is allowed, for messages and `--help` (e.g. "an integer 0..4"). */
  readonly describe: string;
  /** Short name shown in help (e.g. "int", "C/B,..."). */
  readonly metavar: string;
  /** True when `v` is an allowed value. */
  test(v: string): boolean;
}

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?`;
const NUM_RE = new RegExp(`^${NUM}$`);
const INT_RE = /^[-+]?\d{1,10}$/;

/** The longest value any grammar accepts: no parameter needs more, and nothing downstream sees megabytes. */
export const MAX_VALUE_LENGTH = 4096;

function g(metavar: string, describe: string, test: (v: string) => boolean): Grammar {
  return { metavar, describe, test: (v) => v.length <= MAX_VALUE_LENGTH && test(v) };
}

/** Parse a number the way the grammars accept it (finite decimal, optional exponent), else NaN. */
export function numberValue(v: string): number {
  return NUM_RE.test(v) ? Number(v) : NaN;
}

/** An integer in [min, max]. */
export function int(min: number, max: number): Grammar {
  return g("int", `expected an integer ${min}..${max}`, (v) => {
    if (!INT_RE.test(v)) return false;
    const n = Number(v);
    return n >= min && n <= max;
  });
}

/** `0` or `1`. */
export const flag: Grammar = g("0|1", "expected 0 or 1", (v) => v === "0" || v === "1");

/** A finite number in [min, max]. */
export function number(min = -Infinity, max = Infinity): Grammar {
  const range = Number.isFinite(min) || Number.isFinite(max)
    ? ` ${Number.isFinite(min) ? min : "-inf"}..${Number.isFinite(max) ? max : "inf"}`
    : "";
  return g("number", `expected a number${range}`, (v) => {
    const n = numberValue(v);
    return Number.isFinite(n) && n >= min && n <= max;
  });
}

/** Empty, or one of `choices` (exact). */
export function oneOf(choices: readonly string[], allowEmpty = false): Grammar {
  return g(
    choices.join("|"),
    `expected one of ${choices.join(", ")}${allowEmpty ? ", or empty" : ""}`,
    (v) => (allowEmpty && v === "") || choices.includes(v),
  );
}

/** A comma list of numbers: `count` of them exactly, or a multiple of `multiple`, or any number ≥ 1. */
export function numberList(
  opts: { count?: number; multiple?: number; allowEmpty?: boolean; describe?: string } = {},
): Grammar {
  const what = opts.describe ??
    (opts.count !== undefined
      ? `expected ${opts.count} comma-separated numbers`
      : opts.multiple !== undefined
      ? `expected comma-separated numbers in groups of ${opts.multiple}`
      : "expected comma-separated numbers");
  return g("n,n,...", what + (opts.allowEmpty ? ", or empty" : ""), (v) => {
    if (v === "") return opts.allowEmpty === true;
    const parts = v.split(",");
    if (!parts.every((p) => Number.isFinite(numberValue(p)))) return false;
    if (opts.count !== undefined && parts.length !== opts.count) return false;
    if (opts.multiple !== undefined && parts.length % opts.multiple !== 0) return false;
    return true;
  });
}

/** A comma list of integers in [min, max]; `-` before the list allowed when `negatable` (LMTOY pix_list -13). */
export function intList(
  min: number,
  max: number,
  opts: { negatable?: boolean; allowEmpty?: boolean } = {},
): Grammar {
  return g(
    "i,i,...",
    `expected comma-separated integers ${min}..${max}${
      opts.negatable ? " (a leading - means all but these)" : ""
    }` +
      (opts.allowEmpty ? ", or empty" : ""),
    (v) => {
      if (v === "") return opts.allowEmpty === true;
      const body = opts.negatable && v.startsWith("-") ? v.slice(1) : v;
      return body.split(",").every((p) => /^\d{1,10}$/.test(p) && Number(p) >= min && Number(p) <= max);
    },
  );
}

/** RSR chassis/board pairs `C/B,C/B,...` (C 0..3, B 0..5), or empty. */
export const chassisBoardList: Grammar = g(
  "C/B,...",
  "expected C/B pairs like 2/3,1/5 (C 0..3, B 0..5), or empty",
  (v) => v === "" || /^[0-3]\/[0-5](,[0-3]\/[0-5])*$/.test(v),
);

/** A bracketed pair `[a,b]` of numbers (a slice). */
export const bracketPair: Grammar = g(
  "[a,b]",
  "expected [a,b] with two numbers (e.g. [-400,400]), or empty",
  (v) => v === "" || bracketLists(v, 1) !== null && bracketLists(v, 1)!.length === 1,
);

/** A bracketed list of pairs `[[a,b],[c,d],...]` (baseline or line regions). */
export const regionList: Grammar = g(
  "[[a,b],...]",
  "expected a list of [a,b] regions such as [[-400,-100],[100,400]], or empty",
  (v) => v === "" || (bracketLists(v, 2) !== null && bracketLists(v, 2)!.length > 0),
);

/**
 * `[a,b]` (depth 1) → `[[a,b]]`; `[[a,b],[c,d]]` (depth 2) → `[[a,b],[c,d]]`; pairs of finite numbers only.
 * Returns null for anything else.
 */
export function bracketLists(v: string, depth: 1 | 2): number[][] | null {
  const s = v.replace(/\s+/g, "");
  const pair = new RegExp(`\\[(${NUM}),(${NUM})\\]`, "y");
  const read = (from: number): [number[], number] | null => {
    pair.lastIndex = from;
    const m = pair.exec(s);
    if (!m) return null;
    const a = Number(m[1]), b = Number(m[2]);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    return [[a, b], pair.lastIndex];
  };
  if (depth === 1) {
    const r = read(0);
    return r && r[1] === s.length ? [r[0]] : null;
  }
  if (!s.startsWith("[") || !s.endsWith("]")) return null;
  const out: number[][] = [];
  let i = 1;
  while (i < s.length - 1) {
    const r = read(i);
    if (!r) return null;
    out.push(r[0]);
    i = r[1];
    if (s[i] === ",") i++;
    else if (i !== s.length - 1) return null;
  }
  return out.length > 0 ? out : null;
}

/** A plain name: a directory name or tag (letters, digits, `.`, `_`, `+`, `-`; no leading `.` or `-`). */
export const plainName: Grammar = g(
  "NAME",
  "expected a plain name (letters, digits, . _ + -, not starting with . or -), or empty",
  (v) => v === "" || /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$/.test(v),
);

/**
 * A file or directory name as a user types it: no control characters, no shell or make syntax
 * (`$`, backquote, quotes, `;`, `|`, `&`, `<`, `>`, `\`, `*`, `?`, whitespace), at most 1024 characters.
 * Where it points (inside the work tree, existing) is the caller's check.
 */
export const fileName: Grammar = g(
  "FILE",
  "expected a file name (no spaces, quotes or shell characters)",
  (v) => v === "" || /^[A-Za-z0-9_./+,=:@%-]{1,1024}$/.test(v),
);

/** Anything at all (parameters that are accepted and ignored); still bounded in length. */
export const anything: Grammar = g("any", "any text", () => true);
