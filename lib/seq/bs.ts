/**
 * Beam-switched (Bs) SEQ observations (seq.md §3.2): per pixel ON/OFF block means, the switched
 * spectrum per block, the calibrated average, and the two-beam combination with an explicit sign:
 * the line is positive for the ON beam `Header.Bs.Beam[0]` whatever the pixel order.
 *
 * @module
 */
import { alignDumps } from "./align.ts";
import { axisValues, defaultAxisName, spectralAxis, type XAxisName } from "./axis.ts";
import { SeqDataError } from "./errors.ts";
import { ifprocTsys } from "./ifproc.ts";
import { calScanTsys, openBoards, openIfproc } from "./otf.ts";
import { boardPixels, type PixelDumps, readPixelDumps } from "./reduce.ts";

const f = Math.fround;

/** Options of {@link reduceBs}. */
export interface BsOptions {
  root: string;
  obsnums: number[];
  /** The two beams; default `Header.Bs.Beam`. */
  pixList?: number[];
  bank: number;
  useCal: boolean;
  stype: 1 | 2 | 3;
  /** −1 average all blocks (also −2), ≥ 0 that block. */
  block: number;
  xAxis?: XAxisName;
  warn?: (msg: string) => void;
}

/** Result of {@link reduceBs}. */
export interface BsResult {
  axisName: XAxisName;
  /** Full-band axis (km/s or Hz). */
  x: Float64Array;
  /** The two pixels in ascending order (the order of the Tsys columns). */
  pixels: [number, number];
  /** The ON beam (line positive) and the other beam. */
  main: number;
  other: number;
  /** TA = 0.5·(S_main − S_other) per channel (averaged over obsnums). */
  ta: Float64Array;
  /** Tsys per channel of pixels[0], pixels[1] (constants without --use_cal). */
  tsys: [Float64Array, Float64Array];
  /** TA per block (first obsnum), for the waterfall plot. */
  blocks: Float64Array[];
}

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
 * Switched spectra of one pixel: per block and averaged (or the chosen block), uncalibrated.
 * `normal` false gives the original's reversed form (OFF−ON)/ON used without calibration.
 */
