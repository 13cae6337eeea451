/**
 * rsr_sum black-box against the original rsr_sum.py outputs in ../shared/samples/rsr: same grid,
 * |ours − reference| ≤ 1e-12 K, identical zero pattern; stdin/stdout modes and errors.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { readTextSpectrum } from "../../lib/formats/spectrum.ts";

const ignore = needsSamples();

function env(): Record<string, string> {
  const root = sample("rsr", "data_lmt");
  return { DATA_LMT: root, CORR_CAL_DIR: join(root, "rsr", "cal") };
}

function compare(ours: string, ref: string): number {
  const a = readTextSpectrum(ours).columns;
  const b = readTextSpectrum(ref).columns;
  assert.equal(a.length, 2);
  assert.equal(a[0]!.length, b[0]!.length);
  let maxd = 0;
  for (let i = 0; i < b[0]!.length; i++) {
    assert.ok(Math.abs(a[0]![i]! - b[0]![i]!) <= 1e-12, `freq row ${i}`);
    assert.equal(a[1]![i] === 0, b[1]![i] === 0, `zero pattern row ${i}`);
    const d = Math.abs(a[1]![i]! - b[1]![i]!);
    assert.ok(d <= 1e-12, `row ${i}: ${a[1]![i]} vs ${b[1]![i]}`);
    maxd = Math.max(maxd, d);
  }
  return maxd;
}

for (
  const [folder, tag] of [["91001", "91001"], ["91003", "91003"], ["91001_91003", "91001_91003"]] as const
) {
  Deno.test({
    name: `rsr_sum reproduces the reference ${folder} blanking.sum.txt`,
    ignore,
    async fn() {
      const { dir, cleanup } = tempDir();
      try {
        for (const ext of ["badlags", "blanking"]) {
          copyFileSync(sample("rsr", folder, `rsr.${tag}.${ext}`), join(dir, `rsr.${tag}.${ext}`));
        }
        const r = await runTool("rsr_sum", [
          "-b",
          `rsr.${tag}.blanking`,
          "--badlags",
          `rsr.${tag}.badlags`,
          "--o1",
          "1",
          "-t",
          "0.01",
        ], { cwd: dir, env: env() });
        assert.equal(r.code, 0, r.stderr);
        const out = `rsr.${tag}.blanking.sum.txt`;
        const d = compare(
          readFileSync(join(dir, out), "utf8"),
          readFileSync(sample("rsr", folder, out), "utf8"),
        );
        console.log(`  ${folder}: max |ours - reference| = ${d.toExponential(2)} K`);
      } finally {
        cleanup();
      }
    },
  });
}

Deno.test({
  name: "rsr_sum reads the blanking file from stdin and writes to stdout; -t 0 gives all zeros",
  ignore,
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      copyFileSync(sample("rsr", "91001", "rsr.91001.badlags"), join(dir, "b.badlags"));
      const text = readFileSync(sample("rsr", "91001", "rsr.91001.blanking"), "utf8");
      let r = await runTool("rsr_sum", ["-b", "-", "--badlags", "b.badlags", "-o", "-"], {
        cwd: dir,
        env: env(),
        stdin: text,
      });
      assert.equal(r.code, 0, r.stderr);
      compare(r.stdout, readFileSync(sample("rsr", "91001", "rsr.91001.blanking.sum.txt"), "utf8"));
      r = await runTool("rsr_sum", ["-b", "-", "--badlags", "b.badlags", "-o", "-", "-t", "0"], {
        cwd: dir,
        env: env(),
        stdin: text,
      });
      assert.equal(r.code, 0, r.stderr);
      const v = readTextSpectrum(r.stdout).columns[1]!;
      assert.ok(v.every((x) => x === 0));
      // errors: -b - without -o is a usage error; a blanking file that skips every chassis → exit 1, no file
      r = await runTool("rsr_sum", ["-b", "-"], { cwd: dir, env: env(), stdin: text });
      assert.equal(r.code, 2);
      writeFileSync(join(dir, "skip.blanking"), "91001\n91001 0\n91001 1\n91001 2\n91001 3\n");
      r = await runTool("rsr_sum", ["-b", "skip.blanking"], { cwd: dir, env: env() });
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.ok(!existsSync(join(dir, "skip.blanking.sum.txt")));
    } finally {
      cleanup();
    }
  },
});

Deno.test("rsr_sum: a blanking file without its line of obsnums is one clear error, no output", async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, "x.blanking"), "91005 0 {0: [(70,120)]}\n");
    const r = await runTool("rsr_sum", ["-b", "x.blanking"], { cwd: t.dir, env: { DATA_LMT: t.dir } });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "rsr_sum: x.blanking: names no obsnum to sum (its line of obsnums, e.g. '91001,91003', is missing)\n",
    );
    assert.equal(existsSync(join(t.dir, "x.blanking.sum.txt")), false);
  } finally {
    t.cleanup();
  }
});
