/**
 * sdfits — a SEQ SpecFile (netCDF, `-` = stdin) → SDFITS that GBO's dysh loads: one row per spectrum
 * with its RA/Dec (map centre + the spectrum's offsets), pixel (FDNUM), bank (IFNUM), time, Tsys and a
 * topocentric frequency axis. spec_driver_fits and grid_data grid the result to the same cube.
 *
 * Examples:
 *   sdfits -i SAMPLE-OTF_97001__0.nc -o SAMPLE-OTF_97001__0.sdfits
 *   process_otf_map -O 97001 -o - | sdfits -i - -o map.sdfits
 *
 * Columns and keywords: docs/formats.md (SDFITS).
 * @module
 */
import { defineTool } from "../lib/cli/mod.ts";
import { readSpecFile } from "../lib/specfile/mod.ts";
import { sdfitsFromSpecFile } from "../lib/seq/sdfits.ts";
import { encodeSdfits } from "../lib/sdfits/sdfits.ts";

export const tool = defineTool({
  name: "sdfits",
  summary: "SEQ SpecFile → SDFITS (one row per spectrum, for dysh and the gridder)",
  usage: "sdfits -i SPECFILE|- -o OUT.sdfits|- [--projid ID] [--observer NAME]",
  description:
    "Writes one BINTABLE 'SINGLE DISH' with one row per spectrum: DATA in K, CTYPE1 FREQ-OBS with " +
    "the SpecFile's VLSR axis converted to topocentric Hz at the row's time (Header.Obs.DateObs + " +
    "Sequence·DumpTime) and position, CRVAL2/CRVAL3 = map centre + offsets, FDNUM = pixel, IFNUM = bank, " +
    "SCAN = obsnum, TSYS = the pixel's mean Tsys of the first cal, EXPOSURE = DumpTime, RMS = Data.RMS. " +
    "The gridders (spec_driver_fits, grid_data) read the file back to the same cube as the SpecFile.",
  examples: [
    "sdfits -i SAMPLE-OTF_97001__0.nc -o SAMPLE-OTF_97001__0.sdfits",
    "process_otf_map -O 97001 -o - | sdfits -i - -o map.sdfits",
  ],
  options: [
    { name: "input", short: "i", type: "string", required: true, help: "SpecFile ('-' = stdin)" },
    { name: "output", short: "o", type: "string", required: true, help: "SDFITS file ('-' = stdout)" },
    { name: "projid", type: "string", help: "PROJID column (default: none)" },
    { name: "observer", type: "string", help: "OBSERVER column (default: none)" },
  ],
  run: async (opts, ctx) => {
    const input = opts.input;
    const sf = input === "-"
      ? await readSpecFile(await ctx.readBytes("-"), "<stdin>")
      : await readSpecFile(input);
    const name = input === "-" ? "<stdin>" : input;
    const sd = sdfitsFromSpecFile(sf, name, {
      history: ["sdfits", ...ctx.argv].join(" "),
      ...(typeof opts.projid === "string" ? { projid: opts.projid } : {}),
      ...(typeof opts.observer === "string" ? { observer: opts.observer } : {}),
    });
    if (sd.rows.some((r) => Number.isNaN(r.tsys))) {
      ctx.log.warn(`${name} has no Tsys (ncal = 0): TSYS is NaN in the SDFITS rows`);
    }
    ctx.writeFile(opts.output, encodeSdfits(sd));
    ctx.log.info(
      `${sd.rows.length} spectra x ${sf.nchan} channels -> ${opts.output === "-" ? "stdout" : opts.output}`,
    );
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
