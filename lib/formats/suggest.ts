/**
 * "Did you mean" suggestions for a misspelled name (an option, a parameter, a key): the closest
 * candidate by edit distance, ignoring case and `-` versus `_`. Used by lib/cli's option parser and
 * lib/runfile's parameter checks.
 *
 * @example
 * ```ts
 * didYouMean("spkie", ["spike", "bc_hi"]);   // "spike"
 * didYouMean("zzzzzz", ["spike", "bc_hi"]);  // undefined: nothing close
 * ```
 * @module
 */

/** Levenshtein distance (small strings). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** The closest candidate to `word` (or undefined when nothing is close). */
export function didYouMean(word: string, candidates: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, "_");
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(c) === norm(word) ? 0 : editDistance(norm(word), norm(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}
