/**
 * Tests of the synthetic SEQ generator: layouts = the sample CDLs, Tsys from HOT/SKY medians, the
 * source and the Bs line in the data, determinism of the ifproc (CDF-2) files.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openNetcdf } from "../../../lib/netcdf/mod.ts";
import { generateSeq, type SeqTruth } from "../../../lib/sim/seq.ts";
import { median, needsSamples, sample, tempDir } from "../../_helpers.ts";
import { layoutDiff, parseCdl } from "./_cdl.ts";

// a small set: 1100 channels (> 1024 as the reduction needs) keep it fast; the map is the sample's 5-row raster
const OPTS = { obsnum0: 97000, seed: 99, nchan: 1100 };

let cached: { dir: string; truth: SeqTruth } | null = null;
async function generated(): Promise<{ dir: string; truth: SeqTruth }> {
  if (cached) return cached;
  const t = tempDir("sim-seq-");
  const truth = await generateSeq(t.dir, OPTS);
  cached = { dir: t.dir, truth };
  globalThis.addEventListener("unload", () => t.cleanup());
  return cached;
}

/** The truth of one obsnum (fails when the generator did not write it). */
function obsTruth(truth: SeqTruth, obsnum: number | string) {
  const o = truth.observations[String(obsnum)];
  assert.ok(o, `no truth for obsnum ${obsnum}`);
  return o;
}

/** Per-input rows of a roach file and the BufPos of each dump (nearest ifproc sample). */
async function roachDumps(dir: string, truth: SeqTruth, obsnum: number, roach: number) {
  const o = obsTruth(truth, obsnum);
  const ifp = await openNetcdf(join(dir, o.ifproc_file));
  const tt = ifp.readNumbers("Data.TelescopeBackend.TelTime"),
    bp = ifp.readNumbers("Data.TelescopeBackend.BufPos");
  ifp.close();
  const roachFile = o.roach_files[roach];
  assert.ok(roachFile, `obsnum ${obsnum}: no roach${roach} file`);
  const f = await openNetcdf(join(dir, roachFile));
  const data = f.readNumbers("Data.Integrate.Data");
  const inp = f.readNumbers("Data.Integrate.Inputs");
  const t = f.readNumbers("Data.Integrate.time"), rt = f.readNumbers("Data.Integrate.read_time");
  const nchan = f.readScalar("Header.Mode.numchannels");
  f.close();
  const rows: number[][][] = [[], [], [], []];
  const bufpos: number[] = [];
  for (let r = 0; r < inp.length; r++) {
    const input = rows[inp[r]!];
    assert.ok(input, `row ${r}: input ${inp[r]} is not 0..3`);
    input.push(Array.from(data.subarray(r * nchan, (r + 1) * nchan)));
    if (inp[r] === 0) {
      const ts = t[r]! - rt[r]! - 0.03;
      let j = 0;
      while (j < tt.length - 1 && Math.abs(tt[j + 1]! - ts) < Math.abs(tt[j]! - ts)) j++;
      bufpos.push(bp[j]!);
    }
  }
  return { rows, bufpos, nchan };
}

Deno.test({
  name: "sim/seq: ifproc and roach layouts equal the sample CDLs",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, truth } = await generated();
    const lay = sample("seq", "layout");
    const pairs: [string, string][] = [
      [obsTruth(truth, 97000).ifproc_file, "ifproc_2025-04-20_097000_00_0001.cdl"],
      [obsTruth(truth, 97001).ifproc_file, "ifproc_2025-04-20_097001_00_0001.cdl"],
      [obsTruth(truth, 97003).ifproc_file, "ifproc_2025-04-20_097003_00_0001.cdl"],
      [obsTruth(truth, 97001).roach_files[1]!, "roach1_97001_0_1_SAMPLE-OTF_2025-04-20_074024.cdl"],
      [obsTruth(truth, 97003).roach_files[2]!, "roach2_97003_0_1_SAMPLE-BS_2025-04-20_074611.cdl"],
    ];
    for (const [mine, ref] of pairs) {
      const f = await openNetcdf(join(dir, mine));
      const cdl = parseCdl(readFileSync(join(lay, ref), "utf8"));
      // source-name length and channel count are ours to choose
      assert.deepEqual(
        layoutDiff(f, cdl, { ignoreDimSize: /source_name_slen|numchannels|Bitcode_slen/ }),
        [],
        mine,
      );
      if (mine.includes("roach")) {
        assert.equal(f.format, "netcdf4");
        assert.deepEqual(f.groups, ["Spectrometer"]);
      } else assert.equal(f.format, "cdf2");
      f.close();
    }
  },
});

