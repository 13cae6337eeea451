/**
 * process_ps — reduce SEQ / 1MM position-switched (Ps) obsnums to a text spectrum and a plot
 * (lmtslr bin/process_ps.py drop-in; docs/process_ps.md).
 *
 * Examples:
 *   process_ps --obs_list 97005 --pix_list 10 --use_cal --stype 2 --bank 0 -o SIM-PS_97005__0.txt --slice [-40,40]
 *   process_ps --obs_list 97005,97007 --pix_list 9,10 --use_cal -o - | tabplot - 1 2
 *
 * Differences from the original are listed in docs/compat.md (process_ps section).
 * @module
 */
import { npMean } from "../lib/num/npstats.ts";
import { type Args, defineTool, parseArgs, UsageError } from "../lib/cli/mod.ts";
import { DataError } from "../lib/cli/errors.ts";
import { configBoolean, parseConfigObj } from "../lib/formats/configobj.ts";
import { reducePs } from "../lib/seq/ps.ts";
import { psProducts } from "../lib/seq/switched_products.ts";
import type { OptionSpec } from "../lib/cli/args.ts";
import * as front from "./_seq_front.ts";

const OPTIONS = [
  {
    name: "config",
    short: "c",
    type: "string",
    help: "configobj file ([general]/[spectra] key = value) whose keys override the command line",
  },
  front.PATH_OPTION,
  front.TEXT_OUTPUT_OPTION,
  {
    name: "show",
    type: "boolean",
    help: "accepted: there is no interactive display, the plot file is written",
  },
  { name: "obs_list", type: "intlist", help: "comma list of Ps obsnums (required)" },
  front.BANK_OPTION,
  { name: "block", type: "int", default: -1, help: "accepted, unused (the original averages all blocks)" },
  { name: "pix_list", type: "intlist", help: "pixels to reduce (required; pipeline: 10, 1MM 0,2 / 1,3)" },
  {
    name: "use_cal",
    type: "boolean",
    help: "calibrate with the Cal-scan Tsys spectrum (else the IFPROC Tsys of the Cal obsnum)",
  },
  front.TSYS_OPTION,
  {
    name: "stype",
    type: "int",
    default: 1,
    min: 0,
    max: 3,
    help: "accepted, unused: Ps always pairs the i-th ON with the i-th REF block (stype 2), as the original",
  },
  ...front.axisAndUnusedOptions({
    bOrder: "accepted, unused (no baseline is removed)",
    slice: "accepted, unused (the whole band is written)",
  }),
  {
    name: "plot",
    short: "y",
    type: "string",
    default: "ps.png",
    help: "plot file ('none' = no plot)",
  },
  ...front.productOptions({
    sdfits: "also write each obsnum's and pixel's spectrum as an SDFITS row (dysh; '-' = stdout)",
    waterfall:
      "also write the calibrated spectrum of every ON dump as a FITS cube (dump × channel × pixel; '-' = stdout)",
    waterfallPng: "also write a PNG of that waterfall (the pixels side by side)",
  }),
] as const satisfies readonly OptionSpec[];

/** The typed values of {@link OPTIONS}. */
type PsArgs = Args<typeof OPTIONS>;

/** configobj keys of lmtslr's Ps spec that are not options of process_ps: accepted and ignored. */
const CONFIG_IGNORED = new Set(["eliminate_list"]);

/**
 * Apply a configobj file: each key it sets overrides the command-line value (converted and checked by
 * the same option table, so the values keep their option's type).
 */
