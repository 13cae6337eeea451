/**
 * Observation summary of one obsnum (what SpectralLineReduction's lmtinfo.py prints for the pipelines):
 * which instrument, program, source, date, integration time, and for SEQ the spectral set-up and map size
 * from which the pipeline derives resolution, cell and extent.
 *
 * {@link infoRc} prints the original's rc block line for line, with its number formats (`%g`, `%f`,
 * Python's repr of the frequencies), its `date_obs` (the decimal-year UTDate truncated to the second, in
 * UTC), its `nrows` (ceil((YLength + 2·YRamp)/(YStep·HPBW))), `nppb=2`, the dataverse fields `PIName` and
 * `projectTitle` (from `$LMTOY/etc/ProjectId.csv`, passed in by the command) and, for a dual-IF header whose
 * second band is unused (LineFreq[1] = 0), the original's `numbands=1 # overriding` and single `restfreq`.
 * Differences: docs/compat.md.
 *
 * @module
 */
import { openNetcdf } from "../netcdf/mod.ts";
import type { NcFile } from "../netcdf/types.ts";
import { formatFixed, formatGeneral, pyStr } from "../formats/printf.ts";
import { findRsrChassisFile, RSR_CHASSIS } from "./rsr_files.ts";
import { LmtDataError } from "./errors.ts";
import { findIfproc } from "./seq_files.ts";
import { C_LIGHT } from "../num/constants.ts";

/** lmtinfo.py's radian → arcsec and radian → degree factors (not the exact values; kept for equal output). */
const ARCSEC = 206264.806;
const ARCSEC_OFF = 206264.81;
const DEG = 57.2957795131;

/** Map geometry of a SEQ Map obsnum, in lmtinfo.py's units (arcsec; all 0 for other programs). */
export interface MapGeometry {
  xLength: number;
  yLength: number;
  xOffset: number;
  yOffset: number;
  xRamp: number;
  yRamp: number;
  hpbw: number;
  scanRate: number;
  xStep: number;
  yStep: number;
}

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
  /** UTC `%Y-%m-%dT%H:%M:%S`, truncated to the second as lmtinfo.py */
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
  /** Header NumBands (the rc block overrides 2 → 1 when LineFreq[1] = 0) */
  numbands?: number;
  skyfreq?: number[];
  restfreq?: number[];
  bandwidth?: number[];
  /** sky time (s) from the IfProc baseband times */
  skytime?: number;
  mapCoord?: string;
  mapMotion?: string;
  map?: MapGeometry;
  /** Sky.AzOff[1], Sky.ElOff[1] (arcsec) */
  skyOff?: [number, number];
  /** arcsec: full scan lengths of the map (the gridder's half sizes); 0 for non-Map programs */
  xLength?: number;
  yLength?: number;
  /** arcsec, ceil(lambda/D) for D = 50 m at the bank-0 sky frequency */
  resolution?: number;
  /** points per beam (2) and cell = resolution/nppb */
  nppb?: number;
  cell?: number;
  /** lmtinfo.py's map row count ceil((YLength + 2 YRamp)/(YStep HPBW)); 0 when not a map */
  nrows?: number;
  /** s per row (XLength + 2 XRamp)/ScanRate, and nrows × rowtint (-1 when not a map) */
  rowtint?: number;
  tintOn?: number;
}

/** Python's round-half-even of a double. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Convert LMT's decimal-year UTDate to `%Y-%m-%dT%H:%M:%S` as lmtinfo.py does: seconds since 1970
 * computed in the same double arithmetic, the microseconds rounded half-even (Python's
 * `datetime.fromtimestamp`) and then dropped, i.e. truncated to the second; in UTC (the original used
 * the host's time zone; the LMT machines run on UTC).
 */
