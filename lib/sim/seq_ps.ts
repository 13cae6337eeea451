/**
 * Synthetic SEQUOIA / 1MM position-switched (Ps) raw data with known truth: a Cal obsnum (HOT + SKY)
 * and a Ps obsnum whose ON blocks (BufPos 0) point the tracked pixel at the source and whose REF blocks
 * (BufPos 1) look at blank sky far away. Files and the instrument model are those of lib/sim/seq.ts
 * (same IFPROC/roach layout, gains, radiometer noise, ON-only baseline, 5 sub-samples per dump).
 *
 * Every pixel sees the source through its own beam offset (Sequoia: 27.9″ grid rotated with elevation
 * and parallactic angle; 1MM: all inputs on the source), so the truth has a line peak per pixel.
 * By default the switches fall half-way between dump mid-times (`switchOffsetS` = dump/2), so no dump
 * mixes ON and REF and a noise-free run (`noiseScale: 0`, `gainDriftFrac: 0`) reduces to
 * `baseline + peak·φ(v)` exactly; `switchOffsetS: 0` puts the switches on dump mid-times (straddling
 * dumps, as real data).
 *
 * @module
 */
import { mkdirSync } from "../sys/fs.ts";
import { writeNetcdf3 } from "../netcdf/mod.ts";
import type { NcWriteModel } from "../netcdf/types.ts";
import { dirname, join } from "../sys/path.ts";
import { parseUtc } from "./common.ts";
import { C_KMS } from "../num/constants.ts";
import { Rng } from "./rng.ts";
import {
  type BankLine,
  calObservation,
  convolveGaussian,
  ellipticalGaussian,
  ifprocModel,
  ifprocName,
  ifprocStream,
  lmtAltAz,
  lmtBeamArcsec,
  makePixels,
  type Observation,
  roachName,
  type Segment,
  type SeqCommonOptions,
  type SeqSourceShape,
  sequoiaPixelRaDec,
  type SimParams,
  writeRoach,
} from "./seq.ts";

/** Sub-samples per dump of the roach model (lib/sim/seq.ts). */
const SUBSAMPLES = 5;

/** The source of a Ps observation (centred on the tracked position); FWHM 0 = point source. */
export type SeqPsSource = SeqSourceShape;

/** Options of {@link generateSeqPs}. */
export interface SeqPsOptions extends SeqCommonOptions {
  /** Cal obsnum; the Ps obsnum is +1. */
  obsnum0: number;
  receiver?: "Sequoia" | "Msip1mm";
  /** 1 (default) or 2 IFs (Msip1mm always 2: bank 0 = pixels 0,2, bank 1 = pixels 1,3). */
  banks?: 1 | 2;
  /** Radiometer noise scale (0 = noise-free). */
  noiseScale?: number;
  source?: string;
  raDeg?: number;
  decDeg?: number;
  /** Bank-0 line rest frequency (GHz); default 115.271202 (Sequoia CO 1-0), 230.538 (1MM). */
  restFreqGhz?: number;
  vlsrKms?: number;
  /** Sequoia pixel put on the source (default 10, the pipeline's pix_list). */
  beam?: number;
  src?: Partial<SeqPsSource>;
  /** REF position offset from the source (″). */
  refDxArcsec?: number;
  refDyArcsec?: number;
  onTimeS?: number;
  refTimeS?: number;
  /** ON/REF pairs. */
  nCycles?: number;
  /** Pairs start with the REF block (REF, ON, REF, ON, …) instead of ON. */
  refFirst?: boolean;
  /** One more unpaired block at the end (unequal ON and REF block counts). */
  extraBlock?: "on" | "ref" | null;
  /** Extra length of the first block (s): dump/2 (default) puts every switch between dump mid-times. */
  switchOffsetS?: number;
  calHotS?: number;
  calSkyS?: number;
  /** Tsys of this observation relative to `tsysK` (default 1). */
  tsysScale?: number;
  /** Bank 1 line: rest frequency (GHz), velocity offset from bank 0's line (km/s), peak scale, Tsys factor. */
  bank1?: { restFreqGhz?: number; lineOffsetKms?: number; peakScale?: number; tsysFactor?: number };
}

/** Truth of one pixel of the Ps obsnum. */
export interface SeqPsPixelTruth {
  pixel: number;
  bank: number;
  /** Physical Tsys (K) of this pixel in the Ps obsnum (and its Cal). */
  tsys_K: number;
  /** Line peak (K) this pixel sees: the beam-convolved source at its mean ON offset, times the bank's scale. */
  peak_K: number;
  /** Mean offset of the pixel from the source during the ON blocks (″, RA/Dec frame). */
  offset_arcsec: [number, number];
  /** Radiometer rms of one dump (K). */
  rms_per_dump_K: number;
}

