/**
 * What a run directory holds and how it is generated: one bash script per job (`jobs/NAME.sh`, run the
 * same way by make and by SLURM), the Makefile for local parallel runs, and the plan (`plan.json`).
 *
 * Run directory layout:
 * ```
 * RUNDIR/plan.json            the resolved plan (jobs, tiers, pipeline commands)
 * RUNDIR/Makefile             local execution: make -k -j N
 * RUNDIR/jobs/NAME.sh         one job: check inputs, run the pipeline, write its status file
 * RUNDIR/logs/NAME.log        the pipeline's make output
 * RUNDIR/status/NAME.running  | NAME.done | NAME.failed   (key=value lines: start, end, rc, host, reason ...)
 * RUNDIR/slurm/               batch scripts, submit.log and submitted.json (SLURM only)
 * ```
 *
 * @module
 */
import type { Job, Plan } from "./plan.ts";

/** Where things are, for script generation. */
export interface ScriptContext {
  /** Absolute run directory. */
  rundir: string;
  /** Absolute directory where the pipelines write their obsnum directories. */
  workdir: string;
  /** Absolute toolkit root (has bin/ and scripts/). */
  toolkit: string;
  /** Environment pinned into every job script (DATA_LMT, CORR_CAL_DIR, WORK_LMT when set). */
  env: Record<string, string>;
}

/** Quote a word for bash (single quotes). */
export function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The pipeline command of a job, as run in the work directory: SLpipeline with the job's `key=value` words as
 * separate, quoted words (their values already passed the parameter grammar when the plan was made), products
 * in ./NAME/ (`--here`).
 */
export function pipelineCommand(job: Job, toolkit: string): string {
  if (job.pipeline === null) return "";
  return [`${toolkit}/bin/SLpipeline`, "--here", ...job.makeArgs].map(shQuote).join(" ");
}

/**
 * The bash script of one job. It refuses to start when an input job has no `.done` status (writing
 * `.failed` with `blocked_by=`), runs the pipeline into `logs/NAME.log`, and ends with `.done` or
 * `.failed` (key=value lines `job start end rc host slurm_job_id reason`). Exit status = pipeline's.
 * The text does not depend on the time of generation, so a regenerated unchanged script keeps its mtime.
 */
export function jobScript(job: Job, ctx: ScriptContext): string {
  const S = `${ctx.rundir}/status`;
  const L = `${ctx.rundir}/logs/${job.name}.log`;
  const lines: string[] = [
    "#!/bin/bash",
    `# lmt_run job ${job.name}: ${job.origin}, tier ${job.tier}, ${job.pipeline ?? "unknown"} pipeline`,
    "set -u",
    "unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES",
    `export PATH=${shQuote(ctx.toolkit + "/bin")}:"$PATH"`,
    "export LMT_SIDECAR=1",
  ];
  for (const [k, v] of Object.entries(ctx.env).sort()) lines.push(`export ${k}=${shQuote(v)}`);
  lines.push(
    `S=${shQuote(S)}`,
    `N=${shQuote(job.name)}`,
    `LOG=${shQuote(L)}`,
    "now() { date -u +%s.%N; }",
    'mkdir -p "$S" "$(dirname "$LOG")"',
    'rm -f "$S/$N.done" "$S/$N.failed"',
    `printf 'job=%s\\nstart=%s\\nhost=%s\\npid=%s\\nslurm_job_id=%s\\nslurm_task=%s\\n' "$N" "$(now)" "$(hostname)" "$$" ` +
      `"\${SLURM_JOB_ID:-}" "\${SLURM_ARRAY_JOB_ID:+\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID:-}}" > "$S/$N.running"`,
    "finish() {  # rc reason [extra key=value lines]",
    '  { cat "$S/$N.running"; echo "end=$(now)"; echo "rc=$1"; echo "reason=$2"; [ $# -gt 2 ] && echo "$3"; } > "$S/$N.status.tmp"',
    '  if [ "$1" = 0 ]; then mv "$S/$N.status.tmp" "$S/$N.done"; else mv "$S/$N.status.tmp" "$S/$N.failed"; fi',
    '  rm -f "$S/$N.running"',
    "}",
  );
  for (const d of job.deps) {
    lines.push(
      `if [ ! -f "$S/${d}.done" ]; then`,
      `  finish 3 ${shQuote(`not run: input ${d} did not finish successfully`)} blocked_by=${d}`,
      "  exit 3",
      "fi",
    );
  }
  if (job.pipeline === null) {
    lines.push(
      `echo ${shQuote(job.pipelineError ?? "unknown pipeline")} > "$LOG"`,
      `finish 1 ${shQuote(job.pipelineError ?? "unknown pipeline")}`,
      "exit 1",
    );
  } else {
    lines.push(
      `cd ${shQuote(ctx.workdir)} || { finish 1 "cannot cd to the work directory"; exit 1; }`,
      `echo "# $(date -u +%Y-%m-%dT%H:%M:%S) $(hostname): ${
        pipelineCommand(job, ctx.toolkit).replace(/[`"$\\]/g, "\\$&")
      }" > "$LOG"`,
      `${pipelineCommand(job, ctx.toolkit)} >> "$LOG" 2>&1`,
      "rc=$?",
      'if [ $rc = 0 ]; then finish 0 ""; else',
      "  why=$(grep -v '^make' \"$LOG\" | grep -v '^#' | grep -E '^[A-Za-z0-9_.-]+: ' | tail -n 1)",
      '  [ -n "$why" ] || why=$(tail -n 1 "$LOG")',
      '  finish "$rc" "pipeline failed (exit $rc): $why; log $LOG"',
      "fi",
      "exit $rc",
    );
  }
  return lines.join("\n") + "\n";
}

/** Status file path of a job. */
export function statusPath(rundir: string, name: string, kind: "done" | "failed" | "running"): string {
  return `${rundir}/status/${name}.${kind}`;
}

/**
 * The Makefile of local execution: target `status/NAME.done` per job, prerequisites = the job's
 * script and its inputs' `.done` (so changed parameters or re-run inputs redo it); jobs of an explicit
 * tier also wait (order-only) for the previous tier. Recipes are prefixed `-`: a failed job never stops
 * make, and dependents decide for themselves (they refuse to run and say why). Targets `all`, `tierN`.
 */
export function makefileText(plan: Plan, ctx: ScriptContext): string {
  const S = "$(S)";
  const out: string[] = [
    `# generated by lmt_run from ${plan.source}; run: make -k -j N -f THIS_FILE [all|tier1|...|status/NAME.done]`,
    "SHELL := /bin/bash",
    ".SUFFIXES:",
    `S := ${ctx.rundir}/status`,
    `J := ${ctx.rundir}/jobs`,
    "",
    `.PHONY: all ${plan.tiers.map((_, i) => `tier${i + 1}`).join(" ")}`,
    `all: ${plan.tiers.map((_, i) => `tier${i + 1}`).join(" ")}`,
  ];
  plan.tiers.forEach((names, i) => {
    out.push(`tier${i + 1}: ${names.map((n) => `${S}/${n}.done`).join(" ")}`);
  });
  out.push("");
  for (const j of plan.jobs) {
    const pre = [`$(J)/${j.name}.sh`, ...j.deps.map((d) => `${S}/${d}.done`)];
    const orderOnly = j.explicitTier !== undefined && j.tier > 1 ? ` | tier${j.tier - 1}` : "";
    out.push(`${S}/${j.name}.done: ${pre.join(" ")}${orderOnly}`, `\t-@bash $(J)/${j.name}.sh`);
  }
  return out.join("\n") + "\n";
}