export function decimalYearToIso(u: number): string {
  const y = Math.floor(u);
  const e1 = Date.UTC(y, 0, 1) / 1000;
  const ys = Date.UTC(y + 1, 0, 1) / 1000 - e1;
  const y70 = e1 + (u - y) * ys;
  let sec = Math.trunc(y70);
  const us = roundHalfEven((y70 - sec) * 1e6);
  if (us >= 1e6) sec += 1;
  else if (us < 0) sec -= 1;
  return new Date(sec * 1000).toISOString().slice(0, 19);
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

/** lmtinfo.py's iau(): source names it cleans up. */
function iau(src: string): string {
  return src === "NGC6946_(CO)" ? "NGC6946" : src;
}

/** lmtinfo.py's pid_sanitize() (applied to SEQ/1MM ProjectIds only, as the original). */
function pidSanitize(pid: string): string {
  const fix: Record<string, string> = {
    "2018S1-MU-8": "2018-S1-MU-8",
    "2022MSIP1mmCommissioning": "2022S1MSIP1mmCommissioning",
    "2024MSIP1mmCommissioning": "2024S1MSIP1mmCommissioning",
  };
  return fix[pid] ?? pid;
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

/** The summary of an RSR chassis file (exported for tests). */
export function rsrInfo(f: NcFile, path: string, chassis: number): ObsInfo {
  const g = `Header.RedshiftChassis_${chassis}_`;
  const beam = arr(f, "Header.Bs.Beam");
  return {
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
    src: iau(str(f, "Header.Source.SourceName")),
    ra: (arr(f, "Header.Source.Ra")[0] ?? NaN) * DEG,
    dec: (arr(f, "Header.Source.Dec")[0] ?? NaN) * DEG,
    dateObs: decimalYearToIso(num(f, "Header.TimePlace.UTDate")),
    // older data lack it; the original marks that with 300.1 s
    inttime: num(f, "Header.Dcs.IntegrationTime", 300.1),
    tau: num(f, "Header.Radiometer.Tau", NaN),
    bsbeam: beam.length >= 2 ? beam.slice(0, 2) : [-1, -1],
    numbeams: num(f, "Header.RedshiftReceiver.NumBeams", -2),
  };
}

/** The summary of a SEQ / 1MM ifproc file (exported for tests). */
export function seqInfo(f: NcFile, path: string): ObsInfo {
  const rx = str(f, "Header.Dcs.Receiver", "Sequoia");
  const nb = Math.max(1, num(f, `Header.${rx}.NumBands`, 1));
  const sky = arr(f, `Header.${rx}.SkyFreq`).slice(0, nb);
  const rest = arr(f, `Header.${rx}.LineFreq`).slice(0, nb);
  const bw = arr(f, "Header.SpecBackend.Bandwidth").slice(0, nb);
  const obspgm = str(f, "Header.Dcs.ObsPgm");
  const isMap = obspgm === "Map";
  const m = (k: string, scale: number) => isMap ? num(f, `Header.Map.${k}`, NaN) * scale : 0;
  const xLength = m("XLength", ARCSEC), yLength = m("YLength", ARCSEC);
  const map: MapGeometry = {
    xLength,
    yLength,
    xOffset: m("XOffset", xLength),
    yOffset: m("YOffset", yLength),
    xRamp: m("XRamp", ARCSEC),
    yRamp: m("YRamp", ARCSEC),
    hpbw: m("HPBW", ARCSEC),
    scanRate: m("ScanRate", ARCSEC),
    xStep: m("XStep", 1),
    yStep: m("YStep", 1),
  };
  // this estimate only works for rectilinear maps (as the original)
  let nrows = 0, rowtint = 0, tintOn = -1;
  if (xLength > 0 && yLength > 0) {
    nrows = Math.ceil((yLength + 2 * map.yRamp) / (map.yStep * map.hpbw));
    rowtint = (xLength + 2 * map.xRamp) / map.scanRate;
    tintOn = nrows * rowtint;
  }
  // sky time from the baseband times (1MM: first column of a 2-D array)
  let skytime = NaN;
  const bbName = "Data.IfProc.BasebandTime";
  if (f.has(bbName)) {
    const shape = f.variable(bbName).shape;
    const all = f.readNumbers(bbName);
    const step = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const n = shape[0] ?? 0;
    if (n >= 2) {
      const t0 = all[0]!, t1 = all[(n - 1) * step]!, t2 = all[(n - 2) * step]!;
      skytime = t1 - t0 + (t1 - t2);
    }
  }
  const azOff = arr(f, "Header.Sky.AzOff"), elOff = arr(f, "Header.Sky.ElOff");
  const info: ObsInfo = {
    instrument: rx === "Msip1mm" ? "1MM" : "SEQ",
    rawnc: path,
    obsnum: num(f, "Header.Dcs.ObsNum"),
    subobsnum: num(f, "Header.Dcs.SubObsNum", 0),
    scannum: num(f, "Header.Dcs.ScanNum", 0),
    calobsnum: num(f, "Header.IfProc.CalObsNum", -1),
    valid: num(f, "Header.ScanFile.Valid", 1),
    obspgm,
    obsgoal: str(f, "Header.Dcs.ObsGoal", "Unknown"),
    projectId: pidSanitize(str(f, "Header.Dcs.ProjectId", "Unknown")),
    src: iau(str(f, "Header.Source.SourceName")),
    ra: num(f, "Header.Source.Ra") * DEG,
    dec: num(f, "Header.Source.Dec") * DEG,
    dateObs: decimalYearToIso(num(f, "Header.TimePlace.UTDate")),
    inttime: num(f, "Header.Dcs.IntegrationTime", NaN),
    tau: num(f, "Header.Radiometer.Tau", NaN),
    receiver: rx,
    vlsr: num(f, "Header.Source.Velocity", 0),
    numbands: nb,
    skyfreq: sky,
    restfreq: rest,
    bandwidth: bw,
    skytime,
    mapCoord: isMap ? str(f, "Header.Map.MapCoord", "") : "",
    mapMotion: isMap ? str(f, "Header.Map.MapMotion", "") : "",
    map,
    skyOff: [(azOff[1] ?? NaN) * ARCSEC_OFF, (elOff[1] ?? NaN) * ARCSEC_OFF],
    xLength,
    yLength,
    nrows,
    rowtint,
    tintOn,
    nppb: 2,
  };
  if (sky.length > 0) {
    // the original's expression, in its order of operations
    info.resolution = Math.ceil(1.0 * C_LIGHT / sky[0]! / 1e9 / 50.0 * ARCSEC);
    info.cell = info.resolution / 2;
  }
  return info;
}

/** PI and title of a project (lmtinfo.py's dataverse()), and the project table they came from. */
export interface ProjectInfo {
  /** Path of the project table for the `# project info:` line; null: none (commissioning, or no table). */
  source: string | null;
  piName: string;
  projectTitle: string;
}

/**
 * lmtinfo.py's dataverse(): commissioning projects are PI "LMT", title "Commissioning"; otherwise the
 * line `PID,Title,PI` of the project table (`$LMTOY/etc/ProjectId.csv`) whose first field is the
 * ProjectId; "Unknown" for both when there is none. `csv` null: no table available.
 */
export function projectInfo(pid: string, csv: string | null, source: string | null): ProjectInfo {
  if (pid.includes("Commissioning")) return { source: null, piName: "LMT", projectTitle: "Commissioning" };
  for (const line of (csv ?? "").split("\n")) {
    const w = line.trim().split(",");
    if (w.length < 3) continue;
    if (w[0]!.trim() === pid) return { source, piName: w[2]!.trim(), projectTitle: w[1]!.trim() };
  }
  return { source, piName: "Unknown", projectTitle: "Unknown" };
}

/** A double-quoted shell value: `"`, `\`, `$` and backquotes escaped (plain values print as the original). */
function dq(v: string): string {
  return `"${v.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** A bare shell word when it is one, else double quoted. */
function bare(v: string): string {
  return /^[A-Za-z0-9_.,:+@%\/=-]*$/.test(v) ? v : dq(v);
}

/** Python's repr of a list of floats joined by commas (lmtinfo.py's alist()). */
function alist(x: readonly number[]): string {
  return x.map(pyStr).join(",");
}

const g = (x: number) => formatGeneral(x);

/** Whether the rc block overrides numbands 2 → 1 (the second band's rest frequency is 0). */
export function unusedSecondBand(i: ObsInfo): boolean {
  return i.numbands === 2 && (i.restfreq ?? [])[1] === 0;
}

/**
 * The bash rc block (`# <lmtinfo>` ... `# </lmtinfo>`) as lmtinfo.py prints it for an obsnum, line for
 * line: same keys, order, comments and number formats. Text values are double quoted with shell
 * metacharacters escaped, so `source` is safe whatever the header holds.
 */
export function infoRc(i: ObsInfo, version: string, project?: ProjectInfo): string {
  const L: string[] = ["# <lmtinfo>", `# version=${version}`];
  const p = project ?? projectInfo(i.projectId, null, null);
  const dataverse = () => {
    if (p.source !== null) L.push(`# project info: ${p.source}`);
    L.push(`PIName=${dq(p.piName)}`, `projectTitle=${dq(p.projectTitle)}`);
  };
  const int = (x: number) => String(Math.trunc(x));
  // the lines both instruments print (in different places)
  const file = [`rawnc=${dq(i.rawnc)}`, `date_obs=${dq(i.dateObs)}`];
  const scan = [
    `obsnum=${int(i.obsnum)}`,
    `subobsnum=${int(i.subobsnum)}`,
    `scannum=${int(i.scannum)}`,
    `calobsnum=${int(i.calobsnum)}`,
    `valid=${int(i.valid)}`,
    `obspgm=${dq(i.obspgm)}`,
  ];
  const position = [
    `ProjectId=${dq(i.projectId)}`,
    `ra=${formatFixed(i.ra)}  # deg`,
    `dec=${formatFixed(i.dec)} # deg`,
  ];
  if (i.instrument === "RSR") {
    const b = i.bsbeam ?? [-1, -1];
    L.push(
      ...file,
      `inttime=${g(i.inttime)} # sec`,
      ...scan,
      `obsgoal=${dq(i.obsgoal)}`,
      ...position,
      `src=${dq(i.src)}`,
      `instrument="RSR"`,
      `bsbeam=${int(b[0] ?? -1)},${int(b[1] ?? -1)}`,
      `numbeams=${int(i.numbeams ?? -2)}`,
      `tau=${g(i.tau)}`,
    );
    dataverse();
    L.push(`config=${bare(`${i.projectId}__RSR__${i.obspgm}__${i.src}`)}`);
  } else {
    const m = i.map!;
    const rest = i.restfreq ?? [];
    L.push(...file, `skytime=${g(i.skytime ?? NaN)}`, `inttime=${g(i.inttime)}`, ...scan);
    if (i.obspgm === "Map") {
      L.push(`map_coord=${dq(i.mapCoord ?? "")}`, `map_motion=${dq(i.mapMotion ?? "")}`);
    }
    const off = i.skyOff ?? [NaN, NaN];
    L.push(
      ...position,
      `# SkyOff=${g(off[0])} ${g(off[1])}`,
      `# HPBW=${g(m.hpbw)} arcsec`,
      `# XYLength=${g(m.xLength)} ${g(m.yLength)} arcsec`,
      `# XYRamp=${g(m.xRamp)} ${g(m.yRamp)} arcsec`,
      `# XYoff=${g(m.xOffset)} ${g(m.yOffset)} arcsec`,
      `# XYstep=${g(m.xStep)} ${g(m.yStep)}`,
      `nrows=${int(i.nrows ?? 0)}`,
      `rowtint=${g(i.rowtint ?? 0)}`,
      `tint_on=${g(i.tintOn ?? -1)}  # excluding 1.6sec (?) switchback`,
      `numbands=${int(i.numbands ?? 1)}`,
      `vlsr=${g(i.vlsr ?? 0)}        # km/s`,
      `skyfreq=${alist(i.skyfreq ?? [])}     # GHz`,
      `restfreq=${alist(rest)}    # Ghz`,
      `bandwidth=${alist(i.bandwidth ?? [])}   # Ghz`,
    );
    if (unusedSecondBand(i)) L.push("numbands=1   # overriding", `restfreq=${pyStr(rest[0]!)}`);
    L.push(
      `src=${dq(i.src)}`,
      `resolution=${g(i.resolution ?? NaN)}  # arcsec`,
      `nppb=${g(i.nppb ?? 2)}   # number of points per beam`,
      `cell=${g((i.resolution ?? NaN) / (i.nppb ?? 2))}   # arcsec`,
      `x_extent=${g(i.xLength ?? 0)}   # arcsec`,
      `y_extent=${g(i.yLength ?? 0)}   # arcsec`,
      `instrument=${dq(i.instrument)}`,
      `tau=${g(i.tau)}`,
    );
    dataverse();
    // "SEQ" also for 1MM, and every band's rest frequency, as the original
    L.push(`config=${bare(`${i.projectId}__SEQ__${i.obspgm}__${i.src}__${alist(rest)}`)}`);
  }
  L.push("# </lmtinfo>");
  return L.join("\n") + "\n";
}

/** Full-precision number (shortest round trip), "nan" for non-finite values. */
function fmt(v: number): string {
  return Number.isFinite(v) ? String(v) : "nan";
}

/**
 * Key/value pairs of an ObsInfo for `--make` (the names of the rc block, one value per key; frequencies at
 * full precision, every band listed; numbands as in the header).
 */
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
    ["ra", formatFixed(i.ra)],
    ["dec", formatFixed(i.dec)],
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
      // %g as the rc block: 120, not 119.99999989 (the original's 206264.806 arcsec per radian)
      ["x_extent", g(i.xLength ?? 0)],
      ["y_extent", g(i.yLength ?? 0)],
      ["nrows", i.nrows ?? 0],
    );
    if (i.resolution !== undefined) {
      p.push(["resolution", i.resolution], ["nppb", i.nppb ?? 2], ["cell", fmt(i.cell!)]);
    }
  }
  p.push(["config", `${i.projectId}__${i.instrument}__${i.obspgm}__${i.src}`]);
  return p;
}

/** A make fragment (`key := value`) for Makefile pipelines. */
export function infoMake(i: ObsInfo, prefix = ""): string {
  return infoPairs(i).map(([k, v]) =>
    `${prefix}${k} := ${String(v).replace(/\$/g, "$$$$").replace(/#/g, "\\#")}`
  )
    .join("\n") + "\n";
}
