/**
 * Smoothing splines by Dierckx's method (FITPACK `curfit`, iopt = 0; "Curve and Surface Fitting with
 * Splines", 1993, ch. 5), B-spline evaluation (de Boor–Cox, FITPACK `splev`), and the defaults of
 * scipy's `UnivariateSpline(x, y)` on top of them.
 *
 * Written from the algorithm's description; the decision rules (how many knots to add, where, how the
 * smoothing parameter p is iterated) and the order of the floating-point operations follow FITPACK so
 * that knots and coefficients agree with scipy to rounding.
 *
 * The method in short. For a knot set t the least-squares spline s∞ of degree k is found by reducing the
 * banded observation matrix (one row of k+1 non-zero B-spline values per point) to upper-triangular form
 * with Givens rotations; its residual sum of squares is fp = f(∞). Starting from the polynomial (no
 * interior knots, n = 2k+2), knots are added at data points inside the knot intervals with the largest
 * residual sums until fp ≤ s. Then the spline is smoothed: rows expressing the jumps of the kth derivative
 * at the interior knots, weighted by 1/p, are rotated into the triangle, and p is found by rational
 * interpolation of f(p) − s (f is convex and decreasing in p) until |f(p) − s| < tol·s.
 *
 * @module
 */

/** A spline in B-spline form: knots t (length n), coefficients c (first n−k−1 used), degree k. */
export interface Spline {
  t: Float64Array;
  c: Float64Array;
  k: number;
}

/** Result of a fit: the spline, its weighted residual sum of squares fp and FITPACK's ier code. */
export interface SplineFit extends Spline {
  /** Σ (w·(y − s(x)))² of the returned spline. */
  fp: number;
  /**
   * FITPACK's code: 0 normal (|fp − s| ≤ tol·s); −1 interpolating spline; −2 least-squares polynomial
   * of degree k (s ≥ fp0); 1 knot storage (nest) exhausted, least-squares spline returned; 2 the
   * p-iteration did not behave as expected; 3 maxit iterations reached.
   */
  ier: number;
}

/** Options of {@link curfit}. */
export interface CurfitOptions {
  /** Weights (default 1). */
  w?: ArrayLike<number>;
  /** Approximation interval [xb, xe] (default [x0, x_{m−1}]). */
  xb?: number;
  xe?: number;
  /** Degree 1..5 (default 3). */
  k?: number;
  /** Smoothing factor s ≥ 0 (default m, the number of points). */
  s?: number;
  /** Maximum number of knots (default: m+k+1 for s = 0, else max(⌊m/2⌋, 2k+2), scipy's default). */
  nest?: number;
  /** Relative tolerance of |fp − s| (default 0.001). */
  tol?: number;
  /** Maximum number of p-iterations (default 20). */
  maxit?: number;
}

const CON1 = 0.1;
const CON4 = 0.04;
const CON9 = 0.9;

/**
 * The working state of one fit; kept between a first call and a continuation (FITPACK's iopt = 1),
 * which scipy's UnivariateSpline uses when the first call ran out of knot storage.
 */
interface FitState {
  m: number;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  xb: number;
  xe: number;
  k: number;
  s: number;
  nest: number;
  tol: number;
  maxit: number;
  n: number;
  t: Float64Array;
  c: Float64Array;
  /** Residual sum per knot interval; also fp0 at [n−1] and the previous fp at [n−2] after each LSQ. */
  fpint: Float64Array;
  /** Data points strictly inside each knot interval; the last number of added knots at [n−1]. */
  nrdata: Int32Array;
  fp: number;
  ier: number;
}

/**
 * The k+1 B-splines of degree k that do not vanish at x, for the knot interval t[l] ≤ x < t[l+1]
 * (0-based l, k ≤ l ≤ n−k−2), by the de Boor–Cox recurrence; values into h[0..k]. Outside the interval
 * the same formula extends the polynomial piece (used for extrapolation).
 */
