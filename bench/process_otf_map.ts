/**
 * Throughput and memory of process_otf_map on synthetic SEQ maps of growing size (lib/sim/seq.ts,
 * sized like `gen_seq --target_gb`), run black-box through bin/process_otf_map under
 * /usr/bin/time -v: wall and CPU seconds, raw MB/s (wall and CPU) and peak RSS per size, next to the
 * original's figures (process_otf_map2.py: 0.11 GB 3.9 s / 537 MiB, 0.40 GB 14.4 s / 1.6 GiB,
 * 1.48 GB 55.7 s / 5.6 GiB, 2.90 GB 119 s / 10.9 GiB).
 *
 *   deno run -A bench/process_otf_map.ts                 # 0.1, 0.4 and 1.5 GB
 *   deno run -A bench/process_otf_map.ts 0.1 --reps 3    # one size, best of 3
 *   deno run -A bench/process_otf_map.ts 2.9 --dir /big  # generate somewhere with room
 *   deno run -A bench/process_otf_map.ts 0.4 --pipe      # -o - (CDF-2 on stdout, discarded)
 *
 * Data are generated into a temp directory and removed afterwards (1.5 GB needs ~1.6 GB of disk).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { generateSeq, seqMapDuration, type SeqMapOptions, seqRoachBytes } from "../lib/sim/seq.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const args = [...Deno.args];
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const reps = Number(flag("--reps") ?? 1);
const base = flag("--dir") ?? tmpdir();
const pipeIdx = args.indexOf("--pipe");
const pipe = pipeIdx >= 0;
if (pipe) args.splice(pipeIdx, 1);
const sizes = args.length ? args.map(Number) : [0.1, 0.4, 1.5];
const ORIGINAL: [number, number, number][] = [[0.11, 3.9, 537], [0.40, 14.4, 1638], [1.48, 55.7, 5734], [
  2.90,
  119,
  11162,
]];

function dirBytes(d: string): number {
  let n = 0;
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    const s = statSync(p);
    n += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return n;
}

/** The map of gen_seq --target_gb: 600" rows 30" apart, as many as needed for `gb` of roach data. */
function mapFor(gb: number): SeqMapOptions {
  const map: SeqMapOptions = { xLengthArcsec: 600, yLengthArcsec: 0, nRows: 1 };
  for (let rows = 1; rows < 100000; rows++) {
    map.nRows = rows;
    map.yLengthArcsec = 30 * (rows - 1);
    if (seqRoachBytes(seqMapDuration(map), 2048, 0.1) >= gb * 1e9) break;
  }
  return map;
}

console.log(
  `process_otf_map --use_cal${
    pipe ? " -o -" : ""
  } (2 cores shared; wall time depends on the machine's load, CPU time less so)`,
);
console.log(
  "raw GB   rows  wall s  CPU s   MB/s wall  MB/s CPU  peak RSS MiB  SpecFile MB | original: s / MiB",
);
for (const gb of sizes) {
  const dir = mkdtempSync(join(base, "bench-seq-"));
  try {
    const map = mapFor(gb);
    await generateSeq(dir, { obsnum0: 98000, seed: 7, bs: false, map });
    const spec = join(dir, "spectrometer");
    const raw = readdirSync(spec).reduce((s, r) => {
      const d = join(spec, r);
      return s +
        readdirSync(d).filter((f) => f.includes("_98001_")).reduce(
          (a, f) => a + statSync(join(d, f)).size,
          0,
        );
    }, 0) + dirBytes(join(dir, "ifproc"));
    const out = join(dir, "out.nc");
    const cmdArgs = ["-O", "98001", "-o", pipe ? "-" : out, "--use_cal", "-p", dir];
    type Run = { wall: number; cpu: number; rss: number };
    let best: Run | null = null as Run | null;
    for (let k = 0; k < reps; k++) {
      rmSync(out, { force: true }); // each run writes a new file (replacing one costs its page-cache release)
      const t1 = performance.now();
      const res = await new Deno.Command("/usr/bin/time", {
        args: ["-v", join(ROOT, "bin", "process_otf_map"), ...cmdArgs],
        stderr: "piped",
        stdout: pipe ? "null" : "piped",
      }).output();
      const wall = (performance.now() - t1) / 1000;
      const err = new TextDecoder().decode(res.stderr);
      if (res.code !== 0) throw new Error(`process_otf_map failed: ${err}`);
      const num = (re: RegExp) => Number(re.exec(err)?.[1] ?? NaN);
      const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
      const rss = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
      const prev: Run | null = best;
      if (!prev || wall < prev.wall) best = { wall, cpu, rss: Math.max(rss, prev?.rss ?? 0) };
    }
    const o = ORIGINAL.reduce((a, b) => (Math.abs(b[0] - gb) < Math.abs(a[0] - gb) ? b : a));
    const mb = raw / 1e6;
    console.log(
      `${(raw / 1e9).toFixed(3).padStart(6)} ${String(map.nRows).padStart(5)} ${
        best!.wall.toFixed(2).padStart(7)
      } ${best!.cpu.toFixed(2).padStart(6)} ` +
        `${(mb / best!.wall).toFixed(0).padStart(10)} ${(mb / best!.cpu).toFixed(0).padStart(9)} ${
          best!.rss.toFixed(0).padStart(13)
        } ` +
        `${pipe ? "      -" : (statSync(out).size / 1e6).toFixed(1).padStart(12)} | ${o[0]} GB: ${o[1]} s / ${
          o[2]
        } MiB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!existsSync("/usr/bin/time")) console.log("(needs /usr/bin/time for CPU and RSS)");
