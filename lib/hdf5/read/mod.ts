/**
 * A small pure-TypeScript HDF5 reader for the subset netCDF-4 uses (superblocks 0–3, object
 * headers v1/v2, old- and new-style groups, compact and dense attributes, compact/contiguous/
 * chunked layouts, deflate and shuffle). Anything else throws {@link Hdf5Unsupported}.
 * @module
 */
export { Hdf5Error, Hdf5Unsupported } from "./errors.ts";
export { type AttrRaw, type H5Object, Hdf5File } from "./file.ts";
export { Dataset, type Layout } from "./dataset.ts";
export { type Datatype, DT } from "./datatype.ts";
export type { Link, RawAttribute } from "./object.ts";
