/**
 * In-process tool runner of the fuzz harness: reads one job per stdin line
 * (`{"id","tool","argv","env","cwd"}`), runs `cmd/<tool>.ts`'s `tool.main(argv, env)` in this process
 * with its stdout/stderr captured (lib/cli withStdio), and answers one line per job on stdout:
 * `{"id","code","stderr","ms","peakKb"}` — the peak resident memory of the job from /proc (VmHWM,
 * reset before each job). The harness kills this process when a job exceeds its time or memory.
 * @module
 */
import { withStdio } from "../../lib/cli/mod.ts";

interface Job {
  id: number;
  tool: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

type Main = (argv: string[], env?: Record<string, string>) => Promise<number>;
const tools = new Map<string, Main>();
const enc = new TextEncoder();
const dec = new TextDecoder();

function answer(x: unknown): void {
  const b = enc.encode(JSON.stringify(x) + "\n");
  let o = 0;
  while (o < b.length) o += Deno.stdout.writeSync(b.subarray(o));
}

function resetPeak(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch { /* not Linux: the peak then covers earlier jobs too */ }
}

function peakKb(): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function run(job: Job): Promise<void> {
  let main = tools.get(job.tool);
  if (!main) {
    const mod = await import(new URL(`../../cmd/${job.tool}.ts`, import.meta.url).href);
    main = (mod.tool as { main: Main }).main;
    tools.set(job.tool, main);
  }
  const err: Uint8Array[] = [];
  Deno.chdir(job.cwd);
  resetPeak();
  const t0 = performance.now();
  let code: number;
  try {
    code = await withStdio(
      { stdout: () => {}, stderr: (b) => err.push(b.slice()) },
      () => main(job.argv, job.env),
    );
  } catch (e) {
    // a tool's main never throws: report it as a crash with its stack
    code = 99;
    err.push(enc.encode(`UNCAUGHT ${e instanceof Error ? e.stack : String(e)}\n`));
  }
  const ms = performance.now() - t0;
  answer({ id: job.id, code, stderr: err.map((b) => dec.decode(b)).join(""), ms, peakKb: peakKb() });
}

let buf = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  buf += chunk;
  let nl: number;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.trim() !== "") await run(JSON.parse(line) as Job);
  }
}
// stdin closed: done (signal listeners or workers of a tool must not keep the process alive)
Deno.exit(0);