export function bsplineValues(t: ArrayLike<number>, k: number, x: number, l: number, h: Float64Array): void {
  const prev = new Float64Array(k + 1);
  h[0] = 1;
  for (let j = 1; j <= k; j++) {
    for (let i = 0; i < j; i++) prev[i] = h[i]!;
    h[0] = 0;
    for (let i = 1; i <= j; i++) {
      const right = t[l + i]!;
      const left = t[l + i - j]!;
      if (right === left) {
        h[i] = 0;
        continue;
      }
      const f = prev[i - 1]! / (right - left);
      h[i - 1] = h[i - 1]! + f * (right - x);
      h[i] = f * (x - left);
    }
  }
}

/** Givens rotation that zeroes `piv` against the diagonal element `diag` ≥ 0: [cos, sin, new diagonal]. */
function givens(piv: number, diag: number): [number, number, number] {
  const ap = Math.abs(piv);
  let d: number;
  if (ap >= diag) {
    const r = diag / piv;
    d = ap * Math.sqrt(1 + r * r);
  } else {
    const r = piv / diag;
    d = diag * Math.sqrt(1 + r * r);
  }
  return [diag / d, piv / d, d];
}

/**
 * Solve the upper-triangular banded system A c = z (A: rows of `width` entries, diagonal first,
 * row-major with stride `stride`) for the first `nc` unknowns; z and c may be the same array.
 */
function backSubstitute(
  a: Float64Array,
  stride: number,
  width: number,
  z: Float64Array,
  nc: number,
  c: Float64Array,
): void {
  c[nc - 1] = z[nc - 1]! / a[(nc - 1) * stride]!;
  for (let i = nc - 2; i >= 0; i--) {
    let v = z[i]!;
    const span = Math.min(width - 1, nc - 1 - i);
    for (let l = 1; l <= span; l++) v = v - c[i + l]! * a[i * stride + l]!;
    c[i] = v / a[i * stride]!;
  }
}

/**
 * Jumps of the kth derivative of the B-splines at the interior knots: row r (interior knot t[k+1+r])
 * holds the k+2 B-splines that jump there, scaled by (number of intervals / interval length)^k.
 */
function derivativeJumps(t: Float64Array, n: number, k: number, b: Float64Array): void {
  const k1 = k + 1;
  const k2 = k + 2;
  const nk1 = n - k1;
  const fac = (nk1 - k) / (t[nk1]! - t[k]!);
  const h = new Float64Array(2 * k1);
  for (let knot = k1; knot < nk1; knot++) {
    const row = knot - k1;
    for (let j = 0; j < k1; j++) {
      h[j] = t[knot]! - t[knot - k1 + j]!;
      h[j + k1] = t[knot]! - t[knot + 1 + j]!;
    }
    for (let j = 0; j < k2; j++) {
      let prod = h[j]!;
      for (let i = 1; i <= k; i++) prod = prod * h[j + i]! * fac;
      b[row * k2 + j] = (t[knot + j]! - t[knot - k1 + j]!) / prod;
    }
  }
}

/** The p of the rational function r(p) = (u·p+v)/(p+w) through three points that has r(p) = 0 (p3 ≤ 0: p3 = ∞). */
function rationalRoot(p1: number, f1: number, p2: number, f2: number, p3: number, f3: number): number {
  if (!(p3 > 0)) return (p1 * (f1 - f3) * f2 - p2 * (f2 - f3) * f1) / ((f1 - f2) * f3);
  const h1 = f1 * (f2 - f3);
  const h2 = f2 * (f3 - f1);
  const h3 = f3 * (f1 - f2);
  return -(p1 * p2 * h3 + p2 * p3 * h1 + p3 * p1 * h2) / (p1 * h1 + p2 * h2 + p3 * h3);
}

/** Interior knots of the interpolating spline (n = m+k+1): at data points (odd k) or midpoints (even k). */
function interpolationKnots(st: FitState): void {
  const { m, k, x, t } = st;
  const k1 = k + 1;
  const half = Math.floor(k / 2);
  for (let i = 0; i < m - k1; i++) {
    t[k1 + i] = half * 2 === k ? (x[half + i]! + x[half + i + 1]!) * 0.5 : x[half + 1 + i]!;
  }
}

