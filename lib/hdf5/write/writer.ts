/**
 * A small HDF5 file writer for the subset netCDF-4 needs, in pure TypeScript.
 *
 * File structure written:
 * - superblock version 2 at 0 (48 bytes; rewritten at {@link H5Writer.close} with the end of file
 *   and the root group's address);
 * - raw data: contiguous datasets are allocated when created (data written at once, or later by
 *   {@link H5Writer.writeSlab} straight to its file offset; never-written parts read as 0);
 *   chunked datasets (chunks span whole inner dimensions, so only the first dimension is split)
 *   get their chunks appended at the end of the file as they fill, one chunk per dataset held in
 *   memory;
 * - at close, after the data: global heap collections (variable-length data: DIMENSION_LIST
 *   references, strings), the v1 B-trees indexing the chunks (64 entries per node, more levels as
 *   needed), then every object header (version 2, no timestamps, attribute and link creation order
 *   tracked and indexed, compact links and attributes in the header).
 * - dimension scales: every dataset that some `DIMENSION_LIST` attribute (vlen of object
 *   references, one list per axis) points at gets, as its last attribute, the back-references the
 *   HDF5 Dimension Scales specification requires: `REFERENCE_LIST`, a 1-D array of the compound
 *   { dataset: object reference @0, dimension: int32 @8 } (16 bytes, as H5DSattach_scale writes it;
 *   compound datatype message version 3), one element per attachment, referencing datasets in
 *   creation order and their axes in order. Callers cannot set it themselves.
 * Same calls → same bytes. Offsets and lengths are 8 bytes; data are little-endian.
 * @module
 */
import { DataError } from "../../errors.ts";
import { closeSync, openSync, writeAllSync } from "../../sys/fs.ts";
import {
  attributeInfoMessage,
  attributeMessage,
  BTREE_ENTRIES,
  btreeNodeSize,
  ByteBuf,
  chunkedLayout,
  type ChunkKey,
  contiguousLayout,
  elementSize,
  encodeBtreeNode,
  encodeDataspace,
  encodeDatatype,
  encodeGlobalHeap,
  encodeObjectHeader,
  fillValueMessage,
  globalHeapSize,
  groupInfoMessage,
  type H5Datatype,
  linkInfoMessage,
  linkMessage,
  type Message,
  MSG,
  objectHeaderSize,
  superblock,
  UNDEF,
} from "./encode.ts";

export type { H5Datatype } from "./encode.ts";

/** An error of the HDF5 writer (bad call or I/O failure). */
export class Hdf5WriteError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "Hdf5WriteError";
  }
}

/**
 * Value of an attribute: encoded bytes, strings (vstring), object lists (vlenref), or compound
 * records (one value per member: an object for objref members, a number otherwise).
 */
export type H5AttrData = Uint8Array | string[] | H5Object[][] | H5Records;

/** Compound attribute data: per element, the members' values in member order. */
export interface H5Records {
  records: (number | H5Object)[][];
}

/** Name of the dimension-scale attribute listing the variables a dataset is attached to. */
const DIMENSION_LIST = "DIMENSION_LIST";
/** Name of the back-reference attribute the writer derives on every attached dimension scale. */
const REFERENCE_LIST = "REFERENCE_LIST";

/**
 * Type of REFERENCE_LIST elements, as the HDF5 Dimension Scales library (H5DSattach_scale) writes
 * them: { dataset: object reference at 0, dimension: int32 at 8 }, 16 bytes (C struct padding).
 */
export const REFERENCE_LIST_TYPE: H5Datatype = {
  class: "compound",
  size: 16,
  members: [
    { name: "dataset", offset: 0, type: { class: "objref" } },
    { name: "dimension", offset: 8, type: { class: "int", size: 4, signed: true } },
  ],
};

interface H5Attribute {
  name: string;
  type: H5Datatype;
  /** null: scalar. */
  shape: number[] | null;
  data: H5AttrData;
}

