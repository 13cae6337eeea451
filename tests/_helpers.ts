/**
 * Shared test helpers: where the repository, fixtures and ../shared/samples are, temp dirs,
 * running a tool black-box, and tolerant numeric comparison.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";

/** Absolute path of the repository root. */
export const ROOT: string = resolve(new URL("..", import.meta.url).pathname);

/** Absolute path of `fixtures/`. */
export const FIXTURES: string = join(ROOT, "fixtures");

const SAMPLES_CANDIDATES = [
  Deno.env.get("LMT_SAMPLES") ?? "",
  join(ROOT, "..", "shared", "samples"),
].filter((p) => p !== "");

/** Path of ../shared/samples, or null when it is not beside the checkout. */
export const SAMPLES: string | null = SAMPLES_CANDIDATES.find((p) => existsSync(join(p, "README.md"))) ??
  null;

let noticeShown = false;
/**
 * `ignore` flag for Deno.test of tests that need ../shared/samples. Prints a visible notice once
 * when the samples are absent (a user's own clone), so skipped tests are never silent.
 */
export function needsSamples(): boolean {
  if (SAMPLES === null && !noticeShown) {
    noticeShown = true;
    console.error(
      "NOTICE: ../shared/samples not found beside the checkout (set LMT_SAMPLES to point at it); " +
        "tests against the original tools' reference outputs are SKIPPED",
    );
  }
  return SAMPLES === null;
}

/** Path inside ../shared/samples (call only in tests guarded by needsSamples()). */
export function sample(...parts: string[]): string {
  if (SAMPLES === null) throw new Error("samples not available");
  return join(SAMPLES, ...parts);
}

/** A fresh temporary directory; remove it with the returned cleanup. */
export function tempDir(prefix = "lmt-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Result of running a tool. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Options of runTool and runDeno: standard input, working directory (ROOT by default), added environment. */
export interface RunOptions {
  stdin?: string | Uint8Array;
  cwd?: string;
  env?: Record<string, string>;
}

async function runCollect(exe: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const cmd = new Deno.Command(exe, {
    args,
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? {},
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    stdoutBytes: out.stdout,
  };
}

/**
 * Run `bin/<tool>` (black-box, as a user would) with args, optional stdin, cwd and env.
 */
export function runTool(tool: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCollect(join(ROOT, "bin", tool), args, opts);
}

/** Run a TypeScript file (absolute path) with the project's Deno and deno.json: `deno run -A --quiet`. */
export function runDeno(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCollect(
    join(ROOT, "node_modules", ".bin", "deno"),
    ["run", "-A", "--quiet", "--config", join(ROOT, "deno.json"), file, ...args],
    opts,
  );
}

/** Assert |a-b| <= atol + rtol*|b| elementwise; message names the first failing index. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol?: number; rtol?: number; nanEqual?: boolean } = {},
  label = "",
): void {
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? 0;
  if (actual.length !== expected.length) {
    throw new Error(`${label} length ${actual.length} != expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if ((tol.nanEqual ?? true) && Number.isNaN(a) && Number.isNaN(b)) continue;
      throw new Error(`${label}[${i}]: ${a} vs expected ${b} (NaN mismatch)`);
    }
    if (Math.abs(a - b) > atol + rtol * Math.abs(b)) {
      throw new Error(`${label}[${i}]: ${a} vs expected ${b} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Median of finite values (the mean of the middle two for an even count); fails on no values. */
export function median(xs: ArrayLike<number>): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  if (n === 0) throw new Error("median of no values");
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Run a script of scripts/ (a data generator) with the project's Deno; fails the test on a non-zero exit. */
export async function runScript(script: string, args: string[]): Promise<void> {
  const o = await runDeno(join(ROOT, "scripts", script), args);
  if (o.code !== 0) throw new Error(`${script} ${args.join(" ")}: ${o.stderr}`);
}

/**
 * Every file below `dir` (relative names) with its mtime and content, to compare a tree before and after a
 * run; `hidden: false` leaves out hidden names (e.g. parameter stamps).
 */
export function snapshotTree(dir: string, opts: { hidden?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (opts.hidden === false && e.name.startsWith(".")) continue;
      const p = join(d, e.name), r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(p, r);
      else {
        const bytes = Deno.readFileSync(p);
        let bin = "";
        for (let i = 0; i < bytes.length; i += 0x8000) {
          bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        }
        out.set(r, `${Deno.statSync(p).mtime?.getTime() ?? 0} ${btoa(bin)}`);
      }
    }
  };
  walk(dir, "");
  return out;
}

/** Debian's /usr/bin/python3, or `python3` on PATH. */
export const PYTHON3: string = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Whether python3 runs `import <modules>` (e.g. "astropy.wcs"); no python3 counts as no. */
export function pythonHas(modules: string): boolean {
  try {
    return new Deno.Command(PYTHON3, { args: ["-c", `import ${modules}`], stdout: "null", stderr: "null" })
      .outputSync().code === 0;
  } catch {
    return false;
  }
}

/**
 * Python lines that open the FITS file sys.argv[1] with astropy (warnings off): header `h`, data `d`, its WCS
 * `w` and alternate WCS 'A' `a`.
 */
export const PY_FITS_WCS = `import sys, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
from astropy.wcs import WCS
h = fits.getheader(sys.argv[1]); d = fits.getdata(sys.argv[1])
w = WCS(h); a = WCS(h, key='A')
`;

/** `python3 -c script args…`: its stdout; a non-zero exit fails the test with its stderr. */
export async function py(script: string, ...args: string[]): Promise<string> {
  return (await pyRun(script, args)).stdout;
}

/** `python3 -c script` given `input` as JSON on stdin: its stdout parsed as JSON; a non-zero exit fails. */
export async function pyJson<T>(script: string, input: unknown): Promise<T> {
  return JSON.parse((await pyRun(script, [], JSON.stringify(input))).stdout) as T;
}

async function pyRun(script: string, args: string[], stdin?: string): Promise<RunResult> {
  const o = await runCollect(PYTHON3, ["-c", script, ...args], stdin === undefined ? {} : { stdin });
  if (o.code !== 0) throw new Error(`python3 exited with ${o.code}: ${o.stderr}`);
  return o;
}
