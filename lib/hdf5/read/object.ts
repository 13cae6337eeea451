/**
 * HDF5 object headers (versions 1 and 2, with continuation blocks) and the messages read from
 * them: links of a group (symbol table, compact link messages, dense links in a fractal heap)
 * and attributes (compact and dense).
 * @module
 */
import { lookup3 } from "../lookup3.ts";
import { groupBtreeLeaves, symbolTableNode, v2BtreeRecords } from "./btree.ts";
import { type Dataspace, type Datatype, parseDataspace, parseDatatype } from "./datatype.ts";
import { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
import { FractalHeap, LocalHeap, metaCursor, type Sizes } from "./heaps.ts";
import { type ByteSource, Cursor, UNDEF } from "./source.ts";

/** Header message types used by this reader. */
export const MSG = {
  NIL: 0x00,
  DATASPACE: 0x01,
  LINK_INFO: 0x02,
  DATATYPE: 0x03,
  FILL_OLD: 0x04,
  FILL: 0x05,
  LINK: 0x06,
  EXTERNAL: 0x07,
  LAYOUT: 0x08,
  GROUP_INFO: 0x0a,
  FILTERS: 0x0b,
  ATTRIBUTE: 0x0c,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
  ATTRIBUTE_INFO: 0x15,
} as const;

/** Message types known to be harmless to ignore for reading. */
const IGNORABLE = new Set([0x00, 0x04, 0x09, 0x0a, 0x0d, 0x0e, 0x0f, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18]);

/** One header message: its type, flags and body bytes. */
export interface Message {
  type: number;
  flags: number;
  body: Uint8Array;
  /** File position of the body. */
  at: number;
  /** Creation order (v2 headers that track it), else -1. */
  order: number;
}

/**
 * Read all messages of the object header at `addr` (continuations followed). Each continuation
 * block is visited once: a block named twice (a cycle of continuations, or two continuations of
 * one block) and blocks adding up to more bytes than the file has are errors.
 */
export function readObjectHeader(
  src: ByteSource,
  sizes: Sizes,
  addr: number,
  extents?: [number, number][],
): Message[] {
  const messages: Message[] = [];
  const blocks = new ContinuationList(src.size, addr);
  const first = metaCursor(src, sizes, addr, 16);
  if (
    first.bytes[0] === 0x4f && first.bytes[1] === 0x48 && first.bytes[2] === 0x44 && first.bytes[3] === 0x52
  ) {
    first.skip(4);
    const version = first.u8();
    if (version !== 2) throw new Hdf5Error(`bad object header version ${version}`, addr);
    const flags = first.u8();
    let pre = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const h = metaCursor(src, sizes, addr, pre + sizeBytes);
    h.skip(pre);
    const chunk0 = h.uint(sizeBytes);
    pre += sizeBytes;
    const all = metaCursor(src, sizes, addr, pre + chunk0 + 4);
    checkSum(all.bytes, addr);
    extents?.push([addr, all.bytes.length]);
    parseV2Messages(all, pre, pre + chunk0, flags, messages, blocks);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks.at(i);
      if (b.len < 8) throw new Hdf5Error(`object header continuation of ${b.len} bytes`, b.addr);
      const c = metaCursor(src, sizes, b.addr, b.len);
      if (c.bytes.length < b.len) {
        throw new Hdf5Error("object header continuation runs past the end of the file", b.addr);
      }
      c.signature("OCHK");
      checkSum(c.bytes, b.addr);
      extents?.push([b.addr, b.len]);
      parseV2Messages(c, 4, b.len - 4, flags, messages, blocks);
    }
  } else {
    const version = first.u8();
    if (version !== 1) throw new Hdf5Error(`bad object header version ${version}`, addr);
    first.skip(1);
    first.u16();
    first.u32();
    const size = first.u32();
    blocks.push({ addr: addr + 16, len: size }, addr);
    extents?.push([addr, 16]);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks.at(i);
      if (b.len === 0) continue;
      const c = metaCursor(src, sizes, b.addr, b.len);
      if (c.bytes.length < b.len) {
        throw new Hdf5Error("object header block runs past the end of the file", b.addr);
      }
      extents?.push([b.addr, b.len]);
      while (c.left >= 8) {
        const type = c.u16();
        const n = c.u16();
        const flags = c.u8();
        c.skip(3);
        const at = c.base + c.pos;
        const body = c.take(n);
        pushMessage(type, flags, body, at, -1, sizes, messages, blocks);
      }
    }
  }
  return messages;
}

