/**
 * netCDF-4 writers in pure TypeScript (the HDF5 file is laid down by lib/hdf5/write; h5wasm is
 * not loaded), following the netCDF-4 conventions so that netCDF-C (`ncdump`, python netCDF4)
 * sees the right model: every dimension is an HDF5 dimension scale (`CLASS`, `NAME`,
 * `_Netcdf4Dimid`; a dimension without a coordinate variable is a pure-dimension dataset named
 * "This is a netCDF dimension but not a netCDF variable", never allocated), scales are attached
 * to the variables' axes (`DIMENSION_LIST`: variable-length object references in a global heap,
 * plus `_Netcdf4Coordinates`; each scale carries the `REFERENCE_LIST` back-references of the HDF5
 * Dimension Scales specification, as the netCDF library writes them),
 * char variables and text attributes are 1-byte / n-byte fixed strings (NC_CHAR; UTF-8 charset
 * when the text is not ASCII), NC_STRING variables are variable-length strings, int64 variables
 * are native 64-bit integers, groups may be created empty, and no `_NCProperties` is written.
 * Variables without data are filled with the netCDF default fill (except the large ones left to
 * {@link Nc4Writer}). Files are written to a temp name beside the target and renamed at the end.
 *
 * Storage: fixed-size variables are contiguous (allocated when created, so a hyperslab of whole
 * rows is one positioned write); record variables (first dimension unlimited) are chunked along
 * it (whole inner dimensions, ≤ 1 MiB or `chunkBytes`, 1…1024 rows) and indexed by a v1 B-tree.
 * Object headers carry no timestamps: the same model or the same calls give the same bytes.
 *
 * - {@link writeNetcdf4}: the whole file from a model holding all data.
 * - {@link Nc4Writer}: the same file built incrementally — record variables grow by
 *   {@link Nc4Writer.append}, any variable takes hyperslabs by {@link Nc4Writer.writeSlab};
 *   memory stays at about one chunk per record variable.
 * @module
 */
import {
  type NcAttrValue,
  type NcType,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
} from "./types.ts";
import { PURE_DIM_PREFIX } from "./_nc4_model.ts";
import { ctorOf, DEFAULT_FILL, type NumericArray, product } from "./_common.ts";
import {
  attrArray,
  attrType,
  charBytes,
  numericSlice,
  type ResolvedDims,
  resolveDims,
  shapeOf,
  type WriteData,
} from "./_write_common.ts";
import {
  type H5Dataset,
  type H5Datatype,
  type H5Group,
  type H5Object,
  H5Writer,
  Hdf5WriteError,
} from "../hdf5/write/mod.ts";
import { type FileSink, TempFile } from "../sys/tempfile.ts";

const PURE_DIM = `${PURE_DIM_PREFIX}.`;

const H5TYPE: Readonly<Record<NcType, H5Datatype>> = {
  byte: { class: "int", size: 1, signed: true },
  ubyte: { class: "int", size: 1, signed: false },
  short: { class: "int", size: 2, signed: true },
  ushort: { class: "int", size: 2, signed: false },
  int: { class: "int", size: 4, signed: true },
  uint: { class: "int", size: 4, signed: false },
  int64: { class: "int", size: 8, signed: true },
  uint64: { class: "int", size: 8, signed: false },
  float: { class: "float", size: 4 },
  double: { class: "float", size: 8 },
  char: { class: "string", size: 1 },
  string: { class: "vstring" },
};

const INT32: H5Datatype = { class: "int", size: 4, signed: true };

/** Default target size of one HDF5 chunk of a record variable (bytes). */
const CHUNK_BYTES = 1024 * 1024;

const enc = new TextEncoder();

