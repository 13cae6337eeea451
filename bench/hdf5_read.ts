/**
 * Native HDF5 reader vs h5wasm on a generated roach file: open (all metadata and small
 * variables) + read all rows of `Data.Integrate.Data` (float32, chunks [1, nchan]), warm.
 * Prints milliseconds and MB/s of each path.
 *
 *     node_modules/.bin/deno run -A bench/hdf5_read.ts [rows=18]
 *
 * The roach file comes from scripts/gen_seq.ts in a temp dir (rows 18 ≈ 26 MB map file).
 * @module
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NcFile, openNc4, openNc4Native } from "../lib/netcdf/mod.ts";

const rows = Number(Deno.args[0] ?? 18);
const dir = mkdtempSync(join(tmpdir(), "lmt-bench-h5-"));
try {
  const r = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL("../scripts/gen_seq.ts", import.meta.url).pathname,
      "--out",
      dir,
      "--obsnum0",
      "97000",
      "--rows",
      String(rows),
    ],
    stdout: "null",
    stderr: "inherit",
  }).outputSync();
  if (r.code !== 0) throw new Error("gen_seq failed");
  const roach = join(dir, "spectrometer/roach0");
  const file = readdirSync(roach).map((f) => join(roach, f)).sort((a, b) =>
    statSync(b).size - statSync(a).size
  )[0]!;
  const mb = statSync(file).size / 2 ** 20;

  const readAll = (nc: NcFile): number => {
    let sum = 0;
    for (const v of nc.variables.values()) {
      if (v.name === "Data.Integrate.Data") continue;
      nc.read(v.name);
    }
    const d = nc.read("Data.Integrate.Data") as Float32Array;
    for (let i = 0; i < d.length; i += 4096) sum += d[i]!;
    return sum;
  };
  const time = async (label: string, open: () => NcFile | Promise<NcFile>): Promise<number> => {
    let best = Infinity;
    let check = 0;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      const nc = await open();
      check = readAll(nc);
      nc.close();
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `${label.padEnd(8)} open + read all: ${best.toFixed(1).padStart(7)} ms  ${
        (mb / (best / 1000)).toFixed(0).padStart(6)
      } MB/s`,
    );
    return check;
  };
  console.log(`roach file ${file.split("/").pop()} ${mb.toFixed(1)} MB (best of 5, warm)`);
  const t0 = performance.now();
  const a = await time("native", () => openNc4Native(file));
  const tNative = performance.now() - t0;
  const t1 = performance.now();
  const b = await time("h5wasm", () => openNc4(file));
  console.log(
    `first-use cost incl. 5 runs: native ${tNative.toFixed(0)} ms, h5wasm ${
      (performance.now() - t1).toFixed(0)
    } ms (incl. WASM init)`,
  );
  if (a !== b) throw new Error(`checksums differ: ${a} vs ${b}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
