/**
 * Module worker of the gridder. One message sets it up ({memory, module, layout, consts, index});
 * it answers {ready: true} and then serves commands from the control block in the shared memory
 * (see executor.ts): for a chunk it computes the footprints, sorts the pairs and accumulates the
 * cells of its band of rows; for normalise it finishes its band of the cube. Errors are reported
 * by a message and the control block's error flag.
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
  let seen = 0; // SEQ starts at 0 in a fresh memory; every increment is a command to serve
  for (;;) {
    Atomics.wait(c, CTRL.SEQ, seen);
    const seq = Atomics.load(c, CTRL.SEQ);
    if (seq === seen) continue;
    seen = seq;
    const cmd = c[CTRL.CMD]!;
    if (cmd === CMD_QUIT) return;
    try {
      const lo = c[CTRL.BANDS + 2 * index]!, hi = c[CTRL.BANDS + 2 * index + 1]!;
      if (cmd === CMD_CHUNK && hi > lo) k.band(c[CTRL.SLOT]!, index, c[CTRL.N]!, lo, hi);
      else if (cmd === CMD_NORMALIZE && hi > lo) k.normalize(lo * L.nx, hi * L.nx, c[CTRL.EDGE]!);
    } catch (e) {
      Atomics.store(c, CTRL.ERROR, 1);
      scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
    Atomics.add(c, CTRL.DONE, 1);
    Atomics.notify(c, CTRL.DONE);
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
