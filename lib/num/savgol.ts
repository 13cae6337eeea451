/**
 * Savitzky–Golay smoothing as scipy.signal.savgol_filter(x, window, polyorder) with the default
 * mode 'interp' (edges replaced by a polynomial fit to the first/last `window` points).
 *
 * @module
 */
import { polyFitter, polyval } from "./polyfit.ts";

/** Smoothing coefficients (deriv 0) of scipy.signal.savgol_coeffs(window, polyorder). */
export function savgolCoeffs(window: number, polyorder: number): Float64Array {
  if (window % 2 !== 1 || window < 1) {
    throw new RangeError(`Cannot build SG filter: window ${window} must be odd`);
  }
  if (polyorder >= window) {
    throw new RangeError(`Cannot build SG filter: polyorder ${polyorder} must be < window ${window}`);
  }
  const half = (window - 1) / 2;
  const m = polyorder + 1;
  // c = Aᵀ (A Aᵀ)⁻¹ e0 with A[i][j] = x_j^i, x = -half..half
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = -half; t <= half; t++) s += Math.pow(t, i + j);
      g[i * m + j] = s;
    }
  }
  // solve g z = e0 (Gaussian elimination with partial pivoting)
  const z = new Float64Array(m);
  z[0] = 1;
  const a = g.slice();
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]!) > Math.abs(a[p * m + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < m; k++) [a[c * m + k], a[p * m + k]] = [a[p * m + k]!, a[c * m + k]!];
      [z[c], z[p]] = [z[p]!, z[c]!];
    }
    for (let r = c + 1; r < m; r++) {
      const f = a[r * m + c]! / a[c * m + c]!;
      for (let k = c; k < m; k++) a[r * m + k]! -= f * a[c * m + k]!;
      z[r]! -= f * z[c]!;
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let s = z[c]!;
    for (let k = c + 1; k < m; k++) s -= a[c * m + k]! * z[k]!;
    z[c] = s / a[c * m + c]!;
  }
  const coef = new Float64Array(window);
  for (let j = 0; j < window; j++) {
    const x = j - half;
    let s = 0;
    for (let i = 0; i < m; i++) s += z[i]! * Math.pow(x, i);
    coef[j] = s;
  }
  return coef;
}

/**
 * scipy.signal.savgol_filter(y, window, polyorder) (mode 'interp'); needs window ≤ y.length.
 *
 * @example
 * ```ts
 * savgolFilter(new Float64Array([1, 2, 3, 4, 5]), 3, 1); // [1, 2, 3, 4, 5]
 * ```
 */
export function savgolFilter(y: ArrayLike<number>, window: number, polyorder: number): Float64Array {
  const n = y.length;
  if (window > n) throw new RangeError(`Cannot apply SG filter: window ${window} exceeds data length ${n}`);
  const c = savgolCoeffs(window, polyorder);
  const half = (window - 1) / 2;
  const out = new Float64Array(n);
  for (let i = half; i < n - half; i++) {
    let s = 0;
    for (let j = 0; j < window; j++) s += c[j]! * y[i - half + j]!;
    out[i] = s;
  }
  const xs = Float64Array.from({ length: window }, (_, i) => i);
  const fitter = polyFitter(xs, polyorder);
  const left = fitter.fit(Array.from({ length: window }, (_, i) => y[i]!));
  for (let i = 0; i < half; i++) out[i] = polyval(left, i);
  const right = fitter.fit(Array.from({ length: window }, (_, i) => y[n - window + i]!));
  for (let i = n - half; i < n; i++) out[i] = polyval(right, i - (n - window));
  return out;
}
