/**
 * Observation summary of one obsnum (what SpectralLineReduction's lmtinfo.py prints for the pipelines):
 * which instrument, program, source, date, integration time, and for SEQ the spectral set-up and map size
 * from which the pipeline derives resolution, cell and extent.
 *
 * Differences from lmtinfo.py (docs/compat.md): `date_obs` is UTC and rounded to the nearest second
 * (the original used the host's local time and truncated, giving 05:29:59 for a 05:30:00 start), and
 * `nrows` counts the map rows correctly.
 *
 * @module
 */
import { openNetcdf } from "../netcdf/mod.ts";
import type { NcFile } from "../netcdf/types.ts";
import { findRsrChassisFile, RSR_CHASSIS } from "./rsr_files.ts";
import { LmtDataError } from "./errors.ts";
import { findIfproc } from "./seq_files.ts";

const ARCSEC_PER_RAD = 206264.80624709636;
const C_M_S = 299792458;

/** Summary of one obsnum. */
export interface ObsInfo {
  instrument: "RSR" | "SEQ" | "1MM";
  rawnc: string;
  obsnum: number;
  subobsnum: number;
  scannum: number;
  calobsnum: number;
  valid: number;
  obspgm: string;
  obsgoal: string;
  projectId: string;
  src: string;
  /** degrees */
  ra: number;
  /** degrees */
  dec: number;
  /** ISO UTC, whole seconds */
  dateObs: string;
  /** seconds */
  inttime: number;
  tau: number;
  /** RSR only */
  bsbeam?: number[];
  numbeams?: number;
  /** SEQ only */
  receiver?: string;
  vlsr?: number;
  numbands?: number;
  skyfreq?: number[];
  restfreq?: number[];
  bandwidth?: number[];
  /** arcsec: full scan lengths of the map (the gridder's half sizes) */
  xLength?: number;
  yLength?: number;
  mapCoord?: string;
  /** arcsec, ceil(lambda/D) for D = 50 m at the bank-0 sky frequency */
  resolution?: number;
  cell?: number;
  nrows?: number;
}

/** Convert LMT's decimal-year UTDate to an ISO UTC string rounded to the second. */
export function decimalYearToIso(u: number): string {
  const y = Math.floor(u);
  const t0 = Date.UTC(y, 0, 1);
  const t1 = Date.UTC(y + 1, 0, 1);
  const ms = t0 + (u - y) * (t1 - t0);
  const rounded = Math.round(ms / 1000) * 1000;
  return new Date(rounded).toISOString().slice(0, 19);
}

function str(f: NcFile, name: string, dflt = ""): string {
  return f.has(name) ? f.readString(name) : dflt;
}
function num(f: NcFile, name: string, dflt = NaN): number {
  return f.has(name) ? f.readScalar(name) : dflt;
}
function arr(f: NcFile, name: string): number[] {
  return f.has(name) ? Array.from(f.readNumbers(name)) : [];
}

/** Gather the summary of an obsnum under a data root (RSR chassis files first, then SEQ ifproc). */
export async function obsInfo(root: string, obsnum: number): Promise<ObsInfo> {
  const rsr = new Map<number, string>();
  for (const c of RSR_CHASSIS) {
    const f = findRsrChassisFile(root, obsnum, c);
    if (f !== null) rsr.set(c, f);
  }
  if (rsr.size > 0) {
    const chassis = Math.min(...rsr.keys());
    const path = rsr.get(chassis)!;
    const f = await openNetcdf(path);
    try {
      return rsrInfo(f, path, chassis);
    } finally {
      f.close();
    }
  }
  let path: string;
  try {
    path = findIfproc(root, obsnum);
  } catch (e) {
    if (e instanceof LmtDataError) {
      throw new LmtDataError(
        `No data for obsnum ${obsnum} in ${root}: neither RedshiftChassis?/RedshiftChassis?_*_` +
          `${String(obsnum).padStart(6, "0")}_NN_NNNN.nc (RSR) nor ifproc/ifproc_*_${
            String(obsnum).padStart(6, "0")
          }` +
          `_NN_NNNN.nc (SEQ)`,
      );
    }
    throw e;
  }
  const f = await openNetcdf(path);
  try {
    return seqInfo(f, path);
  } finally {
    f.close();
  }
}