/** An object (group or dataset) of the file being written. */
export abstract class H5Object {
  /** Name of the link to this object in its parent group. */
  readonly name: string;
  /** @internal */ readonly attrs: H5Attribute[] = [];
  /** @internal object header address, known during close */
  addr = UNDEF;
  constructor(name: string) {
    this.name = name;
  }
  /**
   * Add an attribute (in creation order). `shape` null is a scalar; data: the encoded
   * little-endian values, strings for `vstring`, one object list per element for `vlenref`,
   * records for `compound`. `REFERENCE_LIST` is reserved: the writer derives it (see {@link H5Writer}).
   */
  setAttribute(name: string, type: H5Datatype, shape: number[] | null, data: H5AttrData): void {
    if (this.attrs.some((a) => a.name === name)) throw new Hdf5WriteError(`attribute ${name} defined twice`);
    if (name === REFERENCE_LIST) {
      throw new Hdf5WriteError(
        `attribute ${name} is written by the writer from the DIMENSION_LIST attributes`,
      );
    }
    if ((type.class === "compound") !== (data !== null && typeof data === "object" && "records" in data)) {
      throw new Hdf5WriteError(
        `attribute ${name}: compound data are records, and records need a compound type`,
      );
    }
    this.attrs.push({ name, type, shape, data });
  }
}

/** A group: links to its children in creation order. */
export class H5Group extends H5Object {
  /** @internal */ readonly children: H5Object[] = [];
}

/** Options of {@link H5Writer.createDataset}. */
export interface H5DatasetOptions {
  type: H5Datatype;
  /** Current shape; empty for a scalar. */
  shape: number[];
  /** Maximum shape: -1 = unlimited (only the first dimension, which needs `chunkRows`). */
  maxshape?: number[];
  /** Chunked layout with chunks of this many first-dimension rows (whole inner dimensions). */
  chunkRows?: number;
  /** Contiguous data written at creation (the whole dataset, encoded little-endian). */
  data?: Uint8Array;
  /** Contiguous dataset whose storage is not allocated (reads as the fill value 0). */
  unallocated?: boolean;
  /** Global-heap strings of a `vstring` dataset (all values). */
  strings?: string[];
}

/** A dataset being written. */
export class H5Dataset extends H5Object {
  readonly type: H5Datatype;
  /** Current extent (the first dimension grows for chunked datasets). */
  readonly shape: number[];
  readonly maxshape: number[] | undefined;
  /** Rows per chunk; 0 for contiguous storage. */
  readonly chunkRows: number;
  /** @internal contiguous storage address (UNDEF if unallocated) and size */
  contig = { addr: UNDEF, size: 0 };
  /** @internal chunk index → file address */
  readonly chunks = new Map<number, number>();
  /** @internal the one chunk held in memory */
  open: { index: number; bytes: Uint8Array } | null = null;
  /** The buffer of the last chunk flushed, reused (zeroed) for the next one: no fresh memory per chunk. */
  spare: Uint8Array | null = null;
  /** @internal vstring values */
  strings: string[] | undefined;
  /** @internal B-tree root address (chunked) */
  btree = UNDEF;
  constructor(name: string, o: H5DatasetOptions) {
    super(name);
    this.type = o.type;
    this.shape = o.shape.slice();
    this.maxshape = o.maxshape?.slice();
    this.chunkRows = o.chunkRows ?? 0;
  }
  /** Bytes of one element. */
  get esize(): number {
    return elementSize(this.type);
  }
  /** Bytes of one first-dimension row (1 element for a scalar). */
  get rowBytes(): number {
    let n = this.esize;
    for (let k = 1; k < this.shape.length; k++) n *= this.shape[k]!;
    return n;
  }
  /** Bytes of one chunk. */
  get chunkBytes(): number {
    return this.rowBytes * this.chunkRows;
  }
}

/** Writes below this size are gathered with sequential neighbours into one write() call. */
const GATHER_BYTES = 1 << 18;

/** Writer of one HDF5 file; see the module doc for the structure written. */
export class H5Writer {
  readonly path: string;
  /** The root group. */
  readonly root: H5Group = new H5Group("/");
  #fd: number | null;
  /** End of the allocated file space. */
  #eof = 48;
  readonly #datasets: H5Dataset[] = [];
  /** Pending sequential small writes. */
  #pend: { addr: number; parts: Uint8Array[]; len: number } | null = null;
  /** REFERENCE_LIST attributes derived at close, by dimension scale. */
  #refLists = new Map<H5Object, H5Attribute>();

  /** Whether close/abort close the descriptor (false: it belongs to the caller's sink). */
  readonly #ownsFd: boolean;

