/**
 * Synthetic RSR (Redshift Search Receiver) raw data with known truth.
 *
 * Writes, under a `$DATA_LMT`-style root, the four chassis files of a beam-switched (Bs) obsnum and
 * of its single-file Cal obsnum (records hot, sky, W, X, Y, Z; CalMode 1) as netCDF-3 classic
 * (CDF-1) with an unlimited `time` dimension, and the corr_cal matrices
 * `rsr/cal/corr_cal_<id>_<c>.nc` as netCDF-4 with int64 header variables — the layouts of
 * `../shared/samples/rsr/layout/*.cdl`.
 *
 * Model (all our own design, see docs/sim.md):
 * - per chassis c and board b a physical system temperature Tsys(k) (mean, linear slope over the
 *   IF, a small ripple), a bandpass gain G(k) and a power scale κ; sky power S = κ·G·Tsys,
 *   hot-load power S_hot = κ·G·(Tsys + Tamb), so Tamb·sky/(hot − sky) = Tsys exactly;
 * - lags are the type-II cosine transform of a spectrum times per-lag gains g_l:
 *   lag_l = g_l/N · Σ_k S_k cos(π(k+½)l/N); the corr_cal matrix M[k,l] = c_l cos(π(k+½)l/N)/g_l
 *   (c_0 = 1, c_l = 2) is its exact inverse, so M·lags = S;
 * - Bs records: BufPos alternates 0,1; chassis 0,3 see the source at BufPos 0, chassis 1,2 at
 *   BufPos 1. RefData = total power κG(Tsys + L), AccData = demodulated κG·L (L = line in K when
 *   the chassis sees the source, else 0) plus radiometer noise S_tot/√(Δν·t), a DC offset with the
 *   shape of the correlator blank pattern, bad-lag noise and bad-board noise. With the dreampy3
 *   formula T = sgn·[Sp/(STp−Sp) − Sn/(STn−Sn)]·Tsys_cal the line comes out as L·diffsat;
 * - Cal W,X,Y,Z = sky lags ± β·(blank pattern), so (W−X−Y+Z)/4 ∝ the pattern.
 *
 * @module
 */
import { mkdirSync } from "../sys/fs.ts";
import { writeNetcdf3, writeNetcdf4 } from "../netcdf/mod.ts";
import type { NcWriteModel } from "../netcdf/types.ts";
import { DIFFSAT } from "../rsr/calibration.ts";
import { decimalYear, formatUtc, lmtLstRad, NcHeaderBuilder, parseUtc, utHoursRad } from "./common.ts";
import { erf, Rng } from "./rng.ts";
import { dirname, join } from "../sys/path.ts";
import { C_KMS } from "../num/constants.ts";
import { NBOARD, NCHASSIS, NLAG } from "../rsr/raw.ts";

/** VME slots of the six boards. */
export const RSR_SLOTS: readonly number[] = [5, 8, 11, 14, 17, 20];
/** Band number (1..6) of each board index with the default slots. */
export const RSR_BANDS: readonly number[] = [1, 3, 2, 4, 6, 5];
const LO_LOW = 93.4, LO_HIGH = 112.296, B_LO = 15.4, B_HI = 21.7;
/** Samples accumulated per second (AccSamples ≈ this × record time). */
const SAMPLES_PER_SEC = 48124;
/** Channel width in Hz. */
const CHAN_BW_HZ = 31.25e6;

/** The diffsat factor of chassis c, board b at sky frequency f (GHz): dreampy3's empirical Tsys
 * linearity polynomial p0 + p1·f + p2·f² ({@link DIFFSAT} of lib/rsr/calibration.ts). */
export function diffsat(c: number, b: number, fGhz: number): number {
  const [p0, p1, p2] = DIFFSAT[c]![b]!;
  return p0 + p1 * fGhz + p2 * fGhz * fGhz;
}

/** IF frequency (GHz) of channel k. */
export function rsrIf(k: number): number {
  return 0.01953125 + 0.03125 * k;
}

/** Sky frequency (GHz) of channel k of board index b (default LOs and slots). */
export function rsrSkyFreq(b: number, k: number): number {
  const band = RSR_BANDS[b];
  const ifk = rsrIf(k);
  switch (band) {
    case 1:
      return LO_LOW - B_HI + ifk;
    case 2:
      return LO_LOW - B_LO + ifk;
    case 3:
      return LO_LOW - ifk;
    case 4:
      return LO_HIGH - B_HI + ifk;
    case 5:
      return LO_HIGH - B_LO + ifk;
    default:
      return LO_HIGH - ifk;
  }
}

/** True for channels inside the valid 1.3–7.9 GHz IF range (k = 41..252). */
export function rsrValidChannel(k: number): boolean {
  const f = rsrIf(k);
  return f >= 1.3 && f <= 7.9;
}

/** A Gaussian spectral line. */
export interface RsrLine {
  /** Centre sky frequency, GHz. */
  freqGhz: number;
  /** Physical peak (K) before channel averaging. */
  peakK: number;
  /** Full width at half maximum, km/s. */
  fwhmKms: number;
}

/** A bad lag: extra per-record Gaussian noise of rms `amp` (normalised lag units) at one lag. */
export interface RsrBadLag {
  chassis: number;
  board: number;
  lag: number;
  amp: number;
}

/** A bad chassis/board: extra white lag noise of `factor` × the nominal per-record lag noise. */
export interface RsrBadBoard {
  chassis: number;
  board: number;
  factor: number;
}

/** Tsys jitter: a per-channel fractional error `frac` of the hot-load temperature in the Cal scan. */
export interface RsrJitter {
  chassis: number;
  board: number;
  frac: number;
}

