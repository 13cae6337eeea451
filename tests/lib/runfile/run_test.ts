/**
 * lib/runfile/run.ts: job selection from earlier status files, dry-run text, run-directory writing,
 * a local make run with a fake toolkit, and SLURM submission through fake sbatch/squeue commands.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  checkLocalRun,
  dryRunText,
  formatSubmitted,
  loadRunfile,
  planRun,
  resetStatus,
  runDirOf,
  runDirStatus,
  RunError,
  RunfileError,
  runLocal,
  scriptContext,
  selectJobs,
  slurmOptions,
  statusRunDir,
  submitSlurm,
  writeRunDir,
} from "../../../lib/runfile/mod.ts";
import { OutputFile } from "../../../lib/cli/io.ts";
import { tempDir } from "../../_helpers.ts";

/** The output door as a tool hands it down (lib/cli ctx.output opens OutputFiles). */
const open = (path: string) => new OutputFile(path);

// Fake toolkit: an SLpipeline that writes O/out.txt at once and fails for obsnum 13.
const FAKE_SLPIPELINE = `#!/bin/bash
obsnum=; obsnums=
for a in "$@"; do case "$a" in obsnum=*) obsnum=\${a#obsnum=};; obsnums=*) obsnums=\${a#obsnums=};; esac; done
O=\${obsnums//,/_}; O=\${O:-$obsnum}
if [ "$obsnum" = 13 ]; then echo "no data for 13" >&2; exit 1; fi
mkdir -p $O && echo "$O" > $O/out.txt
`;
const RUN = "rsr obsnum=11\nrsr obsnum=13\nrsr obsnums=11,13\n";
const SYS_PATH = "/usr/local/bin:/usr/bin:/bin";

async function setup() {
  const t = tempDir("lmt-run-");
  const toolkit = join(t.dir, "toolkit");
  mkdirSync(join(toolkit, "scripts"), { recursive: true });
  mkdirSync(join(toolkit, "bin"), { recursive: true });
  writeFileSync(join(toolkit, "bin", "SLpipeline"), FAKE_SLPIPELINE);
  chmodSync(join(toolkit, "bin", "SLpipeline"), 0o755);
  const workdir = join(t.dir, "work");
  mkdirSync(workdir);
  const rf = loadRunfile(RUN, "t.run");
  // every line names its pipeline: nothing is looked up under DATA_LMT
  const plan = await planRun(rf, join(t.dir, "nodata"), toolkit);
  const rundir = runDirOf("some/dir/t.run", workdir);
  const ctx = scriptContext(rundir, workdir, join(t.dir, "nodata"), { CORR_CAL_DIR: "/cc", X: "y" }, toolkit);
  return { t, toolkit, workdir, plan, rundir, ctx };
}

Deno.test("runDirOf(), scriptContext(), loadRunfile() and planRun() checks against the parameter table", async () => {
  assert.equal(runDirOf("a/b/p.run", "/w"), "/w/p.run.lmt_run");
  assert.equal(runDirOf("-", "/w"), "/w/stdin.lmt_run");
  assert.equal(runDirOf("p.run", "/w", "/elsewhere/r"), "/elsewhere/r");
  const { t, ctx, toolkit } = await setup();
  try {
    assert.deepEqual(ctx.env, { DATA_LMT: join(t.dir, "nodata"), CORR_CAL_DIR: "/cc" });
    assert.throws(() => loadRunfile("# only a comment\n\n", "e.run"), (e: unknown) => {
      assert.ok(e instanceof RunfileError);
      assert.equal(e.message, "e.run: no job lines");
      return true;
    });
    await assert.rejects(
      planRun(loadRunfile("rsr obsnum=11 badbc=3/2\n", "p.run"), "/nodata", toolkit),
      /^RunfileError: p\.run:1: unknown parameter badbc= for the rsr pipeline \(did you mean badcb=\?\)/,
    );
  } finally {
    t.cleanup();
  }
});

