/**
 * Module worker of the gridder. One message sets it up ({memory, module, layout, consts, index});
 * it answers {ready: true} and then serves the entries published in the control block of the
 * shared memory, in order (see executor.ts): for a chunk it computes the footprints, sorts the
 * pairs and accumulates the cells of its band of rows; for normalise it finishes its band of the
 * cube. After each entry it advances its progress counter. Errors set the error flag and are also
 * reported by a message.
 * @module
 */
import {
  CTRL_WORDS,
  type GridKernels,
  type KernelConsts,
  type MemoryLayout,
  tsKernels,
  wasmKernels,
} from "./axpy.ts";
import { CMD_CHUNK, CMD_NORMALIZE, CMD_QUIT, CTRL } from "./executor.ts";
import { ENTRY_WORDS, NSLOTS } from "./axpy.ts";

interface InitMsg {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  layout: MemoryLayout;
  consts: KernelConsts;
  index: number;
}

// deno-lint-ignore no-explicit-any
const scope = self as any;

function serve(k: GridKernels, L: MemoryLayout, c: Int32Array, index: number): void {
  for (let j = 0;; j++) {
    while (Atomics.load(c, CTRL.PUBLISHED) <= j) Atomics.wait(c, CTRL.PUBLISHED, j);
    const slot = j % NSLOTS;
    const e = CTRL.ENTRIES + slot * ENTRY_WORDS;
    const type = c[e]!;
    if (type === CMD_QUIT) return;
    try {
      const lo = c[e + 2 + 2 * index]!, hi = c[e + 3 + 2 * index]!;
      if (Atomics.load(c, CTRL.ERROR) === 0 && hi > lo) {
        if (type === CMD_CHUNK) k.band(slot, index, c[e + 1]!, lo, hi);
        else if (type === CMD_NORMALIZE) k.normalize(lo * L.nx, hi * L.nx, c[e + 1]!);
      }
    } catch (e) {
      Atomics.store(c, CTRL.ERROR, 1);
      scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
    Atomics.store(c, CTRL.PROGRESS + index, j + 1);
    Atomics.notify(c, CTRL.PROGRESS + index);
  }
}

scope.onmessage = (ev: MessageEvent<InitMsg>) => {
  try {
    const m = ev.data;
    const k = (m.module !== null ? wasmKernels(m.memory, m.layout, m.consts, m.module) : null) ??
      tsKernels(m.memory, m.layout, m.consts);
    const c = new Int32Array(m.memory.buffer, m.layout.ctrl, CTRL_WORDS);
    scope.postMessage({ ready: true });
    setTimeout(() => serve(k, m.layout, c, m.index), 0);
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