/** Options of {@link generateRsr}. Everything has a default except `obsnum`. */
export interface RsrSimOptions {
  /** Bs obsnum. */
  obsnum: number;
  /** Cal obsnum (default obsnum − 1). */
  calObsnum?: number;
  /** Noise seed (default = obsnum). */
  seed?: number | undefined;
  /** Instrument seed: receiver Tsys, bandpass, per-lag gains, blank pattern (default 1). */
  instrumentSeed?: number;
  /** corr_cal id (default 2024). */
  corrCalId?: number;
  /** UT start of the Bs scan, ISO "YYYY-MM-DDTHH:MM:SS" (default 2024-11-02T05:30:00). */
  date?: string;
  /** Seconds between the Cal start and the Bs start (default 90). */
  calLeadS?: number;
  /** Number of Bs repeats (pairs of records; default 5). */
  nRepeats?: number;
  /** Seconds per Bs record (default 30). */
  tsampS?: number;
  /** Seconds per Cal record (default 10). */
  tsampCalS?: number;
  /** Ambient load temperature, K (default 281.3). */
  tambK?: number;
  /** 220 GHz opacity written to the header (default 0.1). */
  tau?: number;
  azDeg?: number;
  elDeg?: number;
  raDeg?: number;
  decDeg?: number;
  source?: string;
  project?: string;
  /** Multiplies every physical Tsys (default 1). */
  tsysScale?: number;
  /** Override the mean physical Tsys per [chassis][board], K. */
  tsysK?: number[][];
  /** Fractional Tsys change across the IF per [chassis][board] (override). */
  tsysSlope?: number[][];
  lines?: RsrLine[];
  badLags?: RsrBadLag[];
  badBoards?: RsrBadBoard[];
  tsysJitter?: RsrJitter[];
  /** DC offset of the demodulated lags (blank-pattern shape), normalised lag units (default 0.2). */
  dcOffset?: number;
  /** Amplitude β of the blank pattern in the W..Z records (default 20). */
  blankLevel?: number;
  /** Fractional per-record gain drift rms (default 0.001). */
  gainDrift?: number;
  /** Write the corr_cal files too (default true; skipped when they already exist if false). */
  writeCorrCal?: boolean;
}

/** Truth of one chassis/board. */
export interface RsrBoardTruth {
  chassis: number;
  board: number;
  slot: number;
  band: number;
  /** Sky frequency range of the valid channels, GHz (ascending). */
  sky_freq_ghz: [number, number];
  tsys_phys_mean_k: number;
  tsys_phys_min_k: number;
  tsys_phys_max_k: number;
  /** Mean of diffsat over the valid channels. */
  diffsat_mean: number;
  /** Mean over valid channels of Tsys_phys × diffsat: what a dreampy3-compatible Tsys reports. */
  tsys_expected_mean_k: number;
  zero_lag_total: number;
  lag_noise_rms_per_record: number;
  extra_lag_noise: number;
  /** Radiometer rms of one repeat's calibrated spectrum (physical K, per channel). */
  expected_rms_per_repeat_k: number;
  /** Largest channel-averaged line value in this board (physical K). */
  line_peak_in_board_k: number;
  /** The same × diffsat at the line centre (what dreampy3-calibrated spectra show). */
  line_peak_expected_k: number;
  accsamples_mean: number;
}

/** Truth of one line. */
export interface RsrLineTruth {
  f0_ghz: number;
  peak_k: number;
  fwhm_kms: number;
  fwhm_ghz: number;
  sigma_ghz: number;
  integral_k_kms: number;
  /** Boards (chassis, board) whose valid range contains f0. */
  boards: { chassis: number; board: number; diffsat: number }[];
  /** peak × diffsat(f0), averaged over the chassis that see the line (channel-sampled peak). */
  expected_peak_k: number;
  /** Channel-averaged physical peak (mean over those boards). */
  channel_peak_k: number;
}

/** Everything injected, with derived expectations; written as truth.json by the CLI. */
export interface RsrTruth {
  generator: string;
  version: string;
  obsnum: number;
  calobsnum: number;
  date_obs: string;
  date_cal: string;
  source: string;
  project: string;
  seed: number;
  instrument_seed: number;
  obspgm: "Bs";
  nrepeats: number;
  tsamp_s: number;
  tsamp_cal_s: number;
  tint_s: number;
  tamb_k: number;
  tau: number;
  corrcal_id: number;
  tsys_scale: number;
  az_deg: number;
  el_deg: number;
  ra_deg: number;
  dec_deg: number;
  raw_format: string;
  corrcal_format: string;
  units_note: string;
  lines: RsrLineTruth[];
  badlags: RsrBadLag[];
  badcb: { chassis: number; board: number; noise_factor: number }[];
  tsys_jitter: RsrJitter[];
  model: Record<string, unknown>;
  boards: RsrBoardTruth[];
  files: string[];
}

/** Per-chassis instrument realisation (depends on the instrument seed only). */
interface Instrument {
  /** [board] physical Tsys spectrum before tsysScale, 256 channels. */
  tsys: Float64Array[];
  /** [board] bandpass × power scale κ·G(k). */
  gain: Float64Array[];
  /** [board] per-lag gains g_l. */
  lagGain: Float64Array[];
  /** [board] blank pattern p_l (positive, mean 1). */
  blank: Float64Array[];
  /** Header Gain ints. */
  gainSetting: number[];
}