Deno.test("selectJobs(): done jobs skipped, --force, --rerun-failed; resetStatus() clears what will run", async () => {
  const { t, plan, rundir, ctx } = await setup();
  try {
    let sel = selectJobs(plan, rundir, {});
    assert.deepEqual(sel.todo, ["11", "13", "11_13"]);
    assert.throws(() => selectJobs(plan, rundir, { rerunFailed: true }), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.equal(e.message, `${rundir}: nothing ran yet (no plan.json)`);
      return true;
    });
    writeRunDir(plan, ctx, open);
    writeFileSync(join(rundir, "status", "11.done"), "start=1\nend=2\nrc=0\n");
    writeFileSync(join(rundir, "status", "13.failed"), "start=1\nend=2\nrc=2\nreason=bad\n");
    writeFileSync(join(rundir, "status", "11_13.failed"), "blocked_by=13\nreason=not run\n");
    sel = selectJobs(plan, rundir, {});
    assert.deepEqual([[...sel.selected], sel.todo], [["11", "13", "11_13"], ["13", "11_13"]]);
    assert.deepEqual(selectJobs(plan, rundir, { force: true }).todo, ["11", "13", "11_13"]);
    sel = selectJobs(plan, rundir, { rerunFailed: true });
    assert.deepEqual([[...sel.selected], sel.todo], [["13", "11_13"], ["13", "11_13"]]);
    resetStatus(rundir, sel, false);
    assert.deepEqual(
      ["11.done", "13.failed", "11_13.failed"].map((f) => existsSync(join(rundir, "status", f))),
      [true, false, false],
    );
    resetStatus(rundir, selectJobs(plan, rundir, { force: true }), true);
    assert.equal(existsSync(join(rundir, "status", "11.done")), false);
  } finally {
    t.cleanup();
  }
});

Deno.test("dryRunText(): plan, make command, and sbatch lines with shell variables for the job ids", async () => {
  const { t, plan, rundir, ctx, toolkit } = await setup();
  try {
    const sel = selectJobs(plan, rundir, {});
    const local = dryRunText(plan, sel, ctx, { jobs: 3 });
    assert.equal(
      local,
      `# plan of t.run: 3 jobs in 2 tier(s)\ntier 1:\n` +
        `  11             ${toolkit}/bin/SLpipeline --here obsnum=11\n` +
        `  13             ${toolkit}/bin/SLpipeline --here obsnum=13\n` +
        `tier 2:\n  11_13          ${toolkit}/bin/SLpipeline --here obsnums=11,13  [after 11,13]\n` +
        `# run directory ${rundir}; 3 job(s) to run\nmake -k -j 3 -f ${rundir}/Makefile\n`,
    );
    const slurm = slurmOptions(
      { deps: "job", bundle: 1, sbatch: ["--qos=x"], cpus: 2, mem: 500 },
      "/d",
      rundir,
    );
    assert.equal(slurm.runName, "t.run");
    const lines = dryRunText(plan, sel, ctx, { jobs: 3, slurm }).split("\n").filter((l) =>
      l.startsWith("JOB_")
    );
    assert.deepEqual(lines, [
      `JOB_T1_RSR=$(sbatch --parsable --array=0-1 --qos=x ${rundir}/slurm/t1-rsr.sh)   # 11 13  mem 500M`,
      `JOB_T2_11_13=$(sbatch --parsable "--dependency=afterany:\${JOB_T1_RSR}_0:\${JOB_T1_RSR}_1" --qos=x ` +
      `${rundir}/slurm/t2-11_13.sh)   # 11_13  mem 500M`,
    ]);
    assert.equal(existsSync(rundir), false);
  } finally {
    t.cleanup();
  }
});

Deno.test("runLocal() + checkLocalRun(): make -k -j runs the jobs; the failure and the blocked job are named", async () => {
  const { t, plan, rundir, ctx } = await setup();
  try {
    writeRunDir(plan, ctx, open);
    const sel = selectJobs(plan, rundir, {});
    const started: string[] = [];
    const run = await runLocal(plan, sel, ctx, {
      jobs: 2,
      env: { PATH: SYS_PATH },
      open,
      onStart: (m) => started.push(m),
    });
    assert.deepEqual(started, [`running 3 job(s) with make -j 2 (log ${rundir}/make.log)`]);
    assert.deepEqual(run.status.map((s) => s.state), ["done", "failed", "blocked"]);
    assert.equal(readFileSync(join(ctx.workdir, "11", "out.txt"), "utf8"), "11\n");
    assert.ok(existsSync(join(rundir, "make.log")));
    assert.throws(() => checkLocalRun(run, sel, rundir), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.match(
        e.message,
        /^2 of 3 job\(s\) did not finish: 13 failed \(pipeline failed \(exit 1\): .+; log \S+\/logs\/13\.log\); 11_13 blocked \(not run: input 13 did not finish successfully\)$/,
      );
      return true;
    });
    checkLocalRun(
      { code: 0, status: run.status.slice(0, 1) },
      { selected: new Set(["11"]), todo: [] },
      rundir,
    );
    assert.throws(
      () => checkLocalRun({ code: 2, status: [] }, { selected: new Set(), todo: [] }, rundir),
      new RegExp(`^RunError: make failed \\(exit 2\\); see ${rundir}/make\\.log$`),
    );
    await assert.rejects(
      runLocal(plan, sel, ctx, { jobs: 1, env: { PATH: "/nonexistent" }, open }),
      /make not found/,
    );
  } finally {
    t.cleanup();
  }
});

