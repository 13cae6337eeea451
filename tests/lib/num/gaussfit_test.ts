import assert from "node:assert/strict";
import { fitGaussian } from "../../../lib/num/gaussfit.ts";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
function gaussNoise(r: () => number) {
  return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
}

Deno.test("fitGaussian() recovers a noiseless line on a sloped baseline exactly", () => {
  const x = Float64Array.from({ length: 200 }, (_, i) => 94 + i * 0.005);
  const y = x.map((v) => 0.002 + 0.01 * (v - 94.3) + 0.045 * Math.exp(-((v - 94.3) ** 2) / (2 * 0.04 ** 2)));
  const f = fitGaussian(x, y, { center: 94.28 });
  assert.ok(Math.abs(f.peak - 0.045) < 1e-9, `peak ${f.peak}`);
  assert.ok(Math.abs(f.center - 94.3) < 1e-9, `center ${f.center}`);
  assert.ok(Math.abs(f.sigma - 0.04) < 1e-9, `sigma ${f.sigma}`);
  assert.ok(Math.abs(f.fwhm - 0.04 * 2.3548200450309493) < 1e-8);
  assert.ok(f.rms < 1e-10);
});

Deno.test("fitGaussian() errors are consistent with the scatter of noisy fits", () => {
  const r = lcg(7);
  const x = Float64Array.from({ length: 300 }, (_, i) => i);
  const centers: number[] = [];
  let errSum = 0;
  for (let k = 0; k < 40; k++) {
    const y = x.map((v) => 1.0 * Math.exp(-((v - 150) ** 2) / (2 * 8 ** 2)) + 0.1 * gaussNoise(r));
    y[3] = NaN; // ignored
    const f = fitGaussian(x, y);
    centers.push(f.center);
    errSum += f.errors.center;
  }
  const mean = centers.reduce((a, b) => a + b, 0) / centers.length;
  const sd = Math.sqrt(centers.reduce((a, b) => a + (b - mean) ** 2, 0) / (centers.length - 1));
  const meanErr = errSum / centers.length;
  assert.ok(Math.abs(mean - 150) < 0.2, `mean centre ${mean}`);
  assert.ok(sd / meanErr > 0.6 && sd / meanErr < 1.6, `scatter ${sd} vs formal ${meanErr}`);
});

Deno.test("fitGaussian() refuses too few samples", () => {
  assert.throws(() => fitGaussian([1, 2, 3], [1, 2, 1]), /only 3 finite samples/);
});
