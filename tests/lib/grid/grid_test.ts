import assert from "node:assert/strict";
import { readFits } from "../../../lib/fits/mod.ts";
import {
  GRID_DATA_DEFAULTS,
  type GridParams,
  type GridResult,
  gridSpecFiles,
} from "../../../lib/grid/mod.ts";
import { openNetcdf, openNetcdfBytes, writeNetcdf3Sync } from "../../../lib/netcdf/mod.ts";
import type { NcWriteModel } from "../../../lib/netcdf/types.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

const REF = ["seq", "reference_outputs"];
/** The reference run (samples/README §4.2, run_parameters.json). */
const REF_PARAMS: GridParams = {
  ...GRID_DATA_DEFAULTS,
  resolution: 13,
  cell: 6.5,
  rmsCut: -4,
  noiseSigma: 1,
  xExtent: 120,
  yExtent: 120,
  otfSelect: 1,
  rmax: 3,
  otfA: 1.1,
  otfB: 4.75,
  otfC: 2,
  edge: 0,
  sample: [],
};

async function runRef(extra: Partial<GridParams> = {}): Promise<GridResult> {
  const nc = await openNetcdf(sample(...REF, "SAMPLE-OTF_97001__0.nc"));
  try {
    return await gridSpecFiles([nc], { ...REF_PARAMS, ...extra });
  } finally {
    nc.close();
  }
}

/** Compare a plane (internal layout) with a FITS plane (X flipped). Returns max |Δ| and NaN mismatches. */
function comparePlane(ours: Float32Array, fits: Float32Array, nx: number, ny: number, nz = 1, stride = 1) {
  let maxd = 0, nanMismatch = 0, nnan = 0;
  for (let k = 0; k < nz; k++) {
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const a = ours[(iy * nx + ix) * stride + k]!;
        const b = fits[(k * ny + iy) * nx + (nx - 1 - ix)]!;
        if (Number.isNaN(a) || Number.isNaN(b)) {
          if (Number.isNaN(a) !== Number.isNaN(b)) nanMismatch++;
          else nnan++;
          continue;
        }
        maxd = Math.max(maxd, Math.abs(a - b));
      }
    }
  }
  return { maxd, nanMismatch, nnan };
}

Deno.test({
  name: "gridSpecFiles() reproduces the reference cube, weight and radiometer maps (bit for bit)",
  ignore: needsSamples(),
  fn: async () => {
    const r = await runRef({ workers: 0 });
    const { nx, ny, nz } = r.geometry;
    assert.deepEqual([nx, ny, nz], [37, 37, 585]);
    const cube = readFits(sample(...REF, "SAMPLE-OTF_97001__0.fits")).hdus[0]!;
    assert.deepEqual(cube.shape, [37, 37, 585]);
    const c = comparePlane(r.cube, cube.data as Float32Array, nx, ny, nz, nz);
    assert.equal(c.nanMismatch, 0);
    assert.equal(c.nnan, 225225); // 385 NaN cells × 585 channels
    assert.ok(c.maxd <= 1e-3, `cube max |Δ| ${c.maxd}`);
    assert.equal(c.maxd, 0, "float32 rules give identical voxels");
    const wt = readFits(sample(...REF, "SAMPLE-OTF_97001__0.wt.fits")).hdus[0]!.data as Float32Array;
    const w = comparePlane(r.weight, wt, nx, ny);
    assert.equal(w.maxd, 0);
    assert.equal(w.nanMismatch, 0);
    const rad = readFits(sample(...REF, "SAMPLE-OTF_97001__0.radiometer.rms.fits")).hdus[0]!
      .data as Float32Array;
    const q = comparePlane(r.radiometer, rad, nx, ny);
    assert.equal(q.nanMismatch, 0);
    assert.equal(q.maxd, 0);
    assert.equal(r.ngood, 2719); // "Cube Completed, 2719/2720"
    assert.equal(r.files[0]!.gridded, 2651);
    const centre = r.weight[18 * nx + 18]!;
    assert.ok(Math.abs(centre - 8.340317) < 1e-6, `weight at 0,0 ${centre}`);
  },
});

