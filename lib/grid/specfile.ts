/**
 * What the OTF gridder reads from a SpecFile (SLR C/SpecFile.c `read_spec_file`): the header
 * items, the small per-spectrum arrays (positions, RMS, pixel) and the per-pixel mean Tsys of the
 * first cal; the spectra themselves are streamed in row chunks by {@link readSpectraRows}.
 *
 * Accepts the netCDF-4 SpecFile of process_otf_map2.py and the netCDF-3 (CDF-2) variant, in which
 * `chan0`/`nchan0` may be global attributes or variables instead of dimension lengths.
 *
 * @module
 */
import type { NcFile } from "../netcdf/types.ts";
import { GridError } from "./errors.ts";

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
  if (!nc.has(name)) throw new GridError(`${nc.path}: not a SpecFile: variable ${name} is missing`);
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
    throw new GridError(`${nc.path}: variable ${name} is not numeric`);
  }
  return Float32Array.from(d as ArrayLike<number>, Number);
}

function asI32(name: string, nc: NcFile): Int32Array {
  const d = nc.read(name);
  if (d instanceof Int32Array) return d;
  if (typeof d === "string" || Array.isArray(d)) {
    throw new GridError(`${nc.path}: variable ${name} is not numeric`);
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

/** What the gridder reads: an opened SpecFile or another table source. */
export type GridInput = NcFile | SpecTableSource;

function isTableSource(x: GridInput): x is SpecTableSource {
  return (x as SpecTableSource).kind === "table";
}

/** Read the header and per-spectrum arrays of an opened SpecFile (not the spectra). */
export function readSpecFileTable(nc: GridInput): SpecFileTable {
  if (isTableSource(nc)) return nc.table();
  for (const v of ["Data.Spectra", "Data.XPos", "Data.YPos", "Data.RMS", "Data.Pixel"]) need(nc, v);
  const spectra = nc.variable("Data.Spectra");
  if (spectra.shape.length !== 2) {
    throw new GridError(
      `${nc.path}: variable Data.Spectra must be 2-D (nspec, nchan), has rank ${spectra.shape.length}`,
    );
  }
  const [nspec, nchan] = spectra.shape as [number, number];
  const xpos = asF32("Data.XPos", nc);
  const ypos = asF32("Data.YPos", nc);
  const rms = asF32("Data.RMS", nc);
  const pixel = asI32("Data.Pixel", nc);
  for (
    const [n, a] of [["Data.XPos", xpos], ["Data.YPos", ypos], ["Data.RMS", rms], [
      "Data.Pixel",
      pixel,
    ]] as const
  ) {
    if (a.length !== nspec) {
      throw new GridError(
        `${nc.path}: variable ${n} has ${a.length} values but Data.Spectra has ${nspec} spectra`,
      );
    }
  }
  const xVar = nc.has("Header.Obs.XPosition") ? nc.variable("Header.Obs.XPosition") : undefined;
  const tsysMean = new Float32Array(64).fill(NaN);
  let ncal = 0;
  if (nc.has("Data.Tsys")) {
    const tv = nc.variable("Data.Tsys");
    if (tv.shape.length === 3 && tv.shape[0]! > 0 && tv.shape[2] === nchan) {
      ncal = tv.shape[0]!;
      const npix = tv.shape[1]!;
      const t = nc.read("Data.Tsys", { start: [0, 0, 0], count: [1, npix, nchan] }) as ArrayLike<number>;
      for (let p = 0; p < Math.min(npix, 64); p++) {
        let s = 0;
        for (let k = 0; k < nchan; k++) s = f(s + Number(t[p * nchan + k]));
        tsysMean[p] = f(s / nchan);
      }
    }
  }
  const chanNumbers = nc.has("Header.Line.ChannelNumber")
    ? nc.readNumbers("Header.Line.ChannelNumber")
    : undefined;
  return {
    path: nc.path,
    nspec,
    nchan,
    nchan0: countItem(nc, "nchan0") ?? num(nc, "Header.LineData.NChannels", nchan),
    chan0: countItem(nc, "chan0") ??
      (chanNumbers !== undefined && chanNumbers.length > 0 ? chanNumbers[0]! : 0),
    ncal,
    obsnum: num(nc, "Header.Obs.ObsNum"),
    mapCoord: num(nc, "Header.Obs.MapCoord", 1),
    sourceName: str(nc, "Header.Obs.SourceName", ""),
    xPosition: num(nc, "Header.Obs.XPosition"),
    yPosition: num(nc, "Header.Obs.YPosition"),
    positionIsFloat32: xVar?.type === "float",
    dumpTime: f(num(nc, "Header.Obs.DumpTime", 0.1)),
    offX: f(num(nc, "Header.Obs.OffX", 0)),
    offY: f(num(nc, "Header.Obs.OffY", 0)),
    dateObs: str(nc, "Header.Obs.DateObs", ""),
    receiver: str(nc, "Header.Obs.Receiver", ""),
    version: str(nc, "Header.Version", ""),
    history: str(nc, "Header.History", ""),
    restFrequency: num(nc, "Header.LineData.LineRestFrequency"),
    vSource: num(nc, "Header.LineData.VSource", 0),
    deltaFrequency: f(num(nc, "Header.LineData.DeltaFrequency")),
    crval: num(nc, "Header.SpectrumAxis.CRVAL"),
    crpix: num(nc, "Header.SpectrumAxis.CRPIX"),
    cdelt: num(nc, "Header.SpectrumAxis.CDELT"),
    ctype: str(nc, "Header.SpectrumAxis.CTYPE", "VLSR"),
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
  nc: GridInput,
  start: number,
  count: number,
  nchan: number,
  into?: Float32Array,
): Float32Array {
  if (isTableSource(nc)) return nc.readRows(start, count, nchan, into);
  const n = count * nchan;
  if (into !== undefined && into.length < n) throw new RangeError(`buffer of ${into.length} for ${n} values`);
  const scratch = into && new Uint8Array(into.buffer, into.byteOffset, n * 4);
  const d = nc.read("Data.Spectra", { start: [start, 0], count: [count, nchan] }, scratch);
  if (typeof d === "string" || Array.isArray(d)) {
    throw new GridError(`${nc.path}: variable Data.Spectra is not numeric`);
  }
  if (into === undefined) {
    return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>, Number);
  }
  const out = into.subarray(0, n);
  if (d.buffer !== into.buffer || d.byteOffset !== into.byteOffset) out.set(d as ArrayLike<number>);
  return out;
}
