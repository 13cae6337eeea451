/**
 * The corrected behaviours behind named options of rsr_driver / rsr_sum (docs/compat.md, RSR), on data
 * made by the toolkit's generator (lib/sim/rsr.ts), so no ../shared/samples are needed:
 * - `--merge sinc|nearest` (R3): the merged line keeps the native-grid (_bandspec) peak and FWHM, while
 *   the default linear merge keeps the original's ~6 % peak loss;
 * - `--nan-uncovered` (R4): nan exactly where the default writes 0.0 for "no board";
 * - `--badlags-per-obsnum` (R7): each obsnum is reduced with its own bad lags only.
 */
import { equal, ok } from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blankingTemplate } from "../../lib/formats/blanking.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";
import { badLagTablesPerObsnum, noBadLags } from "../../lib/rsr/calibrated.ts";
import { runDriver } from "../../lib/rsr/driver.ts";
import { generateRsr, type RsrTruth } from "../../lib/sim/rsr.ts";
import { runTool, tempDir } from "../_helpers.ts";

const LINE = { freqGhz: 94.3, peakK: 0.1, fwhmKms: 320 };

/** Numeric rows of a text spectrum (comment lines skipped). */
function table(path: string): number[][] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/).map(Number));
}

/** Gaussian fit of (x, y) within ±half GHz of f0. */
function fitLine(x: number[], y: number[], f0: number, half = 0.5) {
  const idx = x.map((_, i) => i).filter((i) => Math.abs(x[i]! - f0) <= half && Number.isFinite(y[i]!))
    .sort((a, b) => x[a]! - x[b]!);
  return fitGaussian(idx.map((i) => x[i]!), idx.map((i) => y[i]!), { center: f0 });
}

