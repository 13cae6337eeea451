/**
 * Gridding throughput on synthetic SpecFiles of N spectra × 659 channels (16 pixels on a
 * boustrophedon raster, Gaussian noise; full netCDF-3 CDF-2 SpecFile layout, so the original C
 * gridder can read the same files), gridded with the pipeline's options (jinc, resolution 11",
 * cell 5.5", rmax 3, noise_sigma 1, rms_cut −4, ±200" map).
 *
 * Two modes:
 *
 *     # in-process gridding only (no FITS writing), one child process per case so that peak RSS
 *     # (VmHWM) is per case; prints spectra·channels/s for each thread count (--workers N: this
 *     # thread and N − 1 workers share the gridding)
 *     node_modules/.bin/deno run -A bench/grid.ts [--sizes 10432,43056,167360,331328] [--workers 1,2]
 *         [--kernel wasm|ts] [--reps 3] [--dir DIR]
 *
 *     # end-to-end, side by side: bin/spec_driver_fits and another gridder executable taking the
 *     # C program's options (e.g. a local build of the original, see bench/README.md), run back to
 *     # back on the same files, --reps times each; prints min wall time, min CPU time (user+sys,
 *     # from /usr/bin/time, which is less sensitive to other load on the machine) and peak RSS, and
 *     # checks that both cubes hold bit-identical data
 *     node_modules/.bin/deno run -A bench/grid.ts --compare /path/to/spec_driver_fits [--sizes ...]
 *
 * `--dir DIR` keeps the generated SpecFiles in DIR (re-used when present) instead of a temp dir.
 * @module
 */
import { join, resolve } from "node:path";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { writeNetcdf3Sync } from "../lib/netcdf/mod.ts";
import { openNetcdf } from "../lib/netcdf/mod.ts";
import { GRID_DATA_DEFAULTS, gridSpecFiles } from "../lib/grid/mod.ts";
import { type SpecFile, specFileModel } from "../lib/specfile/mod.ts";
import { simSpecLine } from "../lib/sim/common.ts";

