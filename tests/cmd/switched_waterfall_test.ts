/**
 * process_ps / process_bs `--waterfall FILE` and `--waterfall_png FILE` on generated data: the calibrated
 * spectrum of every ON dump as a FITS cube (dump × channel × pixel, make_spec_fits layout). Checked: every
 * dump of the on-source pixel equals the truth of noise-free data; the mean of the dumps is the printed
 * spectrum (Ps beams, Bs TA = 0.5·(main − other), with and without --use_cal, stype 1/2/3); the per-dump rms
 * of noisy data follows the radiometer equation; astropy reads the header (axes, units, alternate WCS) and
 * the values.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../lib/fits/reader.ts";
import { pngInfo } from "../../lib/plot/png.ts";
import { generateSeq } from "../../lib/sim/seq.ts";
import { generateSeqPs, type SeqPsTruth } from "../../lib/sim/seq_ps.ts";
import { py, PY_FITS_WCS, pythonHas, runTool, tempDir } from "../_helpers.ts";
import { expectedPs } from "../lib/seq/_ps_model.ts";

const EDGE = 64;

const ASTROPY = pythonHas("astropy.wcs");
if (!ASTROPY) console.error("NOTICE: /usr/bin/python3 with astropy not available: astropy checks SKIPPED");

/** Numeric columns of a text spectrum. */
function columns(path: string): number[][] {
  const rows = readFileSync(path, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/ +/).map(Number));
  return rows[0]!.map((_, k) => rows.map((r) => r[k]!));
}

/** The cube: value(j = dump, k = channel, p = plane), shape and header. */
function cube(path: string) {
  const h = readFits(path).hdus[0]!;
  const [ns, nc, np] = h.shape as [number, number, number];
  const d = h.data as Float32Array;
  return { ns, nc, np, h: h.header, at: (j: number, k: number, p: number) => d[(p * nc + k) * ns + j]! };
}

/** Mean over the dumps of plane p, per channel. */
function dumpMean(c: ReturnType<typeof cube>, p: number): Float64Array {
  return Float64Array.from({ length: c.nc }, (_, k) => {
    let s = 0;
    for (let j = 0; j < c.ns; j++) s += c.at(j, k, p);
    return s / c.ns;
  });
}

/** |a − b| within one unit of the 6th significant digit of the printed b plus atol. */
function nearPrinted(a: number, printed: number, atol: number): boolean {
  return Math.abs(a - printed) <= atol + 1e-5 * Math.abs(printed);
}

