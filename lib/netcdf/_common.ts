/**
 * Private pieces shared by the netCDF readers and writers: type sizes, default fills, byte
 * swapping, char trimming, hyperslab checks and the {@link NcFileBase} that derives the
 * convenience reads (`readNumbers`, `readMasked`, ...) from `read`, and the one magic-bytes check.
 * @module
 */
import {
  type Hyperslab,
  type NcAttrValue,
  type NcData,
  type NcDimension,
  type NcFile,
  type NcFormat,
  type NcType,
  type NcVariable,
  NetcdfError,
} from "./types.ts";

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Which flavour the first bytes announce: "cdf3", "hdf5", or null. */
export function sniffNetcdf(head: Uint8Array): "cdf3" | "hdf5" | null {
  if (
    head.length >= 4 && head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 &&
    (head[3] === 1 || head[3] === 2 || head[3] === 5)
  ) return "cdf3";
  if (head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b)) return "hdf5";
  return null;
}

/** Bytes per element of each external type (0 for variable-length strings). */
export const TYPE_SIZE: Readonly<Record<NcType, number>> = {
  byte: 1,
  char: 1,
  short: 2,
  int: 4,
  float: 4,
  double: 8,
  ubyte: 1,
  ushort: 2,
  uint: 4,
  int64: 8,
  uint64: 8,
  string: 0,
};

/** netCDF default fill value of each type (as stored; float fill is the float32 value). */
export const DEFAULT_FILL: Readonly<Record<NcType, number | bigint | undefined>> = {
  byte: -127,
  char: 0,
  short: -32767,
  int: -2147483647,
  float: Math.fround(9.9692099683868690e+36),
  double: 9.9692099683868690e+36,
  ubyte: 255,
  ushort: 65535,
  uint: 4294967295,
  int64: -9223372036854775806n,
  uint64: 18446744073709551614n,
  string: undefined,
};

/** Typed-array constructor of each numeric type. */
export type NumericCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** A numeric typed array: the typed-array members of {@link NcData}. */
export type NumericArray = Exclude<NcData, string | string[]>;

