/**
 * Synthetic SEQUOIA raw data with known truth: a Cal obsnum (HOT + SKY), an OTF Map obsnum
 * (boustrophedon rows with ramps, turnarounds and REF blocks) and optionally a Cal + Bs pair
 * (ON/REF of two beams), written as the LMT writes them:
 * - `ifproc/ifproc_<date>_<obsnum:06d>_00_0001.nc`: netCDF-3 64-bit offset (CDF-2), 0-d header
 *   scalars, the 125 Hz telescope stream (`Data.TelescopeBackend.*`, `Data.IfProc.*`);
 * - `spectrometer/roach<N>/roach<N>_<obsnum>_0_1_<source>_<date>_<HHMMSS>.nc`: netCDF-4 with an
 *   empty group `Spectrometer`, int64 variables and `Data.Integrate.Data(time, numchannels)` float32,
 *   4 inputs interleaved row by row; board N holds pixels 4N..4N+3.
 *
 * Sky model: power = G_p(ch)·(1 + drift)·T_in(ch) + radiometer noise, with T_in = Tsys_p (SKY, REF),
 * Tsys_p + 280 K (HOT; the reduction's hard-coded 280 K load), or, on source (BufPos 0),
 * Tsys_p + baseline(ch) + S(x,y)·φ(v) where S is the elliptical Gaussian source convolved with a
 * Gaussian beam of FWHM 1.22 λ/D and φ a Gaussian line. Each 0.1 s dump averages 5 sub-samples of
 * the telescope track, so dumps straddling a HOT/SKY or ON/REF switch are mixtures, as in reality.
 * Dump time stamps: `time − read_time − 0.03 s` is the mid-point of the integration (the lag the
 * reduction assumes).
 *
 * @module
 */
import { mkdirSync } from "../sys/fs.ts";
import { Nc4Writer, writeNetcdf3 } from "../netcdf/mod.ts";
import type { NcWriteModel, NcWriteVariable } from "../netcdf/types.ts";
import { Rng } from "./rng.ts";
import { decimalYear, formatUtc, gmstRad, LMT_SITE, NcHeaderBuilder, parseUtc } from "./common.ts";
import { dirname, join } from "../sys/path.ts";
import { C_KMS } from "../num/constants.ts";

const ARCSEC = Math.PI / 180 / 3600;
/** IFPROC telescope-stream rate, Hz. */
const IFPROC_RATE = 125;
/** Load temperature the SLR reduction assumes (K). */
const T_LOAD = 280;
/** Sequoia beam spacing (″) and array rotation (°), as SLR grid.py. */
const SEQ_SPACING = 27.9, SEQ_ROT_DEG = 46;
const SUBSAMPLES = 5;
/** Header.Sky.ObsVel of every generated observation (km/s). */
const OBS_VEL_KMS = 3.1;

/** An elliptical Gaussian source with a Gaussian line (the SEQ generators' sources). */
export interface SeqSourceShape {
  /** Intrinsic FWHM (arcsec) and position angle (deg, north through east) of the major axis. */
  fwhmMajArcsec: number;
  fwhmMinArcsec: number;
  paDeg: number;
  /** Intrinsic peak brightness, K (TA*). */
  peakK: number;
  /** Line centre (LSR, km/s) and FWHM (km/s). */
  vKms: number;
  fwhmKms: number;
}

/** The elliptical Gaussian source of the map. */
export interface SeqSource extends SeqSourceShape {
  /** Offset of the centre from the map centre, arcsec (RA offset east +, Dec offset). */
  dxArcsec: number;
  dyArcsec: number;
}

/** OTF map set-up. */
export interface SeqMapOptions {
  source?: string;
  raDeg?: number;
  decDeg?: number;
  restFreqGhz?: number;
  vlsrKms?: number;
  src?: Partial<SeqSource>;
  /** Row length and map height, arcsec. */
  xLengthArcsec?: number;
  yLengthArcsec?: number;
  rampArcsec?: number;
  scanRateArcsecS?: number;
  nRows?: number;
  turnTimeS?: number;
  /** A REF block after every this many rows (and at start and end). */
  rowsPerRef?: number;
  refTimeS?: number;
  refDxArcsec?: number;
  refDyArcsec?: number;
  calHotS?: number;
  calSkyS?: number;
}

/** Beam-switched (Bs) set-up. */
export interface SeqBsOptions {
  source?: string;
  raDeg?: number;
  decDeg?: number;
  restFreqGhz?: number;
  vlsrKms?: number;
  /** [ON-phase pixel, REF-phase pixel] = Header.Bs.Beam. */
  beams?: [number, number];
  peakK?: number;
  vKms?: number;
  fwhmKms?: number;
  tsysScale?: number;
  phaseTimeS?: number;
  nCycles?: number;
  calHotS?: number;
  calSkyS?: number;
  /** Seconds between the end of the map and the Bs Cal. */
  startAfterMapS?: number;
}

/** Second IF (bank 1) of dual-IF data: its own line set-up. */
export interface SeqBankOptions {
  /** Rest frequency of bank 1 (GHz); default 96.741375 (Sequoia) or 220.398684 (1MM). */
  restFreqGhz?: number;
  /** Apparent velocity (km/s, on bank 1's axis) of the line seen in bank 1; default the map/Bs line − 40. */
  lineOffsetKms?: number;
  /** Line FWHM (km/s) in bank 1; default as bank 0. */
  lineFwhmKms?: number;
  /** Peak of the bank-1 line relative to bank 0's; default 0.6. */
  peakScale?: number;
  /** Tsys of bank 1 relative to bank 0 (Sequoia; 1MM pixels have their own Tsys); default 1.12. */
  tsysFactor?: number;
}

/** In-map calibration: HOT + SKY blocks before the first REF and between row groups (seq.md §2.4). */
export interface SeqOtfCalOptions {
  hotS?: number;
  skyS?: number;
  /** Tsys scale of each calibration epoch (cycled): epoch e starts with the e-th HOT block. Default [1, 1.3, 0.8]. */
  tsysScales?: number[];
}

/** Options of the SEQ generators ({@link generateSeq} and lib/sim/seq_ps.ts generateSeqPs) alike. */
export interface SeqCommonOptions {
  seed?: number | undefined;
  /** UT start of the first Cal, "YYYY-MM-DDTHH:MM:SS". */
  date?: string;
  projectId?: string;
  nchan?: number;
  bandwidthMHz?: number;
  dumpTimeS?: number;
  /** Physical Tsys per pixel (16 values), K. */
  tsysK?: number[];
  badPixel?: number | null;
  badPixelNoiseFactor?: number;
  /** Peak-to-peak fractional linear gain drift over an observation (random sign per pixel). */
  gainDriftFrac?: number;
  /** ON-only baseline: offsetK + slopeKPerHalfband·(ch − (nchan−1)/2)/(nchan/2). */
  baselineOffsetK?: number;
  baselineSlopeKPerHalfband?: number;
}

/** Options of {@link generateSeq}. */
export interface SeqSimOptions extends SeqCommonOptions {
  /** `Sequoia` (16 pixels on roach0..3, +roach4..7 for bank 1) or `Msip1mm` (roach0, pixels 0..3 = 2 banks × 2 pols). */
  receiver?: "Sequoia" | "Msip1mm";
  /** 1 (default) or 2 IFs. Msip1mm always has 2 (bank 0 = pixels 0,2; bank 1 = pixels 1,3). */
  banks?: 1 | 2;
  bank1?: SeqBankOptions;
  /** Embed HOT/SKY blocks in the map obsnum (for --use_otf_cal), with Tsys changing from block to block. */
  otfCal?: boolean | SeqOtfCalOptions;
  /**
   * Write `Data.TelescopeBackend.BackendTime` (the true sample times) and shift `TelTime` by this many
   * seconds, so a reduction that used TelTime would misalign the dumps. Default: no BackendTime.
   */
  backendTimeOffsetS?: number;
  /** Cal obsnum of the map; the map is +1, the Bs Cal +2, the Bs +3. */
  obsnum0: number;
  map?: SeqMapOptions;
  /** Bs set-up, or false for no Bs pair. */
  bs?: SeqBsOptions | false;
  /** Skip writing the big roach files (headers/ifproc only) — for quick layout tests. */
  dryRun?: boolean;
  /** Dumps generated and appended per block when streaming roach files (default 256); no effect on the data. */
  roachBlockDumps?: number;
  /** More lines in bank 0 of the map, each at its own rest frequency (e.g. for `--restfreq`). */
  extraLines?: SeqExtraLine[];
  /** Scale of the radiometer noise of the roach spectra (default 1; 0 = noise-free). */
  noiseScale?: number;
  /** Corrupt a time section of one pixel's ON dumps in the map (e.g. for `--sample`). */
  corruption?: SeqCorruption;
}

/**
 * A further line of the map source in bank 0, seen at its own rest frequency: in channel c it has the LSR
 * radio velocity c_light·(1 − f_sky(c)/rest) − ObsVel, f_sky(c) = SkyFreq + (c − ch0)·Δf (the Doppler
 * tracking of the bank's own line, whose velocity follows the same rule with LineFreq).
 */
export interface SeqExtraLine {
  restFreqGhz: number;
  /** LSR velocity (km/s); default the map source's. */
  vKms?: number;
  /** FWHM (km/s); default the map source's. */
  fwhmKms?: number;
  /** Peak relative to the map source's line; default 0.5. */
  peakScale?: number;
}

/**
 * Added to the on-source input of `pixel` (bank 0) in the map's dumps between t0S and t1S (seconds from
 * the start of the map obsnum): a spike of spikeK (K) on channels spikeChannel−1..+1 and/or a band slope
 * growing linearly in time to slopeK (K per half band) at t1S.
 */
