/**
 * Runs the gridder's hot loops on the shared memory. The calling thread computes the footprints
 * of a chunk and sorts its pairs by cell ({@link GridExecutor.prepare}); the accumulation
 * ({@link GridExecutor.run}) runs in-process (workers = 0) or split over N module workers, each
 * owning a contiguous range of cells holding about the same number of pairs. All workers finish a
 * chunk before the next one starts, so every voxel sees its spectra in file order and the result
 * does not depend on the number of workers. While the workers accumulate chunk n, the calling
 * thread reads and prepares chunk n+1 in the other slot.
 *
 * @module
 */
import {
  createSharedMemory,
  type GridKernels,
  type KernelConsts,
  type MemoryLayout,
  tsKernels,
  wasmKernels,
  wasmModule,
} from "./axpy.ts";
import { GridError } from "./errors.ts";

/** Options of {@link GridExecutor}. */
export interface ExecutorOptions {
  /** 0 = in the calling thread; N ≥ 1 = N module workers. */
  workers: number;
  /** "wasm" (default, falls back to "ts" when unavailable) or "ts". */
  kernel?: "wasm" | "ts";
}

/** Views on one chunk slot (what the caller fills before {@link GridExecutor.prepare}). */
export interface SlotViews {
  spectra: Float32Array;
  xs: Float32Array;
  ys: Float32Array;
  rws: Float32Array;
  ts: Float32Array;
  ixs: Int32Array;
  iys: Int32Array;
  /** ncell+1 pair offsets per cell after prepare(). */
  start: Int32Array;
}

/** Owner of the shared memory and of the workers. Call {@link close} when done. */
export class GridExecutor {
  readonly layout: MemoryLayout;
  readonly memory: WebAssembly.Memory;
  readonly kernelName: "wasm" | "ts";
  readonly slots: SlotViews[];
  /** cube[cell·nz + k] (a view of the shared memory). */
  readonly cube: Float32Array;
  /** Weight, Tsys and mask planes (views of the shared memory). */
  readonly W: Float32Array;
  readonly T: Float32Array;
  readonly M: Uint8Array;
  #kernels: GridKernels;
  #nWorkers: number;
  #workers: Worker[] = [];
  #ready: Promise<void> = Promise.resolve();

  /**
   * @param layout memory plan ({@link planMemory})
   * @param consts kernel footprint and table step
   * @param centres cell centres of the X and Y axes, table the kernel table (copied in)
   */
  constructor(
    layout: MemoryLayout,
    consts: KernelConsts,
    init: { caX: Float32Array; caY: Float32Array; table: Float32Array },
    o: ExecutorOptions,
  ) {
    this.layout = layout;
    this.memory = createSharedMemory(layout);
    const buf = this.memory.buffer;
    const L = layout;
    this.cube = new Float32Array(buf, L.cube, L.ncell * L.nz);
    this.W = new Float32Array(buf, L.W, L.ncell);
    this.T = new Float32Array(buf, L.T, L.ncell);
    this.M = new Uint8Array(buf, L.M, L.ncell);
    new Float32Array(buf, L.caX, L.nx).set(init.caX);
    new Float32Array(buf, L.caY, L.ny).set(init.caY);
    new Float32Array(buf, L.table, L.npts).set(init.table);
    this.slots = L.slots.map((s) => ({
      spectra: new Float32Array(buf, s.spectra, L.chunk * L.nz),
      xs: new Float32Array(buf, s.xs, L.chunk),
      ys: new Float32Array(buf, s.ys, L.chunk),
      rws: new Float32Array(buf, s.rws, L.chunk),
      ts: new Float32Array(buf, s.ts, L.chunk),
      ixs: new Int32Array(buf, s.ixs, L.chunk),
      iys: new Int32Array(buf, s.iys, L.chunk),
      start: new Int32Array(buf, s.start, L.ncell + 1),
    }));
    const module = o.kernel === "ts" ? null : wasmModule();
    this.kernelName = module !== null ? "wasm" : "ts";
    this.#kernels = (module !== null ? wasmKernels(this.memory, L, consts, module) : null) ??
      tsKernels(this.memory, L, consts);
    this.#nWorkers = Math.max(0, Math.floor(o.workers));
    if (this.#nWorkers > 0) {
      const inits: Promise<void>[] = [];
      for (let i = 0; i < this.#nWorkers; i++) {
        const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
        this.#workers.push(w);
        inits.push(this.#call(w, { type: "init", memory: this.memory, module, layout, consts }));
      }
      this.#ready = Promise.all(inits).then(() => {});
      this.#ready.catch(() => {}); // reported by run()
    }
  }

  #call(w: Worker, msg: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      w.onmessage = (ev: MessageEvent<{ done?: boolean; error?: string }>) => {
        if (ev.data.error !== undefined) reject(new GridError(`gridding worker failed: ${ev.data.error}`));
        else resolve();
      };
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        reject(new GridError(`gridding worker failed: ${ev.message}`));
      };
      w.postMessage(msg);
    });
  }

  /**
   * Footprints of the first `n` spectra of a slot (updating the W/T/M planes in order) and their
   * pairs sorted by cell. Returns the number of pairs. Runs in the calling thread.
   */
  prepare(slot: number, n: number): number {
    if (n > this.layout.chunk) throw new RangeError(`chunk of ${n} spectra exceeds ${this.layout.chunk}`);
    const np = this.#kernels.footprints(slot, n);
    this.#kernels.sortPairs(slot, np);
    return np;
  }

  /** Accumulate a prepared slot into the cube. Resolves when the whole chunk is done. */
  async run(slot: number, npairs: number): Promise<void> {
    const L = this.layout;
    if (npairs === 0) return;
    if (this.#nWorkers === 0) {
      this.#kernels.accumulate(slot, 0, L.ncell);
      return;
    }
    await this.#ready;
    const bounds = balance(this.slots[slot]!.start, L.ncell, this.#workers.length);
    await Promise.all(
      this.#workers.map((w, i) => this.#call(w, { type: "run", slot, lo: bounds[i]!, hi: bounds[i + 1]! })),
    );
  }

  /** Terminate the workers. Safe to call twice. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}

/**
 * Split cells [0, ncell) into n contiguous ranges with about equal numbers of pairs, from the
 * per-cell pair offsets `start` (ncell+1 entries). Returns n+1 bounds.
 */
export function balance(start: Int32Array, ncell: number, n: number): number[] {
  const total = start[ncell]!;
  const bounds = [0];
  for (let i = 1; i < n; i++) {
    const target = (total * i) / n;
    let lo = bounds[i - 1]!, hi = ncell; // first c with start[c] >= target
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (start[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    const prev = bounds[i - 1]!;
    if (lo > prev && target - start[lo - 1]! < start[lo]! - target) lo--; // nearer boundary
    bounds.push(lo);
  }
  bounds.push(ncell);
  return bounds;
}
