import assert from "node:assert/strict";
import { buildKernel } from "../../../scripts/build_wasm.ts";
import { createSharedMemory, planMemory, tsKernel, wasmKernel, wasmModule } from "../../../lib/grid/axpy.ts";

Deno.test("the committed lib/grid/wasm/axpy.wasm is the build of its source axpy.as", async () => {
  const built = await buildKernel();
  const committed = Deno.readFileSync(new URL("../../../lib/grid/wasm/axpy.wasm", import.meta.url));
  assert.equal(committed.length, built.length);
  assert.deepEqual(committed, built);
});

Deno.test("wasm and TS axpy kernels agree bit for bit and respect the cell band", () => {
  const nz = 37; // not a multiple of 4 or 16: exercises the tails
  const layout = planMemory(5, nz, 3, 4);
  const run = (which: "ts" | "wasm") => {
    const mem = createSharedMemory(layout);
    const buf = mem.buffer;
    const s = layout.slots[0]!;
    const spectra = new Float32Array(buf, s.spectra, 3 * nz);
    for (let i = 0; i < spectra.length; i++) spectra[i] = Math.sin(i * 0.7) * 3.3 + 1e-3 * i;
    const cells = new Int32Array(buf, s.cells, 6), specs = new Int32Array(buf, s.specs, 6);
    const w = new Float32Array(buf, s.weights, 6);
    [[0, 0, 0.3], [4, 1, -0.07], [0, 2, 1.1], [2, 1, 0.5], [3, 0, 0.25], [0, 1, 0.9]].forEach(
      ([c, sp, wt], i) => {
        cells[i] = c!;
        specs[i] = sp!;
        w[i] = wt!;
      },
    );
    const k = which === "ts" ? tsKernel(mem) : wasmKernel(mem)!;
    k(layout.cube, 0, nz, s.spectra, s.cells, s.specs, s.weights, 6, 0, 4); // cell 4 excluded
    return new Float32Array(buf, layout.cube, 5 * nz).slice();
  };
  assert.ok(wasmModule() !== null, "WebAssembly SIMD kernel must load");
  const a = run("ts"), b = run("wasm");
  assert.deepEqual(a, b);
  // cell 0 = float32(float32(0.3·s0) + ...) in order; check one voxel by hand
  const f = Math.fround;
  const s0 = f(Math.sin(0) * 3.3),
    s2 = f(Math.sin(2 * nz * 0.7) * 3.3 + 1e-3 * 2 * nz),
    s1 = f(Math.sin(nz * 0.7) * 3.3 + 1e-3 * nz);
  const v = f(f(f(0 + f(f(0.3) * s0)) + f(f(1.1) * s2)) + f(f(0.9) * s1));
  assert.equal(a[0], v);
  for (let k = 0; k < nz; k++) assert.equal(a[4 * nz + k], 0);
});