/**
 * Add one knot: in the interval with the largest residual sum among those holding data points (the
 * first of equal ones), at the middle one of its points. Returns the new number of intervals, or −1
 * when no interval qualifies.
 */
function addKnot(st: FitState, nrint: number): number {
  const { x, t, fpint, nrdata, k } = st;
  let fpmax = 0;
  let best = -1;
  let bestPts = 0;
  let bestStart = 0;
  let start = 0; // index of the data point at the interval's left knot
  for (let j = 0; j < nrint; j++) {
    const pts = nrdata[j]!;
    if (fpmax < fpint[j]! && pts !== 0) {
      fpmax = fpint[j]!;
      best = j;
      bestPts = pts;
      bestStart = start;
    }
    start += pts + 1;
  }
  if (best < 0) return -1;
  const half = Math.floor(bestPts / 2) + 1;
  for (let j = nrint - 1; j > best; j--) {
    fpint[j + 1] = fpint[j]!;
    nrdata[j + 1] = nrdata[j]!;
    t[j + k + 1] = t[j + k]!;
  }
  nrdata[best] = half - 1;
  nrdata[best + 1] = bestPts - half;
  fpint[best] = fpmax * nrdata[best]! / bestPts;
  fpint[best + 1] = fpmax * nrdata[best + 1]! / bestPts;
  t[best + k + 1] = x[bestStart + half]!;
  st.n += 1;
  return nrint + 1;
}

/** Sum of c[l−k..l]·q[row] (the spline at a data point from its stored B-spline values). */
function splineAt(c: Float64Array, q: Float64Array, row: number, k1: number, first: number): number {
  let v = 0;
  for (let j = 0; j < k1; j++) v = v + c[first + j]! * q[row * k1 + j]!;
  return v;
}

/**
 * FITPACK's fpcurf for iopt = 0 (start from the polynomial) or 1 (continue from the knots of an
 * earlier call in `st`). Fills st.t, st.n, st.c, st.fp, st.ier.
 */