  private constructor(path: string, fd: number, ownsFd = true) {
    this.path = path;
    this.#fd = fd;
    this.#ownsFd = ownsFd;
  }

  /** Create (truncate) the file at `path`. */
  static create(path: string): H5Writer {
    return new H5Writer(path, openSync(path, "w"));
  }

  /**
   * Write into an open, empty file (descriptor of lib/sys/fs, positioned writes) that the caller
   * owns: close() and abort() leave the descriptor open; `name` is for messages.
   */
  static onFd(fd: number, name: string): H5Writer {
    return new H5Writer(name, fd, false);
  }

  /** Create an (empty) group in `parent`. */
  createGroup(parent: H5Group, name: string): H5Group {
    const g = new H5Group(name);
    this.#link(parent, g);
    return g;
  }

  /** Create a dataset in `parent` (contiguous unless `chunkRows` is given). */
  createDataset(parent: H5Group, name: string, o: H5DatasetOptions): H5Dataset {
    const ds = new H5Dataset(name, o);
    if (o.maxshape?.some((m, k) => m < 0 && k > 0)) {
      throw new Hdf5WriteError(`dataset ${name}: only the first dimension may be unlimited`);
    }
    if (o.maxshape?.[0] !== undefined && o.maxshape[0] < 0 && !ds.chunkRows) {
      throw new Hdf5WriteError(`dataset ${name}: an unlimited dimension needs chunked storage`);
    }
    if (ds.chunkRows && ds.shape.length === 0) {
      throw new Hdf5WriteError(`dataset ${name}: a scalar cannot be chunked`);
    }
    if (o.type.class === "vstring") {
      if (ds.chunkRows || !o.strings) throw new Hdf5WriteError(`dataset ${name}: strings need all values`);
      ds.strings = o.strings.slice();
    } else if (!ds.chunkRows) {
      const size = ds.shape.reduce((a, b) => a * b, 1) * ds.esize;
      ds.contig = { addr: o.unallocated || size === 0 ? UNDEF : this.#alloc(size), size };
      if (o.data) {
        if (o.data.length !== size) {
          throw new Hdf5WriteError(`dataset ${name}: ${o.data.length} data bytes for ${size}`);
        }
        if (ds.contig.addr !== UNDEF) this.#write(o.data, ds.contig.addr);
      }
    }
    this.#link(parent, ds);
    this.#datasets.push(ds);
    return ds;
  }

  /**
   * Write a hyperslab (`start`/`count` per dimension; `[]` for a scalar) of encoded values.
   * A chunked dataset with an unlimited first dimension grows to cover the slab.
   */
  writeSlab(ds: H5Dataset, start: number[], count: number[], bytes: Uint8Array): void {
    const rank = ds.shape.length;
    if (rank === 0) {
      if (bytes.length !== ds.esize) {
        throw new Hdf5WriteError(`dataset ${ds.name}: scalar needs ${ds.esize} bytes`);
      }
      if (ds.contig.addr !== UNDEF) this.#write(bytes, ds.contig.addr);
      return;
    }
    const end0 = start[0]! + count[0]!;
    if (end0 > ds.shape[0]!) {
      if (!(ds.maxshape && ds.maxshape[0]! < 0)) {
        throw new Hdf5WriteError(`dataset ${ds.name}: slab beyond the fixed extent ${ds.shape[0]}`);
      }
      ds.shape[0] = end0;
    }
    let n = ds.esize;
    for (const c of count) n *= c;
    if (bytes.length !== n) {
      throw new Hdf5WriteError(`dataset ${ds.name}: slab of ${bytes.length} bytes, expected ${n}`);
    }
    if (n === 0) return;
    const rowBytes = ds.rowBytes;
    const wholeRows = count.every((c, k) => k === 0 || (start[k] === 0 && c === ds.shape[k]));
    if (wholeRows) {
      if (ds.chunkRows) this.#chunkRows(ds, start[0]!, end0, bytes);
      else this.#write(bytes, ds.contig.addr + start[0]! * rowBytes);
      return;
    }
    // partial rows: contiguous runs of the innermost dimension, one row at a time
    const runs = rowRuns(ds.shape.slice(1), start.slice(1), count.slice(1), ds.esize);
    const srcRow = runs.reduce((a, r) => a + r.len, 0);
    for (let r = 0; r < count[0]!; r++) {
      const row = start[0]! + r;
      for (const run of runs) {
        const src = bytes.subarray(r * srcRow + run.src, r * srcRow + run.src + run.len);
        this.#rowPart(ds, row, run.dst, src);
      }
    }
  }

  /** Write all, then the metadata and superblock, and close the file. */
  close(): void {
    if (this.#fd === null) throw new Hdf5WriteError("file already closed");
    for (const ds of this.#datasets) this.#flushOpen(ds);
    this.#flush();
    const meta = this.#metadata();
    this.#writeNow(meta, this.#eof - meta.length);
    this.#writeNow(superblock(this.#eof, this.root.addr), 0);
    if (this.#ownsFd) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Close the file without finishing it (safe to call twice). */
  abort(): void {
    if (this.#fd === null) return;
    try {
      if (this.#ownsFd) closeSync(this.#fd);
    } catch { /* already failing */ }
    this.#fd = null;
    this.#pend = null;
  }

  #link(parent: H5Group, child: H5Object): void {
    if (parent.children.some((c) => c.name === child.name)) {
      throw new Hdf5WriteError(`object ${child.name} defined twice`);
    }
    parent.children.push(child);
  }

  #alloc(n: number): number {
    const at = this.#eof;
    this.#eof += n;
    return at;
  }

  /** Rows [r0, r1) of whole rows in `bytes` into a chunked dataset. */
  #chunkRows(ds: H5Dataset, r0: number, r1: number, bytes: Uint8Array): void {
    const cr = ds.chunkRows, rowBytes = ds.rowBytes, cb = ds.chunkBytes;
    let r = r0;
    while (r < r1) {
      const c = Math.floor(r / cr);
      // a run of chunks wholly covered, new and not in memory: one write straight from the caller
      if (r === c * cr && (c + 1) * cr <= r1 && !ds.chunks.has(c) && ds.open?.index !== c) {
        let k = 1;
        while ((c + k + 1) * cr <= r1 && !ds.chunks.has(c + k) && ds.open?.index !== c + k) k++;
        const at = this.#alloc(k * cb);
        for (let i = 0; i < k; i++) ds.chunks.set(c + i, at + i * cb);
        this.#write(bytes.subarray((r - r0) * rowBytes, (r - r0 + k * cr) * rowBytes), at);
        r += k * cr;
        continue;
      }
      const hi = Math.min(r1, (c + 1) * cr);
      this.#rowPart(ds, r, 0, bytes.subarray((r - r0) * rowBytes, (hi - r0) * rowBytes));
      r = hi;
    }
  }

  /** Bytes `src` at byte `dst` of row `row` (may run on over following rows of the same chunk). */
  #rowPart(ds: H5Dataset, row: number, dst: number, src: Uint8Array): void {
    if (!ds.chunkRows) {
      this.#write(src, ds.contig.addr + row * ds.rowBytes + dst);
      return;
    }
    const c = Math.floor(row / ds.chunkRows);
    const within = (row - c * ds.chunkRows) * ds.rowBytes + dst;
    const addr = ds.chunks.get(c);
    if (addr !== undefined) {
      this.#write(src, addr + within);
      return;
    }
    if (ds.open?.index !== c) {
      this.#flushOpen(ds);
      const bytes = ds.spare ?? new Uint8Array(ds.chunkBytes);
      if (ds.spare) bytes.fill(0);
      ds.spare = null;
      ds.open = { index: c, bytes };
    }
    ds.open!.bytes.set(src, within);
  }

  #flushOpen(ds: H5Dataset): void {
    if (!ds.open) return;
    const at = this.#alloc(ds.chunkBytes);
    ds.chunks.set(ds.open.index, at);
    this.#write(ds.open.bytes, at); // written or copied: the buffer is free again
    ds.spare = ds.open.bytes;
    ds.open = null;
  }

  #write(bytes: Uint8Array, addr: number): void {
    const p = this.#pend;
    if (p && p.addr + p.len === addr && p.len + bytes.length <= GATHER_BYTES) {
      p.parts.push(bytes.slice());
      p.len += bytes.length;
      return;
    }
    this.#flush();
    if (bytes.length >= GATHER_BYTES) this.#writeNow(bytes, addr);
    else this.#pend = { addr, parts: [bytes.slice()], len: bytes.length };
  }

  #flush(): void {
    const p = this.#pend;
    if (!p) return;
    this.#pend = null;
    if (p.parts.length === 1) return this.#writeNow(p.parts[0]!, p.addr);
    const all = new Uint8Array(p.len);
    let o = 0;
    for (const b of p.parts) {
      all.set(b, o);
      o += b.length;
    }
    this.#writeNow(all, p.addr);
  }

