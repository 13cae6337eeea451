/**
 * netCDF-3 writers: CDF-1 (classic), CDF-2 (64-bit offset) and CDF-5 (64-bit data).
 *
 * {@link Cdf3StreamWriter} writes strictly sequentially (no seeks), so it can write to a pipe
 * when all sizes are known up front; {@link writeNetcdf3} / {@link writeNetcdf3Sync} use it on a
 * temp file beside the target and rename at the end, so both paths give identical bytes.
 * @module
 */
import { writeAllSync } from "../sys/fs.ts";
import {
  type NcAttrValue,
  type NcType,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
} from "./types.ts";
import { DEFAULT_FILL, product, swapInPlace, TYPE_SIZE } from "./_common.ts";
import { CLASSIC_TYPES, NC_ATTRIBUTE, NC_DIMENSION, NC_VARIABLE, pad4, TYPE_TO_CODE } from "./_cdf3.ts";
import {
  attrArray,
  attrType,
  charBytes,
  numericSlice,
  resolveDims,
  shapeOf,
  type WriteData,
} from "./_write_common.ts";
import { type FileSink, TempFile } from "../sys/tempfile.ts";

/** On-disk flavour of a netCDF-3 file. */
export type Cdf3Format = "cdf1" | "cdf2" | "cdf5";

/** Options of the netCDF-3 writers. */
export interface Cdf3WriteOptions {
  /** File flavour; default "cdf2" (64-bit offset). */
  format?: Cdf3Format;
  /** Record count, when the unlimited dimension's size is not given in the model. */
  numrecs?: number;
  /** Name used in error messages (default: the path, or "<stream>"). */
  name?: string;
}

/** Where the stream writer puts bytes, in order. */
export interface ByteSink {
  /** Consume (or copy) the bytes before returning: the writer reuses its buffers. */
  write(bytes: Uint8Array): void;
  flush?(): void;
}

/** Placement of one variable in a netCDF-3 file. */
export interface Cdf3VarLayout {
  name: string;
  type: NcType;
  shape: number[];
  record: boolean;
  /** Elements per record (record variable) or in total (fixed variable). */
  slabElems: number;
  /** Byte size as written in the header (padded to 4). */
  vsize: number;
  begin: number;
}

/** Complete byte layout of a netCDF-3 file. */
export interface Cdf3Layout {
  format: Cdf3Format;
  header: Uint8Array;
  numrecs: number;
  recsize: number;
  vars: Cdf3VarLayout[];
  /** Total file size in bytes. */
  size: number;
}

