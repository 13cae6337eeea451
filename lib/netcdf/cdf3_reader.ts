/**
 * Streaming reader of netCDF-3 files: CDF-1 (classic), CDF-2 (64-bit offset) and CDF-5 (64-bit
 * data). The header is parsed from the first bytes (the read grows when the header is larger);
 * data come by positioned reads, so a multi-GB file is never read whole. Big-endian values are
 * converted into native typed arrays by an in-place byte swap.
 * @module
 */
import { closeSync, fstatSync, openSync, readFullSync } from "../sys/fs.ts";
import {
  type Hyperslab,
  type NcAttrValue,
  type NcData,
  type NcDimension,
  type NcFormat,
  type NcType,
  type NcVariable,
  NetcdfError,
  openError,
} from "./types.ts";
import {
  charsToValue,
  checkSlab,
  ctorOf,
  decodeText,
  NcFileBase,
  product,
  sniffNetcdf,
  swapInPlace,
  TYPE_SIZE,
} from "./_common.ts";
import { CODE_TO_TYPE, NC_ATTRIBUTE, NC_DIMENSION, NC_VARIABLE, pad4 } from "./_cdf3.ts";
import { inputWarning } from "../sys/warnings.ts";

/** A random-access byte source (a file descriptor or an in-memory buffer). */
interface ByteSource {
  readonly size: number;
  /** Fill dst[0..len) from absolute position pos; returns bytes actually read. */
  readAt(dst: Uint8Array, pos: number): number;
  /** In-memory sources: the bytes [pos, pos+len) without copying (null if not all present). */
  view?(pos: number, len: number): Uint8Array | null;
  close(): void;
}

class FileSource implements ByteSource {
  #fd: number | null;
  readonly size: number;
  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }
  readAt(dst: Uint8Array, pos: number): number {
    if (this.#fd === null) throw new Error("file is closed");
    return readFullSync(this.#fd, dst, pos);
  }
  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }
}

class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private bytes: Uint8Array) {
    this.size = bytes.length;
  }
  readAt(dst: Uint8Array, pos: number): number {
    const n = Math.max(0, Math.min(dst.length, this.size - pos));
    dst.set(this.bytes.subarray(pos, pos + n));
    return n;
  }
  view(pos: number, len: number): Uint8Array | null {
    return pos + len <= this.size ? this.bytes.subarray(pos, pos + len) : null;
  }
  close(): void {}
}

/** Where a variable's data sit in the file. */
interface VarLayout {
  begin: number;
  vsize: number;
  esize: number;
}

class NeedMore extends Error {}

class HeaderCursor {
  pos = 0;
  readonly dv: DataView;
  constructor(readonly buf: Uint8Array, readonly wide: boolean, private file: string) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new NeedMore();
  }
  u32(): number {
    this.need(4);
    const x = this.dv.getUint32(this.pos, false);
    this.pos += 4;
    return x;
  }
  u64(): number {
    this.need(8);
    const hi = this.dv.getUint32(this.pos, false);
    const lo = this.dv.getUint32(this.pos + 4, false);
    this.pos += 8;
    if (hi >= 0x200000) {
      throw new NetcdfError(this.file, `corrupt header: 64-bit value too large at byte ${this.pos - 8}`);
    }
    return hi * 4294967296 + lo;
  }
  /** NON_NEG: 32-bit in CDF-1/2, 64-bit in CDF-5. */
  count(): number {
    return this.wide ? this.u64() : this.u32();
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += pad4(n);
    this.need(0);
    return b;
  }
  /** A name: no control characters, zero padding (a changed length shows as one or the other). */
  name(): string {
    const at = this.pos;
    const n = this.count();
    if (n > 1 << 20) throw new NetcdfError(this.file, `corrupt header: name length ${n} at byte ${at}`);
    const b = this.bytes(n);
    const pad = this.buf.subarray(this.pos - (pad4(n) - n), this.pos);
    if (n === 0 || b.some((x) => x < 0x20 || x === 0x7f) || pad.some((x) => x !== 0)) {
      throw new NetcdfError(this.file, `corrupt header: bad name (length ${n}) at byte ${at}`);
    }
    return decodeText(b);
  }
}

