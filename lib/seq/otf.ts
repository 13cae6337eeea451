/**
 * process_otf_map: one SEQ map obsnum and bank → SpecFile (seq.md §2), streamed board by board.
 *
 * @module
 */
import { readFileSync, statSync } from "../sys/fs.ts";
import { openNetcdf, openNetcdfBytes } from "../netcdf/mod.ts";
import type { NcFile } from "../netcdf/types.ts";
import { findIfproc, findRoachFiles } from "../lmt/seq_files.ts";
import { npMean } from "../num/npstats.ts";
import { alignDumps, interpAt } from "./align.ts";
import {
  axisLabel,
  axisValues,
  defaultAxisName,
  isFrequencyAxis,
  lineAxis,
  skyBand,
  skyFreqMismatchChannels,
  type SpectralAxis,
  spectralAxis,
  velocityFrameOf,
  velocitySlice,
  type XAxisName,
} from "./axis.ts";
import { azElOffsets, beamOffset } from "./beams.ts";
import { calTsysSpectrum, otfCalTsys, type TsysSpectrum } from "./cal.ts";
import { SeqDataError } from "./errors.ts";
import {
  type Ifproc,
  type IfprocHeader,
  type IfprocStream,
  ifprocTsys,
  mapCoord as mapCoordRule,
  readIfprocHeader,
  readIfprocStream,
} from "./ifproc.ts";
import { linePlan, type Region } from "./line.ts";
import { pipelineWindows, type SampleSection } from "./options.ts";
import { boardPixels, type PixelDumps, readDumpSets, readPixelDumps, type Stype } from "./reduce.ts";
import { type BoardJob, type BoardOutput, type PixelTsys, runBoardJob } from "./board_job.ts";
import { BoardPool } from "./board_pool.ts";
import { openRoach, type RoachBoard } from "./roach.ts";
import { type RunningStats, stats, summary } from "./quality.ts";
import { type SpecFile, SPECFILE_VERSION, type SpecFileSink } from "../specfile/mod.ts";
import { C_KMS, RAD_TO_DEG } from "../num/constants.ts";

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
  /**
   * Axis written to the SpecFile (default VLSR, or VBARY for VelSys 1). For a frequency axis (Hz) the
   * velocity windows (slice, b_regions) are taken on the velocity axis of the same frame.
   */
  xAxis?: XAxisName;
  /**
   * Rest frequency (Hz) of the line whose velocities the axis gives (`--restfreq`); undefined = the
   * header LineFreq of the bank. See axis.ts lineAxis().
   */
  restFreqHz?: number;
  /** ON samples to leave out of the SpecFile, per pixel (`--sample`); indices as Data.Sequence. */
  sample?: SampleSection[];
  bOrder: number;
  /** Baseline regions (km/s); undefined = the pipeline default around the source velocity. */
  bRegions?: Region[] | undefined;
  /** [v0, v1] km/s; undefined = the pipeline default [VLSR−350, VLSR+350] (clipped to the band). */
  slice?: [number, number] | undefined;
  eliminate: number[];
  offX: number;
  offY: number;
  history: string;
  /**
   * Worker threads for the boards (each opens its roach file with its own HDF5 instance); 0 or 1 =
   * reduce in the calling thread. Results are identical either way.
   */
  workers?: number;
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

/** Where {@link reduceOtfMapTo} writes (lib/specfile/model.ts); re-exported for existing importers. */
export type { SpecFileSink };

/** What {@link reduceOtfMapTo} and {@link reduceOtfMap} report besides the spectra. */
export interface OtfInfo {
  quality: PixelQuality[];
  /** Cal-scan Tsys per pixel (mean/std over the band) or scalar IFPROC Tsys. */
  calTsys: { pixel: number; mean: number; std: number }[];
  axis: SpectralAxis;
  axisName: XAxisName;
  /** Original channel range kept. */
  c0: number;
  c1: number;
}

/** Summary of {@link reduceOtfMapTo}. */
export interface OtfSummary extends OtfInfo {
  /** The SpecFile without spectra (`spectra` is empty, `rms` filled). */
  head: SpecFile;
}

/** Result of {@link reduceOtfMap}. */
export interface OtfResult extends OtfInfo {
  specFile: SpecFile;
}

