/**
 * The program skeleton shared by every tool: one option table drives parsing, `--help`,
 * `--version` and validation; errors become one stderr line and an exit code (2 usage, 1 data);
 * `-` means stdin/stdout.
 *
 * Outputs have one door, `ctx.output(path)`: it checks the path at once, owns the temporary name
 * (`.NAME.PID.RAND.tmp` beside the target), renames every output into place only when `run()`
 * succeeds, removes the temporary files on any error and on SIGINT/SIGTERM/SIGHUP (exit 130/143/129),
 * (a watchdog thread does it within 0.3 s when the main thread is busy computing: exit 137), removes
 * stale temporary files of dead processes, applies the one overwrite rule (an existing file
 * is replaced, except that a tool with an `--overwrite` option refuses, without it, to replace a
 * file named on its command line) and writes the provenance sidecars (LMT_SIDECAR=1). Writers receive the OutputFile as an open FileSink.
 *
 * The option table, written inline (or `as const`), types the values `run` receives: here `opts.bank`
 * is a `number`, `opts.file` a `string`, and a misspelled `opts.bnak` does not compile.
 *
 * ```ts
 * export const tool = defineTool({
 *   name: "demo",
 *   summary: "print a file's bank",
 *   usage: "demo [-b BANK] FILE",
 *   options: [{ name: "bank", short: "b", type: "int", default: 0, min: 0, help: "bank" }],
 *   positionals: [{ name: "file", help: "input file", required: true }],
 *   run: (opts, ctx) => ctx.stdout(`${opts.file}: bank ${opts.bank}\n`),
 * });
 * if (import.meta.main) Deno.exit(await tool.main(Deno.args));
 * ```
 *
 * @module
 */
import { type Args, type OptionSpec, parseArgs, type ParsedValues, type PositionalSpec } from "./args.ts";
import { formatHelp } from "./args.ts";
import { DataError, EXIT, UsageError } from "./errors.ts";
import {
  BrokenPipe,
  displayName,
  fsReason,
  OutputFile,
  readInputBytes,
  readInputText,
  stdioRedirected,
  writeStderr,
  writeStdout,
} from "./io.ts";
import { createProgress, preloadProgress, type Progress } from "./progress.ts";
import { VERSION } from "../version.ts";
import { mkdirSync, rmSync, statSync } from "../sys/fs.ts";
import { resolve, tmpdir } from "../sys/path.ts";
import { removeStaleDirs, scratchDirName, withTempFile } from "../sys/tempfile.ts";
import { withWarningSink } from "../sys/warnings.ts";
import { setHdf5Reader } from "../netcdf/hdf5_reader.ts";

export { DataError, EXIT, UsageError } from "./errors.ts";
export type { Args, OptionSpec, OptionValue, ParsedValues, PositionalSpec } from "./args.ts";
export { didYouMean, numberTuple, parseArgs } from "./args.ts";
export {
  BrokenPipe,
  checkOutputPath,
  displayName,
  fsReason,
  OutputFile,
  readInputBytes,
  readInputText,
  requireFile,
  withStdio,
} from "./io.ts";
export type { FileSink } from "../sys/tempfile.ts";
export type { StdioSinks } from "./io.ts";
export type { Progress } from "./progress.ts";

/** Logger writing `tool: message` lines to stderr. */
export interface Logger {
  /** Progress/chatter: shown on a TTY or with LMT_VERBOSE=1; hidden when stderr is piped. */
  info(msg: string): void;
  /** Always shown. */
  warn(msg: string): void;
  /** Shown with --debug or LMT_DEBUG=1. */
  debug(msg: string): void;
}

/** What a tool's run() receives besides its options. */
export interface ToolContext {
  name: string;
  /** Raw arguments as given (for history lines). */
  argv: string[];
  env: Record<string, string>;
  log: Logger;
  debug: boolean;
  /**
   * Open an output (`-` = stdout): the path is checked at once (DataError naming it); the data go to
   * a temporary file renamed into place when run() succeeds, removed if it fails or is interrupted.
   */
  output(path: string): OutputFile;
  /**
   * Write a whole output at once (through {@link output}). `data` may be a promise (a plot rendering on
   * another thread, lib/plot/pool.ts): the output is opened now and filled when it resolves; the tool's
   * outputs are committed together once it has (see {@link RunHooks.defer} for the one exception).
   */
  writeFile(path: string, data: string | Uint8Array | Promise<string | Uint8Array>): void;
  /**
   * A private scratch directory (`$TMPDIR/TOOL-PID-RAND`), removed when the tool ends in any way
   * (success, error, signal); stale ones of dead processes are removed when a new one is made.
   */
  scratchDir(): string;
  /** The name of an input in messages: `<stdin>` for `-`. */
  inputName(path: string): string;
  /** Write data to stdout. */
  stdout(data: string | Uint8Array): void;
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
  /** A progress bar on a TTY (silent otherwise). */
  progress(label: string, total: number): Progress;
  /** Register a cleanup that runs if the tool fails (e.g. remove a temp path). */
  onAbort(fn: () => void): void;
  /** Register an action that runs when the tool succeeds, before outputs are committed. */
  onCommit(fn: () => void): void;
}