const NCHAN = 659;
const ROOT = resolve(new URL("..", import.meta.url).pathname);
/** Options shared by both gridders (C letter options). */
const GRID_ARGS = [
  "-l",
  "11",
  "-c",
  "5.5",
  "-u",
  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
  "-z",
  "-4",
  "-s",
  "1",
  "-x",
  "200",
  "-y",
  "200",
  "-f",
  "1",
  "-r",
  "3",
  "-0",
  "1.1",
  "-1",
  "4.75",
  "-2",
  "2",
  "-b",
  "-1,0,0",
  "-e",
  "0",
];

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
  const npix = 16;
  const tsys = new Float32Array(npix * nchan);
  for (let i = 0; i < tsys.length; i++) tsys[i] = 180 + 40 * rnd();
  const L = simSpecLine({
    vSource: -20,
    vSystem: -20,
    lineRestFrequency: 115.271204e9,
    skyFrequency: 115.27e9,
    sideband: 1,
    nChannels: 2048,
    bandwidth: 800e6,
    deltaFrequency: 390625,
    deltaVelocity: -1.015921,
    xType: 2,
  });
  const sf: SpecFile = {
    version: "29-may-2025",
    history: "bench/grid.ts synthetic SpecFile",
    obsNum: 1,
    mapCoord: 1,
    dumpTime: 0.1,
    offX: 0,
    offY: 0,
    sourceName: "BENCH",
    xPosition: 146.9892,
    yPosition: 13.27877,
    dateObs: "2024-01-01T00:00:00",
    receiver: "Sequoia",
    nspec,
    nchan,
    nchan0: 2048,
    chan0: 700,
    ncal: 1,
    npix,
    channelNumber: Int32Array.from({ length: nchan }, (_, i) => 700 + i),
    cdelt: -1.015921,
    crpix: 0,
    crval: 330,
    ctype: "VLSR",
    caxis: Float64Array.from({ length: nchan }, (_, i) => 330 - 1.015921 * i),
    line: L,
    pixel,
    sequence: seq,
    xPos: xpos,
    yPos: ypos,
    rms,
    spectra,
    tsys,
  };
  writeNetcdf3Sync(path, specFileModel(sf, "cdf3"), { format: "cdf2" });
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user+sys) per thread of this process, from /proc/self/task/<tid>/stat. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      const st = Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`);
      const rest = st.slice(st.lastIndexOf(")") + 2).split(" ");
      out.set(e.name, (Number(rest[11]) + Number(rest[12])) / 100); // utime, stime (clock ticks)
    } catch { /* thread ended */ }
  }
  return out;
}

/** CPU seconds of the whole process, exited threads included (/proc/self/stat). */
function procCpuNow(): number {
  const st = Deno.readTextFileSync("/proc/self/stat");
  const rest = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

async function one(path: string, workers: number, kernel: "wasm" | "ts"): Promise<void> {
  const cpu0 = threadCpu();
  const proc0 = procCpuNow();
  const t0 = performance.now();
  const nc = await openNetcdf(path);
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
  // CPU of the run per thread (workers have ended; their CPU is in the process total only)
  const cpu1 = threadCpu();
  const mainCpu = (cpu1.get(String(Deno.pid)) ?? 0) - (cpu0.get(String(Deno.pid)) ?? 0);
  const procCpu = procCpuNow() - proc0;
  console.log(
    JSON.stringify({
      seconds: dt,
      nspec: r.ntotal,
      gridded: r.files[0]!.gridded,
      nz: r.geometry.nz,
      rssMB: peakRssMB(),
      kernel: r.kernelName,
      mainCpu,
      procCpu,
    }),
  );
}

/** Run a command under /usr/bin/time; returns wall, cpu (user+sys) seconds and max RSS (MB). */
async function timed(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ wall: number; cpu: number; rss: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %e %U %S %M", cmd, ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  if (out.code !== 0 || m === null) throw new Error(`${cmd} failed (${out.code}): ${err.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rss: Number(m[4]) / 1024 };
}

