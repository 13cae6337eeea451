/**
 * The `.blanking` format (rsr_sum): the obsnums to sum, baseline windows per board and frequency
 * ranges to blank per obsnum/chassis/board; plus the rsr_blanking template and rsr_badcb `-b` emitters.
 *
 * Grammar (a real parser of the Python-literal subset; the original `exec`s the file):
 * - `#` starts a comment anywhere (whole line, indented, or after the data); blank lines are skipped;
 * - `windows[N] = [(f1, f2), ...]` sets the baseline windows of board N (0..5); all default to `[]`;
 * - a line with one item is an obsnum list (`a,b,c`, `a-b`, see `obsnum.ts`), appended in file order;
 * - `OBSLIST CHASSIS` skips that chassis for those obsnums; `OBSLIST CHASSIS {B: [(f1, f2), ...]} ...`
 *   blanks frequency ranges (GHz) of boards; several dicts on a line are merged (later keys win).
 * Literals: integers, floats (`70.`, `.5`, `1e3`), tuples, lists, dicts, trailing commas; nested at most
 * {@link MAX_NESTING} deep (the grammar needs 3: dict → list → pair).
 * The obsnums of all lines together expand to at most {@link MAX_OBSNUMS} (as one obsnum list).
 * Ranges `a-b` are inclusive everywhere; `{ exclusiveBlankRanges: true }` restores the original's
 * exclusive end on blank lines.
 *
 * @module
 */
import { FormatError } from "./errors.ts";
import { formatObsnumList, isObsnum, MAX_OBSNUMS, parseObsnumList } from "./obsnum.ts";
import { pyStr } from "./printf.ts";
import { parseChassisBoardList } from "./rfile.ts";
import { badcbLines, splitLines } from "./_text.ts";

/** A frequency range (GHz), `[low, high]` as written. */
export type FreqRange = [number, number];

/** One blank line of a blanking file. */
export interface BlankEntry {
  obsnums: number[];
  chassis: number;
  /** Ranges to blank by board; `null`: skip the whole chassis for these obsnums. */
  boards: Map<number, FreqRange[]> | null;
}

/** A parsed blanking file. */
export interface Blanking {
  /** Obsnums to sum, in file order (duplicates kept). */
  obsnums: number[];
  /** Baseline windows per board 0..5 (empty: the default windows). */
  windows: FreqRange[][];
  blanks: BlankEntry[];
}

/** Options of {@link parseBlanking}. */
export interface ParseBlankingOptions {
  /** Read `a-b` on blank lines as a..b−1, as the original blanking.py does (default false: inclusive). */
  exclusiveBlankRanges?: boolean;
}

// ---- Python-literal subset ----

/** Deepest nesting of brackets a blanking line may have (the grammar itself needs 3). */
export const MAX_NESTING = 16;

type Lit = number | { kind: "seq"; items: Lit[] } | { kind: "dict"; entries: [Lit, Lit][] };

class LitParser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly s: string,
    private readonly lineNo: number,
    private readonly source?: string,
  ) {}

  private fail(what: string): never {
    const t = this.s.trim();
    throw new FormatError(
      `${what} at column ${this.pos + 1} of "${t.length > 80 ? t.slice(0, 77) + "..." : t}"`,
      this.lineNo,
      this.source,
    );
  }

  private skip(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.s.length;
  }

  private peek(): string {
    this.skip();
    return this.s[this.pos] ?? "";
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) {
      this.fail(this.pos >= this.s.length ? `expected "${ch}" but the line ended` : `expected "${ch}"`);
    }
    this.pos++;
  }

  value(): Lit {
    const c = this.peek();
    if (c === "(" || c === "[" || c === "{") {
      if (this.depth >= MAX_NESTING) this.fail(`brackets nested more than ${MAX_NESTING} deep`);
      this.depth++;
      const v = c === "{" ? this.dict() : this.seq(c === "(" ? ")" : "]");
      this.depth--;
      return v;
    }
    const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.s.slice(this.pos));
    if (m === null) this.fail(c === "" ? "expected a value but the line ended" : `unexpected "${c}"`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private seq(close: string): Lit {
    this.pos++;
    const items: Lit[] = [];
    while (this.peek() !== close) {
      items.push(this.value());
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== close) this.fail(`expected "," or "${close}"`);
    }
    this.pos++;
    return { kind: "seq", items };
  }

  private dict(): Lit {
    this.pos++;
    const entries: [Lit, Lit][] = [];
    while (this.peek() !== "}") {
      const k = this.value();
      this.expect(":");
      entries.push([k, this.value()]);
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") this.fail(`expected "," or "}"`);
    }
    this.pos++;
    return { kind: "dict", entries };
  }
}

