/**
 * Standard WCS header cards for spectral-line cubes and 2-D maps (SFL/GLS/CAR projections of
 * RA/Dec or GLON/GLAT, with a VRAD/VELO/VOPT/FREQ spectral axis), in the keyword order of the
 * original LMT gridder (spec_driver_fits) but with its defects corrected:
 * - every axis gets its own reference pixel (the original swaps CRPIX1/CRPIX2 for non-square maps);
 * - CRVALs, CDELTs and RESTFRQ keep full double precision (the original rounds to float32);
 * - DATE-OBS and DATE are UTC (the original uses the host's local time);
 * - BPA is labelled `deg` (the original says `m/s`); SPECSYS is a parameter (the original hard-codes LSRK).
 *
 * @example
 * ```ts
 * const h = cubeWcsCards({
 *   celestial: { crval: [198, 38], cdelt: [-6.5 / 3600, 6.5 / 3600], crpix: [19, 19] },
 *   spectral: { ctype: "VRAD", crval: 394594.8, cdelt: -1195.196, crpix: 1, restfrq: 97.980953e9 },
 *   beam: { bmaj: 14.95 / 3600, bmin: 14.95 / 3600, bpa: 0 },
 *   bunit: "K", object: "SAMPLE-OTF", telescope: "LMT", dateObs: new Date("2025-04-20T07:40:24Z"),
 * });
 * ```
 * @module
 */
import { FitsHeader } from "./header.ts";
import { C_LIGHT } from "../num/constants.ts";

/** Celestial projection codes supported. */
export type Projection = "SFL" | "GLS" | "CAR" | "SIN" | "TAN";

/** The two celestial axes (NAXIS1 = longitude, NAXIS2 = latitude). */
export interface CelestialAxes {
  /** `equatorial` → RA/DEC (default), `galactic` → GLON/GLAT. */
  frame?: "equatorial" | "galactic";
  /** Default `SFL`. */
  projection?: Projection;
  /** Reference world coordinate [lon, lat] in degrees (double precision kept). */
  crval: [number, number];
  /** Pixel size [dlon, dlat] in degrees; dlon is normally negative (RA increasing to the left). */
  cdelt: [number, number];
  /** 1-based reference pixel [x, y]; for a centred odd-sized map use {@link centrePixel}(n) per axis. */
  crpix: [number, number];
  /** Equatorial frame only: default `FK5` with EQUINOX 2000 (as the original); `ICRS` writes no EQUINOX. */
  radesys?: "FK5" | "ICRS" | "FK4";
  equinox?: number;
}

/** Spectral axis types supported (`CHANNEL`: a plain channel-number axis, no unit). */
export type SpectralType = "VRAD" | "VELO" | "VOPT" | "FREQ" | "CHANNEL";

/** The spectral axis (NAXIS3). */
export interface SpectralAxis {
  ctype: SpectralType;
  /** Reference value (m/s for velocities, Hz for FREQ unless `cunit` says otherwise). */
  crval: number;
  cdelt: number;
  /** 1-based reference pixel. */
  crpix: number;
  /** Default `m/s` for velocities, `Hz` for FREQ, none for CHANNEL. */
  cunit?: string;
  /** Rest frequency in Hz (RESTFRQ). */
  restfrq?: number;
  /** Default `LSRK`. */
  specsys?:
    | "LSRK"
    | "LSRD"
    | "BARYCENT"
    | "HELIOCEN"
    | "TOPOCENT"
    | "GEOCENTR"
    | "GALACTOC"
    | "LOCALGRP"
    | "CMBDIPOL"
    | "SOURCE";
  /** Observer's frame (SSYSOBS); default `TOPOCENT`. */
  ssysobs?: string;
  /** Write the AIPS VELREF code for velocity axes (default true). */
  velref?: boolean;
}

/** Beam in degrees. */
export interface Beam {
  bmaj: number;
  bmin: number;
  bpa: number;
}