/**
 * The declaration of a tool. `O` and `P` are its option table and positionals as written (inferred
 * by {@link defineTool}); `run` receives their values typed as {@link Args}.
 */
export interface ToolSpec<
  O extends readonly OptionSpec[] = readonly OptionSpec[],
  P extends readonly PositionalSpec[] = readonly PositionalSpec[],
> {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  examples?: readonly string[];
  options: O;
  positionals?: P;
  /** Extra short letter meaning --version (docopt tools use -v). */
  versionShort?: string;
  run: (opts: Args<O, P>, ctx: ToolContext) => Promise<number | void> | number | void;
}

/**
 * Refuses (at compile time) an option table whose names are not known to the type checker — typed
 * `OptionSpec[]`, or with a generic call inside that stops inference — since its `run` would receive
 * untyped values and a misspelled option name would compile.
 */
type TypedTable<O extends readonly OptionSpec[], P extends readonly PositionalSpec[]> = string extends
  O[number]["name"] | P[number]["name"] ? {
    options:
      "declare the option table inline or `as const` (not as OptionSpec[]) so that run's options are typed";
  }
  : unknown;

/** How a caller running tools in-process (the pipeline) takes part in a run. */
export interface RunHooks {
  /**
   * Let the outputs still being rendered (promises given to `ctx.writeFile`) finish after `main` returns:
   * `main` then commits the outputs that are complete and returns; `done` settles when the others are
   * committed too (rejecting with the tool's one-line message when one fails: the outputs already
   * committed stay, the failed ones are removed); `files` are their absolute paths. Without this hook a tool
   * waits for every output and commits them all together.
   */
  defer?: (done: Promise<void>, files: string[]) => void;
}

/** A declared tool, runnable in-process (tests) or as a program. */
export interface Tool {
  /** The declaration (its run function is reached through {@link Tool.main}). */
  spec: Omit<ToolSpec, "run">;
  /** Run with arguments; returns the exit code (never calls Deno.exit). */
  main(argv: string[], env?: Record<string, string>, hooks?: RunHooks): Promise<number>;
  help(): string;
}

