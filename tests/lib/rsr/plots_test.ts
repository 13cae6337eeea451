import { deepEqual, equal, ok } from "node:assert/strict";
import { decodePngRgba, pngInfo } from "../../../lib/plot/mod.ts";
import type { ProductRecord } from "../../../lib/rsr/driver.ts";
import { findBadlags } from "../../../lib/rsr/badlags.ts";
import { NBOARD, NLAG } from "../../../lib/rsr/raw.ts";
import {
  badlagsPanelTitle,
  badlagsPlotOpts,
  badlagsPlotTitle,
  exposureLabel,
  robustRange,
  type TsysPlotCurve,
  tsysPlotOpts,
  waterfallPageNames,
  waterfallPng,
  waterfallScale,
} from "../../../lib/rsr/plots.ts";
import { BLANK, makeProduct } from "../../../lib/rsr/product.ts";
import { Rng } from "../../../lib/sim/rng.ts";

Deno.test("waterfallPageNames(): .png/.pdf dropped, pages numbered from 0 as ImageMagick's convert", () => {
  equal(waterfallPageNames("rsr.wf.pdf", 3).join(" "), "rsr.wf-0.png rsr.wf-1.png rsr.wf-2.png");
  equal(waterfallPageNames("rsr.wf0.png", 2).join(" "), "rsr.wf0-0.png rsr.wf0-1.png");
  equal(waterfallPageNames("out/wf", 1).join(" "), "out/wf-0.png");
  equal(waterfallPageNames("A.PDF", 1).join(" "), "A-0.png");
});

Deno.test("exposureLabel(): %g in sec/min/hrs/days (the original's 'Tint=4.99993 min')", () => {
  equal(exposureLabel(299.99580136), "4.99993 min");
  equal(exposureLabel(30), "30 sec");
  equal(exposureLabel(3600), "1 hrs");
  equal(exposureLabel(5400), "1.5 hrs");
  equal(exposureLabel(2 * 86400), "2 days");
});

/** A 2-repeat product: Gaussian noise of rms `rms` K, board 5 blanked in repeat 1, a 1 K spike. */
function product(rms: number): ProductRecord {
  const freq = Array.from(
    { length: 6 },
    (_, b) => Float64Array.from({ length: 256 }, (_, k) => 73 + b * 6.3 + k * 0.03125),
  );
  const rng = new Rng(5);
  const data = new Float64Array(2 * 6 * 256).map(() => rng.normal() * rms);
  for (let k = 0; k < 256; k++) data[(1 * 6 + 5) * 256 + k] = BLANK;
  data[100] = 1.0; // a spike that the clipping must ignore
  const repeats = makeProduct(91001, 2, freq, [0, 1, 2, 3, 4, 5], 2, data);
  repeats.sigma.fill(rms);
  repeats.sigma[1] = 10 * rms; // repeat 0 board 1 is above the threshold
  const average = makeProduct(91001, 2, freq, [0, 1, 2, 3, 4, 5], 1, data.slice(0, 6 * 256));
  average.sigma.fill(rms / 2);
  return { obsnum: 91001, chassis: 2, repeats, average };
}

Deno.test("waterfallScale(): std of the 3σ/4σ-clipped finite non-BLANK data; 1 when there is none", () => {
  const p = product(0.002);
  const s = waterfallScale(p.repeats);
  ok(Math.abs(s / 0.002 - 1) < 0.05, `s = ${s}`); // the 1 K spike and the BLANKs do not count
  const empty = product(0.002).repeats;
  empty.data.fill(NaN);
  equal(waterfallScale(empty), 1);
});

