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
 * `.failed` (key=value lines `job start end rc host pid slurm_job_id slurm_task reason`). Exit status =
 * pipeline's. The text does not depend on the time of generation, so a regenerated unchanged script
 * keeps its mtime.
 *
 * Status files follow the toolkit's output door (lib/cli `ctx.output`), in bash: each is written to a
 * temporary `.NAME.KIND.PID.RAND.tmp` beside it and renamed into place, so a reader sees a whole file or
 * none. The order of the renames and removals keeps one state visible at every moment: `.running` is in
 * place before an old `.done`/`.failed` is removed, and `.done` or `.failed` before `.running` is
 * removed; `.done` and `.failed` never exist together. SIGTERM (make passing on lmt_run's interrupt,
 * scancel, a SLURM time limit), SIGINT and SIGHUP stop the pipeline (SIGTERM; it removes its own
 * temporary files) and end the job as `.failed` with rc 128+signal; the script removes its own temporary
 * files when it ends, and those of an earlier run of the job killed by SIGKILL when it starts.
 *
 * The one file not written that way is the pipeline's log, `logs/NAME.log`: it is a stream, appended to
 * while the pipeline runs, so that `tail -f` shows the progress and a job that is killed or fails still
 * leaves what it printed (the failure's reason is read from it). It is never a temporary file: it is the
 * log of the last run of the job, replaced when the job runs again. (SLURM's own `logs/slurm-*.out` is
 * likewise a stream, written by SLURM.)
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
    `HEAD=$(printf 'job=%s\\nstart=%s\\nhost=%s\\npid=%s\\nslurm_job_id=%s\\nslurm_task=%s' "$N" "$(now)" "$(hostname)" "$$" ` +
      `"\${SLURM_JOB_ID:-}" "\${SLURM_ARRAY_JOB_ID:+\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID:-}}")`,
    "put() {  # KIND < text: the status file $S/$N.KIND, through a temporary file renamed into place",
    '  local t="$S/.$N.$1.$$.$RANDOM.tmp"',
    '  cat > "$t" && mv -f "$t" "$S/$N.$1"',
    "}",
    "finish() {  # rc reason [extra key=value line]: .done (rc 0) or .failed, then no .running",
    "  trap '' INT TERM HUP",
    "  local kind=failed other=done",
    '  [ "$1" = 0 ] && kind=done other=failed',
    '  rm -f "$S/$N.$other"',
    '  { echo "$HEAD"; echo "end=$(now)"; echo "rc=$1"; echo "reason=$2"; [ $# -gt 2 ] && echo "$3"; } | put "$kind"',
    '  rm -f "$S/$N.running" "$S/.$N".*."$$".*.tmp',
    "}",
    "child=",
    "stop() {  # rc signal: stop the pipeline, end as failed",
    "  trap '' INT TERM HUP",
    '  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi',
    '  finish "$1" "killed by $2"',
    '  exit "$1"',
    "}",
    "trap 'stop 130 SIGINT' INT",
    "trap 'stop 143 SIGTERM' TERM",
    "trap 'stop 129 SIGHUP' HUP",
    'mkdir -p "$S" "$(dirname "$LOG")"',
    'rm -f "$S/.$N".{done,failed,running}.*.tmp  # left by an earlier run of this job killed with SIGKILL',
    'echo "$HEAD" | put running',
    'rm -f "$S/$N.done" "$S/$N.failed"',
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
    // the pipeline runs in the background and the script waits for it: a trapped signal interrupts
    // `wait` at once (it would wait for a foreground command to end first)
    lines.push(
      `cd ${shQuote(ctx.workdir)} || { finish 1 "cannot cd to the work directory"; exit 1; }`,
      `echo "# $(date -u +%Y-%m-%dT%H:%M:%S) $(hostname): ${
        pipelineCommand(job, ctx.toolkit).replace(/[`"$\\]/g, "\\$&")
      }" > "$LOG"`,
      `${pipelineCommand(job, ctx.toolkit)} >> "$LOG" 2>&1 &`,
      "child=$!",
      'wait "$child"',
      "rc=$?",
      "child=",
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
 * The `.done` files are precious: an interrupted make leaves them to the job scripts.
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
  // make interrupted (lmt_run's SIGTERM, ^C) deletes the targets of recipes still running whose file
  // changed; a `.done` belongs to its job script (written by rename when the pipeline succeeded), so make
  // must never remove one, also not one written just before the interrupt
  out.push(`.PRECIOUS: ${plan.jobs.map((j) => `${S}/${j.name}.done`).join(" ")}`);
  out.push("");
  for (const j of plan.jobs) {
    const pre = [`$(J)/${j.name}.sh`, ...j.deps.map((d) => `${S}/${d}.done`)];
    const orderOnly = j.explicitTier !== undefined && j.tier > 1 ? ` | tier${j.tier - 1}` : "";
    out.push(`${S}/${j.name}.done: ${pre.join(" ")}${orderOnly}`, `\t-@bash $(J)/${j.name}.sh`);
  }
  return out.join("\n") + "\n";
}
