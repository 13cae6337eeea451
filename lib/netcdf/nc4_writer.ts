/**
 * netCDF-4 writers through h5wasm, following the netCDF-4 conventions so that netCDF-C
 * (`ncdump`, python netCDF4) sees the right model: every dimension is an HDF5 dimension scale
 * (`CLASS`, `NAME`, `_Netcdf4Dimid`; a dimension without a coordinate variable is a
 * pure-dimension dataset named "This is a netCDF dimension but not a netCDF variable"),
 * scales are attached to the variables' axes (`DIMENSION_LIST`), char variables and text
 * attributes are 1-byte / n-byte fixed ASCII strings (NC_CHAR), int64 variables are native
 * 64-bit integers, and groups may be created empty. Files are written to a temp name beside the
 * target and renamed at the end.
 *
 * - {@link writeNetcdf4}: the whole file from a model holding all data.
 * - {@link Nc4Writer}: the same file built incrementally — record variables grow by
 *   {@link Nc4Writer.append} (buffered to whole HDF5 chunks), any variable takes hyperslabs by
 *   {@link Nc4Writer.writeSlab}; memory stays at about one chunk per record variable.
 *
 * Output is byte-deterministic: HDF5 stamps every object header with the time of creation and
 * modification (h5wasm 0.10.3 exposes no `H5Pset_obj_track_times`), so all HDF5 calls run with
 * the wall clock Emscripten reads (`Date.now`) pinned to the Unix epoch; the same model gives the
 * same bytes on every run (object times read 1970-01-01T00:00:00Z).
 * @module
 */
import {
  type NcAttrValue,
  type NcType,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
} from "./types.ts";
import { ctorOf, DEFAULT_FILL, type NumericArray, product } from "./_common.ts";
import {
  attrArray,
  attrType,
  charBytes,
  commitTemp,
  discardTemp,
  numericSlice,
  type ResolvedDims,
  resolveDims,
  shapeOf,
  tempNameFor,
  type WriteData,
} from "./_write_common.ts";
import { h5message, h5ready, type H5wasm, h5wasmModule } from "./nc4_reader.ts";

type H5File = InstanceType<H5wasm["File"]>;
type H5Dataset = InstanceType<H5wasm["Dataset"]>;
type HasAttrs = {
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
};

const PURE_DIM = "This is a netCDF dimension but not a netCDF variable.";

const DTYPE: Readonly<Record<NcType, string>> = {
  byte: "<b",
  ubyte: "<B",
  short: "<h",
  ushort: "<H",
  int: "<i",
  uint: "<I",
  int64: "<q",
  uint64: "<Q",
  float: "<f",
  double: "<d",
  char: "A1",
  string: "S",
};

/** Default target size of one HDF5 chunk of a record variable (bytes). */
const CHUNK_BYTES = 1024 * 1024;
/** Largest block handed to HDF5 in one call (bounds the WASM heap). */
const MAX_CALL_BYTES = 16 * 1024 * 1024;
/** Size of the append buffer of a record variable (whole chunks; at least one chunk). */
const BUFFER_BYTES = 4 * 1024 * 1024;

const enc = new TextEncoder();

/**
 * Run HDF5 work with `Date.now` fixed at 0 so object-header timestamps (and with them the
 * object-header checksums) do not depend on the wall clock. Must wrap synchronous code only.
 */
function pinnedClock<T>(fn: () => T): T {
  const real = Date.now;
  Date.now = () => 0;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

function writeAttr(obj: HasAttrs, name: string, value: NcAttrValue, type: NcType): void {
  if (type === "char") {
    const s = String(value);
    const n = Math.max(1, enc.encode(s).length);
    obj.create_attribute(name, s, [], `A${n}`);
    return;
  }
  const arr = attrArray(value, type);
  obj.create_attribute(name, arr, [arr.length], DTYPE[type]);
}

function writeAttrs(
  obj: HasAttrs,
  attrs: Record<string, NcAttrValue> | undefined,
  explicit: Record<string, NcType> | undefined,
  varType: NcType | undefined,
): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    writeAttr(obj, name, value, attrType(name, value, explicit, varType));
  }
}

