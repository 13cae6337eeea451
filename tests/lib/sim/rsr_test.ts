/**
 * Tests of the synthetic RSR generator: layout = the sample CDLs, readable by lib/netcdf and by
 * python netCDF4, deterministic, and the injected truth is in the data (Tsys from HOT/SKY through
 * the generated corr_cal, the line at the right frequency, bad lags and the bad board in the lag σ).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openNetcdf } from "../../../lib/netcdf/mod.ts";
import {
  buildRsr,
  corrCalMatrix,
  diffsat,
  generateRsr,
  rsrFileName,
  type RsrSimOptions,
  rsrSkyFreq,
  type RsrTruth,
  rsrValidChannel,
  spectrumToLags,
} from "../../../lib/sim/rsr.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";
import { layoutDiff, parseCdl } from "./_cdl.ts";

const OPTS: RsrSimOptions = {
  obsnum: 91001,
  seed: 11,
  instrumentSeed: 3,
  nRepeats: 3,
  lines: [{ freqGhz: 94.3, peakK: 0.5, fwhmKms: 320 }, { freqGhz: 106.4, peakK: 0.3, fwhmKms: 180 }],
  badLags: [{ chassis: 1, board: 0, lag: 101, amp: 15 }, { chassis: 0, board: 4, lag: 222, amp: 1.4 }],
  badBoards: [{ chassis: 3, board: 2, factor: 8 }],
};

let cached: { dir: string; truth: RsrTruth; cleanup: () => void } | null = null;
async function generated(): Promise<{ dir: string; truth: RsrTruth }> {
  if (cached) return cached;
  const t = tempDir("sim-rsr-");
  const truth = await generateRsr(t.dir, OPTS);
  cached = { dir: t.dir, truth, cleanup: t.cleanup };
  globalThis.addEventListener("unload", () => cached?.cleanup());
  return cached;
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
      else out.push(join(rel, e.name));
    }
  };
  walk(root, "");
  return out.sort();
}

Deno.test("sim/rsr: cosine-transform lags and the corr_cal matrix are exact inverses", () => {
  const g = Float64Array.from({ length: 256 }, (_, l) => 1 + 0.01 * Math.sin(l));
  const spec = Float64Array.from(
    { length: 256 },
    (_, k) => 1000 + 50 * Math.cos(k / 7) + (k === 100 ? 30 : 0),
  );
  const lags = spectrumToLags(spec, g, new Float64Array(256));
  const m = corrCalMatrix(g);
  let maxErr = 0;
  for (let k = 0; k < 256; k++) {
    let s = 0;
    for (let l = 0; l < 256; l++) s += m[k * 256 + l]! * lags[l]!;
    maxErr = Math.max(maxErr, Math.abs(s - spec[k]!));
  }
  assert.ok(maxErr < 1e-9, `round trip error ${maxErr}`);
  // zero lag = mean power × g_0
  assert.ok(Math.abs(lags[0]! - g[0]! * spec.reduce((a, x) => a + x, 0) / 256) < 1e-9);
});

Deno.test("sim/rsr: file set, names and sizes of one obsnum", async () => {
  const { dir, truth } = await generated();
  const files = listFiles(dir);
  assert.equal(files.length, 12);
  assert.deepEqual([...truth.files].sort(), files);
  assert.ok(files.includes("RedshiftChassis2/RedshiftChassis2_2024-11-02_091000_00_0001.nc"));
  assert.ok(files.includes("rsr/cal/corr_cal_2024_3.nc"));
  assert.equal(
    rsrFileName(0, Date.UTC(2024, 10, 2, 5, 30) / 1000, 91001),
    "RedshiftChassis0/RedshiftChassis0_2024-11-02_091001_00_0001.nc",
  );
  const head = readFileSync(join(dir, files.find((f) => f.includes("091001"))!)).subarray(0, 4);
  assert.deepEqual([...head], [0x43, 0x44, 0x46, 0x01]); // CDF-1
  const cc = readFileSync(join(dir, "rsr/cal/corr_cal_2024_0.nc")).subarray(0, 4);
  assert.deepEqual([...cc], [0x89, 0x48, 0x44, 0x46]); // HDF5
});

Deno.test({
  name: "sim/rsr: variables, types and dimensions equal the sample layouts (CDL)",
  ignore: needsSamples(),
  fn: async () => {
    const { dir } = await generated();
    const lay = sample("rsr", "layout");
    for (
      const [mine, ref] of [
        [
          "RedshiftChassis1/RedshiftChassis1_2024-11-02_091001_00_0001.nc",
          "RedshiftChassis1_2024-11-02_091001_00_0001.cdl",
        ],
        [
          "RedshiftChassis3/RedshiftChassis3_2024-11-02_091000_00_0001.nc",
          "RedshiftChassis3_2024-11-02_091000_00_0001.cdl",
        ],
        ["rsr/cal/corr_cal_2024_2.nc", "corr_cal_2024_2.cdl"],
      ] as const
    ) {
      const f = await openNetcdf(join(dir, mine));
      const cdl = parseCdl(readFileSync(join(lay, ref), "utf8"));
      // Bs repeats differ from the sample's 5 (time is unlimited, so no size check there)
      assert.deepEqual(layoutDiff(f, cdl), [], mine);
      f.close();
    }
  },
});

Deno.test("sim/rsr: header values as dreampy3 needs them", async () => {
  const { dir, truth } = await generated();
  const f = await openNetcdf(join(dir, "RedshiftChassis2/RedshiftChassis2_2024-11-02_091001_00_0001.nc"));
  assert.equal(f.format, "cdf1");
  assert.equal(f.readString("Header.Dcs.ObsPgm"), "Bs");
  assert.equal(f.readScalar("Header.RedshiftChassis_2_.CalObsNum"), 91000);
  assert.equal(f.readScalar("Header.RedshiftChassis_2_.CorrCalId"), 2024);
  assert.equal(f.readScalar("Header.Bs.NumRepeats"), 3);
  assert.deepEqual([...f.readNumbers("Data.Dcs.BufPos")], [0, 1, 0, 1, 0, 1]);
  assert.equal(f.readNumbers("Header.Rsfend.Temperature")[6], truth.tamb_k);
  // UTDate is the decimal year of 2024-11-02T05:30:00 (leap year: 306.229/366)
  assert.ok(Math.abs(f.readScalar("Header.TimePlace.UTDate") - (2024 + (306 + 5.5 / 24) / 366)) < 1e-9);
  assert.equal(f.dimensions.get("time")!.unlimited, true);
  f.close();
});

Deno.test("sim/rsr: Tsys from HOT/SKY through the generated corr_cal equals the truth (0.5 %)", async () => {
  const { dir, truth } = await generated();
  for (const c of [0, 3]) {
    const cal = await openNetcdf(join(dir, rsrFileName(c, Date.UTC(2024, 10, 2, 5, 28, 30) / 1000, 91000)));
    const cc = await openNetcdf(join(dir, `rsr/cal/corr_cal_2024_${c}.nc`));
    const acc = cal.readNumbers(`Data.RedshiftChassis_${c}_.AccData`);
    const ns = cal.readNumbers(`Data.RedshiftChassis_${c}_.AccSamples`);
    const m = cc.readNumbers(`Data.RedshiftChassis_${c}_.corr_cal`);
    assert.equal(m.length, 6 * 256 * 256);
    assert.equal(acc.length, 6 * 6 * 256); // 6 records (hot, sky, W, X, Y, Z) × 6 boards × 256 lags
    assert.equal(ns.length, 6 * 6);
    for (let b = 0; b < 6; b++) {
      const spec = (r: number) => {
        const out = new Float64Array(256);
        for (let k = 0; k < 256; k++) {
          let s = 0;
          for (let l = 0; l < 256; l++) {
            s += m[b * 65536 + k * 256 + l]! * acc[(r * 6 + b) * 256 + l]! / ns[r * 6 + b]!;
          }
          out[k] = s;
        }
        return out;
      };
      const hot = spec(0), sky = spec(1);
      let sum = 0, n = 0;
      for (let k = 0; k < 256; k++) {
        if (!rsrValidChannel(k)) continue;
        sum += (truth.tamb_k * sky[k]!) / (hot[k]! - sky[k]!);
        n++;
      }
      const bt = truth.boards.find((x) => x.chassis === c && x.board === b)!;
      assert.ok(
        Math.abs(sum / n / bt.tsys_phys_mean_k - 1) < 0.005,
        `c${c} b${b}: ${sum / n} vs ${bt.tsys_phys_mean_k}`,
      );
      // the expected (diffsat) value is consistent with the table
      assert.ok(
        bt.tsys_expected_mean_k > 0.5 * bt.tsys_phys_mean_k &&
          bt.tsys_expected_mean_k < 1.2 * bt.tsys_phys_mean_k,
      );
    }
    cal.close();
    cc.close();
  }
});

Deno.test("sim/rsr: the beam-switched line appears at 94.3 GHz with the injected peak (chassis 0 and 1)", async () => {
  const { dir, truth } = await generated();
  for (const c of [0, 1]) {
    const bs = await openNetcdf(join(dir, rsrFileName(c, Date.UTC(2024, 10, 2, 5, 30) / 1000, 91001)));
    const cal = await openNetcdf(join(dir, rsrFileName(c, Date.UTC(2024, 10, 2, 5, 28, 30) / 1000, 91000)));
    const cc = await openNetcdf(join(dir, `rsr/cal/corr_cal_2024_${c}.nc`));
    const m = cc.readNumbers(`Data.RedshiftChassis_${c}_.corr_cal`);
    assert.equal(m.length, 6 * 256 * 256);
    const b = 3;
    const toSpec = (lags: Float64Array, off: number, norm: number) => {
      const out = new Float64Array(256);
      for (let k = 0; k < 256; k++) {
        let s = 0;
        for (let l = 0; l < 256; l++) s += m[b * 65536 + k * 256 + l]! * lags[off + l]! / norm;
        out[k] = s;
      }
      return out;
    };
    const g = `Data.RedshiftChassis_${c}_.`;
    const cacc = cal.readNumbers(g + "AccData"), cns = cal.readNumbers(g + "AccSamples");
    const hot = toSpec(cacc, b * 256, cns[b]!), sky = toSpec(cacc, (6 + b) * 256, cns[6 + b]!);
    const acc = bs.readNumbers(g + "AccData"),
      ref = bs.readNumbers(g + "RefData"),
      ns = bs.readNumbers(g + "AccSamples");
    const nrec = ns.length / 6;
    const mean = new Float64Array(256);
    const sgn = c === 1 || c === 2 ? -1 : 1;
    for (let r = 0; r < nrec; r += 2) {
      const t = (q: number) => {
        const o = (q * 6 + b) * 256;
        const S = toSpec(acc, o, ns[q * 6 + b]!), ST = toSpec(ref, o, ns[q * 6 + b]!);
        return S.map((x, k) => x / (ST[k]! - x));
      };
      const t0 = t(r), t1 = t(r + 1);
      for (let k = 0; k < 256; k++) {
        const tsys = (truth.tamb_k * sky[k]!) / (hot[k]! - sky[k]!);
        mean[k]! += (sgn * (t0[k]! - t1[k]!) * tsys) / (nrec / 2);
      }
    }
    // remove the DC term (blank pattern offset cancels between beams; any residual is flat)
    const k0 = Math.round((94.3 - rsrSkyFreq(b, 0)) / 0.03125);
    let off = 0, n = 0;
    for (let k = 60; k < 240; k++) if (Math.abs(k - k0) > 15) (off += mean[k]!, n++);
    off /= n;
    let kmax = 0;
    for (let k = 41; k <= 252; k++) if (mean[k]! > mean[kmax]!) kmax = k;
    assert.ok(Math.abs(rsrSkyFreq(b, kmax) - 94.3) <= 0.04, `peak at ${rsrSkyFreq(b, kmax)} GHz`);
    const bt = truth.boards.find((x) => x.chassis === c && x.board === b)!;
    const noise = bt.expected_rms_per_repeat_k / Math.sqrt(nrec / 2);
    assert.ok(
      Math.abs(mean[kmax]! - off - bt.line_peak_in_board_k) < 4 * noise + 0.01 * bt.line_peak_in_board_k,
      `c${c}: peak ${mean[kmax]! - off} vs ${bt.line_peak_in_board_k} (noise ${noise})`,
    );
    assert.ok(Math.abs(bt.line_peak_expected_k / bt.line_peak_in_board_k - diffsat(c, b, 94.3)) < 0.01);
    bs.close();
    cal.close();
    cc.close();
  }
});

Deno.test("sim/rsr: bad lags and the bad board show in the per-lag σ over records", async () => {
  const { dir, truth } = await generated();
  const sigma = async (c: number, b: number) => {
    const f = await openNetcdf(join(dir, rsrFileName(c, Date.UTC(2024, 10, 2, 5, 30) / 1000, 91001)));
    const acc = f.readNumbers(`Data.RedshiftChassis_${c}_.AccData`),
      ns = f.readNumbers(`Data.RedshiftChassis_${c}_.AccSamples`);
    f.close();
    const nrec = ns.length / 6;
    return Float64Array.from({ length: 256 }, (_, l) => {
      const v = Array.from({ length: nrec }, (_, r) => acc[(r * 6 + b) * 256 + l]! / ns[r * 6 + b]!);
      const mu = v.reduce((a, x) => a + x, 0) / nrec;
      return Math.sqrt(v.reduce((a, x) => a + (x - mu) ** 2, 0) / nrec);
    });
  };
  const s10 = await sigma(1, 0);
  const med = [...s10].sort((a, b) => a - b)[128]!;
  assert.ok(s10[101]! > 2.5, `bad lag 1/0/101 σ = ${s10[101]}`);
  assert.ok(med < 0.3, `median σ ${med}`);
  const s04 = await sigma(0, 4);
  assert.ok(s04[222]! / ((s04[221]! + s04[223]!) / 2) > 3, "weak bad lag 0/4/222 is a spike");
  const s32 = await sigma(3, 2), s33 = await sigma(3, 3);
  const m32 = [...s32].sort((a, b) => a - b)[128]!, m33 = [...s33].sort((a, b) => a - b)[128]!;
  assert.ok(m32 > 4 * m33, `bad board 3/2 median σ ${m32} vs 3/3 ${m33}`);
  const bt = truth.boards.find((x) => x.chassis === 3 && x.board === 2)!;
  assert.ok(Math.abs(bt.extra_lag_noise / bt.lag_noise_rms_per_record - 8) < 1e-3);
});

/** Every variable of two netCDF files holds the same values. */
export async function assertSameContent(p1: string, p2: string): Promise<void> {
  const f1 = await openNetcdf(p1), f2 = await openNetcdf(p2);
  try {
    assert.deepEqual([...f1.variables.keys()], [...f2.variables.keys()]);
    for (const name of f1.variables.keys()) assert.deepEqual(f1.read(name), f2.read(name), `${p1}: ${name}`);
  } finally {
    f1.close();
    f2.close();
  }
}

