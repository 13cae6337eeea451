/**
 * Runs the gridder's hot loops on the shared memory. The calling thread reads the spectra of each
 * chunk into one of NSLOTS slots (a ring); the chunk is then processed (footprints, sort by cell,
 * accumulation) either at once in the calling thread (workers = 0) or by N module workers, each
 * owning a band of map rows chosen so that the bands hold about the same number of
 * (cell, spectrum) pairs over the whole input file. Every worker takes the chunks in order, so every
 * voxel (and every weight-plane cell) sees its spectra in file order and the result does not
 * depend on the number of workers. Workers do not wait for each other: the calling thread only
 * waits when it needs a slot that some worker has not finished, and at the end of each file (where
 * the bands may change) and of the run.
 *
 * Signalling uses a control block in the shared memory (Atomics.wait / notify in the workers,
 * Atomics.waitAsync in the calling thread), not messages: a chunk costs microseconds.
 *
 * @module
 */
import {
  createSharedMemory,
  CTRL_WORDS,
  ENTRY_WORDS,
  FITS_BLOCK,
  type GridKernels,
  type KernelConsts,
  type MemoryLayout,
  NSLOTS,
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

/** Control block layout (int32 indices into the block at layout.ctrl). */
export const CTRL = {
  /** Entries published so far (entry j uses slot j % NSLOTS). */
  PUBLISHED: 0,
  /** Set to 1 by a worker that failed. */
  ERROR: 1,
  /** Entries worker i has finished: PROGRESS + i. */
  PROGRESS: 16,
  /** Entry of slot s at ENTRIES + s·ENTRY_WORDS: type, n (spectra) or edge, then rowLo/rowHi per worker. */
  ENTRIES: 16 + 64,
} as const;

/** Entry types. */
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
  /** Entries published (chunks and commands). */
  #published = 0;
  /** Row bands of the workers for the chunks published next. */
  #bands: number[];

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
    this.#bands = equalBands(L.ny, Math.max(1, nWorkers));
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
    // wake a waiting caller: mark the error and count every entry as done by every worker
    Atomics.store(this.#ctrl, CTRL.ERROR, 1);
    for (let i = 0; i < this.nWorkers; i++) {
      Atomics.store(this.#ctrl, CTRL.PROGRESS + i, 0x3fffffff);
      Atomics.notify(this.#ctrl, CTRL.PROGRESS + i);
    }
    reject?.(new GridError(`gridding worker failed: ${message}`));
  }

  /**
   * Row bands for `n` workers balanced for spectra whose nearest cells are (ixs[s], iys[s]),
   * s < count: each spectrum weighs its clipped footprint width on each row it reaches.
   * Returns n+1 row bounds.
   */
  balancedBands(ixs: ArrayLike<number>, iys: ArrayLike<number>, count: number, n = this.nWorkers): number[] {
    const L = this.layout, nc1 = this.#nc1;
    if (n <= 1) return [0, L.ny];
    const h = this.#rowHist;
    h.fill(0);
    let total = 0;
    for (let s = 0; s < count; s++) {
      const ix = ixs[s]!, iy = iys[s]!;
      const wx = Math.min(ix + nc1, L.nx - 1) - Math.max(ix - nc1, 0) + 1;
      const y0 = Math.max(iy - nc1, 0), y1 = Math.min(iy + nc1, L.ny - 1);
      for (let y = y0; y <= y1; y++) h[y] += wx;
      total += wx * (y1 - y0 + 1);
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
   * Use these row bands (n+1 bounds, from {@link balancedBands}) for the chunks published next.
   * Waits until the workers have finished every published chunk (a row must not change owner
   * while an earlier chunk of it is still being processed).
   */
  async setBands(bounds: number[]): Promise<void> {
    if (this.nWorkers === 0) return;
    if (bounds.length !== this.nWorkers + 1 || bounds[0] !== 0 || bounds[this.nWorkers] !== this.layout.ny) {
      throw new RangeError(`bad row bands [${bounds.join(",")}]`);
    }
    await this.drain();
    this.#bands = bounds.slice();
  }

  /**
   * The slot for the next chunk, once every worker has finished the chunk that last used it. Fill
   * its views, then call {@link publish}.
   */
  async acquire(): Promise<number> {
    const j = this.#published;
    if (this.nWorkers > 0 && j >= NSLOTS) await this.#waitProgress(j - NSLOTS + 1);
    return j % NSLOTS;
  }

  /**
   * Process the first `n` spectra of the slot returned by the last {@link acquire}: at once in
   * the calling thread, or handed to the workers (returns immediately; see {@link drain}).
   */
  publish(slot: number, n: number): void {
    const L = this.layout;
    if (n > L.chunk) throw new RangeError(`chunk of ${n} spectra exceeds ${L.chunk}`);
    if (slot !== this.#published % NSLOTS) throw new RangeError(`slot ${slot} was not acquired`);
    if (n === 0) return;
    if (this.nWorkers === 0) {
      this.#kernels.band(slot, 0, n, 0, L.ny);
      return;
    }
    this.#post(CMD_CHUNK, n, this.#bands);
  }

  /** Wait until the workers have finished everything published. */
  async drain(): Promise<void> {
    if (this.nWorkers === 0) return;
    await this.#waitProgress(this.#published);
  }

  /** Normalise the cube (cube /= W where W > 0 and the cell is kept, else NaN); waits for it. */
  async normalize(edge: number): Promise<void> {
    const L = this.layout;
    if (this.nWorkers === 0) {
      this.#kernels.normalize(0, L.ncell, edge);
      return;
    }
    await this.drain(); // its bands differ from the chunks' bands: every chunk must be done first
    await this.acquire();
    this.#post(CMD_NORMALIZE, edge, equalBands(L.ny, this.nWorkers));
    await this.drain();
  }

  /** Write the entry of the next slot and publish it. The slot must have been acquired. */
  #post(type: number, arg: number, bands: number[]): void {
    const c = this.#ctrl;
    const e = CTRL.ENTRIES + (this.#published % NSLOTS) * ENTRY_WORDS;
    c[e] = type;
    c[e + 1] = arg;
    for (let i = 0; i < this.nWorkers; i++) {
      c[e + 2 + 2 * i] = bands[i]!;
      c[e + 3 + 2 * i] = bands[i + 1]!;
    }
    this.#published++;
    Atomics.store(c, CTRL.PUBLISHED, this.#published);
    Atomics.notify(c, CTRL.PUBLISHED);
  }

  /** Wait until every worker has finished `count` entries; throws if a worker failed. */
  async #waitProgress(count: number): Promise<void> {
    await this.#ready;
    const c = this.#ctrl;
    for (let i = 0; i < this.nWorkers; i++) {
      for (;;) {
        const d = Atomics.load(c, CTRL.PROGRESS + i);
        if (d >= count) break;
        const r = Atomics.waitAsync(c, CTRL.PROGRESS + i, d);
        if (r.async) await r.value;
      }
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
      // workers blocked in Atomics.wait are released by a quit entry (the slot's previous user may
      // still be running after an error; the entry is only read once a worker gets there)
      const c = this.#ctrl;
      const e = CTRL.ENTRIES + (this.#published % NSLOTS) * ENTRY_WORDS;
      c[e] = CMD_QUIT;
      this.#published++;
      Atomics.store(c, CTRL.PUBLISHED, this.#published);
      Atomics.notify(c, CTRL.PUBLISHED);
    }
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}

/** n+1 bounds splitting rows [0, ny) into n nearly equal bands. */
export function equalBands(ny: number, n: number): number[] {
  const b: number[] = [];
  for (let i = 0; i <= n; i++) b.push(Math.floor((ny * i) / n));
  return b;
}
