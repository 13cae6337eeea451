/**
 * rsr_driver black-box against the original tool's outputs in ../shared/samples/rsr (README §3.2/3.3):
 * same grid, |ours − reference| ≤ 1e-12 K and ≤ 5 % of σ, identical zero/NaN patterns, identical headers
 * except "Date of Reduction"; `_bandspec` likewise. Plus error paths and the recovered 94.3 GHz line.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { readTextSpectrum } from "../../lib/formats/spectrum.ts";
import {
  copyRsrSample,
  readSpectrumPair,
  RSR_DATE,
  RSR_PIPELINE_OPTS,
  rsrSampleEnv,
  valuePairs,
} from "./_rsr_driver.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";

const ignore = needsSamples();
const TOL_K = 1e-12;

/** Compare a spectrum file with its reference; returns the max abs difference. */
export function compareSpectra(ours: string, ref: string, bandspec: boolean): number {
  const { a, b } = readSpectrumPair(ours, ref);
  let maxd = 0;
  for (const { j, i, x, y, d } of valuePairs(a, b, bandspec)) {
    maxd = Math.max(maxd, d);
    assert.ok(d <= TOL_K, `col ${j} row ${i}: ${x} vs ${y}`);
    if (!bandspec && j === 1 && !Number.isNaN(b.columns[2]![i]!)) {
      assert.ok(d <= 0.05 * b.columns[2]![i]!, `row ${i}: difference above 5 % of sigma`);
    }
  }
  return maxd;
}

interface Case {
  name: string;
  date?: string;
  folder: string;
  tag: string;
  ref: string;
  extra: string[];
  lags: boolean;
}

const CASES: Case[] = [
  {
    name: "91001 final",
    folder: "91001",
    tag: "91001",
    ref: "rsr.91001.driver.sum.txt",
    extra: [],
    lags: true,
  },
  {
    name: "91001 nbs",
    folder: "91001",
    tag: "91001",
    ref: "nbs.rsr.91001.driver.sum.txt",
    extra: ["--no-baseline-sub"],
    lags: true,
  },
  {
    name: "91003 final",
    date: "2024-11-02T05:44:59",
    folder: "91003",
    tag: "91003",
    ref: "rsr.91003.driver.sum.txt",
    extra: [],
    lags: true,
  },
  {
    name: "91001_91003 final",
    folder: "91001_91003",
    tag: "91001_91003",
    ref: "rsr.91001_91003.driver.sum.txt",
    extra: [],
    lags: true,
  },
  {
    name: "91001_91003 nbs",
    folder: "91001_91003",
    tag: "91001_91003",
    ref: "nbs.rsr.91001_91003.driver.sum.txt",
    extra: ["--no-baseline-sub"],
    lags: true,
  },
  {
    name: "91001_91003 xlines final",
    folder: "91001_91003_xlines",
    tag: "91001_91003",
    ref: "rsr.91001_91003.driver.sum.txt",
    extra: ["--exclude", "94.3", "0.6", "106.4", "0.4"],
    lags: true,
  },
];

for (const c of CASES) {
  Deno.test({
    name: `rsr_driver reproduces the reference ${c.name} spectrum and _bandspec`,
    ignore,
    async fn() {
      const { dir, cleanup } = tempDir();
      try {
        copyRsrSample(dir, c.folder, c.tag, ["badlags", "rfile", "blanking"]);
        const out = `rsr.${c.tag}.driver.sum.txt`;
        const args = [
          "rsr.obsnum",
          "--date_obs",
          c.date ?? RSR_DATE,
          "--badlags",
          `rsr.${c.tag}.badlags`,
          "--rfile",
          `rsr.${c.tag}.rfile`,
          ...c.extra.filter((x) => x !== "--no-baseline-sub"),
          "-o",
          out,
          "-w",
          "rsr.wf.pdf",
          "-p",
          ...RSR_PIPELINE_OPTS,
          ...(c.extra.includes("--no-baseline-sub") ? ["--no-baseline-sub"] : []),
        ];
        const r = await runTool("rsr_driver", args, { cwd: dir, env: rsrSampleEnv() });
        assert.equal(r.code, 0, r.stderr);
        const d = compareSpectra(join(dir, out), sample("rsr", c.folder, c.ref), false);
        if (!c.ref.startsWith("nbs.")) {
          const bs = `rsr.${c.tag}.driver.sum_bandspec.txt`;
          compareSpectra(join(dir, bs), sample("rsr", c.folder, bs), true);
        }
        console.log(`  ${c.name}: max |ours - reference| = ${d.toExponential(2)} K`);
      } finally {
        cleanup();
      }
    },
  });
}

