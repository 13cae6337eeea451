/**
 * SDFITS as a gridder input: the SINGLE DISH rows turned into the table the gridder reads from a
 * SpecFile ({@link SpecFileTable}) and the spectra rows (DATA).
 *
 * - Rows gridded: those of the first row's IFNUM with positions (CRVAL2/CRVAL3 finite); the others are
 *   left out with a note. Pixel = FDNUM.
 * - Positions: offsets (arcsec) from the map centre in the gridder's flat projection,
 *   dx = (x − x0)·cos y0·3600, dy = (y − y0)·3600. The centre is MAPCRVL2/MAPCRVL3 when the file has
 *   them (files written by the toolkit), else the middle of the rows' range. CTYPE2 RA or GLON (the
 *   first row's with either; rows in other systems, e.g. AZ, are left out with a note).
 * - Spectral axis: the first row's topocentric FREQ-OBS axis back to the LSR (VELDEF frame other than
 *   OBS/TOP) at its DATE-OBS, then radio velocity v = c·(1 − f/RESTFREQ) in km/s; files written by the
 *   toolkit carry the SpecFile's axis (SPECCRVL/SPECCRPX/SPECCDLT), used when it is the same axis.
 * - RMS: the RMS column when present, else the radiometer estimate TSYS/√(|FREQRES|·EXPOSURE).
 * - Tsys per pixel: mean TSYS of the pixel's rows.
 *
 * @module
 */
import { galacticToIcrs, LMT_SITE, type Site } from "../sdfits/lsr.ts";
import { C_KMS } from "../num/constants.ts";
import { parseDateObsUtc, type SdfitsTables, topoAxisToLsr } from "../sdfits/sdfits.ts";
import type { BinTable } from "../fits/bintable.ts";
import { GridError } from "./errors.ts";
import type { SpecFileTable, SpecTableSource } from "../specfile/mod.ts";

const f = Math.fround;
const DEG = Math.PI / 180;