Deno.test("sim/rsr: same seed → identical files (netCDF-3 byte-identical); another seed → different data", async () => {
  const a = tempDir("sim-rsr-a-"), b = tempDir("sim-rsr-b-");
  try {
    const small: RsrSimOptions = { ...OPTS, nRepeats: 1 };
    await generateRsr(a.dir, small);
    await generateRsr(b.dir, small);
    const files = listFiles(a.dir);
    assert.deepEqual(files, listFiles(b.dir));
    for (const f of files) {
      const ba = readFileSync(join(a.dir, f)), bb = readFileSync(join(b.dir, f));
      if (ba[0] === 0x43) {
        assert.ok(ba.equals(bb), `${f} differs between runs`); // netCDF-3: byte-identical
      } else {
        // netCDF-4 through h5wasm carries HDF5 object timestamps, so compare the content
        await assertSameContent(join(a.dir, f), join(b.dir, f));
      }
    }
    const m1 = buildRsr(small), m2 = buildRsr({ ...small, seed: 12 });
    const key = rsrFileName(0, Date.UTC(2024, 10, 2, 5, 30) / 1000, 91001);
    const d1 = m1.chassis.get(key)!.variables.find((v) => v.name.endsWith("AccData"))!.data as Float64Array;
    const d2 = m2.chassis.get(key)!.variables.find((v) => v.name.endsWith("AccData"))!.data as Float64Array;
    assert.notDeepEqual(d1.slice(0, 10), d2.slice(0, 10));
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

Deno.test({
  name: "sim/rsr: python netCDF4 reads the files (interop)",
  ignore: !existsSync("/usr/bin/python3"),
  fn: async () => {
    const { dir } = await generated();
    const script = `
import netCDF4, sys
d = netCDF4.Dataset(sys.argv[1] + '/RedshiftChassis0/RedshiftChassis0_2024-11-02_091001_00_0001.nc')
assert d.data_model == 'NETCDF3_CLASSIC', d.data_model
print(b''.join(d['Header.Dcs.ObsPgm'][:].data).decode().strip(), d['Data.RedshiftChassis_0_.AccData'].shape)
c = netCDF4.Dataset(sys.argv[1] + '/rsr/cal/corr_cal_2024_0.nc')
print(c.data_model, c['Header.RedshiftChassis_0_.slotno'].dtype, list(c['Header.RedshiftChassis_0_.slotno'][:]), c['Data.RedshiftChassis_0_.corr_cal'].shape)
`;
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", script, dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    if (err.includes("No module named 'netCDF4'")) return; // interop package not installed here
    assert.equal(out.code, 0, err);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(lines[0], "Bs (6, 6, 256)");
    assert.equal(lines[1], "NETCDF4 int64 [5, 8, 11, 14, 17, 20] (6, 256, 256)");
  },
});
