import assert from "node:assert/strict";
import { savgolCoeffs, savgolFilter } from "../../../lib/num/savgol.ts";
import { sigmaClip } from "../../../lib/num/sigmaclip.ts";
import { irfft, rfft } from "../../../lib/num/dft.ts";

Deno.test("savgolCoeffs() equals scipy savgol_coeffs(5, 2) = [-3, 12, 17, 12, -3]/35", () => {
  const c = savgolCoeffs(5, 2);
  const e = [-3, 12, 17, 12, -3].map((x) => x / 35);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(c[i]! - e[i]!) < 1e-15);
});

Deno.test("savgolFilter() reproduces a cubic exactly (interior and 'interp' edges)", () => {
  const y = Float64Array.from({ length: 40 }, (_, i) => 0.01 * i ** 3 - i + 2);
  const s = savgolFilter(y, 11, 3);
  for (let i = 0; i < 40; i++) assert.ok(Math.abs(s[i]! - y[i]!) < 1e-9, `i=${i}`);
});

Deno.test("sigmaClip() iterates until stable; rfft/irfft round trip for odd and even n", () => {
  assert.deepEqual(Array.from(sigmaClip([1, 2, 1, 2, 1, 2, 50], 2, 2)), [1, 2, 1, 2, 1, 2]);
  for (const n of [8, 9]) {
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) + i);
    const [re, im] = rfft(x);
    assert.ok(Math.abs(re[0]! - x.reduce((a, b) => a + b, 0)) < 1e-12);
    const back = irfft(re, im, n);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(back[i]! - x[i]!) < 1e-12);
  }
});
