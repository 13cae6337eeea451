/**
 * An HDF5 file opened by the native reader: superblock (versions 0–3), object headers by
 * address, links, attributes (decoded to JavaScript values) and datasets.
 * @module
 */
import { Dataset, parseFill, parseFilters, parseLayout } from "./dataset.ts";
import {
  type Dataspace,
  type Datatype,
  decodeNumbers,
  decodeString,
  DT,
  isNumeric,
  parseDataspace,
  parseDatatype,
} from "./datatype.ts";
import { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
import { GlobalHeap, type Sizes } from "./heaps.ts";
import { lookup3 } from "../lookup3.ts";
import {
  bodyCursor,
  groupLinks,
  type Link,
  type Message,
  MSG,
  objectAttributes,
  type RawAttribute,
  readObjectHeader,
} from "./object.ts";
import { type ByteSource, Cursor, FileSource, MemorySource, UNDEF } from "./source.ts";
import { SpaceMap } from "./space.ts";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** A decoded attribute value: one value for a scalar dataspace, an array otherwise, null for no data. */
export type AttrRaw =
  | null
  | number
  | bigint
  | string
  | number[]
  | bigint[]
  | string[]
  /** vlen of object references (DIMENSION_LIST): per element, the referenced object addresses */
  | { refs: number[][] }
  /** a type this reader does not decode (compound, enum, opaque, ...) */
  | { unsupported: number };

/** One object of the file: its header messages, and (when a group) its links. */
export interface H5Object {
  addr: number;
  messages: Message[];
  /** Links when the object is a group, else null. */
  links: Link[] | null;
}

/** An open HDF5 file. */
export class Hdf5File {
  readonly sizes: Sizes;
  readonly superblockVersion: number;
  /** Address of the root group's object header. */
  readonly root: number;
  readonly #src: ByteSource;
  readonly #gheap: GlobalHeap;
  readonly #objects = new Map<number, H5Object>();
  readonly #space = new SpaceMap();

  private constructor(src: ByteSource) {
    this.#src = src;
    const c = new Cursor(src.meta(0, Math.min(src.size, 128)), 0);
    if (c.bytes.length < 8 || !SIGNATURE.every((b, i) => c.bytes[i] === b)) {
      throw new Hdf5Error("no HDF5 signature at the start of the file", 0);
    }
    c.skip(8);
    const version = c.u8();
    this.superblockVersion = version;
    let offsetSize: number, lengthSize: number, root: number, base: number, eof: number;
    if (version === 0 || version === 1) {
      c.skip(4);
      offsetSize = c.u8();
      lengthSize = c.u8();
      c.skip(1 + 4 + 4 + (version === 1 ? 4 : 0));
      const s = new Cursor(c.bytes.subarray(c.pos), c.pos, offsetSize, lengthSize);
      base = s.offset();
      s.offset();
      eof = s.offset();
      s.offset();
      s.offset(); // root entry: link name offset
      root = s.offset();
    } else if (version === 2 || version === 3) {
      offsetSize = c.u8();
      lengthSize = c.u8();
      c.u8();
      const s = new Cursor(c.bytes.subarray(c.pos), c.pos, offsetSize, lengthSize);
      base = s.offset();
      const ext = s.offset();
      eof = s.offset();
      root = s.offset();
      const end = c.pos + s.pos;
      const stored = s.u32();
      if (lookup3(c.bytes, 0, end) !== stored) throw new Hdf5Error("superblock checksum mismatch", 0);
      if (ext !== UNDEF) {
        // the superblock extension holds file-space settings only; nothing needed to read
      }
    } else throw new Hdf5Unsupported(`superblock version ${version}`);
    if (![2, 4, 8].includes(offsetSize) || ![2, 4, 8].includes(lengthSize)) {
      throw new Hdf5Error(`bad address/length sizes ${offsetSize}/${lengthSize}`, 13);
    }
    if (base !== 0) throw new Hdf5Unsupported("non-zero base address (user block)");
    if (eof !== UNDEF && eof > src.size) {
      throw new Hdf5Error(`truncated file: ${src.size} bytes, superblock says ${eof}`);
    }
    this.sizes = { offsetSize, lengthSize };
    this.root = root;
    this.#space.claim(0, version >= 2 ? 48 : 8 + c.pos, "superblock");
    this.#gheap = new GlobalHeap(src, this.sizes, this.#space);
  }

  /** Open a file by path (node:fs errors propagate). */
  static open(path: string): Hdf5File {
    const src = new FileSource(path);
    try {
      return new Hdf5File(src);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  /** Open any byte source (tests count its reads). */
  static fromSource(src: ByteSource): Hdf5File {
    return new Hdf5File(src);
  }

  /** Open HDF5 bytes held in memory. */
  static fromBytes(bytes: Uint8Array): Hdf5File {
    return new Hdf5File(new MemorySource(bytes));
  }

  /** The object whose header is at `addr` (each header read once: links naming it again reuse it). */
  object(addr: number): H5Object {
    const known = this.#objects.get(addr);
    if (known) return known;
    if (addr === UNDEF || addr <= 0 || addr >= this.#src.size) {
      throw new Hdf5Error(`object header address ${addr} outside the file`);
    }
    const extents: [number, number][] = [];
    const messages = readObjectHeader(this.#src, this.sizes, addr, extents);
    for (const [a, n] of extents) this.#space.claim(a, n, `object header ${addr}`);
    const obj = { addr, messages, links: groupLinks(this.#src, this.sizes, messages) };
    this.#objects.set(addr, obj);
    return obj;
  }

  /** Raw attributes of an object, in name order. */
  attributes(obj: H5Object): RawAttribute[] {
    return objectAttributes(this.#src, this.sizes, obj.messages);
  }

  /** The dataset of an object, or null when the object has no data (group, named datatype). */
  dataset(obj: H5Object): Dataset | null {
    let type: Datatype | null = null;
    let space: Dataspace | null = null;
    let layoutMsg: Message | null = null;
    let filters: ReturnType<typeof parseFilters> = [];
    for (const m of obj.messages) {
      if (m.type === MSG.DATATYPE) type = parseDatatype(bodyCursor(m, this.sizes));
      else if (m.type === MSG.DATASPACE) space = parseDataspace(bodyCursor(m, this.sizes));
      else if (m.type === MSG.LAYOUT) layoutMsg = m;
      else if (m.type === MSG.FILTERS) filters = parseFilters(m, this.sizes);
    }
    if (!type || !space || !layoutMsg) return null;
    if (type.cls === DT.FLOAT && ![2, 4, 8].includes(type.size)) {
      throw new Hdf5Error(`dataset at ${obj.addr}: float of ${type.size} bytes`);
    }
    const layout = parseLayout(layoutMsg, this.sizes, space.dims?.length ?? 0);
    if (layout.kind === "chunked" && layout.elementSize !== type.size) {
      throw new Hdf5Error(
        `chunks of ${layout.elementSize}-byte elements for a datatype of ${type.size} bytes`,
        layoutMsg.at,
      );
    }
    return new Dataset(
      this.#src,
      this.sizes,
      type,
      space,
      layout,
      filters,
      parseFill(obj.messages, this.sizes),
      this.#space,
      `dataset ${obj.addr}`,
    );
  }

  /** Decode an attribute's value. */
  attrValue(a: RawAttribute): AttrRaw {
    if (a.space.dims === null) return null;
    const scalar = a.space.dims.length === 0;
    let n = 1;
    for (const d of a.space.dims) n *= d;
    const t = a.type;
    const one = <T>(xs: T[]): T | T[] => (scalar ? xs[0]! : xs);
    if (t.cls === DT.FIXED || t.cls === DT.FLOAT) {
      if (![1, 2, 4, 8].includes(t.size) || (t.cls === DT.FLOAT && t.size < 4)) return { unsupported: t.cls };
      return one(decodeNumbers(a.data, t, n) as (number | bigint)[]) as AttrRaw;
    }
    if (t.cls === DT.STRING) {
      if (a.data.length < n * t.size) {
        throw new Hdf5Error(`attribute ${a.name}: data shorter than its dataspace`, a.at);
      }
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = decodeString(a.data.subarray(i * t.size, (i + 1) * t.size), t.cset);
      }
      return one(out);
    }
    if (t.cls === DT.VLEN) {
      const c = new Cursor(a.data, a.at, this.sizes.offsetSize, this.sizes.lengthSize);
      if (t.vlenString) {
        const out: string[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const len = c.u32();
          const coll = c.offset();
          const idx = c.u32();
          out[i] = len === 0 || coll === UNDEF || coll === 0
            ? ""
            : decodeString(this.#gheap.get(coll, idx).subarray(0, len), t.cset);
        }
        return one(out);
      }
      if (t.base?.cls === DT.REFERENCE && t.base.pad === 0) {
        const refs: number[][] = [];
        for (let i = 0; i < n; i++) {
          const len = c.u32();
          const coll = c.offset();
          const idx = c.u32();
          const row: number[] = [];
          if (len > 0 && coll !== UNDEF && coll !== 0) {
            const rc = new Cursor(
              this.#gheap.get(coll, idx),
              coll,
              this.sizes.offsetSize,
              this.sizes.lengthSize,
            );
            for (let k = 0; k < len; k++) row.push(rc.offset());
          }
          refs.push(row);
        }
        return { refs };
      }
    }
    return { unsupported: t.cls };
  }

  /**
   * Decode a compound attribute (as REFERENCE_LIST): per element, its members by name — numbers
   * for integer / float members, the referenced object's address for object references. Throws
   * for other member types. ({@link attrValue} leaves compounds undecoded, as the netCDF layer wants.)
   */
  compoundValue(a: RawAttribute): Record<string, number | bigint>[] {
    const t = a.type;
    if (t.cls !== DT.COMPOUND || !t.members) throw new Hdf5Error(`attribute ${a.name}: not a compound`, a.at);
    const n = a.space.dims === null ? 0 : a.space.dims.reduce((x, y) => x * y, 1);
    if (a.data.length < n * t.size) {
      throw new Hdf5Error(`attribute ${a.name}: data shorter than its dataspace`, a.at);
    }
    const out: Record<string, number | bigint>[] = [];
    for (let i = 0; i < n; i++) {
      const rec: Record<string, number | bigint> = {};
      for (const m of t.members) {
        const at = i * t.size + m.offset;
        const mt = m.type;
        if (mt.cls === DT.REFERENCE && mt.pad === 0) {
          rec[m.name] = new Cursor(a.data.subarray(at), a.at + at, this.sizes.offsetSize).offset();
        } else if (isNumeric(mt)) {
          rec[m.name] = decodeNumbers(a.data.subarray(at, at + mt.size), mt, 1)[0]!;
        } else throw new Hdf5Unsupported(`attribute ${a.name}: compound member ${m.name} of class ${mt.cls}`);
      }
      out.push(rec);
    }
    return out;
  }

  /** Read a global heap object (vlen data). */
  globalObject(addr: number, index: number): Uint8Array {
    return this.#gheap.get(addr, index);
  }

  /** Release the file. */
  close(): void {
    this.#src.close();
  }
}
