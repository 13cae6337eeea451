/**
 * lib/seq/switched_products.ts and switched_plots.ts (what process_bs/process_ps write), and the
 * numerics they rest on: npMeanRows (np.mean(axis=0)), edgeRange/trimEdges, the Bs text header.
 * Real numbers: numpy's own results, the original process_bs output on the sample Bs obsnum, and the
 * truth of noise-free generated Ps data.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { npMeanRows } from "../../../lib/num/npstats.ts";
import { stringifyBsSpectrum } from "../../../lib/formats/spectrum.ts";
import { reduceBs } from "../../../lib/seq/bs.ts";
import { reducePs } from "../../../lib/seq/ps.ts";
import { SeqDataError } from "../../../lib/seq/errors.ts";
import {
  bsProducts,
  bsSdfitsRows,
  edgeRange,
  psProducts,
  psSdfitsRows,
  SWITCHED_EDGE,
  trimEdges,
} from "../../../lib/seq/switched_products.ts";
import { generateSeqPs } from "../../../lib/sim/seq_ps.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";
import { expectedPs, maxAbsDiff, truthVlsr } from "./_ps_model.ts";

const PNG = [0x89, 0x50, 0x4e, 0x47];

function dataRows(text: string): number[][] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(/ +/).map(Number));
}

Deno.test("npMeanRows is np.mean(rows, axis=0): numpy's values, NaN kept, -0 mean +0", () => {
  // python3: np.mean(np.array([[1.5,2,nan,1e16,0.1],[2.25,-2,1,1,0.2],[0.125,0.2,0.3,-1e16,0.3]]), axis=0)
  const m = npMeanRows([
    [1.5, 2, NaN, 1e16, 0.1],
    [2.25, -2, 1, 1, 0.2],
    [0.125, 0.2, 0.3, -1e16, 0.3],
  ]);
  assert.deepEqual(Array.from(m), [1.2916666666666667, 0.06666666666666667, NaN, 0, 0.20000000000000004]);
  // np.mean(np.array([[-0.0], [-0.0]]), axis=0) -> [0.0] (the sum starts at +0)
  assert.ok(Object.is(npMeanRows([[-0], [-0]])[0], 0));
  // one row: itself
  assert.deepEqual(Array.from(npMeanRows([Float64Array.of(3.25, -1e-300)])), [3.25, -1e-300]);
  assert.throws(() => npMeanRows([]), RangeError);
  assert.throws(() => npMeanRows([[1, 2], [1]]), /unequal length 1 and 2/);
});

Deno.test("edgeRange/trimEdges drop the 64 (or given) edge channels, and refuse when none are left", () => {
  assert.equal(SWITCHED_EDGE, 64);
  assert.deepEqual(edgeRange(2048), [64, 1984]);
  assert.deepEqual(edgeRange(129), [64, 65]);
  assert.deepEqual(edgeRange(10, 3), [3, 7]);
  assert.deepEqual(Array.from(trimEdges(Float64Array.from({ length: 10 }, (_, i) => i * 0.5), 3)), [
    1.5,
    2,
    2.5,
    3,
  ]);
  const a = Float64Array.of(9, 8, 7, 6, 5);
  const t = trimEdges(a, 1);
  t[0] = -1; // a view, not a copy
  assert.equal(a[1], -1);
  assert.throws(() => edgeRange(128), SeqDataError);
  assert.throws(
    () => edgeRange(128),
    /^SeqDataError: 128 channels: nothing left after dropping 64 on each side$/,
  );
  assert.throws(() => trimEdges(new Float64Array(6), 3), /6 channels: nothing left after dropping 3/);
});

Deno.test("stringifyBsSpectrum names the first column as given (no patch of its output)", () => {
  assert.equal(
    stringifyBsSpectrum([8.8805e10], [0.5], [190.125], [181.5], "fsky"),
    "# fsky  TA(K)   Tsys1  Tsys2\n8.8805e+10 0.5  190.125 181.5\n",
  );
  assert.equal(stringifyBsSpectrum([], [], [], []), "# vlsr  TA(K)   Tsys1  Tsys2\n");
});

Deno.test({
  name:
    "bsProducts: the original's Bs text byte for byte (one obsnum and the mean of a repeat), SDFITS rows, plots",
  ignore: needsSamples(),
  async fn(t) {
    const root = sample("seq", "data_lmt");
    const ref = readFileSync(sample("seq", "reference_outputs", "SAMPLE-BS_97003__0.txt"), "utf8");
    const opts = { root, bank: 0, useCal: true, stype: 2 as const, block: -1 };
    const r = await reduceBs({ ...opts, obsnums: [97003], pixList: [10, 8] });
    const p = bsProducts(r, { obsnums: [97003], bank: 0, stype: 2 });

    await t.step("text and range", () => {
      assert.deepEqual(p.range, [64, r.x.length - 64]);
      assert.equal(p.text(), ref);
      assert.equal(dataRows(ref).length, r.x.length - 128);
    });

    await t.step("the same obsnum twice: the mean is the spectrum itself (x+x)/2 = x", async () => {
      const r2 = await reduceBs({ ...opts, obsnums: [97003, 97003], pixList: [10, 8] });
      assert.equal(bsProducts(r2, { obsnums: [97003, 97003], bank: 0, stype: 2 }).text(), ref);
      assert.equal(r2.perObs.length, 2);
    });

    await t.step("FSKY: the header names the axis, the other columns are unchanged", async () => {
      const rf = await reduceBs({ ...opts, obsnums: [97003], pixList: [10, 8], xAxis: "FSKY" });
      const text = bsProducts(rf, { obsnums: [97003], bank: 0, stype: 2 }).text();
      assert.ok(text.startsWith("# fsky  TA(K)   Tsys1  Tsys2\n"));
      const a = dataRows(text), b = dataRows(ref);
      assert.equal(a.length, b.length);
      for (let i = 0; i < a.length; i += 97) assert.deepEqual(a[i]!.slice(1), b[i]!.slice(1));
      // sky frequency (Hz) of the line at each channel's VLSR, but for the observatory's motion towards
      // the source (measured -3.1 km/s for this obsnum; any bug of frame or unit is far beyond 5 km/s)
      const f0 = rf.perObs[0]!.obs.header.lineFreq[0]! * 1e9;
      for (const i of [0, 900, a.length - 1]) {
        const rel = a[i]![0]! / (f0 * (1 - b[i]![0]! / 299792.458)) - 1;
        assert.ok(Math.abs(rel) < 5 / 299792.458, `channel ${i + 64}: ${rel}`);
      }
    });

    await t.step("SDFITS rows: ON beam, TA, Tsys the mean of the two beams, both beams' ON time", () => {
      const rows = bsSdfitsRows(r);
      assert.equal(rows.length, 1);
      const row = rows[0]!, obs = r.perObs[0]!.obs;
      const b8 = obs.pixels.find((q) => q.pixel === 8)!, b10 = obs.pixels.find((q) => q.pixel === 10)!;
      assert.equal(row.pixel, r.main);
      assert.equal(row.spectrum, r.perObs[0]!.ta);
      for (const c of [64, 500, 1000, 1983]) assert.equal(row.tsys[c], (b8.tsys[c]! + b10.tsys[c]!) / 2);
      // the printed Tsys columns (pixels 8 and 10, %g) agree with the row's mean to 6 digits
      const printed = dataRows(ref)[1000 - 64]!;
      const mean = (printed[2]! + printed[3]!) / 2;
      assert.ok(Math.abs(row.tsys[1000]! - mean) <= 1e-5 * mean, `${row.tsys[1000]} vs ${mean}`);
      assert.equal(row.exposure, (b8.nOn + b10.nOn) * obs.dumpTime);
      assert.equal(p.sdfits().rows.length, 1);
    });

    await t.step("plots are PNGs (average and per block)", async () => {
      const png = await p.plot();
      assert.deepEqual(Array.from(png.subarray(0, 4)), PNG);
      const blocks = await bsProducts(r, { obsnums: [97003], bank: 0, stype: 2, perBlock: true }).plot();
      assert.deepEqual(Array.from(blocks.subarray(0, 4)), PNG);
      assert.notDeepEqual(blocks, png);
    });
  },
});

Deno.test("psProducts on noise-free generated Ps data: columns against the truth, TA the mean of the beams", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = join(dir, "data_lmt");
    const truth = await generateSeqPs(root, {
      obsnum0: 97260,
      nchan: 512,
      bandwidthMHz: 200,
      noiseScale: 0,
      gainDriftFrac: 0,
    });
    const pixList = [11, 9, 10];
    const r = await reducePs({ root, obsnums: [97261], pixList, bank: 0, useCal: true, dumps: true });
    const p = psProducts(r, { obsnums: [97261], bank: 0 });
    assert.deepEqual(p.range, [64, 448]);
    const text = p.text();
    const lines = text.split("\n");
    assert.equal(lines[0], "# vlsr  TA(K) Tsys(K) (<3 beams>) beam1 beam2 ...");
    assert.equal(lines[1], "#      512 channels - 2 * 64 edge)");
    const rows = dataRows(text);
    assert.equal(rows.length, 384);
    const exp = [9, 10, 11].map((px) => expectedPs(truth, px));
    const col = (j: number) => Float64Array.from(rows, (row) => row[j]!);
    // x: channel 64.. of the bank's VLSR axis (%g: 6 significant digits)
    for (const i of [0, 200, 383]) {
      const v = truthVlsr(truth, 0, 64 + i);
      assert.ok(Math.abs(rows[i]![0]! - v) <= 5e-6 * Math.abs(v) + 1e-9, `${rows[i]![0]} vs ${v}`);
    }
    // beams in ascending pixel order against the truth, TA against the truth's mean
    const tol = 1e-3; // measured: ≤ 3.0e-4 K per pixel, 1.9e-4 K for TA (noise-free data)
    for (let j = 0; j < 3; j++) {
      const e = exp[j]!.subarray(64, 448);
      assert.ok(maxAbsDiff(col(3 + j), e) < tol, `pixel ${[9, 10, 11][j]}: ${maxAbsDiff(col(3 + j), e)}`);
    }
    const eTa = npMeanRows(exp.map((e) => e.subarray(64, 448)));
    assert.ok(maxAbsDiff(col(1), eTa) < tol, `TA: ${maxAbsDiff(col(1), eTa)}`);
    // TA is exactly the mean of the spectra before printing
    const ta = npMeanRows(r.spectra.map((s) => s.spectrum));
    assert.deepEqual(Array.from(r.ta), Array.from(ta));
    // SDFITS: one row per pixel, its ON time; waterfall: one plane per pixel, 384 channels
    const sd = psSdfitsRows(r);
    assert.deepEqual(sd.map((s) => s.pixel), [9, 10, 11]);
    for (const [k, s] of sd.entries()) assert.equal(s.exposure, r.spectra[k]!.onTime);
    const wf = p.waterfall("history");
    assert.equal(wf.shape[1], 384);
    assert.equal(wf.shape[2], 3);
    assert.equal(p.waterfallTitle, "Ps 97261 bank 0: ON dumps, pixels 9 10 11");
    assert.deepEqual(Array.from((await p.plot()).subarray(0, 4)), PNG);
  } finally {
    cleanup();
  }
});
