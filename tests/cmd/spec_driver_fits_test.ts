import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../lib/fits/mod.ts";
import { openNetcdf, writeNetcdf3Sync } from "../../lib/netcdf/mod.ts";
import { needsSamples, pythonHas, runTool, sample, tempDir } from "../_helpers.ts";
import { REF_GRID_LETTERS } from "./_seq_grid.ts";

const REF = ["seq", "reference_outputs"];
const refArgs = (input: string, out = "SAMPLE-OTF_97001__0.fits", wt = "SAMPLE-OTF_97001__0.wt.fits") => [
  "-i",
  input,
  "-o",
  out,
  "-w",
  wt,
  ...REF_GRID_LETTERS,
];

/** Cards of a *.fitshead.txt (80-character cards, possibly on one line). */
function refCards(path: string): Map<string, string | number | boolean> {
  const text = Deno.readTextFileSync(path).replace(/\n/g, "");
  const m = new Map<string, string | number | boolean>();
  for (let i = 0; i + 80 <= text.length; i += 80) {
    const card = text.slice(i, i + 80);
    if (card.slice(8, 10) !== "= ") continue;
    const key = card.slice(0, 8).trim();
    const raw = card.slice(10).replace(/\/.*$/, "").trim();
    const sm = /^'(.*)'/.exec(card.slice(10).trim());
    m.set(key, sm ? sm[1]!.trimEnd() : raw === "T" ? true : raw === "F" ? false : Number(raw));
  }
  return m;
}

function sameData(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) diff++;
    else if (!Number.isNaN(x) && Math.abs(x - y) > 1e-3) diff++;
  }
  return diff;
}

