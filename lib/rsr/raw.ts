/**
 * Reading one RedshiftChassis raw netCDF file (one chassis of one RSR obsnum) into a typed model,
 * and the RSR frequency axes (rsr.md §1.4–1.6, §2.1, §2.2).
 *
 * Header access follows dreampy3 (group = second dot component, key = last component) but is strict
 * where dreampy3 crashes later (quirk R10): scalars and 1-element arrays are both accepted,
 * `CorrCalId` must hold one value, `BoardNumber` must be 0..5, char values are trimmed of blanks and
 * NULs. Every error names the file and the variable.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { openNetcdf } from "../netcdf/mod.ts";
import { RSR_CHASSIS } from "../lmt/rsr_files.ts";
import type { NcFile } from "../netcdf/types.ts";

/** Number of correlator boards per chassis. */
export const NBOARD = 6;
/** Number of lags (and spectral channels) per board. */
export const NLAG = 256;
/** Chassis of the RSR (one raw file each per obsnum, numbered 0..NCHASSIS−1: `RSR_CHASSIS`). */
export const NCHASSIS = RSR_CHASSIS.length;
/** Samples per second used to convert AccSamples into seconds (dreampy3, hard-coded). */
export const SAMPLES_PER_SECOND = 48124;

/** Default front-end LOs (GHz), used when the header value is missing or 0. */
export const DEFAULT_FE_LO = { low: 93.4, high: 112.296 } as const;
/** Default chassis (back-end) LOs (GHz). */
export const DEFAULT_BE_LO = { low: 15.4, high: 21.7 } as const;
/** Slot number → band number (1..6) when `BandName` is absent. */
export const SLOT_TO_BAND: Readonly<Record<number, number>> = { 5: 1, 8: 3, 11: 2, 14: 4, 17: 6, 20: 5 };

/** A raw RSR file is unusable (missing or malformed variable). Message names file and variable. */
export class RsrDataError extends DataError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "RsrDataError";
    this.file = file;
  }
}

/** Header values of one chassis file used by the RSR chain. */
export interface RsrHeader {
  /** Path of the file read. */
  path: string;
  /** Chassis number 0..3 (from the `RedshiftChassis_<c>_` group name). */
  chassis: number;
  obsnum: number;
  subobsnum: number;
  scannum: number;
  /** `Dcs.ObsPgm`: "Bs", "Cal", ... */
  obsPgm: string;
  obsGoal: string;
  projectId: string;
  sourceName: string;
  /** `Source.Ra[0]`, radians. */
  ra: number;
  /** `Source.Dec[0]`, radians. */
  dec: number;
  /** `CalObsNum` of this chassis, null when absent. */
  calObsNum: number | null;
  /** `CorrCalId` (single value), null when absent. */
  corrCalId: number | null;
  /** VME slot numbers of the 6 boards. */
  slotNumber: number[];
  /** Board numbers (0..5) of the 6 boards. */
  boardNumber: number[];
  /** Band numbers 1..6 per board from `BandName`, null when absent. */
  bandName: number[] | null;
  /** Chassis (back-end) LOs, GHz. */
  chassisLoLow: number;
  chassisLoHigh: number;
  /** Front-end LOs, GHz (0 or missing → default). */
  feLoLow: number;
  feLoHigh: number;
  /** `Rsfend.Temperature` array, null when absent. */
  rsfendTemperature: Float64Array | null;
  /** `Cal.CalMode`, null when absent. */
  calMode: number | null;
  /** `Bs.NumRepeats`, `Bs.TSamp` (s), null when absent. */
  bsNumRepeats: number | null;
  bsTSamp: number | null;
  /** `Radiometer.Tau`, null when absent. */
  tau: number | null;
  /** `TimePlace.UTDate` (decimal year), NaN when absent. */
  utDate: number;
  /** `AccumMode` of the chassis, "" when absent. */
  accumMode: string;
  /** `Dcs.IntegrationTime` (s), null when absent. */
  integrationTime: number | null;
  /** `ScanFile.Valid`, null when absent. */
  valid: number | null;
}

/** One chassis file: header plus the lag data, all float64 in C order. */
export interface RsrScan {
  header: RsrHeader;
  /** Number of records (time dumps) R. */
  nrec: number;
  /** AccData [R·6·256] (raw, not normalised). */
  accData: Float64Array;
  /** RefData [R·6·256] (raw). */
  refData: Float64Array;
  /** AccSamples [R·6]. */
  accSamples: Float64Array;
  /** BufPos [R] (zeros when absent). */
  bufPos: Int32Array;
}

