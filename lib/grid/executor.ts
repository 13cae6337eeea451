/**
 * Runs the gridder's hot loops on the shared memory, in the calling thread and in optional module
 * workers. The calling thread reads the spectra of each chunk into one of NSLOTS slots (a ring) and
 * publishes it; every chunk is split into bands of map rows (lib/grid/units.ts), and all threads,
 * the calling one included, take these units from one counter. The calling thread reads ahead while
 * a slot is free and otherwise works on units, so reading, worker start-up and gridding overlap and
 * the threads balance themselves; the result does not depend on the number of threads.
 *
 * Workers are started by the constructor and join as soon as they are ready (a Deno worker costs
 * its creator ~15 ms; its own start-up runs in parallel). The calling thread never needs them:
 * with workers still loading it grids on its own. The first entry writes to every page of the cube
 * (see {@link CMD_TOUCH}); the last ones turn the cube into FITS planes ({@link forEachFitsBlock}).
 *
 * @module
 */
import {
  createSharedMemory,
  CTRL_WORDS,
  type GridKernels,
  type KernelConsts,
  type MemoryLayout,
  NSLOTS,
  tsKernels,
  wasmKernels,
  wasmModule,
} from "./axpy.ts";
import { GridError } from "./errors.ts";
import {
  bandCount,
  CMD_CHUNK,
  CMD_FITS,
  CMD_NORMALIZE,
  CMD_TOUCH,
  CTRL,
  entriesDone,
  postEntry,
  runUnit,
  takeUnit,
} from "./units.ts";

/** Options of {@link GridExecutor}. */
export interface ExecutorOptions {
  /** Threads gridding at once: the calling thread plus threads − 1 module workers (at most 64). */
  threads: number;
  /** "wasm" (default, falls back to "ts" when unavailable) or "ts". */
  kernel?: "wasm" | "ts";
  /**
   * Workers started earlier by {@link startGridWorkers} (taken over: the executor terminates them);
   * missing ones are started by the executor.
   */
  started?: Worker[];
}

/**
 * Start `count` gridding workers now, e.g. before the inputs are opened, so that their own
 * start-up (~20 ms) overlaps that work; hand them to the executor (ExecutorOptions.started), or
 * terminate them. Each costs the calling thread ~15 ms.
 */
