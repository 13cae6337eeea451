/**
 * The gridder's hot loops on one shared WebAssembly memory, in two interchangeable implementations
 * with bit-identical float32 results: a WebAssembly SIMD module (source lib/grid/wasm/axpy.as,
 * built to axpy.wasm by scripts/build_wasm.ts) and a TypeScript fallback.
 *
 * Per chunk of spectra and band of map rows: {@link GridKernels.footprints} computes every
 * (cell, spectrum, weight) pair of the band and updates the weight/Tsys/mask planes,
 * {@link GridKernels.sortPairs} orders the pairs by cell (stable), and
 * {@link GridKernels.accumulate} adds them cell by cell with the cell's voxels held in registers.
 * Every voxel receives its float32 products in spectrum order, as in the C gridder. Bands are
 * disjoint, so several threads can process bands of the same chunk at once, each in its own lane.
 *
 * @module
 */

const f = Math.fround;

/** Byte offsets of one chunk slot (NSLOTS of them: the next chunks are read while others are gridded). */
export interface SlotLayout {
  /** chunk·nz float32 spectra. */
  spectra: number;
  /**
   * Per spectrum of the chunk: x, y (f32 arcsec), noise weight (f32), Tsys (f32), ix, iy (i32),
   * fin (i32: 1 when all its channels are finite, from {@link GridKernels.finiteFlags}).
   */
  xs: number;
  ys: number;
  rws: number;
  ts: number;
  ixs: number;
  iys: number;
  fin: number;
}

/** Byte offsets of the pair lists of one lane (scratch of one thread, for the band it works on). */
export interface LaneLayout {
  /** Unsorted pairs (scratch of footprints → sortPairs): cells, specs (i32), weights (f32). */
  pairCells: number;
  pairSpecs: number;
  pairWeights: number;
  /** ncell+1 i32: pairs of cell c are [start[c], start[c+1]) of specs/weights. */
  start: number;
  /** maxPairs i32 spectrum indices and f32 weights, sorted by cell. */
  specs: number;
  weights: number;
}

/**
 * Channel planes per FITS output buffer (there are two: one is written while the other is
 * filled): as many as fit in 4 MiB, a multiple of 16 between 16 and 64.
 */
export function fitsBlockPlanes(ncell: number): number {
  const fit = Math.floor((4 << 20) / (4 * Math.max(1, ncell)));
  return Math.max(16, Math.min(64, fit - (fit % 16)));
}

/** Number of chunk slots (a ring: the next chunks are read while earlier ones are gridded). */
export const NSLOTS = 4;

/** Most bands of rows a chunk is split into (the units the threads share; see executor.ts). */
export const MAX_BANDS = 256;

/** Number of int32 words of the control block (thread signalling, see executor.ts). */
export const CTRL_WORDS = 32 + MAX_BANDS;

/** Byte offsets and sizes of the regions of the shared memory. */
export interface MemoryLayout {
  nx: number;
  ny: number;
  ncell: number;
  nz: number;
  npts: number;
  /** Capacity of a chunk (spectra) and of a lane's pair list. */
  chunk: number;
  maxPairs: number;
  /** Cube of ncell·nz float32 (cell-major, channel fastest). */
  cube: number;
  /** Weight and Tsys planes (float32) and mask plane (uint8), ncell each. */
  W: number;
  T: number;
  M: number;
  /** Cell centres of the X and Y axes (float32) and the kernel table (float32). */
  caX: number;
  caY: number;
  table: number;
  /** Control block of CTRL_WORDS int32 (see executor.ts). */
  ctrl: number;
  /** Two buffers of fitsBlock planes of ncell float32 (output transposition), at fits and fits + fitsBytes. */
  fits: number;
  fitsBlock: number;
  fitsBytes: number;
  slots: SlotLayout[];
  lanes: LaneLayout[];
  /** Total bytes. */
  bytes: number;
}

