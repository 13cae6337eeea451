/**
 * The SEQ map products beyond the cube, on a generated map (lib/sim/seq.ts, with its truth):
 * make_spec_fits (waterfall FITS + PNG), seq_moments (masked moment maps + PNGs), seq_viewspec
 * (spectrum at a location) and the summary page's masked peak map.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { py, PY_FITS_WCS, pythonHas, runTool, tempDir } from "../_helpers.ts";
import { SIM_GRID_LETTERS } from "./_seq_grid.ts";
import { generateSeq, type SeqTruth } from "../../lib/sim/seq.ts";
import { readSpecFile } from "../../lib/specfile/mod.ts";
import { readFits } from "../../lib/fits/reader.ts";
import { pngInfo } from "../../lib/plot/mod.ts";
import { summarizeSeqMap } from "../../lib/report/seq.ts";

const ASTROPY = pythonHas("astropy.wcs");
if (!ASTROPY) console.error("NOTICE: /usr/bin/python3 with astropy not available: astropy checks SKIPPED");

function isPng(path: string): boolean {
  const info = pngInfo(readFileSync(path));
  return info.width > 100 && info.height > 100;
}

// a brighter source than the default (peak 6 K) so that single-cell moments are accurate to < 1 km/s
const SIM = { obsnum0: 97000, seed: 99, nchan: 1100, bs: false as const, map: { src: { peakK: 6 } } };

Deno.test("SEQ products on a generated map: waterfall, masked moments, location spectrum, masked peak on the page", async (t) => {
  const { dir, cleanup } = tempDir("seq-products-");
  try {
    const truth: SeqTruth = await generateSeq(join(dir, "data_lmt"), SIM);
    const src = (truth.map as { src: { dxArcsec: number; dyArcsec: number; vKms: number } }).src;
    const r = await runTool("process_otf_map", ["-O", "97001", "-o", "map.nc", "--use_cal"], {
      cwd: dir,
      env: { DATA_LMT: join(dir, "data_lmt") },
    });
    assert.equal(r.code, 0, r.stderr);
    const g = await runTool("spec_driver_fits", [
      "-i",
      "map.nc",
      "-o",
      "SIM_97001__0.fits",
      "-w",
      "SIM_97001__0.wt.fits",
      ...SIM_GRID_LETTERS,
    ], { cwd: dir });
    assert.equal(g.code, 0, g.stderr);
    const sf = await readSpecFile(join(dir, "map.nc"));
    const cell = 6.5;

    await t.step(
      "make_spec_fits: the waterfall holds the SpecFile rows, per pixel in file order",
      async () => {
        const w = await runTool("make_spec_fits", ["-i", "map.nc", "-o", "wf.fits", "--png", "wf.png"], {
          cwd: dir,
        });
        assert.equal(w.code, 0, w.stderr);
        const hdu = readFits(join(dir, "wf.fits")).hdus[0]!;
        const [ns, nc, np] = hdu.shape as [number, number, number];
        assert.equal(nc, sf.nchan);
        assert.equal(np, 16);
        const d = hdu.data as Float32Array;
        let checked = 0;
        for (let p = 0; p < 16; p++) {
          const rows: number[] = [];
          for (let s = 0; s < sf.nspec; s++) if (sf.pixel[s] === p) rows.push(s);
          for (let j = 0; j < ns; j++) {
            for (let k = 0; k < nc; k++) {
              const v = d[(p * nc + k) * ns + j]!;
              if (j < rows.length) {
                assert.equal(v, sf.spectra[rows[j]! * sf.nchan + k], `pixel ${p} sample ${j} channel ${k}`);
                checked++;
              } else assert.ok(Number.isNaN(v), "padding is NaN");
            }
          }
        }
        assert.equal(checked, sf.nspec * sf.nchan, "every SpecFile value is in the waterfall once");
        assert.ok(isPng(join(dir, "wf.png")));
        // binned 10 x 1: a column is the mean of 10 consecutive rows (float32 sums, 1e-5 relative)
        const binned = ["-i", "map.nc", "-o", "wf10.fits", "--binning", "10,1", "--pix_list", "3,7"];
        const b = await runTool("make_spec_fits", binned, { cwd: dir });
        assert.equal(b.code, 0, b.stderr);
        const hb = readFits(join(dir, "wf10.fits")).hdus[0]!;
        const rows3: number[] = [], rows7: number[] = [];
        for (let s = 0; s < sf.nspec; s++) {
          if (sf.pixel[s] === 3) rows3.push(s);
          if (sf.pixel[s] === 7) rows7.push(s);
        }
        assert.deepEqual(hb.shape, [Math.floor(Math.max(rows3.length, rows7.length) / 10), nc, 2]);
        const nsb = hb.shape[0]!;
        for (const [j, k] of [[0, 100], [Math.floor(rows7.length / 10) - 1, 200], [3, 0]] as const) {
          let s = 0;
          for (let a = 0; a < 10; a++) s += sf.spectra[rows7[j * 10 + a]! * sf.nchan + k]!;
          const v = (hb.data as Float32Array)[(1 * nc + k) * nsb + j]!;
          assert.ok(Math.abs(v - s / 10) <= 1e-5 * Math.max(1, Math.abs(s / 10)), `binned ${v} vs ${s / 10}`);
        }
        if (ASTROPY) {
          const out = await py(
            PY_FITS_WCS +
              `print(d.shape, w.wcs.ctype[0], w.wcs.ctype[1], str(w.wcs.cunit[1]), a.wcs.ctype[0], str(a.wcs.cunit[0]), w.wcs.spec)
v = w.all_pix2world([[0, 0, 0], [0, d.shape[1] - 1, 0]], 0)[:, 1]
t = a.all_pix2world([[0, 0, 0], [d.shape[2] - 1, 0, 0]], 0)[:, 0]
print(v[0], v[1], t[0], t[1], d[2, 100, 5])`,
            join(dir, "wf.fits"),
          );
          const [l1, l2] = out.trim().split("\n");
          assert.equal(l1, `(16, ${nc}, ${ns}) SAMPLE VRAD m / s INTTIME s 1`); // astropy converts to SI
          const [v0, v1, t0, t1, val] = l2!.split(" ").map(Number);
          // astropy's velocities are the SpecFile's channel axis (m/s after astropy's SI conversion)
          assert.ok(Math.abs(v0! / 1000 - sf.caxis[0]!) < 1e-6, `${v0} vs ${sf.caxis[0]}`);
          assert.ok(Math.abs(v1! / 1000 - sf.caxis[nc - 1]!) < 1e-6, `${v1} vs ${sf.caxis[nc - 1]}`);
          assert.ok(
            Math.abs(t0! - 0.5 * sf.dumpTime) < 1e-9 && Math.abs(t1! - (ns - 0.5) * sf.dumpTime) < 1e-6,
          );
          const rows2: number[] = [];
          for (let s = 0; s < sf.nspec; s++) if (sf.pixel[s] === 2) rows2.push(s);
          assert.equal(Math.fround(val!), sf.spectra[rows2[5]! * sf.nchan + 100]);
        }
      },
    );

    await t.step("make_spec_fits errors: existing output, missing input, pixel without data", async () => {
      const e1 = await runTool("make_spec_fits", ["-i", "map.nc", "-o", "wf.fits"], { cwd: dir });
      assert.equal(e1.code, 2);
      assert.match(e1.stderr, /file exists/);
      const e2 = await runTool("make_spec_fits", ["-i", "nope.nc", "-o", "x.fits"], { cwd: dir });
      assert.equal(e2.code, 1);
      assert.equal(e2.stderr.trim().split("\n").length, 1, e2.stderr);
      const e3 = await runTool("make_spec_fits", ["-i", "map.nc", "-o", "y.fits", "--pix_list", "40"], {
        cwd: dir,
      });
      assert.equal(e3.code, 1);
      assert.match(e3.stderr, /no spectra of pixel/);
      assert.ok(!existsSync(join(dir, "x.fits")) && !existsSync(join(dir, "y.fits")));
    });

    await t.step(
      "seq_moments: mom0 peak within one cell of the source, mom1 there within 1 km/s of the line",
      async () => {
        const m = await runTool("seq_moments", ["-i", "SIM_97001__0.fits"], { cwd: dir });
        assert.equal(m.code, 0, m.stderr);
        const maps = Object.fromEntries(
          ["mom0", "mom1", "mom2", "peak"].map((
            k,
          ) => [k, readFits(join(dir, `SIM_97001__0.${k}.fits`)).hdus[0]!]),
        );
        const h = maps.mom0!.header;
        const nx = maps.mom0!.shape[0]!;
        const mom0 = maps.mom0!.data as Float32Array, mom1 = maps.mom1!.data as Float32Array;
        let best = 0;
        for (let c = 0; c < mom0.length; c++) if (mom0[c]! > mom0[best]!) best = c;
        const ix = best % nx, iy = Math.floor(best / nx);
        const x = (ix + 1 - Number(h.get("CRPIX1"))) * Number(h.get("CDELT1")) * 3600;
        const y = (iy + 1 - Number(h.get("CRPIX2"))) * Number(h.get("CDELT2")) * 3600;
        assert.ok(
          Math.abs(x - src.dxArcsec) <= cell && Math.abs(y - src.dyArcsec) <= cell,
          `mom0 peak at (${x}, ${y}) vs source (${src.dxArcsec}, ${src.dyArcsec})`,
        );
        // the cell nearest to the injected source
        const sx = Math.round(Number(h.get("CRPIX1")) - 1 + src.dxArcsec / (Number(h.get("CDELT1")) * 3600));
        const sy = Math.round(Number(h.get("CRPIX2")) - 1 + src.dyArcsec / (Number(h.get("CDELT2")) * 3600));
        const v1 = mom1[sy * nx + sx]!;
        assert.ok(Math.abs(v1 - src.vKms) < 1, `mom1 at the source ${v1} vs line ${src.vKms} km/s`);
        assert.ok(Math.abs(mom1[best]! - src.vKms) < 1, `mom1 at the mom0 peak ${mom1[best]}`);
        // the masked peak map has its maximum on the source too, not on a noisy edge cell
        const pk = maps.peak!.data as Float32Array;
        let bp = -1;
        for (let c = 0; c < pk.length; c++) {
          if (Number.isFinite(pk[c]!) && (bp < 0 || pk[c]! > pk[bp]!)) bp = c;
        }
        const px = ((bp % nx) + 1 - Number(h.get("CRPIX1"))) * Number(h.get("CDELT1")) * 3600;
        const pyy = (Math.floor(bp / nx) + 1 - Number(h.get("CRPIX2"))) * Number(h.get("CDELT2")) * 3600;
        assert.ok(Math.hypot(px - src.dxArcsec, pyy - src.dyArcsec) < 20, `masked peak at (${px}, ${pyy})`);
        assert.deepEqual(
          ["mom0", "mom1", "mom2", "peak"].map((k) => String(maps[k]!.header.get("BUNIT"))),
          ["K km/s", "km/s", "km/s", "K"],
        );
        for (const k of ["mom0", "mom1", "mom2", "peak"]) {
          assert.deepEqual(maps[k]!.shape, [nx, maps.mom0!.shape[1]!]);
          assert.ok(isPng(join(dir, `SIM_97001__0.${k}.png`)), k);
        }
        if (ASTROPY) {
          const out = await py(
            `import sys
from astropy.io import fits
from astropy.wcs import WCS
c = WCS(fits.getheader(sys.argv[1])).celestial
for f in sys.argv[2:]:
    w = WCS(fits.getheader(f))
    print(w.naxis, w.wcs.ctype[0] == c.wcs.ctype[0], list(w.wcs.crval) == list(c.wcs.crval), list(w.wcs.cdelt) == list(c.wcs.cdelt), list(w.wcs.crpix) == list(c.wcs.crpix))`,
            join(dir, "SIM_97001__0.fits"),
            ...["mom0", "mom1", "mom2", "peak"].map((k) => join(dir, `SIM_97001__0.${k}.fits`)),
          );
          assert.deepEqual(out.trim().split("\n"), Array(4).fill("2 True True True True"));
        }
      },
    );

    await t.step("seq_viewspec: the spectrum of the cell at location=dx,dy as text and PNG", async () => {
      const loc = `${src.dxArcsec},${src.dyArcsec}`;
      const args = ["-i", "SIM_97001__0.fits", "--location", loc, "-o", "spec.txt", "--png", "spec.png"];
      const v = await runTool("seq_viewspec", args, { cwd: dir });
      assert.equal(v.code, 0, v.stderr);
      const cube = readFits(join(dir, "SIM_97001__0.fits")).hdus[0]!;
      const [nx, ny, nz] = cube.shape as [number, number, number];
      const h = cube.header;
      const sx = Math.round(Number(h.get("CRPIX1")) - 1 + src.dxArcsec / (Number(h.get("CDELT1")) * 3600));
      const sy = Math.round(Number(h.get("CRPIX2")) - 1 + src.dyArcsec / (Number(h.get("CDELT2")) * 3600));
      const rows = readFileSync(join(dir, "spec.txt"), "utf8").split("\n").filter((l) =>
        l !== "" && !l.startsWith("#")
      );
      assert.equal(rows.length, nz);
      let peakV = 0, peakT = -Infinity;
      for (const [k, l] of rows.entries()) {
        const [vel, tk] = l.split(" ").map(Number);
        const want = (cube.data as Float32Array)[(k * ny + sy) * nx + sx]!;
        assert.ok(Math.abs(tk! - want) <= 5e-7, `channel ${k}: ${tk} vs ${want}`);
        const vc = (Number(h.get("CRVAL3")) + (k + 1 - Number(h.get("CRPIX3"))) * Number(h.get("CDELT3"))) /
          1000;
        assert.ok(Math.abs(vel! - vc) < 1e-4);
        if (tk! > peakT) [peakT, peakV] = [tk!, vel!];
      }
      assert.ok(Math.abs(peakV - src.vKms) < 3, `line at ${peakV} km/s`);
      assert.ok(isPng(join(dir, "spec.png")));
      const out = await runTool("seq_viewspec", ["-i", "SIM_97001__0.fits", "--location", "500,0"], {
        cwd: dir,
      });
      assert.equal(out.code, 1);
      assert.match(out.stderr, /outside/);
    });

    await t.step(
      "summary page: the brightest cell and the peak map come from the masked moments",
      async () => {
        const plots = new Map<string, Promise<Uint8Array>>();
        const s = await summarizeSeqMap(dir, "SIM_97001__0", 0, { put: (name, png) => plots.set(name, png) });
        assert.ok(
          Math.abs(s.peakX - src.dxArcsec) <= cell && Math.abs(s.peakY - src.dyArcsec) <= cell,
          `brightest cell (${s.peakX}, ${s.peakY}) vs source (${src.dxArcsec}, ${src.dyArcsec})`,
        );
        const peak = pngInfo(await plots.get("SIM_97001__0.peak.png")!);
        assert.ok(peak.width > 100 && peak.height > 100);
      },
    );
  } finally {
    cleanup();
  }
});
