/**
 * Products of the gridder: FITS headers of the cube and of the 2-D maps (weight, radiometer), the
 * cube written plane by plane in FITS order (X flipped so that RA increases to the left), and the
 * optional `spec-tmp.tab` debug spectrum of the centre cell.
 *
 * @module
 */
import {
  cubeWcsCards,
  encodeFitsImage,
  encodeImageHeader,
  FitsHeader,
  FitsStreamWriter,
  writeFitsImage,
} from "../fits/mod.ts";
import { VERSION } from "../version.ts";
import type { FileSink } from "../sys/tempfile.ts";
import { cellIndex } from "./geometry.ts";
import type { FitsPlaneBlocks, GridResult } from "./grid.ts";
import { specAxisKind } from "./spectral.ts";
import { C_LIGHT } from "../num/constants.ts";

const f = Math.fround;

/** The shortest decimal that reads back as the same float32 (e.g. 13.27877 rather than 13.278770446777344). */
export function float32Decimal(v: number): number {
  if (f(v) !== v || !Number.isFinite(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (f(d) === v) return d;
  }
  return v;
}

/** Parse a SpecFile DateObs `YYYY-MM-DDTHH:MM:SS[.f]` as UTC; undefined when it is not a date. */
export function parseDateObs(s: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(s.trim());
  if (m === null) return undefined;
  const d = new Date(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function celestial(r: GridResult) {
  const t = r.first;
  const g = r.geometry;
  const cx = t.positionIsFloat32 ? float32Decimal(t.xPosition) : t.xPosition;
  const cy = t.positionIsFloat32 ? float32Decimal(t.yPosition) : t.yPosition;
  const cell = g.x.cdelt;
  return {
    frame: (t.mapCoord === 2 ? "galactic" : "equatorial") as "galactic" | "equatorial",
    projection: r.projection ?? "SFL",
    crval: [cx, cy] as [number, number],
    cdelt: [-cell / 3600, cell / 3600] as [number, number],
    crpix: [g.x.crpix, g.y.crpix] as [number, number],
  };
}

/** Options of the header builders. */
export interface HeaderOptions {
  /** The gridding command line (HISTORY). */
  command: string;
  /** File write time; null omits DATE (reproducible files). Default now. */
  date?: Date | null;
}

/**
 * The cube's spectral axis for GridResult.ztype: 0 (default) VRAD in m/s from the SpecFile's
 * velocity axis; 1 FREQ in Hz, its exact radio-convention equivalent f = RESTFRQ·(1 − v/c); 2 the
 * original spectrometer channel number (CHANNEL, CRVAL3 = chan0 at pixel 1). A SpecFile with a
 * frequency axis (CTYPE FLSR, FBARY, FSKY, FSRCE) gives FREQ in Hz for 0 and 1. SPECSYS is the frame
 * of the SpecFile's axis (spectral.ts: LSRK, BARYCENT, TOPOCENT, SOURCE).
 */
function spectralAxis(r: GridResult) {
  const t = r.first, g = r.geometry;
  const ax = specAxisKind(t.ctype);
  // AIPS VELREF has no source frame
  const base = {
    crpix: g.crpix3,
    restfrq: t.restFrequency,
    specsys: ax.specsys,
    ...(ax.specsys === "SOURCE" ? { velref: false } : {}),
  };
  if (ax.kind === "frequency") {
    // a frequency SpecFile (process_otf_map --x_axis F*): its axis in Hz, unless a channel axis is asked for
    if (r.ztype === 2) return { ...base, ctype: "CHANNEL" as const, crval: t.chan0, cdelt: 1, crpix: 1 };
    return { ...base, ctype: "FREQ" as const, crval: t.crval, cdelt: t.cdelt };
  }
  if (r.ztype === 1) {
    const v = t.crval * 1000, dv = t.cdelt * 1000;
    return {
      ...base,
      ctype: "FREQ" as const,
      crval: t.restFrequency * (1 - v / C_LIGHT),
      cdelt: -t.restFrequency * dv / C_LIGHT,
    };
  }
  if (r.ztype === 2) return { ...base, ctype: "CHANNEL" as const, crval: t.chan0, cdelt: 1, crpix: 1 };
  return { ...base, ctype: "VRAD" as const, crval: t.crval * 1000, cdelt: t.cdelt * 1000 };
}

/**
 * Text from an input file made fit for a FITS card: characters outside printable ASCII (a damaged
 * or foreign SpecFile) become `?`, as astropy shows them, instead of failing the header writer.
 */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

/** Header of the cube (WCS, beam, line info, obsnums, provenance). */
export function cubeHeader(r: GridResult, o: HeaderOptions): FitsHeader {
  const t = r.first;
  const beam = float32Decimal(r.kernel.beam) / 3600;
  const dateObs = parseDateObs(t.dateObs);
  const h = cubeWcsCards({
    celestial: celestial(r),
    spectral: spectralAxis(r),
    beam: { bmaj: beam, bmin: beam, bpa: 0 },
    bunit: "K",
    object: printable(t.sourceName),
    telescope: "LMT",
    instrument: printable(t.receiver),
    origin: `lmt-slr-toolkit ${VERSION}`,
    ...(dateObs !== undefined
      ? { dateObs, dateObsComment: "UTC start of observation (Header.Obs.DateObs)" }
      : {}),
    date: o.date === undefined ? new Date() : o.date,
    crvalComments: ["deg Header.Obs.XPosition", "deg Header.Obs.YPosition"],
  });
  h.set("VLSR", t.vSource, "km/s Header.LineData.VSource");
  h.set("VSOURCE", t.vSource, "km/s Header.LineData.VSource");
  h.set("NCHAN0", t.nchan0, "number of channels of original spectra");
  h.set("CHAN0", t.chan0, "first channel from original spectra");
  h.set("MAPCOORD", t.mapCoord, "SpecFile map_coord (0 AzEl, 1 RaDec, 2 Gal)");
  if (t.mapCoord === 0) h.comment("map offsets are Az/El offsets; the celestial WCS is only approximate");
  h.comment("LMT observing numbers in this data: (Header.Obs.ObsNum)");
  for (const n of r.obsnums) h.comment(`OBSNUM ${n}`);
  if (t.history !== "") {
    h.comment("Convert RAW to SpecFile");
    h.history(printable(t.history));
  }
  h.comment("Convert SpecFile to FITS");
  h.history(o.command);
  return h;
}

/** Header of a 2-D map (weight or radiometer) with the cube's celestial WCS. */
export function planeHeader(r: GridResult, o: HeaderOptions & { bunit?: string; what: string }): FitsHeader {
  const t = r.first;
  const h = cubeWcsCards({
    celestial: celestial(r),
    ...(o.bunit !== undefined ? { bunit: o.bunit } : {}),
    object: printable(t.sourceName),
    telescope: "LMT",
    date: o.date === undefined ? new Date() : o.date,
  });
  h.comment(o.what);
  for (const n of r.obsnums) h.comment(`OBSNUM ${n}`);
  h.history(o.command);
  return h;
}

/** A plane (iy·nx + ix) in FITS order: NAXIS1 = X flipped (RA increasing to the left). */
export function planeToFits(plane: ArrayLike<number>, nx: number, ny: number): Float32Array {
  const out = new Float32Array(nx * ny);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) out[iy * nx + (nx - 1 - ix)] = plane[iy * nx + ix]!;
  }
  return out;
}

/**
 * Write the cube plane by plane into `sink` (an output's open temporary file; its owner renames it);
 * `planes` are its FITS planes, from GridHooks.onCube.
 */
export async function writeGridCube(
  sink: FileSink,
  r: GridResult,
  header: FitsHeader,
  planes: FitsPlaneBlocks,
): Promise<void> {
  const { nx, ny, nz } = r.geometry;
  const w = FitsStreamWriter.create(sink, { shape: [nx, ny, nz], header });
  try {
    await planes((bytes) => w.writeEncoded(bytes));
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/**
 * Stream the cube as FITS bytes to `sink` (e.g. stdout): the same bytes {@link writeGridCube}
 * puts in a file (header, big-endian float32 planes, zero padding to 2880 bytes).
 */
export async function streamGridCube(
  sink: (bytes: Uint8Array) => void,
  r: GridResult,
  header: FitsHeader,
  planes: FitsPlaneBlocks,
): Promise<void> {
  const { nx, ny, nz } = r.geometry;
  sink(encodeImageHeader({ primary: true }, -32, [nx, ny, nz], header));
  await planes(sink);
  const nbytes = nx * ny * nz * 4;
  const pad = (2880 - (nbytes % 2880)) % 2880;
  if (pad > 0) sink(new Uint8Array(pad));
}

/** A 2-D map (weight or radiometer) as the bytes of a FITS file (what {@link writeGridPlane} writes). */
export function encodeGridPlane(r: GridResult, plane: Float32Array, header: FitsHeader): Uint8Array {
  const { nx, ny } = r.geometry;
  return encodeFitsImage({ data: planeToFits(plane, nx, ny), shape: [nx, ny], header });
}

/** Write a 2-D map into `sink` (an output's open temporary file). */
export function writeGridPlane(
  sink: FileSink,
  r: GridResult,
  plane: Float32Array,
  header: FitsHeader,
): void {
  const { nx, ny } = r.geometry;
  writeFitsImage(sink, { data: planeToFits(plane, nx, ny), shape: [nx, ny], header });
}

function cFloat(v: number, width: number, prec: number): string {
  const s = Number.isNaN(v) ? "nan" : v.toFixed(prec);
  return s.padStart(width, " ");
}

/**
 * The `spec-tmp.tab` debug spectrum of the cell at offset (0,0), in the C format
 * `"%d %8.3f %6.2f\n "` (index, float32 velocity in km/s, value), byte-compatible with the original.
 */
export function specTmpText(r: GridResult): string {
  const g = r.geometry;
  const ix = cellIndex(g.x, 0), iy = cellIndex(g.y, 0);
  let s = "";
  for (let i = 0; i < g.nz; i++) {
    const v = f(f(f(i + 1 - g.crpix3) * f(g.cdelt3)) + f(g.crval3));
    const val = ix < 0 || iy < 0 ? NaN : r.cube[(iy * g.nx + ix) * g.nz + i]!;
    s += `${i} ${cFloat(v, 8, 3)} ${cFloat(val, 6, 2)}\n `;
  }
  return s;
}
