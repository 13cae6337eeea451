/**
 * The synchronous file-system calls of the toolkit, with node:fs names and semantics, on Deno's own
 * file API. Importing node:fs costs every tool ~30–40 ms of start-up (Deno loads its Node
 * compatibility layer and lazily its streams); the modules on the hot paths (CLI, netCDF/HDF5 I/O,
 * LMT file lookup, SEQ reduction) import this instead.
 *
 * File descriptors are small integers of this module (not OS descriptors). Positioned reads and
 * writes leave the descriptor's own position alone (pread/pwrite semantics); reads and writes
 * without a position continue from it. Errors carry node's `code` (ENOENT, EACCES, ...) and a
 * message in node's form (`ENOENT: no such file or directory, open '/x'`).
 *
 * @module
 */
import { basename, dirname } from "./path.ts";

/** An fs error with node's code and message form. */
export class FsError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "FsError";
    this.code = code;
  }
}

const CODES: [new (...a: never[]) => Error, string, string][] = [
  [Deno.errors.NotFound, "ENOENT", "no such file or directory"],
  [Deno.errors.PermissionDenied, "EACCES", "permission denied"],
  [Deno.errors.AlreadyExists, "EEXIST", "file already exists"],
  [Deno.errors.IsADirectory, "EISDIR", "illegal operation on a directory"],
  [Deno.errors.NotADirectory, "ENOTDIR", "not a directory"],
];

function fail(e: unknown, syscall: string, path?: string): never {
  const where = path === undefined ? syscall : `${syscall} '${path}'`;
  for (const [cls, code, text] of CODES) {
    if (e instanceof cls) throw new FsError(code, `${code}: ${text}, ${where}`);
  }
  const msg = e instanceof Error ? e.message.replace(/ \(os error \d+\).*$/, "") : String(e);
  throw new FsError("EIO", `EIO: ${msg}, ${where}`);
}

interface Handle {
  file: Deno.FsFile;
  path: string;
  /** Position of reads/writes without an explicit position. */
  pos: number;
  /** Where the OS file offset is (skip the seek when it is already there); -1 = unknown. */
  os: number;
  append: boolean;
}

/**
 * The process-wide descriptor table. Why it exists: the callers (the netCDF/HDF5 readers and
 * writers, the CDF-2 stream sink, the CLI's output files) were written against node:fs's integer
 * descriptors, and keeping that interface lets the hot paths drop node:fs (its start-up cost) without
 * rewriting them around Deno.FsFile objects; it also holds what node's descriptors hold implicitly,
 * the descriptor's own position beside the OS offset (pread/pwrite semantics on one seekable file).
 *
 * Invariants: a descriptor is in the table from openSync until closeSync, which removes it before
 * closing the file, so a closed or never-opened descriptor is EBADF, never another file; numbers
 * start at 3 (clear of 0–2, which this table never holds) and are never reused, so a stale
 * descriptor kept after close cannot reach a later file. The table belongs to one JavaScript thread
 * (each worker has its own module instance and table; descriptors are not passed between threads).
 * The opener closes its descriptor; one left open keeps its Deno.FsFile until the process exits.
 */
const handles = new Map<number, Handle>();
let nextFd = 3;

function handle(fd: number, syscall: string): Handle {
  const h = handles.get(fd);
  if (!h) throw new FsError("EBADF", `EBADF: bad file descriptor, ${syscall}`);
  return h;
}

/** Open a file: flags "r", "r+", "w", "w+", "wx", "a" as node. Returns a descriptor. */
export function openSync(path: string, flags = "r"): number {
  const o: Deno.OpenOptions = {
    r: { read: true },
    "r+": { read: true, write: true },
    w: { write: true, create: true, truncate: true },
    "w+": { read: true, write: true, create: true, truncate: true },
    wx: { write: true, createNew: true },
    a: { append: true, create: true },
  }[flags] ?? (() => {
    throw new FsError("EINVAL", `EINVAL: invalid flags '${flags}', open '${path}'`);
  })();
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, o);
  } catch (e) {
    fail(e, "open", path);
  }
  const fd = nextFd++;
  handles.set(fd, { file, path, pos: 0, os: 0, append: flags === "a" });
  return fd;
}

/** Close a descriptor. */
export function closeSync(fd: number): void {
  const h = handle(fd, "close");
  handles.delete(fd);
  h.file.close();
}

/**
 * One read or write `op` of a descriptor at byte `position` (null/undefined: the descriptor's own
 * position, which advances by the bytes moved), seeking only when the OS offset is elsewhere.
 */
function transfer(h: Handle, syscall: string, position: number | null | undefined, op: () => number): number {
  const at = position ?? h.pos;
  try {
    if (h.os !== at) {
      h.file.seekSync(at, Deno.SeekMode.Start);
      h.os = at;
    }
    const n = op();
    h.os = at + n;
    if (position === null || position === undefined) h.pos = at + n;
    return n;
  } catch (e) {
    h.os = -1;
    fail(e, syscall, h.path);
  }
}

/**
 * Read up to `length` bytes into `buffer[offset..]` from byte `position` (null/undefined: the
 * descriptor's position, which advances). Returns the bytes read (0 at end of file).
 */
