/**
 * SDFITS (single-dish FITS, the GBT/dysh flavour): one BINTABLE `EXTNAME = 'SINGLE DISH'` with one
 * row per calibrated spectrum. Model ({@link Sdfits}, {@link SdfitsRow}), encoder
 * ({@link encodeSdfits}) and decoder ({@link parseSdfits}, {@link readSdfits}); columns and keywords
 * are listed in docs/formats.md.
 *
 * Frequency axes are stored as GBT does: CTYPE1 `FREQ-OBS`, CRVAL1/CDELT1 topocentric Hz at the row's
 * DATE-OBS, CRPIX1 1-based. {@link lsrAxisToTopo} converts an LSR axis (SEQ SpecFiles, process_bs) with
 * the LSR velocity of lib/sdfits/lsr.ts; {@link topoAxisToLsr} undoes it.
 *
 * @example
 * ```ts
 * import { LMT_SITE } from "./lsr.ts";
 *
 * function roundTrip(row: SdfitsRow) {
 *   const bytes = encodeSdfits({ telescope: "LMT", site: LMT_SITE, rows: [row] });
 *   const back = parseSdfits(bytes, "x.sdfits");
 *   return back.rows[0]!.data.length; // nchan
 * }
 * ```
 * @module
 */
import { FitsHeader } from "../fits/header.ts";
import { parseFits, readFits } from "../fits/reader.ts";
import type { FitsHdu } from "../fits/reader.ts";
import { type BinColumnSpec, type BinTable, encodeBinTableFile, readBinTable } from "../fits/bintable.ts";
import { LMT_SITE, lsrToTopoFactor, lsrVelocity, lstHours, type Site } from "./lsr.ts";

/** EXTNAME of the table. */
export const SDFITS_EXTNAME = "SINGLE DISH";

/** One calibrated spectrum. Frequencies in Hz, velocities in m/s, angles in degrees, times in s. */
export interface SdfitsRow {
  object: string;
  scan: number;
  ifnum: number;
  plnum: number;
  fdnum: number;
  procseqn: number;
  /** `PROC:TYPE:SUB`, e.g. `Bs:BSWITCH:NONE`. */
  obsmode: string;
  /** UTC `YYYY-MM-DDTHH:MM:SS.ss`. */
  dateObs: string;
  /** Local sidereal time, seconds. */
  lst: number;
  exposure: number;
  duration: number;
  tsys: number;
  tcal: number;
  elevation: number;
  azimuth: number;
  /** Topocentric frequency axis: value at 1-based pixel crpix1, increment. */
  crval1: number;
  crpix1: number;
  cdelt1: number;
  /** `RA`/`DEC` or `GLON`/`GLAT`. */
  ctype2: string;
  ctype3: string;
  crval2: number;
  crval3: number;
  /** Stokes code: -5 XX, -6 YY, 1 I. */
  crval4: number;
  restfreq: number;
  /** `RADI-LSR`, `RADI-OBS`, ... */
  veldef: string;
  /** Source velocity, m/s. */
  velocity: number;
  equinox: number;
  radesys: string;
  bandwid: number;
  freqres: number;
  obsfreq: number;
  frontend: string;
  backend: string;
  apEff: number;
  surfErr: number;
  /** Spectrum (K), NaN = no data. */
  data: Float32Array;
  /** One byte per channel (non-zero = flagged), optional. */
  flags?: Uint8Array;
  /** Toolkit extension: the SpecFile's baseline RMS of this spectrum (K). */
  rms?: number;
}

/** A whole SDFITS file. */
export interface Sdfits {
  telescope: string;
  observer?: string;
  projid?: string;
  site: Site;
  rows: SdfitsRow[];
  /** Extra cards for the table header (e.g. MAPCRVL2/MAPCRVL3, HISTORY). */
  header?: FitsHeader;
}

function strCol(name: string, rows: SdfitsRow[], get: (r: SdfitsRow) => string): BinColumnSpec {
  const data = rows.map(get);
  const width = Math.max(8, ...data.map((s) => s.length));
  return { name, format: "A", repeat: width, data };
}

