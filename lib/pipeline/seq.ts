/**
 * The SEQ pipeline (Sequoia and 1MM) as steps, after LMTOY's seq_pipeline.sh (maps), seqbs_pipeline.sh (Bs)
 * and seqps_pipeline.sh (Ps). Derived parameters follow seq_pipeline.sh: resolution = ceil(lambda/D) at the
 * bank's sky frequency, cell = resolution/nppb, extent from the map size, b_regions / l_regions / slice from
 * vlsr, dv and dw. Numbers that the Makefile version printed with awk keep awk's `%.6g` text, so the tools
 * get the same arguments as before.
 *
 * A combination grids its singles' SpecFiles; the singles themselves are reduced by the caller with their
 * own parameters.
 *
 * @module
 */
import type { ObsInfo } from "../lmt/info.ts";
import { infoRc } from "../lmt/info.ts";
import { safeName } from "../lmt/names.ts";
import { C_KMS, C_LIGHT } from "../num/constants.ts";
import { join } from "../sys/path.ts";
import { ParamError, type ParamSet } from "./params.ts";
import { rcParamsBlock } from "./rc.ts";
import type { PipelineJob, Stamps, Step, ToolCall } from "./steps.ts";

/** The observing programs the SEQ pipeline reduces. */
export const SEQ_MODES: readonly string[] = ["Map", "Bs", "Ps"];

/** What the SEQ steps need to know. */
export interface SeqJob extends PipelineJob {
  /** Raw data root (passed as -p to the SEQ tools). */
  dataLmt: string;
}

