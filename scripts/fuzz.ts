/**
 * fuzz — run the real tools on thousands of structure-aware mutants of their input files and check
 * that every outcome is acceptable (issue 13, "hostile input").
 *
 * Base files come from the toolkit's own generators (lib/sim): an RSR obsnum (netCDF-3 chassis
 * files, netCDF-4 corr_cal matrices), a SEQ OTF map (netCDF-3 ifproc, netCDF-4 roach files), the
 * SpecFile process_otf_map makes of it (netCDF-4) and a 2-D FITS model with an IMAGE extension made
 * from spec_driver_fits' weight map. Each mutant (scripts/fuzz/mutate.ts) replaces one base file in
 * a job folder whose other inputs are links to the base tree, and the tool that reads it runs
 * in-process in one of `--jobs` runner processes (scripts/fuzz/runner.ts): rsr_driver on chassis and
 * corr_cal files, process_otf_map on ifproc and roach files, spec_driver_fits on the SpecFile (-i)
 * and the model (-a).
 *
 * Accepted outcomes: exit 1 with one line `tool: ...` naming the file ("error"); exit 0 with a new
 * warning naming the file ("warn"); exit 0 when only data or text bytes changed ("data"), or when a
 * structural change left every output identical to the unmutated run's ("inert"). Failures:
 * "silent" (structure changed, exit 0, different output, no warning), "unnamed" (the error line
 * does not name the file), "bare" (`tool: error: ...`, an untyped JavaScript error), "multiline",
 * "stack", "usage" (exit 2), "crash", "timeout" (over `--timeout` s) and "memory" (peak resident
 * memory over `--mem` MB, from /proc).
 *
 *   npm run fuzz                                    # 5,000 mutants, seed 1
 *   deno run -A scripts/fuzz.ts --count 200 --seed 7 --keep /tmp/fuzz-failures
 * @module
 */
import { defineTool } from "../lib/cli/mod.ts";
import { generateRsr } from "../lib/sim/rsr.ts";
import { generateSeq } from "../lib/sim/seq.ts";
import { Rng } from "../lib/sim/rng.ts";
import { encodeFitsImage, firstImage, FitsHeader, readFits } from "../lib/fits/mod.ts";
import { type FileMap, type Format, mapFile, type Mutant, mutate } from "./fuzz/mutate.ts";

/** One kind of mutated input and the tool run that reads it. */
interface Target {
  name: string;
  format: Format;
  /** Base tree copied (as links) into each job's `data/`. */
  tree: string;
  /** The mutated file, relative to the tree. */
  rel: string;
  tool: string;
  argv: string[];
}

/** What can happen to one mutant. */
export const OK_OUTCOMES = ["error", "warn", "data", "inert"] as const;
export const BAD_OUTCOMES = [
  "silent",
  "unnamed",
  "bare",
  "multiline",
  "stack",
  "usage",
  "crash",
  "timeout",
  "memory",
] as const;
export type Outcome = typeof OK_OUTCOMES[number] | typeof BAD_OUTCOMES[number];

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  count: number;
  seed: number;
  jobs: number;
  timeoutS: number;
  memMb: number;
  /** Folder to keep failing mutants in (with a .txt of what happened). */
  keep?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One failing mutant. */
export interface FuzzFailure {
  index: number;
  target: string;
  outcome: Outcome;
  ops: string[];
  stderr: string;
}

/** Result of {@link runFuzz}: counts per target and outcome, the failures, wall time. */
export interface FuzzReport {
  counts: Map<string, Map<Outcome, number>>;
  formats: Map<string, Format>;
  failures: FuzzFailure[];
  seconds: number;
}

interface RunResult {
  code: number;
  stderr: string;
  ms: number;
  peakKb: number;
  killed?: "timeout" | "memory" | "crash";
}

