/**
 * SLpipeline — LMTOY's one entry point: `SLpipeline.sh obsnum=N [key=value ...]` reads the obsnum's header,
 * picks the instrument and mode (RSR Bs; SEQ/1MM Map, Bs, Ps) and reduces it into
 * `$WORK_LMT/PROJECTID/OBSNUM/` (a combination `obsnums=a,b,...` into `FIRST_LAST/`).
 *
 * Examples:
 *   SLpipeline.sh obsnum=33551
 *   SLpipeline.sh obsnum=33551 badcb=2/3,2/2 xlines=110.51,0.15
 *   SLpipeline.sh obsnums=33551,33552
 *   SLpipeline.sh --help                  # every parameter with its default and description
 *   SLpipeline.sh obsnum=79448 help       # the parameters of that obsnum's instrument
 *   source <(SLpipeline.sh --completion bash)
 *
 * Every value is checked against its grammar (lib/pipeline/params.ts) before anything runs, and reaches
 * the tools as a separate argv entry of an in-process call: no shell, no make, ever sees a value.
 * `make -f scripts/rsr.mk ...` runs through here too (`--make`, products in ./OBSNUM/).
 * @module
 */
import { DataError, defineTool, type Tool, UsageError, withStdio } from "../lib/cli/mod.ts";
import { warmRenderThreads } from "../lib/plot/pool.ts";
import { writeStderr } from "../lib/cli/io.ts";
import { obsInfo } from "../lib/lmt/info.ts";
import {
  LockBusy,
  ParamError,
  PipelineError,
  PipelineFailed,
  reduce,
  type ReduceContext,
} from "../lib/pipeline/mod.ts";
import { checkParams, PARAMS, paramsHelp, type PipelineKind } from "../lib/pipeline/params.ts";
import { completionScript } from "../lib/pipeline/completion.ts";
import { fileName } from "../lib/pipeline/grammar.ts";
import { existsSync, readFileSync, rmSync } from "../lib/sys/fs.ts";
import { join, resolve } from "../lib/sys/path.ts";
import { VERSION } from "../lib/version.ts";
import { differingParams, listAttempts } from "../lib/report/attempts.ts";
import { TOOLS } from "./_tools.ts";

/** Environment names `make -f scripts/X.mk` also takes on its command line. */
const MAKE_ENV = ["DATA_LMT", "WORK_LMT", "CORR_CAL_DIR"];

async function loadTool(name: string): Promise<Tool> {
  const load = TOOLS[name];
  if (load === undefined) throw new DataError(`${name}: no such tool in this toolkit`);
  return (await load()).tool;
}

