/**
 * Where the raw data live: `$DATA_LMT` and the RSR correlator-calibration directory.
 * Nothing here reads the environment: callers (the tools, through their ctx.env) pass it in.
 * @module
 */
import { existsSync, statSync } from "../sys/fs.ts";
import { LmtDataError } from "./errors.ts";
import { join } from "../sys/path.ts";

/** Environment variables as a plain object. */
export type Env = Readonly<Record<string, string | undefined>>;

function checkDir(dir: string, what: string): string {
  if (!existsSync(dir)) throw new LmtDataError(`${what} "${dir}" does not exist`);
  if (!statSync(dir).isDirectory()) throw new LmtDataError(`${what} "${dir}" is not a directory`);
  return dir;
}

/**
 * The raw-data root: an explicit path option (named in messages as `option`, the calling tool's own spelling)
 * wins, then `$DATA_LMT`. There is no silent
 * `/data_lmt` fallback. Throws {@link LmtDataError} when neither is given or the directory is missing.
 *
 * @example
 * ```ts
 * dataLmtRoot(undefined, { DATA_LMT: Deno.cwd() }); // $DATA_LMT (an existing directory)
 * ```
 */
export function dataLmtRoot(explicit: string | undefined, env: Env, option = "-p/--path"): string {
  if (explicit !== undefined && explicit !== "") return checkDir(explicit, `Data root (${option})`);
  const e = env["DATA_LMT"];
  if (e !== undefined && e !== "") return checkDir(e, "DATA_LMT");
  throw new LmtDataError(`DATA_LMT is not set and no ${option} given`);
}

/**
 * The RSR correlator-calibration directory: `$CORR_CAL_DIR` if set, else `<dataLmt>/rsr/cal`
 * (as LMTOY sets it; dreampy3's `/raw/rsr/cal` fallback is not used). Not checked for existence
 * here: {@link findCorrCal} names the missing file.
 */
export function corrCalDir(dataLmt: string, env: Env): string {
  const e = env["CORR_CAL_DIR"];
  if (e !== undefined && e !== "") return e;
  return join(dataLmt, "rsr", "cal");
}
