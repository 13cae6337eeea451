/**
 * Pipeline runs started by lmt_web: `SLpipeline.sh obsnum=N key=value ...` as a subprocess (Deno.Command,
 * each parameter one argv entry, never a shell), its output kept line by line for server-sent events.
 * One run per directory at a time: this server's own runs, and the pipeline's lock (`.lmt_lock`) held by
 * any other live process, are refused with the pipeline's own "being reduced by PID N" message.
 *
 * @module
 */
import { LockBusy } from "../pipeline/lock.ts";
import { lockHolder } from "./scan.ts";

/** One run. */
export interface Run {
  id: string;
  /** The obsnum directory id (OBSNUM, FIRST_LAST). */
  obsId: string;
  dir: string;
  argv: string[];
  lines: string[];
  done: boolean;
  code: number | null;
  pid: number;
  listeners: Set<(ev: RunEvent) => void>;
}

/** What a listener receives. */
export type RunEvent = { type: "line"; line: string } | { type: "done"; code: number };

/** How runs are started. */
export interface RunnerOptions {
  /** Program and leading arguments of the pipeline (e.g. [".../bin/SLpipeline.sh"]). */
  pipeline: readonly string[];
  /** Working directory (WORK_LMT). */
  cwd: string;
  /** The environment of the pipeline (WORK_LMT set by the caller). */
  env: Record<string, string>;
}

/** Keeps the runs of one server. */
export class Runner {
  readonly #opts: RunnerOptions;
  readonly #runs = new Map<string, Run>();
  readonly #active = new Map<string, Run>();
  #seq = 0;

  constructor(opts: RunnerOptions) {
    this.#opts = opts;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  /** The run of `dir` in progress (this server's), if any. */
  active(dir: string): Run | undefined {
    return this.#active.get(dir);
  }

  /**
   * Start the pipeline on `dir` with `args` (already validated `key=value` words and flags). Throws
   * {@link LockBusy} when this server or another process is reducing the directory.
   */
  start(obsId: string, dir: string, args: readonly string[]): Run {
    const mine = this.#active.get(dir);
    if (mine !== undefined) throw new LockBusy(obsId, mine.pid, "");
    const holder = lockHolder(dir);
    if (holder !== undefined) throw new LockBusy(obsId, holder, "");
    const [prog, ...lead] = this.#opts.pipeline;
    const cmd = new Deno.Command(prog!, {
      args: [...lead, ...args],
      cwd: this.#opts.cwd,
      env: this.#opts.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const child = cmd.spawn();
    const run: Run = {
      id: `${Date.now().toString(36)}-${++this.#seq}`,
      obsId,
      dir,
      argv: [...args],
      lines: [],
      done: false,
      code: null,
      pid: child.pid,
      listeners: new Set(),
    };
    this.#runs.set(run.id, run);
    this.#active.set(dir, run);
    const emit = (ev: RunEvent) => {
      if (ev.type === "line") run.lines.push(ev.line);
      for (const l of run.listeners) l(ev);
    };
    emit({ type: "line", line: `$ SLpipeline.sh ${args.join(" ")}` });
    const pump = async (s: ReadableStream<Uint8Array>) => {
      let rest = "";
      for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        for (const p of parts) emit({ type: "line", line: p });
      }
      if (rest !== "") emit({ type: "line", line: rest });
    };
    Promise.all([pump(child.stdout), pump(child.stderr), child.status]).then(([, , st]) => {
      run.done = true;
      run.code = st.code;
      this.#active.delete(dir);
      emit({ type: "done", code: st.code });
      run.listeners.clear();
    });
    return run;
  }

  /** Wait for every active run to end (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#active.size > 0) await new Promise((r) => setTimeout(r, 50));
  }
}