export const tool = defineTool({
  name: "SLpipeline",
  summary: "reduce an obsnum (or a combination) the LMTOY way: instrument and mode from its header",
  usage: "SLpipeline.sh obsnum=N [key=value ...]  |  SLpipeline.sh obsnums=N1,N2,... [key=value ...]  |  " +
    "SLpipeline.sh [obsnum=N] help  |  SLpipeline.sh obsnum=N attempts",
  description: "Products go to $WORK_LMT/PROJECTID/OBSNUM/ (WORK_LMT defaults to the current directory), a " +
    "combination to FIRST_LAST/. A combination reduces a missing or out-of-date single with the single's own " +
    "parameters, never its own. Values are checked against their grammar before anything runs; an unknown key " +
    "is an error. One run per obsnum at a time (a lock in its directory). Each run with new parameters is also " +
    "kept as OBSNUM/attempts/N (keep=, 'attempts' lists them; index.html shows them side by side).\n\n" +
    paramsHelp("all"),
  examples: [
    "SLpipeline.sh obsnum=33551",
    "SLpipeline.sh obsnum=33551 badcb=2/3 xlines=110.51,0.15",
    "SLpipeline.sh obsnums=33551,33552",
    "SLpipeline.sh obsnum=79448 help",
    "SLpipeline.sh obsnum=33551 attempts     # the runs kept in OBSNUM/attempts/",
    "source <(SLpipeline.sh --completion bash)",
  ],
  options: [
    {
      name: "completion",
      type: "string",
      metavar: "SHELL",
      help: "print the shell completion script (bash)",
    },
    { name: "dry-run", short: "n", type: "boolean", help: "print the steps that would run; run nothing" },
    {
      name: "here",
      type: "boolean",
      help: "write ./OBSNUM/ (as make -f scripts/X.mk) instead of WORK/PROJECTID/OBSNUM/",
    },
    {
      name: "make",
      type: "string",
      metavar: "rsr|seq",
      help: "(used by scripts/rsr.mk, seq.mk) parameters from --args-file",
    },
    {
      name: "args-file",
      type: "string",
      metavar: "FILE",
      help: "(with --make) key=value lines written by make; removed after reading",
    },
  ],
  positionals: [{ name: "words", help: "key=value parameters; 'help' lists them", variadic: true }],
  run: async (opts, ctx) => {
    if (opts.completion !== undefined) {
      if (opts.completion !== "bash") {
        throw new UsageError(`--completion ${opts.completion}: only bash is supported`);
      }
      const tools: [string, string[]][] = [];
      for (const name of Object.keys(TOOLS).filter((n) => n !== "summary").sort()) {
        const t = await loadTool(name);
        tools.push([
          name,
          t.spec.options.flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]),
        ]);
      }
      ctx.stdout(completionScript(tools, PARAMS.map((p) => p.name)));
      return 0;
    }
    let words: string[] = [...(opts.words ?? [])];
    const env: Record<string, string> = { ...ctx.env };
    let makeKind: PipelineKind | undefined;
    let goal = "all";
    if (opts.make !== undefined) {
      if (opts.make !== "rsr" && opts.make !== "seq") {
        throw new UsageError(`--make ${opts.make}: expected rsr or seq`);
      }
      makeKind = opts.make;
      const goals = words.filter((w) => !w.includes("="));
      goal = goals[0] ?? "all";
      words = words.filter((w) => w.includes("="));
      if (opts["args-file"] !== undefined) {
        const f = opts["args-file"];
        const text = readFileSync(f, "utf8");
        rmSync(f, { force: true });
        for (const line of text.split("\n").filter((l) => l !== "")) {
          const eq = line.indexOf("=");
          const key = line.slice(0, eq);
          if (MAKE_ENV.includes(key)) {
            const v = line.slice(eq + 1);
            if (!fileName.test(v)) throw new UsageError(`${key}=${v}: ${fileName.describe}`);
            env[key] = v;
          } else words.push(line);
        }
      }
    }
    const helpWanted = words.includes("help") || goal === "help";
    const attemptsWanted = words.includes("attempts") || goal === "attempts";
    words = words.filter((w) => w !== "help" && w !== "attempts");
    if (helpWanted) {
      const kind = makeKind ?? await kindOfWords(words, env);
      const head = makeKind !== undefined
        ? `make -f scripts/${makeKind}.mk obsnum=N [key=value ...]   (DATA_LMT must point at the raw data)\n`
        : `SLpipeline.sh obsnum=N [key=value ...]${
          kind !== "all" ? `   (${kind.toUpperCase()} parameters)` : ""
        }\n`;
      ctx.stdout(head + paramsHelp(kind));
      return 0;
    }
    for (const w of words) if (!w.includes("=")) throw new UsageError(`expected key=value, got "${w}"`);
    const cwd = Deno.cwd();
    if (goal === "clean") {
      const given = wrapParams(() => checkParams(words, makeKind));
      const label = given.get("dir") || (given.get("obsnums")?.split(",")
        .filter((_, i, a) => i === 0 || i === a.length - 1).join("_")) ||
        given.get("obsnum");
      if (!label) throw new UsageError("give obsnum=N or obsnums=N1,N2,... (or dir=)");
      const dir = join(cwd, label);
      if (existsSync(dir)) rmSync(dir, { recursive: true });
      ctx.log.info(`removed ${dir}`);
      return 0;
    }

    const toolEnv: Record<string, string> = { ...env, LMT_SIDECAR: "1" };
    const rctx: ReduceContext = {
      cwd,
      ...(env.DATA_LMT ? { dataLmt: env.DATA_LMT } : {}),
      ...(env.WORK_LMT ? { workLmt: env.WORK_LMT } : {}),
      version: VERSION,
      obsInfo,
      report: (line) => writeStderr(`SLpipeline: ${line}\n`),
      show: (line) => ctx.stdout(line + "\n"),
      sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)),
      open: ctx.output,
      tools: async (name, argv, io) => {
        warmRenderThreads(); // the render threads load while the first tool reads its data
        const t = await loadTool(name);
        const prev = Deno.cwd();
        Deno.chdir(io.cwd);
        try {
          return await withStdio(
            { stdout: io.stdout, stderr: io.stderr },
            () => t.main([...argv], { ...toolEnv, ...(io.env ?? {}) }, { defer: io.defer }),
          );
        } finally {
          Deno.chdir(prev);
        }
      },
    };
    try {
      const r = await reduce(words, rctx, {
        layout: makeKind !== undefined || opts.here === true ? "here" : "work",
        ...(makeKind !== undefined ? { expect: makeKind } : {}),
        dryRun: opts["dry-run"] === true,
        locateOnly: attemptsWanted,
      });
      if (attemptsWanted) {
        ctx.stdout(attemptsListing(r.dir));
        return 0;
      }
      if (!r.skipped && !opts["dry-run"]) {
        const n = [...r.ran.values()].reduce((a, b) => a + b.length, 0);
        ctx.log.info(`${r.dir}: ${n === 0 ? "up to date" : `${n} steps run`}`);
      }
      return 0;
    } catch (e) {
      if (e instanceof ParamError) throw new UsageError(e.message);
      if (e instanceof PipelineFailed) {
        const lines: string[] = [];
        for (const f of e.failures) {
          lines.push(`SLpipeline: ${e.label}: ${f.message}`);
          for (const t of f.tail) lines.push(`  ${t}`);
        }
        writeStderr(lines.join("\n") + "\n");
        return 1;
      }
      if (e instanceof PipelineError || e instanceof LockBusy) throw new DataError(e.message);
      throw e;
    }
  },
});

