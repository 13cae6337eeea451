/**
 * lmtinfo — summary of an obsnum for the pipelines (SpectralLineReduction's lmtinfo.py):
 * instrument, program, source, date, integration time, spectral set-up and map size.
 *
 * Examples:
 *   lmtinfo 91001 > lmtoy_91001.rc          # bash rc block as lmtinfo.py prints it, safe to `source`
 *   lmtinfo --make 97001 > info.mk          # make fragment for Makefile pipelines
 *   lmtinfo --json 97001 | jq .skyfreq
 * @module
 */
import { DataError, defineTool, UsageError } from "../lib/cli/mod.ts";
import { infoMake, infoRc, obsInfo, projectInfo } from "../lib/lmt/info.ts";
import { dataLmtRoot } from "../lib/lmt/env.ts";
import { existsSync } from "../lib/sys/fs.ts";
import { join } from "../lib/sys/path.ts";
import { VERSION } from "../lib/version.ts";

export const tool = defineTool({
  name: "lmtinfo",
  summary: "summary of an obsnum (rc block for the pipelines)",
  usage: "lmtinfo [--make|--json] [-p PATH] OBSNUM",
  description:
    "The rc block has lmtinfo.py's lines, formats and order (including nppb=, PIName=, projectTitle=). " +
    "PIName and projectTitle come from --projects, default $LMTOY/etc/ProjectId.csv (PID,Title,PI lines); " +
    "'Unknown' when the project is not listed. An OBSNUM that is not a number (e.g. a combination " +
    "123457_123463) is an error with exit 1, as the original.",
  options: [
    { name: "path", short: "p", type: "string", env: "DATA_LMT", help: "raw data root" },
    { name: "make", type: "boolean", help: "print a make fragment (key := value)" },
    { name: "json", type: "boolean", help: "print JSON" },
    { name: "prefix", type: "string", default: "", help: "prefix of the variable names with --make" },
    {
      name: "projects",
      type: "string",
      metavar: "CSV",
      defaultHelp: "$LMTOY/etc/ProjectId.csv",
      help: "project table (PID,Title,PI per line) for PIName and projectTitle",
    },
  ],
  positionals: [{ name: "obsnum", help: "observation number", required: true }],
  run: async (opts, ctx) => {
    if (opts.make && opts.json) throw new UsageError("give at most one of --make and --json");
    const arg = String(opts.obsnum);
    if (!/^\d+$/.test(arg)) {
      throw new DataError(`${arg}: not an obsnum (one observation number; combinations have no lmtinfo)`);
    }
    const root = dataLmtRoot(opts.path, ctx.env);
    const info = await obsInfo(root, Number(arg));
    if (opts.json) ctx.stdout(JSON.stringify(info, null, 1) + "\n");
    else if (opts.make) ctx.stdout(infoMake(info, opts.prefix));
    else {
      const lmtoy = ctx.env.LMTOY;
      const csv = opts.projects ??
        (lmtoy ? join(lmtoy, "etc", "ProjectId.csv") : undefined);
      const text = csv !== undefined && existsSync(csv) ? await ctx.readText(csv) : null;
      ctx.stdout(infoRc(info, VERSION, projectInfo(info.projectId, text, csv ?? null)));
    }
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
