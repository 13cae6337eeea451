import assert from "node:assert/strict";
import { buildKernel } from "../../../scripts/build_wasm.ts";
import {
  createSharedMemory,
  type GridKernels,
  type MemoryLayout,
  planMemory,
  tsKernels,
  wasmKernels,
  wasmModule,
} from "../../../lib/grid/axpy.ts";
import { makeKernel } from "../../../lib/grid/kernel.ts";
import { spatialAxis } from "../../../lib/grid/geometry.ts";

const f = Math.fround;

Deno.test("the committed lib/grid/wasm/axpy.wasm is the build of its source axpy.as", async () => {
  const built = await buildKernel();
  const committed = Deno.readFileSync(new URL("../../../lib/grid/wasm/axpy.wasm", import.meta.url));
  assert.equal(committed.length, built.length);
  assert.deepEqual(committed, built);
});

/** A small run: 9×7 cells, nz channels, `n` spectra at pseudo-random positions. */
function setup(which: "ts" | "wasm", nz: number, n: number, poison = -1) {
  const k = makeKernel({ otfSelect: 1, resolution: 11, cell: 5.5, rmax: 1, a: 1.1, b: 4.75, c: 2 });
  const ax = spatialAxis(9, 5.5), ay = spatialAxis(7, 5.5);
  const foot = (2 * k.nCells + 1) ** 2;
  const L = planMemory({
    nx: 9,
    ny: 7,
    nz,
    npts: k.table.length,
    chunk: n,
    pairsPerSpectrum: foot,
    lanes: 2,
  });
  const mem = createSharedMemory(L);
  const buf = mem.buffer;
  new Float32Array(buf, L.caX, 9).set(ax.centres);
  new Float32Array(buf, L.caY, 7).set(ay.centres);
  new Float32Array(buf, L.table, k.table.length).set(k.table);
  const s = L.slots[1]!;
  const F = new Float32Array(buf), I = new Int32Array(buf);
  for (let i = 0; i < n; i++) {
    const x = f(Math.sin(i * 1.7) * 20), y = f(Math.cos(i * 0.9) * 15);
    F[(s.xs >> 2) + i] = x;
    F[(s.ys >> 2) + i] = y;
    F[(s.rws >> 2) + i] = f(1 + 0.1 * (i % 3));
    F[(s.ts >> 2) + i] = f(200 + i);
    I[(s.ixs >> 2) + i] = Math.floor(f(f(x / 5.5) + ax.crpix) - 0.5);
    I[(s.iys >> 2) + i] = Math.floor(f(f(y / 5.5) + ay.crpix) - 0.5);
    for (let c = 0; c < nz; c++) {
      F[(s.spectra >> 2) + i * nz + c] = f(Math.sin(i * 0.37 + c * 0.7) * 3.3 + 1e-3 * c);
    }
  }
  if (poison >= 0) F[(s.spectra >> 2) + poison * nz + nz - 1] = NaN;
  const consts = { nCells: k.nCells, delta: k.delta };
  const kern: GridKernels = which === "ts" ? tsKernels(mem, L, consts) : wasmKernels(mem, L, consts)!;
  kern.finiteFlags(1, n);
  return { L, mem, kern, k, ax, ay, F, I };
}

/** Straight C-order reference: per spectrum, per footprint cell, cube += w·s (float32). */
function reference(L: MemoryLayout, F: Float32Array, I: Int32Array, nCells: number, delta: number) {
  const s = L.slots[1]!;
  const cube = new Float32Array(L.ncell * L.nz), W = new Float32Array(L.ncell);
  const n = L.chunk;
  for (let i = 0; i < n; i++) {
    const xp = F[(s.xs >> 2) + i]!, yp = F[(s.ys >> 2) + i]!, rw = F[(s.rws >> 2) + i]!;
    const ix = I[(s.ixs >> 2) + i]!, iy = I[(s.iys >> 2) + i]!;
    for (let ii = -nCells; ii <= nCells; ii++) {
      for (let jj = -nCells; jj <= nCells; jj++) {
        const cx = ix + ii, cy = iy + jj;
        if (cx < 0 || cy < 0 || cx >= L.nx || cy >= L.ny) continue;
        const dx = f(xp - F[(L.caX >> 2) + cx]!), dy = f(yp - F[(L.caY >> 2) + cy]!);
        const d = f(Math.sqrt(f(f(dx * dx) + f(dy * dy))));
        const ti = Math.floor(f(d / delta));
        const w = f((ti < L.npts ? F[(L.table >> 2) + ti]! : 0) * rw);
        const c = cy * L.nx + cx;
        W[c] = f(W[c]! + w);
        for (let k = 0; k < L.nz; k++) {
          cube[c * L.nz + k] = f(cube[c * L.nz + k]! + f(w * F[(s.spectra >> 2) + i * L.nz + k]!));
        }
      }
    }
  }
  return { cube, W };
}

