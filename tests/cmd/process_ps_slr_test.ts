/**
 * process_ps and process_bs against the original: the text outputs of lmtslr process_ps.py / process_bs.py
 * (SpectralLineReduction f3a42d2) on generated Ps and Bs obsnums, kept in fixtures/process_ps (how they
 * were made: its README). Ours must give the same header lines and column layout and every number within one
 * unit of the printed 6th significant digit (`%g`); at the time of writing all seven files are byte-identical.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runTool, tempDir } from "../_helpers.ts";
import { fixtureCases, generateFixtureData, PS_FIXTURES } from "./_slr_fixtures.ts";

/** One unit in the last place of a `%g` number as printed ("984.776" → 0.001, "1.14893e+11" → 1e6). */
function lastPlace(s: string): number {
  const m = /^[-+]?(\d*)(?:\.(\d*))?(?:e([-+]\d+))?$/.exec(s);
  if (!m) return NaN;
  const frac = m[2]?.length ?? 0;
  return 10 ** (Number(m[3] ?? 0) - frac);
}

/** A line with every number replaced by `#`: the layout (separators) the two files must share. */
function layout(line: string): string {
  return line.replace(/[-+]?(\d+\.?\d*|\.\d+)(e[-+]\d+)?/g, "#");
}

Deno.test("process_ps/process_bs reproduce the text output of the SLR originals (fixtures/process_ps)", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const root = join(dir, "data_lmt");
    const cases = fixtureCases();
    await generateFixtureData(root, cases);
    for (const run of cases.runs) {
      await t.step(`${run.tool} ${run.argv.join(" ")}`, async () => {
        const out = join(dir, run.output);
        const r = await runTool(run.tool, ["-p", root, ...run.argv, "-o", out, "-y", "none"], { cwd: dir });
        assert.equal(r.code, 0, r.stderr);
        const ours = readFileSync(out, "utf8").split("\n");
        const orig = readFileSync(join(PS_FIXTURES, run.output), "utf8").split("\n");
        assert.equal(ours.length, orig.length, "number of lines");
        assert.ok(orig.length > 1000, `fixture ${run.output} has ${orig.length} lines`);
        let differing = 0;
        for (let i = 0; i < orig.length; i++) {
          const a = ours[i]!, b = orig[i]!;
          if (b.startsWith("#")) {
            assert.equal(a, b, `header line ${i + 1}`);
            continue;
          }
          if (a === b) continue;
          differing++;
          assert.equal(layout(a), layout(b), `line ${i + 1} layout: "${a}" vs "${b}"`);
          const fa = a.trim().split(/ +/), fb = b.trim().split(/ +/);
          fb.forEach((w, k) => {
            const ulp = Math.max(lastPlace(w), lastPlace(fa[k]!));
            assert.ok(
              Math.abs(Number(fa[k]) - Number(w)) <= ulp * 1.0000001,
              `line ${i + 1} column ${k + 1}: ${fa[k]} vs original ${w}`,
            );
          });
        }
        // at most a few last-digit roundings: a systematic difference would touch most lines
        assert.ok(
          differing <= orig.length / 100,
          `${differing} of ${orig.length} lines differ in the last digit`,
        );
      });
    }
  } finally {
    cleanup();
  }
});
