/**
 * Byte-level encoders of the HDF5 structures the writer lays down (file format specification 3.0,
 * 8-byte offsets and lengths, little-endian): datatypes, dataspaces and the object-header
 * messages of v2 object headers, v2 object headers themselves (with their lookup3 checksum), the
 * v2 superblock, v1 B-tree nodes of chunk indexes and global heap collections.
 * @module
 */
import { lookup3 } from "../lookup3.ts";

/** The undefined address (all bits set). */
export const UNDEF = -1;

/** An HDF5 datatype the writer can encode. */
export type H5Datatype =
  | { class: "int"; size: 1 | 2 | 4 | 8; signed: boolean }
  | { class: "float"; size: 4 | 8 }
  /** Fixed-length string of `size` bytes (null-terminated padding; ASCII or UTF-8), as netCDF-4 NC_CHAR. */
  | { class: "string"; size: number; utf8?: boolean }
  /** Variable-length UTF-8 string (global heap), as netCDF-4 NC_STRING. */
  | { class: "vstring" }
  /** Object reference (the referenced object header's address). */
  | { class: "objref" }
  /** Variable-length sequence of object references (global heap), as in DIMENSION_LIST. */
  | { class: "vlenref" }
  /** Compound of `size` bytes whose members (int, float or objref) sit at byte offsets, as REFERENCE_LIST. */
  | { class: "compound"; size: number; members: H5Member[] };

/** A member of a compound datatype. */
export interface H5Member {
  name: string;
  /** Byte offset in the compound element. */
  offset: number;
  type: H5Datatype;
}

/** A growable little-endian byte buffer. */
export class ByteBuf {
  #buf: Uint8Array;
  #dv: DataView;
  /** Bytes written so far. */
  length = 0;
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
    this.#dv = new DataView(this.#buf.buffer);
  }
  #room(n: number): number {
    const at = this.length;
    if (at + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#dv = new DataView(next.buffer);
    }
    this.length = at + n;
    return at;
  }
  u8(x: number): this {
    const at = this.#room(1); // before reading #buf: #room may replace it
    this.#buf[at] = x;
    return this;
  }
  u16(x: number): this {
    const at = this.#room(2);
    this.#dv.setUint16(at, x, true);
    return this;
  }
  u32(x: number): this {
    const at = this.#room(4);
    this.#dv.setUint32(at, x >>> 0, true);
    return this;
  }
  /** 8-byte unsigned (exact up to 2^53); -1 writes all bits set (UNDEF / UNLIMITED). */
  u64(x: number): this {
    const at = this.#room(8);
    if (x < 0) {
      this.#dv.setUint32(at, 0xffffffff, true);
      this.#dv.setUint32(at + 4, 0xffffffff, true);
    } else {
      this.#dv.setUint32(at, x % 0x100000000, true);
      this.#dv.setUint32(at + 4, Math.floor(x / 0x100000000), true);
    }
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.#room(b.length);
    this.#buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    const at = this.#room(n);
    this.#buf.fill(0, at, this.length);
    return this;
  }
  /** Overwrite a u32 at `at` (already written). */
  setU32(at: number, x: number): void {
    this.#dv.setUint32(at, x >>> 0, true);
  }
  /** The bytes written (a view, valid until the next write). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }
}

const enc = new TextEncoder();

/** Size in bytes of one element of `t` in a dataset or attribute. */
export function elementSize(t: H5Datatype): number {
  switch (t.class) {
    case "int":
    case "float":
    case "string":
    case "compound":
      return t.size;
    case "objref":
      return 8;
    case "vstring":
    case "vlenref":
      return 16; // sequence length (4) + global heap id (8 + 4)
  }
}