/** IFPROC files up to this size are read into memory in one go (see {@link openIfproc}). */
const IFPROC_IN_MEMORY_BYTES = 1 << 30;

/** Roach boards holding `pixList` for `bank` (1MM: roach0 only). */
export function roachList(receiver: string, pixList: number[], bank: number): number[] {
  if (receiver === "Msip1mm") return [0];
  return [...new Set(pixList.map((p) => Math.floor(p / 4) + 4 * bank))].sort((a, b) => a - b);
}

/**
 * Pixels of `pixList` that carry `bank`: every listed pixel for Sequoia (bank = roach group); for
 * Msip1mm the (pol, sideband) inputs of roach0 — bank 0 = pixels 0,2, bank 1 = pixels 1,3 (seq.md §1.6) —
 * so the default all-16 list selects the bank's two pixels.
 */
export function bankPixels(receiver: string, pixList: number[], bank: number): number[] {
  if (receiver !== "Msip1mm") return pixList;
  return pixList.filter((p) => p < 4 && p % 2 === bank);
}

/** Open the IFPROC file of an obsnum (header + stream). */
export async function openIfproc(
  root: string,
  obsnum: number,
  positions: boolean,
): Promise<{ nc: NcFile; ifp: Ifproc }> {
  const path = findIfproc(root, obsnum);
  // netCDF-3 record variables interleave per 8 ms sample: reading the whole (tens of MB) file once
  // is ~10x faster than one read per record and variable
  const size = statSync(path).size;
  const nc = size <= IFPROC_IN_MEMORY_BYTES
    ? await openNetcdfBytes(readFileSync(path), path)
    : await openNetcdf(path);
  const header = readIfprocHeader(nc);
  const stream = readIfprocStream(nc, header, positions);
  return { nc, ifp: { header, stream } };
}

/** Open the roach boards of an obsnum that carry `pixList`; every requested pixel must be present. */
export async function openBoards(
  root: string,
  obsnum: number,
  receiver: string,
  pixList: number[],
  bank: number,
): Promise<RoachBoard[]> {
  const roaches = roachList(receiver, pixList, bank);
  const files = findRoachFiles(root, obsnum, roaches);
  for (const p of pixList) {
    const r = receiver === "Msip1mm" ? 0 : Math.floor(p / 4) + 4 * bank;
    if (!files.has(r)) {
      throw new SeqDataError(
        `pixel ${p} requested but obsnum ${obsnum} has no roach${r} file in ${root}/spectrometer/roach${r}`,
      );
    }
  }
  const boards: RoachBoard[] = [];
  for (const r of roaches) boards.push(openRoach(await openNetcdf(files.get(r)!), r));
  return boards;
}

/** Cal-scan Tsys spectra per pixel (seq.md §2.3), matched by pixel id. */
export async function calScanTsys(
  root: string,
  calObsnum: number,
  receiver: string,
  pixList: number[],
  bank: number,
): Promise<Map<number, TsysSpectrum>> {
  const { nc, ifp } = await openIfproc(root, calObsnum, false);
  nc.close();
  const boards = await openBoards(root, calObsnum, receiver, pixList, bank);
  const out = new Map<number, TsysSpectrum>();
  try {
    for (const b of boards) {
      const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
      const ps = boardPixels(b, al, pixList);
      // every pixel's HOT and SKY dumps in one pass over the board's file
      const dumps = readDumpSets(
        b,
        ps.flatMap((p) => [{ p, trims: p.states.hots }, { p, trims: p.states.skys }]),
      );
      ps.forEach((p, i) => out.set(p.pixel, calTsysSpectrum(dumps[2 * i]!, dumps[2 * i + 1]!, b.nchan)));
    }
  } finally {
    for (const b of boards) b.nc.close();
  }
  return out;
}

function isoSeconds(t: number): string {
  return new Date(Math.floor(t) * 1000).toISOString().slice(0, 19);
}

/**
 * Reduce one SEQ OTF map obsnum and bank to a SpecFile held in memory (see {@link reduceOtfMapTo}).
 */
