/**
 * The SpecFile module: the one place that knows the SpecFile's netCDF layout (seq.md §2.7).
 *
 * - names.ts: the variable names ({@link SPEC_VARS}, {@link lineDataVar});
 * - model.ts: the in-memory {@link SpecFile} and its netCDF write model {@link specFileModel}
 *   (netCDF-4 as the original, or the netCDF-3 CDF-2 variant for pipes);
 * - writer.ts: streaming writers {@link nc4SpecSink} and {@link cdf2SpecSink};
 * - reader.ts: {@link readSpecFile} (the whole file), {@link readSpecFileTable} and
 *   {@link readSpectraRows} (what the gridder reads), {@link readSpecTsysCal} (one cal of Tsys).
 *
 * It imports only lib/netcdf, lib/sys and lib/errors, so lib/seq (which writes SpecFiles), lib/grid
 * (which grids them), lib/report and the SDFITS converter all depend on it and not on each other.
 *
 * @module
 */
export { lineDataVar, SPEC_VARS } from "./names.ts";
export {
  LINE_VARS,
  type SpecFile,
  SPECFILE_VERSION,
  specFileModel,
  type SpecFileModelOptions,
  type SpecFileSink,
  type SpecLineData,
} from "./model.ts";
export {
  readSpecFile,
  readSpecFileTable,
  readSpectraRows,
  readSpecTsysCal,
  specFileFromNc,
  type SpecFileHeader,
  type SpecFileTable,
  type SpecInput,
  type SpecTableSource,
  specTsysShape,
} from "./reader.ts";
export { type Cdf2SpecSink, cdf2SpecSink, nc4SpecSink } from "./writer.ts";
export { SpecFileError } from "./errors.ts";
