/**
 * Byte sources of the native HDF5 reader: positioned reads from a file descriptor (metadata
 * through a small page cache, data straight into the caller's buffer) or from bytes in memory,
 * and {@link Cursor}, a little-endian field decoder over a byte view.
 * @module
 */
import { closeSync, fstatSync, openSync, readFullSync } from "../../sys/fs.ts";
import { Hdf5Error } from "./errors.ts";

/** Random access to the bytes of an HDF5 file. */
export interface ByteSource {
  /** File length in bytes. */
  readonly size: number;
  /** `len` bytes at `pos` for metadata (may be a shared view: do not modify). */
  meta(pos: number, len: number): Uint8Array;
  /** Fill `dst` with the bytes at `pos` (data path: no cache, no copy). */
  readInto(dst: Uint8Array, pos: number): void;
  /** Release the file handle (safe twice). */
  close(): void;
}

function checkRange(size: number, pos: number, len: number): void {
  if (!(pos >= 0) || pos + len > size) {
    throw new Hdf5Error(`truncated file: need ${len} bytes at ${pos}, file has ${size}`, pos);
  }
}

const PAGE = 4096;
const MAX_PAGES = 4096;

/** A file read with `readSync`; metadata goes through a cache of 4 KiB pages. */
export class FileSource implements ByteSource {
  readonly size: number;
  #fd: number | null;
  readonly #pages = new Map<number, Uint8Array>();

  /** Open `path` read-only (node:fs errors propagate). */
  constructor(path: string) {
    this.#fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.#fd).size;
    } catch (e) {
      closeSync(this.#fd);
      throw e;
    }
  }

  #fdOrThrow(): number {
    if (this.#fd === null) throw new Hdf5Error("file is closed");
    return this.#fd;
  }

  readInto(dst: Uint8Array, pos: number): void {
    checkRange(this.size, pos, dst.length);
    if (readFullSync(this.#fdOrThrow(), dst, pos) < dst.length) {
      throw new Hdf5Error(`short read of ${dst.length} bytes`, pos);
    }
  }

  meta(pos: number, len: number): Uint8Array {
    checkRange(this.size, pos, len);
    if (len > 8 * PAGE) {
      const out = new Uint8Array(len);
      this.readInto(out, pos);
      return out;
    }
    const p0 = Math.floor(pos / PAGE);
    const p1 = Math.floor((pos + len - 1) / PAGE);
    if (p0 === p1 || len === 0) {
      const page = this.#page(p0);
      const o = pos - p0 * PAGE;
      return page.subarray(o, o + len);
    }
    const out = new Uint8Array(len);
    for (let p = p0; p <= p1; p++) {
      const page = this.#page(p);
      const a = Math.max(pos, p * PAGE);
      const b = Math.min(pos + len, p * PAGE + page.length);
      out.set(page.subarray(a - p * PAGE, b - p * PAGE), a - pos);
    }
    return out;
  }

  #page(p: number): Uint8Array {
    let page = this.#pages.get(p);
    if (page) return page;
    if (this.#pages.size >= MAX_PAGES) this.#pages.clear();
    const start = p * PAGE;
    page = new Uint8Array(Math.min(PAGE, this.size - start));
    this.readInto(page, start);
    this.#pages.set(p, page);
    return page;
  }

  close(): void {
    if (this.#fd !== null) {
      const fd = this.#fd;
      this.#fd = null;
      this.#pages.clear();
      closeSync(fd);
    }
  }
}

/** Bytes held in memory. */
export class MemorySource implements ByteSource {
  readonly size: number;
  readonly #bytes: Uint8Array;
  /** Wrap `bytes` (not copied). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.length;
  }
  meta(pos: number, len: number): Uint8Array {
    checkRange(this.size, pos, len);
    return this.#bytes.subarray(pos, pos + len);
  }
  readInto(dst: Uint8Array, pos: number): void {
    checkRange(this.size, pos, dst.length);
    dst.set(this.#bytes.subarray(pos, pos + dst.length));
  }
  close(): void {}
}

/** The undefined address (all bits set) as returned by {@link Cursor.offset}. */
export const UNDEF = -1;

/** Little-endian decoder over a byte view; `base` is the file position of `bytes[0]` (for errors). */
export class Cursor {
  pos = 0;
  readonly bytes: Uint8Array;
  readonly base: number;
  readonly #dv: DataView;
  readonly offsetSize: number;
  readonly lengthSize: number;

  constructor(bytes: Uint8Array, base: number, offsetSize = 8, lengthSize = 8) {
    this.bytes = bytes;
    this.base = base;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offsetSize = offsetSize;
    this.lengthSize = lengthSize;
  }

  #need(n: number): number {
    const p = this.pos;
    if (p + n > this.bytes.length) {
      throw new Hdf5Error(`structure runs past its block (${n} bytes wanted)`, this.base + p);
    }
    this.pos = p + n;
    return p;
  }
  /** Bytes left in the view. */
  get left(): number {
    return this.bytes.length - this.pos;
  }
  skip(n: number): void {
    this.#need(n);
  }
  u8(): number {
    return this.bytes[this.#need(1)]!;
  }
  u16(): number {
    return this.#dv.getUint16(this.#need(2), true);
  }
  u32(): number {
    return this.#dv.getUint32(this.#need(4), true);
  }
  /** Unsigned little-endian integer of `n` ≤ 8 bytes as a number; all-ones → {@link UNDEF}. */
  uint(n: number): number {
    const p = this.#need(n);
    let v = 0;
    let ones = true;
    for (let i = n - 1; i >= 0; i--) {
      const b = this.bytes[p + i]!;
      if (b !== 0xff) ones = false;
      v = v * 256 + b;
    }
    return ones && n > 0 ? UNDEF : v;
  }
  u64(): number {
    return this.uint(8);
  }
  /** A file address (size of offsets). */
  offset(): number {
    return this.uint(this.offsetSize);
  }
  /** A length (size of lengths). */
  length(): number {
    return this.uint(this.lengthSize);
  }
  take(n: number): Uint8Array {
    const p = this.#need(n);
    return this.bytes.subarray(p, p + n);
  }
  /** Check a 4-character signature. */
  signature(sig: string): void {
    const at = this.base + this.pos;
    const b = this.take(4);
    for (let i = 0; i < 4; i++) {
      if (b[i] !== sig.charCodeAt(i)) throw new Hdf5Error(`bad signature, expected ${sig}`, at);
    }
  }
}
