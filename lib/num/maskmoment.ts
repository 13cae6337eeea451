/**
 * Masked moment maps of a spectral cube, the way maskmoment (Wong et al.) and most radio astronomers
 * make them: the cube is smoothed (Gaussian in x,y, boxcar in z), its noise measured robustly along
 * each spectrum (so the noisier, less covered map edges get their own σ), a "core" mask taken where
 * the smoothed cube exceeds `snr`·σ in at least `nchanHi` consecutive channels, grown into the connected
 * region above `snrLo`·σ in at least `nchanLo` consecutive channels (hysteresis, 6-connected), regions with fewer than `minPixels` map pixels dropped, and
 * the mask dilated by `grow` pixels and channels. Map pixels whose noise exceeds `maxNoise` × the
 * median noise (the sparsely covered map edges) are left out of the mask. The moments are then taken of the unsmoothed cube
 * inside the mask.
 *
 * Arrays are in FITS order: value(ix, iy, k) = data[(k·ny + iy)·nx + ix]; NaN = no data.
 *
 * @example
 * ```ts
 * const [nx, ny, nz] = [8, 8, 32];
 * const velocity = Float64Array.from({ length: nz }, (_, k) => -80 + 5 * k); // km/s
 * const cube = new Float32Array(nx * ny * nz); // value of pixel p in channel k at k·nx·ny + p
 * const m = maskedMoments(cube, { nx, ny, nz, velocity }, { snr: 4, snrLo: 2 });
 * m.mom0; // K km/s per pixel (0 where covered but unmasked, NaN where no data)
 * ```
 * @module
 */
import { selectKth } from "./npstats.ts";

/** Cube shape and the velocity (km/s) of each channel. */
export interface CubeAxes {
  nx: number;
  ny: number;
  nz: number;
  velocity: ArrayLike<number>;
}

/** Mask parameters (defaults in {@link MASK_DEFAULTS}). */
export interface MaskParams {
  /** Core threshold in units of the smoothed cube's rms. */
  snr: number;
  /** Threshold the cores grow into. */
  snrLo: number;
  /** FWHM (pixels) of the Gaussian spatial smoothing; 0 = none. */
  smoothXY: number;
  /** Width (channels) of the boxcar spectral smoothing; 1 = none. */
  smoothZ: number;
  /** Dilation of the final mask: pixels, channels. */
  growXY: number;
  growZ: number;
  /** Minimum number of map pixels a region covers (smaller regions are noise). */
  minPixels: number;
  /** Consecutive channels a core (above snr) and a grown voxel (above snrLo) need. */
  nchanHi: number;
  nchanLo: number;
  /** Pixels noisier than this many times the median pixel noise are never masked in (0 = no limit). */
  maxNoise: number;
}

/** The defaults of {@link maskedMoments}. */
export const MASK_DEFAULTS: MaskParams = {
  snr: 4,
  snrLo: 2,
  smoothXY: 2,
  smoothZ: 3,
  growXY: 1,
  growZ: 1,
  minPixels: 4,
  nchanHi: 3,
  nchanLo: 2,
  maxNoise: 3,
};

/** Result of {@link maskedMoments}. Maps are nx·ny (x fastest). */
export interface Moments {
  mom0: Float32Array;
  mom1: Float32Array;
  mom2: Float32Array;
  peak: Float32Array;
  /** 1 where a voxel is in the mask. */
  mask: Uint8Array;
  /** Median over the map of the per-spectrum robust rms of the unsmoothed and smoothed cube (K). */
  rms: number;
  rmsSmooth: number;
  /** Voxels in the mask. */
  nmask: number;
}

/** Robust rms: 1.4826 × median absolute deviation from the median of the finite values. */
export function robustRms(a: ArrayLike<number>, step = 1): number {
  const v: number[] = [];
  for (let i = 0; i < a.length; i += step) if (Number.isFinite(a[i]!)) v.push(a[i]!);
  if (v.length === 0) return NaN;
  v.sort((p, q) => p - q);
  const med = v[v.length >> 1]!;
  const d = v.map((x) => Math.abs(x - med)).sort((p, q) => p - q);
  return 1.4826 * d[d.length >> 1]!;
}

