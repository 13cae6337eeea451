/**
 * The `.badlags` format: bad lags per chassis/board and `#BADCB` lines (badlags.py, badlags2.py,
 * rsr_tsys appends; read by the driver, rsr_sum, rsr_tsys and rsr_badcb).
 *
 * Grammar (dreampy3 rule, tolerant where the original crashes):
 * - a line whose first non-blank character is not `#` is a lag line `C B LAG [anything]`
 *   (C 0..3, B 0..5, LAG 0..255); text after a `#` is its comment (`max`, `min`, `spike`, `spike edge`);
 * - any line containing `BADCB` is a BADCB line `#BADCB OBSNUM C B [metric [tag]]`;
 * - other `#` lines are comments; a comment that holds a lag line (`#  0  3  15  91001  0.3  3.3  # spike`,
 *   a spike outside the usable lag range) is kept as a commented lag, not applied;
 * - empty lines are tolerated (dreampy3 crashes on them);
 * - an empty text (0 bytes) is an error: a real `.badlags` always has at least its header line
 *   (badlags, badlags2 and rsr_tsys write one), so an empty one is a truncated or failed file;
 * - `\n`, `\r\n` and a lone `\r` all end a line.
 *
 * {@link stringifyBadlags} writes the items back; lines that came from a parse keep their exact text,
 * new items are laid out exactly as badlags.py does (see the `format*Line` functions).
 *
 * @module
 */
import { FormatError } from "./errors.ts";
import { sprintf } from "./printf.ts";
import { intInRange, splitLines } from "./_text.ts";
import { isObsnum, MAX_OBSNUM } from "./obsnum.ts";

/** One bad lag. */
export interface BadLag {
  /** Chassis 0..3. */
  chassis: number;
  /** Board 0..5. */
  board: number;
  /** Lag 0..255. */
  lag: number;
  /**
   * 4th column when it is an integer (the obsnum). By default every lag applies to every obsnum (as in
   * dreampy3); `rsr_driver`/`rsr_sum --badlags-per-obsnum` apply the lag only to this obsnum.
   */
  obsnum?: number;
  /** 5th column when numeric (σ of max/min lines, min σ of spike lines, 99.9 for badlags2). */
  metric?: number;
  /** 6th column when numeric (the spike ratio). */
  ratio?: number;
  /** All columns after LAG before any `#`, as text. */
  extra: string[];
  /** Text after the first `#`, trimmed (e.g. `max`, `spike edge`). */
  comment?: string;
  /** The kind named by the comment: `max`, `min`, `spike`, `spike edge` or another comment word. */
  kind?: string;
}

/** One bad chassis/board (a `#BADCB` line). */
export interface BadCB {
  obsnum: number;
  chassis: number;
  board: number;
  /** 5th field when numeric (rms of badlags, Tsys jitter of rsr_tsys, 0 of badlags2). */
  metric?: number;
  /** Remaining fields joined by one space (`badlags`, `Tsys`). */
  tag?: string;
}

/** A line of a `.badlags` file; `text` is the original line when it came from a parse. */
export type BadlagsItem =
  | { type: "lag"; lag: BadLag; text?: string }
  | { type: "badcb"; badcb: BadCB; text?: string }
  | { type: "comment"; text: string; lag?: BadLag }
  | { type: "blank"; text: string };

/** A parsed `.badlags` file. */
export interface Badlags {
  /** Every line, in order. */
  items: BadlagsItem[];
  /** The active bad lags (lag lines), in order. */
  lags: BadLag[];
  /** Lag lines that are commented out (not applied), in order. */
  commented: BadLag[];
  /** The `#BADCB` entries, in order. */
  badcb: BadCB[];
}

const NUM_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(nan|inf|infinity)$/i;

function pyFloat(tok: string): number {
  const t = tok.toLowerCase();
  if (t.endsWith("nan")) return NaN;
  if (t.endsWith("inf") || t.endsWith("infinity")) return t.startsWith("-") ? -Infinity : Infinity;
  return Number(tok);
}

function parseLagText(body: string, lineNo: number, source: string | undefined): BadLag {
  const hash = body.indexOf("#");
  const data = hash >= 0 ? body.slice(0, hash) : body;
  const toks = data.trim().split(/\s+/).filter((t) => t !== "");
  if (toks.length < 3) {
    throw new FormatError(`expected "CHASSIS BOARD LAG ..." but got ${toks.length} field(s)`, lineNo, source);
  }
  const lag: BadLag = {
    chassis: intInRange("chassis", toks[0], 0, 3, lineNo, source),
    board: intInRange("board", toks[1], 0, 5, lineNo, source),
    lag: intInRange("lag", toks[2], 0, 255, lineNo, source),
    extra: toks.slice(3),
  };
  if (toks[3] !== undefined && /^[-+]?\d+$/.test(toks[3])) lag.obsnum = Number(toks[3]);
  if (toks[4] !== undefined && NUM_RE.test(toks[4])) lag.metric = pyFloat(toks[4]);
  if (toks[5] !== undefined && NUM_RE.test(toks[5])) lag.ratio = pyFloat(toks[5]);
  if (hash >= 0) {
    const c = body.slice(hash + 1).trim();
    lag.comment = c;
    if (c !== "") lag.kind = c;
  }
  return lag;
}

