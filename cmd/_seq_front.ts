/**
 * The front end the SEQ reduction tools share (private to cmd/): the options process_bs, process_ps
 * and process_otf_map spell alike, the inputs of a switched (Bs/Ps) reduction taken from the parsed
 * options, and the writing of a switched reduction's products (text spectrum, SDFITS, waterfall cube
 * and PNG, plot) through the tool's context. The products themselves are made by lib/seq
 * (switched_products.ts, switched_plots.ts).
 * @module
 */
import { type ToolContext, UsageError } from "../lib/cli/mod.ts";
import { encodeFitsImage } from "../lib/fits/mod.ts";
import { dataLmtRoot } from "../lib/lmt/env.ts";
import { encodeSdfits } from "../lib/sdfits/sdfits.ts";
import { X_AXES, type XAxisName } from "../lib/seq/axis.ts";
import { parseRegions, parseSlice } from "../lib/seq/options.ts";
import type { SwitchedProducts } from "../lib/seq/switched_products.ts";
import { waterfallPng } from "../lib/seq/switched_waterfall.ts";

/** `-p/--path`: the raw data root. */
export const PATH_OPTION = {
  name: "path",
  short: "p",
  type: "string",
  env: "DATA_LMT",
  metavar: "DATA_LMT",
  help: "data root (default $DATA_LMT)",
} as const;

/** `--tsys`: accepted and ignored, as by the originals. */
export const TSYS_OPTION = {
  name: "tsys",
  type: "float",
  default: 250,
  help: "ignored (kept for compatibility; the original does not use it)",
} as const;

/** `-o/--output` of process_bs and process_ps: the text spectrum. */
export const TEXT_OUTPUT_OPTION = {
  name: "output",
  short: "o",
  type: "string",
  help: "text spectrum ('-' = stdout); none = plot only",
} as const;

/** `-b/--bank` of process_bs and process_ps. */
export const BANK_OPTION = {
  name: "bank",
  short: "b",
  type: "int",
  default: 0,
  min: 0,
  help: "bank (spectral window)",
} as const;

/**
 * `--x_axis` and the options process_bs and process_ps accept and do not use, as the originals:
 * `--b_order`, `--b_regions`, `--l_regions`, `--slice` (each tool says why in `help`).
 */
export function axisAndUnusedOptions(help: { bOrder: string; slice: string }) {
  return [
    { name: "x_axis", type: "string", default: "VLSR", choices: X_AXES, help: "x axis of the spectrum" },
    { name: "b_order", type: "int", default: 0, help: help.bOrder },
    { name: "b_regions", type: "string", parse: parseRegions, help: "accepted, unused" },
    {
      name: "l_regions",
      type: "string",
      aliases: ["l_region"],
      parse: parseRegions,
      help: "accepted, unused",
    },
    { name: "slice", type: "string", parse: parseSlice, help: help.slice },
  ] as const;
}

/** `--sdfits`, `--waterfall`, `--waterfall_png` of process_bs and process_ps, with each tool's help. */
export function productOptions(help: { sdfits: string; waterfall: string; waterfallPng: string }) {
  return [
    { name: "sdfits", type: "string", metavar: "FILE", help: help.sdfits },
    { name: "waterfall", type: "string", metavar: "FILE", help: help.waterfall },
    { name: "waterfall_png", type: "string", metavar: "FILE", help: help.waterfallPng },
  ] as const;
}

/** The option values of a switched tool that this module reads. */
export interface SwitchedArgs {
  path?: string | undefined;
  bank: number;
  use_cal?: boolean | undefined;
  x_axis: XAxisName;
  output?: string | undefined;
  sdfits?: string | undefined;
  waterfall?: string | undefined;
  waterfall_png?: string | undefined;
}

/** At most one of the outputs may be stdout ('-'): a usage error otherwise. */
export function checkOneStdout(opts: SwitchedArgs): void {
  const toStdout = [opts.output, opts.sdfits, opts.waterfall, opts.waterfall_png].filter((f) => f === "-");
  if (toStdout.length > 1) {
    throw new UsageError("only one of -o, --sdfits, --waterfall, --waterfall_png can be '-'");
  }
}

/**
 * The inputs of reduceBs/reducePs common to both tools: data root, bank, calibration, x axis, whether
 * the ON dumps are kept (for a waterfall) and warnings to the tool's log.
 */
export function switchedInputs(opts: SwitchedArgs, ctx: ToolContext) {
  return {
    root: dataLmtRoot(opts.path, ctx.env),
    bank: opts.bank,
    useCal: opts.use_cal === true,
    xAxis: opts.x_axis,
    dumps: opts.waterfall !== undefined || opts.waterfall_png !== undefined,
    warn: (m: string) => ctx.log.warn(m),
  };
}

/**
 * Write the products the options ask for, in this order: text spectrum (-o), SDFITS, waterfall cube
 * and its PNG, then the plot to `plot` (none when "none"). `tool` starts the HISTORY lines. The PNGs are
 * handed over while they render (lib/plot/pool.ts).
 */
export function writeSwitchedProducts(
  ctx: ToolContext,
  tool: string,
  opts: SwitchedArgs,
  plot: string,
  p: SwitchedProducts,
): void {
  const history = [tool, ...ctx.argv].join(" ");
  if (opts.output !== undefined) ctx.writeFile(opts.output, p.text());
  if (opts.sdfits !== undefined) ctx.writeFile(opts.sdfits, encodeSdfits(p.sdfits(history)));
  if (opts.waterfall !== undefined || opts.waterfall_png !== undefined) {
    const wf = p.waterfall(history);
    if (opts.waterfall !== undefined) {
      ctx.writeFile(opts.waterfall, encodeFitsImage({ data: wf.data, shape: wf.shape, header: wf.header }));
    }
    if (opts.waterfall_png !== undefined) {
      ctx.writeFile(opts.waterfall_png, waterfallPng(wf, p.waterfallTitle));
    }
  }
  if (plot !== "none") ctx.writeFile(plot, p.plot());
}
