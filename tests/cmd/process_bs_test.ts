/** Black-box tests of bin/process_bs on the sample SEQ Bs obsnum 97003. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";

Deno.test({
  name: "process_bs writes the reference Bs spectrum byte for byte (10,8 and 8,10) and the plots",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const env = { DATA_LMT: sample("seq", "data_lmt") };
      const ref = readFileSync(sample("seq", "reference_outputs", "SAMPLE-BS_97003__0.txt"), "utf8");
      const r = await runTool("process_bs", [
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
      ], { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(join(dir, "bs.txt"), "utf8"), ref);
      assert.ok(existsSync(join(dir, "bs-1__0.png")));
      // the pixel order no longer flips the sign (original quirk S3)
      const r2 = await runTool("process_bs", [
        "--obs_list",
        "97003",
        "--pix_list",
        "8,10",
        "--use_cal",
        "--block",
        "-2",
        "-o",
        "-",
      ], { cwd: dir, env });
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(r2.stdout, ref);
      const png = readFileSync(join(dir, "bs-2__0.png"));
      assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]);
      // block 1 alone and stype 3 run and give a positive line near 27 km/s
      const r3 = await runTool("process_bs", [
        "--obs_list",
        "97003",
        "--use_cal",
        "--stype",
        "3",
        "-o",
        "-",
        "-y",
        "none",
      ], { cwd: dir, env });
      assert.equal(r3.code, 0, r3.stderr);
      const rows = r3.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/).map(Number));
      const near = rows.filter((x) => Math.abs(x[0]! - 27) < 5).map((x) => x[1]!);
      assert.ok(Math.max(...near) > 0.5, `stype 3 peak ${Math.max(...near)}`);
      const bad = await runTool("process_bs", [
        "--obs_list",
        "97003",
        "--use_cal",
        "--block",
        "7",
        "-o",
        "x.txt",
      ], { cwd: dir, env });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /block 7 requested/);
      assert.ok(!existsSync(join(dir, "x.txt")));
    } finally {
      cleanup();
    }
  },
});
