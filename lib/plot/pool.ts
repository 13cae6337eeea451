/**
 * The plot-rendering threads: Vega-Lite → SVG and SVG → PNG run on worker threads
 * (lib/plot/_render_worker.ts), never on the main thread.
 *
 * Why: rasterizing and encoding a page costs 30-150 ms of CPU, and a reduction draws dozens (an RSR obsnum
 * ~25 pages). On the main thread that time adds up; on a worker it overlaps the next computation on the
 * machine's other core, and pages awaited together render side by side.
 *
 * Invariants:
 * - A job's result depends only on the job (the threads hold no state but loaded modules), so the bytes are
 *   the same whichever thread renders them and however many there are.
 * - Idle threads end {@link IDLE_MS} after the last job (a program that does not call Deno.exit ends then);
 *   while any job is queued or running they stay, so an awaited page is never lost. The tools and the
 *   pipeline end with Deno.exit and do not wait for that.
 * - A thread that dies fails its job with the reason; the next job starts a new thread.
 *
 * The threads are Web Workers: starting one costs the main thread ~30 ms, a node:worker_threads Worker ~80 ms.
 *
 * @module
 */
import type { PlotImageOpts } from "./mod.ts";
import type { PlotStackOpts } from "./stack.ts";

/**
 * A rendering job: a Vega-Lite spec to SVG, an SVG to PNG at a scale, a spec straight to PNG, a heat map
 * (lib/plot/mod.ts plotImage) or a stack of line panels (lib/plot/stack.ts) to PNG.
 */
export type RenderJob =
  | { kind: "svg"; spec: Record<string, unknown> }
  | { kind: "png"; svg: string; scale: number }
  | { kind: "spec-png"; spec: Record<string, unknown>; scale: number }
  | { kind: "stack-png"; opts: PlotStackOpts; scale: number }
  | { kind: "image-png"; opts: PlotImageOpts; scale: number }
  | { kind: "warm"; vega: boolean };

/** A job as sent to a thread (the `id` is set by the pool). */
export type RenderRequest = RenderJob & { id: number };

type Job = { req: RenderRequest; resolve: (v: string | Uint8Array) => void; reject: (e: Error) => void };

interface Thread {
  worker: Worker;
  job: Job | null;
  /** It has run a job that needs vega (so vega is loaded there). */
  vega: boolean;
}

/**
 * Two threads by default (fewer on a one-core machine): with the main thread that keeps two cores busy while
 * the main thread computes, and both render when it waits (at a summary page, or at a tool's end).
 */
const THREADS = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
const threads: Thread[] = [];
const queue: Job[] = [];
let nextId = 1;
/** How long idle threads are kept for the next job (ms). */
const IDLE_MS = 1000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function spawn(): Thread {
  const worker = new Worker(new URL("./_render_worker.ts", import.meta.url).href, { type: "module" });
  const t: Thread = { worker, job: null, vega: false };
  worker.onmessage = (e: MessageEvent<{ id: number; value?: string | Uint8Array; error?: string }>) => {
    const m = e.data;
    const job = t.job;
    if (job === null || job.req.id !== m.id) return;
    t.job = null;
    if (m.error !== undefined) job.reject(new Error(m.error));
    else job.resolve(m.value!);
    dispatch();
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault(); // the thread's failure is its job's, not the program's
    const i = threads.indexOf(t);
    if (i >= 0) threads.splice(i, 1);
    worker.terminate();
    const job = t.job;
    t.job = null;
    job?.reject(new Error(`plot rendering thread failed: ${e.message}`));
    dispatch();
  };
  threads.push(t);
  return t;
}

/** End the threads when nothing is queued or running for {@link IDLE_MS}. */
function endWhenIdle(): void {
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (queue.length > 0 || threads.some((t) => t.job !== null) || threads.length === 0) return;
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    if (queue.length > 0 || threads.some((t) => t.job !== null)) return;
    for (const t of threads.splice(0)) t.worker.terminate();
  }, IDLE_MS);
  Deno.unrefTimer(Number(idleTimer)); // the timer alone keeps no program alive (a timer id is a number in Deno)
}

/** Jobs that need vega (a Vega-Lite spec). */
function usesVega(r: RenderRequest): boolean {
  return r.kind === "svg" || r.kind === "spec-png" || r.kind === "image-png" || (r.kind === "warm" && r.vega);
}

/**
 * The thread for a job, or undefined to leave it queued. Vega takes ~0.3 s of CPU to load in a thread, so
 * its jobs all go to the one thread that loaded it (they wait for it rather than load it again); the others
 * go to any idle thread, a thread without vega first.
 */
function threadFor(r: RenderRequest): Thread | undefined {
  const idle = threads.filter((t) => t.job === null);
  const fresh = () => (threads.length < THREADS ? spawn() : undefined);
  if (usesVega(r)) {
    const v = threads.find((t) => t.vega);
    if (v !== undefined) return v.job === null ? v : undefined;
    return idle[0] ?? fresh();
  }
  return idle.find((t) => !t.vega) ?? idle[0] ?? fresh();
}

function dispatch(): void {
  for (let i = 0; i < queue.length;) {
    const job = queue[i]!;
    const t = threadFor(job.req);
    if (t === undefined) {
      i++;
      continue;
    }
    queue.splice(i, 1);
    t.job = job;
    if (usesVega(job.req)) t.vega = true;
    t.worker.postMessage(job.req);
  }
  endWhenIdle();
}

/** Run one rendering job on a thread; resolves with the SVG text or the PNG bytes. */
export function render(job: RenderJob & { kind: "svg" }): Promise<string>;
export function render(job: Exclude<RenderJob, { kind: "svg" }>): Promise<Uint8Array>;
export function render(job: RenderJob): Promise<string | Uint8Array> {
  return new Promise((resolve, reject) => {
    // a copy now: the caller may change its arrays once the call has returned, before a thread takes the job
    queue.push({ req: structuredClone({ ...job, id: nextId++ }), resolve, reject });
    dispatch();
  });
}

/**
 * Start the rendering threads now and let them load the rasterizer and the fonts (and, with `vega`, vega on
 * one of them), so that the first pages of a program that will draw many (the pipeline) do not wait for that.
 * Vega is loaded on demand otherwise: the RSR plots do not use it.
 */
export function warmRenderThreads(opts: { vega?: boolean } = {}): void {
  for (let i = threads.length; i < THREADS; i++) {
    render({ kind: "warm", vega: opts.vega === true && i === 0 }).catch(() => {/* a real job reports it */});
  }
}
