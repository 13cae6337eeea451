import { deepEqual, equal, ok } from "node:assert/strict";
import { renderPage } from "../../../lib/report/html.ts";
import {
  gaussModel,
  inputObservations,
  rsrPage,
  type RsrSummary,
  rsrSummaryPlots,
  rsrZoomPlotOpts,
  strongestLine,
  waterfallImages,
} from "../../../lib/report/rsr.ts";
import { pngInfo } from "../../../lib/plot/mod.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import { collectingSink, listing } from "./_fixtures.ts";

Deno.test("inputObservations(): the obsnum_chassis list of a driver header (trailing ', ' as rsr_driver writes it)", () => {
  deepEqual(
    inputObservations([
      "# Source: X",
      "# Input Observations: 91001_0,91001_2,91003_1, ",
      "# Integration Time: 1 s",
    ]),
    ["91001_0", "91001_2", "91003_1"],
  );
  deepEqual(inputObservations(["# Source: X"]), []);
});

Deno.test("waterfallImages(): captions name obsnum, chassis and pass; 'page k' when the pages do not match", () => {
  const files = [
    "rsr.wf-1.png",
    "rsr.wf-0.png",
    "rsr.wf0-0.png",
    "rsr.wf_nbs-0.png",
    "rsr.wf0-1.png",
    "x.png",
  ];
  const obs: Record<string, string[]> = {
    "first.rsr.91001.driver.sum.txt": ["91001_0", "91001_3"],
    "rsr.91001.driver.sum.txt": ["91001_0", "91001_3"],
  };
  const imgs = waterfallImages(files, "91001", (name) => obs[name] ?? null);
  deepEqual(imgs, [
    { src: "rsr.wf0-0.png", caption: "waterfall, obsnum 91001, chassis 0, first pass, no bad lags" },
    { src: "rsr.wf0-1.png", caption: "waterfall, obsnum 91001, chassis 3, first pass, no bad lags" },
    { src: "rsr.wf-0.png", caption: "waterfall, obsnum 91001, chassis 0, final" },
    { src: "rsr.wf-1.png", caption: "waterfall, obsnum 91001, chassis 3, final" },
    // no spectrum for this pass: the page number only
    { src: "rsr.wf_nbs-0.png", caption: "waterfall, page 0, final, no baseline subtraction" },
  ]);
});

/** Key numbers of a summary with only a source name and a line (the others are not drawn by the tests). */
function summary(source: string, line: RsrSummary["line"]): RsrSummary {
  return {
    source,
    dateObs: "?",
    inttime: 1,
    tau: "?",
    rmsDriver: 1,
    rmsSum: 1,
    rmsTrend: 1,
    sigmaPerBoard: "?",
    line,
    badcb: [],
    nBadLags: 0,
    tsys: null,
    jitter: [],
  };
}

