/**
 * rsr_badcb — turn bad chassis/boards (`#BADCB` lines of a `.badlags` file, or a C/B list) into
 * `.rfile` lines (for rsr_driver) or `.blanking` lines (for rsr_sum). Also writes the rsr_rfile and
 * rsr_blanking templates (`--template OBSNUM`), so one call can make a complete file.
 *
 * Examples:
 *   rsr_badcb -r rsr.91001.badlags >> rsr.91001.rfile
 *   badlags2 91001 0/1/17,93 3/5 | rsr_badcb -r - > rsr.91001.rfile
 *   rsr_badcb -b -o 91001 1/1,3/5 >> rsr.91001.blanking
 *   rsr_badcb -r --template 91001 rsr.91001.badlags > rsr.91001.rfile     # = rsr_rfile + rsr_badcb -r
 *   rsr_badcb -b --template 91001 > rsr.91001.blanking                     # = rsr_blanking alone
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { parseBadlags } from "../lib/formats/badlags.ts";
import {
  badcbListToRfile,
  badcbToRfile,
  parseChassisBoardList,
  rfileTemplate,
} from "../lib/formats/rfile.ts";
import { badcbListToBlanking, badcbToBlanking, blankingTemplate } from "../lib/formats/blanking.ts";

export const tool = defineTool({
  name: "rsr_badcb",
  summary: "turn #BADCB lines of a .badlags file (or a C/B list) into .rfile or .blanking lines",
  usage: "rsr_badcb -r|-b [--template OBSNUM] FILE|-  |  rsr_badcb -r|-b -o OBSNUM C/B,C/B,...  |  " +
    "rsr_badcb -r|-b --template OBSNUM",
  description:
    "File mode reads every line containing BADCB ('#BADCB OBSNUM C B ...') of FILE ('-' = stdin) and prints " +
    "'OBSNUM,C,B' (-r) or 'OBSNUM   C  {B : [(70,120)]}' (-b). With -o OBSNUM the C/B pairs come from the " +
    "command line and the lines are 'OBSNUM,C,B' or 'OBSNUM C {B: [(70,115)]}' (as the original; both windows " +
    "cover a whole board). --template OBSNUM first prints the template of rsr_rfile (-r) or rsr_blanking (-b). " +
    "All output goes to stdout.",
  examples: [
    "rsr_badcb -r rsr.91001.badlags >> rsr.91001.rfile",
    "badlags2 91001 0/1/17,93 3/5 | rsr_badcb -r - > rsr.91001.rfile",
    "rsr_badcb -b -o 91001 1/1,3/5 >> rsr.91001.blanking",
    "rsr_badcb -r --template 91001 rsr.91001.badlags > rsr.91001.rfile",
  ],
  options: [
    { name: "rfile", short: "r", type: "boolean", help: "write .rfile lines (rsr_driver --rfile)" },
    { name: "blanking", short: "b", type: "boolean", help: "write .blanking lines (rsr_sum -b)" },
    {
      name: "obsnum",
      short: "o",
      type: "int",
      min: 0,
      help: "take C/B pairs from the command line for this obsnum",
    },
    {
      name: "template",
      type: "int",
      min: 0,
      metavar: "OBSNUM",
      help: "print the rsr_rfile (-r) / rsr_blanking (-b) template for OBSNUM first",
    },
  ],
  positionals: [{ name: "input", help: "a .badlags file ('-' = stdin), or with -o the list C/B,C/B,..." }],
  run: async (opts, ctx) => {
    const r = opts.rfile === true, b = opts.blanking === true;
    if (r === b) {
      throw new UsageError(
        r ? "give only one of -r and -b" : "one of -r (rfile) or -b (blanking) is required",
      );
    }
    const input = opts.input;
    const obsnum = opts.obsnum;
    const template = opts.template;
    let out = "";
    if (template !== undefined) {
      out += r
        ? rfileTemplate(template, "rsr_badcb -r --template")
        : blankingTemplate(template, "rsr_badcb -b --template");
    }
    if (obsnum !== undefined) {
      if (input === undefined) throw new UsageError("-o OBSNUM needs a list C/B,C/B,...");
      try {
        parseChassisBoardList(input);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      out += r ? badcbListToRfile(obsnum, input) : badcbListToBlanking(obsnum, input);
    } else if (input !== undefined) {
      const name = input === "-" ? "<stdin>" : input;
      const parsed = parseBadlags(await ctx.readText(input), name);
      out += r ? badcbToRfile(parsed.badcb) : badcbToBlanking(parsed.badcb);
    } else if (template === undefined) {
      throw new UsageError("give a .badlags FILE ('-' for stdin), -o OBSNUM C/B,..., or --template OBSNUM");
    }
    ctx.stdout(out);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
