/**
 * SLURM submission of a plan: batch scripts (kept in RUNDIR/slurm/ for provenance) and the sbatch
 * argument lists, with dependencies between tiers.
 *
 * Two dependency modes:
 * - `job` (default): tier 1 is one job array per resource class (rsr, seq), `--bundle K` jobs per array
 *   task; each later job is its own sbatch with `--dependency=afterany:` on exactly the array tasks that
 *   hold its inputs, so a failed obsnum delays and blocks only the combinations that use it.
 * - `tier`: every tier is one job array per class, with `--dependency=afterany:` on all arrays of the
 *   previous tier (the LMTOY practice of chaining tiers by hand).
 *
 * `afterany`, not `afterok`: a job script checks its own inputs' status files and refuses to run (with
 * the reason) when one failed, so one bad obsnum never cancels unrelated combinations.
 *
 * @module
 */
import type { Job, Plan } from "./plan.ts";
import type { Pipeline } from "./parse.ts";
import type { ScriptContext } from "./scripts.ts";
import { shQuote } from "./scripts.ts";

/** Options of a SLURM submission. */
export interface SlurmOptions {
  mode: "job" | "tier";
  /** Jobs per array task (>= 1). */
  bundle: number;
  partition?: string;
  account?: string;
  /** sbatch --time value. */
  time?: string;
  /** Extra sbatch arguments, passed on the command line. */
  extra: string[];
  cpus: number;
  /** Memory per job in MB (estimated per pipeline by the caller). */
  memMB: (job: Job) => number;
  /** Short name used in the SLURM job names. */
  runName: string;
}

/** One sbatch call. */
export interface Submission {
  /** Key within the run: `t1-rsr`, `t2-91001_91003`. */
  key: string;
  tier: number;
  /** Job names per array task (one entry when not an array). */
  tasks: string[][];
  array: boolean;
  memMB: number;
  /** Dependencies: other submissions (whole) or one of their array tasks. */
  deps: { key: string; task?: number }[];
  /** Batch script text. */
  script: string;
  /** File name of the script inside RUNDIR/slurm/. */
  scriptName: string;
}

/** Memory estimate (MB) of one job from its pipeline and the size of its raw files. */
export function estimateMemMB(pipeline: Pipeline | null, rawBytes: number): number {
  if (pipeline === "seq") return Math.ceil((1200 + (4 * rawBytes) / 1e6) / 100) * 100;
  return 1200;
}

function batchScript(
  sub: Omit<Submission, "script" | "scriptName">,
  ctx: ScriptContext,
  o: SlurmOptions,
): string {
  const L = `${ctx.rundir}/logs`;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=lmt_run.${o.runName}.${sub.key}`,
    `#SBATCH --output=${L}/slurm-${sub.array ? "%A_%a" : "%j"}.out`,
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${o.cpus}`,
    `#SBATCH --mem=${sub.memMB}M`,
    `#SBATCH --chdir=${ctx.workdir}`,
  ];
  if (o.partition) lines.push(`#SBATCH --partition=${o.partition}`);
  if (o.account) lines.push(`#SBATCH --account=${o.account}`);
  if (o.time) lines.push(`#SBATCH --time=${o.time}`);
  lines.push(`# lmt_run ${sub.key}: tier ${sub.tier}, ${sub.tasks.length} task(s)`);
  lines.push('case "${SLURM_ARRAY_TASK_ID:-0}" in');
  sub.tasks.forEach((t, i) => lines.push(`  ${i}) jobs="${t.join(" ")}" ;;`));
  lines.push('  *) echo "lmt_run: no task ${SLURM_ARRAY_TASK_ID}" >&2; exit 2 ;;', "esac");
  lines.push(
    "rc=0",
    `for j in $jobs; do bash ${shQuote(ctx.rundir + "/jobs")}/"$j".sh || rc=$?; done`,
    "exit $rc",
  );
  return lines.join("\n") + "\n";
}

/**
 * The submissions for the jobs in `run` (names; jobs not in it are done and need no dependency), in
 * submission order.
 */
