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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DataError, defineTool, UsageError } from "../lib/cli/mod.ts";
import { obsInfo } from "../lib/lmt/info.ts";
import {
  buildPlan,
  estimateMemMB,
  formatStatus,
  jobScript,
  jobSlurmIds,
  makefileParams,
  makefileText,
  parseRunfile,
  parseSqueue,
  type Pipeline,
  type Plan,
  rawBytes,
  readStatus,
  sbatchArgs,
  type ScriptContext,
  shQuote,
  type SlurmOptions,
  slurmPlan,
  summarize,
} from "../lib/runfile/mod.ts";

const TOOLKIT = resolve(new URL("..", import.meta.url).pathname);

function writeIfChanged(path: string, text: string, mode?: number): void {
  try {
    if (readFileSync(path, "utf8") === text) return;
  } catch { /* new file */ }
  const tmp = `${path}.tmp${Deno.pid}`;
  writeFileSync(tmp, text, mode !== undefined ? { mode } : {});
  Deno.renameSync(tmp, path);
}

async function runCmd(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function haveCommand(name: string, env: Record<string, string>): boolean {
  for (const d of (env.PATH ?? "").split(":")) {
    if (d && existsSync(join(d, name))) return true;
  }
  return false;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

async function queue(env: Record<string, string>) {
  if (!haveCommand("squeue", env)) return undefined;
  const r = await runCmd("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%r"], { env });
  return r.code === 0 ? parseSqueue(r.stdout) : undefined;
}

function describePlan(plan: Plan, ctx: ScriptContext): string {
  const out: string[] = [
    `# plan of ${plan.source}: ${plan.jobs.length} jobs in ${plan.tiers.length} tier(s)`,
  ];
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  plan.tiers.forEach((names, i) => {
    out.push(`tier ${i + 1}:`);
    for (const n of names) {
      const j = byName.get(n)!;
      const after = j.deps.length ? `  [after ${j.deps.join(",")}]` : "";
      const cmd = j.pipeline === null
        ? `(fails: ${j.pipelineError})`
        : pipelineCmdText(j.makeArgs, j.pipeline, ctx);
      out.push(`  ${n.padEnd(14)} ${cmd}${after}${j.implicit ? "  (implicit)" : ""}`);
    }
  });
  return out.join("\n") + "\n";
}

function pipelineCmdText(args: string[], p: Pipeline, ctx: ScriptContext): string {
  return ["make", "-f", `${ctx.toolkit}/scripts/${p}.mk`, ...args].map(shQuote).join(" ");
}

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
    const rundirOf = (rf: string) =>
      resolve(opts.rundir ?? join(workdir, `${rf === "-" ? "stdin" : basename(rf)}.lmt_run`));

    if (statusMode) {
      const rundir = existsSync(join(target, "plan.json")) ? resolve(target) : rundirOf(target);
      const plan = readJson<Plan>(join(rundir, "plan.json"));
      if (!plan) throw new DataError(`${rundir}: no plan.json (not an lmt_run run directory, or never run)`);
      const ids = readJson<Record<string, string>>(join(rundir, "slurm", "submitted.json")) ?? {};
      const q = Object.keys(ids).length ? await queue(env) : undefined;
      const st = readStatus(plan, rundir, ids, q);
      ctx.stdout(opts.json ? JSON.stringify(st, null, 1) + "\n" : formatStatus(st));
      return 0;
    }

    // ---- plan ----------------------------------------------------------------------------------
    const text = await ctx.readText(target);
    const rf = parseRunfile(text, target);
    if (rf.lines.length === 0) throw new DataError(`${target}: no job lines`);
    const root = opts.path;
    if (!root) throw new UsageError("DATA_LMT is not set: export DATA_LMT=/path/to/data_lmt or give -p");
    const knownParams: Partial<Record<Pipeline, string[]>> = {};
    for (const p of ["rsr", "seq"] as const) {
      const mk = join(TOOLKIT, "scripts", `${p}.mk`);
      if (existsSync(mk)) knownParams[p] = makefileParams(readFileSync(mk, "utf8"));
    }
    const plan = await buildPlan(rf, {
      infer: async (o) => {
        const i = await obsInfo(root, o);
        return i.instrument === "RSR" ? "rsr" : "seq";
      },
      knownParams,
    });
    for (const w of plan.warnings) ctx.log.warn(w);
    const rundir = rundirOf(target);
    const pinned: Record<string, string> = { DATA_LMT: resolve(root) };
    for (const k of ["CORR_CAL_DIR"]) if (env[k]) pinned[k] = env[k]!;
    const sctx: ScriptContext = { rundir, workdir, toolkit: TOOLKIT, env: pinned };

    const slurmOpts: SlurmOptions = {
      mode: opts.deps as "job" | "tier",
      bundle: opts.bundle,
      extra: opts.sbatch ?? [],
      cpus: opts.cpus,
      memMB: (j) => opts.mem ?? estimateMemMB(j.pipeline, rawBytes(root, j)),
      runName: basename(rundir).replace(/\.lmt_run$/, ""),
      ...(opts.partition ? { partition: opts.partition } : {}),
      ...(opts.account ? { account: opts.account } : {}),
      ...(opts.time ? { time: opts.time } : {}),
    };

    // which jobs to run
    const prevStatus = existsSync(join(rundir, "status")) ? readStatus(plan, rundir) : [];
    let selected = new Set(plan.jobs.map((j) => j.name));
    if (opts["rerun-failed"]) {
      if (!existsSync(join(rundir, "plan.json"))) {
        throw new DataError(`${rundir}: nothing ran yet (no plan.json)`);
      }
      selected = new Set(
        prevStatus.filter((s) => s.state === "failed" || s.state === "blocked").map((s) => s.name),
      );
      if (selected.size === 0) {
        ctx.stdout("lmt_run: no failed job to run again\n");
        return 0;
      }
    }
    const upToDate = (n: string) => {
      const s = prevStatus.find((x) => x.name === n);
      return !opts.force && s?.state === "done" && !s.stale;
    };

    if (opts["dry-run"]) {
      let text = describePlan(plan, sctx);
      const todo = [...selected].filter((n) => !upToDate(n));
      text += `# run directory ${rundir}; ${todo.length} job(s) to run\n`;
      if (opts.slurm) {
        const subs = slurmPlan(plan, new Set(todo), sctx, slurmOpts);
        const ids = new Map(
          subs.map((s) => [s.key, `\${JOB_${s.key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}}`]),
        );
        for (const s of subs) {
          const a = sbatchArgs(s, ids, join(rundir, "slurm", s.scriptName), slurmOpts);
          text +=
            `JOB_${s.key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}=$(sbatch ${
              a.map((x) => (x.includes("$") ? `"${x}"` : shQuote(x))).join(" ")
            })` +
            `   # ${s.tasks.map((t) => t.join("+")).join(" ")}  mem ${s.memMB}M\n`;
        }
      } else {
        text += `make -k -j ${opts.jobs} -f ${join(rundir, "Makefile")}\n`;
      }
      ctx.stdout(text);
      return 0;
    }

    // ---- write the run directory ------------------------------------------------------------------
    for (const d of ["jobs", "logs", "status"]) mkdirSync(join(rundir, d), { recursive: true });
    writeIfChanged(join(rundir, "plan.json"), JSON.stringify(plan, null, 1) + "\n");
    for (const j of plan.jobs) {
      writeIfChanged(join(rundir, "jobs", `${j.name}.sh`), jobScript(j, sctx), 0o755);
    }
    const mkText = makefileText(plan, sctx);
    writeIfChanged(join(rundir, "Makefile"), mkText);
    if (opts.makefile) {
      writeIfChanged(resolve(opts.makefile), mkText);
      ctx.stdout(
        `lmt_run: wrote ${opts.makefile}; run it with: make -k -j ${opts.jobs} -f ${opts.makefile}\n`,
      );
      return 0;
    }
    if (opts.force) {
      for (const n of selected) rmSync(join(rundir, "status", `${n}.done`), { force: true });
    }
    for (const n of selected) {
      if (!upToDate(n)) {
        rmSync(join(rundir, "status", `${n}.failed`), { force: true });
        rmSync(join(rundir, "status", `${n}.running`), { force: true });
      }
    }

    if (opts.slurm) {
      if (!haveCommand("sbatch", env)) {
        throw new DataError("sbatch not found on PATH (no SLURM here; run without --slurm)");
      }
      const idsFile = join(rundir, "slurm", "submitted.json");
      const old = readJson<Record<string, string>>(idsFile) ?? {};
      const q = Object.keys(old).length ? await queue(env) : undefined;
      if (q) {
        const active = Object.entries(old).filter(([, id]) => {
          const s = q.get(id)?.state;
          return s === "PENDING" || s === "RUNNING" || s === "CONFIGURING";
        });
        if (active.length) {
          throw new DataError(
            `${rundir}: jobs of an earlier submission are still queued (${
              active.map(([n, id]) => `${n}=${id}`).join(", ")
            }); ` +
              "wait for them or scancel them",
          );
        }
      }
      const todo = new Set([...selected].filter((n) => !upToDate(n)));
      if (todo.size === 0) {
        ctx.stdout(`lmt_run: all ${plan.jobs.length} jobs are done (use --force to run them again)\n`);
        return 0;
      }
      mkdirSync(join(rundir, "slurm"), { recursive: true });
      const subs = slurmPlan(plan, todo, sctx, slurmOpts);
      const ids = new Map<string, string>();
      const logLines: string[] = [];
      for (const s of subs) {
        const path = join(rundir, "slurm", s.scriptName);
        writeIfChanged(path, s.script, 0o755);
        const a = sbatchArgs(s, ids, path, slurmOpts);
        const r = await runCmd("sbatch", a, { cwd: workdir, env });
        const m = r.stdout.trim().match(/^(\d+)/);
        if (r.code !== 0 || !m) {
          writeFileSync(
            join(rundir, "slurm", "submit.log"),
            logLines.join("") + `sbatch ${a.join(" ")}\n# FAILED: ${r.stderr.trim()}\n`,
            { flag: "a" },
          );
          throw new DataError(
            `sbatch of ${s.key} failed: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}` +
              (ids.size ? ` (already submitted: ${[...ids].map(([k, v]) => `${k}=${v}`).join(", ")})` : ""),
          );
        }
        ids.set(s.key, m[1]!);
        logLines.push(
          `# ${new Date().toISOString().slice(0, 19)} ${s.key} -> ${m[1]}\nsbatch ${
            a.map(shQuote).join(" ")
          }\n`,
        );
      }
      writeFileSync(join(rundir, "slurm", "submit.log"), logLines.join(""), { flag: "a" });
      writeIfChanged(idsFile, JSON.stringify({ ...old, ...jobSlurmIds(subs, ids) }, null, 1) + "\n");
      ctx.stdout(
        subs.map((s) =>
          `${s.key}: ${ids.get(s.key)}${s.array ? ` (array 0-${s.tasks.length - 1})` : ""}` +
          (s.deps.length
            ? ` after ${
              s.deps.map((d) => (d.task === undefined ? ids.get(d.key) : `${ids.get(d.key)}_${d.task}`)).join(
                ",",
              )
            }`
            : "")
        ).join("\n") +
          `\nlmt_run: submitted ${todo.size} job(s) in ${subs.length} sbatch call(s); watch: lmt_run status ${rundir}\n`,
      );
      return 0;
    }

    // ---- local: make -k -j N ------------------------------------------------------------------------
    if (!haveCommand("make", env)) throw new DataError("make not found on PATH");
    const targets = opts["rerun-failed"]
      ? [...selected].map((n) => join(rundir, "status", `${n}.done`))
      : ["all"];
    ctx.log.info(
      `running ${selected.size} job(s) with make -j ${opts.jobs} (log ${join(rundir, "make.log")})`,
    );
    const r = await runCmd("make", [
      "-k",
      "-j",
      String(opts.jobs),
      "-f",
      join(rundir, "Makefile"),
      ...targets,
    ], {
      cwd: workdir,
      env,
    });
    writeFileSync(join(rundir, "make.log"), r.stdout + r.stderr);
    const st = readStatus(plan, rundir);
    ctx.stdout(formatStatus(st));
    const c = summarize(st);
    const bad = st.filter((s) => selected.has(s.name) && s.state !== "done");
    if (bad.length) {
      throw new DataError(
        `${bad.length} of ${selected.size} job(s) did not finish: ` +
          bad.map((s) => `${s.name} ${s.state}${s.reason ? ` (${s.reason})` : ""}`).join("; "),
      );
    }
    if (r.code !== 0) throw new DataError(`make failed (exit ${r.code}); see ${join(rundir, "make.log")}`);
    ctx.log.info(`${c.done} job(s) done`);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