function isTty(): boolean {
  if (stdioRedirected()) return false;
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/** The signal watchdog thread of this process (lib/cli/_signal_worker.ts), started with the first temporary path. */
let WATCHDOG: Worker | undefined;
/** Tool runs started in this process (the watchdog forgets a run's paths by this number). */
let RUNS = 0;

/**
 * Declare a tool from its option table and run function. The table is written inline (or declared
 * `as const`), so that `run`'s options are typed from it ({@link Args}): a misspelled option name
 * does not compile.
 */
export function defineTool<
  const O extends readonly OptionSpec[],
  const P extends readonly PositionalSpec[] = [],
>(spec: ToolSpec<O, P> & TypedTable<O, P>): Tool {
  const allOptions = spec.options;
  const help = () =>
    formatHelp({
      name: spec.name,
      summary: spec.summary,
      usage: spec.usage,
      options: allOptions,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.positionals !== undefined ? { positionals: spec.positionals } : {}),
      ...(spec.examples !== undefined ? { examples: spec.examples } : {}),
    });

  const main = async (
    argv: string[],
    envIn?: Record<string, string>,
    hooks: RunHooks = {},
  ): Promise<number> => {
    const env = envIn ?? Deno.env.toObject();
    const t0 = performance.now();
    const outputs: OutputFile[] = [];
    /** Outputs whose data are still coming (promises given to writeFile), with their writes. */
    const pending = new Map<OutputFile, Promise<void>>();
    /** Set when the outputs still being rendered outlive main (RunHooks.defer): their clean-up waits too. */
    let handedOver = false;
    const scratch: string[] = [];
    const aborts: (() => void)[] = [];
    const commits: (() => void)[] = [];
    let debug = env.LMT_DEBUG === "1";
    setHdf5Reader(env.LMT_HDF5 === "h5wasm" ? "h5wasm" : "native"); // library code reads no environment
    const tty = isTty();
    if (tty) preloadProgress().catch(() => {}); // the bar's module, only where a bar can show
    const verbose = env.LMT_VERBOSE === "1" || tty;
    const log: Logger = {
      info: (m) => {
        if (verbose) writeStderr(`${spec.name}: ${m}\n`);
      },
      warn: (m) => writeStderr(`${spec.name}: warning: ${m}\n`),
      debug: (m) => {
        if (debug) writeStderr(`${spec.name}: debug: ${m}\n`);
      },
    };
    const removeScratch = () => {
      for (const d of scratch.splice(0)) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch { /* ignore */ }
      }
    };
    const abortAll = () => {
      for (const o of outputs) o.abort();
      for (const f of aborts) {
        try {
          f();
        } catch { /* ignore */ }
      }
      removeScratch();
    };
    const stopSignals = onSignals(() => {
      abortAll();
      writeStderr(`${spec.name}: interrupted; no output written\n`);
    });
    const restoreConsole = quietConsole(() => debug);
    /** Tell the signal watchdog (started with the first temporary path) what to remove on an interrupt. */
    const runId = ++RUNS;
    const watch = (path: string, dir: boolean) => {
      if (WATCHDOG === undefined) {
        WATCHDOG = new Worker(new URL("./_signal_worker.ts", import.meta.url).href, { type: "module" });
      }
      WATCHDOG.postMessage({ name: spec.name, add: path, dir, run: runId });
    };
    try {
      let argvEff = argv;
      if (spec.versionShort) argvEff = argv.map((a) => (a === `-${spec.versionShort}` ? "--version" : a));
      const parsed = parseArgs(argvEff, allOptions, spec.positionals ?? [], env);
      if (parsed.debug) debug = true;
      if (parsed.values.debug === true) debug = true;
      if (parsed.help) {
        writeStdout(help());
        return EXIT.OK;
      }
      if (parsed.version) {
        writeStdout(`${spec.name} ${VERSION} (lmt-slr-toolkit)\n`);
        return EXIT.OK;
      }
      // the one overwrite rule: replace, unless the tool has --overwrite, it was not given and the file
      // was named on the command line (side files the tool names itself, e.g. the radiometer map
      // derived from -o, are replaced, as the originals did)
      const guarded = allOptions.some((o) => o.name === "overwrite") && parsed.values.overwrite !== true;
      const named = new Set(
        Object.values(parsed.values).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) =>
          typeof v === "string"
        ),
      );
      const open = (path: string) => {
        const o = new OutputFile(path, { replace: !(guarded && named.has(path)) });
        outputs.push(o);
        if (o.tempPath !== null) watch(o.tempPath, false);
        return o;
      };
      const ctx: ToolContext = {
        name: spec.name,
        argv,
        env,
        log,
        debug,
        output: open,
        writeFile: (path, data) => {
          const o = open(path);
          if (data instanceof Promise) {
            // filled when the data come, unless the run has already failed and removed the output; a
            // failure is observed here at once (never an unhandled rejection that ends the process) and
            // reported where the run waits for its outputs
            const w = data.then((d) => {
              if (!o.done) o.write(d);
            });
            w.catch(() => {});
            pending.set(o, w);
          } else o.write(data);
        },
        scratchDir: () => {
          const parent = tmpdir(env);
          removeStaleDirs(parent, spec.name);
          const d = scratchDirName(parent, spec.name);
          try {
            mkdirSync(d);
          } catch (e) {
            throw new DataError(`cannot make a scratch directory in ${parent}: ${fsReason(e)}`);
          }
          scratch.push(d);
          watch(d, true);
          return d;
        },
        inputName: (p) => displayName(p),
        stdout: (data) => writeStdout(data),
        readText: (p) => readInputText(p),
        readBytes: (p) => readInputBytes(p),
        progress: (label, total) => createProgress(label, total, tty),
        onAbort: (fn) => aborts.push(fn),
        onCommit: (fn) => commits.push(fn),
      };
      const code = (await withWarningSink(log.warn, async () =>
        await spec.run(parsed.values as Args<O, P>, ctx))) ?? 0;
      if (code !== 0) {
        abortAll();
        return code;
      }
      // provenance sidecars: one record per run, made now (in the tool's directory), written beside each
      // output once it is committed
      const record = env.LMT_SIDECAR === "1"
        ? sidecarRecord(spec.name, argv, parsed.values, outputs, t0)
        : null;
      const files = (which: OutputFile[]) => which.filter((o) => !o.isStdout).map((o) => resolve(o.path));
      const sidecars = (paths: string[]) => {
        if (record !== null) writeSidecars(record, paths);
      };
      // with RunHooks.defer, the outputs still rendering are put in place when they are ready (after main
      // returns), the others now; without it, main waits for them and puts all in place together
      const defer = pending.size > 0 && !outputs.some((o) => o.isStdout && pending.has(o))
        ? hooks.defer
        : undefined;
      if (defer === undefined) await Promise.all(pending.values());
      const later = defer !== undefined ? outputs.filter((o) => pending.has(o)) : [];
      const now = defer !== undefined ? outputs.filter((o) => !pending.has(o)) : outputs;
      // one turn of the event loop: a signal that arrived while run() was computing is handled now
      // (no output is put in place) rather than lost
      if (outputs.length > 0 || scratch.length > 0) await new Promise((r) => setTimeout(r, 0));
      for (const f of commits) f();
      commitAll(now);
      removeScratch();
      sidecars(files(now));
      if (defer !== undefined) {
        handedOver = true;
        const laterFiles = files(later);
        const done = Promise.all(pending.values()).then(() => {
          commitAll(later);
          sidecars(laterFiles);
        }).catch((e) => {
          for (const o of later) o.abort();
          throw new DataError(
            `${spec.name}: ${outputMessage(e, later) ?? (e instanceof Error ? e.message : String(e))}`,
          );
        }).finally(() => {
          stopSignals();
          WATCHDOG?.postMessage({ clear: runId });
        });
        defer(done, laterFiles);
      }
      return 0;
    } catch (e) {
      abortAll();
      if (e instanceof BrokenPipe) return EXIT.OK;
      if (e instanceof UsageError) {
        writeStderr(`${spec.name}: ${e.message}\n${spec.name}: try '${spec.name} --help'\n`);
        return EXIT.USAGE;
      }
      const msg = outputMessage(e, outputs) ?? (e instanceof Error ? e.message : String(e));
      // a data error (lib/errors.ts DataError and its subclasses) prints as `tool: message`, anything else
      // (a bug, a system failure) as `tool: error: message`
      const known = e instanceof DataError;
      if (e instanceof Deno.errors.NotFound) {
        writeStderr(`${spec.name}: ${msg}\n`);
      } else if (known || e instanceof Error) {
        writeStderr(
          `${spec.name}: ${known || msg.startsWith("cannot write ") ? "" : "error: "}${msg.split("\n")[0]}\n`,
        );
      } else {
        writeStderr(`${spec.name}: error: ${msg}\n`);
      }
      // Stack traces are for developers only (LMT_TRACEBACK=1): --debug / -d / debug=1 show more progress, never
      // turn a data error into a traceback.
      if (env.LMT_TRACEBACK === "1" && e instanceof Error && e.stack) writeStderr(e.stack + "\n");
      return EXIT.DATA;
    } finally {
      restoreConsole();
      if (!handedOver) stopSignals();
      if (WATCHDOG !== undefined && !handedOver) {
        // tools run in-process one after another (the pipeline runner) share one watchdog: starting a
        // thread per tool cost ~0.1 s each; a program running one tool ends its thread here
        if (stdioRedirected()) WATCHDOG.postMessage({ clear: runId });
        else {
          WATCHDOG.terminate();
          WATCHDOG = undefined;
        }
      }
    }
  };
  return { spec, main, help };
}

