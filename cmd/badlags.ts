/**
 * badlags — find bad RSR lags (lags whose ACF varies abnormally over the records of a Bs scan) and
 * bad chassis/boards, and write them as a `.badlags` file (badlags.py drop-in).
 *
 * Examples:
 *   badlags -d -y badlags.91001.png --spike 3 91001 && mv rsr.badlags rsr.91001.badlags
 *   badlags -B rsr.91001.badlags 91001
 *   badlags -B - 91001 | rsr_badcb -r - >> rsr.91001.rfile
 *
 * Differences from badlags.py (docs/compat.md): `-B` is honoured (the original always writes
 * `rsr.badlags`); `-B -` writes the file to stdout and then the report goes to stderr; a missing
 * chassis is a warning on stderr; no chassis at all is an error; the docopt dictionary is not printed.
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { sprintf } from "../lib/formats/printf.ts";
import { dataLmtRoot } from "../lib/lmt/env.ts";
import {
  badCbs,
  BADLAGS_DEFAULTS,
  badlagsFileText,
  type BadlagsOptions,
  badlagsReportLines,
  findBadlags,
  obsnumLagSigmas,
} from "../lib/rsr/badlags.ts";
import { badlagsPlot } from "../lib/rsr/plots.ts";

export const tool = defineTool({
  name: "badlags",
  summary: "find bad lags and bad chassis/boards of an RSR obsnum; write a .badlags file",
  usage: "badlags [options] OBSNUM",
  description:
    "For each chassis file RedshiftChassisC/RedshiftChassisC_*_OBSNUM_00_0001.nc under the data root, the " +
    "σ over records of every normalised lag is tested: σ > bc_hi (max), σ < bc_lo (min), σ / mean of its " +
    "neighbours > spike (spike; active only for min_chan+1 < lag < 254, else written commented out). A " +
    "chassis/board whose robust neighbour-difference RMS of σ is outside [rms_min, rms_max] gets a #BADCB " +
    "line. The report goes to stdout (to stderr when the file itself goes to stdout with -B -).",
  examples: [
    "badlags -d -y badlags.91001.png --spike 3 91001",
    "badlags -B - 91001 | rsr_badcb -r - >> rsr.91001.rfile",
  ],
  versionShort: "v",
  options: [
    {
      name: "plotfile",
      short: "y",
      type: "string",
      metavar: "PLOTFILE",
      help: "write the σ plot (PNG) to this file",
    },
    { name: "plotmax", short: "p", type: "float", help: "y maximum of the plot panels (default: bc_hi)" },
    {
      name: "badlags",
      short: "B",
      type: "string",
      default: "rsr.badlags",
      help: "output .badlags file ('-' = stdout)",
    },
    { name: "e", short: "e", type: "boolean", help: "write '# Edge: False' (no edge detection exists)" },
    {
      name: "bc_hi",
      type: "float",
      default: BADLAGS_DEFAULTS.bcHi,
      metavar: "HIGH",
      help: "flag a lag when σ > HIGH",
    },
    {
      name: "bc_lo",
      type: "float",
      default: BADLAGS_DEFAULTS.bcLo,
      metavar: "LOW",
      help: "flag a lag when σ < LOW",
    },
    {
      name: "spike",
      type: "float",
      default: BADLAGS_DEFAULTS.spike,
      help: "spike ratio threshold (σ over the mean σ of its two neighbours); <= 0 disables",
    },
    {
      name: "short_hi",
      type: "float",
      default: BADLAGS_DEFAULTS.shortHi,
      metavar: "SHIGH",
      help: "lags below SMIN with bc_hi < σ < SHIGH are not flagged",
    },
    {
      name: "short_min",
      type: "int",
      default: BADLAGS_DEFAULTS.shortMin,
      metavar: "SMIN",
      help: "lags below SMIN get the short-lag threshold",
    },
    {
      name: "min_chan",
      type: "float",
      default: BADLAGS_DEFAULTS.minChan,
      metavar: "MINCHAN",
      help: "spikes are only applied for MINCHAN+1 < lag < 254",
    },
    {
      name: "rms_min",
      type: "float",
      default: BADLAGS_DEFAULTS.rmsMin,
      metavar: "RMIN",
      help: "bad C/B when RMS < RMIN",
    },
    {
      name: "rms_max",
      type: "float",
      default: BADLAGS_DEFAULTS.rmsMax,
      metavar: "RMAX",
      help: "bad C/B when RMS > RMAX",
    },
    {
      name: "debug",
      short: "d",
      type: "boolean",
      help: "also print RMS_diff per C/B and the series of high-σ lags",
    },
    { name: "path", type: "string", metavar: "DATA_LMT", help: "data root (default $DATA_LMT)" },
  ],
  positionals: [{ name: "obsnum", help: "observation number (Bs scan)", required: true, type: "int" }],
  run: async (opts, ctx) => {
    const obsnum = opts.obsnum;
    const root = dataLmtRoot(opts.path, ctx.env, "--path");
    if (obsnum <= 0) throw new UsageError(`invalid OBSNUM ${obsnum}: must be > 0`);
    const options: BadlagsOptions = {
      bcHi: opts.bc_hi,
      bcLo: opts.bc_lo,
      spike: opts.spike,
      shortHi: opts.short_hi,
      shortMin: opts.short_min,
      minChan: opts.min_chan,
      rmsMin: opts.rms_min,
      rmsMax: opts.rms_max,
      edge: opts.e !== true,
    };
    const debug = opts.debug === true;
    const outPath = opts.badlags;
    const toStdout = outPath === "-";
    const report: string[] = [];
    report.push(sprintf("%2d %6d", 1, obsnum));

    const { sigmas, debug: debugLines } = await obsnumLagSigmas(root, obsnum, {
      onMissing: (c) =>
        ctx.log.warn(
          sprintf("skipping missing chassis %d for obsnum %06d (no file under %s)", c, obsnum, root),
        ),
      onFound: (file) => ctx.log.debug(`found ${file}`),
      ...(debug ? { debugAbove: options.bcHi } : {}),
    });
    report.push(...debugLines);

    const result = findBadlags(obsnum, sigmas, options);
    report.push(...badlagsReportLines(result, options, debug));
    const text = badlagsFileText(result, options, "badlags");
    ctx.writeFile(outPath, text);
    if (!toStdout) report.push(`Wrote ${outPath}`);
    report.push(`Found ${badCbs(result).length} bad Chassis/Board's`);

    const plotfile = opts.plotfile;
    if (plotfile !== undefined) {
      const plotmax = opts.plotmax ?? options.bcHi;
      ctx.writeFile(plotfile, badlagsPlot(result, plotmax));
      report.push(`Wrote ${plotfile}`);
    }
    const reportText = report.join("\n") + "\n";
    if (toStdout) ctx.log.info(reportText.trimEnd());
    else ctx.stdout(reportText);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