function dCol(name: string, rows: SdfitsRow[], get: (r: SdfitsRow) => number, unit?: string): BinColumnSpec {
  return { name, format: "D", data: Float64Array.from(rows, get), ...(unit ? { unit } : {}) };
}

function iCol(
  name: string,
  rows: SdfitsRow[],
  get: (r: SdfitsRow) => number,
  format: "I" | "J",
): BinColumnSpec {
  return { name, format, data: format === "I" ? Int16Array.from(rows, get) : Int32Array.from(rows, get) };
}

/** Encode an SDFITS file (empty primary HDU + the SINGLE DISH table). All rows need the same channel count. */
export function encodeSdfits(sd: Sdfits): Uint8Array {
  const rows = sd.rows;
  if (rows.length === 0) throw new RangeError("SDFITS: no spectra to write");
  const nchan = rows[0]!.data.length;
  for (const r of rows) {
    if (r.data.length !== nchan) {
      throw new RangeError(
        `SDFITS: all rows need the same number of channels (${r.data.length} vs ${nchan})`,
      );
    }
  }
  const data = new Float32Array(rows.length * nchan);
  rows.forEach((r, i) => data.set(r.data, i * nchan));
  const site = sd.site;
  const cols: BinColumnSpec[] = [
    strCol("OBJECT", rows, (r) => r.object),
    iCol("SCAN", rows, (r) => r.scan, "J"),
    strCol("OBSMODE", rows, (r) => r.obsmode),
    iCol("PROCSEQN", rows, (r) => r.procseqn, "J"),
    iCol("IFNUM", rows, (r) => r.ifnum, "I"),
    iCol("PLNUM", rows, (r) => r.plnum, "I"),
    iCol("FDNUM", rows, (r) => r.fdnum, "I"),
    strCol("DATE-OBS", rows, (r) => r.dateObs),
    dCol("LST", rows, (r) => r.lst, "s"),
    dCol("EXPOSURE", rows, (r) => r.exposure, "s"),
    dCol("DURATION", rows, (r) => r.duration, "s"),
    dCol("TSYS", rows, (r) => r.tsys, "K"),
    dCol("TCAL", rows, (r) => r.tcal, "K"),
    strCol("CAL", rows, () => "F"),
    strCol("SIG", rows, () => "T"),
    strCol("TSCALE", rows, () => "Ta*"),
    dCol("ELEVATIO", rows, (r) => r.elevation, "deg"),
    dCol("AZIMUTH", rows, (r) => r.azimuth, "deg"),
    { name: "DATA", format: "E", repeat: nchan, unit: "K", data },
    strCol("CTYPE1", rows, () => "FREQ-OBS"),
    dCol("CRVAL1", rows, (r) => r.crval1, "Hz"),
    dCol("CRPIX1", rows, (r) => r.crpix1),
    dCol("CDELT1", rows, (r) => r.cdelt1, "Hz"),
    strCol("CTYPE2", rows, (r) => r.ctype2),
    dCol("CRVAL2", rows, (r) => r.crval2, "deg"),
    strCol("CTYPE3", rows, (r) => r.ctype3),
    dCol("CRVAL3", rows, (r) => r.crval3, "deg"),
    strCol("CTYPE4", rows, () => "STOKES"),
    iCol("CRVAL4", rows, (r) => r.crval4, "I"),
    dCol("RESTFREQ", rows, (r) => r.restfreq, "Hz"),
    strCol("VELDEF", rows, (r) => r.veldef),
    dCol("VELOCITY", rows, (r) => r.velocity, "m/s"),
    dCol("EQUINOX", rows, (r) => r.equinox),
    strCol("RADESYS", rows, (r) => r.radesys),
    dCol("BANDWID", rows, (r) => r.bandwid, "Hz"),
    dCol("FREQRES", rows, (r) => r.freqres, "Hz"),
    dCol("OBSFREQ", rows, (r) => r.obsfreq, "Hz"),
    strCol("FRONTEND", rows, (r) => r.frontend),
    strCol("BACKEND", rows, (r) => r.backend),
    strCol("OBSERVER", rows, () => sd.observer ?? ""),
    strCol("PROJID", rows, () => sd.projid ?? ""),
    dCol("AP_EFF", rows, (r) => r.apEff),
    dCol("SURF_ERR", rows, (r) => r.surfErr, "um"),
    dCol("SITELONG", rows, () => site.long, "deg"),
    dCol("SITELAT", rows, () => site.lat, "deg"),
    dCol("SITEELEV", rows, () => site.elev, "m"),
  ];
  if (rows.some((r) => r.rms !== undefined)) {
    // float64: dysh 1.1.0's index cannot take big-endian float32 columns it does not know
    cols.push({ name: "RMS", format: "D", unit: "K", data: Float64Array.from(rows, (r) => r.rms ?? NaN) });
  }
  if (rows.some((r) => r.flags !== undefined)) {
    const fl = new Uint8Array(rows.length * nchan);
    rows.forEach((r, i) => r.flags && fl.set(r.flags, i * nchan));
    cols.push({ name: "FLAGS", format: "B", repeat: nchan, data: fl });
  }
  const h = new FitsHeader();
  h.set("TELESCOP", sd.telescope, "telescope");
  h.set("SITELONG", site.long, "deg east");
  h.set("SITELAT", site.lat, "deg");
  h.set("SITEELEV", site.elev, "m");
  if (sd.projid) h.set("PROJID", sd.projid);
  if (sd.observer) h.set("OBSERVER", sd.observer);
  if (sd.header) h.merge(sd.header);
  const primary = new FitsHeader()
    .set("TELESCOP", sd.telescope)
    .set("ORIGIN", "lmt-slr-toolkit")
    .set("INSTRUME", rows[0]!.frontend)
    .set("SDFITVER", "sdfits ver1.22", "SDFITS format version (GBT)");
  return encodeBinTableFile(primary, [{
    extname: SDFITS_EXTNAME,
    nrows: rows.length,
    columns: cols,
    header: h,
  }]);
}