Deno.test({
  name:
    "spec_driver_fits reproduces the reference cube/weight/radiometer; headers agree apart from documented fixes",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = await runTool("spec_driver_fits", refArgs(sample(...REF, "SAMPLE-OTF_97001__0.nc")), {
        cwd: dir,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "");
      // products, and no side files in the working directory
      assert.deepEqual(readdirSync(dir).sort(), [
        "SAMPLE-OTF_97001__0.fits",
        "SAMPLE-OTF_97001__0.radiometer.rms.fits",
        "SAMPLE-OTF_97001__0.wt.fits",
      ]);
      for (
        const [ours, ref] of [
          ["SAMPLE-OTF_97001__0.fits", "SAMPLE-OTF_97001__0.fits"],
          ["SAMPLE-OTF_97001__0.wt.fits", "SAMPLE-OTF_97001__0.wt.fits"],
          ["SAMPLE-OTF_97001__0.radiometer.rms.fits", "SAMPLE-OTF_97001__0.radiometer.rms.fits"],
        ] as const
      ) {
        const a = readFits(join(dir, ours)).hdus[0]!;
        const b = readFits(sample(...REF, ref)).hdus[0]!;
        assert.deepEqual(a.shape, b.shape, ours);
        assert.equal(sameData(a.data as Float32Array, b.data as Float32Array), 0, ours);
        const rc = refCards(sample(...REF, ref.replace(/\.fits$/, ".fitshead.txt")));
        for (const [k, v] of rc) {
          if (k === "DATE" || k === "ORIGIN") continue; // write time; our name
          const ov = a.header.get(k);
          assert.ok(ov !== undefined, `${ours}: keyword ${k} missing`);
          if (typeof v === "number") {
            // CRVAL3/CDELT3/BMAJ/CDELTn went through float32 in the original; ours are double
            assert.ok(Math.abs((ov as number) - v) <= 1e-6 * Math.abs(v), `${ours}: ${k} ${ov} vs ${v}`);
          } else assert.equal(ov, v, `${ours}: ${k}`);
        }
      }
      const h = readFits(join(dir, "SAMPLE-OTF_97001__0.fits")).hdus[0]!.header;
      assert.ok(Math.abs((h.get("CRVAL3") as number) - 394594.7876) < 1e-3); // double precision kept
      assert.ok(Math.abs((h.get("BMAJ") as number) * 3600 - 14.95) < 1e-9);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name:
    "spec_driver_fits outputs pass astropy verify('exception') and WCS parsing; non-square maps get the right CRPIX",
  ignore: needsSamples(),
  fn: async () => {
    if (!pythonHas("astropy.io.fits, astropy.wcs")) {
      console.error("NOTICE: /usr/bin/python3 with astropy not available: FITS verification SKIPPED");
      return;
    }
    const { dir, cleanup } = tempDir();
    try {
      const args = refArgs(sample(...REF, "SAMPLE-OTF_97001__0.nc"), "ns.fits", "ns.wt.fits");
      args[args.indexOf("-x") + 1] = "80"; // X half size 80", Y 120"
      const r = await runTool("spec_driver_fits", args, { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const py = `
import sys, warnings
from astropy.io import fits
from astropy.wcs import WCS
for name in sys.argv[1:]:
    with fits.open(name) as h:
        h.verify('exception')
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            # VSOURCE is written as the original does (LMTOY reads it); astropy calls it deprecated
            warnings.filterwarnings('ignore', message='(?s).*VSOURCEa keyword is deprecated')
            w = WCS(h[0].header)
        nx, ny = h[0].header['NAXIS1'], h[0].header['NAXIS2']
        world = w.celestial.all_pix2world([[(nx - 1) / 2, (ny - 1) / 2]], 0)[0]
        print(name, nx, ny, h[0].header['CRPIX1'], h[0].header['CRPIX2'], round(world[0], 9), round(world[1], 9))
`;
      const out = new Deno.Command("/usr/bin/python3", {
        args: ["-c", py, "ns.fits", "ns.wt.fits", "ns.radiometer.rms.fits"],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      for (const line of text.trim().split("\n")) {
        const [, nx, ny, c1, c2, ra, dec] = line.split(" ");
        assert.deepEqual([nx, ny, c1, c2], ["25", "37", "13.0", "19.0"], line); // the C program wrote CRPIX1 = 19
        assert.equal(Number(ra), 198);
        assert.equal(Number(dec), 38);
      }
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "spec_driver_fits -i - grids a netCDF-3 SpecFile stream from stdin",
  ignore: needsSamples(),
  fn: async () => {
    const { specFileFromNc, specFileModel } = await import("../../lib/specfile/mod.ts");
    const nc4 = await openNetcdf(sample(...REF, "SAMPLE-OTF_97001__0.nc"));
    const model = specFileModel(specFileFromNc(nc4), "cdf3");
    nc4.close();
    const { dir, cleanup } = tempDir();
    try {
      writeNetcdf3Sync(join(dir, "s3.nc"), model, { format: "cdf2" });
      const bytes = Deno.readFileSync(join(dir, "s3.nc"));
      const r = await runTool("spec_driver_fits", refArgs("-", "p.fits", "p.wt.fits"), {
        cwd: dir,
        stdin: bytes,
      });
      assert.equal(r.code, 0, r.stderr);
      const a = readFits(join(dir, "p.fits")).hdus[0]!.data as Float32Array;
      const b = readFits(sample(...REF, "SAMPLE-OTF_97001__0.fits")).hdus[0]!.data as Float32Array;
      assert.equal(sameData(a, b), 0);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name:
    "spec_driver_fits errors: empty selection, bad -u, missing input, existing output → one line, exit 1/2, no files",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = sample(...REF, "SAMPLE-OTF_97001__0.nc");
      const base = [
        "-i",
        input,
        "-o",
        "e.fits",
        "-w",
        "e.wt.fits",
        "-l",
        "13",
        "-c",
        "6.5",
        "-x",
        "60",
        "-y",
        "60",
      ];
      let r = await runTool("spec_driver_fits", [...base, "-z", "0"], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no spectrum selected/);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.deepEqual(readdirSync(dir), []);
      r = await runTool("spec_driver_fits", [...base, "-u", "0,99"], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /pix_list/);
      r = await runTool("spec_driver_fits", [...base, "-u", "0,x"], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      r = await runTool("spec_driver_fits", ["-i", join(dir, "nothere.nc"), "-o", "e.fits"], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /nothere\.nc/);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/); // no stack trace
      Deno.writeTextFileSync(join(dir, "e.fits"), "old");
      r = await runTool("spec_driver_fits", base, { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /exists/);
      assert.equal(Deno.readTextFileSync(join(dir, "e.fits")), "old");
      assert.ok(!existsSync(join(dir, "e.wt.fits")));
      r = await runTool("spec_driver_fits", ["-o", "x.fits"], { cwd: dir });
      assert.equal(r.code, 2);
      r = await runTool("spec_driver_fits", [], { cwd: dir });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /spec_driver_fits/);
    } finally {
      cleanup();
    }
  },
});

/** Header cards (DATE and HISTORY left out: write time, command line) and the data bytes of a FITS file. */
function fitsParts(bytes: Uint8Array): { cards: string[]; data: Uint8Array } {
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 2880 * 20)));
  const cards: string[] = [];
  for (let i = 0; i + 80 <= text.length; i += 80) {
    const card = text.slice(i, i + 80);
    if (card.startsWith("END ")) {
      const dataStart = Math.ceil((i + 80) / 2880) * 2880;
      return { cards, data: bytes.subarray(dataStart) };
    }
    if (!/^(DATE |HISTORY )/.test(card)) cards.push(card);
  }
  throw new Error("no END card");
}

Deno.test({
  name:
    "spec_driver_fits -o - / -w - write the same FITS bytes to stdout as to a file; one stdout output only",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = sample(...REF, "SAMPLE-OTF_97001__0.nc");
      const small = (out: string, wt: string, more: string[] = []) => {
        const a = refArgs(input, out, wt);
        a[a.indexOf("-x") + 1] = "50";
        a[a.indexOf("-y") + 1] = "40";
        return [...a, ...more];
      };
      let r = await runTool("spec_driver_fits", small("f.fits", "f.wt.fits"), { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const file = fitsParts(Deno.readFileSync(join(dir, "f.fits")));
      const wfile = fitsParts(Deno.readFileSync(join(dir, "f.wt.fits")));
      const rfile = fitsParts(Deno.readFileSync(join(dir, "f.radiometer.rms.fits")));
      assert.equal(file.data.length, 2880 * Math.ceil((17 * 13 * 585 * 4) / 2880)); // 2·floor(53.25/6.5)+1 = 17 by 13
      // -o -: the cube on stdout; weight map and the radiometer map named with --radiometer as files
      r = await runTool("spec_driver_fits", small("-", "s.wt.fits", ["--radiometer", "s.rad.fits"]), {
        cwd: dir,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdoutBytes.length % 2880, 0);
      const out = fitsParts(r.stdoutBytes);
      assert.deepEqual(out.cards, file.cards);
      assert.deepEqual(out.data, file.data);
      assert.deepEqual(fitsParts(Deno.readFileSync(join(dir, "s.wt.fits"))), wfile);
      assert.deepEqual(fitsParts(Deno.readFileSync(join(dir, "s.rad.fits"))), rfile);
      // -o - without --radiometer: no radiometer map (no name to derive it from)
      r = await runTool("spec_driver_fits", small("-", "t.wt.fits"), { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(fitsParts(r.stdoutBytes).data, file.data);
      // -w -: the weight map on stdout; the radiometer map is still derived from -o
      r = await runTool("spec_driver_fits", small("u.fits", "-"), { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(fitsParts(r.stdoutBytes), wfile);
      assert.deepEqual(fitsParts(Deno.readFileSync(join(dir, "u.fits"))), file);
      assert.deepEqual(fitsParts(Deno.readFileSync(join(dir, "u.radiometer.rms.fits"))), rfile);
      const before = readdirSync(dir).sort();
      assert.deepEqual(before, [
        "f.fits",
        "f.radiometer.rms.fits",
        "f.wt.fits",
        "s.rad.fits",
        "s.wt.fits",
        "t.wt.fits",
        "u.fits",
        "u.radiometer.rms.fits",
      ]);
      // two outputs on stdout: usage error, nothing written
      for (const more of [["--radiometer", "-"], ["--spec_tmp", "-"]]) {
        r = await runTool("spec_driver_fits", small("-", "v.wt.fits", more), { cwd: dir });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /only one output can go to stdout/);
        assert.equal(r.stdoutBytes.length, 0);
      }
      r = await runTool("spec_driver_fits", small("-", "-"), { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split("\n")[0], "spec_driver_fits: only one output can go to stdout (-): -, -");
      assert.deepEqual(readdirSync(dir).sort(), before);
    } finally {
      cleanup();
    }
  },
});
