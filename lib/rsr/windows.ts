/**
 * The driver's baseline windows and the `--exclude` splitting (rsr.md §2.13, §7.3 step 6).
 *
 * @module
 */
import { NBOARD } from "./raw.ts";
import { boardRange, type Windows } from "./product.ts";

/** Start windows: one tuple (min f_b, max f_b) per board, ascending also for descending boards. */
export function startWindows(freq: Float64Array[]): Windows {
  const w: Windows = new Map();
  for (let b = 0; b < NBOARD; b++) w.set(b, [boardRange(freq[b]!)]);
  return w;
}

/**
 * Split the windows around each exclusion (centre f, half-width w), pairs sorted by centre: for every
 * board whose range contains f, each tuple (a, b) with a ≤ f ≤ b (as stored) becomes (a, f−w), (f+w, b).
 * `pairs` is the flat list f1 w1 f2 w2 ...
 */
export function excludeWindows(windows: Windows, freq: Float64Array[], pairs: number[]): Windows {
  if (pairs.length % 2 !== 0) {
    throw new RangeError(`Cannot use --exclude: odd number of values (${pairs.length})`);
  }
  const list: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i]!, pairs[i + 1]!]);
  list.sort((x, y) => x[0] - y[0]);
  for (const [f, w] of list) {
    for (let b = 0; b < NBOARD; b++) {
      const [lo, hi] = boardRange(freq[b]!);
      if (!(lo <= f && f <= hi)) continue;
      const cur = windows.get(b) ?? [];
      const next: ([number, number] | null)[] = [];
      for (const e of cur) {
        if (e !== null && e[0] <= f && f <= e[1]) {
          next.push([e[0], f - w], [f + w, e[1]]);
        } else {
          next.push(e);
        }
      }
      windows.set(b, next);
    }
  }
  return windows;
}