Deno.test("submitSlurm() through fake sbatch/squeue: ids, dependencies, submitted.json, refusal while queued", async () => {
  const { t, plan, rundir, ctx } = await setup();
  try {
    const bin = join(t.dir, "fakebin");
    mkdirSync(bin);
    // sbatch: ids 501, 502, ... and the arguments logged; squeue: every known id PENDING
    writeFileSync(
      join(bin, "sbatch"),
      `#!/bin/bash\nn=$(cat ${bin}/n 2>/dev/null || echo 500); n=$((n+1)); echo $n > ${bin}/n\n` +
        `echo "$*" >> ${bin}/calls\necho "$n;cluster"\n`,
    );
    writeFileSync(
      join(bin, "squeue"),
      `#!/bin/bash\nfor i in 501_0 501_1 502; do echo "$i|PENDING|None"; done\n`,
    );
    chmodSync(join(bin, "sbatch"), 0o755);
    chmodSync(join(bin, "squeue"), 0o755);
    const env = { PATH: `${bin}:${SYS_PATH}` };
    const o = slurmOptions({ deps: "job", bundle: 1, sbatch: [], cpus: 1, partition: "batch" }, "/d", rundir);
    writeRunDir(plan, ctx, open);
    const sel = selectJobs(plan, rundir, {});
    const r = await submitSlurm(plan, sel.todo, ctx, o, env, open);
    assert.equal(r.jobs, 3);
    assert.deepEqual([...r.ids], [["t1-rsr", "501"], ["t2-11_13", "502"]]);
    assert.equal(
      formatSubmitted(r, rundir),
      `t1-rsr: 501 (array 0-1)\nt2-11_13: 502 after 501_0,501_1\n` +
        `lmt_run: submitted 3 job(s) in 2 sbatch call(s); watch: lmt_run status ${rundir}\n`,
    );
    assert.deepEqual(readFileSync(join(bin, "calls"), "utf8").trim().split("\n"), [
      `--parsable --array=0-1 ${rundir}/slurm/t1-rsr.sh`,
      `--parsable --dependency=afterany:501_0:501_1 ${rundir}/slurm/t2-11_13.sh`,
    ]);
    assert.deepEqual(JSON.parse(readFileSync(join(rundir, "slurm", "submitted.json"), "utf8")), {
      "11": "501_0",
      "13": "501_1",
      "11_13": "502",
    });
    assert.match(readFileSync(join(rundir, "slurm", "t1-rsr.sh"), "utf8"), /^#SBATCH --partition=batch$/m);
    // status merges the queue: not-run jobs show as pending
    const st = await runDirStatus(statusRunDir(rundir, "/nowhere"), env);
    assert.deepEqual(st.map((s) => [s.state, s.slurmId]), [
      ["pending", "501_0"],
      ["pending", "501_1"],
      ["pending", "502"],
    ]);
    await assert.rejects(
      submitSlurm(plan, sel.todo, ctx, o, env, open),
      new RegExp(
        `^RunError: ${rundir}: jobs of an earlier submission are still queued \\(11=501_0, 13=501_1, 11_13=502\\)`,
      ),
    );
    await assert.rejects(
      submitSlurm(plan, sel.todo, ctx, o, { PATH: "/nonexistent" }, open),
      /sbatch not found on PATH/,
    );
    await assert.rejects(runDirStatus(join(t.dir, "nothing"), env), /no plan\.json/);
  } finally {
    t.cleanup();
  }
});
