/**
 * The RSR pipeline as steps (LMTOY lmtoy_rsr1 order): driver0 → tsys0 → badlags → driver with bad lags →
 * tsys with bad lags (its #BADCB jitter lines applied, which the original never managed) → rsr_badcb →
 * final driver and rsr_sum → summary page. A combination concatenates its singles' .badlags, .rfile and
 * .blanking (as rsr_combine.sh) and runs the final steps on them; the singles themselves are reduced by
 * the caller with their own parameters, never with the combination's.
 *
 * Every tool argument below is a separate argv entry made from a parameter that passed its grammar
 * (lib/pipeline/params.ts) or from a name the pipeline made; nothing is ever parsed by a shell.
 *
 * @module
 */
import { infoRc } from "../lmt/info.ts";
import { readFileSync } from "../sys/fs.ts";
import { join } from "../sys/path.ts";
import type { PipelineJob, Stamps, Step, ToolCall } from "./steps.ts";
import { rcParamsBlock } from "./rc.ts";

/** What the RSR steps need to know (the header summary also gives --date_obs). */
export interface RsrJob extends PipelineJob {
  /** The user's own .badlags file (absolute, checked by the caller), for badlags=. */
  badlagsFile?: string;
}

/** The steps of one RSR job; its parameter stamps (`.par.*`) go through `stamps` (job.dir must exist). */
export function rsrSteps(stamps: Stamps, job: RsrJob): Step[] {
  const { label: O, params: P } = job;
  const combo = job.singleDirs !== undefined;
  const v = (k: string) => P.get(k);
  const st = {
    badlags: stamps.stamp(
      "badlags",
      `spike=${v("spike")} shortlags=${v("shortlags")} badlags=${v("badlags")}`,
    ),
    driver: stamps.stamp(
      "driver",
      `blo=${v("blo")} rthr=${v("rthr")} cthr=${v("cthr")} xlines=${v("xlines")} sgf=${v("sgf")} notch=${
        v("notch")
      }`,
    ),
    tsys: stamps.stamp("tsys", `rms=${v("rms")}`),
    badcb: stamps.stamp("badcb", `badcb=${v("badcb")} jitter=${v("jitter")}`),
    sdfits: stamps.stamp("sdfits", `sdfits=${v("sdfits")}`),
    obs: stamps.stamp("obs", `obsnums=${job.obsnums.join(" ")}`),
  };
  const RC = `lmtoy_${O}.rc`;
  const BADLAGS = `rsr.${O}.badlags`, RFILE = `rsr.${O}.rfile`, BLANK = `rsr.${O}.blanking`;
  const SPEC = `rsr.${O}.driver.sum.txt`, SUM = `rsr.${O}.blanking.sum.txt`;
  const date = job.info.dateObs;
  const drv = ["-b", v("blo"), "-r", v("rthr"), "-t", v("cthr")];
  const excl = v("xlines") === "" ? [] : ["--exclude", ...v("xlines").split(",")];
  const sgf = v("sgf") === "0" ? [] : ["-f", v("sgf"), "-n", v("notch")];
  const tool = (name: string, ...argv: string[]): ToolCall => ({ tool: name, argv });
  const steps: Step[] = [];

  steps.push({
    name: "obsnum list",
    inputs: [st.obs],
    outputs: ["rsr.obsnum"],
    action: {
      kind: "file",
      show: `printf '%s\\n' ${job.obsnums.join(" ")} > ${job.dir}/rsr.obsnum`,
      content: () => job.obsnums.map((o) => `${o}\n`).join(""),
    },
  });

  if (!combo) {
    steps.push({
      name: "lmtinfo",
      inputs: [st.badlags, st.driver, st.tsys, st.badcb],
      outputs: [RC],
      action: {
        kind: "file",
        show: `lmtinfo ${O} > ${RC}; parameters >> ${RC}`,
        content: () => infoRc(job.info, job.version) + rcParamsBlock(P),
      },
    });
    /** A diagnostic rsr_driver pass of a single obsnum: its spectrum, waterfall pages and log. */
    const diagnosticDriver = (
      name: string,
      out: string,
      wf: string,
      log: string,
      badlags: string[],
    ): Step => ({
      name,
      inputs: ["rsr.obsnum", ...badlags, st.driver],
      orderOnly: [RC],
      outputs: [out],
      action: {
        kind: "tools",
        calls: [
          tool(
            "rsr_driver",
            "rsr.obsnum",
            "-o",
            out,
            "--date_obs",
            date,
            "-w",
            wf,
            ...drv,
            ...(
              badlags.length ? ["--badlags", ...badlags] : []
            ),
          ),
        ],
        log,
      },
    });
    steps.push(
      diagnosticDriver(
        "rsr_driver (first pass)",
        `first.rsr.${O}.driver.sum.txt`,
        "rsr.wf0.png",
        "rsr_driver0.log",
        [],
      ),
    );
    steps.push({
      name: "rsr_tsys (before bad lags)",
      inputs: [st.tsys],
      orderOnly: [RC],
      outputs: ["rsr_tsys0.log"],
      action: {
        kind: "tools",
        calls: [tool("rsr_tsys", "-r", v("rms"), "-y", "rsr.tsys0.png", O)],
        stdout: "rsr_tsys0.log",
      },
    });
    if (job.badlagsFile !== undefined) {
      const src = job.badlagsFile;
      steps.push({
        name: "badlags (user's file)",
        inputs: [st.badlags],
        orderOnly: [RC],
        outputs: [BADLAGS],
        action: {
          kind: "file",
          show: `cp ${src} ${BADLAGS}`,
          content: () => readFileSync(src),
        },
      });
    } else {
      const short = v("shortlags") === ""
        ? []
        : ["--short_min", v("shortlags").split(",")[0]!, "--short_hi", v("shortlags").split(",")[1]!];
      steps.push({
        name: "badlags",
        inputs: [st.badlags],
        orderOnly: [RC],
        outputs: [BADLAGS],
        action: {
          kind: "tools",
          calls: [
            tool(
              "badlags",
              "-d",
              "-y",
              `badlags.${O}.png`,
              ...short,
              "--spike",
              v("spike"),
              "-B",
              BADLAGS,
              O,
            ),
          ],
          log: "rsr_badlags.log",
        },
      });
    }
    steps.push(
      diagnosticDriver(
        "rsr_driver (with bad lags)",
        `rsr.${O}.driver1.sum.txt`,
        "rsr.wf1.png",
        "rsr_driver1.log",
        [
          BADLAGS,
        ],
      ),
    );
    steps.push({
      name: "rsr_tsys (jitter)",
      inputs: [BADLAGS, st.tsys],
      outputs: ["rsr_tsys1.log"],
      action: {
        kind: "tools",
        calls: [tool("rsr_tsys", "-r", v("rms"), "-b", BADLAGS, "-y", "rsr.tsys.png", O)],
        stdout: "rsr_tsys1.log",
      },
    });
    steps.push({
      name: "rsr_tsys (spectrum)",
      inputs: [BADLAGS],
      outputs: ["rsr_tsys2.log"],
      action: {
        kind: "tools",
        calls: [tool("rsr_tsys", "-b", BADLAGS, "-t", "-y", "rsr.spectrum.png", O)],
        stdout: "rsr_tsys2.log",
      },
    });
    // bad chassis/boards = badlags #BADCB + (jitter=1) rsr_tsys #BADCB; badcb= is added by rsr_badcb -o
    const BADCB = `rsr.${O}.badcb`;
    steps.push({
      name: "bad chassis/boards",
      inputs: [BADLAGS, "rsr_tsys1.log", st.badcb],
      outputs: [BADCB],
      action: {
        kind: "file",
        show: `{ grep '^#BADCB' ${BADLAGS}; ${
          v("jitter") === "1" ? "grep '^#BADCB' rsr_tsys1.log; " : ""
        }} > ${BADCB}`,
        content: (d) => {
          const grab = (f: string) =>
            readFileSync(join(d, f), "utf8").split("\n").filter((l) => l.startsWith("#BADCB")).map((l) =>
              l + "\n"
            )
              .join("");
          // a header line first: the file is read as a .badlags file, and an empty one is an error there
          const head = `# bad chassis/boards found by badlags${v("jitter") === "1" ? " and rsr_tsys" : ""}\n`;
          return head + grab(BADLAGS) + (v("jitter") === "1" ? grab("rsr_tsys1.log") : "");
        },
      },
    });
    for (const [out, flag] of [[RFILE, "-r"], [BLANK, "-b"]] as const) {
      const calls = [tool("rsr_badcb", flag, "--template", O)];
      if (v("badcb") !== "") calls.push(tool("rsr_badcb", flag, "-o", O, v("badcb")));
      calls.push(tool("rsr_badcb", flag, BADCB));
      steps.push({
        name: `rsr_badcb ${flag}`,
        inputs: [BADCB, st.badcb],
        outputs: [out],
        action: { kind: "tools", calls, stdout: out },
      });
    }
  } else {
    const singles = job.singleDirs!;
    const first = job.obsnums[0]!;
    steps.push({
      name: "rc (from the first obsnum)",
      inputs: [st.obs, join(singles[0]!, `lmtoy_${first}.rc`)],
      outputs: [RC],
      action: {
        kind: "file",
        show: `sed 's/^obsnum=.*/obsnum=${O}/' ${first}/lmtoy_${first}.rc > ${RC}; parameters >> ${RC}`,
        content: () => {
          const text = readFileSync(join(singles[0]!, `lmtoy_${first}.rc`), "utf8");
          const info = text.split(/^# parameters$/m)[0]!.replace(/^obsnum=.*$/m, `obsnum=${O}`);
          return info + rcParamsBlock(P);
        },
      },
    });
    for (const [out, ext] of [[BADLAGS, "badlags"], [RFILE, "rfile"], [BLANK, "blanking"]] as const) {
      const ins = job.obsnums.map((o, i) => join(singles[i]!, `rsr.${o}.${ext}`));
      steps.push({
        name: `concatenate the singles' .${ext}`,
        inputs: ins,
        outputs: [out],
        action: {
          kind: "file",
          show: `cat ${job.obsnums.map((o) => `${o}/rsr.${o}.${ext}`).join(" ")} > ${out}`,
          content: () => ins.map((f) => readFileSync(f, "utf8")).join(""),
        },
      });
    }
  }

  // final spectra, without and with baseline subtraction
  const finalArgs = (out: string, wf: string, extra: string[]) => [
    "rsr.obsnum",
    "--date_obs",
    date,
    "--badlags",
    BADLAGS,
    "--rfile",
    RFILE,
    ...excl,
    "-o",
    out,
    "-w",
    wf,
    ...extra,
  ];
  steps.push({
    name: "rsr_driver (no baseline)",
    inputs: ["rsr.obsnum", BADLAGS, RFILE, st.driver],
    orderOnly: [RC],
    outputs: [`nbs.rsr.${O}.driver.sum.txt`],
    action: {
      kind: "tools",
      calls: [tool(
        "rsr_driver",
        ...finalArgs(`nbs.rsr.${O}.driver.sum.txt`, "rsr.wf_nbs.png", [...drv, ...sgf, "--no-baseline-sub"]),
      )],
      log: "rsr_driver_nbs.log",
    },
  });
  const sdfits = v("sdfits") === "1" ? ["--sdfits", `rsr.${O}.sdfits`] : [];
  steps.push({
    name: "rsr_driver",
    inputs: ["rsr.obsnum", BADLAGS, RFILE, st.driver, st.sdfits],
    orderOnly: [RC],
    outputs: [SPEC, "rsr.wf.json"],
    action: {
      kind: "tools",
      // the waterfall numbers too, for lmt_web's interactive waterfall (rsr.wf.json)
      calls: [
        tool(
          "rsr_driver",
          ...finalArgs(SPEC, "rsr.wf.png", [
            "-p",
            ...drv,
            ...sgf,
            ...sdfits,
            "--waterfall-data",
            "rsr.wf.json",
          ]),
        ),
      ],
      log: "rsr_driver.log",
    },
  });
  steps.push({
    name: "rsr_sum",
    inputs: [BLANK, BADLAGS, st.driver],
    outputs: [SUM],
    action: {
      kind: "tools",
      calls: [tool("rsr_sum", "-b", BLANK, "--badlags", BADLAGS, "--o1", v("blo"), "-t", v("cthr"))],
      log: "rsr_sum.log",
    },
  });
  const diag = combo
    ? []
    : [`first.rsr.${O}.driver.sum.txt`, "rsr_tsys0.log", `rsr.${O}.driver1.sum.txt`, "rsr_tsys2.log"];
  steps.push({
    name: "summary page",
    inputs: [SPEC, SUM, `nbs.rsr.${O}.driver.sum.txt`, ...diag, RC],
    outputs: ["index.html"],
    barrier: true,
    action: {
      kind: "tools",
      calls: [{ tool: "summary", argv: ["rsr", ".", O], env: { LMT_SIDECAR: "" } }],
    },
  });
  return steps;
}
