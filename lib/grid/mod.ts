/**
 * OTF convolution gridding (spec_driver_fits / grid_data): kernels, geometry, selection,
 * accumulation (WASM SIMD / TypeScript, shared by the calling thread and optional workers) and FITS products.
 * @module
 */
export * from "./errors.ts";
export * from "./kernel.ts";
export * from "./geometry.ts";
export * from "./select.ts";
// the SpecFile table reader lives in lib/specfile (one SpecFile module); re-exported for importers of lib/grid
export {
  readSpecFileTable,
  readSpectraRows,
  type SpecFileHeader,
  type SpecFileTable,
  type SpecInput as GridInput,
  type SpecTableSource,
} from "../specfile/mod.ts";
export * from "./grid.ts";
export * from "./output.ts";
export * from "./projection.ts";
export { GridExecutor, startGridWorkers } from "./executor.ts";
export * from "./job.ts";
