import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../lib/fits/mod.ts";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { REF_GRID_LONG } from "./_seq_grid.ts";

const REF = ["seq", "reference_outputs"];

Deno.test({
  name: "grid_data with the reference options reproduces the reference cube; --program_path is ignored",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const args = [
        "--program_path",
        "spec_driver_fits",
        "-i",
        sample(...REF, "SAMPLE-OTF_97001__0.nc"),
        "-o",
        "g.fits",
        "-w",
        "g.wt.fits",
        ...REF_GRID_LONG,
      ];
      Deno.writeTextFileSync(join(dir, "g.fits"), "stale"); // grid_data replaces existing outputs
      const r = await runTool("grid_data", args, { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readdirSync(dir).sort(), ["g.fits", "g.radiometer.rms.fits", "g.wt.fits"]);
      const a = readFits(join(dir, "g.fits")).hdus[0]!.data as Float32Array;
      const b = readFits(sample(...REF, "SAMPLE-OTF_97001__0.fits")).hdus[0]!.data as Float32Array;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        if (!(a[i] === b[i] || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)))) diff++;
      }
      assert.equal(diff, 0);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "grid_data uses grid_data.py's defaults (extent 400, cell 7, edge 1) and requires -w",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      let r = await runTool("grid_data", [
        "-i",
        sample(...REF, "SAMPLE-OTF_97001__0.nc"),
        "-o",
        "d.fits",
        "-w",
        "d.wt.fits",
        "--workers",
        "0",
      ], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const h = readFits(join(dir, "d.fits")).hdus[0]!;
      assert.deepEqual(h.shape, [115, 115, 585]); // 2·floor(403.5/7)+1
      assert.ok(Math.abs((h.header.get("BMAJ") as number) * 3600 - 1.15 * 14) < 1e-6);
      // edge 1: every cell with positive weight is finite in channel 0
      const wt = readFits(join(dir, "d.wt.fits")).hdus[0]!.data as Float32Array;
      const data = h.data as Float32Array;
      let bad = 0;
      for (let c = 0; c < wt.length; c++) if (wt[c]! > 0 && Number.isNaN(data[c]!)) bad++;
      assert.equal(bad, 0);
      r = await runTool("grid_data", ["-i", sample(...REF, "SAMPLE-OTF_97001__0.nc"), "-o", "e.fits"], {
        cwd: dir,
      });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /weight/);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name:
    "grid_data -o - writes the cube to stdout (same bytes as the file apart from DATE/HISTORY); -o - -w - is refused",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const base = (out: string, wt: string) => [
        "-i",
        sample(...REF, "SAMPLE-OTF_97001__0.nc"),
        "-o",
        out,
        "-w",
        wt,
        "--x_extent",
        "40",
        "--y_extent",
        "40",
        "--workers",
        "0",
      ];
      let r = await runTool("grid_data", base("a.fits", "a.wt.fits"), { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      r = await runTool("grid_data", base("-", "b.wt.fits"), { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const file = Deno.readFileSync(join(dir, "a.fits"));
      // header cards (up to END) differ only in DATE and HISTORY (the command line, whose length may add a
      // HISTORY card); the data are identical
      const headerEnd = (b: Uint8Array) => {
        const text = new TextDecoder().decode(b.subarray(0, 2880 * 8));
        for (let i = 0; i < text.length; i += 80) if (text.startsWith("END     ", i)) return i;
        throw new Error("no END card");
      };
      const cards = (b: Uint8Array) =>
        new TextDecoder().decode(b.subarray(0, headerEnd(b))).match(/.{80}/g)!.filter((c) =>
          !/^(DATE |HISTORY )/.test(c)
        );
      assert.deepEqual(cards(r.stdoutBytes), cards(file));
      const data0 = (b: Uint8Array) => Math.ceil((headerEnd(b) + 80) / 2880) * 2880;
      assert.deepEqual(r.stdoutBytes.subarray(data0(r.stdoutBytes)), file.subarray(data0(file)));
      assert.deepEqual(readdirSync(dir).sort(), [
        "a.fits",
        "a.radiometer.rms.fits",
        "a.wt.fits",
        "b.wt.fits",
      ]);
      r = await runTool("grid_data", base("-", "-"), { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /only one output can go to stdout/);
      assert.equal(r.stdoutBytes.length, 0);
    } finally {
      cleanup();
    }
  },
});
