/**
 * The step executor of the pipelines: make's rules, in-process. A pipeline is a list of steps in an order
 * where every step comes after the steps that make its inputs; each step names its input and output files
 * (relative to the obsnum directory) and what it runs. A step runs when an output is missing, when an input
 * is newer than its oldest output, or when an input was remade in this run; otherwise it is skipped, so
 * editing `rsr.OBSNUM.badlags` by hand redoes exactly the steps downstream of it. Parameters enter the
 * rules as stamp files `.par.NAME` ({@link writeStamp}), rewritten only when their text changes.
 *
 * Why in-process: a tool run here is `tool.main(argv)` in this process (through {@link ToolRunner}), not a
 * shell command: the argv entries are data, never syntax, and the Deno start-up and module loading of
 * eleven tool processes per RSR obsnum are paid once.
 *
 * Nothing here prints: progress lines go to {@link RunOptions.report}.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "../sys/fs.ts";
import { type OpenOutput, putFile } from "../sys/output.ts";
import type { ObsInfo } from "../lmt/info.ts";
import type { ParamSet } from "./params.ts";
import { join } from "../sys/path.ts";

/** Runs one tool in-process: its exit code; stdout and stderr go to the sinks; `cwd` is its working directory. */
export type ToolRunner = (
  tool: string,
  argv: readonly string[],
  io: {
    cwd: string;
    stdout: (b: Uint8Array) => void;
    stderr: (b: Uint8Array) => void;
    /** Environment entries that differ from the pipeline's (e.g. LMT_SIDECAR: "" for the summary page). */
    env?: Readonly<Record<string, string>>;
    /**
     * Outputs the tool still renders after it returned (plots, lib/cli RunHooks.defer): `done` settles when
     * they are in place (rejecting with the tool's message); `files` are their absolute paths.
     */
    defer: (done: Promise<void>, files: string[]) => void;
  },
) => Promise<number>;

/** What the steps of either pipeline need to know about the directory they make (lib/pipeline/rsr.ts, seq.ts). */
export interface PipelineJob {
  /** The obsnum directory (absolute). */
  dir: string;
  /** OBSNUM, or FIRST_LAST for a combination. */
  label: string;
  obsnums: readonly number[];
  /** For a combination: the singles' directories (absolute), in obsnum order. */
  singleDirs?: readonly string[];
  /** Header summary of the (first) obsnum, for the rc file. */
  info: ObsInfo;
  params: ParamSet;
  version: string;
}

/** One tool call of a step: `tool argv > stdout` (stdout captured into a file), with its messages in `log`. */
export interface ToolCall {
  tool: string;
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
}

/** What a step does. */
export type StepAction =
  /** Run tools one after another; their stdout is concatenated into `stdout` (a file) when given, else
   * into `log`; stderr always goes to `log` (when no log: to the pipeline's report). */
  | { kind: "tools"; calls: readonly ToolCall[]; stdout?: string; log?: string }
  /**
   * The step's one output made in this process (an rc file, a concatenation of files): `content` reads what
   * it needs in the directory and returns the file's text; `show` is its dry-run line.
   */
  | { kind: "file"; show: string; content: (dir: string) => string | Uint8Array };

/** One rule. */
export interface Step {
  /** Name in messages: "rsr_driver (first pass)". */
  name: string;
  outputs: readonly string[];
  inputs: readonly string[];
  /** Inputs that must exist (made earlier) but whose changes do not redo this step (make's order-only). */
  orderOnly?: readonly string[];
  /** The step reads the whole directory (a summary page): it waits until every earlier output is in place. */
  barrier?: boolean;
  action: StepAction;
}

/** How a pipeline is run. */
export interface RunOptions {
  /** The obsnum directory (absolute); step files are relative to it. */
  dir: string;
  /** The directory name as shown in dry-run lines (`cd 91001 && ...`). */
  shownDir: string;
  tools: ToolRunner;
  /** The output door (lib/cli `ctx.output`): logs, captured stdout and "file" steps are written through it. */
  open: OpenOutput;
  /** Print what would run, run nothing (make -n). */
  dryRun?: boolean;
  /** Carry on after a failed step with the steps that do not need its outputs (error=0). */
  keepGoing?: boolean;
  /** Progress lines (one line each, no newline). */
  report: (line: string) => void;
  /** Where dry-run and debug command lines go (make -n prints them on stdout) [default: report]. */
  show?: (line: string) => void;
  /** Report every command as it runs (debug=1). */
  verbose?: boolean;
  /** Files to treat as remade before the first step (a dry run's changed parameter stamps). */
  changed?: ReadonlySet<string>;
}

