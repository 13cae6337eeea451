/**
 * The units of work the gridding threads share, and the control block through which they share
 * them (int32 words in the shared WebAssembly memory; no messages).
 *
 * Every published entry (a chunk of spectra in slot j % NSLOTS, or the final normalisation) is
 * split into B bands of map rows; unit u is band u % B of entry ⌊u / B⌋. Any thread (the calling
 * thread or a worker) takes the next unit with a compare-and-swap on one counter, so the threads
 * balance themselves whatever each one costs. Before working on band b of entry j a thread waits
 * until band b of entry j−1 is done (BAND_DONE[b] = j): every voxel and every weight-plane cell
 * therefore sees the spectra in file order, and the result is bit-identical for any number of
 * threads. Units are taken in order, so the band a unit waits for was taken B units earlier and has
 * normally finished.
 *
 * @module
 */
import { CTRL_WORDS, type GridKernels, MAX_BANDS, type MemoryLayout, NSLOTS } from "./axpy.ts";

/** Control block layout (int32 indices). */
export const CTRL = {
  /** Entries published so far (entry j uses slot j % NSLOTS). */
  PUBLISHED: 0,
  /** 1 once a thread failed (the others stop taking units). */
  ERROR: 1,
  /** Next unit to take. */
  NEXT: 2,
  /** Units finished so far (waited on by the calling thread). */
  FINISHED: 3,
  /** 1 when the workers must exit. */
  STOP: 4,
  /** Number of bands B. */
  NBANDS: 5,
  /** Entry of slot s: type at ENTRIES + 3s, then two arguments (see the entry types). */
  ENTRIES: 16,
  /** BAND_DONE + b: entries whose band b is done. */
  BAND_DONE: 32,
} as const;

if (CTRL.ENTRIES + 3 * NSLOTS > CTRL.BAND_DONE || CTRL.BAND_DONE + MAX_BANDS > CTRL_WORDS) {
  throw new Error("grid control block layout does not fit");
}

/**
 * Entry types and their arguments: a chunk of spectra in the slot (count); the normalisation
 * (edge); the first write to the cube's pages (none); FITS planes [k0, k0 + nb) into FITS buffer
 * buf (k0, nb + 65536·buf).
 */
export const CMD_CHUNK = 1, CMD_NORMALIZE = 2, CMD_TOUCH = 3, CMD_FITS = 4;

/** Publish entry j (in slot j % NSLOTS) to every thread. */
export function postEntry(c: Int32Array, j: number, type: number, arg: number, arg2 = 0): void {
  const e = CTRL.ENTRIES + 3 * (j % NSLOTS);
  c[e] = type;
  c[e + 1] = arg;
  c[e + 2] = arg2;
  Atomics.store(c, CTRL.PUBLISHED, j + 1);
  Atomics.notify(c, CTRL.PUBLISHED);
}

/** Row bounds of band b of B over ny rows (B nearly equal bands). */
export function bandRows(ny: number, nbands: number, b: number): [number, number] {
  return [Math.floor((ny * b) / nbands), Math.floor((ny * (b + 1)) / nbands)];
}

/** Bands of a run: about 8 per thread (small units balance well), at most one per row. */
export function bandCount(ny: number, threads: number): number {
  return Math.max(1, Math.min(ny, MAX_BANDS, threads <= 1 ? 1 : 8 * threads));
}

/**
 * Take the next unit of a published entry: its number, or −1 when there is none yet (and `block`
 * is false) or the run is stopping or has failed. With `block`, waits for an entry to be published.
 */
export function takeUnit(c: Int32Array, block: boolean): number {
  const nb = c[CTRL.NBANDS]!;
  for (;;) {
    if (Atomics.load(c, CTRL.STOP) !== 0 || Atomics.load(c, CTRL.ERROR) !== 0) return -1;
    const u = Atomics.load(c, CTRL.NEXT);
    const pub = Atomics.load(c, CTRL.PUBLISHED);
    if (Math.floor(u / nb) >= pub) {
      if (!block) return -1;
      Atomics.wait(c, CTRL.PUBLISHED, pub, 1000);
      continue;
    }
    if (Atomics.compareExchange(c, CTRL.NEXT, u, u + 1) === u) return u;
  }
}

/**
 * Work on unit `u` in lane `lane`: wait for the band's previous entry, process the band, mark it
 * done. A failure is flagged in the control block (the band is still marked done, so that no
 * thread waits for it forever) and rethrown.
 */
export function runUnit(k: GridKernels, L: MemoryLayout, c: Int32Array, lane: number, u: number): void {
  const nb = c[CTRL.NBANDS]!;
  const j = Math.floor(u / nb), b = u - j * nb;
  const at = CTRL.BAND_DONE + b;
  for (;;) {
    const d = Atomics.load(c, at);
    if (d >= j) break;
    Atomics.wait(c, at, d, 1000);
  }
  try {
    if (Atomics.load(c, CTRL.ERROR) === 0) {
      const slot = j % NSLOTS;
      const e = CTRL.ENTRIES + 3 * slot;
      const type = c[e]!, arg = c[e + 1]!, arg2 = c[e + 2]!;
      const [lo, hi] = bandRows(L.ny, nb, b);
      if (hi > lo) {
        if (type === CMD_CHUNK) k.band(slot, lane, arg, lo, hi);
        else if (type === CMD_NORMALIZE) k.normalize(lo * L.nx, hi * L.nx, arg);
        else if (type === CMD_TOUCH) k.touch(lo * L.nx, hi * L.nx);
        else if (type === CMD_FITS) k.fitsPlanes(arg, arg2 & 0xffff, arg2 >>> 16, lo, hi);
      }
    }
  } catch (e) {
    Atomics.store(c, CTRL.ERROR, 1);
    throw e;
  } finally {
    Atomics.store(c, at, j + 1);
    Atomics.notify(c, at);
    Atomics.add(c, CTRL.FINISHED, 1);
    Atomics.notify(c, CTRL.FINISHED);
  }
}

/** Entries whose every band is done. */
export function entriesDone(c: Int32Array): number {
  const nb = c[CTRL.NBANDS]!;
  let m = Infinity;
  for (let b = 0; b < nb; b++) m = Math.min(m, Atomics.load(c, CTRL.BAND_DONE + b));
  return m;
}
