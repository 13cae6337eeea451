/**
 * bin/lmtoy: every LMTOY name runs its toolkit tool with LMTOY-style arguments (as lmtoy_functions.sh,
 * rsr_pipeline.sh and seq_pipeline.sh call them), and gives the original's products: the RSR chain against
 * the samples' reference spectrum / badlags / rc, `python $LMTOY/RSR_driver/rsr_driver.py` through the Python
 * shim, `-w rsr.wf.pdf` a 4-page PDF, the SEQ chain process_otf_map2.py → grid_data.py with the original's
 * ./radiometer.rms.fits, spec-tmp.tab, out.txt, err.txt, and process_bs.py's Bs spectrum.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, ROOT, runTool, sample, tempDir } from "../_helpers.ts";
import { REF_GRID_LONG } from "./_seq_grid.ts";
import { RSR_DATE, RSR_PIPELINE_OPTS } from "./_rsr_driver.ts";
import { readFits } from "../../lib/fits/mod.ts";
import { readTextSpectrum } from "../../lib/formats/spectrum.ts";

/** LMTOY name → the toolkit tool it runs (rsr_rfile / rsr_blanking are checked by their output). */
const NAMES: Record<string, string> = {
  "badlags.py": "badlags",
  "badlags2.py": "badlags2",
  "rsr_tsys.py": "rsr_tsys",
  "rsr_sum.py": "rsr_sum",
  "rsr_driver.py": "rsr_driver",
  "rsr_badcb": "rsr_badcb",
  "lmtinfo.py": "lmtinfo",
  "process_otf_map2.py": "process_otf_map",
  "process_bs.py": "process_bs",
  "process_ps.py": "process_ps",
  "grid_data.py": "grid_data",
  "spec_driver_fits": "spec_driver_fits",
};

const lmtoy = (name: string, args: string[], opts: Parameters<typeof runTool>[2] = {}) =>
  runTool(`lmtoy/${name}`, args, opts);

