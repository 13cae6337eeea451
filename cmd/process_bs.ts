/**
 * process_bs — reduce SEQ beam-switched (Bs) obsnums to a text spectrum and a plot (process_bs.py
 * drop-in). The line is positive for the ON beam Header.Bs.Beam[0] whatever the --pix_list order.
 *
 * Examples:
 *   process_bs --obs_list 97003 --pix_list 10,8 --use_cal --stype 2 -o SAMPLE-BS_97003__0.txt
 *   process_bs --obs_list 97003 --use_cal --block -2          # per-block plot bs-2__0.png
 *
 * Differences from the original are listed in docs/compat.md (SEQ section).
 * @module
 */
import { npMean } from "../lib/num/npstats.ts";
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { reduceBs } from "../lib/seq/bs.ts";
import { bsProducts } from "../lib/seq/switched_products.ts";
import * as front from "./_seq_front.ts";

export const tool = defineTool({
  name: "process_bs",
  summary: "SEQ beam-switched obsnum(s) → text spectrum '# vlsr TA(K) Tsys1 Tsys2' and a PNG plot",
  usage: "process_bs --obs_list OBSNUM[,OBSNUM...] [options]",
  description: "For each beam: ON (BufPos 0) and OFF (BufPos 1) block means, switched spectrum per block " +
    "((ON−OFF)/OFF; stype 1 all dumps, 2 block pairs, 3 ON block against its two neighbouring OFF blocks), " +
    "calibrated with the Cal-scan Tsys spectrum (--use_cal) or the IFPROC Tsys. TA = 0.5·(ON beam − other " +
    "beam), ON beam = Header.Bs.Beam[0] (when in --pix_list, else the first listed pixel). Tsys1/Tsys2 are the " +
    "two pixels in ascending pixel order. 64 edge channels are dropped on each side. Several obsnums are " +
    "averaged. --b_order, --b_regions, --l_regions and --slice are accepted and unused (as the original).",
  examples: [
    "process_bs --obs_list 97003 --pix_list 10,8 --use_cal --stype 2 -o SAMPLE-BS_97003__0.txt",
    "process_bs --obs_list 97003 --use_cal --block -2",
  ],
  options: [
    front.PATH_OPTION,
    { name: "obs_list", type: "intlist", required: true, help: "comma list of Bs obsnums" },
    front.TEXT_OUTPUT_OPTION,
    front.BANK_OPTION,
    {
      name: "block",
      type: "int",
      default: -1,
      min: -2,
      help: "-1 average of all blocks, N that block, -2 also plot each block",
    },
    { name: "pix_list", type: "intlist", help: "the two beams (default Header.Bs.Beam)" },
    {
      name: "use_cal",
      type: "boolean",
      help: "calibrate with the Cal-scan Tsys spectrum (else the IFPROC Tsys)",
    },
    front.TSYS_OPTION,
    {
      name: "stype",
      type: "int",
      default: 2,
      choices: [1, 2, 3],
      help: "1 all ON vs all OFF, 2 block pairs, 3 ON block vs neighbouring OFF blocks",
    },
    ...front.axisAndUnusedOptions({ bOrder: "accepted, unused", slice: "accepted, unused" }),
    {
      name: "plot",
      short: "y",
      type: "string",
      help: "plot file (default bs<block>__<bank>.png; 'none' = no plot)",
    },
    ...front.productOptions({
      sdfits: "also write each obsnum's TA as an SDFITS row (dysh; '-' = stdout)",
      waterfall: "also write the calibrated spectrum of every ON dump of both beams as a FITS cube " +
        "(dump × channel × pixel; '-' = stdout)",
      waterfallPng: "also write a PNG of that waterfall (the two beams side by side)",
    }),
  ],
  run: async (opts, ctx) => {
    const pix = opts.pix_list;
    if (pix !== undefined && (pix.length !== 2 || pix.some((p) => p < 0 || p > 15) || pix[0] === pix[1])) {
      throw new UsageError(`--pix_list must give two distinct pixels 0..15, got ${pix.join(",")}`);
    }
    front.checkOneStdout(opts);
    const block = opts.block;
    const r = await reduceBs({
      ...front.switchedInputs(opts, ctx),
      obsnums: opts.obs_list,
      ...(pix ? { pixList: pix } : {}),
      stype: opts.stype,
      block: block === -2 ? -1 : block,
    });
    const products = bsProducts(r, {
      obsnums: opts.obs_list,
      bank: opts.bank,
      stype: opts.stype,
      perBlock: block === -2,
    });
    front.writeSwitchedProducts(
      ctx,
      "process_bs",
      opts,
      opts.plot ?? `bs${block}__${opts.bank}.png`,
      products,
    );
    ctx.log.info(
      `Tsys ${r.pixels[0]}: ${npMean(r.tsys[0]).toFixed(2)} K  Tsys ${r.pixels[1]}: ${
        npMean(r.tsys[1]).toFixed(2)
      } K`,
    );
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