  #writeNow(bytes: Uint8Array, addr: number): void {
    if (this.#fd === null) throw new Hdf5WriteError("file is closed");
    writeAllSync(this.#fd, bytes, addr);
  }

  /**
   * Lay out and encode everything written at close after the raw data, starting at the current end
   * of file, in this order: (1) the global heap collections (vlen strings and reference lists) and
   * the heap-id arrays of vstring datasets, (2) the v1 B-trees of the chunked datasets, (3) every
   * object header (root first). Addresses are assigned before anything is encoded: header and
   * B-tree sizes do not depend on addresses, so one layout pass with placeholders fixes them all.
   * The encoded size must equal the laid-out size (checked).
   */
  #metadata(): Uint8Array {
    const start = this.#eof;
    this.#refLists = referenceLists(this.#allObjects());
    const objects = this.#allObjects();
    const enc = new TextEncoder();
    // 1. global heap objects (vlen data), collected in a deterministic order
    const { heapObjs, heapIds } = collectHeapObjects(objects, enc);
    const colls = heapCollections(heapObjs);
    let at = start;
    for (const c of colls) {
      c.addr = at;
      at += c.size;
    }
    const heapId = (i: number): { addr: number; index: number } => {
      for (const c of colls) if (i < c.first + c.count) return { addr: c.addr, index: i - c.first + 1 };
      throw new Hdf5WriteError("global heap object lost");
    };
    // vstring datasets: their heap-id arrays as contiguous data after the heaps
    const stringSets = this.#datasets.filter((d) => d.strings);
    for (const ds of stringSets) {
      ds.contig = { addr: ds.strings!.length ? at : UNDEF, size: 16 * ds.strings!.length };
      at += ds.contig.size;
    }
    // 2. B-trees of the chunked datasets
    const trees: { ds: H5Dataset; levels: BtreeNode[][] }[] = [];
    for (const ds of this.#datasets) {
      if (!ds.chunkRows || ds.chunks.size === 0) continue;
      const levels = chunkBtreeLevels(ds);
      at = placeBtree(levels, at, btreeNodeSize(ds.shape.length));
      ds.btree = levels[levels.length - 1]![0]!.addr;
      trees.push({ ds, levels });
    }
    // 3. object headers: sizes do not depend on addresses, so lay out with placeholders first
    const msgsOf = (o: H5Object): Message[] => this.#messages(o, heapIds, heapId);
    for (const o of objects) {
      o.addr = at;
      at += objectHeaderSize(msgsOf(o));
    }
    this.#eof = at;
    // encode, in the layout order
    const out = new ByteBuf(at - start);
    for (const c of colls) encodeGlobalHeap(out, heapItems(heapObjs, c), c.size);
    for (const ds of stringSets) {
      const lengths = ds.strings!.map((s) => enc.encode(s).length);
      out.bytes(vlenIds(heapIds.get(ds) ?? [], lengths, heapId));
    }
    for (const { ds, levels } of trees) encodeBtree(out, ds.shape.length, levels);
    for (const o of objects) encodeObjectHeader(msgsOf(o), out);
    if (out.length !== at - start) throw new Hdf5WriteError("metadata size mismatch");
    return out.view();
  }

