/**
 * Wall time of a whole obsnum through SLpipeline.sh (issue 11 §5): the RSR obsnum in LMTOY order with all
 * plots and the summary page, and a SEQ OTF map (SpecFile, two cubes, waterfall, moments, page), on data made
 * by the toolkit's generators in a temp dir. Each case runs from an empty work directory `--repeat` times
 * (default 3); the minimum is printed, with the ratio against the original chain where it is installed
 * (`LMTOY_SLPIPELINE=/path/to/lmtoy/bin/SLpipeline.sh`, run on the same data), else against the original's
 * time measured on this kind of machine for the same RSR obsnum (16-18 s, ../shared/samples/rsr/91001/timings).
 *
 * Run: node_modules/.bin/deno run -A bench/slpipeline.ts [--repeat N]
 * @module
 */
import { join } from "node:path";
import { ROOT, tempDir } from "../tests/_helpers.ts";

const repeat = Deno.args.includes("--repeat") ? Number(Deno.args[Deno.args.indexOf("--repeat") + 1]) : 3;
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const ORIGINAL_RSR_S = 16; // the original chain on the same RSR obsnum, 2-core machine (lower end of 16-18 s)

async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const o = await new Deno.Command(cmd, { args, cwd, env, stdout: "null", stderr: "piped" }).output();
  if (o.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(o.stderr)}`);
  return (performance.now() - t0) / 1000;
}

const t = tempDir("lmt-bench-slp-");
try {
  const data = join(t.dir, "data");
  const env = { DATA_LMT: data, PATH: `${join(ROOT, "bin")}:/usr/bin:/bin`, HOME: t.dir };
  const gen = (script: string, args: string[]) =>
    sh(
      DENO,
      ["run", "-A", "--quiet", "--config", join(ROOT, "deno.json"), join(ROOT, "scripts", script), ...args],
      t.dir,
      env,
    );
  await gen("gen_rsr.ts", ["--out", data, "--obsnum", "91001"]);
  await gen("gen_seq.ts", ["--out", data, "--obsnum0", "97000", "--no-bs"]);
  const runs = [["RSR obsnum (11 tool runs, plots, page)", "91001"], ["SEQ map", "97001"]] as const;
  for (const [label, obsnum] of runs) {
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const w = join(t.dir, `w${label.length}_${i}`);
      Deno.mkdirSync(w);
      times.push(await sh(join(ROOT, "bin", "SLpipeline.sh"), [`obsnum=${obsnum}`], w, env));
    }
    const best = Math.min(...times);
    let ratio = "";
    const orig = Deno.env.get("LMTOY_SLPIPELINE");
    if (orig) {
      const w = join(t.dir, `orig_${obsnum}`);
      Deno.mkdirSync(w);
      const to = await sh(orig, [`obsnum=${obsnum}`], w, { ...env, PATH: Deno.env.get("PATH") ?? "" });
      ratio = `; original ${to.toFixed(2)} s: ${(to / best).toFixed(1)}x`;
    } else if (obsnum === "91001") {
      ratio = `; ${
        (ORIGINAL_RSR_S / best).toFixed(1)
      }x the original's ${ORIGINAL_RSR_S} s (LMTOY_SLPIPELINE unset)`;
    }
    console.log(
      `SLpipeline.sh ${label}: ${best.toFixed(2)} s (min of ${repeat}: ${
        times.map((x) => x.toFixed(2)).join(", ")
      })${ratio}`,
    );
  }
} finally {
  t.cleanup();
}
