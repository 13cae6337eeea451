/**
 * Module worker of the gridder: applies the pairs of one chunk whose cells lie in its band
 * [lo, hi) to the shared cube. Messages: `init` {memory, module, layout}, `run` {slot, npairs, lo, hi}
 * → reply {done: true} (or {error}).
 * @module
 */
import { type AxpyPairs, type MemoryLayout, tsKernel, wasmKernel } from "./axpy.ts";

let kernel: AxpyPairs | null = null;
let layout: MemoryLayout | null = null;

interface InitMsg {
  type: "init";
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  layout: MemoryLayout;
}
interface RunMsg {
  type: "run";
  slot: number;
  npairs: number;
  lo: number;
  hi: number;
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (ev: MessageEvent<InitMsg | RunMsg>) => {
  try {
    const m = ev.data;
    if (m.type === "init") {
      layout = m.layout;
      kernel = (m.module !== null ? wasmKernel(m.memory, m.module) : null) ?? tsKernel(m.memory);
      scope.postMessage({ done: true });
      return;
    }
    const L = layout!;
    const s = L.slots[m.slot]!;
    kernel!(L.cube, 0, L.nz, s.spectra, s.cells, s.specs, s.weights, m.npairs, m.lo, m.hi);
    scope.postMessage({ done: true });
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