export function slurmPlan(
  plan: Plan,
  run: ReadonlySet<string>,
  ctx: ScriptContext,
  o: SlurmOptions,
): Submission[] {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const subs: Submission[] = [];
  const where = new Map<string, { key: string; task: number }>();
  const bundle = Math.max(1, Math.floor(o.bundle));
  const tierKeys: string[][] = [];
  const make = (s: Omit<Submission, "script" | "scriptName">) => {
    const full: Submission = { ...s, script: batchScript(s, ctx, o), scriptName: `${s.key}.sh` };
    subs.push(full);
    (tierKeys[s.tier] ??= []).push(s.key);
    s.tasks.forEach((t, i) => t.forEach((n) => where.set(n, { key: s.key, task: i })));
  };
  const prevTierDeps = (tier: number) => {
    for (let t = tier - 1; t >= 1; t--) if (tierKeys[t]?.length) return tierKeys[t]!.map((key) => ({ key }));
    return [];
  };
  plan.tiers.forEach((names, ti) => {
    const tier = ti + 1;
    const todo = names.filter((n) => run.has(n)).map((n) => byName.get(n)!);
    if (todo.length === 0) return;
    if (tier === 1 || o.mode === "tier") {
      const classes = new Map<string, Job[]>();
      for (const j of todo) {
        const c = j.pipeline ?? "rsr";
        if (!classes.has(c)) classes.set(c, []);
        classes.get(c)!.push(j);
      }
      const deps = tier === 1 ? [] : prevTierDeps(tier);
      for (const [c, js] of classes) {
        const tasks: string[][] = [];
        for (let i = 0; i < js.length; i += bundle) tasks.push(js.slice(i, i + bundle).map((j) => j.name));
        make({
          key: `t${tier}-${c}`,
          tier,
          tasks,
          array: true,
          memMB: Math.max(...js.map((j) => o.memMB(j))),
          deps,
        });
      }
    } else {
      for (const j of todo) {
        const deps: { key: string; task?: number }[] = [];
        for (const d of j.deps) {
          const w = where.get(d);
          if (w && !deps.some((x) => x.key === w.key && x.task === w.task)) deps.push(w);
        }
        if (j.explicitTier !== undefined) {
          for (const d of prevTierDeps(tier)) {
            if (!deps.some((x) => x.key === d.key && x.task === undefined)) deps.push(d);
          }
        }
        make({ key: `t${tier}-${j.name}`, tier, tasks: [[j.name]], array: false, memMB: o.memMB(j), deps });
      }
    }
  });
  return subs;
}

/**
 * sbatch arguments of a submission given the ids of those already submitted (`key` → SLURM job id).
 * The script path comes last.
 */
export function sbatchArgs(
  sub: Submission,
  ids: ReadonlyMap<string, string>,
  scriptPath: string,
  o: SlurmOptions,
): string[] {
  const args = ["--parsable"];
  if (sub.array) args.push(`--array=0-${sub.tasks.length - 1}`);
  if (sub.deps.length > 0) {
    const refs = sub.deps.map((d) => {
      const id = ids.get(d.key);
      if (id === undefined) throw new Error(`internal: ${d.key} not submitted before ${sub.key}`);
      return d.task === undefined ? id : `${id}_${d.task}`;
    });
    args.push(`--dependency=afterany:${refs.join(":")}`);
  }
  args.push(...o.extra, scriptPath);
  return args;
}

/** SLURM ids of every job of the submissions: `ID_TASK` for array tasks, `ID` otherwise. */
export function jobSlurmIds(
  subs: readonly Submission[],
  ids: ReadonlyMap<string, string>,
): Record<string, string> {
  const r: Record<string, string> = {};
  for (const s of subs) {
    const id = ids.get(s.key);
    if (id === undefined) continue;
    s.tasks.forEach((t, i) => t.forEach((n) => (r[n] = s.array ? `${id}_${i}` : id)));
  }
  return r;
}