/** Sizes for {@link planMemory}. */
export interface PlanParams {
  nx: number;
  ny: number;
  nz: number;
  /** Kernel table length. */
  npts: number;
  /** Spectra per chunk. */
  chunk: number;
  /** Upper bound of pairs per spectrum ((2·nCells+1)²). */
  pairsPerSpectrum: number;
  /** Number of lanes (threads working at once; default 1). */
  lanes?: number;
}

const align = (n: number) => Math.ceil(n / 64) * 64;

/** Plan the shared memory of a gridding run. */
export function planMemory(p: PlanParams): MemoryLayout {
  let o = 0;
  const take = (bytes: number) => {
    const at = o;
    o = align(o + bytes);
    return at;
  };
  const ncell = p.nx * p.ny;
  const maxPairs = p.chunk * p.pairsPerSpectrum;
  const cube = take(ncell * p.nz * 4);
  const W = take(ncell * 4), T = take(ncell * 4), M = take(ncell);
  const caX = take(p.nx * 4), caY = take(p.ny * 4), table = take(p.npts * 4);
  const ctrl = take(CTRL_WORDS * 4);
  const fitsBlock = fitsBlockPlanes(ncell);
  const fits = take(2 * fitsBlock * ncell * 4);
  const slots: SlotLayout[] = [];
  for (let s = 0; s < NSLOTS; s++) {
    slots.push({
      spectra: take(p.chunk * p.nz * 4),
      xs: take(p.chunk * 4),
      ys: take(p.chunk * 4),
      rws: take(p.chunk * 4),
      ts: take(p.chunk * 4),
      ixs: take(p.chunk * 4),
      iys: take(p.chunk * 4),
      fin: take(p.chunk * 4),
    });
  }
  const lanes: LaneLayout[] = [];
  for (let l = 0; l < Math.max(1, p.lanes ?? 1); l++) {
    lanes.push({
      pairCells: take(maxPairs * 4),
      pairSpecs: take(maxPairs * 4),
      pairWeights: take(maxPairs * 4),
      start: take((ncell + 1) * 4),
      specs: take(maxPairs * 4),
      weights: take(maxPairs * 4),
    });
  }
  return {
    nx: p.nx,
    ny: p.ny,
    ncell,
    nz: p.nz,
    npts: p.npts,
    chunk: p.chunk,
    maxPairs,
    cube,
    W,
    T,
    M,
    caX,
    caY,
    table,
    ctrl,
    fits,
    fitsBlock,
    fitsBytes: fitsBlock * ncell * 4,
    slots,
    lanes,
    bytes: o,
  };
}

/** Largest memory a wasm32 instance can address. */
export const MAX_WASM_BYTES = 65536 * 65536;

