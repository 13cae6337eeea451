/**
 * Reference subtraction and calibration of ON dumps (seq.md §2.5), streamed board by board in row
 * chunks: pass 1 reads only the REF (and in-map HOT/SKY) rows and forms float32 block means; pass 2
 * reads the ON rows and emits one calibrated spectrum at a time. Only stype 0 (median over all dumps)
 * holds a pixel's dumps (channel window only) in memory.
 *
 * @module
 */
import type { Aligned, Range, StateRanges } from "./align.ts";
import { stateRanges } from "./align.ts";
import { forEachRow, pixelOf, type RoachBoard } from "./roach.ts";
import { columnMedianF32 } from "../num/float32.ts";

const f = Math.fround;

/** Reference schemes: 0 median of all dumps, 1 mean of all REFs, 2 bracketing REFs, 3 interpolated REFs. */
export type Stype = 0 | 1 | 2 | 3;

/** One pixel of a board after alignment. */
export interface PixelDumps {
  pixel: number;
  board: RoachBoard;
  input: number;
  aligned: Aligned;
  states: StateRanges;
}

/** Pixels of `board` that are in `pixList`, in input order (the original's "roach order"). */
export function boardPixels(board: RoachBoard, aligned: Aligned, pixList: number[]): PixelDumps[] {
  const out: PixelDumps[] = [];
  const states = stateRanges(aligned.bufPos);
  for (let input = 0; input < 4; input++) {
    const pixel = pixelOf(board.roach, input);
    if (pixList.includes(pixel)) out.push({ pixel, board, input, aligned, states });
  }
  return out;
}

/** Calibration to apply to ON block starting at trimmed index `istart` of a pixel. */
export type TsysFor = (p: PixelDumps, istart: number) => Float32Array | number;

/** Options of {@link reduceBoard}. */
export interface ReduceOptions {
  stype: Stype;
  /** Channel window [c0, c0+nc) of the raw spectra to reduce. */
  c0: number;
  nc: number;
  tsysFor: TsysFor;
  chunkRows?: number;
}

