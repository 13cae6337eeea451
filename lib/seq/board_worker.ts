/**
 * Worker entry for parallel OTF reduction: receives {@link BoardJob}s, opens the roach file itself
 * and posts the spectra blocks (transferred), the RMS vectors and a done/error message per job.
 *
 * Messages out: `{ block: [pixel, row0, n], data }`, `{ rms: pixel, data, stats }`, `{ done: true }`,
 * `{ error: message }`.
 * @module
 */
import { openNetcdf } from "../netcdf/mod.ts";
import { type BoardJob, runBoardJob } from "./board_job.ts";
import { openRoach } from "./roach.ts";

/** The worker's global scope, as far as this thread uses it (Deno types `self` as a window). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<BoardJob>) => void | Promise<void>) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
};

scope.onmessage = async (ev: MessageEvent<BoardJob>) => {
  const job = ev.data;
  try {
    const nc = await openNetcdf(job.path, job.hdf5Reader);
    try {
      const board = openRoach(nc, job.roach);
      runBoardJob(job, board, {
        block(pixel, row0, n, data) {
          const copy = data.slice();
          scope.postMessage({ block: [pixel, row0, n], data: copy }, [copy.buffer]);
        },
        rms(pixel, data, stats) {
          const copy = data.slice();
          scope.postMessage({ rms: pixel, data: copy, stats }, [copy.buffer, stats.sample.buffer]);
        },
      });
    } finally {
      nc.close();
    }
    scope.postMessage({ done: true });
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