const ROOT = new URL("..", import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------
// runner pool

class Runner {
  #child: Deno.ChildProcess;
  #lines: AsyncIterator<string>;
  jobs = 0;
  readonly stderrTail: string[] = [];
  constructor() {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--no-lock",
        "--config",
        `${ROOT}deno.json`,
        `${ROOT}scripts/fuzz/runner.ts`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { LMT_VERBOSE: "0" },
    }).spawn();
    this.#lines = lines(this.#child.stdout);
    // stderr outside a job's capture (crashes, worker output): keep the last lines
    (async () => {
      for await (const l of { [Symbol.asyncIterator]: () => lines(this.#child.stderr) }) {
        this.stderrTail.push(l);
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    })().catch(() => {});
  }

  get pid(): number {
    return this.#child.pid;
  }

  async run(job: object, timeoutS: number, memMb: number): Promise<RunResult> {
    this.jobs++;
    const w = this.#child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(job) + "\n"));
    w.releaseLock();
    let killed: RunResult["killed"];
    const t0 = performance.now();
    const watch = setInterval(() => {
      if (performance.now() - t0 > timeoutS * 1000) killed ??= "timeout";
      else if (rssKb(this.pid) > memMb * 1024) killed ??= "memory";
      if (killed) this.kill();
    }, 100);
    try {
      const r = await this.#lines.next();
      if (r.done) {
        return {
          code: -1,
          stderr: this.stderrTail.join("\n"),
          ms: performance.now() - t0,
          peakKb: 0,
          killed: killed ?? "crash",
        };
      }
      return JSON.parse(r.value) as RunResult;
    } finally {
      clearInterval(watch);
    }
  }

  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* gone */ }
  }

  /** End the runner: stdin closed, then killed if it has not exited within 2 s (a tool's signal listeners or workers can keep it alive). */
  async close(): Promise<void> {
    try {
      await this.#child.stdin.close();
    } catch { /* killed */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill();
        resolve();
      }, 2000);
    });
    await Promise.race([this.#child.status.then(() => {}), late]);
    clearTimeout(timer);
    await this.#child.status;
  }
}

async function* lines(s: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf !== "") yield buf;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// files

