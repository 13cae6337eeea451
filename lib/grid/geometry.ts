/**
 * Cube geometry of the OTF gridder: spatial axes from the half extents and the cell size, the
 * spectral axis from the first SpecFile, cell centres and the nearest-cell index, all in float32 as
 * spec_driver_fits computes them.
 *
 * Deliberate fix (docs/compat.md): the original stores `-x` into the Y slot and `-y` into the X slot
 * and so gives each spatial axis the *other* axis' reference pixel (LMTOY issue #9). Here `xExtent`
 * sizes the X (RA/longitude) axis and `yExtent` the Y axis, and each axis has its own reference pixel
 * `(n−1)/2 + 1` (the centre of the middle cell). For square maps both are identical.
 *
 * Memory layout used by the accumulator: `cube[(iy·nx + ix)·nz + k]`, planes `plane[iy·nx + ix]`.
 *
 * @example
 * ```ts
 * const g = cubeGeometry({ xExtent: 120, yExtent: 120, cell: 6.5, nz: 585, crval3: 394.5948, cdelt3: -1.1952, crpix3: 1 });
 * g.nx;                 // 37
 * cellIndex(g.x, 0);    // 18 (the middle cell)
 * ```
 * @module
 */

const f = Math.fround;

/** One spatial axis (arcsec; float32 values). */
export interface SpatialAxis {
  n: number;
  /** 1-based reference pixel. */
  crpix: number;
  /** Value at crpix (arcsec; always 0: offsets from the map centre). */
  crval: number;
  /** Cell size (arcsec). */
  cdelt: number;
  /** Cell centres: (i + 1 − crpix)·cdelt + crval (float32). */
  centres: Float32Array;
}

/** The whole cube geometry. */
export interface CubeGeometry {
  x: SpatialAxis;
  y: SpatialAxis;
  nx: number;
  ny: number;
  /** Number of channels. */
  nz: number;
  /** Spectral axis (SpecFile units, km/s): value at 1-based pixel crpix3. */
  crval3: number;
  cdelt3: number;
  crpix3: number;
}

/** Input of {@link cubeGeometry}. Extents are half sizes in arcsec, as `-x`/`-y`. */
export interface GeometryParams {
  xExtent: number;
  yExtent: number;
  cell: number;
  nz: number;
  crval3: number;
  cdelt3: number;
  /** 1-based spectral reference pixel (SpecFile CRPIX + 1). */
  crpix3: number;
}

/** Number of cells of an axis with half extent `extent`: 2·floor((extent + cell/2)/cell) + 1. */
export function axisLength(extent: number, cell: number): number {
  const e = f(extent), c = f(cell);
  return 2 * Math.floor(f(f(e + f(c / 2)) / c)) + 1;
}

/** A spatial axis of n cells centred on offset 0. */
export function spatialAxis(n: number, cell: number): SpatialAxis {
  const cdelt = f(cell);
  const crpix = f((n - 1) / 2 + 1);
  const centres = new Float32Array(n);
  for (let i = 0; i < n; i++) centres[i] = f(f(f(i + 1 - crpix) * cdelt) + 0);
  return { n, crpix, crval: 0, cdelt, centres };
}

/** Build the geometry (extents must give at least one cell; throws RangeError otherwise). */
export function cubeGeometry(p: GeometryParams): CubeGeometry {
  if (!(p.cell > 0)) throw new RangeError(`cell size must be > 0, got ${p.cell}`);
  if (!(p.xExtent >= 0) || !(p.yExtent >= 0)) {
    throw new RangeError(`map extents must be >= 0, got x=${p.xExtent} y=${p.yExtent}`);
  }
  const nx = axisLength(p.xExtent, p.cell);
  const ny = axisLength(p.yExtent, p.cell);
  if (nx * ny > 2 ** 28) throw new RangeError(`map of ${nx} x ${ny} cells is too large`);
  return {
    x: spatialAxis(nx, p.cell),
    y: spatialAxis(ny, p.cell),
    nx,
    ny,
    nz: p.nz,
    crval3: p.crval3,
    cdelt3: p.cdelt3,
    crpix3: p.crpix3,
  };
}

/**
 * Nearest cell of offset v (arcsec) on an axis: floor((v − crval)/cdelt + crpix − 0.5) in float32,
 * or −1 when outside [0, n).
 */
export function cellIndex(axis: SpatialAxis, v: number): number {
  const t = f(f(f(f(v) - axis.crval) / axis.cdelt) + axis.crpix);
  const i = Math.floor(t - 0.5);
  return i >= 0 && i < axis.n ? i : -1;
}
