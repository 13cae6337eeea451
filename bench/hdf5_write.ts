/**
 * netCDF-4 writing speed: the pure-TypeScript HDF5 writer (lib/hdf5/write) against h5wasm and
 * against plain write() calls of the same bytes.
 *
 * - SpecFile of `--nspec` spectra × `--nchan` channels (default 10 000 × 585 float32, 23 MB, as
 *   process_otf_map writes for a small map): `writeNetcdf4` of the whole model, and `Nc4Writer`
 *   via nc4SpecSink (`writeSlab` in blocks of whole rows);
 * - a roach-like file grown by `Nc4Writer.append` (float32 × 2048 channels + a double record
 *   variable, `--mb` MB, blocks of 100 rows);
 * - baselines: the raw bytes written with `writeSync` (the floor), and h5wasm (the HDF5 C library in
 *   WebAssembly, which wrote these files before) writing the same datasets: initialisation, a
 *   contiguous Data.Spectra filled by `write_slice` in the same blocks, a chunked record dataset
 *   grown by `resize` + `write_slice`. The h5wasm baseline is this bench's only use of h5wasm for
 *   writing (the library no longer has an h5wasm writer).
 *
 * Usage: node_modules/.bin/deno run -A bench/hdf5_write.ts [--nspec N] [--nchan N] [--mb N]
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Nc4Writer, writeNetcdf4 } from "../lib/netcdf/mod.ts";
import { nc4SpecSink } from "../lib/specfile/mod.ts";
import { type SpecFile, specFileModel } from "../lib/specfile/mod.ts";

const { values } = parseArgs({
  options: {
    nspec: { type: "string", default: "10000" },
    nchan: { type: "string", default: "585" },
    mb: { type: "string", default: "100" },
  },
});
const NSPEC = Number(values.nspec), NCHAN = Number(values.nchan), MBYTES = Number(values.mb);
const dir = Deno.makeTempDirSync({ prefix: "hdf5-write-bench-" });
const MB = 1e6;

function specFile(): SpecFile {
  const line = Object.fromEntries(
    [
      "bank",
      "vSource",
      "vSystem",
      "zSource",
      "lineRestFrequency",
      "dopplerTrack",
      "vBarycenter",
      "vObservatory",
      "skyFrequency",
      "lo1Frequency",
      "lo2Frequency",
      "if1Frequency",
      "if2Frequency",
      "synthesizerFrequency",
      "frequencyOffset",
      "velocityOffset",
      "sideband",
      "nChannels",
      "bandwidth",
      "deltaFrequency",
      "deltaVelocity",
      "lsrFrameV0",
      "barycenterFrameV0",
      "skyFrameV0",
      "xType",
    ].map((k) => [k, 1]),
  ) as unknown as SpecFile["line"];
  return {
    version: "bench",
    history: "bench",
    obsNum: 1,
    mapCoord: 1,
    dumpTime: 0.1,
    offX: 0,
    offY: 0,
    sourceName: "S",
    xPosition: 0,
    yPosition: 0,
    dateObs: "2025",
    receiver: "Sequoia",
    nspec: NSPEC,
    nchan: NCHAN,
    nchan0: 2048,
    chan0: 700,
    ncal: 1,
    npix: 16,
    channelNumber: new Int32Array(NCHAN),
    cdelt: 1,
    crpix: 1,
    crval: 0,
    ctype: "V",
    caxis: new Float64Array(NCHAN),
    line,
    pixel: new Int32Array(NSPEC),
    sequence: new Int32Array(NSPEC),
    xPos: new Float32Array(NSPEC),
    yPos: new Float32Array(NSPEC),
    rms: new Float32Array(NSPEC),
    spectra: Float32Array.from({ length: NSPEC * NCHAN }, (_, i) => Math.sin(i)),
    tsys: new Float32Array(16 * NCHAN),
  };
}

function report(what: string, bytes: number, ms: number): void {
  console.log(
    `${what.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms ${
      (bytes / MB / (ms / 1e3)).toFixed(0).padStart(6)
    } MB/s`,
  );
}

/** Best of `n` runs (ms). */
async function best(n: number, fn: () => Promise<void> | void): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const sf = specFile();
const specBytes = sf.spectra.byteLength;
const blockRows = Math.min(1024, Math.floor((1 << 20) / (NCHAN * 4)));
console.log(
  `SpecFile ${NSPEC} × ${NCHAN} float32 = ${(specBytes / MB).toFixed(1)} MB, blocks of ${blockRows} rows`,
);

// floor: the same bytes by write() in the same blocks
const raw = join(dir, "raw.bin");
const tRaw = await best(3, () => {
  const fd = openSync(raw, "w");
  const u8 = new Uint8Array(sf.spectra.buffer);
  const rb = blockRows * NCHAN * 4;
  for (let o = 0; o < u8.length; o += rb) writeSync(fd, u8, o, Math.min(rb, u8.length - o), o);
  closeSync(fd);
});
report("write() of the spectra bytes (floor)", specBytes, tRaw);