function walk(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${rel}`)) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/** `dst/` = links to every file of `tree` but `rel`, which gets `bytes`. */
function makeJobTree(tree: string, dst: string, rel: string, bytes: Uint8Array | null): void {
  for (const f of walk(tree)) {
    const d = `${dst}/${f}`;
    Deno.mkdirSync(d.slice(0, d.lastIndexOf("/")), { recursive: true });
    if (f === rel && bytes) Deno.writeFileSync(d, bytes);
    else Deno.symlinkSync(`${tree}/${f}`, d);
  }
}

const DATE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?/g;

/** The outputs of a job, dates blanked, for comparison with the unmutated run. */
function outputs(dir: string): string {
  const dec = new TextDecoder("latin1");
  let s = "";
  try {
    for (const f of walk(dir)) {
      s += `\0${f}\0${dec.decode(Deno.readFileSync(`${dir}/${f}`)).replace(DATE, "D")}`;
    }
  } catch { /* no out dir */ }
  return s;
}

// ---------------------------------------------------------------------------------------------
// set-up

async function setUp(work: string, pool: Runner): Promise<Target[]> {
  const rsr = `${work}/base/rsr`;
  const seq = `${work}/base/seq`;
  const sd = `${work}/base/sd`;
  await generateRsr(rsr, { obsnum: 91001, nRepeats: 1 });
  await generateSeq(seq, {
    obsnum0: 96000,
    seed: 7,
    nchan: 256,
    map: { nRows: 3, xLengthArcsec: 60, yLengthArcsec: 30 },
    bs: false,
  });
  Deno.mkdirSync(sd, { recursive: true });
  const grid = ["-l", "13", "-c", "6", "-x", "60", "-y", "60", "--workers", "1"];
  for (
    const [tool, argv] of [
      ["process_otf_map", ["-p", seq, "-O", "96001", "-o", `${sd}/map.nc`, "--workers", "1"]],
      ["spec_driver_fits", [
        "-i",
        `${sd}/map.nc`,
        "-o",
        `${work}/c.fits`,
        "-w",
        `${work}/c.wt.fits`,
        ...grid,
      ]],
    ] as const
  ) {
    const r = await pool.run({ id: -1, tool, argv, env: {}, cwd: work }, 120, 4096);
    if (r.code !== 0) throw new Error(`fuzz set-up: ${tool} failed: ${r.stderr}`);
  }
  // the weight map as a 2-D model, with an IMAGE extension after it (a walk over two HDUs)
  const wt = firstImage(readFits(`${work}/c.wt.fits`));
  const data = wt.data as Float32Array;
  const header = new FitsHeader();
  for (const [k, v] of wt.header) if (/^C(RVAL|DELT|RPIX|TYPE)\d$/.test(k)) header.set(k, v);
  Deno.writeFileSync(
    `${sd}/model.fits`,
    encodeFitsImage({
      data,
      shape: wt.shape,
      header,
      extensions: [{ extname: "EXTRA", data: data.slice(0, 64), shape: [8, 8] }],
    }),
  );
  const chassis = (c: number, obs: number) =>
    walk(rsr).find((f) => f.startsWith(`RedshiftChassis${c}/`) && f.includes(`_0${obs}_`))!;
  const roach = walk(seq).find((f) => f.startsWith("spectrometer/roach1/") && f.includes("_96001_"))!;
  const ifproc = walk(seq).find((f) => f.startsWith("ifproc/") && f.includes("_096001_"))!;
  const rsrRun = { tool: "rsr_driver", argv: ["91001", "-d", "data", "-o", "out/rsr.txt"] };
  const otfRun = {
    tool: "process_otf_map",
    argv: ["-p", "data", "-O", "96001", "-o", "out/map.nc", "--workers", "1"],
  };
  return [
    { name: "rsr chassis (Bs)", format: "cdf3", tree: rsr, rel: chassis(0, 91001), ...rsrRun },
    { name: "rsr chassis (Cal)", format: "cdf3", tree: rsr, rel: chassis(2, 91000), ...rsrRun },
    { name: "rsr corr_cal", format: "hdf5", tree: rsr, rel: "rsr/cal/corr_cal_2024_1.nc", ...rsrRun },
    { name: "seq ifproc", format: "cdf3", tree: seq, rel: ifproc, ...otfRun },
    { name: "seq roach", format: "hdf5", tree: seq, rel: roach, ...otfRun },
    {
      name: "SpecFile",
      format: "hdf5",
      tree: sd,
      rel: "map.nc",
      tool: "spec_driver_fits",
      argv: ["-i", "data/map.nc", "-o", "out/c.fits", "-w", "out/c.wt.fits", ...grid],
    },
    {
      name: "FITS model",
      format: "fits",
      tree: sd,
      rel: "model.fits",
      tool: "spec_driver_fits",
      argv: ["-i", "data/map.nc", "-a", "data/model.fits", "-o", "out/c.fits", ...grid],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// classification

interface Baseline {
  stderr: Set<string>;
  outputs: string;
}

function classify(
  t: Target,
  r: RunResult,
  m: Mutant,
  base: Baseline,
  out: string,
  opts: FuzzOptions,
): Outcome {
  if (r.killed) return r.killed;
  if (/^\s+at .*:\d+:\d+\)?$/m.test(r.stderr) || r.stderr.includes("UNCAUGHT")) return "stack";
  if (r.peakKb > opts.memMb * 1024) return "memory";
  if (r.ms > opts.timeoutS * 1000) return "timeout";
  const file = t.rel.slice(t.rel.lastIndexOf("/") + 1);
  const fresh = r.stderr.split("\n").filter((l) => l.trim() !== "" && !base.stderr.has(l));
  const warn = `${t.tool}: warning: `;
  const warnings = fresh.filter((l) => l.startsWith(warn));
  const others = fresh.filter((l) => !l.startsWith(warn));
  if (r.code === 0) {
    if (warnings.some((l) => l.includes(file))) return "warn";
    if (m.dataOnly) return "data";
    return outputs(out) === base.outputs ? "inert" : "silent";
  }
  if (r.code === 1) {
    if (others.length !== 1) return "multiline";
    const line = others[0]!;
    if (line.startsWith(`${t.tool}: error: `)) return "bare";
    if (!line.includes(file)) return "unnamed";
    return "error";
  }
  if (r.code === 2) return "usage";
  return "crash";
}

// ---------------------------------------------------------------------------------------------
// the run

/** Generate the base files, run `count` mutants over the targets, classify every outcome. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const work = Deno.makeTempDirSync({ prefix: "lmt-fuzz-" });
  const runners: Runner[] = [];
  // interrupted: no runner and no job folder left behind
  const stop = (): void => {
    for (const r of runners) r.kill();
    Deno.removeSync(work, { recursive: true });
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    runners.push(new Runner());
    const targets = await setUp(work, runners[0]!);
    const maps = new Map<string, { bytes: Uint8Array; map: FileMap }>();
    for (const t of targets) {
      const key = `${t.tree}/${t.rel}`;
      if (!maps.has(key)) {
        const bytes = Deno.readFileSync(key);
        maps.set(key, { bytes, map: mapFile(t.format, bytes) });
      }
    }
    // baselines: the unmutated runs
    const baselines: Baseline[] = [];
    for (const [i, t] of targets.entries()) {
      const dir = `${work}/jobs/base${i}`;
      makeJobTree(t.tree, `${dir}/data`, t.rel, null);
      Deno.mkdirSync(`${dir}/out`);
      const r = await runners[0]!.run({ id: -1, tool: t.tool, argv: t.argv, env: {}, cwd: dir }, 120, 4096);
      if (r.code !== 0) throw new Error(`fuzz baseline ${t.name}: exit ${r.code}: ${r.stderr}`);
      baselines.push({ stderr: new Set(r.stderr.split("\n")), outputs: outputs(`${dir}/out`) });
    }
    const counts = new Map<string, Map<Outcome, number>>();
    const formats = new Map<string, Format>();
    for (const t of targets) {
      counts.set(t.name, new Map());
      formats.set(t.name, t.format);
    }
    const failures: FuzzFailure[] = [];
    let next = 0;
    let done = 0;
    const worker = async (slot: number): Promise<void> => {
      while (next < opts.count) {
        const index = next++;
        const rng = new Rng([opts.seed, index]);
        const t = targets[Math.floor(rng.uniform() * targets.length)]!;
        const { bytes, map } = maps.get(`${t.tree}/${t.rel}`)!;
        const m = mutate(rng, bytes, map);
        const dir = `${work}/jobs/${index}`;
        makeJobTree(t.tree, `${dir}/data`, t.rel, m.bytes);
        Deno.mkdirSync(`${dir}/out`);
        let runner = runners[slot];
        if (!runner || runner.jobs >= 150) {
          if (runner) await runner.close();
          runner = runners[slot] = new Runner();
        }
        const r = await runner.run(
          { id: index, tool: t.tool, argv: t.argv, env: {}, cwd: dir },
          opts.timeoutS,
          opts.memMb,
        );
        if (r.killed) {
          await runner.close();
          runners[slot] = new Runner();
        }
        const outcome = classify(t, r, m, baselines[targets.indexOf(t)]!, `${dir}/out`, opts);
        const c = counts.get(t.name)!;
        c.set(outcome, (c.get(outcome) ?? 0) + 1);
        if ((BAD_OUTCOMES as readonly string[]).includes(outcome)) {
          failures.push({ index, target: t.name, outcome, ops: m.ops, stderr: r.stderr.trim() });
          if (opts.keep) {
            Deno.mkdirSync(opts.keep, { recursive: true });
            const name = `${opts.keep}/${index}-${t.rel.replace(/.*\//, "")}`;
            Deno.writeFileSync(name, m.bytes);
            Deno.writeTextFileSync(
              `${name}.txt`,
              `${t.name}: ${outcome}\n${t.tool} ${t.argv.join(" ")}\nops: ${m.ops.join("; ")}\n${r.stderr}\n`,
            );
          }
        }
        Deno.removeSync(dir, { recursive: true });
        done++;
        if (done % 250 === 0) log(`fuzz: ${done}/${opts.count} mutants, ${failures.length} failures`);
      }
    };
    await Promise.all(Array.from({ length: opts.jobs }, (_, s) => worker(s)));
    return { counts, formats, failures, seconds: (performance.now() - t0) / 1000 };
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    for (const r of runners) {
      r.kill();
      await r.close().catch(() => {});
    }
    Deno.removeSync(work, { recursive: true });
  }
}

