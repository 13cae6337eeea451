/**
 * The main job (`npm run demo`): generates its own data (no ../shared/samples needed), reduces it with the
 * pipelines in under a minute, and the products recover the injected truth.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runDeno, tempDir } from "../_helpers.ts";
import { readTextSpectrum } from "../../lib/formats/spectrum.ts";
import { fitGaussian } from "../../lib/num/gaussfit.ts";
import { strongestLine } from "../../lib/report/rsr.ts";

Deno.test({
  name: "demo: generate + reduce RSR and SEQ data end to end, truth recovered",
  sanitizeResources: false,
  fn: async () => {
    const { dir, cleanup } = tempDir("lmt-demo-");
    try {
      const t0 = performance.now();
      const o = await runDeno(join(ROOT, "scripts", "demo.ts"), ["--out", dir]);
      const secs = (performance.now() - t0) / 1000;
      const out = o.stdout;
      assert.equal(o.code, 0, out + o.stderr);
      // the time is reported, not asserted (wall-clock limits belong in bench/, not in tests)
      console.error(`demo took ${secs.toFixed(1)} s`);
      for (const d of ["91001", "91003", "91001_91003", "97001", "97003"]) {
        const p = join(dir, "work", d, "index.html");
        assert.ok(existsSync(p), `${p} exists`);
        assert.ok(out.includes(p), "the demo prints where the summary pages are");
      }
      // RSR: the injected 94.3 GHz line in the combined spectrum (expected = physical × diffsat, less the
      // ~6 % band-merge smoothing of R3) and the bad board found by badlags
      const truth = JSON.parse(readFileSync(join(dir, "data_lmt", "rsr_truth.json"), "utf8"));
      const t1 = Array.isArray(truth) ? truth[0] : truth;
      const expected = t1.lines[0].expected_peak_k as number;
      const spec = readTextSpectrum(
        readFileSync(join(dir, "work", "91001_91003", "rsr.91001_91003.driver.sum.txt"), "utf8"),
      );
      const fit = strongestLine(spec.columns[0]!, spec.columns[1]!, 94.3)!;
      assert.ok(Math.abs(fit.center - 94.3) < 0.01, `centre ${fit.center}`);
      assert.ok(
        Math.abs(fit.peak - 0.94 * expected) < 0.1 * expected,
        `peak ${fit.peak} vs ${expected} × 0.94`,
      );
      assert.ok(Math.abs(fit.fwhmKms - 320 * 1.06) < 50, `FWHM ${fit.fwhmKms} km/s`);
      assert.match(
        readFileSync(join(dir, "work", "91001", "rsr.91001.rfile"), "utf8"),
        /^91001,3,2$/m,
        "bad board 3/2 removed",
      );
      // SEQ Bs: the point source line, positive
      const bs = readTextSpectrum(readFileSync(join(dir, "work", "97003", "SIM-BS_97003__0.txt"), "utf8"));
      const b = fitGaussian(bs.columns[0]!, bs.columns[1]!, { center: 27, peak: 0.8, sigma: 3.4 });
      assert.ok(
        Math.abs(b.center - 27) < 1.5 && b.peak > 0.5 && b.peak < 1.2,
        `Bs ${b.peak} K at ${b.center} km/s`,
      );
    } finally {
      cleanup();
    }
  },
});
