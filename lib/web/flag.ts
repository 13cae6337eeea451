/**
 * Manual flags from lmt_web, written with the toolkit's own formatters into the obsnum's plain-text
 * files, which stay hand-editable: a bad chassis/board is a `#BADCB` line appended to `rsr.OBSNUM.badlags`
 * (the pipeline collects those into rsr_badcb's .rfile and .blanking on the next run); a frequency range of
 * a board is a blank line `OBSNUM C {B: [(f1, f2)]}` appended to `rsr.OBSNUM.blanking` (rsr_sum).
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { formatBadcbLine, parseBadlags } from "../formats/badlags.ts";
import { parseBlanking, stringifyBlanking } from "../formats/blanking.ts";

/** A flag request (already type-checked). */
export type Flag =
  | { kind: "badcb"; chassis: number; board: number }
  | { kind: "blank"; chassis: number[]; board: number; range: [number, number] };

/** What was written. */
export interface FlagResult {
  file: string;
  lines: string[];
}

/** A flag that cannot be applied (HTTP 400). */
export class FlagError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "FlagError";
  }
}

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;

/** Check a JSON flag request; throws {@link FlagError}. */
export function parseFlag(body: Record<string, unknown>): Flag {
  if (body.kind === "badcb") {
    if (!isInt(body.chassis, 0, 3)) throw new FlagError("chassis: expected an integer 0..3");
    if (!isInt(body.board, 0, 5)) throw new FlagError("board: expected an integer 0..5");
    return { kind: "badcb", chassis: body.chassis, board: body.board };
  }
  if (body.kind === "blank") {
    const ch = body.chassis === undefined ? [0, 1, 2, 3] : body.chassis;
    if (!Array.isArray(ch) || ch.length === 0 || !ch.every((c) => isInt(c, 0, 3))) {
      throw new FlagError("chassis: expected a list of integers 0..3");
    }
    if (!isInt(body.board, 0, 5)) throw new FlagError("board: expected an integer 0..5");
    const r = body.range;
    if (
      !Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === "number" && Number.isFinite(x)) ||
      r[0] < 0 || r[1] > 1000 || !(r[0] < r[1])
    ) throw new FlagError("range: expected [f1, f2] in GHz with f1 < f2");
    return { kind: "blank", chassis: [...new Set(ch as number[])], board: body.board, range: [r[0], r[1]] };
  }
  throw new FlagError(`kind: expected "badcb" or "blank"`);
}

function appendLines(path: string, lines: string[]): void {
  let old = "";
  try {
    old = Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const sep = old === "" || old.endsWith("\n") ? "" : "\n";
  Deno.writeTextFileSync(path, sep + lines.map((l) => l + "\n").join(""), { append: true });
}

/**
 * Apply `flag` to the RSR obsnum directory `dir` of obsnum `obsnum` (its files `rsr.OBSNUM.*`). The file is
 * parsed first: a flag is never appended to a file the pipeline could no longer read.
 */
export function applyFlag(dir: string, obsnum: number, flag: Flag): FlagResult {
  if (flag.kind === "badcb") {
    const file = `rsr.${obsnum}.badlags`;
    const path = `${dir}/${file}`;
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (text !== "") {
      const have = parseBadlags(text, file).badcb;
      if (have.some((b) => b.obsnum === obsnum && b.chassis === flag.chassis && b.board === flag.board)) {
        return { file, lines: [] };
      }
    }
    const lines = [
      ...(text === "" ? ["# bad chassis/boards flagged by hand (lmt_web)"] : []),
      formatBadcbLine({ obsnum, chassis: flag.chassis, board: flag.board, metric: 0, tag: "lmt_web" }),
    ];
    appendLines(path, lines);
    return { file, lines };
  }
  const file = `rsr.${obsnum}.blanking`;
  const path = `${dir}/${file}`;
  let text = "";
  try {
    text = Deno.readTextFileSync(path);
    parseBlanking(text, file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw new FlagError(`${file}: ${(e as Error).message}`);
  }
  const windows: [number, number][][] = [[], [], [], [], [], []];
  const model = {
    obsnums: text === "" ? [obsnum] : [],
    windows,
    blanks: flag.chassis.map((c) => ({
      obsnums: [obsnum],
      chassis: c,
      boards: new Map([[flag.board, [[round4(flag.range[0]), round4(flag.range[1])] as [number, number]]]]),
    })),
  };
  const lines = stringifyBlanking(model, ["# blanked by hand (lmt_web)"]).split("\n").filter((l) => l !== "");
  appendLines(path, lines);
  return { file, lines };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