function parseBadcbText(line: string, lineNo: number, source: string | undefined): BadCB {
  const toks = line.trim().split(/\s+/);
  const k = toks.findIndex((t) => t.includes("BADCB"));
  const f = toks.slice(k + 1);
  if (f.length < 3) {
    throw new FormatError(
      `expected "#BADCB OBSNUM CHASSIS BOARD [metric [tag]]" but got ${f.length} field(s) after BADCB`,
      lineNo,
      source,
    );
  }
  if (!/^\d+$/.test(f[0]!) || !isObsnum(Number(f[0]))) {
    throw new FormatError(
      `invalid obsnum "${f[0]}" in BADCB line: expected an integer 1..${MAX_OBSNUM}`,
      lineNo,
      source,
    );
  }
  const cb: BadCB = {
    obsnum: Number(f[0]),
    chassis: intInRange("chassis", f[1], 0, 3, lineNo, source),
    board: intInRange("board", f[2], 0, 5, lineNo, source),
  };
  let rest = f.slice(3);
  if (rest[0] !== undefined && NUM_RE.test(rest[0])) {
    cb.metric = pyFloat(rest[0]);
    rest = rest.slice(1);
  }
  if (rest.length > 0) cb.tag = rest.join(" ");
  return cb;
}

/**
 * Parse a `.badlags` file. Throws {@link FormatError} (`file:line: ...`) on a malformed lag or BADCB line
 * and on an empty (0-byte) text.
 *
 * @example
 * ```ts
 * const b = parseBadlags(" 1  0 101  91001   11.9    # max\n#BADCB 91001 3 2 0.236323 badlags\n");
 * // b.lags[0] → {chassis: 1, board: 0, lag: 101, obsnum: 91001, metric: 11.9, kind: "max", ...}
 * // b.badcb[0] → {obsnum: 91001, chassis: 3, board: 2, metric: 0.236323, tag: "badlags"}
 * ```
 */
export function parseBadlags(text: string, source?: string): Badlags {
  if (text.length === 0) {
    throw new FormatError("empty file: a .badlags file has at least its header line", 0, source);
  }
  const out: Badlags = { items: [], lags: [], commented: [], badcb: [] };
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const trimmed = line.trim();
    if (trimmed === "") {
      out.items.push({ type: "blank", text: line });
    } else if (line.includes("BADCB")) {
      const cb = parseBadcbText(line, lineNo, source);
      out.badcb.push(cb);
      out.items.push({ type: "badcb", badcb: cb, text: line });
    } else if (trimmed.startsWith("#")) {
      const body = trimmed.slice(1);
      let lag: BadLag | undefined;
      if (/^\s*\d+\s+\d+\s+\d+(\s|$)/.test(body)) {
        try {
          lag = parseLagText(body, lineNo, source);
        } catch {
          lag = undefined; // a comment that merely looks like numbers
        }
      }
      if (lag !== undefined) {
        out.commented.push(lag);
        out.items.push({ type: "comment", text: line, lag });
      } else out.items.push({ type: "comment", text: line });
    } else {
      const lag = parseLagText(line, lineNo, source);
      out.lags.push(lag);
      out.items.push({ type: "lag", lag, text: line });
    }
  }
  return out;
}

/**
 * badlags.py max and min lines: `'%2d %2d %3d %6d %6.1f    # max'` (`# min`).
 *
 * @example
 * ```ts
 * formatMinMaxLine("max", 0, 0, 40, 33551, 22.04); // " 0  0  40  33551   22.0    # max"
 * ```
 */
export function formatMinMaxLine(
  kind: "max" | "min",
  chassis: number,
  board: number,
  lag: number,
  scan: number,
  sigma: number,
): string {
  return sprintf(`%2d %2d %3d %6d %6.1f    # ${kind}`, chassis, board, lag, scan, sigma);
}

/**
 * badlags.py spike line: `'%s%2d %2d %3d %6d %6.1f %6.1f   # %s'` with prefix `# ` when the spike is
 * outside the usable lags (commented), the min σ, the ratio and `spike` or `spike edge`.
 *
 * @example
 * ```ts
 * formatSpikeLine(0, 3, 15, 91001, 0.31, 3.27, false, true); // "#  0  3  15  91001    0.3    3.3   # spike"
 * ```
 */
