/**
 * The files of a run directory and how they come into place: status files replaced by renames (one state
 * visible at every moment, never `.done` and `.failed` together), jobs killed mid-run (SIGINT to the job,
 * lmt_run's interrupt passed to make) end as `.failed` and leave no temporary file, and the files lmt_run
 * writes itself go through the output door (scripts executable, unchanged files keep their mtime).
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  loadRunfile,
  parseStatusFile,
  planRun,
  readStatus,
  runDirOf,
  runLocal,
  scriptContext,
  selectJobs,
  writeRunDir,
} from "../../../lib/runfile/mod.ts";
import { OutputFile } from "../../../lib/cli/io.ts";
import { tempDir } from "../../_helpers.ts";

const SYS_PATH = "/usr/local/bin:/usr/bin:/bin";
const open = (path: string) => new OutputFile(path);

// Fake SLpipeline: obsnum 12 keeps a temporary file of its own while it runs (like a tool's output door),
// says "started", and runs until it is stopped (SIGTERM: it removes the file and exits 143, as a tool
// does); with SNAP set it records the status files it sees; FAIL=1 makes it fail.
const FAKE_SLPIPELINE = `#!/bin/bash
obsnum=; obsnums=
for a in "$@"; do case "$a" in obsnum=*) obsnum=\${a#obsnum=};; obsnums=*) obsnums=\${a#obsnums=};; esac; done
O=\${obsnums//,/_}; O=\${O:-$obsnum}
[ -n "\${SNAP:-}" ] && "$SNAP" pipeline
if [ "$obsnum" = 12 ]; then
  tmp=".out.$$.tmp"; echo partial > "$tmp"
  trap 'rm -f "$tmp"; [ -n "\${s:-}" ] && kill $s; echo stopped > stopped.12; exit 143' TERM
  echo started
  sleep 60 & s=$!; wait $s
fi
[ "\${FAIL:-0}" = 1 ] && { echo "lmtinfo: no data" >&2; exit 1; }
mkdir -p $O && echo "$O" > $O/out.txt
`;

async function setup(run: string) {
  const t = tempDir("lmt-status-");
  const toolkit = join(t.dir, "toolkit");
  mkdirSync(join(toolkit, "bin"), { recursive: true });
  writeFileSync(join(toolkit, "bin", "SLpipeline"), FAKE_SLPIPELINE);
  chmodSync(join(toolkit, "bin", "SLpipeline"), 0o755);
  const workdir = join(t.dir, "work");
  mkdirSync(workdir);
  const plan = await planRun(loadRunfile(run, "t.run"), join(t.dir, "nodata"), toolkit);
  const rundir = runDirOf("t.run", workdir);
  const ctx = scriptContext(rundir, workdir, join(t.dir, "nodata"), {}, toolkit);
  writeRunDir(plan, ctx, open);
  return { t, toolkit, workdir, plan, rundir, ctx };
}

/** Every file below `dir` (relative paths). */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** Temporary files below `dir`: the toolkit's `.NAME.PID.RAND.tmp`, or anything else named *.tmp. */
function temps(dir: string): string[] {
  return tree(dir).filter((p) => /\.tmp$|\.tmp[-.\d]/.test(p));
}

