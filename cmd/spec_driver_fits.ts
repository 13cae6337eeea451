/**
 * spec_driver_fits — OTF convolution gridding of SpecFiles into a FITS cube, weight map and
 * radiometer map (the SLR C program, same letter options and defaults).
 *
 * Examples:
 *   spec_driver_fits -i M_97001__0.nc -o M.fits -w M.wt.fits -l 13 -c 6.5 -u 0,1,2,3 -z -4 -s 1 -x 120 -y 120
 *   spec_driver_fits -i a.nc,b.nc -o ab.fits -w ab.wt.fits -l 13 -c 6.5 -s 1     # one gridding of two SpecFiles
 *   process_otf_map -o - ... | spec_driver_fits -i - -o M.fits -l 13 -c 6.5 -s 1
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { lmtoyCompat, lmtoyGridFiles } from "./_lmtoy.ts";
import {
  gridFilesOf,
  gridParams,
  PROJECTION_OPTION,
  runGridCommand,
  WORKERS_OPTION,
  ZTYPE_OPTION,
} from "./_grid.ts";

export const tool = defineTool({
  name: "spec_driver_fits",
  summary: "grid SpecFile spectra into a FITS cube with a convolution kernel (OTF gridding)",
  usage: "spec_driver_fits -i SPECFILE[,SPECFILE...]|- -o CUBE.fits [-w WEIGHT.fits] [options]",
  description:
    "Several SpecFiles are given as one comma-separated -i list (as the C program); the first one defines the " +
    "map centre and the spectral axis. -i - reads one SpecFile (netCDF-3 or -4) from stdin. -x/-y are HALF sizes " +
    "of the map in arcsec. With -w the radiometer map is also written, to --radiometer or <output minus .fits>" +
    ".radiometer.rms.fits (never a fixed name in the working directory). One output may be - (stdout): " +
    "-o - streams the cube, and then the radiometer map is written only when --radiometer FILE names it " +
    "(there is no name to derive); -w - sends the weight map to stdout. Under LMTOY's name (bin/lmtoy, " +
    "LMT_SLR_COMPAT=lmtoy) the C program's radiometer.rms.fits and spec-tmp.tab are written in the working " +
    "directory instead. An existing output is not replaced " +
    "without --overwrite. Differences from the C program are listed in docs/compat.md.",
  options: [
    { name: "input", short: "i", type: "string", help: "SpecFile(s), comma separated; - = stdin" },
    { name: "output", short: "o", type: "string", help: "output FITS cube; - = stdout" },
    {
      name: "weight",
      short: "w",
      type: "string",
      help: "output weight map, - = stdout (also enables the radiometer map)",
    },
    {
      name: "model",
      short: "a",
      type: "string",
      help: "2-D FITS model sampled into channel 0 (experimental)",
    },
    {
      name: "resolution_size",
      short: "l",
      type: "float",
      default: 14,
      min: 1e-6,
      help: "resolution lambda/D (arcsec)",
    },
    { name: "cell_size", short: "c", type: "float", default: 7, min: 1e-6, help: "cell size (arcsec)" },
    {
      name: "pix_list",
      short: "u",
      type: "intlist",
      default: [...Array(16).keys()],
      help: "pixels to grid, [0,1,..] or 0,1,.. (C default: none)",
    },
    {
      name: "rms_cutoff",
      short: "z",
      type: "float",
      default: 10,
      help: ">0 RMS cut (K), <0 robust per-pixel cut, 0 rejects all",
    },
    {
      name: "noise_sigma",
      short: "s",
      type: "float",
      default: 0,
      help: "weighting: 0 none, 1 1/RMS^2, 2 1/Tsys^2",
    },
    {
      name: "x_extent",
      short: "x",
      type: "float",
      default: 160,
      min: 0,
      help: "half size of the map in X (arcsec)",
    },
    {
      name: "y_extent",
      short: "y",
      type: "float",
      default: 160,
      min: 0,
      help: "half size of the map in Y (arcsec)",
    },
    {
      name: "filter",
      short: "f",
      type: "int",
      default: 1,
      help: "1 jinc, 2 gauss, 3 triangle, 4 box(resolution), 0 box(cell/2)",
    },
    {
      name: "rmax",
      short: "r",
      type: "float",
      default: 3,
      min: 1e-6,
      help: "kernel radius (units of resolution)",
    },
    {
      name: "n_cell",
      short: "n",
      type: "int",
      default: 256,
      help: "accepted and ignored (the table has 256 samples)",
    },
    { name: "jinc_a", short: "0", type: "float", default: 1.1, help: "otf_a kernel parameter" },
    { name: "jinc_b", short: "1", type: "float", default: 4.75, help: "otf_b kernel parameter" },
    { name: "jinc_c", short: "2", type: "float", default: 2, help: "otf_c kernel parameter" },
    {
      name: "sample",
      short: "b",
      type: "intlist",
      default: [-1, 0, 0],
      help: "blank samples: P,S0,S1[,P,S0,S1...]",
    },
    {
      name: "edge",
      short: "e",
      type: "int",
      default: 0,
      choices: [0, 1],
      help: "1: keep all cells with weight > 0",
    },
    { name: "n_subcell", short: "m", type: "int", hidden: true, help: "unused (C compatibility)" },
    { name: "sample_step", short: "p", type: "float", hidden: true, help: "unused (C compatibility)" },
    { name: "scan_step", short: "q", type: "float", hidden: true, help: "unused (C compatibility)" },
    { name: "radiometer", type: "string", help: "radiometer map path (default from -o; none for -o -)" },
    {
      name: "spec_tmp",
      type: "string",
      metavar: "FILE",
      help: "write the centre-cell debug spectrum (spec-tmp.tab format)",
    },
    { name: "overwrite", type: "boolean", help: "replace existing output files" },
    PROJECTION_OPTION,
    ZTYPE_OPTION,
    WORKERS_OPTION,
    {
      name: "kernel",
      type: "string",
      choices: ["wasm", "ts"],
      default: "wasm",
      hidden: true,
      help: "hot-loop implementation",
    },
  ],
  run: async (opts, ctx) => {
    if (ctx.argv.length === 0) {
      ctx.stdout(tool.help());
      return 0;
    }
    if (!opts.input) throw new UsageError("-i SPECFILE is required");
    if (!opts.output) throw new UsageError("-o OUTPUT.fits is required");
    if (opts.x_extent !== opts.y_extent) {
      ctx.log.info("non-square map: each axis gets its own reference pixel (the C program swapped them)");
    }
    const params = gridParams({
      resolution: opts.resolution_size,
      cell: opts.cell_size,
      pixList: opts.pix_list,
      rmsCut: opts.rms_cutoff,
      noiseSigma: opts.noise_sigma,
      xExtent: opts.x_extent,
      yExtent: opts.y_extent,
      otfSelect: opts.filter,
      rmax: opts.rmax,
      otfA: opts.jinc_a,
      otfB: opts.jinc_b,
      otfC: opts.jinc_c,
      sample: opts.sample,
      edge: opts.edge,
      kernel: opts.kernel,
      workers: opts.workers,
      projection: opts.projection,
      ztype: opts.ztype,
    }, { sample: "-b/--sample", pixList: "-u/--pix_list" });
    const files = gridFilesOf(opts.input, opts.output, opts);
    await runGridCommand({
      tool: "spec_driver_fits",
      files: lmtoyCompat(ctx.env) ? lmtoyGridFiles(files) : files,
      params,
      overwrite: opts.overwrite,
    }, ctx);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