export function formatSpikeLine(
  chassis: number,
  board: number,
  lag: number,
  scan: number,
  minSigma: number,
  ratio: number,
  edge: boolean,
  commented: boolean,
): string {
  return sprintf(
    "%s%2d %2d %3d %6d %6.1f %6.1f   # %s",
    commented ? "# " : "",
    chassis,
    board,
    lag,
    scan,
    minSigma,
    ratio,
    edge ? "spike edge" : "spike",
  );
}

/**
 * A `#BADCB` line: `#BADCB OBSNUM C B metric tag` (`%d %d %d %g %s`); metric and tag are optional.
 *
 * @example
 * ```ts
 * formatBadcbLine({ obsnum: 91001, chassis: 3, board: 2, metric: 0.2363231, tag: "badlags" });
 * // "#BADCB 91001 3 2 0.236323 badlags"
 * ```
 */
export function formatBadcbLine(cb: BadCB): string {
  let s = sprintf("#BADCB %d %d %d", cb.obsnum, cb.chassis, cb.board);
  if (cb.metric !== undefined) s += sprintf(" %g", cb.metric);
  if (cb.tag !== undefined) s += " " + cb.tag;
  return s;
}

/** Lay out one lag the way its kind is written by badlags.py (or generically `C B LAG extra... # comment`). */
export function formatLagLine(lag: BadLag): string {
  const k = lag.kind;
  if ((k === "max" || k === "min") && lag.obsnum !== undefined && lag.metric !== undefined) {
    return formatMinMaxLine(
      k,
      lag.chassis,
      lag.board,
      lag.lag,
      lag.obsnum,
      lag.metric,
    );
  }
  if (
    (k === "spike" || k === "spike edge") && lag.obsnum !== undefined && lag.metric !== undefined &&
    lag.ratio !== undefined
  ) {
    return formatSpikeLine(
      lag.chassis,
      lag.board,
      lag.lag,
      lag.obsnum,
      lag.metric,
      lag.ratio,
      k === "spike edge",
      false,
    );
  }
  let s = [String(lag.chassis), String(lag.board), String(lag.lag), ...lag.extra].join(" ");
  if (lag.comment !== undefined) s += "   # " + lag.comment;
  return s;
}

/**
 * Write items back as text (one `\n`-terminated line each). Items with `text` (from a parse) are
 * written verbatim; others are formatted (a commented lag gets the `# ` prefix).
 */
export function stringifyBadlags(model: Pick<Badlags, "items">): string {
  let out = "";
  for (const it of model.items) {
    let line: string;
    if (it.type === "lag") line = it.text ?? formatLagLine(it.lag);
    else if (it.type === "badcb") line = it.text ?? formatBadcbLine(it.badcb);
    else line = it.text;
    out += line + "\n";
  }
  return out;
}

/** Thresholds printed in the badlags.py header (option values). */
export interface BadlagsHeaderParams {
  /** Program name printed in line 1 (badlags.py prints its argv[0]). */
  program: string;
  /** Version string of line 1 (default `4-nov-2024`, the reproduced badlags.py). */
  version?: string;
  bcLo: number;
  bcHi: number;
  shortHi: number;
  shortMin: number;
  spike: number;
  minChan: number;
  /** `# Edge: True` unless false (`-e`). */
  edge: boolean;
}

/** The ten header lines of badlags.py (§3.3), numbers printed with `%g`. */
export function badlagsHeaderLines(p: BadlagsHeaderParams): string[] {
  return [
    `# File written by ${p.program} - version ${p.version ?? "4-nov-2024"}`,
    sprintf("# Bad Channel Thresholds:  RMS < %g or RMS > %g", p.bcLo, p.bcHi),
    sprintf("# Short Channel Threshold:  RMS > %g for lags < %g", p.shortHi, p.shortMin),
    sprintf("# Spike trigger: %g", p.spike),
    sprintf("# Min Channel: %g", p.minChan),
    `# Edge: ${p.edge ? "True" : "False"}`,
    "# Note these are chassis/board/channel numbers",
    "# -----------------------",
    "#  c  b  ch   scan metric",
    "# -----------------------",
  ];
}

/** `# rms_min/max = %g %g`. */
export function formatRmsLine(rmsMin: number, rmsMax: number): string {
  return sprintf("# rms_min/max = %g %g", rmsMin, rmsMax);
}

