/**
 * process_otf_map: one SEQ map obsnum and bank → SpecFile (seq.md §2), streamed board by board.
 *
 * @module
 */
import { openNetcdf } from "../netcdf/mod.ts";
import type { NcFile } from "../netcdf/types.ts";
import { findIfproc, findRoachFiles } from "../lmt/seq_files.ts";
import { npMean } from "../num/npstats.ts";
import { alignDumps, interpAt } from "./align.ts";
import { axisLabel, axisValues, defaultAxisName, isFrequencyAxis, spectralAxis, type SpectralAxis, velocitySlice, type XAxisName } from "./axis.ts";
import { azElOffsets, beamOffset } from "./beams.ts";
import { calTsysSpectrum, otfCalTsys, type TsysSpectrum } from "./cal.ts";
import { SeqDataError } from "./errors.ts";
import { type Ifproc, ifprocTsys, mapCoord as mapCoordRule, readIfprocHeader, readIfprocStream } from "./ifproc.ts";
import { linePlan, processLine, type Region } from "./line.ts";
import { pipelineWindows } from "./options.ts";
import { boardPixels, type PixelDumps, readPixelDumps, reduceBoard, type Stype } from "./reduce.ts";
import { openRoach, type RoachBoard } from "./roach.ts";
import { type SpecFile, SPECFILE_VERSION } from "./specfile.ts";

/** Options of {@link reduceOtfMap} (the process_otf_map options). */
export interface OtfOptions {
  root: string;
  obsnum: number;
  bank: number;
  pixList: number[];
  stype: Stype;
  useCal: boolean;
  useOtfCal: boolean;
  /** −1 = decide from the header. */
  mapCoord: number;
  xAxis?: XAxisName;
  bOrder: number;
  /** Baseline regions (km/s); undefined = the pipeline default around the source velocity. */
  bRegions?: Region[];
  /** [v0, v1] km/s; undefined = the pipeline default [VLSR−350, VLSR+350] (clipped to the band). */
  slice?: [number, number];
  eliminate: number[];
  offX: number;
  offY: number;
  history: string;
  /** Called after each board: (boards done, total boards). */
  onProgress?: (done: number, total: number) => void;
  warn?: (msg: string) => void;
}

/** Per-pixel quality summary (the original's table). */
export interface PixelQuality {
  pixel: number;
  nspec: number;
  mean: number;
  std: number;
  madStd: number;
  min: number;
  max: number;
  meanRms: number;
  maxRms: number;
  /** Mean of the sliced Tsys spectrum (NaN without a Tsys spectrum). */
  tsys: number;
  warnings: string;
}

/** Result of {@link reduceOtfMap}. */
export interface OtfResult {
  specFile: SpecFile;
  quality: PixelQuality[];
  /** Cal-scan Tsys per pixel (mean/std over the band) or scalar IFPROC Tsys. */
  calTsys: { pixel: number; mean: number; std: number }[];
  axis: SpectralAxis;
  axisName: XAxisName;
  /** Original channel range kept. */
  c0: number;
  c1: number;
}

/** Roach boards holding `pixList` for `bank` (1MM: roach0 only). */
export function roachList(receiver: string, pixList: number[], bank: number): number[] {
  if (receiver === "Msip1mm") return [0];
  return [...new Set(pixList.map((p) => Math.floor(p / 4) + 4 * bank))].sort((a, b) => a - b);
}

/** Open the IFPROC file of an obsnum (header + stream). */
export async function openIfproc(root: string, obsnum: number, positions: boolean): Promise<{ nc: NcFile; ifp: Ifproc }> {
  const path = findIfproc(root, obsnum);
  const nc = await openNetcdf(path);
  const header = readIfprocHeader(nc);
  const stream = readIfprocStream(nc, header, positions);
  return { nc, ifp: { header, stream } };
}

/** Open the roach boards of an obsnum that carry `pixList`; every requested pixel must be present. */
export async function openBoards(root: string, obsnum: number, receiver: string, pixList: number[], bank: number): Promise<RoachBoard[]> {
  const roaches = roachList(receiver, pixList, bank);
  const files = findRoachFiles(root, obsnum, roaches);
  for (const p of pixList) {
    const r = receiver === "Msip1mm" ? 0 : Math.floor(p / 4) + 4 * bank;
    if (!files.has(r)) {
      throw new SeqDataError(`pixel ${p} requested but obsnum ${obsnum} has no roach${r} file in ${root}/spectrometer/roach${r}`);
    }
  }
  const boards: RoachBoard[] = [];
  for (const r of roaches) boards.push(openRoach(await openNetcdf(files.get(r)!), r));
  return boards;
}