function lastName(name: string): string {
  const i = name.lastIndexOf(".");
  return i < 0 ? name : name.slice(i + 1);
}

/** Find the chassis number from the `...RedshiftChassis_<c>_...` variable names (last one wins). */
function findChassis(nc: NcFile, path: string): number {
  let chassis: number | null = null;
  const seen = new Set<number>();
  for (const name of nc.variables.keys()) {
    const m = /^Header\.RedshiftChassis_(\d+)_\./.exec(name);
    if (m) {
      chassis = Number(m[1]);
      seen.add(chassis);
    }
  }
  if (chassis === null) {
    throw new RsrDataError(path, "no Header.RedshiftChassis_<c>_ variables (not an RSR chassis file)");
  }
  if (seen.size > 1) {
    throw new RsrDataError(path, `header names more than one chassis (${[...seen].join(",")})`);
  }
  return chassis;
}

/** Header helper bound to one open file. */
class HeaderReader {
  constructor(readonly nc: NcFile, readonly path: string) {}
  has(name: string): boolean {
    return this.nc.has(name);
  }
  numbers(name: string): Float64Array {
    try {
      return this.nc.readMasked(name);
    } catch (e) {
      throw new RsrDataError(this.path, `variable ${name}: ${(e as Error).message}`);
    }
  }
  /** A number from a scalar or 1-element variable; `def` when absent; errors when multi-valued and strict. */
  scalar(name: string, def: number | null, strict = false): number | null {
    if (!this.nc.has(name)) {
      if (def === undefined) throw new RsrDataError(this.path, `variable ${name} is missing`);
      return def;
    }
    const v = this.numbers(name);
    if (v.length === 0) throw new RsrDataError(this.path, `variable ${name} is empty`);
    if (strict && v.length !== 1) {
      throw new RsrDataError(this.path, `variable ${name} must hold a single value, found ${v.length}`);
    }
    return v[0]!;
  }
  required(name: string): number {
    if (!this.nc.has(name)) throw new RsrDataError(this.path, `variable ${name} is missing`);
    return this.scalar(name, null)!;
  }
  string(name: string, def: string | null): string {
    if (!this.nc.has(name)) {
      if (def === null) throw new RsrDataError(this.path, `variable ${name} is missing`);
      return def;
    }
    const v = this.nc.variable(name);
    if (v.type !== "char") throw new RsrDataError(this.path, `variable ${name} is not a char variable`);
    const s = this.nc.read(name);
    const text = Array.isArray(s) ? s.join("") : String(s);
    // deno-lint-ignore no-control-regex
    return text.replace(/^[\s\u0000]+|[\s\u0000]+$/g, "");
  }
  intArray(name: string, n: number): number[] {
    if (!this.nc.has(name)) throw new RsrDataError(this.path, `variable ${name} is missing`);
    const v = this.numbers(name);
    if (v.length !== n) {
      throw new RsrDataError(this.path, `variable ${name} has ${v.length} values, expected ${n}`);
    }
    return Array.from(v, (x) => {
      if (!Number.isInteger(x)) {
        throw new RsrDataError(this.path, `variable ${name} holds a non-integer value ${x}`);
      }
      return x;
    });
  }
}

/** Find a data variable by its last name component, preferring the chassis group. */
function dataVar(nc: NcFile, chassis: number, last: string, path: string, required: boolean): string | null {
  const preferred = `Data.RedshiftChassis_${chassis}_.${last}`;
  if (nc.has(preferred)) return preferred;
  let found: string | null = null;
  for (const name of nc.variables.keys()) {
    if (name.startsWith("Data.") && lastName(name) === last) found = name;
  }
  if (found === null && required) throw new RsrDataError(path, `data variable ${preferred} is missing`);
  return found;
}

