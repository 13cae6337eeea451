/**
 * reducePs() / reduceSwitchedObs() against the truth of generated Ps data (lib/sim/seq_ps.ts):
 * noise-free runs reproduce baseline + peak·φ(v) per pixel, noisy runs give the line within its errors.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateSeqPs, type SeqPsOptions } from "../../../lib/sim/seq_ps.ts";
import { reducePs } from "../../../lib/seq/ps.ts";
import { fitGaussian } from "../../../lib/num/gaussfit.ts";
import { tempDir } from "../../_helpers.ts";
import { expectedPs, maxAbsDiff, truthVlsr } from "./_ps_model.ts";

const SMALL: Omit<SeqPsOptions, "obsnum0"> = { nchan: 512, bandwidthMHz: 200 };
const NOISE_FREE = { noiseScale: 0, gainDriftFrac: 0 };
/**
 * Noise-free tolerance: the block means are float32 sums as the original's (50 dumps × 6e-8 × Tsys ≈
 * 6e-4 K at worst; 2.6e-4 K seen); everything else (Tsys 280·SKY/(HOT−SKY), ratios) agrees to 1e-5 K.
 */
const NF_ATOL = 1e-3;

Deno.test("reducePs() on noise-free Ps data equals baseline + peak·φ(v) for every pixel", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const truth = await generateSeqPs(dir, { obsnum0: 97010, ...SMALL, ...NOISE_FREE });
    const warns: string[] = [];
    const pix = [11, 6, 10, 9, 0];
    const r = await reducePs({
      root: dir,
      obsnums: [97011],
      pixList: pix,
      bank: 0,
      useCal: true,
      warn: (m) => warns.push(m),
    });
    await t.step("spectra in ascending pixel order, each equal to the truth model", () => {
      assert.deepEqual(r.spectra.map((s) => s.pixel), [0, 6, 9, 10, 11]);
      for (const s of r.spectra) {
        const d = maxAbsDiff(s.spectrum, expectedPs(truth, s.pixel), 64, 448);
        assert.ok(d < NF_ATOL, `pixel ${s.pixel}: max |Δ| ${d} K`);
      }
      // the truth really differs between pixels: the on-source pixel and its neighbours
      const peak = (p: number) => truth.pixels.find((q) => q.pixel === p)!.peak_K;
      assert.ok(peak(10) > 1.1 && peak(6) > 0.1 && peak(9) > 0.05 && peak(0) < 1e-6);
      assert.deepEqual(warns, []);
    });
    await t.step("TA is the unweighted mean, Tsys is the lowest pixel's, x is the bank's VLSR axis", () => {
      for (const c of [100, 253, 254, 400]) {
        const m = r.spectra.reduce((a, s) => a + s.spectrum[c]!, 0) / r.spectra.length;
        assert.ok(Math.abs(r.ta[c]! - m) < 1e-15, `TA[${c}]`);
        assert.ok(Math.abs(r.x[c]! - truthVlsr(truth, 0, c)) < 1e-9, `x[${c}]`);
      }
      const t0 = truth.pixels.find((q) => q.pixel === 0)!.tsys_K;
      assert.ok(maxAbsDiff(r.tsys, new Float64Array(512).fill(t0)) < 1e-3 * t0);
      assert.equal(r.axisName, "VLSR");
    });
    await t.step("4 ON/REF block pairs, all 200 ON and 200 REF dumps kept (switches between dumps)", () => {
      for (const s of r.spectra) {
        assert.equal(s.blocks.length, 4);
        assert.equal(s.nOn, 200);
        assert.equal(s.nRef, 200);
        assert.ok(Math.abs(s.onTime - 20) < 1e-9);
      }
      const o = r.obs[0]!;
      assert.equal(o.header.obsPgm, "Ps");
      assert.equal(o.header.calObsNum, 97010);
      // times for an SDFITS writer: the Ps starts 20 s after its 4 s Cal and lasts 4 × (5 + 5) + 0.05 s
      assert.equal(o.startTime, truth.t_start_unix);
      assert.ok(Math.abs(o.endTime - o.startTime - 40.05) < 0.008, `duration ${o.endTime - o.startTime}`);
    });
  } finally {
    cleanup();
  }
});

Deno.test("reducePs() with switches on dump mid-times drops the straddling dumps and stays exact", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // each switch falls on a dump's mid-time: that dump mixes ON and REF; its time stamp lies in the
    // 8 ms gap between the two BufPos segments, so the alignment drops it (and the first and last dump)
    const truth = await generateSeqPs(dir, { obsnum0: 97020, ...SMALL, ...NOISE_FREE, switchOffsetS: 0 });
    const r = await reducePs({ root: dir, obsnums: [97021], pixList: [10, 6], bank: 0, useCal: true });
    for (const s of r.spectra) {
      assert.equal(s.nOn, 4 * 49);
      assert.equal(s.nRef, 4 * 49);
      const d = maxAbsDiff(s.spectrum, expectedPs(truth, s.pixel), 64, 448);
      assert.ok(d < NF_ATOL, `pixel ${s.pixel}: max |Δ| ${d} K`);
    }
  } finally {
    cleanup();
  }
});

