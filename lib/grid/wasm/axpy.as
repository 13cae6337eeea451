// AssemblyScript source of the gridder's hot loops (built by scripts/build_wasm.ts into axpy.wasm).
// Memory is imported (shared between threads). All arithmetic is float32 exactly as the C gridder
// does it (separate multiply and add, never a fused multiply-add), so cubes are bit-identical.
//
// Per chunk of spectra (finiteFlags() marks the spectra without NaN/Inf once), for the cells of a
// band of rows [rowLo, rowHi):
//   1. footprints(): per spectrum, the kernel weight of every cell of its (2n+1)² footprint that
//      lies in the band, accumulating the weight (W), Tsys (T) and mask (M) planes in spectrum
//      order, and emitting (cell, spectrum, weight) pairs;
//   2. sortPairs(): a stable counting sort of the pairs by cell (spectrum order kept per cell);
//   3. accumulate(): cell by cell, the cube voxels of a block of channels are held in SIMD
//      registers while all the cell's pairs are added in spectrum order, then stored once. Each
//      voxel therefore sees exactly the C gridder's sequence of float32 additions, but the cube is
//      read and written once per chunk instead of once per (spectrum, cell) pair.
//   Threads run 1-3 on disjoint bands of the same chunk; normalize() finishes the cube and
//   fitsPlanes() turns blocks of channels into FITS planes.

/** 1 if all nz float32 values at src are finite, else 0. */
@inline
function allFinite(src: usize, nz: i32): i32 {
  let bad = v128.splat<i32>(0);
  let k: i32 = 0;
  for (; k + 4 <= nz; k += 4) {
    const x = v128.load(src + (<usize>k << 2));
    const t = f32x4.sub(x, x); // NaN for NaN and ±Inf, 0 otherwise
    bad = v128.or(bad, f32x4.ne(t, t));
  }
  if (v128.any_true(bad)) return 0;
  for (; k < nz; k++) {
    const x = load<f32>(src + (<usize>k << 2));
    if (x - x != x - x) return 0;
  }
  return 1;
}

/** fin[s] = 1 if spectrum s (of n, nz channels each, at spectra + s·nz·4) is all finite, else 0. */
export function finiteFlags(spectra: usize, n: i32, nz: i32, fin: usize): void {
  const stride = <usize>nz << 2;
  for (let s: i32 = 0; s < n; s++) store<i32>(fin + (<usize>s << 2), allFinite(spectra + <usize>s * stride, nz));
}

/**
 * Footprints of `n` spectra (chunk slot order), restricted to the rows [rowLo, rowHi). Per spectrum s (i32/f32 arrays of length n):
 * xs, ys positions (arcsec), rws noise weight, ts Tsys, ixs/iys nearest cell (inside the map).
 * fin[s] (i32) is 1 when spectrum s is all finite ({@link finiteFlags}). W/T (f32) and M (u8) planes
 * are updated; pairs with a zero weight are dropped unless the spectrum has a non-finite value (0·NaN
 * must still reach the cube).
 * Returns the number of pairs written to cells/specs/weights.
 */
export function footprints(
  n: i32,
  xs: usize,
  ys: usize,
  rws: usize,
  ts: usize,
  ixs: usize,
  iys: usize,
  fin: usize,
  caX: usize,
  caY: usize,
  nx: i32,
  ny: i32,
  nc1: i32,
  rowLo: i32,
  rowHi: i32,
  table: usize,
  npts: i32,
  delta: f32,
  W: usize,
  T: usize,
  M: usize,
  cells: usize,
  specs: usize,
  weights: usize,
): i32 {
  let np: i32 = 0;
  for (let s: i32 = 0; s < n; s++) {
    const q = <usize>s << 2;
    const xp = load<f32>(xs + q);
    const yp = load<f32>(ys + q);
    const rw = load<f32>(rws + q);
    const t = load<f32>(ts + q);
    const ix = load<i32>(ixs + q);
    const iy = load<i32>(iys + q);
    const x0 = max(ix - nc1, 0), x1 = min(ix + nc1, nx - 1);
    const y0 = max(max(iy - nc1, 0), rowLo), y1 = min(min(iy + nc1, ny - 1), rowHi - 1);
    if (y0 > y1) continue;
    const finite = load<i32>(fin + q);
    for (let cx = x0; cx <= x1; cx++) {
      const dx: f32 = xp - load<f32>(caX + (<usize>cx << 2));
      const dx2: f32 = dx * dx;
      for (let cy = y0; cy <= y1; cy++) {
        const dy: f32 = yp - load<f32>(caY + (<usize>cy << 2));
        const d: f32 = Mathf.sqrt(dx2 + dy * dy);
        const ti = <i32>Mathf.floor(d / delta);
        const tv: f32 = <u32>ti < <u32>npts ? load<f32>(table + (<usize>ti << 2)) : 0;
        const w: f32 = tv * rw;
        const cell = cy * nx + cx;
        const co = <usize>cell << 2;
        store<f32>(W + co, load<f32>(W + co) + w);
        store<f32>(T + co, load<f32>(T + co) + w * t);
        if (cx == ix && cy == iy) store<u8>(M + <usize>cell, 1);
        if (w == 0 && finite) continue;
        const po = <usize>np << 2;
        store<i32>(cells + po, cell);
        store<i32>(specs + po, s);
        store<f32>(weights + po, w);
        np++;
      }
    }
  }
  return np;
}

