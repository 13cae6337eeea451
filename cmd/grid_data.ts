/**
 * grid_data — the long-option front end of the OTF gridder with grid_data.py's own defaults
 * (noise_sigma 1, extents 400, edge 1, rms_cut 10). It calls the gridding library directly: no
 * subprocess, no out.txt/err.txt; the exit code is the real one.
 *
 * Examples:
 *   grid_data -i M_97001__0.nc -o M_97001__0.fits -w M_97001__0.wt.fits --resolution 13 --cell 6.5 \
 *       --rms_cut -4 --x_extent 120 --y_extent 120 --edge 0
 *   grid_data -i a.nc,b.nc -o ab.fits -w ab.wt.fits --resolution 11 --cell 5.5
 * @module
 */
import { defineTool } from "../lib/cli/mod.ts";
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
  name: "grid_data",
  summary: "grid SpecFiles into a FITS cube and weight map (grid_data.py front end of spec_driver_fits)",
  usage: "grid_data -i SPECFILE[,SPECFILE...]|- -o CUBE.fits -w WEIGHT.fits [options]",
  description:
    "Same gridding as spec_driver_fits with grid_data.py's option names and defaults. Existing outputs are " +
    "replaced (grid_data.py deleted them first). The radiometer map goes to --radiometer or " +
    "<output minus .fits>.radiometer.rms.fits. One output may be - (stdout): with -o - the radiometer map is " +
    "written only when --radiometer FILE names it. --program_path is accepted and ignored (no subprocess). " +
    "Run as grid_data.py (bin/lmtoy, LMT_SLR_COMPAT=lmtoy) it writes the original's radiometer.rms.fits, " +
    "spec-tmp.tab, out.txt and err.txt in the working directory.",
  options: [
    {
      name: "program_path",
      short: "p",
      type: "string",
      default: "spec_driver_fits",
      help: "ignored (gridding runs in-process)",
    },
    {
      name: "input",
      short: "i",
      type: "string",
      required: true,
      help: "SpecFile(s), comma separated; - = stdin",
    },
    { name: "output", short: "o", type: "string", required: true, help: "output FITS cube; - = stdout" },
    { name: "weight", short: "w", type: "string", required: true, help: "output weight map; - = stdout" },
    { name: "resolution", type: "float", default: 14, min: 1e-6, help: "resolution lambda/D (arcsec)" },
    { name: "cell", type: "float", default: 7, min: 1e-6, help: "cell size (arcsec)" },
    { name: "pix_list", type: "intlist", default: [...Array(16).keys()], help: "pixels to grid" },
    {
      name: "rms_cut",
      type: "float",
      default: 10,
      help: ">0 RMS cut (K), <0 robust per-pixel cut, 0 rejects all",
    },
    { name: "noise_sigma", type: "float", default: 1, help: "weighting: 0 none, 1 1/RMS^2, 2 1/Tsys^2" },
    { name: "x_extent", type: "float", default: 400, min: 0, help: "half size of the map in X (arcsec)" },
    { name: "y_extent", type: "float", default: 400, min: 0, help: "half size of the map in Y (arcsec)" },
    {
      name: "otf_select",
      type: "int",
      default: 1,
      help: "1 jinc, 2 gauss, 3 triangle, 4 box(resolution), 0 box(cell/2)",
    },
    { name: "rmax", type: "float", default: 3, min: 1e-6, help: "kernel radius (units of resolution)" },
    {
      name: "n_samples",
      type: "int",
      default: 256,
      help: "accepted and ignored (the table has 256 samples)",
    },
    { name: "otf_a", type: "float", default: 1.1, help: "kernel parameter a" },
    { name: "otf_b", type: "float", default: 4.75, help: "kernel parameter b" },
    { name: "otf_c", type: "float", default: 2, help: "kernel parameter c" },
    { name: "sample", type: "intlist", default: [-1, 0, 0], help: "blank samples: P,S0,S1[,P,S0,S1...]" },
    { name: "edge", type: "int", default: 1, choices: [0, 1], help: "1: keep all cells with weight > 0" },
    { name: "model", type: "string", help: "2-D FITS model sampled into channel 0 (experimental)" },
    { name: "radiometer", type: "string", help: "radiometer map path (default from -o; none for -o -)" },
    {
      name: "spec_tmp",
      type: "string",
      metavar: "FILE",
      help: "write the centre-cell debug spectrum (spec-tmp.tab format)",
    },
    PROJECTION_OPTION,
    ZTYPE_OPTION,
    WORKERS_OPTION,
  ],
  run: async (opts, ctx) => {
    if (opts.program_path !== "spec_driver_fits") {
      ctx.log.info(`--program_path ${opts.program_path} ignored: gridding runs in-process`);
    }
    const lmtoy = lmtoyCompat(ctx.env);
    const params = gridParams({
      resolution: opts.resolution,
      cell: opts.cell,
      pixList: opts.pix_list,
      rmsCut: opts.rms_cut,
      noiseSigma: opts.noise_sigma,
      xExtent: opts.x_extent,
      yExtent: opts.y_extent,
      otfSelect: opts.otf_select,
      rmax: opts.rmax,
      otfA: opts.otf_a,
      otfB: opts.otf_b,
      otfC: opts.otf_c,
      sample: opts.sample,
      edge: opts.edge,
      workers: opts.workers,
      projection: opts.projection,
      ztype: opts.ztype,
    }, { sample: "--sample", pixList: "--pix_list" });
    const files = gridFilesOf(opts.input, opts.output, opts);
    const report = await runGridCommand({
      tool: "grid_data",
      files: lmtoy ? lmtoyGridFiles(files) : files,
      params,
      overwrite: true, // grid_data.py deleted existing outputs first
    }, ctx);
    if (lmtoy) {
      // grid_data.py's captures of the gridder's stdout and stderr
      ctx.writeFile("out.txt", report.lines.map((l) => l + "\n").join(""));
      ctx.writeFile("err.txt", "");
    }
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
