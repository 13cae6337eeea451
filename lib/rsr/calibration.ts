/**
 * Calibration scan (Cal, CalMode 1, single file) → per-board Tsys(f) and g_norm (rsr.md §2.4).
 *
 * @module
 */
import { boardFrequencies, NBOARD, NLAG, normalisedLags, RsrDataError, type RsrScan } from "./raw.ts";
import { makeSpectrum } from "./spectrum.ts";

/** Bad lags per board (6 lists of lag indices) for one chassis. */
export type BoardBadLags = number[][];

/**
 * Non-linearity ("diffsat") Tsys scaling coefficients [p0, p1, p2] indexed [chassis][board],
 * S(f) = p0 + p1·f + p2·f² (f in GHz). Copied from dreampy3 calibration_scan.py (data).
 */
export const DIFFSAT: readonly (readonly (readonly [number, number, number])[])[] = [
  [
    [7.34152079e+00, -1.79580840e-01, 1.24253497e-03],
    [7.93315138e+00, -1.60071049e-01, 9.02031498e-04],
    [2.80288506e+01, -6.53401895e-01, 3.91676190e-03],
    [1.22405665e+02, -2.55689766e+00, 1.34491661e-02],
    [1.10510165e+01, -1.65585867e-01, 6.59110670e-04],
    [3.98872506e+01, -7.78625325e-01, 3.88134224e-03],
  ],
  [
    [3.24748980e+01, -8.32696797e-01, 5.48390685e-03],
    [1.79916438e+01, -3.87490619e-01, 2.18600744e-03],
    [-1.06681896e+01, 2.84144909e-01, -1.73839248e-03],
    [3.21421487e+01, -6.53854850e-01, 3.41765455e-03],
    [2.37064758e+01, -4.17595082e-01, 1.90348556e-03],
    [4.63857755e+01, -9.12545568e-01, 4.56504927e-03],
  ],
  [
    [-4.76731687e-01, 1.53251650e-02, 2.77181514e-05],
    [6.86855779e+01, -1.50843761e+00, 8.37623012e-03],
    [1.90276497e+01, -4.46213606e-01, 2.73114576e-03],
    [9.13517445e+01, -1.91474237e+00, 1.01294210e-02],
    [6.57368094e+01, -1.18706618e+00, 5.42288265e-03],
    [6.65131276e+01, -1.31728143e+00, 6.59743826e-03],
  ],
  [
    [1.60296400e+01, -4.01648845e-01, 2.65939840e-03],
    [2.41446468e+01, -5.18848756e-01, 2.88828948e-03],
    [2.27700502e+01, -5.33397060e-01, 3.24635137e-03],
    [6.13163689e+01, -1.25404142e+00, 6.50543794e-03],
    [-1.84163344e+01, 3.61224637e-01, -1.69379621e-03],
    [2.39658059e+01, -4.74742570e-01, 2.43468229e-03],
  ],
];

/** Default ambient load temperature (K) when `Rsfend.Temperature[6]` is missing or outside 100..400. */
export const DEFAULT_TAMB = 279.0;

/** Result of a calibration: per-board Tsys spectra (NaN = invalid) and g_norm (NaN = invalid lag). */
export interface Calibration {
  tsys: Float64Array[];
  gnorm: Float64Array[];
  tamb: number;
  /** Frequencies (GHz) of the Cal file's boards. */
  freq: Float64Array[];
}

/** Ambient temperature rule: Temperature[6] if finite and within 100..400 K, else 279 K. */
export function ambientTemperature(temps: Float64Array | null): number {
  if (!temps || temps.length < 7) return DEFAULT_TAMB;
  const t = temps[6]!;
  if (!Number.isFinite(t) || t < 100 || t > 400) return DEFAULT_TAMB;
  return t;
}

/** True when a decimal-year UT date lies after 2015-12-01 (dreampy utdate(): leap year if year%4==0). */
export function isAfter20151201(utDate: number): boolean {
  if (!Number.isFinite(utDate)) return false;
  const y = Math.floor(utDate);
  const days = y % 4 === 0 ? 366 : 365;
  const ms = Date.UTC(y, 0, 1) + (utDate - y) * days * 86400e3;
  return ms > Date.UTC(2015, 11, 1);
}

