/**
 * Position-switched (Ps) SEQ observations (docs/process_ps.md, seq.md §3.3) and the switched
 * reduction they share with beam switching (Bs, lib/seq/bs.ts, a special case with two beams):
 * per pixel the ON (BufPos 0 or ≥ 100) and REF (BufPos 1) block means, the switched ratio
 * (ON−REF)/REF per block pair, its average, and the Tsys it is calibrated with.
 *
 * Precision as the original (seq.md §2.5, §3.2): block means are float32 means (dumps added in time
 * order in float32, divided by the count in float32); for stype 2/3 the ratios, their average and the
 * Tsys product are float64; stype 1 stays float32.
 *
 * @module
 */
import { alignDumps } from "./align.ts";
import { axisValues, defaultAxisName, type SpectralAxis, spectralAxis, type XAxisName } from "./axis.ts";
import { npMeanRows } from "../num/npstats.ts";
import { SeqDataError } from "./errors.ts";
import { type IfprocHeader, ifprocTsys } from "./ifproc.ts";
import { calScanTsys, openBoards, openIfproc } from "./otf.ts";
import { boardPixels, type PixelDumps, readPixelDumps } from "./reduce.ts";

const f = Math.fround;

/** Switching schemes: 1 all ON vs all REF dumps, 2 i-th ON block vs i-th REF block, 3 ON block vs its two neighbouring REF blocks. */
export type SwitchStype = 1 | 2 | 3;

function blockMeans(
  all: Float32Array,
  nchan: number,
  trimPos: Map<number, number>,
  ranges: [number, number][],
): Float32Array[] {
  return ranges.map(([a, b]) => {
    const s = new Float32Array(nchan);
    for (let t = a; t <= b; t++) {
      const off = trimPos.get(t)! * nchan;
      for (let c = 0; c < nchan; c++) s[c] = f(s[c]! + all[off + c]!);
    }
    const n = b - a + 1;
    for (let c = 0; c < nchan; c++) s[c] = f(s[c]! / n);
    return s;
  });
}

function meanOf(
  all: Float32Array,
  nchan: number,
  trimPos: Map<number, number>,
  idx: Int32Array,
): Float32Array {
  const s = new Float32Array(nchan);
  for (const t of idx) {
    const off = trimPos.get(t)! * nchan;
    for (let c = 0; c < nchan; c++) s[c] = f(s[c]! + all[off + c]!);
  }
  for (let c = 0; c < nchan; c++) s[c] = f(s[c]! / idx.length);
  return s;
}

/**
 * The switched spectrum of every ON dump that enters the result, times a scale per channel (the Tsys):
 * with `r` the reference the dump's block is switched against (its paired REF block mean, the mean of
 * the two neighbouring REF blocks for stype 3, all REF dumps for stype 1) and `m` the ON block mean,
 * dump d gives (d − r)/r, so the mean over a block's dumps is that block's switched spectrum. For the
 * reversed form (r − m)/m it gives (d − r)/m, whose block mean is the *negated* block spectrum: every
 * column is "ON-phase dump minus reference", whichever form the pixel's spectrum uses (a Bs REF beam
 * shows its line negative, with and without calibration).
 */
export interface SwitchedDumps {
  /** n × nchan values, dump-major (ON dumps in time order, blocks in order), float32. */
  data: Float32Array;
  n: number;
  /** Index of the first dump of each switched block (stype 1: one block). */
  blockStart: number[];
}

/**
 * Switched spectra of one pixel: per block and averaged (or the chosen block), uncalibrated.
 * `normal` false gives the original's reversed form (REF−ON)/ON used for the second beam of a Bs
 * observation without calibration. Unequal ON and REF block counts (stype 2/3) are reported through
 * `warn` and the first min(nON, nREF) blocks are paired (the original failed). With `dumpScale`
 * (per channel) also the per-dump spectra of {@link SwitchedDumps}, multiplied by it.
 */