/** Create the shared memory for a layout (throws RangeError beyond 4 GiB). */
export function createSharedMemory(layout: MemoryLayout): WebAssembly.Memory {
  if (layout.bytes > MAX_WASM_BYTES) {
    throw new RangeError(
      `cube and buffers need ${
        (layout.bytes / 2 ** 30).toFixed(2)
      } GiB, more than the 4 GiB a WebAssembly memory can hold`,
    );
  }
  const pages = Math.max(1, Math.ceil(layout.bytes / 65536));
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Kernel constants of a run. */
export interface KernelConsts {
  /** Footprint half-width (cells). */
  nCells: number;
  /** Table step (arcsec, float32). */
  delta: number;
}

/** The hot loops of a chunk, bound to one memory and layout. Rows are a band [rowLo, rowHi). */
export interface GridKernels {
  /** Set the `fin` flags of the first `n` spectra of a slot (before any band of it is processed). */
  finiteFlags(slot: number, n: number): void;
  /** Footprints of the first `n` spectra of a slot within a band of rows; returns the lane's pair count. */
  footprints(slot: number, lane: number, n: number, rowLo: number, rowHi: number): number;
  /** Sort a lane's `np` pairs (cells in [cellLo, cellHi)) by cell. */
  sortPairs(lane: number, np: number, cellLo: number, cellHi: number): void;
  /** Add a lane's sorted pairs of cells [cellLo, cellHi) into the cube. */
  accumulate(slot: number, lane: number, cellLo: number, cellHi: number): void;
  /** footprints + sortPairs + accumulate for a band of rows; returns the pair count. */
  band(slot: number, lane: number, n: number, rowLo: number, rowHi: number): number;
  /** Normalise cells [cellLo, cellHi) (cube /= W, or NaN). */
  normalize(cellLo: number, cellHi: number, edge: number): void;
  /**
   * Channels [k0, k0+nb) (nb ≤ layout.fitsBlock) of rows [rowLo, rowHi) as the big-endian bytes of
   * nb FITS BITPIX −32 planes (X flipped) in FITS buffer `buf` (0 or 1).
   */
  fitsPlanes(k0: number, nb: number, buf: number, rowLo: number, rowHi: number): void;
  /**
   * Write one word of every memory page of cells [cellLo, cellHi) of the cube and planes, so that
   * their pages are allocated by write faults (see executor.ts).
   */
  touch(cellLo: number, cellHi: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled wasm module, or null when WebAssembly SIMD is unavailable. */
export function wasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Deno.readFileSync(new URL("./wasm/axpy.wasm", import.meta.url));
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

type WasmFootprints = (
  n: number,
  xs: number,
  ys: number,
  rws: number,
  ts: number,
  ixs: number,
  iys: number,
  fin: number,
  caX: number,
  caY: number,
  nx: number,
  ny: number,
  nc1: number,
  rowLo: number,
  rowHi: number,
  table: number,
  npts: number,
  delta: number,
  W: number,
  T: number,
  M: number,
  cells: number,
  specs: number,
  weights: number,
) => number;
type WasmSort = (
  np: number,
  cells: number,
  specs: number,
  weights: number,
  cellLo: number,
  cellHi: number,
  start: number,
  outSpecs: number,
  outWeights: number,
) => void;
type WasmAccumulate = (
  cube: number,
  nz: number,
  spectra: number,
  start: number,
  specs: number,
  weights: number,
  cellLo: number,
  cellHi: number,
) => void;
type WasmFitsPlanes = (
  cube: number,
  nx: number,
  ny: number,
  nz: number,
  k0: number,
  nb: number,
  out: number,
  rowLo: number,
  rowHi: number,
) => void;
type WasmFinite = (spectra: number, n: number, nz: number, fin: number) => void;
type WasmNormalize = (
  cube: number,
  nz: number,
  W: number,
  M: number,
  cellLo: number,
  cellHi: number,
  edge: number,
) => void;

/**
 * {@link GridKernels.touch} (plain TypeScript for both kernel sets). It stores a zero byte at the
 * start of the range and at every page boundary inside it, only in the range (neighbouring cells
 * may belong to a band another thread is working on), and only while the memory is still zero.
 */
function touchFn(memory: WebAssembly.Memory, L: MemoryLayout): (lo: number, hi: number) => void {
  const bytes = new Uint8Array(memory.buffer);
  const zeroPages = (from: number, to: number) => {
    if (to <= from) return;
    bytes[from] = 0;
    for (let b = (from + 4096) & ~4095; b < to; b += 4096) bytes[b] = 0;
  };
  return (lo, hi) => {
    zeroPages(L.cube + lo * L.nz * 4, L.cube + hi * L.nz * 4);
    zeroPages(L.W + lo * 4, L.W + hi * 4);
    zeroPages(L.T + lo * 4, L.T + hi * 4);
    zeroPages(L.M + lo, L.M + hi);
  };
}

/** Complete a kernel set with the composite band(). */
function withBand(k: Omit<GridKernels, "band">, nx: number): GridKernels {
  return {
    ...k,
    band: (slot, lane, n, rowLo, rowHi) => {
      const np = k.footprints(slot, lane, n, rowLo, rowHi);
      if (np === 0) return 0;
      k.sortPairs(lane, np, rowLo * nx, rowHi * nx);
      k.accumulate(slot, lane, rowLo * nx, rowHi * nx);
      return np;
    },
  };
}

/** The WebAssembly kernels on a shared memory (null when wasm is unavailable). */
export function wasmKernels(
  memory: WebAssembly.Memory,
  L: MemoryLayout,
  k: KernelConsts,
  module = wasmModule(),
): GridKernels | null {
  if (module === null) return null;
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fp = e.footprints as WasmFootprints;
  const sort = e.sortPairs as WasmSort;
  const acc = e.accumulate as WasmAccumulate;
  const norm = e.normalize as WasmNormalize;
  const planes = e.fitsPlanes as WasmFitsPlanes;
  const finite = e.finiteFlags as WasmFinite;
  return withBand({
    finiteFlags: (slot, n) => {
      const s = L.slots[slot]!;
      finite(s.spectra, n, L.nz, s.fin);
    },
    footprints: (slot, lane, n, rowLo, rowHi) => {
      const s = L.slots[slot]!, l = L.lanes[lane]!;
      return fp(
        n,
        s.xs,
        s.ys,
        s.rws,
        s.ts,
        s.ixs,
        s.iys,
        s.fin,
        L.caX,
        L.caY,
        L.nx,
        L.ny,
        k.nCells,
        rowLo,
        rowHi,
        L.table,
        L.npts,
        k.delta,
        L.W,
        L.T,
        L.M,
        l.pairCells,
        l.pairSpecs,
        l.pairWeights,
      );
    },
    sortPairs: (lane, np, lo, hi) => {
      const l = L.lanes[lane]!;
      sort(np, l.pairCells, l.pairSpecs, l.pairWeights, lo, hi, l.start, l.specs, l.weights);
    },
    accumulate: (slot, lane, lo, hi) => {
      const s = L.slots[slot]!, l = L.lanes[lane]!;
      acc(L.cube, L.nz, s.spectra, l.start, l.specs, l.weights, lo, hi);
    },
    normalize: (lo, hi, edge) => norm(L.cube, L.nz, L.W, L.M, lo, hi, edge),
    fitsPlanes: (k0, nb, buf, lo, hi) =>
      planes(L.cube, L.nx, L.ny, L.nz, k0, nb, L.fits + buf * L.fitsBytes, lo, hi),
    touch: touchFn(memory, L),
  }, L.nx);
}

/** The TypeScript kernels on the same memory layout (float32 multiply, then float32 add). */
export function tsKernels(memory: WebAssembly.Memory, L: MemoryLayout, k: KernelConsts): GridKernels {
  const buf = memory.buffer;
  const F = new Float32Array(buf);
  const I = new Int32Array(buf);
  const U = new Uint8Array(buf);
  const nz = L.nz, nx = L.nx, ny = L.ny, nc1 = k.nCells, delta = f(k.delta), npts = L.npts;
  return withBand({
    finiteFlags: (slot, n) => {
      const s = L.slots[slot]!;
      for (let i = 0; i < n; i++) {
        const so = (s.spectra >> 2) + i * nz;
        let finite = 1;
        for (let c = 0; c < nz; c++) {
          if (!Number.isFinite(F[so + c]!)) {
            finite = 0;
            break;
          }
        }
        I[(s.fin >> 2) + i] = finite;
      }
    },
    footprints: (slot, lane, n, rowLo, rowHi) => {
      const s = L.slots[slot]!, l = L.lanes[lane]!;
      const W = L.W >> 2, T = L.T >> 2, caX = L.caX >> 2, caY = L.caY >> 2, tab = L.table >> 2;
      const pc = l.pairCells >> 2, ps = l.pairSpecs >> 2, pw = l.pairWeights >> 2;
      let np = 0;
      for (let i = 0; i < n; i++) {
        const xp = F[(s.xs >> 2) + i]!, yp = F[(s.ys >> 2) + i]!;
        const rw = F[(s.rws >> 2) + i]!, t = F[(s.ts >> 2) + i]!;
        const ix = I[(s.ixs >> 2) + i]!, iy = I[(s.iys >> 2) + i]!;
        const x0 = Math.max(ix - nc1, 0), x1 = Math.min(ix + nc1, nx - 1);
        const y0 = Math.max(iy - nc1, 0, rowLo), y1 = Math.min(iy + nc1, ny - 1, rowHi - 1);
        if (y0 > y1) continue;
        const finite = I[(s.fin >> 2) + i] !== 0;
        for (let cx = x0; cx <= x1; cx++) {
          const dx = f(xp - F[caX + cx]!);
          const dx2 = f(dx * dx);
          for (let cy = y0; cy <= y1; cy++) {
            const dy = f(yp - F[caY + cy]!);
            const d = f(Math.sqrt(f(dx2 + f(dy * dy))));
            const ti = Math.floor(f(d / delta));
            const w = f((ti < npts ? F[tab + ti]! : 0) * rw);
            const cell = cy * nx + cx;
            F[W + cell] = F[W + cell]! + w;
            F[T + cell] = F[T + cell]! + f(w * t);
            if (cx === ix && cy === iy) U[L.M + cell] = 1;
            if (w === 0 && finite) continue;
            I[pc + np] = cell;
            I[ps + np] = i;
            F[pw + np] = w;
            np++;
          }
        }
      }
      return np;
    },
    sortPairs: (lane, np, lo, hi) => {
      const l = L.lanes[lane]!;
      const st = l.start >> 2, pc = l.pairCells >> 2, ps = l.pairSpecs >> 2, pw = l.pairWeights >> 2;
      const os = l.specs >> 2, ow = l.weights >> 2;
      I.fill(0, st + lo, st + hi + 1);
      for (let p = 0; p < np; p++) I[st + I[pc + p]! + 1]!++;
      for (let c = lo + 1; c <= hi; c++) I[st + c] = I[st + c]! + I[st + c - 1]!;
      for (let p = 0; p < np; p++) {
        const a = st + I[pc + p]!;
        const d = I[a]!;
        I[a] = d + 1;
        I[os + d] = I[ps + p]!;
        F[ow + d] = F[pw + p]!;
      }
      for (let c = hi; c > lo; c--) I[st + c] = I[st + c - 1]!;
      I[st + lo] = 0;
    },
    accumulate: (slot, lane, lo, hi) => {
      const s = L.slots[slot]!, l = L.lanes[lane]!;
      const st = l.start >> 2, os = l.specs >> 2, ow = l.weights >> 2, sp = s.spectra >> 2;
      const cube = L.cube >> 2;
      for (let c = lo; c < hi; c++) {
        const p0 = I[st + c]!, p1 = I[st + c + 1]!;
        const o = cube + c * nz;
        for (let p = p0; p < p1; p++) {
          const w = F[ow + p]!;
          const so = sp + I[os + p]! * nz;
          for (let q = 0; q < nz; q++) F[o + q] = F[o + q]! + f(w * F[so + q]!);
        }
      }
    },
    normalize: (lo, hi, edge) => {
      const cube = L.cube >> 2, W = L.W >> 2;
      for (let c = lo; c < hi; c++) {
        const w = F[W + c]!;
        const o = cube + c * nz;
        if (w > 0 && (edge !== 0 || U[L.M + c] !== 0)) {
          for (let q = 0; q < nz; q++) F[o + q] = f(F[o + q]! / w);
        } else {
          F.fill(NaN, o, o + nz);
        }
      }
    },
    fitsPlanes: (k0, nb, b0, lo, hi) => {
      const cube = L.cube >> 2, out = (L.fits + b0 * L.fitsBytes) >> 2, np = nx * ny;
      const U32 = new Uint32Array(buf);
      for (let iy = lo; iy < hi; iy++) {
        for (let ix = 0; ix < nx; ix++) {
          const src = cube + (iy * nx + ix) * nz + k0;
          const dst = out + iy * nx + (nx - 1 - ix);
          for (let b = 0; b < nb; b++) {
            const x = U32[src + b]!;
            U32[dst + b * np] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
          }
        }
      }
    },
    touch: touchFn(memory, L),
  }, nx);
}