function fillArray(type: NcType, n: number): unknown {
  if (type === "char") return new Array<string>(n).fill("\0");
  if (type === "string") return new Array<string>(n).fill("");
  const out = new (ctorOf(type))(n);
  const f = DEFAULT_FILL[type];
  if (f !== undefined) (out as unknown as { fill(x: number | bigint): void }).fill(f);
  return out;
}

const esizeOf = (t: NcType) => (t === "char" || t === "string" ? 1 : new (ctorOf(t))(0).BYTES_PER_ELEMENT);

/** Chunk shape: whole inner dimensions, as many rows as fit in `bytes` (1 … 1024 rows). */
function chunkShape(shape: number[], esize: number, bytes = CHUNK_BYTES): number[] {
  const inner = shape.slice(1).map((s) => Math.max(1, s));
  const rowBytes = Math.max(1, product(inner) * esize);
  const rows = Math.min(1024, Math.max(1, Math.floor(bytes / rowBytes)));
  return [rows, ...inner];
}

/** Char bytes as the 1-character strings h5wasm's `A1` type takes. */
function charStrings(bytes: Uint8Array): string[] {
  const out = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = String.fromCharCode(bytes[i]!);
  return out;
}

function datasetData(file: string, v: NcWriteVariable, shape: number[]): unknown {
  const n = product(shape);
  if (v.data === undefined) return fillArray(v.type, n);
  if (v.type === "char") {
    const rowLen = shape.length ? shape[shape.length - 1]! : 1;
    return charStrings(charBytes(file, v.name, v.data, n, rowLen));
  }
  if (v.type === "string") {
    const list = typeof v.data === "string" ? [v.data] : (v.data as string[]);
    if (list.length !== n) throw new NetcdfError(file, `has ${list.length} strings, expected ${n}`, v.name);
    return list;
  }
  const len = (v.data as ArrayLike<unknown>).length;
  if (len !== n) {
    throw new NetcdfError(file, `data has ${len} values, expected ${n} for shape [${shape}]`, v.name);
  }
  return numericSlice(file, v, v.data, 0, n);
}

/** Write all of `v.data` into the (already sized) chunked dataset, chunk-aligned blocks of ≤ 16 MiB. */
function writeInRowBlocks(
  file: string,
  v: NcWriteVariable,
  ds: H5Dataset,
  shape: number[],
  chunkRows: number,
  esize: number,
): void {
  const total = product(shape);
  const len = (v.data as ArrayLike<unknown>).length;
  if (len !== total) {
    throw new NetcdfError(file, `data has ${len} values, expected ${total} for shape [${shape}]`, v.name);
  }
  const rowSize = product(shape.slice(1));
  const step = Math.max(1, Math.floor(MAX_CALL_BYTES / (rowSize * esize * chunkRows))) * chunkRows;
  const inner = shape.slice(1).map((s): [number, number] => [0, s]);
  for (let r = 0; r < shape[0]!; r += step) {
    const n = Math.min(step, shape[0]! - r);
    const part = numericSlice(file, v, v.data!, r * rowSize, n * rowSize);
    ds.write_slice([[r, r + n], ...inner], part as never);
  }
}

/** Row where the next append() goes. */
function next(b: BuiltVar): number {
  return b.record ? b.shape[0]! : b.cursor;
}

/** How a variable was laid down by {@link build}. */
interface BuiltVar {
  v: NcWriteVariable;
  ds: H5Dataset;
  /** Current extent in the file. */
  shape: number[];
  record: boolean;
  /** Rows of a chunk (first dimension), 0 for contiguous datasets. */
  chunkRows: number;
  /** Fixed-size variables: rows written by append() so far (where the next append goes). */
  cursor: number;
}

