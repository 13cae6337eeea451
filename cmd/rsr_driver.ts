/**
 * rsr_driver — reduce RSR beam-switched obsnums into one calibrated spectrum (rsr_driver.py drop-in).
 *
 * Examples:
 *   rsr_driver rsr.obsnum --date_obs 2024-11-02T05:29:59 --badlags rsr.91001.badlags --rfile rsr.91001.rfile \
 *       -o rsr.91001.driver.sum.txt -b 1 -r 0.01 -t 0.01
 *   echo 91001 | rsr_driver - --exclude 94.3 0.6 106.4 0.4 -o -
 *   rsr_driver 91001 91003 -t 0.01        # obsnums instead of a list file
 *
 * Writes the merged spectrum (`-o`, default `<Source>_rsr_spectrum.txt`) and its `_bandspec` variant
 * atomically. Differences from the original are listed in docs/compat.md (RSR driver section).
 * @module
 */
import { existsSync, rmSync } from "../lib/sys/fs.ts";
import { defineTool, requireFile, UsageError } from "../lib/cli/mod.ts";
import { parseBadlags } from "../lib/formats/badlags.ts";
import { parseObsnumFile, parseObsnumList } from "../lib/formats/obsnum.ts";
import { parseRfile, rfileBoards } from "../lib/formats/rfile.ts";
import {
  type DriverHeader,
  driverHeaderLines,
  formatSexagesimal,
  stringifyBandspec,
  stringifyDriverSpectrum,
} from "../lib/formats/spectrum.ts";
import { corrCalDir, dataLmtRoot } from "../lib/lmt/env.ts";
import { badLagOptions } from "../lib/rsr/calibrated.ts";
import { bandspecColumns, runDriver } from "../lib/rsr/driver.ts";
import { sdfitsFromDriver } from "../lib/rsr/sdfits.ts";
import { encodeSdfits } from "../lib/sdfits/sdfits.ts";
import { MERGE_MODES } from "../lib/rsr/merge.ts";
import {
  DRIVER_XRANGE,
  driverBoardsPng,
  driverSpectrumPng,
  waterfallData,
  waterfallPageNames,
  waterfallPng,
} from "../lib/rsr/plots.ts";
import { pngPagesToPdf } from "../lib/plot/pdf.ts";
import { VERSION } from "../lib/version.ts";
import { dirname, join } from "../lib/sys/path.ts";

