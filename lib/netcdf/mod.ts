/**
 * netCDF for the LMT toolkit: one reader interface over CDF-1/CDF-2/CDF-5 (own streaming
 * reader) and netCDF-4/HDF5 (own native HDF5 reader, lib/hdf5/read, falling back to h5wasm for
 * features outside its subset), and writers for both families. The HDF5 WebAssembly module
 * (4 MB of JavaScript, ~0.1-0.2 s to load and initialise) is imported only when a netCDF-4 file
 * needs it (written, or read with an unsupported feature, or every file after
 * `setHdf5Reader("h5wasm")`, which lib/cli calls for `LMT_HDF5=h5wasm`); importing this module costs no HDF5 start-up.
 *
 * @example
 * ```ts
 * import { openNetcdf } from "./mod.ts";
 * async function obsnumAndProgram(path: string) {  // e.g. "ifproc_2025-04-20_097001_00_0001.nc"
 *   const nc = await openNetcdf(path);
 *   try {
 *     const obsnum = nc.readScalar("Header.Dcs.ObsNum");
 *     const pgm = nc.readString("Header.Dcs.ObsPgm"); // "Map"
 *     return { obsnum, pgm };
 *   } finally {
 *     nc.close();
 *   }
 * }
 * ```
 * @module
 */
import { closeSync, openSync, readSync } from "../sys/fs.ts";
import { type NcFile, NetcdfError, openError } from "./types.ts";
import { sniffNetcdf } from "./_common.ts";
import { openCdf3, openCdf3Bytes } from "./cdf3_reader.ts";
import { openNc4, openNc4Bytes } from "./nc4_reader.ts";
import { openNc4Native, openNc4NativeBytes } from "./nc4_native.ts";
import { Hdf5Unsupported } from "../hdf5/read/errors.ts";
import { type Hdf5Reader, hdf5Reader } from "./hdf5_reader.ts";

export * from "./types.ts";
export { Cdf3File, openCdf3, openCdf3Bytes } from "./cdf3_reader.ts";
export { h5ready, h5wasmLoaded, Nc4File, openNc4, openNc4Bytes } from "./nc4_reader.ts";
export { Nc4NativeFile, openNc4Native, openNc4NativeBytes } from "./nc4_native.ts";
export {
  type ByteSink,
  type Cdf3Format,
  type Cdf3Layout,
  Cdf3StreamWriter,
  type Cdf3VarLayout,
  type Cdf3WriteOptions,
  fdSink,
  layoutCdf3,
  writeNetcdf3,
  writeNetcdf3Sync,
  writeNetcdf3ToSink,
} from "./cdf3_writer.ts";
export { Nc4Writer, type Nc4WriterOptions, writeNetcdf4 } from "./nc4_writer.ts";

export { type Hdf5Reader, hdf5Reader, setHdf5Reader } from "./hdf5_reader.ts";
export { sniffNetcdf } from "./_common.ts";

/** The native reader, or h5wasm when asked for or when the file needs an unsupported HDF5 feature. */
async function openHdf5(
  native: () => NcFile,
  h5wasm: () => Promise<NcFile>,
  reader: Hdf5Reader,
): Promise<NcFile> {
  if (reader !== "h5wasm") {
    try {
      return native();
    } catch (e) {
      if (!(e instanceof Hdf5Unsupported)) throw e;
    }
  }
  return await h5wasm();
}

function describe(head: Uint8Array): string {
  if (head.length === 0) return "file is empty";
  return `unknown magic bytes ${
    Array.from(head.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ")
  }`;
}

/**
 * Open any netCDF flavour LMT uses, chosen by the magic bytes (`CDF\x01`, `CDF\x02`, `CDF\x05`,
 * `\x89HDF\r\n\x1a\n`). Throws {@link NetcdfError} naming the file. `reader` (default: the
 * process's, setHdf5Reader) chooses the netCDF-4 reader.
 */
export async function openNetcdf(path: string, reader: Hdf5Reader = hdf5Reader()): Promise<NcFile> {
  const head = new Uint8Array(8);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw openError(path, e);
  }
  const kind = sniffNetcdf(head.subarray(0, n));
  if (kind === "cdf3") return openCdf3(path);
  if (kind === "hdf5") return await openHdf5(() => openNc4Native(path), () => openNc4(path), reader);
  throw new NetcdfError(path, `not a netCDF file: ${describe(head.subarray(0, n))}`);
}

/**
 * Open a netCDF file held in memory (e.g. stdin for an input named `-`); `name` is used in
 * error messages. netCDF-3 and netCDF-4 are parsed in memory (the h5wasm fallback for netCDF-4
 * features outside the native subset goes through a private temp file).
 */
export async function openNetcdfBytes(
  bytes: Uint8Array,
  name: string,
  reader: Hdf5Reader = hdf5Reader(),
): Promise<NcFile> {
  const kind = sniffNetcdf(bytes.subarray(0, 8));
  if (kind === "cdf3") return openCdf3Bytes(bytes, name);
  if (kind === "hdf5") {
    return await openHdf5(() => openNc4NativeBytes(bytes, name), () => openNc4Bytes(bytes, name), reader);
  }
  throw new NetcdfError(name, `not a netCDF file: ${describe(bytes.subarray(0, 8))}`);
}