interface Built {
  dims: ResolvedDims;
  vars: Map<string, BuiltVar>;
  /** The dataset carrying the unlimited dimension's scale (pure dimension or coordinate var). */
  unlimitedScale: H5Dataset | null;
}

/**
 * Lay down the whole file structure. `streaming`: variables without data are left open —
 * record variables start with 0 rows, large fixed variables are chunked and left unwritten.
 */
function build(f: H5File, file: string, model: NcWriteModel, streaming: boolean, chunkBytes: number): Built {
  const dims = resolveDims(file, model);
  const byName = new Map(model.variables.map((v) => [v.name, v]));
  const vars = new Map<string, BuiltVar>();
  const coords = new Set<NcWriteVariable>();
  const unlName = dims.unlimited >= 0 ? dims.names[dims.unlimited]! : null;
  let unlimitedScale: H5Dataset | null = null;

  const createVar = (v: NcWriteVariable, dimid?: number): H5Dataset => {
    if (vars.has(v.name)) throw new NetcdfError(file, "variable defined twice", v.name);
    const full = shapeOf(file, v, dims);
    const record = unlName !== null && v.dimensions[0] === unlName;
    const esize = esizeOf(v.type);
    const open = streaming && v.data === undefined;
    const bigFixed = open && !record && full.length > 0 && product(full) * esize > chunkBytes;
    // large numeric data go to HDF5 in row blocks (bounded WASM heap) into a chunked dataset
    const sliced = !open && v.data !== undefined && v.type !== "char" && v.type !== "string" &&
      full.length > 0 && product(full) * esize > MAX_CALL_BYTES;
    if (open && v.type === "string" && (record || bigFixed)) {
      throw new NetcdfError(file, "string variables cannot be written incrementally", v.name);
    }
    const shape = open && record ? [0, ...full.slice(1)] : full;
    let chunkRows = 0;
    const args: Parameters<H5File["create_dataset"]>[0] = {
      name: v.name,
      data: [] as never,
      shape,
      dtype: DTYPE[v.type],
    };
    if (record || bigFixed || sliced) {
      const chunks = chunkShape(full, esize, chunkBytes);
      chunkRows = chunks[0]!;
      args.chunks = chunks;
      args.maxshape = record ? [null, ...full.slice(1)] : full;
    }
    if (bigFixed || sliced) {
      // created empty along the first dimension, then extended: no data pass over the whole size
      args.shape = [0, ...full.slice(1)];
      args.data = fillArray(v.type, 0) as never;
    } else if (!(open && record)) {
      args.data = datasetData(file, v, shape) as never;
    } else {
      args.data = fillArray(v.type, 0) as never;
    }
    let ds: H5Dataset;
    try {
      ds = f.create_dataset(args);
      if (bigFixed || sliced) ds.resize(full);
      if (sliced) writeInRowBlocks(file, v, ds, full, chunkRows, esize);
    } catch (e) {
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(file, `cannot create dataset: ${h5message(e)}`, v.name);
    }
    if (dimid !== undefined) {
      ds.make_scale(v.name);
      ds.create_attribute("_Netcdf4Dimid", new Int32Array([dimid]), [], "<i");
    }
    writeAttrs(ds as unknown as HasAttrs, v.attributes, v.attributeTypes, v.type);
    vars.set(v.name, { v, ds, shape: shape.slice(), record, chunkRows, cursor: 0 });
    return ds;
  };

  // 1. dimensions (coordinate variables double as their dimension's scale)
  dims.names.forEach((name, id) => {
    const coord = byName.get(name);
    if (coord && coord.dimensions.length === 1 && coord.dimensions[0] === name && coord.type !== "char") {
      const ds = createVar(coord, id);
      coords.add(coord);
      if (id === dims.unlimited) unlimitedScale = ds;
      return;
    }
    if (coord) {
      throw new NetcdfError(
        file,
        "a variable named like a dimension must be its 1-D coordinate variable",
        name,
      );
    }
    const size = dims.sizes[id]!;
    const unlimited = id === dims.unlimited;
    // the unlimited dimension's dataset is created empty and extended: its values are never read
    const ds = f.create_dataset({
      name,
      data: new Float32Array(unlimited ? 0 : size),
      shape: [unlimited ? 0 : size],
      dtype: "<f",
      ...(unlimited ? { maxshape: [null], chunks: [1024] } : {}),
    });
    if (unlimited && size > 0 && !streaming) ds.resize([size]);
    ds.make_scale(`${PURE_DIM}${String(size).padStart(10)}`);
    ds.create_attribute("_Netcdf4Dimid", new Int32Array([id]), [], "<i");
    if (unlimited) unlimitedScale = ds;
  });
  // 2. the other variables, in model order
  for (const v of model.variables) {
    if (coords.has(v)) continue;
    const ds = createVar(v);
    v.dimensions.forEach((d, k) => ds.attach_scale(k, `/${d}`));
    if (v.dimensions.length > 0) {
      ds.create_attribute(
        "_Netcdf4Coordinates",
        new Int32Array(v.dimensions.map((d) => dims.names.indexOf(d))),
        [v.dimensions.length],
        "<i",
      );
    }
  }
  writeAttrs(f as unknown as HasAttrs, model.attributes, model.attributeTypes, undefined);
  for (const g of model.groups ?? []) f.create_group(g);
  return { dims, vars, unlimitedScale };
}