let COS_TABLE: Float64Array | null = null;
/** cos(π(k+½)l/N) as table[l·N + k]. */
function cosTable(): Float64Array {
  if (COS_TABLE) return COS_TABLE;
  const n = NLAG;
  const t = new Float64Array(n * n);
  for (let l = 0; l < n; l++) {
    for (let k = 0; k < n; k++) t[l * n + k] = Math.cos((Math.PI * (k + 0.5) * l) / n);
  }
  COS_TABLE = t;
  return t;
}

/** Lags of a spectrum: lag_l = g_l/N Σ_k S_k cos(π(k+½)l/N), written into `out`. */
export function spectrumToLags(
  spec: ArrayLike<number>,
  lagGain: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const n = NLAG, t = cosTable();
  if (spec.length < n || lagGain.length < n || out.length < n) {
    throw new RangeError(`spectrumToLags: ${n} channels, lag gains and lags needed`);
  }
  for (let l = 0; l < n; l++) {
    let s = 0;
    const o = l * n;
    for (let k = 0; k < n; k++) s += spec[k]! * t[o + k]!;
    out[l] = (lagGain[l]! * s) / n;
  }
  return out;
}

/** The corr_cal matrix (row-major [channel k][lag l]) that inverts {@link spectrumToLags}. */
export function corrCalMatrix(lagGain: ArrayLike<number>): Float64Array {
  const n = NLAG, t = cosTable();
  if (lagGain.length < n) throw new RangeError(`corrCalMatrix: ${lagGain.length} lag gains, ${n} needed`);
  const m = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let l = 0; l < n; l++) m[k * n + l] = ((l === 0 ? 1 : 2) * t[l * n + k]!) / lagGain[l]!;
  }
  return m;
}

function makeInstrument(instrumentSeed: number, chassis: number): Instrument {
  const rng = new Rng([instrumentSeed, 7001, chassis]);
  const inst: Instrument = { tsys: [], gain: [], lagGain: [], blank: [], gainSetting: [] };
  for (let b = 0; b < NBOARD; b++) {
    const t0 = 85 + 50 * rng.uniform();
    const slope = 0.2 * (rng.uniform() - 0.5);
    const ripA = 0.02 * rng.uniform(), ripP = 2 * Math.PI * rng.uniform(), ripN = 1 + 2 * rng.uniform();
    const tsys = new Float64Array(NLAG);
    const gain = new Float64Array(NLAG);
    const kappa = (6.0e4 / t0) * (0.9 + 0.5 * rng.uniform());
    const gA = 0.08 * rng.uniform(), gP = 2 * Math.PI * rng.uniform();
    for (let k = 0; k < NLAG; k++) {
      const x = (rsrIf(k) - 4) / 4; // −1..+1 across the IF
      tsys[k] = t0 * (1 + slope * x + ripA * Math.sin(ripN * Math.PI * x + ripP));
      // bandpass: gentle slope and ripple, roll-off at the IF edges
      const edge = 1 / (1 + Math.exp(-(rsrIf(k) - 0.6) / 0.12)) / (1 + Math.exp((rsrIf(k) - 7.95) / 0.05));
      gain[k] = kappa * (1 + gA * Math.cos(3 * Math.PI * x + gP)) * (0.15 + 0.85 * edge);
    }
    const lagGain = new Float64Array(NLAG);
    const blank = new Float64Array(NLAG);
    let bm = 0;
    const bP = 2 * Math.PI * rng.uniform();
    for (let l = 0; l < NLAG; l++) {
      lagGain[l] = 1 + 0.01 * rng.normal();
      blank[l] = 1 + 0.3 * Math.cos((2 * Math.PI * l) / 64 + bP) + 0.05 * rng.normal();
      bm += blank[l]!;
    }
    bm /= NLAG;
    for (let l = 0; l < NLAG; l++) blank[l]! /= bm;
    inst.tsys.push(tsys);
    inst.gain.push(gain);
    inst.lagGain.push(lagGain);
    inst.blank.push(blank);
    inst.gainSetting.push(3 + Math.floor(6 * rng.uniform()));
  }
  return inst;
}

/** Channel-averaged Gaussian line (K) at sky frequency f (GHz), box of width dfGhz. */
function lineInChannel(line: RsrLine, f: number, dfGhz: number): number {
  const sigma = (line.fwhmKms / C_KMS) * line.freqGhz / (2 * Math.sqrt(2 * Math.log(2)));
  const a = (f - dfGhz / 2 - line.freqGhz) / (Math.SQRT2 * sigma);
  const b = (f + dfGhz / 2 - line.freqGhz) / (Math.SQRT2 * sigma);
  if (a > 8 || b < -8) return 0;
  return (line.peakK * sigma * Math.sqrt(Math.PI / 2) * (erf(b) - erf(a))) / dfGhz;
}

/** RSR raw file name relative to the root. */
export function rsrFileName(chassis: number, t: number, obsnum: number): string {
  const day = formatUtc(t).slice(0, 10);
  return `RedshiftChassis${chassis}/RedshiftChassis${chassis}_${day}_${
    String(obsnum).padStart(6, "0")
  }_00_0001.nc`;
}

// ---------------------------------------------------------------------------------------------
// netCDF model building

interface ChassisScan {
  obspgm: "Bs" | "Cal";
  obsnum: number;
  calObsnum: number;
  t0: number;
  nrec: number;
  tsamp: number;
  accData: Float64Array; // [nrec,6,256] (already × AccSamples)
  refData: Float64Array;
  accSamples: Int32Array; // [nrec,6]
  bufPos: Int32Array;
  skyTime: Float64Array;
  xPos: Float64Array;
}

