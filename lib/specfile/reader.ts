/**
 * Reading SpecFiles, netCDF-4 (process_otf_map2.py, `specFileModel` of model.ts) and the netCDF-3 (CDF-2)
 * variant, in which `chan0`/`nchan0` may be global attributes or variables instead of dimension
 * lengths.
 *
 * - {@link readSpecFile} / {@link specFileFromNc}: the whole {@link SpecFile} (SDFITS, waterfall,
 *   tests).
 * - {@link readSpecFileTable} / {@link readSpectraRows}: what the OTF gridder reads (SLR
 *   C/SpecFile.c `read_spec_file`): the header items, the small per-spectrum arrays (positions,
 *   RMS, pixel) and the per-pixel mean Tsys of the first cal; the spectra are streamed in row
 *   chunks. A {@link SpecTableSource} (SDFITS input of the gridder) stands in for a netCDF file.
 * - {@link specTsysShape} / {@link readSpecTsysCal}: one cal of Data.Tsys (reports).
 *
 * A file that is not a SpecFile raises {@link SpecFileError} naming the file and the variable.
 *
 * @module
 */
import type { NcFile } from "../netcdf/types.ts";
import { openNetcdf, openNetcdfBytes } from "../netcdf/mod.ts";
import { SpecFileError } from "./errors.ts";
import { LINE_VARS, type SpecFile, type SpecLineData } from "./model.ts";
import { lineDataVar, SPEC_VARS as V } from "./names.ts";

/** Shape `[ncal, npix, nchan]` of Data.Tsys as stored, or undefined when the file has none. */
export function specTsysShape(nc: NcFile): readonly number[] | undefined {
  return nc.has(V.tsys) ? nc.variable(V.tsys).shape : undefined;
}

/** Data.Tsys of cal `cal`: `npix × nchan` values, row-major by pixel. */
export function readSpecTsysCal(nc: NcFile, cal: number, npix: number, nchan: number): ArrayLike<number> {
  return nc.readNumbers(V.tsys, { start: [cal, 0, 0], count: [1, npix, nchan] });
}

function numOr(nc: NcFile, name: string, dflt?: number): number {
  if (nc.has(name)) return nc.readScalar(name);
  if (dflt !== undefined) return dflt;
  throw new SpecFileError(`${nc.path}: not a SpecFile: variable ${name} is missing`);
}

/** Read a SpecFile from an open netCDF file (netCDF-4 or the netCDF-3 variant). */
export function specFileFromNc(nc: NcFile): SpecFile {
  const dim = (n: string): number | undefined => nc.dimensions.get(n)?.size;
  for (const v of [V.spectra, V.xPos, V.yPos, V.pixel, V.rms]) {
    if (!nc.has(v)) throw new SpecFileError(`${nc.path}: not a SpecFile: variable ${v} is missing`);
  }
  const attrNum = (n: string): number | undefined => {
    const a = nc.attributes.get(n);
    return typeof a === "number" ? a : Array.isArray(a) && typeof a[0] === "number" ? a[0] : undefined;
  };
  const shape = nc.variable(V.spectra).shape;
  const nspec = shape[0]!, nchan = shape[1]!;
  const i32 = (n: string) => Int32Array.from(nc.readNumbers(n));
  const f32 = (n: string) => Float32Array.from(nc.readNumbers(n));
  const s = (n: string) => (nc.has(n) ? nc.readString(n) : "");
  const line = {} as SpecLineData;
  for (const [k, n] of LINE_VARS) line[k] = numOr(nc, lineDataVar(n), NaN);
  const tsys = nc.has(V.tsys) ? f32(V.tsys) : new Float32Array(0);
  const npix = dim("npix") ?? 16;
  return {
    version: s(V.version),
    history: s(V.history),
    obsNum: numOr(nc, V.obsNum, 0),
    mapCoord: numOr(nc, V.mapCoord, 1),
    dumpTime: numOr(nc, V.dumpTime, 0.1),
    offX: numOr(nc, V.offX, 0),
    offY: numOr(nc, V.offY, 0),
    sourceName: s(V.sourceName),
    xPosition: numOr(nc, V.xPosition, 0),
    yPosition: numOr(nc, V.yPosition, 0),
    dateObs: s(V.dateObs),
    receiver: s(V.receiver),
    nspec,
    nchan,
    nchan0: attrNum("nchan0") ?? dim("nchan0") ?? nchan,
    chan0: attrNum("chan0") ?? dim("chan0") ?? 0,
    ncal: tsys.length / (npix * nchan) || 0,
    npix,
    channelNumber: nc.has(V.channelNumber) ? i32(V.channelNumber) : new Int32Array(nchan),
    cdelt: numOr(nc, V.cdelt),
    crpix: numOr(nc, V.crpix),
    crval: numOr(nc, V.crval),
    ctype: s(V.ctype),
    caxis: nc.has(V.caxis) ? nc.readNumbers(V.caxis) : new Float64Array(nchan),
    line,
    pixel: i32(V.pixel),
    sequence: nc.has(V.sequence) ? i32(V.sequence) : new Int32Array(nspec),
    xPos: f32(V.xPos),
    yPos: f32(V.yPos),
    rms: f32(V.rms),
    spectra: f32(V.spectra),
    tsys,
  };
}

