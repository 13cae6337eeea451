/**
 * Gridding throughput: synthetic SpecFiles of N spectra × 659 channels (netCDF-3 CDF-2, written in
 * a temp dir), gridded with the pipeline's options (jinc, resolution 11", cell 5.5", rmax 3,
 * noise_sigma 1, rms_cut −4, ±200" map). Each case runs in a child process so that peak RSS
 * (VmHWM) is per case. Prints spectra·channels/s and the speed-up over the C gridder's timings
 * (10 432 spectra 0.38 s, 43 056 1.5 s, 167 360 6.1 s at 659 channels).
 *
 *     node_modules/.bin/deno run -A bench/grid.ts [--sizes 10432,43056,167360] [--workers 0,1,2] [--kernel wasm|ts]
 * @module
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { writeNetcdf3Sync } from "../lib/netcdf/mod.ts";
import type { NcWriteModel } from "../lib/netcdf/types.ts";
import { openNetcdf } from "../lib/netcdf/mod.ts";
import { GRID_DATA_DEFAULTS, gridSpecFiles } from "../lib/grid/mod.ts";

const NCHAN = 659;
const C_TIMES: Record<number, number> = { 10432: 0.38, 43056: 1.5, 167360: 6.1 };

/** Write a synthetic SpecFile: 16 pixels on a boustrophedon raster covering ±190", Gaussian noise. */
export function writeSyntheticSpecFile(path: string, nspec: number, nchan = NCHAN): void {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const spectra = new Float32Array(nspec * nchan);
  const xpos = new Float32Array(nspec), ypos = new Float32Array(nspec), rms = new Float32Array(nspec);
  const pixel = new Int32Array(nspec), seq = new Int32Array(nspec);
  const perPix = Math.ceil(nspec / 16);
  const rows = Math.max(1, Math.round(Math.sqrt(perPix / 4)));
  const perRow = Math.ceil(perPix / rows);
  for (let i = 0; i < nspec; i++) {
    const p = Math.floor(i / perPix), j = i % perPix;
    const row = Math.floor(j / perRow), k = j % perRow;
    const u = perRow > 1 ? k / (perRow - 1) : 0.5;
    const bx = ((p % 4) - 1.5) * 27.9, by = (Math.floor(p / 4) - 1.5) * 27.9;
    xpos[i] = (row % 2 === 0 ? -1 : 1) * (380 * u - 190) * 0.8 + bx;
    ypos[i] = (rows > 1 ? row / (rows - 1) * 300 - 150 : 0) + by;
    pixel[i] = p;
    seq[i] = j;
    rms[i] = 0.9 + 0.2 * rnd();
    for (let c = 0; c < nchan; c++) spectra[i * nchan + c] = gauss() * rms[i]!;
  }
  const sc = (name: string, type: "int" | "float" | "double", v: number) => ({
    name,
    type,
    dimensions: [] as string[],
    data: type === "int" ? Int32Array.of(v) : type === "float" ? Float32Array.of(v) : Float64Array.of(v),
  });
  const model: NcWriteModel = {
    dimensions: [{ name: "nspec", size: nspec }, { name: "nchan", size: nchan }, {
      name: "nlabel",
      size: 20,
    }],
    attributes: { chan0: 700, nchan0: 2048 },
    variables: [
      { name: "Header.Obs.SourceName", type: "char", dimensions: ["nlabel"], data: "BENCH" },
      sc("Header.Obs.ObsNum", "int", 1),
      sc("Header.Obs.MapCoord", "int", 1),
      sc("Header.Obs.XPosition", "float", 146.9892),
      sc("Header.Obs.YPosition", "float", 13.27877),
      sc("Header.Obs.DumpTime", "float", 0.1),
      sc("Header.LineData.LineRestFrequency", "double", 115.271204e9),
      sc("Header.LineData.DeltaFrequency", "double", 390625),
      sc("Header.LineData.VSource", "double", -20),
      sc("Header.SpectrumAxis.CRVAL", "double", 330),
      sc("Header.SpectrumAxis.CRPIX", "double", 0),
      sc("Header.SpectrumAxis.CDELT", "double", -1.015921),
      { name: "Data.Pixel", type: "int", dimensions: ["nspec"], data: pixel },
      { name: "Data.Sequence", type: "int", dimensions: ["nspec"], data: seq },
      { name: "Data.XPos", type: "float", dimensions: ["nspec"], data: xpos },
      { name: "Data.YPos", type: "float", dimensions: ["nspec"], data: ypos },
      { name: "Data.RMS", type: "float", dimensions: ["nspec"], data: rms },
      { name: "Data.Spectra", type: "float", dimensions: ["nspec", "nchan"], data: spectra },
    ],
  };
  writeNetcdf3Sync(path, model, { format: "cdf2" });
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function one(path: string, workers: number, kernel: "wasm" | "ts"): Promise<void> {
  const nc = await openNetcdf(path);
  const t0 = performance.now();
  const r = await gridSpecFiles([nc], {
    ...GRID_DATA_DEFAULTS,
    resolution: 11,
    cell: 5.5,
    rmsCut: -4,
    noiseSigma: 1,
    xExtent: 200,
    yExtent: 200,
    edge: 0,
    workers,
    kernel,
  });
  const dt = (performance.now() - t0) / 1000;
  nc.close();
  console.log(
    JSON.stringify({
      seconds: dt,
      nspec: r.ntotal,
      gridded: r.files[0]!.gridded,
      nz: r.geometry.nz,
      rssMB: peakRssMB(),
      kernel: r.kernelName,
    }),
  );
}

if (import.meta.main) {
  const arg = (k: string, d: string) => {
    const i = Deno.args.indexOf(k);
    return i >= 0 ? Deno.args[i + 1]! : d;
  };
  if (Deno.args[0] === "--one") {
    await one(Deno.args[1]!, Number(Deno.args[2]), Deno.args[3] as "wasm" | "ts");
    Deno.exit(0);
  }
  const sizes = arg("--sizes", "10432,43056,167360").split(",").map(Number);
  const workersList = arg("--workers", "0,1,2").split(",").map(Number);
  const kernel = arg("--kernel", "wasm");
  const dir = mkdtempSync(join(tmpdir(), "lmt-bench-grid-"));
  try {
    console.log(`cores: ${navigator.hardwareConcurrency}, channels: ${NCHAN}, kernel: ${kernel}`);
    console.log("nspec    workers  seconds  Mspec·ch/s  GFMA/s  vs C   peakRSS(MB)");
    for (const n of sizes) {
      const path = join(dir, `bench_${n}.nc`);
      writeSyntheticSpecFile(path, n);
      for (const w of workersList) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", new URL(import.meta.url).pathname, "--one", path, String(w), kernel],
          stdout: "piped",
          stderr: "inherit",
        }).output();
        const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
        const rate = (n * NCHAN) / r.seconds / 1e6;
        const fma = (r.gridded * 15 * 15 * NCHAN) / r.seconds / 1e9; // footprint 15×15 (n_cells 7)
        const c = C_TIMES[n];
        console.log(
          `${String(n).padEnd(8)} ${String(w).padEnd(8)} ${r.seconds.toFixed(3).padStart(7)}  ${
            rate.toFixed(1).padStart(10)
          }  ${fma.toFixed(2).padStart(6)}  ${c ? (c / r.seconds).toFixed(2) + "x" : "  -  "}  ${
            r.rssMB.toFixed(0).padStart(8)
          }`,
        );
      }
      rmSync(path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
