/**
 * Wall time of the RSR driver reduction on the sample obsnums (in-process, cold and warm caches).
 * Run: node_modules/.bin/deno run -A bench/rsr_driver.ts [DATA_LMT]
 * The original rsr_driver.py takes ~1.3 s per obsnum without plots (samples timings.txt).
 * @module
 */
import { join } from "node:path";
import { badLagSets, parseBadlags } from "../lib/formats/badlags.ts";
import { badLagTable, CalibrationCache } from "../lib/rsr/calibrated.ts";
import { runDriver } from "../lib/rsr/driver.ts";
import { readFileSync } from "node:fs";

const samples = join(new URL("..", import.meta.url).pathname, "..", "shared", "samples", "rsr");
const root = Deno.args[0] ?? join(samples, "data_lmt");
const bad = (o: string) =>
  badLagTable(badLagSets(parseBadlags(readFileSync(join(samples, o, `rsr.${o}.badlags`), "utf8"))));
const runs: [string, number[], string][] = [["91001", [91001], "91001"], ["91003", [91003], "91003"], [
  "91001+91003",
  [91001, 91003],
  "91001_91003",
]];
for (const [label, obsnums, dir] of runs) {
  for (const warm of [false, true]) {
    const cache = new CalibrationCache();
    const run = () =>
      runDriver({
        obsnums,
        dataLmt: root,
        badLags: bad(dir),
        cache,
        repeatThreshold: 0.01,
        coaddThreshold: 0.01,
      });
    if (warm) await run();
    const t0 = performance.now();
    await run();
    const dt = (performance.now() - t0) / 1000;
    console.log(
      `${label.padEnd(12)} ${warm ? "warm" : "cold"} caches: ${dt.toFixed(3)} s (${
        (dt / obsnums.length).toFixed(3)
      } s per obsnum)`,
    );
  }
}