function toRanges(v: Lit, what: string, lineNo: number, source?: string): FreqRange[] {
  const bad = (): never => {
    throw new FormatError(`${what} must be a list of (low, high) pairs`, lineNo, source);
  };
  if (typeof v === "number" || v.kind !== "seq") return bad();
  return v.items.map((p) => {
    if (typeof p === "number" || p.kind !== "seq" || p.items.length !== 2) return bad();
    const [a, b] = p.items;
    if (typeof a !== "number" || typeof b !== "number") return bad();
    return [a, b] as FreqRange;
  });
}

function boardKey(k: Lit, lineNo: number, source?: string): number {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k > 5) {
    throw new FormatError(`board must be an integer 0..5`, lineNo, source);
  }
  return k;
}

function obsnumsOf(tok: string, exclusive: boolean, lineNo: number, source?: string): number[] {
  const t = tok.replace(/^[([]/, "").replace(/[)\]]$/, "");
  try {
    const m = /^(\d+)-(\d+)$/.exec(t);
    if (exclusive && m !== null) {
      const lo = Number(m[1]), hi = Number(m[2]);
      if (!isObsnum(lo) || !isObsnum(hi) || hi - lo > MAX_OBSNUMS) {
        throw new FormatError(`invalid obsnum range "${tok}"`, 1);
      }
      const out: number[] = [];
      for (let k = lo; k < hi; k++) out.push(k);
      return out;
    }
    const list = parseObsnumList(t);
    if (list.length === 0) throw new FormatError(`empty obsnum list "${tok}"`, 1);
    return list;
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(e.detail, lineNo, source);
    throw e;
  }
}

/**
 * Parse a blanking file. Throws {@link FormatError} (`file:line: ...`) on anything outside the grammar.
 *
 * @example
 * ```ts
 * const b = parseBlanking("91001\nwindows[0] = [(71.72, 79.69)]\n91001   3  {2 : [(70,120)]}\n");
 * // b.obsnums → [91001]; b.windows[0] → [[71.72, 79.69]];
 * // b.blanks[0] → {obsnums: [91001], chassis: 3, boards: Map {2 => [[70, 120]]}}
 * ```
 */
export function parseBlanking(text: string, source?: string, opts: ParseBlankingOptions = {}): Blanking {
  const out: Blanking = { obsnums: [], windows: [[], [], [], [], [], []], blanks: [] };
  const lines = splitLines(text);
  let total = 0; // obsnums of all lines, bounded like one list
  const counted = (list: number[], lineNo: number): number[] => {
    total += list.length;
    if (total > MAX_OBSNUMS) {
      throw new FormatError(`too many obsnums (more than ${MAX_OBSNUMS} in total)`, lineNo, source);
    }
    return list;
  };
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const hash = raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === "") continue;
    if (line.startsWith("windows")) {
      const m = /^windows\s*\[\s*(\d+)\s*\]\s*=(.*)$/.exec(line);
      if (m === null) throw new FormatError(`expected "windows[N] = [(f1, f2), ...]"`, lineNo, source);
      const n = Number(m[1]);
      if (n > 5) throw new FormatError(`board ${n} out of range 0..5 in windows[${n}]`, lineNo, source);
      const p = new LitParser(m[2]!, lineNo, source);
      const v = p.value();
      if (!p.atEnd()) throw new FormatError(`unexpected text after the windows list`, lineNo, source);
      out.windows[n] = toRanges(v, `windows[${n}]`, lineNo, source);
      continue;
    }
    const toks = line.split(/\s+/);
    if (toks.length === 1) {
      for (const n of counted(obsnumsOf(toks[0]!, false, lineNo, source), lineNo)) out.obsnums.push(n);
      continue;
    }
    const obsnums = counted(obsnumsOf(toks[0]!, opts.exclusiveBlankRanges ?? false, lineNo, source), lineNo);
    const ch = toks[1]!;
    if (!/^\d+$/.test(ch) || Number(ch) > 3) {
      throw new FormatError(`invalid chassis "${ch}": expected an integer 0..3`, lineNo, source);
    }
    let boards: Map<number, FreqRange[]> | null = null;
    if (toks.length > 2) {
      boards = new Map();
      const p = new LitParser(toks.slice(2).join(" "), lineNo, source);
      while (!p.atEnd()) {
        const d = p.value();
        if (typeof d === "number" || d.kind !== "dict") {
          throw new FormatError(`expected {BOARD: [(f1, f2), ...]} after the chassis`, lineNo, source);
        }
        for (const [k, v] of d.entries) {
          const b = boardKey(k, lineNo, source);
          boards.set(b, toRanges(v, `board ${b}`, lineNo, source));
        }
      }
    }
    out.blanks.push({ obsnums, chassis: Number(ch), boards });
  }
  return out;
}

/**
 * What the blank entries say about one obsnum/chassis: `skip` when an entry without ranges matches
 * (the whole chassis is left out), otherwise the ranges to blank per board, concatenated over all
 * matching entries in file order.
 *
 * @example
 * ```ts
 * blankingFor(parseBlanking("91001 3 {2: [(70,120)]}\n"), 91001, 3); // {skip: false, boards: Map {2 => [[70, 120]]}}
 * ```
 */