function rsrInfo(f: NcFile, path: string, chassis: number): ObsInfo {
  const g = `Header.RedshiftChassis_${chassis}_`;
  const ra = arr(f, "Header.Source.Ra")[0] ?? NaN;
  const dec = arr(f, "Header.Source.Dec")[0] ?? NaN;
  const info: ObsInfo = {
    instrument: "RSR",
    rawnc: path,
    obsnum: num(f, "Header.Dcs.ObsNum"),
    subobsnum: num(f, "Header.Dcs.SubObsNum", 0),
    scannum: num(f, "Header.Dcs.ScanNum", 0),
    calobsnum: num(f, `${g}.CalObsNum`, 0),
    valid: num(f, "Header.ScanFile.Valid", 1),
    obspgm: str(f, "Header.Dcs.ObsPgm"),
    obsgoal: str(f, "Header.Dcs.ObsGoal", "Unknown"),
    projectId: str(f, "Header.Dcs.ProjectId", "Unknown"),
    src: str(f, "Header.Source.SourceName"),
    ra: (ra * 180) / Math.PI,
    dec: (dec * 180) / Math.PI,
    dateObs: decimalYearToIso(num(f, "Header.TimePlace.UTDate")),
    inttime: num(f, "Header.Dcs.IntegrationTime", NaN),
    tau: num(f, "Header.Radiometer.Tau", NaN),
    bsbeam: arr(f, "Header.Bs.Beam"),
    numbeams: num(f, "Header.RedshiftReceiver.NumBeams", -2),
  };
  return info;
}

function seqInfo(f: NcFile, path: string): ObsInfo {
  const rx = str(f, "Header.Dcs.Receiver", "Sequoia");
  const nb = Math.max(1, num(f, `Header.${rx}.NumBands`, 1));
  const sky = arr(f, `Header.${rx}.SkyFreq`).slice(0, nb);
  const rest = arr(f, `Header.${rx}.LineFreq`).slice(0, nb);
  const bw = arr(f, "Header.SpecBackend.Bandwidth").slice(0, nb);
  const xl = num(f, "Header.Map.XLength", NaN) * ARCSEC_PER_RAD;
  const yl = num(f, "Header.Map.YLength", NaN) * ARCSEC_PER_RAD;
  const ystep = num(f, "Header.Map.YStep", NaN);
  const hpbw = num(f, "Header.Map.HPBW", NaN);
  const resolution = sky.length > 0 ? Math.ceil((C_M_S / (sky[0]! * 1e9) / 50) * ARCSEC_PER_RAD) : undefined;
  const info: ObsInfo = {
    instrument: rx === "Msip1mm" ? "1MM" : "SEQ",
    rawnc: path,
    obsnum: num(f, "Header.Dcs.ObsNum"),
    subobsnum: num(f, "Header.Dcs.SubObsNum", 0),
    scannum: num(f, "Header.Dcs.ScanNum", 0),
    calobsnum: num(f, "Header.IfProc.CalObsNum", 0),
    valid: num(f, "Header.ScanFile.Valid", 1),
    obspgm: str(f, "Header.Dcs.ObsPgm"),
    obsgoal: str(f, "Header.Dcs.ObsGoal", "Unknown"),
    projectId: str(f, "Header.Dcs.ProjectId", "Unknown"),
    src: str(f, "Header.Source.SourceName"),
    ra: (num(f, "Header.Source.Ra") * 180) / Math.PI,
    dec: (num(f, "Header.Source.Dec") * 180) / Math.PI,
    dateObs: decimalYearToIso(num(f, "Header.TimePlace.UTDate")),
    inttime: num(f, "Header.Dcs.IntegrationTime", NaN),
    tau: num(f, "Header.Radiometer.Tau", NaN),
    receiver: rx,
    vlsr: num(f, "Header.Source.Velocity", 0),
    numbands: nb,
    skyfreq: sky,
    restfreq: rest,
    bandwidth: bw,
    mapCoord: str(f, "Header.Map.MapCoord", ""),
  };
  if (Number.isFinite(xl)) info.xLength = Math.round(xl * 1000) / 1000;
  if (Number.isFinite(yl)) info.yLength = Math.round(yl * 1000) / 1000;
  if (resolution !== undefined) {
    info.resolution = resolution;
    info.cell = resolution / 2;
  }
  if (Number.isFinite(ystep) && Number.isFinite(hpbw) && hpbw > 0 && Number.isFinite(yl)) {
    // rows are YStep*HPBW apart and span YLength: nrows = YLength/(YStep*HPBW) + 1 (lmtinfo.py forgot the +1)
    info.nrows = Math.round(yl / (ystep * hpbw * ARCSEC_PER_RAD)) + 1;
  }
  return info;
}