/**
 * Read a SpecFile from a path or from bytes (e.g. stdin; `name` is used in messages).
 *
 * @example
 * ```ts
 * async function spectraIn(path: string) {  // e.g. "SAMPLE-OTF_97001__0.nc"
 *   const sf = await readSpecFile(path);
 *   return sf.nspec; // 2720
 * }
 * ```
 */
export async function readSpecFile(src: string | Uint8Array, name = "<stdin>"): Promise<SpecFile> {
  const nc = typeof src === "string" ? await openNetcdf(src) : await openNetcdfBytes(src, name);
  try {
    return specFileFromNc(nc);
  } finally {
    nc.close();
  }
}

const f = Math.fround;

/** Header items of one SpecFile used by the gridder. */
export interface SpecFileHeader {
  path: string;
  nspec: number;
  nchan: number;
  nchan0: number;
  chan0: number;
  ncal: number;
  obsnum: number;
  mapCoord: number;
  sourceName: string;
  /** Map centre (degrees; RA/Dec, or l/b for map_coord 2) as stored. */
  xPosition: number;
  yPosition: number;
  /** True when XPosition/YPosition are stored as float32 (write their shortest float32 decimal). */
  positionIsFloat32: boolean;
  dumpTime: number;
  offX: number;
  offY: number;
  dateObs: string;
  receiver: string;
  version: string;
  history: string;
  restFrequency: number;
  vSource: number;
  deltaFrequency: number;
  /** Spectral axis of the SpecFile: CRPIX is 0-based. Velocities in km/s. */
  crval: number;
  crpix: number;
  cdelt: number;
  ctype: string;
}

/** Header plus the per-spectrum arrays. */
export interface SpecFileTable extends SpecFileHeader {
  xpos: Float32Array;
  ypos: Float32Array;
  rms: Float32Array;
  pixel: Int32Array;
  /** Mean Tsys of the first cal per pixel (index = pixel; NaN when there is no Tsys). */
  tsysMean: Float32Array;
}

function need(nc: NcFile, name: string): void {
  if (!nc.has(name)) throw new SpecFileError(`${nc.path}: not a SpecFile: variable ${name} is missing`);
}

function str(nc: NcFile, name: string, fallback?: string): string {
  if (!nc.has(name)) {
    if (fallback !== undefined) return fallback;
    need(nc, name);
  }
  return nc.readString(name).replace(/\0.*$/s, "").trim();
}

function num(nc: NcFile, name: string, fallback?: number): number {
  if (!nc.has(name)) {
    if (fallback !== undefined) return fallback;
    need(nc, name);
  }
  return nc.readScalar(name);
}

/** A count stored as a dimension length (netCDF-4 SpecFile), a global attribute or a variable. */
function countItem(nc: NcFile, name: string): number | undefined {
  const d = nc.dimensions.get(name);
  if (d !== undefined) return d.size;
  const a = nc.attributes.get(name);
  if (typeof a === "number") return a;
  if (Array.isArray(a) && typeof a[0] === "number") return a[0];
  if (typeof a === "bigint") return Number(a);
  if (nc.has(name)) return nc.readScalar(name);
  return undefined;
}

function asF32(name: string, nc: NcFile): Float32Array {
  const d = nc.read(name);
  if (d instanceof Float32Array) return d;
  if (typeof d === "string" || Array.isArray(d)) {
    throw new SpecFileError(`${nc.path}: variable ${name} is not numeric`);
  }
  return Float32Array.from(d as ArrayLike<number>, Number);
}

function asI32(name: string, nc: NcFile): Int32Array {
  const d = nc.read(name);
  if (d instanceof Int32Array) return d;
  if (typeof d === "string" || Array.isArray(d)) {
    throw new SpecFileError(`${nc.path}: variable ${name} is not numeric`);
  }
  return Int32Array.from(d as ArrayLike<number>, Number);
}

/**
 * A gridder input that is not a netCDF SpecFile (SDFITS, lib/grid/sdfits_source.ts): the same table
 * and the spectra rows.
 */
export interface SpecTableSource {
  readonly kind: "table";
  readonly path: string;
  /** The table (fresh position arrays on each call: the gridder shifts them in place). */
  table(): SpecFileTable;
  /** Rows [start, start+count) as float32, like {@link readSpectraRows}. */
  readRows(start: number, count: number, nchan: number, into?: Float32Array): Float32Array;
  close(): void;
}

/** What the table readers accept: an opened SpecFile or another table source. */
export type SpecInput = NcFile | SpecTableSource;

