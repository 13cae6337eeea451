/**
 * Unweighted least-squares polynomial fits (numpy.polyfit semantics: coefficients highest power
 * first, column-scaled Vandermonde matrix), prepared once for a fixed set of abscissae and applied to
 * many spectra (Householder QR, O(n·order) per fit).
 *
 * @module
 */

/** A least-squares fitter for one fixed set of abscissae. */
export interface PolyFitter {
  readonly order: number;
  /** Coefficients (highest power first, as numpy.polyfit) for ordinates `y` at the fitter's abscissae. */
  fit(y: ArrayLike<number>): Float64Array;
}

/**
 * Prepare a polynomial fitter of degree `order` for abscissae `x` (needs x.length > order).
 *
 * @example
 * ```ts
 * const f = polyFitter(new Float64Array([0, 1, 2]), 1);
 * f.fit([1, 3, 5]); // Float64Array [2, 1]
 * ```
 */
export function polyFitter(x: ArrayLike<number>, order: number): PolyFitter {
  const n = x.length;
  const m = order + 1;
  if (order < 0) throw new RangeError(`Cannot fit a polynomial of order ${order}`);
  if (n < m) throw new RangeError(`Cannot fit order ${order} to ${n} points: need at least ${m}`);
  if (order === 0) {
    return {
      order,
      fit: (y) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += y[i]!;
        return new Float64Array([s / n]);
      },
    };
  }
  // A (n × m), column k holds x^(order-k), scaled to unit norm
  const a = new Float64Array(n * m);
  const scale = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.pow(x[i]!, order - k);
      a[i * m + k] = v;
      ss += v * v;
    }
    scale[k] = Math.sqrt(ss) || 1;
    for (let i = 0; i < n; i++) a[i * m + k]! /= scale[k]!;
  }
  // Householder QR in place: reflectors v_k stored in vs, R in the upper triangle of a
  const vs: Float64Array[] = [];
  const rdiag = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[i * m + k]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[k * m + k]! > 0 ? -norm : norm;
    const v = new Float64Array(n - k);
    for (let i = k; i < n; i++) v[i - k] = a[i * m + k]!;
    v[0]! -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i]! * v[i]!;
    if (vn > 0) {
      for (let j = k; j < m; j++) {
        let d = 0;
        for (let i = k; i < n; i++) d += v[i - k]! * a[i * m + j]!;
        const fac = (2 * d) / vn;
        for (let i = k; i < n; i++) a[i * m + j]! -= fac * v[i - k]!;
      }
    }
    rdiag[k] = a[k * m + k]!;
    vs.push(v);
  }
  const vnorms = vs.map((v) => v.reduce((s, e) => s + e * e, 0));
  return {
    order,
    fit(y) {
      const qy = new Float64Array(n);
      for (let i = 0; i < n; i++) qy[i] = y[i]!;
      for (let k = 0; k < m; k++) {
        const v = vs[k]!;
        const vn = vnorms[k]!;
        if (vn === 0) continue;
        let d = 0;
        for (let i = k; i < n; i++) d += v[i - k]! * qy[i]!;
        const fac = (2 * d) / vn;
        for (let i = k; i < n; i++) qy[i]! -= fac * v[i - k]!;
      }
      const c = new Float64Array(m);
      for (let k = m - 1; k >= 0; k--) {
        let s = qy[k]!;
        for (let j = k + 1; j < m; j++) s -= a[k * m + j]! * c[j]!;
        c[k] = s / rdiag[k]!;
      }
      for (let k = 0; k < m; k++) c[k]! /= scale[k]!;
      return c;
    },
  };
}

/** Evaluate a polynomial (highest power first) at x by Horner's rule, as numpy.polyval. */
export function polyval(coef: ArrayLike<number>, x: number): number {
  let y = 0;
  for (let k = 0; k < coef.length; k++) y = y * x + coef[k]!;
  return y;
}