export function switchedSpectra(
  p: PixelDumps,
  stype: SwitchStype,
  block: number,
  normal: boolean,
  warn: (m: string) => void,
  dumpScale?: Float64Array,
): { blocks: Float64Array[]; spectrum: Float64Array; dumps?: SwitchedDumps | undefined } {
  const nchan = p.board.nchan;
  const st = p.states;
  if (st.ons.length === 0 || st.refs.length === 0) {
    throw new SeqDataError(`${p.board.path}: pixel ${p.pixel} has no ON or no OFF dumps`);
  }
  const trims = Int32Array.from([...st.ons, ...st.refs].sort((a, b) => a - b));
  const all = readPixelDumps(p, trims);
  const pos = new Map<number, number>();
  trims.forEach((t, i) => pos.set(t, i));
  // per-dump spectra: the ON dumps `idx` switched against reference r with block mean m
  const dumpParts: { idx: ArrayLike<number>; r: ArrayLike<number>; m: ArrayLike<number> }[] = [];
  const perDump = (): SwitchedDumps | undefined => {
    if (!dumpScale) return undefined;
    const n = dumpParts.reduce((k, d) => k + d.idx.length, 0);
    const data = new Float32Array(n * nchan);
    const blockStart: number[] = [];
    let j = 0;
    for (const { idx, r, m } of dumpParts) {
      blockStart.push(j);
      for (let q = 0; q < idx.length; q++, j++) {
        const off = pos.get(idx[q]!)! * nchan;
        for (let c = 0; c < nchan; c++) {
          const d = all[off + c]!;
          const v = (d - r[c]!) / (normal ? r[c]! : m[c]!);
          data[j * nchan + c] = v * dumpScale[c]!;
        }
      }
    }
    return { data, n, blockStart };
  };
  const range = ([a, b]: [number, number]) => Int32Array.from({ length: b - a + 1 }, (_, k) => a + k);
  if (stype === 1) {
    const on = meanOf(all, nchan, pos, st.ons), off = meanOf(all, nchan, pos, st.refs);
    const [a, b] = normal ? [on, off] : [off, on];
    const s = Float64Array.from({ length: nchan }, (_, c) => f(f(a[c]! - b[c]!) / b[c]!));
    dumpParts.push({ idx: st.ons, r: off, m: on });
    return { blocks: [s], spectrum: s, dumps: perDump() };
  }
  const M = blockMeans(all, nchan, pos, st.onRanges);
  const R = blockMeans(all, nchan, pos, st.refRanges);
  if (M.length !== R.length) {
    warn(
      `${p.board.path}: pixel ${p.pixel} has ${M.length} ON and ${R.length} OFF blocks; pairing the first ${
        Math.min(M.length, R.length)
      }`,
    );
  }
  const blocks: Float64Array[] = [];
  const ps = (m: Float32Array, r: Float64Array | Float32Array) =>
    Float64Array.from(
      { length: nchan },
      (_, c) => (normal ? (m[c]! - r[c]!) / r[c]! : (r[c]! - m[c]!) / m[c]!),
    );
  if (stype === 2) {
    for (let i = 0; i < Math.min(M.length, R.length); i++) {
      blocks.push(ps(M[i]!, R[i]!));
      dumpParts.push({ idx: range(st.onRanges[i]!), r: R[i]!, m: M[i]! });
    }
  } else {
    for (let i = 1; i + 1 < Math.min(M.length, R.length); i++) {
      const rb = Float64Array.from({ length: nchan }, (_, c) => (R[i - 1]![c]! + R[i + 1]![c]!) / 2);
      blocks.push(ps(M[i]!, rb));
      dumpParts.push({ idx: range(st.onRanges[i]!), r: rb, m: M[i]! });
    }
  }
  if (blocks.length === 0) {
    throw new SeqDataError(`${p.board.path}: pixel ${p.pixel}: not enough ON/OFF blocks for stype ${stype}`);
  }
  let spectrum: Float64Array;
  if (block >= 0) {
    if (block >= blocks.length) {
      throw new SeqDataError(
        `block ${block} requested but there are ${blocks.length} block(s) (0..${blocks.length - 1})`,
      );
    }
    spectrum = blocks[block]!;
  } else {
    spectrum = new Float64Array(nchan);
    for (const b of blocks) for (let c = 0; c < nchan; c++) spectrum[c]! += b[c]!;
    for (let c = 0; c < nchan; c++) spectrum[c]! /= blocks.length;
  }
  return { blocks, spectrum, dumps: perDump() };
}