function fitSmoothing(st: FitState, iopt: 0 | 1): void {
  const { m, x, y, w, k, s, nest } = st;
  const t = st.t;
  const c = st.c;
  const fpint = st.fpint;
  const nrdata = st.nrdata;
  const k1 = k + 1;
  const k2 = k + 2;
  const nmin = 2 * k1;
  const nmax = m + k1;
  const acc = st.tol * s;
  const z = new Float64Array(nest);
  const a = new Float64Array(nest * k1);
  const q = new Float64Array(m * k1);
  const h = new Float64Array(k2 + 1);

  let fp0 = 0;
  let fpold = 0;
  let nplus = 0;
  let fp = 0;
  let fpms = 0;
  let nk1 = 0;

  if (s === 0) {
    st.n = nmax;
    if (nmax > nest) {
      st.ier = 1;
      return;
    }
    interpolationKnots(st);
  } else {
    let fromPolynomial = true;
    if (iopt === 1 && st.n !== nmin) {
      fp0 = fpint[st.n - 1]!;
      fpold = fpint[st.n - 2]!;
      nplus = nrdata[st.n - 1]!;
      if (fp0 > s) fromPolynomial = false;
    }
    if (fromPolynomial) {
      st.n = nmin;
      fpold = 0;
      nplus = 0;
      nrdata[0] = m - 2;
    }
  }

  // Part 1: the number and position of the knots.
  let restart = true;
  while (restart) {
    restart = false;
    for (let iter = 1; iter <= m; iter++) {
      let n = st.n;
      if (n === nmin) st.ier = -2;
      let nrint = n - nmin + 1;
      nk1 = n - k1;
      for (let j = 0; j < k1; j++) {
        t[j] = st.xb;
        t[n - 1 - j] = st.xe;
      }
      // least-squares spline: rows rotated into the triangle as they come
      fp = 0;
      z.fill(0, 0, nk1);
      a.fill(0, 0, nk1 * k1);
      let l = k;
      for (let it = 0; it < m; it++) {
        const xi = x[it]!;
        const wi = w[it]!;
        let yi = y[it]! * wi;
        while (!(xi < t[l + 1]! || l === nk1 - 1)) l++;
        bsplineValues(t, k, xi, l, h);
        for (let i = 0; i < k1; i++) {
          q[it * k1 + i] = h[i]!;
          h[i] = h[i]! * wi;
        }
        for (let i = 0; i < k1; i++) {
          const row = l - k + i;
          const piv = h[i]!;
          if (piv === 0) continue;
          const [cs, sn, d] = givens(piv, a[row * k1]!);
          a[row * k1] = d;
          const zr = z[row]!;
          z[row] = cs * zr + sn * yi;
          yi = cs * yi - sn * zr;
          if (i === k) break;
          for (let i1 = i + 1; i1 < k1; i1++) {
            const ar = a[row * k1 + i1 - i]!;
            const hv = h[i1]!;
            a[row * k1 + i1 - i] = cs * ar + sn * hv;
            h[i1] = cs * hv - sn * ar;
          }
        }
        fp = fp + yi * yi;
      }
      if (st.ier === -2) fp0 = fp;
      fpint[n - 1] = fp0;
      fpint[n - 2] = fpold;
      nrdata[n - 1] = nplus;
      backSubstitute(a, k1, k1, z, nk1, c);
      fpms = fp - s;
      st.fp = fp;
      if (Math.abs(fpms) < acc) return;
      if (fpms < 0) break;
      if (n === nmax) {
        st.ier = -1;
        return;
      }
      if (n === nest) {
        st.ier = 1;
        return;
      }
      // how many knots to add
      if (st.ier !== 0) {
        nplus = 1;
        st.ier = 0;
      } else {
        let npl1 = nplus * 2;
        const rn = nplus;
        if (fpold - fp > acc) npl1 = Math.trunc(rn * fpms / (fpold - fp));
        nplus = Math.min(nplus * 2, Math.max(npl1, Math.trunc(nplus / 2), 1));
      }
      fpold = fp;
      // residual sum per knot interval; a point on a knot counts half to each side
      let fpart = 0;
      let iv = 0;
      let kn = k + 1;
      for (let it = 0; it < m; it++) {
        let atKnot = false;
        if (!(x[it]! < t[kn]! || kn > nk1 - 1)) {
          atKnot = true;
          kn++;
        }
        const r = w[it]! * (splineAt(c, q, it, k1, kn - k1) - y[it]!);
        const term = r * r;
        fpart = fpart + term;
        if (atKnot) {
          const store = term * 0.5;
          fpint[iv] = fpart - store;
          iv++;
          fpart = store;
        }
      }
      fpint[nrint - 1] = fpart;
      for (let add = 0; add < nplus; add++) {
        const next = addKnot(st, nrint);
        if (next < 0) break;
        nrint = next;
        n = st.n;
        if (n === nmax) {
          interpolationKnots(st);
          restart = true;
          break;
        }
        if (n === nest) break;
      }
      if (restart) break;
    }
  }
  if (st.ier === -2) return;

  // Part 2: the smoothing spline for the chosen knots, p by rational interpolation.
  const n = st.n;
  const n8 = n - nmin;
  const b = new Float64Array(Math.max(n8, 1) * k2);
  derivativeJumps(t, n, k, b);
  const g = new Float64Array(nest * k2);
  let p1 = 0;
  let f1 = fp0 - s;
  let p3 = -1;
  let f3 = fpms;
  let p = 0;
  for (let i = 0; i < nk1; i++) p = p + a[i * k1]!;
  p = nk1 / p;
  let ich1 = false;
  let ich3 = false;
  for (let iter = 1; iter <= st.maxit; iter++) {
    const pinv = 1 / p;
    for (let i = 0; i < nk1; i++) {
      c[i] = z[i]!;
      g[i * k2 + k1] = 0;
      for (let j = 0; j < k1; j++) g[i * k2 + j] = a[i * k1 + j]!;
    }
    for (let it = 0; it < n8; it++) {
      for (let i = 0; i < k2; i++) h[i] = b[it * k2 + i]! * pinv;
      let yi = 0;
      for (let j = it; j < nk1; j++) {
        const [cs, sn, d] = givens(h[0]!, g[j * k2]!);
        g[j * k2] = d;
        const cj = c[j]!;
        c[j] = cs * cj + sn * yi;
        yi = cs * yi - sn * cj;
        if (j === nk1 - 1) break;
        const i2 = j + 1 > n8 ? nk1 - (j + 1) : k1;
        for (let i = 0; i < i2; i++) {
          const gv = g[j * k2 + i + 1]!;
          const hv = h[i + 1]!;
          g[j * k2 + i + 1] = cs * gv + sn * hv;
          h[i] = cs * hv - sn * gv;
        }
        h[i2] = 0;
      }
    }
    backSubstitute(g, k2, k2, c, nk1, c);
    fp = 0;
    let kn = k + 1;
    for (let it = 0; it < m; it++) {
      if (!(x[it]! < t[kn]! || kn > nk1 - 1)) kn++;
      const r = w[it]! * (splineAt(c, q, it, k1, kn - k1) - y[it]!);
      fp = fp + r * r;
    }
    st.fp = fp;
    fpms = fp - s;
    if (Math.abs(fpms) < acc) return;
    if (iter === st.maxit) {
      st.ier = 3;
      return;
    }
    const p2 = p;
    const f2 = fpms;
    if (!ich3) {
      if (!(f2 - f3 > acc)) {
        // p was too large
        p3 = p2;
        f3 = f2;
        p = p * CON4;
        if (p <= p1) p = p1 * CON9 + p2 * CON1;
        continue;
      }
      if (f2 < 0) ich3 = true;
    }
    if (!ich1) {
      if (!(f1 - f2 > acc)) {
        // p was too small
        p1 = p2;
        f1 = f2;
        p = p / CON4;
        if (p3 < 0) continue;
        if (p >= p3) p = p2 * CON1 + p3 * CON9;
        continue;
      }
      if (f2 > 0) ich1 = true;
    }
    if (f2 >= f1 || f2 <= f3) {
      st.ier = 2;
      return;
    }
    p = rationalRoot(p1, f1, p2, f2, p3, f3);
    if (f2 < 0) {
      p3 = p2;
      f3 = f2;
    } else {
      p1 = p2;
      f1 = f2;
    }
  }
}