/**
 * Write a netCDF-4 file from a model holding all data. The file appears under `path` only when
 * complete (temp name + rename). The bytes depend only on the model (no timestamps).
 *
 * @example
 * ```ts
 * await writeNetcdf4("out.nc", {
 *   dimensions: [{ name: "nchan", size: 3 }],
 *   variables: [{ name: "Data.Spectra", type: "float", dimensions: ["nchan"], data: new Float32Array([1, 2, 3]) }],
 * });
 * ```
 */
export async function writeNetcdf4(path: string, model: NcWriteModel): Promise<void> {
  await h5ready();
  const tmp = tempNameFor(path);
  let f: H5File | null = null;
  try {
    const file = pinnedClock(() => new (h5wasmModule().File)(tmp, "w", { track_order: true }));
    f = file;
    pinnedClock(() => {
      build(file, path, model, false, CHUNK_BYTES);
      file.close();
    });
    f = null;
    commitTemp(tmp, path);
  } catch (e) {
    closeQuietly(f);
    discardTemp(tmp);
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(path, `cannot write: ${h5message(e)}`);
  }
}

function closeQuietly(f: H5File | null): void {
  if (!f) return;
  try {
    pinnedClock(() => f.close());
  } catch { /* already failing */ }
}

/** Options of {@link Nc4Writer.create}. */
export interface Nc4WriterOptions {
  /**
   * Target bytes of one HDF5 chunk of a record (or large pre-sized) variable; also the size of
   * the append buffer per record variable. Default 1 MiB.
   */
  chunkBytes?: number;
}

/** Per record variable: rows held back until a whole chunk can be written. */
interface AppendBuffer {
  data: NumericArray | Uint8Array;
  rows: number;
}

/**
 * Incremental netCDF-4 writer for files too big to hold in memory (SEQ roach files, large
 * SpecFiles). Created from a model in which the big variables have no `data`:
 * - a record variable (first dimension unlimited) without data starts with 0 rows and grows by
 *   {@link append}; rows are buffered and handed to HDF5 as whole chunks;
 * - a fixed-size variable without data larger than one chunk is pre-sized (chunked) and filled
 *   by {@link writeSlab}; parts never written read back as 0 (HDF5's fill, not `_FillValue`);
 *   smaller ones are created with the netCDF default fill, like {@link writeNetcdf4}.
 * Variables with data are written at creation. On {@link close} the unlimited dimension takes
 * the largest row count of the record variables (shorter ones are extended, reading 0), the
 * file is closed and renamed into place; {@link abort} removes it. Same calls → same bytes.
 *
 * @example
 * ```ts
 * const w = await Nc4Writer.create("roach0.nc", {
 *   dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "numchannels", size: 2048 }],
 *   variables: [{ name: "Data.Integrate.Data", type: "float", dimensions: ["time", "numchannels"] }],
 * });
 * try {
 *   for (const block of blocks) w.append("Data.Integrate.Data", block); // Float32Array, k × 2048
 *   await w.close();
 * } catch (e) {
 *   w.abort();
 *   throw e;
 * }
 * ```
 */
