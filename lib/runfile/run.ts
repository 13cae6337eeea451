/**
 * Executing a plan, as lmt_run does it: the run directory (plan.json, job scripts, Makefile, status
 * files), the choice of jobs to run (done, failed, forced), the dry-run text, local execution with
 * `make -k -j N`, and the status of a run directory (status files merged with squeue). SLURM submission
 * is in submit.ts. cmd/lmt_run.ts only maps its options onto these calls and prints what they return.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "../sys/fs.ts";
import { obsInfo } from "../lmt/info.ts";
import { RunError, RunfileError } from "./errors.ts";
import { parseRunfile, type Pipeline, type Runfile } from "./parse.ts";
import { buildPlan, type Plan } from "./plan.ts";
import { paramsOf } from "../pipeline/params.ts";
import { haveCommand, runCommand } from "./proc.ts";
import { jobScript, makefileText, pipelineCommand, type ScriptContext } from "./scripts.ts";
import type { SlurmOptions } from "./slurm.ts";
import { queue, sbatchDryRun, submittedIds } from "./submit.ts";
import { type JobStatus, readStatus } from "./status.ts";
import { basename, join, resolve } from "../sys/path.ts";
import { type OpenOutput, putFile, writeIfChanged } from "./output.ts";

/** Absolute toolkit root (has bin/ and scripts/). */
export const TOOLKIT_ROOT: string = resolve(new URL("../..", import.meta.url).pathname);

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Run directory of a run file: `rundir` when given, else WORKDIR/NAME.lmt_run (`stdin.lmt_run` for `-`). */
export function runDirOf(runfile: string, workdir: string, rundir?: string): string {
  return resolve(rundir ?? join(workdir, `${runfile === "-" ? "stdin" : basename(runfile)}.lmt_run`));
}

/** Run directory named by `lmt_run status TARGET`: TARGET itself when it has a plan.json, else its run file's. */
export function statusRunDir(target: string, workdir: string, rundir?: string): string {
  return existsSync(join(target, "plan.json")) ? resolve(target) : runDirOf(target, workdir, rundir);
}

/**
 * Status of every job of the run directory: its status files, plus the SLURM queue when the run was
 * submitted to SLURM. Throws {@link RunError} when the directory has no plan.json.
 */
export async function runDirStatus(rundir: string, env: Record<string, string>): Promise<JobStatus[]> {
  const plan = readJson<Plan>(join(rundir, "plan.json"));
  if (!plan) throw new RunError(`${rundir}: no plan.json (not an lmt_run run directory, or never run)`);
  const ids = submittedIds(rundir);
  const q = Object.keys(ids).length ? await queue(env) : undefined;
  return readStatus(plan, rundir, ids, q);
}

/** Parse a run file's text; a file without job lines is an error ({@link RunfileError}). */
export function loadRunfile(text: string, source: string): Runfile {
  const rf = parseRunfile(text, source);
  if (rf.lines.length === 0) throw new RunfileError("no job lines", source, 0);
  return rf;
}

/**
 * The plan of a run file: parameters checked against the pipeline parameter table (names and value
 * grammars), pipelines not named on a line inferred from the raw data under `root` (RSR or SEQ).
 * (`_toolkit` is kept for callers that name the toolkit; the table is the same for every toolkit.)
 */
export function planRun(rf: Runfile, root: string, _toolkit: string = TOOLKIT_ROOT): Promise<Plan> {
  const knownParams: Record<Pipeline, string[]> = {
    rsr: paramsOf("rsr").map((p) => p.name),
    seq: paramsOf("seq").map((p) => p.name),
  };
  return buildPlan(rf, {
    infer: async (o) => {
      const i = await obsInfo(root, o);
      return i.instrument === "RSR" ? "rsr" : "seq";
    },
    knownParams,
  });
}

