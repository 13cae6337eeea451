import { deepEqual, equal, ok } from "node:assert/strict";
import { renderPage } from "../../../lib/report/html.ts";
import {
  gaussModel,
  inputObservations,
  rsrPage,
  type RsrSummary,
  rsrZoomPlotOpts,
  waterfallImages,
} from "../../../lib/report/rsr.ts";

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

Deno.test("rsrPage(): the waterfall figures of index.html carry the captions, not the file names", () => {
  const dir = Deno.makeTempDirSync({ prefix: "report_rsr_" });
  try {
    for (const f of ["rsr.wf-0.png", "rsr.wf-1.png", "rsr.wf1-0.png", "rsr.wf1-1.png"]) {
      Deno.writeFileSync(`${dir}/${f}`, new Uint8Array(8));
    }
    const head = "# Source: Q\n# Input Observations: 91001_1,91001_2, \n";
    Deno.writeTextFileSync(`${dir}/rsr.91001.driver.sum.txt`, head + "73.0 0.001\n73.1 0.002\n");
    Deno.writeTextFileSync(`${dir}/rsr.91001.driver1.sum.txt`, head + "73.0 0.001\n73.1 0.002\n");
    const s: RsrSummary = {
      source: "Q",
      dateObs: "?",
      inttime: 1,
      tau: "?",
      rmsDriver: 1,
      rmsSum: 1,
      rmsTrend: 1,
      sigmaPerBoard: "?",
      line: null,
      badcb: [],
      nBadLags: 0,
      tsys: null,
      jitter: [],
    };
    const html = renderPage(rsrPage(dir, "91001", s));
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
  equal(o.series.length, 2);
  const fit = o.series.find((s) => s.label === "Gaussian fit")!;
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
  deepEqual(o.vlines, [92.5]);
  equal(o.title, "line at 92.500 GHz: 4.00 mK, FWHM 229 km/s");
});
