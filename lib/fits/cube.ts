/**
 * A spectral-line cube read for analysis (moment maps, spectra at a position): its data in FITS
 * order, the velocity of each channel from the spectral WCS (VRAD/VELO/VOPT in m/s or km/s, or FREQ
 * with RESTFRQ in the radio convention), the celestial header copied to 2-D products, and the pixel
 * nearest to a position given as offsets (arcsec) in the cube's projection plane.
 *
 * @example
 * ```ts
 * function centreAndMom0Header(path: string) {  // e.g. "SRC_97001__0.fits"
 *   const c = readSpectralCube(path);
 *   const { ix, iy } = nearestPixel(c, 0, 0);        // the map centre
 *   const h = mapHeader(c, { bunit: "K km/s" });     // for a moment-0 map
 *   return { ix, iy, h };
 * }
 * ```
 * @module
 */
import { DataError } from "../errors.ts";
import { FitsHeader, type FitsValue } from "./header.ts";
import { firstImage, parseFits, readFits } from "./reader.ts";
import { C_LIGHT } from "../num/constants.ts";

/** A cube with its header and axes. */
export interface SpectralCube {
  name: string;
  /** value(ix, iy, k) = data[(k·ny + iy)·nx + ix] (FITS order). */
  data: Float32Array;
  nx: number;
  ny: number;
  nz: number;
  header: Map<string, FitsValue>;
  comments: Map<string, string>;
  /** Radio velocity (km/s) of each channel. */
  velocity: Float64Array;
}

/** A cube problem (bad axes, not a cube); a data error for the tools. */
export class CubeError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "CubeError";
  }
}

function num(h: Map<string, FitsValue>, k: string, d?: number): number {
  const v = h.get(k);
  if (typeof v === "number") return v;
  if (d !== undefined) return d;
  throw new CubeError(`keyword ${k} missing`);
}

/** Velocities (km/s) of the nz channels from the spectral axis (NAXIS3) of a header. */
export function channelVelocities(h: Map<string, FitsValue>, nz: number, name = "cube"): Float64Array {
  const ctype = String(h.get("CTYPE3") ?? "").trim().toUpperCase();
  const cunit = String(h.get("CUNIT3") ?? "").trim();
  const crval = num(h, "CRVAL3", 0), cdelt = num(h, "CDELT3", 1), crpix = num(h, "CRPIX3", 1);
  const w = (k: number) => crval + (k + 1 - crpix) * cdelt;
  if (/^(VRAD|VELO|VOPT|FELO)/.test(ctype)) {
    const scale = cunit.toLowerCase() === "km/s" ? 1 : 1e-3;
    return Float64Array.from({ length: nz }, (_, k) => w(k) * scale);
  }
  if (ctype.startsWith("FREQ")) {
    const rest = num(h, "RESTFRQ", NaN) || num(h, "RESTFREQ", NaN);
    if (!(rest > 0)) throw new CubeError(`${name}: a FREQ axis needs RESTFRQ to give velocities`);
    const scale =
      ({ hz: 1, khz: 1e3, mhz: 1e6, ghz: 1e9 } as Record<string, number>)[cunit.toLowerCase() || "hz"];
    if (scale === undefined) throw new CubeError(`${name}: unknown CUNIT3 '${cunit}'`);
    return Float64Array.from({ length: nz }, (_, k) => C_LIGHT * (1 - w(k) * scale / rest) / 1000);
  }
  throw new CubeError(`${name}: spectral axis CTYPE3 '${ctype}' is not a velocity or frequency axis`);
}

/** Read a cube (path, or bytes with a name for messages). */
export function readSpectralCube(src: string | Uint8Array, name = "<stdin>"): SpectralCube {
  const f = typeof src === "string" ? readFits(src) : parseFits(src, name);
  const nm = typeof src === "string" ? src : name;
  const hdu = firstImage(f);
  const [nx, ny, nz = 1] = hdu.shape;
  if (
    hdu.shape.length < 3 || nx === undefined || ny === undefined || hdu.shape.slice(3).some((n) => n !== 1)
  ) {
    throw new CubeError(`${nm}: not a cube (shape [${hdu.shape.join(",")}])`);
  }
  const data = hdu.data instanceof Float32Array ? hdu.data : Float32Array.from(hdu.data as ArrayLike<number>);
  return {
    name: nm,
    data,
    nx,
    ny,
    nz,
    header: hdu.header,
    comments: hdu.comments,
    velocity: channelVelocities(hdu.header, nz, nm),
  };
}

const CELESTIAL = /^(CTYPE|CRVAL|CDELT|CRPIX|CUNIT|CROTA)[12]$|^(PC|CD)[12]_[12]$|^PV[12]_\d+$/;
const COPIED = [
  "OBJECT",
  "TELESCOP",
  "INSTRUME",
  "DATE-OBS",
  "MJD-OBS",
  "ORIGIN",
  "BMAJ",
  "BMIN",
  "BPA",
  "EQUINOX",
  "RADESYS",
  "LONPOLE",
  "LATPOLE",
  "RESTFRQ",
  "SPECSYS",
  "VLSR",
];

/** Header of a 2-D map made from the cube: its celestial WCS and descriptive keywords, BUNIT, HISTORY. */
export function mapHeader(
  c: SpectralCube,
  o: { bunit: string; comment?: string; history?: string },
): FitsHeader {
  const h = new FitsHeader();
  for (const k of COPIED.slice(0, 6)) if (c.header.has(k)) h.set(k, c.header.get(k)!, c.comments.get(k));
  h.set("BUNIT", o.bunit);
  for (const [k, v] of c.header) if (CELESTIAL.test(k)) h.set(k, v, c.comments.get(k));
  for (const k of COPIED.slice(6)) if (c.header.has(k)) h.set(k, c.header.get(k)!, c.comments.get(k));
  if (o.comment !== undefined) h.comment(o.comment);
  if (o.history !== undefined) h.history(o.history);
  return h;
}

/**
 * The pixel (0-based, FITS order) nearest to offsets (dx, dy) arcsec from the reference pixel in the
 * projection plane (dx east, dy north); ix/iy are −1 when outside the map.
 */
export function nearestPixel(
  c: SpectralCube,
  dx: number,
  dy: number,
): { ix: number; iy: number; x: number; y: number } {
  const h = c.header;
  const c1 = num(h, "CDELT1") * 3600, c2 = num(h, "CDELT2") * 3600;
  const p1 = num(h, "CRPIX1", (c.nx - 1) / 2 + 1) + dx / c1,
    p2 = num(h, "CRPIX2", (c.ny - 1) / 2 + 1) + dy / c2;
  const ix = Math.round(p1) - 1, iy = Math.round(p2) - 1;
  const inside = ix >= 0 && ix < c.nx && iy >= 0 && iy < c.ny;
  return {
    ix: inside ? ix : -1,
    iy: inside ? iy : -1,
    x: (ix + 1 - num(h, "CRPIX1", 1)) * c1,
    y: (iy + 1 - num(h, "CRPIX2", 1)) * c2,
  };
}

/** Offsets (arcsec) of the centres of the first pixel and the steps of the two map axes (for plots). */
export function mapOffsets(c: SpectralCube): { x0: number; dx: number; y0: number; dy: number } {
  const h = c.header;
  const dx = num(h, "CDELT1") * 3600, dy = num(h, "CDELT2") * 3600;
  return { x0: (1 - num(h, "CRPIX1", 1)) * dx, dx, y0: (1 - num(h, "CRPIX2", 1)) * dy, dy };
}