export interface SeqCorruption {
  pixel: number;
  t0S: number;
  t1S: number;
  spikeK?: number;
  /** Default nchan/4. */
  spikeChannel?: number;
  slopeK?: number;
}

/** Truth of one generated observation. */
export interface SeqObsTruth {
  obsnum: number;
  obspgm: "Cal" | "Map" | "Bs" | "Ps";
  source_name: string;
  cal_obsnum: number;
  t_start_unix: number;
  date_start: string;
  duration_s: number;
  n_ifproc_samples: number;
  n_dumps_per_roach: number;
  ifproc_file: string;
  roach_files: string[];
  elevation_deg_start: number;
  parang_deg_range: [number, number];
  segments: [number, number, number, string][];
  tsys_scale: number;
}

/** Everything injected plus derived expectations. */
export interface SeqTruth {
  generator: string;
  version: string;
  seed: number;
  project_id: string;
  nchan: number;
  bandwidth_mhz: number;
  dump_time_s: number;
  channel_width_khz: number;
  pixels: {
    tsys_K: number[];
    bad_pixel: number | null;
    bad_pixel_noise_factor: number;
    gain_drift_frac: number;
    gain_drift_sign: number[];
    /** Radiometer rms of one dump after (ON − REF)/REF·Tsys, per pixel (K), REF noise neglected. */
    rms_per_dump_K: number[];
  };
  baseline: { offset_K: number; slope_K_per_halfband: number; formula: string };
  map: Record<string, unknown>;
  bs: Record<string, unknown> | null;
  observations: Record<string, SeqObsTruth>;
  files: string[];
  /** Only for non-default sets (1MM, dual IF, in-map cals, BackendTime). */
  receiver?: string;
  banks?: SeqBankTruth[];
  otf_cal?: Record<string, unknown> | null;
  /** TelTime − BackendTime (s) when BackendTime was written, else null. */
  backend_time_offset_s?: number | null;
  /** Only with SeqSimOptions.extraLines: each line's set-up and where it falls. */
  extra_lines?: {
    rest_freq_ghz: number;
    v_kms: number;
    fwhm_kms: number;
    peak_scale: number;
    /** Fractional channel of the line centre in the raw band (0-based). */
    channel: number;
    /** Velocity step per channel for this line (km/s). */
    dv_kms_per_channel: number;
  }[];
  /** Only with SeqSimOptions.corruption: as given, with defaults applied. */
  corruption?: Required<SeqCorruption> & { obsnum: number };
}

/** Truth of one bank (IF) of the map. */
export interface SeqBankTruth {
  bank: number;
  rest_freq_ghz: number;
  sideband: number;
  dv_kms_per_channel: number;
  line_v_kms: number;
  line_fwhm_kms: number;
  /** Line peak relative to the map source peak. */
  peak_scale: number;
  line_channel: number;
  roaches: number[];
  pixels: number[];
  /** Physical Tsys of the bank's pixels (same order as `pixels`), K. */
  tsys_K: number[];
  rms_per_dump_K: number[];
}

export interface Segment {
  t0: number;
  t1: number;
  bufpos: number;
  label: string;
  /** Boresight offsets (arcsec) at relative time t (seconds from scan start). */
  pos: (t: number) => [number, number];
}

export interface Observation {
  obsnum: number;
  calObsnum: number;
  obspgm: "Cal" | "Map" | "Bs" | "Ps";
  source: string;
  raRad: number;
  decRad: number;
  restFreqGhz: number;
  vlsr: number;
  t0: number;
  duration: number;
  segments: Segment[];
  tsysScale: number;
  /** Sky brightness (K) seen by a beam centred at (x, y) arcsec, and the line profile. */
  skyAmp: (x: number, y: number) => number;
  lineV: number;
  lineFwhm: number;
  map?: FullMap;
  bs?: Required<SeqBsOptions>;
  /** Per-bank line set-up (index = bank). */
  lines: BankLine[];
  /** Tsys scale epochs (relative start time, scale), empty = constant. */
  tsysEpochs: [number, number][];
}

/** Line set-up of one bank. */
export interface BankLine {
  restFreqGhz: number;
  lineV: number;
  lineFwhm: number;
  ampScale: number;
  /** Header SideBand1Lo code: 1 ⇒ frequency decreases with channel. */
  sideband: number;
}

function tsysScaleAt(obs: Observation, tr: number): number {
  let s = obs.tsysEpochs.length ? obs.tsysEpochs[0]![1] : 1;
  for (const [t0, sc] of obs.tsysEpochs) if (t0 <= tr) s = sc;
  return s;
}

/** Sequoia pixel offsets (az, el) in arcsec for elevation `el` (rad), SLR grid.py convention. */
export function sequoiaPixelAzEl(pixel: number, el: number): [number, number] {
  const right = -1.5 + Math.floor(pixel / 4), up = 1.5 - (pixel % 4);
  const th = (SEQ_ROT_DEG * Math.PI) / 180 - el;
  return [
    SEQ_SPACING * (right * Math.cos(th) - up * Math.sin(th)),
    SEQ_SPACING * (right * Math.sin(th) + up * Math.cos(th)),
  ];
}

/** RA/Dec-frame offset (gx, gy) of a pixel for elevation el and parallactic angle p (rad). */
export function sequoiaPixelRaDec(pixel: number, el: number, p: number): [number, number] {
  const [az, elp] = sequoiaPixelAzEl(pixel, el);
  return [-az * Math.cos(p) + elp * Math.sin(p), az * Math.sin(p) + elp * Math.cos(p)];
}

/** Elevation, azimuth and parallactic angle (rad) of (ra, dec) at epoch t from the LMT. */
export function lmtAltAz(
  ra: number,
  dec: number,
  t: number,
): { az: number; el: number; parang: number; lst: number } {
  const lst = gmstRad(t) + LMT_SITE.lonRad;
  const ha = lst - ra;
  const lat = LMT_SITE.latRad;
  const sinEl = Math.sin(dec) * Math.sin(lat) + Math.cos(dec) * Math.cos(lat) * Math.cos(ha);
  const el = Math.asin(sinEl);
  const az = Math.atan2(
    -Math.cos(dec) * Math.sin(ha),
    Math.sin(dec) * Math.cos(lat) - Math.cos(dec) * Math.sin(lat) * Math.cos(ha),
  );
  const parang = Math.atan2(Math.sin(ha), Math.tan(lat) * Math.cos(dec) - Math.sin(dec) * Math.cos(ha));
  const tw = 2 * Math.PI;
  return { az: ((az % tw) + tw) % tw, el, parang, lst: ((lst % tw) + tw) % tw };
}

/** J2000 (ra, dec) → galactic (l, b), radians. */
export function toGalactic(ra: number, dec: number): [number, number] {
  type V3 = readonly [number, number, number];
  const m: readonly [V3, V3, V3] = [
    [-0.0548755604, -0.8734370902, -0.4838350155],
    [0.4941094279, -0.4448296300, 0.7469822445],
    [-0.8676661490, -0.1980763734, 0.4559837762],
  ];
  const v: V3 = [Math.cos(dec) * Math.cos(ra), Math.cos(dec) * Math.sin(ra), Math.sin(dec)];
  const dot = (r: V3) => r[0] * v[0] + r[1] * v[1] + r[2] * v[2];
  const g = [dot(m[0]), dot(m[1]), dot(m[2])] as const;
  const l = Math.atan2(g[1], g[0]);
  return [(l + 2 * Math.PI) % (2 * Math.PI), Math.asin(g[2])];
}

/** Beam FWHM (arcsec) = 1.22 λ/D for the 50 m LMT. */
export function lmtBeamArcsec(freqGhz: number): number {
  return (1.22 * (C_KMS * 1e3 / (freqGhz * 1e9)) / 50) / ARCSEC;
}

/** Convolve an elliptical Gaussian (FWHMs, PA deg) with a circular Gaussian beam; returns the result. */
export function convolveGaussian(
  fwhmMaj: number,
  fwhmMin: number,
  paDeg: number,
  peak: number,
  beam: number,
): { fwhmMaj: number; fwhmMin: number; paDeg: number; peak: number } {
  // a circular beam adds beam² to both principal axes; PA unchanged
  const maj = Math.sqrt(fwhmMaj * fwhmMaj + beam * beam), min = Math.sqrt(fwhmMin * fwhmMin + beam * beam);
  return { fwhmMaj: maj, fwhmMin: min, paDeg, peak: (peak * fwhmMaj * fwhmMin) / (maj * min) };
}

export function ellipticalGaussian(
  cx: number,
  cy: number,
  g: { fwhmMaj: number; fwhmMin: number; paDeg: number; peak: number },
): (x: number, y: number) => number {
  const pa = (g.paDeg * Math.PI) / 180;
  const ux = Math.sin(pa), uy = Math.cos(pa); // major axis direction (east of north)
  const k = 4 * Math.LN2;
  return (x, y) => {
    const dx = x - cx, dy = y - cy;
    const a = dx * ux + dy * uy, b = -dx * uy + dy * ux;
    const r = k * ((a * a) / (g.fwhmMaj * g.fwhmMaj) + (b * b) / (g.fwhmMin * g.fwhmMin));
    return r > 50 ? 0 : g.peak * Math.exp(-r);
  };
}

/** `o` with each field of `defaults` that `o` lacks (undefined or null) filled in, in the order of `defaults`. */
function withDefaults<T extends object>(o: { [K in keyof T]?: T[K] | null }, defaults: T): T {
  const r = {} as T;
  for (const k of Object.keys(defaults) as (keyof T)[]) r[k] = o[k] ?? defaults[k];
  return r;
}

/** Map options with every default applied. */
type FullMap = Omit<Required<SeqMapOptions>, "src"> & { src: SeqSource; rowStep: number };