Deno.test("rsrPage(): the waterfall figures of index.html carry the captions, not the file names", () => {
  const dir = Deno.makeTempDirSync({ prefix: "report_rsr_" });
  try {
    for (const f of ["rsr.wf-0.png", "rsr.wf-1.png", "rsr.wf1-0.png", "rsr.wf1-1.png"]) {
      Deno.writeFileSync(`${dir}/${f}`, new Uint8Array(8));
    }
    const head = "# Source: Q\n# Input Observations: 91001_1,91001_2, \n";
    Deno.writeTextFileSync(`${dir}/rsr.91001.driver.sum.txt`, head + "73.0 0.001\n73.1 0.002\n");
    Deno.writeTextFileSync(`${dir}/rsr.91001.driver1.sum.txt`, head + "73.0 0.001\n73.1 0.002\n");
    const html = renderPage(rsrPage(dir, "91001", summary("Q", null), []));
    for (
      const c of [
        "waterfall, obsnum 91001, chassis 1, second pass, with bad lags",
        "waterfall, obsnum 91001, chassis 2, second pass, with bad lags",
        "waterfall, obsnum 91001, chassis 1, final",
        "waterfall, obsnum 91001, chassis 2, final",
      ]
    ) ok(html.includes(`<figcaption>${c}</figcaption>`), c);
    ok(!html.includes("<figcaption>rsr.wf-0.png</figcaption>"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("rsrZoomPlotOpts(): the fitted Gaussian is drawn (mK, peak+offset at the centre), dashed line at the centre", () => {
  const line = {
    peak: 0.004,
    center: 92.5,
    sigma: 0.03,
    fwhm: 0.03 * 2 * Math.sqrt(2 * Math.log(2)),
    offset: 0.0002,
    slope: 0,
    errors: { peak: 0, center: 0, fwhm: 0 },
    rms: 0,
    n: 60,
    fwhmKms: 229,
  };
  const f = Float64Array.from({ length: 200 }, (_, i) => 91 + i * 0.015);
  const t = f.map((x) => 1000 * gaussModel(line, x));
  const o = rsrZoomPlotOpts([{ x: f, y: t, label: "rsr_driver", step: true }], line);
  const panel = o.panels[0]!;
  equal(o.panels.length, 1);
  equal(panel.series.length, 2);
  const fit = panel.series.find((s) => s.label === "Gaussian fit")!;
  ok(fit !== undefined);
  let imax = 0;
  for (let i = 0; i < fit.y.length; i++) if (fit.y[i]! > fit.y[imax]!) imax = i;
  ok(Math.abs(fit.x[imax]! - 92.5) <= 0.0025, `max at ${fit.x[imax]}`); // sampling step 0.0025 GHz
  ok(Math.abs(fit.y[imax]! - 4.2) < 1e-9, `max ${fit.y[imax]} mK`); // (peak + offset) · 1000
  // one σ away: peak·e^{-1/2} + offset
  const k = Math.round((92.53 - 92.1) / 0.0025);
  ok(Math.abs(fit.y[k]! - (4 * Math.exp(-0.5) + 0.2)) < 1e-9, `${fit.y[k]}`);
  deepEqual(o.xDomain, [91.5, 93.5]);
  // drawn over the fit window only
  ok(Math.abs(fit.x[0]! - 92.1) < 1e-12 && Math.abs(fit.x[fit.x.length - 1]! - 92.9) < 1e-12);
  deepEqual(panel.vlines, [92.5]);
  deepEqual(panel.hlines, [0]);
  equal(o.title, "line at 92.500 GHz: 4.00 mK, FWHM 229 km/s");
});

/** A driver spectrum 73-111 GHz every 31.25 MHz (K): 0.4 mK noise and a 5 mK line at 94.3 GHz, σ 0.05 GHz. */
function driverText(): string {
  const rng = new Rng(7);
  const rows: string[] = [];
  for (let i = 0; i < 1216; i++) {
    const f = 73 + i * 0.03125;
    const t = 0.005 * Math.exp(-((f - 94.3) ** 2) / (2 * 0.05 ** 2)) + 0.0004 * rng.normal();
    rows.push(`${f.toFixed(5)} ${t.toExponential(6)} 0.0004`);
  }
  return "# Source: Q\n" + rows.join("\n") + "\n";
}

Deno.test("rsrSummaryPlots(): puts the spectra plots without writing them; rsrPage() shows what was put", async (t) => {
  const dir = Deno.makeTempDirSync({ prefix: "report_rsr_" });
  try {
    const text = driverText();
    Deno.writeTextFileSync(`${dir}/rsr.91001.driver.sum.txt`, text);
    Deno.writeTextFileSync(`${dir}/rsr.91001.blanking.sum.txt`, text);
    const cols = text.split("\n").filter((l) => /^\d/.test(l)).map((l) => l.split(" ").map(Number));
    const line = strongestLine(Float64Array.from(cols, (c) => c[0]!), Float64Array.from(cols, (c) => c[1]!));
    ok(line !== null && Math.abs(line.center - 94.3) < 0.01 && Math.abs(line.peak - 0.005) < 0.0005);

    await t.step("with a line: the spectrum and the zoom, nothing written by the library", async () => {
      const before = listing(dir);
      const { sink, puts } = collectingSink();
      const names = rsrSummaryPlots(dir, "91001", summary("Q", line), sink);
      deepEqual(names, ["rsr.spectra.png", "rsr.spectra_zoom.png"]);
      deepEqual([...puts.keys()], names);
      // the page lists the plots put, though none is in the directory
      const html = renderPage(rsrPage(dir, "91001", summary("Q", line), names));
      ok(html.includes('src="rsr.spectra.png"') && html.includes('src="rsr.spectra_zoom.png"'));
      const pngs = await Promise.all(puts.values());
      deepEqual(listing(dir), before); // still nothing written once the renderings are done
      // ~900×320 and ~700×320 pages (plot area, axes, legend) at scale 1.5
      deepEqual(pngs.map((p) => [pngInfo(p).width, pngInfo(p).height]), [[1349, 480], [1053, 480]]);
    });

    await t.step(
      "without a line: no zoom, and a zoom left in the directory by an earlier run is not shown",
      async () => {
        Deno.writeFileSync(`${dir}/rsr.spectra_zoom.png`, new Uint8Array(8));
        const before = listing(dir);
        const { sink, puts } = collectingSink();
        const names = rsrSummaryPlots(dir, "91001", summary("Q", null), sink);
        deepEqual(names, ["rsr.spectra.png"]);
        deepEqual([...puts.keys()], names);
        const html = renderPage(rsrPage(dir, "91001", summary("Q", null), names));
        ok(html.includes('src="rsr.spectra.png"'));
        ok(!html.includes("rsr.spectra_zoom.png"));
        await Promise.all(puts.values());
        deepEqual(listing(dir), before);
      },
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