/** Signals that end a tool cleanly, with their exit codes (128 + number). */
const SIGNALS: [Deno.Signal, number][] = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]];

/** Clean-ups of the tools running in this process (several when run in-process side by side). */
const running = new Set<() => void>();
const listeners: [Deno.Signal, () => void][] = [];

/**
 * Run `cleanup` if SIGINT/SIGTERM/SIGHUP arrives while a tool runs, then exit 128 + the signal
 * number; one listener per signal serves every tool running in the process. Returns the function
 * that unregisters `cleanup`.
 */
function onSignals(cleanup: () => void): () => void {
  running.add(cleanup);
  if (listeners.length === 0) {
    for (const [sig, code] of SIGNALS) {
      const h = () => {
        for (const f of running) {
          try {
            f();
          } catch { /* keep cleaning */ }
        }
        Deno.exit(code);
      };
      try {
        Deno.addSignalListener(sig, h);
        listeners.push([sig, h]);
      } catch { /* signal not available on this platform */ }
    }
  }
  return () => {
    running.delete(cleanup);
    if (running.size > 0) return;
    for (const [sig, h] of listeners.splice(0)) {
      try {
        Deno.removeSignalListener(sig, h);
      } catch { /* ignore */ }
    }
  };
}

/**
 * Third-party chatter on the console while a tool runs (library code never prints): the h5wasm
 * (Emscripten) runtime reports a failed allocation with "Cannot enlarge memory ..." on console.error
 * before it throws; the thrown error becomes the tool's one line, so the chatter is dropped unless
 * debugging. Returns the function that restores the console.
 */
