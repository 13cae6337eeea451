/**
 * Private helpers of both writers: attribute typing, data-to-typed-array conversion, char
 * encoding and record counts (atomic output is lib/sys/tempfile.ts, reached through a FileSink).
 * @module
 */
import {
  type NcAttrValue,
  type NcData,
  type NcType,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
} from "./types.ts";
import { ctorOf, type NumericArray, product } from "./_common.ts";

/** Attributes whose numeric type follows the variable's type. */
const VAR_TYPED_ATTRS = new Set(["_FillValue", "missing_value", "valid_min", "valid_max", "valid_range"]);

/** Numeric values of a write-side datum: a typed array or plain number list. */
export type WriteData = NcData | number[];

/** The netCDF type an attribute will be written as. */
export function attrType(
  name: string,
  value: NcAttrValue,
  explicit: Record<string, NcType> | undefined,
  varType: NcType | undefined,
): NcType {
  if (typeof value === "string") return "char";
  const given = explicit?.[name];
  if (given) return given;
  if (varType && varType !== "char" && varType !== "string" && VAR_TYPED_ATTRS.has(name)) return varType;
  const list = Array.isArray(value) ? value : [value];
  if (list.some((x) => typeof x === "bigint")) return "int64";
  const ints = (list as number[]).every((x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647);
  return ints && list.length > 0 ? "int" : "double";
}

/** Attribute value as a typed array of `type` (not for char). */
export function attrArray(value: NcAttrValue, type: NcType): NumericArray {
  const list = (Array.isArray(value) ? value : [value]) as (number | bigint)[];
  const Ctor = ctorOf(type);
  const out = new Ctor(list.length);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    (out as unknown as (number | bigint)[])[i] = big
      ? BigInt(typeof x === "bigint" ? x : Math.round(x))
      : Number(x);
  }
  return out;
}

/**
 * Values `data[from .. from+n)` as a typed array of `type` (no copy when the type already
 * matches, a subarray view is returned).
 */
export function numericSlice(
  file: string,
  v: NcWriteVariable,
  data: WriteData,
  from: number,
  n: number,
): NumericArray {
  if (typeof data === "string" || (Array.isArray(data) && data.some((x) => typeof x === "string"))) {
    throw new NetcdfError(file, `text data given for ${v.type} variable`, v.name);
  }
  const Ctor = ctorOf(v.type);
  if (data instanceof Ctor) return (data as NumericArray).subarray(from, from + n);
  const src = data as ArrayLike<number | bigint>;
  const out = new Ctor(n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) {
      const x = src[from + i]!;
      out[i] = typeof x === "bigint" ? x : BigInt(Math.round(x));
    }
  } else {
    const o = out as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) o[i] = Number(src[from + i]!);
  }
  return out;
}

const enc = new TextEncoder();

/**
 * Char data (string, string[] rows, or bytes) as exactly `total` bytes, each row of `rowLen`
 * padded with NULs. Throws when text is longer than its row.
 */
export function charBytes(
  file: string,
  name: string,
  data: WriteData,
  total: number,
  rowLen: number,
): Uint8Array {
  const out = new Uint8Array(total);
  if (data instanceof Uint8Array || data instanceof Int8Array) {
    if (data.length > total) {
      throw new NetcdfError(file, `char data has ${data.length} bytes, expected ${total}`, name);
    }
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length));
    return out;
  }
  if (typeof data === "string") {
    const b = enc.encode(data);
    if (b.length > total) {
      throw new NetcdfError(file, `text of ${b.length} bytes does not fit in ${total}`, name);
    }
    out.set(b);
    return out;
  }
  if (Array.isArray(data)) {
    const rows = data as unknown[];
    if (rows.length * rowLen > total) {
      throw new NetcdfError(
        file,
        `${rows.length} text rows do not fit in ${total / (rowLen || 1)} rows`,
        name,
      );
    }
    rows.forEach((s, r) => {
      const b = enc.encode(String(s));
      if (b.length > rowLen) {
        throw new NetcdfError(file, `text row ${r} of ${b.length} bytes exceeds ${rowLen}`, name);
      }
      out.set(b, r * rowLen);
    });
    return out;
  }
  throw new NetcdfError(file, "char variable needs string, string[] or bytes", name);
}

/** Number of elements (char: bytes) a write datum holds, for inferring the record count. */
export function dataElements(data: WriteData, rowLen: number): number {
  if (typeof data === "string") return enc.encode(data).length;
  if (Array.isArray(data) && data.length > 0 && typeof data[0] === "string") return data.length * rowLen;
  return (data as ArrayLike<unknown>).length;
}

/** Resolved dimensions of a model: sizes, the unlimited index and the record count. */
export interface ResolvedDims {
  names: string[];
  sizes: number[];
  unlimited: number;
  numrecs: number;
}

/**
 * Resolve the model's dimensions: the unlimited one (`unlimited: true` or size 0) gets its
 * size from `numrecs`, else its given size, else the record variables' data.
 */
export function resolveDims(file: string, model: NcWriteModel, numrecs?: number): ResolvedDims {
  const names = model.dimensions.map((d) => d.name);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new NetcdfError(file, `duplicate dimension "${n}"`);
    seen.add(n);
  }
  const unl = model.dimensions.map((d, i) => (d.unlimited || d.size === 0 ? i : -1)).filter((i) => i >= 0);
  if (unl.length > 1) throw new NetcdfError(file, "more than one unlimited dimension");
  const unlimited = unl[0] ?? -1;
  let nrec = numrecs ?? (unlimited >= 0 ? model.dimensions[unlimited]!.size : 0);
  if (unlimited >= 0 && numrecs === undefined && nrec === 0) {
    const uname = names[unlimited]!;
    for (const v of model.variables) {
      if (v.dimensions[0] !== uname || v.data === undefined) continue;
      const inner = v.dimensions.slice(1).map((d) => model.dimensions[names.indexOf(d)]?.size ?? 0);
      const per = product(inner);
      const rowLen = inner.length ? inner[inner.length - 1]! : 1;
      if (per > 0) nrec = Math.max(nrec, Math.ceil(dataElements(v.data, rowLen) / per));
    }
  }
  const sizes = model.dimensions.map((d, i) => (i === unlimited ? nrec : d.size));
  return { names, sizes, unlimited, numrecs: nrec };
}

/** Shape of a variable (slowest first) from resolved dims; throws on an unknown dimension. */
export function shapeOf(file: string, v: NcWriteVariable, dims: ResolvedDims): number[] {
  return v.dimensions.map((d, k) => {
    const i = dims.names.indexOf(d);
    if (i < 0) throw new NetcdfError(file, `unknown dimension "${d}"`, v.name);
    if (i === dims.unlimited && k !== 0) {
      throw new NetcdfError(file, `unlimited dimension "${d}" must be the first dimension`, v.name);
    }
    return dims.sizes[i]!;
  });
}
