/**
 * Black-box tests of the SDFITS exports: `sdfits` (SpecFile → SDFITS, files and pipes),
 * `spec_driver_fits` on SDFITS (the same cube as on the SpecFile), `rsr_driver --sdfits` (rows equal
 * the driver's calibrated repeats, Tsys, exposure, frequency axes; astropy's weighted average) and the
 * sample SpecFile / process_otf_map pipe when ../shared/samples is present.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../lib/fits/reader.ts";
import { channelFrequency, readSdfits, topoAxisToLsr, weightedAverage } from "../../lib/sdfits/sdfits.ts";
import { C_KMS } from "../../lib/num/constants.ts";
import { reducePs } from "../../lib/seq/ps.ts";
import { reduceBs } from "../../lib/seq/bs.ts";
import { generateSeqPs } from "../../lib/sim/seq_ps.ts";
import { readSpecFile } from "../../lib/specfile/mod.ts";
import { generateRsr } from "../../lib/sim/rsr.ts";
import { runDriver } from "../../lib/rsr/driver.ts";
import { isBlank, offset } from "../../lib/rsr/product.ts";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { REF_GRID_LETTERS } from "./_seq_grid.ts";
import { writeFixtureSpecFile } from "../lib/fits/_sdfits_fixture.ts";

const GRID = [
  "-l",
  "12",
  "-c",
  "6",
  "-u",
  "[0,3,5,10]",
  "-z",
  "-4",
  "-s",
  "1",
  "-x",
  "60",
  "-y",
  "48",
  "-f",
  "1",
  "-r",
  "3",
  "-e",
  "0",
  "--workers",
  "1",
];

/** max |a−b| over cells both finite, and the number of cells whose NaN-ness differs. */
function compare(a: ArrayLike<number>, b: ArrayLike<number>): { maxd: number; nanDiff: number } {
  assert.equal(a.length, b.length);
  let maxd = 0, nanDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) nanDiff++;
    else if (!Number.isNaN(x)) maxd = Math.max(maxd, Math.abs(x - y));
  }
  return { maxd, nanDiff };
}