function fillMap(m: SeqMapOptions | undefined): FullMap {
  const o = m ?? {};
  const src: SeqSource = {
    dxArcsec: -25,
    dyArcsec: 15,
    fwhmMajArcsec: 30,
    fwhmMinArcsec: 18,
    paDeg: -35,
    peakK: 3,
    vKms: 49,
    fwhmKms: 8,
    ...(o.src ?? {}),
  };
  const r = withDefaults<Omit<FullMap, "rowStep">>({ ...o, src }, {
    source: "SIM-OTF",
    raDeg: 198,
    decDeg: 38,
    restFreqGhz: 97.980953,
    vlsrKms: 45,
    src,
    xLengthArcsec: 120,
    yLengthArcsec: 120,
    rampArcsec: 10,
    scanRateArcsecS: 50,
    nRows: 5,
    turnTimeS: 1,
    rowsPerRef: 3,
    refTimeS: 2,
    refDxArcsec: -500,
    refDyArcsec: 100,
    calHotS: 2,
    calSkyS: 2,
  });
  if (!(r.nRows >= 1 && Number.isInteger(r.nRows))) {
    throw new RangeError(`map nRows ${r.nRows} must be a positive integer`);
  }
  if (!(r.scanRateArcsecS > 0)) throw new RangeError("map scan rate must be > 0");
  return { ...r, rowStep: r.nRows > 1 ? r.yLengthArcsec / (r.nRows - 1) : 0 };
}

function fillBs(b: SeqBsOptions): Required<SeqBsOptions> {
  if (b.beams && !b.beams.every((p) => Number.isInteger(p) && p >= 0 && p <= 15)) {
    throw new RangeError(`Bs beams ${JSON.stringify(b.beams)} must be pixels 0..15`);
  }
  return withDefaults<Required<SeqBsOptions>>(b, {
    source: "SIM-BS",
    raDeg: 245,
    decDeg: 12,
    restFreqGhz: 89.188525,
    vlsrKms: 25,
    beams: [10, 8],
    peakK: 0.8,
    vKms: 27,
    fwhmKms: 8,
    tsysScale: 1.1,
    phaseTimeS: 2,
    nCycles: 3,
    calHotS: 2,
    calSkyS: 2,
    startAfterMapS: 300,
  });
}

/** Where a Cal looks and how long: source name, position (deg), line, HOT and SKY times (s). */
export interface CalTarget {
  source: string;
  raDeg: number;
  decDeg: number;
  restFreqGhz: number;
  vlsrKms: number;
  calHotS: number;
  calSkyS: number;
}

export function calObservation(obsnum: number, c: CalTarget, t0: number, tsysScale: number): Observation {
  const still = (): [number, number] => [0, 0];
  const hot = c.calHotS, sky = c.calSkyS, rest = c.restFreqGhz, vlsr = c.vlsrKms;
  return {
    obsnum,
    calObsnum: obsnum,
    obspgm: "Cal",
    source: c.source,
    raRad: c.raDeg * Math.PI / 180,
    decRad: c.decDeg * Math.PI / 180,
    restFreqGhz: rest,
    vlsr,
    t0,
    duration: hot + sky,
    segments: [
      { t0: 0, t1: hot, bufpos: 3, label: "hot", pos: still },
      { t0: hot, t1: hot + sky, bufpos: 2, label: "sky", pos: still },
    ],
    tsysScale,
    skyAmp: () => 0,
    lineV: vlsr,
    lineFwhm: 1,
    lines: [{ restFreqGhz: rest, lineV: vlsr, lineFwhm: 1, ampScale: 0, sideband: 0 }],
    tsysEpochs: [],
  };
}

function mapObservation(
  obsnum: number,
  t0: number,
  m: FullMap,
  cal?: Required<SeqOtfCalOptions>,
): Observation {
  const segs: Segment[] = [];
  const epochs: [number, number][] = [];
  let t = 0;
  const refOnly = (): void => {
    const p: [number, number] = [m.refDxArcsec, m.refDyArcsec];
    segs.push({ t0: t, t1: t + m.refTimeS, bufpos: 1, label: "ref", pos: () => p });
    t += m.refTimeS;
  };
  // with in-map cals every row group is HOT, SKY, REF, rows…, REF (a new Tsys epoch starts at each HOT)
  const calBlock = (): void => {
    const p: [number, number] = [m.refDxArcsec, m.refDyArcsec];
    epochs.push([t, cal!.tsysScales[epochs.length % cal!.tsysScales.length]!]);
    segs.push({ t0: t, t1: t + cal!.hotS, bufpos: 3, label: "hot", pos: () => p });
    t += cal!.hotS;
    segs.push({ t0: t, t1: t + cal!.skyS, bufpos: 2, label: "sky", pos: () => p });
    t += cal!.skyS;
  };
  const ref = (kind: "start" | "between" | "end"): void => {
    if (!cal || kind === "end") refOnly();
    else if (kind === "start") {
      calBlock();
      refOnly();
    } else {
      refOnly();
      calBlock();
      refOnly();
    }
  };
  const half = m.xLengthArcsec / 2 + m.rampArcsec;
  const rowTime = (2 * half) / m.scanRateArcsecS;
  ref("start");
  for (let i = 0; i < m.nRows; i++) {
    const y = -m.yLengthArcsec / 2 + i * m.rowStep;
    const dir = i % 2 === 0 ? 1 : -1;
    const ts = t;
    segs.push({
      t0: t,
      t1: t + rowTime,
      bufpos: 0,
      label: `row${i}`,
      pos: (tt) => [dir * (-half + m.scanRateArcsecS * (tt - ts)), y],
    });
    t += rowTime;
    if (i === m.nRows - 1) break;
    if ((i + 1) % m.rowsPerRef === 0) {
      ref("between");
    } else {
      const x = dir * half, ys = y, tt0 = t;
      segs.push({
        t0: t,
        t1: t + m.turnTimeS,
        bufpos: 0,
        label: "turn",
        pos: (tt) => [x, ys + (m.rowStep * (tt - tt0)) / m.turnTimeS],
      });
      t += m.turnTimeS;
    }
  }
  ref("end");
  const beam = lmtBeamArcsec(m.restFreqGhz);
  const conv = convolveGaussian(m.src.fwhmMajArcsec, m.src.fwhmMinArcsec, m.src.paDeg, m.src.peakK, beam);
  return {
    obsnum,
    calObsnum: obsnum - 1,
    obspgm: "Map",
    source: m.source,
    raRad: m.raDeg * Math.PI / 180,
    decRad: m.decDeg * Math.PI / 180,
    restFreqGhz: m.restFreqGhz,
    vlsr: m.vlsrKms,
    t0,
    duration: t,
    segments: segs,
    tsysScale: 1,
    skyAmp: ellipticalGaussian(m.src.dxArcsec, m.src.dyArcsec, conv),
    lineV: m.src.vKms,
    lineFwhm: m.src.fwhmKms,
    map: m,
    lines: [{
      restFreqGhz: m.restFreqGhz,
      lineV: m.src.vKms,
      lineFwhm: m.src.fwhmKms,
      ampScale: 1,
      sideband: 0,
    }],
    tsysEpochs: epochs,
  };
}

function bsObservation(obsnum: number, t0: number, b: Required<SeqBsOptions>): Observation {
  const ra = b.raDeg * Math.PI / 180, dec = b.decDeg * Math.PI / 180;
  const g = lmtAltAz(ra, dec, t0);
  // boresight such that the phase's pixel is on the source (XPos = x − gx)
  const on = sequoiaPixelRaDec(b.beams[0], g.el, g.parang);
  const off = sequoiaPixelRaDec(b.beams[1], g.el, g.parang);
  const segs: Segment[] = [];
  let t = 0;
  for (let i = 0; i < b.nCycles; i++) {
    segs.push({ t0: t, t1: t + b.phaseTimeS, bufpos: 0, label: "on", pos: () => on });
    t += b.phaseTimeS;
    segs.push({ t0: t, t1: t + b.phaseTimeS, bufpos: 1, label: "ref", pos: () => off });
    t += b.phaseTimeS;
  }
  const beam = lmtBeamArcsec(b.restFreqGhz);
  return {
    obsnum,
    calObsnum: obsnum - 1,
    obspgm: "Bs",
    source: b.source,
    raRad: ra,
    decRad: dec,
    restFreqGhz: b.restFreqGhz,
    vlsr: b.vlsrKms,
    t0,
    duration: t,
    segments: segs,
    tsysScale: b.tsysScale,
    skyAmp: ellipticalGaussian(0, 0, { fwhmMaj: beam, fwhmMin: beam, paDeg: 0, peak: b.peakK }),
    lineV: b.vKms,
    lineFwhm: b.fwhmKms,
    bs: b,
    lines: [{ restFreqGhz: b.restFreqGhz, lineV: b.vKms, lineFwhm: b.fwhmKms, ampScale: 1, sideband: 0 }],
    tsysEpochs: [],
  };
}

function segmentAt(obs: Observation, t: number): Segment {
  const s = obs.segments;
  for (const g of s) if (t < g.t1) return g;
  const last = s[s.length - 1];
  if (last === undefined) throw new RangeError(`observation ${obs.obsnum}: no segments`);
  return last;
}

// ---------------------------------------------------------------------------------------------
// IFPROC file

export interface IfprocStream {
  n: number;
  time: Float64Array;
  bufpos: Int32Array;
  x: Float64Array;
  y: Float64Array;
  el: Float64Array;
  az: Float64Array;
  parang: Float64Array;
  srcAz: Float64Array;
  srcEl: Float64Array;
}

