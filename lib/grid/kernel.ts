/**
 * Convolution functions of the OTF gridder (SLR C/ConvolveFunction.c): a 256-entry lookup table
 * of the kernel against distance, evaluated with the original's float32 rules so that cubes agree
 * bit for bit with spec_driver_fits.
 *
 * | otf_select | kernel (x = r/resolution)                                         | beam (BMAJ) |
 * |-----------:|--------------------------------------------------------------------|-------------|
 * | 1          | 2jinc(2πx/a) · exp(−(2x/b)^c) · 2jinc(3.831706·x/rmax)               | 1.15·res    |
 * | 2          | exp(−4ln2·(x/b)²)                                                   | 1.15·res·b  |
 * | 3          | 1 − r/res for r ≤ res                                               | res         |
 * | 4          | 1 for r ≤ res                                                       | res         |
 * | other      | 1 for r ≤ cell/2                                                    | res         |
 *
 * @example
 * ```ts
 * const k = makeKernel({ otfSelect: 1, resolution: 11, cell: 5.5, rmax: 3, a: 1.1, b: 4.75, c: 2 });
 * k.nCells;              // 7
 * kernelWeight(k, 0);    // 1
 * ```
 * @module
 */

const f = Math.fround;

/** Number of table samples; the C code fixes it at 256 whatever `-n` says. */
export const KERNEL_NPTS = 256;

/** Parameters of the convolution function (arcsec; a/b/c are the otf_a/b/c shape parameters). */
export interface KernelParams {
  /** 1 jinc, 2 gauss, 3 triangle, 4 box(resolution), anything else box(cell/2). */
  otfSelect: number;
  /** λ/D in arcsec. */
  resolution: number;
  /** Cell size in arcsec. */
  cell: number;
  /** Kernel radius in units of resolution. */
  rmax: number;
  a: number;
  b: number;
  c: number;
  /** Table size (default 256, as the C code). */
  npts?: number;
}

/** A tabulated kernel. All numbers are float32 values. */
export interface Kernel {
  /** table[i] = kernel at r = i·delta. */
  table: Float32Array;
  /** Arcsec per table step (float32). */
  delta: number;
  /** Half-width of the square cell footprint: offsets −nCells..nCells. */
  nCells: number;
  /** Beam FWHM written to BMAJ/BMIN (arcsec, float32). */
  beam: number;
  /** Human name of the kernel. */
  name: string;
}

/**
 * J1(r)/r with the FCRAO polynomial approximations (Abramowitz & Stegun 9.4.4 / 9.4.6), as the C
 * gridder computes it (float64). jinc(0) = 0.5.
 */
export function jinc(r: number): number {
  if (r <= 3.0) {
    const t = (r / 3.0) * (r / 3.0);
    return 0.5 + t * (-0.56249985 + t * (0.21093573 + t * (-0.03954289 +
                  t * (0.00443319 + t * (-0.00031761 + t * 0.00001109)))));
  }
  const u = 3.0 / r;
  const fa = 0.79788456 + u * (0.00000156 + u * (0.01659667 + u * (0.00017105 +
                u * (-0.00249511 + u * (0.00113653 - u * 0.00020033)))));
  const th = r - 2.35619449 + u * (0.12499612 + u * (0.0000565 + u * (-0.00637879 +
                u * (0.00074348 + u * (0.00079824 - u * 0.00029166)))));
  return fa * Math.cos(th) / (r * Math.sqrt(r));
}

/** Build the lookup table and footprint of a kernel (float32 arithmetic as in the C code). */
export function makeKernel(p: KernelParams): Kernel {
  const npts = p.npts ?? KERNEL_NPTS;
  if (!(npts >= 2)) throw new RangeError(`kernel table needs at least 2 samples, got ${npts}`);
  const res = f(p.resolution);
  const cell = f(p.cell);
  const rmax = f(p.rmax);
  const a = f(p.a), b = f(p.b), c = f(p.c);
  if (!(res > 0)) throw new RangeError(`resolution must be > 0, got ${p.resolution}`);
  if (!(cell > 0)) throw new RangeError(`cell must be > 0, got ${p.cell}`);
  if (!(rmax > 0)) throw new RangeError(`rmax must be > 0, got ${p.rmax}`);
  const reach = f(rmax * res);
  const delta = f(reach / (npts - 1));
  const nCells = Math.floor(f(reach / cell)) + 1;
  const table = new Float32Array(npts);
  let beam: number;
  let name: string;
  switch (p.otfSelect) {
    case 1: {
      name = "jinc";
      for (let i = 0; i < npts; i++) {
        const r = f(i * delta);
        const x = f(r / res);
        const w1 = f(2.0 * jinc(6.28318531 * x / a));
        const w2 = f(Math.exp(-Math.pow(2.0 * x / b, c)));
        const w3 = f(2.0 * jinc(3.831706 * x / rmax));
        table[i] = f(f(w1 * w2) * w3);
      }
      beam = f(1.15 * res);
      break;
    }
    case 2: {
      name = "gauss";
      for (let i = 0; i < npts; i++) {
        const r = f(i * delta);
        const x = f(f(r / res) / b);
        table[i] = f(Math.exp(-2.77258872 * x * x));
      }
      beam = f(f(1.15 * res) * b);
      break;
    }
    case 3: {
      name = "triangle";
      for (let i = 0; i < npts; i++) {
        const r = f(i * delta);
        table[i] = r <= res ? f(1 - f(r / res)) : 0;
      }
      beam = res;
      break;
    }
    case 4: {
      name = "box(resolution)";
      for (let i = 0; i < npts; i++) table[i] = f(i * delta) <= res ? 1 : 0;
      beam = res;
      break;
    }
    default: {
      name = "box(cell/2)";
      const half = f(cell / 2);
      for (let i = 0; i < npts; i++) table[i] = f(i * delta) <= half ? 1 : 0;
      beam = res;
    }
  }
  return { table, delta, nCells, beam, name };
}

/** Kernel value at distance d (arcsec): the table value at the lower node, 0 beyond the table. */
export function kernelWeight(k: Kernel, d: number): number {
  const i = Math.floor(f(f(d) / k.delta));
  return i < k.table.length ? k.table[i]! : 0;
}