for (const nz of [37, 70]) { // 37: 4-wide and scalar tails only; 70: two 32-blocks + tails
  Deno.test(`wasm and TS kernels (footprints, sort, accumulate) equal the C-order loop bit for bit, nz=${nz}`, () => {
    assert.ok(wasmModule() !== null, "WebAssembly SIMD kernel must load");
    const n = 40;
    const out: Float32Array[] = [];
    for (const which of ["ts", "wasm"] as const) {
      const { L, mem, kern, k, F, I } = setup(which, nz, n);
      // two bands of rows in two lanes (as two workers do): rows [0,3) and [3,7)
      const np0 = kern.footprints(1, 0, n, 0, 3), np1 = kern.footprints(1, 1, n, 3, 7);
      assert.ok(np0 > 0 && np1 > 0 && np0 + np1 <= n * (2 * k.nCells + 1) ** 2, `pairs ${np0} ${np1}`);
      kern.sortPairs(0, np0, 0, 3 * 9);
      kern.sortPairs(1, np1, 3 * 9, 7 * 9);
      const s0 = new Int32Array(mem.buffer, L.lanes[0]!.start, L.ncell + 1);
      const s1 = new Int32Array(mem.buffer, L.lanes[1]!.start, L.ncell + 1);
      assert.equal(s0[0], 0);
      assert.equal(s0[27], np0);
      assert.equal(s1[27], 0);
      assert.equal(s1[63], np1);
      for (let c = 0; c < 27; c++) assert.ok(s0[c + 1]! >= s0[c]!);
      kern.accumulate(1, 0, 0, 27);
      kern.accumulate(1, 1, 27, 63);
      const cube = new Float32Array(mem.buffer, L.cube, L.ncell * nz).slice();
      const W = new Float32Array(mem.buffer, L.W, L.ncell).slice();
      const ref = reference(L, F, I, k.nCells, k.delta);
      assert.deepEqual(W, ref.W);
      // zero-weight pairs are dropped; cube + 0·s = cube for finite s, so the cubes agree exactly
      for (let i = 0; i < cube.length; i++) {
        if (!Object.is(cube[i], ref.cube[i]) && !(cube[i] === 0 && ref.cube[i] === 0)) {
          assert.fail(`${which}: voxel ${i}: ${cube[i]} vs ${ref.cube[i]}`);
        }
      }
      let nonzero = 0;
      for (const v of cube) if (v !== 0) nonzero++;
      assert.ok(nonzero > cube.length / 2, `${nonzero} non-zero voxels`);
      out.push(cube);
    }
    assert.deepEqual(out[0], out[1]);
  });
}