export function switchedSpectra(
  p: PixelDumps,
  stype: 1 | 2 | 3,
  block: number,
  normal: boolean,
  warn: (m: string) => void,
): { blocks: Float64Array[]; spectrum: Float64Array } {
  const nchan = p.board.nchan;
  const st = p.states;
  const trims = Int32Array.from([...st.ons, ...st.refs].sort((a, b) => a - b));
  const all = readPixelDumps(p, trims);
  const pos = new Map<number, number>();
  trims.forEach((t, i) => pos.set(t, i));
  if (st.ons.length === 0 || st.refs.length === 0) {
    throw new SeqDataError(`${p.board.path}: pixel ${p.pixel} has no ON or no OFF dumps`);
  }
  if (stype === 1) {
    const on = meanOf(all, nchan, pos, st.ons), off = meanOf(all, nchan, pos, st.refs);
    const [a, b] = normal ? [on, off] : [off, on];
    const s = Float64Array.from({ length: nchan }, (_, c) => f(f(a[c]! - b[c]!) / b[c]!));
    return { blocks: [s], spectrum: s };
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
    for (let i = 0; i < Math.min(M.length, R.length); i++) blocks.push(ps(M[i]!, R[i]!));
  } else {
    for (let i = 1; i + 1 < Math.min(M.length, R.length); i++) {
      const rb = Float64Array.from({ length: nchan }, (_, c) => (R[i - 1]![c]! + R[i + 1]![c]!) / 2);
      blocks.push(ps(M[i]!, rb));
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
  return { blocks, spectrum };
}

/** Reduce Bs obsnums to the combined spectrum (seq.md §3.2 with the sign made explicit). */
export async function reduceBs(o: BsOptions): Promise<BsResult> {
  const warn = o.warn ?? (() => {});
  let res: BsResult | null = null;
  for (const obsnum of o.obsnums) {
    const { nc, ifp } = await openIfproc(o.root, obsnum, false);
    nc.close();
    const h = ifp.header;
    if (h.obsPgm !== "Bs") warn(`${h.path}: obsnum ${obsnum} is a ${h.obsPgm} observation, not Bs`);
    const pix = o.pixList ?? h.bsBeam;
    if (pix.length !== 2 || pix[0] === pix[1]) {
      throw new SeqDataError(
        `obsnum ${obsnum}: need exactly two beams, got [${
          pix.join(",")
        }] (give --pix_list or Header.Bs.Beam)`,
      );
    }
    const main = h.bsBeam.length && pix.includes(h.bsBeam[0]!) ? h.bsBeam[0]! : pix[0]!;
    const other = pix[0] === main ? pix[1]! : pix[0]!;
    if (!(h.calObsNum > 0)) {
      throw new SeqDataError(
        `${h.path}: Header.IfProc.CalObsNum is ${h.calObsNum}: no Cal scan for obsnum ${obsnum}`,
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
    const boards = await openBoards(o.root, obsnum, h.receiver, pix, o.bank);
    const dumps = new Map<number, PixelDumps>();
    let nchan = 0, bw = 0;
    try {
      for (const b of boards) {
        nchan = b.nchan;
        bw = b.bandwidthMHz;
        const al = alignDumps(ifp.stream.time, ifp.stream.bufPos, b.specTime);
        for (const p of boardPixels(b, al, pix)) dumps.set(p.pixel, p);
      }
      const axis = spectralAxis(h, o.bank, nchan, bw);
      const name = o.xAxis ?? defaultAxisName(axis);
      const tsysOf = (p: number): Float64Array =>
        calSpec ? Float64Array.from(calSpec.get(p)!.tsys) : new Float64Array(nchan).fill(ifpT![p] ?? NaN);
      const sm = switchedSpectra(dumps.get(main)!, o.stype, o.block, true, warn);
      const so = switchedSpectra(dumps.get(other)!, o.stype, o.block, o.useCal, warn);
      const tm = tsysOf(main), to = tsysOf(other);
      // with cal both beams use (ON−OFF)/OFF and the other beam sees the line negative; without cal the
      // other beam uses the reversed form (OFF−ON)/ON, which already carries the sign
      const combine = (a: Float64Array, b: Float64Array) =>
        Float64Array.from({ length: nchan }, (_, c) => {
          const ym = a[c]! * tm[c]!, yo = b[c]! * to[c]!;
          return o.useCal ? 0.5 * (ym - yo) : 0.5 * (ym + yo);
        });
      const ta = combine(sm.spectrum, so.spectrum);
      const blocks = sm.blocks.map((b, i) => combine(b, so.blocks[i] ?? new Float64Array(nchan).fill(NaN)));
      const lo = Math.min(main, other), hi = Math.max(main, other);
      if (res === null) {
        res = {
          axisName: name,
          x: axisValues(axis, name),
          pixels: [lo, hi],
          main,
          other,
          ta,
          tsys: [tsysOf(lo), tsysOf(hi)],
          blocks,
        };
      } else {
        for (let c = 0; c < nchan; c++) {
          res.ta[c]! += ta[c]!;
          res.tsys[0][c]! += tsysOf(lo)[c]!;
          res.tsys[1][c]! += tsysOf(hi)[c]!;
        }
      }
    } finally {
      for (const b of boards) b.nc.close();
    }
  }
  const n = o.obsnums.length;
  if (res && n > 1) {
    for (let c = 0; c < res.ta.length; c++) {
      res.ta[c]! /= n;
      res.tsys[0][c]! /= n;
      res.tsys[1][c]! /= n;
    }
  }
  if (!res) throw new SeqDataError("no obsnum given");
  return res;
}