export function blankingFor(
  model: Pick<Blanking, "blanks">,
  obsnum: number,
  chassis: number,
): { skip: boolean; boards: Map<number, FreqRange[]> } {
  let skip = false;
  const boards = new Map<number, FreqRange[]>();
  for (const e of model.blanks) {
    if (e.chassis !== chassis || !e.obsnums.includes(obsnum)) continue;
    if (e.boards === null) {
      skip = true;
      continue;
    }
    for (const [b, r] of e.boards) boards.set(b, [...(boards.get(b) ?? []), ...r]);
  }
  return { skip, boards };
}

function rangesText(r: readonly FreqRange[]): string {
  return "[" + r.map(([a, b]) => `(${pyStr(a)}, ${pyStr(b)})`).join(", ") + "]";
}

/**
 * Write a blanking model in canonical form (obsnum line, non-empty windows, blank lines; ranges
 * `a-b` inclusive), preceded by `header` comment lines. {@link parseBlanking} reads it back to an
 * equal model (with inclusive ranges).
 */
export function stringifyBlanking(model: Blanking, header: readonly string[] = []): string {
  const lines: string[] = header.map((h) => (h.startsWith("#") ? h : "# " + h));
  if (model.obsnums.length > 0) lines.push(formatObsnumList(model.obsnums));
  model.windows.forEach((w, n) => {
    if (w.length > 0) lines.push(`windows[${n}] = ${rangesText(w)}`);
  });
  for (const e of model.blanks) {
    let s = `${formatObsnumList(e.obsnums)}   ${e.chassis}`;
    if (e.boards !== null) {
      s += "  {" + [...e.boards].map(([b, r]) => `${b}: ${rangesText(r)}`).join(", ") + "}";
    }
    lines.push(s);
  }
  return lines.map((l) => l + "\n").join("");
}

/**
 * The rsr_blanking template (§5.2), `createdBy` being the script path printed in line 2.
 *
 * @example
 * ```ts
 * blankingTemplate(91001, "$LMTOY/bin/rsr_blanking").split("\n")[4]; // "91001"
 * ```
 */
export function blankingTemplate(obsnum: number, createdBy: string): string {
  return [
    "#blanking file for rsr_sum.py",
    `#    created by ${createdBy}`,
    "",
    "#         this is the obsnum being used",
    String(obsnum),
    "",
    "# windows where baseline is computed - example for I10565 skipping over the stronger lines",
    "# indexed by board numbers (0..5)",
    "windows[0] = [(71.72, 79.69)]",
    "windows[1] = [(85.41, 93.38)]",
    "windows[2] = [(78.02, 85.99)]",
    "windows[3] = [(90.62, 98.58)]",
    "windows[4] = [(104.31, 112.28)]",
    "windows[5] = [(96.92, 104.88)]",
    "",
    "# example of blanking a chassis",
    "#33551  0",
    "",
    "# examples of blanking a (chassis,board) combinations",
    "#33551            1       {2: [(80,90)]",
    "#40608,40609      0       {0: [(65.,100.)]}",
    "#51800-62000      0       {0: [(70.,100.)]}   {1: [(70.,100.)]}",
    "# ----",
  ].join("\n") + "\n";
}

/**
 * rsr_badcb `-b FILE` output for the BADCB entries of a badlags file: `# rsr_badcb: adding N badcb's`,
 * `# mode b`, then `OBSNUM   C  {B : [(70,120)]}` per entry; `# no badcb's` when there are none.
 *
 * @example
 * ```ts
 * badcbToBlanking([{ obsnum: 91001, chassis: 3, board: 2 }]);
 * // "# rsr_badcb: adding 1 badcb's\n# mode b\n91001   3  {2 : [(70,120)]}\n"
 * ```
 */
export function badcbToBlanking(
  badcb: readonly { obsnum: number; chassis: number; board: number }[],
): string {
  return badcbLines(
    badcb,
    "b",
    (e) => `${Math.trunc(e.obsnum)}   ${Math.trunc(e.chassis)}  {${Math.trunc(e.board)} : [(70,120)]}`,
  );
}

/**
 * rsr_badcb `-b -o OBSNUM LIST` output: `# setting badcbd=LIST` then `OBSNUM c {b: [(70,115)]}` per pair.
 *
 * @example
 * ```ts
 * badcbListToBlanking(33551, "1/1"); // "# setting badcbd=1/1\n33551 1 {1: [(70,115)]}\n"
 * ```
 */
export function badcbListToBlanking(obsnum: number, list: string): string {
  const lines = [`# setting badcbd=${list}`];
  for (const { chassis, board } of parseChassisBoardList(list)) {
    lines.push(`${obsnum} ${chassis} {${board}: [(70,115)]}`);
  }
  return lines.join("\n") + "\n";
}
