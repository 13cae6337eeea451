/**
 * HDF5 B-trees: version 1 (group symbol tables, raw-data chunk index) and version 2 (dense
 * links and attributes: all records gathered in key order).
 * @module
 */
import { Hdf5Error } from "./errors.ts";
import { encSize, metaCursor, type Sizes } from "./heaps.ts";
import { type ByteSource, type Cursor, UNDEF } from "./source.ts";

/** One chunk of a v1 chunk B-tree. */
export interface ChunkRecord {
  /** Element offsets of the chunk's first element, per dimension (without the element-size dim). */
  offsets: number[];
  /** Stored (possibly filtered) size in bytes. */
  size: number;
  filterMask: number;
  addr: number;
}

function v1Node(src: ByteSource, sizes: Sizes, addr: number, keySize: number, maxEntries: number): Cursor {
  const o = sizes.offsetSize;
  const head = metaCursor(src, sizes, addr, 8 + 2 * o);
  head.signature("TREE");
  head.skip(2);
  const used = head.u16();
  const len = 8 + 2 * o + used * (keySize + o) + keySize;
  if (used > maxEntries) throw new Hdf5Error("v1 B-tree node has too many entries", addr);
  return metaCursor(src, sizes, addr, len);
}

/** Leaf children of a v1 group B-tree (symbol table node addresses), in key order. */
export function groupBtreeLeaves(src: ByteSource, sizes: Sizes, addr: number): number[] {
  const out: number[] = [];
  const seen = new Visited("group B-tree");
  const walk = (a: number, depth: number, expectLevel: number): void => {
    if (depth > 64) throw new Hdf5Error("v1 B-tree too deep", a);
    seen.visit(a);
    const c = v1Node(src, sizes, a, sizes.lengthSize, 1 << 16);
    c.skip(4);
    const type = c.u8();
    const level = c.u8();
    const used = c.u16();
    if (type !== 0) throw new Hdf5Error("group B-tree has the wrong node type", a);
    checkLevel(level, expectLevel, a);
    c.offset();
    c.offset();
    for (let i = 0; i < used; i++) {
      c.length();
      const child = c.offset();
      if (level === 0) {
        seen.visit(child);
        out.push(child);
      } else walk(child, depth + 1, level - 1);
    }
  };
  walk(addr, 0, -1);
  return out;
}

/**
 * All chunks of a v1 chunk B-tree of a dataset of rank `rank`. Each node is visited once (a node
 * reached twice — a cycle, or a DAG whose paths multiply — is an error), levels must step down by
 * one, and more than `maxChunks` records (the dataset's chunk grid) is an error, so the walk costs
 * at most the file's bytes and the dataset's chunk count.
 */
export function chunkBtree(
  src: ByteSource,
  sizes: Sizes,
  addr: number,
  rank: number,
  maxChunks = Infinity,
  onNode?: (addr: number, len: number) => void,
): ChunkRecord[] {
  const out: ChunkRecord[] = [];
  if (addr === UNDEF) return out;
  const keySize = 8 + 8 * (rank + 1);
  const seen = new Visited("chunk B-tree");
  const walk = (a: number, depth: number, expectLevel: number): void => {
    if (depth > 64) throw new Hdf5Error("v1 B-tree too deep", a);
    seen.visit(a);
    const c = v1Node(src, sizes, a, keySize, 1 << 16);
    onNode?.(a, c.bytes.length);
    c.skip(4);
    const type = c.u8();
    const level = c.u8();
    const used = c.u16();
    if (type !== 1) throw new Hdf5Error("chunk B-tree has the wrong node type", a);
    checkLevel(level, expectLevel, a);
    c.offset();
    c.offset();
    for (let i = 0; i < used; i++) {
      const size = c.u32();
      const filterMask = c.u32();
      const offsets: number[] = [];
      for (let k = 0; k < rank; k++) offsets.push(c.u64());
      c.u64();
      const child = c.offset();
      if (level === 0) {
        if (out.length >= maxChunks) {
          throw new Hdf5Error(`chunk B-tree lists more than the ${maxChunks} chunks of its dataset`, a);
        }
        out.push({ offsets, size, filterMask, addr: child });
      } else walk(child, depth + 1, level - 1);
    }
  };
  walk(addr, 0, -1);
  return out;
}

