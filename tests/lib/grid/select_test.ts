import assert from "node:assert/strict";
import { parseSampleList, rmsCutoffs, selectSpectra } from "../../../lib/grid/select.ts";

const f = Math.fround;

Deno.test("rmsCutoffs() negative cut: IQR-clipped mean + |cut|·std per pixel (float32)", () => {
  // pixel 0: 1..8 and an outlier 100; pixel 1: constant 2
  const vals0 = [1, 2, 3, 4, 5, 6, 7, 8, 100];
  const rms = new Float32Array([...vals0, 2, 2, 2]);
  const pix = new Int32Array([...vals0.map(() => 0), 1, 1, 1]);
  const cut = rmsCutoffs(rms, pix, [0, 1, 2], -2);
  // k = 9: Q1 = d[2] = 3, Q3 = d[6] = 7, IQR 4 → keep [−3, 13] → 1..8: mean 4.5, std sqrt(5.25)
  assert.ok(Math.abs(cut[0]! - (4.5 + 2 * Math.sqrt(5.25))) < 1e-5, `cut0 ${cut[0]}`);
  assert.equal(cut[1], 2);
  assert.equal(cut[2], -1); // no spectra
  assert.equal(cut[3], -1); // not in the list
});

Deno.test("rmsCutoffs() positive and zero cuts", () => {
  const rms = new Float32Array([1, 2, 3]);
  const pix = new Int32Array([0, 0, 1]);
  const c = rmsCutoffs(rms, pix, [0, 1], 2.5);
  assert.equal(c[0], f(2.5));
  assert.equal(c[1], -1); // pixel 1 has no RMS below the cut
  const z = rmsCutoffs(rms, pix, [0, 1], 0);
  assert.equal(z[0], -1);
});

Deno.test("selectSpectra() pixel list, strict RMS > cut rejection, sample blanking counts all spectra", () => {
  const rms = new Float32Array([1, 5, 1, 1, 1, 1]);
  const pix = new Int32Array([0, 0, 0, 0, 1, 2]);
  const cutoffs = new Float32Array(64).fill(-1);
  cutoffs[0] = 1;
  cutoffs[1] = 1;
  const use = selectSpectra(rms, pix, { pixList: [0, 1], cutoffs, blank: parseSampleList([0, 2, 2]) });
  // spectrum 1 rejected by RMS (5 > 1) but still counted: spectrum 2 is seq 2 of pixel 0 → blanked
  assert.deepEqual([...use], [1, 0, 0, 1, 1, 0]);
});

Deno.test("parseSampleList() triples; -1 and -1,0,0 mean none; others are errors", () => {
  assert.deepEqual(parseSampleList([-1]), []);
  assert.deepEqual(parseSampleList([-1, 0, 0]), []);
  assert.deepEqual(parseSampleList([3, 10, 20]), [{ pixel: 3, s0: 10, s1: 20 }]);
  assert.throws(() => parseSampleList([3, 10]), RangeError);
});
