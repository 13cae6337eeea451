/**
 * A roach (spectrometer board) file of SEQ: header, the row → (input, dump) bookkeeping and dump
 * times (seq.md §1.5), and chunked reading of raw spectra so that memory stays bounded.
 *
 * @module
 */
import type { NcFile } from "../netcdf/types.ts";
import { SeqDataError } from "./errors.ts";

/** Fixed spectrometer time lag applied to every dump (s), as the original (README quirk S7). */
export const ROACH_TIME_OFFSET = -0.03;

/** An opened roach file with its per-input row lists. */
export interface RoachBoard {
  nc: NcFile;
  path: string;
  /** Board number r (file roach<r>). */
  roach: number;
  nchan: number;
  /** Bandwidth in MHz. */
  bandwidthMHz: number;
  obsNum: number;
  /** Total rows of Data.Integrate.Data. */
  nrows: number;
  /** rows[input][k] = row index of dump k of that input (k < ndump). */
  rows: Int32Array[];
  /** Number of dumps usable for every input (the minimum over inputs). */
  ndump: number;
  /** Time stamp of dump k: (time − read_time) of input-0 rows + ROACH_TIME_OFFSET. */
  specTime: Float64Array;
  /** Buffer {@link forEachRow} reads into (grown on demand, reused: no fresh memory per chunk). */
  scratch?: Uint8Array;
}

/** Pixel carried by input `input` of roach board `roach` (seq.md §1.6). */
export function pixelOf(roach: number, input: number): number {
  return 4 * (roach % 4) + input;
}

/** Open the bookkeeping of a roach file (reads only the small per-row variables). */
export function openRoach(nc: NcFile, roach: number): RoachBoard {
  const need = [
    "Header.Mode.numchannels",
    "Header.Mode.Bandwidth",
    "Data.Integrate.Inputs",
    "Data.Integrate.time",
    "Data.Integrate.read_time",
    "Data.Integrate.Data",
  ];
  for (const v of need) if (!nc.has(v)) throw new SeqDataError(`${nc.path}: variable ${v} is missing`);
  const nchan = nc.readScalar("Header.Mode.numchannels");
  const bandwidthMHz = nc.readScalar("Header.Mode.Bandwidth");
  const obsNum = nc.has("Header.Telescope.ObsNum") ? nc.readScalar("Header.Telescope.ObsNum") : 0;
  const dv = nc.variable("Data.Integrate.Data");
  if (dv.shape.length !== 2 || dv.shape[1] !== nchan) {
    throw new SeqDataError(
      `${nc.path}: variable Data.Integrate.Data has shape [${dv.shape}], expected [time, ${nchan}]`,
    );
  }
  const nrows = dv.shape[0]!;
  const inputs = nc.readNumbers("Data.Integrate.Inputs");
  const t = nc.readNumbers("Data.Integrate.time");
  const rt = nc.readNumbers("Data.Integrate.read_time");
  if (inputs.length < nrows || t.length < nrows || rt.length < nrows) {
    throw new SeqDataError(
      `${nc.path}: Data.Integrate.Inputs/time/read_time are shorter than Data.Integrate.Data`,
    );
  }
  const lists: number[][] = [[], [], [], []];
  for (let r = 0; r < nrows; r++) {
    const i = inputs[r]!;
    if (i < 0 || i > 3 || !Number.isInteger(i)) {
      throw new SeqDataError(
        `${nc.path}: variable Data.Integrate.Inputs has value ${i} at row ${r} (expected 0..3)`,
      );
    }
    lists[i]!.push(r);
  }
  const ndump = Math.min(...lists.map((l) => l.length));
  const rows = lists.map((l) => Int32Array.from(l.slice(0, ndump)));
  const specTime = new Float64Array(ndump);
  for (let k = 0; k < ndump; k++) {
    const r = rows[0]![k]!;
    specTime[k] = (t[r]! - rt[r]!) + ROACH_TIME_OFFSET;
  }
  return { nc, path: nc.path, roach, nchan, bandwidthMHz, obsNum, nrows, rows, ndump, specTime };
}

/**
 * Read raw spectra rows [r0, r1) and channels [c0, c0+nc) of a board as float32 (row-major, nc per row).
 * `scratch`: let the result live in these bytes (see NcFile.read).
 */
export function readRows(
  b: RoachBoard,
  r0: number,
  r1: number,
  c0 = 0,
  nc = b.nchan,
  scratch?: Uint8Array,
): Float32Array {
  const d = b.nc.read("Data.Integrate.Data", { start: [r0, c0], count: [r1 - r0, nc] }, scratch);
  if (d instanceof Float32Array) return d;
  if (typeof d === "string" || Array.isArray(d)) {
    throw new SeqDataError(`${b.path}: variable Data.Integrate.Data is not numeric`);
  }
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  return out;
}

/** Unwanted rows read through rather than starting a new read (4 inputs × 8 dumps). */
const MAX_GAP_ROWS = 32;

/**
 * Visit the rows listed in `wanted` (ascending row indices) in chunks of at most `chunkRows` rows,
 * reading only chunks that hold a wanted row. `visit(row, data, offset)` gets the row's channels at
 * `data[offset .. offset+nc)`; `data` is the board's reused read buffer: copy what must outlive the call.
 */
export function forEachRow(
  b: RoachBoard,
  wanted: Int32Array,
  visit: (row: number, data: Float32Array, offset: number) => void,
  c0 = 0,
  _nc = b.nchan,
  chunkRows = 256,
): void {
  let i = 0;
  while (i < wanted.length) {
    const r0 = wanted[i]!;
    // up to chunkRows rows, ending at the last wanted row before the window's end or before a gap of
    // more than MAX_GAP_ROWS unwanted rows (REF blocks are read without the ON rows around them)
    const lim = Math.min(b.nrows, r0 + chunkRows);
    let k = i;
    while (k + 1 < wanted.length && wanted[k + 1]! < lim && wanted[k + 1]! - wanted[k]! <= MAX_GAP_ROWS) k++;
    const r1 = wanted[k]! + 1;
    // whole rows: a contiguous read is much faster than a strided channel window
    const need = (r1 - r0) * b.nchan * 4;
    if (!b.scratch || b.scratch.length < need) {
      b.scratch = new Uint8Array(Math.max(need, chunkRows * b.nchan * 4));
    }
    const data = readRows(b, r0, r1, 0, b.nchan, b.scratch);
    while (i < wanted.length && wanted[i]! < r1) {
      const r = wanted[i]!;
      visit(r, data, (r - r0) * b.nchan + c0);
      i++;
    }
  }
}
