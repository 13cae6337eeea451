/**
 * End-to-end truth test of the RSR chain on data made by the toolkit's own generator (lib/sim/rsr.ts),
 * so it runs without ../shared/samples: badlags → rsr_tsys → rsr_badcb → rsr_driver (-w, -p) → rsr_sum,
 * black-box through bin/, in the order of the LMTOY pipeline (scripts/rsr.mk). Checks against the
 * generator's truth: injected bad lags flagged, the noisy board found (#BADCB of badlags), the jittery
 * board found (#BADCB of rsr_tsys), Tsys per board = truth × diffsat, and the line's peak, centre and
 * FWHM in the native-grid `_bandspec`, the merged spectrum and the rsr_sum spectrum.
 */
import { equal, ok } from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBadlags } from "../../lib/formats/badlags.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";
import { pngInfo } from "../../lib/plot/mod.ts";
import { generateRsr, type RsrTruth } from "../../lib/sim/rsr.ts";
import { runTool, tempDir } from "../_helpers.ts";
import { RSR_PIPELINE_OPTS } from "./_rsr_driver.ts";

const O = 91001;
const LINE = { freqGhz: 94.3, peakK: 0.06, fwhmKms: 320 };
const BAD_LAGS = [{ chassis: 1, board: 0, lag: 101, amp: 15 }, { chassis: 2, board: 2, lag: 45, amp: 20 }];
const BAD_BOARD = { chassis: 3, board: 2, factor: 12 };
const JITTER = { chassis: 0, board: 5, frac: 0.25 };

/** Numeric rows of a text spectrum (comment lines skipped). */
function table(path: string): number[][] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/).map(Number));
}

/** Gaussian fit of (x, y) within ±half GHz of f0. */
function fitLine(x: number[], y: number[], f0: number, half = 0.6) {
  const xs: number[] = [], ys: number[] = [];
  x.forEach((v, i) => {
    if (Math.abs(v - f0) <= half && Number.isFinite(y[i]!)) {
      xs.push(v);
      ys.push(y[i]!);
    }
  });
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  return fitGaussian(order.map((i) => xs[i]!), order.map((i) => ys[i]!), { center: f0 });
}

