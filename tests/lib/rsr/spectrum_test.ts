import assert from "node:assert/strict";
import { makeSpectrum, VALID_CHANNEL } from "../../../lib/rsr/spectrum.ts";

function identity(): Float64Array {
  const m = new Float64Array(256 * 256);
  for (let i = 0; i < 256; i++) m[i * 256 + i] = 1;
  return m;
}

Deno.test("makeSpectrum() zeroes bad lags, cuts IF edges (k<41, k>252) and leaves its input alone", () => {
  const x = Float64Array.from({ length: 256 }, (_, k) => k + 1);
  const s = makeSpectrum(x, [50, 60], identity());
  assert.equal(VALID_CHANNEL.reduce((a, b) => a + b, 0), 212);
  assert.ok(Number.isNaN(s[40]!) && !Number.isNaN(s[41]!) && !Number.isNaN(s[252]!) && Number.isNaN(s[253]!));
  assert.equal(s[50], 0);
  assert.equal(s[60], 0);
  assert.equal(s[100], 101);
  assert.equal(x[50], 51);
});

Deno.test("makeSpectrum() g_norm pass removes the mean of x·g over lags 65..255; invalid g passes raw x", () => {
  const x = new Float64Array(256).fill(3);
  const g = new Float64Array(256).fill(2);
  g[100] = NaN; // invalid g_norm, finite lag → raw value 3
  // y = 6 everywhere valid → mean 6 → x' = 0 where g valid
  const s = makeSpectrum(x, [], identity(), g);
  assert.equal(s[50], 0);
  assert.equal(s[100], 3);
  // matrix product: row sums
  const m = new Float64Array(256 * 256).fill(1 / 256);
  const t = makeSpectrum(x, [7], m);
  assert.ok(Math.abs(t[128]! - (3 * 255) / 256) < 1e-14);
});