Deno.test("sdfits: SpecFile → SDFITS (file and pipe); spec_driver_fits grids it to the same cube", async () => {
  const { dir, cleanup } = tempDir("lmt-sdfits-");
  try {
    writeFixtureSpecFile(join(dir, "f.nc"));
    const r = await runTool("sdfits", ["-i", "f.nc", "-o", "f.sdfits"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const sd = readSdfits(join(dir, "f.sdfits"));
    const sf = await readSpecFile(join(dir, "f.nc"));
    assert.equal(sd.rows.length, sf.nspec);
    sd.rows.forEach((row, i) => {
      assert.deepEqual(row.data, sf.spectra.subarray(i * sf.nchan, (i + 1) * sf.nchan));
      assert.equal(row.fdnum, sf.pixel[i]);
    });
    // pipe: SpecFile on stdin, SDFITS on stdout
    const p = await runTool("sdfits", ["-i", "-", "-o", "-"], {
      cwd: dir,
      stdin: Deno.readFileSync(join(dir, "f.nc")),
    });
    assert.equal(p.code, 0, p.stderr);
    Deno.writeFileSync(join(dir, "p.sdfits"), p.stdoutBytes);
    const sp = readSdfits(join(dir, "p.sdfits"));
    assert.deepEqual(sp.rows.map((x) => x.data), sd.rows.map((x) => x.data));
    // the gridder: SpecFile and SDFITS → same cube, weight and radiometer maps
    for (const [inp, out] of [["f.nc", "a"], ["f.sdfits", "b"]] as const) {
      const g = await runTool("spec_driver_fits", [
        "-i",
        inp,
        "-o",
        `${out}.fits`,
        "-w",
        `${out}.wt.fits`,
        ...GRID,
      ], {
        cwd: dir,
      });
      assert.equal(g.code, 0, g.stderr);
    }
    for (const s of ["", ".wt", ".radiometer.rms"]) {
      const a = readFits(join(dir, `a${s}.fits`)).hdus[0]!, b = readFits(join(dir, `b${s}.fits`)).hdus[0]!;
      assert.deepEqual(b.shape, a.shape);
      const c = compare(a.data as Float32Array, b.data as Float32Array);
      assert.equal(c.nanDiff, 0, `${s}: same NaN mask`);
      assert.ok(c.maxd <= 1e-5, `${s}: max |delta| ${c.maxd}`);
      for (const k of ["CRVAL1", "CRVAL2", "CRVAL3", "CDELT3", "CRPIX3", "RESTFRQ", "OBJECT"]) {
        assert.equal(b.header.get(k), a.header.get(k), `${s} ${k}`);
      }
    }
    // grid_data reads SDFITS on stdin too
    const gd = await runTool("grid_data", [
      "--input",
      "-",
      "--output",
      "c.fits",
      "--weight",
      "c.wt.fits",
      "--pix_list",
      "0,3,5,10",
      "--resolution",
      "12",
      "--cell",
      "6",
      "--x_extent",
      "60",
      "--y_extent",
      "48",
      "--rms_cut",
      "-4",
      "--edge",
      "0",
    ], { cwd: dir, stdin: Deno.readFileSync(join(dir, "f.sdfits")) });
    assert.equal(gd.code, 0, gd.stderr);
    const gc = readFits(join(dir, "c.fits")).hdus[0]!;
    assert.ok((gc.data as Float32Array).some((v) => v > 1), "grid_data cube holds the line");
  } finally {
    cleanup();
  }
});

Deno.test("sdfits: bad input is one line, exit 1 (data) or 2 (usage), no output left", async () => {
  const { dir, cleanup } = tempDir("lmt-sdfits-");
  try {
    Deno.writeTextFileSync(join(dir, "junk.nc"), "not a netcdf file\n");
    for (
      const [args, code] of [[["-i", "missing.nc", "-o", "x.sdfits"], 1], [[
        "-i",
        "junk.nc",
        "-o",
        "x.sdfits",
      ], 1], [["-o", "x.sdfits"], 2]] as const
    ) {
      const r = await runTool("sdfits", [...args], { cwd: dir });
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith("sdfits: "), r.stderr);
      assert.ok(!r.stderr.includes("    at "), "no stack trace");
      assert.ok(!existsSync(join(dir, "x.sdfits")));
    }
    assert.deepEqual(readdirSync(dir).sort(), ["junk.nc"]);
    const g = await runTool("spec_driver_fits", ["-i", "junk.sdfits", "-o", "c.fits"], { cwd: dir });
    assert.equal(g.code, 1);
    Deno.writeFileSync(
      join(dir, "t.fits"),
      new Uint8Array(2880).fill(32).map((v, i) => "SIMPLE  =".charCodeAt(i) || v),
    );
    const h = await runTool("spec_driver_fits", ["-i", "t.fits", "-o", "c.fits"], { cwd: dir });
    assert.equal(h.code, 1, h.stderr);
    assert.equal(h.stderr.trim().split("\n").length, 1, h.stderr);
  } finally {
    cleanup();
  }
});

Deno.test("rsr_driver --sdfits: one row per obsnum, chassis, board and repeat equal to the driver's calibrated repeats", async () => {
  const { dir, cleanup } = tempDir("lmt-rsr-sdfits-");
  try {
    const root = join(dir, "data_lmt");
    const O = 91001;
    await generateRsr(root, { obsnum: O, seed: 5, lines: [{ freqGhz: 94.3, peakK: 0.06, fwhmKms: 320 }] });
    const r = await runTool("rsr_driver", [String(O), "-o", "spec.txt", "--sdfits", "rsr.sdfits"], {
      cwd: dir,
      env: { DATA_LMT: root },
    });
    assert.equal(r.code, 0, r.stderr);
    const sd = readSdfits(join(dir, "rsr.sdfits"));
    const res = await runDriver({ obsnums: [O], dataLmt: root, order: 1 });
    const nrep = res.products[0]!.repeats.nrep;
    assert.equal(sd.rows.length, res.products.length * nrep * 6);
    let i = 0;
    for (const p of res.products) {
      const tint = p.meta!.integrationTime;
      for (let k = 0; k < nrep; k++) {
        for (let b = 0; b < 6; b++) {
          const row = sd.rows[i++]!;
          assert.equal(row.scan, O);
          assert.equal(row.fdnum, p.chassis);
          assert.equal(row.ifnum, b);
          assert.equal(row.procseqn, k + 1);
          assert.equal(row.obsmode, "Bs:BSWITCH:NONE");
          assert.ok(Math.abs(row.exposure - tint / nrep) < 1e-9);
          assert.equal(row.tsys, p.meta!.tsys[b]);
          assert.ok(row.tsys > 50 && row.tsys < 500, `Tsys ${row.tsys}`);
          const f = p.repeats.freq[b]!;
          const ax = { crval: row.crval1, crpix: row.crpix1, cdelt: row.cdelt1 };
          assert.ok(Math.abs(channelFrequency(ax, 0) - f[0]! * 1e9) < 1e-3);
          assert.ok(Math.abs(channelFrequency(ax, 255) - f[255]! * 1e9) < 1e-3);
          const o = offset(k, b);
          for (let c = 0; c < 256; c++) {
            const v = p.repeats.data[o + c]!;
            if (isBlank(v)) {
              assert.ok(Number.isNaN(row.data[c]!) && row.flags![c] === 1);
            } else if (Number.isNaN(v)) assert.ok(Number.isNaN(row.data[c]!));
            else {assert.equal(
                row.data[c],
                Math.fround(v),
                `chassis ${p.chassis} board ${b} repeat ${k} ch ${c}`,
              );}
          }
        }
      }
    }
    // astropy reads it; its EXPOSURE·|CDELT1|/TSYS² average of chassis 1 board 2 equals ours
    const py = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        `
import sys, numpy as np
from astropy.io import fits
t = fits.getdata(sys.argv[1], "SINGLE DISH")
s = (t["FDNUM"] == 1) & (t["IFNUM"] == 2)
d = np.where(t["FLAGS"][s] > 0, np.nan, t["DATA"][s])
w = (t["EXPOSURE"][s] * np.abs(t["CDELT1"][s]) / t["TSYS"][s] ** 2)[:, None] * np.isfinite(d)
a = np.nansum(w * np.nan_to_num(d), 0) / w.sum(0)
print(" ".join(repr(float(x)) for x in a))
`,
        join(dir, "rsr.sdfits"),
      ],
      stderr: "piped",
    });
    let out: Deno.CommandOutput | undefined;
    try {
      out = py.outputSync();
    } catch {
      console.error("NOTICE: /usr/bin/python3 not available: astropy check SKIPPED");
    }
    if (out) {
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const theirs = new TextDecoder().decode(out.stdout).trim().split(/\s+/).map(Number);
      const mine = weightedAverage(sd.rows.filter((x) => x.fdnum === 1 && x.ifnum === 2));
      theirs.forEach((v, c) => {
        if (Number.isNaN(mine[c]!)) assert.ok(Number.isNaN(v));
        else assert.ok(Math.abs(v - mine[c]!) < 1e-9, `channel ${c}: ${v} vs ${mine[c]}`);
      });
    }
  } finally {
    cleanup();
  }
});

