/**
 * Temporary files that become their target only when complete — the one mechanism behind every
 * output of the toolkit (the tools reach it through lib/cli's `ctx.output`; library helpers that
 * take a path, e.g. the data generators' writers, use {@link TempFile} directly).
 *
 * - A temporary file is named `.NAME.PID.RAND.tmp` beside its target `NAME` (same directory, so the
 *   final rename is atomic), created exclusively (`wx`).
 * - Writers receive it as a {@link FileSink}: a descriptor (positioned writes) and a sequential
 *   `write`; they never rename or remove anything themselves.
 * - {@link TempFile.commit} closes and renames it onto the target (or, with `replace: false`, links
 *   it there, which fails when the target appeared meanwhile); {@link TempFile.abort} removes it.
 * - {@link removeStaleTemps} removes temporary files of the same target left by processes that no
 *   longer exist (after a SIGKILL or a power cut): the PID in the name is looked up in `/proc`.
 *
 * @module
 */
import { closeSync, existsSync, FsError, openSync, readdirSync, rmSync, writeAllSync } from "./fs.ts";
import { basename, dirname, join, resolve } from "./path.ts";

/** An open temporary file handed to a writer. */
export interface FileSink {
  /** The name the file will have when committed (for messages). */
  readonly target: string;
  /** Descriptor (lib/sys/fs) of the open temporary file, for positioned writes. */
  readonly fd: number;
  /** Append bytes after the last sequential write (positioned writes do not move this). */
  write(bytes: Uint8Array): void;
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, "0");
}

