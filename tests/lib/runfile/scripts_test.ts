import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildPlan,
  formatStatus,
  jobScript,
  makefileText,
  parseRunfile,
  parseStatusFile,
  type Pipeline,
  readStatus,
  type ScriptContext,
  shQuote,
} from "../../../lib/runfile/mod.ts";
import { tempDir } from "../../_helpers.ts";

// A fake toolkit whose SLpipeline takes ~1 s, fails for obsnum 13 the way lmtinfo does, and writes out.txt.
const FAKE_SLPIPELINE = `#!/bin/bash
obsnum=; obsnums=
for a in "$@"; do case "$a" in obsnum=*) obsnum=\${a#obsnum=};; obsnums=*) obsnums=\${a#obsnums=};; esac; done
O=\${obsnums//,/_}; O=\${O:-$obsnum}
echo reducing $O
sleep 1
if [ "$obsnum" = 13 ]; then echo "lmtinfo: No data for obsnum 13 in /data" >&2; exit 1; fi
mkdir -p $O && echo "$O $DATA_LMT" > $O/out.txt
`;

async function setup(runfile: string) {
  const t = tempDir("lmt-runfile-");
  const toolkit = join(t.dir, "toolkit");
  mkdirSync(join(toolkit, "scripts"), { recursive: true });
  mkdirSync(join(toolkit, "bin"), { recursive: true });
  writeFileSync(join(toolkit, "bin", "SLpipeline"), FAKE_SLPIPELINE);
  chmodSync(join(toolkit, "bin", "SLpipeline"), 0o755);
  const infer = (o: number): Promise<Pipeline> =>
    o === 13 ? Promise.reject(new Error("no data")) : Promise.resolve("rsr");
  const plan = await buildPlan(parseRunfile(runfile, "t.run"), { infer });
  // obsnum 13 is "known" to the fake pipeline so that the pipeline itself fails
  for (const j of plan.jobs) if (j.pipeline === null && j.name === "13") j.pipeline = "rsr";
  const ctx: ScriptContext = {
    rundir: join(t.dir, "run"),
    workdir: join(t.dir, "work"),
    toolkit,
    env: { DATA_LMT: "/some/data lmt" },
  };
  for (const d of ["jobs", "status", "logs"]) mkdirSync(join(ctx.rundir, d), { recursive: true });
  mkdirSync(ctx.workdir);
  for (const j of plan.jobs) {
    const p = join(ctx.rundir, "jobs", `${j.name}.sh`);
    writeFileSync(p, jobScript(j, ctx));
    chmodSync(p, 0o755);
  }
  writeFileSync(join(ctx.rundir, "Makefile"), makefileText(plan, ctx));
  return { t, plan, ctx };
}

async function make(ctx: ScriptContext, jobs = 2): Promise<number> {
  const out = await new Deno.Command("make", {
    args: ["-k", "-j", String(jobs), "-f", join(ctx.rundir, "Makefile")],
    cwd: ctx.workdir,
    stdout: "null",
    stderr: "null",
  }).output();
  return out.code;
}

