/**
 * process_otf_map — calibrate a SEQ (Sequoia/1MM) OTF map obsnum into a SpecFile (process_otf_map2.py
 * drop-in): time alignment, Cal-scan Tsys, reference subtraction (stype 0–3), slice, birdies,
 * baseline, beam positions.
 *
 * Examples:
 *   process_otf_map -p $DATA_LMT -O 97001 -o SAMPLE-OTF_97001__0.nc --use_cal --b_regions [[-305,-55],[145,395]] --slice [-305,395]
 *   process_otf_map -O 97001 --use_cal -o - | grid_data -i - -o cube.fits ...
 *   process_otf_map -O 110399 -b -1 --use_cal -o O-Cet_110399.nc      # writes O-Cet_110399__0.nc and __1.nc
 *
 * Differences from the original are listed in docs/compat.md (SEQ section).
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { dataLmtRoot } from "../lib/lmt/env.ts";
import { X_AXES } from "../lib/seq/axis.ts";
import { openIfproc, reduceOtfMapTo } from "../lib/seq/otf.ts";
import { parseChannelList, parseRegions, parseSampleOption, parseSlice } from "../lib/seq/options.ts";
import { cdf2SpecSink, nc4SpecSink } from "../lib/specfile/mod.ts";
import { join } from "../lib/sys/path.ts";
import { PATH_OPTION, TSYS_OPTION } from "./_seq_front.ts";

/** `NAME.nc` → `NAME__<bank>.nc` (or `NAME__<bank>` without extension). */
export function bankOutputName(path: string, bank: number): string {
  const m = /^(.*?)(\.nc)?$/.exec(path)!;
  return `${m[1]}__${bank}${m[2] ?? ""}`;
}