/** One pixel of a switched obsnum. */
export interface SwitchedPixel {
  pixel: number;
  /** Uncalibrated switched ratio ((ON−REF)/REF, or reversed), averaged over block pairs or the chosen block. */
  ratio: Float64Array;
  /** Uncalibrated ratio of each block pair (stype 1: the one all-dumps ratio). */
  blockRatios: Float64Array[];
  /** Tsys per channel the pixel is calibrated with: the Cal-scan spectrum, or its IFPROC Tsys on every channel. */
  tsys: Float64Array;
  /** ON and REF dumps kept after time alignment, and their blocks. */
  nOn: number;
  nRef: number;
  onBlocks: number;
  refBlocks: number;
  /** With `SwitchedObsOptions.dumps`: the calibrated (× `tsys`, K) spectrum of every ON dump. */
  dumps?: SwitchedDumps;
}

/** One switched obsnum reduced per pixel (not yet calibrated: multiply `ratio` by `tsys`). */
export interface SwitchedObs {
  obsnum: number;
  header: IfprocHeader;
  /** Spectral axis of the bank (`axisBank`). */
  axis: SpectralAxis;
  /** Roach dump time (s), from `Header.SpecBackend.DumpTime`. */
  dumpTime: number;
  /** Unix times (s) of the first and last telescope samples (`BackendTime` or `TelTime`). */
  startTime: number;
  endTime: number;
  /** The requested pixels in ascending pixel order (the original's "roach order"). */
  pixels: SwitchedPixel[];
}

/** Options of {@link reduceSwitchedObs}. */
export interface SwitchedObsOptions {
  root: string;
  obsnum: number;
  /** Bank whose roach boards and Cal boards are read. */
  bank: number;
  /** Bank of the header arrays for the spectral axis (default `bank`; 1MM Ps uses the first pixel's bank). */
  axisBank?: (h: IfprocHeader) => number;
  useCal: boolean;
  stype: SwitchStype;
  /** −1 average of all block pairs, ≥ 0 that block pair. */
  block: number;
  /** Pixels to reduce, chosen from the header (e.g. `Header.Bs.Beam`). */
  pixels: (h: IfprocHeader) => number[];
  /** Whether a pixel uses (ON−REF)/REF (default) or the reversed (REF−ON)/ON. */
  normal?: (pixel: number, h: IfprocHeader) => boolean;
  /** Also the calibrated spectrum of every ON dump (`SwitchedPixel.dumps`, for a waterfall). */
  dumps?: boolean;
  warn?: (msg: string) => void;
}

/**
 * Read and reduce one switched obsnum (Ps or Bs): time alignment, per pixel the switched ratio of its
 * ON/REF block pairs, and the Tsys per channel (Cal-scan spectrum with `useCal`, else the scalar IFPROC
 * Tsys of the Cal obsnum, matched by pixel id).
 */