/** A failed step: its name, the exit code and the last lines of its log. */
export class StepFailed extends Error {
  readonly step: string;
  readonly tail: string[];
  constructor(step: string, why: string, tail: string[]) {
    super(`${step} failed: ${why}`);
    this.name = "StepFailed";
    this.step = step;
    this.tail = tail;
  }
}

/** Result of a run. */
export interface RunResult {
  /** Names of the steps run (or, in a dry run, that would run). */
  ran: string[];
  failed: StepFailed[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The parameter stamps `.par.NAME` of one directory: a stamp is rewritten only when its text changes, so its
 * mtime says when the parameters of its steps last changed. In a dry run nothing is written: a changed stamp
 * is only noted ({@link Stamps.changed}) and counts as remade, so `make -n` shows what a run would redo and
 * leaves the directory as it was.
 */
export class Stamps {
  readonly changed: Set<string> = new Set();
  /** `open`: the output door the stamps are written through. */
  constructor(readonly dir: string, readonly open: OpenOutput, readonly dryRun = false) {}

  /** The stamp file name (relative to the directory) for `name` with `text`. */
  stamp(name: string, text: string): string {
    const f = `.par.${name}`;
    const path = join(this.dir, f);
    const body = text + "\n";
    if (!existsSync(path) || readFileSync(path, "utf8") !== body) {
      if (this.dryRun) this.changed.add(f);
      else putFile(this.open, path, body);
    }
    return f;
  }
}

/** Shell-like display of an argv (for dry-run and debug lines only; nothing ever runs it). */
export function showArgv(words: readonly string[]): string {
  return words.map((a) => (/^[\w@%+=:,./[\]-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function showStep(s: Step, shownDir: string): string {
  const a = s.action;
  if (a.kind === "file") return a.show;
  const cmds = a.calls.map((c) => showArgv([c.tool, ...c.argv]));
  const body = cmds.length === 1 ? cmds[0]! : `{ ${cmds.join("; ")}; }`;
  const redir = a.stdout !== undefined
    ? ` > ${a.stdout}${a.log !== undefined ? ` 2> ${a.log}` : ""}`
    : a.log !== undefined
    ? ` > ${a.log} 2>&1`
    : "";
  return `cd ${shownDir} && ${body}${redir}`;
}

/** CPU seconds of this process so far (user + system, all threads; Linux /proc), or NaN elsewhere. */
function cpuSeconds(): number {
  try {
    const f = Deno.readTextFileSync("/proc/self/stat");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** A step file: relative to the obsnum directory, or absolute (a combination's single products). */
function at(dir: string, f: string): string {
  return f.startsWith("/") ? f : join(dir, f);
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function tailOf(text: string, n: number): string[] {
  return text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "").slice(-n);
}

/**
 * Run the steps in order (see the module doc for when a step runs). Throws {@link StepFailed} at the first
 * failed step, unless `keepGoing`: then the steps that need its outputs are skipped and every failure is
 * returned. A failed step's outputs are removed (make's .DELETE_ON_ERROR), so a re-run redoes it.
 */
export async function runSteps(steps: readonly Step[], o: RunOptions): Promise<RunResult> {
  const remade = new Set<string>(o.changed ?? []);
  const broken = new Set<string>();
  const ran: string[] = [];
  const failed: StepFailed[] = [];
  /**
   * Outputs of earlier steps still being rendered (plots): a step waits for the ones it reads, a barrier
   * step and the end of the run wait for all. A failed one fails its step as a failed tool would.
   */
  const tails: Tail[] = [];
  const fail = (e: StepFailed, outputs: readonly string[]) => {
    for (const f of outputs) {
      broken.add(f);
      try {
        Deno.removeSync(at(o.dir, f));
      } catch { /* not made */ }
    }
    if (!o.keepGoing) throw e;
    failed.push(e);
  };
  const waitFor = async (which: Tail[]) => {
    for (const t of which) {
      tails.splice(tails.indexOf(t), 1);
      try {
        await t.done;
      } catch (e) {
        fail(new StepFailed(t.step.name, e instanceof Error ? e.message : String(e), []), t.step.outputs);
      }
    }
  };
  try {
    for (const s of steps) {
      const reads = [...s.inputs, ...(s.orderOnly ?? [])];
      const paths = new Set(reads.map((f) => at(o.dir, f)));
      await waitFor(s.barrier ? [...tails] : tails.filter((t) => t.files.some((f) => paths.has(f))));
      if (reads.some((f) => broken.has(f))) {
        for (const f of s.outputs) broken.add(f);
        continue;
      }
      await runOne(s);
    }
    await waitFor([...tails]);
  } finally {
    // an exception leaves nothing rendering unobserved
    for (const t of tails) t.done.catch(() => {});
  }
  return { ran, failed };

  async function runOne(s: Step): Promise<void> {
    if (!needsRun(s, o.dir, remade, o.dryRun === true)) return;
    ran.push(s.name);
    if (o.dryRun || o.verbose) (o.show ?? o.report)(showStep(s, o.shownDir));
    if (o.dryRun) {
      for (const f of s.outputs) remade.add(f);
      return;
    }
    try {
      const t0 = performance.now(), c0 = cpuSeconds();
      await runStep(s, o, (done, files) => tails.push({ step: s, done, files }));
      if (o.verbose) {
        o.report(
          `${s.name}: ${((performance.now() - t0) / 1000).toFixed(2)} s (cpu ${
            (cpuSeconds() - c0).toFixed(2)
          } s)`,
        );
      }
      for (const f of s.outputs) remade.add(f);
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      fail(e, s.outputs);
    }
  }
}

/** Outputs of a step that are still being rendered after its tools returned. */
interface Tail {
  step: Step;
  done: Promise<void>;
  /** Absolute paths. */
  files: string[];
}

function needsRun(s: Step, dir: string, remade: Set<string>, dryRun: boolean): boolean {
  let oldest = Infinity;
  for (const f of s.outputs) {
    const t = mtime(at(dir, f));
    if (t === null) return true;
    oldest = Math.min(oldest, t);
  }
  for (const f of [...s.inputs, ...(s.orderOnly ?? [])]) {
    if (remade.has(f)) {
      if (s.inputs.includes(f)) return true;
      continue;
    }
    const t = mtime(at(dir, f));
    if (t === null) {
      if (dryRun) return true;
      throw new StepFailed(s.name, `its input ${f} does not exist`, []);
    }
    if (s.inputs.includes(f) && t > oldest) return true;
  }
  return false;
}

async function runStep(
  s: Step,
  o: RunOptions,
  defer: (done: Promise<void>, files: string[]) => void,
): Promise<void> {
  const a = s.action;
  if (a.kind === "file") {
    try {
      putFile(o.open, at(o.dir, s.outputs[0]!), a.content(o.dir));
    } catch (e) {
      throw new StepFailed(s.name, e instanceof Error ? e.message.split("\n")[0]! : String(e), []);
    }
    return;
  }
  const out: Uint8Array[] = [];
  const log: Uint8Array[] = [];
  const toLog = (b: Uint8Array) => log.push(b.slice());
  const toOut = a.stdout !== undefined ? (b: Uint8Array) => out.push(b.slice()) : toLog;
  const toErr = a.log !== undefined || a.stdout === undefined
    ? toLog
    : (b: Uint8Array) => o.report(dec.decode(b).trimEnd());
  let failure: StepFailed | null = null;
  for (const c of a.calls) {
    let code: number;
    try {
      code = await o.tools(c.tool, c.argv, {
        cwd: o.dir,
        stdout: toOut,
        stderr: toErr,
        defer,
        ...(c.env !== undefined ? { env: c.env } : {}),
      });
    } catch (e) {
      toLog(enc.encode(`${c.tool}: ${e instanceof Error ? e.message : String(e)}\n`));
      code = 1;
    }
    if (code !== 0) {
      failure = new StepFailed(s.name, `${c.tool} exited with ${code}`, tailOf(dec.decode(concat(log)), 8));
      break;
    }
  }
  if (a.log !== undefined) putFile(o.open, join(o.dir, a.log), concat(log));
  if (failure !== null) throw failure;
  if (a.stdout !== undefined) putFile(o.open, join(o.dir, a.stdout), concat(out));
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const b = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    b.set(p, off);
    off += p.length;
  }
  return b;
}