/** The outcome table of a report. */
export function formatReport(rep: FuzzReport): string {
  const all: Outcome[] = [...OK_OUTCOMES, ...BAD_OUTCOMES];
  const used = all.filter((o) => [...rep.counts.values()].some((c) => (c.get(o) ?? 0) > 0));
  const rows = [["format", "input", ...used, "total"]];
  const total = new Map<Outcome, number>();
  for (const [name, c] of rep.counts) {
    let n = 0;
    for (const o of used) {
      n += c.get(o) ?? 0;
      total.set(o, (total.get(o) ?? 0) + (c.get(o) ?? 0));
    }
    rows.push([rep.formats.get(name)!, name, ...used.map((o) => String(c.get(o) ?? 0)), String(n)]);
  }
  rows.push([
    "",
    "all",
    ...used.map((o) => String(total.get(o) ?? 0)),
    String([...total.values()].reduce((a, b) => a + b, 0)),
  ]);
  const w = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((x, k) => (k < 2 ? x.padEnd(w[k]!) : x.padStart(w[k]!))).join("  ")).join(
    "\n",
  ) + "\n";
}

export const tool = defineTool({
  name: "fuzz",
  summary: "run the tools on structure-aware mutants of netCDF-3, HDF5 and FITS inputs; count the outcomes",
  usage: "fuzz [--count N] [--seed S] [--jobs J] [--keep DIR]",
  options: [
    { name: "count", short: "n", type: "int", default: 5000, min: 1, help: "number of mutants" },
    {
      name: "seed",
      short: "s",
      type: "int",
      default: 1,
      help: "seed (mutant i is the same for any --count)",
    },
    { name: "jobs", short: "j", type: "int", default: 2, min: 1, max: 16, help: "runner processes" },
    { name: "timeout", type: "float", default: 20, help: "seconds allowed per run" },
    { name: "mem", type: "int", default: 1024, help: "peak resident memory allowed per run (MB)" },
    { name: "keep", type: "string", help: "folder to keep failing mutants in" },
  ],
  run: async (o, ctx) => {
    const rep = await runFuzz({
      count: o.count as number,
      seed: o.seed as number,
      jobs: o.jobs as number,
      timeoutS: o.timeout as number,
      memMb: o.mem as number,
      ...(typeof o.keep === "string" ? { keep: o.keep } : {}),
      log: (l) => ctx.log.info(l),
    });
    ctx.stdout(formatReport(rep));
    for (const f of rep.failures.slice(0, 30)) {
      ctx.stdout(
        `FAIL #${f.index} ${f.target}: ${f.outcome} [${f.ops.join("; ")}] ${f.stderr.split("\n")[0] ?? ""}\n`,
      );
    }
    ctx.stdout(`${rep.failures.length} failures in ${rep.seconds.toFixed(0)} s\n`);
    return rep.failures.length === 0 ? 0 : 1;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
