/**
 * Module worker of the gridder. One message sets it up ({@link WorkerInit}); it then takes units
 * of the published entries from the control block of the shared memory (lib/grid/units.ts) until
 * told to stop. A failure is flagged in the control block and reported by a message.
 * @module
 */
import { CTRL_WORDS, tsKernels, wasmKernels } from "./axpy.ts";
import type { WorkerInit } from "./executor.ts";
import { runUnit, takeUnit } from "./units.ts";

/** The worker's global scope, as far as this thread uses it (Deno types `self` as a window). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerInit>) => void | Promise<void>) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
};

scope.onmessage = (ev: MessageEvent<WorkerInit>) => {
  try {
    const m = ev.data;
    const k = (m.module !== null ? wasmKernels(m.memory, m.layout, m.consts, m.module) : null) ??
      tsKernels(m.memory, m.layout, m.consts);
    const c = new Int32Array(m.memory.buffer, m.layout.ctrl, CTRL_WORDS);
    for (;;) {
      const u = takeUnit(c, true);
      if (u < 0) break;
      runUnit(k, m.layout, c, m.lane, u);
    }
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