export async function reduceSwitchedObs(o: SwitchedObsOptions): Promise<SwitchedObs> {
  const warn = o.warn ?? (() => {});
  const { nc, ifp } = await openIfproc(o.root, o.obsnum, false);
  nc.close();
  const h = ifp.header;
  const pix = o.pixels(h);
  const axisBank = o.axisBank ? o.axisBank(h) : o.bank;
  if (!((h.lineFreq[axisBank] ?? 0) > 0)) {
    throw new SeqDataError(
      `${h.path}: Header.${h.receiver}.LineFreq[${axisBank}] is ${
        h.lineFreq[axisBank]
      }: bank ${axisBank} is not in use`,
    );
  }
  if (!(h.calObsNum > 0)) {
    throw new SeqDataError(
      `${h.path}: Header.IfProc.CalObsNum is ${h.calObsNum}: no Cal scan for obsnum ${o.obsnum}`,
    );
  }
  let calSpec: Map<number, { tsys: Float32Array }> | null = null;
  let ifpT: Float64Array | null = null;
  if (o.useCal) calSpec = await calScanTsys(o.root, h.calObsNum, h.receiver, pix, o.bank);
  else {
    const { nc: cnc, ifp: cal } = await openIfproc(o.root, h.calObsNum, false);
    try {
      ifpT = ifprocTsys(cnc, cal.header, cal.stream);
    } finally {
      cnc.close();
    }
  }
  const boards = await openBoards(o.root, o.obsnum, h.receiver, pix, o.bank);
  try {
    const dumps = new Map<number, PixelDumps>();
    let nchan = 0, bw = 0;
    for (const b of boards) {
      if (nchan !== 0 && b.nchan !== nchan) {
        throw new SeqDataError(
          `${b.path}: ${b.nchan} channels, another board of obsnum ${o.obsnum} has ${nchan}`,
        );
      }
      nchan = b.nchan;
      bw = b.bandwidthMHz;
      const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
      for (const p of boardPixels(b, al, pix)) dumps.set(p.pixel, p);
    }
    const axis = spectralAxis(h, axisBank, nchan, bw);
    const pixels: SwitchedPixel[] = [...pix].sort((a, b) => a - b).map((pixel) => {
      const p = dumps.get(pixel);
      if (!p) throw new SeqDataError(`obsnum ${o.obsnum}: no roach input carries pixel ${pixel}`);
      const normal = o.normal ? o.normal(pixel, h) : true;
      let tsys: Float64Array;
      if (calSpec) {
        const t = calSpec.get(pixel);
        if (!t) throw new SeqDataError(`Cal obsnum ${h.calObsNum}: no Tsys spectrum for pixel ${pixel}`);
        tsys = Float64Array.from(t.tsys);
      } else {
        tsys = new Float64Array(nchan).fill(ifpT![pixel] ?? NaN);
      }
      const s = switchedSpectra(p, o.stype, o.block, normal, warn, o.dumps === true ? tsys : undefined);
      return {
        pixel,
        ratio: s.spectrum,
        blockRatios: s.blocks,
        tsys,
        nOn: p.states.ons.length,
        nRef: p.states.refs.length,
        onBlocks: p.states.onRanges.length,
        refBlocks: p.states.refRanges.length,
        ...(s.dumps ? { dumps: s.dumps } : {}),
      };
    });
    const tm = ifp.stream.time;
    return {
      obsnum: o.obsnum,
      header: h,
      axis,
      dumpTime: h.dumpTime,
      startTime: tm[0]!,
      endTime: tm[tm.length - 1]!,
      pixels,
    };
  } finally {
    for (const b of boards) b.nc.close();
  }
}

/** Options of {@link reducePs}. */
export interface PsOptions {
  root: string;
  obsnums: number[];
  /** Pixels to reduce (any order; spectra come out in ascending pixel order). */
  pixList: number[];
  bank: number;
  useCal: boolean;
  xAxis?: XAxisName;
  /** Also the calibrated spectrum of every ON dump (`obs[k].pixels[j].dumps`, for a waterfall). */
  dumps?: boolean;
  warn?: (msg: string) => void;
}