/** The typed-array constructor used for values of `type` (char → Uint8Array). */
export function ctorOf(type: NcType): NumericCtor {
  switch (type) {
    case "byte":
      return Int8Array;
    case "char":
    case "ubyte":
      return Uint8Array;
    case "short":
      return Int16Array;
    case "ushort":
      return Uint16Array;
    case "int":
      return Int32Array;
    case "uint":
      return Uint32Array;
    case "float":
      return Float32Array;
    case "double":
      return Float64Array;
    case "int64":
      return BigInt64Array;
    case "uint64":
      return BigUint64Array;
    case "string":
      throw new TypeError("string has no typed-array representation");
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Swap the byte order of `n` elements of `esize` bytes in `bytes` in place (big-endian file
 * order ↔ host order on a little-endian host; nothing to do on a big-endian host).
 */
export function swapInPlace(bytes: Uint8Array, esize: number): void {
  if (!LITTLE_ENDIAN_HOST || esize === 1) return;
  const n = Math.floor(bytes.byteLength / esize);
  if (bytes.byteOffset % 4 === 0 && esize !== 2) {
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, (n * esize) >>> 2);
    if (esize === 4) {
      for (let i = 0; i < u32.length; i++) {
        const x = u32[i]!;
        u32[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
      }
      return;
    }
    for (let i = 0; i < u32.length; i += 2) {
      const a = u32[i]!;
      const b = u32[i + 1]!;
      u32[i] = ((b & 0xff) << 24) | ((b & 0xff00) << 8) | ((b >>> 8) & 0xff00) | (b >>> 24);
      u32[i + 1] = ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
    }
    return;
  }
  if (esize === 2 && bytes.byteOffset % 2 === 0) {
    const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = u16[i]!;
      u16[i] = (x >>> 8) | ((x & 0xff) << 8);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = i * esize;
    for (let a = o, b = o + esize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

/** Decode one char row: cut at the first NUL, drop trailing blanks. */
export function trimChars(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
  return decodeText(bytes.subarray(0, end));
}

/** Decode text bytes: UTF-8 when valid, Latin-1 otherwise. */
export function decodeText(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return latin1.decode(bytes);
      }
    }
  }
  return utf8.decode(bytes);
}

/**
 * Turn the bytes of a char slab into the API value: one trimmed string for rank ≤ 1,
 * a flat string[] (one per last-dimension row) for rank ≥ 2.
 */
export function charsToValue(bytes: Uint8Array, count: number[]): string | string[] {
  if (count.length <= 1) return trimChars(bytes);
  const rowLen = count[count.length - 1]!;
  const rows = rowLen === 0 ? 0 : bytes.length / rowLen;
  const out: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = trimChars(bytes.subarray(r * rowLen, (r + 1) * rowLen));
  return out;
}

/** Validate a hyperslab against a shape; returns start, count and the element total. */
export function checkSlab(
  file: string,
  v: NcVariable,
  slab: Hyperslab | undefined,
): { start: number[]; count: number[]; total: number } {
  const rank = v.shape.length;
  if (!slab) {
    return { start: new Array(rank).fill(0), count: v.shape.slice(), total: product(v.shape) };
  }
  if (slab.start.length !== rank || slab.count.length !== rank) {
    throw new NetcdfError(
      file,
      `hyperslab rank ${slab.start.length}/${slab.count.length} does not match variable rank ${rank}`,
      v.name,
    );
  }
  for (let k = 0; k < rank; k++) {
    const s = slab.start[k]!;
    const c = slab.count[k]!;
    if (!Number.isInteger(s) || !Number.isInteger(c) || s < 0 || c < 0 || s + c > v.shape[k]!) {
      throw new NetcdfError(
        file,
        `hyperslab out of range in dimension ${k} (${v.dimensions[k] ?? k}): start ${s} count ${c} size ${
          v.shape[k]
        }`,
        v.name,
      );
    }
  }
  return { start: slab.start.slice(), count: slab.count.slice(), total: product(slab.count) };
}

/** Product of a list of lengths (1 for an empty list). */
export function product(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Convert a numeric read result to float64. */
export function toFloat64(data: NcData, file: string, name: string): Float64Array {
  if (typeof data === "string" || Array.isArray(data)) {
    throw new NetcdfError(file, "is text (char/string), not numeric", name);
  }
  if (data instanceof Float64Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
    return out;
  }
  return Float64Array.from(data as ArrayLike<number>);
}

function attrNumbers(v: NcAttrValue | undefined): number[] {
  if (v === undefined || typeof v === "string") return [];
  if (Array.isArray(v)) return (v as (number | bigint)[]).map(Number);
  return [Number(v)];
}

/**
 * Base of both readers: the convenience reads in terms of `read`, and metadata lookup.
 */
export abstract class NcFileBase implements NcFile {
  abstract readonly path: string;
  abstract readonly format: NcFormat;
  abstract readonly dimensions: Map<string, NcDimension>;
  abstract readonly variables: Map<string, NcVariable>;
  abstract readonly attributes: Map<string, NcAttrValue>;
  abstract readonly groups: string[];
  abstract read(name: string, slab?: Hyperslab, scratch?: Uint8Array): NcData;
  abstract close(): void;

  has(name: string): boolean {
    return this.variables.has(name);
  }

  variable(name: string): NcVariable {
    const v = this.variables.get(name);
    if (!v) throw new NetcdfError(this.path, "no such variable", name);
    return v;
  }

  readNumbers(name: string, slab?: Hyperslab): Float64Array {
    const data = this.read(name, slab);
    const out = toFloat64(data, this.path, name);
    // never hand out the typed array of another type's buffer; toFloat64 copies unless f64
    return out;
  }

  readMasked(name: string, slab?: Hyperslab): Float64Array {
    const v = this.variable(name);
    const raw = this.read(name, slab);
    const out = toFloat64(raw, this.path, name);
    const masked = out === raw ? Float64Array.from(out) : out;
    const fills = attrNumbers(v.attributes.get("_FillValue"));
    if (fills.length === 0 && v.type !== "byte" && v.type !== "ubyte" && v.type !== "char") {
      const d = DEFAULT_FILL[v.type];
      if (d !== undefined) fills.push(Number(d));
    }
    const missing = attrNumbers(v.attributes.get("missing_value"));
    const bad = [...fills, ...missing].map((x) => (v.type === "float" ? Math.fround(x) : x));
    if (bad.length === 0) return masked;
    for (let i = 0; i < masked.length; i++) {
      const x = masked[i]!;
      for (let j = 0; j < bad.length; j++) {
        if (x === bad[j]) {
          masked[i] = NaN;
          break;
        }
      }
    }
    return masked;
  }

  readScalar(name: string): number {
    const v = this.variable(name);
    if (product(v.shape) === 0) throw new NetcdfError(this.path, "is empty: no scalar value", name);
    const slab = { start: v.shape.map(() => 0), count: v.shape.map(() => 1) };
    const x = toFloat64(this.read(name, slab), this.path, name)[0];
    return x!;
  }

  readString(name: string): string {
    const v = this.variable(name);
    if (v.type !== "char" && v.type !== "string") {
      throw new NetcdfError(this.path, `is ${v.type}, not char`, name);
    }
    const d = this.read(name);
    if (typeof d === "string") return d;
    if (Array.isArray(d)) {
      if (v.type === "string" || d.length <= 1) return d[0] ?? "";
      throw new NetcdfError(this.path, `is a char array of rank ${v.shape.length}; use read()`, name);
    }
    throw new NetcdfError(this.path, "did not read as text", name);
  }
}