Deno.test({
  name: "gridSpecFiles() gives identical cubes with the TS kernel, the WASM kernel, 2 and 3 workers",
  ignore: needsSamples(),
  fn: async () => {
    const a = await runRef({ workers: 0, kernel: "ts", chunkSpectra: 300 });
    const b = await runRef({ workers: 2, kernel: "wasm", chunkSpectra: 500 });
    assert.equal(b.kernelName, "wasm");
    assert.equal(a.kernelName, "ts");
    let diff = 0;
    for (let i = 0; i < a.cube.length; i++) {
      const x = a.cube[i]!, y = b.cube[i]!;
      if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) diff++;
    }
    assert.equal(diff, 0);
    assert.deepEqual([...a.weight], [...b.weight]);
    // 3 workers (3 bands of rows per chunk) and small chunks: same bits, radiometer map too
    const c = await runRef({ workers: 3, kernel: "wasm", chunkSpectra: 97 });
    assert.equal(c.workers, 3);
    let diff3 = 0;
    for (let i = 0; i < a.cube.length; i++) {
      const x = a.cube[i]!, y = c.cube[i]!;
      if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) diff3++;
    }
    assert.equal(diff3, 0);
    assert.deepEqual([...a.weight], [...c.weight]);
    assert.deepEqual([...a.radiometer].map(String), [...c.radiometer].map(String));
  },
});

/**
 * Source centroid on the line-peak map: mean over the channels within ±3 km/s of the true line
 * velocity, cells with weight ≥ 30 % of the maximum, centroid of the cells above half the peak
 * (after subtracting the median of the map).
 */
function lineMapCentroid(r: GridResult, v0: number): { x: number; y: number; peak: number } {
  const { nx, ny, nz, crval3, cdelt3, crpix3 } = r.geometry;
  const chans: number[] = [];
  for (let k = 0; k < nz; k++) if (Math.abs((k + 1 - crpix3) * cdelt3 + crval3 - v0) <= 3) chans.push(k);
  let wmax = 0;
  for (const w of r.weight) wmax = Math.max(wmax, w);
  const map = new Float64Array(nx * ny).fill(NaN);
  for (let c = 0; c < nx * ny; c++) {
    if (r.weight[c]! < 0.3 * wmax) continue;
    let s = 0;
    for (const k of chans) s += r.cube[c * nz + k]!;
    map[c] = s / chans.length;
  }
  const finite = [...map].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const floor = finite[Math.floor(finite.length / 2)]!;
  const peak = finite[finite.length - 1]!;
  let sw = 0, sx = 0, sy = 0;
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const v = map[iy * nx + ix]! - floor;
      if (!(v >= 0.5 * (peak - floor))) continue;
      sw += v;
      sx += v * r.geometry.x.centres[ix]!;
      sy += v * r.geometry.y.centres[iy]!;
    }
  }
  return { x: sx / sw, y: sy / sw, peak };
}

Deno.test({
  name: "gridSpecFiles() recovers the true source position and peak (samples/README §4.3)",
  ignore: needsSamples(),
  fn: async () => {
    const r = await runRef();
    const truth = JSON.parse(Deno.readTextFileSync(sample("seq", "stats", "cube_stats.json"))).truth;
    const c = lineMapCentroid(r, truth.line_v_kms);
    // truth (−25, +15) arcsec; reference fit (−23.9 ± 1.2, 13.7 ± 1.5); allow 1/2 cell + 3σ-ish
    assert.ok(Math.abs(c.x - truth.x0) < 4, `x ${c.x} vs ${truth.x0}`);
    assert.ok(Math.abs(c.y - truth.y0) < 4, `y ${c.y} vs ${truth.y0}`);
    // line-peak map maximum: beam-convolved truth 2.03 K (reference fit 1.94 ± 0.19 at the peak cell)
    assert.ok(Math.abs(c.peak - truth.peak_beam_convolved_K) < 0.5, `peak ${c.peak}`);
  },
});

Deno.test({
  name: "gridSpecFiles() reads the netCDF-3 (CDF-2) SpecFile form, from memory as for stdin",
  ignore: needsSamples(),
  fn: async () => {
    const { specFileFromNc, specFileModel } = await import("../../../lib/specfile/mod.ts");
    const nc4 = await openNetcdf(sample(...REF, "SAMPLE-OTF_97001__0.nc"));
    const model: NcWriteModel = specFileModel(specFileFromNc(nc4), "cdf3");
    nc4.close();
    const { dir, cleanup } = tempDir();
    try {
      const p = `${dir}/s.nc`;
      writeNetcdf3Sync(p, model, { format: "cdf2" });
      const nc3 = await openNetcdfBytes(Deno.readFileSync(p), "<stdin>");
      assert.equal(nc3.format, "cdf2");
      const r = await gridSpecFiles([nc3], { ...REF_PARAMS, workers: 0 });
      const ref = await runRef({ workers: 0 });
      assert.equal(r.first.chan0, 731);
      assert.equal(r.first.nchan0, 2048);
      let diff = 0;
      for (let i = 0; i < r.cube.length; i++) {
        const x = r.cube[i]!, y = ref.cube[i]!;
        if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) diff++;
      }
      assert.equal(diff, 0);
    } finally {
      cleanup();
    }
  },
});
