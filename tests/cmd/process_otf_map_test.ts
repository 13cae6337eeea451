/** Black-box tests of bin/process_otf_map on the sample SEQ raw data. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { readSpecFile } from "../../lib/specfile/mod.ts";

const RP = () => [
  "--b_regions",
  "[[-305,-55],[145,395]]",
  "--l_region",
  "[[-55,145]]",
  "--slice",
  "[-305,395]",
  "--eliminate_list",
  "0",
];

Deno.test({
  name:
    "process_otf_map writes the reference SpecFile (netCDF-4 read by python netCDF4) and streams CDF-2 with -o -",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const env = { DATA_LMT: sample("seq", "data_lmt"), LMT_VERBOSE: "1" };
      const r = await runTool("process_otf_map", [
        "-O",
        "97001",
        "-o",
        "a.nc",
        "--use_cal",
        "--stype",
        "2",
        ...RP(),
      ], { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /TSYS\[13\] = 231\.\d+/); // Tsys lines and quality table on stderr
      assert.match(r.stderr, /NSPEC: 2720 {2}NCHAN: 585 {2}ICHAN: 731/);
      const py = new Deno.Command("/usr/bin/python3", {
        args: [
          "-c",
          "import netCDF4,sys;d=netCDF4.Dataset(sys.argv[1]);print(dict((k,len(v)) for k,v in d.dimensions.items()));print(float(d.variables['Data.Spectra'][5,100]))",
          join(dir, "a.nc"),
        ],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      const out = new TextDecoder().decode(py.stdout);
      assert.match(
        out,
        /'nspec': 2720, 'nchan': 585, 'nlabel': 20, 'nhist': 512, 'npix': 16, 'ncal': 1, 'nchan0': 2048, 'chan0': 731/,
      );
      const ref = await readSpecFile(sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.nc"));
      assert.equal(Number(out.split("\n")[1]), ref.spectra[5 * 585 + 100]);
      // defaults (pipeline windows, stype 2) give the same file; -o - streams netCDF-3 64-bit offset
      const s = await runTool("process_otf_map", ["-O", "97001", "-o", "-", "--use_cal"], {
        cwd: dir,
        env: { DATA_LMT: sample("seq", "data_lmt") },
      });
      assert.equal(s.code, 0, s.stderr);
      assert.deepEqual(Array.from(s.stdoutBytes.subarray(0, 4)), [0x43, 0x44, 0x46, 0x02]);
      writeFileSync(join(dir, "b.nc"), s.stdoutBytes);
      const b = await readSpecFile(join(dir, "b.nc"));
      const a = await readSpecFile(join(dir, "a.nc"));
      assert.deepEqual([b.nspec, b.nchan, b.chan0, b.ncal], [2720, 585, 731, 1]);
      assert.deepEqual(b.spectra, ref.spectra);
      assert.deepEqual(a.spectra, ref.spectra);
      assert.deepEqual(a.xPos, ref.xPos);
      assert.match(a.history, /^process_otf_map -O 97001 -o a\.nc/);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "process_otf_map errors: one line, exit 1 (data) or 2 (usage), no output file",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const src = sample("seq", "data_lmt");
      // a root without the Cal scan's IFPROC file and without roach3
      const root = join(dir, "dl");
      mkdirSync(join(root, "ifproc"), { recursive: true });
      for (const f of readdirSync(join(src, "ifproc"))) {
        if (!f.includes("097000")) symlinkSync(join(src, "ifproc", f), join(root, "ifproc", f));
      }
      mkdirSync(join(root, "spectrometer"));
      for (const r of ["roach0", "roach1", "roach2"]) {
        symlinkSync(join(src, "spectrometer", r), join(root, "spectrometer", r));
      }
      const env = { DATA_LMT: src };
      const cases: [string[], number, RegExp, Record<string, string>][] = [
        [["-O", "99999", "-o", "x.nc", "--use_cal"], 1, /No IFPROC file for obsnum 99999/, env],
        [
          ["-O", "97001", "-o", "x.nc", "--use_cal", "--pix_list", "0,1"],
          1,
          /No IFPROC file for obsnum 97000/,
          { DATA_LMT: root },
        ],
        [
          ["-O", "97001", "-o", "x.nc", "--pix_list", "12", "-p", root],
          1,
          /No IFPROC file for obsnum 97000|pixel 12/,
          {},
        ],
        [["-O", "97001", "-o", "x.nc", "--use_cal", "--slice", "[5000,6000]"], 1, /outside the band/, env],
        [["-O", "97001", "-o", "x.nc", "--x_axis", "VOPT"], 2, /x_axis/, env],
        // a line outside the band at the source velocity (the sample's band is 97.98 GHz ± 400 MHz)
        [
          ["-O", "97001", "-o", "x.nc", "--restfreq", "115.2"],
          1,
          /--restfreq 115.2 GHz: .* outside bank 0/,
          env,
        ],
        [["-O", "97001", "-o", "x.nc", "--b_regions", "os.system('x')"], 2, /b_regions/, env],
      ];
      for (const [args, code, re, e] of cases) {
        const r = await runTool("process_otf_map", args, { cwd: dir, env: e });
        assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, re);
        assert.equal(r.stderr.trim().split("\n").length, code === 2 ? 2 : 1, r.stderr); // usage errors add the --help hint
        assert.ok(!r.stderr.includes("    at "), "no stack trace");
        assert.ok(!existsSync(join(dir, "x.nc")));
      }
      // pixel whose board is missing (Cal present via a root that has it)
      mkdirSync(join(dir, "dl2", "spectrometer"), { recursive: true });
      symlinkSync(join(src, "ifproc"), join(dir, "dl2", "ifproc"));
      for (const r of ["roach0", "roach1", "roach2"]) {
        symlinkSync(join(src, "spectrometer", r), join(dir, "dl2", "spectrometer", r));
      }
      const r = await runTool("process_otf_map", [
        "-O",
        "97001",
        "-o",
        "x.nc",
        "--use_cal",
        "--pix_list",
        "0,12",
      ], { cwd: dir, env: { DATA_LMT: join(dir, "dl2") } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pixel 12 requested but obsnum 9700[01] has no roach3 file/);
      assert.ok(!existsSync(join(dir, "x.nc")));
    } finally {
      cleanup();
    }
  },
});