Deno.test("sim/seq: timing and sizes of the map follow the raster (sample geometry)", async () => {
  const { truth } = await generated();
  const m = obsTruth(truth, 97001);
  assert.equal(m.duration_s, 23);
  assert.equal(m.n_ifproc_samples, 2876);
  assert.equal(m.n_dumps_per_roach, 231);
  assert.equal(obsTruth(truth, 97000).n_dumps_per_roach, 41);
  assert.deepEqual(m.segments.map((s) => s[3]), [
    "ref",
    "row0",
    "turn",
    "row1",
    "turn",
    "row2",
    "ref",
    "row3",
    "turn",
    "row4",
    "ref",
  ]);
  const conv = (truth.map as { convolved: { peak_K: number; fwhm_maj_arcsec: number } }).convolved;
  assert.ok(Math.abs(conv.peak_K - 2.028) < 0.002);
  assert.ok(Math.abs(conv.fwhm_maj_arcsec - 33.72) < 0.01);
  assert.ok(Math.abs(m.elevation_deg_start - 58.8) < 1, `El ${m.elevation_deg_start}`);
});

Deno.test("sim/seq: Tsys = 280·SKY/(HOT−SKY) of the Cal dumps equals the truth per pixel (1 %)", async () => {
  const { dir, truth } = await generated();
  for (const roach of [0, 3]) {
    const { rows, bufpos, nchan } = await roachDumps(dir, truth, 97000, roach);
    for (let i = 0; i < 4; i++) {
      const p = 4 * roach + i;
      const ts: number[] = [];
      for (let c = 100; c < nchan - 100; c += 7) {
        const hot = median(rows[i]!.filter((_, k) => bufpos[k] === 3).map((r) => r[c]!));
        const sky = median(rows[i]!.filter((_, k) => bufpos[k] === 2).map((r) => r[c]!));
        ts.push((280 * sky) / (hot - sky));
      }
      const t = median(ts);
      const tol = p === truth.pixels.bad_pixel ? 0.05 : 0.01;
      assert.ok(
        Math.abs(t / truth.pixels.tsys_K[p]! - 1) < tol,
        `pixel ${p}: ${t} vs ${truth.pixels.tsys_K[p]}`,
      );
    }
  }
});