Deno.test("sdfits on the sample SpecFile and the process_otf_map pipe: gridded cube equals the reference", async (t) => {
  if (needsSamples()) return;
  const { dir, cleanup } = tempDir("lmt-sdfits-sample-");
  try {
    const env = { DATA_LMT: sample("seq", "data_lmt") };
    const po = await runTool("process_otf_map", ["-O", "97001", "-o", "-", "--use_cal"], { cwd: dir, env });
    assert.equal(po.code, 0, po.stderr);
    const s = await runTool("sdfits", ["-i", "-", "-o", "map.sdfits"], { cwd: dir, stdin: po.stdoutBytes });
    assert.equal(s.code, 0, s.stderr);
    await t.step("the reference SpecFile's SDFITS grids to the reference cube", async () => {
      const ref = sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.nc");
      const r = await runTool("sdfits", ["-i", ref, "-o", "ref.sdfits"], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const args = (i: string, o: string) => ["-i", i, "-o", o, ...REF_GRID_LETTERS];
      const g = await runTool("spec_driver_fits", args("ref.sdfits", "b.fits"), { cwd: dir });
      assert.equal(g.code, 0, g.stderr);
      const a = readFits(sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.fits")).hdus[0]!;
      const b = readFits(join(dir, "b.fits")).hdus[0]!;
      const c = compare(a.data as Float32Array, b.data as Float32Array);
      assert.equal(c.nanDiff, 0);
      assert.ok(c.maxd <= 1e-5, `max |delta| ${c.maxd} K`);
    });
  } finally {
    cleanup();
  }
});

Deno.test("process_ps --sdfits: one row per obsnum and pixel equal to the reduced spectra, on the VLSR axis", async () => {
  const { dir, cleanup } = tempDir("lmt-ps-sdfits-");
  try {
    const root = join(dir, "data_lmt");
    await generateSeqPs(root, {
      obsnum0: 97060,
      nchan: 512,
      bandwidthMHz: 200,
      noiseScale: 0,
      gainDriftFrac: 0,
    });
    const args = [
      "--obs_list",
      "97061",
      "--pix_list",
      "11,9,10",
      "--use_cal",
      "-o",
      "ps.txt",
      "--plot",
      "none",
    ];
    const r = await runTool("process_ps", [...args, "--sdfits", "ps.sdfits"], {
      cwd: dir,
      env: { DATA_LMT: root },
    });
    assert.equal(r.code, 0, r.stderr);
    const sd = readSdfits(join(dir, "ps.sdfits"));
    const ps = await reducePs({ root, obsnums: [97061], pixList: [11, 9, 10], bank: 0, useCal: true });
    assert.deepEqual(sd.rows.map((x) => x.fdnum), [9, 10, 11]);
    const lo = 64, hi = ps.x.length - 64;
    const txt = Deno.readTextFileSync(join(dir, "ps.txt")).split("\n").filter((l) => l && !l.startsWith("#"))
      .map((l) => l.trim().split(/\s+/).map(Number));
    sd.rows.forEach((row, i) => {
      const s = ps.spectra[i]!;
      assert.equal(row.scan, 97061);
      assert.equal(row.obsmode, "Ps:PSWITCH:NONE");
      assert.deepEqual(row.data, Float32Array.from(s.spectrum.subarray(lo, hi)));
      assert.ok(Math.abs(row.exposure - s.onTime) < 1e-12);
      assert.ok(Math.abs(row.tsys - s.tsys.subarray(lo, hi).reduce((a, b) => a + b, 0) / (hi - lo)) < 1e-9);
      // channel 0 and n−1: back at the LSR, f = RESTFREQ·(1 − v/c) of the text spectrum's vlsr column
      const lsr = topoAxisToLsr(
        { crval: row.crval1, crpix: row.crpix1, cdelt: row.cdelt1 },
        row.crval2,
        row.crval3,
        new Date(row.dateObs + "Z"),
      );
      for (const k of [0, hi - lo - 1]) {
        const v = ps.x[lo + k]!;
        assert.ok(Math.abs(channelFrequency(lsr, k) - row.restfreq * (1 - v / C_KMS)) < 1, `channel ${k}`);
        assert.ok(Math.abs(txt[k]![3 + i]! - row.data[k]!) <= 1e-4 + 5e-6 * Math.abs(row.data[k]!));
      }
    });
  } finally {
    cleanup();
  }
});

Deno.test("process_bs --sdfits on the sample Bs obsnum: the row is the TA of the text spectrum", async () => {
  if (needsSamples()) return;
  const { dir, cleanup } = tempDir("lmt-bs-sdfits-");
  try {
    const root = sample("seq", "data_lmt");
    const args = ["--obs_list", "97003", "--pix_list", "10,8", "--use_cal", "--stype", "2", "-o", "bs.txt"];
    const r = await runTool("process_bs", [...args, "--sdfits", "bs.sdfits", "--plot", "none"], {
      cwd: dir,
      env: { DATA_LMT: root },
    });
    assert.equal(r.code, 0, r.stderr);
    const sd = readSdfits(join(dir, "bs.sdfits"));
    const bs = await reduceBs({
      root,
      obsnums: [97003],
      pixList: [10, 8],
      bank: 0,
      useCal: true,
      stype: 2,
      block: -1,
    });
    assert.equal(sd.rows.length, 1);
    const row = sd.rows[0]!;
    const lo = 64, hi = bs.x.length - 64;
    assert.deepEqual(row.data, Float32Array.from(bs.ta.subarray(lo, hi)));
    assert.equal(row.fdnum, bs.main);
    assert.equal(row.obsmode, "Bs:BSWITCH:NONE");
    assert.equal(row.dateObs.slice(0, 10), "2025-04-20");
    // the reference text spectrum (byte-identical to process_bs.py's)
    const ref = Deno.readTextFileSync(sample("seq", "reference_outputs", "SAMPLE-BS_97003__0.txt")).split(
      "\n",
    )
      .filter((l) => l && !l.startsWith("#")).map((l) => l.trim().split(/\s+/).map(Number));
    assert.equal(ref.length, hi - lo);
    ref.forEach((cols, k) =>
      assert.ok(Math.abs(cols[1]! - row.data[k]!) <= 5e-6 * Math.abs(cols[1]!) + 1e-6)
    );
  } finally {
    cleanup();
  }
});
