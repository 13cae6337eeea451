/**
 * gen_seq — write a synthetic SEQUOIA $DATA_LMT tree (Cal + OTF map, optional Cal + Bs, Cal + Ps) and its truth.
 * Examples:
 *   deno run -A scripts/gen_seq.ts --out /tmp/data_lmt --obsnum0 97000 --seed 4242 > truth.json
 *   deno run -A scripts/gen_seq.ts --out /tmp/big --obsnum0 98000 --rows 41 --xlength 600 --ylength 600 --no-bs
 *   deno run -A scripts/gen_seq.ts --out /tmp/big --obsnum0 98000 --target_gb 1 --no-bs   # size the map for ~1 GB raw
 *   deno run -A scripts/gen_seq.ts --out /tmp/d --obsnum0 96000 --banks 2            # dual IF: roach0..7, 2 rest frequencies
 *   deno run -A scripts/gen_seq.ts --out /tmp/d --obsnum0 95000 --receiver Msip1mm   # 1MM: roach0, pixels 0..3
 *   deno run -A scripts/gen_seq.ts --out /tmp/d --obsnum0 94000 --otf_cal --backend_time --no-bs
 *   deno run -A scripts/gen_seq.ts --out /tmp/d --obsnum0 97000 --ps                 # + Cal 97004 and Ps 97005
 * @module
 */
import { defineTool, numberTuple, UsageError } from "../lib/cli/mod.ts";
import { generateSeq, seqMapDuration, type SeqMapOptions, seqRoachBytes } from "../lib/sim/seq.ts";
import { generateSeqPs } from "../lib/sim/seq_ps.ts";
import { formatUtc } from "../lib/sim/common.ts";

