/**
 * scripts/seq.mk on generated dual-IF data (no ../shared/samples): `bank=-1` (the default) makes one
 * SpecFile, cube, weight map (and smooth cube) per bank, each bank gridded at its own resolution
 * (λ/D at the bank's sky frequency), and one summary page covering both banks.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../_helpers.ts";
import { generateSeq } from "../../lib/sim/seq.ts";
import { readFits } from "../../lib/fits/mod.ts";
import { readSpecFile } from "../../lib/specfile/mod.ts";

const SEQ_MK = join(ROOT, "scripts", "seq.mk");

Deno.test({
  name:
    "seq.mk bank=-1 on dual-IF data: SpecFile, cube and weight map per bank at the bank's resolution, one page for both",
  sanitizeResources: false,
  fn: async () => {
    const { dir, cleanup } = tempDir("lmt-seqmk-2if-");
    try {
      const root = join(dir, "data_lmt");
      // bank 1 at 86.243 GHz (SiO): λ/D 14.3" → resolution 15", bank 0 at 97.98 GHz → 13"
      const truth = await generateSeq(root, {
        obsnum0: 96000,
        seed: 3,
        nchan: 512,
        banks: 2,
        bs: false,
        bank1: { restFreqGhz: 86.243 },
      });
      const o = await new Deno.Command("make", {
        // dv/dw keep the default windows (VLSR ± dv ± dw) inside the 512-channel band
        args: ["-f", SEQ_MK, "obsnum=96001", "dv=50", "dw=60"],
        cwd: dir,
        env: { DATA_LMT: root, PATH: `${join(ROOT, "bin")}:${Deno.env.get("PATH")}` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      assert.equal(o.code, 0, dec.decode(o.stdout) + dec.decode(o.stderr));
      const D = join(dir, "96001");
      const expect = [{ bank: 0, res: 13, rest: 97.980953 }, { bank: 1, res: 15, rest: 86.243 }];
      for (const { bank, res, rest } of expect) {
        const base = join(D, `SIM-OTF_96001__${bank}`);
        for (const ext of [".nc", ".fits", ".wt.fits", ".smooth.fits", ".smooth.wt.fits"]) {
          assert.ok(existsSync(base + ext), `${base + ext} exists`);
        }
        const sf = await readSpecFile(base + ".nc");
        assert.equal(sf.line.bank, bank);
        assert.ok(
          Math.abs(sf.line.lineRestFrequency / (rest * 1e9) - 1) < 1e-12,
          `bank ${bank} rest frequency`,
        );
        const cube = readFits(base + ".fits").hdus[0]!;
        const wt = readFits(base + ".wt.fits").hdus[0]!;
        const h = (k: string) => Number(cube.header.get(k));
        // cell = resolution/2 of the bank; the cube's rest frequency is the bank's
        assert.ok(
          Math.abs(Math.abs(h("CDELT1")) * 3600 - res / 2) < 1e-6,
          `bank ${bank} cell ${h("CDELT1") * 3600}"`,
        );
        assert.ok(Math.abs(h("RESTFRQ") / (rest * 1e9) - 1) < 1e-9, `bank ${bank} RESTFRQ ${h("RESTFRQ")}`);
        assert.deepEqual(wt.shape, cube.shape.slice(0, 2));
        // the line of the bank peaks where the generator put it (sum over well-covered cells: weight ≥ 30 % of max)
        const nz = cube.shape[2]!, nxy = cube.shape[0]! * cube.shape[1]!;
        const data = cube.data as Float32Array, w = wt.data as Float32Array;
        const wmax = w.reduce((a, x) => (x > a ? x : a), 0);
        let best = -Infinity, bestK = -1;
        for (let k = 0; k < nz; k++) {
          let s = 0;
          for (let j = 0; j < nxy; j++) {
            if (w[j]! >= 0.3 * wmax && Number.isFinite(data[k * nxy + j]!)) s += data[k * nxy + j]!;
          }
          if (s > best) best = s, bestK = k;
        }
        const vScale = String(cube.header.get("CUNIT3") ?? "").trim() === "m/s" ? 1e-3 : 1;
        const v = ((bestK + 1 - h("CRPIX3")) * h("CDELT3") + h("CRVAL3")) * vScale;
        const vTrue = truth.banks![bank]!.line_v_kms;
        assert.ok(
          Math.abs(v - vTrue) < 1.5 * Math.abs(h("CDELT3") * vScale),
          `bank ${bank}: brightest plane at ${v} km/s vs ${vTrue}`,
        );
      }
      const html = readFileSync(join(D, "index.html"), "utf8");
      assert.match(html, /bank 0/);
      assert.match(html, /bank 1/);
      assert.match(html, /SIM-OTF_96001__0\.fits/);
      assert.match(html, /SIM-OTF_96001__1\.fits/);
    } finally {
      cleanup();
    }
  },
});