/** Cal-scan Tsys spectra per pixel (seq.md §2.3), matched by pixel id. */
export async function calScanTsys(root: string, calObsnum: number, receiver: string, pixList: number[], bank: number): Promise<Map<number, TsysSpectrum>> {
  const { nc, ifp } = await openIfproc(root, calObsnum, false);
  nc.close();
  const boards = await openBoards(root, calObsnum, receiver, pixList, bank);
  const out = new Map<number, TsysSpectrum>();
  try {
    for (const b of boards) {
      const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
      for (const p of boardPixels(b, al, pixList)) {
        const hot = readPixelDumps(p, p.states.hots);
        const sky = readPixelDumps(p, p.states.skys);
        out.set(p.pixel, calTsysSpectrum(hot, sky, b.nchan));
      }
    }
  } finally {
    for (const b of boards) b.nc.close();
  }
  return out;
}

/** 1.4826·MAD; large inputs are sampled with a fixed stride (≤ 65536 values) — a display statistic. */
function madStd(a: Float64Array | Float32Array): number {
  if (a.length === 0) return NaN;
  const stride = Math.max(1, Math.ceil(a.length / 65536));
  const s = Float64Array.from({ length: Math.ceil(a.length / stride) }, (_, i) => a[i * stride]!).sort();
  const med = (x: Float64Array) => (x.length % 2 ? x[(x.length - 1) / 2]! : (x[x.length / 2 - 1]! + x[x.length / 2]!) / 2);
  const m = med(s);
  const d = s.map((v) => Math.abs(v - m)).sort();
  return 1.482602218505602 * med(d);
}

function stats(a: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0, ss = 0, mn = Infinity, mx = -Infinity, n = 0;
  for (const v of a) {
    if (!Number.isFinite(v)) continue;
    s += v;
    ss += v * v;
    n++;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, ss / n - mean * mean)), min: mn, max: mx };
}

function isoSeconds(t: number): string {
  return new Date(Math.floor(t) * 1000).toISOString().slice(0, 19);
}

/**
 * Reduce one SEQ OTF map obsnum and bank to a SpecFile. Memory: the SpecFile plus one chunk of raw
 * rows and the per-pixel reference means (stype 0 also holds each board's dumps over the slice).
 */
