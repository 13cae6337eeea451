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
import { dataLmtRoot } from "../lib/lmt/env.ts";
import { stringifyBsSpectrum } from "../lib/formats/spectrum.ts";
import { plotLines, plotPanels } from "../lib/plot/mod.ts";
import { isFrequencyAxis, X_AXES } from "../lib/seq/axis.ts";
import { reduceBs } from "../lib/seq/bs.ts";
import { parseRegions, parseSlice } from "../lib/seq/options.ts";
import { sdfitsFromSwitched } from "../lib/seq/sdfits.ts";
import { encodeSdfits } from "../lib/sdfits/sdfits.ts";
import { encodeFitsImage } from "../lib/fits/mod.ts";
import { switchedWaterfall, waterfallPng } from "../lib/seq/switched_waterfall.ts";

/** Edge channels dropped on each side of the Bs spectrum, as the original. */
export const BS_EDGE = 64;

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
    {
      name: "path",
      short: "p",
      type: "string",
      env: "DATA_LMT",
      metavar: "DATA_LMT",
      help: "data root (default $DATA_LMT)",
    },
    { name: "obs_list", type: "intlist", required: true, help: "comma list of Bs obsnums" },
    { name: "output", short: "o", type: "string", help: "text spectrum ('-' = stdout); none = plot only" },
    { name: "bank", short: "b", type: "int", default: 0, min: 0, help: "bank (spectral window)" },
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
    {
      name: "tsys",
      type: "float",
      default: 250,
      help: "ignored (kept for compatibility; the original does not use it)",
    },
    {
      name: "stype",
      type: "int",
      default: 2,
      choices: [1, 2, 3],
      help: "1 all ON vs all OFF, 2 block pairs, 3 ON block vs neighbouring OFF blocks",
    },
    { name: "x_axis", type: "string", default: "VLSR", choices: X_AXES, help: "x axis of the spectrum" },
    { name: "b_order", type: "int", default: 0, help: "accepted, unused" },
    { name: "b_regions", type: "string", parse: parseRegions, help: "accepted, unused" },
    {
      name: "l_regions",
      type: "string",
      aliases: ["l_region"],
      parse: parseRegions,
      help: "accepted, unused",
    },
    { name: "slice", type: "string", parse: parseSlice, help: "accepted, unused" },
    {
      name: "plot",
      short: "y",
      type: "string",
      help: "plot file (default bs<block>__<bank>.png; 'none' = no plot)",
    },
    {
      name: "sdfits",
      type: "string",
      metavar: "FILE",
      help: "also write each obsnum's TA as an SDFITS row (dysh; '-' = stdout)",
    },
    {
      name: "waterfall",
      type: "string",
      metavar: "FILE",
      help: "also write the calibrated spectrum of every ON dump of both beams as a FITS cube " +
        "(dump × channel × pixel; '-' = stdout)",
    },
    {
      name: "waterfall_png",
      type: "string",
      metavar: "FILE",
      help: "also write a PNG of that waterfall (the two beams side by side)",
    },
  ],
  run: async (opts, ctx) => {
    const pix = opts.pix_list;
    if (pix !== undefined && (pix.length !== 2 || pix.some((p) => p < 0 || p > 15) || pix[0] === pix[1])) {
      throw new UsageError(`--pix_list must give two distinct pixels 0..15, got ${pix.join(",")}`);
    }
    const toStdout = [opts.output, opts.sdfits, opts.waterfall, opts.waterfall_png].filter((f) => f === "-");
    if (toStdout.length > 1) {
      throw new UsageError("only one of -o, --sdfits, --waterfall, --waterfall_png can be '-'");
    }
    const root = dataLmtRoot(opts.path, ctx.env);
    const xAxis = opts.x_axis;
    const block = opts.block;
    const r = await reduceBs({
      root,
      obsnums: opts.obs_list,
      ...(pix ? { pixList: pix } : {}),
      bank: opts.bank,
      useCal: opts.use_cal === true,
      stype: opts.stype,
      block: block === -2 ? -1 : block,
      xAxis,
      dumps: opts.waterfall !== undefined || opts.waterfall_png !== undefined,
      warn: (m) => ctx.log.warn(m),
    });
    const n = r.x.length;
    const lo = BS_EDGE, hi = n - BS_EDGE;
    if (opts.output !== undefined) {
      const text = stringifyBsSpectrum(
        r.x.subarray(lo, hi),
        r.ta.subarray(lo, hi),
        r.tsys[0].subarray(lo, hi),
        r.tsys[1].subarray(lo, hi),
      );
      ctx.writeFile(
        opts.output,
        r.axisName === "VLSR" ? text : text.replace(/^# vlsr/, `# ${r.axisName.toLowerCase()}`),
      );
    }
    if (typeof opts.sdfits === "string") {
      const rows = r.perObs.map(({ obs, ta }) => {
        const pm = obs.pixels.find((p) => p.pixel === r.main)!,
          po = obs.pixels.find((p) => p.pixel === r.other)!;
        return {
          obs,
          pixel: r.main,
          spectrum: ta,
          tsys: pm.tsys.map((t, c) => 0.5 * (t + po.tsys[c]!)),
          exposure: (pm.nOn + po.nOn) * obs.dumpTime,
        };
      });
      const sd = sdfitsFromSwitched(rows, {
        obsmode: "Bs:BSWITCH:NONE",
        slice: [lo, hi],
        history: ["process_bs", ...ctx.argv].join(" "),
      });
      ctx.writeFile(opts.sdfits, encodeSdfits(sd));
    }
    if (opts.waterfall !== undefined || opts.waterfall_png !== undefined) {
      const wf = switchedWaterfall({
        obs: r.perObs.map((p) => p.obs),
        axisName: r.axisName,
        edge: BS_EDGE,
        obsPgm: "Bs",
        stype: opts.stype,
        history: ["process_bs", ...ctx.argv].join(" "),
      });
      if (opts.waterfall !== undefined) {
        ctx.writeFile(opts.waterfall, encodeFitsImage({ data: wf.data, shape: wf.shape, header: wf.header }));
      }
      if (opts.waterfall_png !== undefined) {
        const title = `Bs ${opts.obs_list.join(",")} bank ${opts.bank}: ON dumps, pixels ${
          r.pixels.join(" ")
        }`;
        ctx.writeFile(opts.waterfall_png, await waterfallPng(wf, title));
      }
    }
    const plotName = opts.plot ?? `bs${block}__${opts.bank}.png`;
    if (plotName !== "none") {
      const unit = isFrequencyAxis(xAxis) ? "Hz" : "km/s";
      const xs = r.x.subarray(lo, hi);
      let png: Uint8Array;
      if (block === -2 && r.blocks.length > 0) {
        png = await plotPanels({
          title: `Bs obsnum ${opts.obs_list.join(",")} bank ${opts.bank}: per block`,
          columns: Math.min(3, r.blocks.length),
          panels: r.blocks.map((b, i) => ({
            title: `block ${i}`,
            xLabel: `${r.axisName} (${unit})`,
            yLabel: "TA (K)",
            series: [{ x: xs, y: b.subarray(lo, hi), step: true }],
          })),
        });
      } else {
        png = await plotLines({
          title: `Bs obsnum ${
            opts.obs_list.join(",")
          } bank ${opts.bank} (ON beam ${r.main}, OFF beam ${r.other})`,
          xLabel: `${r.axisName} (${unit})`,
          yLabel: "TA (K)",
          series: [{ x: xs, y: r.ta.subarray(lo, hi), step: true, label: `0.5·(${r.main} − ${r.other})` }],
          hlines: [0],
        });
      }
      ctx.writeFile(plotName, png);
    }
    ctx.log.info(
      `Tsys ${r.pixels[0]}: ${npMean(r.tsys[0]).toFixed(2)} K  Tsys ${r.pixels[1]}: ${
        npMean(r.tsys[1]).toFixed(2)
      } K`,
    );
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
