/**
 * SLpipeline.sh attempts (issue 17 §1) on generated data: two runs with different parameters give
 * attempts/1 and attempts/2, the same parameters again add none (nothing touched), a dry run adds none,
 * `attempts` lists them, the obsnum's index.html shows them side by side (data-attempt columns, the changed
 * parameter highlighted, each attempt's key numbers), restart=1 keeps them, keep=1 prunes; a SEQ map's cube
 * and SpecFile are hard links (same inode), never copies.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runScript, runTool, snapshotTree, tempDir } from "../_helpers.ts";
import { listAttempts } from "../../lib/report/attempts.ts";

const SYS_PATH = `${join(ROOT, "bin")}:/usr/local/bin:/usr/bin:/bin`;

Deno.test({
  name: "SLpipeline.sh: attempts side by side, listed, kept, pruned (generated RSR and SEQ data)",
  sanitizeResources: false,
  fn: async (t) => {
    const { dir, cleanup } = tempDir("lmt-slp-att-");
    try {
      const data = join(dir, "data"), work = join(dir, "work");
      mkdirSync(work);
      await runScript("gen_rsr.ts", ["--out", data, "--obsnum", "91001", "--line", "94.3,0.045,320"]);
      const env = { DATA_LMT: data, PATH: SYS_PATH, HOME: dir };
      const slp = (args: string[]) => runTool("SLpipeline.sh", args, { cwd: work, env });
      const D = join(work, "2024-S1-SIM-1", "91001");
      const value = (html: string, k: string) =>
        html.match(new RegExp(`<div class="k">${k}</div><div class="v">([^<]*)</div>`))?.[1];

      let first = "";
      await t.step("two runs with different parameters: attempts/1 and attempts/2", async () => {
        const r1 = await slp(["obsnum=91001"]);
        assert.equal(r1.code, 0, r1.stderr);
        assert.match(r1.stderr, /^SLpipeline: 91001: kept as attempts\/1$/m);
        first = readFileSync(join(D, "index.html"), "utf8");
        const r2 = await slp(["obsnum=91001", "blo=2"]);
        assert.equal(r2.code, 0, r2.stderr);
        assert.match(r2.stderr, /^SLpipeline: 91001: kept as attempts\/2 \(blo=2\)$/m);
        assert.deepEqual(readdirSync(join(D, "attempts")).sort(), ["1", "2"]);
        const a = listAttempts(D);
        assert.deepEqual(a.map((x) => [x.n, x.params.blo]), [[1, "1"], [2, "2"]]);
        for (
          const f of [
            "lmtoy_91001.rc",
            "params.json",
            "rsr.spectra.png",
            "rsr.91001.driver.sum.txt",
            "rsr.91001.badlags",
          ]
        ) {
          assert.ok(a[1]!.products.includes(f), f);
        }
        assert.match(readFileSync(join(a[0]!.dir, "lmtoy_91001.rc"), "utf8"), /^blo="1"$/m);
        assert.match(readFileSync(join(a[1]!.dir, "lmtoy_91001.rc"), "utf8"), /^blo="2"$/m);
        // each attempt keeps its own spectrum: the latest is attempt 2's, attempt 1's is the first run's
        assert.equal(
          readFileSync(join(a[1]!.dir, "rsr.91001.driver.sum.txt"), "utf8"),
          readFileSync(join(D, "rsr.91001.driver.sum.txt"), "utf8"),
        );
        assert.notEqual(
          readFileSync(join(a[0]!.dir, "rsr.91001.driver.sum.txt"), "utf8"),
          readFileSync(join(a[1]!.dir, "rsr.91001.driver.sum.txt"), "utf8"),
        );
        // key numbers of each attempt are its run's: the generated line at 94.3 GHz, FWHM 320 km/s broadened by
        // the 31.25 MHz channels (99 km/s) to at most 370 km/s
        assert.equal(a[0]!.keyNumbers["rms driver"], value(first, "rms driver"));
        const latest = readFileSync(join(D, "index.html"), "utf8");
        assert.equal(a[1]!.keyNumbers["rms driver"], value(latest, "rms driver"));
        for (const x of a) {
          assert.ok(Math.abs(parseFloat(x.keyNumbers.line!) - 94.3) < 0.01, String(x.keyNumbers.line));
          const fwhm = parseFloat(x.keyNumbers.FWHM!);
          assert.ok(fwhm >= 320 && fwhm <= 370, String(x.keyNumbers.FWHM));
        }
      });

      await t.step("the obsnum's index.html: the latest summary, then the attempts side by side", () => {
        const html = readFileSync(join(D, "index.html"), "utf8");
        assert.ok(value(html, "peak"), "the summary's key numbers stay");
        assert.deepEqual([...html.matchAll(/<th data-attempt="(\d+)"/g)].map((m) => m[1]), ["1", "2"]);
        assert.match(
          html,
          /<th class="row">blo<\/th><td data-attempt="1">1<\/td><td data-attempt="2" class="changed">2<\/td>/,
        );
        assert.equal(html.match(/class="changed"/g)?.length, 1, "only blo differs");
        const a = listAttempts(D);
        assert.ok(
          html.includes(
            `<td data-attempt="1">${a[0]!.keyNumbers["rms driver"]}</td><td data-attempt="2">${
              a[1]!.keyNumbers["rms driver"]
            }</td>`,
          ),
        );
        // links relative to the obsnum directory, to files that exist (file://)
        const links = [...html.matchAll(/(?:href|src)="(attempts\/[^"]+)"/g)].map((m) =>
          decodeURIComponent(m[1]!)
        );
        assert.ok(links.some((l) => l === "attempts/2/rsr.91001.driver.sum.txt"));
        assert.ok(links.some((l) => l === "attempts/1/rsr.spectra.png"));
        for (const l of links) assert.ok(existsSync(join(D, l)), l);
        assert.match(readFileSync(join(D, "README_files.md"), "utf8"), /^\| `attempts` \|/m);
      });

      await t.step("the same parameters again, and a dry run, add none and touch nothing", async () => {
        const before = snapshotTree(D, { hidden: false });
        const r = await slp(["obsnum=91001", "blo=2", "debug=0", "nproc=2"]);
        assert.equal(r.code, 0, r.stderr);
        const n = await slp(["-n", "obsnum=91001", "blo=3"]);
        assert.equal(n.code, 0, n.stderr);
        assert.deepEqual(snapshotTree(D, { hidden: false }), before);
      });

      await t.step("`attempts` lists n, date and the parameters changed", async () => {
        const r = await slp(["obsnum=91001", "attempts"]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.equal(
          lines[0],
          `# ${D}/attempts: attempt, date (UTC), parameters that differ from the previous attempt`,
        );
        const a = listAttempts(D);
        assert.deepEqual(lines.slice(1), [
          `1\t${a[0]!.date.slice(0, 19)}\t(first)`,
          `2\t${a[1]!.date.slice(0, 19)}\tblo=2`,
        ]);
        assert.match(lines[1]!, /^1\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\t/);
        const bad = await slp(["obsnum=91001", "keep=0", "attempts"]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /keep=0: /);
      });

      await t.step("restart=1 keeps the attempts; keep=1 removes the oldest", async () => {
        const r = await slp(["obsnum=91001", "blo=3", "restart=1", "keep=1"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /^SLpipeline: 91001: attempts\/1,2 removed \(keep=1\)$/m);
        assert.deepEqual(readdirSync(join(D, "attempts")), ["3"]);
        const html = readFileSync(join(D, "index.html"), "utf8");
        assert.deepEqual([...html.matchAll(/<th data-attempt="(\d+)"/g)].map((m) => m[1]), ["3"]);
      });

      await t.step(
        "SEQ map: the cube and the SpecFile of an attempt are hard links, never copies",
        async () => {
          await runScript("gen_seq.ts", [
            "--out",
            data,
            "--obsnum0",
            "97000",
            "--rows",
            "9",
            "--source",
            "MAP-1",
          ]);
          const S = join(work, "2025-S1-SIM-1", "97001");
          const r1 = await slp(["obsnum=97001"]);
          assert.equal(r1.code, 0, r1.stderr);
          const r2 = await slp(["obsnum=97001", "otf_select=2"]);
          assert.equal(r2.code, 0, r2.stderr);
          const cube = "MAP-1_97001__0.fits", nc = "MAP-1_97001__0.nc";
          const ino = (p: string) => statSync(p).ino;
          const A1 = join(S, "attempts", "1"), A2 = join(S, "attempts", "2");
          for (const f of [cube, nc]) {
            assert.equal(
              ino(join(A2, f)),
              ino(join(S, f)),
              `${f}: the latest attempt's is the obsnum's file`,
            );
            assert.ok(statSync(join(A1, f)).nlink >= 1 && statSync(join(S, f)).nlink >= 2, f);
          }
          // attempt 1 keeps its own cube (jinc kernel), the latest is the gaussian one
          assert.notDeepEqual(readFileSync(join(A1, cube)), readFileSync(join(S, cube)));
          assert.ok(!readdirSync(A1).some((f) => f.endsWith(".ref")));
          const html = readFileSync(join(S, "index.html"), "utf8");
          assert.match(
            html,
            /<th class="row">otf_select<\/th><td data-attempt="1">1<\/td><td data-attempt="2" class="changed">2<\/td>/,
          );
          assert.match(html, new RegExp(`href="attempts/1/${cube.replace(/\./g, "\\.")}"[^>]*>FITS: `));
          assert.match(html, new RegExp(`href="attempts/2/${nc.replace(/\./g, "\\.")}"[^>]*>SpecFile: `));
        },
      );
    } finally {
      cleanup();
    }
  },
});