interface ParsedHeader {
  format: NcFormat;
  /** Bytes of the header (where the first data may start). */
  headerEnd: number;
  numrecs: number;
  streaming: boolean;
  dims: { name: string; size: number }[];
  gatts: Map<string, NcAttrValue>;
  vars: {
    name: string;
    dimids: number[];
    atts: Map<string, NcAttrValue>;
    type: NcType;
    vsize: number;
    begin: number;
  }[];
}

function readAttrValue(c: HeaderCursor, type: NcType, n: number): NcAttrValue {
  const esize = TYPE_SIZE[type];
  const raw = c.bytes(n * esize);
  if (type === "char") {
    let end = raw.length;
    while (end > 0 && raw[end - 1] === 0) end--;
    return decodeText(raw.subarray(0, end));
  }
  const copy = new Uint8Array(n * esize);
  copy.set(raw);
  swapInPlace(copy, esize);
  const arr = new (ctorOf(type))(copy.buffer, 0, n);
  const list: (number | bigint)[] = Array.from(arr as ArrayLike<number | bigint>);
  if (type === "int64" || type === "uint64") {
    return list.length === 1 ? (list[0] as bigint) : (list as bigint[]);
  }
  return list.length === 1 ? (list[0] as number) : (list as number[]);
}

function readAttList(c: HeaderCursor, file: string): Map<string, NcAttrValue> {
  const tag = c.u32();
  const n = c.count();
  const out = new Map<string, NcAttrValue>();
  if (tag === 0 && n === 0) return out;
  if (tag !== NC_ATTRIBUTE) {
    throw new NetcdfError(file, `corrupt header: expected attribute list tag, got ${tag}`);
  }
  for (let i = 0; i < n; i++) {
    const name = c.name();
    const code = c.u32();
    const type = CODE_TO_TYPE[code];
    if (!type) throw new NetcdfError(file, `corrupt header: attribute ${name} has unknown type code ${code}`);
    const len = c.count();
    out.set(name, readAttrValue(c, type, len));
  }
  return out;
}

function parseHeader(buf: Uint8Array, file: string): ParsedHeader {
  const version = buf[3]!;
  const format: NcFormat = version === 1 ? "cdf1" : version === 2 ? "cdf2" : "cdf5";
  const wide = format === "cdf5";
  const c = new HeaderCursor(buf, wide, file);
  c.pos = 4;
  let streaming = false;
  let numrecs: number;
  if (wide) {
    c.need(8);
    if (c.dv.getUint32(4) === 0xffffffff && c.dv.getUint32(8) === 0xffffffff) {
      streaming = true;
      c.pos += 8;
      numrecs = 0;
    } else numrecs = c.u64();
  } else {
    numrecs = c.u32();
    if (numrecs === 0xffffffff) {
      streaming = true;
      numrecs = 0;
    }
  }
  // dimensions
  const dims: { name: string; size: number }[] = [];
  {
    const tag = c.u32();
    const n = c.count();
    if (!(tag === 0 && n === 0)) {
      if (tag !== NC_DIMENSION) {
        throw new NetcdfError(file, `corrupt header: expected dimension list tag, got ${tag}`);
      }
      for (let i = 0; i < n; i++) dims.push({ name: c.name(), size: c.count() });
    }
  }
  const gatts = readAttList(c, file);
  const vars: ParsedHeader["vars"] = [];
  {
    const tag = c.u32();
    const n = c.count();
    if (!(tag === 0 && n === 0)) {
      if (tag !== NC_VARIABLE) {
        throw new NetcdfError(file, `corrupt header: expected variable list tag, got ${tag}`);
      }
      for (let i = 0; i < n; i++) {
        const name = c.name();
        const rank = c.count();
        if (rank > 1024) throw new NetcdfError(file, `corrupt header: rank ${rank}`, name);
        const dimids: number[] = [];
        for (let k = 0; k < rank; k++) {
          const id = c.count();
          if (id >= dims.length) {
            throw new NetcdfError(file, `corrupt header: dimension id ${id} out of range`, name);
          }
          dimids.push(id);
        }
        const atts = readAttList(c, file);
        const code = c.u32();
        const type = CODE_TO_TYPE[code];
        if (!type) throw new NetcdfError(file, `corrupt header: unknown type code ${code}`, name);
        const vsize = c.count();
        const begin = format === "cdf1" ? c.u32() : c.u64();
        vars.push({ name, dimids, atts, type, vsize, begin });
      }
    }
  }
  return { format, headerEnd: c.pos, numrecs, streaming, dims, gatts, vars };
}

