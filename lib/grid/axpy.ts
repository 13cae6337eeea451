/**
 * The gridder's hot loops on one shared WebAssembly memory, in two interchangeable implementations
 * with bit-identical float32 results: a WebAssembly SIMD module (source lib/grid/wasm/axpy.as,
 * built to axpy.wasm by scripts/build_wasm.ts) and a TypeScript fallback.
 *
 * Per chunk of spectra: {@link GridKernels.footprints} computes every (cell, spectrum, weight) pair
 * and the weight/Tsys/mask planes, {@link GridKernels.sortPairs} orders the pairs by cell (stable),
 * and {@link GridKernels.accumulate} adds them cell by cell with the cell's voxels held in
 * registers. Every voxel receives its float32 products in spectrum order, as in the C gridder.
 * accumulate() on disjoint cell ranges may run in several workers at once.
 *
 * @module
 */

const f = Math.fround;

/** Byte offsets of one chunk slot (double buffering: the next chunk is prepared while one runs). */
export interface SlotLayout {
  /** chunk·nz float32 spectra. */
  spectra: number;
  /** Per spectrum of the chunk: x, y (f32 arcsec), noise weight (f32), Tsys (f32), ix, iy (i32). */
  xs: number;
  ys: number;
  rws: number;
  ts: number;
  ixs: number;
  iys: number;
  /** ncell+1 i32: pairs of cell c are [start[c], start[c+1]) of specs/weights. */
  start: number;
  /** maxPairs i32 spectrum indices and f32 weights, sorted by cell. */
  specs: number;
  weights: number;
}

/** Byte offsets and sizes of the regions of the shared memory. */
export interface MemoryLayout {
  nx: number;
  ny: number;
  ncell: number;
  nz: number;
  npts: number;
  /** Capacity of a chunk (spectra) and of its pair list. */
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
  /** Unsorted pairs (scratch of footprints → sortPairs): cells, specs (i32), weights (f32). */
  pairCells: number;
  pairSpecs: number;
  pairWeights: number;
  slots: SlotLayout[];
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
  const pairCells = take(maxPairs * 4), pairSpecs = take(maxPairs * 4), pairWeights = take(maxPairs * 4);
  const slots: SlotLayout[] = [];
  for (let s = 0; s < 2; s++) {
    slots.push({
      spectra: take(p.chunk * p.nz * 4),
      xs: take(p.chunk * 4),
      ys: take(p.chunk * 4),
      rws: take(p.chunk * 4),
      ts: take(p.chunk * 4),
      ixs: take(p.chunk * 4),
      iys: take(p.chunk * 4),
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
    pairCells,
    pairSpecs,
    pairWeights,
    slots,
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

/** The three hot loops of a chunk, bound to one memory and layout. */
export interface GridKernels {
  /** Footprints of the first `n` spectra of a slot; returns the number of pairs. */
  footprints(slot: number, n: number): number;
  /** Sort the `np` pairs of the scratch lists by cell into the slot's sorted lists. */
  sortPairs(slot: number, np: number): void;
  /** Add the slot's sorted pairs of cells [cellLo, cellHi) into the cube. */
  accumulate(slot: number, cellLo: number, cellHi: number): void;
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
  n: number, xs: number, ys: number, rws: number, ts: number, ixs: number, iys: number,
  spectra: number, nz: number, caX: number, caY: number, nx: number, ny: number, nc1: number,
  table: number, npts: number, delta: number, W: number, T: number, M: number,
  cells: number, specs: number, weights: number,
) => number;
type WasmSort = (
  np: number, cells: number, specs: number, weights: number, ncell: number, start: number,
  outSpecs: number, outWeights: number,
) => void;
type WasmAccumulate = (
  cube: number, nz: number, spectra: number, start: number, specs: number, weights: number,
  cellLo: number, cellHi: number,
) => void;

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
  return {
    footprints: (slot, n) => {
      const s = L.slots[slot]!;
      return fp(
        n, s.xs, s.ys, s.rws, s.ts, s.ixs, s.iys, s.spectra, L.nz, L.caX, L.caY, L.nx, L.ny,
        k.nCells, L.table, L.npts, k.delta, L.W, L.T, L.M, L.pairCells, L.pairSpecs, L.pairWeights,
      );
    },
    sortPairs: (slot, np) => {
      const s = L.slots[slot]!;
      sort(np, L.pairCells, L.pairSpecs, L.pairWeights, L.ncell, s.start, s.specs, s.weights);
    },
    accumulate: (slot, lo, hi) => {
      const s = L.slots[slot]!;
      acc(L.cube, L.nz, s.spectra, s.start, s.specs, s.weights, lo, hi);
    },
  };
}

/** The TypeScript kernels on the same memory layout (float32 multiply, then float32 add). */
export function tsKernels(memory: WebAssembly.Memory, L: MemoryLayout, k: KernelConsts): GridKernels {
  const buf = memory.buffer;
  const F = new Float32Array(buf);
  const I = new Int32Array(buf);
  const U = new Uint8Array(buf);
  const nz = L.nz, nx = L.nx, ny = L.ny, nc1 = k.nCells, delta = f(k.delta), npts = L.npts;
  return {
    footprints: (slot, n) => {
      const s = L.slots[slot]!;
      const W = L.W >> 2, T = L.T >> 2, caX = L.caX >> 2, caY = L.caY >> 2, tab = L.table >> 2;
      const pc = L.pairCells >> 2, ps = L.pairSpecs >> 2, pw = L.pairWeights >> 2;
      let np = 0;
      for (let i = 0; i < n; i++) {
        const xp = F[(s.xs >> 2) + i]!, yp = F[(s.ys >> 2) + i]!;
        const rw = F[(s.rws >> 2) + i]!, t = F[(s.ts >> 2) + i]!;
        const ix = I[(s.ixs >> 2) + i]!, iy = I[(s.iys >> 2) + i]!;
        const so = (s.spectra >> 2) + i * nz;
        let finite = true;
        for (let c = 0; c < nz; c++) {
          if (!Number.isFinite(F[so + c]!)) {
            finite = false;
            break;
          }
        }
        const x0 = Math.max(ix - nc1, 0), x1 = Math.min(ix + nc1, nx - 1);
        const y0 = Math.max(iy - nc1, 0), y1 = Math.min(iy + nc1, ny - 1);
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
    sortPairs: (slot, np) => {
      const s = L.slots[slot]!;
      const st = s.start >> 2, pc = L.pairCells >> 2, ps = L.pairSpecs >> 2, pw = L.pairWeights >> 2;
      const os = s.specs >> 2, ow = s.weights >> 2;
      I.fill(0, st, st + L.ncell + 1);
      for (let p = 0; p < np; p++) I[st + I[pc + p]! + 1]++;
      for (let c = 1; c <= L.ncell; c++) I[st + c] = I[st + c]! + I[st + c - 1]!;
      for (let p = 0; p < np; p++) {
        const a = st + I[pc + p]!;
        const d = I[a]!;
        I[a] = d + 1;
        I[os + d] = I[ps + p]!;
        F[ow + d] = F[pw + p]!;
      }
      for (let c = L.ncell; c > 0; c--) I[st + c] = I[st + c - 1]!;
      I[st] = 0;
    },
    accumulate: (slot, lo, hi) => {
      const s = L.slots[slot]!;
      const st = s.start >> 2, os = s.specs >> 2, ow = s.weights >> 2, sp = s.spectra >> 2;
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
  };
}