/** The blocks of one object header: each address once, their total no larger than the file. */
class ContinuationList {
  readonly #list: { addr: number; len: number }[] = [];
  readonly #seen = new Set<number>();
  #bytes = 0;
  readonly #fileSize: number;
  readonly #header: number;
  constructor(fileSize: number, header: number) {
    this.#fileSize = fileSize;
    this.#header = header;
  }
  get length(): number {
    return this.#list.length;
  }
  at(i: number): { addr: number; len: number } {
    return this.#list[i]!;
  }
  push(b: { addr: number; len: number }, at: number): void {
    if (b.addr === UNDEF || b.addr < 0 || b.addr >= this.#fileSize) {
      throw new Hdf5Error(
        `object header ${this.#header}: continuation address ${b.addr} outside the file`,
        at,
      );
    }
    if (b.addr === this.#header || this.#seen.has(b.addr)) {
      throw new Hdf5Error(
        `object header ${this.#header}: continuation cycle (block ${b.addr} named twice)`,
        at,
      );
    }
    this.#seen.add(b.addr);
    this.#bytes += b.len;
    if (b.len < 0 || this.#bytes > this.#fileSize) {
      throw new Hdf5Error(`object header ${this.#header}: continuation blocks larger than the file`, at);
    }
    this.#list.push(b);
  }
}

function checkSum(bytes: Uint8Array, at: number): void {
  const n = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset + n, 4).getUint32(0, true);
  if (lookup3(bytes, 0, n) !== stored) throw new Hdf5Error("metadata checksum mismatch", at);
}

function parseV2Messages(
  c: Cursor,
  from: number,
  to: number,
  hflags: number,
  messages: Message[],
  blocks: ContinuationList,
): void {
  c.pos = from;
  const hsize = hflags & 4 ? 6 : 4;
  const sizes = { offsetSize: c.offsetSize, lengthSize: c.lengthSize };
  while (to - c.pos >= hsize) {
    const type = c.u8();
    const n = c.u16();
    const flags = c.u8();
    const order = hflags & 4 ? c.u16() : -1;
    if (c.pos + n > to) throw new Hdf5Error("header message runs past its chunk", c.base + c.pos);
    const at = c.base + c.pos;
    pushMessage(type, flags, c.take(n), at, order, sizes, messages, blocks);
  }
}

function pushMessage(
  type: number,
  flags: number,
  body: Uint8Array,
  at: number,
  order: number,
  sizes: Sizes,
  messages: Message[],
  blocks: ContinuationList,
): void {
  if (type === MSG.CONTINUATION) {
    const c = new Cursor(body, at, sizes.offsetSize, sizes.lengthSize);
    blocks.push({ addr: c.offset(), len: c.length() }, at);
    return;
  }
  if (type === MSG.NIL) return;
  if (flags & 2) throw new Hdf5Unsupported(`shared header message (type ${type})`);
  const known = type <= 0x18;
  if (!known && flags & 0x80) throw new Hdf5Unsupported(`unknown header message type ${type}`);
  if (type === MSG.EXTERNAL) throw new Hdf5Unsupported("external raw data storage");
  if (IGNORABLE.has(type) && type !== MSG.FILL_OLD) return;
  messages.push({ type, flags, body, at, order });
}

/** A cursor over a message body. */
export function bodyCursor(m: Message, sizes: Sizes): Cursor {
  return new Cursor(m.body, m.at, sizes.offsetSize, sizes.lengthSize);
}

/** A link of a group: name, target object header (UNDEF for soft/external links) and creation order. */
export interface Link {
  name: string;
  addr: number;
  order: number;
}

function parseLink(c: Cursor): Link {
  const version = c.u8();
  if (version !== 1) throw new Hdf5Error(`bad link message version ${version}`, c.base);
  const flags = c.u8();
  const type = flags & 8 ? c.u8() : 0;
  const order = flags & 4 ? c.u64() : -1;
  if (flags & 0x10) c.u8();
  const nlen = c.uint(1 << (flags & 3));
  const name = new TextDecoder().decode(c.take(nlen));
  const addr = type === 0 ? c.offset() : UNDEF;
  return { name, addr, order };
}