export function readSync(
  fd: number,
  buffer: Uint8Array,
  offset = 0,
  length = buffer.length - offset,
  position: number | null = null,
): number {
  const h = handle(fd, "read");
  return transfer(h, "read", position, () => h.file.readSync(buffer.subarray(offset, offset + length)) ?? 0);
}

/**
 * Write `buffer[offset, offset+length)` at byte `position` (null/undefined: the descriptor's
 * position, which advances; append mode: the end). Returns the bytes written.
 */
export function writeSync(
  fd: number,
  buffer: Uint8Array,
  offset = 0,
  length = buffer.length - offset,
  position: number | null = null,
): number {
  const h = handle(fd, "write");
  const write = () => h.file.writeSync(buffer.subarray(offset, offset + length));
  if (!h.append) return transfer(h, "write", position, write);
  h.os = -1; // appends move the OS offset to the end
  try {
    return write();
  } catch (e) {
    fail(e, "write", h.path);
  }
}

/**
 * Read `dst.length` bytes from byte `position`, fewer only at the end of the file (readSync may
 * return short counts). Returns the bytes read.
 */
export function readFullSync(fd: number, dst: Uint8Array, position: number): number {
  let done = 0;
  while (done < dst.length) {
    const n = readSync(fd, dst, done, dst.length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** Write all of `bytes` at byte `position` (null: at the descriptor's position, which advances). */
export function writeAllSync(fd: number, bytes: Uint8Array, position: number | null = null): void {
  for (let off = 0; off < bytes.length;) {
    off += writeSync(fd, bytes, off, bytes.length - off, position === null ? null : position + off);
  }
}

/** Truncate or extend an open file to `len` bytes. */
export function ftruncateSync(fd: number, len = 0): void {
  const h = handle(fd, "ftruncate");
  try {
    h.file.truncateSync(len);
  } catch (e) {
    fail(e, "ftruncate", h.path);
  }
}

/** What {@link statSync} and {@link fstatSync} return (the node Stats members the toolkit uses). */
export interface Stats {
  size: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

function stats(i: Deno.FileInfo): Stats {
  return {
    size: i.size,
    mtimeMs: i.mtime?.getTime() ?? 0,
    isFile: () => i.isFile,
    isDirectory: () => i.isDirectory,
  };
}

/** Size and kind of an open file. */
export function fstatSync(fd: number): Stats {
  const h = handle(fd, "fstat");
  try {
    return stats(h.file.statSync());
  } catch (e) {
    fail(e, "fstat", h.path);
  }
}

/** Size and kind of a path (following symbolic links). */
export function statSync(path: string): Stats {
  try {
    return stats(Deno.statSync(path));
  } catch (e) {
    fail(e, "stat", path);
  }
}

/** True when the path exists (false on any error, as node). */
export function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Names in a directory (unsorted, as node). */
export function readdirSync(path: string): string[] {
  try {
    return Array.from(Deno.readDirSync(path), (e) => e.name);
  } catch (e) {
    fail(e, "scandir", path);
  }
}

/** Rename (replace) a file. */
export function renameSync(from: string, to: string): void {
  try {
    Deno.renameSync(from, to);
  } catch (e) {
    fail(e, "rename", `${from}' -> '${to}`);
  }
}

/** Remove a file or (recursive) a directory; `force` ignores a missing path. */
export function rmSync(path: string, opts: { recursive?: boolean; force?: boolean } = {}): void {
  try {
    Deno.removeSync(path, { recursive: opts.recursive ?? false });
  } catch (e) {
    if (opts.force && e instanceof Deno.errors.NotFound) return;
    fail(e, "rm", path);
  }
}

/** Create a directory (`recursive`: with its parents, no error if it exists). */
export function mkdirSync(path: string, opts: { recursive?: boolean } = {}): void {
  try {
    Deno.mkdirSync(path, { recursive: opts.recursive ?? false });
  } catch (e) {
    fail(e, "mkdir", path);
  }
}

/** Create a unique directory named `prefix` + random characters. */
export function mkdtempSync(prefix: string): string {
  try {
    return Deno.makeTempDirSync({ dir: dirname(prefix), prefix: basename(prefix) });
  } catch (e) {
    fail(e, "mkdtemp", `${prefix}XXXXXX`);
  }
}

/** A whole file as bytes, or as text with an encoding ("utf8"). */
export function readFileSync(path: string): Uint8Array;
export function readFileSync(path: string, encoding: "utf8" | "utf-8"): string;
export function readFileSync(path: string, encoding?: string): Uint8Array | string {
  try {
    return encoding ? Deno.readTextFileSync(path) : Deno.readFileSync(path);
  } catch (e) {
    fail(e, "open", path);
  }
}

/** Write a whole file (created or truncated; `flag: "a"` appends; `mode` for a new file). */
export function writeFileSync(
  path: string,
  data: string | Uint8Array,
  opts: { mode?: number; flag?: "w" | "a" } = {},
): void {
  const o: Deno.WriteFileOptions = {
    append: opts.flag === "a",
    ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
  };
  try {
    if (typeof data === "string") Deno.writeTextFileSync(path, data, o);
    else Deno.writeFileSync(path, data, o);
  } catch (e) {
    fail(e, "open", path);
  }
}