function havePython(): boolean {
  try {
    return new Deno.Command("python3", { args: ["-c", "0"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test("bin/lmtoy: each LMTOY name runs its toolkit tool (--version), and nothing else is there", async () => {
  const present = readdirSync(join(ROOT, "bin", "lmtoy")).filter((f) => !f.startsWith("_"));
  const others = ["rsr_rfile", "rsr_blanking", "RSR_driver"];
  for (const n of [...Object.keys(NAMES), ...others]) {
    assert.ok(present.includes(n), `bin/lmtoy/${n} missing`);
  }
  // names added since (e.g. make_spec_fits.py) must at least run a toolkit tool
  for (const n of present.filter((f) => !(f in NAMES) && !others.includes(f))) {
    const r = await lmtoy(n, ["--version"]);
    assert.equal(r.code, 0, `${n}: ${r.stderr}`);
    assert.match(r.stdout, /^\w+ \d+\.\d+\.\d+/, n);
  }
  for (const [name, tool] of Object.entries(NAMES)) {
    const r = await lmtoy(name, ["--version"]);
    if (tool === "process_ps" && !existsSync(join(ROOT, "bin", "process_ps"))) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^process_ps\.py: process_ps is not implemented yet/);
      continue;
    }
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${tool} \\d+\\.\\d+\\.\\d+`), name);
  }
});

Deno.test("rsr_rfile, rsr_blanking, rsr_badcb, badlags2.py with LMTOY's arguments", async () => {
  const rf = await lmtoy("rsr_rfile", ["91001"]);
  assert.equal(rf.code, 0, rf.stderr);
  assert.equal(rf.stdout, (await runTool("rsr_badcb", ["-r", "--template", "91001"])).stdout);
  assert.match(rf.stdout, /^# This is an rfile for rsr_driver\n/);
  assert.match(rf.stdout, /^# 91001,3,5$/m);
  const bl = await lmtoy("rsr_blanking", ["91001", "ignored"]);
  assert.equal(bl.code, 0, bl.stderr);
  assert.equal(bl.stdout, (await runTool("rsr_badcb", ["-b", "--template", "91001"])).stdout);
  assert.match(bl.stdout, /^91001$/m);
  assert.match(bl.stdout, /^windows\[0\] = \[\(71\.72, 79\.69\)\]$/m);
  assert.equal((await lmtoy("rsr_rfile", [])).code, 2);
  const cb = await lmtoy("rsr_badcb", ["-r", "-o", "91001", "1/1,3/5"]);
  assert.equal(cb.stdout, (await runTool("rsr_badcb", ["-r", "-o", "91001", "1/1,3/5"])).stdout);
  assert.match(cb.stdout, /^91001,1,1\n91001,3,5\n/m);
  const b2 = await lmtoy("badlags2.py", ["91001", "0/1/17,93", "3/5"]);
  assert.equal(b2.code, 0, b2.stderr);
  assert.equal(b2.stdout, (await runTool("badlags2", ["91001", "0/1/17,93", "3/5"])).stdout);
  assert.match(b2.stdout, /^#BADCB 91001 3 5/m);
});

/** Max |a − b| of the intensity column of two text spectra, after checking headers (bar the date) and grid. */
function spectrumDiff(ours: string, ref: string): number {
  const a = readTextSpectrum(readFileSync(ours, "utf8"), ours);
  const b = readTextSpectrum(readFileSync(ref, "utf8"), ref);
  assert.deepEqual(
    a.header.filter((l) => !l.startsWith("Date of Reduction")),
    b.header.filter((l) => !l.startsWith("Date of Reduction")),
  );
  assert.deepEqual(Array.from(a.columns[0]!), Array.from(b.columns[0]!));
  let d = 0;
  for (let i = 0; i < b.columns[1]!.length; i++) {
    const x = a.columns[1]![i]!, y = b.columns[1]![i]!;
    assert.equal(Number.isNaN(x), Number.isNaN(y));
    if (!Number.isNaN(x)) d = Math.max(d, Math.abs(x - y));
  }
  return d;
}

Deno.test({
  name:
    "LMTOY's RSR calls through bin/lmtoy reproduce the samples (badlags, rsr_driver via the Python shim, rsr_sum)",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir("lmt-lmtoy-rsr-");
    try {
      const root = sample("rsr", "data_lmt");
      const env = { DATA_LMT: root, CORR_CAL_DIR: join(root, "rsr", "cal"), LMTOY: dir };
      for (const f of ["rsr.obsnum", "rsr.91001.badlags", "rsr.91001.rfile", "rsr.91001.blanking"]) {
        copyFileSync(sample("rsr", "91001", f), join(dir, f));
      }
      // lmtoy_functions.sh: badlags.py -d -y badlags.png $bopts --spike $spike $obsnum (writes rsr.badlags)
      const bad = await lmtoy("badlags.py", ["-d", "-y", "badlags.png", "--spike", "3", "91001"], {
        cwd: dir,
        env,
      });
      assert.equal(bad.code, 0, bad.stderr);
      const body = (p: string) => readFileSync(p, "utf8").split("\n").slice(1).join("\n");
      assert.equal(body(join(dir, "rsr.badlags")), body(sample("rsr", "91001", "rsr.91001.badlags")));
      // rsr_tsys.py -y rsr.tsys0.png $obsnum
      const ts = await lmtoy("rsr_tsys.py", ["-y", "rsr.tsys0.png", "91001"], { cwd: dir, env });
      assert.equal(ts.code, 0, ts.stderr);
      assert.ok(existsSync(join(dir, "rsr.tsys0.png")));
      // lmtinfo.py $obsnum >> $rc
      const li = await lmtoy("lmtinfo.py", ["91001"], { cwd: dir, env });
      assert.equal(li.code, 0, li.stderr);
      const noVersion = (t: string) => t.split("\n").filter((l) => !l.startsWith("# version="));
      assert.deepEqual(
        noVersion(li.stdout.replaceAll(root, "$DATA_LMT").replaceAll(dir, "$LMTOY")),
        noVersion(readFileSync(sample("rsr", "91001", "lmtoy_91001.rc"), "utf8")),
      );
      // python $LMTOY/RSR_driver/rsr_driver.py rsr.obsnum ... -w rsr.wf.pdf -p -b 1 -r 0.01 -t 0.01
      const args = [
        "rsr.obsnum",
        "--date_obs",
        RSR_DATE,
        "--badlags",
        "rsr.91001.badlags",
        "--rfile",
        "rsr.91001.rfile",
        "-o",
        "rsr.91001.driver.sum.txt",
        "-w",
        "rsr.wf.pdf",
        "-p",
        ...RSR_PIPELINE_OPTS,
      ];
      const shim = join(ROOT, "bin", "lmtoy", "RSR_driver", "rsr_driver.py");
      const r = havePython()
        ? new Deno.Command("python3", {
          args: [shim, ...args],
          cwd: dir,
          env,
          stdout: "piped",
          stderr: "piped",
        })
          .outputSync()
        : null;
      if (r === null) {
        console.error("NOTICE: python3 not found: the RSR_driver/rsr_driver.py shim is run as rsr_driver.py");
        const s = await lmtoy("rsr_driver.py", args, { cwd: dir, env });
        assert.equal(s.code, 0, s.stderr);
      } else assert.ok(r.success, new TextDecoder().decode(r.stderr));
      const d = spectrumDiff(
        join(dir, "rsr.91001.driver.sum.txt"),
        sample("rsr", "91001", "rsr.91001.driver.sum.txt"),
      );
      assert.ok(d <= 1e-12, `driver spectrum differs by ${d} K`);
      // the waterfall is one PDF with a page per chassis (LMTOY then runs: mv rsr.wf.pdf rsr.wf0.pdf)
      const pdf = readFileSync(join(dir, "rsr.wf.pdf"));
      assert.equal(new TextDecoder().decode(pdf.subarray(0, 8)), "%PDF-1.4");
      assert.match(new TextDecoder("latin1").decode(pdf), /\/Type \/Pages \/Kids \[[^\]]*\] \/Count 4 /);
      assert.ok(!readdirSync(dir).some((f) => /^rsr\.wf-\d+\.png$/.test(f)), "no PNG pages");
      try {
        const info = new Deno.Command("pdfinfo", { args: [join(dir, "rsr.wf.pdf")], stdout: "piped" })
          .outputSync();
        assert.match(new TextDecoder().decode(info.stdout), /^Pages:\s+4$/m);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      // rsr_sum.py -b $blanking $b --o1 $blo $t2
      const sum = await lmtoy("rsr_sum.py", [
        "-b",
        "rsr.91001.blanking",
        "--badlags",
        "rsr.91001.badlags",
        "--o1",
        "1",
        "-t",
        "0.01",
      ], {
        cwd: dir,
        env,
      });
      assert.equal(sum.code, 0, sum.stderr);
      const ref = readTextSpectrum(
        readFileSync(sample("rsr", "91001", "rsr.91001.blanking.sum.txt"), "utf8"),
      );
      const ours = readTextSpectrum(readFileSync(join(dir, "rsr.91001.blanking.sum.txt"), "utf8"));
      let ds = 0;
      ref.columns[1]!.forEach((y, i) => (ds = Math.max(ds, Math.abs(ours.columns[1]![i]! - y))));
      assert.ok(ds <= 1e-12, `rsr_sum spectrum differs by ${ds} K`);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name:
    "LMTOY's SEQ calls through bin/lmtoy: process_otf_map2.py → grid_data.py writes the original's side files",
  ignore: needsSamples(),
  async fn(ctx) {
    const { dir, cleanup } = tempDir("lmt-lmtoy-seq-");
    try {
      const env = { DATA_LMT: sample("seq", "data_lmt") };
      const REF = (f: string) => sample("seq", "reference_outputs", f);
      await ctx.step("process_otf_map2.py writes the SpecFile", async () => {
        const p = await lmtoy("process_otf_map2.py", [
          "-p",
          sample("seq", "data_lmt"),
          "-o",
          "SAMPLE-OTF_97001__0.nc",
          "--obsnum",
          "97001",
          "--pix_list",
          "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
          "--bank",
          "0",
          "--stype",
          "2",
          "--use_cal",
          "--map_coord",
          "-1",
          "--x_axis",
          "VLSR",
          "--b_order",
          "0",
          "--b_regions",
          "[[-305,-55],[145,395]]",
          "--l_region",
          "[[-55,145]]",
          "--slice",
          "[-305,395]",
          "--eliminate_list",
          "0",
        ], { cwd: dir, env });
        assert.equal(p.code, 0, p.stderr);
      });
      await ctx.step(
        "grid_data.py: cube and radiometer map equal to the reference, the original's side files",
        async () => {
          const g = await lmtoy("grid_data.py", [
            "--program_path",
            "spec_driver_fits",
            "-i",
            "SAMPLE-OTF_97001__0.nc",
            "-o",
            "SAMPLE-OTF_97001__0.fits",
            "-w",
            "SAMPLE-OTF_97001__0.wt.fits",
            ...REF_GRID_LONG,
          ], { cwd: dir, env });
          assert.equal(g.code, 0, g.stderr);
          assert.deepEqual(readdirSync(dir).sort(), [
            "SAMPLE-OTF_97001__0.fits",
            "SAMPLE-OTF_97001__0.nc",
            "SAMPLE-OTF_97001__0.wt.fits",
            "err.txt",
            "out.txt",
            "radiometer.rms.fits",
            "spec-tmp.tab",
          ]);
          for (
            const [ours, ref] of [
              ["SAMPLE-OTF_97001__0.fits", "SAMPLE-OTF_97001__0.fits"],
              ["radiometer.rms.fits", "SAMPLE-OTF_97001__0.radiometer.rms.fits"],
            ] as const
          ) {
            const a = readFits(join(dir, ours)).hdus[0]!, b = readFits(REF(ref)).hdus[0]!;
            assert.deepEqual(a.shape, b.shape);
            const x = a.data as Float32Array, y = b.data as Float32Array;
            let bad = 0;
            for (let i = 0; i < y.length; i++) {
              if (!Object.is(x[i], y[i]) && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) bad++;
            }
            assert.equal(bad, 0, `${ours}: ${bad} values differ from the reference`);
          }
          const cube = readFits(join(dir, "SAMPLE-OTF_97001__0.fits")).hdus[0]!.header;
          assert.equal(cube.get("VSOURCE"), 45);
          assert.equal(cube.get("VLSR"), 45);
          assert.match(readFileSync(join(dir, "out.txt"), "utf8"), /Spectra accepted/);
          assert.equal(readFileSync(join(dir, "err.txt"), "utf8"), "");
          assert.match(readFileSync(join(dir, "spec-tmp.tab"), "utf8"), /^0 +-?\d+\.\d{3} +/);
        },
      );
      await ctx.step(
        "spec_driver_fits: radiometer.rms.fits under the LMTOY name, <output>.radiometer.rms.fits under its own",
        async () => {
          // spec_driver_fits under its LMTOY name: the fixed radiometer name too (in a fresh folder: it replaces
          // no existing file without --overwrite); the toolkit's own name keeps <output>.radiometer.rms.fits.
          Deno.mkdirSync(join(dir, "sdf"));
          const grid = ["-l", "13", "-c", "6.5", "-x", "120", "-y", "120"];
          const sdfArgs = (
            input: string,
            out: string,
          ) => ["-i", input, "-o", `${out}.fits`, "-w", `${out}.wt.fits`, ...grid];
          const s = await lmtoy("spec_driver_fits", sdfArgs("../SAMPLE-OTF_97001__0.nc", "b"), {
            cwd: join(dir, "sdf"),
            env,
          });
          assert.equal(s.code, 0, s.stderr);
          assert.deepEqual(readdirSync(join(dir, "sdf")).sort(), [
            "b.fits",
            "b.wt.fits",
            "radiometer.rms.fits",
            "spec-tmp.tab",
          ]);
          const t = await runTool("spec_driver_fits", sdfArgs("SAMPLE-OTF_97001__0.nc", "c"), {
            cwd: dir,
            env,
          });
          assert.equal(t.code, 0, t.stderr);
          assert.ok(existsSync(join(dir, "c.radiometer.rms.fits")));
        },
      );
      await ctx.step("process_bs.py: the text spectrum equal to the reference", async () => {
        // process_bs.py --obs_list $obsnum --pix_list $pix_list --use_cal --block -1 --stype $stype --bank $bank -o $spec
        const bs = await lmtoy("process_bs.py", [
          "--obs_list",
          "97003",
          "--pix_list",
          "10,8",
          "--use_cal",
          "--block",
          "-1",
          "--stype",
          "2",
          "--bank",
          "0",
          "-o",
          "bs.txt",
        ], {
          cwd: dir,
          env,
        });
        assert.equal(bs.code, 0, bs.stderr);
        assert.equal(
          readFileSync(join(dir, "bs.txt"), "utf8"),
          readFileSync(REF("SAMPLE-BS_97003__0.txt"), "utf8"),
        );
        writeFileSync(join(dir, "done"), "");
      });
    } finally {
      cleanup();
    }
  },
});