export function ifprocStream(obs: Observation): IfprocStream {
  const n = Math.round(obs.duration * IFPROC_RATE) + 1;
  const s: IfprocStream = {
    n,
    time: new Float64Array(n),
    bufpos: new Int32Array(n),
    x: new Float64Array(n),
    y: new Float64Array(n),
    el: new Float64Array(n),
    az: new Float64Array(n),
    parang: new Float64Array(n),
    srcAz: new Float64Array(n),
    srcEl: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const tr = i / IFPROC_RATE;
    const t = obs.t0 + tr;
    const seg = segmentAt(obs, tr);
    const [x, y] = seg.pos(tr);
    s.time[i] = t;
    s.bufpos[i] = seg.bufpos;
    s.x[i] = x;
    s.y[i] = y;
    const src = lmtAltAz(obs.raRad, obs.decRad, t);
    const bore = lmtAltAz(obs.raRad + (x * ARCSEC) / Math.cos(obs.decRad), obs.decRad + y * ARCSEC, t);
    s.el[i] = bore.el;
    s.az[i] = bore.az;
    s.parang[i] = src.parang;
    s.srcAz[i] = src.az;
    s.srcEl[i] = src.el;
  }
  return s;
}

export interface Common {
  projectId: string;
  nchan: number;
  bandwidthMHz: number;
  dumpTime: number;
  tsys: number[];
  receiver: "Sequoia" | "Msip1mm";
  /** Number of IFs (banks). */
  nbanks: number;
  /** Tsys factor of Sequoia bank 1. */
  bank1TsysFactor: number;
  /** TelTime shift when BackendTime is written (undefined = no BackendTime). */
  backendTimeOffset?: number;
}

export function ifprocModel(obs: Observation, s: IfprocStream, com: Common, rng: Rng): NcWriteModel {
  const h = new NcHeaderBuilder("_xlen");
  const t0 = obs.t0;
  const g0 = lmtAltAz(obs.raRad, obs.decRad, t0);
  const [gl, gb] = toGalactic(obs.raRad, obs.decRad);
  const obsVel = OBS_VEL_KMS, baryVel = -14.2;
  const skyFreq = obs.restFreqGhz * (1 - (obs.vlsr + obsVel) / C_KMS);
  const lo1 = skyFreq - 6;
  const rx = com.receiver;
  const two = com.nbanks === 2;
  const l1 = obs.lines[1];
  const sky1 = two && l1 ? l1.restFreqGhz * (1 - (obs.vlsr + obsVel) / C_KMS) : 0;
  /** Per-bank header array: [bank0, bank1] (bank 1 = 0 for single-IF data, as the LMT writes). */
  const pb = (b0: number, b1: number): number[] => [b0, two ? b1 : 0];
  h.str("Header.Dcs.ObsPgm", obs.obspgm, 20);
  h.str("Header.Dcs.ObsGoal", obs.obspgm === "Cal" ? "Calibration" : "Science", 20);
  h.str("Header.Dcs.Receiver", rx, 20);
  h.str("Header.Dcs.ProjectId", com.projectId, 40);
  h.int("Header.Dcs.ObsNum", obs.obsnum);
  h.int("Header.Dcs.SubObsNum", 0);
  h.int("Header.Dcs.ScanNum", 1);
  h.dbl("Header.Dcs.IntegrationTime", obs.duration);
  h.dbl("Header.Dcs.RequestedTime", obs.duration);
  h.int("Header.IfProc.CalObsNum", obs.calObsnum);
  h.int("Header.ScanFile.Valid", 1);
  h.str("Header.Source.SourceName", obs.source, 32);
  h.dbl("Header.Source.Ra", obs.raRad, "rad");
  h.dbl("Header.Source.Dec", obs.decRad, "rad");
  h.dbl("Header.Source.L", gl, "rad");
  h.dbl("Header.Source.B", gb, "rad");
  h.dbl("Header.Source.Epoch", 2000);
  h.int("Header.Source.CoordSys", 1);
  h.dbl("Header.Source.Velocity", obs.vlsr, "km/s");
  h.int("Header.Source.VelSys", 0);
  h.int("Header.Source.Planet", 0);
  h.dbl("Header.TimePlace.UTDate", decimalYear(t0));
  h.dbl("Header.TimePlace.UT1", ((((t0 % 86400) + 86400) % 86400) / 86400) * 2 * Math.PI, "rad");
  h.dbl("Header.TimePlace.LST", g0.lst, "rad");
  h.dbl("Header.TimePlace.ObsLatitude", LMT_SITE.latRad, "rad");
  h.dbl("Header.TimePlace.ObsLongitude", LMT_SITE.lonRad, "rad");
  h.dbl("Header.TimePlace.ObsElevation", 4.64, "km");
  h.dbl("Header.Telescope.AzDesPos", g0.az, "rad");
  h.dbl("Header.Telescope.ElDesPos", g0.el, "rad");
  h.dbl("Header.Telescope.AzActPos", g0.az, "rad");
  h.dbl("Header.Telescope.ElActPos", g0.el, "rad");
  h.dbl("Header.Sky.AzReq", g0.az, "rad");
  h.dbl("Header.Sky.ElReq", g0.el, "rad");
  h.arr("Header.Sky.AzOff", "double", [0, 0], "rad");
  h.arr("Header.Sky.ElOff", "double", [0, 0], "rad");
  h.dbl("Header.Sky.ObsVel", obsVel, "km/s");
  h.dbl("Header.Sky.BaryVel", baryVel, "km/s");
  h.dbl("Header.Radiometer.Tau", 0.12);
  h.dbl("Header.Weather.Temperature", 2.5);
  h.arr("Header.M1.ZernikeC", "double", new Array(16).fill(0));
  h.int("Header.M1.ZernikeEnabled", 0);
  h.arr("Header.M1.ReqPos", "double", new Array(720).fill(0));
  for (
    const k of ["XReq", "YReq", "ZReq", "TipReq", "TiltReq", "XPcor", "YPcor", "ZPcor", "TipPcor", "TiltPcor"]
  ) {
    h.dbl("Header.M2." + k, 0);
  }
  h.int("Header.PointModel.ModRev", 3);
  for (
    const k of [
      "AzUserOff",
      "ElUserOff",
      "AzPaddleOff",
      "ElPaddleOff",
      "AzTotalCor",
      "ElTotalCor",
      "AzReceiverOff",
      "ElReceiverOff",
      "AzM2Cor",
      "ElM2Cor",
      "AzPointModelCor",
      "ElPointModelCor",
    ]
  ) h.dbl("Header.PointModel." + k, 0, "rad");
  for (const k of ["Tiltmeter_0_", "Tiltmeter_1_"]) {
    h.dbl(`Header.${k}.TiltX`, 0, "rad");
    h.dbl(`Header.${k}.TiltY`, 0, "rad");
  }
  h.arr("Header.TempSens.TempSens", "double", new Array(64).fill(0));
  const R = `Header.${rx}.`;
  const sb = (b: number) => obs.lines[b]?.sideband ?? 0;
  h.int(R + "NumPixels", rx === "Msip1mm" ? 4 : 16);
  h.int(R + "NumBands", com.nbanks);
  h.int(R + "BeamSelected", -1);
  h.arr(R + "LineFreq", "double", pb(obs.restFreqGhz, l1?.restFreqGhz ?? 0), "GHz");
  h.arr(R + "SkyFreq", "double", pb(skyFreq, sky1), "GHz");
  h.dbl(R + "Lo1Freq", lo1, "GHz");
  h.arr(R + "Lo2Freq", "double", pb(4.6, 4.6 + (sky1 - skyFreq)), "GHz");
  h.arr(R + "If1Freq", "double", pb(6, 6 + (sky1 - skyFreq)), "GHz");
  h.arr(R + "If2Freq", "double", pb(1.4, 1.4), "GHz");
  h.arr(R + "SynthHarm", "int", pb(6, 6));
  h.arr(R + "SynthFreq", "double", pb(lo1 / 6, lo1 / 6), "GHz");
  h.arr(R + "SideBand1LoType", "int", [0, 0]);
  h.arr(R + "SideBand2LoType", "int", [0, 0]);
  h.arr(R + "SideBand1Lo", "int", [sb(0), two ? sb(1) : 0]);
  h.arr(R + "SideBand2Lo", "int", [0, 0]);
  h.int(R + "DopplerTrack", 1);
  h.int(R + "VelocityDefinition", 0);
  h.arr(R + "LineOffset", "double", [0, 0], "GHz");
  h.arr(R + "LineRedshift", "double", [0, 0]);
  h.dbl("Header.SpecBackend.DumpTime", com.dumpTime, "s");
  h.arr("Header.SpecBackend.Bandwidth", "double", [com.bandwidthMHz / 1000, com.bandwidthMHz / 1000], "GHz");
  if (obs.map) {
    const m = obs.map;
    const hpbw = lmtBeamArcsec(m.restFreqGhz) * ARCSEC;
    h.str("Header.Map.MapCoord", "Ra", 8);
    h.str("Header.Map.MapMotion", "Continuous", 16);
    h.dbl("Header.Map.HPBW", hpbw, "rad");
    h.dbl("Header.Map.XLength", m.xLengthArcsec * ARCSEC, "rad");
    h.dbl("Header.Map.YLength", m.yLengthArcsec * ARCSEC, "rad");
    h.dbl("Header.Map.XStep", (m.scanRateArcsecS * com.dumpTime * ARCSEC) / hpbw);
    h.dbl("Header.Map.YStep", (m.rowStep * ARCSEC) / hpbw);
    h.dbl("Header.Map.XRamp", m.rampArcsec * ARCSEC, "rad");
    h.dbl("Header.Map.YRamp", 0, "rad");
    h.dbl("Header.Map.XOffset", 0);
    h.dbl("Header.Map.YOffset", 0);
    h.int("Header.Map.RowsPerScan", m.rowsPerRef);
    h.int("Header.Map.ScansPerCal", 0);
    h.int("Header.Map.ScansToSkip", 0);
    h.int("Header.Map.NumRepeats", 1);
    h.int("Header.Map.NumScans", m.nRows);
    h.int("Header.Map.NumPass", 1);
    h.dbl("Header.Map.ScanAngle", 0, "rad");
    h.dbl("Header.Map.ScanRate", m.scanRateArcsecS * ARCSEC, "rad/s");
    h.dbl("Header.Map.TSamp", com.dumpTime, "s");
    h.dbl("Header.Map.TRef", m.refTimeS, "s");
    h.dbl("Header.Map.TCal", 0, "s");
    h.dbl("Header.Map.TurnTime", m.turnTimeS, "s");
  }
  if (obs.bs) {
    h.int("Header.Bs.NumRepeats", 1);
    h.int("Header.Bs.NumScans", obs.bs.nCycles);
    h.dbl("Header.Bs.TSamp", obs.bs.phaseTimeS, "s");
    h.int("Header.Bs.NSamp", Math.round(obs.bs.phaseTimeS / com.dumpTime));
    h.arr("Header.Bs.Beam", "int", [...obs.bs.beams]);
  }
  // ---- data stream
  const n = s.n;
  const ra0 = obs.raRad, dec0 = obs.decRad;
  const raAct = new Float64Array(n),
    decAct = new Float64Array(n),
    lAct = new Float64Array(n),
    bAct = new Float64Array(n);
  const azMap = new Float64Array(n), elMap = new Float64Array(n);
  const nlev = rx === "Msip1mm" ? 4 : 16;
  const level = new Float64Array(n * nlev);
  const zeros = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    raAct[i] = ra0 + (s.x[i]! * ARCSEC) / Math.cos(dec0);
    decAct[i] = dec0 + s.y[i]! * ARCSEC;
    const [l, b] = toGalactic(raAct[i]!, decAct[i]!);
    lAct[i] = l;
    bAct[i] = b;
    const p = s.parang[i]!;
    // (x,y) = (−az cosP + el sinP, az sinP + el cosP) inverted
    azMap[i] = (-s.x[i]! * Math.cos(p) + s.y[i]! * Math.sin(p)) * ARCSEC;
    elMap[i] = (s.x[i]! * Math.sin(p) + s.y[i]! * Math.cos(p)) * ARCSEC;
    const hot = s.bufpos[i] === 3;
    const ep = obs.tsysEpochs.length ? tsysScaleAt(obs, i / IFPROC_RATE) : 1;
    for (let p2 = 0; p2 < nlev; p2++) {
      let t = com.tsys[p2]! * obs.tsysScale;
      if (ep !== 1) t *= ep;
      level[i * nlev + p2] = 0.01 * (t + (hot ? T_LOAD : 0)) * (1 + 0.0005 * rng.normal());
    }
  }
  const tv = (
    name: string,
    data: Float64Array | Int32Array,
    type: "double" | "int",
    attrs: Record<string, string>,
  ) => ({ name, type, dimensions: ["time"], data, attributes: attrs }) as NcWriteVariable;
  // the angles (rad) of Data.TelescopeBackend, in the order of the variables
  // deno-fmt-ignore
  const angles: [string, Float64Array][] = [
    ["TelAzAct", s.az], ["TelElAct", s.el], ["TelAzDes", s.az], ["TelElDes", s.el],
    ["TelAzCor", zeros], ["TelElCor", zeros], ["TelAzMap", azMap], ["TelElMap", elMap],
    ["SourceAz", s.srcAz], ["SourceEl", s.srcEl], ["SourceRaAct", raAct], ["SourceDecAct", decAct],
    ["SourceLAct", lAct], ["SourceBAct", bAct], ["ActParAng", s.parang], ["ParAng", s.parang],
    ["ActGalAng", zeros],
  ];
  const bto = com.backendTimeOffset;
  const vars: NcWriteVariable[] = [
    ...h.vars,
    tv("Data.TelescopeBackend.TelTime", bto === undefined ? s.time : s.time.map((t) => t + bto), "double", {
      units: "sec",
      long_name: "Tel time",
    }),
    ...(bto === undefined ? [] : [
      tv("Data.TelescopeBackend.BackendTime", s.time, "double", {
        units: "sec",
        long_name: "Backend time",
      }),
    ]),
    tv("Data.TelescopeBackend.BufPos", s.bufpos, "int", { long_name: "Buffer position" }),
    tv("Data.TelescopeBackend.Hold", new Int32Array(n), "int", { long_name: "Hold" }),
    ...angles.map(([k, d]) => tv(`Data.TelescopeBackend.${k}`, d, "double", { units: "rad" })),
    tv("Data.TelescopeBackend.PpsTime", s.time.map(Math.floor), "double", { units: "sec" }),
    tv("Data.IfProc.BasebandTime", s.time, "double", { units: "sec" }),
    {
      name: "Data.IfProc.BasebandLevel",
      type: "double",
      dimensions: ["time", "Data.IfProc.BasebandLevel_xlen"],
      data: level,
      attributes: { units: "V" },
    },
  ];
  return {
    dimensions: [
      { name: "time", size: n, unlimited: true },
      ...h.dims,
      { name: "Data.IfProc.BasebandLevel_xlen", size: nlev },
    ],
    variables: vars,
  };
}