/** Truth of a generated Cal + Ps pair. */
export interface SeqPsTruth {
  generator: string;
  obsnum: number;
  cal_obsnum: number;
  obspgm: "Ps";
  source_name: string;
  receiver: "Sequoia" | "Msip1mm";
  nchan: number;
  bandwidth_mhz: number;
  dump_time_s: number;
  vlsr_kms: number;
  beam: number;
  source: SeqPsSource & {
    beam_fwhm_arcsec: number;
    convolved_fwhm_arcsec: [number, number];
    convolved_peak_K: number;
  };
  /** Per bank: rest frequency, line velocity/FWHM on the bank's own VLSR axis, channel width, line channel. */
  banks: {
    bank: number;
    rest_freq_ghz: number;
    sideband: number;
    line_v_kms: number;
    line_fwhm_kms: number;
    peak_scale: number;
    dv_kms_per_channel: number;
    line_channel: number;
  }[];
  pixels: SeqPsPixelTruth[];
  baseline: { offset_K: number; slope_K_per_halfband: number; formula: string };
  gain_drift_frac: number;
  noise_scale: number;
  /** [t0, t1, BufPos, label] of the Ps obsnum (s from its start). */
  segments: [number, number, number, string][];
  on_blocks: number;
  ref_blocks: number;
  switch_offset_s: number;
  t_start_unix: number;
  files: string[];
}

function segmentAt(segs: Segment[], t: number): Segment {
  for (const s of segs) if (t < s.t1) return s;
  return segs[segs.length - 1]!;
}

/**
 * Write a Cal + Ps pair under `root` (a `$DATA_LMT` tree) and return the truth. The Ps is obsnum0+1,
 * its Cal obsnum0.
 */