/** Script context of a run: DATA_LMT (= `root`) and CORR_CAL_DIR (when set in `env`) pinned into the jobs. */
export function scriptContext(
  rundir: string,
  workdir: string,
  root: string,
  env: Record<string, string>,
  toolkit: string = TOOLKIT_ROOT,
): ScriptContext {
  const pinned: Record<string, string> = { DATA_LMT: resolve(root) };
  for (const k of ["CORR_CAL_DIR"]) if (env[k]) pinned[k] = env[k]!;
  return { rundir, workdir, toolkit, env: pinned };
}

/** The jobs a run asks for. */
export interface Selection {
  /** Jobs asked for: all, or those that failed or were blocked (`rerunFailed`). */
  selected: Set<string>;
  /** The selected jobs that must run (not done, or done but stale, or forced), in plan order. */
  todo: string[];
}

/**
 * Which jobs to run, from the status files of an earlier run in `rundir`: a job done with an unchanged
 * script is skipped unless `force`; `rerunFailed` selects only failed and blocked jobs (an error when
 * nothing ran yet; an empty selection when nothing failed).
 */
export function selectJobs(
  plan: Plan,
  rundir: string,
  o: { rerunFailed?: boolean; force?: boolean },
): Selection {
  const prevStatus = existsSync(join(rundir, "status")) ? readStatus(plan, rundir) : [];
  let selected = new Set(plan.jobs.map((j) => j.name));
  if (o.rerunFailed) {
    if (!existsSync(join(rundir, "plan.json"))) {
      throw new RunError(`${rundir}: nothing ran yet (no plan.json)`);
    }
    selected = new Set(
      prevStatus.filter((s) => s.state === "failed" || s.state === "blocked").map((s) => s.name),
    );
  }
  const upToDate = (n: string) => {
    const s = prevStatus.find((x) => x.name === n);
    return !o.force && s?.state === "done" && !s.stale;
  };
  return { selected, todo: [...selected].filter((n) => !upToDate(n)) };
}

/** The plan as text: one block per tier, one line per job with its pipeline command and inputs. */
export function describePlan(plan: Plan, ctx: ScriptContext): string {
  const out: string[] = [
    `# plan of ${plan.source}: ${plan.jobs.length} jobs in ${plan.tiers.length} tier(s)`,
  ];
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  plan.tiers.forEach((names, i) => {
    out.push(`tier ${i + 1}:`);
    for (const n of names) {
      const j = byName.get(n)!;
      const after = j.deps.length ? `  [after ${j.deps.join(",")}]` : "";
      const cmd = j.pipeline === null ? `(fails: ${j.pipelineError})` : pipelineCommand(j, ctx.toolkit);
      out.push(`  ${n.padEnd(14)} ${cmd}${after}${j.implicit ? "  (implicit)" : ""}`);
    }
  });
  return out.join("\n") + "\n";
}

/**
 * What `--dry-run` prints: the plan, then the sbatch calls (shell variables stand for the job ids) when
 * `slurm` options are given, else the make command of `jobs` parallel pipelines.
 */
export function dryRunText(
  plan: Plan,
  sel: Selection,
  ctx: ScriptContext,
  o: { jobs: number; slurm?: SlurmOptions },
): string {
  let text = describePlan(plan, ctx);
  text += `# run directory ${ctx.rundir}; ${sel.todo.length} job(s) to run\n`;
  if (o.slurm) {
    text += sbatchDryRun(plan, sel.todo, ctx, o.slurm);
  } else {
    text += `make -k -j ${o.jobs} -f ${join(ctx.rundir, "Makefile")}\n`;
  }
  return text;
}

/**
 * Create or update the run directory through the output door `open`: jobs/, logs/, status/, plan.json,
 * one script per job and the Makefile (files whose text is unchanged keep their mtime). Returns the
 * Makefile text.
 */