// ---------------------------------------------------------------------------------------------
// Roach files

export interface PixelInstrument {
  gain: Float32Array[]; // [pixel] counts per K per channel
  driftSign: number[];
}

export function makePixels(seed: number, nchan: number, salt = 5150): PixelInstrument {
  const rng = new Rng([seed, salt]);
  const gain: Float32Array[] = [], driftSign: number[] = [];
  for (let p = 0; p < 16; p++) {
    const g = new Float32Array(nchan);
    const base = 3.0e4 * (0.85 + 0.3 * rng.uniform());
    const a1 = 0.1 * rng.uniform(), p1 = 2 * Math.PI * rng.uniform();
    const a2 = 0.03 * rng.uniform(), p2 = 2 * Math.PI * rng.uniform(), n2 = 8 + 10 * rng.uniform();
    for (let c = 0; c < nchan; c++) {
      const x = c / (nchan - 1);
      const edge = (1 - Math.exp(-x * 60)) * (1 - Math.exp(-(1 - x) * 60));
      g[c] =
        base * edge * (1 + a1 * Math.sin(2 * Math.PI * x + p1) + a2 * Math.sin(2 * Math.PI * n2 * x + p2)) +
        1;
    }
    gain.push(g);
    driftSign.push(rng.uniform() < 0.5 ? -1 : 1);
  }
  return { gain, driftSign };
}

export function roachName(roach: number, obs: Observation): string {
  const iso = formatUtc(obs.t0);
  const hhmmss = iso.slice(11, 19).replaceAll(":", "");
  return `spectrometer/roach${roach}/roach${roach}_${obs.obsnum}_0_1_${obs.source}_${
    iso.slice(0, 10)
  }_${hhmmss}.nc`;
}

export function ifprocName(obs: Observation): string {
  return `ifproc/ifproc_${formatUtc(obs.t0).slice(0, 10)}_${String(obs.obsnum).padStart(6, "0")}_00_0001.nc`;
}

export interface SimParams extends Common {
  seed: number;
  badPixel: number | null;
  badFactor: number;
  driftFrac: number;
  blOffset: number;
  blSlope: number;
  /** Scale of the radiometer noise (default 1; 0 = noise-free spectra). */
  noiseScale?: number;
  pix: PixelInstrument;
  /** Gains of Sequoia's bank-1 boards (roach4..7). */
  pix1?: PixelInstrument;
  /** Map only: further bank-0 lines and a corrupted section (SeqSimOptions.extraLines, corruption). */
  extraLines?: Required<SeqExtraLine>[];
  corruption?: Required<SeqCorruption>;
}

/** Number of dumps (rows per input) of every roach file of an observation. */
function roachDumpCount(obs: Observation, dt: number): number {
  return Math.floor(obs.duration / dt + 1e-9) + 1;
}

/** One block of consecutive dumps of a roach board: 4 rows per dump (inputs 0..3). */
interface RoachBlock {
  /** Dumps in this block (rows = 4 × ndump); the arrays may be longer (reused buffers). */
  ndump: number;
  data: Float32Array;
  inputs: BigInt64Array;
  accN: BigInt64Array;
  readTime: Float64Array;
  time: Float64Array;
}

/**
 * Spectra of one roach board in blocks of at most `blockDumps` dumps (rows = 4 × dumps ×
 * nchan float32, plus the per-row vectors). The buffers are reused from block to block; the
 * random sequence does not depend on the block size.
 */