/** Smooth in x,y with a Gaussian of FWHM `fwhm` pixels and in z with a boxcar of `w` channels (NaN-aware). */
export function smoothCube(data: ArrayLike<number>, ax: CubeAxes, fwhm: number, w: number): Float32Array {
  const { nx, ny, nz } = ax;
  const plane = nx * ny;
  let cur = Float32Array.from(data as ArrayLike<number>);
  const pass = (kern: number[], stride: number, n: number, len: (i: number) => number) => {
    const r = (kern.length - 1) / 2;
    const out = new Float32Array(cur.length);
    for (let i = 0; i < cur.length; i++) {
      const c = len(i);
      let s = 0, ws = 0;
      for (let j = -r; j <= r; j++) {
        const cj = c + j;
        if (cj < 0 || cj >= n) continue;
        const v = cur[i + j * stride]!;
        if (Number.isFinite(v)) {
          s += kern[j + r]! * v;
          ws += kern[j + r]!;
        }
      }
      out[i] = Number.isFinite(cur[i]!) && ws > 0 ? s / ws : NaN;
    }
    cur = out;
  };
  if (fwhm > 0) {
    const sig = fwhm / 2.3548200450309493;
    const r = Math.max(1, Math.ceil(2.5 * sig));
    const k = Array.from({ length: 2 * r + 1 }, (_, j) => Math.exp(-0.5 * ((j - r) / sig) ** 2));
    pass(k, 1, nx, (i) => i % nx);
    pass(k, nx, ny, (i) => Math.floor(i / nx) % ny);
  }
  if (w > 1) {
    const r = Math.floor(w / 2);
    pass(Array(2 * r + 1).fill(1), plane, nz, (i) => Math.floor(i / plane));
  }
  return cur;
}

/** Robust rms (K) of each spectrum (x fastest), NaN where a spectrum has no data. */
export function spectrumRms(data: ArrayLike<number>, ax: CubeAxes): Float64Array {
  const plane = ax.nx * ax.ny;
  const out = new Float64Array(plane);
  const spec = new Float64Array(ax.nz);
  for (let c = 0; c < plane; c++) {
    for (let k = 0; k < ax.nz; k++) spec[k] = data[k * plane + c]!;
    out[c] = robustRms(spec);
  }
  return out;
}

/** The upper middle value of the finite values of `a` (for an even count not their mean); NaN if none. */
function median(a: ArrayLike<number>): number {
  const v = Float64Array.from(Array.from(a).filter(Number.isFinite));
  return v.length ? selectKth(v, v.length >> 1) : NaN;
}