Deno.test("process_ps/process_bs --waterfall: per-dump calibrated spectra as a FITS cube", async (t) => {
  const { dir, cleanup } = tempDir("switched-wf-");
  try {
    const root = join(dir, "data_lmt");
    const small = { nchan: 512, bandwidthMHz: 200 };
    const clean: SeqPsTruth = await generateSeqPs(root, {
      obsnum0: 97090,
      ...small,
      noiseScale: 0,
      gainDriftFrac: 0,
    });
    const noisy: SeqPsTruth = await generateSeqPs(root, {
      obsnum0: 97092,
      ...small,
      date: "2025-04-21T04:00:00",
    });
    await generateSeq(root, {
      obsnum0: 97094,
      ...small,
      map: { nRows: 1, xLengthArcsec: 20, rampArcsec: 5 },
      bs: {},
    });
    const env = { DATA_LMT: root };

    await t.step(
      "Ps noise-free: every ON dump of the on-source pixel is the truth; dump mean = beam column",
      async () => {
        const r = await runTool("process_ps", [
          "--obs_list",
          "97091",
          "--pix_list",
          "11,10",
          "--use_cal",
          "-o",
          "ps.txt",
          "--waterfall",
          "wf.fits",
          "--waterfall_png",
          "wf.png",
          "-y",
          "none",
        ], { cwd: dir, env });
        assert.equal(r.code, 0, r.stderr);
        const c = cube(join(dir, "wf.fits"));
        assert.equal(c.nc, 512 - 2 * EDGE);
        assert.equal(c.np, 2);
        assert.deepEqual([c.h.get("PIX1"), c.h.get("PIX2"), c.h.get("OBSPGM"), c.h.get("CHAN0")], [
          10,
          11,
          "Ps",
          64,
        ]);
        // ON dumps: the ON segments of the truth, one dump per dump time (none straddles a switch by default)
        const onDumps = clean.segments.filter((s) => s[3] === "on")
          .reduce((n, s) => n + Math.round((s[1] - s[0]) / clean.dump_time_s), 0);
        assert.ok(Math.abs(c.ns - onDumps) <= clean.on_blocks, `${c.ns} dumps, truth ${onDumps}`);
        const exp = expectedPs(clean, 10);
        let worst = 0;
        for (let j = 0; j < c.ns; j++) {
          for (let k = 0; k < c.nc; k++) worst = Math.max(worst, Math.abs(c.at(j, k, 0) - exp[EDGE + k]!));
        }
        assert.ok(worst < 1e-3, `pixel 10 dumps differ from the truth by up to ${worst} K`);
        const cols = columns(join(dir, "ps.txt"));
        // the printed spectrum is made of float32 block means (as the original: up to ~3e-4 K off the
        // truth on noise-free data), the dumps are switched in float64 from the raw float32 values
        [10, 11].forEach((_, p) => {
          const m = dumpMean(c, p);
          m.forEach((v, k) =>
            assert.ok(nearPrinted(v, cols[3 + p]![k]!, 5e-4), `plane ${p} channel ${k}: ${v}`)
          );
        });
        const png = pngInfo(readFileSync(join(dir, "wf.png")));
        assert.ok(png.width >= 800 && png.height >= 300, `${png.width}x${png.height}`);
        if (ASTROPY) {
          const out = await py(
            PY_FITS_WCS +
              `print(d.shape, *w.wcs.ctype, str(w.wcs.cunit[1]), a.wcs.ctype[0], str(a.wcs.cunit[0]), h['SPECSYS'], h['RESTFRQ'])
v = w.all_pix2world([[0, 0, 0], [0, d.shape[1] - 1, 1]], 0)
t = a.all_pix2world([[0, 0, 0], [d.shape[2] - 1, 0, 0]], 0)[:, 0]
print(v[0][1], v[1][1], v[0][2], v[1][2], t[0], t[1], repr(float(d[1, 100, 5])))`,
            join(dir, "wf.fits"),
          );
          const [l1, l2] = out.trim().split("\n");
          assert.equal(l1, `(2, ${c.nc}, ${c.ns}) SAMPLE VRAD PIXEL m / s INTTIME s LSRK 115271202000.0`);
          const [v0, v1, p0, p1, t0, t1, val] = l2!.split(" ").map(Number);
          // the velocity axis is the text spectrum's x column (km/s; astropy converts to m/s)
          assert.ok(nearPrinted(v0! / 1000, cols[0]![0]!, 1e-6), `${v0} vs ${cols[0]![0]}`);
          assert.ok(nearPrinted(v1! / 1000, cols[0]![c.nc - 1]!, 1e-6), `${v1} vs ${cols[0]![c.nc - 1]}`);
          assert.deepEqual([p0, p1], [10, 11]);
          assert.ok(Math.abs(t0! - 0.05) < 1e-9 && Math.abs(t1! - (c.ns - 0.5) * 0.1) < 1e-6, `${t0} ${t1}`);
          assert.equal(Math.fround(val!), c.at(5, 100, 1));
        }
      },
    );

    await t.step("Ps with noise, two obsnums: per-dump rms follows the radiometer equation", async () => {
      const r = await runTool("process_ps", [
        "--obs_list",
        "97093,97091",
        "--pix_list",
        "10",
        "--use_cal",
        "-o",
        "ps2.txt",
        "--waterfall",
        "wf2.fits",
        "-y",
        "none",
      ], { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      const c = cube(join(dir, "wf2.fits"));
      assert.equal(c.np, 1);
      assert.deepEqual([c.h.get("OBSNUM1"), c.h.get("OBSNUM2")], [97093, 97091]);
      const pt = noisy.pixels.find((p) => p.pixel === 10 && p.bank === 0)!;
      const exp = expectedPs(noisy, 10);
      // the first obsnum's dumps come first: rms of (dump − truth) over the line-free channels
      const n1 = Math.round(c.ns / 2);
      let s2 = 0, n = 0;
      for (let j = 0; j < n1; j++) {
        for (let k = 0; k < 150; k++) {
          const e = c.at(j, k, 0) - exp[EDGE + k]!;
          s2 += e * e;
          n++;
        }
      }
      // a dump minus the REF block mean: σ·sqrt(1 + 1/nREF) with ~50 dumps per REF block
      const rms = Math.sqrt(s2 / n), want = pt.rms_per_dump_K * Math.sqrt(1 + 1 / 50);
      assert.ok(Math.abs(rms / want - 1) < 0.1, `per-dump rms ${rms} K, radiometer ${want} K`);
    });

    for (
      const [label, extra] of [
        ["stype 2, --use_cal", ["--use_cal"]],
        ["stype 3 without --use_cal (reversed form for the other beam)", ["--stype", "3"]],
        ["stype 1, --use_cal", ["--stype", "1", "--use_cal"]],
      ] as const
    ) {
      await t.step(`Bs ${label}: 0.5·(mean of the main beam's dumps − the other's) = TA`, async () => {
        const r = await runTool("process_bs", [
          "--obs_list",
          "97097",
          "--pix_list",
          "8,10",
          ...extra,
          "-o",
          "bs.txt",
          "--waterfall",
          "bswf.fits",
          "--waterfall_png",
          "bswf.png",
          "-y",
          "none",
        ], { cwd: dir, env });
        assert.equal(r.code, 0, r.stderr);
        const c = cube(join(dir, "bswf.fits"));
        assert.deepEqual([c.np, c.h.get("PIX1"), c.h.get("PIX2"), c.h.get("OBSPGM")], [2, 8, 10, "Bs"]);
        const cols = columns(join(dir, "bs.txt"));
        const m8 = dumpMean(c, 0), m10 = dumpMean(c, 1);
        let worst = 0;
        m8.forEach((_, k) => (worst = Math.max(worst, Math.abs(0.5 * (m10[k]! - m8[k]!) - cols[1]![k]!))));
        assert.ok(worst < 1e-4, `TA from the dumps differs by up to ${worst} K`);
        // the line is positive in the ON beam's dumps (Header.Bs.Beam[0] = 10)
        const peak = Math.max(...m10), dip = Math.min(...m8);
        assert.ok(peak > 0.5 && dip < -0.5, `beam 10 peak ${peak}, beam 8 ${dip}`);
        assert.ok(pngInfo(readFileSync(join(dir, "bswf.png"))).width >= 800);
      });
    }

    await t.step("two outputs to stdout: usage error, nothing written", async () => {
      for (const tool of ["process_ps", "process_bs"]) {
        const obs = tool === "process_ps" ? "97091" : "97097";
        const r = await runTool(tool, [
          "--obs_list",
          obs,
          "--pix_list",
          "10,8",
          "-o",
          "-",
          "--waterfall",
          "-",
        ], {
          cwd: dir,
          env,
        });
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /only one of -o, --sdfits, --waterfall, --waterfall_png can be '-'/);
      }
    });
  } finally {
    cleanup();
  }
});