function newState(x: ArrayLike<number>, y: ArrayLike<number>, opts: CurfitOptions): FitState {
  const m = x.length;
  const k = opts.k ?? 3;
  if (!Number.isInteger(k) || k < 1 || k > 5) {
    throw new RangeError(`Cannot fit a spline: degree k=${k} must be 1..5`);
  }
  if (y.length !== m) throw new RangeError(`Cannot fit a spline: x has ${m} points, y ${y.length}`);
  if (!(m > k)) {
    throw new RangeError(`Cannot fit a spline of degree ${k}: needs more than ${k} points, got ${m}`);
  }
  const s = opts.s ?? m;
  if (!(s >= 0)) throw new RangeError(`Cannot fit a spline: s=${s} must be >= 0`);
  const xs = Float64Array.from(x);
  for (let i = 1; i < m; i++) {
    if (!(xs[i]! >= xs[i - 1]!)) {
      throw new RangeError(`Cannot fit a spline: x must be increasing (at index ${i})`);
    }
  }
  const w = opts.w ? Float64Array.from(opts.w) : new Float64Array(m).fill(1);
  if (w.length !== m) throw new RangeError(`Cannot fit a spline: x has ${m} points, w ${w.length}`);
  const k1 = k + 1;
  const nest = opts.nest ?? (s === 0 ? m + k + 1 : Math.max(Math.floor(m / 2), 2 * k1));
  if (nest < 2 * k1) throw new RangeError(`Cannot fit a spline: nest=${nest} must be >= ${2 * k1}`);
  const xb = opts.xb ?? xs[0]!;
  const xe = opts.xe ?? xs[m - 1]!;
  if (!(xb <= xs[0]! && xe >= xs[m - 1]!)) {
    throw new RangeError(`Cannot fit a spline: [xb, xe] = [${xb}, ${xe}] must contain the data`);
  }
  return {
    m,
    x: xs,
    y: Float64Array.from(y),
    w,
    xb,
    xe,
    k,
    s,
    nest,
    tol: opts.tol ?? 0.001,
    maxit: opts.maxit ?? 20,
    n: 0,
    t: new Float64Array(nest),
    c: new Float64Array(nest),
    fpint: new Float64Array(nest),
    nrdata: new Int32Array(nest),
    fp: 0,
    ier: 0,
  };
}