/** Compute the mask and the moment maps. */
export function maskedMoments(data: ArrayLike<number>, ax: CubeAxes, p: Partial<MaskParams> = {}): Moments {
  const q: MaskParams = { ...MASK_DEFAULTS, ...p };
  const { nx, ny, nz } = ax;
  const plane = nx * ny, n = plane * nz;
  if (data.length !== n) throw new RangeError(`cube has ${data.length} values, expected ${nx}×${ny}×${nz}`);
  if (ax.velocity.length !== nz) {
    throw new RangeError(`velocity axis has ${ax.velocity.length} values, expected ${nz}`);
  }
  const sm = smoothCube(data, ax, q.smoothXY, q.smoothZ);
  const sigma = spectrumRms(sm, ax);
  const sigma0 = spectrumRms(data, ax);
  const rms = median(sigma0), rmsS = median(sigma);
  const noisy = (c: number) => q.maxNoise > 0 && !(sigma0[c]! <= q.maxNoise * rms);
  const hiOf = new Float64Array(plane), loOf = new Float64Array(plane);
  for (let c = 0; c < plane; c++) {
    // a spectrum without a noise estimate (constant or empty) never passes
    const ok = sigma[c]! > 0 && !noisy(c);
    hiOf[c] = ok ? q.snr * sigma[c]! : Infinity;
    loOf[c] = ok ? q.snrLo * sigma[c]! : Infinity;
  }
  // voxels above the thresholds, in runs of enough consecutive channels; the channels at the band edges
  // that the boxcar only half covers (noisier) cannot be cores
  const edge = Math.floor(q.smoothZ / 2);
  const above = (thr: Float64Array, nrun: number, skipEdge: number) => {
    const a = new Uint8Array(n);
    for (let c = 0; c < plane; c++) {
      let run = 0;
      for (let k = 0; k <= nz; k++) {
        const ok = k < nz && k >= skipEdge && k < nz - skipEdge && sm[k * plane + c]! > thr[c]!;
        if (ok) run++;
        else {
          if (run >= nrun) { for (let j = k - run; j < k; j++) a[j * plane + c] = 1; }
          run = 0;
        }
      }
    }
    return a;
  };
  const isHi = above(hiOf, q.nchanHi, edge), isLo = above(loOf, q.nchanLo, 0);
  // hysteresis: flood-fill the >lo voxels from every >hi voxel (6-connected)
  const mask = new Uint8Array(n);
  const stack: number[] = [];
  const region: number[] = [];
  for (let s = 0; s < n; s++) {
    if (mask[s] || !isHi[s]) continue;
    region.length = 0;
    mask[s] = 1;
    stack.push(s);
    while (stack.length) {
      const i = stack.pop()!;
      region.push(i);
      const ix = i % nx, iy = Math.floor(i / nx) % ny, k = Math.floor(i / plane);
      const nb = [
        ix > 0 ? i - 1 : -1,
        ix < nx - 1 ? i + 1 : -1,
        iy > 0 ? i - nx : -1,
        iy < ny - 1 ? i + nx : -1,
        k > 0 ? i - plane : -1,
        k < nz - 1 ? i + plane : -1,
      ];
      for (const j of nb) {
        if (j >= 0 && !mask[j] && (isLo[j] || isHi[j])) {
          mask[j] = 1;
          stack.push(j);
        }
      }
    }
    const pix = new Set(region.map((i) => i % plane));
    if (pix.size < q.minPixels) { for (const i of region) mask[i] = 2; // visited, rejected
     }
  }
  for (let i = 0; i < n; i++) if (mask[i] === 2) mask[i] = 0;
  // dilation by growXY pixels (square) and growZ channels
  let grown = mask;
  if (q.growXY > 0 || q.growZ > 0) {
    grown = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      const ix = i % nx, iy = Math.floor(i / nx) % ny, k = Math.floor(i / plane);
      for (let dk = -q.growZ; dk <= q.growZ; dk++) {
        const kk = k + dk;
        if (kk < 0 || kk >= nz) continue;
        for (let dy = -q.growXY; dy <= q.growXY; dy++) {
          const yy = iy + dy;
          if (yy < 0 || yy >= ny) continue;
          for (let dx = -q.growXY; dx <= q.growXY; dx++) {
            const xx = ix + dx;
            if (xx >= 0 && xx < nx && !noisy(yy * nx + xx)) grown[(kk * ny + yy) * nx + xx] = 1;
          }
        }
      }
    }
  }
  const mom0 = new Float32Array(plane), mom1 = new Float32Array(plane).fill(NaN);
  const mom2 = new Float32Array(plane).fill(NaN), peak = new Float32Array(plane).fill(NaN);
  const v = ax.velocity;
  const dv = nz > 1 ? Math.abs(v[1]! - v[0]!) : 1;
  let nmask = 0;
  for (let c = 0; c < plane; c++) {
    let s0 = 0, s1 = 0, s2 = 0, pk = -Infinity, any = false, inMask = false;
    for (let k = 0; k < nz; k++) {
      const i = k * plane + c;
      const t = data[i]!;
      if (!Number.isFinite(t)) continue;
      any = true;
      if (!grown[i]) continue;
      inMask = true;
      nmask++;
      s0 += t;
      s1 += t * v[k]!;
      s2 += t * v[k]! * v[k]!;
      if (t > pk) pk = t;
    }
    if (!any) {
      mom0[c] = NaN;
      continue;
    }
    mom0[c] = s0 * dv;
    if (!inMask) continue;
    peak[c] = pk;
    if (s0 > 0) {
      const m1 = s1 / s0;
      mom1[c] = m1;
      mom2[c] = Math.sqrt(Math.max(0, s2 / s0 - m1 * m1));
    }
  }
  return { mom0, mom1, mom2, peak, mask: grown, rms, rmsSmooth: rmsS, nmask };
}
