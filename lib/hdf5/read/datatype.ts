/**
 * HDF5 datatype and dataspace messages: parsing, and decoding raw element bytes into JavaScript
 * values the way the HDF5 library hands them out (numbers, bigints for 64-bit integers, strings).
 * @module
 */
import { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
import { Cursor, UNDEF } from "./source.ts";

/** Datatype classes (HDF5 numbering). */
export const DT = {
  FIXED: 0,
  FLOAT: 1,
  TIME: 2,
  STRING: 3,
  BITFIELD: 4,
  OPAQUE: 5,
  COMPOUND: 6,
  REFERENCE: 7,
  ENUM: 8,
  VLEN: 9,
  ARRAY: 10,
} as const;

/** A parsed datatype (the fields this reader needs). */
export interface Datatype {
  cls: number;
  /** Bytes per element as stored. */
  size: number;
  bigEndian: boolean;
  signed: boolean;
  /** Strings: 0 null-terminated, 1 null-padded, 2 space-padded. */
  pad: number;
  /** Strings: 0 ASCII, 1 UTF-8. */
  cset: number;
  /** Variable-length: true for a vlen string, false for a sequence. */
  vlenString: boolean;
  /** Base type of a vlen sequence / enum / array. */
  base: Datatype | null;
  /** Members of a compound (name, byte offset, type); absent for other classes. */
  members?: { name: string; offset: number; type: Datatype }[];
}

/** Parse a datatype message at the cursor (advances past it when the class's length is known). */
export function parseDatatype(c: Cursor): Datatype {
  const at = c.base + c.pos;
  const cv = c.u8();
  const cls = cv & 0x0f;
  const version = cv >> 4;
  if (version < 1 || version > 5) throw new Hdf5Error(`bad datatype version ${version}`, at);
  const b0 = c.u8();
  const b1 = c.u8();
  c.u8();
  const size = c.u32();
  const t: Datatype = {
    cls,
    size,
    bigEndian: false,
    signed: false,
    pad: 0,
    cset: 0,
    vlenString: false,
    base: null,
  };
  switch (cls) {
    case DT.FIXED:
      t.bigEndian = (b0 & 1) !== 0;
      t.signed = (b0 & 8) !== 0;
      c.skip(4);
      break;
    case DT.FLOAT:
      t.bigEndian = (b0 & 1) !== 0;
      if (b0 & 0x40) throw new Hdf5Unsupported("VAX-order floating point");
      c.skip(12);
      break;
    case DT.TIME:
      t.bigEndian = (b0 & 1) !== 0;
      c.skip(2);
      break;
    case DT.STRING:
      t.pad = b0 & 0x0f;
      t.cset = b0 >> 4;
      break;
    case DT.BITFIELD:
      t.bigEndian = (b0 & 1) !== 0;
      c.skip(4);
      break;
    case DT.OPAQUE:
      c.skip(b0);
      break;
    case DT.REFERENCE:
      if (version >= 4) throw new Hdf5Unsupported("revised (version 4) references");
      t.pad = b0 & 0x0f; // 0 object, 1 region
      break;
    case DT.VLEN:
      t.vlenString = (b0 & 0x0f) === 1;
      t.pad = b0 >> 4;
      t.cset = b1 & 0x0f;
      t.base = parseDatatype(c);
      break;
    case DT.COMPOUND:
      t.members = parseMembers(c, version, b0 | (b1 << 8), size);
      break;
    default:
      // enum, array: their properties are not walked (callers only skip such types)
      break;
  }
  return t;
}

/** Compound members (datatype versions 1-3): names, byte offsets, member types. */
function parseMembers(c: Cursor, version: number, n: number, size: number): NonNullable<Datatype["members"]> {
  const out: NonNullable<Datatype["members"]> = [];
  const offBytes = size < 0x100 ? 1 : size < 0x10000 ? 2 : size < 0x1000000 ? 3 : 4;
  for (let i = 0; i < n; i++) {
    const at = c.base + c.pos;
    const z = c.bytes.indexOf(0, c.pos);
    if (z < 0) throw new Hdf5Error("compound member name runs past its message", at);
    const name = new TextDecoder().decode(c.bytes.subarray(c.pos, z));
    const nameLen = z - c.pos + 1;
    c.skip(version >= 3 ? nameLen : Math.ceil(nameLen / 8) * 8);
    let offset = 0;
    if (version >= 3) {
      for (let k = 0; k < offBytes; k++) offset += c.u8() * 256 ** k;
    } else {
      offset = c.u32();
      if (version === 1) c.skip(28); // dimensionality, reserved, permutation, reserved, 4 sizes
    }
    out.push({ name, offset, type: parseDatatype(c) });
  }
  return out;
}

/** A parsed dataspace: `dims` null for a null dataspace (no elements), [] for a scalar. */
export interface Dataspace {
  dims: number[] | null;
  /** Maximum sizes (−1 = unlimited); equal to dims when absent. */
  maxDims: number[] | null;
}

/** Parse a dataspace message at the cursor. */
export function parseDataspace(c: Cursor): Dataspace {
  const at = c.base + c.pos;
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  let type = 1;
  if (version === 1) {
    c.skip(5);
    if (rank === 0) type = 0;
  } else if (version === 2) {
    type = c.u8();
  } else throw new Hdf5Error(`bad dataspace version ${version}`, at);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.length());
  let maxDims = dims.slice();
  if (flags & 1) {
    maxDims = [];
    for (let i = 0; i < rank; i++) maxDims.push(c.length());
  }
  if (version === 1 && flags & 2) c.skip(rank * c.lengthSize);
  if (type === 2) return { dims: null, maxDims: null };
  if (type === 0) return { dims: [], maxDims: [] };
  return { dims, maxDims: maxDims.map((m) => (m === UNDEF ? -1 : m)) };
}