export async function reduceOtfMap(o: OtfOptions): Promise<OtfResult> {
  let spectra = new Float32Array(0);
  let nc = 0;
  const r = await reduceOtfMapTo(o, {
    begin(head) {
      nc = head.nchan;
      spectra = new Float32Array(head.nspec * head.nchan);
    },
    write(row0, _n, data) {
      spectra.set(data, row0 * nc);
    },
    end() {},
    abort() {},
  });
  const { head, ...rest } = r;
  return { ...rest, specFile: { ...head, spectra } };
}

/**
 * Reduce one SEQ OTF map obsnum and bank, streaming the SpecFile to `sink`. Memory: the SpecFile's
 * small per-spectrum arrays, one chunk of raw rows, one block of output rows per pixel of a board and
 * the per-pixel reference means (stype 0 also holds each board's dumps over the slice) — not the
 * spectra, and nothing that grows with the raw size beyond the per-dump bookkeeping.
 */
export async function reduceOtfMapTo(o: OtfOptions, sink: SpecFileSink): Promise<OtfSummary> {
  const warn = o.warn ?? (() => {});
  // workers start first: they load their modules while this thread reads the IFPROC and Cal data
  const nboards = new Set(o.pixList.map((p) => Math.floor(p / 4))).size;
  const pool = (o.workers ?? 0) > 1 && nboards > 1 ? new BoardPool(Math.min(o.workers!, nboards)) : null;
  try {
    return await reduceWith(o, sink, pool, warn);
  } finally {
    pool?.close();
  }
}

/**
 * The steps of {@link reduceOtfMapTo}, in order (each may throw a SeqDataError; the checks and
 * warnings come in the same order as the steps): check the request against the header, calibrate
 * (Cal scan or IFPROC Tsys), open and check the boards, choose the spectral axis and channel
 * slice, align the dumps, in-map cal, lay out the output rows, compute positions and Tsys rows,
 * write the header, reduce board by board streaming rows to the sink, then the quality table.
 * The sink is aborted on any failure after begin(); the boards are always closed.
 */
async function reduceWith(
  o: OtfOptions,
  sink: SpecFileSink,
  pool: BoardPool | null,
  warn: (msg: string) => void,
): Promise<OtfSummary> {
  const { nc: mapNc, ifp } = await openIfproc(o.root, o.obsnum, true);
  mapNc.close(); // header and stream are read: drop the file (and its bytes)
  const h = ifp.header;
  let sinkOpen = false;
  const boards: RoachBoard[] = [];
  try {
    const { mc, pixList } = checkRequest(o, h);
    const cal = await calibration(o, h, pixList);
    boards.push(...await openBoards(o.root, o.obsnum, h.receiver, pixList, o.bank));
    checkBoardsAgree(boards);
    const spec = spectralSelection(o, h, boards[0]!, warn);
    const pix = new Map<number, PixelDumps>();
    for (const b of boards) {
      const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
      for (const p of boardPixels(b, al, pixList)) pix.set(p.pixel, p);
    }
    const { otf, ncal } = inMapCal(o, pixList, pix, cal.calTsys);
    const rows = outputRows(o, pixList, pix, warn);
    const npix = 16;
    const place = positions(h, ifp.stream, mc, npix, pixList, pix, rows);
    const tsysOut = tsysRows(cal.calSpec, otf, pixList, ncal, npix, spec.c0, spec.c1);
    const rms = new Float32Array(rows.nspec);
    const sf = specFileHead(
      o,
      h,
      ifp.stream,
      mc,
      spec,
      rows.nspec,
      ncal,
      npix,
      place,
      rms,
      tsysOut,
      cal.ifpTsys,
    );
    // --- reduction, board by board (in worker threads when asked), rows streamed to the sink in blocks
    sinkOpen = true;
    await sink.begin(sf);
    const nc = spec.c1 - spec.c0;
    const blockRows = Math.max(
      1,
      Math.floor(sink.blockRows ?? Math.min(1024, Math.max(1, Math.floor((1 << 20) / (nc * 4))))),
    );
    const jobs = boardJobs(o, boards, pixList, pix, rows, spec, blockRows, cal, otf);
    const running = new Map<number, RunningStats>();
    const output: BoardOutput = {
      block(_pixel, row0, n, data) {
        sink.write(row0, n, data);
      },
      rms(pixel, data, st) {
        rms.set(data, rows.offset.get(pixel)!);
        running.set(pixel, st);
      },
    };
    let done = 0;
    if (pool && jobs.length > 1) {
      await pool.run(jobs, output, () => o.onProgress?.(++done, boards.length));
    } else {
      jobs.forEach((job, i) => {
        runBoardJob(job, boards[i]!, output);
        o.onProgress?.(++done, boards.length);
      });
    }
    const quality = qualityTable(pixList, rows, running, rms, ncal, tsysOut, nc, cal.ifpTsys);
    await sink.end(rms);
    sinkOpen = false;
    return {
      head: sf,
      quality,
      calTsys: cal.calTsys,
      axis: spec.axis,
      axisName: spec.axisName,
      c0: spec.c0,
      c1: spec.c1,
    };
  } catch (e) {
    if (sinkOpen) sink.abort();
    throw e;
  } finally {
    for (const b of boards) b.nc.close();
  }
}

