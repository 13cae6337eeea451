/**
 * seq_moments — masked moment maps of a cube (LMTOY's maskmoment step): BASE.mom0.fits (K km/s),
 * BASE.mom1.fits (km/s), BASE.mom2.fits (km/s), BASE.peak.fits (K), 2-D with the cube's celestial
 * WCS, and a PNG of each.
 *
 * Examples:
 *   seq_moments -i SRC_97001__0.fits                     # SRC_97001__0.mom0.fits ... and .png
 *   seq_moments -i SRC_97001__0.fits -o m --snr 5 --snr_lo 2.5 --smooth_xy 3
 * @module
 */
import { defineTool, numberTuple, UsageError } from "../lib/cli/mod.ts";
import { encodeFitsImage } from "../lib/fits/mod.ts";
import { mapHeader, mapOffsets, readSpectralCube } from "../lib/fits/cube.ts";
import { MASK_DEFAULTS, maskedMoments } from "../lib/num/maskmoment.ts";
import { plotImage } from "../lib/plot/mod.ts";
import { existsSync } from "../lib/sys/fs.ts";

const D = MASK_DEFAULTS;

export const tool = defineTool({
  name: "seq_moments",
  summary: "masked moment maps (mom0, mom1, mom2, peak) of a FITS cube, with PNGs",
  usage:
    "seq_moments -i CUBE.fits [-o BASE] [--snr N] [--snr_lo N] [--smooth_xy FWHM] [--smooth_z N] [--grow P,C]",
  description:
    "The mask (maskmoment style): the cube smoothed with a Gaussian of --smooth_xy pixels FWHM and a " +
    "boxcar of --smooth_z channels; voxels above --snr x its robust rms are cores, grown into the connected " +
    "voxels above --snr_lo x rms; regions covering fewer than --min_pixels map pixels are dropped; the mask is " +
    "then dilated by --grow pixels,channels; pixels whose rms exceeds --max_noise x the median rms (sparsely " +
    "covered edges) are left out. Moments of the unsmoothed cube inside the mask: mom0 = sum T |dv| " +
    "(K km/s; 0 where there is data but no mask, NaN where no data), mom1 = intensity-weighted velocity, " +
    "mom2 = intensity-weighted dispersion (km/s), peak = max T (K). Outputs BASE.{mom0,mom1,mom2,peak}.fits " +
    "and .png (BASE defaults to the cube's name without .fits); existing outputs need --overwrite.",
  examples: [
    "seq_moments -i SRC_97001__0.fits",
    "seq_moments -i SRC_97001__0.fits -o m --snr 5 --snr_lo 2.5 --smooth_xy 3",
  ],
  options: [
    { name: "input", short: "i", type: "string", required: true, help: "FITS cube (- = stdin)" },
    { name: "output", short: "o", type: "string", metavar: "BASE", help: "output base name" },
    {
      name: "snr",
      type: "float",
      default: D.snr,
      min: 0,
      help: "core threshold (x rms of the smoothed cube)",
    },
    { name: "snr_lo", type: "float", default: D.snrLo, min: 0, help: "threshold the cores grow into" },
    {
      name: "smooth_xy",
      type: "float",
      default: D.smoothXY,
      min: 0,
      help: "spatial smoothing FWHM (pixels)",
    },
    { name: "smooth_z", type: "int", default: D.smoothZ, min: 1, help: "spectral boxcar (channels)" },
    {
      name: "grow",
      type: "string",
      default: [D.growXY, D.growZ],
      parse: numberTuple(2, "--grow PIXELS,CHANNELS"),
      metavar: "PIXELS,CHANNELS",
      help: "dilation of the mask",
    },
    { name: "min_pixels", type: "int", default: D.minPixels, min: 1, help: "smallest region (map pixels)" },
    {
      name: "max_noise",
      type: "float",
      default: D.maxNoise,
      min: 0,
      help: "leave out pixels noisier than this x the median (sparse edges); 0 = keep all",
    },
    { name: "noplot", type: "boolean", help: "no PNGs" },
    { name: "overwrite", type: "boolean", help: "replace existing output files" },
  ],
  run: async (opts, ctx) => {
    const input = opts.input;
    const base = opts.output ??
      (input === "-" ? undefined : input.replace(/\.fits?$/i, ""));
    if (base === undefined) throw new UsageError("-o BASE is required when the cube comes from stdin");
    if (opts.snr_lo > opts.snr) throw new UsageError(`--snr_lo ${opts.snr_lo} is above --snr ${opts.snr}`);
    const grow = opts.grow;
    if (!grow.every((g) => Number.isInteger(g) && g >= 0)) {
      throw new UsageError(`--grow: two integers >= 0 expected, got ${grow.join(",")}`);
    }
    const kinds = ["mom0", "mom1", "mom2", "peak"] as const;
    const names = kinds.flatMap((k) => [`${base}.${k}.fits`, ...(opts.noplot ? [] : [`${base}.${k}.png`])]);
    for (const p of names) {
      if (existsSync(p) && opts.overwrite !== true) {
        throw new UsageError(`cannot write ${p}: file exists (use --overwrite)`);
      }
    }
    const cube = input === "-"
      ? readSpectralCube(await ctx.readBytes("-"), "<stdin>")
      : readSpectralCube(input);
    const m = maskedMoments(cube.data, cube, {
      snr: opts.snr,
      snrLo: opts.snr_lo,
      smoothXY: opts.smooth_xy,
      smoothZ: opts.smooth_z,
      growXY: grow[0]!,
      growZ: grow[1]!,
      minPixels: opts.min_pixels,
      maxNoise: opts.max_noise,
    });
    const history = ["seq_moments", ...ctx.argv].join(" ");
    const what =
      `mask: snr ${opts.snr}, snr_lo ${opts.snr_lo}, smooth ${opts.smooth_xy} px x ${opts.smooth_z} ch, ` +
      `grow ${grow.join(",")}; rms ${m.rms.toPrecision(4)} K (smoothed ${m.rmsSmooth.toPrecision(4)} K)`;
    const products = {
      mom0: { data: m.mom0, bunit: "K km/s", title: "moment 0 (K km/s)" },
      mom1: { data: m.mom1, bunit: "km/s", title: "moment 1: velocity (km/s)" },
      mom2: { data: m.mom2, bunit: "km/s", title: "moment 2: dispersion (km/s)" },
      peak: { data: m.peak, bunit: "K", title: "peak temperature (K)" },
    };
    const off = mapOffsets(cube);
    for (const k of kinds) {
      const p = products[k];
      const header = mapHeader(cube, { bunit: p.bunit, comment: what, history });
      ctx.writeFile(
        `${base}.${k}.fits`,
        encodeFitsImage({ data: p.data, shape: [cube.nx, cube.ny], header }),
      );
      if (!opts.noplot) {
        ctx.writeFile(
          `${base}.${k}.png`,
          plotImage({
            title: `${base.replace(/^.*\//, "")}: masked ${p.title}`,
            data: p.data,
            nx: cube.nx,
            ny: cube.ny,
            ...off,
            xLabel: "ΔRA (arcsec)",
            yLabel: "ΔDec (arcsec)",
            colorLabel: p.bunit,
          }),
        );
      }
    }
    ctx.log.info(`${m.nmask} voxels in the mask; rms ${m.rms.toPrecision(4)} K`);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