/** True when the bytes start like a FITS file (a `SIMPLE  =` card). */
export function looksLikeFits(head: Uint8Array): boolean {
  const s = new TextDecoder("latin1").decode(head.subarray(0, 9));
  return s === "SIMPLE  =";
}

/** A decoded SDFITS file: the tables (one per SINGLE DISH HDU) and the file name. */
export interface SdfitsTables {
  path: string;
  tables: BinTable[];
}

function tablesOf(hdus: FitsHdu[], name: string): SdfitsTables {
  const tables = hdus
    .filter((h) => h.type === "BINTABLE" && String(h.header.get("EXTNAME") ?? "").trim() === SDFITS_EXTNAME)
    .map((h) => readBinTable(h, name));
  if (tables.length === 0) throw new SyntaxError(`${name}: not an SDFITS file: no '${SDFITS_EXTNAME}' table`);
  return { path: name, tables };
}

/** Decode the SINGLE DISH tables of SDFITS bytes. */
export function parseSdfitsTables(bytes: Uint8Array, name = "<memory>"): SdfitsTables {
  return tablesOf(parseFits(bytes, name).hdus, name);
}

/** Read the SINGLE DISH tables of an SDFITS file. */
export function readSdfitsTables(path: string): SdfitsTables {
  return tablesOf(readFits(path).hdus, path);
}

