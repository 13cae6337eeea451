/**
 * The three HDF5 heaps: the local heap (link names of symbol-table groups), global heap
 * collections (variable-length data: vlen strings, DIMENSION_LIST references) and the fractal
 * heap (links and attributes of groups and datasets in dense storage).
 * @module
 */
import { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
import { type ByteSource, Cursor, UNDEF } from "./source.ts";
import type { SpaceMap } from "./space.ts";

/** Sizes of addresses and lengths (from the superblock). */
export interface Sizes {
  offsetSize: number;
  lengthSize: number;
}

/** A cursor over `len` bytes of metadata at `pos`. */
export function metaCursor(src: ByteSource, sizes: Sizes, pos: number, len: number): Cursor {
  const n = Math.min(len, src.size - pos);
  if (pos < 0 || n <= 0) throw new Hdf5Error("address outside the file", pos);
  return new Cursor(src.meta(pos, n), pos, sizes.offsetSize, sizes.lengthSize);
}

/** A local heap: its data segment. */
export class LocalHeap {
  readonly data: Uint8Array;
  readonly #at: number;
  constructor(src: ByteSource, sizes: Sizes, addr: number) {
    const c = metaCursor(src, sizes, addr, 8 + 2 * sizes.lengthSize + sizes.offsetSize);
    c.signature("HEAP");
    c.skip(4);
    const size = c.length();
    c.length();
    const dataAddr = c.offset();
    this.#at = dataAddr;
    this.data = src.meta(dataAddr, size);
  }
  /** The NUL-terminated string at `offset` of the data segment. */
  string(offset: number): string {
    if (offset >= this.data.length) throw new Hdf5Error("local heap offset out of range", this.#at + offset);
    let end = this.data.indexOf(0, offset);
    if (end < 0) end = this.data.length;
    return new TextDecoder().decode(this.data.subarray(offset, end));
  }
}

/** Global heap collections, each read once. */
export class GlobalHeap {
  readonly #src: ByteSource;
  readonly #sizes: Sizes;
  readonly #collections = new Map<number, Map<number, Uint8Array>>();
  readonly #space: SpaceMap | undefined;
  constructor(src: ByteSource, sizes: Sizes, space?: SpaceMap) {
    this.#src = src;
    this.#sizes = sizes;
    this.#space = space;
  }
  /** Object `index` of the collection at `addr`. */
  get(addr: number, index: number): Uint8Array {
    let coll = this.#collections.get(addr);
    if (!coll) {
      coll = this.#read(addr);
      this.#collections.set(addr, coll);
    }
    const obj = coll.get(index);
    if (!obj) throw new Hdf5Error(`global heap object ${index} not found`, addr);
    return obj;
  }
  #read(addr: number): Map<number, Uint8Array> {
    const { offsetSize, lengthSize } = this.#sizes;
    const h = metaCursor(this.#src, this.#sizes, addr, 8 + lengthSize);
    h.signature("GCOL");
    h.skip(4);
    const size = h.length();
    const c = metaCursor(this.#src, this.#sizes, addr, size);
    this.#space?.claim(addr, c.bytes.length, "global heap collection");
    c.skip(8 + lengthSize);
    const out = new Map<number, Uint8Array>();
    while (c.left >= 8 + lengthSize) {
      const index = c.u16();
      c.skip(6);
      const n = c.length();
      if (index === 0) break; // free space
      if (n > c.left) throw new Hdf5Error("global heap object runs past its collection", c.base + c.pos);
      out.set(index, c.take(n));
      c.skip(Math.min(c.left, (8 - (n % 8)) % 8));
    }
    void offsetSize;
    return out;
  }
}

function log2(x: number): number {
  return Math.round(Math.log2(x));
}

/** Bytes needed to encode values up to `x` (HDF5's limit_enc_size). */
export function encSize(x: number): number {
  return Math.floor(Math.floor(Math.log2(Math.max(1, x))) / 8) + 1;
}

/** A fractal heap (managed and tiny objects; huge objects and filtered heaps are unsupported). */
export class FractalHeap {
  readonly #src: ByteSource;
  readonly #sizes: Sizes;
  readonly #addr: number;
  readonly idLength: number;
  readonly #checksummed: boolean;
  readonly #width: number;
  readonly #start: number;
  readonly #maxDirect: number;
  readonly #offBytes: number;
  readonly #lenBytes: number;
  readonly #rootAddr: number;
  readonly #rootRows: number;
  readonly #maxDirectRows: number;

  constructor(src: ByteSource, sizes: Sizes, addr: number) {
    this.#src = src;
    this.#sizes = sizes;
    this.#addr = addr;
    const c = metaCursor(src, sizes, addr, 512);
    c.signature("FRHP");
    const version = c.u8();
    if (version !== 0) throw new Hdf5Error(`bad fractal heap version ${version}`, addr);
    this.idLength = c.u16();
    const filterLen = c.u16();
    if (filterLen > 0) throw new Hdf5Unsupported("filtered fractal heap");
    const flags = c.u8();
    this.#checksummed = (flags & 2) !== 0;
    const maxManaged = c.u32();
    c.length(); // next huge id
    c.offset(); // huge objects B-tree
    c.length(); // free space
    c.offset(); // free space manager
    c.length(); // managed space
    c.length(); // allocated managed space
    c.length(); // direct block allocation iterator
    c.length(); // managed objects
    c.length(); // huge size
    c.length(); // huge count
    c.length(); // tiny size
    c.length(); // tiny count
    this.#width = c.u16();
    this.#start = c.length();
    this.#maxDirect = c.length();
    const maxHeapBits = c.u16();
    c.u16(); // starting rows of root indirect block
    this.#rootAddr = c.offset();
    this.#rootRows = c.u16();
    this.#offBytes = Math.ceil(maxHeapBits / 8);
    this.#lenBytes = Math.min(Math.ceil(log2(this.#maxDirect) / 8), encSize(maxManaged));
    this.#maxDirectRows = log2(this.#maxDirect) - log2(this.#start) + 2;
  }

  #rowSize(r: number): number {
    return r === 0 ? this.#start : this.#start * 2 ** (r - 1);
  }

  /** The object named by heap ID `id`. */
  get(id: Uint8Array): Uint8Array {
    const type = (id[0]! >> 4) & 3;
    if (type === 2) {
      if (this.idLength <= 18) {
        const n = (id[0]! & 0x0f) + 1;
        return id.subarray(1, 1 + n);
      }
      const n = (((id[0]! & 0x0f) << 8) | id[1]!) + 1;
      return id.subarray(2, 2 + n);
    }
    if (type !== 0) throw new Hdf5Unsupported("huge objects in a fractal heap");
    const c = new Cursor(id, 0);
    c.skip(1);
    const off = c.uint(this.#offBytes);
    const len = c.uint(this.#lenBytes);
    const block = this.#rootRows === 0
      ? { addr: this.#rootAddr, start: 0 }
      : this.#locate(this.#rootAddr, this.#rootRows, 0, off);
    if (block.addr === UNDEF) throw new Hdf5Error("fractal heap object in an unallocated block", this.#addr);
    return this.#src.meta(block.addr + (off - block.start), len);
  }

  /** Find the direct block holding heap offset `off` under the indirect block at `addr`. */
  #locate(addr: number, nrows: number, blockStart: number, off: number): { addr: number; start: number } {
    const o = this.#sizes.offsetSize;
    const c = metaCursor(this.#src, this.#sizes, addr, 5 + o + this.#offBytes + nrows * this.#width * o);
    c.signature("FHIB");
    c.skip(1 + o + this.#offBytes);
    let pos = blockStart;
    for (let r = 0; r < nrows; r++) {
      const size = this.#rowSize(r);
      for (let col = 0; col < this.#width; col++) {
        const child = c.offset();
        if (off >= pos && off < pos + size) {
          if (r < this.#maxDirectRows) return { addr: child, start: pos };
          const childRows = log2(size) - log2(this.#start * this.#width) + 1;
          return this.#locate(child, childRows, pos, off);
        }
        pos += size;
      }
    }
    throw new Hdf5Error("fractal heap offset beyond the heap", addr);
  }
}
