/**
 * gen_rsr — write a synthetic RSR $DATA_LMT tree (Bs obsnum + Cal obsnum + corr_cal) and its truth.
 * Examples:
 *   deno run -A scripts/gen_rsr.ts --out /tmp/data_lmt --obsnum 91001 --seed 1 \
 *       --line 94.3,0.045,320 --badlag 1,0,101,15 --badcb 3,2,8 > truth.json
 *   deno run -A scripts/gen_rsr.ts --out /tmp/data_lmt --obsnum 91001 --obsnum 91003 --truth /tmp/truth.json
 * @module
 */
import { defineTool, numberTuple, UsageError } from "../lib/cli/mod.ts";
import {
  generateRsr,
  type RsrBadBoard,
  type RsrBadLag,
  type RsrJitter,
  type RsrLine,
  type RsrTruth,
} from "../lib/sim/rsr.ts";

export const tool = defineTool({
  name: "gen_rsr",
  summary: "generate synthetic RSR raw data (chassis files, Cal, corr_cal) with a truth JSON",
  usage: "gen_rsr --out DIR --obsnum N [--obsnum N ...] [options]",
  options: [
    { name: "out", short: "o", type: "string", required: true, help: "data root to write ($DATA_LMT tree)" },
    {
      name: "obsnum",
      short: "n",
      type: "int",
      repeat: true,
      required: true,
      help: "Bs obsnum (repeatable); Cal = obsnum-1",
    },
    { name: "seed", type: "int", help: "noise seed of the first obsnum (others: +2 each); default = obsnum" },
    { name: "instrument_seed", type: "int", default: 1, help: "instrument realisation seed" },
    { name: "corrcal_id", type: "int", default: 2024, help: "CorrCalId" },
    {
      name: "date",
      type: "string",
      default: "2024-11-02T05:30:00",
      help: "UT start of the first Bs scan (later ones +15 min)",
    },
    { name: "repeats", type: "int", default: 5, min: 1, help: "Bs repeats" },
    { name: "tsamp", type: "float", default: 30, help: "seconds per Bs record" },
    { name: "tamb", type: "float", default: 281.3, help: "ambient load temperature (K)" },
    { name: "tau", type: "float", default: 0.1, help: "header opacity" },
    { name: "el", type: "float", default: 58, help: "elevation (deg)" },
    { name: "az", type: "float", default: 195, help: "azimuth (deg)" },
    { name: "ra", type: "float", default: 201.37, help: "RA (deg)" },
    { name: "dec", type: "float", default: -8.75, help: "Dec (deg)" },
    { name: "source", type: "string", default: "SIM-QSO", help: "source name" },
    { name: "project", type: "string", default: "2024-S1-SIM-1", help: "project id" },
    { name: "tsys_scale", type: "float", default: 1, help: "multiply every Tsys" },
    {
      name: "line",
      type: "string",
      repeat: true,
      parse: numberTuple(3, "--line F,PEAK,FWHM"),
      help: "line: freq GHz, peak K, FWHM km/s (repeatable)",
    },
    {
      name: "badlag",
      type: "string",
      repeat: true,
      parse: numberTuple(4, "--badlag C,B,LAG,AMP"),
      help: "bad lag: chassis,board,lag,amp (repeatable)",
    },
    {
      name: "badcb",
      type: "string",
      repeat: true,
      parse: numberTuple(3, "--badcb C,B,FACTOR"),
      help: "bad board: chassis,board,noise factor (repeatable)",
    },
    {
      name: "tsys_jitter",
      type: "string",
      repeat: true,
      parse: numberTuple(3, "--tsys_jitter C,B,FRAC"),
      help: "Tsys jitter: chassis,board,fraction (repeatable)",
    },
    {
      name: "truth",
      short: "t",
      type: "string",
      default: "-",
      help: "truth JSON output (- = stdout); with several obsnums an array",
    },
  ],
  run: async (opts, ctx) => {
    const obsnums = opts.obsnum;
    const lines: RsrLine[] = (opts.line ?? []).map(([f, p, w]) => ({
      freqGhz: f,
      peakK: p,
      fwhmKms: w,
    }));
    const badLags: RsrBadLag[] = (opts.badlag ?? []).map(([c, b, l, a]) => ({
      chassis: c,
      board: b,
      lag: l,
      amp: a,
    }));
    const badBoards: RsrBadBoard[] = (opts.badcb ?? []).map(([c, b, f]) => ({
      chassis: c,
      board: b,
      factor: f,
    }));
    const jit: RsrJitter[] = (opts.tsys_jitter ?? []).map(([c, b, f]) => ({
      chassis: c,
      board: b,
      frac: f,
    }));
    const t0 = Date.parse(String(opts.date) + "Z");
    if (!Number.isFinite(t0)) throw new UsageError(`--date: cannot parse "${opts.date}"`);
    const truths: RsrTruth[] = [];
    for (const [i, obsnum] of obsnums.entries()) {
      const date = new Date(t0 + i * 900_000).toISOString().slice(0, 19);
      truths.push(
        await generateRsr(String(opts.out), {
          obsnum,
          seed: opts.seed === undefined ? undefined : opts.seed + 2 * i,
          instrumentSeed: opts.instrument_seed,
          corrCalId: opts.corrcal_id,
          date,
          nRepeats: opts.repeats,
          tsampS: opts.tsamp,
          tambK: opts.tamb,
          tau: opts.tau,
          elDeg: opts.el,
          azDeg: opts.az,
          raDeg: opts.ra,
          decDeg: opts.dec,
          source: opts.source,
          project: opts.project,
          tsysScale: opts.tsys_scale,
          lines,
          badLags,
          badBoards,
          tsysJitter: jit,
          writeCorrCal: i === 0,
        }),
      );
      ctx.log.info(`wrote obsnum ${obsnum} under ${opts.out}`);
    }
    const json = JSON.stringify(truths.length === 1 ? truths[0] : truths, null, 1) + "\n";
    if (opts.truth === "-") ctx.stdout(json);
    else ctx.writeFile(String(opts.truth), json);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