/** The rows of one table as {@link SdfitsRow}s (missing columns: NaN, 0 or ""). */
export function tableRows(t: BinTable): SdfitsRow[] {
  const n = t.nrows;
  const num = (c: string, d = NaN) => (t.has(c) ? t.numbers(c) : new Float64Array(n).fill(d));
  const str = (c: string, d = "") => (t.has(c) ? t.strings(c) : new Array<string>(n).fill(d));
  const nchan = t.column("DATA").repeat;
  const data = t.float32("DATA");
  const flags = t.has("FLAGS") ? t.numbers("FLAGS") : undefined;
  const rms = t.has("RMS") ? t.numbers("RMS") : undefined;
  const c = {
    object: str("OBJECT"),
    scan: num("SCAN", 0),
    ifnum: num("IFNUM", 0),
    plnum: num("PLNUM", 0),
    fdnum: num("FDNUM", 0),
    procseqn: num("PROCSEQN", 0),
    obsmode: str("OBSMODE"),
    dateObs: str("DATE-OBS"),
    lst: num("LST"),
    exposure: num("EXPOSURE"),
    duration: num("DURATION"),
    tsys: num("TSYS"),
    tcal: num("TCAL"),
    elevation: num("ELEVATIO"),
    azimuth: num("AZIMUTH"),
    crval1: num("CRVAL1"),
    crpix1: num("CRPIX1"),
    cdelt1: num("CDELT1"),
    ctype2: str("CTYPE2", "RA"),
    ctype3: str("CTYPE3", "DEC"),
    crval2: num("CRVAL2"),
    crval3: num("CRVAL3"),
    crval4: num("CRVAL4", 1),
    restfreq: num("RESTFREQ"),
    veldef: str("VELDEF"),
    velocity: num("VELOCITY", 0),
    equinox: num("EQUINOX"),
    radesys: str("RADESYS"),
    bandwid: num("BANDWID"),
    freqres: num("FREQRES"),
    obsfreq: num("OBSFREQ"),
    frontend: str("FRONTEND"),
    backend: str("BACKEND"),
    apEff: num("AP_EFF"),
    surfErr: num("SURF_ERR"),
  };
  const rows: SdfitsRow[] = [];
  for (let i = 0; i < n; i++) {
    const r: SdfitsRow = {
      object: c.object[i]!,
      scan: c.scan[i]!,
      ifnum: c.ifnum[i]!,
      plnum: c.plnum[i]!,
      fdnum: c.fdnum[i]!,
      procseqn: c.procseqn[i]!,
      obsmode: c.obsmode[i]!,
      dateObs: c.dateObs[i]!,
      lst: c.lst[i]!,
      exposure: c.exposure[i]!,
      duration: c.duration[i]!,
      tsys: c.tsys[i]!,
      tcal: c.tcal[i]!,
      elevation: c.elevation[i]!,
      azimuth: c.azimuth[i]!,
      crval1: c.crval1[i]!,
      crpix1: c.crpix1[i]!,
      cdelt1: c.cdelt1[i]!,
      ctype2: c.ctype2[i]!,
      ctype3: c.ctype3[i]!,
      crval2: c.crval2[i]!,
      crval3: c.crval3[i]!,
      crval4: c.crval4[i]!,
      restfreq: c.restfreq[i]!,
      veldef: c.veldef[i]!,
      velocity: c.velocity[i]!,
      equinox: c.equinox[i]!,
      radesys: c.radesys[i]!,
      bandwid: c.bandwid[i]!,
      freqres: c.freqres[i]!,
      obsfreq: c.obsfreq[i]!,
      frontend: c.frontend[i]!,
      backend: c.backend[i]!,
      apEff: c.apEff[i]!,
      surfErr: c.surfErr[i]!,
      data: data.slice(i * nchan, (i + 1) * nchan),
    };
    if (flags) r.flags = Uint8Array.from(flags.subarray(i * nchan, (i + 1) * nchan));
    if (rms) r.rms = rms[i]!;
    rows.push(r);
  }
  return rows;
}

/** An SDFITS file as a model (rows of every SINGLE DISH table in order). */
export function sdfitsFromTables(t: SdfitsTables): Sdfits {
  const h = t.tables[0]!.header;
  const numOr = (k: string, d: number) => (typeof h.get(k) === "number" ? h.get(k) as number : d);
  const rows = t.tables.flatMap(tableRows);
  const first = t.tables[0]!;
  const col = (c: string, d: number) => (first.has(c) && first.nrows > 0 ? first.numbers(c)[0]! : d);
  return {
    telescope: String(h.get("TELESCOP") ?? ""),
    observer: first.has("OBSERVER") ? first.strings("OBSERVER")[0] ?? "" : String(h.get("OBSERVER") ?? ""),
    projid: first.has("PROJID") ? first.strings("PROJID")[0] ?? "" : String(h.get("PROJID") ?? ""),
    site: {
      long: col("SITELONG", numOr("SITELONG", NaN)),
      lat: col("SITELAT", numOr("SITELAT", NaN)),
      elev: col("SITEELEV", numOr("SITEELEV", NaN)),
    },
    rows,
  };
}