/** One calibrated Ps spectrum (one pixel of one obsnum). */
export interface PsSpectrum {
  obsnum: number;
  pixel: number;
  /** Calibrated spectrum (K, TA*), full band: mean over block pairs of (ON−REF)/REF, times Tsys. */
  spectrum: Float64Array;
  /** Calibrated spectrum of each ON/REF block pair. */
  blocks: Float64Array[];
  /** Tsys per channel (K) it was calibrated with. */
  tsys: Float64Array;
  nOn: number;
  nRef: number;
  /** ON integration time (s): ON dumps × dump time. */
  onTime: number;
  refTime: number;
}

/** Result of {@link reducePs}. */
export interface PsResult {
  axisName: XAxisName;
  /** Full-band x axis of the first obsnum (km/s or Hz), as the original's first LineData. */
  x: Float64Array;
  /** Each obsnum with its header, axis and per-pixel switched data. */
  obs: SwitchedObs[];
  /** The spectra in output column order: obsnum by obsnum, ascending pixel within one. */
  spectra: PsSpectrum[];
  /** TA: unweighted mean of all `spectra` per channel (npMeanRows). */
  ta: Float64Array;
  /** Tsys column: the lowest listed pixel of the last obsnum. */
  tsys: Float64Array;
}

/** The header bank of a 1MM Ps (lmtslr `bank_hack`): pixel 0 first → 0, pixel 1 first → 1, else `bank`. */
export function psAxisBank(receiver: string, pixList: number[], bank: number): number {
  if (receiver !== "Msip1mm") return bank;
  return pixList[0] === 0 ? 0 : pixList[0] === 1 ? 1 : bank;
}

/**
 * Reduce Ps obsnums as lmtslr process_ps.py: Tsys from the Cal obsnum, i-th ON block paired with the
 * i-th REF block (stype 2 always), (ON−REF)/REF averaged and multiplied by Tsys, no baseline; TA is the
 * unweighted mean over every (obsnum, pixel) spectrum.
 */
export async function reducePs(o: PsOptions): Promise<PsResult> {
  const warn = o.warn ?? (() => {});
  if (o.obsnums.length === 0) throw new SeqDataError("no obsnum given");
  if (o.pixList.length === 0) throw new SeqDataError("no pixel given");
  const obs: SwitchedObs[] = [];
  const spectra: PsSpectrum[] = [];
  for (const obsnum of o.obsnums) {
    const so = await reduceSwitchedObs({
      root: o.root,
      obsnum,
      bank: o.bank,
      useCal: o.useCal,
      stype: 2,
      block: -1,
      axisBank: (h) => psAxisBank(h.receiver, o.pixList, o.bank),
      dumps: o.dumps === true,
      pixels: (h) => {
        if (h.obsPgm !== "Ps") warn(`${h.path}: obsnum ${obsnum} is a ${h.obsPgm} observation, not Ps`);
        return o.pixList;
      },
      warn,
    });
    if (obs.length > 0 && so.axis.nchan !== obs[0]!.axis.nchan) {
      throw new SeqDataError(
        `obsnum ${obsnum} has ${so.axis.nchan} channels, obsnum ${obs[0]!.obsnum} ${obs[0]!.axis.nchan}`,
      );
    }
    obs.push(so);
    for (const p of so.pixels) {
      const n = p.ratio.length;
      const cal = (r: Float64Array) => Float64Array.from({ length: n }, (_, c) => r[c]! * p.tsys[c]!);
      spectra.push({
        obsnum,
        pixel: p.pixel,
        spectrum: cal(p.ratio),
        blocks: p.blockRatios.map(cal),
        tsys: p.tsys,
        nOn: p.nOn,
        nRef: p.nRef,
        onTime: p.nOn * so.dumpTime,
        refTime: p.nRef * so.dumpTime,
      });
    }
  }
  const first = obs[0]!, last = obs[obs.length - 1]!;
  const ta = npMeanRows(spectra.map((sp) => sp.spectrum));
  const axisName = o.xAxis ?? defaultAxisName(first.axis);
  return {
    axisName,
    x: axisValues(first.axis, axisName),
    obs,
    spectra,
    ta,
    tsys: last.pixels[0]!.tsys,
  };
}
