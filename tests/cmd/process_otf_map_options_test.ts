/**
 * process_otf_map options of the original that used to be rejected, on generated data (lib/sim/seq.ts):
 * `--x_axis` (all eight axes; frequency axes in Hz), `--restfreq` (a second line of the band on its own
 * velocity axis, checked against the generator's truth) and `--sample` (ON sections of one pixel left out
 * of the SpecFile, checked against a section the generator corrupted). Black-box: bin/process_otf_map.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runTool, tempDir } from "../_helpers.ts";
import { meanSpectrumNear } from "./_specfile.ts";
import { generateSeq, type SeqTruth } from "../../lib/sim/seq.ts";
import { readSpecFile, type SpecFile } from "../../lib/specfile/mod.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";
import { readFits } from "../../lib/fits/mod.ts";
import { summarizeSeqMap } from "../../lib/report/seq.ts";
import { sdfitsFromSpecFile } from "../../lib/seq/sdfits.ts";

const C = 299792.458;
// 512 channels of 1.5625 MHz (4.78 km/s at 98 GHz): small raw files; 25 km/s lines span 5 channels
const NCHAN = 512;
const WIN = ["--slice", "[-305,395]", "--b_regions", "[[-305,-55],[145,395]]"];
// the map line (CS 2-1, 97.980953 GHz) plus two lines 281 MHz below and 269 MHz above it
const LINE2 = { restFreqGhz: 97.7, peakScale: 0.8 };
const LINE3 = { restFreqGhz: 98.25, vKms: 60, peakScale: 0.7 };
// pixel 5 gets a 20 K spike on channels 299..301 and a growing band slope between 8 and 11 s of the map
const CORRUPT = { pixel: 5, t0S: 8, t1S: 11, spikeK: 20, spikeChannel: 300, slopeK: 3 };

interface Data {
  dir: string;
  root: string;
  truth: SeqTruth;
  cleanup: () => void;
}

async function generate(noiseFree = false): Promise<Data> {
  const { dir, cleanup } = tempDir("pom-opts-");
  const root = join(dir, "data_lmt");
  const truth = await generateSeq(root, {
    obsnum0: 95000,
    seed: 11,
    nchan: NCHAN,
    bs: false,
    map: { nRows: 5, src: { fwhmKms: 25, peakK: 6 } },
    extraLines: [LINE2, LINE3],
    ...(noiseFree ? { noiseScale: 0, gainDriftFrac: 0 } : { corruption: CORRUPT }),
  });
  return { dir, root, truth, cleanup };
}

async function run(d: Data, out: string, extra: string[], code = 0) {
  const r = await runTool("process_otf_map", ["-O", "95001", "--use_cal", "-o", out, ...extra], {
    cwd: d.dir,
    env: { DATA_LMT: d.root },
  });
  assert.equal(r.code, code, `process_otf_map ${extra.join(" ")}: ${r.stderr}`);
  return r;
}

/** Mean spectrum of the spectra within `radius` arcsec of (x0, y0), from at least 20 of them. */
function meanNear(sf: SpecFile, x0: number, y0: number, radius: number): Float64Array {
  const { mean, n } = meanSpectrumNear(sf, x0, y0, radius);
  assert.ok(n >= 20, `only ${n} spectra near the source`);
  return mean;
}

/** Gaussian fit of the line near velocity v on the SpecFile's axis (channels within ±3 FWHM). */
function fitLine(sf: SpecFile, spec: Float64Array, v: number, fwhm: number) {
  const x: number[] = [], y: number[] = [];
  for (let c = 0; c < sf.nchan; c++) {
    if (Math.abs(sf.caxis[c]! - v) < 3 * fwhm) x.push(sf.caxis[c]!), y.push(spec[c]!);
  }
  return fitGaussian(x, y, { center: v, sigma: fwhm / 2.355 });
}

