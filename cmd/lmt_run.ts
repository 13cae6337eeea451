/**
 * lmt_run — reduce many obsnums from a run file: locally with make -j (tiers respected: a combination
 * runs after the obsnums it combines), or on a SLURM cluster (job arrays, dependencies between tiers).
 *
 * Examples:
 *   lmt_run -j 4 project.run                  # local, 4 pipelines at a time; products in ./
 *   lmt_run --dry-run --slurm project.run     # print the sbatch calls
 *   lmt_run --slurm --bundle 4 -t 02:00:00 --partition astro project.run
 *   lmt_run status project.run.lmt_run        # pending/running/done/failed per job
 *   lmt_run --rerun-failed project.run        # run again only what failed
 * @module
 */
import { DataError, defineTool, UsageError } from "../lib/cli/mod.ts";
import { acquireLock, LockBusy } from "../lib/pipeline/lock.ts";
import { mkdirSync } from "../lib/sys/fs.ts";
import * as runfile from "../lib/runfile/mod.ts";
import { resolve } from "../lib/sys/path.ts";

export const tool = defineTool({
  name: "lmt_run",
  summary: "reduce many obsnums from a run file (local make -j or SLURM), tier by tier",
  usage: "lmt_run [options] RUNFILE  |  lmt_run status RUNDIR|RUNFILE  |  lmt_run --rerun-failed RUNFILE",
  description: "A run file has one pipeline job per line (obsnum=N key=value ..., or obsnums=N1,N2 for a " +
    "combination; `SLpipeline.sh` lines accepted); see docs/runfiles.md. Products go to the work directory, " +
    "job scripts, logs and status files to the run directory (default WORKDIR/RUNFILE.lmt_run).",
  options: [
    {
      name: "jobs",
      short: "j",
      type: "int",
      default: navigator.hardwareConcurrency || 1,
      min: 1,
      help: "parallel pipelines (local)",
    },
    {
      name: "workdir",
      short: "w",
      type: "string",
      env: "WORK_LMT",
      help: "where the obsnum directories go [default: .]",
    },
    { name: "rundir", short: "r", type: "string", help: "run directory [default: WORKDIR/RUNFILE.lmt_run]" },
    { name: "path", short: "p", type: "string", env: "DATA_LMT", help: "raw data root" },
    { name: "makefile", type: "string", help: "write the Makefile (and job scripts) here and stop" },
    { name: "slurm", type: "boolean", help: "submit to SLURM instead of running locally" },
    {
      name: "deps",
      type: "string",
      default: "job",
      choices: ["job", "tier"],
      help: "SLURM dependencies: per job, or whole previous tier",
    },
    { name: "bundle", short: "b", type: "int", default: 1, min: 1, help: "jobs per SLURM array task" },
    { name: "partition", type: "string", help: "sbatch --partition" },
    { name: "account", type: "string", help: "sbatch --account" },
    { name: "time", short: "t", type: "string", help: "sbatch --time (e.g. 01:00:00)" },
    { name: "mem", type: "int", min: 1, help: "sbatch --mem in MB [default: estimated per pipeline]" },
    { name: "cpus", type: "int", default: 1, min: 1, help: "sbatch --cpus-per-task" },
    {
      name: "sbatch",
      type: "string",
      repeat: true,
      help: "extra sbatch argument (repeatable), e.g. --sbatch=--qos=long",
    },
    { name: "dry-run", short: "n", type: "boolean", help: "print the plan and the commands; run nothing" },
    { name: "status", short: "s", type: "boolean", help: "show job states of a run directory (or run file)" },
    { name: "json", type: "boolean", help: "status as JSON" },
    { name: "rerun-failed", type: "boolean", help: "run again only the jobs that failed or were blocked" },
    { name: "force", short: "f", type: "boolean", help: "run every job again, also those done" },
  ],
  positionals: [{ name: "args", help: "RUNFILE, or: status RUNDIR|RUNFILE", variadic: true }],
  run: async (opts, ctx) => {
    const args: string[] = opts.args ?? [];
    const env = ctx.env;
    const workdir = resolve(opts.workdir ?? ".");
    const statusMode = opts.status || args[0] === "status";
    const target = args[0] === "status" ? args[1] : args[0];
    if (target === undefined) {
      throw new UsageError(statusMode ? "give the run directory or run file" : "give a run file");
    }
    if (args.length > (args[0] === "status" ? 2 : 1)) {
      throw new UsageError(`unexpected argument ${args[args.length - 1]}`);
    }

    if (statusMode) {
      const st = await runfile.runDirStatus(runfile.statusRunDir(target, workdir, opts.rundir), env);
      ctx.stdout(opts.json ? JSON.stringify(st, null, 1) + "\n" : runfile.formatStatus(st));
      return 0;
    }

    // ---- plan ----------------------------------------------------------------------------------
    const rf = runfile.loadRunfile(await ctx.readText(target), target);
    const root = opts.path;
    if (!root) throw new UsageError("DATA_LMT is not set: export DATA_LMT=/path/to/data_lmt or give -p");
    const plan = await runfile.planRun(rf, root);
    for (const w of plan.warnings) ctx.log.warn(w);
    const rundir = runfile.runDirOf(target, workdir, opts.rundir);
    const sctx = runfile.scriptContext(rundir, workdir, root, env);
    const slurm = runfile.slurmOptions(opts, root, rundir); // the SLURM options are named as SlurmRequest's fields

    const sel = runfile.selectJobs(plan, rundir, { rerunFailed: opts["rerun-failed"], force: opts.force });
    if (opts["rerun-failed"] && sel.selected.size === 0) {
      ctx.stdout("lmt_run: no failed job to run again\n");
      return 0;
    }
    if (opts["dry-run"]) {
      ctx.stdout(runfile.dryRunText(plan, sel, sctx, { jobs: opts.jobs, ...(opts.slurm ? { slurm } : {}) }));
      return 0;
    }

    // ---- one lmt_run per run directory at a time (a second one says who runs it and exits 1) ---------
    mkdirSync(rundir, { recursive: true });
    let lock;
    try {
      lock = acquireLock(rundir, rundir);
    } catch (e) {
      if (e instanceof LockBusy) throw new DataError(e.message);
      throw e;
    }
    try {
      return await runLocked();
    } finally {
      lock.release();
    }

    async function runLocked(): Promise<number> {
      // ---- write the run directory ------------------------------------------------------------------
      // every file lmt_run writes goes through the output door (committed at once: make and sbatch read them)
      const open = ctx.output;
      const mkText = runfile.writeRunDir(plan, sctx, open);
      if (opts.makefile) {
        runfile.writeIfChanged(open, resolve(opts.makefile), mkText);
        ctx.stdout(
          `lmt_run: wrote ${opts.makefile}; run it with: make -k -j ${opts.jobs} -f ${opts.makefile}\n`,
        );
        return 0;
      }
      // jobs of an earlier SLURM submission still queued or running keep their status files: refuse first
      if (opts.slurm) await runfile.checkSlurmFree(rundir, env);
      runfile.resetStatus(rundir, sel, !!opts.force);

      if (opts.slurm) {
        const sub = await runfile.submitSlurm(plan, sel.todo, sctx, slurm, env, open);
        ctx.stdout(
          sub.jobs === 0
            ? `lmt_run: all ${plan.jobs.length} jobs are done (use --force to run them again)\n`
            : runfile.formatSubmitted(sub, rundir),
        );
        return 0;
      }

      // ---- local: make -k -j N (an interrupt of lmt_run reaches make, which stops the running jobs) -----
      const interrupt = new AbortController();
      ctx.onAbort(() => interrupt.abort());
      const run = await runfile.runLocal(plan, sel, sctx, {
        jobs: opts.jobs,
        rerunFailed: opts["rerun-failed"],
        env,
        open,
        onStart: (msg) => ctx.log.info(msg),
        signal: interrupt.signal,
      });
      ctx.stdout(runfile.formatStatus(run.status));
      runfile.checkLocalRun(run, sel, rundir);
      ctx.log.info(`${runfile.summarize(run.status).done} job(s) done`);
      return 0;
    }
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
