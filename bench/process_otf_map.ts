/**
 * Throughput of process_otf_map on synthetic SEQ maps of growing size (lib/sim/seq.ts), run
 * black-box through bin/process_otf_map: raw MB/s and peak RSS (/usr/bin/time -v when present).
 * The original: 0.11 GB in 3.9 s / 537 MiB, 0.40 GB in 14.4 s / 1.6 GiB.
 *
 *   deno run -A bench/process_otf_map.ts            # 0.1 and 0.4 GB
 *   deno run -A bench/process_otf_map.ts 0.1        # one size
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { generateSeq } from "../lib/sim/seq.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const sizes = Deno.args.length ? Deno.args.map(Number) : [0.1, 0.4];

function dirBytes(d: string): number {
  let n = 0;
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    const s = statSync(p);
    n += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return n;
}

for (const gb of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "bench-seq-"));
  try {
    // ~131 kB of raw data per dump (16 pixels × 2048 ch × 4 B); rows of 600" at 50"/s ≈ 13.4 s each
    const rows = Math.max(2, Math.round((gb * 1e9) / (131072 * 10 * 13.4)));
    const t0 = performance.now();
    await generateSeq(dir, {
      obsnum0: 98000, seed: 7, bs: false,
      map: { xLengthArcsec: 600, yLengthArcsec: 30 * (rows - 1), nRows: rows, rowsPerRef: 4 },
    });
    const tGen = (performance.now() - t0) / 1000;
    const raw = dirBytes(join(dir, "spectrometer")) - [0, 1, 2, 3].reduce((s, r) => {
      const d = join(dir, "spectrometer", `roach${r}`);
      return s + (existsSync(d) ? readdirSync(d).filter((f) => f.includes("_98000_")).reduce((a, f) => a + statSync(join(d, f)).size, 0) : 0);
    }, 0);
    const args = ["-O", "98001", "-o", join(dir, "out.nc"), "--use_cal", "-p", dir];
    const useTime = existsSync("/usr/bin/time");
    const cmd = useTime
      ? new Deno.Command("/usr/bin/time", { args: ["-v", join(ROOT, "bin", "process_otf_map"), ...args], stderr: "piped", stdout: "piped" })
      : new Deno.Command(join(ROOT, "bin", "process_otf_map"), { args, stderr: "piped", stdout: "piped" });
    const t1 = performance.now();
    const out = await cmd.output();
    const dt = (performance.now() - t1) / 1000;
    const err = new TextDecoder().decode(out.stderr);
    if (out.code !== 0) throw new Error(`process_otf_map failed: ${err}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
    const rssMiB = rss ? Number(rss[1]) / 1024 : NaN;
    console.log(
      `raw ${(raw / 1e9).toFixed(3)} GB (${rows} rows, generated in ${tGen.toFixed(1)} s): ${dt.toFixed(2)} s, ` +
        `${(raw / 1e6 / dt).toFixed(0)} MB/s, peak RSS ${rssMiB.toFixed(0)} MiB, SpecFile ${(statSync(join(dir, "out.nc")).size / 1e6).toFixed(1)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