/** Node addresses met in one walk of a tree: each at most once. */
class Visited {
  readonly #seen = new Set<number>();
  readonly #what: string;
  constructor(what: string) {
    this.#what = what;
  }
  visit(a: number): void {
    if (this.#seen.has(a)) throw new Hdf5Error(`${this.#what}: node reached twice (cycle or shared node)`, a);
    this.#seen.add(a);
  }
}

/** A child node's level must be its parent's minus one (`expect` −1 for the root). */
function checkLevel(level: number, expect: number, at: number): void {
  if (expect >= 0 && level !== expect) {
    throw new Hdf5Error(`B-tree node at level ${level} where level ${expect} was expected`, at);
  }
}

/** Symbol table entries (name offset, object header address) of a symbol table node. */
export function symbolTableNode(
  src: ByteSource,
  sizes: Sizes,
  addr: number,
): { nameOffset: number; objAddr: number }[] {
  const o = sizes.offsetSize;
  const head = metaCursor(src, sizes, addr, 8);
  head.signature("SNOD");
  head.skip(2);
  const n = head.u16();
  const c = metaCursor(src, sizes, addr + 8, n * (2 * o + 24));
  const out: { nameOffset: number; objAddr: number }[] = [];
  for (let i = 0; i < n; i++) {
    const nameOffset = c.offset();
    const objAddr = c.offset();
    c.skip(24);
    out.push({ nameOffset, objAddr });
  }
  return out;
}

/** All records (raw bytes) of a v2 B-tree, in key order; empty when `addr` is undefined. */
export function v2BtreeRecords(
  src: ByteSource,
  sizes: Sizes,
  addr: number,
): { type: number; records: Uint8Array[] } {
  if (addr === UNDEF) return { type: 0, records: [] };
  const o = sizes.offsetSize;
  const h = metaCursor(src, sizes, addr, 16 + o + 2 + sizes.lengthSize + 4);
  h.signature("BTHD");
  const version = h.u8();
  if (version !== 0) throw new Hdf5Error(`bad v2 B-tree version ${version}`, addr);
  const type = h.u8();
  const nodeSize = h.u32();
  const recSize = h.u16();
  const depth = h.u16();
  h.skip(2);
  const root = h.offset();
  const rootN = h.u16();
  if (depth > 32) throw new Hdf5Error(`v2 B-tree of depth ${depth}`, addr);
  if (recSize === 0 || nodeSize < 16) throw new Hdf5Error("v2 B-tree with empty records or nodes", addr);
  // field widths of child pointers, as HDF5 derives them from the node size
  const PREFIX = 10;
  const maxLeaf = Math.floor((nodeSize - PREFIX) / recSize);
  const maxNrecSize = encSize(maxLeaf);
  const cum: number[] = [maxLeaf];
  const cumSize: number[] = [0];
  for (let d = 1; d <= depth; d++) {
    const ptr = o + maxNrecSize + (d > 1 ? cumSize[d - 1]! : 0);
    const maxN = Math.floor((nodeSize - (PREFIX + ptr)) / (recSize + ptr));
    cum.push((maxN + 1) * cum[d - 1]! + maxN);
    cumSize.push(encSize(cum[d]!));
  }
  const records: Uint8Array[] = [];
  const seen = new Visited("v2 B-tree");
  const walk = (a: number, n: number, d: number): void => {
    seen.visit(a);
    const c = metaCursor(src, sizes, a, nodeSize);
    c.signature(d === 0 ? "BTLF" : "BTIN");
    c.skip(2);
    const recs: Uint8Array[] = [];
    for (let i = 0; i < n; i++) recs.push(c.take(recSize));
    if (d === 0) {
      records.push(...recs);
      return;
    }
    const kids: { addr: number; n: number }[] = [];
    for (let i = 0; i <= n; i++) {
      const ca = c.offset();
      const cn = c.uint(maxNrecSize);
      if (d > 1) c.uint(cumSize[d - 1]!);
      kids.push({ addr: ca, n: cn });
    }
    for (let i = 0; i <= n; i++) {
      walk(kids[i]!.addr, kids[i]!.n, d - 1);
      if (i < n) records.push(recs[i]!);
    }
  };
  if (root !== UNDEF && rootN > 0) walk(root, rootN, depth);
  return { type, records };
}
