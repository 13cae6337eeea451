/**
 * scripts/summary.ts (the pipelines' summary page step): the page's plots are written by the tool with
 * the page, and a page that fails leaves nothing behind.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runDeno, tempDir } from "../_helpers.ts";
import { pngInfo } from "../../lib/plot/mod.ts";
import { writeCube } from "../lib/report/_fixtures.ts";

const SUMMARY = join(ROOT, "scripts", "summary.ts");
const PLOTS = ["peak", "chan", "spectrum", "wt"].map((k) => `SIM_97001__0.${k}.png`);

Deno.test("summary seq: writes the plots, index.html and README_files.md, which lists the plots", async () => {
  const { dir, cleanup } = tempDir("summary-");
  try {
    writeCube(dir, "SIM_97001__0");
    const r = await runDeno(SUMMARY, ["seq", dir, "97001"]);
    equal(r.code, 0, r.stderr);
    deepEqual(
      Deno.readDirSync(dir).map((e) => e.name).toArray().sort(),
      ["README_files.md", "SIM_97001__0.fits", "SIM_97001__0.wt.fits", ...PLOTS, "index.html"].sort(),
    );
    const readme = readFileSync(join(dir, "README_files.md"), "utf8");
    const html = readFileSync(join(dir, "index.html"), "utf8");
    for (const p of PLOTS) {
      const info = pngInfo(Deno.readFileSync(join(dir, p)));
      ok(info.width > 100 && info.height > 100, `${p} ${info.width}×${info.height}`);
      ok(readme.includes(`| \`${p}\` | plot:`), `README_files.md lists ${p}`);
      ok(html.includes(`src="${p}"`), `index.html shows ${p}`);
    }
  } finally {
    cleanup();
  }
});

Deno.test("summary seq: a page that fails after plots were put writes nothing (no plot, page or temporary file)", async () => {
  const { dir, cleanup } = tempDir("summary-");
  try {
    writeCube(dir, "SIM_97001__0"); // its plots are put first (cubes in name order) ...
    Deno.writeTextFileSync(join(dir, "SIM_97001__1.fits"), "not a FITS file\n"); // ... then this one fails
    const before = Deno.readDirSync(dir).map((e) => e.name).toArray().sort();
    const r = await runDeno(SUMMARY, ["seq", dir, "97001"]);
    equal(r.code, 1, r.stderr);
    match(r.stderr, /^summary: .*SIM_97001__1\.fits.*\n$/); // one line, no stack trace
    deepEqual(Deno.readDirSync(dir).map((e) => e.name).toArray().sort(), before);
  } finally {
    cleanup();
  }
});