/** The bytes of a typed array (little-endian host: no copy). */
function bytesOf(a: NumericArray | Uint8Array): Uint8Array {
  return a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A fixed-length string attribute (NC_CHAR text) of at least one byte. */
function textAttr(obj: H5Object, name: string, s: string, nul = false): void {
  const b = enc.encode(s);
  const n = Math.max(1, b.length + (nul ? 1 : 0));
  const data = new Uint8Array(n);
  data.set(b);
  const utf8 = b.some((x) => x >= 0x80);
  obj.setAttribute(name, { class: "string", size: n, ...(utf8 ? { utf8 } : {}) }, null, data);
}

function writeAttr(obj: H5Object, name: string, value: NcAttrValue, type: NcType): void {
  if (type === "char") return textAttr(obj, name, String(value));
  const arr = attrArray(value, type);
  obj.setAttribute(name, H5TYPE[type], [arr.length], bytesOf(arr).slice());
}

function writeAttrs(
  obj: H5Object,
  attrs: Record<string, NcAttrValue> | undefined,
  explicit: Record<string, NcType> | undefined,
  varType: NcType | undefined,
): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    writeAttr(obj, name, value, attrType(name, value, explicit, varType));
  }
}

/** `n` values of the netCDF default fill of `type`, as bytes. */
function fillBytes(type: NcType, n: number): Uint8Array {
  if (type === "char") return new Uint8Array(n);
  const out = new (ctorOf(type))(n);
  const f = DEFAULT_FILL[type];
  if (f !== undefined) (out as unknown as { fill(x: number | bigint): void }).fill(f);
  return bytesOf(out);
}

const esizeOf = (t: NcType) => (t === "char" || t === "string" ? 1 : new (ctorOf(t))(0).BYTES_PER_ELEMENT);

/** Chunk shape: whole inner dimensions, as many rows as fit in `bytes` (1 … 1024 rows). */
function chunkShape(shape: number[], esize: number, bytes = CHUNK_BYTES): number[] {
  const inner = shape.slice(1).map((s) => Math.max(1, s));
  const rowBytes = Math.max(1, product(inner) * esize);
  const rows = Math.min(1024, Math.max(1, Math.floor(bytes / rowBytes)));
  return [rows, ...inner];
}

/** All values of a variable with data, encoded (checks the count). */
function dataBytes(file: string, v: NcWriteVariable, shape: number[]): Uint8Array {
  const n = product(shape);
  if (v.type === "char") {
    const rowLen = shape.length ? shape[shape.length - 1]! : 1;
    return charBytes(file, v.name, v.data!, n, rowLen);
  }
  const len = (v.data as ArrayLike<unknown>).length;
  if (len !== n) {
    throw new NetcdfError(file, `data has ${len} values, expected ${n} for shape [${shape}]`, v.name);
  }
  return bytesOf(numericSlice(file, v, v.data!, 0, n));
}

function stringValues(file: string, v: NcWriteVariable, n: number): string[] {
  if (v.data === undefined) return new Array<string>(n).fill("");
  const list = typeof v.data === "string" ? [v.data] : (v.data as string[]);
  if (list.length !== n) throw new NetcdfError(file, `has ${list.length} strings, expected ${n}`, v.name);
  return list.map(String);
}

/** Row where the next append() goes. */
function next(b: BuiltVar): number {
  return b.record ? b.ds.shape[0]! : b.cursor;
}

/** How a variable was laid down by {@link build}. */
interface BuiltVar {
  v: NcWriteVariable;
  ds: H5Dataset;
  record: boolean;
  /** Fixed-size variables: rows written by append() so far (where the next append goes). */
  cursor: number;
}

interface Built {
  dims: ResolvedDims;
  vars: Map<string, BuiltVar>;
  /** The pure-dimension dataset of the unlimited dimension (null: none, or a coordinate variable). */
  unlimitedScale: H5Dataset | null;
}

/**
 * Lay down the whole file structure. `streaming`: variables without data are left open —
 * record variables start with 0 rows, large fixed variables are allocated and left unwritten.
 */