export class Nc4Writer {
  /** Final path of the file. */
  readonly path: string;
  readonly #tmp: string;
  #file: H5File | null;
  readonly #built: Built;
  readonly #buffers = new Map<string, AppendBuffer>();

  private constructor(path: string, tmp: string, file: H5File, built: Built) {
    this.path = path;
    this.#tmp = tmp;
    this.#file = file;
    this.#built = built;
  }

  /** Create the file structure (dimensions, attributes, groups, all variables) under a temp name. */
  static async create(path: string, model: NcWriteModel, options: Nc4WriterOptions = {}): Promise<Nc4Writer> {
    await h5ready();
    const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) {
      throw new NetcdfError(path, `chunkBytes ${chunkBytes} must be a positive integer`);
    }
    const tmp = tempNameFor(path);
    let f: H5File | null = null;
    try {
      const file = pinnedClock(() => new (h5wasmModule().File)(tmp, "w", { track_order: true }));
      f = file;
      const built = pinnedClock(() => build(file, path, model, true, chunkBytes));
      return new Nc4Writer(path, tmp, file, built);
    } catch (e) {
      closeQuietly(f);
      discardTemp(tmp);
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(path, `cannot write: ${h5message(e)}`);
    }
  }

  /**
   * Rows a record variable holds so far (written + buffered); for a fixed-size variable, the
   * rows {@link append} has filled so far.
   */
  rows(name: string): number {
    const b = this.#var(name);
    return next(b) + (this.#buffers.get(name)?.rows ?? 0);
  }

  /**
   * Rows (first dimension) of one HDF5 chunk of a variable; 0 for a contiguous one.
   * {@link writeSlab} is fastest with row blocks that start and end on multiples of it.
   */
  chunkRows(name: string): number {
    return this.#var(name).chunkRows;
  }

  /** Number of records the file will have if closed now (largest record-variable row count). */
  get numrecs(): number {
    let n = 0;
    for (const [name, b] of this.#built.vars) if (b.record) n = Math.max(n, this.rows(name));
    return n;
  }

  /**
   * Append `nrows` rows (default: all of `data`) to a variable: a record variable grows; a
   * fixed-size one (rank ≥ 1) is filled from row 0 on, up to its first dimension. `data` holds
   * `nrows × (product of the inner dimensions)` values in C order (char: strings, string rows or
   * bytes). Rows are buffered and handed to HDF5 as whole chunks. The values are copied; the
   * caller may reuse `data` at once.
   */
  append(name: string, data: WriteData, nrows?: number): void {
    const b = this.#var(name);
    if (b.shape.length === 0) {
      throw new NetcdfError(this.path, "append() needs a variable with dimensions", name);
    }
    const rowSize = product(b.shape.slice(1));
    const values = this.#values(b, data, nrows, rowSize);
    const n = rowSize === 0 ? (nrows ?? 0) : values.length / rowSize;
    if (!Number.isInteger(n)) {
      throw new NetcdfError(this.path, `${values.length} values are not whole rows of ${rowSize}`, name);
    }
    if (!b.record && this.rows(name) + n > b.shape[0]!) {
      throw new NetcdfError(
        this.path,
        `${n} more rows exceed the ${b.shape[0]} rows of dimension ${b.v.dimensions[0]} (${
          this.rows(name)
        } written)`,
        name,
      );
    }
    if (n === 0) return;
    this.#guard(name, () => {
      if (rowSize === 0) {
        if (b.record) {
          b.shape[0] = b.shape[0]! + n;
          b.ds.resize(b.shape);
        } else b.cursor += n;
        return;
      }
      // contiguous (small fixed) datasets are buffered whole
      const cr = b.chunkRows || b.shape[0]!;
      const chunkBytes = rowSize * esizeOf(b.v.type) * cr;
      const maxDirect = Math.max(1, Math.floor(MAX_CALL_BYTES / chunkBytes)) * cr;
      // rows are collected until several whole chunks can go to HDF5 in one call
      const bufChunks = Math.max(1, Math.floor(BUFFER_BYTES / chunkBytes));
      let buf = this.#buffers.get(name);
      let from = 0;
      while (from < n) {
        const aligned = next(b) % cr === 0;
        const toBoundary = Math.min(
          bufChunks * cr - (next(b) % cr),
          b.record ? Infinity : b.shape[0]! - next(b),
        );
        if ((!buf || buf.rows === 0) && aligned && n - from >= bufChunks * cr) {
          // whole chunks straight from the caller's array
          const direct = Math.min(Math.floor((n - from) / cr) * cr, maxDirect);
          this.#writeRows(b, values.subarray(from * rowSize, (from + direct) * rowSize), direct);
          from += direct;
          continue;
        }
        if (!buf) {
          const len = (b.record ? bufChunks * cr : Math.min(bufChunks * cr, b.shape[0]!)) * rowSize;
          buf = { data: b.v.type === "char" ? new Uint8Array(len) : new (ctorOf(b.v.type))(len), rows: 0 };
          this.#buffers.set(name, buf);
        }
        const take = Math.min(n - from, toBoundary - buf.rows);
        (buf.data as Uint8Array).set(
          values.subarray(from * rowSize, (from + take) * rowSize) as Uint8Array,
          buf.rows * rowSize,
        );
        buf.rows += take;
        from += take;
        if (buf.rows === toBoundary) this.#flush(name);
      }
    });
  }

  /**
   * Write a hyperslab `start`/`count` (one entry per dimension) of any variable. A record
   * variable grows when the slab reaches past its current rows. Chunk-aligned row blocks are
   * fastest. Rows still buffered by {@link append} are written first.
   */
  writeSlab(name: string, start: number[], count: number[], data: WriteData): void {
    const b = this.#var(name);
    const rank = b.v.dimensions.length;
    if (start.length !== rank || count.length !== rank) {
      throw new NetcdfError(this.path, `slab needs ${rank} start and count values`, name);
    }
    for (let k = 0; k < rank; k++) {
      const limit = k === 0 && b.record ? Infinity : b.shape[k]!;
      if (
        !(Number.isInteger(start[k]) && Number.isInteger(count[k]) && start[k]! >= 0 && count[k]! >= 0 &&
          start[k]! + count[k]! <= limit)
      ) {
        throw new NetcdfError(
          this.path,
          `slab start [${start}] count [${count}] outside shape [${b.shape}]`,
          name,
        );
      }
    }
    const n = product(count);
    const values = this.#values(b, data, undefined, 1);
    if (values.length !== n) {
      throw new NetcdfError(this.path, `slab data has ${values.length} values, expected ${n}`, name);
    }
    if (n === 0) return;
    this.#guard(name, () => {
      this.#flush(name);
      if (b.record && start[0]! + count[0]! > b.shape[0]!) {
        b.shape[0] = start[0]! + count[0]!;
        b.ds.resize(b.shape);
      }
      const payload = b.v.type === "char" ? charStrings(values as Uint8Array) : values;
      b.ds.write_slice(start.map((s, k): [number, number] => [s, s + count[k]!]), payload as never);
    });
  }

  /** Write all buffered rows, size the unlimited dimension, close and rename into place. */
  // deno-lint-ignore require-await
  async close(): Promise<void> {
    const f = this.#file;
    if (!f) throw new NetcdfError(this.path, "writer is already closed");
    try {
      pinnedClock(() => {
        for (const name of [...this.#buffers.keys()]) this.#flush(name);
        const nrec = this.numrecs;
        for (const b of this.#built.vars.values()) {
          if (b.record && b.shape[0]! < nrec) {
            b.shape[0] = nrec;
            b.ds.resize(b.shape);
          }
        }
        const scale = this.#built.unlimitedScale as H5Dataset | null;
        if (scale && !this.#isVar(scale)) scale.resize([nrec]);
        f.close();
      });
      this.#file = null;
      commitTemp(this.#tmp, this.path);
    } catch (e) {
      this.abort();
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(this.path, `cannot write: ${h5message(e)}`);
    }
  }

  /** Give up: close and remove the temp file (safe to call at any time, twice, or after close). */
  abort(): void {
    closeQuietly(this.#file);
    this.#file = null;
    this.#buffers.clear();
    discardTemp(this.#tmp);
  }

  #isVar(ds: H5Dataset): boolean {
    for (const b of this.#built.vars.values()) if (b.ds === ds) return true;
    return false;
  }

  #var(name: string): BuiltVar {
    if (!this.#file) throw new NetcdfError(this.path, "writer is closed", name);
    const b = this.#built.vars.get(name);
    if (!b) throw new NetcdfError(this.path, "no such variable in the model", name);
    return b;
  }

  /** Caller data as a typed array of the variable's type (char: bytes). */
  #values(
    b: BuiltVar,
    data: WriteData,
    nrows: number | undefined,
    rowSize: number,
  ): NumericArray | Uint8Array {
    if (b.v.type === "string") {
      throw new NetcdfError(this.path, "string variables cannot be written incrementally", b.v.name);
    }
    if (b.v.type === "char") {
      const rowLen = b.shape.length ? b.shape[b.shape.length - 1]! : 1;
      let total: number;
      if (nrows !== undefined) total = nrows * rowSize;
      else if (typeof data === "string") total = Math.ceil(enc.encode(data).length / rowLen) * rowLen;
      else if (Array.isArray(data) && typeof data[0] === "string") total = data.length * rowLen;
      else total = (data as ArrayLike<unknown>).length;
      return charBytes(this.path, b.v.name, data, total, rowLen);
    }
    const len = (data as ArrayLike<unknown>).length;
    const n = nrows === undefined ? len : nrows * rowSize;
    if (n > len) {
      throw new NetcdfError(this.path, `data has ${len} values, ${nrows} rows need ${n}`, b.v.name);
    }
    return numericSlice(this.path, b.v, data, 0, n);
  }

  /** Hand `nrows` rows to HDF5 after the rows already in the file (extends the dataset). */
  #writeRows(b: BuiltVar, values: NumericArray | Uint8Array, nrows: number): void {
    const r0 = next(b);
    if (b.record) {
      b.shape[0] = r0 + nrows;
      b.ds.resize(b.shape);
    } else b.cursor = r0 + nrows;
    const payload = b.v.type === "char" ? charStrings(values as Uint8Array) : values;
    b.ds.write_slice(
      [[r0, r0 + nrows], ...b.shape.slice(1).map((s): [number, number] => [0, s])],
      payload as never,
    );
  }

  #flush(name: string): void {
    const buf = this.#buffers.get(name);
    if (!buf || buf.rows === 0) return;
    const b = this.#built.vars.get(name)!;
    const rowSize = product(b.shape.slice(1));
    this.#writeRows(b, buf.data.subarray(0, buf.rows * rowSize), buf.rows);
    buf.rows = 0;
  }

  #guard(name: string, fn: () => void): void {
    try {
      pinnedClock(fn);
    } catch (e) {
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(this.path, `cannot write: ${h5message(e)}`, name);
    }
  }
}
