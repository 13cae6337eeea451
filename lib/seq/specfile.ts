/**
 * Deprecated path: the SpecFile model and reader live in lib/specfile (model.ts, reader.ts); this
 * re-export keeps the tools' imports working. New code imports lib/specfile/mod.ts.
 *
 * @module
 */
export {
  readSpecFile,
  type SpecFile,
  SPECFILE_VERSION,
  specFileFromNc,
  specFileModel,
  type SpecFileModelOptions,
  type SpecLineData,
} from "../specfile/mod.ts";
