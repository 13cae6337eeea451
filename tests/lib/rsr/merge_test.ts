import assert from "node:assert/strict";
import { boardFrequencies, type RsrHeader } from "../../../lib/rsr/raw.ts";
import { makeProduct } from "../../../lib/rsr/product.ts";
import { mergeBands } from "../../../lib/rsr/merge.ts";
import { excludeWindows, startWindows } from "../../../lib/rsr/windows.ts";
import { fitGaussian } from "../../../lib/num/gaussfit.ts";

/** |actual − expected| ≤ tol. */
function near1(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

const header = {
  path: "x",
  slotNumber: [5, 8, 11, 14, 17, 20],
  bandName: null,
  feLoLow: 93.4,
  feLoHigh: 112.296,
  chassisLoLow: 15.4,
  chassisLoHigh: 21.7,
} as unknown as RsrHeader;

Deno.test("boardFrequencies() gives the §2.1 axes for the default LOs", () => {
  const f = boardFrequencies(header);
  assert.equal(f[0]![0], 93.4 - 21.7 + 0.01953125);
  assert.ok(Math.abs(f[1]![0]! - 93.38046875) < 1e-12 && f[1]![255]! < f[1]![0]!);
  assert.ok(Math.abs(f[4]![255]! - 104.30771875) < 1e-12);
  assert.ok(Math.abs(f[3]![0]! - 90.61553125) < 1e-12);
});

Deno.test("mergeBands() grid: 1297 channels from 71.71953125, constant boards give their value, uncovered 0.0", () => {
  const f = boardFrequencies(header);
  const data = new Float64Array(6 * 256);
  for (let b = 0; b < 6; b++) {
    for (let k = 0; k < 256; k++) {
      data[b * 256 + k] = k < 41 || k > 252 ? NaN : b + 1;
    }
  }
  const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, data);
  p.sigma.fill(1);
  const c = mergeBands(p);
  assert.equal(c.freq.length, 1297);
  assert.equal(c.freq[0], f[0]![0]);
  assert.equal(c.value[0], 0);
  assert.ok(Number.isNaN(c.sigma[0]!));
  assert.equal(c.value[100], 1); // board 0 only (74.84 GHz)
  // overlap of board 0 (value 1) and board 2 (value 3) at 79.5 GHz: unweighted mean 2
  const j = Math.round((79.5 - c.freq[0]!) / 0.03125);
  assert.equal(c.value[j], 2);
  assert.equal(c.sigma[j], 0); // constant boards: std 0
});

Deno.test("excludeWindows() splits (min,max) start windows, also on descending boards", () => {
  const f = boardFrequencies(header);
  const w = excludeWindows(startWindows(f), f, [106.4, 0.4, 94.3, 0.6]);
  const [lo4, hi4] = [f[4]![255]!, f[4]![0]!];
  assert.deepEqual(w.get(4), [[lo4, 106.4 - 0.4], [106.4 + 0.4, hi4]]);
  assert.equal(w.get(3)!.length, 2);
  assert.equal(w.get(0)!.length, 1);
  assert.throws(() => excludeWindows(startWindows(f), f, [1]), RangeError);
});

/** A product with a noise-free Gaussian line (peak 1, FWHM `fwhm` GHz at `f0`) sampled on every board. */
function lineProduct(f0: number, fwhm: number, noise = 0) {
  const f = boardFrequencies(header);
  const data = new Float64Array(6 * 256);
  const s = fwhm / (2 * Math.sqrt(2 * Math.LN2));
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  for (let b = 0; b < 6; b++) {
    for (let k = 0; k < 256; k++) {
      data[b * 256 + k] = k < 41 || k > 252
        ? NaN
        : Math.exp(-0.5 * ((f[b]![k]! - f0) / s) ** 2) + noise * gauss();
    }
  }
  const p = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, data);
  p.sigma.fill(1);
  return p;
}

/** Peak, centre and FWHM of a merged spectrum near f0 (Gaussian fit). */
function lineOf(c: { freq: Float64Array; value: Float64Array }, f0: number) {
  const xs: number[] = [], ys: number[] = [];
  for (let j = 0; j < c.freq.length; j++) {
    if (Math.abs(c.freq[j]! - f0) < 0.4) {
      xs.push(c.freq[j]!);
      ys.push(c.value[j]!);
    }
  }
  return fitGaussian(xs, ys, { center: f0 });
}

