/**
 * lmt_run --slurm submitted again, through fake sbatch/squeue: while jobs of the earlier submission are
 * queued or running it refuses before touching their status files; a failing sbatch leaves the ids of
 * what it did submit in submitted.json (so `lmt_run status` follows them) and its call in submit.log;
 * no temporary file is left in the run directory.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runTool, tempDir } from "../_helpers.ts";

Deno.test("lmt_run --slurm again: refuses while queued (status files kept), records partial submissions", async () => {
  const t = tempDir();
  try {
    const bin = join(t.dir, "fakebin");
    mkdirSync(bin);
    // sbatch: ids 701, 702, ...; fails on a dependent submission when FAIL_DEP exists.
    // squeue: prints the file `queue` (empty: nothing queued)
    writeFileSync(
      join(bin, "sbatch"),
      `#!/bin/bash\ncase "$*" in *dependency*) [ -f ${bin}/FAIL_DEP ] && { echo "sbatch: error: QOSMaxSubmitJobPerUserLimit" >&2; exit 1; };; esac\n` +
        `n=$(cat ${bin}/n 2>/dev/null || echo 700); n=$((n+1)); echo $n > ${bin}/n\necho "$n"\n`,
    );
    writeFileSync(join(bin, "squeue"), `#!/bin/bash\ncat ${bin}/queue 2>/dev/null\n`);
    chmodSync(join(bin, "sbatch"), 0o755);
    chmodSync(join(bin, "squeue"), 0o755);
    const env = {
      PATH: `${bin}:${ROOT}/bin:/usr/local/bin:/usr/bin:/bin`,
      HOME: t.dir,
      DATA_LMT: join(t.dir, "nodata"),
    };
    writeFileSync(join(t.dir, "p.run"), "rsr obsnum=11\nrsr obsnum=12\nrsr obsnums=11,12\n");
    const rundir = join(t.dir, "p.run.lmt_run");
    const lmtRun = (...args: string[]) =>
      runTool("lmt_run", ["--slurm", "--mem", "500", ...args, "p.run"], { cwd: t.dir, env });
    const ids = () => JSON.parse(readFileSync(join(rundir, "slurm", "submitted.json"), "utf8"));

    let r = await lmtRun();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(), { "11": "701_0", "12": "701_1", "11_12": "702" });

    // job 11 is running, 12 and the combination wait: a second submission (even --force) refuses
    writeFileSync(join(rundir, "status", "11.running"), "job=11\nstart=1\n");
    writeFileSync(join(bin, "queue"), "701_0|RUNNING|None\n701_1|PENDING|Priority\n702|PENDING|Dependency\n");
    r = await lmtRun("--force");
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `lmt_run: ${rundir}: jobs of an earlier submission are still queued (11=701_0, 12=701_1, 11_12=702); ` +
        "wait for them or scancel them\n",
    );
    assert.ok(existsSync(join(rundir, "status", "11.running")), "the running job's status file is kept");

    // the queue is empty again; the dependent sbatch fails: the array's ids are recorded all the same
    writeFileSync(join(bin, "queue"), "");
    writeFileSync(join(bin, "FAIL_DEP"), "");
    r = await lmtRun("--force");
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "lmt_run: sbatch of t2-11_12 failed: sbatch: error: QOSMaxSubmitJobPerUserLimit (already submitted: t1-rsr=703)\n",
    );
    assert.deepEqual(ids(), { "11": "703_0", "12": "703_1", "11_12": "702" });
    const log = readFileSync(join(rundir, "slurm", "submit.log"), "utf8");
    assert.equal(log.match(/^sbatch /gm)?.length, 4); // 2 + 1 + the failed one
    assert.match(log, /# FAILED: sbatch: error: QOSMaxSubmitJobPerUserLimit\n$/);
    const temps = (readdirSync(rundir, { recursive: true }) as string[]).filter((p) => /\.tmp/.test(p));
    assert.deepEqual(temps, []);
  } finally {
    t.cleanup();
  }
});
