/**
 * lmtinfo — summary of an obsnum for the pipelines (SpectralLineReduction's lmtinfo.py):
 * instrument, program, source, date, integration time, spectral set-up and map size.
 *
 * Examples:
 *   lmtinfo 91001 > lmtoy_91001.rc          # bash rc block, safe to `source`
 *   lmtinfo --make 97001 > info.mk          # make fragment for Makefile pipelines
 *   lmtinfo --json 97001 | jq .skyfreq
 * @module
 */
import { defineTool, UsageError } from "../lib/cli/mod.ts";
import { infoMake, infoRc, obsInfo } from "../lib/lmt/info.ts";
import { dataLmtRoot } from "../lib/lmt/env.ts";
import { VERSION } from "../lib/version.ts";

export const tool = defineTool({
  name: "lmtinfo",
  summary: "summary of an obsnum (rc block for the pipelines)",
  usage: "lmtinfo [--make|--json] [-p PATH] OBSNUM",
  options: [
    { name: "path", short: "p", type: "string", env: "DATA_LMT", help: "raw data root" },
    { name: "make", type: "boolean", help: "print a make fragment (key := value)" },
    { name: "json", type: "boolean", help: "print JSON" },
    { name: "prefix", type: "string", default: "", help: "prefix of the variable names with --make" },
  ],
  positionals: [{ name: "obsnum", help: "observation number", required: true, type: "int" }],
  run: async (opts, ctx) => {
    if (opts.make && opts.json) throw new UsageError("give at most one of --make and --json");
    const root = dataLmtRoot(opts.path, ctx.env);
    const info = await obsInfo(root, opts.obsnum);
    if (opts.json) ctx.stdout(JSON.stringify(info, null, 1) + "\n");
    else if (opts.make) ctx.stdout(infoMake(info, opts.prefix));
    else ctx.stdout(infoRc(info, VERSION));
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