/** The temporary name of `target` for process `pid`: `.NAME.PID.RAND.tmp` in the same directory. */
export function tempNameFor(target: string, pid: number = Deno.pid): string {
  return join(dirname(target), `.${basename(target)}.${pid}.${randomTag()}.tmp`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether process `pid` exists (Linux `/proc`); true when that cannot be told (no `/proc`), so
 * nothing is ever removed on a guess.
 */
export function processAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (!existsSync("/proc/self")) return true;
  return existsSync(`/proc/${pid}`);
}

/**
 * The PID in a temporary name of `target` (this module's form or the older `.NAME.tmp-PID-RAND`), or
 * undefined, as a function of the name (made once per target: a directory is scanned name by name).
 */
function tempPidOf(target: string): (name: string) => number | undefined {
  const base = basename(target);
  const b = escapeRe(base);
  const now = new RegExp(`^\\.${b}\\.(\\d+)\\.[0-9a-z]+\\.tmp$`);
  const older = new RegExp(`^\\.${b}\\.tmp-(\\d+)-[0-9a-z]+$`);
  const prefix = `.${base}.`;
  return (name) => {
    if (!name.startsWith(prefix)) return undefined;
    const m = now.exec(name) ?? older.exec(name);
    return m === null ? undefined : Number(m[1]);
  };
}

/**
 * Remove the temporary files of `target` whose process is gone; returns their paths. Errors (a
 * directory that cannot be listed, a file removed meanwhile) are ignored: this is housekeeping.
 */
export function removeStaleTemps(target: string): string[] {
  const dir = dirname(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const tempPid = tempPidOf(target);
  for (const n of names) {
    const pid = tempPid(n);
    if (pid === undefined || processAlive(pid)) continue;
    try {
      rmSync(join(dir, n), { force: true });
      removed.push(join(dir, n));
    } catch { /* not ours to fight over */ }
  }
  return removed;
}

/**
 * Remove directories `PREFIX-PID-RAND` in `parent` whose process is gone (the scratch directories of
 * {@link scratchDirName}); returns their paths.
 */
export function removeStaleDirs(parent: string, prefix: string): string[] {
  const re = new RegExp(`^${escapeRe(prefix)}-(\\d+)-[0-9a-z]+$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (m === null || processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(parent, n), { recursive: true, force: true });
      removed.push(join(parent, n));
    } catch { /* ignore */ }
  }
  return removed;
}

/** A scratch directory name `PARENT/PREFIX-PID-RAND` (create it with mkdirSync). */
export function scratchDirName(parent: string, prefix: string): string {
  return join(parent, `${prefix}-${Deno.pid}-${randomTag()}`);
}

/** Identity of a file (device and inode), to tell whether a path still holds the file we put there. */
function identity(path: string): string | undefined {
  try {
    const s = Deno.statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Options of {@link TempFile.commit}. */
export interface CommitOptions {
  /** Replace an existing target (rename, default) or fail when one exists (link + unlink). */
  replace?: boolean;
}

/** A temporary file beside its target; see the module doc. */
export class TempFile implements FileSink {
  /** The target as given (for messages). */
  readonly target: string;
  /** The temporary file, absolute: a commit after the process changed directory still lands beside the target. */
  readonly tempPath: string;
  /** The target, absolute (resolved when created). */
  readonly #at: string;
  #fd: number | null;
  #pos = 0;
  #state: "open" | "committed" | "aborted" = "open";
  /** dev:ino of the committed file, to roll back only what is still ours. */
  #committedId: string | undefined;

  private constructor(target: string, tempPath: string, fd: number) {
    this.target = target;
    this.#at = resolve(target);
    this.tempPath = tempPath;
    this.#fd = fd;
  }

  /** Create the temporary file of `target` (exclusively); throws the file system's error. */
  static create(target: string): TempFile {
    const tmp = tempNameFor(resolve(target));
    return new TempFile(target, tmp, openSync(tmp, "wx"));
  }

  /** The open descriptor; throws once committed or aborted. */
  get fd(): number {
    if (this.#fd === null) throw new FsError("EBADF", `EBADF: ${this.target} is closed`);
    return this.#fd;
  }

  /** Bytes written sequentially so far. */
  get size(): number {
    return this.#pos;
  }

  /** Whether commit or abort has been called. */
  get done(): boolean {
    return this.#state !== "open";
  }

  write(bytes: Uint8Array): void {
    writeAllSync(this.fd, bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /**
   * Close and move into place. With `replace: false` the target must not exist: it is linked, so a
   * file that appeared meanwhile (another run) is never replaced; the error's code is then EEXIST.
   */
  commit(opts: CommitOptions = {}): void {
    if (this.#state !== "open") throw new FsError("EINVAL", `EINVAL: ${this.target} already finished`);
    closeSync(this.fd);
    this.#fd = null;
    try {
      if (opts.replace ?? true) Deno.renameSync(this.tempPath, this.#at);
      else {
        Deno.linkSync(this.tempPath, this.#at);
        rmSync(this.tempPath, { force: true });
      }
    } catch (e) {
      this.#state = "aborted";
      rmSync(this.tempPath, { force: true });
      if (e instanceof Deno.errors.AlreadyExists) {
        throw new FsError("EEXIST", `EEXIST: ${this.target} exists`);
      }
      throw e;
    }
    this.#state = "committed";
    this.#committedId = identity(this.#at);
  }

  /** Close and remove the temporary file (safe to call at any time and twice). */
  abort(): void {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch { /* already failing */ }
      this.#fd = null;
    }
    try {
      rmSync(this.tempPath, { force: true });
    } catch { /* nothing more to do */ }
  }

  /**
   * Undo a commit: remove the target only if it is still the file this object put there (another
   * process may have replaced it since; its file is left alone). Returns whether it removed it.
   */
  rollback(): boolean {
    if (this.#state !== "committed" || this.#committedId === undefined) return false;
    if (identity(this.#at) !== this.#committedId) return false;
    try {
      rmSync(this.#at, { force: true });
    } catch {
      return false;
    }
    this.#state = "aborted";
    return true;
  }
}

/**
 * Write a whole file through a {@link TempFile} (library helpers and generators; tools use
 * `ctx.output`): `fill` writes into the sink; the file is renamed into place when `fill` returns and
 * removed when it throws.
 */
export function withTempFile<T>(target: string, fill: (sink: TempFile) => T): T {
  const t = TempFile.create(target);
  try {
    const r = fill(t);
    t.commit();
    return r;
  } catch (e) {
    t.abort();
    throw e;
  }
}

/** Async form of {@link withTempFile}. */
export async function withTempFileAsync<T>(target: string, fill: (sink: TempFile) => Promise<T>): Promise<T> {
  const t = TempFile.create(target);
  try {
    const r = await fill(t);
    t.commit();
    return r;
  } catch (e) {
    t.abort();
    throw e;
  }
}
