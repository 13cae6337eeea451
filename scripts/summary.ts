/**
 * summary — write index.html and README_files.md for an obsnum directory made by the pipelines.
 *
 *   deno run -A scripts/summary.ts rsr 91001/ 91001
 *   deno run -A scripts/summary.ts seq 97001/ 97001
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { defineTool } from "../lib/cli/mod.ts";
import { renderPage } from "../lib/report/html.ts";
import { readmeFiles } from "../lib/report/files.ts";
import { rsrPage, rsrSummaryPlots, summarizeRsr } from "../lib/report/rsr.ts";
import { seqPage } from "../lib/report/seq.ts";
import { corrCalDir, dataLmtRoot } from "../lib/lmt/env.ts";

export const tool = defineTool({
  name: "summary",
  summary: "index.html and README_files.md of an obsnum directory",
  usage: "summary rsr|seq DIR LABEL",
  options: [],
  positionals: [
    { name: "kind", help: "rsr or seq", required: true },
    { name: "dir", help: "obsnum directory", required: true },
    { name: "label", help: "obsnum (or first_last for a combination)", required: true },
  ],
  run: async (opts, ctx) => {
    const dir: string = opts.dir;
    let page;
    if (opts.kind === "rsr") {
      const root = dataLmtRoot(undefined, ctx.env);
      const s = await summarizeRsr(dir, opts.label, root, corrCalDir(root, ctx.env));
      await rsrSummaryPlots(dir, opts.label, s);
      page = rsrPage(dir, opts.label, s);
    } else if (opts.kind === "seq") {
      page = await seqPage(dir, opts.label);
    } else {
      throw new Error(`unknown kind '${opts.kind}' (rsr or seq)`);
    }
    ctx.writeFile(join(dir, "index.html"), renderPage(page));
    const names = [...readdirSync(dir), "index.html", "README_files.md"];
    ctx.writeFile(join(dir, "README_files.md"), readmeFiles(`obsnum ${opts.label}`, [...new Set(names)]));
    ctx.log.info(`wrote ${join(dir, "index.html")}`);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
