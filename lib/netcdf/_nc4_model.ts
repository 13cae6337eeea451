/**
 * The netCDF-4 data model over the datasets of an HDF5 root group, shared by both netCDF-4 readers
 * (the native one, nc4_native.ts, and the h5wasm one, nc4_reader.ts): which datasets are dimensions,
 * the dimension names of every variable (own scale, attached scales, `_Netcdf4Coordinates`, phony
 * dimensions as netCDF-C names them), the current length of unlimited dimensions and the record flags.
 *
 * @module
 */
import type { NcAttrValue, NcDimension, NcType, NcVariable } from "./types.ts";

/** Attributes netCDF-C uses for its own bookkeeping and never shows. */
const HIDDEN_ATTRS = new Set([
  "DIMENSION_LIST",
  "REFERENCE_LIST",
  "CLASS",
  "NAME",
  "_NCProperties",
  "_nc3_strict",
]);

/** True for an attribute netCDF readers hide (the above and every `_Netcdf4*`). */
export function isHiddenAttribute(name: string): boolean {
  return HIDDEN_ATTRS.has(name) || name.startsWith("_Netcdf4");
}

/** NAME of a dimension scale that is a dimension only (no coordinate variable). */
export const PURE_DIM_PREFIX = "This is a netCDF dimension but not a netCDF variable";

/** netCDF type of an HDF5 integer (`size` bytes) or, with `float`, of an HDF5 float; null if none. */
export function numericType(size: number, signed: boolean, float = false): NcType | null {
  if (float) return size === 4 ? "float" : size === 8 ? "double" : null;
  switch (size) {
    case 1:
      return signed ? "byte" : "ubyte";
    case 2:
      return signed ? "short" : "ushort";
    case 4:
      return signed ? "int" : "uint";
    case 8:
      return signed ? "int64" : "uint64";
  }
  return null;
}

/** What the model needs of one dataset of the root group, in link order. */
export interface Nc4DatasetInfo {
  name: string;
  /** Its netCDF type; null = not part of the classic model (compound, enum, ...): no variable. */
  type: NcType | null;
  shape: number[];
  /** Set when the dataset is a dimension scale (CLASS = "DIMENSION_SCALE"). */
  scale?: {
    /** `_Netcdf4Dimid`, if present. */
    id?: number;
    /** First dimension extendible without limit. */
    unlimited: boolean;
    /** NAME attribute (pure dimensions start with {@link PURE_DIM_PREFIX}). */
    nameAttr: string;
  };
  /** `_Netcdf4Coordinates` (dimension ids per axis), or null. */
  coords: number[] | null;
  /** Whether a DIMENSION_LIST attribute is present. */
  hasDimList: boolean;
  /** Name of the scale attached to axis k (resolving DIMENSION_LIST, the slow path), if any. */
  attachedScale(k: number): string | undefined;
  /** The variable's visible attributes (asked for only when the dataset becomes a variable). */
  attributes(): Map<string, NcAttrValue>;
}

interface DimInfo {
  name: string;
  id: number;
  size: number;
  unlimited: boolean;
}

/** Dimensions (in id order) and variables of a root group described by `datasets`. */
export function buildNc4Model(
  datasets: Nc4DatasetInfo[],
): { dimensions: Map<string, NcDimension>; variables: Map<string, NcVariable> } {
  const dimInfo: DimInfo[] = [];
  const dimById = new Map<number, string>();
  const vars: Nc4DatasetInfo[] = [];
  for (const d of datasets) {
    if (d.scale) {
      const id = d.scale.id ?? dimInfo.length;
      dimInfo.push({ name: d.name, id, size: d.shape[0] ?? 0, unlimited: d.scale.unlimited });
      dimById.set(id, d.name);
      if (d.scale.nameAttr.startsWith(PURE_DIM_PREFIX)) continue;
    }
    vars.push(d);
  }
  // When every dimension has a fixed size and no two share a size, a variable's dimension of
  // extent n can only be the one of size n (netCDF model): the name follows without resolving the
  // DIMENSION_LIST references (the slowest metadata step).
  const bySize = new Map<number, string>();
  let sizesUnique = dimInfo.every((d) => !d.unlimited);
  for (const d of dimInfo) {
    if (bySize.has(d.size)) sizesUnique = false;
    bySize.set(d.size, d.name);
  }
  let phony = 0;
  const phonyBySize = new Map<number, string>();
  const variables: NcVariable[] = [];
  for (const d of vars) {
    if (d.type === null) continue;
    const shape = d.shape;
    const dims: string[] = [];
    for (let k = 0; k < shape.length; k++) {
      let dn: string | undefined;
      if (d.scale && k === 0 && shape.length === 1) dn = d.name;
      if (!dn && d.hasDimList) dn = (sizesUnique ? bySize.get(shape[k]!) : undefined) ?? d.attachedScale(k);
      if (!dn && d.coords && d.coords[k] !== undefined) dn = dimById.get(d.coords[k]!);
      if (!dn) {
        dn = phonyBySize.get(shape[k]!);
        if (!dn) {
          dn = `phony_dim_${phony++}`;
          phonyBySize.set(shape[k]!, dn);
          dimInfo.push({ name: dn, id: 1e9 + phony, size: shape[k]!, unlimited: false });
        }
      }
      dims.push(dn);
    }
    variables.push({
      name: d.name,
      type: d.type,
      dimensions: dims,
      shape,
      attributes: d.attributes(),
      record: false,
    });
  }
  // unlimited dims: netCDF length is the largest extent of any variable along it
  for (const d of dimInfo) {
    if (!d.unlimited) continue;
    for (const v of variables) {
      v.dimensions.forEach((dn, k) => {
        if (dn === d.name) d.size = Math.max(d.size, v.shape[k]!);
      });
    }
  }
  dimInfo.sort((a, b) => a.id - b.id);
  const dimensions = new Map<string, NcDimension>();
  for (const d of dimInfo) dimensions.set(d.name, { name: d.name, size: d.size, unlimited: d.unlimited });
  const out = new Map<string, NcVariable>();
  for (const v of variables) {
    v.record = v.dimensions.length > 0 && (dimensions.get(v.dimensions[0]!)?.unlimited ?? false);
    out.set(v.name, v);
  }
  return { dimensions, variables: out };
}