function quietConsole(debug: () => boolean): () => void {
  const orig = { error: console.error, warn: console.warn };
  const noise = /^(Cannot enlarge memory|Aborted\(|warning: unsupported syscall|HDF5-DIAG)/;
  const filter = (f: (...a: unknown[]) => void) => (...a: unknown[]) => {
    if (!debug() && typeof a[0] === "string" && noise.test(a[0])) return;
    f(...a);
  };
  console.error = filter(orig.error);
  console.warn = filter(orig.warn);
  return () => {
    console.error = orig.error;
    console.warn = orig.warn;
  };
}

/**
 * Rename every output into place. If one rename fails, the outputs already renamed by this run are
 * removed again — each only while it is still this run's file (another run may have replaced it).
 */
function commitAll(outputs: OutputFile[]): void {
  const done: OutputFile[] = [];
  try {
    for (const o of outputs) {
      o.commit();
      done.push(o);
    }
  } catch (e) {
    for (const o of done) o.rollback();
    for (const o of outputs) o.abort();
    throw e;
  }
}

/**
 * An error about an output's temporary file, reworded to name the output the user gave
 * (`cannot write cube.fits: no space left on device`); undefined for other errors.
 */
function outputMessage(e: unknown, outputs: OutputFile[]): string | undefined {
  const msg = e instanceof Error ? e.message : String(e);
  for (const o of outputs) {
    const t = o.tempPath;
    if (t !== null && msg.includes(t)) return `cannot write ${o.path}: ${fsReason(e)}`;
    const base = t?.split("/").pop();
    if (base !== undefined && msg.includes(base)) return `cannot write ${o.path}: ${fsReason(e)}`;
  }
  return undefined;
}

/**
 * The provenance record of a tool run (written as sidecars `<output>.json` when LMT_SIDECAR=1, as the
 * pipelines do): tool, version, command line, working directory, input files named on the command line,
 * outputs, parameters, wall time. Made when run() returns, in the tool's working directory.
 */
function sidecarRecord(
  name: string,
  argv: string[],
  values: ParsedValues,
  outputs: OutputFile[],
  t0: number,
): string {
  const files = outputs.filter((o) => !o.isStdout).map((o) => o.path);
  const outSet = new Set(files);
  const inputs: string[] = [];
  const consider = (v: unknown) => {
    if (typeof v === "string" && v !== "-" && !outSet.has(v)) {
      try {
        if (statSync(v).isFile()) inputs.push(v);
      } catch { /* not a file */ }
    } else if (Array.isArray(v)) v.forEach(consider);
  };
  Object.values(values).forEach(consider);
  const record = {
    tool: name,
    version: VERSION,
    command: [name, ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
      .join(" "),
    cwd: Deno.cwd(),
    date: new Date().toISOString().slice(0, 19),
    inputs,
    outputs: files,
    parameters: values,
    wall_time_s: Math.round((performance.now() - t0) / 10) / 100,
  };
  return JSON.stringify(record, null, 1) + "\n";
}

/** Write the sidecar `<path>.json` of each committed output (absolute paths); a sidecar never fails a tool. */
function writeSidecars(record: string, paths: string[]): void {
  const bytes = new TextEncoder().encode(record);
  for (const f of paths) {
    try {
      withTempFile(`${f}.json`, (t) => t.write(bytes));
    } catch { /* a sidecar never fails a tool */ }
  }
}
