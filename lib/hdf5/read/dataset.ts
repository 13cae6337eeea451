/**
 * HDF5 datasets: data layout (compact, contiguous, chunked with a v1 B-tree index, and the
 * single-chunk and implicit indexes of layout version 4), filter pipeline (deflate, shuffle),
 * fill value, and hyperslab reads that go from positioned reads straight into the output
 * (adjacent runs coalesced into one read; the chunk index cached).
 * @module
 */
import { chunkBtree, type ChunkRecord } from "./btree.ts";
import { type Dataspace, type Datatype, DT } from "./datatype.ts";
import { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
import type { Sizes } from "./heaps.ts";
import { bodyCursor, type Message, MSG } from "./object.ts";
import { type ByteSource, UNDEF } from "./source.ts";
import type { SpaceMap } from "./space.ts";

type Inflate = (b: Uint8Array, o: { maxOutputLength: number }) => Uint8Array;
let inflate: Inflate | null = null;

/** node:zlib's inflateSync, loaded on the first deflated chunk (importing node:zlib costs ~20 ms of start-up). */
function inflateSync(): Inflate {
  inflate ??= (process.getBuiltinModule("node:zlib") as typeof import("node:zlib")).inflateSync;
  return inflate;
}

/** Where the raw data lives. */
export type Layout =
  | { kind: "compact"; data: Uint8Array }
  | { kind: "contiguous"; addr: number; size: number }
  | { kind: "chunked"; chunk: number[]; elementSize: number; index: "btree1"; addr: number }
  | {
    kind: "chunked";
    chunk: number[];
    elementSize: number;
    index: "single";
    addr: number;
    size: number;
    mask: number;
  }
  | { kind: "chunked"; chunk: number[]; elementSize: number; index: "implicit"; addr: number };

/** A filter of the pipeline (only deflate = 1 and shuffle = 2 are accepted). */
export interface Filter {
  id: number;
  values: number[];
}

const DEFLATE = 1;
/** Largest expansion of deflate (zlib's own bound is about 1032:1). */
export const MAX_INFLATE = 1032;
/** Fill that a dataset may hold beyond its stored bytes (unwritten chunks, unallocated storage). */
const SLACK = 64 * 1024 * 1024;
const SHUFFLE = 2;
const FILTER_NAMES: Record<number, string> = { 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset" };

/** Parse a data layout message. `rank`: the dataset's rank. */
export function parseLayout(m: Message, sizes: Sizes, rank: number): Layout {
  const c = bodyCursor(m, sizes);
  const version = c.u8();
  if (version === 1 || version === 2) {
    const nd = c.u8();
    const cls = c.u8();
    c.skip(5);
    const addr = cls !== 0 ? c.offset() : UNDEF;
    const dims: number[] = [];
    for (let i = 0; i < nd; i++) dims.push(c.u32());
    if (cls === 0) {
      const n = c.u32();
      return { kind: "compact", data: c.take(n) };
    }
    if (cls === 1) return { kind: "contiguous", addr, size: -1 };
    if (cls === 2) return btree1Layout(dims, rank, m.at, addr);
    throw new Hdf5Error(`bad layout class ${cls}`, m.at);
  }
  if (version !== 3 && version !== 4) throw new Hdf5Error(`bad data layout version ${version}`, m.at);
  const cls = c.u8();
  if (cls === 0) {
    const n = c.u16();
    return { kind: "compact", data: c.take(n) };
  }
  if (cls === 1) {
    const addr = c.offset();
    return { kind: "contiguous", addr, size: c.length() };
  }
  if (cls !== 2) throw new Hdf5Unsupported(`data layout class ${cls} (virtual)`);
  if (version === 3) {
    const nd = c.u8();
    const addr = c.offset();
    const dims: number[] = [];
    for (let i = 0; i < nd; i++) dims.push(c.u32());
    return btree1Layout(dims, rank, m.at, addr);
  }
  const flags = c.u8();
  const nd = c.u8();
  const enc = c.u8();
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(c.uint(enc));
  const indexType = c.u8();
  const chunk = chunkDims(dims, rank, m.at);
  const elementSize = dims[rank]!;
  if (indexType === 1) {
    let size = -1;
    let mask = 0;
    if (flags & 2) {
      size = c.length();
      mask = c.u32();
    }
    return { kind: "chunked", chunk, elementSize, index: "single", addr: c.offset(), size, mask };
  }
  if (indexType === 2) return { kind: "chunked", chunk, elementSize, index: "implicit", addr: c.offset() };
  const names: Record<number, string> = { 3: "fixed array", 4: "extensible array", 5: "v2 B-tree" };
  throw new Hdf5Unsupported(`chunk index type ${names[indexType] ?? indexType}`);
}

/**
 * The chunk shape of a chunked layout: `rank` + 1 dimensions stored (the last one is the element
 * size), every one at least 1 — a chunk dimension of 0 would make every chunk empty.
 */
function chunkDims(dims: number[], rank: number, at: number): number[] {
  if (dims.length !== rank + 1) {
    throw new Hdf5Error(`chunked layout of ${dims.length - 1} dimensions for a dataset of rank ${rank}`, at);
  }
  const k = dims.findIndex((d) => !(d >= 1));
  if (k >= 0) throw new Hdf5Error(`chunk dimension ${k} is ${dims[k]}`, at);
  return dims.slice(0, rank);
}

/** A chunked layout indexed by a version-1 B-tree (layout versions 1-3): `dims` = chunk dims + element size. */
function btree1Layout(dims: number[], rank: number, at: number, addr: number): Layout {
  return {
    kind: "chunked",
    chunk: chunkDims(dims, rank, at),
    elementSize: dims[rank]!,
    index: "btree1",
    addr,
  };
}

/** Parse a filter pipeline message; throws {@link Hdf5Unsupported} for any filter but deflate and shuffle. */
export function parseFilters(m: Message, sizes: Sizes): Filter[] {
  const c = bodyCursor(m, sizes);
  const version = c.u8();
  const n = c.u8();
  if (version === 1) c.skip(6);
  else if (version !== 2) throw new Hdf5Error(`bad filter pipeline version ${version}`, m.at);
  const out: Filter[] = [];
  for (let i = 0; i < n; i++) {
    const id = c.u16();
    const nameLen = version === 1 || id >= 256 ? c.u16() : 0;
    c.u16(); // flags
    const nv = c.u16();
    c.skip(version === 1 ? Math.ceil(nameLen / 8) * 8 : nameLen);
    const values: number[] = [];
    for (let k = 0; k < nv; k++) values.push(c.u32());
    if (version === 1 && nv % 2 === 1) c.skip(4);
    if (id !== DEFLATE && id !== SHUFFLE) {
      throw new Hdf5Unsupported(`filter ${FILTER_NAMES[id] ?? `#${id}`}`);
    }
    out.push({ id, values });
  }
  return out;
}

/** The fill value bytes of a dataset (null: undefined, i.e. zeros). */
export function parseFill(messages: Message[], sizes: Sizes): Uint8Array | null {
  let old: Uint8Array | null = null;
  for (const m of messages) {
    const c = bodyCursor(m, sizes);
    if (m.type === MSG.FILL) {
      const version = c.u8();
      let defined: boolean;
      if (version === 1 || version === 2) {
        c.skip(2);
        defined = c.u8() !== 0;
        if (version === 1) defined = true;
      } else if (version === 3) {
        defined = (c.u8() & 0x20) !== 0;
      } else throw new Hdf5Error(`bad fill value version ${version}`, m.at);
      if (!defined || c.left < 4) return null;
      const n = c.u32();
      return n === 0 ? null : c.take(n);
    }
    if (m.type === MSG.FILL_OLD) {
      const n = c.u32();
      old = n === 0 ? null : c.take(n);
    }
  }
  return old;
}

function unshuffle(b: Uint8Array, es: number): Uint8Array {
  if (es <= 1) return b;
  const n = Math.floor(b.length / es);
  const out = new Uint8Array(b.length);
  for (let j = 0; j < es; j++) {
    const base = j * n;
    for (let i = 0; i < n; i++) out[i * es + j] = b[base + i]!;
  }
  out.set(b.subarray(n * es), n * es); // leftover bytes are stored unshuffled
  return out;
}

/** A run of `len` elements: element offset in the source block, element offset in the output. */
type Run = [number, number, number];

/**
 * Runs of the intersection of a block (origin `o`, shape `b`) with a slab (start `s`, count `n`),
 * trailing full dimensions merged into longer runs.
 */
function blockRuns(o: number[], b: number[], s: number[], n: number[]): Run[] {
  const r = b.length;
  if (r === 0) return [[0, 0, 1]];
  const lo: number[] = new Array(r);
  const hi: number[] = new Array(r);
  for (let d = 0; d < r; d++) {
    lo[d] = Math.max(s[d]!, o[d]!);
    hi[d] = Math.min(s[d]! + n[d]!, o[d]! + b[d]!);
    if (hi[d]! <= lo[d]!) return [];
  }
  const bStride: number[] = new Array(r);
  const oStride: number[] = new Array(r);
  bStride[r - 1] = 1;
  oStride[r - 1] = 1;
  for (let d = r - 2; d >= 0; d--) {
    bStride[d] = bStride[d + 1]! * b[d + 1]!;
    oStride[d] = oStride[d + 1]! * n[d + 1]!;
  }
  let k = r - 1;
  let len = hi[k]! - lo[k]!;
  while (k > 0 && hi[k]! - lo[k]! === b[k] && hi[k]! - lo[k]! === n[k]) {
    k--;
    len *= hi[k]! - lo[k]!;
  }
  const runs: Run[] = [];
  const idx = lo.slice(0, k);
  const baseB = (lo[k]! - o[k]!) * bStride[k]!;
  const baseO = (lo[k]! - s[k]!) * oStride[k]!;
  for (;;) {
    let pb = baseB;
    let po = baseO;
    for (let d = 0; d < k; d++) {
      pb += (idx[d]! - o[d]!) * bStride[d]!;
      po += (idx[d]! - s[d]!) * oStride[d]!;
    }
    runs.push([pb, po, len]);
    let d = k - 1;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < hi[d]!) break;
      idx[d] = lo[d]!;
      d--;
    }
    if (d < 0) break;
  }
  return runs;
}

/** A dataset opened for reading. */
export class Dataset {
  readonly type: Datatype;
  readonly space: Dataspace;
  readonly layout: Layout;
  readonly filters: Filter[];
  readonly fill: Uint8Array | null;
  readonly #src: ByteSource;
  readonly #sizes: Sizes;
  #chunks: Map<string, ChunkRecord> | null = null;
  readonly #space: SpaceMap | undefined;
  readonly #owner: string;

  constructor(
    src: ByteSource,
    sizes: Sizes,
    type: Datatype,
    space: Dataspace,
    layout: Layout,
    filters: Filter[],
    fill: Uint8Array | null,
    spaceMap?: SpaceMap,
    owner = "dataset",
  ) {
    this.#src = src;
    this.#sizes = sizes;
    this.type = type;
    this.space = space;
    this.layout = layout;
    this.filters = filters;
    this.fill = fill;
    this.#space = spaceMap;
    this.#owner = owner;
    this.#check();
  }

  /**
   * Check the declared sizes against the file before anything is allocated: element size and
   * dimensions sane, storage inside the file and not at address 0 (the superblock), and the
   * dataset no larger than the file could hold ({@link MAX_INFLATE} × the file with a deflate
   * filter, the file's size + 64 MiB of fill otherwise).
   */
  #check(): void {
    const es = this.type.size;
    const fileSize = this.#src.size;
    if (!(es >= 1) || es > 1 << 24) throw new Hdf5Error(`dataset element of ${es} bytes`);
    const dims = this.space.dims ?? [];
    let n = 1;
    for (const d of dims) {
      if (!(d >= 0) || !Number.isSafeInteger(d)) throw new Hdf5Error(`dataset dimension ${d}`);
      n *= d;
    }
    const bytes = n * es;
    const deflated = this.filters.some((f) => f.id === DEFLATE);
    const cap = deflated ? MAX_INFLATE * fileSize + SLACK : fileSize + SLACK;
    if (!(bytes <= cap)) {
      throw new Hdf5Error(
        `dataset of ${
          dims.join(" x ")
        } elements of ${es} bytes is larger than a file of ${fileSize} bytes can hold`,
      );
    }
    const L = this.layout;
    const inFile = (addr: number, len: number, what: string): void => {
      if (addr === UNDEF) return;
      if (addr <= 0 || addr + len > fileSize) {
        throw new Hdf5Error(
          `${what} at address ${addr} (${len} bytes) outside the data part of the file`,
          addr,
        );
      }
    };
    if (L.kind === "compact") {
      if (L.data.length < bytes) throw new Hdf5Error("compact data shorter than the dataset");
    } else if (L.kind === "contiguous") {
      if (L.size >= 0 && L.size !== bytes && L.addr !== UNDEF) {
        throw new Hdf5Error(`contiguous storage of ${L.size} bytes for a dataset of ${bytes}`, L.addr);
      }
      if (n > 0) {
        inFile(L.addr, bytes, "dataset storage");
        if (L.addr !== UNDEF) this.#space?.claim(L.addr, bytes, `storage of ${this.#owner}`);
      }
    } else {
      if (L.chunk.length !== dims.length) throw new Hdf5Error("chunk rank differs from the dataset's");
      const chunkBytes = L.chunk.reduce((a, x) => a * x, es);
      if (!(chunkBytes <= 2 ** 32)) {
        throw new Hdf5Error(`chunks of ${L.chunk.join(" x ")} elements are larger than HDF5 allows (4 GiB)`);
      }
      if (L.index === "btree1") inFile(L.addr, 1, "chunk B-tree");
      else if (L.index === "single") inFile(L.addr, L.size >= 0 ? L.size : chunkBytes, "chunk");
      else if (n > 0) inFile(L.addr, this.#gridCount() * chunkBytes, "chunk storage");
    }
  }

  /**
   * True when the dataset has elements but no stored data at all (no contiguous storage, no chunk):
   * every read gives fill values — a variable never written, or a dataspace grown by damage.
   */
  get unallocated(): boolean {
    if (this.dims.reduce((a, d) => a * d, 1) === 0 || this.space.dims === null) return false;
    const L = this.layout;
    if (L.kind === "compact") return false;
    if (L.kind === "contiguous" || L.index !== "btree1") return L.addr === UNDEF;
    return L.addr === UNDEF || this.#chunkIndex().size === 0;
  }

  /** Number of chunks of the dataset's chunk grid. */
  #gridCount(): number {
    const L = this.layout;
    if (L.kind !== "chunked") return 0;
    return this.dims.reduce((a, d, k) => a * Math.ceil(d / L.chunk[k]!), 1);
  }

  /** Dimension sizes ([] for a scalar, [] with no element for a null dataspace). */
  get dims(): number[] {
    return this.space.dims ?? [];
  }

  #chunkIndex(): Map<string, ChunkRecord> {
    if (this.#chunks) return this.#chunks;
    const L = this.layout;
    if (L.kind !== "chunked") throw new Error("not chunked");
    const m = new Map<string, ChunkRecord>();
    const dims = this.dims;
    if (L.index === "btree1") {
      const es = this.type.size;
      const chunkBytes = L.chunk.reduce((a, x) => a * x, es);
      const size = this.#src.size;
      const onNode = (a: number, len: number) => this.#space?.claim(a, len, `chunk B-tree of ${this.#owner}`);
      for (const c of chunkBtree(this.#src, this.#sizes, L.addr, dims.length, this.#gridCount(), onNode)) {
        const key = c.offsets.join(",");
        const at = L.addr;
        if (c.offsets.some((o, k) => o % L.chunk[k]! !== 0 || o >= dims[k]!)) {
          throw new Hdf5Error(`chunk B-tree lists a chunk at [${key}], not on the dataset's chunk grid`, at);
        }
        if (m.has(key)) throw new Hdf5Error(`chunk B-tree lists the chunk at [${key}] twice`, at);
        if (this.filters.length === 0 && c.size !== chunkBytes) {
          throw new Hdf5Error(
            `chunk [${key}] holds ${c.size} bytes, its dimensions ${L.chunk.join(" x ")} need ${chunkBytes}`,
            at,
          );
        }
        const stored = this.filters.length > 0 ? c.size : chunkBytes;
        if (c.addr <= 0 || c.addr === UNDEF || c.addr + stored > size) {
          throw new Hdf5Error(`chunk [${key}] at address ${c.addr} (${stored} bytes) outside the file`, at);
        }
        this.#space?.claim(c.addr, stored, `chunk [${key}] of ${this.#owner}`);
        m.set(key, c);
      }
    } else if (L.index === "single") {
      const size = L.size >= 0 ? L.size : L.chunk.reduce((a, x) => a * x, this.type.size);
      if (L.addr !== UNDEF) {
        m.set(dims.map(() => 0).join(","), {
          offsets: dims.map(() => 0),
          size,
          filterMask: L.mask,
          addr: L.addr,
        });
      }
    } else {
      if (this.filters.length > 0) throw new Hdf5Unsupported("implicit chunk index with filters");
      const bytes = L.chunk.reduce((a, x) => a * x, this.type.size);
      const grid = dims.map((d, k) => Math.ceil(d / L.chunk[k]!));
      const total = grid.reduce((a, x) => a * x, 1);
      if (L.addr !== UNDEF) {
        for (let i = 0; i < total; i++) {
          const offsets: number[] = new Array(dims.length);
          let rest = i;
          for (let k = dims.length - 1; k >= 0; k--) {
            offsets[k] = (rest % grid[k]!) * L.chunk[k]!;
            rest = Math.floor(rest / grid[k]!);
          }
          m.set(offsets.join(","), { offsets, size: bytes, filterMask: 0, addr: L.addr + i * bytes });
        }
      }
    }
    this.#chunks = m;
    return m;
  }

  /**
   * Read the slab `start`/`count` as raw element bytes in C order (numbers converted to
   * little-endian). The returned bytes own a fresh ArrayBuffer, or are the start of `scratch`
   * when it is given and large enough (reusing a buffer saves the page faults of fresh memory).
   */
  readBytes(start: number[], count: number[], scratch?: Uint8Array): Uint8Array {
    const es = this.type.size;
    let total = 1;
    for (const x of count) total *= x;
    const reuse = scratch !== undefined && scratch.length >= total * es;
    const out = reuse ? scratch.subarray(0, total * es) : new Uint8Array(total * es);
    const fill = (): void => {
      if (reuse) out.fill(0);
      this.#fillAll(out);
    };
    if (total === 0 || this.space.dims === null) return out;
    const L = this.layout;
    const reads: Run[] = []; // file byte position, output byte position, byte length
    const queue = (filePos: number, outPos: number, len: number): void => {
      const last = reads[reads.length - 1];
      if (last && last[0] + last[2] === filePos && last[1] + last[2] === outPos) last[2] += len;
      else reads.push([filePos, outPos, len]);
    };
    const dims = this.dims;
    if (L.kind === "compact") {
      for (const [pb, po, len] of blockRuns(dims.map(() => 0), dims, start, count)) {
        if ((pb + len) * es > L.data.length) throw new Hdf5Error("compact data shorter than the dataset");
        out.set(L.data.subarray(pb * es, (pb + len) * es), po * es);
      }
    } else if (L.kind === "contiguous") {
      if (L.addr === UNDEF) fill();
      else {
        for (const [pb, po, len] of blockRuns(dims.map(() => 0), dims, start, count)) {
          queue(L.addr + pb * es, po * es, len * es);
        }
      }
    } else {
      const index = this.#chunkIndex();
      const ch = L.chunk;
      const r = dims.length;
      const lo = start.map((s, k) => Math.floor(s / ch[k]!));
      const hi = start.map((s, k) => Math.floor((s + count[k]! - 1) / ch[k]!));
      const cidx = lo.slice();
      const chunkElems = ch.reduce((a, x) => a * x, 1);
      let filled = false;
      for (;;) {
        const origin = cidx.map((i, k) => i * ch[k]!);
        const rec = index.get(origin.join(","));
        if (!rec) {
          if (!filled) {
            fill();
            filled = true;
          }
        } else {
          const runs = blockRuns(origin, ch, start, count);
          const active = this.filters.filter((_, i) => (rec.filterMask & (1 << i)) === 0);
          if (active.length === 0 && runs.length <= 8) {
            for (const [pb, po, len] of runs) queue(rec.addr + pb * es, po * es, len * es);
          } else {
            if (active.length > 0 && chunkElems * es > MAX_INFLATE * rec.size + 1024) {
              throw new Hdf5Error(
                `chunk of ${rec.size} bytes cannot hold ${chunkElems * es} bytes of data`,
                rec.addr,
              );
            }
            const raw = new Uint8Array(active.length === 0 ? chunkElems * es : rec.size);
            this.#src.readInto(raw, rec.addr);
            const data = active.length === 0 ? raw : this.#unfilter(raw, active, chunkElems * es, rec.addr);
            for (const [pb, po, len] of runs) {
              if ((pb + len) * es > data.length) {
                throw new Hdf5Error("chunk shorter than its dimensions", rec.addr);
              }
              out.set(data.subarray(pb * es, (pb + len) * es), po * es);
            }
          }
        }
        let d = r - 1;
        while (d >= 0) {
          cidx[d]!++;
          if (cidx[d]! <= hi[d]!) break;
          cidx[d] = lo[d]!;
          d--;
        }
        if (d < 0) break;
      }
    }
    for (const [fp, op, len] of reads) this.#src.readInto(out.subarray(op, op + len), fp);
    if (this.type.bigEndian && (this.type.cls === DT.FIXED || this.type.cls === DT.FLOAT)) swap(out, es);
    return out;
  }

  #fillAll(out: Uint8Array): void {
    const f = this.fill;
    if (!f || f.every((x) => x === 0)) return;
    if (this.type.cls === DT.VLEN || f.length !== this.type.size) return;
    for (let i = 0; i < out.length; i += f.length) out.set(f, i);
  }

  #unfilter(raw: Uint8Array, active: Filter[], expect: number, at: number): Uint8Array {
    let b = raw;
    for (let i = active.length - 1; i >= 0; i--) {
      const f = active[i]!;
      if (f.id === DEFLATE) {
        try {
          const z = inflateSync()(b, { maxOutputLength: Math.max(expect, 1) });
          b = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
        } catch (e) {
          throw new Hdf5Error(`cannot inflate chunk: ${e instanceof Error ? e.message : String(e)}`, at);
        }
      } else if (f.id === SHUFFLE) b = unshuffle(b, f.values[0] ?? this.type.size);
    }
    if (b.length < expect) throw new Hdf5Error("decompressed chunk shorter than expected", at);
    return b;
  }
}

function swap(b: Uint8Array, es: number): void {
  if (es === 1) return;
  for (let i = 0; i + es <= b.length; i += es) {
    for (let a = i, z = i + es - 1; a < z; a++, z--) {
      const t = b[a]!;
      b[a] = b[z]!;
      b[z] = t;
    }
  }
}