/** `# Found N min, N max, N spike badlags and N bad C/B's`. */
export function formatFoundLine(counts: { min: number; max: number; spike: number; badcb: number }): string {
  return sprintf(
    "# Found %d min, %d max, %d spike badlags and %d bad C/B's",
    counts.min,
    counts.max,
    counts.spike,
    counts.badcb,
  );
}

/** Everything badlags.py writes into `rsr.badlags`. */
export interface BadlagsReport extends BadlagsHeaderParams {
  /** The lag lines in (c, b, k) loop order, already formatted (see `formatMinMaxLine` etc.). */
  lagLines: string[];
  rmsMin: number;
  rmsMax: number;
  /** Bad C/Bs (tag defaults to `badlags`). */
  badcb: BadCB[];
  counts: { min: number; max: number; spike: number };
}

/**
 * The complete badlags.py output text: header, lag lines, `# rms_min/max`, `#BADCB` lines, `# Found`.
 *
 * @example
 * ```ts
 * badlagsReport({ program: "badlags", bcLo: 0.01, bcHi: 2.5, shortHi: 2.5, shortMin: 256, spike: 3,
 *   minChan: 32, edge: true, lagLines: [formatMinMaxLine("max", 1, 0, 101, 91001, 11.9)], rmsMin: 0.01, rmsMax: 0.2,
 *   badcb: [], counts: { min: 0, max: 1, spike: 0 } });
 * ```
 */
export function badlagsReport(r: BadlagsReport): string {
  const lines = [
    ...badlagsHeaderLines(r),
    ...r.lagLines,
    formatRmsLine(r.rmsMin, r.rmsMax),
    ...r.badcb.map((cb) => formatBadcbLine({ ...cb, tag: cb.tag ?? "badlags" })),
    formatFoundLine({ ...r.counts, badcb: r.badcb.length }),
  ];
  return lines.join("\n") + "\n";
}

/**
 * The bad lags by chassis/board: key `"c/b"`, value the set of lags. The obsnum column is not used here
 * (the default rule, as dreampy3: in a combination every listed lag applies to every obsnum; for
 * `--badlags-per-obsnum` see `badLagTablesPerObsnum` in lib/rsr/driver.ts); commented lags are not used.
 *
 * @example
 * ```ts
 * badLagSets(parseBadlags(" 1  0 101  91001   11.9    # max\n")).get("1/0"); // Set {101}
 * ```
 */
export function badLagSets(model: Pick<Badlags, "lags">): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>();
  for (const l of model.lags) {
    const key = `${l.chassis}/${l.board}`;
    let s = m.get(key);
    if (s === undefined) m.set(key, s = new Set());
    s.add(l.lag);
  }
  return m;
}

/**
 * The badlags2.py output (manual bad lags, §4): arguments `C/B/LAG,LAG,...` give one line
 * `C B LAG OBSNUM 99.9` per lag, `C/B` gives `#BADCB OBSNUM C B 0`. Unlike the original, every
 * argument is validated (C 0..3, B 0..5, LAG 0..255) and other forms throw a RangeError instead of
 * being ignored silently.
 *
 * @example
 * ```ts
 * badlags2Text(12345, ["0/0/10", "1/1"]);
 * // "# c b ch obsnum metric\n#  hardcoded badlags2 for obsnum=12345\n0 0 10 12345 99.9\n#BADCB 12345 1 1 0\n"
 * ```
 */
export function badlags2Text(obsnum: number, args: readonly string[]): string {
  const lines = ["# c b ch obsnum metric", `#  hardcoded badlags2 for obsnum=${obsnum}`];
  const int = (tok: string, what: string, hi: number, arg: string): number => {
    if (!/^\d+$/.test(tok) || Number(tok) > hi) {
      throw new RangeError(`Invalid badlags2 argument "${arg}": ${what} must be an integer 0..${hi}`);
    }
    return Number(tok);
  };
  for (const arg of args) {
    const f = arg.split("/");
    if (f.length === 3) {
      int(f[0]!, "chassis", 3, arg);
      int(f[1]!, "board", 5, arg);
      for (const ch of f[2]!.split(",")) {
        if (ch === "") continue;
        int(ch, "lag", 255, arg);
        lines.push(`${f[0]} ${f[1]} ${ch} ${obsnum} 99.9`); // echoed as typed, as badlags2.py does
      }
    } else if (f.length === 2) {
      const c = int(f[0]!, "chassis", 3, arg);
      const b = int(f[1]!, "board", 5, arg);
      lines.push(`#BADCB ${obsnum} ${c} ${b} 0`);
    } else {
      throw new RangeError(`Invalid badlags2 argument "${arg}": expected C/B/LAG[,LAG...] or C/B`);
    }
  }
  return lines.join("\n") + "\n";
}