Deno.test("RSR chain on generated data: flags, Tsys, line vs truth; plots (runs without ../shared/samples)", async (t) => {
  const { dir, cleanup } = tempDir("lmt-rsr-chain-");
  try {
    const root = join(dir, "data_lmt");
    const truth: RsrTruth = await generateRsr(root, {
      obsnum: O,
      seed: 17,
      lines: [LINE],
      badLags: BAD_LAGS,
      badBoards: [BAD_BOARD],
      tsysJitter: [JITTER],
    });
    const env = { DATA_LMT: root };
    const work = join(dir, "work");
    Deno.mkdirSync(work);
    writeFileSync(join(work, "rsr.obsnum"), `${O}\n`);
    const run = async (tool: string, args: string[]) => {
      const r = await runTool(tool, args, { cwd: work, env });
      equal(r.code, 0, `${tool} ${args.join(" ")}: ${r.stderr}`);
      return r;
    };
    const badlagsFile = `rsr.${O}.badlags`;

    await t.step("badlags flags the injected bad lags and the noisy board", async () => {
      await run("badlags", ["-y", `badlags.${O}.png`, "-B", badlagsFile, String(O)]);
      const bl = parseBadlags(readFileSync(join(work, badlagsFile), "utf8"), badlagsFile);
      for (const b of BAD_LAGS) {
        ok(
          bl.lags.some((l) => l.chassis === b.chassis && l.board === b.board && l.lag === b.lag),
          `bad lag ${b.chassis}/${b.board}/${b.lag} not flagged`,
        );
      }
      // nothing else far from the injected ones is flagged by the max/min tests (spikes may be)
      equal(
        bl.badcb.map((x) => `${x.chassis}/${x.board}`).join(","),
        `${BAD_BOARD.chassis}/${BAD_BOARD.board}`,
      );
      ok(pngInfo(readFileSync(join(work, `badlags.${O}.png`))).width > 500);
    });

    let tsysLines = "";
    await t.step(
      "rsr_tsys finds the jittery board; Tsys per board = truth × diffsat within 1.5 %",
      async () => {
        const r = await run("rsr_tsys", [
          "-r",
          "25",
          "-b",
          badlagsFile,
          "--table",
          `rsr.${O}.tsys.txt`,
          "-y",
          "rsr.tsys.png",
          String(O),
        ]);
        tsysLines = r.stdout;
        const bad = r.stdout.split("\n").filter((l) => l.startsWith("#BADCB")).map((l) =>
          l.split(/\s+/).slice(2, 4).join("/")
        );
        equal(bad.join(","), `${JITTER.chassis}/${JITTER.board}`);
        ok(r.stdout.includes(`obsnum=${O} badcb=${JITTER.chassis}/${JITTER.board}`), r.stdout);
        const rows = table(join(work, `rsr.${O}.tsys.txt`));
        let worst = 0;
        for (const bt of truth.boards) {
          if (bt.chassis === JITTER.chassis && bt.board === JITTER.board) continue;
          const v = rows.filter((x) => x[0] === bt.chassis && x[1] === bt.board && Number.isFinite(x[4]!))
            .map((x) => x[4]!);
          ok(v.length > 200, `only ${v.length} valid Tsys channels on ${bt.chassis}/${bt.board}`);
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          const rel = Math.abs(mean / bt.tsys_expected_mean_k - 1);
          worst = Math.max(worst, rel);
          ok(rel < 0.015, `Tsys ${bt.chassis}/${bt.board}: ${mean} vs truth ${bt.tsys_expected_mean_k}`);
        }
        console.log(`  Tsys: worst |mean/truth - 1| = ${(worst * 100).toFixed(2)} %`);
      },
    );

    await t.step("rsr_badcb turns both #BADCB sources into rfile and blanking lines", async () => {
      const badcb = readFileSync(join(work, badlagsFile), "utf8").split("\n").filter((l) =>
        l.startsWith("#BADCB")
      )
        .concat(tsysLines.split("\n").filter((l) => l.startsWith("#BADCB")));
      writeFileSync(join(work, "badcb.txt"), badcb.join("\n") + "\n");
      const rt = await run("rsr_badcb", ["-r", "--template", String(O), "badcb.txt"]);
      writeFileSync(join(work, `rsr.${O}.rfile`), rt.stdout);
      const bt = await run("rsr_badcb", ["-b", "--template", String(O), "badcb.txt"]);
      writeFileSync(join(work, `rsr.${O}.blanking`), bt.stdout);
      for (const cb of [BAD_BOARD, JITTER]) {
        ok(rt.stdout.split("\n").includes(`${O},${cb.chassis},${cb.board}`), rt.stdout);
        ok(bt.stdout.includes(`${O}   ${cb.chassis}  {${cb.board} : [(70,120)]}`), bt.stdout);
      }
    });

    const spec = `rsr.${O}.driver.sum.txt`;
    await t.step("rsr_driver: line peak/centre/FWHM vs truth; waterfall pages and -p plots", async () => {
      await run("rsr_driver", [
        "rsr.obsnum",
        "--badlags",
        badlagsFile,
        "--rfile",
        `rsr.${O}.rfile`,
        "-o",
        spec,
        "-w",
        "rsr.wf.png",
        "-p",
        ...RSR_PIPELINE_OPTS,
      ]);
      const ln = truth.lines[0]!;
      // native board grid (_bandspec, board 3 = columns 6, 7): the expected peak is truth × diffsat
      const bs = table(join(work, `rsr.${O}.driver.sum_bandspec.txt`));
      const fb = fitLine(bs.map((r) => r[6]!), bs.map((r) => r[7]!), ln.f0_ghz);
      const fwhmGhz = ln.fwhm_ghz;
      console.log(
        `  _bandspec fit: peak ${(fb.peak * 1000).toFixed(2)} mK (truth ${
          (ln.expected_peak_k * 1000).toFixed(2)
        }), ` +
          `centre ${fb.center.toFixed(4)} GHz, FWHM ${fb.fwhm.toFixed(4)} GHz (truth ${fwhmGhz})`,
      );
      ok(Math.abs(fb.center - ln.f0_ghz) < 0.008, `centre ${fb.center}`); // 1/4 channel
      ok(Math.abs(fb.peak / ln.expected_peak_k - 1) < 0.06, `peak ${fb.peak} vs ${ln.expected_peak_k}`); // ~4σ of the fit
      ok(Math.abs(fb.fwhm / fwhmGhz - 1) < 0.1, `FWHM ${fb.fwhm} vs ${fwhmGhz}`);
      // merged spectrum: linear-interpolation merge (R3) costs up to ~6 % of a narrow line's peak
      const m = table(join(work, spec));
      const fm = fitLine(m.map((r) => r[0]!), m.map((r) => r[1]!), ln.f0_ghz);
      console.log(`  merged fit: peak ${(fm.peak * 1000).toFixed(2)} mK, centre ${fm.center.toFixed(4)} GHz`);
      ok(Math.abs(fm.center - ln.f0_ghz) < 0.008, `merged centre ${fm.center}`);
      ok(fm.peak / ln.expected_peak_k > 0.88 && fm.peak / ln.expected_peak_k < 1.0, `merged peak ${fm.peak}`);
      // every chassis contributed (only single boards were removed by the rfile)
      const head = readFileSync(join(work, spec), "utf8");
      ok(head.includes(`# Input Observations: ${O}_0,${O}_1,${O}_2,${O}_3,`), head.slice(0, 400));
      // plots: one waterfall page per (obsnum, chassis), named as ImageMagick named the PDF pages
      const pages = readdirSync(work).filter((f) => /^rsr\.wf.*\.png$/.test(f)).sort();
      equal(pages.join(" "), "rsr.wf-0.png rsr.wf-1.png rsr.wf-2.png rsr.wf-3.png");
      for (const p of pages) {
        const info = pngInfo(readFileSync(join(work, p)));
        ok(
          info.width >= 600 && info.width <= 1200 && info.height >= 450 && info.height <= 1400,
          `${p} ${info.width}×${info.height}`,
        );
      }
      for (const p of ["rsr.driver.png", "rsr.driver1.png"]) {
        const info = pngInfo(readFileSync(join(work, p)));
        ok(info.width >= 800 && info.height >= 500, `${p} ${info.width}×${info.height}`);
      }
    });

    await t.step(
      "rsr_driver without -w/-p writes no plot; a rerun with fewer products removes stale pages",
      async () => {
        const before = readdirSync(work).filter((f) => f.endsWith(".png")).sort().join(" ");
        Deno.mkdirSync(join(work, "np"));
        await run("rsr_driver", ["rsr.obsnum", "--badlags", badlagsFile, "-o", "np/x.txt", "-c", "0", "1"]);
        equal(readdirSync(join(work, "np")).sort().join(" "), "x.txt x_bandspec.txt");
        equal(readdirSync(work).filter((f) => f.endsWith(".png")).sort().join(" "), before);
        await run("rsr_driver", ["rsr.obsnum", "-o", "np/y.txt", "-c", "1", "2", "-w", "rsr.wf.png"]);
        ok(existsSync(join(work, "rsr.wf-1.png")) && !existsSync(join(work, "rsr.wf-2.png")));
        ok(!existsSync(join(work, "rsr.wf-3.png")));
      },
    );

    await t.step("rsr_sum: line recovered in the blanking-file spectrum", async () => {
      await run("rsr_sum", ["-b", `rsr.${O}.blanking`, "--badlags", badlagsFile, "--o1", "1", "-t", "0.01"]);
      const s = table(join(work, `rsr.${O}.blanking.sum.txt`));
      const ln = truth.lines[0]!;
      const fs = fitLine(s.map((r) => r[0]!), s.map((r) => r[1]!), ln.f0_ghz);
      console.log(
        `  rsr_sum fit: peak ${(fs.peak * 1000).toFixed(2)} mK, centre ${fs.center.toFixed(4)} GHz`,
      );
      ok(Math.abs(fs.center - ln.f0_ghz) < 0.008, `centre ${fs.center}`);
      ok(fs.peak / ln.expected_peak_k > 0.88 && fs.peak / ln.expected_peak_k < 1.0, `peak ${fs.peak}`); // merged grid (R3)
    });
  } finally {
    cleanup();
  }
});
