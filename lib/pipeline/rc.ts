/**
 * The parameter block of `lmtoy_OBSNUM.rc`: after lmtinfo's `# <lmtinfo>` block, a line `# parameters` and
 * one `key="value"` line per pipeline parameter, as the run used them. A combination reads its singles'
 * blocks to reduce a missing or out-of-date single with the single's OWN parameters.
 *
 * @module
 */
import { parseRc } from "../formats/rc.ts";
import { FormatError } from "../formats/errors.ts";
import { checkParams, HOW_PARAMS, ParamError, type ParamSet, type PipelineKind } from "./params.ts";

/** Keys of the block that describe the run, not the reduction: not carried over to a re-run of a single. */
const RUN_KEYS = new Set(["obsnum", "obsnums", "dir", "oid", ...HOW_PARAMS]);

/** `# parameters` and the `key="value"` lines of a run's parameters (values passed their grammar: no quoting needed). */
export function rcParamsBlock(p: ParamSet): string {
  return "# parameters\n" + p.entries().map(([k, v]) => `${k}="${v}"\n`).join("");
}

/**
 * The reduction parameters recorded in an rc file's `# parameters` block (empty when it has none), checked
 * against the table like a command line: a hand-edited rc cannot smuggle a value past the grammar.
 * `source` names the file in errors.
 */
export function readRcParams(text: string, kind: PipelineKind, source: string): Map<string, string> {
  const parts = text.split(/^# parameters[ \t]*$/m);
  if (parts.length < 2) return new Map();
  let rc;
  try {
    rc = parseRc(parts.slice(1).join("# parameters"), source);
  } catch (e) {
    throw new ParamError(e instanceof FormatError ? e.message : `${source}: ${String(e)}`);
  }
  const words = [...rc.values].filter(([k]) => !RUN_KEYS.has(k)).map(([k, v]) => `${k}=${v}`);
  try {
    return checkParams(words, kind);
  } catch (e) {
    throw new ParamError(`${source}: ${(e as Error).message}`);
  }
}