export function startGridWorkers(count: number): Worker[] {
  const out: Worker[] = [];
  for (let i = 0; i < count; i++) {
    out.push(new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" }));
  }
  return out;
}

/** Views on one chunk slot (what the caller fills before {@link GridExecutor.publish}). */
export interface SlotViews {
  spectra: Float32Array;
  xs: Float32Array;
  ys: Float32Array;
  rws: Float32Array;
  ts: Float32Array;
  ixs: Int32Array;
  iys: Int32Array;
}

/** What a worker is sent once. */
export interface WorkerInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  layout: MemoryLayout;
  consts: KernelConsts;
  /** Its lane (1..threads−1; the calling thread uses lane 0). */
  lane: number;
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
  readonly threads: number;
  #kernels: GridKernels;
  #ctrl: Int32Array;
  #workers: Worker[] = [];
  #failure: string | null = null;
  /** Entries published (chunks and commands). */
  #published = 0;
  /** Entries the calling thread may have in flight before it reads the next chunk. */
  #ahead: number;

  /**
   * @param layout memory plan ({@link planMemory}) with one lane per thread
   * @param consts kernel footprint and table step
   * @param init cell centres of the X and Y axes and the kernel table (copied in)
   */
  constructor(
    layout: MemoryLayout,
    consts: KernelConsts,
    init: { caX: Float32Array; caY: Float32Array; table: Float32Array },
    o: ExecutorOptions,
  ) {
    const threads = Math.max(1, Math.floor(o.threads));
    if (threads > 64) throw new RangeError(`at most 64 gridding threads, got ${threads}`);
    if (layout.lanes.length < threads) {
      throw new RangeError(`memory plan has ${layout.lanes.length} lanes for ${threads} threads`);
    }
    this.threads = threads;
    this.layout = layout;
    this.memory = createSharedMemory(layout);
    const buf = this.memory.buffer;
    const L = layout;
    this.cube = new Float32Array(buf, L.cube, L.ncell * L.nz);
    this.W = new Float32Array(buf, L.W, L.ncell);
    this.T = new Float32Array(buf, L.T, L.ncell);
    this.M = new Uint8Array(buf, L.M, L.ncell);
    this.#ctrl = new Int32Array(buf, L.ctrl, CTRL_WORDS);
    this.#ctrl[CTRL.NBANDS] = bandCount(L.ny, threads);
    // alone, grid each chunk at once (it is still in the cache); with workers, read ahead
    this.#ahead = threads === 1 ? 1 : NSLOTS;
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
    // Entry 0: the first access to each page of the cube and planes is a write. Left to the
    // gridding, a page is first read (mapped to the zero page) and then written, and the kernel
    // replaces it under a TLB shoot-down of every CPU running the process: in a virtual machine
    // that cost the threads more time than the gridding of a small map.
    this.#post(CMD_TOUCH, 0);
    const started = o.started ?? [];
    for (const w of started.splice(threads - 1)) w.terminate(); // more than needed
    started.push(...startGridWorkers(threads - 1 - started.length));
    for (let lane = 1; lane < threads; lane++) {
      const w = started[lane - 1]!;
      this.#workers.push(w);
      w.onmessage = (ev: MessageEvent<{ error?: string }>) => {
        if (ev.data.error !== undefined) this.#failure ??= ev.data.error;
      };
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        this.#failure ??= ev.message;
        Atomics.store(this.#ctrl, CTRL.ERROR, 1);
        Atomics.notify(this.#ctrl, CTRL.FINISHED);
      };
      const msg: WorkerInit = { memory: this.memory, module, layout, consts, lane };
      w.postMessage(msg);
    }
  }

  /**
   * The slot for the next chunk, once the chunk that last used it is gridded (working on units
   * meanwhile). Fill its views, then call {@link publish}.
   */
  async acquire(): Promise<number> {
    const j = this.#published;
    await this.#until(() => entriesDone(this.#ctrl) >= j - this.#ahead + 1);
    return j % NSLOTS;
  }

  /** Grid the first `n` spectra of the slot returned by the last {@link acquire} (returns at once). */
  publish(slot: number, n: number): void {
    const L = this.layout;
    if (n > L.chunk) throw new RangeError(`chunk of ${n} spectra exceeds ${L.chunk}`);
    if (slot !== this.#published % NSLOTS) throw new RangeError(`slot ${slot} was not acquired`);
    if (n === 0) return;
    this.#kernels.finiteFlags(slot, n);
    this.#post(CMD_CHUNK, n);
  }

  /** Wait (working) until everything published is done. */
  async drain(): Promise<void> {
    const j = this.#published;
    await this.#until(() => entriesDone(this.#ctrl) >= j);
  }

  /** Normalise the cube (cube /= W where W > 0 and the cell is kept, else NaN); waits for it. */
  async normalize(edge: number): Promise<void> {
    await this.acquire();
    this.#post(CMD_NORMALIZE, edge);
    await this.drain();
  }

  #post(type: number, arg: number, arg2 = 0): void {
    postEntry(this.#ctrl, this.#published, type, arg, arg2);
    this.#published++;
  }

  /**
   * Hand the normalised cube to `emit` as the big-endian bytes of FITS planes (NAXIS1 = X flipped),
   * in order, in blocks of up to layout.fitsBlock planes. The blocks are transposed by all threads
   * into two buffers, one filled while the other is emitted; a block is valid until `emit` returns.
   * Call after {@link normalize}.
   */
  async forEachFitsBlock(emit: (bytes: Uint8Array) => void): Promise<void> {
    const L = this.layout;
    const blocks: { k0: number; nb: number; entry: number }[] = [];
    for (let k0 = 0; k0 < L.nz; k0 += L.fitsBlock) {
      blocks.push({ k0, nb: Math.min(L.fitsBlock, L.nz - k0), entry: -1 });
    }
    const post = async (i: number) => {
      const b = blocks[i]!;
      await this.acquire();
      b.entry = this.#published;
      this.#post(CMD_FITS, b.k0, b.nb + 65536 * (i % 2));
    };
    for (let i = 0; i < Math.min(2, blocks.length); i++) await post(i);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      await this.#until(() => entriesDone(this.#ctrl) > b.entry);
      emit(new Uint8Array(this.memory.buffer, L.fits + (i % 2) * L.fitsBytes, b.nb * L.ncell * 4));
      if (i + 2 < blocks.length) await post(i + 2);
    }
  }

  /** Work on units until `done()` holds; wait when every published unit is taken. */
  async #until(done: () => boolean): Promise<void> {
    const c = this.#ctrl;
    for (;;) {
      if (Atomics.load(c, CTRL.ERROR) !== 0) await this.#throwFailure();
      if (done()) return;
      const u = takeUnit(c, false);
      if (u >= 0) {
        try {
          runUnit(this.#kernels, this.layout, c, 0, u);
        } catch (e) {
          this.#failure ??= e instanceof Error ? e.message : String(e);
        }
        continue;
      }
      const seen = Atomics.load(c, CTRL.FINISHED);
      if (!done() && Atomics.load(c, CTRL.ERROR) === 0) Atomics.wait(c, CTRL.FINISHED, seen, 100);
    }
  }

  async #throwFailure(): Promise<never> {
    // a worker's message may still be on its way
    for (let i = 0; i < 20 && this.#failure === null; i++) await new Promise((r) => setTimeout(r, 5));
    throw new GridError(`gridding failed: ${this.#failure ?? "error in a worker"}`);
  }

  /** Stop and terminate the workers. Safe to call twice. */
  close(): void {
    if (this.#workers.length > 0) {
      Atomics.store(this.#ctrl, CTRL.STOP, 1);
      Atomics.notify(this.#ctrl, CTRL.PUBLISHED);
    }
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