export const tool = defineTool({
  name: "process_otf_map",
  summary: "SEQ OTF map obsnum → calibrated SpecFile (netCDF-4; '-o -' streams netCDF-3 to stdout)",
  usage: "process_otf_map [-p DATA_LMT] -O OBSNUM -o OUTPUT [options]",
  description:
    "Reads the IFPROC and roach files of OBSNUM (and of its Cal obsnum), aligns spectrometer dumps with " +
    "the telescope stream, calibrates ON dumps against the reference scheme --stype with the Cal-scan Tsys " +
    "spectrum (--use_cal) or the IFPROC total-power Tsys, keeps the --slice, interpolates --eliminate_list " +
    "channels, subtracts a baseline of order --b_order fitted in --b_regions and writes the SpecFile read by " +
    "grid_data/spec_driver_fits. Without --slice/--b_regions the lmtoy pipeline windows around the source " +
    "velocity are used (slice VLSR±350, b_regions VLSR−350..−100 and +100..+350 km/s). The per-pixel quality " +
    "table and Tsys lines go to stderr (shown on a terminal or with LMT_VERBOSE=1).",
  examples: [
    "process_otf_map -p $DATA_LMT -O 97001 -o SAMPLE-OTF_97001__0.nc --use_cal --slice [-305,395] --b_regions [[-305,-55],[145,395]]",
    "process_otf_map -O 97001 --use_cal -o - > x.nc",
  ],
  options: [
    PATH_OPTION,
    { name: "obsnum", short: "O", type: "int", required: true, min: 1, help: "map observation number" },
    {
      name: "output",
      short: "o",
      type: "string",
      required: true,
      help: "output SpecFile ('-' = netCDF-3 CDF-2 on stdout)",
    },
    {
      name: "bank",
      short: "b",
      type: "int",
      default: 0,
      min: -1,
      help: "bank (spectral window); -1 = every bank, one file each named OUTPUT__<bank>.nc",
    },
    {
      name: "pix_list",
      type: "intlist",
      default: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      help: "pixels, in output order",
    },
    {
      name: "stype",
      type: "int",
      default: 2,
      choices: [0, 1, 2, 3],
      help: "reference: 0 median of all dumps, 1 mean of all REFs, 2 bracketing REFs, 3 interpolated REFs",
    },
    {
      name: "use_cal",
      type: "boolean",
      help: "calibrate with the Cal-scan Tsys spectrum (else the scalar IFPROC Tsys)",
    },
    {
      name: "use_otf_cal",
      type: "boolean",
      help: "calibrate with the HOT/SKY blocks inside the map (implies --use_cal)",
    },
    TSYS_OPTION,
    {
      name: "map_coord",
      type: "int",
      default: -1,
      choices: [-1, 0, 1, 2],
      help: "-1 from the header, 0 Az/El, 1 RA/Dec, 2 l/b",
    },
    {
      name: "x_axis",
      type: "string",
      default: "VLSR",
      choices: X_AXES,
      help:
        "axis of the SpecFile: velocity VLSR, VBARY, VSKY, VSRC (km/s) or frequency FLSR, FBARY, FSKY, FSRC (Hz; " +
        "--slice/--b_regions stay km/s on the same frame's velocity axis)",
    },
    {
      name: "b_order",
      type: "int",
      default: 0,
      min: -1,
      help: "baseline polynomial order; -1 = no baseline (RMS 1)",
    },
    {
      name: "b_regions",
      type: "string",
      parse: parseRegions,
      metavar: "[[V0,V1],...]",
      help: "baseline regions, km/s",
    },
    {
      name: "l_regions",
      type: "string",
      aliases: ["l_region"],
      parse: parseRegions,
      metavar: "[[V0,V1],...]",
      help: "line regions, km/s (accepted; not used, as in the original)",
    },
    {
      name: "slice",
      type: "string",
      parse: parseSlice,
      metavar: "[V0,V1]",
      help: "velocity range to keep, km/s (clipped to the band)",
    },
    {
      name: "eliminate_list",
      type: "string",
      parse: parseChannelList,
      default: [],
      metavar: "C1,C2,...",
      help: "birdie channels (original 0-based numbering) to interpolate over",
    },
    {
      name: "offx",
      type: "float",
      default: 0,
      help: "pointing correction in x (arcsec), stored for the gridder",
    },
    {
      name: "offy",
      type: "float",
      default: 0,
      help: "pointing correction in y (arcsec), stored for the gridder",
    },
    {
      name: "restfreq",
      type: "float",
      default: -1,
      metavar: "GHZ",
      help:
        "rest frequency (GHz) of the line to put on the velocity axis (any line in the band: each channel's " +
        "velocity for it from the channel's sky frequency); -1 = the header LineFreq of the bank",
    },
    {
      name: "sample",
      type: "string",
      parse: parseSampleOption,
      metavar: "P,S0,S1,...",
      help:
        "leave ON samples S0..S1 (0-based, as Data.Sequence) of pixel P out of the SpecFile; triples, -1,0,0 = none",
    },
    {
      name: "workers",
      type: "int",
      min: 0,
      max: 16,
      default: 0,
      help:
        "worker threads, one roach board each (0 = none). Same values; pays only for large maps with idle cores, +~35 MB each",
    },
  ],
  run: async (opts, ctx) => {
    if (opts.restfreq !== -1 && !(opts.restfreq > 0)) {
      throw new UsageError(`--restfreq must be a frequency in GHz (> 0) or -1, got ${opts.restfreq}`);
    }
    const xAxis = opts.x_axis;
    const pixList = opts.pix_list;
    if (
      pixList.length === 0 || pixList.some((p) => p < 0 || p > 15) || new Set(pixList).size !== pixList.length
    ) {
      throw new UsageError(`--pix_list must list distinct pixels 0..15, got ${pixList.join(",")}`);
    }
    const sample = opts.sample ?? [];
    for (const q of sample) {
      if (!pixList.includes(q.pixel)) {
        throw new UsageError(`--sample ${q.pixel},${q.s0},${q.s1}: pixel ${q.pixel} is not in --pix_list`);
      }
    }
    const root = dataLmtRoot(opts.path, ctx.env);
    const out = opts.output;
    let banks = [opts.bank];
    if (opts.bank === -1) {
      if (opts.restfreq > 0) {
        throw new UsageError(
          "--restfreq names one line: give the bank whose band holds it (-b BANK), not -b -1",
        );
      }
      if (out === "-") {
        throw new UsageError("-b -1 (every bank) writes one file per bank and cannot be combined with -o -");
      }
      const { nc, ifp } = await openIfproc(root, opts.obsnum, false);
      nc.close();
      banks = Array.from({ length: Math.max(1, ifp.header.numBands) }, (_, b) => b).filter((b) =>
        (ifp.header.lineFreq[b] ?? 0) > 0
      );
    }
    const history = ["process_otf_map", ...ctx.argv].join(" ");
    for (const bank of banks) {
      const bar = ctx.progress(banks.length > 1 ? `bank ${bank}` : "roach boards", 1);
      // spectra are streamed to the output: a netCDF-4 file (through ctx.output: a temporary file
      // renamed when the run succeeds), or for '-o -' a CDF-2 file in the run's scratch directory
      // (removed however the run ends) that is copied to stdout when complete
      const tmp = out === "-" ? ctx.scratchDir() : null;
      {
        const sink = tmp
          ? cdf2SpecSink(join(tmp, "specfile.nc"))
          : nc4SpecSink(ctx.output(banks.length > 1 || opts.bank === -1 ? bankOutputName(out, bank) : out));
        const r = await reduceOtfMapTo({
          root,
          obsnum: opts.obsnum,
          bank,
          pixList,
          stype: opts.stype,
          useCal: opts.use_cal === true || opts.use_otf_cal === true,
          useOtfCal: opts.use_otf_cal === true,
          mapCoord: opts.map_coord,
          xAxis,
          ...(opts.restfreq > 0 ? { restFreqHz: opts.restfreq * 1e9 } : {}),
          ...(sample.length ? { sample } : {}),
          bOrder: opts.b_order,
          bRegions: opts.b_regions,
          slice: opts.slice,
          eliminate: opts.eliminate_list,
          offX: opts.offx,
          offY: opts.offy,
          history,
          workers: opts.workers,
          onProgress: (_d, _t) => bar.tick(),
          warn: (m) => ctx.log.warn(m),
        }, sink);
        bar.done();
        const sf = r.head;
        for (const t of r.calTsys) {
          ctx.log.info(`TSYS[${t.pixel}] = ${t.mean.toFixed(3)} +/- ${t.std.toFixed(3)} K`);
        }
        ctx.log.info(`NSPEC: ${sf.nspec}  NCHAN: ${sf.nchan}  ICHAN: ${sf.chan0}  bank ${bank}`);
        ctx.log.info("Pix Nspec  Mean   Std    MAD_std Min     Max     <RMS>  RMS_max  Tsys    Warnings");
        for (const q of r.quality) {
          const f3 = (v: number) => v.toFixed(3);
          ctx.log.info(
            `${String(q.pixel).padEnd(3)} ${String(q.nspec).padEnd(5)} ${f3(q.mean)} ${f3(q.std)} ${
              f3(q.madStd)
            } ${f3(q.min)} ${f3(q.max)} ${f3(q.meanRms)} ${f3(q.maxRms)} ${q.tsys.toFixed(2)} ${q.warnings}`,
          );
          if (q.warnings) {
            ctx.log.warn(`pixel ${q.pixel}: ${q.warnings} (std/mad_std of data (*P) or RMS (*M) above 1.2)`);
          }
        }
        if (tmp) (sink as ReturnType<typeof cdf2SpecSink>).copyTo((b) => ctx.stdout(b));
      }
    }
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
