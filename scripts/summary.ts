/**
 * summary — write index.html, README_files.md and the page's plots for an obsnum directory made by the
 * pipelines. The page builders (lib/report) put the plots while they render; they are written here, as
 * this tool's outputs, with the page.
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
import type { PlotSink } from "../lib/report/sink.ts";
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
    // the plots are handed to ctx once the page is built: a page that fails leaves no output behind and
    // no rendering whose failure nobody would hear (each is watched from the moment it is put)
    const plots: { name: string; png: Promise<Uint8Array> }[] = [];
    const sink: PlotSink = {
      put: (name, png) => {
        png.catch(() => {});
        plots.push({ name, png });
      },
    };
    let page;
    if (opts.kind === "rsr") {
      const root = dataLmtRoot(undefined, ctx.env);
      const s = await summarizeRsr(dir, opts.label, root, corrCalDir(root, ctx.env));
      page = rsrPage(dir, opts.label, s, rsrSummaryPlots(dir, opts.label, s, sink));
    } else if (opts.kind === "seq") {
      page = await seqPage(dir, opts.label, sink);
    } else {
      throw new Error(`unknown kind '${opts.kind}' (rsr or seq)`);
    }
    for (const { name, png } of plots) ctx.writeFile(join(dir, name), png);
    ctx.writeFile(join(dir, "index.html"), renderPage(page));
    const names = [...readdirSync(dir), ...plots.map((p) => p.name), "index.html", "README_files.md"];
    ctx.writeFile(join(dir, "README_files.md"), readmeFiles(`obsnum ${opts.label}`, [...new Set(names)]));
    ctx.log.info(`wrote ${join(dir, "index.html")}`);
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