/** Number of elements of a dataspace (0 for null). */
export function spaceSize(s: Dataspace): number {
  if (s.dims === null) return 0;
  let n = 1;
  for (const d of s.dims) n *= d;
  return n;
}

const ascii = new TextDecoder("ascii");
const utf8 = new TextDecoder("utf-8");

/** Decode text bytes as the HDF5 library's JavaScript binding does (cut at the first NUL). */
export function decodeString(bytes: Uint8Array, cset: number): string {
  const z = bytes.indexOf(0);
  const b = z < 0 ? bytes : bytes.subarray(0, z);
  return (cset === 1 ? utf8 : ascii).decode(b);
}

/** Decode `n` numeric elements of `t` into numbers (bigints for 8-byte integers). */
export function decodeNumbers(bytes: Uint8Array, t: Datatype, n: number): number[] | bigint[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !t.bigEndian;
  const s = t.size;
  if (bytes.length < n * s) throw new Hdf5Error("attribute data shorter than its dataspace");
  if (t.cls === DT.FLOAT) {
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = s === 4 ? dv.getFloat32(i * s, le) : dv.getFloat64(i * s, le);
    }
    return out;
  }
  if (s === 8) {
    const out: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = t.signed ? dv.getBigInt64(i * 8, le) : dv.getBigUint64(i * 8, le);
    return out;
  }
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * s;
    out[i] = s === 1
      ? (t.signed ? dv.getInt8(o) : dv.getUint8(o))
      : s === 2
      ? (t.signed ? dv.getInt16(o, le) : dv.getUint16(o, le))
      : (t.signed ? dv.getInt32(o, le) : dv.getUint32(o, le));
  }
  return out;
}

/** True for the numeric types the netCDF model has (integers of 1/2/4/8 bytes, float32/64). */
export function isNumeric(t: Datatype): boolean {
  if (t.cls === DT.FIXED) return t.size === 1 || t.size === 2 || t.size === 4 || t.size === 8;
  if (t.cls === DT.FLOAT) return t.size === 4 || t.size === 8;
  return false;
}