Deno.test("process_otf_map --restfreq: a second and a third line of the band at their true velocities (≤ 0.1 channel); --restfreq LineFreq = default", async () => {
  const d = await generate();
  try {
    const map = d.truth.map as { vlsrKms: number; restFreqGhz: number; convolved: Record<string, number> };
    const src = map.convolved;
    const lines = d.truth.extra_lines!;
    assert.equal(lines.length, 2);
    await run(d, "main.nc", WIN);
    const main = await readSpecFile(join(d.dir, "main.nc"));
    // --restfreq equal to the header line: the same axis (to rounding) and bit-identical spectra
    await run(d, "same.nc", [...WIN, "--restfreq", String(map.restFreqGhz)]);
    const same = await readSpecFile(join(d.dir, "same.nc"));
    assert.equal(same.chan0, main.chan0);
    assert.deepEqual(same.spectra, main.spectra);
    for (let c = 0; c < main.nchan; c++) assert.ok(Math.abs(same.caxis[c]! - main.caxis[c]!) < 1e-9);
    assert.ok(Math.abs(same.line.lineRestFrequency - main.line.lineRestFrequency) < 1e-3);
    for (const [k, t] of lines.entries()) {
      const out = `line${k + 2}.nc`;
      await run(d, out, ["--restfreq", String(t.rest_freq_ghz), "--b_order", "1"]); // default windows around VLSR
      const sf = await readSpecFile(join(d.dir, out));
      // header: the new rest frequency and the channel width for it
      assert.ok(Math.abs(sf.line.lineRestFrequency - t.rest_freq_ghz * 1e9) < 1e-3);
      assert.ok(Math.abs(sf.cdelt / t.dv_kms_per_channel - 1) < 1e-9, `cdelt ${sf.cdelt}`);
      assert.ok(Math.abs(sf.line.deltaVelocity / t.dv_kms_per_channel - 1) < 1e-9);
      // the truth channel of the line sits at the line's velocity on the new axis
      const vAt = sf.crval + (t.channel - sf.chan0) * sf.cdelt;
      assert.ok(Math.abs(vAt - t.v_kms) < 1e-6, `line ${k + 2}: truth channel ${t.channel} at ${vAt} km/s`);
      // and the measured line: centre within 0.1 channel of the truth, peak as injected (±10 %)
      const spec = meanNear(sf, src.dx_arcsec!, src.dy_arcsec!, 8);
      const g = fitLine(sf, spec, t.v_kms, t.fwhm_kms);
      const dv = Math.abs(t.dv_kms_per_channel);
      assert.ok(
        Math.abs(g.center - t.v_kms) < 0.1 * dv,
        `line ${k + 2} (${t.rest_freq_ghz} GHz) at ${g.center.toFixed(3)} km/s, truth ${t.v_kms} (${
          ((g.center - t.v_kms) / dv).toFixed(3)
        } channel)`,
      );
      assert.ok(Math.abs(g.fwhm / t.fwhm_kms - 1) < 0.1, `fwhm ${g.fwhm}`);
      // the same spectra with the header axis: the original's axis (velocity offset 0, dv for the new line,
      // centre at the source velocity) puts the line hundreds of km/s away
      const vOrig = map.vlsrKms + (t.channel - (NCHAN - 1) / 2) * t.dv_kms_per_channel;
      assert.ok(Math.abs(vOrig - t.v_kms) > 400, `original's velocity ${vOrig}`);
    }
    // a line whose frequency is outside the band at the source velocity: data error, no output
    const r = await run(d, "out.nc", ["--restfreq", "99.5"], 1);
    assert.match(r.stderr, /^process_otf_map: .*--restfreq 99.5 GHz: .*outside bank 0/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.ok(!existsSync(join(d.dir, "out.nc")));
    const u = await run(d, "out.nc", ["--restfreq", "0"], 2);
    assert.match(u.stderr, /--restfreq must be a frequency in GHz/);
    const b = await run(d, "out.nc", ["--restfreq", "97.7", "-b", "-1"], 2);
    assert.match(b.stderr, /--restfreq names one line/);
  } finally {
    d.cleanup();
  }
  // without noise the measured centres are the truth to 0.002 channel (the 0.1-channel margin above is noise)
  const q = await generate(true);
  try {
    const src = (q.truth.map as { convolved: Record<string, number> }).convolved;
    for (const [k, t] of q.truth.extra_lines!.entries()) {
      await run(q, `nf${k}.nc`, ["--restfreq", String(t.rest_freq_ghz), "--b_order", "1"]);
      const sf = await readSpecFile(join(q.dir, `nf${k}.nc`));
      const g = fitLine(sf, meanNear(sf, src.dx_arcsec!, src.dy_arcsec!, 8), t.v_kms, t.fwhm_kms);
      const off = (g.center - t.v_kms) / Math.abs(t.dv_kms_per_channel);
      assert.ok(Math.abs(off) < 0.002, `noise-free line ${k + 2}: ${off} channel`);
    }
  } finally {
    q.cleanup();
  }
});

Deno.test("process_otf_map --x_axis: all eight axes; frequency axes in Hz with XType 1, same channels and spectra as the velocity axis of their frame", async () => {
  const d = await generate();
  try {
    const sfs = new Map<string, SpecFile>();
    for (const ax of ["VLSR", "VBARY", "VSKY", "VSRC", "FLSR", "FBARY", "FSKY", "FSRC"]) {
      await run(d, `${ax}.nc`, [...WIN, "--x_axis", ax]);
      sfs.set(ax, await readSpecFile(join(d.dir, `${ax}.nc`)));
    }
    const label: Record<string, string> = { VSRC: "VSRCE", FSRC: "FSRCE" };
    for (const [ax, sf] of sfs) {
      assert.equal(sf.ctype, label[ax] ?? ax);
      assert.equal(sf.line.xType, ax.startsWith("F") ? 1 : 0);
      assert.equal(sf.crval, sf.caxis[0]);
      assert.ok(Math.abs(sf.cdelt - (sf.caxis[1]! - sf.caxis[0]!)) < 1e-9 * Math.abs(sf.cdelt));
    }
    const L = sfs.get("VLSR")!.line;
    const frest = L.lineRestFrequency;
    // frames: v_X = v_LSR + (v0_X − v0_LSR) on the same channels (the VLSR slice is taken on each frame's axis)
    const v0: Record<string, number> = {
      LSR: L.lsrFrameV0,
      BARY: L.barycenterFrameV0,
      SKY: L.skyFrameV0,
      SRC: 0,
    };
    assert.ok(Math.abs(L.skyFrameV0 - L.lsrFrameV0 - L.vObservatory) < 1e-9);
    for (const fr of ["LSR", "BARY", "SKY", "SRC"]) {
      const v = sfs.get(`V${fr}`)!, f = sfs.get(`F${fr}`)!;
      // the frequency axis has the channels and spectra of the velocity axis of its frame, bit for bit
      assert.equal(f.chan0, v.chan0, fr);
      assert.deepEqual(f.spectra, v.spectra, fr);
      assert.deepEqual(f.rms, v.rms, fr);
      // radio convention in the frame: v = c·(1 − f/frest), within 1 m/s; df/dc = DeltaFrequency (Hz)
      for (let c = 0; c < v.nchan; c++) {
        assert.ok(Math.abs(C * (1 - f.caxis[c]! / frest) - v.caxis[c]!) < 1e-3, `${fr} channel ${c}`);
      }
      assert.ok(Math.abs(f.cdelt - L.deltaFrequency) < 1e-6 * Math.abs(L.deltaFrequency));
      // the velocity axes: channel chan0+i at (chan0+i − ch0)·dvdc + v0_frame (VelocityOffset 0 here)
      const ch0 = (NCHAN - 1) / 2;
      assert.ok(Math.abs(v.crval - ((v.chan0 - ch0) * L.deltaVelocity + v0[fr]!)) < 1e-9, fr);
    }
    // FSKY at the centre channel is the header sky frequency
    const fsky = sfs.get("FSKY")!;
    const ch0 = (NCHAN - 1) / 2;
    assert.ok(Math.abs(fsky.crval + (ch0 - fsky.chan0) * fsky.cdelt - L.skyFrequency) < 1e-3);

    // the gridder: CTYPE3/CUNIT3/SPECSYS from the SpecFile's axis, same cube values whatever the axis
    const grid = ["-l", "13", "-c", "6.5", "-x", "60", "-y", "60"];
    const cubes = new Map<string, ReturnType<typeof readFits>["hdus"][number]>();
    for (const ax of ["VLSR", "VSKY", "VSRC", "FLSR", "FBARY", "FSKY", "FSRC"]) {
      const g = await runTool("spec_driver_fits", ["-i", `${ax}.nc`, "-o", `${ax}.fits`, ...grid], {
        cwd: d.dir,
      });
      assert.equal(g.code, 0, g.stderr);
      cubes.set(ax, readFits(join(d.dir, `${ax}.fits`)).hdus[0]!);
    }
    const specsys: Record<string, string> = { LSR: "LSRK", BARY: "BARYCENT", SKY: "TOPOCENT", SRC: "SOURCE" };
    for (const [ax, hdu] of cubes) {
      const h = (k: string) => hdu.header.get(k);
      const sf = sfs.get(ax)!;
      const freq = ax.startsWith("F");
      assert.equal(String(h("CTYPE3")).trim(), freq ? "FREQ" : "VRAD", ax);
      assert.equal(String(h("CUNIT3")).trim(), freq ? "Hz" : "m/s", ax);
      assert.equal(String(h("SPECSYS")).trim(), specsys[ax.slice(1)], ax);
      assert.equal(Number(h("CRPIX3")), 1);
      assert.ok(
        Math.abs(Number(h("CRVAL3")) - sf.crval * (freq ? 1 : 1000)) < 1e-6 * Math.abs(sf.crval * 1000),
      );
      assert.ok(Math.abs(Number(h("CDELT3")) / (sf.cdelt * (freq ? 1 : 1000)) - 1) < 1e-9);
      assert.equal(h("RESTFRQ"), L.lineRestFrequency);
      assert.equal(h("VELREF") === undefined, ax.endsWith("SRC") || freq, `${ax} VELREF`);
      if (ax !== "VLSR" && ax.slice(1) === "LSR") assert.deepEqual(hdu.data, cubes.get("VLSR")!.data);
    }
    assert.deepEqual(cubes.get("FSKY")!.data, cubes.get("VSKY")!.data);
    // the summary page reads a FREQ cube as the radio velocity of its frame: the same line as the VRAD cube
    for (const [f, v] of [["FLSR", "VLSR"], ["FSKY", "VSKY"]]) {
      const plots: Promise<Uint8Array>[] = [];
      const sink = { put: (_name: string, png: Promise<Uint8Array>) => void plots.push(png) };
      const a = await summarizeSeqMap(d.dir, f!, 0, sink), b = await summarizeSeqMap(d.dir, v!, 0, sink);
      await Promise.all(plots);
      assert.ok(a.line !== null && b.line !== null);
      assert.ok(
        Math.abs(a.line.center - b.line.center) < 1e-3,
        `${f} ${a.line.center} ${v} ${b.line.center}`,
      );
      assert.ok(Math.abs(a.line.peak / b.line.peak - 1) < 1e-6);
    }
    // --ztype 1 on a velocity SpecFile gives the frequency axis of its frame (radio convention, ≤ 1 Hz)
    const z = await runTool("spec_driver_fits", ["-i", "VLSR.nc", "-o", "z1.fits", "--ztype", "1", ...grid], {
      cwd: d.dir,
    });
    assert.equal(z.code, 0, z.stderr);
    const z1 = readFits(join(d.dir, "z1.fits")).hdus[0]!.header;
    const fl = cubes.get("FLSR")!.header;
    assert.ok(Math.abs(Number(z1.get("CRVAL3")) - Number(fl.get("CRVAL3"))) < 1);
    assert.ok(Math.abs(Number(z1.get("CDELT3")) / Number(fl.get("CDELT3")) - 1) < 1e-9);
    // the waterfall cube (make_spec_fits): FREQ/Hz for a frequency SpecFile, SPECSYS of its frame, same data
    for (const ax of ["VSKY", "FSKY"]) {
      const w = await runTool("make_spec_fits", [
        "-i",
        `${ax}.nc`,
        "-o",
        `${ax}.wf.fits`,
        "--png",
        `${ax}.wf.png`,
      ], {
        cwd: d.dir,
      });
      assert.equal(w.code, 0, w.stderr);
    }
    const wv = readFits(join(d.dir, "VSKY.wf.fits")).hdus[0]!,
      wfq = readFits(join(d.dir, "FSKY.wf.fits")).hdus[0]!;
    assert.deepEqual(wfq.data, wv.data);
    assert.deepEqual([wv.header.get("CTYPE2"), wv.header.get("CUNIT2")], ["VRAD", "km/s"]);
    assert.deepEqual([wfq.header.get("CTYPE2"), wfq.header.get("CUNIT2")], ["FREQ", "Hz"]);
    assert.equal(wfq.header.get("CRVAL2"), sfs.get("FSKY")!.crval);
    assert.equal(wfq.header.get("SPECSYS"), "TOPOCENT");
    // SDFITS rows of a frequency SpecFile: the same frequency axes as from the velocity SpecFile (≤ 1 Hz)
    for (const [f, v] of [["FLSR", "VLSR"], ["FSKY", "VSKY"]]) {
      const a = sdfitsFromSpecFile(sfs.get(f!)!, f!), b = sdfitsFromSpecFile(sfs.get(v!)!, v!);
      assert.equal(a.rows.length, b.rows.length);
      for (let i = 0; i < a.rows.length; i += 97) {
        const ra = a.rows[i]!, rb = b.rows[i]!;
        assert.ok(Math.abs(ra.crval1 - rb.crval1) < 1 && ra.crpix1 === rb.crpix1, `${f} row ${i}`);
        assert.ok(Math.abs(ra.cdelt1 / rb.cdelt1 - 1) < 1e-9);
        assert.equal(ra.veldef, rb.veldef);
      }
    }
    assert.throws(
      () => sdfitsFromSpecFile(sfs.get("FBARY")!, "FBARY.nc"),
      /FBARY cannot be written as SDFITS/,
    );
    // SpecFiles with different axes are not gridded together
    const mix = await runTool("spec_driver_fits", ["-i", "VLSR.nc,FSKY.nc", "-o", "mix.fits", ...grid], {
      cwd: d.dir,
    });
    assert.equal(mix.code, 1, mix.stderr);
    assert.match(mix.stderr, /spectral axis FSKY but the first SpecFile VLSR.nc has VLSR/);
    assert.ok(!existsSync(join(d.dir, "mix.fits")));
  } finally {
    d.cleanup();
  }
});

Deno.test("process_otf_map --sample: a corrupted section of one pixel is left out, every other spectrum unchanged", async () => {
  const d = await generate();
  try {
    const P = CORRUPT.pixel;
    await run(d, "all.nc", WIN);
    const all = await readSpecFile(join(d.dir, "all.nc"));
    // the corrupted dumps of pixel P: RMS far above the pixel's median (20 K spike in the baseline region)
    const rows = [...all.pixel.keys()].filter((i) => all.pixel[i] === P);
    const med = [...rows.map((i) => all.rms[i]!)].sort((a, b) => a - b)[rows.length >> 1]!;
    const bad = rows.filter((i) => all.rms[i]! > 3 * med).map((i) => all.sequence[i]!);
    const s0 = Math.min(...bad), s1 = Math.max(...bad);
    // one contiguous section of ≈ (t1 − t0)/dump time ON dumps (turnarounds inside are not ON)
    assert.equal(bad.length, s1 - s0 + 1, `corrupted ON samples ${bad.join(",")}`);
    const span = (CORRUPT.t1S - CORRUPT.t0S) / d.truth.dump_time_s;
    assert.ok(
      bad.length >= 0.5 * span && bad.length <= span + 2,
      `${bad.length} corrupted dumps for ${span}`,
    );
    // no other pixel is hit (each against its own median: pixel 13 is the generator's noisy pixel)
    for (let q = 0; q < 16; q++) {
      if (q === P) continue;
      const r = [...all.pixel.keys()].filter((i) => all.pixel[i] === q).map((i) => all.rms[i]!).sort((a, b) =>
        a - b
      );
      assert.ok(r[r.length - 1]! < 2 * r[r.length >> 1]!, `pixel ${q}`);
    }
    for (const workers of ["0", "2"]) {
      const out = `cull${workers}.nc`;
      await run(d, out, [...WIN, "--sample", `${P},${s0},${s1}`, "--workers", workers]);
      const sf = await readSpecFile(join(d.dir, out));
      assert.equal(sf.nspec, all.nspec - (s1 - s0 + 1));
      // every remaining row is the un-culled run's row of the same pixel and sequence, bit for bit
      let k = 0;
      for (let i = 0; i < all.nspec; i++) {
        if (all.pixel[i] === P && all.sequence[i]! >= s0 && all.sequence[i]! <= s1) continue;
        assert.equal(sf.pixel[k], all.pixel[i]);
        assert.equal(sf.sequence[k], all.sequence[i]);
        assert.equal(sf.xPos[k], all.xPos[i]);
        assert.equal(sf.yPos[k], all.yPos[i]);
        assert.equal(sf.rms[k], all.rms[i]);
        assert.deepEqual(
          sf.spectra.subarray(k * sf.nchan, (k + 1) * sf.nchan),
          all.spectra.subarray(i * all.nchan, (i + 1) * all.nchan),
        );
        k++;
      }
      assert.equal(k, sf.nspec);
      // the corruption is gone: pixel P's worst RMS is ordinary, and its mean spectrum has no spike
      const rp = [...sf.pixel.keys()].filter((i) => sf.pixel[i] === P);
      assert.ok(Math.max(...rp.map((i) => sf.rms[i]!)) < 1.5 * med);
      // (spike channel against its neighbours ±3..6 channels: the rms of that difference is ~0.04 K here)
      const ci = CORRUPT.spikeChannel - sf.chan0;
      const at = (f: SpecFile, rs: number[], c: number) =>
        rs.reduce((a, i) => a + f.spectra[i * f.nchan + c]!, 0) / rs.length;
      const contrast = (f: SpecFile, rs: number[]) => {
        const nb = [-6, -5, -4, -3, 3, 4, 5, 6].map((o) => at(f, rs, ci + o));
        return at(f, rs, ci) - nb.reduce((a, b) => a + b, 0) / nb.length;
      };
      const before = contrast(all, rows);
      assert.ok(before > 1, `spike in the un-culled mean: ${before} K`);
      assert.ok(Math.abs(contrast(sf, rp)) < 0.15, `spike after culling: ${contrast(sf, rp)} K`);
    }
    // two sections, of two pixels: both left out
    await run(d, "two.nc", [...WIN, "--sample", `${P},${s0},${s1},0,0,9`]);
    const two = await readSpecFile(join(d.dir, "two.nc"));
    assert.equal(two.nspec, all.nspec - (s1 - s0 + 1) - 10);
    assert.ok(!two.sequence.some((s, i) => two.pixel[i] === 0 && s <= 9));
    // -1,0,0 culls nothing (the gridder's default)
    await run(d, "none.nc", [...WIN, "--sample", "-1,0,0"]);
    assert.equal((await readSpecFile(join(d.dir, "none.nc"))).nspec, all.nspec);
    // errors: not triples / pixel not processed / S1 < S0 (usage, 2); every sample of a pixel (data, 1)
    for (
      const [args, code, re] of [
        [["--sample", "5,10"], 2, /triples/],
        [["--sample", "5,0,3", "--pix_list", "0,1,2"], 2, /pixel 5 is not in --pix_list/],
        [["--sample", "5,9,3"], 2, /S0 ≤ S1/],
        [["--sample", "5,0,100000"], 1, /culls every ON sample of pixel 5/],
      ] as [string[], number, RegExp][]
    ) {
      const r = await run(d, "bad.nc", [...WIN, ...args], code);
      assert.match(r.stderr, re);
      // one line (a usage error adds the "try --help" line)
      assert.equal(r.stderr.trim().split("\n").length, code === 2 ? 2 : 1, r.stderr);
      assert.ok(!existsSync(join(d.dir, "bad.nc")));
    }
  } finally {
    d.cleanup();
  }
});