Deno.test("sim/seq: the map source and the Bs line are in the ON−REF spectra", async () => {
  const { dir, truth } = await generated();
  const lc = Math.round((truth.map as { line_channel: number }).line_channel);
  // map, roach 2: largest line signal of any dump of pixel 8..11 vs the beam-convolved peak
  const { rows, bufpos } = await roachDumps(dir, truth, 97001, 2);
  let best = 0;
  for (let i = 0; i < 4; i++) {
    const refs = rows[i]!.filter((_, k) => bufpos[k] === 1);
    assert.ok(refs[0], `pixel ${8 + i}: no REF dump`);
    const ref = refs[0].map((_, c) => refs.reduce((a, r) => a + r[c]!, 0) / refs.length);
    rows[i]!.forEach((r, k) => {
      if (bufpos[k] !== 0) return;
      let s = 0;
      for (let c = lc - 1; c <= lc + 1; c++) s += ((r[c]! - ref[c]!) / ref[c]!) * truth.pixels.tsys_K[8 + i]!;
      best = Math.max(best, s / 3);
    });
  }
  const peak = (truth.map as { convolved: { peak_K: number } }).convolved.peak_K;
  assert.ok(best > 0.6 * peak && best < peak + 3, `map line max ${best} vs peak ${peak}`);
  // Bs: 0.5·(Y[10] − Y[8]) at the line channel ≈ 0.8 K
  const bs = await roachDumps(dir, truth, 97003, 2);
  const ps = (i: number) => {
    const on = bs.rows[i]!.filter((_, k) => bs.bufpos[k] === 0),
      off = bs.rows[i]!.filter((_, k) => bs.bufpos[k] === 1);
    assert.ok(on[0] && off.length > 0, `Bs pixel ${8 + i}: ON and REF dumps needed`);
    return on[0].map((_, c) => {
      const a = on.reduce((s, r) => s + r[c]!, 0) / on.length,
        b = off.reduce((s, r) => s + r[c]!, 0) / off.length;
      return ((a - b) / b) * truth.pixels.tsys_K[8 + i]! * 1.1;
    });
  };
  const y8 = ps(0), y10 = ps(2);
  const bsTruth = truth.bs as { restFreqGhz: number; vlsrKms: number; vKms: number; peakK: number };
  const dv = (-(800e6 / OPTS.nchan) / (bsTruth.restFreqGhz * 1e9)) * 299792.458;
  const ch = Math.round((OPTS.nchan - 1) / 2 + (bsTruth.vKms - bsTruth.vlsrKms) / dv);
  let s = 0;
  for (let c = ch - 1; c <= ch + 1; c++) s += 0.5 * (y10[c]! - y8[c]!) / 3;
  let rms = 0, n = 0;
  for (let c = 100; c < 400; c++) (rms += (0.5 * (y10[c]! - y8[c]!)) ** 2, n++);
  rms = Math.sqrt(rms / n);
  assert.ok(Math.abs(s - 0.97 * bsTruth.peakK) < 4 * rms / Math.sqrt(3) + 0.05, `Bs line ${s} (rms ${rms})`);
});

Deno.test("sim/seq: same seed → byte-identical ifproc and roach files", async () => {
  const a = tempDir("sim-seq-a-"), b = tempDir("sim-seq-b-");
  try {
    const small = { obsnum0: 1000, seed: 5, nchan: 64, bs: false as const, map: { nRows: 2 } };
    const ta = await generateSeq(a.dir, small);
    await generateSeq(b.dir, small);
    assert.ok(ta.files.some((f) => f.startsWith("spectrometer/")));
    for (const f of ta.files) {
      const x = readFileSync(join(a.dir, f)), y = readFileSync(join(b.dir, f));
      assert.ok(x.equals(y), `${f} differs`);
    }
    // roach files are streamed in blocks of dumps: the block size does not change the data
    const c = tempDir("sim-seq-c-");
    try {
      const tc = await generateSeq(c.dir, { ...small, roachBlockDumps: 7 });
      const map = tc.observations["1001"]!;
      assert.ok(map.n_dumps_per_roach > 3 * 7, `${map.n_dumps_per_roach} dumps`);
      for (const rel of map.roach_files) {
        const fa = await openNetcdf(join(a.dir, rel)), fc = await openNetcdf(join(c.dir, rel));
        assert.equal(fc.dimensions.get("time")!.size, 4 * map.n_dumps_per_roach);
        for (const name of fa.variables.keys()) {
          assert.deepEqual(fc.read(name), fa.read(name), `${rel} ${name}`);
        }
        const t = fc.read("Data.Integrate.time") as Float64Array;
        for (let i = 4; i < t.length; i += 4) {
          assert.ok(Math.abs(t[i]! - t[i - 4]! - 0.1) < 0.003, `time step at row ${i}`);
        }
        fa.close();
        fc.close();
      }
    } finally {
      c.cleanup();
    }
  } finally {
    a.cleanup();
    b.cleanup();
  }
});