function result(st: FitState): SplineFit {
  return { t: st.t.slice(0, st.n), c: st.c.slice(0, st.n), k: st.k, fp: st.fp, ier: st.ier };
}

/**
 * Smoothing spline of degree k through (x, y) with Σ(w(y − s))² ≈ s (FITPACK curfit, iopt = 0, as
 * scipy's `fpcurf0`): the fewest knots FITPACK's strategy finds, then the smoothest spline on them.
 * x must be non-decreasing.
 *
 * @example
 * ```ts
 * const x = Array.from({ length: 50 }, (_, i) => i / 49);
 * const fit = curfit(x, x.map((v) => v * v * v), { s: 1 }); // a cubic: the polynomial itself
 * // fit.ier === -2, splev(fit, [0.5])[0] ≈ 0.125
 * ```
 */
export function curfit(x: ArrayLike<number>, y: ArrayLike<number>, opts: CurfitOptions = {}): SplineFit {
  const st = newState(x, y, opts);
  fitSmoothing(st, 0);
  return result(st);
}

/** Options of {@link univariateSpline} (scipy.interpolate.UnivariateSpline's). */
export interface UnivariateSplineOptions {
  w?: ArrayLike<number>;
  /** [xb, xe]; undefined ends default to the first/last x. */
  bbox?: [number | undefined, number | undefined];
  k?: number;
  /** Default: the number of points. */
  s?: number;
}

/**
 * scipy `UnivariateSpline(x, y, w, bbox, k, s)`: curfit with nest = max(⌊m/2⌋, 2k+2); when that storage
 * runs out (ier = 1) the fit continues from the knots found with nest = m+k+1, as scipy does.
 * Returns the least-squares polynomial when s ≥ its residual (ier = −2).
 */
export function univariateSpline(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: UnivariateSplineOptions = {},
): SplineFit {
  const co: CurfitOptions = {};
  if (opts.w) co.w = opts.w;
  if (opts.k !== undefined) co.k = opts.k;
  if (opts.s !== undefined) co.s = opts.s;
  if (opts.bbox?.[0] !== undefined) co.xb = opts.bbox[0];
  if (opts.bbox?.[1] !== undefined) co.xe = opts.bbox[1];
  const st = newState(x, y, co);
  fitSmoothing(st, 0);
  if (st.ier === 1) {
    const nest = st.m + st.k + 1;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(nest);
      b.set(a.subarray(0, Math.min(a.length, nest)));
      return b;
    };
    st.t = grow(st.t);
    st.c = grow(st.c);
    st.fpint = grow(st.fpint);
    const nr = new Int32Array(nest);
    nr.set(st.nrdata.subarray(0, Math.min(st.nrdata.length, nest)));
    st.nrdata = nr;
    st.nest = nest;
    fitSmoothing(st, 1);
  }
  return result(st);
}

/**
 * Evaluate a spline at the points x (FITPACK splev with e = 0: outside [t[k], t[n−k−1]] the end
 * polynomial pieces are extended). Any order of x.
 */
export function splev(sp: Spline, x: ArrayLike<number>): Float64Array {
  const { t, c, k } = sp;
  const n = t.length;
  const nk1 = n - k - 1;
  const h = new Float64Array(k + 1);
  const out = new Float64Array(x.length);
  let l = k;
  for (let i = 0; i < x.length; i++) {
    const arg = x[i]!;
    while (arg < t[l]! && l > k) l--;
    while (!(arg < t[l + 1]! || l === nk1 - 1)) l++;
    bsplineValues(t, k, arg, l, h);
    let v = 0;
    for (let j = 0; j <= k; j++) v = v + c[l - k + j]! * h[j]!;
    out[i] = v;
  }
  return out;
}
