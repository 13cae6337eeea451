/**
 * badlags2 — write a `.badlags` file by hand (badlags2.py drop-in): bad lags and bad chassis/boards
 * given on the command line instead of found in the data.
 *
 * Examples:
 *   badlags2 12345 0/0/10,40 2/4/110 1/1 3/5 > rsr.12345.badlags
 *   badlags2 91001 0/1/17,93 3/5 | rsr_badcb -r - >> rsr.91001.rfile
 *
 * Differences from badlags.py: nothing is measured; every lag gets the metric 99.9 and every C/B the
 * metric 0. Differences from badlags2.py (docs/compat.md): `#BADCB` lines carry 6 fields
 * (`#BADCB OBSNUM C B 0 badlags2`), and a malformed argument is a usage error (exit 2) naming it.
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { badlags2Text } from "../lib/formats/badlags.ts";

export const tool = defineTool({
  name: "badlags2",
  summary: "write a .badlags file from bad lags and bad chassis/boards given by hand",
  usage: "badlags2 OBSNUM C/B/LAG[,LAG...]|C/B ...",
  description: "Each C/B/LAG,LAG,... argument gives one line 'C B LAG OBSNUM 99.9' per lag; each C/B " +
    "argument gives '#BADCB OBSNUM C B 0 badlags2'. C is 0..3, B 0..5, LAG 0..255. The text goes to stdout.",
  examples: [
    "badlags2 12345 0/0/10 0/0/40 2/4/110 1/1 3/5 > rsr.12345.badlags",
    "badlags2 91001 0/1/17,93 3/5 | rsr_badcb -r - >> rsr.91001.rfile",
  ],
  options: [],
  positionals: [
    { name: "obsnum", help: "observation number", required: true, type: "int" },
    { name: "args", help: "C/B/LAG[,LAG...] (bad lags) or C/B (bad chassis/board)", variadic: true },
  ],
  run: (opts, ctx) => {
    const obsnum = opts.obsnum;
    const args = opts.args ?? [];
    if (obsnum < 0) throw new UsageError(`invalid OBSNUM ${obsnum}: must be >= 0`);
    if (args.length === 0) throw new UsageError("no C/B/LAG or C/B arguments given");
    let text: string;
    try {
      text = badlags2Text(obsnum, args);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    // six fields in BADCB lines, so every reader (rsr_badcb, parseBadlags) sees obsnum, C, B, metric, tag
    text = text.replace(/^(#BADCB \d+ \d+ \d+ 0)$/gm, "$1 badlags2");
    ctx.stdout(text);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
