/**
 * Wall time of the per-obsnum RSR chain run as the tools (bin/), on an obsnum (+ its Cal) made by the
 * toolkit's generator in a temp dir: the LMTOY lmtoy_rsr1 order of scripts/rsr.mk — driver0, tsys0,
 * badlags, driver1, tsys (jitter), tsys -t, rsr_badcb (rfile, blanking), driver --no-baseline-sub,
 * final driver (-w -p), rsr_sum — with the plots the pipeline asks for.
 *
 * Run: node_modules/.bin/deno run -A bench/rsr_chain.ts [--repeat N] [--keep]
 *
 * The original takes ~22 s per obsnum in the LMTOY pipeline; the same steps add up to ~15 s in
 * ../shared/samples/rsr/91001/timings.txt (2-core machine). Goal: under 2.2 s in total.
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateRsr } from "../lib/sim/rsr.ts";
import { ROOT, tempDir } from "../tests/_helpers.ts";

const O = 91001;
const repeat = Deno.args.includes("--repeat") ? Number(Deno.args[Deno.args.indexOf("--repeat") + 1]) : 1;
const keep = Deno.args.includes("--keep");

/** Seconds of the original tools for the same steps (samples 91001/timings.txt). */
const ORIGINAL: Record<string, number> = {
  driver0: 2.5,
  tsys0: 1.05,
  badlags: 1.6,
  driver1: 2.29,
  tsys1: 1.02,
  tsys2: 1.16,
  badcb_r: 0,
  badcb_b: 0,
  driver_nbs: 2.28,
  driver: 2.25,
  sum: 1.23,
};

