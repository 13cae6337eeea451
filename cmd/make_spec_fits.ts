/**
 * make_spec_fits — a SpecFile as a waterfall FITS cube (LMTOY make_spec_fits.py): sample × channel
 * per pixel, one plane per pixel, for finding bad pixels, spikes, birdies and drifts in ds9; with
 * --png also a picture of all planes side by side.
 *
 * Examples:
 *   make_spec_fits -i SRC_97001__0.nc -o SRC_97001__0.wf.fits --png SRC_97001__0.wf.png
 *   make_spec_fits -i SRC_97001__0.nc -o SRC_97001__0.wf10.fits --binning 10,1
 *   process_otf_map -O 97001 -o - | make_spec_fits -i - -o wf.fits --pix_list 0,1,2,3
 * @module
 */
import { defineTool, numberTuple, UsageError } from "../lib/cli/mod.ts";
import { encodeFitsImage } from "../lib/fits/mod.ts";
import { readSpecFile } from "../lib/specfile/mod.ts";
import { waterfall, waterfallMosaicPng } from "../lib/seq/waterfall.ts";
import { existsSync } from "../lib/sys/fs.ts";

export const tool = defineTool({
  name: "make_spec_fits",
  summary: "SpecFile → waterfall FITS cube (sample × velocity × pixel) and an optional PNG",
  usage: "make_spec_fits -i SPECFILE|- -o WF.fits [--pix_list P,..] [--binning T,C] [--png WF.png]",
  description:
    "NAXIS1 = the pixel's spectra in file order (SAMPLE; alternate WCS A: ON integration time in s), " +
    "NAXIS2 = velocity (VRAD, km/s), NAXIS3 = pixel in --pix_list order (PIXn cards). --binning T,C averages " +
    "blocks of T samples and C channels. Pixels with fewer spectra are padded with NaN (the original truncated " +
    "all pixels to the shortest). An existing output is not replaced without --overwrite.",
  examples: [
    "make_spec_fits -i SRC_97001__0.nc -o SRC_97001__0.wf.fits --png SRC_97001__0.wf.png",
    "make_spec_fits -i SRC_97001__0.nc -o SRC_97001__0.wf10.fits --binning 10,1",
  ],
  options: [
    { name: "input", short: "i", type: "string", required: true, help: "SpecFile (- = stdin)" },
    { name: "output", short: "o", type: "string", required: true, help: "waterfall FITS cube (- = stdout)" },
    { name: "pix_list", type: "intlist", default: [...Array(16).keys()], help: "pixels, one plane each" },
    {
      name: "binning",
      type: "string",
      default: [1, 1],
      parse: numberTuple(2, "--binning BINT,BINC"),
      metavar: "BINT,BINC",
      help: "block averaging in the time (sample) and channel dimensions",
    },
    { name: "png", type: "string", help: "also write a PNG of the planes side by side" },
    { name: "overwrite", type: "boolean", help: "replace existing output files" },
  ],
  run: async (opts, ctx) => {
    const binning = opts.binning;
    if (!binning.every((b) => Number.isInteger(b) && b >= 1)) {
      throw new UsageError(`--binning: two positive integers expected, got ${binning.join(",")}`);
    }
    const pixList = opts.pix_list;
    if (pixList.length === 0 || pixList.some((p) => p < 0 || p > 63)) {
      throw new UsageError(`--pix_list: pixels 0..63 expected, got ${pixList.join(",")}`);
    }
    const outs = [opts.output, ...(opts.png !== undefined ? [opts.png] : [])];
    for (const p of outs) {
      if (p !== "-" && existsSync(p) && opts.overwrite !== true) {
        throw new UsageError(`cannot write ${p}: file exists (use --overwrite)`);
      }
    }
    const input = opts.input;
    const sf = input === "-"
      ? await readSpecFile(await ctx.readBytes("-"), "<stdin>")
      : await readSpecFile(input);
    const wf = waterfall(sf, {
      pixList,
      binning: [binning[0]!, binning[1]!],
      history: ["make_spec_fits", ...ctx.argv].join(" "),
    });
    ctx.writeFile(opts.output, encodeFitsImage({ data: wf.data, shape: wf.shape, header: wf.header }));
    if (opts.png !== undefined) {
      ctx.writeFile(
        opts.png,
        waterfallMosaicPng(wf, {
          title: `${sf.sourceName} ${sf.obsNum}: waterfall, pixels ${pixList.join(" ")} left to right`,
          unit: "sample",
          step: binning[0]!,
        }),
      );
    }
    ctx.log.info(
      `${wf.shape.join(" x ")} waterfall; samples per pixel ${wf.samples.join(",")} (binning ${
        binning.join(",")
      })`,
    );
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