  /** Root first, then every object in creation order (depth first). */
  #allObjects(): H5Object[] {
    const out: H5Object[] = [];
    const visit = (o: H5Object) => {
      out.push(o);
      if (o instanceof H5Group) { for (const c of o.children) visit(c); }
    };
    visit(this.root);
    return out;
  }

  #messages(
    o: H5Object,
    heapIds: Map<object, number[]>,
    heapId: (i: number) => { addr: number; index: number },
  ): Message[] {
    const msgs: Message[] = [];
    const vlenData = (owner: object, lengths: number[]) => vlenIds(heapIds.get(owner) ?? [], lengths, heapId);
    if (o instanceof H5Group) {
      msgs.push({ type: MSG.linkInfo, body: linkInfoMessage(o.children.length) });
      msgs.push({ type: MSG.groupInfo, body: groupInfoMessage() });
    } else {
      const ds = o as H5Dataset;
      msgs.push({
        type: MSG.dataspace,
        body: encodeDataspace(ds.shape.length ? ds.shape : null, ds.maxshape).view().slice(),
      });
      msgs.push({ type: MSG.datatype, body: encodeDatatype(ds.type).view().slice(), flags: 1 });
      msgs.push({ type: MSG.fillValue, body: fillValueMessage(ds.chunkRows ? 3 : 1), flags: 1 });
      if (ds.chunkRows) {
        msgs.push({
          type: MSG.layout,
          body: chunkedLayout(ds.btree, [
            ds.chunkRows,
            ...ds.shape.slice(1).map((s) => Math.max(1, s)),
          ], ds.esize),
        });
      } else {
        msgs.push({ type: MSG.layout, body: contiguousLayout(ds.contig.addr, ds.contig.size) });
      }
    }
    const refList = this.#refLists.get(o);
    const attrs = refList ? [...o.attrs, refList] : o.attrs;
    msgs.push({ type: MSG.attributeInfo, body: attributeInfoMessage(attrs.length) });
    attrs.forEach((a, i) => {
      let data: Uint8Array;
      if (a.type.class === "vlenref") data = vlenData(a, (a.data as H5Object[][]).map((l) => l.length));
      else if (a.type.class === "compound") data = encodeRecords(a.type, (a.data as H5Records).records);
      else if (a.type.class === "vstring") {
        data = vlenData(a, (a.data as string[]).map((s) => new TextEncoder().encode(s).length));
      } else data = a.data as Uint8Array;
      msgs.push({ type: MSG.attribute, body: attributeMessage(a.name, a.type, a.shape, data), crtIndex: i });
    });
    if (o instanceof H5Group) {
      o.children.forEach((c, i) => msgs.push({ type: MSG.link, body: linkMessage(c.name, c.addr, i) }));
    }
    return msgs;
  }
}