const { dir, cleanup } = tempDir("lmt-bench-rsr-");
try {
  const root = join(dir, "data_lmt");
  await generateRsr(root, {
    obsnum: O,
    seed: 3,
    lines: [{ freqGhz: 94.3, peakK: 0.045, fwhmKms: 320 }],
    badLags: [{ chassis: 1, board: 0, lag: 101, amp: 15 }],
    badBoards: [{ chassis: 3, board: 2, factor: 12 }],
    tsysJitter: [{ chassis: 0, board: 5, frac: 0.25 }],
  });
  const work = join(dir, "work");
  Deno.mkdirSync(work);
  writeFileSync(join(work, "rsr.obsnum"), `${O}\n`);
  const env = { ...Deno.env.toObject(), DATA_LMT: root };
  const bl = `rsr.${O}.badlags`;
  const drv = ["-b", "1", "-r", "0.01", "-t", "0.01"];
  // the final reductions: with the bad lags and the rfile
  const final = (
    out: string,
    png: string,
  ) => ["rsr.obsnum", "--badlags", bl, "--rfile", `rsr.${O}.rfile`, "-o", out, "-w", png];
  const steps: [string, string, string[], string?][] = [
    ["driver0", "rsr_driver", [
      "rsr.obsnum",
      "-o",
      `first.rsr.${O}.driver.sum.txt`,
      "-w",
      "rsr.wf0.png",
      ...drv,
    ]],
    ["tsys0", "rsr_tsys", ["-r", "25", "-y", "rsr.tsys0.png", String(O)], "rsr_tsys0.log"],
    ["badlags", "badlags", ["-d", "-y", `badlags.${O}.png`, "--spike", "3", "-B", bl, String(O)]],
    ["driver1", "rsr_driver", [
      "rsr.obsnum",
      "-o",
      `rsr.${O}.driver1.sum.txt`,
      "-w",
      "rsr.wf1.png",
      ...drv,
      "--badlags",
      bl,
    ]],
    ["tsys1", "rsr_tsys", ["-r", "25", "-b", bl, "-y", "rsr.tsys.png", String(O)], "rsr_tsys1.log"],
    ["tsys2", "rsr_tsys", ["-b", bl, "-t", "-y", "rsr.spectrum.png", String(O)], "rsr_tsys2.log"],
    ["badcb_r", "rsr_badcb", ["-r", "--template", String(O), "badcb.txt"], `rsr.${O}.rfile`],
    ["badcb_b", "rsr_badcb", ["-b", "--template", String(O), "badcb.txt"], `rsr.${O}.blanking`],
    ["driver_nbs", "rsr_driver", [
      ...final(`nbs.rsr.${O}.driver.sum.txt`, "rsr.wf_nbs.png"),
      ...drv,
      "--no-baseline-sub",
    ]],
    ["driver", "rsr_driver", [...final(`rsr.${O}.driver.sum.txt`, "rsr.wf.png"), "-p", ...drv]],
    ["sum", "rsr_sum", ["-b", `rsr.${O}.blanking`, "--badlags", bl, "--o1", "1", "-t", "0.01"]],
  ];
  const times = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const maxRss = new Map<string, number>();
  for (let it = 0; it < repeat; it++) {
    for (const [label, tool, args, stdoutFile] of steps) {
      if (label === "badcb_r") {
        // the #BADCB lines of badlags and of the Tsys jitter run (rsr.mk step 5b)
        const grep = (f: string) =>
          Deno.readTextFileSync(join(work, f)).split("\n").filter((l) => l.startsWith("#BADCB"));
        writeFileSync(join(work, "badcb.txt"), [...grep(bl), ...grep("rsr_tsys1.log")].join("\n") + "\n");
      }
      // /usr/bin/time gives the CPU time (user + sys) of the tool: the number that matters on a shared machine
      const timeFile = join(dir, "time.txt");
      const t0 = performance.now();
      const out = await new Deno.Command("/usr/bin/time", {
        args: ["-o", timeFile, "-f", "%U %S %M", join(ROOT, "bin", tool), ...args],
        cwd: work,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dt = (performance.now() - t0) / 1000;
      if (out.code !== 0) {
        throw new Error(`${tool} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
      }
      if (stdoutFile) writeFileSync(join(work, stdoutFile), out.stdout);
      const [u, s, rss] = Deno.readTextFileSync(timeFile).trim().split(/\s+/).slice(-3).map(Number);
      if (!times.has(label)) times.set(label, []);
      times.get(label)!.push(dt);
      if (!cpu.has(label)) cpu.set(label, []);
      cpu.get(label)!.push(u! + s!);
      maxRss.set(label, Math.max(maxRss.get(label) ?? 0, rss!));
    }
  }
  let total = 0, totalCpu = 0, orig = 0;
  const load = Deno.loadavg()[0]!.toFixed(1);
  console.log(
    `RSR chain, obsnum ${O} (generated), ${repeat} run(s), best per step; ` +
      `load average ${load} on ${navigator.hardwareConcurrency} cores`,
  );
  console.log(
    `  ${"step".padEnd(11)} ${"tool".padEnd(10)} ${"wall".padStart(7)} ${"cpu".padStart(7)} ${
      "rss".padStart(7)
    } ` +
      `${"original".padStart(9)}`,
  );
  for (const [label, tool] of steps) {
    const best = Math.min(...times.get(label)!);
    const c = Math.min(...cpu.get(label)!);
    total += best;
    totalCpu += c;
    orig += ORIGINAL[label]!;
    console.log(
      `  ${label.padEnd(11)} ${tool.padEnd(10)} ${best.toFixed(2).padStart(6)}s ${
        c.toFixed(2).padStart(6)
      }s ` +
        `${(maxRss.get(label)! / 1024).toFixed(0).padStart(5)}MB ${ORIGINAL[label]!.toFixed(2).padStart(8)}s`,
    );
  }
  console.log(
    `  ${"total".padEnd(22)} ${total.toFixed(2).padStart(6)}s ${totalCpu.toFixed(2).padStart(6)}s ` +
      `${"".padStart(7)} ${orig.toFixed(2).padStart(8)}s  (original pipeline ~22 s per obsnum; goal < 2.2 s)`,
  );
  const single = ["badlags", "tsys1", "badcb_r", "driver", "sum"];
  const sw = single.reduce((a, l) => a + Math.min(...times.get(l)!), 0);
  const sc = single.reduce((a, l) => a + Math.min(...cpu.get(l)!), 0);
  console.log(
    `  one pass badlags → rsr_tsys → rsr_badcb → rsr_driver (-w -p) → rsr_sum: wall ${sw.toFixed(2)} s, ` +
      `cpu ${sc.toFixed(2)} s`,
  );
  if (keep) console.log(`  kept ${work}`);
} finally {
  if (!keep) cleanup();
}
