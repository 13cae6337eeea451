/**
 * The one read/write interface over every netCDF flavour LMT uses.
 *
 * Readers: netCDF-3 classic (CDF-1), 64-bit offset (CDF-2) and 64-bit data (CDF-5) by our own
 * streaming reader (positioned reads, never the whole file), and netCDF-4/HDF5 by lib/hdf5 (h5wasm as fallback).
 * `openNetcdf(path)` (lib/netcdf/mod.ts) sniffs the magic bytes and returns an {@link NcFile}.
 *
 * Conventions of the returned values:
 * - numeric variables come back as typed arrays of the stored type (int64 → BigInt64Array),
 *   row-major (C order), the fastest dimension last;
 * - `char` variables come back as strings with trailing NUL and blank padding removed; a char
 *   variable of rank ≥ 2 comes back as a flat `string[]` (one string per last-dimension row);
 * - `readNumbers` converts any numeric type to Float64Array (fill values are NOT masked there:
 *   use `readMasked` to get NaN at `_FillValue`/`missing_value`).
 *
 * @module
 */

import { FsError } from "../sys/fs.ts";
import { DataError } from "../errors.ts";

/** netCDF external data types (classic names; the netCDF-4 extended ones included). */
export type NcType =
  | "byte"
  | "char"
  | "short"
  | "int"
  | "float"
  | "double"
  | "ubyte"
  | "ushort"
  | "uint"
  | "int64"
  | "uint64"
  | "string";

/** The on-disk flavour of an opened file. */
export type NcFormat = "cdf1" | "cdf2" | "cdf5" | "netcdf4";

/** A dimension. `size` of the unlimited dimension is the current number of records. */
export interface NcDimension {
  name: string;
  size: number;
  unlimited: boolean;
}

/** Value of an attribute: text, or the numbers stored. */
export type NcAttrValue = string | number | number[] | bigint | bigint[];

/** Metadata of one variable. Names are the full flat names, e.g. `Header.Dcs.ObsPgm`. */
export interface NcVariable {
  name: string;
  type: NcType;
  /** Dimension names, slowest first. Empty for a scalar. */
  dimensions: string[];
  /** Dimension lengths, slowest first (record dimension = current record count). */
  shape: number[];
  attributes: Map<string, NcAttrValue>;
  /** True when the first dimension is the unlimited (record) dimension. */
  record: boolean;
}

/** Typed data returned by a read. */
export type NcData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | string
  | string[];

/** A hyperslab: `start` and `count` per dimension (both of the variable's rank). */
export interface Hyperslab {
  start: number[];
  count: number[];
}

/** An open netCDF file (any flavour). All reads are synchronous after opening. */
export interface NcFile {
  readonly path: string;
  readonly format: NcFormat;
  readonly dimensions: Map<string, NcDimension>;
  readonly variables: Map<string, NcVariable>;
  /** Global attributes. */
  readonly attributes: Map<string, NcAttrValue>;
  /** Names of groups (netCDF-4 only; empty for netCDF-3). Variables of the root group only. */
  readonly groups: string[];

  /** True when the variable exists. */
  has(name: string): boolean;
  /** Metadata of a variable; throws {@link NetcdfError} naming file and variable if absent. */
  variable(name: string): NcVariable;
  /**
   * Read a variable (whole, or a hyperslab) in its stored type. `scratch`: bytes a numeric result
   * may be stored in (then the returned array is a view on them, valid until the caller reuses
   * `scratch`); readers may ignore it and return a fresh array.
   */
  read(name: string, slab?: Hyperslab, scratch?: Uint8Array): NcData;
  /** Read any numeric variable (or a hyperslab) converted to float64. */
  readNumbers(name: string, slab?: Hyperslab): Float64Array;
  /** Like readNumbers, with `_FillValue`/`missing_value` replaced by NaN. */
  readMasked(name: string, slab?: Hyperslab): Float64Array;
  /** A numeric variable's first element as a number (scalars, 1-element arrays). */
  readScalar(name: string): number;
  /** A char variable as one trimmed string (rank-1 or scalar char). */
  readString(name: string): string;
  /** Release the file handle. Safe to call twice. */
  close(): void;
}

/** An error reading or writing a netCDF file; message names the file and, where known, the variable. */
export class NetcdfError extends DataError {
  readonly file: string;
  readonly variable: string | undefined;
  constructor(file: string, message: string, variable?: string) {
    super(variable ? `${file}: variable ${variable}: ${message}` : `${file}: ${message}`);
    this.name = "NetcdfError";
    this.file = file;
    this.variable = variable;
  }
}

/** What the file system said when `path` could not be opened, in words about the path the user gave. */
const OPEN_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a netCDF file",
  EACCES: "permission denied",
  ENOTDIR: "a parent of this path is not a directory",
};

/** The {@link NetcdfError} for a file that could not be opened (one rule for every netCDF reader). */
export function openError(path: string, e: unknown): NetcdfError {
  const known = e instanceof FsError ? OPEN_FAILURES[e.code] : undefined;
  return new NetcdfError(path, known ?? `cannot open: ${e instanceof Error ? e.message : String(e)}`);
}

/** Description of a variable to write. `data` length must equal the product of the shape. */
export interface NcWriteVariable {
  name: string;
  type: NcType;
  dimensions: string[];
  attributes?: Record<string, NcAttrValue>;
  /** Typed array (or string / string[] for char; plain numbers accepted) holding all values, C order. */
  data?: NcData | number[] | undefined;
  /**
   * Optional explicit types of numeric attributes (name → type). Without it, `_FillValue`,
   * `missing_value`, `valid_min`, `valid_max` and `valid_range` take the variable's type, other
   * numbers are `int` when all are integers in int32 range, else `double`; bigint is `int64`.
   */
  attributeTypes?: Record<string, NcType>;
}

/** Description of a whole file to write. A dimension of size 0 is the unlimited one (netCDF-3). */
export interface NcWriteModel {
  dimensions: { name: string; size: number; unlimited?: boolean }[];
  attributes?: Record<string, NcAttrValue>;
  variables: NcWriteVariable[];
  /** netCDF-4 only: empty or attribute-only groups to create (e.g. "Spectrometer"). */
  groups?: string[];
  /** Optional explicit types of numeric global attributes (see {@link NcWriteVariable.attributeTypes}). */
  attributeTypes?: Record<string, NcType>;
}