/** Local time as `%Y-%m-%dT%H:%M:%S`. */
function localIso(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

export const tool = defineTool({
  name: "rsr_driver",
  summary: "reduce RSR Bs obsnums into one calibrated spectrum (+ _bandspec)",
  usage: "rsr_driver [options] OBSLIST|-|OBSNUM...",
  description:
    "OBSLIST is a file with one obsnum or range a-b per line (comments and blank lines allowed), " +
    "'-' reads it from stdin, and plain obsnums may be given instead. Bad lags (-B), whole boards to remove " +
    "(-R rfile), baseline order (-b), repeat (-r) and coadd (-t) sigma thresholds (K), line exclusions " +
    "(--exclude F W ...) and the filters -f/-n/-s follow rsr_driver.py 0.7.1-pjt.",
  examples: [
    "rsr_driver rsr.obsnum --badlags rsr.91001.badlags --rfile rsr.91001.rfile -o rsr.91001.driver.sum.txt -b 1 -r 0.01 -t 0.01",
  ],
  options: [
    {
      name: "doplot",
      short: "p",
      type: "boolean",
      help:
        "write the plots rsr.driver.png (board spectra) and rsr.driver1.png (merged) beside the -o output",
    },
    {
      name: "threshold",
      short: "t",
      type: "float",
      help: "coadd sigma threshold (K); 0 = off. The board sigmas behind it (and the 1/sigma^2 weights) " +
        "include line emission unless the lines are excluded with --exclude (R5)",
    },
    {
      name: "output",
      short: "o",
      type: "string",
      help: "output spectrum ('-' = stdout; default <Source>_rsr_spectrum.txt)",
    },
    {
      name: "filter",
      short: "f",
      type: "int",
      default: 0,
      min: 0,
      max: 256,
      help: "Savitzky-Golay high-pass window (odd channels); 0 = off",
    },
    {
      name: "smoothing",
      short: "s",
      type: "int",
      default: 0,
      min: 0,
      max: 256,
      help: "boxcar smoothing channels (2..256); 0 = off",
    },
    {
      name: "repeat_thr",
      short: "r",
      type: "float",
      help: "repeat sigma threshold (K); 0 = off. Sigma (and the weights) include line emission unless " +
        "the lines are excluded with --exclude (R5)",
    },
    { name: "notch_sigma", short: "n", type: "float", help: "notch filter sigma; 0 = off" },
    {
      name: "simulate",
      type: "float",
      nargs: 3,
      metavar: "A F W",
      help: "add a Gaussian line: amplitude (K), centre (GHz), FWHM (km/s)",
    },
    {
      name: "data_lmt_path",
      short: "d",
      type: "string",
      env: "DATA_LMT",
      help: "data root (default $DATA_LMT)",
    },
    {
      name: "corr_cal_dir",
      type: "string",
      env: "CORR_CAL_DIR",
      help: "corr_cal directory (default <data root>/rsr/cal)",
    },
    {
      name: "baseline_order",
      short: "b",
      type: "int",
      default: 1,
      min: 0,
      max: 3,
      help: "baseline polynomial order 0..3",
    },
    {
      name: "exclude",
      type: "float",
      nargs: "+",
      metavar: "F W",
      help: "exclude F±W GHz (pairs) from the baseline fit and from the sigmas behind -r/-t and the weights",
    },
    {
      name: "jackknife",
      short: "j",
      type: "boolean",
      help: "multiply each obsnum/chassis product by a random sign",
    },
    { name: "seed", type: "int", help: "seed of the jackknife signs (reproducible -j)" },
    {
      name: "blanking",
      type: "boolean",
      help:
        "turn OFF the hard-coded blanking of board 3, 95.5-97.0 GHz, on chassis 2 and 3 (the original's " +
        "name: the flag disables it; without it that range is blanked, as rsr_driver.py did, R2)",
    },
    {
      name: "chassis",
      short: "c",
      type: "int",
      nargs: "+",
      min: 0,
      max: 3,
      help: "chassis to use (default 0 1 2 3)",
    },
    { name: "badlags", short: "B", type: "string", help: ".badlags file ('-' = stdin)" },
    { name: "rfile", short: "R", type: "string", help: ".rfile of whole boards to remove" },
    { name: "date_obs", type: "string", help: "date of observation copied into the header" },
    {
      name: "waterfall-file",
      short: "w",
      type: "string",
      help:
        "waterfall plots, one page per obsnum/chassis: NAME.pdf → one multi-page PDF (as the original); " +
        "any other NAME → PNG pages NAME-0.png, NAME-1.png, ... (a trailing .png removed)",
    },
    {
      name: "waterfall-data",
      type: "string",
      help: "also write the numbers of the waterfall plots (every repeat and the average, per board, mK) " +
        "as JSON to this file (lmt_web's interactive waterfall)",
    },
    { name: "no-baseline-sub", type: "boolean", help: "do not subtract the first (per repeat) baseline" },
    {
      name: "merge",
      type: "string",
      default: "linear",
      choices: MERGE_MODES,
      help: "band merge onto the 31.25 MHz grid: linear = the original (narrow lines lose ~6 % peak, R3); " +
        "sinc = band-limited (Lanczos-5) resampling that keeps line peak, width and centre (<0.2 %) and ~94 % of white noise; " +
        "nearest = each grid channel takes the nearest board channel (no resampling, frequency off by " +
        "up to 0.4 channel). The _bandspec file always has the native board grids",
    },
    {
      name: "nan-uncovered",
      type: "boolean",
      help: "write nan instead of the original's 0.0 for merged channels no board covers (R4)",
    },
    {
      name: "badlags-per-obsnum",
      type: "boolean",
      help: "apply each -B lag line only to the obsnum of its 4th column (lines without one to all); " +
        "the original applies every listed lag to every obsnum (R7)",
    },
    {
      name: "sdfits",
      type: "string",
      metavar: "FILE",
      help: "also write the calibrated repeats (obsnum, chassis, board, repeat) as SDFITS ('-' = stdout)",
    },
  ],
  positionals: [{
    name: "obslist",
    help: "obsnum list file, '-' for stdin, or obsnums",
    required: true,
    variadic: true,
  }],
  run: async (opts, ctx) => {
    const args = opts.obslist;
    let obsnums: number[];
    if (args.length === 1 && args[0] === "-") {
      obsnums = parseObsnumFile(await ctx.readText("-"), "<stdin>");
    } else if (args.length === 1 && existsSync(args[0]!)) {
      obsnums = parseObsnumFile(await ctx.readText(args[0]!), args[0]);
    } else if (args.every((a) => /^[\d,\-\s]+$/.test(a))) {
      obsnums = parseObsnumList(args.join(","), "<command line>");
    } else {
      if (args.length === 1) requireFile(args[0]!, "OBSLIST file"); // missing file: data error, exit 1
      throw new UsageError(`OBSLIST: expected one file or obsnums, got ${args.join(" ")}`);
    }
    if (obsnums.length === 0) throw new UsageError("no obsnum given");
    const exclude = opts.exclude;
    if (exclude && exclude.length % 2 !== 0) {
      throw new UsageError(`--exclude needs pairs of values (F W ...), got ${exclude.length}`);
    }
    if (opts["waterfall-file"] === "-") {
      throw new UsageError("-w/--waterfall-file needs a file name (NAME.pdf or PNG pages), not '-'");
    }
    const sgf = opts.filter;
    if (sgf && sgf % 2 !== 1) throw new UsageError(`-f/--filter window must be odd, got ${sgf}`);
    const smooth = opts.smoothing;
    if (smooth === 1) throw new UsageError("-s/--smoothing must be 2..256 (or 0 = off)");
    const root = dataLmtRoot(opts.data_lmt_path, ctx.env, "-d/--data_lmt_path");
    const ccDir = opts.corr_cal_dir || corrCalDir(root, ctx.env);
    const badModel = opts.badlags ? parseBadlags(await ctx.readText(opts.badlags), opts.badlags) : null;
    const rfile = opts.rfile ? parseRfile(await ctx.readText(opts.rfile), opts.rfile) : null;
    const sim = opts.simulate;
    const res = await runDriver({
      obsnums,
      chassis: opts.chassis ?? [0, 1, 2, 3],
      dataLmt: root,
      corrCalDir: ccDir,
      ...badLagOptions(badModel, opts["badlags-per-obsnum"] === true),
      merge: { mode: opts.merge, nanUncovered: opts["nan-uncovered"] === true },
      ...(rfile ? { removeBoards: (o: number, c: number) => rfileBoards(rfile.entries, o, c) } : {}),
      exclude: exclude ?? null,
      simulate: sim ? [sim[0]!, sim[1]!, sim[2]!] : null,
      defaultBlanking: !opts.blanking,
      order: opts.baseline_order,
      subtract: !opts["no-baseline-sub"],
      ...(opts.repeat_thr ? { repeatThreshold: opts.repeat_thr } : {}),
      ...(opts.threshold ? { coaddThreshold: opts.threshold } : {}),
      sgf,
      ...(opts.notch_sigma ? { notch: opts.notch_sigma } : {}),
      smooth,
      jackknife: opts.jackknife ? (opts.seed !== undefined ? { seed: opts.seed } : {}) : null,
      log: (m) => ctx.log.info(m),
    });
    const header: DriverHeader = {
      source: res.sourceName,
      ra: formatSexagesimal((res.ra * 180 / Math.PI) / 15),
      dec: formatSexagesimal(res.dec * 180 / Math.PI),
      dateObs: opts.date_obs ?? null,
      dateReduction: localIso(new Date()),
      boardIntervals: res.boardIntervals,
      sigmaPerBoardMk: res.boardSigma.map((s) => s * 1000),
      baselineOrder: opts.baseline_order,
      inputObservations: res.inputObservations,
      integrationTime: res.integrationTime,
      opacity: res.opacity,
      ...(res.sgf
        ? { sgfWindow: res.sgf.window, sgfFreqCutGHz: res.sgf.freqCut, sgfVelCutKms: res.sgf.velCut }
        : {}),
      ...(opts.repeat_thr ? { repeatThreshold: opts.repeat_thr } : {}),
      ...(res.simulate ? { simulate: res.simulate } : {}),
      ...(opts.threshold ? { coaddThreshold: opts.threshold } : {}),
      ...(opts.notch_sigma ? { notchSigma: opts.notch_sigma } : {}),
      ...(smooth ? { smoothing: smooth } : {}),
      command: ctx.argv,
    };
    const lines = driverHeaderLines(header);
    const outName = opts.output ?? `${res.sourceName}_rsr_spectrum.txt`;
    const c = res.composite;
    ctx.writeFile(outName, stringifyDriverSpectrum(lines, c.freq, c.value, c.sigma));
    if (outName !== "-") {
      const bandName = outName.includes(".txt")
        ? outName.replaceAll(".txt", "_bandspec.txt")
        : outName + "_bandspec.txt";
      ctx.writeFile(bandName, stringifyBandspec(lines, bandspecColumns(res.coadd)));
    }
    if (typeof opts.sdfits === "string") {
      ctx.writeFile(opts.sdfits, encodeSdfits(sdfitsFromDriver(res, ["rsr_driver", ...ctx.argv].join(" "))));
    }
    if (typeof opts["waterfall-data"] === "string") {
      ctx.writeFile(
        opts["waterfall-data"],
        JSON.stringify({ xrange: DRIVER_XRANGE, products: waterfallData(res.products) }) + "\n",
      );
    }
    // The pages render on the plot threads (lib/plot/pool.ts) while this tool, or the next one of a
    // pipeline, goes on; each output is filled when its page is ready.
    const wf = opts["waterfall-file"];
    const pdf = wf !== undefined && /\.pdf$/i.test(wf);
    const names = wf ? waterfallPageNames(wf, res.products.length) : [];
    const thr = {
      ...(opts.repeat_thr ? { repeatThreshold: opts.repeat_thr } : {}),
      ...(opts.threshold ? { coaddThreshold: opts.threshold } : {}),
    };
    const pages = names.map((_, i) => waterfallPng(res.products[i]!, thr));
    if (wf && pdf) {
      ctx.writeFile(
        wf,
        Promise.all(pages).then((p) =>
          pngPagesToPdf(p, { producer: `lmt-slr-toolkit ${VERSION} rsr_driver` })
        ),
      );
      ctx.log.info(`writing ${wf} (${pages.length} page(s))`);
    } else if (wf) {
      names.forEach((name, i) => ctx.writeFile(name, pages[i]!));
      // pages of an earlier run with more products would be mistaken for this run's
      ctx.onCommit(() => {
        for (const stale of waterfallPageNames(wf, names.length + 1000).slice(names.length)) {
          if (!existsSync(stale)) break;
          rmSync(stale, { force: true });
        }
      });
      ctx.log.info(`writing ${names.length} waterfall page(s) ${names[0]} ...`);
    }
    if (opts.doplot) {
      const dir = outName === "-" ? "." : dirname(outName);
      ctx.writeFile(join(dir, "rsr.driver.png"), driverBoardsPng(res));
      ctx.writeFile(join(dir, "rsr.driver1.png"), driverSpectrumPng(res));
    }
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