/**
 * Data offsets as the netCDF library checks them: no variable's data inside the header, the
 * fixed-size variables one after another in definition order, then the record variables (each
 * record's slabs in definition order). A data offset of 0 would read header bytes as data.
 */
function checkOffsets(
  path: string,
  h: ParsedHeader,
  isRec: (v: ParsedHeader["vars"][number]) => boolean,
  sizeOf: Map<string, number>,
): void {
  let prev = h.headerEnd;
  let prevName = "";
  const check = (v: ParsedHeader["vars"][number]) => {
    if (v.begin < prev) {
      throw new NetcdfError(
        path,
        `corrupt header: data offset ${v.begin} ${
          prevName === ""
            ? `lies inside the header (${h.headerEnd} bytes)`
            : `overlaps the data of ${prevName}`
        }`,
        v.name,
      );
    }
    prev = v.begin + sizeOf.get(v.name)!;
    prevName = v.name;
  };
  for (const v of h.vars) if (!isRec(v)) check(v);
  for (const v of h.vars) if (isRec(v)) check(v);
}

/** An open netCDF-3 file (CDF-1, CDF-2 or CDF-5). */
export class Cdf3File extends NcFileBase {
  readonly path: string;
  readonly format: NcFormat;
  readonly dimensions: Map<string, NcDimension> = new Map();
  readonly variables: Map<string, NcVariable> = new Map();
  readonly attributes: Map<string, NcAttrValue>;
  readonly groups: string[] = [];
  /** Number of records (computed from the file size for a streaming file). */
  readonly numrecs: number;
  /** Bytes from one record to the next. */
  readonly recsize: number;
  #src: ByteSource;
  #layout = new Map<string, VarLayout>();