/** awk's `print x`: integers as integers, other numbers as `%.6g`. */
export function awkNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  let s: string;
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split("e");
    const n = Number(e);
    s = `${m!.replace(/\.?0+$/, "")}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  } else {
    s = x.toPrecision(6);
    if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  }
  return s;
}

/** lmtinfo's rounding of header numbers (6 decimals), which the Makefile version computed from. */
function r6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** The derived parameters of seq_pipeline.sh for one obsnum's header and the run's parameters. */
export interface SeqDerived {
  src: string;
  vlsr: string;
  bRegions: string;
  lRegions: string;
  slice: string;
  extent: string;
  pixList: string;
  banks: number[];
  /** linefreq=: each line (GHz, as given) with the bank whose band holds it. */
  lines: { f: string; bank: number }[];
  resolution: (bank: number) => string;
  cell: (bank: number) => string;
}

/** Compute the derived parameters (see the module doc). */
export function seqDerived(info: ObsInfo, P: ParamSet): SeqDerived {
  const vlsr = P.get("vlsr") !== "" ? P.num("vlsr") : r6(info.vlsr ?? 0);
  const dv = P.num("dv"), dw = P.num("dw");
  const V0 = awkNumber(vlsr - dv), V1 = awkNumber(vlsr + dv);
  const W0 = awkNumber(vlsr - dv - dw), W1 = awkNumber(vlsr + dv + dw);
  const numbands = info.numbands ?? 1;
  const rest = info.restfreq ?? [];
  const used: number[] = [];
  for (let b = 0; b < numbands; b++) if (b < rest.length && r6(rest[b]!) > 0) used.push(b);
  const bank = P.num("bank");
  let banks = bank === -1 ? (used.length > 0 ? used : [0]) : [bank];
  /** The first of `among` whose band holds the line `f` (GHz) at the source velocity (one line lies in one bank). */
  const bankOfLine = (key: string, f: string, among: readonly number[]): number => {
    const sky = Number(f) * (1 - vlsr / C_KMS);
    const bw = info.bandwidth ?? [];
    const b = among.find((k) => Math.abs(sky - (info.skyfreq?.[k] ?? NaN)) < (bw[k] ?? 0) / 2);
    if (b === undefined) {
      throw new ParamError(
        `${key}=${f}: the line is in none of the bands reduced (banks ${among.join(",")})`,
      );
    }
    return b;
  };
  if (P.get("restfreq") !== "") banks = [bankOfLine("restfreq", P.get("restfreq"), banks)];
  const lines = P.get("linefreq") === ""
    ? []
    : P.get("linefreq").split(",").map((f) => ({ f, bank: bankOfLine("linefreq", f, banks) }));
  const sky = info.skyfreq ?? [];
  const resOfBank = (b: number): number => {
    if (b === 0) return info.resolution ?? NaN;
    const r = C_LIGHT / (r6(sky[b] ?? NaN) * 1e9) / 50 * 206264.806;
    return r === Math.trunc(r) ? r : Math.trunc(r) + 1;
  };
  const resolution = (b: number) => P.get("resolution") !== "" ? P.get("resolution") : String(resOfBank(b));
  const cell = (b: number) =>
    P.get("cell") !== "" ? P.get("cell") : awkNumber(Number(resolution(b)) / P.num("nppb"));
  const ext = P.num("extent") !== 0
    ? P.get("extent")
    : awkNumber(Math.max(r6(info.xLength ?? 0), r6(info.yLength ?? 0)));
  const all = Array.from({ length: 16 }, (_, i) => i);
  const pl = P.get("pix_list");
  const pixList = pl === ""
    ? all.join(",")
    : pl.startsWith("-")
    ? all.filter((i) => !pl.slice(1).split(",").map(Number).includes(i)).join(",")
    : pl;
  return {
    src: safeName(info.src),
    vlsr: awkNumber(vlsr),
    bRegions: P.get("b_regions") !== "" ? P.get("b_regions") : `[[${W0},${V0}],[${V1},${W1}]]`,
    lRegions: P.get("l_regions") !== "" ? P.get("l_regions") : `[[${V0},${V1}]]`,
    slice: P.get("slice") !== "" ? P.get("slice") : `[${W0},${W1}]`,
    extent: ext,
    pixList,
    banks,
    lines,
    resolution,
    cell,
  };
}

/** The steps of one SEQ job; its parameter stamps go through `stamps` (job.dir must exist). */
export function seqSteps(stamps: Stamps, job: SeqJob): Step[] {
  const { label: O, params: P, info } = job;
  const v = (k: string) => P.get(k);
  const d = seqDerived(info, P);
  const combo = job.singleDirs !== undefined;
  const st = {
    spec: stamps.stamp(
      "spec",
      `pix=${d.pixList} stype=${v("stype")} breg=${d.bRegions} slice=${d.slice} b_order=${v("b_order")} ` +
        `birdies=${v("birdies")} mc=${v("map_coord_use")} otfcal=${v("otf_cal")} off=${v("offx")},${
          v("offy")
        }` +
        (v("x_axis") !== "VLSR" ? ` x_axis=${v("x_axis")}` : "") +
        (v("restfreq") !== "" ? ` restfreq=${v("restfreq")}` : "") +
        (v("otf_sample") !== "-1" ? ` otf_sample=${v("otf_sample")}` : ""),
    ),
    sdfits: stamps.stamp("sdfits", `sdfits=${v("sdfits")}`),
    lines: stamps.stamp("lines", `linefreq=${v("linefreq")}`),
    grid: stamps.stamp(
      "grid",
      `res=${d.resolution(0)} cell=${d.cell(0)} pix=${d.pixList} rms_cut=${v("rms_cut")} ext=${d.extent} ` +
        `rmax=${v("rmax")} sel=${v("otf_select")} abc=${v("otf_a")},${v("otf_b")},${v("otf_c")} ` +
        `ns=${v("noise_sigma")} edge=${v("edge")} sample=${v("sample")} obs=${job.obsnums.join(" ")}` +
        (v("projection") !== "" ? ` proj=${v("projection")}` : "") +
        (v("ztype") !== "0" ? ` ztype=${v("ztype")}` : ""),
    ),
    products: stamps.stamp(
      "products",
      `makewf=${v("makewf")} maskmoment=${v("maskmoment")} viewspec=${v("viewspec")} location=${
        v("location")
      }`,
    ),
  };
  const RC = `lmtoy_${O}.rc`;
  const tool = (name: string, ...argv: string[]): ToolCall => ({ tool: name, argv });
  const steps: Step[] = [];
  const derivedBlock = [
    "# derived parameters",
    `vlsr=${d.vlsr}`,
    `b_regions="${d.bRegions}"`,
    `l_regions="${d.lRegions}"`,
    `slice="${d.slice}"`,
    `resolution=${d.resolution(0)}`,
    `cell=${d.cell(0)}`,
    `x_extent=${d.extent}`,
    `y_extent=${d.extent}`,
    `pix_list=${d.pixList}`,
  ].join("\n") + "\n";
  steps.push({
    name: "lmtinfo",
    inputs: [st.spec, st.grid],
    outputs: [RC],
    action: {
      kind: "file",
      show: `lmtinfo ${job.obsnums[0]} > ${RC}; derived parameters, parameters >> ${RC}`,
      content: () => infoRc(info, job.version) + derivedBlock + rcParamsBlock(P),
    },
  });
  const products: string[] = [];
  const base = (b: number) => `${d.src}_${O}__${b}`;
  const obspgm = info.obspgm;
  if (obspgm === "Bs" || obspgm === "Ps") {
    const bs = obspgm === "Bs";
    for (const b of d.banks) {
      // seqbs/seqps_pipeline.sh: Bs 10,8; Ps 10 (1MM: its two pixels of the bank, 0,2 or 1,3)
      const pix = v("pix_list") !== ""
        ? v("pix_list")
        : bs
        ? "10,8"
        : info.instrument === "1MM"
        ? (b === 0 ? "0,2" : "1,3")
        : "10";
      const txt = `${base(b)}.txt`;
      const common = ["-p", job.dataLmt, "--obs_list", O, "--pix_list", pix, "--use_cal"];
      const sdf = v("sdfits") === "1" ? ["--sdfits", `${base(b)}.sdfits`] : [];
      // makewf=1: the calibrated spectrum of every ON dump as an image (new for Bs/Ps; LMTOY had none)
      const wf = v("makewf") === "1"
        ? ["--waterfall", `${base(b)}_wf.fits`, "--waterfall_png", `${base(b)}_wf.png`]
        : [];
      const calls = bs
        ? [
          tool("process_bs", ...common, "--block", "-2", "--stype", v("stype"), "--bank", String(b)),
          tool(
            "process_bs",
            ...common,
            "--block",
            "-1",
            "--stype",
            v("stype"),
            "--bank",
            String(b),
            "-o",
            txt,
            ...sdf,
            ...wf,
          ),
        ]
        : [tool(
          "process_ps",
          ...common,
          "--stype",
          v("stype"),
          "--bank",
          String(b),
          "--slice",
          "[-40,40]",
          "-o",
          txt,
          "-y",
          `ps__${b}.png`,
          ...sdf,
          ...wf,
        )];
      steps.push({
        name: `${bs ? "process_bs" : "process_ps"} (bank ${b})`,
        inputs: [RC, st.sdfits, st.products],
        outputs: [
          txt,
          ...(v("sdfits") === "1" ? [`${base(b)}.sdfits`] : []),
          ...(v("makewf") === "1" ? [`${base(b)}_wf.fits`] : []),
        ],
        action: { kind: "tools", calls, log: `${bs ? "process_bs" : "process_ps"}_${b}.log` },
      });
      products.push(txt);
    }
  } else {
    const specfiles = (b: number): string[] =>
      combo
        ? job.obsnums.map((o, i) => join(job.singleDirs![i]!, `${d.src}_${o}__${b}.nc`))
        : [`${base(b)}.nc`];
    /** process_otf_map of bank `b` into `out` (restfreq "": the header's line). */
    const otfCall = (b: number, out: string, restfreq: string): ToolCall =>
      tool(
        "process_otf_map",
        "-p",
        job.dataLmt,
        "-o",
        out,
        "--obsnum",
        O,
        "--pix_list",
        d.pixList,
        "--bank",
        String(b),
        "--stype",
        v("stype"),
        "--use_cal",
        ...(v("otf_cal") === "1" ? ["--use_otf_cal"] : []),
        "--map_coord",
        v("map_coord_use"),
        "--x_axis",
        v("x_axis"),
        ...(restfreq !== "" ? ["--restfreq", restfreq] : []),
        ...(v("otf_sample") !== "-1" ? ["--sample", v("otf_sample")] : []),
        "--b_order",
        v("b_order"),
        "--b_regions",
        d.bRegions,
        "--l_region",
        d.lRegions,
        "--slice",
        d.slice,
        "--eliminate_list",
        v("birdies"),
        "--offx",
        v("offx"),
        "--offy",
        v("offy"),
      );
    /** grid_data of `inputs` into `out`.fits and `out`.wt.fits at resolution `res`. */
    const gridCall = (inputs: readonly string[], out: string, res: string, b: number): ToolCall =>
      tool(
        "grid_data",
        "-i",
        inputs.join(","),
        "-o",
        `${out}.fits`,
        "-w",
        `${out}.wt.fits`,
        "--resolution",
        res,
        "--cell",
        d.cell(b),
        "--pix_list",
        d.pixList,
        "--rms_cut",
        v("rms_cut"),
        "--x_extent",
        d.extent,
        "--y_extent",
        d.extent,
        "--otf_select",
        v("otf_select"),
        "--rmax",
        v("rmax"),
        "--otf_a",
        v("otf_a"),
        "--otf_b",
        v("otf_b"),
        "--otf_c",
        v("otf_c"),
        "--edge",
        v("edge"),
        "--sample",
        v("sample"),
        "--n_samples",
        "256",
        "--noise_sigma",
        v("noise_sigma"),
        ...(P.num("nproc") > 1 ? ["--workers", v("nproc")] : []),
        ...(v("projection") !== "" ? ["--projection", v("projection")] : []),
        ...(v("ztype") !== "0" ? ["--ztype", v("ztype")] : []),
      );
    for (const b of d.banks) {
      if (!combo) {
        steps.push({
          name: `process_otf_map (bank ${b})`,
          inputs: [RC, st.spec],
          outputs: [`${base(b)}.nc`],
          action: {
            kind: "tools",
            calls: [otfCall(b, `${base(b)}.nc`, v("restfreq"))],
            log: `process_otf_map_${b}.log`,
          },
        });
      }
      for (const smooth of [false, true]) {
        const out = `${base(b)}${smooth ? ".smooth" : ""}`;
        const res = smooth ? awkNumber(2 * Number(d.resolution(b))) : d.resolution(b);
        steps.push({
          name: `grid_data (bank ${b}${smooth ? ", smoothed" : ""})`,
          inputs: [...specfiles(b), st.grid],
          outputs: [`${out}.fits`, `${out}.wt.fits`],
          action: {
            kind: "tools",
            calls: [gridCall(specfiles(b), out, res, b)],
            log: `grid_data_${smooth ? "smooth_" : ""}${b}.log`,
          },
        });
        products.push(`${out}.fits`);
      }
      if (!combo && v("sdfits") === "1") {
        steps.push({
          name: `sdfits (bank ${b})`,
          inputs: [`${base(b)}.nc`, st.sdfits],
          outputs: [`${base(b)}.sdfits`],
          action: {
            kind: "tools",
            calls: [tool("sdfits", "-i", `${base(b)}.nc`, "-o", `${base(b)}.sdfits`)],
            log: `sdfits_${b}.log`,
          },
        });
        products.push(`${base(b)}.sdfits`);
      }
      // products of LMTOY's seq_pipeline.sh: waterfall (makewf), moments (maskmoment), a spectrum (viewspec)
      if (!combo && v("makewf") === "1") {
        steps.push({
          name: `make_spec_fits (bank ${b})`,
          inputs: [`${base(b)}.nc`, st.products],
          outputs: [`${base(b)}.wf.fits`],
          action: {
            kind: "tools",
            calls: [tool(
              "make_spec_fits",
              "-i",
              `${base(b)}.nc`,
              "-o",
              `${base(b)}.wf.fits`,
              "--pix_list",
              d.pixList,
              "--png",
              `${base(b)}.wf.png`,
              "--overwrite",
            )],
            log: `make_spec_fits_${b}.log`,
          },
        });
        products.push(`${base(b)}.wf.fits`);
      }
      if (v("maskmoment") === "1" && v("ztype") !== "2") {
        steps.push({
          name: `seq_moments (bank ${b})`,
          inputs: [`${base(b)}.fits`, st.products],
          outputs: [`${base(b)}.mom0.fits`],
          action: {
            kind: "tools",
            calls: [tool("seq_moments", "-i", `${base(b)}.fits`, "-o", base(b), "--overwrite")],
            log: `seq_moments_${b}.log`,
          },
        });
        products.push(`${base(b)}.mom0.fits`);
      }
      if (v("viewspec") === "1") {
        steps.push({
          name: `seq_viewspec (bank ${b})`,
          inputs: [`${base(b)}.fits`, st.products],
          outputs: [`${base(b)}.viewspec.txt`],
          action: {
            kind: "tools",
            calls: [tool(
              "seq_viewspec",
              "-i",
              `${base(b)}.fits`,
              "--location",
              v("location"),
              "-o",
              `${base(b)}.viewspec.txt`,
              "--png",
              `${base(b)}.viewspec.png`,
            )],
            log: `seq_viewspec_${b}.log`,
          },
        });
        products.push(`${base(b)}.viewspec.txt`);
      }
    }
    // linefreq=f1,f2,...: one SpecFile and cube per line (Heyer's Linefreq), the velocity axis of each line from
    // every channel's sky frequency (process_otf_map --restfreq), in the bank whose band holds it
    if (!combo) {
      d.lines.forEach(({ f, bank: b }, i) => {
        const lb = `${base(b)}_L${i + 1}`;
        steps.push({
          name: `process_otf_map (line ${f} GHz)`,
          inputs: [RC, st.spec, st.lines],
          outputs: [`${lb}.nc`],
          action: { kind: "tools", calls: [otfCall(b, `${lb}.nc`, f)], log: `process_otf_map_L${i + 1}.log` },
        });
        steps.push({
          name: `grid_data (line ${f} GHz)`,
          inputs: [`${lb}.nc`, st.grid],
          outputs: [`${lb}.fits`, `${lb}.wt.fits`],
          action: {
            kind: "tools",
            calls: [gridCall([`${lb}.nc`], lb, d.resolution(b), b)],
            log: `grid_data_L${i + 1}.log`,
          },
        });
        products.push(`${lb}.fits`);
      });
    }
  }
  steps.push({
    name: "summary page",
    inputs: [...products, RC],
    outputs: ["index.html"],
    barrier: true,
    action: {
      kind: "tools",
      calls: [{ tool: "summary", argv: ["seq", ".", O], env: { LMT_SIDECAR: "" } }],
    },
  });
  return steps;
}