/** Options of {@link cubeWcsCards}. */
export interface CubeWcsOptions {
  celestial: CelestialAxes;
  /** Omit for a 2-D map (weight map, moment map). */
  spectral?: SpectralAxis;
  beam?: Beam;
  bunit?: string;
  object?: string;
  telescope?: string;
  instrument?: string;
  /** ORIGIN, e.g. software name and version. */
  origin?: string;
  /** Start of the observation (Date or Unix seconds), written as UTC ISO. */
  dateObs?: Date | number;
  /** Comment of DATE-OBS. */
  dateObsComment?: string;
  /** File write time; default now. `null` omits DATE (reproducible outputs). */
  date?: Date | number | null;
  /** Comments of CRVAL1/CRVAL2 (e.g. where the value came from). */
  crvalComments?: [string, string];
  /** Append to this header instead of a new one. */
  header?: FitsHeader;
}

/** 1-based FITS reference pixel of the centre of an axis of n pixels: (n − 1)/2 + 1. */
export function centrePixel(n: number): number {
  return (n - 1) / 2 + 1;
}

/** Number of pixels of a centred map of half-size `extent` and cell size `cell`: 2·floor((extent + cell/2)/cell) + 1. */
export function centredAxisLength(extent: number, cell: number): number {
  return 2 * Math.floor((extent + cell / 2) / cell) + 1;
}

/**
 * Format a time as FITS/ISO-8601 UTC `YYYY-MM-DDThh:mm:ss[.fff]` (truncated, not rounded, to
 * `fracDigits` decimals of the second). `t` is a Date or Unix seconds.
 */