/**
 * The REFERENCE_LIST of every dataset some DIMENSION_LIST (vlen of object references) points at:
 * one {dataset, dimension} element per attachment, referencing datasets in `objects` order and
 * their axes in order (the order in which netCDF-C attaches the scales).
 */
function referenceLists(objects: H5Object[]): Map<H5Object, H5Attribute> {
  const back = new Map<H5Object, (number | H5Object)[][]>();
  for (const o of objects) {
    const dl = o.attrs.find((a) => a.name === DIMENSION_LIST && a.type.class === "vlenref");
    if (!dl) continue;
    (dl.data as H5Object[][]).forEach((scales, axis) => {
      for (const s of scales) {
        let list = back.get(s);
        if (!list) back.set(s, list = []);
        list.push([o, axis]);
      }
    });
  }
  const out = new Map<H5Object, H5Attribute>();
  for (const [s, records] of back) {
    out.set(s, {
      name: REFERENCE_LIST,
      type: REFERENCE_LIST_TYPE,
      shape: [records.length],
      data: { records },
    });
  }
  return out;
}

/** Encode compound records: each member little-endian at its offset, padding bytes zero. */
function encodeRecords(
  t: Extract<H5Datatype, { class: "compound" }>,
  records: (number | H5Object)[][],
): Uint8Array {
  const out = new Uint8Array(t.size * records.length);
  const dv = new DataView(out.buffer);
  records.forEach((rec, i) => {
    if (rec.length !== t.members.length) {
      throw new Hdf5WriteError(`compound record of ${rec.length} values for ${t.members.length} members`);
    }
    t.members.forEach((m, k) => {
      const at = i * t.size + m.offset;
      const v = rec[k]!;
      if (m.type.class === "objref") {
        if (!(v instanceof H5Object)) throw new Hdf5WriteError(`compound member ${m.name} needs an object`);
        dv.setBigUint64(at, v.addr < 0 ? 0xffffffffffffffffn : BigInt(v.addr), true);
        return;
      }
      if (typeof v !== "number") throw new Hdf5WriteError(`compound member ${m.name} needs a number`);
      const ty = m.type;
      if (ty.class === "float") {
        if (ty.size === 4) dv.setFloat32(at, v, true);
        else dv.setFloat64(at, v, true);
      } else if (ty.class === "int") {
        if (ty.size === 1) dv.setUint8(at, v & 0xff);
        else if (ty.size === 2) dv.setUint16(at, v & 0xffff, true);
        else if (ty.size === 4) dv.setUint32(at, v >>> 0, true);
        else dv.setBigInt64(at, BigInt(v), true);
      } else throw new Hdf5WriteError(`compound member ${m.name}: type ${ty.class} not supported`);
    });
  });
  return out;
}

