/**
 * The gridder's hot loop, `cube[cell·nz + k] += w·spec[s·nz + k]` over a list of (cell, s, w)
 * pairs, in two interchangeable implementations with bit-identical float32 results: a WebAssembly
 * SIMD kernel (lib/grid/wasm/axpy.ts, built to axpy.wasm) and a TypeScript loop (fallback).
 * Both work on one shared WebAssembly memory so several workers can update disjoint cells.
 *
 * @module
 */

const f = Math.fround;

/** Byte offsets of the regions of the shared memory. */
export interface MemoryLayout {
  /** Cube of `ncell·nz` float32 at byte 0. */
  cube: number;
  ncell: number;
  nz: number;
  /** Capacity of a chunk (spectra) and of its pair list. */
  chunk: number;
  maxPairs: number;
  /** Two slots (double buffering): spectra, pair cells, pair spectra, pair weights. */
  slots: { spectra: number; cells: number; specs: number; weights: number }[];
  /** Total bytes. */
  bytes: number;
}

const align = (n: number) => Math.ceil(n / 64) * 64;

/** Plan the shared memory for a cube and chunks of `chunk` spectra with `pairsPerSpectrum` pairs each. */
export function planMemory(ncell: number, nz: number, chunk: number, pairsPerSpectrum: number): MemoryLayout {
  let o = 0;
  const cube = o;
  o = align(o + ncell * nz * 4);
  const maxPairs = chunk * pairsPerSpectrum;
  const slots = [];
  for (let s = 0; s < 2; s++) {
    const spectra = o;
    o = align(o + chunk * nz * 4);
    const cells = o;
    o = align(o + maxPairs * 4);
    const specs = o;
    o = align(o + maxPairs * 4);
    const weights = o;
    o = align(o + maxPairs * 4);
    slots.push({ spectra, cells, specs, weights });
  }
  return { cube, ncell, nz, chunk, maxPairs, slots, bytes: o };
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

/** Signature of the compiled kernel (see lib/grid/wasm/axpy.ts). */
export type AxpyPairs = (
  cube: number,
  cellBase: number,
  nz: number,
  spectra: number,
  cells: number,
  specs: number,
  weights: number,
  npairs: number,
  cellLo: number,
  cellHi: number,
) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled wasm kernel module, or null when WebAssembly SIMD is unavailable. */
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

/** Instantiate the kernel on a shared memory (null when wasm is unavailable). */
export function wasmKernel(memory: WebAssembly.Memory, module = wasmModule()): AxpyPairs | null {
  if (module === null) return null;
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  return inst.exports.axpyPairs as AxpyPairs;
}

/** The TypeScript kernel on the same memory layout (float32 multiply, then float32 add). */
export function tsKernel(memory: WebAssembly.Memory): AxpyPairs {
  const buf = memory.buffer;
  const F = new Float32Array(buf);
  const I = new Int32Array(buf);
  return (cube, cellBase, nz, spectra, cells, specs, weights, npairs, cellLo, cellHi) => {
    const c0 = cube >> 2, sp0 = spectra >> 2, ce0 = cells >> 2, ss0 = specs >> 2, w0 = weights >> 2;
    for (let p = 0; p < npairs; p++) {
      const c = I[ce0 + p]!;
      if (c < cellLo || c >= cellHi) continue;
      const s = I[ss0 + p]!;
      const w = F[w0 + p]!;
      const o = c0 + (c - cellBase) * nz;
      const so = sp0 + s * nz;
      for (let k = 0; k < nz; k++) F[o + k] = F[o + k]! + f(w * F[so + k]!);
    }
  };
}