export function fitsDateTime(t: Date | number, fracDigits = 0): string {
  const ms = typeof t === "number" ? t * 1000 : t.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid date for FITS: ${String(t)}`);
  const d = new Date(Math.floor(ms));
  const iso = d.toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ
  const base = iso.slice(0, 19);
  if (fracDigits <= 0) return base;
  if (fracDigits <= 3) return `${base}.${iso.slice(20, 20 + fracDigits)}`;
  const frac = ((ms / 1000) % 1 + 1) % 1;
  return `${base}.${Math.floor(frac * 10 ** fracDigits).toString().padStart(fracDigits, "0")}`;
}

/** AIPS VELREF code: 1 LSR, 2 heliocentric/barycentric, 3 topocentric; +256 for the radio convention. */
export function velrefCode(specsys: string, ctype: SpectralType): number {
  const base = specsys === "LSRK" || specsys === "LSRD" ? 1 : specsys === "TOPOCENT" ? 3 : 2;
  return base + (ctype === "VRAD" ? 256 : 0);
}

/**
 * The equivalent FREQ axis (Hz) of a VRAD axis in m/s, radio convention `f = RESTFRQ·(1 − v/c)`
 * (linear, so exact): returns the FREQ crval/cdelt at the same crpix.
 */
export function vradToFreqAxis(axis: { crval: number; cdelt: number }, restfrq: number): {
  crval: number;
  cdelt: number;
} {
  return { crval: restfrq * (1 - axis.crval / C_LIGHT), cdelt: -restfrq * axis.cdelt / C_LIGHT };
}

function fmtArcsec(deg: number): string {
  // %g of the value in arcsec, as the original's comments
  return String(Number((deg * 3600).toPrecision(6)));
}

/**
 * Build the WCS and descriptive cards of a cube (or 2-D map when `spectral` is omitted).
 * Order: TELESCOP INSTRUME OBJECT DATE-OBS ORIGIN BUNIT, CTYPE/CRVAL/CDELT/CRPIX/CUNIT per axis,
 * BMAJ BMIN BPA, EQUINOX RADESYS, RESTFRQ VELREF SPECSYS SSYSOBS, MJD-OBS, DATE.
 */
export function cubeWcsCards(o: CubeWcsOptions): FitsHeader {
  const h = o.header ?? new FitsHeader();
  const cel = o.celestial;
  const proj = cel.projection ?? "SFL";
  const galactic = (cel.frame ?? "equatorial") === "galactic";
  for (const v of [...cel.crval, ...cel.cdelt, ...cel.crpix]) {
    if (!Number.isFinite(v)) throw new RangeError(`Non-finite celestial WCS value ${v}`);
  }
  if (o.telescope !== undefined) h.set("TELESCOP", o.telescope);
  if (o.instrument !== undefined) h.set("INSTRUME", o.instrument);
  if (o.object !== undefined) h.set("OBJECT", o.object);
  if (o.dateObs !== undefined) {
    h.set("DATE-OBS", fitsDateTime(o.dateObs), o.dateObsComment ?? "UTC start of observation");
  }
  if (o.origin !== undefined) h.set("ORIGIN", o.origin);
  if (o.bunit !== undefined) h.set("BUNIT", o.bunit);

  const lon = galactic ? "GLON" : "RA--";
  const lat = galactic ? "GLAT" : "DEC-";
  h.set("CTYPE1", `${lon}-${proj}`);
  h.set("CRVAL1", cel.crval[0], o.crvalComments?.[0] ?? "deg");
  h.set("CDELT1", cel.cdelt[0], `deg (${fmtArcsec(cel.cdelt[0])} arcsec)`);
  h.set("CRPIX1", cel.crpix[0]);
  h.set("CUNIT1", "deg");
  h.set("CTYPE2", `${lat}-${proj}`);
  h.set("CRVAL2", cel.crval[1], o.crvalComments?.[1] ?? "deg");
  h.set("CDELT2", cel.cdelt[1], `deg (${fmtArcsec(cel.cdelt[1])} arcsec)`);
  h.set("CRPIX2", cel.crpix[1]);
  h.set("CUNIT2", "deg");

  const sp = o.spectral;
  if (sp !== undefined) {
    for (const v of [sp.crval, sp.cdelt, sp.crpix]) {
      if (!Number.isFinite(v)) throw new RangeError(`Non-finite spectral WCS value ${v}`);
    }
    const cunit = sp.cunit ?? (sp.ctype === "FREQ" ? "Hz" : sp.ctype === "CHANNEL" ? "" : "m/s");
    h.set("CTYPE3", sp.ctype);
    h.set("CRVAL3", sp.crval, cunit || undefined);
    h.set("CDELT3", sp.cdelt, cunit || undefined);
    h.set("CRPIX3", sp.crpix);
    if (cunit !== "") h.set("CUNIT3", cunit);
  }
  if (o.beam !== undefined) {
    h.set("BMAJ", o.beam.bmaj, `deg (${fmtArcsec(o.beam.bmaj)} arcsec)`);
    h.set("BMIN", o.beam.bmin, `deg (${fmtArcsec(o.beam.bmin)} arcsec)`);
    h.set("BPA", o.beam.bpa, "deg");
  }
  if (!galactic) {
    const radesys = cel.radesys ?? "FK5";
    if (radesys !== "ICRS") h.set("EQUINOX", cel.equinox ?? (radesys === "FK4" ? 1950 : 2000));
    h.set("RADESYS", radesys);
  }
  if (sp !== undefined) {
    if (sp.restfrq !== undefined) {
      if (!(sp.restfrq > 0)) throw new RangeError(`Bad rest frequency ${sp.restfrq}`);
      h.set("RESTFRQ", sp.restfrq, "Hz");
    }
    const specsys = sp.specsys ?? "LSRK";
    if (sp.ctype !== "FREQ" && sp.ctype !== "CHANNEL" && (sp.velref ?? true)) {
      h.set("VELREF", velrefCode(specsys, sp.ctype), "AIPS velocity frame code");
    }
    h.set("SPECSYS", specsys, "spectral reference frame");
    h.set("SSYSOBS", sp.ssysobs ?? "TOPOCENT", "frame of the observer");
  }
  if (o.dateObs !== undefined) {
    // WCS Paper III: MJD-OBS alongside DATE-OBS (astropy's WCS adds it with a warning otherwise)
    const ms = typeof o.dateObs === "number" ? o.dateObs * 1000 : o.dateObs.getTime();
    h.set("MJD-OBS", Math.floor(ms / 1000) / 86400 + 40587, "MJD of DATE-OBS");
  }
  if (o.date !== null) h.set("DATE", fitsDateTime(o.date ?? new Date()), "UTC date of file written");
  return h;
}