/**
 * Stable counting sort of `np` pairs by cell, all cells in [cellLo, cellHi). Afterwards the pairs
 * of cell c are outSpecs/outWeights[start[c] .. start[c+1]) in their original order (entries
 * start[cellLo .. cellHi] are written).
 */
export function sortPairs(
  np: i32,
  cells: usize,
  specs: usize,
  weights: usize,
  cellLo: i32,
  cellHi: i32,
  start: usize,
  outSpecs: usize,
  outWeights: usize,
): void {
  for (let c: i32 = cellLo; c <= cellHi; c++) store<i32>(start + (<usize>c << 2), 0);
  for (let p: i32 = 0; p < np; p++) {
    const a = start + ((<usize>load<i32>(cells + (<usize>p << 2)) + 1) << 2);
    store<i32>(a, load<i32>(a) + 1);
  }
  let acc: i32 = 0;
  for (let c: i32 = cellLo + 1; c <= cellHi; c++) {
    const a = start + (<usize>c << 2);
    acc += load<i32>(a);
    store<i32>(a, acc);
  }
  // scatter; start[c] is used as the cursor of cell c and ends at start[c+1]'s value
  for (let p: i32 = 0; p < np; p++) {
    const q = <usize>p << 2;
    const a = start + (<usize>load<i32>(cells + q) << 2);
    const dst = <usize>load<i32>(a) << 2;
    store<i32>(a, load<i32>(a) + 1);
    store<i32>(outSpecs + dst, load<i32>(specs + q));
    store<f32>(outWeights + dst, load<f32>(weights + q));
  }
  for (let c: i32 = cellHi; c > cellLo; c--) {
    store<i32>(start + (<usize>c << 2), load<i32>(start + (<usize>(c - 1) << 2)));
  }
  store<i32>(start + (<usize>cellLo << 2), 0);
}

/**
 * cube[c·nz + k] += w·spectrum[k] for every sorted pair of every cell c in [cellLo, cellHi), in
 * pair order, with the voxels of 48 (then 16, 4, 1) channels held in registers across the pairs.
 */
export function accumulate(
  cube: usize,
  nz: i32,
  spectra: usize,
  start: usize,
  specs: usize,
  weights: usize,
  cellLo: i32,
  cellHi: i32,
): void {
  const stride = <usize>nz << 2;
  for (let c = cellLo; c < cellHi; c++) {
    const p0 = load<i32>(start + (<usize>c << 2));
    const p1 = load<i32>(start + (<usize>(c + 1) << 2));
    if (p0 == p1) continue;
    const dst = cube + <usize>c * stride;
    let k: i32 = 0;
    for (; k + 48 <= nz; k += 48) {
      const d = dst + (<usize>k << 2);
      let a0 = v128.load(d, 0), a1 = v128.load(d, 16), a2 = v128.load(d, 32), a3 = v128.load(d, 48);
      let a4 = v128.load(d, 64), a5 = v128.load(d, 80), a6 = v128.load(d, 96), a7 = v128.load(d, 112);
      let a8 = v128.load(d, 128), a9 = v128.load(d, 144), a10 = v128.load(d, 160), a11 = v128.load(d, 176);
      for (let p = p0; p < p1; p++) {
        const q = <usize>p << 2;
        const w = f32x4.splat(load<f32>(weights + q));
        const s = spectra + <usize>load<i32>(specs + q) * stride + (<usize>k << 2);
        a0 = f32x4.add(a0, f32x4.mul(w, v128.load(s, 0)));
        a1 = f32x4.add(a1, f32x4.mul(w, v128.load(s, 16)));
        a2 = f32x4.add(a2, f32x4.mul(w, v128.load(s, 32)));
        a3 = f32x4.add(a3, f32x4.mul(w, v128.load(s, 48)));
        a4 = f32x4.add(a4, f32x4.mul(w, v128.load(s, 64)));
        a5 = f32x4.add(a5, f32x4.mul(w, v128.load(s, 80)));
        a6 = f32x4.add(a6, f32x4.mul(w, v128.load(s, 96)));
        a7 = f32x4.add(a7, f32x4.mul(w, v128.load(s, 112)));
        a8 = f32x4.add(a8, f32x4.mul(w, v128.load(s, 128)));
        a9 = f32x4.add(a9, f32x4.mul(w, v128.load(s, 144)));
        a10 = f32x4.add(a10, f32x4.mul(w, v128.load(s, 160)));
        a11 = f32x4.add(a11, f32x4.mul(w, v128.load(s, 176)));
      }
      v128.store(d, a0, 0);
      v128.store(d, a1, 16);
      v128.store(d, a2, 32);
      v128.store(d, a3, 48);
      v128.store(d, a4, 64);
      v128.store(d, a5, 80);
      v128.store(d, a6, 96);
      v128.store(d, a7, 112);
      v128.store(d, a8, 128);
      v128.store(d, a9, 144);
      v128.store(d, a10, 160);
      v128.store(d, a11, 176);
    }
    for (; k + 16 <= nz; k += 16) {
      const d = dst + (<usize>k << 2);
      let a0 = v128.load(d, 0), a1 = v128.load(d, 16), a2 = v128.load(d, 32), a3 = v128.load(d, 48);
      for (let p = p0; p < p1; p++) {
        const q = <usize>p << 2;
        const w = f32x4.splat(load<f32>(weights + q));
        const s = spectra + <usize>load<i32>(specs + q) * stride + (<usize>k << 2);
        a0 = f32x4.add(a0, f32x4.mul(w, v128.load(s, 0)));
        a1 = f32x4.add(a1, f32x4.mul(w, v128.load(s, 16)));
        a2 = f32x4.add(a2, f32x4.mul(w, v128.load(s, 32)));
        a3 = f32x4.add(a3, f32x4.mul(w, v128.load(s, 48)));
      }
      v128.store(d, a0, 0);
      v128.store(d, a1, 16);
      v128.store(d, a2, 32);
      v128.store(d, a3, 48);
    }
    for (; k + 4 <= nz; k += 4) {
      const d = dst + (<usize>k << 2);
      let a0 = v128.load(d);
      for (let p = p0; p < p1; p++) {
        const q = <usize>p << 2;
        const w = f32x4.splat(load<f32>(weights + q));
        a0 = f32x4.add(a0, f32x4.mul(w, v128.load(spectra + <usize>load<i32>(specs + q) * stride + (<usize>k << 2))));
      }
      v128.store(d, a0);
    }
    for (; k < nz; k++) {
      const d = dst + (<usize>k << 2);
      let a: f32 = load<f32>(d);
      for (let p = p0; p < p1; p++) {
        const q = <usize>p << 2;
        a += load<f32>(weights + q) * load<f32>(spectra + <usize>load<i32>(specs + q) * stride + (<usize>k << 2));
      }
      store<f32>(d, a);
    }
  }
}

