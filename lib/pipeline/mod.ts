/**
 * SLpipeline: reduce one obsnum, or a combination, from `key=value` parameters. The instrument and the
 * observing mode come from the obsnum's header (lmtinfo); the products go to `WORK/PROJECTID/OBSNUM/`
 * (`layout: "work"`, SLpipeline.sh) or `./OBSNUM/` (`layout: "here"`, `make -f scripts/rsr.mk` and lmt_run),
 * combinations to `FIRST_LAST/`.
 *
 * Order of the checks, so that a wrong request leaves nothing behind: parameters against their grammar →
 * the raw data root → every obsnum's header → instrument and mode → only then the directory, its lock and
 * the steps. A combination first brings each single up to date with the single's OWN parameters (from its
 * `lmtoy_OBSNUM.rc`, else the defaults) under the single's lock, then reads the singles' products.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { ObsInfo } from "../lmt/info.ts";
import { safeName } from "../lmt/names.ts";
import { parseObsnumList } from "../formats/obsnum.ts";
import { existsSync, mkdirSync, readFileSync, rmSync } from "../sys/fs.ts";
import { join, resolve } from "../sys/path.ts";
import { checkParams, ParamError, ParamSet, paramSpec, type PipelineKind } from "./params.ts";
import { readRcParams } from "./rc.ts";
import { rsrSteps } from "./rsr.ts";
import { SEQ_MODES, seqSteps } from "./seq.ts";
import { type PipelineJob, runSteps, Stamps, type Step, StepFailed, type ToolRunner } from "./steps.ts";
import { acquireLock } from "./lock.ts";
import { keepAttempt } from "./attempts.ts";
import type { OpenOutput } from "../sys/output.ts";
import { ATTEMPTS_DIR } from "../report/attempts.ts";

export { LockBusy } from "./lock.ts";
export { ParamError } from "./params.ts";
export { StepFailed } from "./steps.ts";

/** A request that cannot be reduced (unknown obsnum, mode not handled, data root missing): exit 1. */
export class PipelineError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "PipelineError";
  }
}

/** A step failed: `label` is the obsnum (or FIRST_LAST), `failure` the step and its log's last lines. */
export class PipelineFailed extends Error {
  readonly label: string;
  readonly failures: StepFailed[];
  constructor(label: string, failures: StepFailed[]) {
    super(`${label}: ${failures.map((f) => f.message).join("; ")}`);
    this.name = "PipelineFailed";
    this.label = label;
    this.failures = failures;
  }
}

/** What the caller (cmd/SLpipeline.ts) provides. */
export interface ReduceContext {
  /** The current directory (absolute). */
  cwd: string;
  /** $DATA_LMT and $WORK_LMT as the caller read them. */
  dataLmt?: string;
  workLmt?: string;
  tools: ToolRunner;
  /** The output door (lib/cli `ctx.output`): every file the pipeline writes itself goes through it. */
  open: OpenOutput;
  /** The header summary of an obsnum (lmtinfo). */
  obsInfo: (root: string, obsnum: number) => Promise<ObsInfo>;
  version: string;
  /** Progress lines (stderr). */
  report: (line: string) => void;
  /** Dry-run and debug command lines (stdout). */
  show: (line: string) => void;
  /** Waits (sleep=). */
  sleep: (seconds: number) => Promise<void>;
}

/** How to run. */
export interface ReduceOptions {
  layout: "work" | "here";
  /** The pipeline the caller expects (a Makefile of one instrument); another instrument is an error. */
  expect?: PipelineKind;
  dryRun?: boolean;
  /** Check the request and find its directory, run nothing (`SLpipeline.sh obsnum=N attempts`). */
  locateOnly?: boolean;
}

/** What was done. */
export interface ReduceResult {
  kind: PipelineKind;
  /** The product directory (absolute). */
  dir: string;
  /** Steps run (or that would run), per directory label. */
  ran: Map<string, string[]>;
  /** `exist=1` found the directory: nothing done. */
  skipped: boolean;
}

/** Kind and mode of an obsnum, or why it cannot be reduced. */
export function pipelineOf(info: ObsInfo): PipelineKind {
  if (info.instrument === "RSR") {
    if (info.obspgm !== "Bs") {
      throw new PipelineError(
        `obsnum ${info.obsnum}: RSR ${info.obspgm} (${info.obsgoal}) obsnums are not reduced by this pipeline (RSR: Bs)`,
      );
    }
    return "rsr";
  }
  if (!SEQ_MODES.includes(info.obspgm)) {
    throw new PipelineError(
      `obsnum ${info.obsnum}: ${info.instrument} ${info.obspgm} (${info.obsgoal}) obsnums are not reduced by this ` +
        `pipeline (${info.instrument}: ${SEQ_MODES.join(", ")})`,
    );
  }
  return "seq";
}