/** Encode a datatype message body. */
export function encodeDatatype(t: H5Datatype, out = new ByteBuf(24)): ByteBuf {
  switch (t.class) {
    case "int":
      // class 0 version 1; bit 3 signed; little-endian; offset 0, precision 8·size
      return out.u8(0x10).u8(t.signed ? 0x08 : 0).u8(0).u8(0).u32(t.size).u16(0).u16(t.size * 8);
    case "float":
      // class 1 version 1; mantissa normalisation 2 (implied msb); sign bit position; IEEE layout
      out.u8(0x11).u8(0x20).u8(t.size * 8 - 1).u8(0).u32(t.size).u16(0).u16(t.size * 8);
      return t.size === 4 ? out.u8(23).u8(8).u8(0).u8(23).u32(127) : out.u8(52).u8(11).u8(0).u8(52).u32(1023);
    case "string":
      // class 3 version 1; null-terminated padding, ASCII (0) or UTF-8 (1) in bits 4-7
      return out.u8(0x13).u8(t.utf8 ? 0x10 : 0).u8(0).u8(0).u32(t.size);
    case "objref":
      // class 7 version 1; type 0 = object reference
      return out.u8(0x17).u8(0).u8(0).u8(0).u32(8);
    case "vstring":
      // class 9 version 1; type 1 = string, null-terminated padding, UTF-8; base: 1-byte unsigned
      out.u8(0x19).u8(0x01).u8(0x01).u8(0).u32(16);
      return encodeDatatype({ class: "int", size: 1, signed: false }, out);
    case "vlenref":
      // class 9 version 1; type 0 = sequence of object references
      out.u8(0x19).u8(0).u8(0).u8(0).u32(16);
      return encodeDatatype({ class: "objref" }, out);
    case "compound": {
      // class 6 version 3 (as the HDF5 library writes it): member count in the class bits; per member
      // its NUL-terminated name (unpadded), byte offset in the fewest bytes that hold the size, type
      const n = t.members.length;
      out.u8(0x36).u8(n & 0xff).u8(n >> 8).u8(0).u32(t.size);
      const offBytes = t.size < 0x100 ? 1 : t.size < 0x10000 ? 2 : t.size < 0x1000000 ? 3 : 4;
      for (const m of t.members) {
        out.bytes(enc.encode(m.name)).u8(0);
        for (let k = 0; k < offBytes; k++) out.u8(Math.floor(m.offset / 256 ** k) & 0xff);
        encodeDatatype(m.type, out);
      }
      return out;
    }
  }
}

/** Encode a dataspace message (version 2): `null` shape = scalar; `max` entries -1 = unlimited. */
export function encodeDataspace(
  shape: number[] | null,
  max?: number[] | null,
  out = new ByteBuf(40),
): ByteBuf {
  if (shape === null) return out.u8(2).u8(0).u8(0).u8(0);
  out.u8(2).u8(shape.length).u8(max ? 1 : 0).u8(1);
  for (const s of shape) out.u64(s);
  if (max) { for (const m of max) out.u64(m); }
  return out;
}

/** Object-header message type numbers. */
export const MSG = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  fillValue: 0x05,
  link: 0x06,
  layout: 0x08,
  groupInfo: 0x0a,
  attribute: 0x0c,
  attributeInfo: 0x15,
} as const;

/** One message of an object header: type, body and whether it is constant (datatype). */
export interface Message {
  type: number;
  body: Uint8Array;
  /** Message flags byte (bit 0: constant). */
  flags?: number;
  /** Creation index (attributes: their creation order). */
  crtIndex?: number;
}

/** Attribute message (version 3) body. `data` holds the encoded values. */
export function attributeMessage(
  name: string,
  type: H5Datatype,
  shape: number[] | null,
  data: Uint8Array,
): Uint8Array {
  const nameBytes = enc.encode(name);
  const dt = encodeDatatype(type).view().slice();
  const ds = encodeDataspace(shape).view().slice();
  const ascii = nameBytes.every((b) => b < 0x80);
  const out = new ByteBuf(16 + nameBytes.length + dt.length + ds.length + data.length);
  out.u8(3).u8(0).u16(nameBytes.length + 1).u16(dt.length).u16(ds.length).u8(ascii ? 0 : 1);
  out.bytes(nameBytes).u8(0).bytes(dt).bytes(ds).bytes(data);
  return out.view();
}

/** Link message (version 1) body of a hard link with its creation order. */
export function linkMessage(name: string, target: number, crtOrder: number): Uint8Array {
  const nameBytes = enc.encode(name);
  const ascii = nameBytes.every((b) => b < 0x80);
  const wide = nameBytes.length > 255;
  const out = new ByteBuf(24 + nameBytes.length);
  // flags: name-length size (0: 1 byte, 1: 2 bytes), bit 2 creation order, bit 4 charset present
  out.u8(1).u8((wide ? 1 : 0) | 0x04 | (ascii ? 0 : 0x10)).u64(crtOrder);
  if (!ascii) out.u8(1);
  if (wide) out.u16(nameBytes.length);
  else out.u8(nameBytes.length);
  return out.bytes(nameBytes).u64(target).view();
}

/** Link info message (version 0): creation order tracked and indexed, compact storage. */
export function linkInfoMessage(maxCrtIndex: number): Uint8Array {
  return new ByteBuf(34).u8(0).u8(0x03).u64(maxCrtIndex).u64(UNDEF).u64(UNDEF).u64(UNDEF).view();
}

/** Group info message (version 0, default phase-change values). */
export function groupInfoMessage(): Uint8Array {
  return new Uint8Array([0, 0]);
}

/** Attribute info message (version 0): creation order tracked and indexed, compact storage. */
export function attributeInfoMessage(maxCrtIndex: number): Uint8Array {
  return new ByteBuf(28).u8(0).u8(0x03).u16(maxCrtIndex).u64(UNDEF).u64(UNDEF).u64(UNDEF).view();
}

/** Fill value message (version 3): allocation time (1 early, 3 incremental), fill written if set, no value (0). */
export function fillValueMessage(allocTime: 1 | 3): Uint8Array {
  return new Uint8Array([3, allocTime | (2 << 2)]);
}