function argNearest(ranges: Range[], key: (r: Range) => number, target: number): number {
  let best = 0, bd = Infinity;
  for (let i = 0; i < ranges.length; i++) {
    const d = Math.abs(key(ranges[i]!) - target);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

/** spec = ((data − R) / R) · ts over nc channels (float64; stype 2/3 with a scalar Tsys). */
function calibrateScalar(
  data: Float32Array,
  off: number,
  R: Float64Array,
  ts: number,
  spec: Float64Array,
  nc: number,
): void {
  for (let c = 0; c < nc; c++) spec[c] = ((data[off + c]! - R[c]!) / R[c]!) * ts;
}

/** spec = ((data − R) / R) · ts[c] over nc channels (float64; stype 2/3 with a Tsys spectrum). */
function calibrateSpectrum(
  data: Float32Array,
  off: number,
  R: Float64Array,
  ts: Float32Array,
  spec: Float64Array,
  nc: number,
): void {
  for (let c = 0; c < nc; c++) spec[c] = ((data[off + c]! - R[c]!) / R[c]!) * ts[c]!;
}

/**
 * Reduce the ON dumps of the given pixels of one board. `emit(p, j, spec)` is called for ON dump j
 * (0-based, time order) of pixel p with the calibrated spectrum over the channel window (float64
 * array; values are float32-rounded for stype 0/1). `spec` is reused: copy it if kept.
 */
export function reduceBoard(
  board: RoachBoard,
  pixels: PixelDumps[],
  opt: ReduceOptions,
  emit: (p: PixelDumps, j: number, spec: Float64Array) => void,
): void {
  if (pixels.length === 0) return;
  const { c0, nc } = opt;
  const chunk = opt.chunkRows ?? 256;
  const aligned = pixels[0]!.aligned;
  const st = pixels[0]!.states;
  const ntrim = aligned.kept.length;
  // row → (pixel slot, trimmed index)
  const slotOfRow = new Int32Array(board.nrows).fill(-1);
  const trimOfRow = new Int32Array(board.nrows).fill(-1);
  pixels.forEach((p, slot) => {
    const rows = board.rows[p.input]!;
    for (let t = 0; t < ntrim; t++) {
      const r = rows[aligned.kept[t]!]!;
      slotOfRow[r] = slot;
      trimOfRow[r] = t;
    }
  });
  const rowsOf = (trims: ArrayLike<number>): Int32Array => {
    const rs: number[] = [];
    for (const p of pixels) {
      const rows = board.rows[p.input]!;
      for (let i = 0; i < trims.length; i++) rs.push(rows[aligned.kept[trims[i]!]!]!);
    }
    return Int32Array.from(rs).sort();
  };
  const stype: Stype = st.refs.length === 0 ? 0 : opt.stype;

  // ---- pass 1: references
  let refMean: Float32Array[][] = []; // [slot][range] (stype 2/3)
  let allRef: Float32Array[] = []; // [slot] (stype 1)
  let median: Float32Array[] = []; // [slot] (stype 0)
  if (stype === 2 || stype === 3 || stype === 1) {
    const rangeOfTrim = new Int32Array(ntrim).fill(-1);
    st.refRanges.forEach(([a, b], j) => {
      for (let t = a; t <= b; t++) rangeOfTrim[t] = j;
    });
    const sums = pixels.map(() => st.refRanges.map(() => new Float32Array(nc)));
    const tot = pixels.map(() => new Float32Array(nc));
    forEachRow(
      board,
      rowsOf(st.refs),
      (r, data, off) => {
        const slot = slotOfRow[r]!, t = trimOfRow[r]!;
        const s = sums[slot]![rangeOfTrim[t]!]!;
        const a = tot[slot]!;
        for (let c = 0; c < nc; c++) {
          s[c] = f(s[c]! + data[off + c]!);
          a[c] = f(a[c]! + data[off + c]!);
        }
      },
      c0,
      nc,
      chunk,
    );
    refMean = sums.map((ss) =>
      ss.map((s, j) => {
        const n = st.refRanges[j]![1] - st.refRanges[j]![0] + 1;
        for (let c = 0; c < nc; c++) s[c] = f(s[c]! / n);
        return s;
      })
    );
    allRef = tot.map((a) => {
      for (let c = 0; c < nc; c++) a[c] = f(a[c]! / st.refs.length);
      return a;
    });
  } else {
    const all = pixels.map(() => new Float32Array(ntrim * nc));
    forEachRow(
      board,
      rowsOf(Int32Array.from({ length: ntrim }, (_, t) => t)),
      (r, data, off) => {
        all[slotOfRow[r]!]!.set(data.subarray(off, off + nc), trimOfRow[r]! * nc);
      },
      c0,
      nc,
      chunk,
    );
    const idx = Int32Array.from({ length: ntrim }, (_, t) => t);
    median = all.map((a) => columnMedianF32(a, nc, idx));
  }

  // ---- ON block bookkeeping
  const blockOfTrim = new Int32Array(ntrim).fill(-1);
  st.onRanges.forEach(([a, b], k) => {
    for (let t = a; t <= b; t++) blockOfTrim[t] = k;
  });
  const brA = st.onRanges.map(([a]) => argNearest(st.refRanges, (r) => r[1], a - 1));
  const brB = st.onRanges.map(([, b]) => argNearest(st.refRanges, (r) => r[0], b + 1));
  const seqOfTrim = new Int32Array(ntrim).fill(-1);
  st.ons.forEach((t, j) => (seqOfTrim[t] = j));
  const tsysCache: (Float32Array | number)[][] = pixels.map(() => []);
  const spec = new Float64Array(nc);
  const R3 = new Float64Array(nc);
  // stype 2: the mean of the bracketing REFs depends only on (pixel, ON block): kept per slot
  const R2 = pixels.map(() => new Float64Array(nc));
  const r2Block = new Int32Array(pixels.length).fill(-1);

  // ---- pass 2: ON dumps
  forEachRow(
    board,
    rowsOf(st.ons),
    (r, data, off) => {
      const slot = slotOfRow[r]!, t = trimOfRow[r]!;
      const p = pixels[slot]!;
      const k = blockOfTrim[t]!;
      const [istart, istop] = st.onRanges[k]!;
      const cache = tsysCache[slot]!;
      const ts = cache[k] ??= opt.tsysFor(p, istart);
      if (stype === 2 || stype === 3) {
        const ra = refMean[slot]![brA[k]!]!, rb = refMean[slot]![brB[k]!]!;
        let R: Float64Array;
        if (stype === 2) {
          R = R2[slot]!;
          if (r2Block[slot] !== k) {
            for (let c = 0; c < nc; c++) R[c] = (ra[c]! + rb[c]!) / 2;
            r2Block[slot] = k;
          }
        } else {
          R = R3;
          const W = istop - istart;
          const w1 = W === 0 ? 0.5 : (W - (t - istart)) / W;
          for (let c = 0; c < nc; c++) R[c] = w1 * ra[c]! + (1 - w1) * rb[c]!;
        }
        if (typeof ts === "number") calibrateScalar(data, off, R, ts, spec, nc);
        else calibrateSpectrum(data, off, R, ts, spec, nc);
      } else {
        const m = stype === 1 ? allRef[slot]! : median[slot]!;
        if (typeof ts === "number") {
          for (let c = 0; c < nc; c++) spec[c] = f(f(f(data[off + c]! - m[c]!) / m[c]!) * ts);
        } else {
          for (let c = 0; c < nc; c++) spec[c] = f(f(f(data[off + c]! - m[c]!) / m[c]!) * ts[c]!);
        }
      }
      emit(p, seqOfTrim[t]!, spec);
    },
    c0,
    nc,
    chunk,
  );
}

/**
 * Read the dumps of the listed trimmed indices of one pixel (full channels), e.g. HOT/SKY blocks of
 * a Cal scan. Returns row-major float32, `board.nchan` per dump, in the order given.
 */
export function readPixelDumps(p: PixelDumps, trims: ArrayLike<number>): Float32Array {
  return readDumpSets(p.board, [{ p, trims }])[0]!;
}

/**
 * {@link readPixelDumps} for several (pixel, dumps) sets of one board in a single pass over the
 * file (the inputs of a board interleave row by row, so per-pixel passes would read every chunk once
 * per pixel and set). Returns one array per set, in the order given.
 */
export function readDumpSets(
  board: RoachBoard,
  sets: { p: PixelDumps; trims: ArrayLike<number> }[],
): Float32Array[] {
  const nchan = board.nchan;
  const outs = sets.map((s) => new Float32Array(s.trims.length * nchan));
  // row → destinations (set, dump slot); a row may be wanted by several sets
  const dest = new Map<number, number[]>();
  sets.forEach(({ p, trims }, si) => {
    const rows = board.rows[p.input]!;
    for (let i = 0; i < trims.length; i++) {
      const r = rows[p.aligned.kept[trims[i]!]!]!;
      let l = dest.get(r);
      if (!l) dest.set(r, l = []);
      l.push(si, i);
    }
  });
  const wanted = Int32Array.from(dest.keys()).sort();
  forEachRow(board, wanted, (r, data, off) => {
    const l = dest.get(r)!;
    for (let k = 0; k < l.length; k += 2) {
      outs[l[k]!]!.set(data.subarray(off, off + nchan), l[k + 1]! * nchan);
    }
  });
  return outs;
}
