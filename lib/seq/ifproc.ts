/**
 * The IFPROC (telescope) file of a SEQ observation: header values, the 125 Hz telescope stream,
 * map positions (seq.md §1.4, §2.2) and the map_coord rule.
 *
 * @module
 */
import type { NcFile } from "../netcdf/types.ts";
import { npMedian } from "../num/npstats.ts";
import { SeqDataError } from "./errors.ts";
import { T_AMB } from "./cal.ts";

/** Arcseconds per radian as the original code writes it. */
export const ARCSEC_PER_RAD = 206264.8;

/** Header values of an IFPROC file used by the SEQ reductions. */
export interface IfprocHeader {
  path: string;
  obsPgm: string;
  obsGoal: string;
  obsNum: number;
  calObsNum: number;
  receiver: string;
  sourceName: string;
  coordSys: number;
  velocity: number;
  velSys: number;
  ra: number;
  dec: number;
  l: number;
  b: number;
  elDesPos: number;
  azDesPos: number;
  beamSelected: number;
  numBands: number;
  /** Per-bank arrays (index = bank). Frequencies in GHz. */
  sideBand1Lo: number[];
  lineFreq: number[];
  skyFreq: number[];
  lineOffset: number[];
  lineRedshift: number[];
  lo2Freq: number[];
  if1Freq: number[];
  if2Freq: number[];
  synthFreq: number[];
  lo1Freq: number;
  dopplerTrack: number;
  obsVel: number;
  baryVel: number;
  mapCoordString: string;
  dumpTime: number;
  blankLevel: number;
  /** `Header.Bs.Beam` (empty when absent). */
  bsBeam: number[];
  /** Number of pixels of BasebandLevel. */
  npix: number;
}

/** The time-ordered telescope stream (125 Hz). */
export interface IfprocStream {
  /** Seconds since the Unix epoch (`BackendTime` when present, else `TelTime`). */
  time: Float64Array;
  bufPos: Int32Array;
  /** Map-coordinate offsets in arcsec for map_coord 0 (az/el), 1 (ra/dec), 2 (l/b). Empty when not read. */
  azmap: Float64Array;
  elmap: Float64Array;
  ramap: Float64Array;
  decmap: Float64Array;
  lmap: Float64Array;
  bmap: Float64Array;
  parAng: Float64Array;
  galAng: Float64Array;
}

/** An opened IFPROC file: header and stream. */
export interface Ifproc {
  header: IfprocHeader;
  stream: IfprocStream;
}

function str(nc: NcFile, name: string, dflt = ""): string {
  return nc.has(name) ? nc.readString(name) : dflt;
}
function num(nc: NcFile, name: string, dflt?: number): number {
  if (nc.has(name)) return nc.readScalar(name);
  if (dflt === undefined) throw new SeqDataError(`${nc.path}: variable ${name} is missing`);
  return dflt;
}
function arr(nc: NcFile, name: string, dflt?: number[]): number[] {
  if (nc.has(name)) return Array.from(nc.readNumbers(name));
  if (dflt === undefined) throw new SeqDataError(`${nc.path}: variable ${name} is missing`);
  return dflt;
}
function req(nc: NcFile, name: string): Float64Array {
  if (!nc.has(name)) throw new SeqDataError(`${nc.path}: variable ${name} is missing`);
  return nc.readNumbers(name);
}

/** Read the header values of an open IFPROC file. */
export function readIfprocHeader(nc: NcFile): IfprocHeader {
  const receiver = str(nc, "Header.Dcs.Receiver");
  if (receiver === "") throw new SeqDataError(`${nc.path}: variable Header.Dcs.Receiver is missing or empty`);
  const rx = `Header.${receiver}.`;
  const zeros2 = [0, 0];
  let npix = 16;
  const bl = nc.has("Data.IfProc.BasebandLevel") ? nc.variable("Data.IfProc.BasebandLevel") : undefined;
  if (bl) npix = bl.shape.length >= 3 ? bl.shape[1]! : (bl.shape[bl.shape.length - 1] ?? 16);
  return {
    path: nc.path,
    obsPgm: str(nc, "Header.Dcs.ObsPgm"),
    obsGoal: str(nc, "Header.Dcs.ObsGoal"),
    obsNum: num(nc, "Header.Dcs.ObsNum"),
    calObsNum: num(nc, "Header.IfProc.CalObsNum", 0),
    receiver,
    sourceName: str(nc, "Header.Source.SourceName"),
    coordSys: num(nc, "Header.Source.CoordSys", 1),
    velocity: num(nc, "Header.Source.Velocity", 0),
    velSys: num(nc, "Header.Source.VelSys", 0),
    ra: num(nc, "Header.Source.Ra", 0),
    dec: num(nc, "Header.Source.Dec", 0),
    l: num(nc, "Header.Source.L", 0),
    b: num(nc, "Header.Source.B", 0),
    elDesPos: num(nc, "Header.Telescope.ElDesPos", 0),
    azDesPos: num(nc, "Header.Telescope.AzDesPos", 0),
    beamSelected: num(nc, rx + "BeamSelected", -1),
    numBands: num(nc, rx + "NumBands", 1),
    sideBand1Lo: arr(nc, rx + "SideBand1Lo", zeros2),
    lineFreq: arr(nc, rx + "LineFreq", zeros2),
    skyFreq: arr(nc, rx + "SkyFreq", zeros2),
    lineOffset: arr(nc, rx + "LineOffset", zeros2),
    lineRedshift: arr(nc, rx + "LineRedshift", zeros2),
    lo2Freq: arr(nc, rx + "Lo2Freq", zeros2),
    if1Freq: arr(nc, rx + "If1Freq", zeros2),
    if2Freq: arr(nc, rx + "If2Freq", zeros2),
    synthFreq: arr(nc, rx + "SynthFreq", zeros2),
    lo1Freq: num(nc, rx + "Lo1Freq", 0),
    dopplerTrack: num(nc, rx + "DopplerTrack", 0),
    obsVel: num(nc, "Header.Sky.ObsVel", 0),
    baryVel: num(nc, "Header.Sky.BaryVel", 0),
    mapCoordString: str(nc, "Header.Map.MapCoord"),
    dumpTime: num(nc, "Header.SpecBackend.DumpTime", 0.1),
    blankLevel: num(nc, rx + "BlankLevel", 0),
    bsBeam: arr(nc, "Header.Bs.Beam", []),
    npix,
  };
}

