/**
 * Write throughput and memory of the netCDF writers on SEQ-sized data: a
 * `float Data.Integrate.Data(time, numchannels=2048)` record variable plus a `double
 * Data.Integrate.time(time)`, as in a roach file. Each case runs in its own child process so
 * its peak RSS (VmHWM) is its own:
 *
 * - `stream`: {@link Nc4Writer} appending blocks of `--block` rows (default 100, not
 *   chunk-aligned) until `--gb` GB (default 1) are written;
 * - `whole`: {@link writeNetcdf4} with all data in memory (default 0.25 GB — it needs the whole
 *   array in the JS heap and a copy in the WASM heap, which is limited to 2 GB);
 * - `fixed`: {@link Nc4Writer} filling a pre-sized (fixed first dimension, SpecFile-like)
 *   variable by `append` in the same blocks;
 * - `cdf2`: {@link Cdf3StreamWriter} (CDF-2) appending the same rows, for comparison.
 *
 *     node_modules/.bin/deno run -A bench/netcdf_write.ts [--gb 1] [--whole_gb 0.25] [--block 100]
 *
 * The time includes the final close/fsync-less rename (data may still be in the page cache).
 * @module
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Cdf3StreamWriter,
  fdSink,
  Nc4Writer,
  type NcWriteModel,
  openNetcdf,
  writeNetcdf4,
} from "../lib/netcdf/mod.ts";

const NCHAN = 2048;
const MB = 1e6;

function arg(name: string, dflt: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
}

/** Peak resident set size of this process (bytes), from /proc (falls back to current RSS). */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss;
}

/** User + system CPU seconds of this process so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(): number {
  try {
    const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function model(withData?: { time: Float64Array; data: Float32Array }, fixedRows?: number): NcWriteModel {
  return {
    dimensions: [
      { name: "time", size: fixedRows ?? 0, unlimited: fixedRows === undefined },
      { name: "numchannels", size: NCHAN },
    ],
    variables: [
      { name: "Data.Integrate.time", type: "double", dimensions: ["time"], data: withData?.time },
      {
        name: "Data.Integrate.Data",
        type: "float",
        dimensions: ["time", "numchannels"],
        data: withData?.data,
      },
    ],
  };
}

function fillRows(out: Float32Array, r0: number, n: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * NCHAN, base = (r0 + r) % 65536;
    for (let c = 0; c < NCHAN; c++) out[o + c] = base + c * 1e-3;
  }
}

async function child(kind: string, path: string, gb: number, block: number): Promise<void> {
  const nrow = Math.round((gb * 1e9) / (NCHAN * 4));
  const buf = new Float32Array(block * NCHAN);
  const tbuf = new Float64Array(block);
  let genMs = 0;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  if (kind === "stream" || kind === "fixed") {
    const w = await Nc4Writer.create(path, model(undefined, kind === "fixed" ? nrow : undefined));
    for (let r = 0; r < nrow; r += block) {
      const n = Math.min(block, nrow - r);
      const g = performance.now();
      fillRows(buf, r, n);
      for (let i = 0; i < n; i++) tbuf[i] = 1.7e9 + (r + i) * 0.025;
      genMs += performance.now() - g;
      w.append("Data.Integrate.time", tbuf.subarray(0, n));
      w.append("Data.Integrate.Data", buf.subarray(0, n * NCHAN));
    }
    await w.close();
  } else if (kind === "cdf2") {
    const fd = openSync(path, "w");
    const header = model();
    const w = new Cdf3StreamWriter(fdSink(fd), header, { format: "cdf2", numrecs: nrow });
    w.writeHeader();
    const row = new Float32Array(NCHAN);
    for (let r = 0; r < nrow; r++) {
      const g = performance.now();
      fillRows(row, r, 1);
      genMs += performance.now() - g;
      w.writeRecord({
        "Data.Integrate.time": new Float64Array([1.7e9 + r * 0.025]),
        "Data.Integrate.Data": row,
      });
    }
    w.finish();
    closeSync(fd);
  } else {
    const g = performance.now();
    const data = new Float32Array(nrow * NCHAN);
    fillRows(data, 0, nrow);
    const time = Float64Array.from({ length: nrow }, (_, r) => 1.7e9 + r * 0.025);
    genMs += performance.now() - g;
    await writeNetcdf4(path, model({ time, data }));
  }
  const s = (performance.now() - t0 - genMs) / 1000;
  const cpu = cpuSeconds() - cpu0 - genMs / 1000;
  const bytes = nrow * NCHAN * 4;
  console.log(
    JSON.stringify({
      kind,
      nrow,
      bytes,
      s,
      cpu,
      genS: genMs / 1000,
      size: statSync(path).size,
      peak: peakRss(),
    }),
  );
}

if (Deno.args[0] === "--child") {
  await child(Deno.args[1]!, Deno.args[2]!, Number(Deno.args[3]), Number(Deno.args[4]));
  Deno.exit(0);
}

const gb = arg("gb", 1), wholeGb = arg("whole_gb", 0.25), block = arg("block", 100);
const dir = mkdtempSync(join(tmpdir(), "lmt-bench-ncw-"));
try {
  console.log(`netCDF write bench: float [time, ${NCHAN}] + double [time]; blocks of ${block} rows`);
  for (const [kind, size] of [["stream", gb], ["fixed", gb], ["cdf2", gb], ["whole", wholeGb]] as const) {
    const path = join(dir, `${kind}.nc`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--child",
        kind,
        path,
        String(size),
        String(block),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (out.code !== 0) throw new Error(`${kind} child failed`);
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    const label = {
      stream: "Nc4Writer.append",
      fixed: "Nc4Writer.append (pre-sized)",
      cdf2: "Cdf3StreamWriter (CDF-2)",
      whole: "writeNetcdf4 (all in memory)",
    }[kind];
    console.log(
      `${label.padEnd(30)} ${(r.bytes / MB).toFixed(0).padStart(5)} MB data, file ${
        (r.size / MB).toFixed(0)
      } MB: ` +
        `${r.s.toFixed(2)} s = ${(r.nrow / r.s / 1000).toFixed(1)} k rows/s, ${
          (r.bytes / MB / r.s).toFixed(0)
        } MB/s; ` +
        `CPU ${r.cpu.toFixed(2)} s; peak RSS ${(r.peak / MB).toFixed(0)} MB (data generation ${
          r.genS.toFixed(2)
        } s excluded)`,
    );
    if (kind === "stream" || kind === "fixed") {
      const f = await openNetcdf(path);
      const last = f.read("Data.Integrate.Data", {
        start: [r.nrow - 1, NCHAN - 1],
        count: [1, 1],
      }) as Float32Array;
      const want = Math.fround(((r.nrow - 1) % 65536) + (NCHAN - 1) * 1e-3);
      if (f.dimensions.get("time")!.size !== r.nrow || last[0] !== want) {
        throw new Error(
          `stream file check failed: ${f.dimensions.get("time")!.size} rows, last ${last[0]} ≠ ${want}`,
        );
      }
      f.close();
    }
    rmSync(path, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