/** The data section of a single-HDU FITS file (after the header's END card block). */
function fitsData(path: string): Uint8Array {
  const b = new Uint8Array(readFileSync(path));
  for (let o = 0; o < b.length; o += 80) {
    if (b[o] === 69 && b[o + 1] === 78 && b[o + 2] === 68 && b[o + 3] === 32) {
      return b.subarray(Math.ceil((o + 80) / 2880) * 2880);
    }
  }
  throw new Error(`${path}: no END card`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function compare(cbin: string, files: [number, string][], workersList: number[], reps: number) {
  console.log(`end-to-end, ${reps} repetitions each, min over repetitions; CPU = user+sys`);
  console.log(
    "nspec    program          wall(s)  cpu(s)  Mspec·ch/s(wall)  vs C(wall)  vs C(cpu)  RSS(MB)  cube",
  );
  for (const [n, path] of files) {
    const cwd = mkdtempSync(join(tmpdir(), "lmt-bench-cmp-"));
    try {
      const cases: { label: string; cmd: string; args: (o: string) => string[] }[] = [
        { label: "C", cmd: cbin, args: (o) => ["-i", path, "-o", o, "-w", `${o}.wt`, ...GRID_ARGS] },
        ...workersList.map((w) => ({
          label: `ours threads=${w}`,
          cmd: join(ROOT, "bin/spec_driver_fits"),
          args: (o: string) => ["-i", path, "-o", o, "-w", `${o}.wt`, ...GRID_ARGS, "--workers", String(w)],
        })),
      ];
      const best = cases.map(() => ({ wall: Infinity, cpu: Infinity, rss: 0 }));
      for (let r = 0; r < reps; r++) {
        for (let c = 0; c < cases.length; c++) {
          const o = join(cwd, `cube${c}.fits`);
          for (const p of [o, `${o}.wt`]) rmSync(p, { force: true });
          const t = await timed(cases[c]!.cmd, cases[c]!.args(o), cwd);
          const b = best[c]!;
          b.wall = Math.min(b.wall, t.wall);
          b.cpu = Math.min(b.cpu, t.cpu);
          b.rss = Math.max(b.rss, t.rss);
        }
      }
      const ref = fitsData(join(cwd, "cube0.fits"));
      for (let c = 0; c < cases.length; c++) {
        const b = best[c]!, c0 = best[0]!;
        const same = c === 0
          ? "ref"
          : sameBytes(ref, fitsData(join(cwd, `cube${c}.fits`)))
          ? "identical"
          : "DIFFERS";
        console.log(
          `${String(n).padEnd(8)} ${cases[c]!.label.padEnd(16)} ${b.wall.toFixed(2).padStart(7)} ${
            b.cpu.toFixed(2).padStart(7)
          }  ${((n * NCHAN) / b.wall / 1e6).toFixed(1).padStart(15)}  ${
            (c0.wall / b.wall).toFixed(2).padStart(9)
          }x ${(c0.cpu / b.cpu).toFixed(2).padStart(8)}x ${b.rss.toFixed(0).padStart(8)}  ${same}`,
        );
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
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
  const workersList = arg("--workers", "1,2").split(",").map(Number);
  const kernel = arg("--kernel", "wasm");
  const reps = Number(arg("--reps", "3"));
  const cbin = arg("--compare", "");
  const keep = arg("--dir", "");
  const dir = keep !== "" ? keep : mkdtempSync(join(tmpdir(), "lmt-bench-grid-"));
  if (keep !== "") mkdirSync(keep, { recursive: true });
  const files: [number, string][] = [];
  try {
    for (const n of sizes) {
      const path = join(dir, `bench_${n}.nc`);
      if (!existsSync(path)) writeSyntheticSpecFile(path, n);
      files.push([n, path]);
    }
    console.log(`cores: ${navigator.hardwareConcurrency}, channels: ${NCHAN}, kernel: ${kernel}`);
    if (cbin !== "") {
      await compare(cbin, files, workersList, reps);
    } else {
      console.log(
        "nspec    threads  wall(s)  Mspec·ch/s  GFMA/s  cpu(s)  main-thread cpu(s)  est. unloaded wall(s)  peakRSS(MB)",
      );
      console.log(
        "  (min over reps; open + read + grid, no FITS writing; est. = cpu / threads: the threads share the units)",
      );
      for (const [n, path] of files) {
        for (const w of workersList) {
          let best:
            | { seconds: number; gridded: number; rssMB: number; mainCpu: number; procCpu: number }
            | undefined;
          for (let r = 0; r < reps; r++) {
            const out = await new Deno.Command(Deno.execPath(), {
              args: ["run", "-A", new URL(import.meta.url).pathname, "--one", path, String(w), kernel],
              stdout: "piped",
              stderr: "inherit",
            }).output();
            const res = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
            if (best === undefined || res.procCpu < best.procCpu) best = res;
          }
          const b = best!;
          const rate = (n * NCHAN) / b.seconds / 1e6;
          const fma = (b.gridded * 15 * 15 * NCHAN) / b.seconds / 1e9; // footprint 15×15 (n_cells 7)
          const est = b.procCpu / Math.max(1, w);
          console.log(
            `${String(n).padEnd(8)} ${String(w).padEnd(8)} ${b.seconds.toFixed(3).padStart(7)}  ${
              rate.toFixed(1).padStart(10)
            }  ${fma.toFixed(2).padStart(6)}  ${b.procCpu.toFixed(2).padStart(6)}  ${
              b.mainCpu.toFixed(2).padStart(18)
            }  ${est.toFixed(2).padStart(21)}  ${b.rssMB.toFixed(0).padStart(11)}`,
          );
        }
      }
    }
  } finally {
    if (keep === "") rmSync(dir, { recursive: true, force: true });
  }
}
