/**
 * File I/O policy of the tools: `-` means stdin/stdout (named `<stdin>`/`<stdout>` in messages),
 * outputs are written to a temporary name beside the target and renamed into place only on success,
 * so an error never leaves a partial file (lib/sys/tempfile.ts holds the mechanism).
 *
 * @module
 */
import { existsSync, FsError } from "../sys/fs.ts";
import { type FileSink, removeStaleTemps, TempFile } from "../sys/tempfile.ts";
import { DataError } from "./errors.ts";
import { dirname } from "../sys/path.ts";

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

/** How an output may treat an existing file of the same name (the one rule: docs/compat.md "All tools"). */
export interface OutputPolicy {
  /** Replace an existing file (default); false: an existing file is an error (tools with `--overwrite`). */
  replace?: boolean;
}

/** The name of an input or output in messages: `<stdin>`/`<stdout>` for `-`, else the path as given. */
export function displayName(path: string, dir: "in" | "out" = "in"): string {
  return path === "-" ? (dir === "in" ? "<stdin>" : "<stdout>") : path;
}

/**
 * What went wrong in a file-system error, in words, without the temporary path or node's code
 * prefix (`ENOSPC: no space left on device, write '/d/.x.1.a.tmp'` → `no space left on device`).
 */
export function fsReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const known: [RegExp, string][] = [
    [/no space left on device|ENOSPC/i, "no space left on device"],
    [/read-only file system|EROFS/i, "read-only file system"],
    [/disk quota exceeded|EDQUOT/i, "disk quota exceeded"],
    [/file too large|EFBIG/i, "file too large"],
    [/permission denied|EACCES|EPERM/i, "permission denied"],
    [/not a directory|ENOTDIR/i, "not a directory"],
    [/is a directory|EISDIR/i, "is a directory"],
    [/no such file or directory|ENOENT/i, "no such file or directory"],
  ];
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  for (const [re, text] of known) if (re.test(msg)) return text;
  return msg.split("\n")[0]!.replace(/^E[A-Z]+: /, "").replace(/(, \w+)? '[^']*'$/, "").replace(
    / \(os error \d+\)$/,
    "",
  );
}

/**
 * An output being written (the one door for files, through `ctx.output`): `-` is stdout; any other
 * path is checked at once (its directory exists and is a directory, the path is not a directory and
 * does not end with `/`, an existing file may be replaced), stale temporary files of dead processes
 * are removed, and the data go to a {@link TempFile} beside it, renamed into place by {@link commit}.
 * As a {@link FileSink} it is handed to the FITS, netCDF and grid writers.
 */
export class OutputFile implements FileSink {
  /** The path the user gave. */
  readonly path: string;
  readonly #temp: TempFile | null;
  readonly #replace: boolean;
  #stdoutDone = false;
  bytesWritten = 0;

  constructor(path: string, policy: OutputPolicy = {}) {
    this.path = path;
    this.#replace = policy.replace ?? true;
    if (path === "-") {
      this.#temp = null;
      return;
    }
    checkOutputPath(path, this.#replace);
    removeStaleTemps(path);
    try {
      this.#temp = TempFile.create(path);
    } catch (e) {
      throw new DataError(`cannot write ${path}: ${fsReason(e)}`);
    }
  }

  /** The target path (FileSink). */
  get target(): string {
    return this.path;
  }

  /** Descriptor of the temporary file (FileSink; not for stdout). */
  get fd(): number {
    if (this.#temp === null) throw new Error(`output ${this.path} is stdout: no descriptor`);
    return this.#temp.fd;
  }

  /** The temporary file's path (null for stdout). */
  get tempPath(): string | null {
    return this.#temp?.tempPath ?? null;
  }

  /** True when this output goes to stdout. */
  get isStdout(): boolean {
    return this.#temp === null;
  }

  /** Append text or bytes. */
  write(data: string | Uint8Array): void {
    if (this.done) throw new Error(`output ${this.path} already closed`);
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    this.bytesWritten += bytes.length;
    if (this.#temp === null) writeStdout(bytes);
    else this.#temp.write(bytes);
  }

  /**
   * Give the file permission bits `mode` (e.g. 0o755 for a script): set on the temporary file, so the
   * target appears with them when committed. Nothing to do for stdout.
   */
  chmod(mode: number): void {
    if (this.#temp === null) return;
    try {
      Deno.chmodSync(this.#temp.tempPath, mode);
    } catch (e) {
      throw new DataError(`cannot write ${this.path}: ${fsReason(e)}`);
    }
  }

  /** Finish: close and rename the temp file onto the target (never replacing a file without `replace`). */
  commit(): void {
    if (this.#temp === null) {
      this.#stdoutDone = true;
      return;
    }
    if (this.#temp.done) return;
    try {
      this.#temp.commit({ replace: this.#replace });
    } catch (e) {
      if (e instanceof FsError && e.code === "EEXIST") {
        throw new DataError(
          `cannot write ${this.path}: busy: another run created it meanwhile (left as it is; use --overwrite to replace)`,
        );
      }
      throw new DataError(`cannot write ${this.path}: ${fsReason(e)}`);
    }
  }

  /** Abandon: close and remove the temp file. */
  abort(): void {
    if (this.#temp === null) this.#stdoutDone = true;
    else this.#temp.abort();
  }

  /** After a commit: remove the target again if it is still this run's file (see TempFile.rollback). */
  rollback(): boolean {
    return this.#temp?.rollback() ?? false;
  }

  /** Whether commit() or abort() has been called. */
  get done(): boolean {
    return this.#temp === null ? this.#stdoutDone : this.#temp.done;
  }
}

/**
 * Check an output path before anything is written: one DataError saying what is wrong with the path
 * the user gave (never a node EISDIR/ENOTDIR/ENOENT text about a temporary name).
 */
export function checkOutputPath(path: string, replace = true): void {
  if (path === "") throw new DataError("cannot write an output with an empty name");
  if (path.endsWith("/")) {
    throw new DataError(`cannot write ${path}: names a directory (ends with /), not a file`);
  }
  let st: Deno.FileInfo | undefined;
  try {
    st = Deno.statSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof Deno.errors.NotADirectory)) {
      throw new DataError(`cannot write ${path}: ${fsReason(e)}`);
    }
  }
  if (st?.isDirectory) throw new DataError(`cannot write ${path}: it is a directory`);
  const dir = dirname(path);
  let dst: Deno.FileInfo;
  try {
    dst = Deno.statSync(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`cannot write ${path}: directory ${dir} does not exist`);
    }
    if (e instanceof Deno.errors.NotADirectory) {
      throw new DataError(`cannot write ${path}: ${dir} is not a directory`);
    }
    throw new DataError(`cannot write ${path}: ${fsReason(e)}`);
  }
  if (!dst.isDirectory) throw new DataError(`cannot write ${path}: ${dir} is not a directory`);
  if (st !== undefined && !replace) {
    throw new DataError(`cannot write ${path}: file exists (use --overwrite)`);
  }
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
    if (e instanceof Deno.errors.IsADirectory) throw new DataError(`${path}: is a directory, not a file`);
    throw new DataError(`${path}: ${fsReason(e)}`);
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