class Bytes {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u32(x: number) {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, x >>> 0, false);
    this.len += 4;
  }
  u64(x: number) {
    this.u32(Math.floor(x / 4294967296));
    this.u32(x % 4294967296);
  }
  raw(b: Uint8Array) {
    this.ensure(pad4(b.length));
    this.buf.set(b, this.len);
    this.buf.fill(0, this.len + b.length, this.len + pad4(b.length));
    this.len += pad4(b.length);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const enc = new TextEncoder();

function checkName(file: string, name: string): void {
  if (name.length === 0 || name.includes("/")) throw new NetcdfError(file, `invalid netCDF name "${name}"`);
}

function encodeAttrs(
  b: Bytes,
  file: string,
  attrs: Record<string, NcAttrValue> | undefined,
  explicit: Record<string, NcType> | undefined,
  varType: NcType | undefined,
  format: Cdf3Format,
  count: (x: number) => void,
): void {
  const entries = Object.entries(attrs ?? {});
  if (entries.length === 0) {
    b.u32(0);
    count(0);
    return;
  }
  b.u32(NC_ATTRIBUTE);
  count(entries.length);
  for (const [name, value] of entries) {
    checkName(file, name);
    const t = attrType(name, value, explicit, varType);
    if (format !== "cdf5" && !CLASSIC_TYPES.has(t)) {
      throw new NetcdfError(file, `attribute ${name} of type ${t} needs the cdf5 format`);
    }
    const nb = enc.encode(name);
    count(nb.length);
    b.raw(nb);
    b.u32(TYPE_TO_CODE[t]!);
    if (t === "char") {
      const tb = enc.encode(value as string);
      count(tb.length);
      b.raw(tb);
    } else {
      const arr = attrArray(value, t);
      count(arr.length);
      const bytes = new Uint8Array(arr.buffer.slice(0));
      swapInPlace(bytes, TYPE_SIZE[t]);
      b.raw(bytes);
    }
  }
}

/** Compute the byte layout (and the encoded header) of a model. Data are not needed. */
export function layoutCdf3(model: NcWriteModel, opts: Cdf3WriteOptions = {}): Cdf3Layout {
  const format = opts.format ?? "cdf2";
  const file = opts.name ?? "<netCDF-3 output>";
  const dims = resolveDims(file, model, opts.numrecs);
  const wide = format === "cdf5";
  const vars: Cdf3VarLayout[] = model.variables.map((v) => {
    checkName(file, v.name);
    if (v.type === "string") throw new NetcdfError(file, "string type needs netCDF-4", v.name);
    if (!wide && !CLASSIC_TYPES.has(v.type)) {
      throw new NetcdfError(file, `type ${v.type} needs the cdf5 format`, v.name);
    }
    const shape = shapeOf(file, v, dims);
    const record = dims.unlimited >= 0 && v.dimensions[0] === dims.names[dims.unlimited];
    const slabElems = product(record ? shape.slice(1) : shape);
    const vsize = pad4(slabElems * TYPE_SIZE[v.type]);
    return { name: v.name, type: v.type, shape, record, slabElems, vsize, begin: 0 };
  });
  const names = new Set<string>();
  for (const v of vars) {
    if (names.has(v.name)) throw new NetcdfError(file, `duplicate variable "${v.name}"`);
    names.add(v.name);
  }
  const encodeHeader = (): Uint8Array => {
    const b = new Bytes();
    const count = (x: number) => (wide ? b.u64(x) : b.u32(x));
    b.raw(new Uint8Array([0x43, 0x44, 0x46, format === "cdf1" ? 1 : format === "cdf2" ? 2 : 5]));
    count(dims.numrecs);
    if (dims.names.length === 0) {
      b.u32(0);
      count(0);
    } else {
      b.u32(NC_DIMENSION);
      count(dims.names.length);
      dims.names.forEach((n, i) => {
        checkName(file, n);
        const nb = enc.encode(n);
        count(nb.length);
        b.raw(nb);
        count(i === dims.unlimited ? 0 : dims.sizes[i]!);
      });
    }
    encodeAttrs(b, file, model.attributes, model.attributeTypes, undefined, format, count);
    if (vars.length === 0) {
      b.u32(0);
      count(0);
    } else {
      b.u32(NC_VARIABLE);
      count(vars.length);
      model.variables.forEach((mv, i) => {
        const v = vars[i]!;
        const nb = enc.encode(v.name);
        count(nb.length);
        b.raw(nb);
        count(mv.dimensions.length);
        for (const d of mv.dimensions) count(dims.names.indexOf(d));
        encodeAttrs(b, file, mv.attributes, mv.attributeTypes, mv.type, format, count);
        b.u32(TYPE_TO_CODE[v.type]!);
        const vs = !wide && v.vsize > 0xfffffffc ? 0xffffffff : v.vsize;
        count(vs);
        if (format === "cdf1") b.u32(v.begin);
        else b.u64(v.begin);
      });
    }
    return b.done();
  };
  const hsize = encodeHeader().length;
  let off = hsize;
  for (const v of vars) {
    if (v.record) continue;
    v.begin = off;
    off += v.vsize;
  }
  const recVars = vars.filter((v) => v.record);
  let recsize = 0;
  for (const v of recVars) {
    v.begin = off + recsize;
    recsize += v.vsize;
  }
  if (recVars.length === 1) recsize = recVars[0]!.slabElems * TYPE_SIZE[recVars[0]!.type];
  const size = off + recsize * dims.numrecs;
  if (format === "cdf1" && Math.max(off, ...recVars.map((v) => v.begin)) > 0x7fffffff) {
    throw new NetcdfError(file, "data too large for the classic (cdf1) format; use cdf2");
  }
  if (!wide) {
    for (const v of vars) {
      if (v.vsize > 0xfffffffc && v !== vars[vars.length - 1]) {
        throw new NetcdfError(file, "a variable over 4 GiB must be the last one in cdf1/cdf2", v.name);
      }
    }
  }
  return { format, header: encodeHeader(), numrecs: dims.numrecs, recsize, vars, size };
}

/** Big-endian bytes of the fill value of a variable (its `_FillValue` or the default). */
function fillPattern(v: NcWriteVariable): Uint8Array {
  const esize = TYPE_SIZE[v.type];
  const fv = v.attributes?.["_FillValue"];
  const value = fv !== undefined && typeof fv !== "string"
    ? (Array.isArray(fv) ? fv[0]! : fv)
    : DEFAULT_FILL[v.type];
  const arr = attrArray(value ?? 0, v.type === "char" ? "ubyte" : v.type);
  const b = new Uint8Array(arr.buffer.slice(0, esize));
  swapInPlace(b, esize);
  return b;
}

function fillWith(dst: Uint8Array, pattern: Uint8Array): void {
  const p = pattern.length;
  if (p === 1) {
    dst.fill(pattern[0]!);
    return;
  }
  const n = Math.min(dst.length, p);
  dst.set(pattern.subarray(0, n));
  // doubling copy
  let filled = n;
  while (filled < dst.length) {
    const c = Math.min(filled, dst.length - filled);
    dst.copyWithin(filled, 0, c);
    filled += c;
  }
}

/**
 * Sequential netCDF-3 writer: `writeHeader()`, then `writeVariable()` for every fixed-size
 * variable in header order, then `writeRecord()` once per record, then `finish()`.
 * Never seeks, so the sink may be a pipe.
 *
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const sink = { write: (b: Uint8Array) => void chunks.push(b.slice()) };
 * const w = new Cdf3StreamWriter(sink, { dimensions: [{ name: "t", size: 2, unlimited: true }],
 *   variables: [{ name: "x", type: "double", dimensions: ["t"] }] });
 * w.writeHeader(); w.writeRecord({ x: [1] }); w.writeRecord({ x: [2] }); w.finish();
 * ```
 */
export class Cdf3StreamWriter {
  /** The byte layout being written. */
  readonly layout: Cdf3Layout;
  #sink: ByteSink;
  #model: NcWriteModel;
  #file: string;
  #fixed: number[] = [];
  #records: number[] = [];
  #nextFixed = 0;
  #recordsDone = 0;
  #headerDone = false;
  #finished = false;
  #recBuf: Uint8Array;
  #fills: Uint8Array[];

  constructor(sink: ByteSink, header: NcWriteModel, opts: Cdf3WriteOptions = {}) {
    this.#file = opts.name ?? "<stream>";
    this.layout = layoutCdf3(header, { ...opts, name: this.#file });
    this.#sink = sink;
    this.#model = header;
    this.layout.vars.forEach((v, i) => (v.record ? this.#records : this.#fixed).push(i));
    this.#recBuf = new Uint8Array(this.layout.recsize);
    this.#fills = header.variables.map(fillPattern);
  }

  /** Write the header (first call). */
  writeHeader(): void {
    if (this.#headerDone) throw new NetcdfError(this.#file, "header already written");
    this.#sink.write(this.layout.header);
    this.#headerDone = true;
  }

  /** Names of the fixed-size variables, in the order they must be written. */
  get fixedVariables(): string[] {
    return this.#fixed.map((i) => this.layout.vars[i]!.name);
  }

  /** Names of the record variables, in record order. */
  get recordVariables(): string[] {
    return this.#records.map((i) => this.layout.vars[i]!.name);
  }

  /** Write the next fixed-size variable (all its values; undefined → fill values). */
  writeVariable(name: string, data?: WriteData): void {
    if (!this.#headerDone) this.writeHeader();
    const i = this.#fixed[this.#nextFixed];
    if (i === undefined) {
      throw new NetcdfError(this.#file, "all fixed-size variables are already written", name);
    }
    const lv = this.layout.vars[i]!;
    if (lv.name !== name) {
      throw new NetcdfError(
        this.#file,
        `variables must be written in header order: expected "${lv.name}"`,
        name,
      );
    }
    const buf = new Uint8Array(lv.vsize);
    this.#encode(i, data, 0, buf, 0);
    this.#sink.write(buf);
    this.#nextFixed++;
  }

  /** Write one record: one slab per record variable (missing ones get fill values). */
  writeRecord(values: Record<string, WriteData | undefined>): void {
    if (!this.#headerDone) this.writeHeader();
    while (this.#nextFixed < this.#fixed.length) {
      const lv = this.layout.vars[this.#fixed[this.#nextFixed]!]!;
      if (this.#model.variables[this.#fixed[this.#nextFixed]!]!.data === undefined) {
        throw new NetcdfError(this.#file, "fixed-size variable not written before the records", lv.name);
      }
      this.writeVariable(lv.name, this.#model.variables[this.#fixed[this.#nextFixed]!]!.data);
    }
    if (this.#recordsDone >= this.layout.numrecs) {
      throw new NetcdfError(this.#file, `more records than the ${this.layout.numrecs} declared`);
    }
    for (const k of Object.keys(values)) {
      if (!this.#records.some((i) => this.layout.vars[i]!.name === k)) {
        throw new NetcdfError(this.#file, "not a record variable", k);
      }
    }
    let off = 0;
    const single = this.#records.length === 1;
    for (const i of this.#records) {
      const lv = this.layout.vars[i]!;
      const span = single ? this.layout.recsize : lv.vsize;
      this.#encode(i, values[lv.name], 0, this.#recBuf.subarray(off, off + span), 0);
      off += span;
    }
    this.#sink.write(this.#recBuf.subarray(0, off));
    this.#recordsDone++;
  }

  /** Check that everything declared was written and flush the sink. */
  finish(): void {
    if (this.#finished) return;
    if (!this.#headerDone) this.writeHeader();
    while (this.#nextFixed < this.#fixed.length) {
      const i = this.#fixed[this.#nextFixed]!;
      this.writeVariable(this.layout.vars[i]!.name, this.#model.variables[i]!.data);
    }
    if (this.#recordsDone !== this.layout.numrecs) {
      throw new NetcdfError(
        this.#file,
        `${this.#recordsDone} records written, ${this.layout.numrecs} declared`,
      );
    }
    this.#sink.flush?.();
    this.#finished = true;
  }

  /** Encode `slabElems` values of variable i (data offset `from` in elements) into dst. */
  #encode(i: number, data: WriteData | undefined, from: number, dst: Uint8Array, _at: number): void {
    const lv = this.layout.vars[i]!;
    const mv = this.#model.variables[i]!;
    const esize = TYPE_SIZE[lv.type];
    const n = lv.slabElems;
    const used = n * esize;
    if (data === undefined) {
      fillWith(dst, this.#fills[i]!);
      return;
    }
    if (lv.type === "char") {
      const rowLen = lv.shape.length ? lv.shape[lv.shape.length - 1]! : 1;
      dst.set(charBytes(this.#file, lv.name, data, n, lv.record && lv.shape.length === 1 ? 1 : rowLen));
    } else {
      const len = (data as ArrayLike<unknown>).length;
      if (len !== n + from && !(from === 0 && len === n)) {
        throw new NetcdfError(this.#file, `data has ${len} values, expected ${n}`, lv.name);
      }
      const arr = numericSlice(this.#file, mv, data, from, n);
      dst.set(new Uint8Array(arr.buffer, arr.byteOffset, used));
      swapInPlace(dst.subarray(0, used), esize);
    }
    if (dst.length > used) fillWith(dst.subarray(used), this.#fills[i]!);
  }
}

/** A sink writing to a file descriptor through a 4 MiB buffer. */
export function fdSink(fd: number): ByteSink {
  const buf = new Uint8Array(4 * 1024 * 1024);
  let len = 0;
  const writeAll = (b: Uint8Array) => writeAllSync(fd, b);
  return {
    write(b: Uint8Array) {
      if (len + b.length > buf.length) {
        writeAll(buf.subarray(0, len));
        len = 0;
      }
      if (b.length >= buf.length) writeAll(b);
      else {
        buf.set(b, len);
        len += b.length;
      }
    },
    flush() {
      writeAll(buf.subarray(0, len));
      len = 0;
    },
  };
}

/** Write a whole model through a stream writer (data from the model). */
function writeModel(w: Cdf3StreamWriter, model: NcWriteModel): void {
  w.writeHeader();
  const vars = w.layout.vars;
  for (const name of w.fixedVariables) {
    w.writeVariable(name, model.variables[vars.findIndex((v) => v.name === name)]!.data);
  }
  const recIdx = vars.map((v, i) => (v.record ? i : -1)).filter((i) => i >= 0);
  for (let r = 0; r < w.layout.numrecs; r++) {
    const rec: Record<string, WriteData | undefined> = {};
    for (const i of recIdx) {
      const lv = vars[i]!;
      const d = model.variables[i]!.data;
      if (d === undefined) continue;
      rec[lv.name] = recordSlice(d, lv, r);
    }
    w.writeRecord(rec);
  }
  w.finish();
}

function recordSlice(d: WriteData, lv: Cdf3VarLayout, r: number): WriteData | undefined {
  const n = lv.slabElems;
  if (typeof d === "string") {
    const s = d.slice(r * n, (r + 1) * n);
    return s.length ? s : undefined;
  }
  if (Array.isArray(d)) {
    if (d.length > 0 && typeof d[0] === "string") return d[r] as string | undefined;
    const s = (d as number[]).slice(r * n, (r + 1) * n);
    return s.length === n ? s : undefined;
  }
  const ta = d as Exclude<WriteData, string | string[] | number[]>;
  if ((r + 1) * n > ta.length) return undefined;
  return ta.subarray(r * n, (r + 1) * n);
}

/**
 * Write a netCDF-3 file (default CDF-2) from a model holding all data, synchronously, into `target`:
 * an open sink (its owner renames or removes it) or a path (written to a temp name beside it and
 * renamed at the end: never a partial file).
 */
export function writeNetcdf3Sync(
  target: string | FileSink,
  model: NcWriteModel,
  opts: Cdf3WriteOptions = {},
): void {
  const path = typeof target === "string" ? target : target.target;
  let own: TempFile | null = null;
  try {
    own = typeof target === "string" ? TempFile.create(target) : null;
    const fd = (own ?? (target as FileSink)).fd;
    const w = new Cdf3StreamWriter(fdSink(fd), model, { ...opts, name: opts.name ?? path });
    writeModel(w, model);
    own?.commit();
  } catch (e) {
    own?.abort();
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(path, `cannot write: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Async form of {@link writeNetcdf3Sync}. */
export function writeNetcdf3(
  target: string | FileSink,
  model: NcWriteModel,
  opts: Cdf3WriteOptions = {},
): Promise<void> {
  try {
    writeNetcdf3Sync(target, model, opts);
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Write a whole model (all data in it) to a sink, e.g. stdout; same bytes as the file writer. */
export function writeNetcdf3ToSink(sink: ByteSink, model: NcWriteModel, opts: Cdf3WriteOptions = {}): void {
  writeModel(new Cdf3StreamWriter(sink, model, opts), model);
}