/** Non-linearity correction N_s(a) of one lag value (lags 0..2 get factor 3). */
function nonlin(a: number, k: number, s: number): number {
  return k < 3 ? a * (1 + 3 * Math.abs(a) / s) : a * (1 + Math.abs(a) / s);
}

/**
 * g_norm of one board from the W,X,Y,Z records (2..5) of a single-file Cal scan:
 * B = (N(W) − N(X) − N(Y) + N(Z))/4, g = mean(finite B)/B, NaN at bad lags and where B is 0 or not finite.
 */
export function gnormBoard(cal: RsrScan, b: number, badLags: number[]): Float64Array {
  const s = 1.3e6;
  const w = normalisedLags(cal, 2, b, "acc");
  const x = normalisedLags(cal, 3, b, "acc");
  const y = normalisedLags(cal, 4, b, "acc");
  const z = normalisedLags(cal, 5, b, "acc");
  for (const l of badLags) {
    if (l >= 0 && l < NLAG) {
      w[l] =
        x[l] =
        y[l] =
        z[l] =
          NaN;
    }
  }
  const B = new Float64Array(NLAG);
  let sum = 0;
  let n = 0;
  for (let k = 0; k < NLAG; k++) {
    const v = (nonlin(w[k]!, k, s) - nonlin(x[k]!, k, s) - nonlin(y[k]!, k, s) + nonlin(z[k]!, k, s)) / 4;
    B[k] = v;
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  const mean = sum / n;
  const g = new Float64Array(NLAG);
  for (let k = 0; k < NLAG; k++) {
    const v = B[k]!;
    g[k] = Number.isFinite(v) && v !== 0 ? mean / v : NaN;
    if (!Number.isFinite(g[k]!)) g[k] = NaN;
  }
  return g;
}

/**
 * Calibrate: Tsys_b(k) = Tamb·sky/(hot − sky)·S_cb(f) and g_norm per board from a single-file Cal scan
 * (records 0 = HOT, 1 = SKY, 2..5 = W,X,Y,Z). `badLags[b]` are the bad lags of this chassis,
 * `corrCal[b]` the matrix of board b's slot.
 */
export function calibrate(calScan: RsrScan, badLags: BoardBadLags, corrCal: Float64Array[]): Calibration {
  const h = calScan.header;
  if (h.obsPgm !== "Cal") {
    throw new RsrDataError(h.path, `Cal scan expected, Header.Dcs.ObsPgm is '${h.obsPgm}'`);
  }
  if (h.calMode !== null && h.calMode !== 1) {
    throw new RsrDataError(
      h.path,
      `variable Header.Cal.CalMode: CalMode ${h.calMode} (diagnostic) is not supported`,
    );
  }
  if (calScan.nrec !== 6) {
    throw new RsrDataError(
      h.path,
      `multi-file Cal scans are not supported (found ${calScan.nrec} records, expected 6)`,
    );
  }
  const c = h.chassis;
  if (c < 0 || c > 3) throw new RsrDataError(h.path, `chassis ${c} outside 0..3`);
  const tamb = ambientTemperature(h.rsfendTemperature);
  const freq = boardFrequencies(h);
  const tsys: Float64Array[] = [];
  const gnorm: Float64Array[] = [];
  const hot = new Float64Array(NLAG);
  const sky = new Float64Array(NLAG);
  for (let b = 0; b < NBOARD; b++) {
    const bl = badLags[b] ?? [];
    makeSpectrum(normalisedLags(calScan, 0, b, "acc"), bl, corrCal[b]!, undefined, hot);
    makeSpectrum(normalisedLags(calScan, 1, b, "acc"), bl, corrCal[b]!, undefined, sky);
    const [p0, p1, p2] = DIFFSAT[c]![b]!;
    const t = new Float64Array(NLAG);
    const f = freq[b]!;
    for (let k = 0; k < NLAG; k++) {
      const v = tamb * sky[k]! / (hot[k]! - sky[k]!);
      const fk = f[k]!;
      t[k] = v * (p0 + p1 * fk + p2 * fk * fk);
    }
    tsys.push(t);
    gnorm.push(gnormBoard(calScan, b, bl));
  }
  if (c === 0 && isAfter20151201(h.utDate)) gnorm[1] = gnorm[2]!.slice();
  return { tsys, gnorm, tamb, freq };
}