function isTableSource(x: SpecInput): x is SpecTableSource {
  return (x as SpecTableSource).kind === "table";
}

/** Read the header and per-spectrum arrays of an opened SpecFile (not the spectra). */
export function readSpecFileTable(nc: SpecInput): SpecFileTable {
  if (isTableSource(nc)) return nc.table();
  for (const v of [V.spectra, V.xPos, V.yPos, V.rms, V.pixel]) need(nc, v);
  const spectra = nc.variable(V.spectra);
  if (spectra.shape.length !== 2) {
    throw new SpecFileError(
      `${nc.path}: variable ${V.spectra} must be 2-D (nspec, nchan), has rank ${spectra.shape.length}`,
    );
  }
  const [nspec, nchan] = spectra.shape as [number, number];
  const xpos = asF32(V.xPos, nc);
  const ypos = asF32(V.yPos, nc);
  const rms = asF32(V.rms, nc);
  const pixel = asI32(V.pixel, nc);
  for (
    const [n, a] of [[V.xPos, xpos], [V.yPos, ypos], [V.rms, rms], [V.pixel, pixel]] as const
  ) {
    if (a.length !== nspec) {
      throw new SpecFileError(
        `${nc.path}: variable ${n} has ${a.length} values but ${V.spectra} has ${nspec} spectra`,
      );
    }
  }
  const xVar = nc.has(V.xPosition) ? nc.variable(V.xPosition) : undefined;
  const tsysMean = new Float32Array(64).fill(NaN);
  let ncal = 0;
  const tsysShape = specTsysShape(nc);
  if (tsysShape !== undefined) {
    if (tsysShape.length === 3 && tsysShape[0]! > 0 && tsysShape[2] === nchan) {
      ncal = tsysShape[0]!;
      const npix = tsysShape[1]!;
      const t = readSpecTsysCal(nc, 0, npix, nchan);
      for (let p = 0; p < Math.min(npix, 64); p++) {
        let s = 0;
        for (let k = 0; k < nchan; k++) s = f(s + Number(t[p * nchan + k]));
        tsysMean[p] = f(s / nchan);
      }
    }
  }
  const chanNumbers = nc.has(V.channelNumber) ? nc.readNumbers(V.channelNumber) : undefined;
  return {
    path: nc.path,
    nspec,
    nchan,
    nchan0: countItem(nc, "nchan0") ?? num(nc, lineDataVar("NChannels"), nchan),
    chan0: countItem(nc, "chan0") ??
      (chanNumbers !== undefined && chanNumbers.length > 0 ? chanNumbers[0]! : 0),
    ncal,
    obsnum: num(nc, V.obsNum),
    mapCoord: num(nc, V.mapCoord, 1),
    sourceName: str(nc, V.sourceName, ""),
    xPosition: num(nc, V.xPosition),
    yPosition: num(nc, V.yPosition),
    positionIsFloat32: xVar?.type === "float",
    dumpTime: f(num(nc, V.dumpTime, 0.1)),
    offX: f(num(nc, V.offX, 0)),
    offY: f(num(nc, V.offY, 0)),
    dateObs: str(nc, V.dateObs, ""),
    receiver: str(nc, V.receiver, ""),
    version: str(nc, V.version, ""),
    history: str(nc, V.history, ""),
    restFrequency: num(nc, lineDataVar("LineRestFrequency")),
    vSource: num(nc, lineDataVar("VSource"), 0),
    deltaFrequency: f(num(nc, lineDataVar("DeltaFrequency"))),
    crval: num(nc, V.crval),
    crpix: num(nc, V.crpix),
    cdelt: num(nc, V.cdelt),
    ctype: str(nc, V.ctype, "VLSR"),
    xpos,
    ypos,
    rms,
    pixel,
    tsysMean,
  };
}

/**
 * Read spectra rows [start, start+count) as float32 (row-major, nchan per row). With `into`, the
 * rows are placed at its start (read there directly when the reader can) and a view of it is
 * returned.
 */
export function readSpectraRows(
  nc: SpecInput,
  start: number,
  count: number,
  nchan: number,
  into?: Float32Array,
): Float32Array {
  if (isTableSource(nc)) return nc.readRows(start, count, nchan, into);
  const n = count * nchan;
  if (into !== undefined && into.length < n) throw new RangeError(`buffer of ${into.length} for ${n} values`);
  const scratch = into && new Uint8Array(into.buffer, into.byteOffset, n * 4);
  const d = nc.read(V.spectra, { start: [start, 0], count: [count, nchan] }, scratch);
  if (typeof d === "string" || Array.isArray(d)) {
    throw new SpecFileError(`${nc.path}: variable ${V.spectra} is not numeric`);
  }
  if (into === undefined) {
    return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>, Number);
  }
  const out = into.subarray(0, n);
  if (d.buffer !== into.buffer || d.byteOffset !== into.byteOffset) out.set(d as ArrayLike<number>);
  return out;
}