/** Wait (at most `limitMs`) until `ok()` holds; throws naming `what` if it never does. */
async function waitFor(what: string, ok: () => boolean, limitMs = 30000): Promise<void> {
  for (let waited = 0; !ok(); waited += 50) {
    if (waited > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusFiles = (rundir: string, name: string) =>
  ["done", "failed", "running"].filter((k) => existsSync(join(rundir, "status", `${name}.${k}`)));

Deno.test("a status file is replaced by renames: at every step exactly one state is visible, never .done with .failed", async () => {
  const { t, toolkit, rundir, workdir } = await setup("rsr obsnum=11\n");
  try {
    // mv and rm are looked up on the job's PATH (toolkit/bin first): wrappers that run the real command,
    // then record which status files of job 11 exist; the fake pipeline records them too, mid-run
    const trace = join(t.dir, "trace");
    const snap = join(toolkit, "bin", "snap");
    writeFileSync(
      snap,
      `#!/bin/bash\necho "$1: $(cd ${rundir}/status && /bin/ls -A | grep -E '^11\\.(done|failed|running)$' | ` +
        `sort | tr '\\n' ' ')" >> ${trace}\n`,
    );
    for (const cmd of ["mv", "rm"]) {
      writeFileSync(
        join(toolkit, "bin", cmd),
        `#!/bin/bash\n/bin/${cmd} "$@"; rc=$?\n${snap} ${cmd}\nexit $rc\n`,
      );
    }
    for (const f of ["snap", "mv", "rm"]) chmodSync(join(toolkit, "bin", f), 0o755);

    /** Run job 11 (failing or not) from status `from`; every recorded step shows one state, it ends in `to`. */
    const job = async (fail: boolean, from: string, to: string) => {
      writeFileSync(trace, "");
      const r = await new Deno.Command("bash", {
        args: [join(rundir, "jobs", "11.sh")],
        env: { PATH: SYS_PATH, SNAP: snap, FAIL: fail ? "1" : "0" },
        clearEnv: true,
        stdout: "null",
        stderr: "piped",
      }).output();
      const steps = readFileSync(trace, "utf8").trim().split("\n").map((l) => {
        const [step, files] = l.split(": ");
        return { step: step!, files: (files ?? "").trim().split(" ").filter((f) => f !== "") };
      });
      const stderr = new TextDecoder().decode(r.stderr);
      assert.deepEqual([r.code, stderr], [fail ? 1 : 0, ""]);
      assert.ok(steps.length >= 6, JSON.stringify(steps));
      for (const s of steps) {
        assert.equal(s.files.length > 0, true, `no state visible after ${s.step}: ${JSON.stringify(steps)}`);
        assert.ok(!(s.files.includes("11.done") && s.files.includes("11.failed")), `both after ${s.step}`);
      }
      assert.deepEqual(steps[0]!.files, [from]);
      assert.deepEqual(steps.find((s) => s.step === "pipeline")!.files, ["11.running"]);
      assert.deepEqual(steps.at(-1)!.files, [to]);
      return parseStatusFile(readFileSync(join(rundir, "status", to), "utf8"));
    };

    // an earlier run succeeded; this one fails: .done → .running → .failed
    writeFileSync(join(rundir, "status", "11.done"), "job=11\nrc=0\n");
    assert.equal((await job(true, "11.done", "11.failed")).rc, "1");
    // and back: .failed → .running → .done
    const done = await job(false, "11.failed", "11.done");
    assert.deepEqual([done.job, done.rc, done.reason], ["11", "0", ""]);
    assert.deepEqual([temps(rundir), temps(workdir)], [[], []]);
  } finally {
    t.cleanup();
  }
});

Deno.test("a job killed mid-run (SIGINT) stops its pipeline and ends .failed (rc 130), no temporary file left", async () => {
  const { t, plan, rundir, workdir } = await setup("rsr obsnum=12\n");
  try {
    // an earlier run left 12.done and, killed with SIGKILL while it wrote its status, a temporary file
    writeFileSync(join(rundir, "status", "12.done"), "job=12\nrc=0\n");
    writeFileSync(join(rundir, "status", ".12.failed.999999.abc.tmp"), "job=12\n");
    const child = new Deno.Command("bash", {
      args: [join(rundir, "jobs", "12.sh")],
      env: { PATH: SYS_PATH },
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log = join(rundir, "logs", "12.log");
    await waitFor(
      "the pipeline to start",
      () => existsSync(log) && readFileSync(log, "utf8").includes("started"),
    );
    assert.deepEqual(statusFiles(rundir, "12"), ["running"]);
    assert.deepEqual(temps(rundir), []); // the SIGKILLed run's temporary file is gone
    assert.equal(temps(workdir).length, 1); // the pipeline's own
    child.kill("SIGINT");
    const r = await child.output();
    assert.equal(r.code, 130, new TextDecoder().decode(r.stderr));
    assert.deepEqual(statusFiles(rundir, "12"), ["failed"]);
    const st = readStatus(plan, rundir)[0]!;
    assert.deepEqual([st.state, st.rc, st.reason], ["failed", "130", "killed by SIGINT"]);
    assert.ok(st.end! >= st.start!);
    assert.equal(readFileSync(join(workdir, "stopped.12"), "utf8"), "stopped\n"); // the pipeline got SIGTERM
    assert.deepEqual([temps(rundir), temps(workdir)], [[], []]);
  } finally {
    t.cleanup();
  }
});

Deno.test("runLocal() interrupted (lmt_run's signal): make passes SIGTERM on, the running job ends .failed, nothing left half-written", async () => {
  const { t, plan, rundir, workdir, ctx } = await setup("rsr obsnum=11\nrsr obsnum=12\nrsr obsnums=11,12\n");
  try {
    const stop = new AbortController();
    const running = runLocal(plan, selectJobs(plan, rundir, {}), ctx, {
      jobs: 2,
      env: { PATH: SYS_PATH },
      open,
      signal: stop.signal,
    });
    const log = join(rundir, "logs", "12.log");
    await waitFor("job 12 to start", () => existsSync(log) && readFileSync(log, "utf8").includes("started"));
    await waitFor("job 11 to end", () => existsSync(join(rundir, "status", "11.done")));
    stop.abort();
    const run = await running;
    assert.notEqual(run.code, 0);
    assert.deepEqual(
      run.status.map((s) => [s.name, s.state, s.rc ?? "", s.reason ?? ""]),
      [["11", "done", "0", ""], ["12", "failed", "143", "killed by SIGTERM"], ["11_12", "not-run", "", ""]],
    );
    for (const n of ["11", "12", "11_12"]) assert.ok(statusFiles(rundir, n).length <= 1, n);
    assert.equal(readFileSync(join(workdir, "stopped.12"), "utf8"), "stopped\n");
    assert.ok(existsSync(join(rundir, "make.log")));
    assert.deepEqual([temps(rundir), temps(workdir)], [[], []]);
  } finally {
    t.cleanup();
  }
});

Deno.test("writeRunDir() goes through the output door: scripts executable, unchanged files keep their mtime, no temporary file", async () => {
  const { t, plan, rundir, ctx } = await setup("rsr obsnum=11\nrsr obsnum=12\n");
  try {
    assert.deepEqual(tree(rundir), [
      "Makefile",
      "jobs",
      "jobs/11.sh",
      "jobs/12.sh",
      "logs",
      "plan.json",
      "status",
    ]);
    for (const n of ["11", "12"]) assert.equal(statSync(join(rundir, "jobs", `${n}.sh`)).mode & 0o777, 0o755);
    assert.equal(statSync(join(rundir, "plan.json")).mode & 0o111, 0);
    // unchanged: not rewritten (mtime kept); changed: replaced
    const old = new Date(Date.now() - 100_000);
    for (const f of ["plan.json", "Makefile", "jobs/11.sh", "jobs/12.sh"]) {
      Deno.utimeSync(join(rundir, f), old, old);
    }
    plan.jobs[1]!.makeArgs.push("admit=0");
    writeRunDir(plan, ctx, open);
    const touched = ["plan.json", "Makefile", "jobs/11.sh", "jobs/12.sh"].filter((f) =>
      statSync(join(rundir, f)).mtimeMs > old.getTime() + 1000
    );
    assert.deepEqual(touched, ["plan.json", "jobs/12.sh"]);
    assert.match(readFileSync(join(rundir, "jobs", "12.sh"), "utf8"), /--here obsnum=12 admit=0 >>/);
    assert.deepEqual(temps(rundir), []);
  } finally {
    t.cleanup();
  }
});