/** Decode SDFITS bytes into the model. */
export function parseSdfits(bytes: Uint8Array, name = "<memory>"): Sdfits {
  return sdfitsFromTables(parseSdfitsTables(bytes, name));
}

/** Read an SDFITS file into the model. */
export function readSdfits(path: string): Sdfits {
  return sdfitsFromTables(readSdfitsTables(path));
}

/** `YYYY-MM-DDTHH:MM:SS.ss` (UTC) of a time. */
export function formatDateObs(t: Date): string {
  const iso = t.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return iso.slice(0, 22);
}

/** Parse a DATE-OBS (`YYYY-MM-DD[THH:MM:SS[.f]]`, UTC); undefined when it is not a date. */
export function parseDateObsUtc(s: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?))?$/.exec(s.trim());
  if (m === null) return undefined;
  const d = new Date(`${m[1]}T${m[2] ?? "00:00:00"}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** LST (seconds) at a site. */
export function lstSeconds(t: Date, site: Site = LMT_SITE): number {
  return lstHours(t, site) * 3600;
}

/** A linear frequency axis: value `crval` (Hz) at 1-based pixel `crpix`, increment `cdelt` (Hz). */
export interface FreqAxis {
  crval: number;
  crpix: number;
  cdelt: number;
}

/**
 * The topocentric axis at time t of a linear LSR frequency axis, towards (ra, dec) degrees:
 * f_topo = k·f_lsr (k from the LSR velocity), so CRVAL and CDELT both scale by k.
 */
export function lsrAxisToTopo(
  a: FreqAxis,
  ra: number,
  dec: number,
  t: Date,
  site: Site = LMT_SITE,
): FreqAxis {
  const k = lsrToTopoFactor(lsrVelocity(ra, dec, t, site));
  return { crval: a.crval * k, crpix: a.crpix, cdelt: a.cdelt * k };
}

/** Inverse of {@link lsrAxisToTopo}. */
export function topoAxisToLsr(
  a: FreqAxis,
  ra: number,
  dec: number,
  t: Date,
  site: Site = LMT_SITE,
): FreqAxis {
  const k = lsrToTopoFactor(lsrVelocity(ra, dec, t, site));
  return { crval: a.crval / k, crpix: a.crpix, cdelt: a.cdelt / k };
}

/** Frequency (Hz) of 0-based channel i on an axis. */
export function channelFrequency(a: FreqAxis, i: number): number {
  return a.crval + (i + 1 - a.crpix) * a.cdelt;
}

/**
 * The time average of rows as dysh's `timeaverage` weights them: w = EXPOSURE·|CDELT1|/TSYS²,
 * channel by channel over the rows where the value is finite and not flagged (NaN where none is).
 */
export function weightedAverage(rows: SdfitsRow[]): Float64Array {
  const n = rows[0]?.data.length ?? 0;
  const sum = new Float64Array(n), wsum = new Float64Array(n);
  for (const r of rows) {
    const w = r.exposure * Math.abs(r.cdelt1) / (r.tsys * r.tsys);
    for (let k = 0; k < n; k++) {
      const v = r.data[k]!;
      if (!Number.isFinite(v) || (r.flags !== undefined && r.flags[k] !== 0)) continue;
      sum[k] = sum[k]! + w * v;
      wsum[k] = wsum[k]! + w;
    }
  }
  for (let k = 0; k < n; k++) sum[k] = wsum[k]! > 0 ? sum[k]! / wsum[k]! : NaN;
  return sum;
}
