/**
 * Beam-switched (Bs) scan → calibrated repeat spectra [nrep, 6, 256] in K (rsr.md §2.5).
 *
 * @module
 */
import { NBOARD, NLAG, normalisedLags, RsrDataError, type RsrScan } from "./raw.ts";
import type { BoardBadLags, Calibration } from "./calibration.ts";
import { makeSpectrum } from "./spectrum.ts";
import { identityOf, memoized, type ObjectMemo } from "../sys/identity.ts";

/** Sign of the Bs difference per chassis (−1 for chassis 1 and 2). */
export function chassisSign(chassis: number): number {
  return chassis === 1 || chassis === 2 ? -1 : 1;
}

/** Record pairs (positive beam, negative beam) of a Bs scan: (2i, 2i+1) with BufPos {0,1} in either order. */
export function bsPairs(scan: RsrScan): [number, number][] {
  const path = scan.header.path;
  if (scan.nrec % 2 !== 0) {
    throw new RsrDataError(
      path,
      `odd number of records (${scan.nrec}) in a Bs scan: probably an incomplete observation`,
    );
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < scan.nrec; i += 2) {
    const a = scan.bufPos[i]!;
    const b = scan.bufPos[i + 1]!;
    if (a === 0 && b === 1) pairs.push([i, i + 1]);
    else if (a === 1 && b === 0) pairs.push([i + 1, i]);
    else {throw new RsrDataError(
        path,
        `variable Data.Dcs.BufPos: records ${i},${i + 1} hold ${a},${b}, expected 0 and 1`,
      );}
  }
  return pairs;
}

/**
 * Bs spectra already computed in this process, per scan object: the pipeline's rsr_driver, rsr_tsys and
 * rsr_sum runs ask for the same scans with the same bad lags, calibration and corr_cal matrices (the scan,
 * calibration and matrices are the same objects while their files are unchanged: lib/rsr/raw.ts,
 * lib/rsr/calibrated.ts and lib/rsr/corrcal.ts keep them), and the result depends on nothing else. Each
 * caller gets its own copy of the data.
 */
const BS: ObjectMemo<RsrScan, { nrep: number; data: Float64Array }> = new WeakMap();

/**
 * Calibrated Bs repeats: T = sgn·[2·Sp/(STp−Sp) − 2·Sn/(STn−Sn)]·Tsys/2, returned as a flat
 * Float64Array [nrep·6·256] (NaN at invalid channels) and nrep (computed once per process for the same
 * inputs, see {@link BS}).
 */
export function bsSpectra(
  scan: RsrScan,
  cal: Calibration,
  badLags: BoardBadLags,
  corrCal: Float64Array[],
): { nrep: number; data: Float64Array } {
  const key = `${identityOf(cal)}|${corrCal.map(identityOf).join(",")}|${JSON.stringify(badLags)}`;
  const r = memoized(BS, scan, key, () => computeBsSpectra(scan, cal, badLags, corrCal));
  return { nrep: r.nrep, data: r.data.slice() };
}

function computeBsSpectra(
  scan: RsrScan,
  cal: Calibration,
  badLags: BoardBadLags,
  corrCal: Float64Array[],
): { nrep: number; data: Float64Array } {
  const h = scan.header;
  if (h.accumMode === "AccumCompressed") {
    throw new RsrDataError(h.path, "variable AccumMode: 'AccumCompressed' data cannot be processed");
  }
  const pairs = bsPairs(scan);
  const nrep = pairs.length;
  const data = new Float64Array(nrep * NBOARD * NLAG);
  const sgn = chassisSign(h.chassis);
  const sp = new Float64Array(NLAG);
  const stp = new Float64Array(NLAG);
  const sn = new Float64Array(NLAG);
  const stn = new Float64Array(NLAG);
  for (let i = 0; i < nrep; i++) {
    const [p, n] = pairs[i]!;
    for (let b = 0; b < NBOARD; b++) {
      const bl = badLags[b] ?? [];
      const m = corrCal[b]!;
      const g = cal.gnorm[b]!;
      makeSpectrum(normalisedLags(scan, p, b, "acc"), bl, m, g, sp);
      makeSpectrum(normalisedLags(scan, p, b, "ref"), bl, m, undefined, stp);
      makeSpectrum(normalisedLags(scan, n, b, "acc"), bl, m, g, sn);
      makeSpectrum(normalisedLags(scan, n, b, "ref"), bl, m, undefined, stn);
      const ts = cal.tsys[b]!;
      const off = (i * NBOARD + b) * NLAG;
      for (let k = 0; k < NLAG; k++) {
        const a = 2 * sp[k]! / (stp[k]! - sp[k]!);
        const c = 2 * sn[k]! / (stn[k]! - sn[k]!);
        data[off + k] = sgn * (a - c) * ts[k]! / 2;
      }
    }
  }
  return { nrep, data };
}