/** Data layout message (version 3), contiguous storage (`addr` UNDEF when not allocated). */
export function contiguousLayout(addr: number, size: number): Uint8Array {
  return new ByteBuf(18).u8(3).u8(1).u64(addr).u64(size).view();
}

/** Data layout message (version 3), chunked storage indexed by a v1 B-tree at `btree`. */
export function chunkedLayout(btree: number, chunkDims: number[], esize: number): Uint8Array {
  const out = new ByteBuf(16 + 4 * chunkDims.length).u8(3).u8(2).u8(chunkDims.length + 1).u64(btree);
  for (const d of chunkDims) out.u32(d);
  return out.u32(esize).view();
}

/** Object-header flags: 4-byte chunk-size field, attribute creation order tracked and indexed. */
const OHDR_FLAGS = 0x02 | 0x04 | 0x08;

/** Size in bytes of a v2 object header holding `messages`. */
export function objectHeaderSize(messages: Message[]): number {
  let n = 4 + 1 + 1 + 4 + 4;
  for (const m of messages) n += 6 + m.body.length;
  return n;
}

/** Encode a v2 object header (no timestamps, one chunk, checksum) into `out`. */
export function encodeObjectHeader(messages: Message[], out: ByteBuf): void {
  const start = out.length;
  let body = 0;
  for (const m of messages) body += 6 + m.body.length;
  out.u8(0x4f).u8(0x48).u8(0x44).u8(0x52).u8(2).u8(OHDR_FLAGS).u32(body);
  for (const m of messages) {
    out.u8(m.type).u16(m.body.length).u8(m.flags ?? 0).u16(m.crtIndex ?? 0).bytes(m.body);
  }
  out.u32(lookup3(out.view(), start, out.length));
}

/** The v2 superblock (48 bytes). */
export function superblock(eof: number, rootAddr: number): Uint8Array {
  const out = new ByteBuf(48);
  out.bytes(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
  out.u8(2).u8(8).u8(8).u8(0).u64(0).u64(UNDEF).u64(eof).u64(rootAddr);
  out.u32(lookup3(out.view(), 0, 44));
  return out.view();
}

/** Entries per v1 B-tree node of a chunk index (2K with HDF5's default K = 32 for superblock v2). */
export const BTREE_ENTRIES = 64;

/** Bytes of one v1 chunk B-tree node for a dataset of `rank` dimensions. */
export function btreeNodeSize(rank: number): number {
  const key = 8 + 8 * (rank + 1);
  return 24 + BTREE_ENTRIES * 8 + (BTREE_ENTRIES + 1) * key;
}

/** A key of a chunk B-tree: chunk bytes and the chunk's element offsets (slowest first). */
export interface ChunkKey {
  nbytes: number;
  offset: number[];
}

/** Encode one v1 B-tree node (type 1, raw data chunks) of `entries` children into `out`. */
export function encodeBtreeNode(
  out: ByteBuf,
  rank: number,
  level: number,
  keys: ChunkKey[],
  children: number[],
  left: number,
  right: number,
): void {
  const start = out.length;
  out.u8(0x54).u8(0x52).u8(0x45).u8(0x45).u8(1).u8(level).u16(children.length).u64(left).u64(right);
  for (let i = 0; i <= children.length; i++) {
    const k = keys[i]!;
    out.u32(k.nbytes).u32(0);
    for (let d = 0; d < rank; d++) out.u64(k.offset[d]!);
    out.u64(0);
    if (i < children.length) out.u64(children[i]!);
  }
  out.zeros(start + btreeNodeSize(rank) - out.length);
}

/** Collection header (16) + object header (16) sizes of the global heap. */
const GHEAP_HDR = 16;
/** Smallest global heap collection HDF5 reads (it loads 4096 bytes first). */
export const GHEAP_MIN = 4096;

/** Size of a global heap collection holding objects of the given sizes. */
export function globalHeapSize(sizes: number[]): number {
  let n = GHEAP_HDR;
  for (const s of sizes) n += 16 + Math.ceil(s / 8) * 8;
  // room for the free-space object (its header) unless the objects fill the collection exactly
  return Math.max(GHEAP_MIN, n + 16);
}

/** Encode a global heap collection of `objects` (indices 1, 2, ...) of total `size` bytes. */
export function encodeGlobalHeap(out: ByteBuf, objects: Uint8Array[], size: number): void {
  const start = out.length;
  out.u8(0x47).u8(0x43).u8(0x4f).u8(0x4c).u8(1).u8(0).u8(0).u8(0).u64(size);
  objects.forEach((o, i) => {
    out.u16(i + 1).u16(1).u32(0).u64(o.length).bytes(o);
    out.zeros(Math.ceil(o.length / 8) * 8 - o.length);
  });
  const free = size - (out.length - start);
  out.u16(0).u16(0).u32(0).u64(free).zeros(free - 16);
}