function* roachBlocks(
  obs: Observation,
  roach: number,
  sp: SimParams,
  blockDumps: number,
): Generator<RoachBlock> {
  const nchan = sp.nchan, dt = sp.dumpTime;
  const ndump = roachDumpCount(obs, dt);
  const rng = new Rng([sp.seed, 911, obs.obsnum, roach]);
  const cap = Math.max(1, Math.min(blockDumps, ndump));
  const blk: RoachBlock = {
    ndump: 0,
    data: new Float32Array(4 * cap * nchan),
    inputs: new BigInt64Array(4 * cap),
    accN: new BigInt64Array(4 * cap),
    readTime: new Float64Array(4 * cap),
    time: new Float64Array(4 * cap),
  };
  const { data, inputs, accN, readTime, time } = blk;
  const ch0 = (nchan - 1) / 2;
  const dfdc = (sp.bandwidthMHz * 1e6) / nchan;
  const is1mm = sp.receiver === "Msip1mm";
  // input i carries pixel pixOf[i] of bank bankOf[i] (Sequoia: roach r = pixels 4(r mod 4)+i of bank ⌊r/4⌋;
  // 1MM: roach0, pixel i, bank i mod 2)
  const pixOf = [0, 1, 2, 3].map((i) => (is1mm ? i : 4 * (roach % 4) + i));
  const bankOf = [0, 1, 2, 3].map((i) => (is1mm ? i % 2 : Math.floor(roach / 4)));
  // line profile φ(ch) per bank, peak 1, channel-sampled, on the bank's own axis
  const profiles = obs.lines.map((ln) => {
    const dfs = ln.sideband === 1 ? -dfdc : dfdc;
    const dvdc = (-dfs / (ln.restFreqGhz * 1e9)) * C_KMS;
    const phi = new Float32Array(nchan);
    const sig = ln.lineFwhm / (2 * Math.sqrt(2 * Math.LN2));
    let phiLo = nchan, phiHi = -1;
    for (let c = 0; c < nchan; c++) {
      const v = (c - ch0) * dvdc + obs.vlsr;
      const r = (v - ln.lineV) / sig;
      if (Math.abs(r) < 7) {
        phi[c] = Math.exp(-0.5 * r * r);
        phiLo = Math.min(phiLo, c);
        phiHi = Math.max(phiHi, c);
      }
    }
    return { phi, phiLo, phiHi, ampScale: ln.ampScale };
  });
  if (obs.obspgm === "Map" && sp.extraLines?.length) addExtraLines(profiles[0]!, obs, sp, dfdc);
  const corr = obs.obspgm === "Map" ? sp.corruption : undefined;
  const bl = new Float32Array(nchan);
  for (let c = 0; c < nchan; c++) bl[c] = sp.blOffset + (sp.blSlope * (c - ch0)) / (nchan / 2);
  const relNoise = 1 / Math.sqrt(dfdc * dt);
  const tin = new Float64Array(nchan);
  const el0 = lmtAltAz(obs.raRad, obs.decRad, obs.t0).el;
  for (let k = 0; k < ndump; k++) {
    const kb = k % cap;
    const mid = k * dt; // relative to scan start
    // sub-sample the track
    const fr = [0, 0, 0, 0]; // fraction per BufPos 0..3
    const amp = [0, 0, 0, 0];
    for (let j = 0; j < SUBSAMPLES; j++) {
      const tr = Math.min(Math.max(mid + ((j + 0.5) / SUBSAMPLES - 0.5) * dt, 0), obs.duration);
      const seg = segmentAt(obs, tr);
      fr[seg.bufpos]! += 1 / SUBSAMPLES;
      if (seg.bufpos === 0 || seg.bufpos === 1) {
        const [x, y] = seg.pos(tr);
        const par = lmtAltAz(obs.raRad, obs.decRad, obs.t0 + tr).parang;
        for (let i = 0; i < 4; i++) {
          const [gx, gy] = is1mm ? [0, 0] : sequoiaPixelRaDec(pixOf[i]!, el0, par);
          amp[i]! += obs.skyAmp(x - gx, y - gy) / SUBSAMPLES;
        }
      }
    }
    let rtime0 = 0;
    const epoch = obs.tsysEpochs.length ? tsysScaleAt(obs, mid) : 1;
    for (let i = 0; i < 4; i++) {
      const p = pixOf[i]!, bank = bankOf[i]!;
      const row = 4 * kb + i;
      let tsys = sp.tsys[p]! * obs.tsysScale;
      if (bank === 1 && !is1mm) tsys *= sp.bank1TsysFactor;
      if (epoch !== 1) tsys *= epoch;
      const inst = bank === 1 && !is1mm ? sp.pix1! : sp.pix;
      const g = inst.gain[p]!;
      const drift = 1 + sp.driftFrac * inst.driftSign[p]! * (mid / Math.max(obs.duration, dt) - 0.5);
      const nf = relNoise * (p === sp.badPixel ? sp.badFactor : 1) * (sp.noiseScale ?? 1);
      const base = tsys + fr[3]! * T_LOAD;
      for (let c = 0; c < nchan; c++) tin[c] = base + fr[0]! * bl[c]!;
      const pr = profiles[bank]!;
      const a = pr.ampScale === 1 ? amp[i]! : amp[i]! * pr.ampScale;
      if (a !== 0) { for (let c = pr.phiLo; c <= pr.phiHi; c++) tin[c]! += a * pr.phi[c]!; }
      if (corr && p === corr.pixel && bank === 0 && fr[0]! > 0 && mid >= corr.t0S && mid <= corr.t1S) {
        corruptInput(tin, corr, fr[0]!, (mid - corr.t0S) / Math.max(corr.t1S - corr.t0S, dt));
      }
      const o = row * nchan;
      for (let c = 0; c < nchan; c++) {
        const pw = g[c]! * drift * tin[c]!;
        data[o + c] = pw * (1 + nf * rng.normal());
      }
      inputs[row] = BigInt(i);
      accN[row] = BigInt(1000 + k);
      const rt = 0.004 + 0.002 * rng.uniform();
      if (i === 0) rtime0 = rt;
      readTime[row] = rt;
      // time − read_time − 0.03 = mid-point (input 0 defines the dump time in the reduction)
      time[row] = obs.t0 + mid + 0.03 + (i === 0 ? rt : rtime0 + 0.0002 * i);
    }
    if (kb === cap - 1 || k === ndump - 1) {
      blk.ndump = kb + 1;
      yield blk;
    }
  }
}

/**
 * Add the map's further lines (SeqSimOptions.extraLines) to bank 0's profile: line k in channel c is at
 * LSR radio velocity C·(1 − f_sky(c)/rest_k) − ObsVel with f_sky(c) = SkyFreq + (c − ch0)·Δf.
 */
function addExtraLines(
  pr: { phi: Float32Array; phiLo: number; phiHi: number; ampScale: number },
  obs: Observation,
  sp: SimParams,
  dfdc: number,
): void {
  const nchan = sp.nchan, ch0 = (nchan - 1) / 2;
  const ln0 = obs.lines[0]!;
  const dfs = ln0.sideband === 1 ? -dfdc : dfdc;
  const fsky = obs.restFreqGhz * 1e9 * (1 - (obs.vlsr + OBS_VEL_KMS) / C_KMS);
  for (const x of sp.extraLines!) {
    const rest = x.restFreqGhz * 1e9;
    const sig = x.fwhmKms / (2 * Math.sqrt(2 * Math.LN2));
    // the profile is relative to the bank's line (ampScale multiplies the whole profile)
    const rel = x.peakScale / (pr.ampScale || 1);
    for (let c = 0; c < nchan; c++) {
      const v = C_KMS * (1 - (fsky + (c - ch0) * dfs) / rest) - OBS_VEL_KMS;
      const r = (v - x.vKms) / sig;
      if (Math.abs(r) < 7) {
        pr.phi[c] = pr.phi[c]! + rel * Math.exp(-0.5 * r * r);
        pr.phiLo = Math.min(pr.phiLo, c);
        pr.phiHi = Math.max(pr.phiHi, c);
      }
    }
  }
}

/** Add SeqCorruption to one input's on-source temperature: fraction `on` of the dump, `u` ∈ [0,1] of the section. */
function corruptInput(tin: Float64Array, k: Required<SeqCorruption>, on: number, u: number): void {
  const n = tin.length, ch0 = (n - 1) / 2;
  if (k.slopeK !== 0) {
    const s = on * k.slopeK * Math.min(1, Math.max(0, u));
    for (let c = 0; c < n; c++) tin[c] = tin[c]! + s * (c - ch0) / (n / 2);
  }
  if (k.spikeK !== 0) {
    for (let c = Math.max(0, k.spikeChannel - 1); c <= Math.min(n - 1, k.spikeChannel + 1); c++) {
      tin[c] = tin[c]! + on * k.spikeK;
    }
  }
}

/**
 * Layout of a roach file; the record variables have no data (they are appended block by block
 * by {@link writeRoach}).
 */
