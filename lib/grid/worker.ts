/**
 * Module worker of the gridder: accumulates the sorted pairs of one chunk whose cells lie in its
 * range [lo, hi) into the shared cube. Messages: `init` {memory, module, layout, consts},
 * `run` {slot, lo, hi} → reply {done: true} (or {error}).
 * @module
 */
import { type GridKernels, type KernelConsts, type MemoryLayout, tsKernels, wasmKernels } from "./axpy.ts";

let kernels: GridKernels | null = null;

interface InitMsg {
  type: "init";
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
  layout: MemoryLayout;
  consts: KernelConsts;
}
interface RunMsg {
  type: "run";
  slot: number;
  lo: number;
  hi: number;
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (ev: MessageEvent<InitMsg | RunMsg>) => {
  try {
    const m = ev.data;
    if (m.type === "init") {
      kernels = (m.module !== null ? wasmKernels(m.memory, m.layout, m.consts, m.module) : null) ??
        tsKernels(m.memory, m.layout, m.consts);
      scope.postMessage({ done: true });
      return;
    }
    kernels!.accumulate(m.slot, m.lo, m.hi);
    scope.postMessage({ done: true });
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
