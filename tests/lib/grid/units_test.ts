import assert from "node:assert/strict";
import { CTRL_WORDS, type GridKernels, type MemoryLayout, planMemory } from "../../../lib/grid/axpy.ts";
import {
  bandCount,
  bandRows,
  CMD_CHUNK,
  CMD_NORMALIZE,
  CTRL,
  entriesDone,
  postEntry,
  runUnit,
  takeUnit,
} from "../../../lib/grid/units.ts";

/** A control block and a kernel set that records what it is asked to do. */
function fixture(nbands: number, fail?: (slot: number, lo: number) => boolean) {
  const L: MemoryLayout = planMemory({ nx: 5, ny: 11, nz: 3, npts: 8, chunk: 4, pairsPerSpectrum: 9 });
  const c = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
  c[CTRL.NBANDS] = nbands;
  const calls: string[] = [];
  const k = {
    band: (slot: number, lane: number, n: number, lo: number, hi: number) => {
      if (fail?.(slot, lo)) throw new Error(`kernel failed on slot ${slot}`);
      calls.push(`band s${slot} l${lane} n${n} rows ${lo}-${hi}`);
      return 1;
    },
    normalize: (lo: number, hi: number, edge: number) => calls.push(`norm cells ${lo}-${hi} edge ${edge}`),
  } as unknown as GridKernels;
  const publish = (j: number, type: number, arg: number) => postEntry(c, j, type, arg);
  return { L, c, k, calls, publish };
}

Deno.test("bandRows() partitions the rows; bandCount() is 1 for one thread and ~8 per thread otherwise", () => {
  for (const [ny, nb] of [[11, 3], [73, 16], [5, 5], [7, 1]] as const) {
    let prev = 0;
    for (let b = 0; b < nb; b++) {
      const [lo, hi] = bandRows(ny, nb, b);
      assert.equal(lo, prev);
      assert.ok(hi > lo, `band ${b} of ${nb} over ${ny} rows is empty`);
      prev = hi;
    }
    assert.equal(prev, ny);
  }
  assert.equal(bandCount(73, 1), 1);
  assert.equal(bandCount(73, 2), 16);
  assert.equal(bandCount(10, 4), 10); // at most one band per row
});

Deno.test("takeUnit() hands out the bands of published entries once each, in order", () => {
  const { c, publish } = fixture(3);
  assert.equal(takeUnit(c, false), -1); // nothing published
  publish(0, CMD_CHUNK, 4);
  assert.deepEqual([takeUnit(c, false), takeUnit(c, false), takeUnit(c, false)], [0, 1, 2]);
  assert.equal(takeUnit(c, false), -1);
  publish(1, CMD_CHUNK, 2);
  assert.equal(takeUnit(c, false), 3);
  c[CTRL.STOP] = 1;
  assert.equal(takeUnit(c, true), -1); // stopping: even a blocking take returns
});

Deno.test("runUnit() runs a band of a chunk or of the normalisation and marks it done", () => {
  const { L, c, k, calls, publish } = fixture(3);
  publish(0, CMD_CHUNK, 4);
  publish(1, CMD_NORMALIZE, 1);
  for (let u = 0; u < 6; u++) runUnit(k, L, c, u % 2, u);
  assert.deepEqual(calls, [
    "band s0 l0 n4 rows 0-3",
    "band s0 l1 n4 rows 3-7",
    "band s0 l0 n4 rows 7-11",
    "norm cells 0-15 edge 1", // rows 0-3 of 5 cells
    "norm cells 15-35 edge 1",
    "norm cells 35-55 edge 1",
  ]);
  assert.equal(entriesDone(c), 2);
  assert.equal(c[CTRL.FINISHED], 6);
});

Deno.test("runUnit() waits until the band's previous entry is done (file order per voxel)", async () => {
  const { L, c, k, calls, publish } = fixture(2);
  publish(0, CMD_CHUNK, 4);
  publish(1, CMD_CHUNK, 3);
  // a worker takes unit 2 (band 0 of entry 1) before unit 0 (band 0 of entry 0) is done
  const code = `
    import { runUnit } from ${JSON.stringify(new URL("../../../lib/grid/units.ts", import.meta.url).href)};
    self.onmessage = (e) => {
      const { c, L } = e.data;
      const calls = [];
      // what the band sees: band 0 of entry 0 must already be marked done (BAND_DONE[0] = 1)
      const k = { band: (s, l, n, lo, hi) => { calls.push("worker s" + s + " rows " + lo + "-" + hi + " after " + Atomics.load(c, ${CTRL.BAND_DONE})); return 1; } };
      self.postMessage("ready");
      runUnit(k, L, c, 1, 2);
      self.postMessage(calls);
    };`;
  const w = new Worker(`data:application/javascript,${encodeURIComponent(code)}`, { type: "module" });
  try {
    const msgs: unknown[] = [];
    let wake = () => {};
    w.onmessage = (e) => {
      msgs.push(e.data);
      wake();
    };
    const next = async (count: number) => {
      while (msgs.length < count) await new Promise<void>((r) => (wake = r));
    };
    w.postMessage({ c, L });
    await next(1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(msgs.length, 1, "the worker must wait for band 0 of entry 0");
    assert.equal(Atomics.load(c, CTRL.BAND_DONE), 0);
    runUnit(k, L, c, 0, 0);
    await next(2);
    assert.deepEqual(msgs[1], ["worker s1 rows 0-5 after 1"]);
    assert.deepEqual(calls, ["band s0 l0 n4 rows 0-5"]);
    assert.equal(Atomics.load(c, CTRL.BAND_DONE), 2);
  } finally {
    w.terminate();
  }
});

Deno.test("a failing unit flags the error, still marks its band done, and stops further takes", () => {
  const { L, c, k, publish } = fixture(2, (slot, lo) => slot === 0 && lo > 0);
  publish(0, CMD_CHUNK, 4);
  runUnit(k, L, c, 0, takeUnit(c, false));
  assert.throws(() => runUnit(k, L, c, 0, takeUnit(c, false)), /kernel failed on slot 0/);
  assert.equal(c[CTRL.ERROR], 1);
  assert.equal(entriesDone(c), 1);
  publish(1, CMD_CHUNK, 4);
  assert.equal(takeUnit(c, false), -1);
});
