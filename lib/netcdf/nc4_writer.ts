/**
 * netCDF-4 writer through h5wasm, following the netCDF-4 conventions so that netCDF-C
 * (`ncdump`, python netCDF4) sees the right model: every dimension is an HDF5 dimension scale
 * (`CLASS`, `NAME`, `_Netcdf4Dimid`; a dimension without a coordinate variable is a
 * pure-dimension dataset named "This is a netCDF dimension but not a netCDF variable"),
 * scales are attached to the variables' axes (`DIMENSION_LIST`), char variables and text
 * attributes are 1-byte / n-byte fixed ASCII strings (NC_CHAR), int64 variables are native
 * 64-bit integers, and groups may be created empty. Written to a temp name beside the target
 * and renamed at the end.
 * @module
 */
import h5wasm from "h5wasm/node";
import {
  type NcAttrValue,
  type NcType,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
} from "./types.ts";
import { ctorOf, DEFAULT_FILL, product } from "./_common.ts";
import {
  attrArray,
  attrType,
  charBytes,
  commitTemp,
  discardTemp,
  numericSlice,
  resolveDims,
  shapeOf,
  tempNameFor,
} from "./_write_common.ts";
import { h5message, h5ready } from "./nc4_reader.ts";

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;
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

const enc = new TextEncoder();

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

function chunkShape(shape: number[], esize: number): number[] {
  const inner = shape.slice(1).map((s) => Math.max(1, s));
  const rowBytes = Math.max(1, product(inner) * esize);
  const rows = Math.min(1024, Math.max(1, Math.floor((1024 * 1024) / rowBytes)));
  return [rows, ...inner];
}

function datasetData(file: string, v: NcWriteVariable, shape: number[]): unknown {
  const n = product(shape);
  if (v.data === undefined) return fillArray(v.type, n);
  if (v.type === "char") {
    const rowLen = shape.length ? shape[shape.length - 1]! : 1;
    const bytes = charBytes(file, v.name, v.data, n, rowLen);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = String.fromCharCode(bytes[i]!);
    return out;
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

function build(f: H5File, file: string, model: NcWriteModel): void {
  const dims = resolveDims(file, model);
  const byName = new Map(model.variables.map((v) => [v.name, v]));
  const esizeOf = (t: NcType) => (t === "char" || t === "string" ? 1 : new (ctorOf(t))(0).BYTES_PER_ELEMENT);
  const done = new Set<string>();

  const createVar = (v: NcWriteVariable, dimid?: number): H5Dataset => {
    const shape = shapeOf(file, v, dims);
    const record = dims.unlimited >= 0 && v.dimensions[0] === dims.names[dims.unlimited];
    const data = datasetData(file, v, shape);
    const args: Parameters<H5File["create_dataset"]>[0] = {
      name: v.name,
      data: data as never,
      shape,
      dtype: DTYPE[v.type],
    };
    if (record) {
      args.maxshape = [null, ...shape.slice(1)];
      args.chunks = chunkShape(shape, esizeOf(v.type));
    }
    let ds: H5Dataset;
    try {
      ds = f.create_dataset(args);
    } catch (e) {
      throw new NetcdfError(file, `cannot create dataset: ${h5message(e)}`, v.name);
    }
    if (dimid !== undefined) {
      ds.make_scale(v.name);
      ds.create_attribute("_Netcdf4Dimid", new Int32Array([dimid]), [], "<i");
    }
    writeAttrs(ds as unknown as HasAttrs, v.attributes, v.attributeTypes, v.type);
    done.add(v.name);
    return ds;
  };

  // 1. dimensions (coordinate variables double as their dimension's scale)
  dims.names.forEach((name, id) => {
    const coord = byName.get(name);
    if (coord && coord.dimensions.length === 1 && coord.dimensions[0] === name && coord.type !== "char") {
      createVar(coord, id);
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
    const ds = f.create_dataset({
      name,
      data: new Float32Array(size),
      shape: [size],
      dtype: "<f",
      ...(unlimited ? { maxshape: [null], chunks: [1024] } : {}),
    });
    ds.make_scale(`${PURE_DIM}${String(size).padStart(10)}`);
    ds.create_attribute("_Netcdf4Dimid", new Int32Array([id]), [], "<i");
  });
  // 2. the other variables, in model order
  for (const v of model.variables) {
    if (done.has(v.name)) continue;
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
}

/**
 * Write a netCDF-4 file from a model holding all data. The file appears under `path` only when
 * complete (temp name + rename).
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
    f = new h5wasm.File(tmp, "w", { track_order: true });
    build(f, path, model);
    f.close();
    f = null;
    commitTemp(tmp, path);
  } catch (e) {
    if (f) {
      try {
        f.close();
      } catch { /* already failing */ }
    }
    discardTemp(tmp);
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(path, `cannot write: ${h5message(e)}`);
  }
}
