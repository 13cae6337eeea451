/**
 * Streaming SpecFile writers (for lib/seq/otf.ts `reduceOtfMapTo`): the spectra go to disk block by block, so a
 * run holds one block of rows per pixel instead of the whole SpecFile.
 *
 * - {@link nc4SpecSink}: the netCDF-4 file the original writes (through the lib/netcdf Nc4Writer;
 *   Data.Spectra is contiguous and pre-sized, each block of rows one positioned write; values
 *   identical to {@link writeNetcdf4} of the whole model).
 * - {@link cdf2SpecSink}: the netCDF-3 64-bit-offset (CDF-2) form of model.ts, written with
 *   positional writes into a file (same bytes as `writeNetcdf3ToSink(specFileModel(sf, "cdf3"))`);
 *   used for `-o -`, where the finished file is copied to stdout.
 *
 * @module
 */
import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeAllSync } from "../sys/fs.ts";
import { layoutCdf3, Nc4Writer } from "../netcdf/mod.ts";
import type { FileSink } from "../sys/tempfile.ts";
import type { Cdf3Layout, NcWriteVariable } from "../netcdf/mod.ts";
import { type SpecFile, specFileModel, type SpecFileSink } from "./model.ts";
import { SPEC_VARS as V } from "./names.ts";

/** Chunk target of the streamed netCDF-4 SpecFile's record variables and size of its blocks of rows (bytes). */
const NC4_CHUNK_BYTES = 1 << 20;

/** Rows per block of Data.Spectra handed to the writer (whole rows, 1…1024, about 1 MB). */
function nc4ChunkRows(nchan: number): number {
  return Math.min(1024, Math.max(1, Math.floor(NC4_CHUNK_BYTES / Math.max(1, nchan * 4))));
}

/**
 * A sink writing a netCDF-4 SpecFile into `target`: an open FileSink (a tool's `ctx.output`, which
 * renames it on success and removes it on failure) or a path (temp name, renamed on success, removed
 * on abort).
 */
export function nc4SpecSink(target: string | FileSink): SpecFileSink {
  let w: Nc4Writer | null = null;
  return {
    blockRows: undefined as number | undefined,
    async begin(head: SpecFile) {
      this.blockRows = nc4ChunkRows(head.nchan);
      w = await Nc4Writer.create(target, specFileModel(head, "netcdf4", { streaming: true }), {
        chunkBytes: NC4_CHUNK_BYTES,
      });
    },
    write(row0: number, n: number, data: Float32Array) {
      w!.writeSlab(V.spectra, [row0, 0], [n, data.length / n], data);
    },
    async end(rms: Float32Array) {
      if (rms.length > 0) w!.writeSlab(V.rms, [0], [rms.length], rms);
      await w!.close();
      w = null;
    },
    abort() {
      w?.abort();
      w = null;
    },
  };
}

/** Big-endian bytes of a fixed-size variable's values, padded with zeros to `vsize`. */
function encodeBE(v: NcWriteVariable, vsize: number): Uint8Array {
  const out = new Uint8Array(vsize);
  const dv = new DataView(out.buffer);
  const d = v.data;
  if (d === undefined) return out;
  if (v.type === "char") {
    const bytes = new TextEncoder().encode(String(d));
    out.set(bytes.subarray(0, vsize));
    return out;
  }
  const a = d as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    if (v.type === "int") dv.setInt32(i * 4, x);
    else if (v.type === "float") dv.setFloat32(i * 4, x);
    else if (v.type === "double") dv.setFloat64(i * 8, x);
    else throw new Error(`SpecFile variable ${v.name}: type ${v.type} not supported by the CDF-2 writer`);
  }
  return out;
}

function float32BE(src: Float32Array, dst: Uint8Array): Uint8Array {
  const dv = new DataView(dst.buffer, dst.byteOffset, src.length * 4);
  for (let i = 0; i < src.length; i++) dv.setFloat32(i * 4, src[i]!);
  return dst.subarray(0, src.length * 4);
}

/** A CDF-2 SpecFile sink with the finished file's path. */
export interface Cdf2SpecSink extends SpecFileSink {
  /** Path of the file being written. */
  readonly path: string;
  /** Copy the finished file to `out` in blocks of at most 4 MiB. */
  copyTo(out: (bytes: Uint8Array) => void): void;
  /** Remove the file. */
  remove(): void;
}

/**
 * A sink writing the CDF-2 SpecFile into `path` (created or truncated) with positional writes: the
 * header and small variables at begin(), spectra rows at their offsets, Data.RMS at end().
 */
export function cdf2SpecSink(path: string): Cdf2SpecSink {
  let fd = -1;
  let layout: Cdf3Layout | null = null;
  let spectraBegin = 0, rmsBegin = 0, nchan = 0;
  let buf = new Uint8Array(0);
  const close = () => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
  };
  return {
    path,
    begin(head: SpecFile) {
      const model = specFileModel(head, "cdf3", { streaming: true });
      layout = layoutCdf3(model, { format: "cdf2", name: path });
      nchan = head.nchan;
      fd = openSync(path, "w");
      ftruncateSync(fd, layout.size);
      writeAllSync(fd, layout.header, 0);
      model.variables.forEach((v, i) => {
        const lv = layout!.vars[i]!;
        if (v.name === V.spectra) spectraBegin = lv.begin;
        else if (v.name === V.rms) rmsBegin = lv.begin;
        else if (!lv.record) writeAllSync(fd, encodeBE(v, lv.vsize), lv.begin);
        else {
          // the record variable (Data.Tsys): one slab per record
          const slab = lv.slabElems;
          const all = v.data as Float32Array;
          for (let r = 0; r < layout!.numrecs; r++) {
            const rec = encodeBE({ ...v, data: all.subarray(r * slab, (r + 1) * slab) }, slab * 4);
            writeAllSync(fd, rec, lv.begin + r * layout!.recsize);
          }
        }
      });
    },
    write(row0: number, _n: number, data: Float32Array) {
      if (buf.length < data.length * 4) buf = new Uint8Array(data.length * 4);
      writeAllSync(fd, float32BE(data, buf), spectraBegin + row0 * nchan * 4);
    },
    end(rms: Float32Array) {
      writeAllSync(fd, float32BE(rms, new Uint8Array(rms.length * 4)), rmsBegin);
      close();
    },
    abort() {
      close();
      rmSync(path, { force: true });
    },
    copyTo(out: (bytes: Uint8Array) => void) {
      const f = openSync(path, "r");
      try {
        const b = new Uint8Array(4 << 20);
        for (;;) {
          const n = readSync(f, b, 0, b.length, null);
          if (n <= 0) break;
          out(b.subarray(0, n));
        }
      } finally {
        closeSync(f);
      }
    },
    remove() {
      close();
      rmSync(path, { force: true });
    },
  };
}