Deno.test("mergeBands() modes on a 320 km/s line at 94.3 GHz (board 3, 0.33 channel off the grid)", () => {
  const f0 = 94.3, fwhm = 320 / 299792.458 * f0; // 0.1007 GHz = 3.2 channels
  const p = lineProduct(f0, fwhm);
  const lin = lineOf(mergeBands(p), f0);
  const sinc = lineOf(mergeBands(p, { mode: "sinc" }), f0);
  const near = lineOf(mergeBands(p, { mode: "nearest" }), f0);
  // R3: the original's linear merge loses ~6 % of the peak and gains FWHM (integral kept)
  assert.ok(lin.peak < 0.95 && lin.peak > 0.92, `linear peak ${lin.peak}`);
  assert.ok(lin.fwhm / fwhm > 1.04, `linear FWHM ${lin.fwhm / fwhm}`);
  // sinc: peak, FWHM and centre kept to < 0.5 %, < 0.5 %, < 1 MHz
  near1(sinc.peak, 1, 5e-3, "sinc peak");
  near1(sinc.fwhm / fwhm, 1, 5e-3, "sinc FWHM");
  assert.ok(Math.abs(sinc.center - f0) < 1e-3, `sinc centre ${sinc.center}`);
  // nearest: the measured values are kept (peak, width) but relabelled by the board's offset (0.01025 GHz)
  near1(near.peak, 1, 5e-3, "nearest peak");
  near1(near.fwhm / fwhm, 1, 5e-3, "nearest FWHM");
  near1(near.center - f0, 0.01025, 1e-3, "nearest centre shift");
});

Deno.test("mergeBands() sinc keeps the per-channel noise (linear lowers it), constants exact, coverage as linear", () => {
  const p = lineProduct(200, 0.1, 0.01); // no line on the boards: pure noise of rms 0.01
  const rms = (v: Float64Array, j0: number, j1: number) => {
    let s = 0;
    for (let j = j0; j < j1; j++) s += v[j]! ** 2;
    return Math.sqrt(s / (j1 - j0));
  };
  // board 3 alone: 93.0–97.0 GHz (offset 0.33 channel: linear noise factor sqrt(0.67²+0.33²) = 0.75)
  const j0 = Math.round((93.0 - 71.71953125) / 0.03125), j1 = Math.round((97.0 - 71.71953125) / 0.03125);
  const rl = rms(mergeBands(p).value, j0, j1), rs = rms(mergeBands(p, { mode: "sinc" }).value, j0, j1);
  const rn = rms(mergeBands(p, { mode: "nearest" }).value, j0, j1);
  assert.ok(rl / rn < 0.8, `linear/nearest noise ${rl / rn}`);
  assert.ok(rs / rn > 0.93 && rs / rn <= 1.0, `sinc/nearest noise ${rs / rn}`);
  // constant boards: every mode gives the constant; sinc and linear cover the same channels
  const f = boardFrequencies(header);
  const data = new Float64Array(6 * 256);
  for (let b = 0; b < 6; b++) for (let k = 0; k < 256; k++) data[b * 256 + k] = k < 41 || k > 252 ? NaN : 2.5;
  const q = makeProduct(1, 0, f, [0, 1, 2, 3, 4, 5], 1, data);
  const cl = mergeBands(q), cs = mergeBands(q, { mode: "sinc" }), cn = mergeBands(q, { mode: "nearest" });
  let covL = 0, covN = 0;
  for (let j = 0; j < cl.value.length; j++) {
    assert.equal(cl.value[j] === 0, cs.value[j] === 0, `coverage differs at ${j}`);
    if (cl.value[j] !== 0) {
      covL++;
      near1(cs.value[j]!, 2.5, 1e-12, `sinc constant at ${j}`);
    }
    if (cn.value[j] !== 0) covN++;
  }
  assert.equal(covL, 1216); // rsr.md §2.11
  assert.ok(covN > covL, `nearest keeps the boards' end channels: ${covN}`);
});

Deno.test("mergeBands() nanUncovered writes NaN exactly where the default writes 0.0 for no board", () => {
  const p = lineProduct(94.3, 0.1);
  const a = mergeBands(p), b = mergeBands(p, { nanUncovered: true });
  let n = 0;
  for (let j = 0; j < a.value.length; j++) {
    if (Number.isNaN(b.value[j]!)) {
      n++;
      assert.equal(a.value[j], 0);
    } else assert.equal(b.value[j], a.value[j]);
  }
  assert.equal(n, 1297 - 1216);
});