/** What `path` is, without following a final symbolic link ("missing" when it does not exist). */
function kindOf(path: string): "dir" | "file" | "other" | "missing" {
  try {
    const i = Deno.lstatSync(path);
    return i.isDirectory ? "dir" : i.isFile ? "file" : "other";
  } catch {
    return "missing";
  }
}

/** `child` is `parent` or inside it (both absolute, normalised). */
function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : parent + "/");
}

/**
 * Reduce what `words` (`key=value`, already split) ask for. Throws {@link ParamError} (usage, exit 2),
 * {@link PipelineError} and {@link LockBusy} (exit 1), {@link PipelineFailed} (a step failed, exit 1).
 */
export async function reduce(
  words: readonly string[],
  ctx: ReduceContext,
  opts: ReduceOptions,
): Promise<ReduceResult> {
  const given = checkParams(words);
  const obsnums = given.has("obsnums")
    ? parseObsnumList(given.get("obsnums")!)
    : given.has("obsnum")
    ? [Number(given.get("obsnum"))]
    : null;
  if (obsnums === null) throw new ParamError("give obsnum=N or obsnums=N1,N2,...");
  const combo = given.has("obsnums");

  const root = given.get("path") || ctx.dataLmt || "";
  if (root === "") throw new PipelineError("DATA_LMT is not set and no path= given");
  const rootAbs = resolve(ctx.cwd, root);
  if (!existsSync(rootAbs) || !Deno.statSync(rootAbs).isDirectory) {
    throw new PipelineError(`raw data root ${root} is not a directory`);
  }
  const infos: ObsInfo[] = [];
  for (const o of obsnums) {
    try {
      infos.push(await ctx.obsInfo(rootAbs, o));
    } catch (e) {
      throw new PipelineError(`obsnum ${o}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  const kinds = new Set(infos.map(pipelineOf));
  if (kinds.size > 1) throw new PipelineError(`obsnums=${given.get("obsnums")} mixes RSR and SEQ obsnums`);
  const kind = [...kinds][0]!;
  if (opts.expect !== undefined && opts.expect !== kind) {
    throw new PipelineError(
      `obsnum ${obsnums[0]} is ${infos[0]!.instrument} (the ${kind} pipeline), not ${opts.expect}` +
        ` (use scripts/${kind}.mk or SLpipeline.sh)`,
    );
  }
  checkParams(words, kind); // a parameter of the other pipeline is an error, now that the pipeline is known
  const P = new ParamSet(kind, given);
  for (const k of P.given) {
    if (paramSpec(k)?.unavailable && P.get(k) === "1") {
      ctx.report(`${k}=1: not available in this toolkit (ignored)`);
    }
  }

  // where: WORK/PROJECTID/ or the current directory
  const work = resolve(ctx.cwd, P.get("work") || ctx.workLmt || ".");
  const base = opts.layout === "here" ? ctx.cwd : join(work, safeName(infos[0]!.projectId));
  if (kind === "rsr" && P.get("badlags") !== "") {
    const f = resolve(ctx.cwd, P.get("badlags"));
    if (!inside(f, ctx.cwd) && !inside(f, work)) {
      throw new ParamError(`badlags=${P.get("badlags")}: expected a file inside the work tree (${ctx.cwd})`);
    }
  }
  const label = combo ? `${obsnums[0]}_${obsnums[obsnums.length - 1]}` : String(obsnums[0]);
  const name = P.get("dir") || (P.get("oid") !== "" ? `${label}__${P.get("oid")}` : label);
  const dir = join(base, name);
  if (!inside(dir, base)) throw new ParamError(`dir=${name}: must name a directory inside ${base}`);
  const ran = new Map<string, string[]>();
  if (opts.locateOnly) return { kind, dir, ran, skipped: true };
  if (P.get("exist") === "1" && existsSync(dir)) {
    ctx.report(`${name}: ${dir} exists (exist=1): nothing done`);
    return { kind, dir, ran, skipped: true };
  }
  if (P.num("sleep") > 0 && !opts.dryRun) await ctx.sleep(P.num("sleep"));

  const single = async (o: number, info: ObsInfo, sdir: string, sp: ParamSet) => {
    await runDir(
      sdir,
      String(o),
      ctx,
      opts,
      P,
      ran,
      (st) => stepsFor(kind, st, String(o), [o], info, sp, rootAbs, ctx),
      sp,
    );
  };

  const singleDirs: string[] = [];
  if (combo) {
    for (let i = 0; i < obsnums.length; i++) {
      const o = obsnums[i]!;
      const sdir = join(base, String(o));
      const rc = join(sdir, `lmtoy_${o}.rc`);
      const own = existsSync(rc)
        ? readRcParams(readFileSync(rc, "utf8"), kind, rc)
        : new Map<string, string>();
      for (const k of ["path", "nproc", "debug", "error", "keep"]) {
        if (given.has(k)) own.set(k, given.get(k)!);
      }
      own.set("obsnum", String(o));
      await single(o, infos[i]!, sdir, new ParamSet(kind, own));
      singleDirs.push(sdir);
    }
  }
  await runDir(
    dir,
    name,
    ctx,
    opts,
    P,
    ran,
    (st) => stepsFor(kind, st, label, obsnums, infos[0]!, P, rootAbs, ctx, combo ? singleDirs : undefined),
  );
  return { kind, dir, ran, skipped: false };
}

function stepsFor(
  kind: PipelineKind,
  stamps: Stamps,
  label: string,
  obsnums: readonly number[],
  info: ObsInfo,
  P: ParamSet,
  dataLmt: string,
  ctx: ReduceContext,
  singleDirs?: readonly string[],
): Step[] {
  const job: PipelineJob = {
    dir: stamps.dir,
    label,
    obsnums,
    info,
    params: P,
    version: ctx.version,
    ...(singleDirs !== undefined ? { singleDirs } : {}),
  };
  if (kind === "rsr") {
    let badlagsFile: string | undefined;
    if (P.get("badlags") !== "" && singleDirs === undefined) { // (rsr only)
      badlagsFile = resolve(ctx.cwd, P.get("badlags"));
      if (kindOf(badlagsFile) !== "file") {
        throw new PipelineError(`badlags=${P.get("badlags")}: no such file`);
      }
    }
    return rsrSteps(stamps, { ...job, ...(badlagsFile !== undefined ? { badlagsFile } : {}) });
  }
  return seqSteps(stamps, { ...job, dataLmt });
}

/**
 * Make (or clean, restart=1, which keeps attempts/) one product directory, lock it, run its steps, keep the run
 * as an attempt (lib/pipeline/attempts.ts; `kept` are the parameters it records, [default: P]), unlock.
 */
async function runDir(
  dir: string,
  name: string,
  ctx: ReduceContext,
  opts: ReduceOptions,
  P: ParamSet,
  ran: Map<string, string[]>,
  steps: (stamps: Stamps) => Step[],
  kept: ParamSet = P,
): Promise<void> {
  const k = kindOf(dir);
  const existed = k !== "missing";
  if (existed && k !== "dir") throw new PipelineError(`${dir} exists and is not a directory`);
  if (!existed) mkdirSync(dir, { recursive: true });
  let lock;
  try {
    lock = acquireLock(dir, name);
  } catch (e) {
    if (!existed) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  try {
    if (P.get("restart") === "1" && existed && !opts.dryRun) {
      for (const e of Deno.readDirSync(dir)) {
        if (e.name !== ".lmt_lock" && e.name !== ATTEMPTS_DIR) rmSync(join(dir, e.name), { recursive: true });
      }
      ctx.report(`${name}: restart=1: old results removed`);
    }
    const stamps = new Stamps(dir, ctx.open, opts.dryRun === true);
    const planned = steps(stamps);
    const r = await runSteps(planned, {
      changed: stamps.changed,
      dir,
      shownDir: name,
      tools: ctx.tools,
      open: ctx.open,
      dryRun: opts.dryRun === true,
      keepGoing: P.get("error") === "0",
      verbose: P.get("debug") === "1",
      report: ctx.report,
      show: ctx.show,
    });
    ran.set(name, r.ran);
    if (r.failed.length > 0) throw new PipelineFailed(name, r.failed);
    if (!opts.dryRun) {
      const k = keepAttempt(dir, {
        open: ctx.open,
        label: name,
        params: kept.entries(),
        ran: r.ran.length > 0,
        keep: P.num("keep"),
      });
      if (k.action === "new") {
        const now = new Map(kept.entries());
        const why = k.changed.map((c) => `${c}=${now.get(c) ?? ""}`).join(" ");
        ctx.report(`${name}: kept as ${ATTEMPTS_DIR}/${k.n}${why ? ` (${why})` : ""}`);
      }
      for (const f of k.referenced) {
        ctx.report(`${name}: ${f}: could not be hard-linked (kept as a reference)`);
      }
      if (k.pruned.length) {
        ctx.report(`${name}: ${ATTEMPTS_DIR}/${k.pruned.join(",")} removed (keep=${P.get("keep")})`);
      }
    }
  } catch (e) {
    if (e instanceof StepFailed) throw new PipelineFailed(name, [e]);
    throw e;
  } finally {
    lock.release();
  }
}
