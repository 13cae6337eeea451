/**
 * Deterministic pseudo-random numbers for the generators: the same seed gives the same stream on
 * every platform (32-bit integer arithmetic only), so generated files are byte-identical on rerun.
 * @module
 */

/** xoshiro128** generator seeded through splitmix32, with Gaussian deviates (Box–Muller). */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare = 0;
  #hasSpare = false;

  /** Seed with any integer (or a list of integers, e.g. [seed, obsnum, chassis]). */
  constructor(seed: number | readonly number[]) {
    const seeds = typeof seed === "number" ? [seed] : seed;
    let h = 0x9e3779b9 | 0;
    for (const s of seeds) h = mix32(h ^ (Math.floor(s) | 0) ^ Math.floor(s / 4294967296));
    const st: [number, number, number, number] = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) | 0;
      st[i] = mix32(h);
    }
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
    [this.#s0, this.#s1, this.#s2, this.#s3] = st;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.#s0 = n0 | 0;
    this.#s1 = n1 | 0;
    this.#s2 = n2 | 0;
    this.#s3 = n3 | 0;
    return r;
  }

  /** Uniform deviate in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5, b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal deviate N(0, 1). */
  normal(): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return this.#spare;
    }
    let u = 0;
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    this.#hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill `out` with N(0, sigma) deviates (sigma may be a per-element array). */
  fillNormal(out: Float64Array | Float32Array, sigma: number | ArrayLike<number> = 1): void {
    if (typeof sigma === "number") {
      for (let i = 0; i < out.length; i++) out[i] = sigma * this.normal();
    } else {
      if (sigma.length < out.length) {
        throw new RangeError(`fillNormal: ${sigma.length} sigmas for ${out.length} deviates`);
      }
      for (let i = 0; i < out.length; i++) out[i] = sigma[i]! * this.normal();
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Error function (Abramowitz & Stegun 7.1.26 refined by one Newton-free series switch; |err| < 1.2e-7). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 0.5) {
    // Maclaurin series, accurate to ~1e-12 here
    let term = a, sum = a;
    const a2 = a * a;
    for (let n = 1; n < 30; n++) {
      term *= -a2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-16) break;
    }
    return s * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Numerical Recipes erfc (Chebyshev), fractional error < 1.2e-7
  const t = 1 / (1 + 0.5 * a);
  const y = t * Math.exp(
    -a * a - 1.26551223 +
      t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                      t *
                        (0.27886807 +
                          t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return s * (1 - y);
}
