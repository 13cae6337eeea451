/**
 * Real DFT helpers (numpy.fft.rfft / irfft semantics) by direct summation; meant for short vectors
 * (a few hundred points).
 * @module
 */

/** numpy.fft.rfft: returns [re, im] arrays of length floor(n/2)+1. */
export function rfft(x: ArrayLike<number>): [Float64Array, Float64Array] {
  const n = x.length;
  const m = Math.floor(n / 2) + 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += x[t]! * Math.cos(a);
      si += x[t]! * Math.sin(a);
    }
    re[k] = sr;
    im[k] = si;
  }
  return [re, im];
}

/** numpy.fft.irfft(F, n): real inverse of a half spectrum, output length n (default 2·(m−1)). */
export function irfft(re: ArrayLike<number>, im: ArrayLike<number>, n = 2 * (re.length - 1)): Float64Array {
  const m = re.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      // Hermitian extension of the half spectrum (only bins < m are given; missing bins are 0)
      let r: number;
      let i: number;
      if (k < m && k <= n / 2) {
        r = re[k]!;
        i = im[k]!;
      } else if (n - k < m) {
        r = re[n - k]!;
        i = -im[n - k]!;
      } else {
        r = 0;
        i = 0;
      }
      if (k === 0 || (n % 2 === 0 && k === n / 2)) i = 0;
      const a = (2 * Math.PI * k * t) / n;
      s += r * Math.cos(a) - i * Math.sin(a);
    }
    out[t] = s / n;
  }
  return out;
}
