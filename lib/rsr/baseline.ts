/**
 * Polynomial baseline fit over windows and the noise estimate σ (rsr.md §2.8).
 *
 * @module
 */
import { npStd } from "../num/npstats.ts";
import { polyFitter, polyval } from "../num/polyfit.ts";
import { NBOARD, NLAG } from "./raw.ts";
import { BLANK, NO_SIGMA, offset, type RsrProduct, type Windows } from "./product.ts";

/** Options of {@link baseline}. */
export interface BaselineOptions {
  /** Polynomial order 0..3. */
  order: number;
  /** Subtract the fitted polynomial (default true). */
  subtract?: boolean;
  /**
   * Windows given explicitly (a "call with windows"); when absent the stored `state.windows` are used
   * (an "argument-less call", which first fills empty lists with the whole board).
   */
  windows?: Windows;
}

/** Per-product window state (dreampy stores the dict on the object). */
export interface WindowState {
  windows: Windows | null;
}

/** Fill every empty list of `w` with the whole board of `p` (argument-less call rule). */
function fillEmpty(w: Windows, p: RsrProduct): void {
  for (const b of p.boardNumber) {
    const list = w.get(b);
    if (!list || list.length === 0) {
      const f = p.freq[b]!;
      w.set(b, [[f[0]!, f[NLAG - 1]!]]);
    }
  }
}

/**
 * Fit and (optionally) subtract a polynomial of `order` in frequency over the windows, per repeat and
 * board; σ[r,b] = population std of the residuals over the fitted channels, 1e38 if none.
 * Mutates `p.data` and `p.sigma` and records the windows in `state` (shared dict semantics).
 */
export function baseline(p: RsrProduct, state: WindowState, opts: BaselineOptions): void {
  const order = opts.order;
  if (!Number.isInteger(order) || order < 0 || order > 3) {
    throw new RangeError(`Cannot fit baseline: order ${order} must be 0..3`);
  }
  const subtract = opts.subtract ?? true;
  let w: Windows;
  const withWindows = opts.windows !== undefined;
  if (opts.windows) {
    w = opts.windows;
    state.windows = w;
  } else if (state.windows) {
    w = state.windows;
    fillEmpty(w, p);
  } else {
    w = new Map();
    fillEmpty(w, p);
    state.windows = w;
  }
  const inWin = new Uint8Array(NLAG);
  let prevSel: Uint8Array | null = null;
  const sel = new Uint8Array(NLAG);
  for (let r = 0; r < p.nrep; r++) {
    prevSel = null;
    for (const b of p.boardNumber) {
      const f = p.freq[b]!;
      const o = offset(r, b);
      const list = w.get(b) ?? [];
      if (list.length === 0 && withWindows) {
        if (prevSel === null) throw new RangeError(`Cannot fit baseline: empty window list for board ${b}`);
        inWin.set(prevSel);
      } else {
        inWin.fill(0);
        for (const e of list) {
          if (e === null) {
            inWin.fill(1);
            break;
          }
          const lo = Math.min(e[0], e[1]);
          const hi = Math.max(e[0], e[1]);
          for (let k = 0; k < NLAG; k++) if (f[k]! >= lo && f[k]! <= hi) inWin[k] = 1;
        }
      }
      let n = 0;
      for (let k = 0; k < NLAG; k++) {
        const v = p.data[o + k]!;
        sel[k] = inWin[k] && Number.isFinite(v) && v !== BLANK ? 1 : 0;
        if (sel[k]) n++;
      }
      prevSel = sel.slice();
      if (n === 0 || n <= order) {
        p.sigma[r * NBOARD + b] = NO_SIGMA;
        continue;
      }
      const xs = new Float64Array(n);
      const ys = new Float64Array(n);
      let j = 0;
      for (let k = 0; k < NLAG; k++) {
        if (sel[k]) {
          xs[j] = f[k]!;
          ys[j] = p.data[o + k]!;
          j++;
        }
      }
      const coef = polyFitter(xs, order).fit(ys);
      const res = new Float64Array(n);
      for (let i = 0; i < n; i++) res[i] = ys[i]! - polyval(coef, xs[i]!);
      p.sigma[r * NBOARD + b] = npStd(res);
      if (subtract) {
        for (let k = 0; k < NLAG; k++) {
          const v = p.data[o + k]!;
          if (Number.isFinite(v) && v !== BLANK) p.data[o + k] = v - polyval(coef, f[k]!);
        }
      }
    }
  }
}