export function writeRunDir(plan: Plan, ctx: ScriptContext, open: OpenOutput): string {
  const rundir = ctx.rundir;
  for (const d of ["jobs", "logs", "status"]) mkdirSync(join(rundir, d), { recursive: true });
  writeIfChanged(open, join(rundir, "plan.json"), JSON.stringify(plan, null, 1) + "\n");
  for (const j of plan.jobs) {
    writeIfChanged(open, join(rundir, "jobs", `${j.name}.sh`), jobScript(j, ctx), 0o755);
  }
  const mkText = makefileText(plan, ctx);
  writeIfChanged(open, join(rundir, "Makefile"), mkText);
  return mkText;
}

/**
 * Clear the status files of the jobs about to run: with `force` the `.done` of every selected job, and
 * the `.failed`/`.running` of every job to run.
 */
export function resetStatus(rundir: string, sel: Selection, force: boolean): void {
  if (force) {
    for (const n of sel.selected) rmSync(join(rundir, "status", `${n}.done`), { force: true });
  }
  for (const n of sel.todo) {
    rmSync(join(rundir, "status", `${n}.failed`), { force: true });
    rmSync(join(rundir, "status", `${n}.running`), { force: true });
  }
}

/** Result of a local run. */
export interface LocalRun {
  /** make's exit code. */
  code: number;
  /** Status of every job of the plan after make returned. */
  status: JobStatus[];
}

/** Options of {@link runLocal}. */
export interface LocalOptions {
  /** Parallel pipelines (make -j). */
  jobs: number;
  /** Make the `.done` files of the selected jobs instead of `all`. */
  rerunFailed?: boolean;
  env: Record<string, string>;
  /** The output door (make.log goes through it). */
  open: OpenOutput;
  /** Called just before make starts (for a log line). */
  onStart?: (msg: string) => void;
  /**
   * Aborted when lmt_run is interrupted: make then gets SIGTERM, which it passes on to the running
   * jobs; each ends as `.failed` (see the job scripts).
   */
  signal?: AbortSignal;
}

/**
 * Run the selected jobs locally: `make -k -j JOBS -f RUNDIR/Makefile` in `workdir` (target `all`, or the
 * `.done` files of the selected jobs for `rerunFailed`), make's output kept in RUNDIR/make.log.
 * Throws {@link RunError} when make is missing.
 */
export async function runLocal(
  plan: Plan,
  sel: Selection,
  ctx: ScriptContext,
  o: LocalOptions,
): Promise<LocalRun> {
  const rundir = ctx.rundir;
  if (!haveCommand("make", o.env)) throw new RunError("make not found on PATH");
  const targets = o.rerunFailed ? [...sel.selected].map((n) => join(rundir, "status", `${n}.done`)) : ["all"];
  o.onStart?.(`running ${sel.selected.size} job(s) with make -j ${o.jobs} (log ${join(rundir, "make.log")})`);
  const r = await runCommand(
    "make",
    ["-k", "-j", String(o.jobs), "-f", join(rundir, "Makefile"), ...targets],
    { cwd: ctx.workdir, env: o.env, ...(o.signal ? { signal: o.signal } : {}) },
  );
  putFile(o.open, join(rundir, "make.log"), r.stdout + r.stderr);
  return { code: r.code, status: readStatus(plan, rundir) };
}

/**
 * Throw {@link RunError} when a selected job of a local run did not finish (listing each with its state
 * and reason) or when make itself failed.
 */
export function checkLocalRun(run: LocalRun, sel: Selection, rundir: string): void {
  const bad = run.status.filter((s) => sel.selected.has(s.name) && s.state !== "done");
  if (bad.length) {
    throw new RunError(
      `${bad.length} of ${sel.selected.size} job(s) did not finish: ` +
        bad.map((s) => `${s.name} ${s.state}${s.reason ? ` (${s.reason})` : ""}`).join("; "),
    );
  }
  if (run.code !== 0) throw new RunError(`make failed (exit ${run.code}); see ${join(rundir, "make.log")}`);
}