Deno.test({
  name: "rsr_driver reproduces the first (no bad lags, no rfile) 91001 spectrum",
  ignore,
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "rsr.obsnum"), "91001\n");
      const r = await runTool("rsr_driver", [
        "rsr.obsnum",
        "-o",
        "rsr.91001.driver.sum.txt",
        "--date_obs",
        RSR_DATE,
        "-w",
        "rsr.wf.pdf",
        "-p",
        ...RSR_PIPELINE_OPTS,
      ], { cwd: dir, env: rsrSampleEnv() });
      assert.equal(r.code, 0, r.stderr);
      compareSpectra(
        join(dir, "rsr.91001.driver.sum.txt"),
        sample("rsr", "91001", "first.rsr.91001.driver.sum.txt"),
        false,
      );
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "rsr_driver recovers the 94.3 GHz line in the _bandspec (peak/centre/width vs truth×diffsat)",
  ignore,
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      copyRsrSample(dir, "91001", "91001", ["badlags", "rfile", "blanking"]);
      const r = await runTool("rsr_driver", [
        "rsr.obsnum",
        "--badlags",
        "rsr.91001.badlags",
        "--rfile",
        "rsr.91001.rfile",
        "-o",
        "s.txt",
        "-t",
        "0.01",
        "-r",
        "0.01",
      ], { cwd: dir, env: rsrSampleEnv() });
      assert.equal(r.code, 0, r.stderr);
      const t = readTextSpectrum(readFileSync(join(dir, "s_bandspec.txt"), "utf8"));
      const f = t.columns[6]!; // board 3
      const y = t.columns[7]!;
      const xs: number[] = [];
      const ys: number[] = [];
      for (let k = 0; k < f.length; k++) {
        if (f[k]! > 93.8 && f[k]! < 94.8 && y[k] !== 0) {
          xs.push(f[k]!);
          ys.push(y[k]!);
        }
      }
      const g = fitGaussian(xs, ys, { center: 94.3 });
      const truth = JSON.parse(readFileSync(sample("rsr", "91001", "truth.json"), "utf8"));
      const line = truth.lines[0];
      const fwhmKms = g.fwhm / g.center * 299792.458;
      // expected peak = physical × diffsat averaged over the chassis = 39.81 mK (samples README §3.4)
      assert.ok(Math.abs(g.peak * 1000 - 39.81) < 2.5, `peak ${g.peak * 1000} mK`);
      assert.ok(Math.abs(g.center - line.f0_ghz) < 0.01, `centre ${g.center}`);
      assert.ok(Math.abs(fwhmKms - line.fwhm_kms) < 0.1 * line.fwhm_kms, `FWHM ${fwhmKms} km/s`);
      console.log(
        `  94.3 GHz line: peak ${(g.peak * 1000).toFixed(2)} mK, centre ${g.center.toFixed(4)} GHz, FWHM ${
          fwhmKms.toFixed(1)
        } km/s`,
      );
    } finally {
      cleanup();
    }
  },
});

function partialRoot(dir: string, keep: (name: string) => boolean): string {
  const src = sample("rsr", "data_lmt");
  const root = join(dir, "data_lmt");
  for (let c = 0; c < 4; c++) {
    mkdirSync(join(root, `RedshiftChassis${c}`), { recursive: true });
    for (const n of readdirSync(join(src, `RedshiftChassis${c}`))) {
      if (keep(n)) copyFileSync(join(src, `RedshiftChassis${c}`, n), join(root, `RedshiftChassis${c}`, n));
    }
  }
  return root;
}

Deno.test({
  name:
    "rsr_driver errors: no chassis file, missing Cal scan, missing corr_cal, malformed rfile → exit 1, no output",
  ignore,
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const cal = join(sample("rsr", "data_lmt"), "rsr", "cal");
      // 1. no file at all for the obsnum
      let r = await runTool("rsr_driver", ["91005", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /No RSR data files were found/);
      assert.equal(r.stderr.trim().split("\n").filter((l) => !l.includes("no file for obsnum")).length, 1);
      assert.ok(!existsSync(join(dir, "out.txt")));
      // 2. Bs files without their Cal scan
      const root = partialRoot(dir, (n) => n.includes("_091001_"));
      r = await runTool("rsr_driver", ["91001", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: root, CORR_CAL_DIR: cal },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Cal scan 91000/);
      assert.ok(!existsSync(join(dir, "out.txt")));
      // 3. no corr_cal files
      r = await runTool("rsr_driver", ["91001", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt"), CORR_CAL_DIR: dir },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /corr_cal_2024_0\.nc/);
      assert.ok(!existsSync(join(dir, "out.txt")));
      // 4. malformed rfile line
      writeFileSync(join(dir, "bad.rfile"), "# ok\n91001 3 2\n");
      r = await runTool("rsr_driver", ["91001", "-R", "bad.rfile", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /bad\.rfile:2/);
      assert.ok(!existsSync(join(dir, "out.txt")));
      // 5. missing OBSLIST file: data error, one line
      r = await runTool("rsr_driver", ["nosuch.rfile", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "rsr_driver: nosuch.rfile: no such OBSLIST file\n");
      assert.ok(!existsSync(join(dir, "out.txt")));
      // usage errors: odd --exclude, even -f
      r = await runTool("rsr_driver", ["91001", "--exclude", "94.3", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      assert.equal(r.code, 2);
      r = await runTool("rsr_driver", ["91001", "-f", "54", "-o", "out.txt"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      assert.equal(r.code, 2);
    } finally {
      cleanup();
    }
  },
});