const p1 = join(dir, "whole.nc");
const tWhole = await best(3, () => writeNetcdf4(p1, specFileModel(sf)));
report("writeNetcdf4 (whole SpecFile)", statSync(p1).size, tWhole);

const p2 = join(dir, "sink.nc");
const tSink = await best(3, async () => {
  const sink = nc4SpecSink(p2);
  await sink.begin({ ...sf, spectra: new Float32Array(0) });
  const rows = sink.blockRows ?? blockRows;
  for (let r = 0; r < NSPEC; r += rows) {
    const n = Math.min(rows, NSPEC - r);
    sink.write(r, n, sf.spectra.subarray(r * NCHAN, (r + n) * NCHAN));
  }
  await sink.end(sf.rms);
});
report("Nc4Writer.writeSlab via nc4SpecSink", statSync(p2).size, tSink);
console.log(
  `  → beyond write(): writeNetcdf4 ${(tWhole - tRaw).toFixed(1)} ms, writeSlab ${
    (tSink - tRaw).toFixed(1)
  } ms`,
);

// roach-like append
const NCH = 2048, BLOCK = 100;
const nrow = Math.max(BLOCK, Math.floor((MBYTES * MB) / (NCH * 4) / BLOCK) * BLOCK);
const block = Float32Array.from({ length: BLOCK * NCH }, (_, i) => i);
const tblock = Float64Array.from({ length: BLOCK }, (_, i) => i);
const roachModel = {
  dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "numchannels", size: NCH }],
  variables: [
    { name: "Data.Integrate.time", type: "double" as const, dimensions: ["time"] },
    { name: "Data.Integrate.Data", type: "float" as const, dimensions: ["time", "numchannels"] },
  ],
};
const p3 = join(dir, "roach.nc");
const tAppend = await best(2, async () => {
  const w = await Nc4Writer.create(p3, roachModel);
  for (let r = 0; r < nrow; r += BLOCK) {
    w.append("Data.Integrate.time", tblock);
    w.append("Data.Integrate.Data", block);
  }
  await w.close();
});
report(`Nc4Writer.append (${nrow} × ${NCH} float32)`, statSync(p3).size, tAppend);

// h5wasm baseline
const t0 = performance.now();
const { default: h5 } = await import("h5wasm/node");
await h5.ready;
const tInit = performance.now() - t0;
console.log(`h5wasm initialisation: ${tInit.toFixed(0)} ms`);
/** An empty chunked float32 dataset of `ncol` columns, up to `maxRows` rows (null: unlimited). */
const emptyFloat32 = (
  f: InstanceType<typeof h5.File>,
  name: string,
  ncol: number,
  maxRows: number | null,
  chunkRows: number,
) =>
  f.create_dataset({
    name,
    data: new Float32Array(0),
    shape: [0, ncol],
    maxshape: [maxRows, ncol],
    chunks: [chunkRows, ncol],
    dtype: "<f",
  });
const p4 = join(dir, "h5wasm_spec.h5");
const tH5Spec = await best(3, () => {
  const f = new h5.File(p4, "w");
  const ds = emptyFloat32(f, "Data.Spectra", NCHAN, NSPEC, blockRows);
  ds.resize([NSPEC, NCHAN]);
  for (let r = 0; r < NSPEC; r += blockRows) {
    const n = Math.min(blockRows, NSPEC - r);
    ds.write_slice([[r, r + n], [0, NCHAN]], sf.spectra.subarray(r * NCHAN, (r + n) * NCHAN));
  }
  f.close();
});
report("h5wasm: Data.Spectra only, write_slice blocks", specBytes, tH5Spec);
const p5 = join(dir, "h5wasm_roach.h5");
const tH5App = await best(2, () => {
  const f = new h5.File(p5, "w");
  const cr = Math.floor((1 << 20) / (NCH * 4));
  const ds = emptyFloat32(f, "d", NCH, null, cr);
  let rows = 0;
  const big = new Float32Array(cr * NCH);
  for (let r = 0; r < nrow; r += cr) {
    const n = Math.min(cr, nrow - r);
    ds.resize([rows + n, NCH]);
    ds.write_slice([[rows, rows + n], [0, NCH]], big.subarray(0, n * NCH));
    rows += n;
  }
  f.close();
});
report(`h5wasm: chunked append (${nrow} × ${NCH}), whole chunks`, nrow * NCH * 4, tH5App);
console.log(
  `speed-up: writeSlab SpecFile ${((tH5Spec + tInit) / tSink).toFixed(1)}× (with h5wasm init), ` +
    `append ${(tH5App / tAppend).toFixed(1)}×`,
);
rmSync(dir, { recursive: true, force: true });