  /** Use {@link openCdf3} / {@link openCdf3Bytes}. */
  constructor(path: string, src: ByteSource, h: ParsedHeader) {
    super();
    this.path = path;
    this.#src = src;
    this.format = h.format;
    this.attributes = h.gatts;
    const recDim = h.dims.findIndex((d) => d.size === 0);
    const isRec = (v: ParsedHeader["vars"][number]) => v.dimids.length > 0 && v.dimids[0] === recDim;
    // sizes from the dimensions (as the netCDF library recomputes them), the stored vsize only checked
    const sizeOf = new Map<string, number>();
    for (const v of h.vars) {
      const raw = product(v.dimids.filter((id) => id !== recDim).map((id) => h.dims[id]!.size)) *
        TYPE_SIZE[v.type];
      const padded = pad4(raw);
      sizeOf.set(v.name, padded);
      const big = h.format !== "cdf5" && padded >= 0xfffffffc && v.vsize === 0xffffffff;
      if (v.vsize !== padded && v.vsize !== raw && !big) {
        inputWarning(
          `${path}: variable ${v.name}: header gives ${v.vsize} bytes per ${
            isRec(v) ? "record" : "variable"
          }, its dimensions ${padded}; reading with ${padded}`,
        );
      }
    }
    checkOffsets(path, h, isRec, sizeOf);
    // record size: sum of padded record slabs; one record variable alone is not padded
    const recVars = h.vars.filter(isRec);
    let recsize = 0;
    for (const v of recVars) recsize += sizeOf.get(v.name)!;
    if (recVars.length === 1) {
      const v = recVars[0]!;
      recsize = product(v.dimids.slice(1).map((id) => h.dims[id]!.size)) * TYPE_SIZE[v.type];
    }
    this.recsize = recsize;
    let numrecs = h.numrecs;
    const recBegin = recVars.length ? Math.min(...recVars.map((v) => v.begin)) : src.size;
    const held = recsize > 0 ? Math.max(0, Math.floor((src.size - recBegin) / recsize)) : 0;
    if (h.streaming) numrecs = held;
    else if (recVars.length > 0 && held > numrecs) {
      inputWarning(
        `${path}: header counts ${numrecs} record${numrecs === 1 ? "" : "s"} but the file holds ${held}; ` +
          `reading ${numrecs}`,
      );
    }
    this.numrecs = numrecs;
    h.dims.forEach((d, i) => {
      const unlimited = i === recDim;
      this.dimensions.set(d.name, { name: d.name, size: unlimited ? numrecs : d.size, unlimited });
    });
    for (const v of h.vars) {
      const record = v.dimids.length > 0 && v.dimids[0] === recDim;
      const shape = v.dimids.map((id) => (id === recDim ? numrecs : h.dims[id]!.size));
      const esize = TYPE_SIZE[v.type];
      this.variables.set(v.name, {
        name: v.name,
        type: v.type,
        dimensions: v.dimids.map((id) => h.dims[id]!.name),
        shape,
        attributes: v.atts,
        record,
      });
      this.#layout.set(v.name, { begin: v.begin, vsize: v.vsize, esize });
      // truncation check with the exact (unpadded) byte count the data need
      const slabBytes = product(record ? shape.slice(1) : shape) * esize;
      const n = record ? numrecs : 1;
      if (n > 0 && slabBytes > 0) {
        const end = v.begin + (n - 1) * (record ? recsize : 0) + slabBytes;
        if (end > src.size) {
          throw new NetcdfError(
            path,
            `truncated: variable ${v.name} needs bytes up to ${end} but file has ${src.size}`,
          );
        }
      }
    }
  }