Deno.test("rsr_driver/rsr_sum corrected-behaviour options on generated data (R3, R4, R7)", async (t) => {
  const { dir, cleanup } = tempDir("lmt-rsr-opts-");
  try {
    const root = join(dir, "data_lmt");
    const truth: RsrTruth = await generateRsr(root, {
      obsnum: 91001,
      seed: 5,
      lines: [LINE],
      badLags: [{ chassis: 1, board: 0, lag: 101, amp: 15 }],
    });
    await generateRsr(root, {
      obsnum: 91003,
      seed: 6,
      lines: [LINE],
      badLags: [{ chassis: 2, board: 2, lag: 45, amp: 20 }],
      writeCorrCal: false,
    });
    const env = { DATA_LMT: root };
    const work = join(dir, "work");
    Deno.mkdirSync(work);
    const run = async (tool: string, args: string[]) => {
      const r = await runTool(tool, args, { cwd: work, env });
      equal(r.code, 0, `${tool} ${args.join(" ")}: ${r.stderr}`);
      return r;
    };
    const ln = truth.lines[0]!;

    await t.step("--merge sinc/nearest keep the _bandspec line; the default keeps the R3 loss", async () => {
      await run("rsr_driver", ["91001", "-o", "lin.txt", "--exclude", "94.3", "0.5"]);
      await run("rsr_driver", ["91001", "-o", "sinc.txt", "--exclude", "94.3", "0.5", "--merge", "sinc"]);
      await run("rsr_driver", ["91001", "-o", "near.txt", "--exclude", "94.3", "0.5", "--merge", "nearest"]);
      // native board grid: board 3 = columns 6, 7 of _bandspec (identical in the three runs)
      const bs = table(join(work, "lin_bandspec.txt"));
      equal(
        readFileSync(join(work, "sinc_bandspec.txt"), "utf8").split("\n").slice(-200).join("\n"),
        readFileSync(join(work, "lin_bandspec.txt"), "utf8").split("\n").slice(-200).join("\n"),
      );
      const fb = fitLine(bs.map((r) => r[6]!), bs.map((r) => r[7]!), ln.f0_ghz);
      ok(
        Math.abs(fb.peak / ln.expected_peak_k - 1) < 0.05,
        `bandspec peak ${fb.peak} vs truth ${ln.expected_peak_k}`,
      );
      const fits: Record<string, ReturnType<typeof fitLine>> = {};
      for (const m of ["lin", "sinc", "near"]) {
        const s = table(join(work, `${m}.txt`));
        fits[m] = fitLine(s.map((r) => r[0]!), s.map((r) => r[1]!), ln.f0_ghz);
      }
      const r = (m: string) => ({ peak: fits[m]!.peak / fb.peak, fwhm: fits[m]!.fwhm / fb.fwhm });
      console.log(
        `  bandspec: peak ${(fb.peak * 1000).toFixed(2)} mK (truth ${
          (ln.expected_peak_k * 1000).toFixed(2)
        }), ` +
          `FWHM ${fb.fwhm.toFixed(4)} GHz; merged/bandspec peak, FWHM: ` +
          ["lin", "sinc", "near"].map((m) => `${m} ${r(m).peak.toFixed(3)}, ${r(m).fwhm.toFixed(3)}`).join(
            "; ",
          ),
      );
      ok(r("lin").peak < 0.97 && r("lin").peak > 0.9, `linear merge peak ratio ${r("lin").peak}`);
      ok(r("lin").fwhm > 1.03, `linear merge FWHM ratio ${r("lin").fwhm}`);
      for (const m of ["sinc", "near"]) {
        ok(Math.abs(r(m).peak - 1) < 0.02, `${m} peak ratio ${r(m).peak}`);
        ok(Math.abs(r(m).fwhm - 1) < 0.02, `${m} FWHM ratio ${r(m).fwhm}`);
      }
      ok(Math.abs(fits.sinc!.center - fb.center) < 0.002, `sinc centre ${fits.sinc!.center} vs ${fb.center}`);
      // nearest relabels board 3 by its grid offset, +0.01025 GHz
      ok(Math.abs(fits.near!.center - fb.center - 0.01025) < 0.002, `nearest centre ${fits.near!.center}`);
    });

    await t.step(
      "--nan-uncovered: nan exactly where the default writes 0.0 (driver and rsr_sum)",
      async () => {
        await run("rsr_driver", ["91001", "-o", "nan.txt", "--exclude", "94.3", "0.5", "--nan-uncovered"]);
        const a = table(join(work, "lin.txt")), b = table(join(work, "nan.txt"));
        equal(a.length, 1297);
        let n = 0;
        for (let j = 0; j < a.length; j++) {
          if (Number.isNaN(b[j]![1]!)) {
            n++;
            equal(a[j]![1], 0); // (sigma may be finite there: its nearest-channel rule, §2.12, is unchanged)
          } else equal(b[j]![1], a[j]![1]);
        }
        equal(n, 1297 - 1216); // rsr.md §2.11: 1216 covered channels with complete data
        writeFileSync(join(work, "b.blanking"), blankingTemplate(91001, "test"));
        await run("rsr_sum", ["-b", "b.blanking", "-o", "sum0.txt"]);
        await run("rsr_sum", ["-b", "b.blanking", "-o", "sum1.txt", "--nan-uncovered", "--merge", "sinc"]);
        const s0 = table(join(work, "sum0.txt")), s1 = table(join(work, "sum1.txt"));
        equal(s0.filter((x) => x[1] === 0).length, 81);
        equal(s1.filter((x) => Number.isNaN(x[1]!)).length, 81);
        ok(s1.every((x, j) => Number.isNaN(x[1]!) === (s0[j]![1] === 0)));
        const f0 = fitLine(s0.map((x) => x[0]!), s0.map((x) => x[1]!), ln.f0_ghz);
        const f1 = fitLine(s1.map((x) => x[0]!), s1.map((x) => x[1]!), ln.f0_ghz);
        console.log(
          `  rsr_sum peak: linear ${(f0.peak * 1000).toFixed(2)} mK, sinc ${(f1.peak * 1000).toFixed(2)} mK`,
        );
        ok(f1.peak / f0.peak > 1.02, `rsr_sum sinc/linear peak ${f1.peak / f0.peak}`);
      },
    );

    await t.step("--badlags-per-obsnum: each obsnum gets its own bad lags (R7)", async () => {
      const badText = " 1  0 101  91001   11.9    # max\n 2  2  45  91003   14.2    # max\n";
      writeFileSync(join(work, "both.badlags"), badText);
      const base = { dataLmt: root, exclude: [94.3, 0.5] };
      const per = badLagTablesPerObsnum([
        { chassis: 1, board: 0, lag: 101, obsnum: 91001 },
        { chassis: 2, board: 2, lag: 45, obsnum: 91003 },
        { chassis: 0, board: 3, lag: 7 }, // no obsnum: applies to every obsnum
      ]);
      equal(JSON.stringify(per.byObsnum.get(91001)![1]![0]), "[101]");
      equal(JSON.stringify(per.byObsnum.get(91001)![2]![2]), "[]");
      equal(JSON.stringify(per.byObsnum.get(91003)![0]![3]), "[7]");
      equal(JSON.stringify(per.global[0]![3]), "[7]");
      // reference: each obsnum alone with only its own lag
      const own3 = noBadLags();
      own3[2]![2] = [45];
      const alone3 = await runDriver({ ...base, obsnums: [91003], badLags: own3 });
      const union = noBadLags();
      union[1]![0] = [101];
      union[2]![2] = [45];
      const glob = await runDriver({ ...base, obsnums: [91001, 91003], badLags: union });
      const perRun = badLagTablesPerObsnum([
        { chassis: 1, board: 0, lag: 101, obsnum: 91001 },
        { chassis: 2, board: 2, lag: 45, obsnum: 91003 },
      ]);
      const perRes = await runDriver({
        ...base,
        obsnums: [91001, 91003],
        badLags: perRun.global,
        badLagsByObsnum: perRun.byObsnum,
      });
      const prodOf = (res: typeof glob, o: number, c: number) =>
        res.products.find((p) => p.obsnum === o && p.chassis === c)!.average.data;
      // 91003 chassis 1 board 0 is untouched by 91001's lag 101 only with the per-obsnum reading
      const a = prodOf(alone3, 91003, 1), p = prodOf(perRes, 91003, 1), g = prodOf(glob, 91003, 1);
      let diffG = 0;
      for (let k = 0; k < a.length; k++) {
        ok(Object.is(p[k], a[k]), `per-obsnum 91003/1 channel ${k}: ${p[k]} vs ${a[k]}`);
        if (!Object.is(g[k], a[k])) diffG++;
      }
      ok(diffG > 100, `the global reading changes 91003/1 (${diffG} channels)`);
      // and the CLI gives the library's per-obsnum spectrum (values to the last bit)
      await run("rsr_driver", [
        "91001",
        "91003",
        "-B",
        "both.badlags",
        "--badlags-per-obsnum",
        "--exclude",
        "94.3",
        "0.5",
        "-o",
        "per.txt",
      ]);
      await run("rsr_driver", [
        "91001",
        "91003",
        "-B",
        "both.badlags",
        "--exclude",
        "94.3",
        "0.5",
        "-o",
        "glob.txt",
      ]);
      const cp = table(join(work, "per.txt")), cg = table(join(work, "glob.txt"));
      ok(cp.every((row, j) => Object.is(row[1], perRes.composite.value[j])), "CLI per-obsnum = library");
      ok(
        cg.every((row, j) => Object.is(row[1], glob.composite.value[j])),
        "CLI default = global library run",
      );
      ok(cp.some((row, j) => row[1] !== cg[j]![1]), "per-obsnum and global spectra differ");
    });
  } finally {
    cleanup();
  }
});
