/**
 * Plot choices of the SEQ summary page (lib/report/seq.ts) that can be checked without pixels: the
 * weight map's colour range and the zoom on a Bs line.
 * @module
 */
import type { GaussFit } from "../num/gaussfit.ts";
import type { PlotLinesOpts, Series } from "../plot/mod.ts";

/**
 * Colour range of a weight map: [0, max finite weight]. Weights are ≥ 0 by meaning; the convolution
 * kernel's negative side lobes give small negative values at the map edges, which are drawn as 0.
 * [0, 1] when no weight is > 0.
 */
export function weightDomain(wt: ArrayLike<number>): [number, number] {
  let max = 0;
  for (let i = 0; i < wt.length; i++) {
    const w = wt[i]!;
    if (Number.isFinite(w) && w > max) max = w;
  }
  return [0, max > 0 ? max : 1];
}

/** Gaussian plus linear baseline of a fit, at x. */
export function gaussAt(g: GaussFit, x: number): number {
  return g.offset + g.slope * (x - g.center) + g.peak * Math.exp(-((x - g.center) ** 2) / (2 * g.sigma ** 2));
}

/**
 * Half-width (km/s) of the zoom around a Bs line: 5 FWHM, at least 20 channels, at most the spectrum's
 * half span.
 */
export function bsZoomHalfWidth(x: ArrayLike<number>, line: GaussFit): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < lo) lo = x[i]!;
    if (x[i]! > hi) hi = x[i]!;
  }
  const dv = x.length > 1 ? Math.abs(x[1]! - x[0]!) : 1;
  return Math.min(Math.max(5 * Math.abs(line.fwhm), 20 * dv), Math.max((hi - lo) / 2, dv));
}

/**
 * The zoom plot of a Bs spectrum: the channels within centre ± {@link bsZoomHalfWidth} (so the y axis
 * is set by the line and the nearby noise, not by the whole band) and the fitted Gaussian, finely sampled.
 */
export function bsZoomPlotOpts(
  name: string,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  line: GaussFit,
): PlotLinesOpts {
  const h = bsZoomHalfWidth(x, line);
  const lo = line.center - h, hi = line.center + h;
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i]! >= lo && x[i]! <= hi) {
      xs.push(x[i]!);
      ys.push(y[i]!);
    }
  }
  const n = 401;
  const fx = Array.from({ length: n }, (_, i) => lo + (2 * h * i) / (n - 1));
  const series: Series[] = [
    { x: xs, y: ys, label: "Bs spectrum", step: true },
    { x: fx, y: fx.map((v) => gaussAt(line, v)), label: "fit", color: "#d62728" },
  ];
  return {
    title: `${name}: zoom ±${h.toFixed(0)} km/s on the line, FWHM ${line.fwhm.toFixed(2)} km/s`,
    xLabel: "VLSR (km/s)",
    yLabel: "T_A* (K)",
    series,
    xDomain: [lo, hi],
    hlines: [0],
    vlines: [line.center],
    width: 600,
    height: 300,
  };
}
