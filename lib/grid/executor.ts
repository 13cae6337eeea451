/**
 * Runs the gridder's hot loops on the shared memory. The calling thread reads the spectra of a
 * chunk into a slot; the chunk is then processed (footprints, sort by cell, accumulation) either
 * in the calling thread (workers = 0) or by N module workers, each taking a band of map rows that
 * holds about the same number of (cell, spectrum) pairs. All workers finish a chunk before the
 * next one starts, so every voxel sees its spectra in file order and the result does not depend on
 * the number of workers. While the workers process chunk n, the calling thread reads chunk n+1
 * into the other slot.
 *
 * Workers are signalled through a control block in the shared memory (Atomics.wait / notify in
 * the workers, Atomics.waitAsync in the calling thread), not by messages: a chunk costs
 * microseconds of synchronisation.
 *
 * @module
 */
import {
  createSharedMemory,
  CTRL_WORDS,
  FITS_BLOCK,
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
  /** 0 = in the calling thread; N ≥ 1 = N module workers (at most 64). */
  workers: number;
  /** "wasm" (default, falls back to "ts" when unavailable) or "ts". */
  kernel?: "wasm" | "ts";
}

/** Views on one chunk slot (what the caller fills before {@link GridExecutor.run}). */
export interface SlotViews {
  spectra: Float32Array;
  xs: Float32Array;
  ys: Float32Array;
  rws: Float32Array;
  ts: Float32Array;
  ixs: Int32Array;
  iys: Int32Array;
}

/** Control block words (int32 indices into the block at layout.ctrl). */
export const CTRL = {
  /** Command sequence number: workers wait for it to change. */
  SEQ: 0,
  /** 1 = chunk, 2 = normalise, 3 = quit. */
  CMD: 1,
  SLOT: 2,
  /** Spectra in the slot. */
  N: 3,
  /** Workers done with the current command. */
  DONE: 4,
  /** Set to 1 by a worker that failed. */
  ERROR: 5,
  EDGE: 6,
  /** Rows of worker i: [BANDS + 2i, BANDS + 2i + 1) = rowLo, rowHi. */
  BANDS: 16,
} as const;