/** Read the header of an open chassis file (no lag data). */
export function readRsrHeader(nc: NcFile, path: string = nc.path): RsrHeader {
  const h = new HeaderReader(nc, path);
  const chassis = findChassis(nc, path);
  const g = `Header.RedshiftChassis_${chassis}_.`;
  const slotNumber = h.intArray(g + "SlotNumber", NBOARD);
  const boardNumber = h.intArray(g + "BoardNumber", NBOARD);
  for (const b of boardNumber) {
    if (b < 0 || b > 5) throw new RsrDataError(path, `variable ${g}BoardNumber: value ${b} is outside 0..5`);
  }
  let bandName: number[] | null = null;
  if (nc.has(g + "BandName")) {
    bandName = h.intArray(g + "BandName", NBOARD);
    for (const n of bandName) {
      if (n < 1 || n > 6) throw new RsrDataError(path, `variable ${g}BandName: value ${n} is outside 1..6`);
    }
  } else {
    for (const s of slotNumber) {
      if (SLOT_TO_BAND[s] === undefined) {
        throw new RsrDataError(path, `variable ${g}SlotNumber: unknown slot ${s} and no BandName`);
      }
    }
  }
  const lo = (name: string, def: number): number => {
    const v = h.scalar(name, def);
    return v === null || v === 0 || !Number.isFinite(v) ? def : v;
  };
  const opt = (name: string): number | null => {
    const v = h.scalar(name, null);
    return v === null || Number.isNaN(v) ? null : v;
  };
  const corrCalId = nc.has(g + "CorrCalId") ? h.scalar(g + "CorrCalId", null, true) : null;
  const ra = h.numbers("Header.Source.Ra");
  const dec = h.numbers("Header.Source.Dec");
  return {
    path,
    chassis,
    obsnum: h.required("Header.Dcs.ObsNum"),
    subobsnum: h.scalar("Header.Dcs.SubObsNum", 0)!,
    scannum: h.scalar("Header.Dcs.ScanNum", 0)!,
    obsPgm: h.string("Header.Dcs.ObsPgm", null),
    obsGoal: h.string("Header.Dcs.ObsGoal", "Unknown"),
    projectId: h.string("Header.Dcs.ProjectId", "Unknown"),
    sourceName: h.string("Header.Source.SourceName", ""),
    ra: ra.length > 0 ? ra[0]! : NaN,
    dec: dec.length > 0 ? dec[0]! : NaN,
    calObsNum: opt(g + "CalObsNum"),
    corrCalId,
    slotNumber,
    boardNumber,
    bandName,
    chassisLoLow: lo(g + "LoLowFreq", DEFAULT_BE_LO.low),
    chassisLoHigh: lo(g + "LoHighFreq", DEFAULT_BE_LO.high),
    feLoLow: lo("Header.Rsfend.LoLowFreq", DEFAULT_FE_LO.low),
    feLoHigh: lo("Header.Rsfend.LoHighFreq", DEFAULT_FE_LO.high),
    rsfendTemperature: nc.has("Header.Rsfend.Temperature") ? h.numbers("Header.Rsfend.Temperature") : null,
    calMode: opt("Header.Cal.CalMode"),
    bsNumRepeats: opt("Header.Bs.NumRepeats"),
    bsTSamp: opt("Header.Bs.TSamp"),
    tau: opt("Header.Radiometer.Tau"),
    utDate: h.scalar("Header.TimePlace.UTDate", NaN)!,
    accumMode: h.string(g + "AccumMode", ""),
    integrationTime: opt("Header.Dcs.IntegrationTime"),
    valid: opt("Header.ScanFile.Valid"),
  };
}

/** Read header and lag data of an already opened chassis file. */
export function readRsrScanFrom(nc: NcFile, path: string = nc.path): RsrScan {
  const header = readRsrHeader(nc, path);
  const c = header.chassis;
  const accName = dataVar(nc, c, "AccData", path, true)!;
  const refName = dataVar(nc, c, "RefData", path, true)!;
  const smpName = dataVar(nc, c, "AccSamples", path, true)!;
  const posName = dataVar(nc, c, "BufPos", path, false);
  const shape = nc.variable(accName).shape;
  if (shape.length !== 3 || shape[1] !== NBOARD || shape[2] !== NLAG) {
    throw new RsrDataError(path, `variable ${accName} has shape [${shape.join(",")}], expected [R,6,256]`);
  }
  const nrec = shape[0]!;
  const read = (name: string, n: number): Float64Array => {
    let v: Float64Array;
    try {
      v = nc.readMasked(name);
    } catch (e) {
      throw new RsrDataError(path, `variable ${name}: ${(e as Error).message}`);
    }
    if (v.length !== n) {
      throw new RsrDataError(path, `variable ${name} has ${v.length} values, expected ${n}`);
    }
    return v;
  };
  const accData = read(accName, nrec * NBOARD * NLAG);
  const refData = read(refName, nrec * NBOARD * NLAG);
  const accSamples = read(smpName, nrec * NBOARD);
  const bufPos = new Int32Array(nrec);
  if (posName !== null) {
    const p = read(posName, nrec);
    for (let r = 0; r < nrec; r++) bufPos[r] = p[r]!;
  }
  return { header, nrec, accData, refData, accSamples, bufPos };
}

/**
 * Scans read in this process, by path, with the size, mtime and inode the file had, most recent last. The
 * tools that a pipeline runs in one process (rsr_driver four times, rsr_tsys three times, badlags, rsr_sum,
 * the summary page) read each chassis file once. Invariant: no caller writes into a scan's arrays (they are
 * shared); a file changed on disk is read again. Bounded by {@link SCAN_CACHE_BYTES}.
 */
