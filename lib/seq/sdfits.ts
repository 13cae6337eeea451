/**
 * SEQ products as SDFITS rows: a SpecFile (one row per spectrum) and a beam-switched spectrum.
 *
 * SpecFile rows: RA/Dec = map centre + the spectrum's offsets (RA offset divided by cos Dec of the
 * centre, the flat projection the gridder uses); FDNUM = pixel, IFNUM = bank, SCAN = obsnum,
 * PROCSEQN = Data.Sequence + 1, DATE-OBS = Header.Obs.DateObs + Sequence · DumpTime (the SpecFile keeps
 * no time per spectrum), EXPOSURE = DURATION = DumpTime, TSYS = the pixel's mean Tsys of the first cal
 * (the gridder's), RMS = Data.RMS. The VLSR axis becomes the LSR frequency axis by the radio
 * definition, f = RESTFREQ·(1 − v/c), then topocentric at the row's time and position. The
 * table header keeps what the gridder needs to rebuild the SpecFile table exactly (MAPCRVL2/3,
 * MAPOFFX/Y, MAPCOORD, CHAN0, NCHAN0, DELTAF, SPECCTYP).
 *
 * Switched spectra (process_bs, process_ps): one row per obsnum (and pixel for Ps), see
 * {@link sdfitsFromSwitched}.
 *
 * @module
 */
import { FitsHeader } from "../fits/header.ts";
import { azElOf, galacticToIcrs, LMT_SITE } from "../sdfits/lsr.ts";
import { C_KMS } from "../num/constants.ts";
import {
  formatDateObs,
  lsrAxisToTopo,
  lstSeconds,
  parseDateObsUtc,
  type Sdfits,
  type SdfitsRow,
} from "../sdfits/sdfits.ts";
import { SeqDataError } from "./errors.ts";
import { SPEC_VARS, type SpecFile } from "../specfile/mod.ts";
import type { SwitchedObs } from "./ps.ts";

const f = Math.fround;
const DEG = Math.PI / 180;

/** Printable ASCII only (FITS cards): other characters become '?'. */
function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?");
}

/** Mean Tsys per pixel of the first cal, as the gridder computes it (float32 sums; NaN when none). */
export function pixelTsysMean(sf: SpecFile): Float32Array {
  const out = new Float32Array(64).fill(NaN);
  if (sf.ncal <= 0 || sf.tsys.length < sf.npix * sf.nchan) return out;
  for (let p = 0; p < Math.min(sf.npix, 64); p++) {
    let s = 0;
    for (let k = 0; k < sf.nchan; k++) s = f(s + sf.tsys[p * sf.nchan + k]!);
    out[p] = f(s / sf.nchan);
  }
  return out;
}

/** Galactic (l, b) → ICRS (ra, dec), degrees (re-exported from lib/sdfits/lsr.ts). */
export { galacticToIcrs };

/** Sky position of offsets (arcsec) from a centre (degrees), flat projection with cos of the centre's latitude. */
export function offsetPosition(x0: number, y0: number, dx: number, dy: number): [number, number] {
  return [x0 + dx / 3600 / Math.cos(y0 * DEG), y0 + dy / 3600];
}

/** Options of {@link sdfitsFromSpecFile}. */
export interface SpecFileSdfitsOptions {
  projid?: string;
  observer?: string;
  /** HISTORY line. */
  history?: string;
}

