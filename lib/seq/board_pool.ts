/**
 * A pool of board workers (board_worker.ts) for process_otf_map. Created before the map's IFPROC and
 * Cal data are read, so the workers load their modules while the calling thread is busy; {@link run}
 * then hands them the board jobs. Blocks of one board arrive in order.
 *
 * @module
 */
import type { BoardJob, BoardOutput } from "./board_job.ts";
import { hdf5Reader } from "../netcdf/hdf5_reader.ts";
import { SeqDataError } from "./errors.ts";
import type { RunningStats } from "./quality.ts";

interface WorkerMessage {
  block?: [number, number, number];
  rms?: number;
  data?: Float32Array;
  stats?: RunningStats;
  done?: boolean;
  error?: string;
}

/** Board workers, started at construction; {@link close} terminates them (safe to call twice). */
export class BoardPool {
  readonly #workers: Worker[] = [];

  /** Start `n` workers. */
  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      this.#workers.push(new Worker(new URL("./board_worker.ts", import.meta.url).href, { type: "module" }));
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Run the jobs (each worker takes the next job when done); `onJobDone` after each job. */
  run(jobs: BoardJob[], out: BoardOutput, onJobDone: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (jobs.length === 0) return resolve();
      let next = 0, finished = 0, failed = false;
      const fail = (e: unknown) => {
        failed = true;
        this.close();
        reject(e);
      };
      const start = (w: Worker) => {
        if (next < jobs.length) w.postMessage({ ...jobs[next++]!, hdf5Reader: hdf5Reader() });
      };
      for (const w of this.#workers) {
        w.onmessage = (ev: MessageEvent<WorkerMessage>) => {
          if (failed) return;
          const m = ev.data;
          try {
            if (m.block) out.block(m.block[0], m.block[1], m.block[2], m.data!);
            else if (m.rms !== undefined) out.rms(m.rms, m.data!, m.stats!);
            else if (m.error !== undefined) throw new SeqDataError(m.error);
            else if (m.done) {
              onJobDone();
              if (++finished === jobs.length) resolve();
              else start(w);
            }
          } catch (e) {
            fail(e);
          }
        };
        w.onerror = (ev: ErrorEvent) => {
          ev.preventDefault();
          if (!failed) fail(new SeqDataError(`board worker failed: ${ev.message}`));
        };
        start(w);
      }
    });
  }

  /** Terminate the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers.length = 0;
  }
}
