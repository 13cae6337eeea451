/**
 * rsr_sum — sum RSR obsnums using a `.blanking` file (windows, obsnums, frequency blanking) into a
 * two-column spectrum (rsr_sum.py drop-in).
 *
 * Examples:
 *   rsr_sum -b rsr.91001.blanking --badlags rsr.91001.badlags --o1 1 -t 0.01   # → rsr.91001.blanking.sum.txt
 *   cat rsr.91001.blanking | rsr_sum -b - -o - > sum.txt
 *
 * The blanking file is parsed, never executed. Differences from rsr_sum.py are in docs/compat.md.
 * @module
 */
import { DataError, defineTool, UsageError } from "../lib/cli/mod.ts";
import { parseBadlags } from "../lib/formats/badlags.ts";
import { parseBlanking } from "../lib/formats/blanking.ts";
import { stringifySumSpectrum } from "../lib/formats/spectrum.ts";
import { corrCalDir, dataLmtRoot } from "../lib/lmt/env.ts";
import { badLagOptions } from "../lib/rsr/calibrated.ts";
import { MERGE_MODES } from "../lib/rsr/merge.ts";
import { runSum } from "../lib/rsr/sum.ts";

export const tool = defineTool({
  name: "rsr_sum",
  summary: "sum RSR obsnums with a .blanking file into a 2-column spectrum",
  usage: "rsr_sum -b BLANKING_FILE [options]",
  description:
    "Output: BLANKING_FILE + '.sum.txt' (or -o FILE, '-' = stdout): frequency (GHz) and T_A (K), " +
    "%.18e, no header, 0.0 where no board contributes (nan with --nan-uncovered). -t is always applied " +
    "(σ < t); the board sigmas include line emission (rsr_sum cannot exclude lines, R5).",
  options: [
    {
      name: "blanking",
      short: "b",
      type: "string",
      required: true,
      metavar: "BLANKING_FILE",
      help: "blanking file ('-' = stdin)",
    },
    {
      name: "threshold",
      short: "t",
      type: "float",
      default: 0.01,
      help: "coadd sigma threshold (K), always applied",
    },
    {
      name: "repeat_threshold",
      short: "r",
      type: "float",
      default: 0.01,
      help: "accepted for compatibility; unused (as in rsr_sum.py)",
    },
    { name: "badlags", type: "string", help: ".badlags file" },
    {
      name: "o1",
      short: "1",
      type: "int",
      default: 1,
      min: 0,
      max: 3,
      help: "baseline order per obsnum/chassis (subtracted)",
    },
    {
      name: "o2",
      short: "2",
      type: "int",
      default: -1,
      min: -1,
      max: 3,
      help: "final baseline order; <0: sigma only",
    },
    {
      name: "path",
      short: "p",
      type: "string",
      env: "DATA_LMT",
      help: "data root (default $DATA_LMT; honoured, unlike rsr_sum.py)",
    },
    {
      name: "corr_cal_dir",
      type: "string",
      env: "CORR_CAL_DIR",
      help: "corr_cal directory (default <data root>/rsr/cal)",
    },
    {
      name: "output",
      short: "o",
      type: "string",
      help: "output file ('-' = stdout; default BLANKING_FILE.sum.txt)",
    },
    { name: "print_options", short: "d", type: "boolean", help: "print the options to stderr" },
    {
      name: "merge",
      type: "string",
      default: "linear",
      choices: MERGE_MODES,
      help: "band merge: linear = the original (narrow lines lose ~6 % peak, R3); sinc = band-limited " +
        "resampling keeping line peak/width/centre; nearest = nearest board channel",
    },
    {
      name: "nan-uncovered",
      type: "boolean",
      help: "write nan instead of 0.0 for channels no board covers (R4)",
    },
    {
      name: "badlags-per-obsnum",
      type: "boolean",
      help: "apply each --badlags lag line only to the obsnum of its 4th column (the original: to all, R7)",
    },
  ],
  run: async (opts, ctx) => {
    const bname = opts.blanking;
    if (bname === "-" && opts.output === undefined) {
      throw new UsageError("with -b - (stdin) give the output name with -o FILE or -o -");
    }
    if (opts.print_options) ctx.log.warn(JSON.stringify(opts));
    const blanking = parseBlanking(await ctx.readText(bname), bname === "-" ? "<stdin>" : bname);
    if (blanking.obsnums.length === 0) {
      throw new DataError(
        `${
          ctx.inputName(bname)
        }: names no obsnum to sum (its line of obsnums, e.g. '91001,91003', is missing)`,
      );
    }
    const root = dataLmtRoot(opts.path, ctx.env);
    const badModel = opts.badlags ? parseBadlags(await ctx.readText(opts.badlags), opts.badlags) : null;
    const res = await runSum({
      blanking,
      dataLmt: root,
      corrCalDir: opts.corr_cal_dir || corrCalDir(root, ctx.env),
      ...badLagOptions(badModel, opts["badlags-per-obsnum"] === true),
      merge: { mode: opts.merge, nanUncovered: opts["nan-uncovered"] === true },
      threshold: opts.threshold,
      order1: opts.o1,
      order2: opts.o2,
      log: (m) => ctx.log.warn(m),
    });
    const out = opts.output ?? bname + ".sum.txt";
    ctx.writeFile(out, stringifySumSpectrum(res.composite.freq, res.composite.value));
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