/**
 * The map must not be a Cal observation, the bank must exist, and some requested pixel must carry
 * it. Returns the map_coord in use and the pixels of the bank (in --pix_list order).
 */
function checkRequest(o: OtfOptions, h: IfprocHeader): { mc: number; pixList: number[] } {
  if (h.obsPgm === "Cal") {
    throw new SeqDataError(`${h.path}: obsnum ${o.obsnum} is a Cal observation, not a map`);
  }
  const mc = mapCoordRule(h, o.mapCoord);
  if (o.bank < 0 || o.bank >= Math.max(1, h.numBands)) {
    throw new SeqDataError(
      `${h.path}: bank ${o.bank} requested but the observation has ${h.numBands} bank(s)`,
    );
  }
  const pixList = bankPixels(h.receiver, o.pixList, o.bank);
  if (pixList.length === 0) {
    throw new SeqDataError(
      `${h.path}: none of pixels ${
        o.pixList.join(",")
      } carries bank ${o.bank} of ${h.receiver} (bank ${o.bank} = pixels ${o.bank},${o.bank + 2})`,
    );
  }
  return { mc, pixList };
}

/** The calibration of a run: at most one of calSpec / ifpTsys is set (neither with --use_otf_cal). */
interface Calibration {
  /** Cal-scan Tsys spectrum per pixel (--use_cal without --use_otf_cal). */
  calSpec: Map<number, TsysSpectrum> | null;
  /** Scalar IFPROC Tsys by pixel id (no --use_cal). */
  ifpTsys: Float64Array | null;
  /** Reported Tsys per pixel; inMapCal appends to it. */
  calTsys: OtfResult["calTsys"];
}

/**
 * The Cal scan's Tsys (seq.md §2.3): spectra with --use_cal, scalar IFPROC Tsys without; nothing
 * with --use_cal --use_otf_cal (the map's own HOT/SKY blocks, {@link inMapCal}). Needs CalObsNum > 0
 * otherwise.
 */