/**
 * Read the telescope stream. `positions` false skips the position/angle streams (cal scans).
 */
export function readIfprocStream(nc: NcFile, h: IfprocHeader, positions = true): IfprocStream {
  const time = nc.has("Data.TelescopeBackend.BackendTime")
    ? nc.readNumbers("Data.TelescopeBackend.BackendTime")
    : req(nc, "Data.TelescopeBackend.TelTime");
  const bp = req(nc, "Data.TelescopeBackend.BufPos");
  if (bp.length !== time.length) {
    throw new SeqDataError(
      `${nc.path}: Data.TelescopeBackend.BufPos has ${bp.length} samples, the time axis ${time.length}`,
    );
  }
  for (let i = 1; i < time.length; i++) {
    if (!(time[i]! > time[i - 1]!)) {
      throw new SeqDataError(`${nc.path}: Data.TelescopeBackend time axis is not increasing at sample ${i}`);
    }
  }
  const bufPos = Int32Array.from(bp);
  const empty = new Float64Array(0);
  if (!positions) {
    return {
      time,
      bufPos,
      azmap: empty,
      elmap: empty,
      ramap: empty,
      decmap: empty,
      lmap: empty,
      bmap: empty,
      parAng: empty,
      galAng: empty,
    };
  }
  const n = time.length;
  const scaled = (name: string): Float64Array => {
    const v = req(nc, name);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = v[i]! * ARCSEC_PER_RAD;
    return out;
  };
  const offset = (name: string, centre: number, cosf: number): Float64Array => {
    const v = req(nc, name);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (v[i]! - centre) * cosf * ARCSEC_PER_RAD;
    return out;
  };
  return {
    time,
    bufPos,
    azmap: scaled("Data.TelescopeBackend.TelAzMap"),
    elmap: scaled("Data.TelescopeBackend.TelElMap"),
    ramap: offset("Data.TelescopeBackend.SourceRaAct", h.ra, Math.cos(h.dec)),
    decmap: offset("Data.TelescopeBackend.SourceDecAct", h.dec, 1),
    lmap: nc.has("Data.TelescopeBackend.SourceLAct")
      ? offset("Data.TelescopeBackend.SourceLAct", h.l, Math.cos(h.b))
      : new Float64Array(n),
    bmap: nc.has("Data.TelescopeBackend.SourceBAct")
      ? offset("Data.TelescopeBackend.SourceBAct", h.b, 1)
      : new Float64Array(n),
    parAng: req(nc, "Data.TelescopeBackend.ActParAng"),
    galAng: nc.has("Data.TelescopeBackend.ActGalAng")
      ? nc.readNumbers("Data.TelescopeBackend.ActGalAng")
      : new Float64Array(n),
  };
}

/**
 * The map_coord rule (seq.md §2.2): an explicit value ≥ 0 wins; a Science map follows the source
 * coordinate system (2 galactic, else 1); a Pointing map is Az/El (0); otherwise the
 * `Header.Map.MapCoord` text decides (Az/El → 0, Ra/Dec → 1, L/B → 2, unknown → 0).
 */
export function mapCoord(h: IfprocHeader, requested = -1): number {
  if (requested >= 0) return requested;
  if (h.obsGoal === "Science") return h.coordSys === 2 ? 2 : 1;
  if (h.obsGoal === "Pointing") return 0;
  const s = h.mapCoordString;
  if (s.includes("Az") || s.includes("El")) return 0;
  if (s.includes("Ra") || s.includes("Dec")) return 1;
  if (s.includes("L") || s.includes("B")) return 2;
  return 0;
}

/**
 * Scalar IFPROC Tsys per pixel from a Cal scan's BasebandLevel (seq.md §1.9):
 * `280·(Vsky − Vzero)/(Vhot − Vsky)` with medians over BufPos 3 (hot) and 2 (sky) samples.
 */
export function ifprocTsys(nc: NcFile, h: IfprocHeader, stream: IfprocStream): Float64Array {
  const v = req(nc, "Data.IfProc.BasebandLevel");
  const n = stream.time.length;
  const npix = Math.floor(v.length / n);
  const out = new Float64Array(npix);
  for (let p = 0; p < npix; p++) {
    const hot: number[] = [], sky: number[] = [];
    for (let i = 0; i < n; i++) {
      if (stream.bufPos[i] === 3) hot.push(v[i * npix + p]!);
      else if (stream.bufPos[i] === 2) sky.push(v[i * npix + p]!);
    }
    const vh = npMedian(hot), vs = npMedian(sky);
    out[p] = T_AMB * (vs - h.blankLevel) / (vh - vs);
  }
  return out;
}