/** `SLpipeline.sh obsnum=N attempts`: one line per attempt (n, date, parameters changed from the previous one). */
function attemptsListing(dir: string): string {
  const list = listAttempts(dir);
  if (list.length === 0) return `# ${dir}: no attempts\n`;
  const lines = [`# ${dir}/attempts: attempt, date (UTC), parameters that differ from the previous attempt`];
  list.forEach((a, i) => {
    const prev = list[i - 1];
    const diff = prev === undefined
      ? "(first)"
      : differingParams(prev.params, a.params).map((k) => `${k}=${a.params[k] ?? ""}`).join(" ");
    lines.push(`${a.n}\t${a.date.slice(0, 19)}\t${diff || "(same parameters)"}`);
  });
  return lines.join("\n") + "\n";
}

function wrapParams<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.message);
    throw e;
  }
}

/** The pipeline of the obsnum named in `words` (for `obsnum=N help`), or "all" when none is named. */
async function kindOfWords(words: string[], env: Record<string, string>): Promise<PipelineKind | "all"> {
  const given = wrapParams(() => checkParams(words));
  const o = given.get("obsnum") ?? given.get("obsnums")?.split(/[,-]/)[0];
  const root = given.get("path") || env.DATA_LMT;
  if (o === undefined || !root) return "all";
  const info = await obsInfo(resolve(root), Number(o));
  return info.instrument === "RSR" ? "rsr" : "seq";
}

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
