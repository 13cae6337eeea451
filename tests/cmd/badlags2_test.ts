import { equal, match } from "node:assert/strict";
import { runTool } from "../_helpers.ts";
import { parseBadlags } from "../../lib/formats/badlags.ts";

Deno.test("badlags2 writes the manual .badlags with 6-field #BADCB lines", async () => {
  const r = await runTool("badlags2", ["12345", "0/0/10", "0/0/40", "2/4/110", "1/1", "3/5"]);
  equal(r.code, 0, r.stderr);
  equal(
    r.stdout,
    "# c b ch obsnum metric\n#  hardcoded badlags2 for obsnum=12345\n0 0 10 12345 99.9\n0 0 40 12345 99.9\n" +
      "2 4 110 12345 99.9\n#BADCB 12345 1 1 0 badlags2\n#BADCB 12345 3 5 0 badlags2\n",
  );
  const p = parseBadlags(r.stdout);
  equal(p.lags.length, 3);
  equal(
    p.badcb.map((x) => `${x.obsnum} ${x.chassis}/${x.board} ${x.metric} ${x.tag}`).join(";"),
    "12345 1/1 0 badlags2;12345 3/5 0 badlags2",
  );
  const m = await runTool("badlags2", ["91001", "0/1/17,93"]);
  equal(m.stdout.endsWith("0 1 17 91001 99.9\n0 1 93 91001 99.9\n"), true);
});

Deno.test("badlags2 rejects malformed arguments with exit 2 naming them", async () => {
  for (const bad of ["1/x", "4/0", "0/6/10", "0/0/256", "1", "1/2/3/4"]) {
    const r = await runTool("badlags2", ["12345", "0/0/10", bad]);
    equal(r.code, 2, `${bad}: ${r.stderr}`);
    equal(r.stdout, "");
    match(r.stderr, new RegExp(bad.replace(/\//g, "\\/")));
  }
  equal((await runTool("badlags2", ["12345"])).code, 2);
  equal((await runTool("badlags2", [])).code, 2);
});
