/**
 * Lags → spectrum (`makespectrum`, rsr.md §2.3): bad lags, optional g_norm DC removal, the
 * corr_cal matrix product and the IF edge cut.
 *
 * @module
 */
import { ifFrequency, NLAG } from "./raw.ts";

/** IF limits (GHz): channels outside [LOW_IF, HIGH_IF] are NaN. */
export const LOW_IF = 1.3;
export const HIGH_IF = 7.9;

/** True for channels that the IF edge cut keeps (k = 41..252). */
export const VALID_CHANNEL: Uint8Array = (() => {
  const v = new Uint8Array(NLAG);
  for (let k = 0; k < NLAG; k++) {
    const f = ifFrequency(k);
    v[k] = f < LOW_IF || f > HIGH_IF ? 0 : 1;
  }
  return v;
})();

const MAXF = Number.MAX_VALUE;

/**
 * makespectrum: `lags` (256, normalised) → spectrum (256) through matrix `m` (row-major 256×256).
 * `badLags` are set to NaN (zero in the product). With `gnorm` (NaN = invalid lag), the DC offset of
 * the blanking pattern is removed: y = x·g, y −= mean(finite y[65..255]), x = y/g; at lags where
 * g is invalid but x finite the raw x enters the product. Does not modify `lags`.
 */
export function makeSpectrum(
  lags: Float64Array,
  badLags: ArrayLike<number>,
  m: Float64Array,
  gnorm?: Float64Array,
  out: Float64Array = new Float64Array(NLAG),
): Float64Array {
  const x = new Float64Array(NLAG);
  x.set(lags.subarray(0, NLAG));
  for (let i = 0; i < badLags.length; i++) {
    const l = badLags[i]!;
    if (l >= 0 && l < NLAG) x[l] = NaN;
  }
  if (gnorm) {
    let sum = 0;
    let n = 0;
    const y = new Float64Array(NLAG);
    for (let k = 0; k < NLAG; k++) {
      y[k] = x[k]! * gnorm[k]!;
      if (k >= 65 && Number.isFinite(y[k]!)) {
        sum += y[k]!;
        n++;
      }
    }
    const mean = sum / n;
    for (let k = 0; k < NLAG; k++) {
      const g = gnorm[k]!;
      if (Number.isFinite(g)) x[k] = (y[k]! - mean) / g;
      // invalid g_norm: raw x passes through (NaN stays NaN)
    }
  }
  for (let k = 0; k < NLAG; k++) {
    const v = x[k]!;
    if (Number.isNaN(v)) x[k] = 0;
    else if (v === Infinity) x[k] = MAXF;
    else if (v === -Infinity) x[k] = -MAXF;
  }
  for (let i = 0; i < NLAG; i++) {
    if (!VALID_CHANNEL[i]) {
      out[i] = NaN;
      continue;
    }
    let s = 0;
    const row = i * NLAG;
    for (let j = 0; j < NLAG; j++) s += m[row + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}
