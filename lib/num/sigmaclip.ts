/**
 * Iterative sigma clipping as scipy.stats.sigmaclip(a, low, high): returns the kept values.
 * @module
 */
import { npMean, npStd } from "./npstats.ts";

/**
 * Repeatedly drop values outside [mean − low·std, mean + high·std] (population std) until none is dropped.
 *
 * @example
 * ```ts
 * sigmaClip([1, 1, 1, 1, 100], 1, 1); // Float64Array [1, 1, 1, 1]
 * ```
 */
export function sigmaClip(a: ArrayLike<number>, low = 4, high = 4): Float64Array {
  let c = Float64Array.from(a);
  for (;;) {
    const size = c.length;
    if (size === 0) return c;
    const mean = npMean(c);
    const std = npStd(c);
    const lo = mean - std * low;
    const hi = mean + std * high;
    c = c.filter((v) => v >= lo && v <= hi);
    if (size - c.length === 0) return c;
  }
}
