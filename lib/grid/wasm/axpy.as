// AssemblyScript source of the gridder's hot loop (built by scripts/build_wasm.ts into axpy.wasm).
// cube[cell*nz + k] += w * spec[s*nz + k] for each (cell, s, w) pair whose cell lies in
// [cellLo, cellHi), in list order. f32x4 multiply then add (no fused multiply-add), so every voxel
// gets exactly the float32 sums of the C gridder. Memory is imported (shared between workers).

@inline
function axpy(dst: usize, src: usize, w: f32, nz: i32): void {
  const wv = f32x4.splat(w);
  let k: i32 = 0;
  const n16 = nz & ~15;
  for (; k < n16; k += 16) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(wv, v128.load(src + o))));
    v128.store(dst + o + 16, f32x4.add(v128.load(dst + o + 16), f32x4.mul(wv, v128.load(src + o + 16))));
    v128.store(dst + o + 32, f32x4.add(v128.load(dst + o + 32), f32x4.mul(wv, v128.load(src + o + 32))));
    v128.store(dst + o + 48, f32x4.add(v128.load(dst + o + 48), f32x4.mul(wv, v128.load(src + o + 48))));
  }
  const n4 = nz & ~3;
  for (; k < n4; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(wv, v128.load(src + o))));
  }
  for (; k < nz; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(dst + o) + w * load<f32>(src + o));
  }
}

/**
 * Apply `npairs` pairs stored as three arrays (cells i32, specs i32, weights f32). `cube` points at
 * cell `cellBase`; only cells in [cellLo, cellHi) are touched.
 */
export function axpyPairs(
  cube: usize,
  cellBase: i32,
  nz: i32,
  spectra: usize,
  cells: usize,
  specs: usize,
  weights: usize,
  npairs: i32,
  cellLo: i32,
  cellHi: i32,
): void {
  const stride = <usize>nz << 2;
  for (let p: i32 = 0; p < npairs; p++) {
    const q = <usize>p << 2;
    const c = load<i32>(cells + q);
    if (c < cellLo || c >= cellHi) continue;
    const s = load<i32>(specs + q);
    const w = load<f32>(weights + q);
    axpy(cube + <usize>(c - cellBase) * stride, spectra + <usize>s * stride, w, nz);
  }
}
