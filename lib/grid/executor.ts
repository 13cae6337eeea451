/**
 * Runs the hot loop of the gridder on the shared memory: in-process (workers = 0) or split over N
 * module workers, each owning a band of cells per chunk (bands are balanced by pair count, and all
 * workers finish a chunk before the next one starts, so every voxel sees its spectra in file order
 * and the result does not depend on the number of workers).
 *
 * @module
 */
import {
  type AxpyPairs,
  createSharedMemory,
  type MemoryLayout,
  tsKernel,
  wasmKernel,
  wasmModule,
} from "./axpy.ts";
import { GridError } from "./errors.ts";

/** Options of {@link AxpyExecutor}. */
export interface ExecutorOptions {
  /** 0 = in the calling thread; N ≥ 1 = N module workers. */
  workers: number;
  /** "wasm" (default, falls back to "ts" when unavailable) or "ts". */
  kernel?: "wasm" | "ts";
}

/** Views on one chunk slot. */
export interface SlotViews {
  spectra: Float32Array;
  cells: Int32Array;
  specs: Int32Array;
  weights: Float32Array;
}

/** Owner of the shared memory and of the workers. Call {@link close} when done. */
export class AxpyExecutor {
  readonly layout: MemoryLayout;
  readonly memory: WebAssembly.Memory;
  readonly kernelName: "wasm" | "ts";
  readonly slots: SlotViews[];
  readonly cube: Float32Array;
  #local: AxpyPairs | null = null;
  #workers: Worker[] = [];
  #ready: Promise<void> = Promise.resolve();

  constructor(layout: MemoryLayout, o: ExecutorOptions) {
    this.layout = layout;
    this.memory = createSharedMemory(layout);
    const buf = this.memory.buffer;
    this.cube = new Float32Array(buf, layout.cube, layout.ncell * layout.nz);
    this.slots = layout.slots.map((s) => ({
      spectra: new Float32Array(buf, s.spectra, layout.chunk * layout.nz),
      cells: new Int32Array(buf, s.cells, layout.maxPairs),
      specs: new Int32Array(buf, s.specs, layout.maxPairs),
      weights: new Float32Array(buf, s.weights, layout.maxPairs),
    }));
    const module = o.kernel === "ts" ? null : wasmModule();
    this.kernelName = module !== null ? "wasm" : "ts";
    if (o.workers <= 0) {
      this.#local = (module !== null ? wasmKernel(this.memory, module) : null) ?? tsKernel(this.memory);
      return;
    }
    const inits: Promise<void>[] = [];
    for (let i = 0; i < o.workers; i++) {
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      this.#workers.push(w);
      inits.push(this.#call(w, { type: "init", memory: this.memory, module, layout }));
    }
    this.#ready = Promise.all(inits).then(() => {});
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
   * Apply the first `npairs` pairs of a slot. With workers, the cell range is split so that each
   * worker gets about the same number of pairs. Resolves when the whole chunk is done.
   */
  async run(slot: number, npairs: number): Promise<void> {
    const L = this.layout;
    const s = L.slots[slot]!;
    if (this.#local !== null) {
      this.#local(L.cube, 0, L.nz, s.spectra, s.cells, s.specs, s.weights, npairs, 0, L.ncell);
      return;
    }
    await this.#ready;
    const bounds = this.#balance(slot, npairs);
    await Promise.all(
      this.#workers.map((w, i) =>
        this.#call(w, { type: "run", slot, npairs, lo: bounds[i]!, hi: bounds[i + 1]! })
      ),
    );
  }

  #counts: Int32Array | null = null;

  #balance(slot: number, npairs: number): number[] {
    const L = this.layout;
    const n = this.#workers.length;
    if (n === 1) return [0, L.ncell];
    const counts = this.#counts ??= new Int32Array(L.ncell);
    counts.fill(0);
    const cells = this.slots[slot]!.cells;
    for (let p = 0; p < npairs; p++) counts[cells[p]!]!++;
    const bounds = [0];
    let acc = 0;
    let next = 1;
    for (let c = 0; c < L.ncell && next < n; c++) {
      acc += counts[c]!;
      while (next < n && acc >= (npairs * next) / n) {
        bounds.push(c + 1);
        next++;
      }
    }
    while (bounds.length < n) bounds.push(L.ncell);
    bounds.push(L.ncell);
    return bounds;
  }

  /** Terminate the workers. Safe to call twice. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
