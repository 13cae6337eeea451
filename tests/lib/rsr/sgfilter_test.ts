/**
 * sgFilter (rsr_driver -f N --exclude F W ...) against a Python re-implementation of rsr_driver.py's
 * rsr_savgolfilter + rebaseline run splitting (scipy UnivariateSpline bridging, savgol_filter), on the very
 * spectra the driver filters: the per-chassis repeat averages and the coadd of the samples' 91001+91003,
 * taken from the library before the filter. Measured: the filtered spectra agree to ≤ 3e-15 K, i.e.
 * ≤ 1e-11 σ (asserted: 1e-6 σ; the issue's goal is 0.05 σ).
 * @module
 */
import assert from "node:assert/strict";
import { runDriver } from "../../../lib/rsr/driver.ts";
import { sgFilter } from "../../../lib/rsr/filters.ts";
import { NBOARD, NLAG } from "../../../lib/rsr/raw.ts";
import { BLANK, offset, type RsrProduct } from "../../../lib/rsr/product.ts";
import { fitGaussian } from "../../../lib/num/gaussfit.ts";
import { needsSamples, pyJson, PYTHON3, pythonHas, sample } from "../../_helpers.ts";

const SCIPY = pythonHas("scipy.signal, scipy.interpolate");
if (!SCIPY) console.error(`NOTICE: ${PYTHON3} with scipy not found: the SG-filter-vs-scipy test is SKIPPED`);
const NO_SAMPLES = needsSamples();

/**
 * rsr_savgolfilter as rsr_driver.py (teuben1, 0.7.1-pjt) does it, written for this test: windows sorted by
 * centre (update_windows sorts them in place), each one whose centre is within the run's range bridged by
 * UnivariateSpline(x increasing) through all channels outside it, then data − savgol_filter(data', N', 3).
 */
const SCRIPT = `
import json, sys
import numpy as np
from scipy import interpolate, signal
BLANK = -32767.0
job = json.load(sys.stdin)
fwind = job["window"]
ex = np.array(job["exclude"], dtype=float)
freqs, widths = ex[0::2], ex[1::2]
order = np.argsort(freqs)
freqs, widths = freqs[order], widths[order]

def savgol_run(d, f):
    slen = len(d)
    if fwind > slen - 3:
        awind = slen // (256 // fwind)
        if awind % 2 == 0:
            awind += 1
    else:
        awind = fwind
    if awind > slen or awind <= 3:
        return d
    df = d.copy()
    for fc, w in zip(freqs, widths):
        if fc >= f.min() and fc <= f.max():
            inside = np.where(np.logical_and(f >= fc - w, f <= fc + w))
            outside = np.where(np.logical_or(f < fc - w, f > fc + w))
            if f[-1] < f[0]:
                spl = interpolate.UnivariateSpline(f[outside][::-1], df[outside][::-1])
            else:
                spl = interpolate.UnivariateSpline(f[outside], df[outside])
            df[inside] = spl(f[inside])
    return d - signal.savgol_filter(df, awind, 3)

out = []
for p in job["products"]:
    res = []
    for f, d in zip(p["freq"], p["data"]):
        f = np.array(f)
        d = np.array([np.nan if v is None else v for v in d])
        good = np.isfinite(d) & (d != BLANK)
        k = 0
        while k < len(d):
            if not good[k]:
                k += 1
                continue
            e = k
            while e < len(d) and good[e]:
                e += 1
            d[k:e] = savgol_run(d[k:e], f[k:e])
            k = e
        res.append([None if not np.isfinite(v) else float(v) for v in d])
    out.append(res)
json.dump(out, sys.stdout)
`;

async function scipyFilter(products: RsrProduct[], window: number, exclude: number[]): Promise<number[][][]> {
  const job = {
    window,
    exclude,
    products: products.map((p) => ({
      freq: p.freq.map((f) => Array.from(f)),
      data: Array.from(
        { length: NBOARD },
        (_, b) =>
          Array.from(
            p.data.subarray(offset(0, b), offset(0, b) + NLAG),
            (v) => Number.isFinite(v) ? v : null,
          ),
      ),
    })),
  };
  return await pyJson(SCRIPT, job);
}

function copyProduct(p: RsrProduct, add?: (f: number) => number): RsrProduct {
  const data = p.data.slice(0, NBOARD * NLAG);
  if (add) {
    for (let b = 0; b < NBOARD; b++) {
      for (let k = 0; k < NLAG; k++) {
        const v = data[b * NLAG + k]!;
        if (Number.isFinite(v) && v !== BLANK) data[b * NLAG + k] = v + add(p.freq[b]![k]!);
      }
    }
  }
  return { ...p, nrep: 1, data, sigma: p.sigma.slice(0, NBOARD) };
}

