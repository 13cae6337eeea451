/**
 * Run files: one pipeline job per line, the LMTOY way of reducing many obsnums (docs/runfiles.md).
 *
 * ```
 * # singles first, then the combinations that need them
 * obsnum=91001 badcb=3/2
 * rsr obsnum=91003
 * SLpipeline.sh obsnum=91005 xlines=94.3,0.3      # LMTOY line: the program name is dropped
 * --- tier                                         # optional explicit tier boundary
 * obsnums=91001,91003 xlines=94.3,0.3
 * ```
 *
 * This module only parses and checks the syntax of each line; {@link buildPlan} in `plan.ts` resolves
 * pipelines, implicit single jobs and tiers.
 *
 * @module
 */
import { parseObsnumList } from "../formats/obsnum.ts";
import { RunfileError } from "./errors.ts";

/** The pipelines a job can run: `rsr` = scripts/rsr.mk, `seq` = scripts/seq.mk (Sequoia and 1MM). */
export type Pipeline = "rsr" | "seq";

/** One job line of a run file, as written. */
export interface RunfileLine {
  /** Run file name as given (for messages). */
  source: string;
  /** 1-based line number. */
  line: number;
  /** Pipeline named on the line (`rsr`, `seq`, `1mm`), or undefined (inferred later via lmtinfo). */
  pipeline?: Pipeline;
  /** The line started with `SLpipeline.sh` (LMTOY style). */
  slpipeline: boolean;
  /** Single obsnum (`obsnum=`). */
  obsnum?: number;
  /** Obsnums of a combination (`obsnums=`, ranges expanded). */
  obsnums?: number[];
  /** Pipeline parameters in line order, without obsnum/obsnums/tier and without ignored keys. */
  params: [string, string][];
  /** Explicit tier: `tier=N` on the line, else `1 + number of --- markers above` when the file has any. */
  tier?: number;
  /** SLpipeline keys that only steer LMTOY's own framework, dropped from the job (reported as warnings). */
  ignored: string[];
}

/** Result of parsing a run file. */
export interface Runfile {
  source: string;
  lines: RunfileLine[];
  /** The file has `---` tier markers. */
  hasMarkers: boolean;
}

/**
 * SLpipeline.sh keywords that control LMTOY's framework (archiving, web pages, re-runs), not the
 * reduction. They are dropped from `SLpipeline.sh` lines with a warning.
 */
export const SLPIPELINE_FRAMEWORK_KEYS: readonly string[] = [
  "admit",
  "dataverse",
  "cleanup",
  "nproc",
  "restart",
  "exist",
  "debug",
  "sleep",
  "tap",
  "srdp",
  "raw",
  "grun",
  "goal",
  "qagrade",
  "public",
  "pdir",
  "rsync",
  "oid",
  "meta",
  "path",
  "archive",
  "chunk",
  "newrc",
  "rc",
  "pix_list_check",
  "summary",
  "web",
];

const PIPELINE_WORDS: Record<string, Pipeline> = { rsr: "rsr", seq: "seq", "1mm": "seq", sequoia: "seq" };
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MARKER_RE = /^-{3,}(\s*tier\b.*)?$/i;

/** Split a line into shell-like words: whitespace separates, '...' and "..." quote, `#` word starts a comment. */
export function splitWords(text: string, source: string, line: number): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else if (c === "#" && !inWord) {
      break;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new RunfileError(`unterminated ${c} quote`, source, line);
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function positiveInt(v: string, what: string, source: string, line: number): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) {
    throw new RunfileError(`${what}=${v}: expected a positive integer`, source, line);
  }
  return Number(v);
}

/**
 * Parse a run file. Throws {@link RunfileError} (`file:line: what`) on a malformed line: a word that
 * is not `key=value`, a repeated key, a bad obsnum, both or neither of `obsnum=`/`obsnums=`.
 */