/** The SDFITS model of a SpecFile: one row per spectrum. */
export function sdfitsFromSpecFile(sf: SpecFile, name: string, o: SpecFileSdfitsOptions = {}): Sdfits {
  const t0 = parseDateObsUtc(sf.dateObs);
  if (t0 === undefined) throw new SeqDataError(`${name}: Header.Obs.DateObs "${sf.dateObs}" is not a date`);
  const ctype = sf.ctype.trim().toUpperCase();
  if (!["VLSR", "VSKY", "FLSR", "FSKY"].includes(ctype)) {
    throw new SeqDataError(
      `${name}: spectral axis ${sf.ctype} cannot be written as SDFITS (VLSR, VSKY, FLSR or FSKY only)`,
    );
  }
  const frest = sf.line.lineRestFrequency;
  if (!(frest > 0)) throw new SeqDataError(`${name}: Header.LineData.LineRestFrequency is ${frest}`);
  // the LSR (or sky, for VSKY/FSKY) frequency axis: radio definition for a velocity axis, as is for
  // a frequency axis (process_otf_map --x_axis FLSR/FSKY, Hz)
  const freqAxis = ctype.startsWith("F");
  const lsr = freqAxis ? { crval: sf.crval, crpix: sf.crpix + 1, cdelt: sf.cdelt } : {
    crval: frest * (1 - sf.crval / C_KMS),
    crpix: sf.crpix + 1,
    cdelt: -frest * sf.cdelt / C_KMS,
  };
  const topoIn = ctype === "VSKY" || ctype === "FSKY";
  const gal = sf.mapCoord === 2;
  const tsys = pixelTsysMean(sf);
  const bank = Number.isFinite(sf.line.bank) ? sf.line.bank : 0;
  const rows: SdfitsRow[] = [];
  const nchan = sf.nchan;
  for (let i = 0; i < sf.nspec; i++) {
    const p = sf.pixel[i]!;
    const [x, y] = offsetPosition(sf.xPosition, sf.yPosition, sf.xPos[i]!, sf.yPos[i]!);
    const [ra, dec] = gal ? galacticToIcrs(x, y) : [x, y];
    const t = new Date(t0.getTime() + sf.sequence[i]! * sf.dumpTime * 1000);
    const axis = topoIn ? lsr : lsrAxisToTopo(lsr, ra, dec, t, LMT_SITE);
    const [az, el] = azElOf(ra, dec, t, LMT_SITE);
    rows.push({
      object: sf.sourceName,
      scan: sf.obsNum,
      ifnum: bank,
      plnum: 0,
      fdnum: p,
      procseqn: sf.sequence[i]! + 1,
      obsmode: "Map:OTF:NONE",
      dateObs: formatDateObs(t),
      lst: lstSeconds(t, LMT_SITE),
      exposure: sf.dumpTime,
      duration: sf.dumpTime,
      tsys: tsys[p] ?? NaN,
      tcal: 1,
      elevation: el,
      azimuth: az,
      crval1: axis.crval,
      crpix1: axis.crpix,
      cdelt1: axis.cdelt,
      ctype2: gal ? "GLON" : "RA",
      ctype3: gal ? "GLAT" : "DEC",
      crval2: x,
      crval3: y,
      crval4: -5,
      restfreq: frest,
      veldef: topoIn ? "RADI-OBS" : "RADI-LSR",
      velocity: sf.line.vSource * 1000,
      equinox: 2000,
      radesys: "FK5",
      bandwid: nchan * Math.abs(axis.cdelt),
      freqres: Math.abs(sf.line.deltaFrequency),
      obsfreq: axis.crval + ((nchan - 1) / 2 + 1 - axis.crpix) * axis.cdelt,
      frontend: sf.receiver,
      backend: "RoachSpectrometer",
      apEff: NaN,
      surfErr: NaN,
      data: sf.spectra.subarray(i * nchan, (i + 1) * nchan),
      rms: sf.rms[i]!,
    });
  }
  const h = new FitsHeader();
  h.set("MAPCRVL2", sf.xPosition, "deg map centre (Header.Obs.XPosition)");
  h.set("MAPCRVL3", sf.yPosition, "deg map centre (Header.Obs.YPosition)");
  h.set("MAPOFFX", sf.offX, "arcsec Header.Obs.OffX", { format: "float" });
  h.set("MAPOFFY", sf.offY, "arcsec Header.Obs.OffY", { format: "float" });
  h.set("MAPCOORD", sf.mapCoord, "SpecFile map_coord (0 AzEl, 1 RaDec, 2 Gal)");
  h.set("CHAN0", sf.chan0, "first channel from original spectra");
  h.set("NCHAN0", sf.nchan0, "number of channels of original spectra");
  h.set("DELTAF", sf.line.deltaFrequency, "Hz Header.LineData.DeltaFrequency", { format: "float" });
  h.set("SPECCTYP", ctype, "SpecFile spectral axis");
  const u = freqAxis ? "Hz" : "km/s";
  h.set("SPECCRVL", sf.crval, `${u} SpecFile Header.SpectrumAxis.CRVAL`, { format: "float" });
  h.set("SPECCRPX", sf.crpix, "SpecFile Header.SpectrumAxis.CRPIX (0-based)", { format: "float" });
  h.set("SPECCDLT", sf.cdelt, `${u} SpecFile Header.SpectrumAxis.CDELT`, { format: "float" });
  h.set("SPECDATE", ascii(sf.dateObs), SPEC_VARS.dateObs);
  if (sf.history) h.history(`SpecFile: ${ascii(sf.history)}`);
  if (o.history) h.history(ascii(o.history));
  return {
    telescope: "LMT",
    site: LMT_SITE,
    rows,
    header: h,
    ...(o.projid !== undefined ? { projid: o.projid } : {}),
    ...(o.observer !== undefined ? { observer: o.observer } : {}),
  };
}

