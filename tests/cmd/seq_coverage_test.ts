/**
 * SEQ paths the sample does not exercise, on generated data (no ../shared/samples): dual-IF data (bank 1 on
 * roach4..7, `-b -1` → one SpecFile per bank), the 1MM receiver (roach0, bank 0 = pixels 0,2, bank 1 = 1,3,
 * zero beam offsets, opposite sidebands), in-map calibration (`--use_otf_cal`, Tsys changing from HOT block to
 * HOT block), `BackendTime` in the IFPROC file, and process_bs on bank 1 and without `--use_cal`. Every tool
 * runs black-box; the checks are against the generator's truth (lib/sim/seq.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { median, runTool, tempDir } from "../_helpers.ts";
import { meanSpectrumNear } from "./_specfile.ts";
import { generateSeq, type SeqBankTruth, type SeqTruth } from "../../lib/sim/seq.ts";
import { readSpecFile, type SpecFile } from "../../lib/specfile/mod.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";

// 512 channels (4.8 km/s, ±1200 km/s at 98 GHz) with explicit windows keep the raw data small; lines of
// 20 km/s FWHM span several channels
const NCHAN = 512;
const LINE = { fwhmKms: 20 };

function mean(xs: ArrayLike<number>): number {
  let a = 0;
  for (let i = 0; i < xs.length; i++) a += xs[i]!;
  return a / xs.length;
}

/** Mean Tsys of pixel p in Data.Tsys row k. */
function tsysOf(sf: SpecFile, k: number, p: number): number {
  const o = (k * sf.npix + p) * sf.nchan;
  return mean(sf.tsys.subarray(o, o + sf.nchan));
}

/** Median baseline RMS of a pixel's spectra (optionally only sequence numbers passing `keep`). */
function medianRms(sf: SpecFile, p: number, keep: (j: number, n: number) => boolean = () => true): number {
  const n = sf.pixel.filter((q) => q === p).length;
  const r: number[] = [];
  for (let i = 0; i < sf.nspec; i++) if (sf.pixel[i] === p && keep(sf.sequence[i]!, n)) r.push(sf.rms[i]!);
  return median(r);
}

/** Gaussian fit of the mean spectrum of all spectra within `radius` arcsec of (x0, y0). */
function lineNear(sf: SpecFile, x0: number, y0: number, radius: number, vGuess: number, fwhm: number) {
  const { mean, n } = meanSpectrumNear(sf, x0, y0, radius);
  assert.ok(n >= 3, `only ${n} spectra within ${radius}" of (${x0}, ${y0})`);
  const x: number[] = [], y: number[] = [];
  for (let c = 0; c < sf.nchan; c++) {
    if (Math.abs(sf.caxis[c]! - vGuess) < 50) x.push(sf.caxis[c]!), y.push(mean[c]!);
  }
  return { ...fitGaussian(x, y, { center: vGuess, sigma: fwhm / 2.355 }), nspec: n };
}

/** Data rows of a process_bs text spectrum. */
function bsRows(path: string): number[][] {
  return readFileSync(path, "utf8").trim().split("\n").filter((l) => !l.startsWith("#")).map((l) =>
    l.trim().split(/\s+/).map(Number)
  );
}

function bsLine(rows: number[][], v: number, fwhm: number) {
  const near = rows.filter((q) => Math.abs(q[0]! - v) < 60);
  return fitGaussian(near.map((q) => q[0]!), near.map((q) => q[1]!), { center: v, sigma: fwhm / 2.355 });
}

type MapTruth = { convolved: Record<string, number>; vlsrKms: number };

