import { equal, ok } from "node:assert/strict";
import { decodePngRgba, pngInfo } from "../../../lib/plot/mod.ts";
import type { ProductRecord } from "../../../lib/rsr/driver.ts";
import { exposureLabel, waterfallPageNames, waterfallPng, waterfallScale } from "../../../lib/rsr/plots.ts";
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
  ok(ms < 1500, `${ms.toFixed(0)} ms`);
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