  read(name: string, slab?: Hyperslab, scratch?: Uint8Array): NcData {
    const v = this.variable(name);
    const lay = this.#layout.get(name)!;
    if (v.type === "string") throw new NetcdfError(this.path, "string type is not netCDF-3", name);
    const { start, count, total } = checkSlab(this.path, v, slab);
    const esize = lay.esize;
    const C = ctorOf(v.type);
    const out =
      scratch && v.type !== "char" && scratch.length >= total * esize && scratch.byteOffset % esize === 0
        ? new C(scratch.buffer as ArrayBuffer, scratch.byteOffset, total)
        : new C(total);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, total * esize);
    if (total > 0) this.#gather(v, lay, start, count, bytes);
    if (v.type === "char") return charsToValue(bytes, count);
    swapInPlace(bytes, esize);
    return out;
  }

  /** Copy the slab's raw bytes (file order) into dst, in C order of the slab. */
  #gather(v: NcVariable, lay: VarLayout, start: number[], count: number[], dst: Uint8Array): void {
    const rank = v.shape.length;
    const esize = lay.esize;
    if (rank === 0) {
      this.#readExact(dst, lay.begin, v.name);
      return;
    }
    const stride = new Array<number>(rank);
    stride[rank - 1] = esize;
    for (let k = rank - 2; k >= 0; k--) stride[k] = stride[k + 1]! * v.shape[k + 1]!;
    if (v.record) stride[0] = this.recsize;
    // merge trailing dimensions that are fully read and contiguous into one run
    let j = rank; // dims j.. form one contiguous run of `run` bytes
    let run = esize;
    let full = esize; // bytes of a complete block of the dims below k
    for (let k = rank - 1; k >= 0; k--) {
      if (stride[k] !== full) break;
      j = k;
      run = count[k]! * stride[k]!;
      if (count[k] !== v.shape[k]) break;
      full = v.shape[k]! * stride[k]!;
    }
    let base = lay.begin;
    for (let k = 0; k < rank; k++) base += start[k]! * stride[k]!;
    const nruns = product(count.slice(0, j));
    if (nruns === 1) {
      this.#readExact(dst, base, v.name);
      return;
    }
    let span = run;
    for (let k = 0; k < j; k++) span += (count[k]! - 1) * stride[k]!;
    const idx = new Array<number>(j).fill(0);
    let scratch = this.#src.view?.(base, span) ?? null;
    if (!scratch && (span <= 8 * 1024 * 1024 || span <= 2 * dst.length)) {
      scratch = new Uint8Array(span);
      this.#readExact(scratch, base, v.name);
    }
    let off = 0; // relative to base
    for (let r = 0; r < nruns; r++) {
      if (scratch && run <= 16) {
        // short runs (one record's scalar): a byte loop beats subarray + set
        for (let b = 0, o = r * run; b < run; b++) dst[o + b] = scratch[off + b]!;
      } else if (scratch) dst.set(scratch.subarray(off, off + run), r * run);
      else this.#readExact(dst.subarray(r * run, (r + 1) * run), base + off, v.name);
      // odometer over the outer dims 0..j-1
      for (let k = j - 1; k >= 0; k--) {
        idx[k]!++;
        off += stride[k]!;
        if (idx[k]! < count[k]!) break;
        off -= idx[k]! * stride[k]!;
        idx[k] = 0;
      }
    }
  }

  #readExact(dst: Uint8Array, pos: number, name: string): void {
    const n = this.#src.readAt(dst, pos);
    if (n < dst.length) {
      throw new NetcdfError(
        this.path,
        `truncated: variable ${name} needs bytes up to ${pos + dst.length} but file has ${this.#src.size}`,
      );
    }
  }

  close(): void {
    this.#src.close();
  }
}

const HEADER_FIRST_READ = 64 * 1024;

function openSource(path: string, src: ByteSource): Cdf3File {
  try {
    if (src.size === 0) throw new NetcdfError(path, "not a netCDF file: file is empty");
    let len = Math.min(src.size, HEADER_FIRST_READ);
    for (;;) {
      const buf = new Uint8Array(len);
      src.readAt(buf, 0);
      if (sniffNetcdf(buf) !== "cdf3") {
        const shown = Array.from(buf.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join(" ");
        throw new NetcdfError(path, `not a netCDF-3 file: bad magic bytes ${shown}`);
      }
      try {
        const h = parseHeader(buf, path);
        return new Cdf3File(path, src, h);
      } catch (e) {
        if (!(e instanceof NeedMore)) throw e;
        if (len >= src.size) {
          throw new NetcdfError(
            path,
            `truncated: header extends past the end of the file (${src.size} bytes)`,
          );
        }
        len = Math.min(src.size, len * 4);
      }
    }
  } catch (e) {
    src.close();
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(path, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Open a netCDF-3 file (CDF-1, CDF-2, CDF-5) for positioned reads. Throws {@link NetcdfError}. */
export function openCdf3(path: string): Cdf3File {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw openError(path, e);
  }
  const size = fstatSync(fd).size;
  return openSource(path, new FileSource(fd, size));
}

/** Parse a netCDF-3 file held in memory (e.g. read from stdin); `name` is used in messages. */
export function openCdf3Bytes(bytes: Uint8Array, name: string): Cdf3File {
  return openSource(name, new MemorySource(bytes));
}