Deno.test("job scripts + Makefile: parallel singles, combination after its inputs, failures block only dependents", async () => {
  const { t, plan, ctx } = await setup("obsnum=11\nobsnum=12\nobsnum=13\nobsnums=11,12\nobsnums=11,13\n");
  try {
    assert.equal(await make(ctx), 0); // recipes are '-': make itself never fails
    const st = Object.fromEntries(readStatus(plan, ctx.rundir).map((s) => [s.name, s]));
    assert.equal(st["11"]!.state, "done");
    assert.equal(st["12"]!.state, "done");
    // the two singles overlapped in time (-j 2)
    assert.ok(
      st["11"]!.start! < st["12"]!.end! && st["12"]!.start! < st["11"]!.end!,
      "singles ran in parallel",
    );
    assert.equal(st["11_12"]!.state, "done");
    assert.ok(
      st["11_12"]!.start! >= Math.max(st["11"]!.end!, st["12"]!.end!),
      "combination started after its inputs",
    );
    assert.equal(st["13"]!.state, "failed");
    assert.equal(st["13"]!.rc, "1"); // the pipeline's exit status
    assert.match(
      st["13"]!.reason!,
      /^pipeline failed \(exit 1\): lmtinfo: No data for obsnum 13 in \/data; log /,
    );
    assert.equal(st["11_13"]!.state, "blocked");
    assert.equal(st["11_13"]!.reason, "not run: input 13 did not finish successfully");
    // products, and the pinned environment reached the pipeline
    assert.equal(readFileSync(join(ctx.workdir, "11_12", "out.txt"), "utf8"), "11_12 /some/data lmt\n");
    const table = formatStatus(Object.values(st));
    assert.match(table, /5 jobs: 3 done, 1 failed, 1 blocked\n$/);

    // make again: done jobs are up to date, only the failed ones run (and fail) again
    const m11 = statSync(join(ctx.rundir, "status", "11.done")).mtimeMs;
    assert.equal(await make(ctx), 0);
    assert.equal(statSync(join(ctx.rundir, "status", "11.done")).mtimeMs, m11);
    const again = parseStatusFile(readFileSync(join(ctx.rundir, "status", "13.failed"), "utf8"));
    assert.ok(Number(again.start) * 1000 > m11, "the failed job ran again");
  } finally {
    t.cleanup();
  }
});

Deno.test("job script of an obsnum without a pipeline fails with the reason, and a changed script reruns the job", async () => {
  const { t, plan, ctx } = await setup("obsnum=11\nobsnum=14\n");
  try {
    // obsnum 14: no pipeline known
    const j14 = plan.jobs.find((j) => j.name === "14")!;
    j14.pipeline = null;
    j14.pipelineError = "cannot tell the pipeline of obsnum 14: no data";
    writeFileSync(join(ctx.rundir, "jobs", "14.sh"), jobScript(j14, ctx));
    await make(ctx, 1);
    const st = readStatus(plan, ctx.rundir);
    assert.deepEqual(st.map((s) => [s.name, s.state]), [["11", "done"], ["14", "failed"]]);
    assert.equal(st[1]!.reason, "cannot tell the pipeline of obsnum 14: no data");
    // a newer job script (parameters changed) makes the done job stale, and make redoes it
    const done11 = join(ctx.rundir, "status", "11.done");
    const earlier = new Date(Date.now() - 10000);
    Deno.utimeSync(done11, earlier, earlier);
    assert.equal(readStatus(plan, ctx.rundir)[0]!.stale, true);
    await make(ctx, 1);
    assert.equal(readStatus(plan, ctx.rundir)[0]!.stale, undefined);
  } finally {
    t.cleanup();
  }
});

Deno.test("shQuote() and the Makefile text", async () => {
  assert.equal(shQuote("obsnum=91001"), "obsnum=91001");
  assert.equal(shQuote("b_regions=[[1,2]]"), "'b_regions=[[1,2]]'");
  assert.equal(shQuote("it's"), `'it'\\''s'`);
  const { t, ctx } = await setup("obsnum=11\n--- tier\nobsnum=12\n--- tier\nobsnums=11,12\n");
  try {
    const mk = readFileSync(join(ctx.rundir, "Makefile"), "utf8");
    assert.match(mk, /^tier1: \$\(S\)\/11\.done$/m);
    assert.match(mk, /^tier2: \$\(S\)\/12\.done$/m);
    assert.match(mk, /^tier3: \$\(S\)\/11_12\.done$/m);
    // explicit tiers: order-only on the previous tier; the combination also needs its inputs
    assert.match(mk, /^\$\(S\)\/12\.done: \$\(J\)\/12\.sh \| tier1$/m);
    assert.match(
      mk,
      /^\$\(S\)\/11_12\.done: \$\(J\)\/11_12\.sh \$\(S\)\/11\.done \$\(S\)\/12\.done \| tier2$/m,
    );
  } finally {
    t.cleanup();
  }
});
