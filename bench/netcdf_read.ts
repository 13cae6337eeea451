/**
 * Throughput of the netCDF layer on SEQ-sized data: generate (in a temp dir) a CDF-2 file with a
 * record variable `float Data.Integrate.Data(time, npix=16, nchan=2048)` (4000 records ≈ 524 MB)
 * and the same data as netCDF-4, then read all records one by one and print MB/s and peak RSS.
 *
 *     node_modules/.bin/deno run -A bench/netcdf_read.ts [nrec=4000]
 *
 * Files are read right after being written, so they come from the page cache (warm reads).
 * @module
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cdf3StreamWriter, fdSink, type NcWriteModel, openNetcdf, writeNetcdf4 } from "../lib/netcdf/mod.ts";

const NPIX = 16;
const NCHAN = 2048;
const writeOnly = Deno.args[0] === "--write-nc4"; // child mode: write the netCDF-4 file only
const nrec = Number((writeOnly ? Deno.args[2] : Deno.args[0]) ?? 4000);
const dir = mkdtempSync(join(tmpdir(), "lmt-bench-nc-"));
const MB = 1024 * 1024;
let peak = 0;
const rss = () => {
  const r = Deno.memoryUsage().rss;
  if (r > peak) peak = r;
  return r;
};

function record(r: number, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = r + i * 1e-3;
  return out;
}

function header(): NcWriteModel {
  return {
    dimensions: [{ name: "time", size: nrec, unlimited: true }, { name: "npix", size: NPIX }, {
      name: "nchan",
      size: NCHAN,
    }],
    variables: [
      { name: "Data.Integrate.Time", type: "double", dimensions: ["time"] },
      { name: "Data.Integrate.Data", type: "float", dimensions: ["time", "npix", "nchan"] },
    ],
  };
}

function readAll(f: Awaited<ReturnType<typeof openNetcdf>>): { s: number; check: number } {
  const t0 = performance.now();
  let check = 0;
  for (let r = 0; r < nrec; r++) {
    const d = f.read("Data.Integrate.Data", { start: [r, 0, 0], count: [1, NPIX, NCHAN] }) as Float32Array;
    check += d[0]! + d[d.length - 1]!;
    if ((r & 63) === 0) rss();
  }
  rss();
  return { s: (performance.now() - t0) / 1000, check };
}

/** Open `path`, read every record, print the rate and the peak RSS under `label`; returns the checksum. */
async function timedRead(
  label: string,
  path: string,
  dataBytes: number,
): Promise<{ s: number; check: number }> {
  peak = 0;
  const t0 = performance.now();
  const f = await openNetcdf(path);
  const open = performance.now() - t0;
  const r = readAll(f);
  f.close();
  console.log(
    `${label} read ${nrec} records one by one: ${r.s.toFixed(2)} s = ${
      (dataBytes / MB / r.s).toFixed(0)
    } MB/s ` +
      `(open ${open.toFixed(1)} ms), peak RSS ${(peak / MB).toFixed(0)} MB`,
  );
  return r;
}

async function writeNc4Child(path: string): Promise<void> {
  const all = new Float32Array(nrec * NPIX * NCHAN);
  for (let r = 0; r < nrec; r++) record(r, all.subarray(r * NPIX * NCHAN, (r + 1) * NPIX * NCHAN));
  const model = header();
  model.variables[0]!.data = Float64Array.from({ length: nrec }, (_, r) => r * 0.1);
  model.variables[1]!.data = all;
  const t0 = performance.now();
  await writeNetcdf4(path, model);
  const s = (performance.now() - t0) / 1000;
  console.log(`  (writeNetcdf4 itself: ${s.toFixed(2)} s, child peak RSS ${(rss() / MB).toFixed(0)} MB)`);
}

if (writeOnly) {
  await writeNc4Child(Deno.args[1]!);
  Deno.exit(0);
}

try {
  const dataBytes = nrec * NPIX * NCHAN * 4;
  // ---- CDF-2: streamed record by record
  const p3 = join(dir, "bench_cdf2.nc");
  let t0 = performance.now();
  const fd = openSync(p3, "w");
  const w = new Cdf3StreamWriter(fdSink(fd), header(), { format: "cdf2" });
  w.writeHeader();
  const buf = new Float32Array(NPIX * NCHAN);
  for (let r = 0; r < nrec; r++) {
    w.writeRecord({
      "Data.Integrate.Time": new Float64Array([r * 0.1]),
      "Data.Integrate.Data": record(r, buf),
    });
    if ((r & 63) === 0) rss();
  }
  w.finish();
  closeSync(fd);
  const w3 = (performance.now() - t0) / 1000;
  console.log(
    `CDF-2 write (stream): ${(statSync(p3).size / MB).toFixed(0)} MB in ${w3.toFixed(2)} s = ${
      (dataBytes / MB / w3).toFixed(0)
    } MB/s`,
  );
  const r3 = await timedRead("CDF-2", p3, dataBytes);
  // ---- netCDF-4: whole model through h5wasm, written by a child process (so this process
  // never holds the 0.5 GB array and its RSS measures the reads only)
  const p4 = join(dir, "bench_nc4.nc");
  t0 = performance.now();
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--write-nc4", p4, String(nrec)],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (child.code !== 0) throw new Error("netCDF-4 writer child failed");
  const w4 = (performance.now() - t0) / 1000;
  console.log(
    `netCDF-4 write (child process incl. startup): ${(statSync(p4).size / MB).toFixed(0)} MB in ${
      w4.toFixed(2)
    } s = ` +
      `${(dataBytes / MB / w4).toFixed(0)} MB/s`,
  );
  const r4 = await timedRead("netCDF-4", p4, dataBytes);
  if (r3.check !== r4.check) throw new Error(`checksums differ: ${r3.check} vs ${r4.check}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