export async function reduceOtfMap(o: OtfOptions): Promise<OtfResult> {
  const warn = o.warn ?? (() => {});
  const { nc: mapNc, ifp } = await openIfproc(o.root, o.obsnum, true);
  const h = ifp.header;
  let mapNcOpen = true;
  const boards: RoachBoard[] = [];
  try {
    if (h.obsPgm === "Cal") throw new SeqDataError(`${h.path}: obsnum ${o.obsnum} is a Cal observation, not a map`);
    const mc = mapCoordRule(h, o.mapCoord);
    if (o.bank < 0 || o.bank >= Math.max(1, h.numBands)) {
      throw new SeqDataError(`${h.path}: bank ${o.bank} requested but the observation has ${h.numBands} bank(s)`);
    }
    // --- calibration
    let calSpec: Map<number, TsysSpectrum> | null = null;
    let ifpTsys: Float64Array | null = null;
    const calTsys: OtfResult["calTsys"] = [];
    if (!o.useOtfCal || !o.useCal) {
      if (!(h.calObsNum > 0)) throw new SeqDataError(`${h.path}: Header.IfProc.CalObsNum is ${h.calObsNum}: no Cal scan for obsnum ${o.obsnum}`);
      if (o.useCal) {
        calSpec = await calScanTsys(o.root, h.calObsNum, h.receiver, o.pixList, o.bank);
        for (const p of o.pixList) {
          const t = calSpec.get(p)!;
          calTsys.push({ pixel: p, mean: t.mean, std: t.std });
        }
      } else {
        const { nc, ifp: cal } = await openIfproc(o.root, h.calObsNum, false);
        try {
          ifpTsys = ifprocTsys(nc, cal.header, cal.stream);
        } finally {
          nc.close();
        }
        for (const p of o.pixList) calTsys.push({ pixel: p, mean: ifpTsys[p] ?? NaN, std: 0 });
      }
    }
    // --- boards and alignment
    boards.push(...await openBoards(o.root, o.obsnum, h.receiver, o.pixList, o.bank));
    const nchan0 = boards[0]!.nchan;
    for (const b of boards) {
      if (b.nchan !== nchan0 || b.bandwidthMHz !== boards[0]!.bandwidthMHz) {
        throw new SeqDataError(`${b.path}: ${b.nchan} channels / ${b.bandwidthMHz} MHz differ from ${boards[0]!.path}`);
      }
    }
    const axis = spectralAxis(h, o.bank, nchan0, boards[0]!.bandwidthMHz);
    const axisName = o.xAxis ?? defaultAxisName(axis);
    if (isFrequencyAxis(axisName)) {
      throw new SeqDataError(`x_axis ${axisName} is not supported by process_otf_map: the SpecFile axis must be a velocity (VLSR, VBARY, VSKY, VSRC)`);
    }
    const xfull = axisValues(axis, axisName);
    const win = pipelineWindows(h.velocity);
    const slice = o.slice ?? win.slice;
    const bRegions = o.bRegions ?? win.bRegions;
    const sl = velocitySlice(axis, axisName, slice[0], slice[1]);
    const c0 = sl.c0, c1 = sl.c1;
    if (sl.clipped) warn(`slice [${slice}] km/s extends beyond the band: clipped to channels ${c0}..${c1 - 1}`);
    const nc = c1 - c0;
    const x = xfull.slice(c0, c1);
    const plan = linePlan(c0, x, bRegions, o.bOrder, o.eliminate);
    if (o.bOrder >= 0 && plan.base.length <= o.bOrder) {
      throw new SeqDataError(`b_regions ${JSON.stringify(bRegions)} select ${plan.base.length} channels of the slice: too few for a baseline of order ${o.bOrder}`);
    }
    const pix = new Map<number, PixelDumps>();
    for (const b of boards) {
      const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
      for (const p of boardPixels(b, al, o.pixList)) pix.set(p.pixel, p);
    }
    // --- in-map cal
    let otf: Map<number, TsysSpectrum[]> | null = null;
    let ncal = o.useCal ? 1 : 0;
    if (o.useCal && o.useOtfCal) {
      otf = new Map();
      ncal = 0;
      for (const p of o.pixList) {
        const d = pix.get(p)!;
        const st = d.states;
        const blocks = (rs: [number, number][]) => rs.map(([a, b]) => readPixelDumps(d, Int32Array.from({ length: b - a + 1 }, (_, i) => a + i)));
        const ts = otfCalTsys(blocks(st.hotRanges), blocks(st.skyRanges), d.board.nchan);
        if (ts.length === 0) throw new SeqDataError(`obsnum ${o.obsnum} pixel ${p}: --use_otf_cal given but the map has no HOT/SKY blocks`);
        otf.set(p, ts);
        ncal = Math.max(ncal, ts.length);
        calTsys.push({ pixel: p, mean: ts[0]!.mean, std: NaN });
      }
    }
    // --- layout of the output
    const counts = o.pixList.map((p) => pix.get(p)!.states.ons.length);
    const nspec = counts.reduce((a, b) => a + b, 0);
    if (nspec === 0) throw new SeqDataError(`obsnum ${o.obsnum}: no ON dumps survive the time alignment`);
    const offset = new Map<number, number>();
    let acc = 0;
    o.pixList.forEach((p, i) => {
      offset.set(p, acc);
      acc += counts[i]!;
    });
    const spectra = new Float32Array(nspec * nc);
    const rms = new Float32Array(nspec);
    const pixel = new Int32Array(nspec);
    const sequence = new Int32Array(nspec);
    const xPos = new Float32Array(nspec);
    const yPos = new Float32Array(nspec);
    const npix = 16;
    const tsysOut = new Float32Array(ncal * npix * nc);
    // positions
    const { az, el } = azElOffsets(h.receiver, h.elDesPos, h.beamSelected, Math.max(npix, h.npix));
    const s = ifp.stream;
    const [xs, ys] = mc === 0 ? [s.azmap, s.elmap] : mc === 2 ? [s.lmap, s.bmap] : [s.ramap, s.decmap];
    for (const p of o.pixList) {
      const d = pix.get(p)!;
      const times = Float64Array.from(d.states.ons, (t) => d.aligned.time[t]!);
      const xi = interpAt(s.time, xs, times), yi = interpAt(s.time, ys, times);
      const P = times.length ? npMean(interpAt(s.time, s.parAng, times)) : 0;
      const G = times.length ? npMean(interpAt(s.time, s.galAng, times)) : 0;
      const [gx, gy] = beamOffset(az[p]!, el[p]!, mc, P, G);
      const off = offset.get(p)!;
      for (let j = 0; j < times.length; j++) {
        pixel[off + j] = p;
        sequence[off + j] = j;
        xPos[off + j] = xi[j]! - gx;
        yPos[off + j] = yi[j]! - gy;
      }
    }
    // Tsys rows
    const pi = (p: number) => p; // Data.Tsys rows are indexed by pixel id
    const sliceOf = (t: Float32Array) => t.subarray(c0, c1);
    if (calSpec) for (const p of o.pixList) tsysOut.set(sliceOf(calSpec.get(p)!.tsys), (0 * npix + pi(p)) * nc);
    if (otf) {
      for (const p of o.pixList) otf.get(p)!.forEach((t, k) => tsysOut.set(sliceOf(t.tsys), (k * npix + pi(p)) * nc));
    }
    // --- reduction, board by board
    const tsysFor = (p: PixelDumps, istart: number): Float32Array | number => {
      if (otf) {
        const hr = p.states.hotRanges;
        let k = -1;
        for (let i = 0; i < hr.length; i++) if (hr[i]![1] < istart - 1) k = i;
        if (k < 0) throw new SeqDataError(`obsnum ${o.obsnum} pixel ${p.pixel}: --use_otf_cal: no HOT block precedes the ON block at dump ${istart}`);
        return sliceOf(otf.get(p.pixel)![k]!.tsys);
      }
      if (calSpec) return sliceOf(calSpec.get(p.pixel)!.tsys);
      return ifpTsys![p.pixel] ?? NaN;
    };
    const work = new Float64Array(nc);
    let done = 0;
    for (const b of boards) {
      const ps = o.pixList.filter((p) => pix.get(p)!.board === b).map((p) => pix.get(p)!);
      ps.sort((a, c) => a.input - c.input);
      reduceBoard(b, ps, { stype: o.stype, c0, nc, tsysFor }, (p, j, spec) => {
        work.set(spec);
        const r = processLine(plan, work);
        const row = offset.get(p.pixel)! + j;
        spectra.set(work, row * nc);
        rms[row] = r;
      });
      o.onProgress?.(++done, boards.length);
    }
    // --- quality table
    const quality: PixelQuality[] = o.pixList.map((p) => {
      const off = offset.get(p)!, n = pix.get(p)!.states.ons.length;
      const data = spectra.subarray(off * nc, (off + n) * nc);
      const r = rms.subarray(off, off + n);
      const st = stats(data);
      const md = madStd(data);
      const rs = stats(r);
      const rmd = madStd(r);
      let w = "";
      if (st.std / md > 1.2) w += ` *P ${(st.std / md).toFixed(2)}`;
      if (rs.std / rmd > 1.2) w += ` *M ${(rs.std / rmd).toFixed(2)}`;
      let tsys = NaN;
      if (ncal > 0) {
        const row = tsysOut.subarray(p * nc, p * nc + nc);
        tsys = row.reduce((a, v) => a + v, 0) / nc;
      } else if (ifpTsys) tsys = ifpTsys[p] ?? NaN;
      return { pixel: p, nspec: n, mean: st.mean, std: st.std, madStd: md, min: st.min, max: st.max, meanRms: rs.mean, maxRms: rs.max, tsys, warnings: w.trim() };
    });
    const deg = 180 / Math.PI;
    const sf: SpecFile = {
      version: SPECFILE_VERSION,
      history: o.history,
      obsNum: h.obsNum,
      mapCoord: mc,
      dumpTime: h.dumpTime,
      offX: o.offX,
      offY: o.offY,
      sourceName: h.sourceName,
      xPosition: mc === 2 ? h.l * deg : h.ra * deg,
      yPosition: mc === 2 ? h.b * deg : h.dec * deg,
      dateObs: isoSeconds(s.time[0]!),
      receiver: h.receiver,
      nspec,
      nchan: nc,
      nchan0,
      chan0: c0,
      ncal,
      npix,
      channelNumber: Int32Array.from({ length: nc }, (_, i) => c0 + i),
      cdelt: nc > 1 ? x[1]! - x[0]! : axis.dvdc,
      crpix: 0,
      crval: x[0]!,
      ctype: axisLabel(axisName),
      caxis: x,
      line: {
        bank: o.bank,
        vSource: h.velocity,
        vSystem: h.velSys,
        zSource: h.lineRedshift[o.bank] ?? 0,
        lineRestFrequency: axis.frest,
        dopplerTrack: h.dopplerTrack,
        vBarycenter: h.baryVel,
        vObservatory: h.obsVel,
        skyFrequency: axis.fsky,
        lo1Frequency: h.lo1Freq * 1e9,
        lo2Frequency: (h.lo2Freq[o.bank] ?? 0) * 1e9,
        if1Frequency: (h.if1Freq[o.bank] ?? 0) * 1e9,
        if2Frequency: (h.if2Freq[o.bank] ?? 0) * 1e9,
        synthesizerFrequency: (h.synthFreq[o.bank] ?? 0) * 1e9,
        frequencyOffset: axis.foff,
        velocityOffset: axis.voff,
        sideband: axis.sideband,
        nChannels: nchan0,
        bandwidth: axis.bw,
        deltaFrequency: axis.dfdc,
        deltaVelocity: axis.dvdc,
        lsrFrameV0: axis.v0Lsr,
        barycenterFrameV0: axis.v0Bary,
        skyFrameV0: axis.v0Sky,
        xType: 0,
      },
      pixel,
      sequence,
      xPos,
      yPos,
      rms,
      spectra,
      tsys: tsysOut,
    };
    return { specFile: sf, quality, calTsys, axis, axisName, c0, c1 };
  } finally {
    if (mapNcOpen) mapNc.close();
    mapNcOpen = false;
    for (const b of boards) b.nc.close();
  }
}