/** Encoded vlen elements: sequence length and global heap id of each heap object. */
function vlenIds(
  ids: number[],
  lengths: number[],
  heapId: (i: number) => { addr: number; index: number },
): Uint8Array {
  const b = new ByteBuf(16 * ids.length);
  ids.forEach((i, k) => {
    const h = heapId(i);
    b.u32(lengths[k]!).u64(h.addr).u32(h.index);
  });
  return b.view().slice();
}

/** Byte runs of one row of a partial-row slab: destination in the row, source in the slab row. */
function rowRuns(
  inner: number[],
  start: number[],
  count: number[],
  esize: number,
): { dst: number; src: number; len: number }[] {
  const rank = inner.length;
  const runs: { dst: number; src: number; len: number }[] = [];
  if (rank === 0) return [{ dst: 0, src: 0, len: esize }];
  const stride = new Array<number>(rank);
  stride[rank - 1] = esize;
  for (let k = rank - 2; k >= 0; k--) stride[k] = stride[k + 1]! * inner[k + 1]!;
  const len = count[rank - 1]! * esize;
  if (len === 0 || count.some((c) => c === 0)) return runs;
  const idx = new Array<number>(rank - 1).fill(0);
  let src = 0;
  for (;;) {
    let dst = start[rank - 1]! * esize;
    for (let k = 0; k < rank - 1; k++) dst += (start[k]! + idx[k]!) * stride[k]!;
    runs.push({ dst, src, len });
    src += len;
    let k = rank - 2;
    while (k >= 0 && ++idx[k]! === count[k]!) idx[k--] = 0;
    if (k < 0) break;
  }
  return runs;
}

/** One object of a global heap: vlen bytes, or a list of object references (8-byte addresses). */
interface HeapObject {
  owner: object;
  bytes: Uint8Array | null;
  refs: H5Object[] | null;
}

/** A global heap collection: heap objects [first, first + count), `size` bytes at `addr`. */
interface HeapCollection {
  first: number;
  count: number;
  size: number;
  addr: number;
}

/**
 * The global heap objects of all objects in order (each object's vlen/reference attributes, then a
 * vstring dataset's strings) and, per owner (attribute or dataset), the indices of its heap objects.
 */
function collectHeapObjects(
  objects: H5Object[],
  enc: TextEncoder,
): { heapObjs: HeapObject[]; heapIds: Map<object, number[]> } {
  const heapObjs: HeapObject[] = [];
  const heapIds = new Map<object, number[]>();
  const noteHeap = (owner: object, items: (Uint8Array | H5Object[])[]) => {
    const ids: number[] = [];
    for (const it of items) {
      ids.push(heapObjs.length);
      heapObjs.push(
        it instanceof Uint8Array ? { owner, bytes: it, refs: null } : { owner, bytes: null, refs: it },
      );
    }
    heapIds.set(owner, ids);
  };
  for (const o of objects) {
    for (const a of o.attrs) {
      if (a.type.class === "vlenref") noteHeap(a, a.data as H5Object[][]);
      if (a.type.class === "vstring") noteHeap(a, (a.data as string[]).map((s) => enc.encode(s)));
    }
    if (o instanceof H5Dataset && o.strings) noteHeap(o, o.strings.map((s) => enc.encode(s)));
  }
  return { heapObjs, heapIds };
}

/** Size in bytes of a heap object's data. */
function heapObjectBytes(h: HeapObject): number {
  return h.bytes ? h.bytes.length : 8 * h.refs!.length;
}

/**
 * Split the heap objects into collections of at most 65535 objects and about 1 MiB (a collection is
 * closed once it reaches 1 MiB), in order; addresses are set by the caller.
 */