/** Largest |ours − scipy's| over all channels, in K and in units of each board's σ (std of the input). */
function compare(
  ours: RsrProduct[],
  ref: number[][][],
): { maxK: number; maxSigma: number; channels: number } {
  let maxK = 0;
  let maxSigma = 0;
  let channels = 0;
  ours.forEach((p, i) => {
    for (let b = 0; b < NBOARD; b++) {
      const row = ref[i]![b]!;
      const good: number[] = [];
      for (let k = 0; k < NLAG; k++) {
        const v = p.data[b * NLAG + k]!;
        const r = row[k];
        if (r === null || r === undefined) {
          assert.ok(!Number.isFinite(v), `product ${i} board ${b} channel ${k}: ${v} where scipy has NaN`);
          continue;
        }
        if (r === BLANK) {
          assert.equal(v, BLANK);
          continue;
        }
        good.push(r);
      }
      if (good.length < 2) continue;
      const mean = good.reduce((a, c) => a + c, 0) / good.length;
      const sd = Math.sqrt(good.reduce((a, c) => a + (c - mean) ** 2, 0) / good.length);
      for (let k = 0; k < NLAG; k++) {
        const r = row[k];
        if (r === null || r === undefined || r === BLANK) continue;
        const d = Math.abs(p.data[b * NLAG + k]! - r);
        channels++;
        maxK = Math.max(maxK, d);
        maxSigma = Math.max(maxSigma, d / sd);
      }
    }
  });
  return { maxK, maxSigma, channels };
}

Deno.test({
  name:
    "sgFilter(-f 51, --exclude) equals rsr_savgolfilter with scipy on the driver's own spectra (91001+91003)",
  ignore: NO_SAMPLES || !SCIPY,
  async fn(t) {
    const base = {
      dataLmt: sample("rsr", "data_lmt"),
      obsnums: [91001, 91003],
      exclude: [94.3, 0.6, 106.4, 0.4],
      repeatThreshold: 0.01,
      coaddThreshold: 0.01,
      order: 1,
    };
    const res = await runDriver(base); // no -f: the products as the filter receives them
    const inputs = [...res.products.map((p) => p.average), res.coadd];
    assert.equal(inputs.length, 9);

    const cases: [string, number[], ((f: number) => number) | undefined][] = [
      ["the pipeline's xlines", base.exclude, undefined],
      // a 1.5 K ripple makes the spline add knots (s = m, data in K); overlapping windows (the second is
      // fitted on bridged data), windows at the start of a run (extrapolated), on ascending and descending boards
      [
        "ripple, overlapping and edge windows",
        [94.3, 0.6, 106.4, 0.4, 94.9, 0.3, 73.05, 0.1, 92.0, 0.15, 110.9, 0.2],
        (f) => 1.5 * Math.sin(2 * Math.PI * f / 0.9),
      ],
    ];
    for (const [label, exclude, add] of cases) {
      await t.step(label, async () => {
        const ours = inputs.map((p) => copyProduct(p, add));
        const ref = await scipyFilter(ours, 51, exclude);
        const messages: string[] = [];
        for (const p of ours) sgFilter(p, 51, exclude, (m) => messages.push(m));
        assert.ok(messages.some((m) => m.startsWith("SGF: Removing interval 93.7")), messages.join("\n"));
        const { maxK, maxSigma, channels } = compare(ours, ref);
        console.log(
          `  ${label}: ${channels} channels, max |ours − scipy| = ${maxK.toExponential(2)} K = ${
            maxSigma.toExponential(2)
          } σ`,
        );
        assert.ok(channels > 9000, `${channels} channels compared`);
        assert.ok(maxSigma <= 1e-6, `max deviation ${maxSigma} σ`);
      });
    }

    await t.step("end to end: -f 51 keeps the 94.3 GHz line of the xlines spectrum", async () => {
      const sg = await runDriver({ ...base, sgf: 51 });
      const fit = (f: Float64Array, y: Float64Array) => {
        const xs: number[] = [];
        const ys: number[] = [];
        for (let i = 0; i < f.length; i++) {
          if (Math.abs(f[i]! - 94.3) <= 0.5 && Number.isFinite(y[i]!)) {
            xs.push(f[i]!);
            ys.push(y[i]!);
          }
        }
        return fitGaussian(xs, ys, { center: 94.3 });
      };
      const a = fit(res.composite.freq, res.composite.value);
      const b = fit(sg.composite.freq, sg.composite.value);
      console.log(
        `  94.3 GHz peak: ${(a.peak * 1000).toFixed(2)} ± ${
          (a.errors.peak * 1000).toFixed(2)
        } mK without -f, ` +
          `${(b.peak * 1000).toFixed(2)} ± ${(b.errors.peak * 1000).toFixed(2)} mK with -f 51`,
      );
      // the reference's Gaussian fit gives 37.7 ± 0.5 mK without -f (samples README §3.4)
      assert.ok(Math.abs(b.peak - a.peak) < 3 * a.errors.peak, `peak ${b.peak} vs ${a.peak}`);
    });
  },
});