Deno.test("a NaN channel reaches every footprint cell, including zero-weight ones (as 0·NaN in C)", () => {
  for (const which of ["ts", "wasm"] as const) {
    const nz = 9, n = 12;
    const { L, mem, kern, F, I, k } = setup(which, nz, n, 5);
    const fin = new Int32Array(mem.buffer, L.slots[1]!.fin, n);
    assert.deepEqual(
      [...fin],
      Array.from({ length: n }, (_, i) => (i === 5 ? 0 : 1)),
      `${which}: finite flags`,
    );
    assert.ok(kern.band(1, 0, n, 0, L.ny) > 0);
    const cube = new Float32Array(mem.buffer, L.cube, L.ncell * nz);
    const s = L.slots[1]!;
    const ix = I[(s.ixs >> 2) + 5]!, iy = I[(s.iys >> 2) + 5]!;
    let cells = 0;
    for (let cx = Math.max(0, ix - k.nCells); cx <= Math.min(L.nx - 1, ix + k.nCells); cx++) {
      for (let cy = Math.max(0, iy - k.nCells); cy <= Math.min(L.ny - 1, iy + k.nCells); cy++) {
        const c = cy * L.nx + cx;
        assert.ok(Number.isNaN(cube[c * nz + nz - 1]), `${which}: cell ${cx},${cy}`);
        assert.ok(!Number.isNaN(cube[c * nz]), `${which}: channel 0 of ${cx},${cy} stays finite`);
        cells++;
      }
    }
    assert.ok(cells >= 4);
    assert.ok(F.length > 0);
  }
});

Deno.test("normalize(): cube / W for kept cells (mask, or edge), NaN elsewhere, bit-identical in wasm and TS", () => {
  for (const edge of [0, 1]) {
    const res: Float32Array[] = [];
    for (const which of ["ts", "wasm"] as const) {
      const nz = 11, n = 30;
      const { L, mem, kern } = setup(which, nz, n);
      kern.band(1, 0, n, 0, L.ny);
      const before = new Float32Array(mem.buffer, L.cube, L.ncell * nz).slice();
      const W = new Float32Array(mem.buffer, L.W, L.ncell), M = new Uint8Array(mem.buffer, L.M, L.ncell);
      kern.normalize(0, L.ncell, edge);
      const cube = new Float32Array(mem.buffer, L.cube, L.ncell * nz).slice();
      let kept = 0, dropped = 0;
      for (let c = 0; c < L.ncell; c++) {
        const keep = W[c]! > 0 && (edge === 1 || M[c] === 1);
        for (let q = 0; q < nz; q++) {
          const v = cube[c * nz + q]!;
          if (keep) assert.equal(v, f(before[c * nz + q]! / W[c]!));
          else assert.ok(Number.isNaN(v));
        }
        if (keep) kept++;
        else dropped++;
      }
      assert.ok(kept > 5 && (edge === 1 || dropped > 5), `kept ${kept} dropped ${dropped}`);
      res.push(cube);
    }
    assert.deepEqual(res[0], res[1]);
  }
});

Deno.test("fitsPlanes(): channel blocks in FITS order (X flipped), by bands of rows, wasm = TS = direct transposition", () => {
  const out: Float32Array[] = [];
  for (const which of ["ts", "wasm"] as const) {
    const nz = 21, n = 10;
    const { L, mem, kern } = setup(which, nz, n);
    const cube = new Float32Array(mem.buffer, L.cube, L.ncell * nz);
    for (let i = 0; i < cube.length; i++) cube[i] = i * 0.5 - 7;
    const np = L.nx * L.ny;
    const all = new Float32Array(nz * np);
    for (const [k0, nb] of [[0, 16], [16, 5]] as const) {
      // whole block into buffer 0; the same block in two bands of rows into buffer 1
      kern.fitsPlanes(k0, nb, 0, 0, L.ny);
      kern.fitsPlanes(k0, nb, 1, 0, 3);
      kern.fitsPlanes(k0, nb, 1, 3, L.ny);
      const dv0 = new DataView(mem.buffer, L.fits, nb * np * 4);
      const dv1 = new DataView(mem.buffer, L.fits + L.fitsBytes, nb * np * 4);
      for (let i = 0; i < nb * np; i++) {
        all[k0 * np + i] = dv0.getFloat32(4 * i, false); // big-endian FITS bytes
        assert.equal(dv1.getUint32(4 * i), dv0.getUint32(4 * i));
      }
    }
    for (let k = 0; k < nz; k++) {
      for (let iy = 0; iy < L.ny; iy++) {
        for (let ix = 0; ix < L.nx; ix++) {
          assert.equal(all[k * np + iy * L.nx + (L.nx - 1 - ix)], cube[(iy * L.nx + ix) * nz + k]);
        }
      }
    }
    out.push(all);
  }
  assert.deepEqual(out[0], out[1]);
});
