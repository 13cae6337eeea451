/**
 * Black-box tests of bin/process_ps on generated Ps data (lib/sim/seq_ps.ts): the text format of
 * lmtslr process_ps.py to the printed precision against the truth, the options it accepts and
 * ignores, -c config files, several obsnums, and the errors.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSeqPs, type SeqPsTruth } from "../../lib/sim/seq_ps.ts";
import { sprintf } from "../../lib/formats/printf.ts";
import { runTool, tempDir } from "../_helpers.ts";
import { expectedPs, truthVlsr } from "../lib/seq/_ps_model.ts";

const SMALL = { nchan: 512, bandwidthMHz: 200, noiseScale: 0, gainDriftFrac: 0 };

function rows(text: string): string[][] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(" "));
}

/** |printed − expected| within the 6 significant digits of %g plus the noise-free tolerance (1e-3 K). */
function closePrinted(printed: string, expected: number, atol = 1e-3): boolean {
  return Math.abs(Number(printed) - expected) <= atol + 5e-6 * Math.abs(expected);
}

Deno.test("process_ps: text spectrum, options, config files, several obsnums and errors", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const root = join(dir, "data_lmt");
    const tA: SeqPsTruth = await generateSeqPs(root, { obsnum0: 97060, ...SMALL });
    const tB: SeqPsTruth = await generateSeqPs(root, {
      obsnum0: 97070,
      ...SMALL,
      tsysScale: 1.2,
      date: "2025-04-21T04:00:00",
    });
    const env = { DATA_LMT: root };
    const base = ["--obs_list", "97061", "--pix_list", "11,9,10", "--use_cal", "--bank", "0"];
    let reference = "";

    await t.step(
      "the text spectrum matches the truth to the printed precision, beams in pixel order",
      async () => {
        const r = await runTool("process_ps", [
          ...base,
          "--stype",
          "2",
          "-o",
          "ps.txt",
          "--slice",
          "[-40,40]",
        ], {
          cwd: dir,
          env,
        });
        assert.equal(r.code, 0, r.stderr);
        reference = readFileSync(join(dir, "ps.txt"), "utf8");
        const lines = reference.split("\n");
        assert.equal(lines[0], "# vlsr  TA(K) Tsys(K) (<3 beams>) beam1 beam2 ...");
        assert.equal(lines[1], "#      512 channels - 2 * 64 edge)");
        const rs = rows(reference);
        assert.equal(rs.length, 512 - 128);
        const exp = [9, 10, 11].map((p) => expectedPs(tA, p));
        const tsys9 = tA.pixels.find((q) => q.pixel === 9)!.tsys_K;
        rs.forEach((f, i) => {
          const c = 64 + i;
          assert.equal(f.length, 6);
          for (const w of f) assert.equal(w, sprintf("%g", Number(w)), `row ${i}: "${w}" is not %g`);
          assert.equal(f[0], sprintf("%g", truthVlsr(tA, 0, c)), `x of channel ${c}`);
          [3, 4, 5].forEach((k, j) =>
            assert.ok(closePrinted(f[k]!, exp[j]![c]!), `channel ${c} beam ${j}: ${f[k]}`)
          );
          const mean = (Number(f[3]) + Number(f[4]) + Number(f[5])) / 3;
          assert.ok(closePrinted(f[1]!, mean, 2e-6), `TA of channel ${c}`);
          assert.ok(closePrinted(f[2]!, tsys9, 0.01), `Tsys of channel ${c}: ${f[2]}`);
        });
        // the line of the on-source pixel 10 is in the file
        const peak = Math.max(...rs.map((f) => Number(f[4])));
        assert.ok(
          Math.abs(peak - (tA.pixels.find((q) => q.pixel === 10)!.peak_K + 0.1)) < 0.05,
          `peak ${peak}`,
        );
        const png = readFileSync(join(dir, "ps.png"));
        assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]);
      },
    );

    await t.step(
      "-o - writes the same text; --stype/--block/--b_*/--l_regions/--slice change nothing",
      async () => {
        const sub = join(dir, "s2");
        Deno.mkdirSync(sub);
        const r = await runTool("process_ps", [
          ...base,
          "--stype",
          "3",
          "--block",
          "2",
          "--b_order",
          "1",
          "--b_regions",
          "[[-50,-20],[40,60]]",
          "--l_region",
          "[[-20,40]]",
          "--slice",
          "[-10,10]",
          "--tsys",
          "100",
          "-o",
          "-",
          "-y",
          "none",
        ], { cwd: sub, env });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, reference);
        assert.ok(!existsSync(join(sub, "ps.png")));
      },
    );

    await t.step("-c: configobj keys override the command line", async () => {
      writeFileSync(
        join(dir, "ps.cfg"),
        `# process_ps configuration\n[general]\npath = '${root}'\nobs_list = 97061\n\n[spectra]\n` +
          "pix_list = 10, 11, 9\nuse_cal = True\nstype = 2   # unused\neliminate_list = 4096,\n",
      );
      const r = await runTool("process_ps", [
        "-c",
        "ps.cfg",
        "--pix_list",
        "3",
        "-o",
        "cfg.txt",
        "-y",
        "none",
      ], {
        cwd: dir,
        env: {},
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(join(dir, "cfg.txt"), "utf8"), reference);
      writeFileSync(join(dir, "bad.cfg"), "[spectra]\npix_list = 10\npixlist = 9\n");
      const bad = await runTool("process_ps", ["-c", "bad.cfg", "--obs_list", "97061", "-o", "x.txt"], {
        cwd: dir,
        env,
      });
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, 'process_ps: bad.cfg:3: unknown key "pixlist"\n');
      assert.ok(!existsSync(join(dir, "x.txt")));
    });

    await t.step(
      "several obsnums: one column per (obsnum, pixel), Tsys of the last, x of the first",
      async () => {
        const r = await runTool("process_ps", [
          "--obs_list",
          "97061,97071",
          "--pix_list",
          "10",
          "--use_cal",
          "-o",
          "-",
          "-y",
          "none",
        ], { cwd: dir, env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^# vlsr {2}TA\(K\) Tsys\(K\) \(<2 beams>\) beam1 beam2 \.\.\.\n/);
        const eA = expectedPs(tA, 10), eB = expectedPs(tB, 10);
        const tsysB = tB.pixels.find((q) => q.pixel === 10)!.tsys_K;
        assert.ok(Math.abs(tsysB - 1.2 * 181) < 1e-9);
        rows(r.stdout).forEach((f, i) => {
          const c = 64 + i;
          assert.equal(f[0], sprintf("%g", truthVlsr(tA, 0, c)));
          assert.ok(closePrinted(f[3]!, eA[c]!) && closePrinted(f[4]!, eB[c]!), `channel ${c}`);
          assert.ok(closePrinted(f[1]!, (Number(f[3]) + Number(f[4])) / 2, 2e-6));
          assert.ok(closePrinted(f[2]!, tsysB, 0.01), `Tsys ${f[2]}`);
        });
      },
    );

    await t.step("without --use_cal the IFPROC Tsys calibrates (the original crashed)", async () => {
      const r = await runTool("process_ps", [
        "--obs_list",
        "97061",
        "--pix_list",
        "10",
        "-o",
        "-",
        "-y",
        "none",
      ], {
        cwd: dir,
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      const rs = rows(r.stdout);
      const ts = new Set(rs.map((f) => f[2]));
      assert.equal(ts.size, 1, "a constant Tsys column");
      // IFPROC levels carry 0.05 % noise: the scalar Tsys is the physical one within 0.3 %
      assert.ok(Math.abs(Number(rs[0]![2]) / 181 - 1) < 3e-3, `Tsys ${rs[0]![2]}`);
      const e = expectedPs(tA, 10);
      rs.forEach((f, i) =>
        assert.ok(Math.abs(Number(f[3]) - e[64 + i]!) < 3e-3 * Math.abs(e[64 + i]!) + 1e-3)
      );
    });

    await t.step("--x_axis VSRC: first column relative to the source velocity, header says so", async () => {
      const r = await runTool("process_ps", [...base, "--x_axis", "VSRC", "-o", "-", "-y", "none"], {
        cwd: dir,
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# vsrc {2}TA\(K\)/);
      const f = rows(r.stdout)[100]!;
      assert.ok(Math.abs(Number(f[0]) - (truthVlsr(tA, 0, 164) - tA.vlsr_kms)) < 1e-4);
    });

    await t.step("errors: usage (exit 2) and data (exit 1), one line, no output left", async () => {
      const cases: [string[], number, RegExp][] = [
        [["--obs_list", "97061", "-o", "e.txt"], 2, /--pix_list is required/],
        [["--pix_list", "10", "-o", "e.txt"], 2, /--obs_list is required/],
        [["--obs_list", "97061", "--pix_list", "10,10", "-o", "e.txt"], 2, /listed twice/],
        [["--obs_list", "97061", "--pix_list", "16", "-o", "e.txt"], 2, /pixels are 0\.\.15/],
        [["--obs_list", "97061", "--pix_list", "10", "--x_axis", "VLRS", "-o", "e.txt"], 2, /x_axis/],
        [["--obs_list", "97099", "--pix_list", "10", "--use_cal", "-o", "e.txt"], 1, /97099/],
        [
          ["--obs_list", "97061", "--pix_list", "10", "-b", "1", "-o", "e.txt"],
          1,
          /LineFreq\[1\] is 0: bank 1 is not in use/,
        ],
      ];
      for (const [args, code, msg] of cases) {
        const r = await runTool("process_ps", args, { cwd: dir, env });
        assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, msg);
        assert.match(r.stderr, /^process_ps: /);
        assert.ok(!/\n {4}at /.test(r.stderr), "no stack trace");
        assert.ok(!existsSync(join(dir, "e.txt")));
      }
    });
  } finally {
    cleanup();
  }
});