/** Worker commands. */
export const CMD_CHUNK = 1, CMD_NORMALIZE = 2, CMD_QUIT = 3;

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
  readonly nWorkers: number;
  #kernels: GridKernels;
  #ctrl: Int32Array;
  #workers: Worker[] = [];
  #ready: Promise<void> = Promise.resolve();
  #failure: string | null = null;
  #rowHist: Float64Array;
  #nc1: number;

  /**
   * @param layout memory plan ({@link planMemory}) with one lane per worker (at least one)
   * @param consts kernel footprint and table step
   * @param init cell centres of the X and Y axes and the kernel table (copied in)
   */
  constructor(
    layout: MemoryLayout,
    consts: KernelConsts,
    init: { caX: Float32Array; caY: Float32Array; table: Float32Array },
    o: ExecutorOptions,
  ) {
    const nWorkers = Math.max(0, Math.floor(o.workers));
    if (nWorkers > 64) throw new RangeError(`at most 64 gridding workers, got ${nWorkers}`);
    if (layout.lanes.length < Math.max(1, nWorkers)) {
      throw new RangeError(`memory plan has ${layout.lanes.length} lanes for ${nWorkers} workers`);
    }
    this.nWorkers = nWorkers;
    this.layout = layout;
    this.memory = createSharedMemory(layout);
    const buf = this.memory.buffer;
    const L = layout;
    this.cube = new Float32Array(buf, L.cube, L.ncell * L.nz);
    this.W = new Float32Array(buf, L.W, L.ncell);
    this.T = new Float32Array(buf, L.T, L.ncell);
    this.M = new Uint8Array(buf, L.M, L.ncell);
    this.#ctrl = new Int32Array(buf, L.ctrl, CTRL_WORDS);
    this.#rowHist = new Float64Array(L.ny);
    this.#nc1 = consts.nCells;
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
    }));
    const module = o.kernel === "ts" ? null : wasmModule();
    this.kernelName = module !== null ? "wasm" : "ts";
    this.#kernels = (module !== null ? wasmKernels(this.memory, L, consts, module) : null) ??
      tsKernels(this.memory, L, consts);
    if (nWorkers > 0) {
      const inits: Promise<void>[] = [];
      for (let i = 0; i < nWorkers; i++) {
        const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
        this.#workers.push(w);
        inits.push(
          new Promise<void>((resolve, reject) => {
            w.onmessage = (ev: MessageEvent<{ ready?: boolean; error?: string }>) => {
              if (ev.data.error !== undefined) this.#fail(ev.data.error, reject);
              else resolve();
            };
            w.onerror = (ev: ErrorEvent) => {
              ev.preventDefault();
              this.#fail(ev.message, reject);
            };
          }),
        );
        w.postMessage({ memory: this.memory, module, layout, consts, index: i });
      }
      this.#ready = Promise.all(inits).then(() => {});
      this.#ready.catch(() => {}); // reported by run()
    }
  }

  #fail(message: string, reject?: (e: Error) => void): void {
    this.#failure ??= message;
    // wake a waiting run(): count every worker as done
    Atomics.store(this.#ctrl, CTRL.ERROR, 1);
    Atomics.store(this.#ctrl, CTRL.DONE, this.nWorkers);
    Atomics.notify(this.#ctrl, CTRL.DONE);
    reject?.(new GridError(`gridding worker failed: ${message}`));
  }

  /**
   * Split rows [0, ny) into `n` bands with about equal numbers of pairs for the first `count`
   * spectra of a slot (each spectrum weighs its clipped footprint width on each row it reaches).
   */
  bands(slot: number, count: number, n: number): number[] {
    const L = this.layout, nc1 = this.#nc1;
    if (n <= 1) return [0, L.ny];
    const h = this.#rowHist;
    h.fill(0);
    const S = this.slots[slot]!;
    let total = 0;
    for (let s = 0; s < count; s++) {
      const ix = S.ixs[s]!, iy = S.iys[s]!;
      const wx = Math.min(ix + nc1, L.nx - 1) - Math.max(ix - nc1, 0) + 1;
      const y1 = Math.min(iy + nc1, L.ny - 1);
      for (let y = Math.max(iy - nc1, 0); y <= y1; y++) h[y] += wx;
      total += wx * (y1 - Math.max(iy - nc1, 0) + 1);
    }
    const bounds = [0];
    let acc = 0, y = 0;
    for (let i = 1; i < n; i++) {
      const target = (total * i) / n;
      while (y < L.ny && acc + h[y]! / 2 < target) acc += h[y++]!;
      bounds.push(Math.max(y, bounds[i - 1]!));
    }
    bounds.push(L.ny);
    return bounds;
  }

  /**
   * Process the first `n` spectra of a slot (footprints, W/T/M planes, accumulation). In-process
   * this completes before returning; with workers it resolves when all workers are done.
   */
  async run(slot: number, n: number): Promise<void> {
    const L = this.layout;
    if (n > L.chunk) throw new RangeError(`chunk of ${n} spectra exceeds ${L.chunk}`);
    if (n === 0) return;
    if (this.nWorkers === 0) {
      this.#kernels.band(slot, 0, n, 0, L.ny);
      return;
    }
    const b = this.bands(slot, n, this.nWorkers);
    await this.#dispatch(CMD_CHUNK, (c) => {
      c[CTRL.SLOT] = slot;
      c[CTRL.N] = n;
      for (let i = 0; i < this.nWorkers; i++) {
        c[CTRL.BANDS + 2 * i] = b[i]!;
        c[CTRL.BANDS + 2 * i + 1] = b[i + 1]!;
      }
    });
  }

  /** Normalise the cube (cube /= W where W > 0 and the cell is kept, else NaN). */
  async normalize(edge: number): Promise<void> {
    const L = this.layout;
    if (this.nWorkers === 0) {
      this.#kernels.normalize(0, L.ncell, edge);
      return;
    }
    await this.#dispatch(CMD_NORMALIZE, (c) => {
      c[CTRL.EDGE] = edge;
      for (let i = 0; i < this.nWorkers; i++) {
        c[CTRL.BANDS + 2 * i] = Math.floor((L.ny * i) / this.nWorkers);
        c[CTRL.BANDS + 2 * i + 1] = Math.floor((L.ny * (i + 1)) / this.nWorkers);
      }
    });
  }

  async #dispatch(cmd: number, set: (c: Int32Array) => void): Promise<void> {
    await this.#ready;
    const c = this.#ctrl;
    if (this.#failure !== null) throw new GridError(`gridding worker failed: ${this.#failure}`);
    set(c);
    c[CTRL.CMD] = cmd;
    Atomics.store(c, CTRL.DONE, 0);
    Atomics.add(c, CTRL.SEQ, 1);
    Atomics.notify(c, CTRL.SEQ);
    for (;;) {
      const d = Atomics.load(c, CTRL.DONE);
      if (d >= this.nWorkers) break;
      const r = Atomics.waitAsync(c, CTRL.DONE, d);
      if (r.async) await r.value;
    }
    if (Atomics.load(c, CTRL.ERROR) !== 0) {
      throw new GridError(`gridding worker failed: ${this.#failure ?? "error in a worker"}`);
    }
  }

  /**
   * Channels [k0, k0+nb) (nb ≤ FITS_BLOCK) as nb planes in FITS order (NAXIS1 = X flipped): a view
   * of the shared memory, valid until the next call. Call after {@link normalize}.
   */
  fitsPlanes(k0: number, nb: number): Float32Array {
    const L = this.layout;
    if (nb > FITS_BLOCK || k0 < 0 || k0 + nb > L.nz) throw new RangeError(`bad plane block ${k0}+${nb}`);
    this.#kernels.fitsPlanes(k0, nb);
    return new Float32Array(this.memory.buffer, L.fits, nb * L.ncell);
  }

  /** Stop and terminate the workers. Safe to call twice. */
  close(): void {
    if (this.#workers.length > 0) {
      const c = this.#ctrl;
      c[CTRL.CMD] = CMD_QUIT;
      Atomics.add(c, CTRL.SEQ, 1);
      Atomics.notify(c, CTRL.SEQ);
    }
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
