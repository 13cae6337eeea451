import assert from "node:assert/strict";
import { buildPlan, parseRunfile, type Pipeline, RunfileError } from "../../../lib/runfile/mod.ts";
import { paramsOf } from "../../../lib/pipeline/params.ts";

// obsnums 91xxx are RSR, 97xxx SEQ, anything else unknown (as lmtinfo would say)
const infer = (o: number): Promise<Pipeline> => {
  if (o >= 91000 && o < 92000) return Promise.resolve("rsr");
  if (o >= 97000 && o < 98000) return Promise.resolve("seq");
  return Promise.reject(new Error(`No data for obsnum ${o}`));
};
const knownParams = {
  rsr: paramsOf("rsr").map((p) => p.name),
  seq: paramsOf("seq").map((p) => p.name),
};
const plan = (text: string) => buildPlan(parseRunfile(text, "p.run"), { infer, knownParams });
async function planErr(text: string): Promise<RunfileError> {
  try {
    await plan(text);
  } catch (e) {
    assert.ok(e instanceof RunfileError, String(e));
    return e;
  }
  assert.fail("expected a RunfileError");
}

Deno.test("buildPlan() infers pipelines and tiers; combinations come after their obsnums", async () => {
  const p = await plan(
    "obsnums=91001,91003 xlines=94.3,0.3\nobsnum=91001 badcb=3/2\nobsnum=91003\nobsnum=97001 dv=60\n",
  );
  assert.deepEqual(p.tiers, [["91001", "91003", "97001"], ["91001_91003"]]);
  const byName = Object.fromEntries(p.jobs.map((j) => [j.name, j]));
  assert.equal(byName["91001"]!.pipeline, "rsr");
  assert.equal(byName["97001"]!.pipeline, "seq");
  assert.deepEqual(byName["91001_91003"]!.deps, ["91001", "91003"]);
  assert.deepEqual(byName["91001_91003"]!.makeArgs, ["obsnums=91001,91003", "xlines=94.3,0.3"]);
  assert.deepEqual(byName["91001"]!.makeArgs, ["obsnum=91001", "badcb=3/2"]);
  assert.equal(byName["91001_91003"]!.origin, "p.run:1");
  assert.equal(p.warnings.length, 0);
});

Deno.test("buildPlan() adds missing single obsnums implicitly with their own parameters, not the combination's", async () => {
  const p = await plan("obsnum=91001\nobsnums=91001,91003,91005 cthr=0.02 dir=all3\n");
  assert.deepEqual(p.tiers, [["91001", "91003", "91005"], ["all3"]]);
  const j = p.jobs.find((x) => x.name === "91005")!;
  assert.equal(j.implicit, true);
  assert.deepEqual(j.makeArgs, ["obsnum=91005"]);
  assert.equal(j.origin, "implicit (for p.run:2)");
  assert.equal(p.warnings.length, 2);
  assert.match(p.warnings[0]!, /^p\.run:2: obsnum 91003 has no line of its own/);
});

Deno.test("buildPlan() unknown obsnums fail as jobs, not as the plan", async () => {
  const p = await plan("obsnum=91001\nobsnum=12345\nobsnums=91001,12345\nobsnums=12345,12347\n");
  const byName = Object.fromEntries(p.jobs.map((j) => [j.name, j]));
  assert.equal(byName["12345"]!.pipeline, null);
  assert.equal(
    byName["12345"]!.pipelineError,
    "cannot tell the pipeline of obsnum 12345: No data for obsnum 12345",
  );
  assert.equal(byName["91001_12345"]!.pipeline, "rsr"); // from its known input
  assert.equal(byName["12345_12347"]!.pipeline, null);
  assert.deepEqual(p.tiers[1], ["91001_12345", "12345_12347"]);
});

Deno.test("buildPlan() explicit tiers: markers are lower bounds and must agree with the data flow", async () => {
  const p = await plan("obsnum=91001\n--- tier\nobsnum=91003\n--- tier\nobsnums=91001,91003\n");
  assert.deepEqual(p.tiers, [["91001"], ["91003"], ["91001_91003"]]);
  assert.equal(p.jobs.find((j) => j.name === "91001_91003")!.explicitTier, 3);
  const e = await planErr("obsnums=91001,91003 tier=2\nobsnum=91001 tier=2\nobsnum=91003\n");
  assert.equal(
    e.message,
    "p.run:1: combination 91001_91003 (tier 2) needs obsnum 91001, which is in tier 2 (p.run:2); " +
      "a combination must come in a later tier than its obsnums",
  );
});

Deno.test("buildPlan() errors: duplicate directory, unknown parameter, bad value, bad dir=, mixed pipelines", async () => {
  // values are checked against their grammar before anything runs: shell and make syntax never passes
  for (
    const [line, msg] of [
      ["obsnum=91001 badcb='$(shell touch X)'", /^p\.run:1: badcb=\$\(shell touch X\): expected C\/B pairs/],
      ["obsnum=91001 badcb='`touch X`'", /^p\.run:1: badcb=`touch X`: expected C\/B pairs/],
      ['obsnum=91001 xlines="94.3,0.6;touch X;"', /^p\.run:1: xlines=94\.3,0\.6;touch X;: expected f1,w1/],
      ["obsnum=91001 blo='1 -o /some/path'", /^p\.run:1: blo=1 -o \/some\/path: expected an integer/],
      ["obsnum=97001 b_regions='[[1,2]];rm'", /^p\.run:1: b_regions=.*: expected a list of \[a,b\] regions/],
    ] as const
  ) {
    assert.match((await planErr(line + "\n")).message, msg, line);
  }
  assert.equal(
    (await planErr("obsnum=91001\n\nobsnum=91001 badcb=1/1\n")).message,
    "p.run:3: job 91001 is already defined at line 1 (two jobs would write the same directory; use dir=)",
  );
  assert.equal(
    (await planErr("obsnum=91001\nobsnum=91003 badbc=1/2\n")).message,
    "p.run:2: unknown parameter badbc= for the rsr pipeline (did you mean badcb=?)",
  );
  assert.match(
    (await planErr("obsnum=97001 xlines=1,2\n")).message,
    /^p\.run:1: unknown parameter xlines= for the seq pipeline/,
  );
  assert.match(
    (await planErr("obsnum=91001 dir=../x\n")).message,
    /^p\.run:1: dir=\.\.\/x: expected a plain directory name/,
  );
  assert.equal(
    (await planErr("obsnums=91001,97001\n")).message,
    "p.run:1: combination 91001_97001 mixes rsr and seq obsnums",
  );
  assert.equal(
    (await planErr("seq obsnums=91001,91003\n")).message,
    "p.run:1: combination 91001_91003 is seq but its obsnums are rsr",
  );
});