function roachModel(obs: Observation, roach: number, sp: SimParams, ndump: number): NcWriteModel {
  const nrow = 4 * ndump;
  const i64 = (v: number) => BigInt64Array.of(BigInt(v));
  const bitcode = `roach2_spec_${sp.nchan}ch_${sp.bandwidthMHz}mhz.bof`;
  const ln = (
    s: string,
    units?: string,
  ): Record<string, string> => (units ? { long_name: s, units } : { long_name: s });
  return {
    dimensions: [
      { name: "time", size: nrow, unlimited: true },
      { name: "numinputs", size: 4 },
      { name: "Header.Mode.Bitcode_slen", size: bitcode.length },
      { name: "Header.Telescope.source_name_slen", size: obs.source.length },
      { name: "Header.Telescope.obspgm_slen", size: obs.obspgm.length },
      { name: "numchannels", size: sp.nchan },
    ],
    groups: ["Spectrometer"],
    variables: [
      {
        name: "Header.Mode.Clock",
        type: "double",
        dimensions: [],
        data: Float64Array.of(2 * sp.bandwidthMHz),
        attributes: ln("Clock Frequency in MHz", "MHz"),
      },
      {
        name: "Header.Mode.Bandwidth",
        type: "double",
        dimensions: [],
        data: Float64Array.of(sp.bandwidthMHz),
        attributes: ln("Bandwidth of Mode in MHz", "MHz"),
      },
      {
        name: "Header.Mode.ADCStreams",
        type: "int",
        dimensions: [],
        data: Int32Array.of(4),
        attributes: ln("Number of ADC Time streams"),
      },
      {
        name: "Header.Mode.numchannels",
        type: "int",
        dimensions: [],
        data: Int32Array.of(sp.nchan),
        attributes: ln("Number of channels in mode"),
      },
      {
        name: "Header.Mode.Gain",
        type: "int64",
        dimensions: [],
        data: i64(4096),
        attributes: ln("Gain setting for accumulation"),
      },
      {
        name: "Header.Mode.Shift",
        type: "int64",
        dimensions: [],
        data: i64(2047),
        attributes: ln("Shift Schedule for FFT"),
      },
      {
        name: "Header.Mode.sync_LCM",
        type: "int",
        dimensions: [],
        data: Int32Array.of(12),
        attributes: ln("Lowest Common Multiple in FFTs"),
      },
      {
        name: "Header.Mode.PFBTaps",
        type: "int",
        dimensions: [],
        data: Int32Array.of(4),
        attributes: ln("Number of taps in PFB"),
      },
      {
        name: "Header.Mode.FFTSize",
        type: "int",
        dimensions: [],
        data: Int32Array.of(2 * sp.nchan),
        attributes: ln("Size of FFT"),
      },
      {
        name: "Header.Mode.FFTInputs",
        type: "int",
        dimensions: [],
        data: Int32Array.of(4),
        attributes: ln("Number of FFT Inputs"),
      },
      {
        name: "Header.Mode.roach_id",
        type: "int",
        dimensions: [],
        data: Int32Array.of(roach),
        attributes: ln("ROACH ID of roach2 board"),
      },
      {
        name: "Header.Mode.nbram",
        type: "int",
        dimensions: [],
        data: Int32Array.of(4),
        attributes: ln("Number of BRAMs in design"),
      },
      {
        name: "Header.Telescope.ObsNum",
        type: "int64",
        dimensions: [],
        data: i64(obs.obsnum),
        attributes: ln("Observation Number"),
      },
      {
        name: "Header.Telescope.SubObsNum",
        type: "int64",
        dimensions: [],
        data: i64(0),
        attributes: ln("Sub Observation Number"),
      },
      {
        name: "Header.Telescope.ScanNum",
        type: "int64",
        dimensions: [],
        data: i64(1),
        attributes: ln("Scan Number"),
      },
      {
        name: "Data.Integrate.Inputs",
        type: "int64",
        dimensions: ["time"],
        attributes: ln("Array of Inputs to spectrometer"),
      },
      {
        name: "Data.Integrate.acc_n",
        type: "int64",
        dimensions: ["time"],
        attributes: ln("Accumulation Number"),
      },
      { name: "Data.Integrate.sync_n", type: "int64", dimensions: ["time"], attributes: ln("Sync count") },
      {
        name: "Data.Integrate.sync_scale",
        type: "int64",
        dimensions: ["time"],
        attributes: ln("Sync Scale"),
      },
      {
        name: "Data.Integrate.sync_period",
        type: "int64",
        dimensions: ["time"],
        attributes: ln("Sync Period"),
      },
      { name: "Data.Integrate.sync_time", type: "double", dimensions: ["time"], attributes: ln("Sync Time") },
      {
        name: "Data.Integrate.read_time",
        type: "double",
        dimensions: ["time"],
        attributes: ln("Read time", "seconds"),
      },
      { name: "Data.Integrate.time", type: "double", dimensions: ["time"], attributes: ln("Epoch time") },
      { name: "Header.Mode.Bitcode", type: "char", dimensions: ["Header.Mode.Bitcode_slen"], data: bitcode },
      {
        name: "Header.Telescope.source_name",
        type: "char",
        dimensions: ["Header.Telescope.source_name_slen"],
        data: obs.source,
      },
      {
        name: "Header.Telescope.obspgm",
        type: "char",
        dimensions: ["Header.Telescope.obspgm_slen"],
        data: obs.obspgm,
      },
      {
        name: "Data.Integrate.Data",
        type: "float",
        dimensions: ["time", "numchannels"],
        attributes: ln("Spectrum"),
      },
    ],
  };
}

/** Dumps generated and appended per block: 256 dumps × 4 inputs × 2048 ch × 4 B = 8 MB. */
const ROACH_BLOCK_DUMPS = 256;

/**
 * Write one roach file block by block through {@link Nc4Writer} (memory ≈ one block, not the
 * whole board). Returns the number of dumps.
 */