function shellQuote(v: string): string {
  return `"${v.replace(/(["\\$`])/g, "\\$1")}"`;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return "nan";
  return String(Math.round(v * 1e6) / 1e6);
}

/** Key/value pairs of an ObsInfo in the order and names of lmtinfo.py's rc block. */
export function infoPairs(i: ObsInfo): [string, string | number][] {
  const p: [string, string | number][] = [
    ["rawnc", i.rawnc],
    ["date_obs", i.dateObs],
    ["inttime", fmt(i.inttime)],
    ["obsnum", i.obsnum],
    ["subobsnum", i.subobsnum],
    ["scannum", i.scannum],
    ["calobsnum", i.calobsnum],
    ["valid", i.valid],
    ["obspgm", i.obspgm],
    ["obsgoal", i.obsgoal],
    ["ProjectId", i.projectId],
    ["ra", i.ra.toFixed(6)],
    ["dec", i.dec.toFixed(6)],
    ["src", i.src],
    ["instrument", i.instrument],
    ["tau", fmt(i.tau)],
  ];
  if (i.instrument === "RSR") {
    p.push(["bsbeam", (i.bsbeam ?? []).join(",")], ["numbeams", i.numbeams ?? -2]);
  } else {
    p.push(
      ["receiver", i.receiver ?? ""],
      ["vlsr", fmt(i.vlsr ?? 0)],
      ["numbands", i.numbands ?? 1],
      ["skyfreq", (i.skyfreq ?? []).map(fmt).join(",")],
      ["restfreq", (i.restfreq ?? []).map(fmt).join(",")],
      ["bandwidth", (i.bandwidth ?? []).map(fmt).join(",")],
      ["map_coord", i.mapCoord ?? ""],
    );
    if (i.xLength !== undefined) p.push(["x_extent", fmt(i.xLength)]);
    if (i.yLength !== undefined) p.push(["y_extent", fmt(i.yLength)]);
    if (i.nrows !== undefined) p.push(["nrows", i.nrows]);
    if (i.resolution !== undefined) p.push(["resolution", i.resolution], ["cell", fmt(i.cell!)]);
  }
  p.push(["config", `${i.projectId}__${i.instrument}__${i.obspgm}__${i.src}`]);
  return p;
}

/** The bash rc block (`key="value"` lines, safe to `source`). */
export function infoRc(i: ObsInfo, version: string): string {
  const lines = ["# <lmtinfo>", `# version=${version}`];
  for (const [k, v] of infoPairs(i)) {
    lines.push(typeof v === "number" ? `${k}=${v}` : `${k}=${shellQuote(v)}`);
  }
  lines.push("# </lmtinfo>");
  return lines.join("\n") + "\n";
}

/** A make fragment (`key := value`) for Makefile pipelines. */
export function infoMake(i: ObsInfo, prefix = ""): string {
  return infoPairs(i).map(([k, v]) =>
    `${prefix}${k} := ${String(v).replace(/\$/g, "$$$$").replace(/#/g, "\\#")}`
  )
    .join("\n") + "\n";
}
