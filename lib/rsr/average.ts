/**
 * Averaging the repeats of one product (rsr.md §2.9) and coadding several products (§2.10).
 *
 * @module
 */
import { NBOARD, NLAG } from "./raw.ts";
import { baseline, type WindowState } from "./baseline.ts";
import { BLANK, makeProduct, offset, type RsrProduct } from "./product.ts";

/**
 * average_all_repeats(weight='sigma', threshold): per board, the 1/σ²-weighted mean of the accepted
 * repeats (σ < threshold, strict; without threshold every repeat that is not entirely masked) with
 * one scalar weight per board; NaN where any accepted repeat is NaN; BLANK where any repeat is BLANK.
 * Then σ is recomputed (order 0, no subtraction, stored windows). Returns a new 1-repeat product.
 */
export function averageRepeats(p: RsrProduct, state: WindowState, threshold?: number): RsrProduct {
  const out = new Float64Array(NBOARD * NLAG);
  const haveSigma = p.sigma.some((s) => !Number.isNaN(s));
  for (let b = 0; b < NBOARD; b++) {
    const sum = new Float64Array(NLAG);
    const nan = new Uint8Array(NLAG);
    const blank = new Uint8Array(NLAG);
    let W = 0;
    for (let r = 0; r < p.nrep; r++) {
      const o = offset(r, b);
      for (let k = 0; k < NLAG; k++) if (p.data[o + k] === BLANK) blank[k] = 1;
      const w = haveSigma ? 1 / (p.sigma[r * NBOARD + b]! ** 2) : 1;
      let accept: boolean;
      if (threshold !== undefined) {
        accept = 1 / Math.sqrt(w) < threshold;
      } else {
        accept = false;
        for (let k = 0; k < NLAG; k++) {
          if (!Number.isNaN(p.data[o + k]!)) {
            accept = true;
            break;
          }
        }
      }
      if (!accept) continue;
      W += w;
      for (let k = 0; k < NLAG; k++) {
        const v = p.data[o + k]!;
        if (Number.isNaN(v)) nan[k] = 1;
        else if (v !== BLANK) sum[k]! += w * v;
      }
    }
    const o = b * NLAG;
    for (let k = 0; k < NLAG; k++) {
      let v = W === 0 || nan[k] ? NaN : sum[k]! / W;
      if (blank[k]) v = BLANK;
      out[o + k] = v;
    }
  }
  const res = makeProduct(p.obsnum, p.chassis, p.freq, p.boardNumber, 1, out);
  baseline(res, state, { order: 0, subtract: false });
  return res;
}

/**
 * average_scans: coadd products board by board with per-channel weights 1/σ_h² (σ of repeat 0),
 * accepting σ < threshold (strict) or, without threshold, boards not entirely masked with weight
 * > 1e-40. BLANK values are left out; masked where no weight or any accepted input is NaN.
 * Then σ is recomputed (order 0, no subtraction, stored windows of the first product's state).
 */
export function averageScans(products: RsrProduct[], state: WindowState, threshold?: number): RsrProduct {
  if (products.length === 0) throw new RangeError("Cannot average: no products");
  const first = products[0]!;
  const out = new Float64Array(NBOARD * NLAG);
  for (let b = 0; b < NBOARD; b++) {
    const num = new Float64Array(NLAG);
    const den = new Float64Array(NLAG);
    const nan = new Uint8Array(NLAG);
    for (const h of products) {
      const sigma = h.sigma[b]!;
      const w = 1 / (sigma * sigma);
      const o = offset(0, b);
      let accept: boolean;
      if (threshold !== undefined) {
        accept = sigma < threshold;
      } else {
        let any = false;
        for (let k = 0; k < NLAG; k++) {
          if (!Number.isNaN(h.data[o + k]!)) {
            any = true;
            break;
          }
        }
        accept = any && w > 1e-40;
      }
      if (!accept) continue;
      for (let k = 0; k < NLAG; k++) {
        const v = h.data[o + k]!;
        if (Number.isNaN(v)) {
          nan[k] = 1;
        } else if (v !== BLANK) {
          num[k]! += w * v;
          den[k]! += w;
        }
      }
    }
    const o = b * NLAG;
    for (let k = 0; k < NLAG; k++) out[o + k] = den[k] === 0 || nan[k] ? NaN : num[k]! / den[k]!;
  }
  const res = makeProduct(first.obsnum, first.chassis, first.freq, first.boardNumber, 1, out);
  baseline(res, state, { order: 0, subtract: false });
  return res;
}