/** One switched (Bs/Ps) spectrum to export: its obsnum's reduction, the pixel, the data and Tsys. */
export interface SwitchedRow {
  obs: SwitchedObs;
  /** FDNUM: the pixel (Bs: the ON beam). */
  pixel: number;
  /** Calibrated spectrum (K), full band. */
  spectrum: Float64Array;
  /** Tsys per channel (K), full band. */
  tsys: Float64Array;
  /** Integration time (s). */
  exposure: number;
}

/** Options of {@link sdfitsFromSwitched}. */
export interface SwitchedSdfitsOptions {
  /** `Bs:BSWITCH:NONE` or `Ps:PSWITCH:NONE`. */
  obsmode: string;
  /** Channels [lo, hi) written (default all). */
  slice?: [number, number];
  history?: string;
}

/**
 * The SDFITS model of switched spectra (process_bs, process_ps): one row each, on the VLSR axis of
 * the obsnum's bank as an LSR frequency axis (radio definition) made topocentric at the obsnum's start
 * towards the source; TSYS = mean of the Tsys channels written.
 */
export function sdfitsFromSwitched(rows: SwitchedRow[], o: SwitchedSdfitsOptions): Sdfits {
  const out: SdfitsRow[] = [];
  for (const r of rows) {
    const h = r.obs.header, a = r.obs.axis;
    const [lo, hi] = o.slice ?? [0, a.nchan];
    const t0 = r.obs.startTime; // unix seconds of the obsnum's first telescope sample
    const t = new Date(Number.isFinite(t0) ? t0 * 1000 : Date.UTC(2000, 0, 1));
    const ra = h.ra / DEG, dec = h.dec / DEG;
    // VLSR(i) = (i − ch0)·dvdc + v0Lsr + voff  →  f_lsr(i) = frest·(1 − VLSR(i)/c)
    const v0 = a.v0Lsr + a.voff;
    const lsr = {
      crval: a.frest * (1 - v0 / C_KMS),
      crpix: a.ch0 + 1 - lo,
      cdelt: -a.frest * a.dvdc / C_KMS,
    };
    const axis = lsrAxisToTopo(lsr, ra, dec, t, LMT_SITE);
    const n = hi - lo;
    let ts = 0, tn = 0;
    for (let c = lo; c < hi; c++) {
      if (Number.isFinite(r.tsys[c]!)) {
        ts += r.tsys[c]!;
        tn++;
      }
    }
    out.push({
      object: h.sourceName,
      scan: r.obs.obsnum,
      ifnum: a.bank,
      plnum: 0,
      fdnum: r.pixel,
      procseqn: 1,
      obsmode: o.obsmode,
      dateObs: formatDateObs(t),
      lst: lstSeconds(t, LMT_SITE),
      exposure: r.exposure,
      duration: r.exposure,
      tsys: tn > 0 ? ts / tn : NaN,
      tcal: 1,
      elevation: h.elDesPos / DEG,
      azimuth: h.azDesPos / DEG,
      crval1: axis.crval,
      crpix1: axis.crpix,
      cdelt1: axis.cdelt,
      ctype2: "RA",
      ctype3: "DEC",
      crval2: ra,
      crval3: dec,
      crval4: -5,
      restfreq: a.frest,
      veldef: "RADI-LSR",
      velocity: h.velocity * 1000,
      equinox: 2000,
      radesys: "FK5",
      bandwid: n * Math.abs(axis.cdelt),
      freqres: Math.abs(a.dfdc),
      obsfreq: axis.crval + ((n - 1) / 2 + 1 - axis.crpix) * axis.cdelt,
      frontend: h.receiver,
      backend: "RoachSpectrometer",
      apEff: NaN,
      surfErr: NaN,
      data: Float32Array.from(r.spectrum.subarray(lo, hi)),
    });
  }
  const hd = new FitsHeader();
  if (o.history) hd.history(ascii(o.history));
  return { telescope: "LMT", site: LMT_SITE, rows: out, header: hd };
}
