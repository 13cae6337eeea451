/**
 * Which reader opens netCDF-4/HDF5 files, set once per process by the CLI layer. A module of its
 * own, without imports, so that lib/cli can set it without loading the netCDF readers.
 *
 * @module
 */

/**
 * `"native"` (lib/hdf5/read; h5wasm only for a file that needs an unsupported feature) or
 * `"h5wasm"` for every file (comparisons, bisecting).
 */
export type Hdf5Reader = "native" | "h5wasm";

/**
 * The process's choice. Library code reads no environment: lib/cli sets it from `LMT_HDF5=h5wasm`
 * before a tool runs; worker threads do not share it and get it with their jobs
 * (lib/seq/board_job.ts `hdf5Reader`), passing it to openNetcdf.
 */
let processHdf5Reader: Hdf5Reader = "native";

/** Set the reader openNetcdf and openNetcdfBytes use when not told otherwise. */
export function setHdf5Reader(r: Hdf5Reader): void {
  processHdf5Reader = r;
}

/** The reader set by {@link setHdf5Reader} (default `"native"`). */
export function hdf5Reader(): Hdf5Reader {
  return processHdf5Reader;
}