export async function generateSeqPs(root: string, opts: SeqPsOptions): Promise<SeqPsTruth> {
  const seed = opts.seed ?? opts.obsnum0;
  const nchan = opts.nchan ?? 2048;
  if (!(Number.isInteger(nchan) && nchan >= 16)) {
    throw new RangeError(`nchan ${nchan} must be an integer ≥ 16`);
  }
  const bw = opts.bandwidthMHz ?? 800;
  const dt = opts.dumpTimeS ?? 0.1;
  const receiver = opts.receiver ?? "Sequoia";
  const is1mm = receiver === "Msip1mm";
  const nbanks = is1mm ? 2 : (opts.banks ?? 1);
  const tsys = opts.tsysK ?? [176, 188, 201, 183, 194, 179, 207, 185, 190, 212, 181, 197, 203, 230, 186, 192];
  if (tsys.length !== 16) throw new RangeError(`tsysK needs 16 values, got ${tsys.length}`);
  const beamPix = is1mm ? 0 : (opts.beam ?? 10);
  if (!(Number.isInteger(beamPix) && beamPix >= 0 && beamPix <= 15)) {
    throw new RangeError(`beam ${beamPix}: 0..15`);
  }
  const b1o = opts.bank1 ?? {};
  const sp: SimParams = {
    receiver,
    nbanks,
    bank1TsysFactor: is1mm ? 1 : (b1o.tsysFactor ?? 1.12),
    projectId: opts.projectId ?? "2025-S1-SIM-1",
    nchan,
    bandwidthMHz: bw,
    dumpTime: dt,
    tsys,
    seed,
    badPixel: opts.badPixel === undefined ? null : opts.badPixel,
    badFactor: opts.badPixelNoiseFactor ?? 6,
    driftFrac: opts.gainDriftFrac ?? 0.002,
    blOffset: opts.baselineOffsetK ?? 0.1,
    blSlope: opts.baselineSlopeKPerHalfband ?? -0.2,
    noiseScale: opts.noiseScale ?? 1,
    pix: makePixels(seed, nchan),
    ...(nbanks === 2 && !is1mm ? { pix1: makePixels(seed, nchan, 5151) } : {}),
  };
  const src: SeqPsSource = {
    fwhmMajArcsec: opts.src?.fwhmMajArcsec ?? 30,
    fwhmMinArcsec: opts.src?.fwhmMinArcsec ?? 24,
    paDeg: opts.src?.paDeg ?? 30,
    peakK: opts.src?.peakK ?? 1.5,
    vKms: opts.src?.vKms ?? 12,
    fwhmKms: opts.src?.fwhmKms ?? 9,
  };
  const rest = opts.restFreqGhz ?? (is1mm ? 230.538 : 115.271202);
  const vlsr = opts.vlsrKms ?? 10;
  const name = opts.source ?? "SIM-PS";
  const t0Cal = parseUtc(opts.date ?? "2025-04-21T03:10:00");
  const tsysScale = opts.tsysScale ?? 1;
  const cal = calObservation(
    opts.obsnum0,
    {
      source: name,
      raDeg: opts.raDeg ?? 83.8,
      decDeg: opts.decDeg ?? -5.4,
      restFreqGhz: rest,
      vlsrKms: vlsr,
      calHotS: opts.calHotS ?? 2,
      calSkyS: opts.calSkyS ?? 2,
    },
    t0Cal,
    tsysScale,
  );
  const ra = cal.raRad, dec = cal.decRad;
  const t0 = Math.ceil(t0Cal + cal.duration + 20);

  // ---- ON/REF segments: the tracked pixel on the source, REF far away
  const g0 = lmtAltAz(ra, dec, t0);
  const on: [number, number] = is1mm ? [0, 0] : sequoiaPixelRaDec(beamPix, g0.el, g0.parang);
  const off: [number, number] = [opts.refDxArcsec ?? -600, opts.refDyArcsec ?? 0];
  const tOn = opts.onTimeS ?? 5, tRef = opts.refTimeS ?? 5, nCycles = opts.nCycles ?? 4;
  const first = opts.switchOffsetS ?? dt / 2;
  const segs: Segment[] = [];
  let t = 0;
  const push = (kind: "on" | "ref") => {
    const len = (kind === "on" ? tOn : tRef) + (segs.length === 0 ? first : 0);
    const p = kind === "on" ? on : off;
    segs.push({ t0: t, t1: t + len, bufpos: kind === "on" ? 0 : 1, label: kind, pos: () => p });
    t += len;
  };
  for (let i = 0; i < nCycles; i++) {
    push(opts.refFirst ? "ref" : "on");
    push(opts.refFirst ? "on" : "ref");
  }
  if (opts.extraBlock) push(opts.extraBlock);
  const beamFwhm = lmtBeamArcsec(rest);
  const conv = convolveGaussian(src.fwhmMajArcsec, src.fwhmMinArcsec, src.paDeg, src.peakK, beamFwhm);
  const skyAmp = ellipticalGaussian(0, 0, conv);
  const line0: BankLine = {
    restFreqGhz: rest,
    lineV: src.vKms,
    lineFwhm: src.fwhmKms,
    ampScale: 1,
    sideband: 0,
  };
  const lines: BankLine[] = [line0];
  if (nbanks === 2) {
    lines.push({
      restFreqGhz: b1o.restFreqGhz ?? (is1mm ? 220.398684 : 110.201354),
      lineV: src.vKms + (b1o.lineOffsetKms ?? -20),
      lineFwhm: src.fwhmKms,
      ampScale: b1o.peakScale ?? 0.6,
      sideband: is1mm ? 1 : 0,
    });
  }
  const ps: Observation = {
    obsnum: opts.obsnum0 + 1,
    calObsnum: opts.obsnum0,
    obspgm: "Ps",
    source: name,
    raRad: ra,
    decRad: dec,
    restFreqGhz: rest,
    vlsr,
    t0,
    duration: t,
    segments: segs,
    tsysScale,
    skyAmp,
    lineV: src.vKms,
    lineFwhm: src.fwhmKms,
    lines,
    tsysEpochs: [],
  };
  cal.lines[0]!.sideband = 0;
  if (nbanks === 2) cal.lines.push({ ...lines[1]!, ampScale: 0 });

  // ---- truth: each pixel's response, averaged over the ON sub-samples of the dump grid (the roach model)
  const ndump = Math.floor(t / dt + 1e-9) + 1;
  const el0 = g0.el;
  const pixels = is1mm ? [0, 1, 2, 3] : Array.from({ length: 16 }, (_, p) => p);
  const acc = pixels.map(() => ({ amp: 0, dx: 0, dy: 0, n: 0 }));
  for (let k = 0; k < ndump; k++) {
    for (let j = 0; j < SUBSAMPLES; j++) {
      const tr = Math.min(Math.max(k * dt + ((j + 0.5) / SUBSAMPLES - 0.5) * dt, 0), t);
      const seg = segmentAt(segs, tr);
      if (seg.bufpos !== 0) continue;
      const [x, y] = seg.pos(tr);
      const par = lmtAltAz(ra, dec, t0 + tr).parang;
      pixels.forEach((p, i) => {
        const [gx, gy] = is1mm ? [0, 0] : sequoiaPixelRaDec(p, el0, par);
        const a = acc[i]!;
        a.amp += skyAmp(x - gx, y - gy);
        a.dx += x - gx;
        a.dy += y - gy;
        a.n++;
      });
    }
  }
  const bankOf = (p: number) => (is1mm ? p % 2 : 0);
  const rms = (p: number, b: number) =>
    (tsys[p]! * tsysScale * (b === 1 && !is1mm ? sp.bank1TsysFactor : 1) /
      Math.sqrt((bw * 1e6 / nchan) * dt)) *
    (p === sp.badPixel ? sp.badFactor : 1) * sp.noiseScale!;
  const truthPixels: SeqPsPixelTruth[] = [];
  for (let b = 0; b < nbanks; b++) {
    pixels.forEach((p, i) => {
      if (is1mm && bankOf(p) !== b) return;
      const a = acc[i]!;
      truthPixels.push({
        pixel: p,
        bank: b,
        tsys_K: tsys[p]! * tsysScale * (b === 1 && !is1mm ? sp.bank1TsysFactor : 1),
        peak_K: (a.amp / a.n) * lines[b]!.ampScale,
        offset_arcsec: [a.dx / a.n, a.dy / a.n],
        rms_per_dump_K: rms(p, b),
      });
    });
  }
  const truth: SeqPsTruth = {
    generator: "lmt-sim seq Ps (lib/sim/seq_ps.ts)",
    obsnum: ps.obsnum,
    cal_obsnum: cal.obsnum,
    obspgm: "Ps",
    source_name: name,
    receiver,
    nchan,
    bandwidth_mhz: bw,
    dump_time_s: dt,
    vlsr_kms: vlsr,
    beam: beamPix,
    source: {
      ...src,
      beam_fwhm_arcsec: beamFwhm,
      convolved_fwhm_arcsec: [conv.fwhmMaj, conv.fwhmMin],
      convolved_peak_K: conv.peak,
    },
    banks: lines.map((ln, b) => {
      const dfs = ln.sideband === 1 ? -(bw * 1e6 / nchan) : bw * 1e6 / nchan;
      const dv = (-dfs / (ln.restFreqGhz * 1e9)) * C_KMS;
      return {
        bank: b,
        rest_freq_ghz: ln.restFreqGhz,
        sideband: ln.sideband,
        line_v_kms: ln.lineV,
        line_fwhm_kms: ln.lineFwhm,
        peak_scale: ln.ampScale,
        dv_kms_per_channel: dv,
        line_channel: (nchan - 1) / 2 + (ln.lineV - vlsr) / dv,
      };
    }),
    pixels: truthPixels,
    baseline: {
      offset_K: sp.blOffset,
      slope_K_per_halfband: sp.blSlope,
      formula: "ON dumps only: offset + slope*(ch-(nchan-1)/2)/(nchan/2)",
    },
    gain_drift_frac: sp.driftFrac,
    noise_scale: sp.noiseScale!,
    segments: segs.map((g) => [g.t0, g.t1, g.bufpos, g.label]),
    on_blocks: segs.filter((g) => g.bufpos === 0).length,
    ref_blocks: segs.filter((g) => g.bufpos === 1).length,
    switch_offset_s: first,
    t_start_unix: t0,
    files: [],
  };

  // ---- files
  const roaches = is1mm ? [0] : nbanks === 2 ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 3];
  for (const obs of [cal, ps]) {
    const s = ifprocStream(obs);
    const model = ifprocModel(obs, s, sp, new Rng([seed, 77, obs.obsnum]));
    if (obs === ps) addPsHeader(model, receiver, beamPix, nCycles, tOn, tRef, dt);
    const rel = ifprocName(obs);
    const ipath = join(root, rel);
    mkdirSync(dirname(ipath), { recursive: true });
    await writeNetcdf3(ipath, model, { format: "cdf2" });
    truth.files.push(rel);
    for (const r of roaches) {
      const rr = roachName(r, obs);
      const p = join(root, rr);
      mkdirSync(dirname(p), { recursive: true });
      await writeRoach(p, obs, r, sp, 256);
      truth.files.push(rr);
    }
  }
  return truth;
}

/** `Header.Ps.*` (informational) and the tracked pixel in `Header.<Rx>.BeamSelected`. */
function addPsHeader(
  model: NcWriteModel,
  receiver: string,
  beam: number,
  nCycles: number,
  tOn: number,
  tRef: number,
  dt: number,
): void {
  const sel = model.variables.find((v) => v.name === `Header.${receiver}.BeamSelected`);
  if (sel && receiver === "Sequoia") sel.data = Int32Array.of(beam);
  const scalar = (name: string, type: "int" | "double", v: number) =>
    model.variables.push({
      name,
      type,
      dimensions: [],
      data: type === "int" ? Int32Array.of(v) : Float64Array.of(v),
    });
  scalar("Header.Ps.NumRepeats", "int", 1);
  scalar("Header.Ps.NumScans", "int", nCycles);
  scalar("Header.Ps.TMain", "double", tOn);
  scalar("Header.Ps.TRef", "double", tRef);
  scalar("Header.Ps.NSamp", "int", Math.round(tOn / dt));
}