function heapCollections(heapObjs: HeapObject[]): HeapCollection[] {
  const colls: HeapCollection[] = [];
  let first = 0;
  while (first < heapObjs.length) {
    let count = 0, bytes = 0;
    while (first + count < heapObjs.length && count < 65535 && bytes < (1 << 20)) {
      bytes += 16 + Math.ceil(heapObjectBytes(heapObjs[first + count]!) / 8) * 8;
      count++;
    }
    const sizes = heapObjs.slice(first, first + count).map(heapObjectBytes);
    colls.push({ first, count, size: globalHeapSize(sizes), addr: 0 });
    first += count;
  }
  return colls;
}

/** The encoded items of one collection (reference lists as little-endian addresses, placed by now). */
function heapItems(heapObjs: HeapObject[], c: HeapCollection): Uint8Array[] {
  return heapObjs.slice(c.first, c.first + c.count).map((h) => {
    if (h.bytes) return h.bytes;
    const b = new ByteBuf(8 * h.refs!.length);
    for (const r of h.refs!) b.u64(r.addr);
    return b.view().slice();
  });
}

/** A v1 B-tree node over chunks [first, last]: keys (one more than children) and child addresses. */
interface BtreeNode {
  keys: ChunkKey[];
  children: number[];
  addr: number;
  first: number;
  last: number;
}

/**
 * The v1 B-tree of a chunked dataset (chunks of whole rows), leaves first, up to one root: at most
 * BTREE_ENTRIES children per node, chunks in index order; key i is the offset of the node's i-th
 * chunk, the last key the offset just past its last chunk. Leaf children are the chunk addresses;
 * inner children are set by {@link placeBtree}.
 */
function chunkBtreeLevels(ds: H5Dataset): BtreeNode[][] {
  const inner = ds.shape.slice(1);
  const idx = [...ds.chunks.keys()].sort((a, b) => a - b);
  const key = (c: number): ChunkKey => ({
    nbytes: ds.chunkBytes,
    offset: [c * ds.chunkRows, ...inner.map(() => 0)],
  });
  const endKey = (c: number): ChunkKey => ({
    nbytes: ds.chunkBytes,
    offset: [(c + 1) * ds.chunkRows, ...inner.map((s) => Math.max(1, s))],
  });
  const levels: BtreeNode[][] = [];
  // leaves
  let level: BtreeNode[] = [];
  for (let i = 0; i < idx.length; i += BTREE_ENTRIES) {
    const part = idx.slice(i, i + BTREE_ENTRIES);
    level.push({
      keys: [...part.map(key), endKey(part[part.length - 1]!)],
      children: part.map((c) => ds.chunks.get(c)!),
      addr: 0,
      first: part[0]!,
      last: part[part.length - 1]!,
    });
  }
  levels.push(level);
  while (level.length > 1) {
    const up: BtreeNode[] = [];
    for (let i = 0; i < level.length; i += BTREE_ENTRIES) {
      const part = level.slice(i, i + BTREE_ENTRIES);
      up.push({
        keys: [...part.map((n) => key(n.first)), endKey(part[part.length - 1]!.last)],
        children: [], // addresses filled by placeBtree
        addr: 0,
        first: part[0]!.first,
        last: part[part.length - 1]!.last,
      });
    }
    levels.push(up);
    level = up;
  }
  return levels;
}

/**
 * Give every node an address from `at` on (level by level, leaves first; all nodes have the same
 * size) and point inner nodes at their children. Returns the address after the tree.
 */
function placeBtree(levels: BtreeNode[][], at: number, nodeSize: number): number {
  for (const lv of levels) {
    for (const node of lv) {
      node.addr = at;
      at += nodeSize;
    }
  }
  for (let l = 1; l < levels.length; l++) {
    levels[l]!.forEach((node, i) => {
      node.children = levels[l - 1]!.slice(i * BTREE_ENTRIES, (i + 1) * BTREE_ENTRIES).map((n) => n.addr);
    });
  }
  return at;
}

/** Encode a placed B-tree level by level, each node with its left and right siblings. */
function encodeBtree(out: ByteBuf, rank: number, levels: BtreeNode[][]): void {
  levels.forEach((lv, l) => {
    lv.forEach((node, i) => {
      const left = i > 0 ? lv[i - 1]!.addr : UNDEF;
      const right = i + 1 < lv.length ? lv[i + 1]!.addr : UNDEF;
      encodeBtreeNode(out, rank, l, node.keys, node.children, left, right);
    });
  });
}