Deno.test("SEQ dual IF: -b -1 writes one SpecFile per bank with its own rest frequency, axis, Tsys and line; process_bs on bank 1 and without --use_cal", async () => {
  const { dir, cleanup } = tempDir("seq-cov-2if-");
  try {
    const root = join(dir, "data_lmt");
    const truth: SeqTruth = await generateSeq(root, {
      obsnum0: 96000,
      seed: 7,
      nchan: NCHAN,
      banks: 2,
      map: { src: LINE },
      bs: LINE,
    });
    const env = { DATA_LMT: root };
    const banks = truth.banks!;
    assert.equal(banks.length, 2);
    const r = await runTool("process_otf_map", [
      "-O",
      "96001",
      "-b",
      "-1",
      "--use_cal",
      "-o",
      "map.nc",
      "--slice",
      "[-155,245]",
      "--b_regions",
      "[[-155,-55],[145,245]]",
    ], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    const m = truth.map as unknown as MapTruth;
    const src = m.convolved;
    const fits: { peak: number; center: number }[] = [];
    const rms: number[][] = [];
    for (const bt of banks) {
      const sf = await readSpecFile(join(dir, `map__${bt.bank}.nc`));
      assert.equal(sf.line.bank, bt.bank);
      // header values of the bank: rest frequency (Hz), channel width, sideband, a velocity axis around VLSR
      assert.ok(
        Math.abs(sf.line.lineRestFrequency - bt.rest_freq_ghz * 1e9) < 1,
        `bank ${bt.bank} rest frequency`,
      );
      assert.ok(Math.abs(sf.line.deltaVelocity / bt.dv_kms_per_channel - 1) < 1e-9, `bank ${bt.bank} dv/dc`);
      assert.ok(Math.abs(sf.cdelt / bt.dv_kms_per_channel - 1) < 1e-9);
      assert.equal(sf.line.sideband, bt.sideband);
      // the axis is the bank's own: x(chan0 + i) = (chan0 + i − ch0)·dvdc + VLSR
      const ch0 = (NCHAN - 1) / 2;
      assert.ok(Math.abs(sf.crval - ((sf.chan0 - ch0) * bt.dv_kms_per_channel + m.vlsrKms)) < 1e-9);
      assert.deepEqual([...new Set(sf.pixel)].sort((a, b) => a - b), bt.pixels);
      // Cal-scan Tsys of the bank's boards: within 1 % of the injected Tsys (bank 1 is 12 % hotter)
      for (let i = 0; i < bt.pixels.length; i++) {
        const p = bt.pixels[i]!;
        const t = tsysOf(sf, 0, p);
        assert.ok(
          Math.abs(t / bt.tsys_K[i]! - 1) < 0.01,
          `bank ${bt.bank} pixel ${p}: Tsys ${t} vs ${bt.tsys_K[i]}`,
        );
      }
      rms.push(bt.pixels.map((p) => medianRms(sf, p)));
      // line at the source: the bank's line velocity (bank 1: 40 km/s lower, 0.6 × the peak)
      const f = lineNear(sf, src.dx_arcsec!, src.dy_arcsec!, 10, bt.line_v_kms, bt.line_fwhm_kms);
      console.log(
        `bank ${bt.bank}: ${f.nspec} spectra, line ${f.peak.toFixed(3)} K at ${
          f.center.toFixed(2)
        } km/s (truth ${bt.line_v_kms}), FWHM ${f.fwhm.toFixed(2)}`,
      );
      assert.ok(Math.abs(f.center - bt.line_v_kms) < 1, `bank ${bt.bank} line centre ${f.center}`);
      assert.ok(Math.abs(f.fwhm / bt.line_fwhm_kms - 1) < 0.25, `bank ${bt.bank} line FWHM ${f.fwhm}`);
      fits.push(f);
    }
    // measured 0.61: bank 1's line is 0.6 × bank 0's (same sky positions)
    const ratio = fits[1]!.peak / fits[0]!.peak;
    assert.ok(Math.abs(ratio - banks[1]!.peak_scale) < 0.08, `peak ratio bank1/bank0 ${ratio}`);
    assert.ok(
      fits[0]!.peak > 0.6 * src.peak_K! && fits[0]!.peak < 1.1 * src.peak_K!,
      `bank 0 peak ${fits[0]!.peak}`,
    );
    // per-dump noise follows each bank's Tsys: median over pixels of RMS(bank 1)/RMS(bank 0) = 1.12
    const rr = median(rms[1]!.map((v, i) => v / rms[0]![i]!));
    assert.ok(Math.abs(rr - 1.12) < 0.03, `RMS ratio ${rr}`);

    // ---- process_bs, bank 1 (roach6 carries beams 8 and 10 of bank 1): line at the bank-1 velocity
    const bs = truth.bs as {
      vKms: number;
      fwhmKms: number;
      peakK: number;
      tsysScale: number;
      beams: number[];
    };
    const b1 = await runTool("process_bs", [
      "--obs_list",
      "96003",
      "--pix_list",
      "10,8",
      "--use_cal",
      "-b",
      "1",
      "-o",
      "bs1.txt",
      "-y",
      "none",
    ], { cwd: dir, env });
    assert.equal(b1.code, 0, b1.stderr);
    const rows1 = bsRows(join(dir, "bs1.txt"));
    const v1 = bs.vKms + (banks[1]!.line_v_kms - banks[0]!.line_v_kms);
    const f1 = bsLine(rows1, v1, bs.fwhmKms);
    console.log(
      `Bs bank 1: ${f1.peak.toFixed(3)} K at ${f1.center.toFixed(2)} km/s (truth ${
        bs.peakK * 0.6
      } K at ${v1})`,
    );
    assert.ok(Math.abs(f1.center - v1) < 1, `Bs bank 1 centre ${f1.center}`);
    assert.ok(Math.abs(f1.peak / (bs.peakK * banks[1]!.peak_scale) - 1) < 0.2, `Bs bank 1 peak ${f1.peak}`);
    // Tsys columns: pixels 8 and 10 of bank 1 (cal Tsys × 1.12)
    const t8 = mean(rows1.map((q) => q[2]!)), t10 = mean(rows1.map((q) => q[3]!));
    const tr = truth.pixels.tsys_K;
    assert.ok(Math.abs(t8 / (tr[8]! * bs.tsysScale * 1.12) - 1) < 0.01, `Bs bank 1 Tsys(8) ${t8}`);
    assert.ok(Math.abs(t10 / (tr[10]! * bs.tsysScale * 1.12) - 1) < 0.01, `Bs bank 1 Tsys(10) ${t10}`);

    // ---- process_bs without --use_cal: scalar IFPROC Tsys of each beam, line still positive and right
    const b0 = await runTool("process_bs", [
      "--obs_list",
      "96003",
      "--pix_list",
      "10,8",
      "-o",
      "bs0.txt",
      "-y",
      "none",
    ], { cwd: dir, env });
    assert.equal(b0.code, 0, b0.stderr);
    const rows0 = bsRows(join(dir, "bs0.txt"));
    // the IFPROC Tsys is one number per pixel: constant columns within 0.3 % of the injected Tsys
    for (const [col, p] of [[2, 8], [3, 10]] as const) {
      const vals = rows0.map((q) => q[col]!);
      assert.equal(Math.min(...vals), Math.max(...vals), `Tsys column of pixel ${p} is constant`);
      assert.ok(Math.abs(vals[0]! / (tr[p]! * bs.tsysScale) - 1) < 0.003, `IFPROC Tsys(${p}) ${vals[0]}`);
    }
    const f0 = bsLine(rows0, bs.vKms, bs.fwhmKms);
    console.log(`Bs bank 0 without cal: ${f0.peak.toFixed(3)} K at ${f0.center.toFixed(2)} km/s`);
    assert.ok(
      Math.abs(f0.center - bs.vKms) < 1 && Math.abs(f0.peak / bs.peakK - 1) < 0.2,
      `Bs no-cal line ${f0.peak} at ${f0.center}`,
    );
  } finally {
    cleanup();
  }
});

Deno.test("SEQ 1MM (Msip1mm): bank 0 = pixels 0,2 and bank 1 = pixels 1,3 of roach0, zero beam offsets, opposite sidebands, Tsys per pixel, line per bank", async () => {
  const { dir, cleanup } = tempDir("seq-cov-1mm-");
  try {
    const root = join(dir, "data_lmt");
    // 9 rows 15" apart: with zero beam offsets the boresight rows alone must cross the source
    const truth: SeqTruth = await generateSeq(root, {
      obsnum0: 95000,
      seed: 11,
      nchan: NCHAN,
      receiver: "Msip1mm",
      map: { nRows: 9, src: LINE },
    });
    assert.deepEqual(truth.files.filter((f) => f.includes("spectrometer")).map((f) => f.split("/")[1]), [
      "roach0",
      "roach0",
    ]);
    const env = { DATA_LMT: root };
    const win = ["--slice", "[-155,245]", "--b_regions", "[[-155,-55],[145,245]]"];
    const r = await runTool(
      "process_otf_map",
      ["-O", "95001", "-b", "-1", "--use_cal", "-o", "m.nc", ...win],
      {
        cwd: dir,
        env,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const m = truth.map as unknown as MapTruth;
    const sfs: SpecFile[] = [];
    const peaks: number[] = [];
    for (const bt of truth.banks as SeqBankTruth[]) {
      const sf = await readSpecFile(join(dir, `m__${bt.bank}.nc`));
      sfs.push(sf);
      assert.equal(sf.receiver, "Msip1mm");
      assert.deepEqual([...new Set(sf.pixel)].sort((a, b) => a - b), bt.pixels, `bank ${bt.bank} pixels`);
      assert.deepEqual(bt.pixels, bt.bank === 0 ? [0, 2] : [1, 3]);
      assert.ok(Math.abs(sf.line.lineRestFrequency - bt.rest_freq_ghz * 1e9) < 1);
      // bank 0 SideBand1Lo 0 (velocity decreases with channel), bank 1 code 1 (increases)
      assert.equal(sf.line.sideband, bt.sideband);
      assert.ok(Math.sign(sf.cdelt) === (bt.bank === 0 ? -1 : 1), `bank ${bt.bank} CDELT ${sf.cdelt}`);
      assert.ok(Math.abs(sf.cdelt / bt.dv_kms_per_channel - 1) < 1e-9);
      // every (pol, sideband) input has its own Tsys
      bt.pixels.forEach((p, i) => {
        const t = tsysOf(sf, 0, p);
        assert.ok(Math.abs(t / bt.tsys_K[i]! - 1) < 0.01, `pixel ${p}: Tsys ${t} vs ${bt.tsys_K[i]}`);
      });
      // zero beam offsets: the two pixels of a bank have identical positions dump by dump
      const n = sf.nspec / 2;
      const [pa, pb] = bt.pixels as [number, number];
      const ia = sf.pixel.indexOf(pa), ib = sf.pixel.indexOf(pb);
      assert.equal(sf.pixel.filter((q) => q === pb).length, n);
      assert.deepEqual(sf.xPos.slice(ia, ia + n), sf.xPos.slice(ib, ib + n));
      assert.deepEqual(sf.yPos.slice(ia, ia + n), sf.yPos.slice(ib, ib + n));
      // line at the source (position-switched spectra of the dumps that cross it), per bank and sideband
      const f = lineNear(
        sf,
        m.convolved.dx_arcsec!,
        m.convolved.dy_arcsec!,
        6,
        bt.line_v_kms,
        bt.line_fwhm_kms,
      );
      console.log(
        `1MM bank ${bt.bank}: ${f.nspec} spectra, line ${f.peak.toFixed(3)} K at ${
          f.center.toFixed(2)
        } km/s (truth ${bt.line_v_kms})`,
      );
      assert.ok(Math.abs(f.center - bt.line_v_kms) < 1, `1MM bank ${bt.bank} line centre ${f.center}`);
      peaks.push(f.peak);
    }
    // both banks see the same sky positions (one beam)
    assert.deepEqual(sfs[0]!.xPos, sfs[1]!.xPos);
    assert.ok(
      peaks[0]! > 0.6 * m.convolved.peak_K! && peaks[0]! < 1.1 * m.convolved.peak_K!,
      `bank 0 peak ${peaks[0]}`,
    );
    assert.ok(Math.abs(peaks[1]! / peaks[0]! - 0.6) < 0.1, `peak ratio ${peaks[1]! / peaks[0]!}`);
    // without --use_cal: scalar IFPROC Tsys from the 4-column BasebandLevel → same noise level (within 2 %)
    const nc = await runTool("process_otf_map", ["-O", "95001", "-b", "1", "-o", "nocal.nc", ...win], {
      cwd: dir,
      env,
    });
    assert.equal(nc.code, 0, nc.stderr);
    const sn = await readSpecFile(join(dir, "nocal.nc"));
    for (const p of [1, 3]) {
      const q = medianRms(sn, p) / medianRms(sfs[1]!, p);
      assert.ok(Math.abs(q - 1) < 0.02, `pixel ${p}: RMS without/with cal ${q}`);
    }
    // a pixel of the other bank only is an error naming the bank's pixels
    const bad = await runTool("process_otf_map", [
      "-O",
      "95001",
      "-b",
      "1",
      "--pix_list",
      "0,2",
      "-o",
      "x.nc",
      ...win,
    ], {
      cwd: dir,
      env,
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bank 1 = pixels 1,3/);
  } finally {
    cleanup();
  }
});

Deno.test("SEQ --use_otf_cal: each ON block uses the previous HOT block's Tsys; BackendTime is used instead of TelTime", async () => {
  const { dir, cleanup } = tempDir("seq-cov-otfcal-");
  try {
    // same data twice: B also has BackendTime (= the true times) with TelTime 0.5 s off
    const base = {
      obsnum0: 94000,
      seed: 5,
      nchan: NCHAN,
      bs: false as const,
      otfCal: true,
      map: { nRows: 6 },
    };
    const tA: SeqTruth = await generateSeq(join(dir, "a"), base);
    const tB: SeqTruth = await generateSeq(join(dir, "b"), { ...base, backendTimeOffsetS: 0.5 });
    assert.equal(tB.backend_time_offset_s, 0.5);
    const epochs = (tA.otf_cal as { epochs: { tsys_scale: number }[] }).epochs;
    assert.deepEqual(epochs.map((e) => e.tsys_scale), [1, 1.3]);
    const args = [
      "-O",
      "94001",
      "--pix_list",
      "0,5,10",
      "--slice",
      "[-155,245]",
      "--b_regions",
      "[[-155,-55],[145,245]]",
    ];
    const run = async (rootName: string, out: string, extra: string[]) => {
      const r = await runTool("process_otf_map", [...args, ...extra, "-o", out], {
        cwd: dir,
        env: { DATA_LMT: join(dir, rootName) },
      });
      assert.equal(r.code, 0, r.stderr);
      return await readSpecFile(join(dir, out));
    };
    const sfA = await run("a", "a.nc", ["--use_otf_cal"]);
    const sfB = await run("b", "b.nc", ["--use_otf_cal"]);
    const sfC = await run("a", "c.nc", ["--use_cal"]); // control: Cal-scan Tsys for the whole map
    // one Tsys spectrum per HOT block, each the injected Tsys × that block's scale (1 %)
    assert.equal(sfA.ncal, 2);
    for (const p of [0, 5, 10]) {
      for (let k = 0; k < 2; k++) {
        const t = tsysOf(sfA, k, p), want = tA.pixels.tsys_K[p]! * epochs[k]!.tsys_scale;
        assert.ok(Math.abs(t / want - 1) < 0.01, `pixel ${p} HOT block ${k}: Tsys ${t} vs ${want}`);
      }
    }
    // rows 0-2 are in epoch 0, rows 3-5 in epoch 1 (equal halves of the ON dumps): calibrated noise follows
    // the block's Tsys only when the previous HOT block's Tsys is applied
    const first = (j: number, n: number) => j < n / 2 - 5, second = (j: number, n: number) => j >= n / 2 + 5;
    for (const p of [0, 5, 10]) {
      const truthRms = tA.pixels.rms_per_dump_K[p]!;
      const e0 = medianRms(sfA, p, first) / truthRms, e1 = medianRms(sfA, p, second) / truthRms;
      const c1 = medianRms(sfC, p, second) / medianRms(sfC, p, first);
      console.log(
        `otf cal pixel ${p}: RMS/truth epoch 0 ${e0.toFixed(3)}, epoch 1 ${
          e1.toFixed(3)
        }; Cal-scan control ratio ${c1.toFixed(3)}`,
      );
      assert.ok(Math.abs(e0 - 1) < 0.08, `pixel ${p} epoch 0 RMS ratio ${e0}`);
      assert.ok(Math.abs(e1 / e0 - 1.3) < 0.06, `pixel ${p} epoch 1/0 RMS ratio ${e1 / e0}`);
      assert.ok(Math.abs(c1 - 1) < 0.06, `pixel ${p} Cal-scan control ratio ${c1}`);
    }
    // BackendTime: B is reduced exactly as A (TelTime, 0.5 s off, would move every dump by 5 samples)
    assert.equal(sfB.nspec, sfA.nspec);
    assert.deepEqual(sfB.spectra, sfA.spectra);
    assert.deepEqual(sfB.xPos, sfA.xPos);
    assert.deepEqual(sfB.yPos, sfA.yPos);
    assert.deepEqual(sfB.rms, sfA.rms);
    assert.equal(sfB.dateObs, tA.observations["94001"]!.date_start);
    assert.equal(sfA.dateObs, sfB.dateObs);
  } finally {
    cleanup();
  }
});
