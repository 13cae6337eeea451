import { deepEqual, equal, ok } from "node:assert/strict";
import { renderPage } from "../../../lib/report/html.ts";
import { seqPage, summarizeSeqBs, summarizeSeqMap } from "../../../lib/report/seq.ts";
import { bsZoomHalfWidth, bsZoomPlotOpts, gaussAt, weightDomain } from "../../../lib/report/seq_plots.ts";
import { pngInfo } from "../../../lib/plot/mod.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import { collectingSink, listing, writeCube } from "./_fixtures.ts";

Deno.test("weightDomain(): colour range [0, max weight] even with negative edge weights; [0, 1] with none", () => {
  deepEqual(weightDomain(new Float32Array([-0.25, 0, 3.5, NaN, 2])), [0, 3.5]);
  deepEqual(weightDomain(new Float32Array([-1, NaN, 0])), [0, 1]);
  const [lo, hi] = weightDomain(Float64Array.from({ length: 100 }, (_, i) => Math.sin(i)));
  equal(lo, 0);
  ok(hi > 0.99 && hi <= 1);
});

/** A Bs spectrum like process_bs: 1921 channels from +1284.84 down by 1.3116 km/s, an 8 km/s line at 10 km/s. */
function bsSpectrum(): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(3);
  const x = Float64Array.from({ length: 1921 }, (_, k) => 1284.84 - 1.3116 * k);
  const s = 8 / (2 * Math.sqrt(2 * Math.log(2)));
  const y = x.map((v) => 0.5 * Math.exp(-((v - 10) ** 2) / (2 * s * s)) + 0.02 * rng.normal());
  return { x, y };
}

Deno.test("bsZoomPlotOpts(): ±5 FWHM around the 8 km/s line, only those channels, the Gaussian drawn", () => {
  const { x, y } = bsSpectrum();
  const line = {
    peak: 0.5,
    center: 10,
    sigma: 8 / 2.3548200450309493,
    fwhm: 8,
    offset: 0,
    slope: 0,
    errors: { peak: 0, center: 0, fwhm: 0 },
    rms: 0.02,
    n: 1921,
  };
  equal(bsZoomHalfWidth(x, line), 40); // 5 × 8 km/s (> 20 channels = 26.2 km/s)
  ok(Math.abs(bsZoomHalfWidth(x, { ...line, fwhm: 1 }) - 20 * 1.3116) < 1e-9); // at least 20 channels
  const o = bsZoomPlotOpts("b__0.txt", x, y, line);
  deepEqual(o.xDomain, [-30, 50]);
  const spec = o.series[0]!;
  ok(spec.x.length >= 60 && spec.x.length <= 62, `${spec.x.length} channels`); // 80 / 1.3116 ≈ 61
  for (let i = 0; i < spec.x.length; i++) ok(spec.x[i]! >= -30 && spec.x[i]! <= 50);
  const fit = o.series[1]!;
  equal(fit.label, "fit");
  let m = -Infinity;
  for (let i = 0; i < fit.y.length; i++) m = Math.max(m, fit.y[i]!);
  ok(Math.abs(m - 0.5) < 1e-3, `fit max ${m}`); // sampled every 0.2 km/s
  equal(gaussAt(line, 14), 0.25); // half maximum at centre + FWHM/2
  equal(o.title, "b__0.txt: zoom ±40 km/s on the line, FWHM 8.00 km/s");
});

