/**
 * Constants of the netCDF classic / 64-bit offset / 64-bit data file formats (CDF-1, CDF-2, CDF-5),
 * shared by the reader and the writer.
 * @module
 */
import type { NcType } from "./types.ts";

/** List tags of the header grammar. */
export const NC_DIMENSION = 0x0a;
export const NC_VARIABLE = 0x0b;
export const NC_ATTRIBUTE = 0x0c;

/** nc_type code ↔ type name. */
export const CODE_TO_TYPE: Readonly<Record<number, NcType>> = {
  1: "byte",
  2: "char",
  3: "short",
  4: "int",
  5: "float",
  6: "double",
  7: "ubyte",
  8: "ushort",
  9: "uint",
  10: "int64",
  11: "uint64",
};

/** Type name → nc_type code (classic and CDF-5 types only). */
export const TYPE_TO_CODE: Readonly<Partial<Record<NcType, number>>> = {
  byte: 1,
  char: 2,
  short: 3,
  int: 4,
  float: 5,
  double: 6,
  ubyte: 7,
  ushort: 8,
  uint: 9,
  int64: 10,
  uint64: 11,
};

/** Types allowed in CDF-1/CDF-2 (the extended ones need CDF-5). */
export const CLASSIC_TYPES: ReadonlySet<NcType> = new Set([
  "byte",
  "char",
  "short",
  "int",
  "float",
  "double",
]);

/** Round up to a multiple of 4. */
export function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
