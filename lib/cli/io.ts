/**
 * File I/O policy of the tools: `-` means stdin/stdout, outputs are written to a temporary name
 * beside the target and renamed into place only on success, so an error never leaves a partial file.
 *
 * @module
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeAllSync } from "../sys/fs.ts";
import { DataError } from "./errors.ts";
import { basename, dirname, join } from "../sys/path.ts";

/** Raised when stdout is closed by the reader (e.g. `| head`); the tool then exits 0 quietly. */
export class BrokenPipe extends Error {
  constructor() {
    super("broken pipe");
    this.name = "BrokenPipe";
  }
}

function isBrokenPipe(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe ||
    (e instanceof Error && /broken pipe|EPIPE/i.test(e.message));
}

const enc = new TextEncoder();

/** Where a tool run in-process sends its stdout and stderr (see {@link withStdio}). */
export interface StdioSinks {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

// The sinks of the tool running in-process now, or null for the process's own stdout/stderr. One at a time:
// the pipeline runner (lib/pipeline) runs its steps one after another in one process, like make's recipes.
let redirect: StdioSinks | null = null;

/**
 * Run `fn` (a tool's `main`) with its stdout and stderr sent to `sinks` instead of the process's: the
 * in-process equivalent of `tool > log 2>&1`. Calls must not overlap (the previous sinks are restored after).
 */
export async function withStdio<T>(sinks: StdioSinks, fn: () => Promise<T>): Promise<T> {
  const prev = redirect;
  redirect = sinks;
  try {
    return await fn();
  } finally {
    redirect = prev;
  }
}

/** True while a tool runs under {@link withStdio} (no terminal: no progress bars, no TTY chatter). */
export function stdioRedirected(): boolean {
  return redirect !== null;
}

/** Write all bytes to stdout synchronously; throws {@link BrokenPipe} when the reader went away. */
export function writeStdout(data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  if (redirect !== null) return redirect.stdout(bytes);
  let off = 0;
  try {
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  } catch (e) {
    if (isBrokenPipe(e)) throw new BrokenPipe();
    throw e;
  }
}

/** Write a line to stderr (never throws). */
export function writeStderr(text: string): void {
  try {
    const b = enc.encode(text);
    if (redirect !== null) return redirect.stderr(b);
    let off = 0;
    while (off < b.length) off += Deno.stderr.writeSync(b.subarray(off));
  } catch {
    // nothing sensible to do
  }
}

/** An output being written: to stdout for `-`, else to a temp file renamed on commit. */
export class OutputFile {
  readonly path: string;
  readonly tempPath: string | null;
  #fd: number | null = null;
  #done = false;
  bytesWritten = 0;

  constructor(path: string) {
    this.path = path;
    if (path === "-") {
      this.tempPath = null;
      return;
    }
    const dir = dirname(path);
    if (!existsSync(dir)) throw new DataError(`cannot write ${path}: directory ${dir} does not exist`);
    if (existsSync(path) && statSync(path).isDirectory()) {
      throw new DataError(`cannot write ${path}: it is a directory`);
    }
    this.tempPath = join(dir, `.${basename(path)}.tmp-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      this.#fd = openSync(this.tempPath, "w");
    } catch (e) {
      throw new DataError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** True when this output goes to stdout. */
  get isStdout(): boolean {
    return this.tempPath === null;
  }

  /** Append text or bytes. */
  write(data: string | Uint8Array): void {
    if (this.#done) throw new Error(`output ${this.path} already closed`);
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    this.bytesWritten += bytes.length;
    if (this.#fd === null) {
      writeStdout(bytes);
      return;
    }
    writeAllSync(this.#fd, bytes);
  }

  /** Finish: close and rename the temp file onto the target. */
  commit(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
      renameSync(this.tempPath!, this.path);
    }
  }

  /** Abandon: close and remove the temp file. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch { /* ignore */ }
      this.#fd = null;
      rmSync(this.tempPath!, { force: true });
    }
  }

  /** Whether commit() or abort() has been called. */
  get done(): boolean {
    return this.#done;
  }
}

/**
 * A temporary path beside `target` for writers that need a path (e.g. the netCDF-4 writer); rename it
 * with {@link commitTempPath} or remove it with {@link abortTempPath}.
 */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.tmp-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`,
  );
}

/** Read all of stdin. */
export async function readStdinBytes(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of Deno.stdin.readable) {
    chunks.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Read a file's bytes (`-` = stdin) with a DataError naming the file on failure. */
export async function readInputBytes(path: string): Promise<Uint8Array> {
  if (path === "-") return await readStdinBytes();
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new DataError(`${path}: no such file`);
    if (e instanceof Deno.errors.IsADirectory) throw new DataError(`${path}: is a directory`);
    throw new DataError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Read a text file (`-` = stdin). */
export async function readInputText(path: string): Promise<string> {
  return new TextDecoder().decode(await readInputBytes(path));
}

/** Check an input file exists (not for `-`); DataError naming it otherwise. */
export function requireFile(path: string, what = "file"): void {
  if (path === "-") return;
  if (!existsSync(path)) throw new DataError(`${path}: no such ${what}`);
}