/** The links of a group object (any storage), in name order; null when the object is not a group. */
export function groupLinks(src: ByteSource, sizes: Sizes, messages: Message[]): Link[] | null {
  let isGroup = false;
  const links: Link[] = [];
  for (const m of messages) {
    if (m.type === MSG.SYMBOL_TABLE) {
      isGroup = true;
      const c = bodyCursor(m, sizes);
      const btree = c.offset();
      const heap = new LocalHeap(src, sizes, c.offset());
      for (const node of groupBtreeLeaves(src, sizes, btree)) {
        for (const e of symbolTableNode(src, sizes, node)) {
          links.push({ name: heap.string(e.nameOffset), addr: e.objAddr, order: -1 });
        }
      }
    } else if (m.type === MSG.LINK) {
      isGroup = true;
      links.push(parseLink(bodyCursor(m, sizes)));
    } else if (m.type === MSG.LINK_INFO) {
      isGroup = true;
      const dense = denseStorage(src, sizes, bodyCursor(m, sizes), 8);
      if (!dense) continue;
      for (const r of dense.records) {
        links.push(parseLink(dense.object(r.subarray(4, 4 + dense.heap.idLength))));
      }
    } else if (m.type === MSG.GROUP_INFO) isGroup = true;
  }
  if (!isGroup) return null;
  return sortTracked(links);
}

/**
 * Dense storage of links or attributes, from the body of a link-info or attribute-info message
 * (version, flags, maximum creation index of `maxIndexBytes` when tracked, fractal heap address,
 * name-index v2 B-tree address): the B-tree's records and a cursor on a heap object by its ID.
 * Null when the storage is empty (no heap).
 */
function denseStorage(
  src: ByteSource,
  sizes: Sizes,
  c: Cursor,
  maxIndexBytes: 2 | 8,
): { heap: FractalHeap; records: Uint8Array[]; object(id: Uint8Array): Cursor } | null {
  c.u8();
  const flags = c.u8();
  if (flags & 1) {
    if (maxIndexBytes === 8) c.u64();
    else c.u16();
  }
  const heapAddr = c.offset();
  const nameBtree = c.offset();
  if (heapAddr === UNDEF) return null;
  const heap = new FractalHeap(src, sizes, heapAddr);
  const { records } = v2BtreeRecords(src, sizes, nameBtree);
  return {
    heap,
    records,
    object: (id) => new Cursor(heap.get(id), heapAddr, sizes.offsetSize, sizes.lengthSize),
  };
}

/** A raw attribute: name, type, space and the stored data bytes. */
export interface RawAttribute {
  name: string;
  type: Datatype;
  space: Dataspace;
  data: Uint8Array;
  /** File position of the data (for error messages). */
  at: number;
  /** Creation order when tracked, else -1. */
  order: number;
}

/** Sort by creation order when every item has one (as the HDF5 library lists them), else by name. */
function sortTracked<T extends { name: string; order: number }>(xs: T[]): T[] {
  const byOrder = xs.length > 0 && xs.every((x) => x.order >= 0);
  return xs.sort((a, b) => byOrder ? a.order - b.order : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function parseAttribute(c: Cursor, order: number): RawAttribute {
  const at0 = c.base + c.pos;
  const version = c.u8();
  if (version < 1 || version > 3) throw new Hdf5Error(`bad attribute message version ${version}`, at0);
  const flags = c.u8();
  if (version >= 2 && flags & 3) throw new Hdf5Unsupported("attribute with a shared datatype or dataspace");
  const nameSize = c.u16();
  const typeSize = c.u16();
  const spaceSize = c.u16();
  if (version === 3) c.u8();
  const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  const nameBytes = c.take(pad(nameSize));
  const z = nameBytes.indexOf(0);
  const name = new TextDecoder().decode(nameBytes.subarray(0, z < 0 || z > nameSize ? nameSize : z));
  const tb = c.take(pad(typeSize));
  const type = parseDatatype(new Cursor(tb, c.base + c.pos - tb.length, c.offsetSize, c.lengthSize));
  const sb = c.take(pad(spaceSize));
  const space = parseDataspace(new Cursor(sb, c.base + c.pos - sb.length, c.offsetSize, c.lengthSize));
  const at = c.base + c.pos;
  return { name, type, space, data: c.bytes.subarray(c.pos), at, order };
}

/** The attributes of an object (compact and dense), in name order. */
export function objectAttributes(src: ByteSource, sizes: Sizes, messages: Message[]): RawAttribute[] {
  const out: RawAttribute[] = [];
  for (const m of messages) {
    if (m.type === MSG.ATTRIBUTE) out.push(parseAttribute(bodyCursor(m, sizes), m.order));
    else if (m.type === MSG.ATTRIBUTE_INFO) {
      const dense = denseStorage(src, sizes, bodyCursor(m, sizes), 2);
      if (!dense) continue;
      for (const r of dense.records) {
        if (r[8]! & 2) throw new Hdf5Unsupported("shared attribute message in dense storage");
        const order = r[9]! | (r[10]! << 8) | (r[11]! << 16) | (r[12]! * 2 ** 24);
        out.push(parseAttribute(dense.object(r.subarray(0, 8)), order));
      }
    }
  }
  return sortTracked(out);
}