export function parseRunfile(text: string, source: string): Runfile {
  const out: RunfileLine[] = [];
  const raw = text.split(/\r?\n/);
  let section = 0;
  const sectionOf: number[] = [];
  // join backslash-continued lines
  const logical: { text: string; line: number }[] = [];
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i]!;
    const start = i + 1;
    while (/\\\s*$/.test(t) && i + 1 < raw.length) {
      t = t.replace(/\\\s*$/, " ") + raw[++i]!;
    }
    logical.push({ text: t, line: start });
  }
  for (const { text: t, line } of logical) {
    const trimmed = t.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (MARKER_RE.test(trimmed)) {
      section++;
      continue;
    }
    const words = splitWords(trimmed, source, line);
    if (words.length === 0) continue;
    let k = 0;
    let pipeline: Pipeline | undefined;
    let slpipeline = false;
    const first = words[0]!;
    if (/(^|\/)SLpipeline(\.sh)?$/.test(first)) {
      slpipeline = true;
      k = 1;
    } else if (!first.includes("=")) {
      const p = PIPELINE_WORDS[first.toLowerCase()];
      if (p === undefined) {
        throw new RunfileError(
          `expected key=value or a pipeline word (rsr, seq, 1mm, SLpipeline.sh), got "${first}"`,
          source,
          line,
        );
      }
      pipeline = p;
      k = 1;
    }
    const seen = new Set<string>();
    const params: [string, string][] = [];
    const ignored: string[] = [];
    let obsnum: number | undefined;
    let obsnums: number[] | undefined;
    let tier: number | undefined;
    for (; k < words.length; k++) {
      const w = words[k]!;
      const eq = w.indexOf("=");
      if (eq <= 0) throw new RunfileError(`expected key=value, got "${w}"`, source, line);
      const key = w.slice(0, eq);
      const value = w.slice(eq + 1);
      if (!KEY_RE.test(key)) throw new RunfileError(`invalid parameter name "${key}"`, source, line);
      if (seen.has(key)) throw new RunfileError(`parameter ${key} given twice`, source, line);
      seen.add(key);
      if (key === "obsnum") {
        obsnum = positiveInt(value, "obsnum", source, line);
      } else if (key === "obsnums") {
        try {
          obsnums = parseObsnumList(value);
        } catch (e) {
          throw new RunfileError(`obsnums=${value}: ${(e as Error).message}`, source, line);
        }
        if (obsnums.length === 0) throw new RunfileError("obsnums= is empty", source, line);
        if (new Set(obsnums).size !== obsnums.length) {
          throw new RunfileError(`obsnums=${value}: an obsnum is repeated`, source, line);
        }
      } else if (key === "tier") {
        tier = positiveInt(value, "tier", source, line);
      } else if (key === "pipeline" || key === "instrument") {
        const p = PIPELINE_WORDS[value.toLowerCase()];
        if (p === undefined) {
          throw new RunfileError(`${key}=${value}: expected rsr, seq or 1mm`, source, line);
        }
        pipeline = p;
      } else if (slpipeline && SLPIPELINE_FRAMEWORK_KEYS.includes(key)) {
        ignored.push(key);
      } else {
        params.push([key, value]);
      }
    }
    if (obsnum !== undefined && obsnums !== undefined) {
      throw new RunfileError("give obsnum= or obsnums=, not both", source, line);
    }
    if (obsnum === undefined && obsnums === undefined) {
      throw new RunfileError("no obsnum= or obsnums= on this line", source, line);
    }
    const entry: RunfileLine = { source, line, slpipeline, params, ignored };
    if (pipeline !== undefined) entry.pipeline = pipeline;
    if (obsnum !== undefined) entry.obsnum = obsnum;
    if (obsnums !== undefined) entry.obsnums = obsnums;
    if (tier !== undefined) entry.tier = tier;
    out.push(entry);
    sectionOf.push(section);
  }
  const hasMarkers = section > 0;
  if (hasMarkers) {
    out.forEach((e, i) => {
      if (e.tier === undefined) e.tier = sectionOf[i]! + 1;
    });
  }
  return { source, lines: out, hasMarkers };
}