function build(
  h: H5Writer,
  file: string,
  model: NcWriteModel,
  streaming: boolean,
  chunkBytes: number,
): Built {
  const dims = resolveDims(file, model);
  const root: H5Group = h.root;
  const byName = new Map(model.variables.map((v) => [v.name, v]));
  const vars = new Map<string, BuiltVar>();
  const coords = new Set<NcWriteVariable>();
  const scales = new Map<string, H5Dataset>();
  const unlName = dims.unlimited >= 0 ? dims.names[dims.unlimited]! : null;
  let unlimitedScale: H5Dataset | null = null;

  const makeScale = (ds: H5Dataset, name: string, dimid: number) => {
    textAttr(ds, "CLASS", "DIMENSION_SCALE", true);
    textAttr(ds, "NAME", name, true);
    ds.setAttribute("_Netcdf4Dimid", INT32, null, bytesOf(new Int32Array([dimid])));
  };

  const createVar = (v: NcWriteVariable, dimid?: number): H5Dataset => {
    if (vars.has(v.name)) throw new NetcdfError(file, "variable defined twice", v.name);
    const full = shapeOf(file, v, dims);
    const record = unlName !== null && v.dimensions[0] === unlName;
    const esize = esizeOf(v.type);
    const open = streaming && v.data === undefined;
    const bigFixed = open && !record && full.length > 0 && product(full) * esize > chunkBytes;
    if (v.type === "string" && (record || bigFixed)) {
      throw new NetcdfError(file, "string variables cannot be written incrementally", v.name);
    }
    const type = H5TYPE[v.type];
    let ds: H5Dataset;
    if (v.type === "string") {
      ds = h.createDataset(root, v.name, {
        type,
        shape: full,
        strings: stringValues(file, v, product(full)),
      });
    } else if (record) {
      const chunkRows = chunkShape(full, esize, chunkBytes)[0]!;
      const inner = full.slice(1);
      ds = h.createDataset(root, v.name, { type, shape: [0, ...inner], maxshape: [-1, ...inner], chunkRows });
      if (!open) {
        const bytes = v.data === undefined ? fillBytes(v.type, product(full)) : dataBytes(file, v, full);
        h.writeSlab(ds, full.map(() => 0), full, bytes);
      }
    } else if (bigFixed) {
      ds = h.createDataset(root, v.name, { type, shape: full });
    } else {
      const data = v.data === undefined ? fillBytes(v.type, product(full)) : dataBytes(file, v, full);
      ds = h.createDataset(root, v.name, { type, shape: full, data });
    }
    if (dimid !== undefined) makeScale(ds, v.name, dimid);
    writeAttrs(ds, v.attributes, v.attributeTypes, v.type);
    vars.set(v.name, { v, ds, record, cursor: 0 });
    return ds;
  };

  // 1. dimensions (coordinate variables double as their dimension's scale)
  dims.names.forEach((name, id) => {
    const coord = byName.get(name);
    if (coord && coord.dimensions.length === 1 && coord.dimensions[0] === name && coord.type !== "char") {
      const ds = createVar(coord, id);
      coords.add(coord);
      scales.set(name, ds);
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
    // never read: the unlimited one is chunked without chunks, a fixed one is not allocated
    const ds = h.createDataset(root, name, {
      type: H5TYPE.float,
      shape: [unlimited && streaming ? 0 : size],
      ...(unlimited ? { maxshape: [-1], chunkRows: 1024 } : { unallocated: true }),
    });
    makeScale(ds, `${PURE_DIM}${String(size).padStart(10)}`, id);
    scales.set(name, ds);
    if (unlimited) unlimitedScale = ds;
  });
  // 2. the other variables, in model order
  for (const v of model.variables) {
    if (coords.has(v)) continue;
    const ds = createVar(v);
    if (v.dimensions.length > 0) {
      ds.setAttribute(
        "DIMENSION_LIST",
        { class: "vlenref" },
        [v.dimensions.length],
        v.dimensions.map((d) => [scales.get(d)!]),
      );
      ds.setAttribute(
        "_Netcdf4Coordinates",
        INT32,
        [v.dimensions.length],
        bytesOf(new Int32Array(v.dimensions.map((d) => dims.names.indexOf(d)))),
      );
    }
  }
  writeAttrs(root, model.attributes, model.attributeTypes, undefined);
  for (const g of model.groups ?? []) h.createGroup(root, g);
  return { dims, vars, unlimitedScale };
}

/** One-line message of an error from the HDF5 writer or the file system. */
function h5message(e: unknown): string {
  if (e instanceof Hdf5WriteError) return e.message;
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

/**
 * Write a netCDF-4 file from a model holding all data. The file appears under `path` only when
 * complete (temp name + rename). The bytes depend only on the model (no timestamps).
 *
 * @example
 * ```ts
 * const path = `${Deno.makeTempDirSync()}/out.nc`;
 * await writeNetcdf4(path, {
 *   dimensions: [{ name: "nchan", size: 3 }],
 *   variables: [{ name: "Data.Spectra", type: "float", dimensions: ["nchan"], data: new Float32Array([1, 2, 3]) }],
 * });
 * ```
 */
// deno-lint-ignore require-await
export async function writeNetcdf4(target: string | FileSink, model: NcWriteModel): Promise<void> {
  const own = typeof target === "string" ? TempFile.create(target) : null;
  const sink = own ?? (target as FileSink);
  const path = sink.target;
  let h: H5Writer | null = null;
  try {
    h = H5Writer.onFd(sink.fd, path);
    build(h, path, model, false, CHUNK_BYTES);
    h.close();
    h = null;
    own?.commit();
  } catch (e) {
    h?.abort();
    own?.abort();
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(path, `cannot write: ${h5message(e)}`);
  }
}

/** Options of {@link Nc4Writer.create}. */
export interface Nc4WriterOptions {
  /**
   * Target bytes of one HDF5 chunk of a record variable (the writer holds one chunk per record
   * variable in memory); also the size above which a fixed variable without data is left
   * unwritten (zeros) instead of filled with the netCDF default fill. Default 1 MiB.
   */
  chunkBytes?: number;
}

/**
 * Incremental netCDF-4 writer for files too big to hold in memory (SEQ roach files, large
 * SpecFiles). Created from a model in which the big variables have no `data`:
 * - a record variable (first dimension unlimited) without data starts with 0 rows and grows by
 *   {@link append}; rows are gathered in the variable's current HDF5 chunk (one in memory),
 *   whole chunks go straight from the caller's array to the end of the file;
 * - a fixed-size variable without data larger than one chunk is allocated contiguously and
 *   filled by {@link writeSlab} or {@link append} (each call one positioned write); parts never
 *   written read back as 0 (not `_FillValue`); smaller ones are created with the netCDF default
 *   fill, like {@link writeNetcdf4}.
 * Variables with data are written at creation. On {@link close} the unlimited dimension takes
 * the largest row count of the record variables (shorter ones are extended, reading 0), the
 * chunk indexes and object headers are written and the file is renamed into place; {@link abort}
 * removes it. Same calls → same bytes.
 *
 * @example
 * ```ts
 * const blocks = [new Float32Array(2 * 2048), new Float32Array(3 * 2048)]; // k × 2048 each
 * const w = await Nc4Writer.create(`${Deno.makeTempDirSync()}/roach0.nc`, {
 *   dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "numchannels", size: 2048 }],
 *   variables: [{ name: "Data.Integrate.Data", type: "float", dimensions: ["time", "numchannels"] }],
 * });
 * try {
 *   for (const block of blocks) w.append("Data.Integrate.Data", block);
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
  /** The temporary file this writer made itself (path given); null when writing into a caller's sink. */
  readonly #own: TempFile | null;
  #h: H5Writer | null;
  readonly #built: Built;

  private constructor(path: string, own: TempFile | null, h: H5Writer, built: Built) {
    this.path = path;
    this.#own = own;
    this.#h = h;
    this.#built = built;
  }

  /**
   * Create the file structure (dimensions, attributes, groups, all variables) in `target`: an open
   * sink (its owner renames or removes it) or a path (a temporary file renamed by {@link close}).
   */
  // deno-lint-ignore require-await
  static async create(
    target: string | FileSink,
    model: NcWriteModel,
    options: Nc4WriterOptions = {},
  ): Promise<Nc4Writer> {
    const path = typeof target === "string" ? target : target.target;
    const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) {
      throw new NetcdfError(path, `chunkBytes ${chunkBytes} must be a positive integer`);
    }
    let own: TempFile | null = null;
    let h: H5Writer | null = null;
    try {
      own = typeof target === "string" ? TempFile.create(target) : null;
      h = H5Writer.onFd((own ?? (target as FileSink)).fd, path);
      const built = build(h, path, model, true, chunkBytes);
      return new Nc4Writer(path, own, h, built);
    } catch (e) {
      h?.abort();
      own?.abort();
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(path, `cannot write: ${h5message(e)}`);
    }
  }

  /**
   * Rows a record variable holds so far; for a fixed-size variable, the rows {@link append} has
   * filled so far.
   */
  rows(name: string): number {
    return next(this.#var(name));
  }

  /**
   * Rows (first dimension) of one HDF5 chunk of a variable; 0 for a contiguous one (every
   * fixed-size variable). {@link writeSlab} of a record variable is fastest with row blocks that
   * start and end on multiples of it.
   */
  chunkRows(name: string): number {
    return this.#var(name).ds.chunkRows;
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
   * bytes). The values are copied or written at once; the caller may reuse `data` at once.
   */
  append(name: string, data: WriteData, nrows?: number): void {
    const b = this.#var(name);
    const shape = b.ds.shape;
    if (shape.length === 0) {
      throw new NetcdfError(this.path, "append() needs a variable with dimensions", name);
    }
    const rowSize = product(shape.slice(1));
    const values = this.#values(b, data, nrows, rowSize);
    const n = rowSize === 0 ? (nrows ?? 0) : values.length / rowSize;
    if (!Number.isInteger(n)) {
      throw new NetcdfError(this.path, `${values.length} values are not whole rows of ${rowSize}`, name);
    }
    if (!b.record && this.rows(name) + n > shape[0]!) {
      throw new NetcdfError(
        this.path,
        `${n} more rows exceed the ${shape[0]} rows of dimension ${b.v.dimensions[0]} (${
          this.rows(name)
        } written)`,
        name,
      );
    }
    if (n === 0) return;
    const r0 = next(b);
    this.#guard(name, () => {
      if (rowSize === 0) {
        if (b.record) shape[0] = shape[0]! + n;
      } else {
        this.#h!.writeSlab(
          b.ds,
          [r0, ...shape.slice(1).map(() => 0)],
          [n, ...shape.slice(1)],
          bytesOf(values),
        );
      }
      if (!b.record) b.cursor = r0 + n;
    });
  }

  /**
   * Write a hyperslab `start`/`count` (one entry per dimension) of any variable. A record
   * variable grows when the slab reaches past its current rows. Whole-row blocks are fastest
   * (one positioned write for a fixed-size variable).
   */
  writeSlab(name: string, start: number[], count: number[], data: WriteData): void {
    const b = this.#var(name);
    const shape = b.ds.shape;
    const rank = b.v.dimensions.length;
    if (start.length !== rank || count.length !== rank) {
      throw new NetcdfError(this.path, `slab needs ${rank} start and count values`, name);
    }
    for (let k = 0; k < rank; k++) {
      const limit = k === 0 && b.record ? Infinity : shape[k]!;
      if (
        !(Number.isInteger(start[k]) && Number.isInteger(count[k]) && start[k]! >= 0 && count[k]! >= 0 &&
          start[k]! + count[k]! <= limit)
      ) {
        throw new NetcdfError(
          this.path,
          `slab start [${start}] count [${count}] outside shape [${shape}]`,
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
    this.#guard(name, () => this.#h!.writeSlab(b.ds, start, count, bytesOf(values)));
  }

  /** Size the unlimited dimension, write the metadata, close and rename into place. */
  // deno-lint-ignore require-await
  async close(): Promise<void> {
    const h = this.#h;
    if (!h) throw new NetcdfError(this.path, "writer is already closed");
    try {
      const nrec = this.numrecs;
      for (const b of this.#built.vars.values()) {
        if (b.record && b.ds.shape[0]! < nrec) b.ds.shape[0] = nrec;
      }
      const scale = this.#built.unlimitedScale;
      if (scale) scale.shape[0] = nrec;
      h.close();
      this.#h = null;
      this.#own?.commit();
    } catch (e) {
      this.abort();
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(this.path, `cannot write: ${h5message(e)}`);
    }
  }

  /**
   * Give up: stop writing and remove the temp file this writer made (a caller's sink is removed by
   * its owner). Safe to call at any time, twice, or after close.
   */
  abort(): void {
    this.#h?.abort();
    this.#h = null;
    this.#own?.abort();
  }

  #var(name: string): BuiltVar {
    if (!this.#h) throw new NetcdfError(this.path, "writer is closed", name);
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
      const shape = b.ds.shape;
      const rowLen = shape.length ? shape[shape.length - 1]! : 1;
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

  #guard(name: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof NetcdfError) throw e;
      throw new NetcdfError(this.path, `cannot write: ${h5message(e)}`, name);
    }
  }
}