async function calibration(o: OtfOptions, h: IfprocHeader, pixList: number[]): Promise<Calibration> {
  let calSpec: Map<number, TsysSpectrum> | null = null;
  let ifpTsys: Float64Array | null = null;
  const calTsys: OtfResult["calTsys"] = [];
  if (!o.useOtfCal || !o.useCal) {
    if (!(h.calObsNum > 0)) {
      throw new SeqDataError(
        `${h.path}: Header.IfProc.CalObsNum is ${h.calObsNum}: no Cal scan for obsnum ${o.obsnum}`,
      );
    }
    if (o.useCal) {
      calSpec = await calScanTsys(o.root, h.calObsNum, h.receiver, pixList, o.bank);
      for (const p of pixList) {
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
      for (const p of pixList) calTsys.push({ pixel: p, mean: ifpTsys[p] ?? NaN, std: 0 });
    }
  }
  return { calSpec, ifpTsys, calTsys };
}

/** All boards of a bank have the first board's number of channels and bandwidth. */
function checkBoardsAgree(boards: RoachBoard[]): void {
  const first = boards[0]!;
  for (const b of boards) {
    if (b.nchan !== first.nchan || b.bandwidthMHz !== first.bandwidthMHz) {
      throw new SeqDataError(
        `${b.path}: ${b.nchan} channels / ${b.bandwidthMHz} MHz differ from ${first.path}`,
      );
    }
  }
}

/** The spectral axis and the channels kept: [c0, c1) of the board's nchan0 channels. */
interface SpectralSelection {
  axis: SpectralAxis;
  axisName: XAxisName;
  /** True when the SpecFile's axis is a frequency axis (xw in Hz), else a velocity axis. */
  freqAxis: boolean;
  nchan0: number;
  c0: number;
  c1: number;
  /** Velocity of the kept channels in the frame of axisName (for the windows and baselines). */
  x: Float64Array;
  /** The SpecFile axis values of the kept channels (= x on a velocity axis). */
  xw: Float64Array;
  bRegions: Region[];
}

/**
 * The spectral axis (the header's, or the --restfreq line's: the line at the source velocity must
 * then be in the band unless --slice is given) and the channel slice and baseline regions (the
 * options, else the pipeline's windows about the source velocity). Windows are taken on the
 * velocity axis of the frame; the SpecFile gets axisName. The baseline regions must hold more
 * channels than the baseline order.
 */
function spectralSelection(
  o: OtfOptions,
  h: IfprocHeader,
  board: RoachBoard,
  warn: (msg: string) => void,
): SpectralSelection {
  const nchan0 = board.nchan;
  const hdrAxis = spectralAxis(h, o.bank, nchan0, board.bandwidthMHz);
  let axis = hdrAxis;
  if (o.restFreqHz !== undefined) {
    axis = lineAxis(hdrAxis, o.restFreqHz);
    const mis = skyFreqMismatchChannels(hdrAxis);
    if (Math.abs(mis) > 0.5) {
      warn(
        `Header.${h.receiver}.SkyFreq[${o.bank}] differs by ${
          mis.toFixed(2)
        } channels from LineFreq at the source velocity (+ LineOffset); --restfreq velocities use the latter`,
      );
    }
    if (o.slice === undefined) {
      // the line at the source velocity must be in the band (else the default windows are empty)
      const fLine = o.restFreqHz * (1 - axis.v0Sky / C_KMS);
      const [lo, hi] = skyBand(hdrAxis);
      if (fLine < lo || fLine > hi) {
        throw new SeqDataError(
          `--restfreq ${o.restFreqHz / 1e9} GHz: at the source velocity the line is at sky frequency ${
            (fLine / 1e9).toFixed(6)
          } GHz, outside bank ${o.bank} (${(lo / 1e9).toFixed(6)}..${(hi / 1e9).toFixed(6)} GHz)`,
        );
      }
    }
  }
  const axisName = o.xAxis ?? defaultAxisName(axis);
  // velocity windows are taken on the velocity axis of the frame; the SpecFile gets axisName
  const velName = velocityFrameOf(axisName);
  const xfull = axisValues(axis, velName);
  const win = pipelineWindows(h.velocity);
  const slice = o.slice ?? win.slice;
  const bRegions = o.bRegions ?? win.bRegions;
  const sl = velocitySlice(axis, velName, slice[0], slice[1]);
  const c0 = sl.c0, c1 = sl.c1;
  if (sl.clipped) {
    warn(`slice [${slice}] km/s extends beyond the band: clipped to channels ${c0}..${c1 - 1}`);
  }
  const x = xfull.slice(c0, c1);
  const freqAxis = isFrequencyAxis(axisName);
  const xw = freqAxis ? axisValues(axis, axisName).slice(c0, c1) : x;
  const plan = linePlan(c0, x, bRegions, o.bOrder, o.eliminate);
  if (o.bOrder >= 0 && plan.base.length <= o.bOrder) {
    throw new SeqDataError(
      `b_regions ${
        JSON.stringify(bRegions)
      } select ${plan.base.length} channels of the slice: too few for a baseline of order ${o.bOrder}`,
    );
  }
  return { axis, axisName, freqAxis, nchan0, c0, c1, x, xw, bRegions };
}

/**
 * --use_cal --use_otf_cal: each pixel's Tsys from the map's own HOT/SKY blocks (one spectrum per
 * block, appended to calTsys). ncal = the most blocks of any pixel; otherwise ncal is 1 with
 * --use_cal and 0 without.
 */
function inMapCal(
  o: OtfOptions,
  pixList: number[],
  pix: Map<number, PixelDumps>,
  calTsys: OtfResult["calTsys"],
): { otf: Map<number, TsysSpectrum[]> | null; ncal: number } {
  if (!(o.useCal && o.useOtfCal)) return { otf: null, ncal: o.useCal ? 1 : 0 };
  const otf = new Map<number, TsysSpectrum[]>();
  let ncal = 0;
  for (const p of pixList) {
    const d = pix.get(p)!;
    const st = d.states;
    const blocks = (rs: [number, number][]) =>
      rs.map(([a, b]) => readPixelDumps(d, Int32Array.from({ length: b - a + 1 }, (_, i) => a + i)));
    const ts = otfCalTsys(blocks(st.hotRanges), blocks(st.skyRanges), d.board.nchan);
    if (ts.length === 0) {
      throw new SeqDataError(
        `obsnum ${o.obsnum} pixel ${p}: --use_otf_cal given but the map has no HOT/SKY blocks`,
      );
    }
    otf.set(p, ts);
    ncal = Math.max(ncal, ts.length);
    calTsys.push({ pixel: p, mean: ts[0]!.mean, std: NaN });
  }
  return { otf, ncal };
}

/**
 * The rows of the SpecFile: each pixel's ON dumps in time order, less the --sample sections, the
 * pixels one after the other in --pix_list order (a pixel's rows start at `offset`).
 */
interface OutputRows {
  /** Pixel → ON indices j kept, ascending. */
  keptOns: Map<number, Int32Array>;
  /** Pixel → j → row within the pixel, −1 = culled (only pixels with --sample sections). */
  rowOf: Record<number, Int32Array>;
  /** Pixel → its first row. */
  offset: Map<number, number>;
  nspec: number;
}

/** Lay out the output rows; culling every ON sample of a pixel, or all rows, is an error. */
function outputRows(
  o: OtfOptions,
  pixList: number[],
  pix: Map<number, PixelDumps>,
  warn: (msg: string) => void,
): OutputRows {
  const keptOns = new Map<number, Int32Array>();
  const rowOf: Record<number, Int32Array> = {};
  for (const p of pixList) {
    const non = pix.get(p)!.states.ons.length;
    const secs = (o.sample ?? []).filter((q) => q.pixel === p);
    if (secs.length === 0) {
      keptOns.set(p, Int32Array.from({ length: non }, (_, j) => j));
      continue;
    }
    const r = new Int32Array(non);
    const kept: number[] = [];
    for (let j = 0; j < non; j++) {
      r[j] = secs.some((q) => q.s0 <= j && j <= q.s1) ? -1 : kept.push(j) - 1;
    }
    for (const q of secs) {
      if (q.s0 >= non) {
        warn(
          `--sample ${p},${q.s0},${q.s1}: pixel ${p} has ${non} ON samples (0..${non - 1}); nothing culled`,
        );
      }
    }
    if (kept.length === 0 && non > 0) {
      throw new SeqDataError(
        `--sample culls every ON sample of pixel ${p} (0..${
          non - 1
        }); leave the pixel out of --pix_list instead`,
      );
    }
    keptOns.set(p, Int32Array.from(kept));
    rowOf[p] = r;
  }
  const counts = pixList.map((p) => keptOns.get(p)!.length);
  const nspec = counts.reduce((a, b) => a + b, 0);
  if (nspec === 0) throw new SeqDataError(`obsnum ${o.obsnum}: no ON dumps survive the time alignment`);
  const offset = new Map<number, number>();
  let acc = 0;
  pixList.forEach((p, i) => {
    offset.set(p, acc);
    acc += counts[i]!;
  });
  return { keptOns, rowOf, offset, nspec };
}

/** Data.Pixel, Data.Sequence, Data.XPos, Data.YPos of every row. */
interface RowPositions {
  pixel: Int32Array;
  sequence: Int32Array;
  xPos: Float32Array;
  yPos: Float32Array;
}

/**
 * Each row's map offsets (arcsec): the telescope's map offsets (az/el, l/b or ra/dec by map_coord)
 * interpolated at the dump time, less the pixel's beam offset. The parallactic/galactic angle of
 * the beam offsets is the mean over all ON dumps of the pixel (culled or not).
 */
function positions(
  h: IfprocHeader,
  s: IfprocStream,
  mc: number,
  npix: number,
  pixList: number[],
  pix: Map<number, PixelDumps>,
  rows: OutputRows,
): RowPositions {
  const { nspec } = rows;
  const pixel = new Int32Array(nspec);
  const sequence = new Int32Array(nspec);
  const xPos = new Float32Array(nspec);
  const yPos = new Float32Array(nspec);
  const { az, el } = azElOffsets(h.receiver, h.elDesPos, h.beamSelected, Math.max(npix, h.npix));
  const [xs, ys] = mc === 0 ? [s.azmap, s.elmap] : mc === 2 ? [s.lmap, s.bmap] : [s.ramap, s.decmap];
  for (const p of pixList) {
    const d = pix.get(p)!;
    const times = Float64Array.from(d.states.ons, (t) => d.aligned.time[t]!);
    const xi = interpAt(s.time, xs, times), yi = interpAt(s.time, ys, times);
    const P = times.length ? npMean(interpAt(s.time, s.parAng, times)) : 0;
    const G = times.length ? npMean(interpAt(s.time, s.galAng, times)) : 0;
    const [gx, gy] = beamOffset(az[p]!, el[p]!, mc, P, G);
    const off = rows.offset.get(p)!;
    const kept = rows.keptOns.get(p)!;
    for (let k = 0; k < kept.length; k++) {
      const j = kept[k]!;
      pixel[off + k] = p;
      sequence[off + k] = j;
      xPos[off + k] = xi[j]! - gx;
      yPos[off + k] = yi[j]! - gy;
    }
  }
  return { pixel, sequence, xPos, yPos };
}

/**
 * Data.Tsys (`ncal × npix × nc`, rows indexed by pixel id, channels [c0, c1)): the Cal-scan
 * spectrum in cal 0, or the in-map cal k in row k; rows of pixels not reduced stay 0.
 */
function tsysRows(
  calSpec: Map<number, TsysSpectrum> | null,
  otf: Map<number, TsysSpectrum[]> | null,
  pixList: number[],
  ncal: number,
  npix: number,
  c0: number,
  c1: number,
): Float32Array {
  const nc = c1 - c0;
  const tsysOut = new Float32Array(ncal * npix * nc);
  const sliceOf = (t: Float32Array) => t.subarray(c0, c1);
  if (calSpec) {
    for (const p of pixList) tsysOut.set(sliceOf(calSpec.get(p)!.tsys), (0 * npix + p) * nc);
  }
  if (otf) {
    for (const p of pixList) {
      otf.get(p)!.forEach((t, k) => tsysOut.set(sliceOf(t.tsys), (k * npix + p) * nc));
    }
  }
  return tsysOut;
}

/**
 * The SpecFile without its spectra (`rms` is filled during the run): header items from IFPROC,
 * map centre in degrees (l/b for map_coord 2, else RA/Dec), the kept channels' axis (CRPIX 0 at
 * channel c0), Header.LineData from the spectral axis. A run without Tsys spectra (ncal = 0) keeps
 * the scalar IFPROC Tsys for the netCDF-4 writer.
 */
function specFileHead(
  o: OtfOptions,
  h: IfprocHeader,
  s: IfprocStream,
  mc: number,
  spec: SpectralSelection,
  nspec: number,
  ncal: number,
  npix: number,
  place: RowPositions,
  rms: Float32Array,
  tsysOut: Float32Array,
  ifpTsys: Float64Array | null,
): SpecFile {
  const { axis, axisName, freqAxis, nchan0, c0, xw } = spec;
  const nc = spec.c1 - spec.c0;
  const deg = RAD_TO_DEG;
  return {
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
    cdelt: nc > 1 ? xw[1]! - xw[0]! : freqAxis ? axis.dfdc : axis.dvdc,
    crpix: 0,
    crval: xw[0]!,
    ctype: axisLabel(axisName),
    caxis: xw,
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
      xType: freqAxis ? 1 : 0,
    },
    pixel: place.pixel,
    sequence: place.sequence,
    xPos: place.xPos,
    yPos: place.yPos,
    rms,
    spectra: new Float32Array(0),
    tsys: tsysOut,
    ...(ncal === 0 && ifpTsys ? { scalarTsys: ifpTsys } : {}),
  };
}