/** Open SDFITS tables as a gridder input; `notes` receives what was left out. */
export function sdfitsGridSource(sd: SdfitsTables, notes: string[] = []): SpecTableSource {
  const path = sd.path;
  // rows of every SINGLE DISH table: (table, row)
  const first = sd.tables.find((t) => t.nrows > 0);
  if (first === undefined) throw new GridError(`${path}: the SDFITS file has no rows`);
  for (const c of ["DATA", "CRVAL1", "CDELT1", "CRPIX1", "CRVAL2", "CRVAL3", "RESTFREQ", "DATE-OBS"]) {
    if (!first.has(c)) throw new GridError(`${path}: SDFITS column ${c} is missing`);
  }
  const nchan = first.column("DATA").repeat;
  const ifnum0 = first.has("IFNUM") ? first.numbers("IFNUM")[0]! : 0;
  // the celestial system: the first row's with RA/DEC or GLON/GLAT positions
  const kindOf = (c: string) => c.startsWith("RA") ? "RA" : c.startsWith("GLON") ? "GLON" : "";
  let kind = "";
  for (const t of sd.tables) {
    if (kind === "" && t.nrows > 0 && t.has("CTYPE2")) {
      kind = t.strings("CTYPE2").map((c) => kindOf(c.trim().toUpperCase())).find((k) => k !== "") ?? "";
    }
  }
  if (kind === "" && !first.has("CTYPE2")) kind = "RA";
  if (kind === "") {
    const c2 = first.strings("CTYPE2")[0]!.trim();
    throw new GridError(`${path}: positions in CTYPE2 = ${c2} cannot be gridded (RA/DEC or GLON/GLAT)`);
  }
  const picks: { t: BinTable; row: number }[] = [];
  let skipIf = 0, skipPos = 0, skipShape = 0, skipSys = 0;
  type Cols = Record<
    "ifnum" | "x" | "y" | "fd" | "tsys" | "exposure" | "freqres" | "cdelt" | "rms",
    Float64Array
  >;
  const cols = new Map<BinTable, Cols>();
  for (const t of sd.tables) {
    if (t.nrows === 0) continue;
    if (!t.has("DATA") || t.column("DATA").repeat !== nchan) {
      skipShape += t.nrows;
      continue;
    }
    const n = (c: string, d: number) => (t.has(c) ? t.numbers(c) : new Float64Array(t.nrows).fill(d));
    const c: Cols = {
      ifnum: n("IFNUM", 0),
      x: n("CRVAL2", NaN),
      y: n("CRVAL3", NaN),
      fd: n("FDNUM", 0),
      tsys: n("TSYS", NaN),
      exposure: n("EXPOSURE", NaN),
      freqres: n("FREQRES", NaN),
      cdelt: n("CDELT1", NaN),
      rms: n("RMS", NaN),
    };
    cols.set(t, c);
    const sys = t.has("CTYPE2") ? t.strings("CTYPE2").map((x) => kindOf(x.trim().toUpperCase())) : undefined;
    for (let r = 0; r < t.nrows; r++) {
      if (c.ifnum[r] !== ifnum0) skipIf++;
      else if (sys !== undefined && sys[r] !== kind) skipSys++;
      else if (!Number.isFinite(c.x[r]!) || !Number.isFinite(c.y[r]!)) skipPos++;
      else picks.push({ t, row: r });
    }
  }
  if (skipIf) notes.push(`${path}: ${skipIf} rows of IFNUM other than ${ifnum0} not gridded`);
  if (skipPos) notes.push(`${path}: ${skipPos} rows without a position (CRVAL2/CRVAL3) not gridded`);
  if (skipSys) {
    notes.push(`${path}: ${skipSys} rows with positions in another system than ${kind} not gridded`);
  }
  if (skipShape) notes.push(`${path}: ${skipShape} rows with another channel count not gridded`);
  if (picks.length === 0) throw new GridError(`${path}: no SDFITS row with a position to grid`);
  const h = first.header;
  const kw = (k: string): number | undefined => {
    const v = h.get(k);
    return typeof v === "number" ? v : undefined;
  };
  const kws = (k: string): string | undefined => {
    const v = h.get(k);
    return typeof v === "string" ? v.trim() : undefined;
  };
  const gal = kind === "GLON";
  const nspec = picks.length;
  const X = new Float64Array(nspec), Y = new Float64Array(nspec);
  picks.forEach((p, i) => {
    const c = cols.get(p.t)!;
    X[i] = c.x[p.row]!;
    Y[i] = c.y[p.row]!;
  });
  let x0 = kw("MAPCRVL2"), y0 = kw("MAPCRVL3");
  if (x0 === undefined || y0 === undefined) {
    // middle of the rows' range (RA unwrapped around the first row)
    const xr = X[0]!;
    let lo = Infinity, hi = -Infinity, ylo = Infinity, yhi = -Infinity;
    for (let i = 0; i < nspec; i++) {
      const dx = ((X[i]! - xr + 540) % 360) - 180;
      lo = Math.min(lo, dx);
      hi = Math.max(hi, dx);
      ylo = Math.min(ylo, Y[i]!);
      yhi = Math.max(yhi, Y[i]!);
    }
    x0 = (((xr + (lo + hi) / 2) % 360) + 360) % 360;
    y0 = (ylo + yhi) / 2;
  }
  const cy = Math.cos(y0 * DEG);
  const xpos = new Float32Array(nspec), ypos = new Float32Array(nspec);
  const rms = new Float32Array(nspec), pixel = new Int32Array(nspec);
  const tsum = new Float64Array(64), tn = new Float64Array(64);
  picks.forEach((p, i) => {
    const c = cols.get(p.t)!;
    xpos[i] = (((X[i]! - x0! + 540) % 360) - 180) * cy * 3600;
    ypos[i] = (Y[i]! - y0!) * 3600;
    const fd = c.fd[p.row]!;
    if (!Number.isInteger(fd) || fd < 0 || fd > 63) {
      throw new GridError(`${path}: FDNUM ${fd} of row ${p.row + 1} is outside 0..63`);
    }
    pixel[i] = fd;
    const ts = c.tsys[p.row]!;
    tsum[fd] = tsum[fd]! + ts;
    tn[fd] = tn[fd]! + 1;
    const r = c.rms[p.row]!;
    const df = Math.abs(Number.isFinite(c.freqres[p.row]!) ? c.freqres[p.row]! : c.cdelt[p.row]!);
    rms[i] = Number.isFinite(r) ? r : ts / Math.sqrt(df * c.exposure[p.row]!);
  });
  const tsysMean = new Float32Array(64).fill(NaN);
  for (let p = 0; p < 64; p++) if (tn[p]! > 0) tsysMean[p] = tsum[p]! / tn[p]!;
  // spectral axis from the first picked row
  const t0 = picks[0]!.t, r0 = picks[0]!.row;
  const num0 = (c: string, d: number) => (t0.has(c) ? t0.numbers(c)[r0]! : d);
  const str0 = (c: string) => (t0.has(c) ? t0.strings(c)[r0]!.trim() : "");
  const restfreq = num0("RESTFREQ", NaN);
  if (!(restfreq > 0)) throw new GridError(`${path}: RESTFREQ of the first row is ${restfreq}`);
  const veldef = str0("VELDEF").toUpperCase();
  const topo = /-(OBS|TOP)/.test(veldef);
  const dateStr = str0("DATE-OBS");
  const date = parseDateObsUtc(dateStr);
  if (date === undefined) {
    throw new GridError(`${path}: DATE-OBS "${dateStr}" of the first row is not a date`);
  }
  const site: Site = {
    long: num0("SITELONG", kw("SITELONG") ?? LMT_SITE.long),
    lat: num0("SITELAT", kw("SITELAT") ?? LMT_SITE.lat),
    elev: num0("SITEELEV", kw("SITEELEV") ?? LMT_SITE.elev),
  };
  const axisTopo = { crval: num0("CRVAL1", NaN), crpix: num0("CRPIX1", NaN), cdelt: num0("CDELT1", NaN) };
  const [ra0, dec0] = gal ? galacticToIcrs(X[0]!, Y[0]!) : [X[0]!, Y[0]!];
  const axis = topo ? axisTopo : topoAxisToLsr(axisTopo, ra0, dec0, date, site);
  let crpix = axis.crpix - 1; // SpecFile CRPIX is 0-based
  let crval = C_KMS * (1 - axis.crval / restfreq);
  let cdelt = -C_KMS * axis.cdelt / restfreq;
  let ctype = topo ? "VSKY" : "VLSR";
  // files written by the toolkit keep the SpecFile's axis (velocity, or frequency for FLSR/FSKY
  // SpecFiles): use it when it is the same axis
  const [sv, sp, sc] = [kw("SPECCRVL"), kw("SPECCRPX"), kw("SPECCDLT")];
  const sct = (kws("SPECCTYP") ?? "").toUpperCase();
  if (sv !== undefined && sp !== undefined && sc !== undefined) {
    const freq = sct.startsWith("F");
    const [v0, d0, tol] = freq
      ? [axis.crval + (sp + 1 - axis.crpix) * axis.cdelt, axis.cdelt, 1e-3]
      : [crval + (sp - crpix) * cdelt, cdelt, 1e-6];
    if (Math.abs(v0 - sv) < tol && Math.abs(sc - d0) < 1e-9 * Math.abs(d0) + 1e-12) {
      [crval, crpix, cdelt] = [sv, sp, sc];
      if (freq) ctype = sct;
    }
  }
  const specDate = kws("SPECDATE") ?? dateStr.replace(/\.\d*$/, "");
  const table: SpecFileTable = {
    path,
    nspec,
    nchan,
    nchan0: kw("NCHAN0") ?? nchan,
    chan0: kw("CHAN0") ?? 0,
    ncal: Number.isNaN(tsysMean[pixel[0]!]!) ? 0 : 1,
    obsnum: num0("SCAN", 0),
    mapCoord: kw("MAPCOORD") ?? (gal ? 2 : 1),
    sourceName: str0("OBJECT"),
    xPosition: x0,
    yPosition: y0,
    positionIsFloat32: Math.fround(x0) === x0 && Math.fround(y0) === y0,
    dumpTime: f(num0("EXPOSURE", 0.1)),
    offX: f(kw("MAPOFFX") ?? 0),
    offY: f(kw("MAPOFFY") ?? 0),
    dateObs: specDate,
    receiver: str0("FRONTEND"),
    version: "",
    history: "",
    restFrequency: restfreq,
    vSource: num0("VELOCITY", 0) / 1000,
    deltaFrequency: f(kw("DELTAF") ?? Math.abs(num0("FREQRES", axisTopo.cdelt))),
    crval,
    crpix,
    cdelt,
    ctype,
    xpos,
    ypos,
    rms,
    pixel,
    tsysMean,
  };
  return {
    kind: "table",
    path,
    table: () => ({ ...table, xpos: table.xpos.slice(), ypos: table.ypos.slice() }),
    readRows(start, count, nc, into) {
      if (nc !== nchan) throw new RangeError(`${path}: rows have ${nchan} channels, not ${nc}`);
      const out = into ? into.subarray(0, count * nchan) : new Float32Array(count * nchan);
      for (let i = 0; i < count; i++) {
        const p = picks[start + i]!;
        out.set(p.t.float32("DATA", p.row, 1), i * nchan);
      }
      return out;
    },
    close() {},
  };
}
