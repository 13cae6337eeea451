/**
 * Least-squares fit of a Gaussian on a linear baseline,
 * y = c0 + c1·(x − x0) + A·exp(−(x − x0)²/(2σ²)), by Levenberg–Marquardt with numeric-free
 * analytic derivatives. Non-finite samples are ignored.
 *
 * @module
 */

/** Result of {@link fitGaussian}. */
export interface GaussFit {
  /** Peak amplitude above the baseline. */
  peak: number;
  /** Centre. */
  center: number;
  /** Dispersion σ (FWHM = 2√(2 ln 2)·σ). */
  sigma: number;
  fwhm: number;
  /** Baseline offset and slope at the centre. */
  offset: number;
  slope: number;
  /** 1-σ errors of peak, center, fwhm from the covariance scaled by the residual variance. */
  errors: { peak: number; center: number; fwhm: number };
  /** RMS of the residuals. */
  rms: number;
  /** Number of samples used. */
  n: number;
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.log(2));

function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-300) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((r, i) => r[n]! / r[i]!);
}

function invert(a: number[][]): number[][] | null {
  const n = a.length;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
    const s = solve(a, e);
    if (!s) return null;
    cols.push(s);
  }
  return a.map((_, i) => cols.map((c) => c[i]!));
}

/**
 * Fit a Gaussian plus linear baseline to (x, y). `guess` may give a starting centre/peak/sigma;
 * otherwise the largest |y| sample starts the fit.
 */
export function fitGaussian(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  guess: { center?: number; peak?: number; sigma?: number } = {},
): GaussFit {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!) && Number.isFinite(y[i]!)) {
      xs.push(x[i]!);
      ys.push(y[i]!);
    }
  }
  const n = xs.length;
  if (n < 6) throw new RangeError(`Cannot fit a Gaussian: only ${n} finite samples`);
  let imax = 0;
  for (let i = 1; i < n; i++) if (Math.abs(ys[i]!) > Math.abs(ys[imax]!)) imax = i;
  const span = Math.abs(xs[n - 1]! - xs[0]!) || 1;
  // parameters: c0, c1, A, x0, s
  let p = [0, 0, guess.peak ?? ys[imax]!, guess.center ?? xs[imax]!, guess.sigma ?? span / 20];
  const model = (q: number[], xv: number) => {
    const d = xv - q[3]!;
    return q[0]! + q[1]! * d + q[2]! * Math.exp(-(d * d) / (2 * q[4]! * q[4]!));
  };
  const chi2 = (q: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = ys[i]! - model(q, xs[i]!);
      s += r * r;
    }
    return s;
  };
  let lambda = 1e-3;
  let cur = chi2(p);
  let jtj: number[][] = [];
  for (let iter = 0; iter < 200; iter++) {
    jtj = Array.from({ length: 5 }, () => new Array(5).fill(0));
    const jtr = new Array(5).fill(0);
    for (let i = 0; i < n; i++) {
      const d = xs[i]! - p[3]!;
      const e = Math.exp(-(d * d) / (2 * p[4]! * p[4]!));
      const g = [1, d, e, -p[1]! + (p[2]! * e * d) / (p[4]! * p[4]!), (p[2]! * e * d * d) / (p[4]! ** 3)];
      const r = ys[i]! - model(p, xs[i]!);
      for (let a = 0; a < 5; a++) {
        jtr[a] += g[a]! * r;
        for (let b = 0; b < 5; b++) jtj[a]![b]! += g[a]! * g[b]!;
      }
    }
    let improved = false;
    for (let tries = 0; tries < 20; tries++) {
      const aug = jtj.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) : v)));
      const step = solve(aug, jtr);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const q = p.map((v, i) => v + step[i]!);
      q[4] = Math.abs(q[4]!) || 1e-12;
      const c = chi2(q);
      if (c <= cur) {
        const rel = (cur - c) / (cur || 1);
        p = q;
        cur = c;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (rel < 1e-12) iter = 1000;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const dof = Math.max(1, n - 5);
  const s2 = cur / dof;
  const cov = invert(jtj);
  const err = (k: number) => (cov ? Math.sqrt(Math.abs(cov[k]![k]!) * s2) : NaN);
  const sigma = Math.abs(p[4]!);
  return {
    peak: p[2]!,
    center: p[3]!,
    sigma,
    fwhm: sigma * FWHM_PER_SIGMA,
    offset: p[0]!,
    slope: p[1]!,
    errors: { peak: err(2), center: err(3), fwhm: err(4) * FWHM_PER_SIGMA },
    rms: Math.sqrt(cur / n),
    n,
  };
}