/**
 * One job per board: its pixels (in --pix_list order) with their first rows, the channel slice,
 * the baseline settings and each pixel's Tsys (in-map cal spectra, Cal-scan spectrum or scalar
 * IFPROC Tsys, sliced to [c0, c1)); `rowOf` only for pixels with culled samples.
 */
function boardJobs(
  o: OtfOptions,
  boards: RoachBoard[],
  pixList: number[],
  pix: Map<number, PixelDumps>,
  rows: OutputRows,
  spec: SpectralSelection,
  blockRows: number,
  cal: Calibration,
  otf: Map<number, TsysSpectrum[]> | null,
): BoardJob[] {
  const { c0, c1, x, bRegions } = spec;
  const { calSpec, ifpTsys } = cal;
  const sliced = (t: Float32Array) => t.slice(c0, c1);
  /** The rowOf maps of the pixels with culled samples among `ps` (undefined when none). */
  const culled = (ps: number[]): Record<number, Int32Array> | undefined => {
    const m: Record<number, Int32Array> = {};
    for (const p of ps) if (rows.rowOf[p]) m[p] = rows.rowOf[p];
    return Object.keys(m).length ? m : undefined;
  };
  return boards.map((b): BoardJob => {
    const ps = pixList.filter((p) => pix.get(p)!.board === b);
    const tsys: Record<number, PixelTsys> = {};
    for (const p of ps) {
      if (otf) tsys[p] = { otf: otf.get(p)!.map((t) => sliced(t.tsys)) };
      else if (calSpec) tsys[p] = { spec: sliced(calSpec.get(p)!.tsys) };
      else tsys[p] = { scalar: ifpTsys![p] ?? NaN };
    }
    const rowOf = culled(ps);
    return {
      path: b.path,
      roach: b.roach,
      obsnum: o.obsnum,
      aligned: pix.get(ps[0]!)!.aligned,
      pixels: ps,
      offsets: ps.map((p) => rows.offset.get(p)!),
      stype: o.stype,
      c0,
      nc: c1 - c0,
      blockRows,
      x,
      bRegions,
      bOrder: o.bOrder,
      eliminate: o.eliminate,
      tsys,
      ...(rowOf ? { rowOf } : {}),
    };
  });
}

