/**
 * One roach board's share of an OTF reduction as a self-contained, structured-cloneable job: the
 * aligned dumps, the calibration, the line plan parameters and the output rows of its pixels. Run
 * in the calling thread ({@link runBoardJob}) or in a worker (board_worker.ts); both give the same
 * blocks of calibrated, baselined float32 spectra.
 *
 * @module
 */
import type { Aligned } from "./align.ts";
import type { Hdf5Reader } from "../netcdf/hdf5_reader.ts";
import { SeqDataError } from "./errors.ts";
import { linePlan, processLine, type Region } from "./line.ts";
import { boardPixels, type PixelDumps, reduceBoard, type Stype } from "./reduce.ts";
import type { RoachBoard } from "./roach.ts";
import { addRow, type RunningStats, runningStats } from "./quality.ts";

/** Calibration of one pixel over the slice: a Tsys spectrum, a scalar Tsys, or in-map Tsys spectra. */
export interface PixelTsys {
  spec?: Float32Array;
  scalar?: number;
  /** In-map (otf cal) Tsys spectra, one per HOT block. */
  otf?: Float32Array[];
}

/** A board job (all fields survive structured cloning). */
export interface BoardJob {
  path: string;
  /**
   * The netCDF-4 reader the worker opens `path` with (a worker does not share the calling thread's
   * `setHdf5Reader` setting, lib/netcdf/mod.ts); set by the pool from `hdf5Reader()`, default "native".
   */
  hdf5Reader?: Hdf5Reader;
  roach: number;
  obsnum: number;
  aligned: Aligned;
  /** Pixels of this board to reduce and the first output row of each. */
  pixels: number[];
  offsets: number[];
  stype: Stype;
  c0: number;
  nc: number;
  blockRows: number;
  /** linePlan() arguments. */
  x: Float64Array;
  bRegions: Region[];
  bOrder: number;
  eliminate: number[];
  tsys: Record<number, PixelTsys>;
  /**
   * Pixels with culled ON samples (`--sample`): ON index j → row within the pixel, −1 = left out.
   * Pixels not listed keep every ON sample (row = j).
   */
  rowOf?: Record<number, Int32Array>;
}

/** Where a job's results go. `data` of block() is reused after the call. */
export interface BoardOutput {
  block(pixel: number, row0: number, n: number, data: Float32Array): void;
  /** A pixel is done: its RMS vector and the running statistics of its float32 spectra (quality.ts). */
  rms(pixel: number, rms: Float32Array, stats: RunningStats): void;
}

/**
 * Reduce the job's pixels on an opened board: reference subtraction and calibration (reduceBoard),
 * birdies and baseline (processLine), float32 rows in blocks that never cross a multiple of
 * `blockRows` (absolute output rows), then each pixel's RMS vector and statistics.
 */
export function runBoardJob(job: BoardJob, board: RoachBoard, out: BoardOutput): void {
  const { nc, blockRows } = job;
  const plan = linePlan(job.c0, job.x, job.bRegions, job.bOrder, job.eliminate);
  const ps = boardPixels(board, job.aligned, job.pixels).sort((a, b) => a.input - b.input);
  const offset = new Map(job.pixels.map((p, i) => [p, job.offsets[i]!]));
  const tsysFor = (p: PixelDumps, istart: number): Float32Array | number => {
    const t = job.tsys[p.pixel]!;
    if (t.otf) {
      const hr = p.states.hotRanges;
      let k = -1;
      for (let i = 0; i < hr.length; i++) if (hr[i]![1] < istart - 1) k = i;
      if (k < 0) {
        throw new SeqDataError(
          `obsnum ${job.obsnum} pixel ${p.pixel}: --use_otf_cal: no HOT block precedes the ON block at dump ${istart}`,
        );
      }
      return t.otf[k]!;
    }
    return t.spec ?? t.scalar ?? NaN;
  };
  const bufs = new Map(ps.map((p) => [p.pixel, { data: new Float32Array(blockRows * nc), row0: 0, n: 0 }]));
  const rowOf = job.rowOf ?? {};
  /** Rows of a pixel in the output (ON samples less the culled ones). */
  const nrows = (p: PixelDumps): number => {
    const r = rowOf[p.pixel];
    if (r === undefined) return p.states.ons.length;
    let n = 0;
    for (let j = 0; j < r.length; j++) if (r[j]! >= 0) n++;
    return n;
  };
  const nrow = new Map(ps.map((p) => [p.pixel, nrows(p)]));
  const rms = new Map(ps.map((p) => [p.pixel, new Float32Array(nrow.get(p.pixel)!)]));
  const flush = (pixel: number) => {
    const bb = bufs.get(pixel)!;
    if (bb.n === 0) return;
    out.block(pixel, bb.row0, bb.n, bb.n * nc === bb.data.length ? bb.data : bb.data.subarray(0, bb.n * nc));
    bb.n = 0;
  };
  const acc = new Map(ps.map((p) => [p.pixel, runningStats(nrow.get(p.pixel)! * nc)]));
  reduceBoard(board, ps, { stype: job.stype, c0: job.c0, nc, tsysFor }, (p, jOn, spec) => {
    const ro = rowOf[p.pixel];
    const j = ro === undefined ? jOn : ro[jOn]!;
    if (j < 0) return; // culled by --sample
    // spec is reduceBoard's scratch row, rewritten for every dump: baseline it in place
    rms.get(p.pixel)![j] = processLine(plan, spec);
    const row = offset.get(p.pixel)! + j;
    const bb = bufs.get(p.pixel)!;
    if (bb.n > 0 && bb.row0 + bb.n !== row) flush(p.pixel);
    if (bb.n === 0) bb.row0 = row;
    // the row as float32 into the block, and into the pixel's running statistics
    bb.data.set(spec, bb.n * nc);
    addRow(acc.get(p.pixel)!, bb.data, bb.n * nc, nc);
    bb.n++;
    if (bb.n === blockRows || (row + 1) % blockRows === 0 || j === nrow.get(p.pixel)! - 1) flush(p.pixel);
  });
  for (const p of ps) {
    flush(p.pixel);
    out.rms(p.pixel, rms.get(p.pixel)!, acc.get(p.pixel)!);
  }
}