function chassisModel(
  c: number,
  scan: ChassisScan,
  o: Required<CommonHeader>,
  inst: Instrument,
): NcWriteModel {
  const m = new NcHeaderBuilder();
  const isBs = scan.obspgm === "Bs";
  const t = scan.t0;
  const ra = (o.raDeg * Math.PI) / 180, dec = (o.decDeg * Math.PI) / 180;
  const az = (o.azDeg * Math.PI) / 180, el = (o.elDeg * Math.PI) / 180;
  const dx = 0.00019; // beam throw, rad (≈39″)
  m.str("Header.Dcs.ObsPgm", scan.obspgm, 20);
  m.str("Header.Dcs.ObsGoal", isBs ? "Science" : "Calibration", 20);
  m.str("Header.Dcs.Receiver", "RedshiftReceiver", 32);
  m.str("Header.Dcs.ProjectId", o.project, 32);
  m.arr("Header.Dcs.ObsNum", "int", [scan.obsnum]);
  m.arr("Header.Dcs.SubObsNum", "int", [0]);
  m.arr("Header.Dcs.ScanNum", "int", [1]);
  m.arr("Header.Dcs.IntegrationTime", "double", [scan.nrec * scan.tsamp]);
  m.arr("Header.ScanFile.Valid", "int", [1]);
  m.str("Header.Source.SourceName", o.source, 32);
  m.arr("Header.Source.Ra", "double", [ra, ra]);
  m.arr("Header.Source.Dec", "double", [dec, dec]);
  m.arr("Header.Source.L", "double", [0.5, 0.5]);
  m.arr("Header.Source.B", "double", [0.3, 0.3]);
  m.arr("Header.Source.Az", "double", [az, az]);
  m.arr("Header.Source.El", "double", [el, el]);
  m.arr("Header.Source.Epoch", "double", [2000]);
  m.arr("Header.Source.Velocity", "double", [0]);
  m.arr("Header.Source.VelSys", "int", [0]);
  m.arr("Header.Source.CoordSys", "int", [0]);
  m.arr("Header.Sky.AzReq", "double", [az, az]);
  m.arr("Header.Sky.ElReq", "double", [el, el]);
  m.arr("Header.Sky.AzOff", "double", [0, 0]);
  m.arr("Header.Sky.ElOff", "double", [0, 0]);
  m.arr("Header.Sky.ObsVel", "double", [0]);
  m.arr("Header.Sky.BaryVel", "double", [0]);
  m.arr("Header.Sky.ParAng", "double", [0.3]);
  m.arr("Header.Telescope.AzDesPos", "double", [az]);
  m.arr("Header.Telescope.ElDesPos", "double", [el]);
  m.str("Header.Telescope.Operator", "lmt-sim", 24);
  m.arr("Header.TimePlace.UTDate", "double", [decimalYear(t)]);
  m.arr("Header.TimePlace.UT1", "double", [utHoursRad(t)]);
  m.arr("Header.TimePlace.LST", "double", [lmtLstRad(t)]);
  m.arr("Header.Radiometer.Tau", "double", [o.tau]);
  const iso = formatUtc(t);
  const upd = `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
  m.str("Header.Radiometer.UpdateDate", upd, 24);
  m.arr("Header.Environment.Temp", "double", [o.tambK - 273.15]);
  m.arr("Header.Environment.Pressure", "double", [600]);
  m.arr("Header.Environment.Wvp", "double", [2]);
  m.arr("Header.Rsfend.Temperature", "double", [20.1, 4.2, 4.1, 60, 61, 20.5, o.tambK, 279]);
  m.arr("Header.Rsfend.LoLowFreq", "double", [LO_LOW]);
  m.arr("Header.Rsfend.LoHighFreq", "double", [LO_HIGH]);
  m.arr("Header.RedshiftReceiver.NumBeams", "int", [2]);
  m.arr("Header.RedshiftReceiver.BeamSelected", "int", [0]);
  m.arr("Header.RedshiftReceiver.Dx", "double", [-dx, dx]);
  m.arr("Header.RedshiftReceiver.Beta", "double", [0]);
  const g = `Header.RedshiftChassis_${c}_.`;
  m.arr(g + "ChassisNumber", "int", [c]);
  m.arr(g + "BoardNumber", "int", Array.from({ length: NBOARD }, (_, b) => b));
  m.arr(g + "SlotNumber", "int", [...RSR_SLOTS]);
  m.arr(g + "DipBid", "int", [100, 101, 102, 103, 104, 105]);
  m.arr(g + "Gain", "int", inst.gainSetting);
  m.arr(g + "SwtA", "int", new Array(NBOARD).fill(isBs ? 2 : 0));
  m.arr(g + "SwtB", "int", new Array(NBOARD).fill(isBs ? 2 : 0));
  m.arr(g + "Blank", "int", new Array(NBOARD).fill(0));
  m.arr(g + "Polar", "int", new Array(NBOARD).fill(isBs ? 5 : 0));
  m.arr(g + "RefAcc", "int", new Array(NBOARD).fill(1));
  m.arr(g + "CorrCalId", "int", [o.corrCalId]);
  m.arr(g + "CalObsNum", "int", [scan.calObsnum]);
  m.arr(g + "SwitchSettings", "int", [isBs ? 1 : 0]);
  m.str(g + "AccumMode", "AccumNormal", 20);
  m.arr(g + "NumChannels", "int", [NLAG]);
  m.arr(g + "Bandwidth", "double", [8]);
  if (isBs) {
    m.arr("Header.Bs.NumRepeats", "int", [scan.nrec / 2]);
    m.arr("Header.Bs.TSamp", "double", [scan.tsamp]);
    m.arr("Header.Bs.Beam", "int", [0, 1]);
  } else {
    m.arr("Header.Cal.CalMode", "int", [1]);
    m.arr("Header.Cal.TSamp", "double", [scan.tsamp]);
  }
  const d = `Data.RedshiftChassis_${c}_.`;
  m.dataDim("time", scan.nrec, true);
  m.dataDim(d + "AccData_xlen", NBOARD);
  m.dataDim(d + "AccData_ylen", NLAG);
  m.dataDim(d + "RefData_xlen", NBOARD);
  m.dataDim(d + "RefData_ylen", NLAG);
  m.dataDim(d + "AccSamples_xlen", NBOARD);
  m.vars.push(
    {
      name: d + "AccData",
      type: "double",
      dimensions: ["time", d + "AccData_xlen", d + "AccData_ylen"],
      data: scan.accData,
    },
    {
      name: d + "RefData",
      type: "double",
      dimensions: ["time", d + "RefData_xlen", d + "RefData_ylen"],
      data: scan.refData,
    },
    {
      name: d + "AccSamples",
      type: "int",
      dimensions: ["time", d + "AccSamples_xlen"],
      data: scan.accSamples,
    },
    { name: "Data.Dcs.BufPos", type: "int", dimensions: ["time"], data: scan.bufPos },
    { name: "Data.Sky.Time", type: "double", dimensions: ["time"], data: scan.skyTime },
    { name: "Data.Sky.XPos", type: "double", dimensions: ["time"], data: scan.xPos },
    { name: "Data.Sky.YPos", type: "double", dimensions: ["time"], data: new Float64Array(scan.nrec) },
  );
  return m.model();
}

interface CommonHeader {
  raDeg: number;
  decDeg: number;
  azDeg: number;
  elDeg: number;
  source: string;
  project: string;
  tau: number;
  tambK: number;
  corrCalId: number;
}

/** netCDF-4 model of one corr_cal file (layout of samples/rsr/layout/corr_cal_*.cdl). */
export function corrCalModel(
  chassis: number,
  corrCalId: number,
  lagGains: Float64Array[],
  createdT: number,
): NcWriteModel {
  const g = `Header.RedshiftChassis_${chassis}_.`;
  const nb = lagGains.length;
  const mat = new Float64Array(nb * NLAG * NLAG);
  for (let b = 0; b < nb; b++) mat.set(corrCalMatrix(lagGains[b]!), b * NLAG * NLAG);
  // hours since 0001-01-01 (proleptic Gregorian): days from 0001-01-01 to 1970-01-01 = 719162
  const hours = createdT / 3600 + 719162 * 24;
  const dateAttrs = { units: "hours since 0001-01-01 00:00:00.0", calendar: "gregorian" };
  const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));
  return {
    dimensions: [
      { name: "numcards", size: nb },
      { name: "numchannels", size: NLAG },
      { name: "scalarval", size: 1 },
      { name: "ccid_slen", size: 9 },
    ],
    variables: [
      { name: g + "slotno", type: "int64", dimensions: ["numcards"], data: i64(RSR_SLOTS.slice(0, nb)) },
      {
        name: g + "boardid",
        type: "int64",
        dimensions: ["numcards"],
        data: i64(Array.from({ length: NBOARD }, (_, b) => b).slice(0, nb)),
      },
      {
        name: g + "corr_cal_id",
        type: "int64",
        dimensions: ["numcards"],
        data: i64(new Array(nb).fill(corrCalId)),
      },
      { name: g + "svd", type: "int64", dimensions: ["numcards"], data: i64(new Array(nb).fill(0)) },
      { name: g + "zerolag", type: "int64", dimensions: ["numcards"], data: i64(new Array(nb).fill(0)) },
      { name: g + "chassis", type: "int64", dimensions: ["scalarval"], data: i64([chassis]) },
      {
        name: g + "obsdate",
        type: "double",
        dimensions: ["scalarval"],
        attributes: dateAttrs,
        data: Float64Array.of(hours),
      },
      {
        name: g + "reducedate",
        type: "double",
        dimensions: ["scalarval"],
        attributes: dateAttrs,
        data: Float64Array.of(hours),
      },
      {
        name: g + "createdate",
        type: "double",
        dimensions: ["scalarval"],
        attributes: dateAttrs,
        data: Float64Array.of(hours),
      },
      {
        name: `Data.RedshiftChassis_${chassis}_.corr_cal`,
        type: "double",
        dimensions: ["numcards", "numchannels", "numchannels"],
        data: mat,
      },
    ],
  };
}

/** All generated file models of one obsnum (exposed so tests can check them without disk I/O). */
export interface RsrModels {
  /** Relative path → model; chassis files are netCDF-3 CDF-1. */
  chassis: Map<string, NcWriteModel>;
  /** Relative path → model; corr_cal files are netCDF-4. */
  corrCal: Map<string, NcWriteModel>;
  truth: RsrTruth;
}

function round(x: number, n: number): number {
  const f = 10 ** n;
  return Math.round(x * f) / f;
}

/** Build every file of one RSR obsnum in memory (pure; deterministic for given options). */
export function buildRsr(opts: RsrSimOptions): RsrModels {
  const obsnum = opts.obsnum;
  const calObsnum = opts.calObsnum ?? obsnum - 1;
  const seed = opts.seed ?? obsnum;
  const iseed = opts.instrumentSeed ?? 1;
  const nRep = opts.nRepeats ?? 5;
  const tsamp = opts.tsampS ?? 30;
  const tsampCal = opts.tsampCalS ?? 10;
  const tBs = parseUtc(opts.date ?? "2024-11-02T05:30:00");
  const tCal = tBs - (opts.calLeadS ?? 90);
  const hdr: Required<CommonHeader> = {
    raDeg: opts.raDeg ?? 201.37,
    decDeg: opts.decDeg ?? -8.75,
    azDeg: opts.azDeg ?? 195,
    elDeg: opts.elDeg ?? 58,
    source: opts.source ?? "SIM-QSO",
    project: opts.project ?? "2024-S1-SIM-1",
    tau: opts.tau ?? 0.1,
    tambK: opts.tambK ?? 281.3,
    corrCalId: opts.corrCalId ?? 2024,
  };
  const tsysScale = opts.tsysScale ?? 1;
  const lines = opts.lines ?? [];
  const badLags = opts.badLags ?? [];
  const badBoards = opts.badBoards ?? [];
  const jitters = opts.tsysJitter ?? [];
  const dc = opts.dcOffset ?? 0.2;
  const beta = opts.blankLevel ?? 20;
  const drift = opts.gainDrift ?? 0.001;
  for (const bl of badLags) checkCb("bad lag", bl.chassis, bl.board, bl.lag);
  for (const bb of badBoards) checkCb("bad board", bb.chassis, bb.board);
  for (const j of jitters) checkCb("Tsys jitter", j.chassis, j.board);

  const chassisFiles = new Map<string, NcWriteModel>();
  const corrFiles = new Map<string, NcWriteModel>();
  const boardsTruth: RsrBoardTruth[] = [];
  const dfGhz = CHAN_BW_HZ / 1e9;
  const n = NLAG;
  const spec = new Float64Array(n), lags = new Float64Array(n);

  for (let c = 0; c < NCHASSIS; c++) {
    const inst = makeInstrument(iseed, c);
    corrFiles.set(
      `rsr/cal/corr_cal_${hdr.corrCalId}_${c}.nc`,
      corrCalModel(c, hdr.corrCalId, inst.lagGain, parseUtc("2024-01-01T00:00:00")),
    );
    const sgnBeamA = c === 0 || c === 3; // chassis 0,3 see the source at BufPos 0
    // physical Tsys and line per board
    const tsys: Float64Array[] = [], line: Float64Array[] = [];
    for (let b = 0; b < NBOARD; b++) {
      const t = new Float64Array(n);
      const mean0 = inst.tsys[b]!.reduce((a, x) => a + x, 0) / n;
      const target = opts.tsysK?.[c]?.[b];
      const slopeOv = opts.tsysSlope?.[c]?.[b];
      for (let k = 0; k < n; k++) {
        let v = inst.tsys[b]![k]!;
        if (target !== undefined) v = (v / mean0) * target;
        if (slopeOv !== undefined) v *= 1 + slopeOv * (rsrIf(k) - 4) / 4;
        t[k] = v * tsysScale;
      }
      tsys.push(t);
      const L = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const f = rsrSkyFreq(b, k);
        for (const ln of lines) L[k]! += lineInChannel(ln, f, dfGhz);
      }
      line.push(L);
    }

    // ---- Cal scan: hot, sky, W, X, Y, Z
    {
      const rng = new Rng([seed, 31, c, calObsnum]);
      const nrec = 6;
      const acc = new Float64Array(nrec * NBOARD * n), ref = new Float64Array(nrec * NBOARD * n);
      const samples = new Int32Array(nrec * NBOARD);
      for (let r = 0; r < nrec; r++) {
        for (let b = 0; b < NBOARD; b++) {
          const ns = Math.round(SAMPLES_PER_SEC * tsampCal - 12 * rng.uniform() - 15);
          samples[r * NBOARD + b] = ns;
          const G = inst.gain[b]!, T = tsys[b]!, lagGain = inst.lagGain[b]!, blank = inst.blank[b]!;
          const jit = jitters.find((j) => j.chassis === c && j.board === b);
          const gd = 1 + drift * rng.normal();
          // total power spectrum of this record
          for (let k = 0; k < n; k++) {
            let tin = T[k]!;
            if (r === 0) tin += hdr.tambK * (jit ? 1 + jit.frac * rng.normal() : 1);
            spec[k] = G[k]! * tin * gd;
          }
          const sky = Float64Array.from(spec);
          // radiometer noise of a total-power record
          for (let k = 0; k < n; k++) spec[k]! += (sky[k]! / Math.sqrt(CHAN_BW_HZ * tsampCal)) * rng.normal();
          spectrumToLags(spec, lagGain, lags);
          if (r >= 2) {
            const sgn = r === 2 || r === 5 ? 1 : -1; // W,Z = +pattern, X,Y = −pattern
            for (let l = 0; l < n; l++) lags[l]! += sgn * beta * blank[l]!;
          }
          addBadLags(lags, c, b, badLags, rng);
          const o = (r * NBOARD + b) * n;
          for (let l = 0; l < n; l++) acc[o + l] = lags[l]! * ns;
          // RefData: total power, independent noise
          for (let k = 0; k < n; k++) {
            spec[k] = sky[k]! * (1 + rng.normal() / Math.sqrt(CHAN_BW_HZ * tsampCal));
          }
          spectrumToLags(spec, lagGain, lags);
          for (let l = 0; l < n; l++) ref[o + l] = lags[l]! * ns;
        }
      }
      const scan: ChassisScan = {
        obspgm: "Cal",
        obsnum: calObsnum,
        calObsnum,
        t0: tCal,
        nrec,
        tsamp: tsampCal,
        accData: acc,
        refData: ref,
        accSamples: samples,
        bufPos: new Int32Array(nrec),
        skyTime: Float64Array.from({ length: nrec }, (_, r) => tCal + tsampCal * (r + 0.5)),
        xPos: new Float64Array(nrec),
      };
      chassisFiles.set(rsrFileName(c, tCal, calObsnum), chassisModel(c, scan, hdr, inst));
    }

    // ---- Bs scan
    {
      const rng = new Rng([seed, 37, c, obsnum]);
      const nrec = 2 * nRep;
      const acc = new Float64Array(nrec * NBOARD * n), ref = new Float64Array(nrec * NBOARD * n);
      const samples = new Int32Array(nrec * NBOARD);
      const bufPos = new Int32Array(nrec);
      const lagNoise: number[] = new Array(NBOARD).fill(0), zeroLag: number[] = new Array(NBOARD).fill(0);
      const sampSum: number[] = new Array(NBOARD).fill(0);
      for (let r = 0; r < nrec; r++) {
        const bp = r % 2;
        bufPos[r] = bp;
        const sees = (bp === 0) === sgnBeamA;
        for (let b = 0; b < NBOARD; b++) {
          const ns = Math.round(SAMPLES_PER_SEC * tsamp - 40 * rng.uniform() - 5);
          samples[r * NBOARD + b] = ns;
          sampSum[b]! += ns;
          const G = inst.gain[b]!,
            T = tsys[b]!,
            L = line[b]!,
            lagGain = inst.lagGain[b]!,
            blank = inst.blank[b]!;
          const gd = 1 + drift * rng.normal();
          const o = (r * NBOARD + b) * n;
          // demodulated (AccData): κG·L plus radiometer noise of the total power
          let var2 = 0;
          for (let k = 0; k < n; k++) {
            const tot = G[k]! * (T[k]! + (sees ? L[k]! : 0)) * gd;
            const sig = tot / Math.sqrt(CHAN_BW_HZ * tsamp);
            var2 += sig * sig;
            spec[k] = G[k]! * (sees ? L[k]! : 0) * gd + sig * rng.normal();
          }
          const nominal = Math.sqrt(var2 / 2) / n; // rms of one lag (l > 0)
          lagNoise[b]! += nominal / nrec;
          spectrumToLags(spec, lagGain, lags);
          for (let l = 0; l < n; l++) lags[l]! += dc * blank[l]!;
          const bb = badBoards.find((x) => x.chassis === c && x.board === b);
          if (bb) { for (let l = 0; l < n; l++) lags[l]! += bb.factor * nominal * rng.normal(); }
          addBadLags(lags, c, b, badLags, rng);
          for (let l = 0; l < n; l++) acc[o + l] = lags[l]! * ns;
          // total power (RefData)
          for (let k = 0; k < n; k++) {
            const tot = G[k]! * (T[k]! + (sees ? L[k]! : 0)) * gd;
            spec[k] = tot * (1 + rng.normal() / Math.sqrt(CHAN_BW_HZ * tsamp));
          }
          spectrumToLags(spec, lagGain, lags);
          zeroLag[b]! += lags[0]! / nrec;
          for (let l = 0; l < n; l++) ref[o + l] = lags[l]! * ns;
        }
      }
      const dxr = 0.00019;
      const scan: ChassisScan = {
        obspgm: "Bs",
        obsnum,
        calObsnum,
        t0: tBs,
        nrec,
        tsamp,
        accData: acc,
        refData: ref,
        accSamples: samples,
        bufPos,
        skyTime: Float64Array.from({ length: nrec }, (_, r) => tBs + tsamp * (r + 0.5)),
        xPos: Float64Array.from({ length: nrec }, (_, r) => (r % 2 === 0 ? dxr : -dxr)),
      };
      chassisFiles.set(rsrFileName(c, tBs, obsnum), chassisModel(c, scan, hdr, inst));

      for (let b = 0; b < NBOARD; b++) {
        let tmin = Infinity, tmax = -Infinity, tsum = 0, dsum = 0, esum = 0, nv = 0, lpk = 0, fpk = NaN;
        let flo = Infinity, fhi = -Infinity, noise2 = 0;
        for (let k = 0; k < n; k++) {
          if (!rsrValidChannel(k)) continue;
          const f = rsrSkyFreq(b, k);
          const t = tsys[b]![k]!;
          const ds = diffsat(c, b, f);
          tmin = Math.min(tmin, t);
          tmax = Math.max(tmax, t);
          tsum += t;
          dsum += ds;
          esum += t * ds;
          noise2 += t * t;
          nv++;
          flo = Math.min(flo, f);
          fhi = Math.max(fhi, f);
          if (line[b]![k]! > lpk) {
            lpk = line[b]![k]!;
            fpk = f;
          }
        }
        const bb = badBoards.find((x) => x.chassis === c && x.board === b);
        // one repeat = (p − n): two records of tsamp each, noise in T ≈ √2·Tsys/√(Δν·t)
        const rmsRep = Math.sqrt(2 * noise2 / nv) / Math.sqrt(CHAN_BW_HZ * tsamp);
        boardsTruth.push({
          chassis: c,
          board: b,
          slot: RSR_SLOTS[b]!,
          band: RSR_BANDS[b]!,
          sky_freq_ghz: [round(flo, 4), round(fhi, 4)],
          tsys_phys_mean_k: round(tsum / nv, 4),
          tsys_phys_min_k: round(tmin, 4),
          tsys_phys_max_k: round(tmax, 4),
          diffsat_mean: round(dsum / nv, 6),
          tsys_expected_mean_k: round(esum / nv, 4),
          zero_lag_total: round(zeroLag[b]!, 2),
          lag_noise_rms_per_record: round(lagNoise[b]!, 5),
          extra_lag_noise: round(bb ? bb.factor * lagNoise[b]! : 0, 5),
          expected_rms_per_repeat_k: round(rmsRep, 6),
          line_peak_in_board_k: round(lpk, 6),
          line_peak_expected_k: round(lpk > 0 ? lpk * diffsat(c, b, fpk) : 0, 6),
          accsamples_mean: round(sampSum[b]! / nrec, 1),
        });
      }
    }
  }

  const lineTruth: RsrLineTruth[] = lines.map((ln) => {
    const sigma = (ln.fwhmKms / C_KMS) * ln.freqGhz / (2 * Math.sqrt(2 * Math.log(2)));
    const boards: { chassis: number; board: number; diffsat: number }[] = [];
    let esum = 0, psum = 0;
    for (const bt of boardsTruth) {
      if (ln.freqGhz >= bt.sky_freq_ghz[0] && ln.freqGhz <= bt.sky_freq_ghz[1]) {
        const ds = diffsat(bt.chassis, bt.board, ln.freqGhz);
        boards.push({ chassis: bt.chassis, board: bt.board, diffsat: round(ds, 6) });
        const chPeak = lineInChannel(ln, ln.freqGhz, dfGhz);
        esum += chPeak * ds;
        psum += chPeak;
      }
    }
    return {
      f0_ghz: ln.freqGhz,
      peak_k: ln.peakK,
      fwhm_kms: ln.fwhmKms,
      fwhm_ghz: round(sigma * 2 * Math.sqrt(2 * Math.log(2)), 6),
      sigma_ghz: round(sigma, 6),
      integral_k_kms: round(ln.peakK * ln.fwhmKms * Math.sqrt(Math.PI / (4 * Math.log(2))), 6),
      boards,
      expected_peak_k: round(boards.length ? esum / boards.length : 0, 6),
      channel_peak_k: round(boards.length ? psum / boards.length : 0, 6),
    };
  });

  const truth: RsrTruth = {
    generator: "lmt-sim rsr (lib/sim/rsr.ts)",
    version: "1.0",
    obsnum,
    calobsnum: calObsnum,
    date_obs: formatUtc(tBs),
    date_cal: formatUtc(tCal),
    source: hdr.source,
    project: hdr.project,
    seed,
    instrument_seed: iseed,
    obspgm: "Bs",
    nrepeats: nRep,
    tsamp_s: tsamp,
    tsamp_cal_s: tsampCal,
    tint_s: 2 * nRep * tsamp,
    tamb_k: hdr.tambK,
    tau: hdr.tau,
    corrcal_id: hdr.corrCalId,
    tsys_scale: tsysScale,
    az_deg: hdr.azDeg,
    el_deg: hdr.elDeg,
    ra_deg: hdr.raDeg,
    dec_deg: hdr.decDeg,
    raw_format: "NETCDF3_CLASSIC",
    corrcal_format: "NETCDF4",
    units_note:
      "Line peaks and Tsys are physical (Y-factor) values. A reduction that multiplies the Y-factor " +
      "Tsys by dreampy3's empirical linearity factor diffsat(f) reports Tsys*diffsat and line*diffsat: see " +
      "tsys_expected_mean_k, line_peak_expected_k and lines[].expected_peak_k.",
    lines: lineTruth,
    badlags: badLags.map((x) => ({ ...x })),
    badcb: badBoards.map((x) => ({ chassis: x.chassis, board: x.board, noise_factor: x.factor })),
    tsys_jitter: jitters.map((x) => ({ ...x })),
    model: {
      dc_offset: dc,
      blank_level: beta,
      gain_drift: drift,
      chan_bw_hz: CHAN_BW_HZ,
      samples_per_sec: SAMPLES_PER_SEC,
      beam_swapped_chassis: [1, 2],
      bufpos: "0,1 alternating; 0 = source in beam A (chassis 0,3)",
      lags: "lag_l = g_l/256 * sum_k S_k cos(pi (k+0.5) l/256)",
      corr_cal: "M[k,l] = c_l cos(pi (k+0.5) l/256)/g_l, c_0 = 1, c_l = 2 (exact inverse)",
      line_sampling: "Gaussian averaged over each 31.25 MHz channel",
    },
    boards: boardsTruth,
    files: [...corrFiles.keys(), ...[...chassisFiles.keys()].sort()],
  };
  return { chassis: chassisFiles, corrCal: corrFiles, truth };
}

function checkCb(what: string, c: number, b: number, lag?: number): void {
  if (!(Number.isInteger(c) && c >= 0 && c <= 3)) throw new RangeError(`${what}: chassis ${c} is not 0..3`);
  if (!(Number.isInteger(b) && b >= 0 && b <= 5)) throw new RangeError(`${what}: board ${b} is not 0..5`);
  if (lag !== undefined && !(Number.isInteger(lag) && lag >= 0 && lag < NLAG)) {
    throw new RangeError(`${what}: lag ${lag} is not 0..255`);
  }
}

function addBadLags(lags: Float64Array, c: number, b: number, bad: RsrBadLag[], rng: Rng): void {
  for (const x of bad) if (x.chassis === c && x.board === b) lags[x.lag]! += x.amp * rng.normal();
}

/**
 * Generate one RSR Bs obsnum and its Cal obsnum under `root` (a `$DATA_LMT` tree) and return the
 * truth. corr_cal files are (re)written unless `writeCorrCal` is false.
 */
export async function generateRsr(root: string, opts: RsrSimOptions): Promise<RsrTruth> {
  const models = buildRsr(opts);
  for (const [rel, model] of models.chassis) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    await writeNetcdf3(p, model, { format: "cdf1" });
  }
  if (opts.writeCorrCal !== false) {
    for (const [rel, model] of models.corrCal) {
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      await writeNetcdf4(p, model);
    }
  }
  return models.truth;
}