/**
 * The quality table, one line per pixel: statistics of the baselined spectra (running, from the
 * board jobs) and of their RMS, with warnings *P (spectra std/madStd > 1.2) and *M (RMS
 * std/madStd > 1.2); Tsys = mean of the pixel's cal-0 row, or the scalar IFPROC Tsys.
 */
function qualityTable(
  pixList: number[],
  rows: OutputRows,
  running: Map<number, RunningStats>,
  rms: Float32Array,
  ncal: number,
  tsysOut: Float32Array,
  nc: number,
  ifpTsys: Float64Array | null,
): PixelQuality[] {
  return pixList.map((p) => {
    const off = rows.offset.get(p)!, n = rows.keptOns.get(p)!.length;
    const st = summary(running.get(p)!);
    const r = rms.subarray(off, off + n);
    const rs = stats(r);
    const rmd = rs.madStd;
    let w = "";
    if (st.std / st.madStd > 1.2) w += ` *P ${(st.std / st.madStd).toFixed(2)}`;
    if (rs.std / rmd > 1.2) w += ` *M ${(rs.std / rmd).toFixed(2)}`;
    let tsys = NaN;
    if (ncal > 0) {
      const row = tsysOut.subarray(p * nc, p * nc + nc);
      tsys = row.reduce((a, v) => a + v, 0) / nc;
    } else if (ifpTsys) tsys = ifpTsys[p] ?? NaN;
    return {
      pixel: p,
      nspec: n,
      mean: st.mean,
      std: st.std,
      madStd: st.madStd,
      min: st.min,
      max: st.max,
      meanRms: rs.mean,
      maxRms: rs.max,
      tsys,
      warnings: w.trim(),
    };
  });
}