export async function writeRoach(
  path: string,
  obs: Observation,
  roach: number,
  sp: SimParams,
  blockDumps: number,
): Promise<number> {
  const ndump = roachDumpCount(obs, sp.dumpTime);
  const w = await Nc4Writer.create(path, roachModel(obs, roach, sp, ndump));
  try {
    const rows = 4 * Math.max(1, Math.min(blockDumps, ndump));
    const one = new BigInt64Array(rows).fill(1n);
    const period = new BigInt64Array(rows).fill(BigInt(Math.round(125e6 * sp.dumpTime)));
    const syncTime = new Float64Array(rows).fill(sp.dumpTime);
    for (const b of roachBlocks(obs, roach, sp, blockDumps)) {
      const n = 4 * b.ndump;
      w.append("Data.Integrate.Inputs", b.inputs.subarray(0, n));
      w.append("Data.Integrate.acc_n", b.accN.subarray(0, n));
      w.append("Data.Integrate.sync_n", one.subarray(0, n));
      w.append("Data.Integrate.sync_scale", one.subarray(0, n));
      w.append("Data.Integrate.sync_period", period.subarray(0, n));
      w.append("Data.Integrate.sync_time", syncTime.subarray(0, n));
      w.append("Data.Integrate.read_time", b.readTime.subarray(0, n));
      w.append("Data.Integrate.time", b.time.subarray(0, n));
      w.append("Data.Integrate.Data", b.data.subarray(0, n * sp.nchan));
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  return ndump;
}

/** Raw bytes the roach files of one observation will take (for size planning of benchmarks). */
export function seqRoachBytes(durationS: number, nchan = 2048, dumpTimeS = 0.1): number {
  return 4 * 4 * (Math.floor(durationS / dumpTimeS + 1e-9) + 1) * nchan * 4;
}

/** Duration (s) of the OTF map for the given options (REF blocks, rows, turns). */
export function seqMapDuration(map?: SeqMapOptions): number {
  const m = mapObservation(0, 0, fillMap(map));
  return m.duration;
}

/**
 * Generate the SEQ observations under `root` (a `$DATA_LMT` tree) and return the truth.
 * Roach files are streamed in blocks of dumps (memory ≈ one block of ~8 MB, whatever the map size).
 */
export async function generateSeq(root: string, opts: SeqSimOptions): Promise<SeqTruth> {
  const seed = opts.seed ?? opts.obsnum0;
  const nchan = opts.nchan ?? 2048;
  if (!(Number.isInteger(nchan) && nchan >= 16)) {
    throw new RangeError(`nchan ${nchan} must be an integer ≥ 16`);
  }
  const blockDumps = opts.roachBlockDumps ?? ROACH_BLOCK_DUMPS;
  if (!(Number.isInteger(blockDumps) && blockDumps >= 1)) {
    throw new RangeError(`roachBlockDumps ${blockDumps} must be a positive integer`);
  }
  const bw = opts.bandwidthMHz ?? 800;
  const dumpTime = opts.dumpTimeS ?? 0.1;
  const tsys = opts.tsysK ?? [176, 188, 201, 183, 194, 179, 207, 185, 190, 212, 181, 197, 203, 230, 186, 192];
  if (tsys.length !== 16) throw new RangeError(`tsysK needs 16 values, got ${tsys.length}`);
  const badPixel = opts.badPixel === undefined ? 13 : opts.badPixel;
  const receiver = opts.receiver ?? "Sequoia";
  if (receiver !== "Sequoia" && receiver !== "Msip1mm") {
    throw new RangeError(`receiver ${receiver}: Sequoia or Msip1mm`);
  }
  const is1mm = receiver === "Msip1mm";
  const nbanks = is1mm ? 2 : (opts.banks ?? 1);
  if (nbanks !== 1 && nbanks !== 2) throw new RangeError(`banks ${nbanks} must be 1 or 2`);
  if (is1mm && opts.bs !== undefined && opts.bs !== false) {
    throw new RangeError("a Bs pair is not generated for Msip1mm (its 4 pixels share one beam)");
  }
  const b1o = opts.bank1 ?? {};
  const bank1TsysFactor = is1mm ? 1 : (b1o.tsysFactor ?? 1.12);
  const otfCal: Required<SeqOtfCalOptions> | undefined = opts.otfCal
    ? {
      hotS: (opts.otfCal === true ? undefined : opts.otfCal.hotS) ?? 2,
      skyS: (opts.otfCal === true ? undefined : opts.otfCal.skyS) ?? 2,
      tsysScales: (opts.otfCal === true ? undefined : opts.otfCal.tsysScales) ?? [1, 1.3, 0.8],
    }
    : undefined;
  const sp: SimParams = {
    receiver,
    nbanks,
    bank1TsysFactor,
    ...(opts.backendTimeOffsetS !== undefined ? { backendTimeOffset: opts.backendTimeOffsetS } : {}),
    projectId: opts.projectId ?? "2025-S1-SIM-1",
    nchan,
    bandwidthMHz: bw,
    dumpTime,
    tsys,
    seed,
    badPixel,
    badFactor: opts.badPixelNoiseFactor ?? 6,
    driftFrac: opts.gainDriftFrac ?? 0.002,
    blOffset: opts.baselineOffsetK ?? 0.15,
    blSlope: opts.baselineSlopeKPerHalfband ?? -0.3,
    pix: makePixels(seed, nchan),
    ...(nbanks === 2 && !is1mm ? { pix1: makePixels(seed, nchan, 5151) } : {}),
    ...(opts.noiseScale !== undefined ? { noiseScale: opts.noiseScale } : {}),
  };
  const m = fillMap(
    is1mm && opts.map?.restFreqGhz === undefined ? { ...opts.map, restFreqGhz: 230.538 } : opts.map,
  );
  if (opts.extraLines?.length) {
    sp.extraLines = opts.extraLines.map((x) => ({
      restFreqGhz: x.restFreqGhz,
      vKms: x.vKms ?? m.src.vKms,
      fwhmKms: x.fwhmKms ?? m.src.fwhmKms,
      peakScale: x.peakScale ?? 0.5,
    }));
  }
  if (opts.corruption) {
    const k = opts.corruption;
    if (!(Number.isInteger(k.pixel) && k.pixel >= 0 && k.pixel < 16) || !(k.t1S >= k.t0S)) {
      throw new RangeError(`corruption: pixel 0..15 and t0S ≤ t1S needed, got ${JSON.stringify(k)}`);
    }
    sp.corruption = {
      pixel: k.pixel,
      t0S: k.t0S,
      t1S: k.t1S,
      spikeK: k.spikeK ?? 0,
      spikeChannel: k.spikeChannel ?? Math.floor(nchan / 4),
      slopeK: k.slopeK ?? 0,
    };
  }
  // bank 0 / bank 1 sideband codes (1 ⇒ frequency decreases with channel): the 1MM sidebands run opposite ways
  const sb0 = 0, sb1 = is1mm ? 1 : 0;
  const rest1 = b1o.restFreqGhz ?? (is1mm ? 220.398684 : 96.741375);
  const bank1Line = (obs: Observation): BankLine => ({
    restFreqGhz: rest1,
    lineV: obs.lineV + (b1o.lineOffsetKms ?? -40),
    lineFwhm: b1o.lineFwhmKms ?? obs.lineFwhm,
    ampScale: obs.obspgm === "Cal" ? 0 : (b1o.peakScale ?? 0.6),
    sideband: sb1,
  });
  const t0 = parseUtc(opts.date ?? "2025-04-20T07:40:00");
  const obsList: Observation[] = [];
  const mapCal = calObservation(opts.obsnum0, m, t0, 1);
  obsList.push(mapCal);
  const mapObs = mapObservation(opts.obsnum0 + 1, Math.ceil(t0 + mapCal.duration + 20), m, otfCal);
  obsList.push(mapObs);
  let bsInfo: Record<string, unknown> | null = null;
  if (opts.bs !== false && !(is1mm && opts.bs === undefined)) {
    const b = fillBs(opts.bs ?? {});
    const tc = Math.ceil(mapObs.t0 + mapObs.duration + b.startAfterMapS);
    const bsCal = calObservation(opts.obsnum0 + 2, b, tc, b.tsysScale);
    obsList.push(bsCal);
    obsList.push(bsObservation(opts.obsnum0 + 3, Math.ceil(tc + bsCal.duration + 20), b));
    bsInfo = {
      ...b,
      expected: {
        line_peak_K: b.peakK,
        line_v_kms: b.vKms,
        line_fwhm_kms: b.fwhmKms,
        tsys_K: {
          [b.beams[0]]: tsys[b.beams[0]]! * b.tsysScale,
          [b.beams[1]]: tsys[b.beams[1]]! * b.tsysScale,
        },
        note:
          "process_bs output 0.5*(Y[higher pixel] - Y[lower pixel]) is +peak when beams[0] is the higher pixel",
      },
    };
  }
  const beam = lmtBeamArcsec(m.restFreqGhz);
  const conv = convolveGaussian(m.src.fwhmMajArcsec, m.src.fwhmMinArcsec, m.src.paDeg, m.src.peakK, beam);
  for (const obs of obsList) {
    obs.lines[0]!.sideband = sb0;
    if (nbanks === 2) obs.lines.push(bank1Line(obs));
  }
  const roaches = is1mm ? [0] : nbanks === 2 ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 3];
  const truth: SeqTruth = {
    generator: "lmt-sim seq (lib/sim/seq.ts)",
    version: "1.0",
    seed,
    project_id: sp.projectId,
    nchan,
    bandwidth_mhz: bw,
    dump_time_s: dumpTime,
    channel_width_khz: (bw * 1000) / nchan,
    pixels: {
      tsys_K: [...tsys],
      bad_pixel: badPixel,
      bad_pixel_noise_factor: sp.badFactor,
      gain_drift_frac: sp.driftFrac,
      gain_drift_sign: sp.pix.driftSign,
      rms_per_dump_K: tsys.map((t, p) =>
        (t / Math.sqrt(((bw * 1e6) / nchan) * dumpTime)) * (p === badPixel ? sp.badFactor : 1)
      ),
    },
    baseline: {
      offset_K: sp.blOffset,
      slope_K_per_halfband: sp.blSlope,
      formula: "ON dumps only: offset + slope*(ch-(nchan-1)/2)/(nchan/2)",
    },
    map: {
      ...m,
      beam_fwhm_arcsec: beam,
      convolved: {
        dx_arcsec: m.src.dxArcsec,
        dy_arcsec: m.src.dyArcsec,
        fwhm_maj_arcsec: conv.fwhmMaj,
        fwhm_min_arcsec: conv.fwhmMin,
        pa_deg: conv.paDeg,
        peak_K: conv.peak,
      },
      line_channel: (nchan - 1) / 2 +
        (m.src.vKms - m.vlsrKms) / ((-(bw * 1e6 / nchan) / (m.restFreqGhz * 1e9)) * C_KMS),
      dv_kms_per_channel: (-(bw * 1e6 / nchan) / (m.restFreqGhz * 1e9)) * C_KMS,
    },
    bs: bsInfo,
    observations: {},
    files: [],
  };
  if (receiver !== "Sequoia" || nbanks !== 1 || otfCal || opts.backendTimeOffsetS !== undefined) {
    // (absent for the default single-IF Sequoia set, whose truth JSON stays as it was)
    const mapLines = mapObs.lines;
    truth.receiver = receiver;
    truth.banks = mapLines.map((ln, b) => {
      const dfs = ln.sideband === 1 ? -(bw * 1e6 / nchan) : bw * 1e6 / nchan;
      const dv = (-dfs / (ln.restFreqGhz * 1e9)) * C_KMS;
      const pixels = is1mm ? [b, b + 2] : Array.from({ length: 16 }, (_, p) => p);
      const tf = b === 1 ? bank1TsysFactor : 1;
      return {
        bank: b,
        rest_freq_ghz: ln.restFreqGhz,
        sideband: ln.sideband,
        dv_kms_per_channel: dv,
        line_v_kms: ln.lineV,
        line_fwhm_kms: ln.lineFwhm,
        peak_scale: ln.ampScale,
        line_channel: (nchan - 1) / 2 + (ln.lineV - m.vlsrKms) / dv,
        roaches: is1mm ? [0] : [0, 1, 2, 3].map((r) => r + 4 * b),
        pixels,
        tsys_K: pixels.map((p) => tsys[p]! * tf),
        rms_per_dump_K: pixels.map((p) => truth.pixels.rms_per_dump_K[p]! * tf),
      };
    });
    truth.otf_cal = otfCal
      ? {
        ...otfCal,
        epochs: mapObs.tsysEpochs.map(([t, sc]) => ({ t0_s: t, t0_unix: mapObs.t0 + t, tsys_scale: sc })),
        note:
          "epoch e starts with the e-th HOT block; Tsys of every pixel = tsys_K · tsys_scale in that epoch",
      }
      : null;
    truth.backend_time_offset_s = opts.backendTimeOffsetS ?? null;
  }
  if (sp.extraLines) {
    const ch0 = (nchan - 1) / 2, dfs = (mapObs.lines[0]!.sideband === 1 ? -1 : 1) * (bw * 1e6 / nchan);
    const fsky = m.restFreqGhz * 1e9 * (1 - (m.vlsrKms + OBS_VEL_KMS) / C_KMS);
    truth.extra_lines = sp.extraLines.map((x) => {
      const rest = x.restFreqGhz * 1e9;
      return {
        rest_freq_ghz: x.restFreqGhz,
        v_kms: x.vKms,
        fwhm_kms: x.fwhmKms,
        peak_scale: x.peakScale,
        channel: ch0 + (rest * (1 - (x.vKms + OBS_VEL_KMS) / C_KMS) - fsky) / dfs,
        dv_kms_per_channel: -dfs / rest * C_KMS,
      };
    });
  }
  if (sp.corruption) truth.corruption = { ...sp.corruption, obsnum: mapObs.obsnum };

  for (const obs of obsList) {
    const s = ifprocStream(obs);
    const rng = new Rng([seed, 77, obs.obsnum]);
    const ifp = ifprocName(obs);
    const ipath = join(root, ifp);
    mkdirSync(dirname(ipath), { recursive: true });
    await writeNetcdf3(ipath, ifprocModel(obs, s, sp, rng), { format: "cdf2" });
    const roachFiles: string[] = [];
    let ndump = 0;
    for (const r of roaches) {
      const rel = roachName(r, obs);
      roachFiles.push(rel);
      if (opts.dryRun) continue;
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      ndump = await writeRoach(p, obs, r, sp, blockDumps);
    }
    let pmin = Infinity, pmax = -Infinity;
    for (const v of s.parang) {
      pmin = Math.min(pmin, v);
      pmax = Math.max(pmax, v);
    }
    truth.observations[String(obs.obsnum)] = {
      obsnum: obs.obsnum,
      obspgm: obs.obspgm,
      source_name: obs.source,
      cal_obsnum: obs.calObsnum,
      t_start_unix: obs.t0,
      date_start: formatUtc(obs.t0),
      duration_s: obs.duration,
      n_ifproc_samples: s.n,
      n_dumps_per_roach: ndump,
      ifproc_file: ifp,
      roach_files: roachFiles,
      elevation_deg_start: ((s.el[0] ?? NaN) * 180) / Math.PI,
      parang_deg_range: [(pmin * 180) / Math.PI, (pmax * 180) / Math.PI],
      segments: obs.segments.map((g) => [g.t0, g.t1, g.bufpos, g.label]),
      tsys_scale: obs.tsysScale,
    };
    truth.files.push(ifp, ...roachFiles);
  }
  return truth;
}
