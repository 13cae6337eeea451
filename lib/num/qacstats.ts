/**
 * Robust statistics as NEMO `tabstat ... bad=0 robust=t qac=t` computes the LMTOY regression numbers
 * (`QAC_STATS: label mean rms min max sum sratio n`): values exactly 0 (and non-finite) are dropped,
 * the robust subset keeps values within [Q1 − 1.5·IQR, Q3 + 1.5·IQR] with Q1 = x[⌊(n+1)/4⌋],
 * Q3 = x[⌊3(n+1)/4⌋] of the sorted values (0-based), mean and population rms over that subset;
 * min, max, sum and sratio over all kept values.
 *
 * @module
 */

/** QAC_STATS numbers. */
export interface QacStats {
  mean: number;
  rms: number;
  min: number;
  max: number;
  sum: number;
  sratio: number;
  /** size of the robust subset */
  n: number;
}

/** QAC statistics of the values (zeros and non-finite values ignored). */
export function qacStats(values: ArrayLike<number>): QacStats {
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x) && x !== 0) v.push(x);
  }
  if (v.length === 0) return { mean: NaN, rms: NaN, min: NaN, max: NaN, sum: 0, sratio: NaN, n: 0 };
  let min = Infinity, max = -Infinity, sum = 0, pos = 0, neg = 0;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    if (x > 0) pos += x;
    else neg += x;
  }
  const s = Float64Array.from(v).sort();
  const n = s.length;
  const q1 = s[Math.min(n - 1, Math.floor((n + 1) / 4))]!;
  const q3 = s[Math.min(n - 1, Math.floor((3 * (n + 1)) / 4))]!;
  const iqr = q3 - q1;
  const lo = q1 - 1.5 * iqr;
  const hi = q3 + 1.5 * iqr;
  let m = 0, k = 0;
  for (const x of s) {
    if (x >= lo && x <= hi) {
      m += x;
      k++;
    }
  }
  m /= k;
  let ss = 0;
  for (const x of s) if (x >= lo && x <= hi) ss += (x - m) ** 2;
  return {
    mean: m,
    rms: Math.sqrt(ss / k),
    min,
    max,
    sum,
    sratio: (pos + neg) / (pos - neg),
    n: k,
  };
}
