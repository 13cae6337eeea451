/**
 * Run every benchmark with moderate sizes and print their throughput lines (`npm run bench`).
 * Each benchmark is its own script in bench/ and can be run alone with larger sizes; see their headers.
 *
 *   npm run bench              # all, moderate sizes (a few minutes on 2 cores)
 *   npm run bench -- grid      # only the named ones
 * @module
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const SAMPLES_RSR = join(ROOT, "..", "shared", "samples", "rsr", "data_lmt");

const BENCHES: [string, string[]][] = [
  ["rsr_chain", ["bench/rsr_chain.ts"]],
  ["slpipeline", ["bench/slpipeline.ts", "--repeat", "2"]],
  ["rsr_driver", existsSync(SAMPLES_RSR) ? ["bench/rsr_driver.ts", SAMPLES_RSR] : []],
  ["netcdf_read", ["bench/netcdf_read.ts", "1000"]],
  ["netcdf_write", ["bench/netcdf_write.ts", "--gb", "0.25"]],
  ["hdf5_read", ["bench/hdf5_read.ts"]],
  ["hdf5_write", ["bench/hdf5_write.ts"]],
  ["process_otf_map", ["bench/process_otf_map.ts", "0.1", "0.4"]],
  ["grid", ["bench/grid.ts", "--sizes", "10432,43056", "--workers", "1,2", "--reps", "2"]],
];

const want = Deno.args.length > 0 ? new Set(Deno.args) : null;
let failed = 0;
for (const [name, args] of BENCHES) {
  if (want && !want.has(name)) continue;
  if (args.length === 0) {
    console.log(`== ${name}: skipped (../shared/samples not found)`);
    continue;
  }
  console.log(`== ${name}: deno run -A ${args.join(" ")}`);
  const t0 = performance.now();
  const o = await new Deno.Command(DENO, {
    args: ["run", "-A", "--quiet", "--config", join(ROOT, "deno.json"), ...args],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  console.log(
    `== ${name}: ${o.code === 0 ? "done" : `FAILED (exit ${o.code})`} in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s\n`,
  );
  if (o.code !== 0) failed++;
}
Deno.exit(failed ? 1 : 0);
