/**
 * rsr_tsys — per chassis/board Tsys of an RSR obsnum and its channel-to-channel "jitter"; jittery
 * boards are printed as `#BADCB OBSNUM C B JITTER Tsys` lines (appendable to a `.badlags` file), the
 * others as `#OKCB ...` (rsr_tsys.py drop-in). With -t, the calibrated spectrum is plotted instead.
 *
 * Examples:
 *   rsr_tsys -y rsr.tsys0.png 91001 > rsr_tsys0.log
 *   rsr_tsys -b rsr.91001.badlags 91001 | grep '^#BADCB' >> rsr.91001.badlags
 *   rsr_tsys -b rsr.91001.badlags -t -y rsr.spectrum.png 91001
 *
 * Differences from rsr_tsys.py (docs/compat.md): stdout is data only (no docopt dict); a missing chassis
 * file is a warning on stderr; a chassis whose calibration fails is an error (exit 1).
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { badLagSets, parseBadlags } from "../lib/formats/badlags.ts";
import { badLagTable, calSource, noBadLags } from "../lib/rsr/calibrated.ts";
import {
  DEFAULT_JITTER_THRESHOLD,
  formatTsysCbLine,
  obsnumTsys,
  tsysBadcbLabel,
  type TsysCb,
  tsysTableText,
  tsysVerdicts,
} from "../lib/rsr/tsys.ts";
import { tsysPlot, type TsysPlotCurve } from "../lib/rsr/plots.ts";
import { corrCalDir, dataLmtRoot } from "../lib/lmt/env.ts";

export const tool = defineTool({
  name: "rsr_tsys",
  summary:
    "Tsys jitter per chassis/board of an RSR obsnum (#BADCB/#OKCB lines); -t: calibrated spectrum plot",
  usage: "rsr_tsys [options] OBSNUM",
  description:
    "For every chassis file of OBSNUM the Cal scan named by its CalObsNum is calibrated (with the " +
    "bad lags of -b). Per board the std of the channel-to-channel differences of Tsys ('jitter') is " +
    "compared with --rms: '#BADCB OBSNUM C B JITTER Tsys' when above, '#OKCB ...' otherwise; the last line is " +
    "'obsnum=N badcb=c/b,...'. With -t no lines are printed per board (only the obsnum line) and the plot " +
    "shows the calibrated spectrum (mK) instead of Tsys (K).",
  examples: [
    "rsr_tsys -y rsr.tsys0.png 91001 > rsr_tsys0.log",
    "rsr_tsys -b rsr.91001.badlags 91001 | grep '^#BADCB' >> rsr.91001.badlags",
  ],
  options: [
    {
      name: "plotfile",
      short: "y",
      type: "string",
      metavar: "PLOTFILE",
      help: "write the plot (PNG) to this file",
    },
    {
      name: "badlags",
      short: "b",
      type: "string",
      help: "apply the bad lags of this .badlags file ('-' = stdin)",
    },
    { name: "t", short: "t", type: "boolean", help: "plot the calibrated spectrum instead of Tsys" },
    {
      name: "rms",
      short: "r",
      type: "float",
      default: DEFAULT_JITTER_THRESHOLD,
      min: 0,
      help: "Tsys jitter (K) above which a chassis/board is a BADCB",
    },
    {
      name: "table",
      type: "string",
      metavar: "FILE",
      help: "also write Tsys per chassis/board/channel as text: c b ch sky_freq_GHz Tsys_K ('-' = stdout)",
    },
    { name: "path", type: "string", metavar: "DATA_LMT", help: "data root (default $DATA_LMT)" },
    {
      name: "corr_cal_dir",
      type: "string",
      help: "corr_cal directory (default $CORR_CAL_DIR, else DATA_LMT/rsr/cal)",
    },
  ],
  positionals: [{ name: "obsnum", help: "observation number (Bs scan)", required: true, type: "int" }],
  run: async (opts, ctx) => {
    const obsnum = opts.obsnum;
    const root = dataLmtRoot(opts.path, ctx.env, "--path");
    if (obsnum <= 0) throw new UsageError(`invalid OBSNUM ${obsnum}: must be > 0`);
    const corrDir = opts.corr_cal_dir || corrCalDir(root, ctx.env);
    const spectrumMode = opts.t === true;
    const threshold = opts.rms;

    const blFile = opts.badlags;
    const badLags = blFile === undefined ? noBadLags() : badLagTable(
      badLagSets(parseBadlags(await ctx.readText(blFile), blFile === "-" ? "<stdin>" : blFile)),
    );
    const chassis = await obsnumTsys(calSource(root, corrDir), obsnum, badLags, {
      spectrum: spectrumMode,
      onMissing: (c) =>
        ctx.log.warn(
          `skipping missing chassis ${c}: no RedshiftChassis${c} file for obsnum ${obsnum} under ${root}`,
        ),
    });
    const verdicts: TsysCb[] = [];
    const lines: string[] = [];
    const curves: TsysPlotCurve[] = [];
    for (const { chassis: c, freq, tsys, spectrum } of chassis) {
      if (!spectrumMode) {
        const v = tsysVerdicts(obsnum, c, tsys, threshold);
        verdicts.push(...v);
        lines.push(...v.map(formatTsysCbLine));
      }
      const ys = spectrum ?? tsys;
      freq.forEach((f, b) => curves.push({ chassis: c, board: b, freq: f, y: ys[b]! }));
    }
    const label = tsysBadcbLabel(verdicts);
    lines.push(`obsnum=${obsnum} ${label}`);
    const plotfile = opts.plotfile;
    if (plotfile !== undefined) {
      ctx.writeFile(
        plotfile,
        tsysPlot(curves, { obsnum, label, spectrum: spectrumMode, badlags: blFile !== undefined }),
      );
      ctx.log.info(`wrote ${plotfile}`);
    }
    const tableFile = opts.table;
    if (tableFile !== undefined) ctx.writeFile(tableFile, tsysTableText(obsnum, blFile, chassis));
    ctx.stdout(lines.join("\n") + "\n");
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
