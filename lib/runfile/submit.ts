/**
 * SLURM submission of a plan, as lmt_run does it: the sbatch options of a run (memory estimated from the
 * raw data), the sbatch calls of `--dry-run`, the submission itself (batch scripts, submit.log and
 * submitted.json written through the output door) and the queue as squeue shows it. The batch scripts
 * and sbatch arguments themselves are made by slurm.ts.
 * @module
 */
import { mkdirSync, readFileSync } from "../sys/fs.ts";
import { basename, join } from "../sys/path.ts";
import { RunError } from "./errors.ts";
import { appendLog, type OpenOutput, writeIfChanged } from "./output.ts";
import type { Plan } from "./plan.ts";
import { haveCommand, runCommand } from "./proc.ts";
import { rawBytes } from "./resources.ts";
import { type ScriptContext, shQuote } from "./scripts.ts";
import {
  estimateMemMB,
  jobSlurmIds,
  sbatchArgs,
  type SlurmOptions,
  slurmPlan,
  type Submission,
} from "./slurm.ts";
import { parseSqueue, type QueueEntry } from "./status.ts";

/** Job name → SLURM id of the submissions made from `rundir` (slurm/submitted.json; empty when none). */
export function submittedIds(rundir: string): Record<string, string> {
  const path = join(rundir, "slurm", "submitted.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The SLURM queue (`squeue -h -r -t all`), or undefined when squeue is missing or fails. */
export async function queue(env: Record<string, string>): Promise<Map<string, QueueEntry> | undefined> {
  if (!haveCommand("squeue", env)) return undefined;
  const r = await runCommand("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%r"], { env });
  return r.code === 0 ? parseSqueue(r.stdout) : undefined;
}

/** SLURM choices of the command line (lmt_run's options of the same names). */
export interface SlurmRequest {
  deps: "job" | "tier";
  bundle: number;
  /** Extra sbatch arguments. */
  sbatch?: string[] | undefined;
  cpus: number;
  /** Memory per job in MB; estimated per job from its raw data when absent. */
  mem?: number | undefined;
  partition?: string | undefined;
  account?: string | undefined;
  time?: string | undefined;
}

/** {@link SlurmOptions} of a run: memory estimated from the raw files under `root`, job names from `rundir`. */
export function slurmOptions(req: SlurmRequest, root: string, rundir: string): SlurmOptions {
  return {
    mode: req.deps,
    bundle: req.bundle,
    extra: req.sbatch ?? [],
    cpus: req.cpus,
    memMB: (j) => req.mem ?? estimateMemMB(j.pipeline, rawBytes(root, j)),
    runName: basename(rundir).replace(/\.lmt_run$/, ""),
    ...(req.partition ? { partition: req.partition } : {}),
    ...(req.account ? { account: req.account } : {}),
    ...(req.time ? { time: req.time } : {}),
  };
}

/** The sbatch calls of `--dry-run` for the jobs `run` (names), shell variables standing for the job ids. */
export function sbatchDryRun(
  plan: Plan,
  run: readonly string[],
  ctx: ScriptContext,
  o: SlurmOptions,
): string {
  const subs = slurmPlan(plan, new Set(run), ctx, o);
  const varName = (key: string) => `JOB_${key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`;
  const ids = new Map(subs.map((s) => [s.key, `\${${varName(s.key)}}`]));
  let text = "";
  for (const s of subs) {
    const a = sbatchArgs(s, ids, join(ctx.rundir, "slurm", s.scriptName), o);
    text +=
      `${varName(s.key)}=$(sbatch ${a.map((x) => (x.includes("$") ? `"${x}"` : shQuote(x))).join(" ")})` +
      `   # ${s.tasks.map((t) => t.join("+")).join(" ")}  mem ${s.memMB}M\n`;
  }
  return text;
}

/**
 * Check that a SLURM submission from `rundir` can start: sbatch is on the PATH and no job of an earlier
 * submission is still queued or running (their status files must not be reset under them). Returns the
 * ids of the earlier submissions (slurm/submitted.json). Throws {@link RunError} otherwise.
 */
export async function checkSlurmFree(
  rundir: string,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  if (!haveCommand("sbatch", env)) {
    throw new RunError("sbatch not found on PATH (no SLURM here; run without --slurm)");
  }
  const old = submittedIds(rundir);
  const q = Object.keys(old).length ? await queue(env) : undefined;
  const active = q === undefined ? [] : Object.entries(old).filter(([, id]) => {
    const s = q.get(id)?.state;
    return s === "PENDING" || s === "RUNNING" || s === "CONFIGURING";
  });
  if (active.length) {
    throw new RunError(
      `${rundir}: jobs of an earlier submission are still queued (${
        active.map(([n, id]) => `${n}=${id}`).join(", ")
      }); wait for them or scancel them`,
    );
  }
  return old;
}

/** Result of a SLURM submission. */
export interface SlurmSubmitted {
  /** The sbatch calls made, in order (empty when every job was done). */
  subs: Submission[];
  /** Submission key → SLURM job id. */
  ids: Map<string, string>;
  /** Number of jobs submitted. */
  jobs: number;
}

/**
 * Submit the jobs `run` (names) with sbatch (in `ctx.workdir`), tier after tier with dependencies. Batch scripts
 * go to RUNDIR/slurm/, the sbatch calls to slurm/submit.log and the job ids to slurm/submitted.json, all
 * through the output door `open`.
 * Throws {@link RunError} when sbatch is missing, when jobs of an earlier submission are still queued
 * ({@link checkSlurmFree}), or when an sbatch call fails (naming what was already submitted, whose ids are
 * recorded).
 */
export async function submitSlurm(
  plan: Plan,
  run: readonly string[],
  ctx: ScriptContext,
  o: SlurmOptions,
  env: Record<string, string>,
  open: OpenOutput,
): Promise<SlurmSubmitted> {
  const rundir = ctx.rundir;
  const old = await checkSlurmFree(rundir, env);
  const ids = new Map<string, string>();
  const todo = new Set(run);
  if (todo.size === 0) return { subs: [], ids, jobs: 0 };
  mkdirSync(join(rundir, "slurm"), { recursive: true });
  const subs = slurmPlan(plan, todo, ctx, o);
  const logLines: string[] = [];
  const submitLog = join(rundir, "slurm", "submit.log");
  // the ids of what was submitted, also when a later sbatch fails (lmt_run status follows those jobs)
  const recordIds = () =>
    writeIfChanged(
      open,
      join(rundir, "slurm", "submitted.json"),
      JSON.stringify({ ...old, ...jobSlurmIds(subs, ids) }, null, 1) + "\n",
    );
  for (const s of subs) {
    const path = join(rundir, "slurm", s.scriptName);
    writeIfChanged(open, path, s.script, 0o755);
    const a = sbatchArgs(s, ids, path, o);
    const r = await runCommand("sbatch", a, { cwd: ctx.workdir, env });
    const m = r.stdout.trim().match(/^(\d+)/);
    if (r.code !== 0 || !m) {
      appendLog(open, submitLog, logLines.join("") + `sbatch ${a.join(" ")}\n# FAILED: ${r.stderr.trim()}\n`);
      recordIds();
      throw new RunError(
        `sbatch of ${s.key} failed: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}` +
          (ids.size ? ` (already submitted: ${[...ids].map(([k, v]) => `${k}=${v}`).join(", ")})` : ""),
      );
    }
    ids.set(s.key, m[1]!);
    logLines.push(
      `# ${new Date().toISOString().slice(0, 19)} ${s.key} -> ${m[1]}\nsbatch ${a.map(shQuote).join(" ")}\n`,
    );
  }
  appendLog(open, submitLog, logLines.join(""));
  recordIds();
  return { subs, ids, jobs: todo.size };
}

/** One line per sbatch call (`key: id (array 0-N) after id_task,...`) and a closing summary line. */
export function formatSubmitted(r: SlurmSubmitted, rundir: string): string {
  const { subs, ids } = r;
  return subs.map((s) =>
    `${s.key}: ${ids.get(s.key)}${s.array ? ` (array 0-${s.tasks.length - 1})` : ""}` +
    (s.deps.length
      ? ` after ${
        s.deps.map((d) => (d.task === undefined ? ids.get(d.key) : `${ids.get(d.key)}_${d.task}`)).join(",")
      }`
      : "")
  ).join("\n") +
    `\nlmt_run: submitted ${r.jobs} job(s) in ${subs.length} sbatch call(s); watch: lmt_run status ${rundir}\n`;
}