Deno.test("summarizeSeqBs()/seqPage(): a Bs directory gets the zoom plot and its caption, put, not written", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "report_seq_" });
  try {
    const { x, y } = bsSpectrum();
    const rows = Array.from(x, (v, k) => `${v.toFixed(2)} ${y[k]!.toFixed(5)} 210.0 200.0`);
    Deno.writeTextFileSync(
      `${dir}/SIM_97003__0.txt`,
      "# vlsr  TA(K)   Tsys1  Tsys2\n" + rows.join("\n") + "\n",
    );
    const before = listing(dir);
    const { sink, puts } = collectingSink();
    const s = summarizeSeqBs(dir, "SIM_97003__0.txt", 0, sink);
    ok(
      s.line !== null && Math.abs(s.line.center - 10) < 0.5 && Math.abs(s.line.fwhm - 8) < 1,
      JSON.stringify(s.line),
    );
    deepEqual([...puts.keys()], ["SIM_97003__0.spectrum.png", "SIM_97003__0.spectrum_zoom.png"]);
    const zoomPng = await puts.get("SIM_97003__0.spectrum_zoom.png")!;
    deepEqual(listing(dir), before); // the library wrote nothing
    const zoom = pngInfo(zoomPng);
    equal(zoom.width, 900); // 600 at scale 1.5
    // process_bs's own plots, captioned by what they show (not by their file names)
    Deno.writeFileSync(`${dir}/bs-1__0.png`, zoomPng);
    Deno.writeFileSync(`${dir}/bs-2__0.png`, zoomPng);
    // a plot of this page left by an earlier run is shown only when this run makes it again
    Deno.writeFileSync(`${dir}/SIM_97003__0.spectrum.png`, zoomPng);
    const page = collectingSink();
    const inDir = listing(dir);
    const html = renderPage(await seqPage(dir, "97003", page.sink));
    deepEqual([...page.puts.keys()], ["SIM_97003__0.spectrum.png", "SIM_97003__0.spectrum_zoom.png"]);
    await Promise.all(page.puts.values());
    deepEqual(listing(dir), inDir);
    ok(html.includes("<figcaption>zoom on the line with the Gaussian fit</figcaption>"));
    ok(html.includes('src="SIM_97003__0.spectrum_zoom.png"'));
    ok(html.includes("<figcaption>Bs spectrum, average of all blocks (process_bs --block -1)</figcaption>"));
    ok(html.includes("<figcaption>Bs spectrum of each block (process_bs --block -2)</figcaption>"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("summarizeSeqMap()/seqPage(): a map's plots are put, not written, and the page shows them", async (t) => {
  const dir = Deno.makeTempDirSync({ prefix: "report_seq_" });
  try {
    writeCube(dir, "SIM_97001__0");

    await t.step(
      "summarizeSeqMap(): the line of the brightest cell; peak, channel, spectrum and weight plots",
      async () => {
        const before = listing(dir);
        const { sink, puts } = collectingSink();
        const s = await summarizeSeqMap(dir, "SIM_97001__0", 0, sink);
        deepEqual([...puts.keys()], [
          "SIM_97001__0.peak.png",
          "SIM_97001__0.chan.png",
          "SIM_97001__0.spectrum.png",
          "SIM_97001__0.wt.png",
        ]); // no SpecFile: no Tsys plot
        deepEqual(s.tsys, []);
        // the source cell (6, 3): (1 - 5)·(-10) + 6·(-10) = -20″, (1 - 5)·10 + 3·10 = -10″
        equal(s.peakX, -20);
        equal(s.peakY, -10);
        ok(s.line !== null, "line fitted");
        // truth 30 km/s, 2 K, 6 km/s; the fit's errors are 0.04 km/s, 0.025 K, 0.09 km/s: ±5-8 of them
        ok(Math.abs(s.line.center - 30) < 0.3, `v0 ${s.line.center}`);
        ok(Math.abs(s.line.peak - 2) < 0.15, `peak ${s.line.peak}`);
        ok(Math.abs(s.line.fwhm - 6) < 0.5, `fwhm ${s.line.fwhm}`);
        ok(Math.abs(s.rms - 0.05) < 0.005, `rms ${s.rms}`); // noise 0.05 K, 32 line-free channels per cell
        for (const png of await Promise.all(puts.values())) ok(pngInfo(png).width > 0);
        deepEqual(listing(dir), before);
      },
    );

    await t.step("seqPage(): the figures of the plots put, though not in the directory", async () => {
      Deno.writeFileSync(`${dir}/SIM_97001__0.tsys.png`, new Uint8Array(8)); // left by an earlier run
      Deno.writeFileSync(`${dir}/SIM_97001__0.mom0.png`, new Uint8Array(8)); // seq_moments'
      const before = listing(dir);
      const { sink, puts } = collectingSink();
      const html = renderPage(await seqPage(dir, "97001", sink));
      equal(puts.size, 4);
      for (const name of puts.keys()) ok(html.includes(`src="${name}"`), name);
      ok(html.includes('src="SIM_97001__0.mom0.png"'));
      ok(!html.includes("SIM_97001__0.tsys.png"));
      await Promise.all(puts.values());
      deepEqual(listing(dir), before);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