/**
 * Normalise cells [cellLo, cellHi): cube /= W where W > 0 and (M set or edge != 0), else NaN in
 * every channel (float32 division, as the C gridder).
 */
export function normalize(cube: usize, nz: i32, W: usize, M: usize, cellLo: i32, cellHi: i32, edge: i32): void {
  const stride = <usize>nz << 2;
  const nan = f32x4.splat(NaN);
  for (let c = cellLo; c < cellHi; c++) {
    const w = load<f32>(W + (<usize>c << 2));
    const d = cube + <usize>c * stride;
    let k: i32 = 0;
    if (w > 0 && (edge != 0 || load<u8>(M + <usize>c) != 0)) {
      const wv = f32x4.splat(w);
      for (; k + 4 <= nz; k += 4) {
        const o = d + (<usize>k << 2);
        v128.store(o, f32x4.div(v128.load(o), wv));
      }
      for (; k < nz; k++) {
        const o = d + (<usize>k << 2);
        store<f32>(o, load<f32>(o) / w);
      }
    } else {
      for (; k + 4 <= nz; k += 4) v128.store(d + (<usize>k << 2), nan);
      for (; k < nz; k++) store<f32>(d + (<usize>k << 2), NaN);
    }
  }
}

/**
 * Copy channels [k0, k0+nb) of the cube, rows [rowLo, rowHi), into `out` as the big-endian bytes
 * of nb FITS BITPIX −32 planes: plane b at out + b·nx·ny·4, row iy, column nx−1−ix (the X axis is
 * flipped so RA increases to the left).
 */
export function fitsPlanes(
  cube: usize,
  nx: i32,
  ny: i32,
  nz: i32,
  k0: i32,
  nb: i32,
  out: usize,
  rowLo: i32,
  rowHi: i32,
): void {
  const planeBytes = <usize>(nx * ny) << 2;
  const stride = <usize>nz << 2;
  // row by row: the row's cells (nx segments of nb channels) stay in L1 while each plane's row is
  // written sequentially
  for (let iy: i32 = rowLo; iy < rowHi; iy++) {
    const row = cube + ((<usize>(iy * nx) * <usize>nz + <usize>k0) << 2);
    let plane = out + (<usize>(iy * nx + nx - 1) << 2); // column nx−1 of row iy of plane 0
    for (let b: i32 = 0; b < nb; b++) {
      let src = row + (<usize>b << 2);
      let dst = plane;
      for (let ix: i32 = 0; ix < nx; ix++) {
        store<u32>(dst, bswap<u32>(load<u32>(src)));
        src += stride;
        dst -= 4;
      }
      plane += planeBytes;
    }
  }
}