const SCANS = new Map<string, { stamp: string; scan: Promise<RsrScan>; bytes: number }>();
const SCAN_CACHE_BYTES = 512 * 1024 * 1024;

function fileStamp(path: string): string | null {
  try {
    const i = Deno.statSync(path);
    return `${i.size} ${i.mtime?.getTime() ?? 0} ${i.ino ?? 0}`;
  } catch {
    return null;
  }
}

/** Open and read one RedshiftChassis netCDF file. Errors name the file and the variable. */
export function readRsrScan(path: string): Promise<RsrScan> {
  const stamp = fileStamp(path);
  const hit = SCANS.get(path);
  if (stamp !== null && hit && hit.stamp === stamp) {
    SCANS.delete(path); // most recently used last
    SCANS.set(path, hit);
    return hit.scan;
  }
  const scan = (async () => {
    const nc = await openNetcdf(path);
    try {
      return readRsrScanFrom(nc, path);
    } finally {
      nc.close();
    }
  })();
  if (stamp !== null) {
    const entry = { stamp, scan, bytes: 0 };
    SCANS.set(path, entry);
    scan.then((s) => {
      entry.bytes = s.accData.byteLength + s.refData.byteLength + s.accSamples.byteLength;
      let total = 0;
      for (const e of SCANS.values()) total += e.bytes;
      for (const [k, e] of SCANS) {
        if (total <= SCAN_CACHE_BYTES || e === entry) break;
        total -= e.bytes;
        SCANS.delete(k);
      }
    }, () => {
      if (SCANS.get(path) === entry) SCANS.delete(path);
    });
  }
  return scan;
}

/** IF frequency (GHz) of lag/channel k: 2.5·0.0078125 + 0.03125·k. */
export function ifFrequency(k: number): number {
  return 2.5 * 0.0078125 + 0.03125 * k;
}

/** Band number (1..6) of each board: `BandName`, else the slot→band table. */
export function boardBands(header: RsrHeader): number[] {
  if (header.bandName) return header.bandName.slice();
  return header.slotNumber.map((s) => SLOT_TO_BAND[s]!);
}

/** The local oscillators of each band (1..6): first LO and the chassis LO subtracted (none: descending axis). */
const BAND_LOS: Readonly<
  Record<number, { fe: "feLoLow" | "feLoHigh"; chassis: "chassisLoHigh" | "chassisLoLow" | null }>
> = {
  1: { fe: "feLoLow", chassis: "chassisLoHigh" },
  2: { fe: "feLoLow", chassis: "chassisLoLow" },
  3: { fe: "feLoLow", chassis: null },
  4: { fe: "feLoHigh", chassis: "chassisLoHigh" },
  5: { fe: "feLoHigh", chassis: "chassisLoLow" },
  6: { fe: "feLoHigh", chassis: null },
};

/**
 * Sky frequency axes (GHz) of the 6 boards, 256 channels each (rsr.md §2.1): f(k) = x + s·IF(k).
 * Boards with band 3 and 6 descend in frequency.
 */
export function boardFrequencies(header: RsrHeader): Float64Array[] {
  const bands = boardBands(header);
  const out: Float64Array[] = [];
  for (let b = 0; b < NBOARD; b++) {
    const n = bands[b]!;
    const a = BAND_LOS[n];
    if (a === undefined) throw new RsrDataError(header.path, `board ${b} has invalid band number ${n}`);
    // x = first LO − chassis LO, ascending; the bands without a chassis LO descend from the first LO
    const x = a.chassis === null ? header[a.fe] : header[a.fe] - header[a.chassis];
    const s = a.chassis === null ? -1 : 1;
    const f = new Float64Array(NLAG);
    for (let k = 0; k < NLAG; k++) f[k] = x + s * ifFrequency(k);
    out.push(f);
  }
  return out;
}

/**
 * Normalised lag vector of record r, board b: AccData (or RefData) / AccSamples (rsr.md §2.2).
 * Returns a new Float64Array(256).
 */
export function normalisedLags(scan: RsrScan, r: number, b: number, which: "acc" | "ref"): Float64Array {
  const src = which === "acc" ? scan.accData : scan.refData;
  const n = scan.accSamples[r * NBOARD + b]!;
  const off = (r * NBOARD + b) * NLAG;
  const out = new Float64Array(NLAG);
  for (let k = 0; k < NLAG; k++) out[k] = src[off + k]! / n;
  return out;
}