Deno.test("waterfallPng(): one panel per repeat + the average, a readable PNG in well under a second", async () => {
  const p = product(0.002);
  await waterfallPng(p); // warm-up (resvg load)
  const t0 = performance.now();
  const png = await waterfallPng(p, { repeatThreshold: 0.01, coaddThreshold: 0.01 });
  const ms = performance.now() - t0;
  const info = pngInfo(png);
  equal(info.width, 674); // 62 + 600 + 12 spec px at scale 1
  const img = decodePngRgba(png);
  // not blank: many coloured (non-grey) pixels
  let coloured = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    const [r, g, b] = [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  ok(coloured > 5000, `${coloured} coloured pixels`);
  console.error(`waterfall page: ${ms.toFixed(0)} ms`); // timing is reported, not asserted (see bench/)
  // 3 panels (2 repeats + average): taller than a 2-panel page
  const two = makeProduct(
    91001,
    2,
    p.repeats.freq,
    p.repeats.boardNumber,
    1,
    p.repeats.data.slice(0, 6 * 256),
  );
  const small = pngInfo(await waterfallPng({ ...p, repeats: two }));
  ok(info.height - small.height > 60, `${info.height} vs ${small.height}`);
});

/** σ profiles with a small pseudo-random ripple; chassis 3 board 2 alternates by ±0.5 (its RMS_diff makes it a BADCB). */
function sigmas(): Float64Array[] {
  return [0, 1, 2, 3].map((c) => {
    const s = new Float64Array(NBOARD * NLAG);
    let x = c + 2;
    for (let i = 0; i < s.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      s[i] = 0.2 + 0.04 * (x / 2147483648 - 0.5); // robust RMS_diff ≈ 0.02, inside 0.01..0.2
    }
    if (c === 3) { for (let k = 0; k < NLAG; k++) s[2 * NLAG + k] = 0.8 + (k % 2 ? 0.5 : -0.5); }
    return s;
  });
}

Deno.test("badlagsPlotOpts(): panel (c, b) is titled by its chassis and board; page title without trailing comma", () => {
  const r = findBadlags(91001, sigmas());
  equal(r.cb.filter((x) => x.bad).map((x) => `${x.chassis}/${x.board}`).join(" "), "3/2");
  const o = badlagsPlotOpts(r, 3);
  equal(o.title, "obsnum=91001 badcb=3/2");
  equal(o.columns, 6);
  equal(o.panels.length, 24);
  // row-major: panel index = 6·chassis + board; the flagged one is the only red "BAD" title
  equal(o.panels[3 * 6 + 2]!.title, "BAD chassis=3 board=2");
  equal(o.panels[3 * 6 + 2]!.titleColor, "red");
  equal(o.panels[1 * 6 + 4]!.title, "chassis=1 board=4");
  equal(o.panels.filter((p) => p.title!.startsWith("BAD")).length, 1);
  o.panels.forEach((p, i) => equal(p.title, badlagsPanelTitle(Math.floor(i / 6), i % 6, i === 20)));
  // two bad boards: joined by commas only; none: no badcb at all
  equal(
    badlagsPlotTitle({ ...r, cb: r.cb.map((x, i) => ({ ...x, bad: i === 20 || i === 1 })) }),
    "obsnum=91001 badcb=0/1,3/2",
  );
  equal(badlagsPlotTitle({ ...r, cb: r.cb.map((x) => ({ ...x, bad: false })) }), "obsnum=91001");
});

/** Tsys curves of 4 chassis × 6 boards around 90..130 K, with a few wild channels (1000 K, 0 K, NaN). */
function tsysCurves(): TsysPlotCurve[] {
  const out: TsysPlotCurve[] = [];
  for (let c = 0; c < 4; c++) {
    for (let b = 0; b < 6; b++) {
      const freq = Float64Array.from({ length: 256 }, (_, k) => 73 + b * 6.4 + k * 0.025);
      const y = Float64Array.from({ length: 256 }, (_, k) => 90 + 40 * (k / 255) + c);
      y[10] = 1000;
      y[11] = 0;
      y[12] = NaN;
      out.push({ chassis: c, board: b, freq, y });
    }
  }
  return out;
}

Deno.test("robustRange(): 0.5th..99.5th percentile ± 10 %, the wild channels ignored; fallback without data", () => {
  const [lo, hi] = robustRange(tsysCurves().map((c) => c.y), [40, 310]);
  // bulk 90..133 K (the 24 spikes at 1000 K and at 0 K are 0.39 % each, inside the 0.5 % cut):
  // 0.5th/99.5th percentiles ≈ 90.2/132.8, ± 10 % of ≈ 42.7 K → ≈ [85.9, 137.1]
  ok(lo > 85.5 && lo < 86.3, `lo ${lo}`);
  ok(hi > 136.7 && hi < 137.5, `hi ${hi}`);
  deepEqual(robustRange([new Float64Array([NaN])], [40, 310]), [40, 310]);
  const flat = robustRange([new Float64Array(10).fill(100)], [40, 310]);
  ok(flat[0] < 100 && flat[1] > 100, `${flat}`);
});

Deno.test("tsysPlotOpts(): a title saying what is shown; Tsys y range from the data, spectrum −10..100 mK", () => {
  const curves = tsysCurves();
  const t0 = tsysPlotOpts(curves, { obsnum: 91001, label: "", spectrum: false, badlags: false });
  equal(t0.title, "obsnum=91001 Tsys per chassis/board, before bad lags; jitter: all boards ok");
  const [lo, hi] = t0.panels[0]!.yDomain!;
  // the data (90..133 K) fill most of the axis (the old fixed 40..310 K left them in its bottom quarter)
  ok((133 - 90) / (hi - lo) > 0.75, `[${lo}, ${hi}]`);
  equal(t0.yLabel, "Tsys (K)");
  const t1 = tsysPlotOpts(curves, { obsnum: 91001, label: "badcb=3/2", spectrum: false, badlags: true });
  equal(t1.title, "obsnum=91001 Tsys per chassis/board, with bad lags; jitter badcb=3/2");
  const sp = tsysPlotOpts(curves, { obsnum: 91001, label: "", spectrum: true, badlags: true });
  equal(sp.title, "obsnum=91001 calibrated spectrum per chassis/board, with bad lags");
  deepEqual(sp.panels[0]!.yDomain, [-10, 100]);
  equal(sp.yLabel, "Spectrum (mK)");
  // legend: one entry per chassis (board 0)
  equal(
    t0.panels[0]!.series.filter((s) => s.label).map((s) => s.label).join(","),
    "chassis 0,chassis 1,chassis 2,chassis 3",
  );
});