async function applyConfig(
  path: string,
  opts: PsArgs,
  readText: (p: string) => Promise<string>,
): Promise<PsArgs> {
  let text: string;
  try {
    text = await readText(path);
  } catch {
    throw new DataError(`${path}: no such config file`);
  }
  let entries;
  try {
    entries = parseConfigObj(text);
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message}`);
  }
  const byName = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.name, o]));
  const values: Record<string, unknown> = { ...opts };
  for (const e of entries) {
    if (CONFIG_IGNORED.has(e.key)) continue;
    const o = byName.get(e.key);
    if (!o || o.name === "config") throw new DataError(`${path}:${e.line}: unknown key "${e.key}"`);
    if (o.type === "boolean") {
      const b = configBoolean(e.value);
      if (b === undefined) {
        throw new DataError(`${path}:${e.line}: ${e.key} must be True or False, got "${e.value}"`);
      }
      values[o.name] = b;
      continue;
    }
    try {
      const { env: _env, ...noEnv } = o;
      const v = parseArgs([`--${o.name}`, e.value], [noEnv], [], {});
      values[o.name] = v.values[o.name];
    } catch (err) {
      throw new DataError(`${path}:${e.line}: ${(err as Error).message}`);
    }
  }
  // each value was converted by its own option's spec above
  return values as PsArgs;
}

export const tool = defineTool({
  name: "process_ps",
  summary: "SEQ/1MM position-switched obsnum(s) → text spectrum 'vlsr TA Tsys beam1..N' and a PNG plot",
  usage: "process_ps --obs_list OBSNUM[,OBSNUM...] --pix_list P[,P...] [options]",
  description:
    "For each obsnum and pixel: ON (BufPos 0 or ≥ 100) and REF (BufPos 1) block means, the i-th ON " +
    "block paired with the i-th REF block, (ON−REF)/REF averaged over the pairs and multiplied by the Tsys " +
    "spectrum 280·SKY/(HOT−SKY) of the Cal obsnum (--use_cal; else the scalar IFPROC Tsys). No baseline is " +
    "removed. Output columns: x (--x_axis, first obsnum), TA = unweighted mean of all spectra, Tsys of the " +
    "lowest listed pixel (last obsnum), then one column per (obsnum, pixel) in ascending pixel order; " +
    "channels 64..nchan−65. --stype, --block, --b_order, --b_regions, --l_regions and --slice are accepted " +
    "and unused (as the original).",
  examples: [
    "process_ps --obs_list 97005 --pix_list 10 --use_cal --stype 2 --bank 0 -o SIM-PS_97005__0.txt --slice [-40,40]",
    "process_ps --obs_list 97005 --pix_list 9,10,11 --use_cal -o - -y none",
  ],
  options: OPTIONS,
  run: async (cli, ctx) => {
    const opts = cli.config !== undefined ? await applyConfig(cli.config, cli, ctx.readText) : cli;
    const obsList = opts.obs_list;
    const pix = opts.pix_list;
    if (!obsList || obsList.length === 0) throw new UsageError("option --obs_list is required");
    if (!pix || pix.length === 0) throw new UsageError("option --pix_list is required");
    if (pix.some((p) => p < 0 || p > 15)) {
      throw new UsageError(`--pix_list: pixels are 0..15, got ${pix.join(",")}`);
    }
    if (new Set(pix).size !== pix.length) {
      throw new UsageError(`--pix_list: a pixel is listed twice (${pix.join(",")})`);
    }
    front.checkOneStdout(opts);
    if (opts.show === true) ctx.log.warn("--show: no interactive display; the plot goes to the plot file");
    if (opts.stype !== 1 && opts.stype !== 2) {
      ctx.log.info(
        `--stype ${opts.stype} is not used: Ps pairs ON and REF blocks (stype 2), as the original`,
      );
    }
    const r = await reducePs({ ...front.switchedInputs(opts, ctx), obsnums: obsList, pixList: pix });
    const products = psProducts(r, { obsnums: obsList, bank: opts.bank });
    front.writeSwitchedProducts(ctx, "process_ps", opts, opts.plot, products);
    for (const s of r.spectra) {
      ctx.log.info(
        `obsnum ${s.obsnum} pixel ${s.pixel}: ${s.nOn} ON / ${s.nRef} REF dumps, ${s.blocks.length} block pairs, Tsys ${
          npMean(s.tsys).toFixed(2)
        } K`,
      );
    }
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