export const tool = defineTool({
  name: "gen_seq",
  summary: "generate synthetic SEQ raw data (ifproc + roach files) with a truth JSON",
  usage: "gen_seq --out DIR --obsnum0 N [options]",
  options: [
    { name: "out", short: "o", type: "string", required: true, help: "data root to write ($DATA_LMT tree)" },
    {
      name: "obsnum0",
      short: "n",
      type: "int",
      default: 97000,
      help: "map Cal obsnum; map = +1, Bs Cal = +2, Bs = +3",
    },
    { name: "seed", type: "int", help: "noise/instrument seed (default obsnum0)" },
    { name: "date", type: "string", default: "2025-04-20T07:40:00", help: "UT start of the map Cal" },
    { name: "nchan", type: "int", default: 2048, min: 16, help: "spectrometer channels" },
    { name: "bandwidth", type: "float", default: 800, help: "bandwidth (MHz)" },
    { name: "dump_time", type: "float", default: 0.1, help: "roach dump time (s)" },
    { name: "tsys", type: "floatlist", help: "16 physical Tsys values (K)" },
    { name: "bad_pixel", type: "int", default: 13, min: -1, max: 15, help: "noisy pixel (-1 = none)" },
    { name: "bad_factor", type: "float", default: 6, help: "noise factor of the bad pixel" },
    {
      name: "baseline",
      type: "string",
      default: "0.15,-0.3",
      parse: numberTuple(2, "--baseline OFFSET,SLOPE"),
      help: "ON-only baseline: offset K, slope K per half band",
    },
    { name: "source", type: "string", default: "SIM-OTF", help: "map source name" },
    { name: "ra", type: "float", default: 198, help: "map centre RA (deg)" },
    { name: "dec", type: "float", default: 38, help: "map centre Dec (deg)" },
    {
      name: "restfreq",
      type: "float",
      help: "line rest frequency of bank 0 (GHz; default 97.980953, 1MM 230.538)",
    },
    { name: "vlsr", type: "float", default: 45, help: "header VLSR (km/s)" },
    {
      name: "src",
      type: "string",
      default: "-25,15,30,18,-35,3,49,8",
      parse: numberTuple(8, "--src DX,DY,MAJ,MIN,PA,PEAK,V,FWHM"),
      help: "source: dx,dy (″), FWHM maj,min (″), PA (deg), peak K, v, FWHM (km/s)",
    },
    { name: "rows", type: "int", default: 5, min: 1, help: "number of map rows" },
    { name: "xlength", type: "float", default: 120, help: "row length (″)" },
    { name: "ylength", type: "float", default: 120, help: "map height (″)" },
    { name: "ramp", type: "float", default: 10, help: "ramp length (″)" },
    { name: "scan_rate", type: "float", default: 50, help: "scan rate (″/s)" },
    { name: "rows_per_ref", type: "int", default: 3, min: 1, help: "rows between REF blocks" },
    {
      name: "target_gb",
      type: "float",
      help: "choose rows (and ylength) so the map's roach files total about this many GB",
    },
    { name: "no-bs", type: "boolean", help: "no Bs Cal/Bs pair (always none for Msip1mm)" },
    {
      name: "receiver",
      type: "string",
      default: "Sequoia",
      choices: ["Sequoia", "Msip1mm"],
      help: "receiver: Sequoia (16 pixels) or Msip1mm (roach0, pixels 0..3; bank 0 = 0,2, bank 1 = 1,3)",
    },
    {
      name: "banks",
      type: "int",
      default: 1,
      choices: [1, 2],
      help: "IFs: 2 adds bank 1 (roach4..7) with its own rest frequency and line",
    },
    {
      name: "restfreq1",
      type: "float",
      help: "bank-1 rest frequency (GHz; default 96.741375, 1MM 220.398684)",
    },
    {
      name: "line1",
      type: "string",
      default: "-40,0.6",
      parse: numberTuple(2, "--line1 DV,SCALE"),
      help: "bank-1 line: velocity offset from the bank-0 line (km/s), peak relative to bank 0",
    },
    {
      name: "otf_cal",
      type: "boolean",
      help: "HOT/SKY blocks inside the map (for --use_otf_cal), Tsys changing per block",
    },
    {
      name: "otf_tsys",
      type: "floatlist",
      default: [1, 1.3, 0.8],
      help: "Tsys scale of each in-map cal epoch (cycled)",
    },
    {
      name: "backend_time",
      type: "boolean",
      help: "write Data.TelescopeBackend.BackendTime and shift TelTime by --teltime_offset",
    },
    {
      name: "teltime_offset",
      type: "float",
      default: 0.5,
      help: "TelTime − BackendTime (s) with --backend_time",
    },
    {
      name: "ps",
      type: "boolean",
      help: 'also a Cal + Ps (position-switched) pair: Ps Cal = obsnum0+4, Ps = +5 (truth under "ps")',
    },
    { name: "truth", short: "t", type: "string", default: "-", help: "truth JSON output (- = stdout)" },
  ],
  run: async (opts, ctx) => {
    const src = opts.src;
    const bl = opts.baseline;
    const tsys = opts.tsys;
    if (tsys && tsys.length !== 16) throw new UsageError(`--tsys needs 16 values, got ${tsys.length}`);
    const map: SeqMapOptions = {
      source: opts.source,
      raDeg: opts.ra,
      decDeg: opts.dec,
      ...(opts.restfreq !== undefined ? { restFreqGhz: opts.restfreq } : {}),
      vlsrKms: opts.vlsr,
      src: {
        dxArcsec: src[0],
        dyArcsec: src[1],
        fwhmMajArcsec: src[2],
        fwhmMinArcsec: src[3],
        paDeg: src[4],
        peakK: src[5],
        vKms: src[6],
        fwhmKms: src[7],
      },
      nRows: opts.rows,
      xLengthArcsec: opts.xlength,
      yLengthArcsec: opts.ylength,
      rampArcsec: opts.ramp,
      scanRateArcsecS: opts.scan_rate,
      rowsPerRef: opts.rows_per_ref,
    };
    if (opts.target_gb !== undefined) {
      const target = opts.target_gb * 1e9;
      const rowStep = map.nRows! > 1 ? map.yLengthArcsec! / (map.nRows! - 1) : 30;
      let rows = 1;
      while (rows < 100000) {
        const m = { ...map, nRows: rows, yLengthArcsec: rowStep * (rows - 1) };
        if (seqRoachBytes(seqMapDuration(m), opts.nchan, opts.dump_time) >= target) break;
        rows++;
      }
      map.nRows = rows;
      map.yLengthArcsec = rowStep * (rows - 1);
      ctx.log.info(`--target_gb: ${rows} rows, ylength ${map.yLengthArcsec}″`);
    }
    const truth = await generateSeq(String(opts.out), {
      obsnum0: opts.obsnum0,
      seed: opts.seed,
      date: opts.date,
      nchan: opts.nchan,
      bandwidthMHz: opts.bandwidth,
      dumpTimeS: opts.dump_time,
      ...(tsys ? { tsysK: tsys } : {}),
      badPixel: opts.bad_pixel < 0 ? null : opts.bad_pixel,
      badPixelNoiseFactor: opts.bad_factor,
      baselineOffsetK: bl[0],
      baselineSlopeKPerHalfband: bl[1],
      map,
      bs: opts["no-bs"] || opts.receiver === "Msip1mm" ? false : {},
      receiver: opts.receiver,
      banks: opts.banks,
      bank1: {
        ...(opts.restfreq1 !== undefined ? { restFreqGhz: opts.restfreq1 } : {}),
        lineOffsetKms: opts.line1[0],
        peakScale: opts.line1[1],
      },
      ...(opts.otf_cal ? { otfCal: { tsysScales: opts.otf_tsys } } : {}),
      ...(opts.backend_time ? { backendTimeOffsetS: opts.teltime_offset } : {}),
    });
    let out: Record<string, unknown> = { ...truth };
    if (opts.ps) {
      // the Ps pair 5 minutes after the last observation, with the same instrument set-up
      const end = Math.max(...Object.values(truth.observations).map((o) => o.t_start_unix + o.duration_s));
      const ps = await generateSeqPs(String(opts.out), {
        obsnum0: opts.obsnum0 + 4,
        seed: opts.seed ?? opts.obsnum0 + 4,
        date: formatUtc(Math.ceil(end + 300)).slice(0, 19),
        nchan: opts.nchan,
        bandwidthMHz: opts.bandwidth,
        dumpTimeS: opts.dump_time,
        ...(tsys ? { tsysK: tsys } : {}),
        receiver: opts.receiver,
        banks: opts.banks,
      });
      out = { ...out, ps, files: [...truth.files, ...ps.files] };
    }
    const json = JSON.stringify(out, null, 1) + "\n";
    if (opts.truth === "-") ctx.stdout(json);
    else ctx.writeFile(String(opts.truth), json);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
