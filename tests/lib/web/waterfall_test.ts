/**
 * The numbers behind the RSR waterfall pages (lib/rsr/plots.ts waterfallData, `rsr_driver --waterfall-data`),
 * which lmt_web plots interactively: generated data with a 45 mK, 320 km/s line at 94.3 GHz (scripts/gen_rsr.ts)
 * reduced by rsr_driver with PNG pages and the JSON: one product per PNG page (chassis 0..3), one panel per
 * repeat plus the average with the PNG's titles, 6 boards × 256 channels on the boards' sky frequencies; the
 * line recovered by a Gaussian fit in every chassis's averaged panel (centre ±10 MHz; peak 39.8 mK, the
 * physical peak × diffsat, within ±4 mK: one chassis's noise; FWHM ±25 %), and each repeat's σ per board
 * equal to the population std of its finite values (±0.002 mK: the 3-decimal rounding).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runScript, runTool, tempDir } from "../../_helpers.ts";
import { fitGaussian } from "../../../lib/num/gaussfit.ts";

Deno.test("rsr_driver --waterfall-data: the waterfall pages' numbers, the 94.3 GHz line in each chassis", async () => {
  const { dir, cleanup } = tempDir("rsr-wf-data-");
  try {
    await runScript("gen_rsr.ts", [
      "--out",
      join(dir, "data"),
      "--obsnum",
      "91001",
      "--line",
      "94.3,0.045,320",
    ]);
    writeFileSync(join(dir, "rsr.obsnum"), "91001\n");
    const r = await runTool(
      "rsr_driver",
      ["rsr.obsnum", "-o", "x.txt", "-b", "1", "-w", "rsr.wf.png", "--waterfall-data", "rsr.wf.json"],
      { cwd: dir, env: { DATA_LMT: join(dir, "data"), PATH: Deno.env.get("PATH") ?? "" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const wf = JSON.parse(readFileSync(join(dir, "rsr.wf.json"), "utf8"));
    assert.deepEqual(wf.xrange, [72.5, 111.5]);
    assert.deepEqual(wf.products.map((p: { chassis: number }) => p.chassis), [0, 1, 2, 3]);
    for (let i = 0; i < 4; i++) assert.ok(existsSync(join(dir, `rsr.wf-${i}.png`)), `page ${i}`);
    assert.ok(!existsSync(join(dir, "rsr.wf-4.png")));
    for (const p of wf.products) {
      const n = p.panels.length;
      assert.ok(n >= 2);
      assert.deepEqual(
        p.panels.map((q: { title: string }) => q.title),
        [
          ...Array.from({ length: n - 1 }, (_, r) => `ObsNum 91001, Chassis ${p.chassis}, Repeat ${r}`),
          `ObsNum 91001, Chassis ${p.chassis}, Averaged`,
        ],
      );
      assert.equal(p.freq.length, 6);
      for (const f of p.freq) assert.ok(f.length === 256 && f.every((x: number) => x > 71 && x < 113));
      for (const q of p.panels) {
        assert.equal(q.t.length, 6);
        for (const t of q.t) assert.equal(t.length, 256);
      }
      // the line in the averaged panel: the board covering 94.3 GHz, ±0.4 GHz around it
      const av = p.panels[n - 1];
      const b = p.freq.findIndex((f: number[]) => Math.min(...f) < 94.0 && Math.max(...f) > 94.6);
      assert.ok(b >= 0);
      const xs: number[] = [], ys: number[] = [];
      p.freq[b].forEach((f: number, k: number) => {
        if (Math.abs(f - 94.3) < 0.4 && av.t[b][k] !== null) {
          xs.push(f);
          ys.push(av.t[b][k]);
        }
      });
      const fit = fitGaussian(xs, ys, { center: 94.3 });
      const fwhmKms = fit.fwhm / fit.center * 299792.458;
      assert.ok(Math.abs(fit.center - 94.3) < 0.01, `centre ${fit.center}`);
      assert.ok(Math.abs(fit.peak - 39.81) < 4, `peak ${fit.peak} mK`);
      assert.ok(Math.abs(fwhmKms - 320) < 80, `FWHM ${fwhmKms}`);
      // σ of a repeat's board: the std of its values (mK), as the PNG's alpha test uses it
      for (let r = 0; r < n - 1; r++) {
        for (let bb = 0; bb < 6; bb++) {
          const v = (p.panels[r].t[bb] as (number | null)[]).filter((x): x is number => x !== null);
          if (v.length < 100) continue;
          const m = v.reduce((a, c) => a + c, 0) / v.length;
          const sd = Math.sqrt(v.reduce((a, c) => a + (c - m) ** 2, 0) / v.length);
          assert.ok(
            Math.abs(sd - p.panels[r].sigma[bb]) < 2e-3,
            `repeat ${r} board ${bb}: ${sd} vs σ ${p.panels[r].sigma[bb]}`,
          );
        }
      }
    }
  } finally {
    cleanup();
  }
});