Deno.test("reducePs() on noisy Ps data: peak, centre and FWHM of the line within their errors", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const truth = await generateSeqPs(dir, { obsnum0: 97030, ...SMALL, seed: 77, nCycles: 6 });
    const r = await reducePs({ root: dir, obsnums: [97031], pixList: [10], bank: 0, useCal: true });
    const s = r.spectra[0]!;
    const b = truth.banks[0]!;
    const tp = truth.pixels.find((q) => q.pixel === 10)!;
    const xs: number[] = [], ys: number[] = [];
    for (let c = 64; c < 448; c++) {
      if (Math.abs(r.x[c]! - b.line_v_kms) < 40) {
        xs.push(r.x[c]!);
        ys.push(s.spectrum[c]!);
      }
    }
    const fit = fitGaussian(xs, ys, { center: b.line_v_kms, sigma: b.line_fwhm_kms / 2.355 });
    // the channel-sampled profile is a Gaussian of the true FWHM (channel 1.02 km/s ≪ 9 km/s); 4σ bounds
    assert.ok(
      Math.abs(fit.peak - tp.peak_K) < 4 * fit.errors.peak,
      `peak ${fit.peak} ± ${fit.errors.peak} vs ${tp.peak_K}`,
    );
    assert.ok(
      Math.abs(fit.center - b.line_v_kms) < 4 * fit.errors.center,
      `centre ${fit.center} ± ${fit.errors.center}`,
    );
    assert.ok(
      Math.abs(fit.fwhm - b.line_fwhm_kms) < 4 * fit.errors.fwhm,
      `FWHM ${fit.fwhm} ± ${fit.errors.fwhm}`,
    );
    assert.ok(
      fit.errors.peak < 0.05 && fit.errors.center < 0.3,
      "the errors are small enough to mean something",
    );
    // line-free noise: radiometer rms per dump × sqrt(1/N_ON + 1/N_REF), within 15 %
    const expRms = tp.rms_per_dump_K * Math.sqrt(1 / s.nOn + 1 / s.nRef);
    const resid: number[] = [];
    const e = expectedPs(truth, 10);
    for (let c = 64; c < 448; c++) {
      if (Math.abs(r.x[c]! - b.line_v_kms) > 30) resid.push(s.spectrum[c]! - e[c]!);
    }
    const m = resid.reduce((a, v) => a + v, 0) / resid.length;
    const rms = Math.sqrt(resid.reduce((a, v) => a + (v - m) ** 2, 0) / resid.length);
    assert.ok(Math.abs(rms / expRms - 1) < 0.15, `rms ${rms} vs radiometer ${expRms}`);
  } finally {
    cleanup();
  }
});

Deno.test("reducePs() pairs the first blocks when ON and REF counts differ, and warns", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const truth = await generateSeqPs(dir, {
      obsnum0: 97040,
      ...SMALL,
      ...NOISE_FREE,
      extraBlock: "on",
      nCycles: 3,
    });
    const warns: string[] = [];
    const r = await reducePs({
      root: dir,
      obsnums: [97041],
      pixList: [10],
      bank: 0,
      useCal: true,
      warn: (m) => warns.push(m),
    });
    assert.equal(truth.on_blocks, 4);
    assert.equal(truth.ref_blocks, 3);
    assert.equal(warns.length, 1);
    assert.match(warns[0]!, /pixel 10 has 4 ON and 3 OFF blocks; pairing the first 3/);
    assert.equal(r.spectra[0]!.blocks.length, 3);
    assert.ok(maxAbsDiff(r.spectra[0]!.spectrum, expectedPs(truth, 10), 64, 448) < NF_ATOL);
  } finally {
    cleanup();
  }
});

Deno.test("reducePs() on 1MM Ps data: pixels 0,2 (bank 0) and 1,3 (bank 1), the axis bank from the first pixel", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const truth = await generateSeqPs(join(dir, "d"), {
      obsnum0: 97050,
      ...SMALL,
      ...NOISE_FREE,
      receiver: "Msip1mm",
      nCycles: 2,
    });
    // lmtslr's bank_hack: the axis bank is the first pixel's (0 → 0, 1 → 1), whatever --bank says
    for (const [bank, pix, axisBank] of [[0, [0, 2], 0], [1, [3, 1], 1], [0, [1, 3], 1]] as const) {
      const r = await reducePs({
        root: join(dir, "d"),
        obsnums: [97051],
        pixList: [...pix],
        bank,
        useCal: true,
      });
      assert.deepEqual(r.spectra.map((s) => s.pixel), [...pix].sort());
      for (let c = 64; c < 448; c += 97) assert.ok(Math.abs(r.x[c]! - truthVlsr(truth, axisBank, c)) < 1e-9);
      for (const s of r.spectra) {
        const d = maxAbsDiff(s.spectrum, expectedPs(truth, s.pixel, axisBank), 64, 448);
        assert.ok(d < NF_ATOL, `bank ${bank} pixel ${s.pixel}: max |Δ| ${d} K`);
      }
    }
  } finally {
    cleanup();
  }
});
