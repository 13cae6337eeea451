/**
 * demo — the main job on bundled (generated) data: write a small RSR and SEQ raw-data set with known truth
 * into out/demo/data_lmt, reduce it with the Makefile pipelines (two RSR obsnums in parallel and their
 * combination, a SEQ OTF map and a SEQ Bs obsnum) with SLpipeline.sh, and print where the products and summary pages are,
 * with the recovered numbers next to the truth.
 *
 *   npm run demo                 # -> out/demo/
 *   npm run demo -- --out /tmp/d
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError, defineTool } from "../lib/cli/mod.ts";
import { readTextSpectrum } from "../lib/formats/spectrum.ts";
import { strongestLine } from "../lib/report/rsr.ts";
import { runCommand } from "../lib/runfile/proc.ts";
import { fitGaussian } from "../lib/num/gaussfit.ts";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const DENO = join(ROOT, "node_modules", ".bin", "deno");

async function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; log: string },
) {
  const t0 = performance.now();
  const o = await runCommand(cmd, args, { cwd: opts.cwd, env: opts.env });
  const text = o.stdout + o.stderr;
  Deno.writeTextFileSync(opts.log, text);
  if (o.code !== 0) {
    throw new DataError(
      `'${cmd} ${args.join(" ")}' failed (exit ${o.code}); see ${opts.log}:\n${text.slice(-2000)}`,
    );
  }
  return (performance.now() - t0) / 1000;
}

export const tool = defineTool({
  name: "demo",
  summary: "generate a small RSR + SEQ data set and reduce it with the pipelines",
  usage: "demo [--out DIR]",
  options: [
    {
      name: "out",
      short: "o",
      type: "string",
      default: "out/demo",
      help: "output folder (data_lmt/ and work/ inside)",
    },
    { name: "jobs", short: "j", type: "int", default: 2, min: 1, help: "parallel pipelines" },
  ],
  run: async (opts, ctx) => {
    const t0 = performance.now();
    const out = resolve(opts.out);
    const data = join(out, "data_lmt");
    const work = join(out, "work");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    mkdirSync(work, { recursive: true });
    const env = { ...ctx.env, DATA_LMT: data, PATH: `${join(ROOT, "bin")}:${ctx.env.PATH ?? ""}` };
    delete (env as Record<string, string>).CORR_CAL_DIR;
    const say = (m: string) => ctx.stdout(m + "\n");

    say(`demo: generating raw data into ${data}`);
    // scripts/<name>.ts --out data_lmt ARGS, its output in <name>.log
    const gen = (name: string, args: string[]) =>
      run(DENO, [
        "run",
        "-A",
        "--quiet",
        "--config",
        join(ROOT, "deno.json"),
        join(ROOT, `scripts/${name}.ts`),
        "--out",
        data,
        ...args,
      ], {
        cwd: out,
        env,
        log: join(out, `${name}.log`),
      });
    await gen("gen_rsr", [
      "--obsnum",
      "91001",
      "--obsnum",
      "91003",
      "--source",
      "DEMO-QSO",
      "--line",
      "94.30,0.045,320",
      "--line",
      "106.40,0.020,180",
      "--badlag",
      "1,0,101,15",
      "--badlag",
      "2,2,45,20",
      "--badcb",
      "3,2,12",
      "--truth",
      join(data, "rsr_truth.json"),
    ]);
    await gen("gen_seq", [
      "--obsnum0",
      "97000",
      "--source",
      "DEMO-OTF",
      "--truth",
      join(data, "seq_truth.json"),
    ]);
    const tGen = (performance.now() - t0) / 1000;

    // SLpipeline.sh picks the pipeline from each obsnum's header; --here: products in work/OBSNUM/
    const slp = join(ROOT, "bin", "SLpipeline.sh");
    const jobs: [string, string[]][] = [
      ["rsr 91001", ["obsnum=91001"]],
      ["rsr 91003", ["obsnum=91003"]],
      ["seq 97001 (map)", ["obsnum=97001"]],
      ["seq 97003 (Bs)", ["obsnum=97003"]],
    ];
    say(`demo: reducing ${jobs.length} obsnums, ${opts.jobs} at a time, in ${work}`);
    const queue = [...jobs];
    const times: string[] = [];
    const worker = async () => {
      for (;;) {
        const j = queue.shift();
        if (!j) return;
        const dt = await run(slp, ["--here", ...j[1]], {
          cwd: work,
          env,
          log: join(work, `SLpipeline_${j[1][0]!.split("=")[1]}.log`),
        });
        times.push(`${j[0]} ${dt.toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: opts.jobs }, worker));
    const dtc = await run(slp, ["--here", "obsnums=91001,91003"], {
      cwd: work,
      env,
      log: join(work, "SLpipeline_91001_91003.log"),
    });
    times.push(`rsr 91001+91003 ${dtc.toFixed(1)} s`);

    // recovered vs injected
    const truth = JSON.parse(readFileSync(join(data, "rsr_truth.json"), "utf8"));
    const t1 = Array.isArray(truth) ? truth[0] : truth;
    const spec = readTextSpectrum(
      readFileSync(join(work, "91001_91003", "rsr.91001_91003.driver.sum.txt"), "utf8"),
    );
    const fit = strongestLine(spec.columns[0]!, spec.columns[1]!, 94.3);
    const inj = (t1.lines ?? [])[0] as
      | { f0_ghz: number; fwhm_kms: number; expected_peak_k: number }
      | undefined;
    say("");
    say(
      `demo: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (data ${tGen.toFixed(1)} s; ${
        times.join(", ")
      })`,
    );
    say("Recovered vs injected:");
    if (fit && inj) {
      say(
        `  RSR 91001+91003 line: ${fit.center.toFixed(3)} GHz, ${(fit.peak * 1000).toFixed(1)} ± ` +
          `${(fit.errors.peak * 1000).toFixed(1)} mK, FWHM ${
            fit.fwhmKms.toFixed(0)
          } km/s   (injected ${inj.f0_ghz} GHz, ` +
          `${
            (inj.expected_peak_k * 1000).toFixed(1)
          } mK as the RSR reports it, ~6 % less after band merging; ` +
          `FWHM ${inj.fwhm_kms} km/s)`,
      );
    }
    const st = JSON.parse(readFileSync(join(data, "seq_truth.json"), "utf8"));
    const bsPath = join(work, "97003", `${st.bs?.source ?? "SIM-BS"}_97003__0.txt`);
    if (existsSync(bsPath) && st.bs) {
      const bs = readTextSpectrum(readFileSync(bsPath, "utf8"));
      const b = fitGaussian(bs.columns[0]!, bs.columns[1]!, {
        center: st.bs.vKms,
        peak: st.bs.peakK,
        sigma: 3.4,
      });
      say(
        `  SEQ Bs 97003 line: ${b.peak.toFixed(2)} ± ${b.errors.peak.toFixed(2)} K at ${
          b.center.toFixed(2)
        } km/s, ` +
          `FWHM ${
            b.fwhm.toFixed(1)
          } km/s   (injected ${st.bs.peakK} K at ${st.bs.vKms} km/s, FWHM ${st.bs.fwhmKms})`,
      );
    }
    if (st.map?.convolved) {
      const c = st.map.convolved;
      say(
        `  SEQ map 97001: source injected at (${c.dx_arcsec}″, ${c.dy_arcsec}″), ${
          c.peak_K.toFixed(2)
        } K after the ` +
          `beam, v = ${st.map.src.vKms} km/s: see the peak map and the fitted numbers in 97001/index.html`,
      );
    }
    say("Summary pages (open in a browser):");
    for (const d of ["91001", "91003", "91001_91003", "97001", "97003"]) {
      const p = join(work, d, "index.html");
      if (existsSync(p)) say(`  ${p}`);
    }
    say(`Products: ${work}/<obsnum>/ (README_files.md in each lists every file)`);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
