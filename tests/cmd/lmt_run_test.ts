/**
 * lmt_run black-box: dry runs, run-file errors, a local make -j run on the samples (parallel singles,
 * combination after them, reference spectra to 1e-12 K, failing obsnum reported, rerun of failures),
 * and the same run file through a real single-node SLURM started in private namespaces.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertClose,
  needsSamples,
  ROOT,
  runScript,
  runTool,
  sample,
  SAMPLES,
  tempDir,
} from "../_helpers.ts";

const PATH = `${ROOT}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

function column2(path: string): number[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => Number(l.trim().split(/\s+/)[1]));
}

function checkSpectra(work: string, names: string[]): void {
  for (const o of names) {
    const ours = column2(join(work, o, `rsr.${o}.driver.sum.txt`));
    const ref = column2(sample("rsr", o, `rsr.${o}.driver.sum.txt`));
    assert.equal(ours.length, 1297);
    assertClose(ours, ref, { atol: 1e-12 }, `${o} driver spectrum`);
  }
}

interface St {
  name: string;
  state: string;
  start?: number;
  end?: number;
  reason?: string;
  slurmId?: string;
}

// 91003's reference run kept its Tsys-jitter board (the original never applied those BADCBs, samples
// README R1); jitter=0 asks the pipeline for exactly that behaviour.
const SAMPLE_RUN = [
  "# RSR sample run file",
  "obsnum=91001 jitter=0",
  "SLpipeline.sh obsnum=91003 jitter=0 admit=0",
  "obsnums=91001,91003 jitter=0     # the combination",
  "obsnum=99999                     # no such obsnum",
  "obsnums=91001,99999 jitter=0     # blocked by 99999",
  "",
].join("\n");

Deno.test("lmt_run --dry-run prints tiers, SLpipeline and sbatch commands; runs and writes nothing", async () => {
  const t = tempDir();
  try {
    writeFileSync(
      join(t.dir, "p.run"),
      "rsr obsnum=91001\nrsr obsnum=91003 badcb=3/2\nobsnums=91001,91003\nseq obsnum=97001 dv=60\n",
    );
    const env = { PATH, DATA_LMT: join(t.dir, "nodata") };
    const r = await runTool("lmt_run", ["-n", "-j", "3", "p.run"], { cwd: t.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "# plan of p.run: 4 jobs in 2 tier(s)");
    assert.match(
      r.stdout,
      /^tier 1:\n {2}91001 +\S+\/bin\/SLpipeline --here obsnum=91001\n {2}91003 +\S+\/bin\/SLpipeline --here obsnum=91003 badcb=3\/2\n {2}97001 +\S+\/bin\/SLpipeline --here obsnum=97001 dv=60\ntier 2:\n {2}91001_91003 +\S+\/bin\/SLpipeline --here obsnums=91001,91003 +\[after 91001,91003\]$/m,
    );
    assert.match(r.stdout, new RegExp(`^make -k -j 3 -f ${t.dir}/p\\.run\\.lmt_run/Makefile$`, "m"));
    assert.equal(existsSync(join(t.dir, "p.run.lmt_run")), false);

    const s = await runTool("lmt_run", [
      "--dry-run",
      "--slurm",
      "--bundle",
      "2",
      "--partition",
      "batch",
      "p.run",
    ], { cwd: t.dir, env });
    assert.equal(s.code, 0, s.stderr);
    const sb = s.stdout.split("\n").filter((l) => l.startsWith("JOB_"));
    assert.equal(sb.length, 3);
    assert.match(
      sb[0]!,
      /^JOB_T1_RSR=\$\(sbatch --parsable --array=0-0 \S+\/slurm\/t1-rsr\.sh\) +# 91001\+91003 +mem 1200M$/,
    );
    assert.match(sb[1]!, /^JOB_T1_SEQ=\$\(sbatch --parsable --array=0-0 \S+\/slurm\/t1-seq\.sh\)/);
    assert.match(
      sb[2]!,
      /^JOB_T2_91001_91003=\$\(sbatch --parsable "--dependency=afterany:\$\{JOB_T1_RSR\}_0" /,
    );
    assert.equal(existsSync(join(t.dir, "p.run.lmt_run")), false);
  } finally {
    t.cleanup();
  }
});

Deno.test("lmt_run: run-file errors are one line naming file:line (exit 1); usage errors exit 2", async () => {
  const t = tempDir();
  try {
    const env = { PATH, DATA_LMT: t.dir };
    writeFileSync(join(t.dir, "bad.run"), "rsr obsnum=91001\nrsr obsnum=91003 badbc=3/2\n");
    let r = await runTool("lmt_run", ["bad.run"], { cwd: t.dir, env });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "lmt_run: bad.run:2: unknown parameter badbc= for the rsr pipeline (did you mean badcb=?)\n",
    );
    writeFileSync(join(t.dir, "bad2.run"), "# x\nrsr obsnum=91001 xlines\n");
    r = await runTool("lmt_run", ["bad2.run"], { cwd: t.dir, env });
    assert.equal(r.stderr, 'lmt_run: bad2.run:2: expected key=value, got "xlines"\n');
    r = await runTool("lmt_run", ["-n", "-"], {
      cwd: t.dir,
      env,
      stdin: "rsr obsnum=91001\nrsr obsnum=91001\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^lmt_run: -:2: job 91001 is already defined at line 1/);
    r = await runTool("lmt_run", [], { cwd: t.dir, env });
    assert.equal(r.code, 2);
    r = await runTool("lmt_run", ["--bundel", "2", "x.run"], { cwd: t.dir, env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bundle/);
    r = await runTool("lmt_run", ["bad.run"], { cwd: t.dir, env: { PATH } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /DATA_LMT is not set/);
    r = await runTool("lmt_run", ["status", t.dir], { cwd: t.dir, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no plan\.json/);
  } finally {
    t.cleanup();
  }
});

Deno.test({
  name:
    "lmt_run -j 2 on the RSR samples: parallel singles, combination after both, reference spectra, failures reported",
  ignore: needsSamples(),
  fn: async () => {
    const t = tempDir();
    try {
      const work = t.dir;
      writeFileSync(join(work, "sample.run"), SAMPLE_RUN);
      const env = { PATH, HOME: work, DATA_LMT: sample("rsr", "data_lmt") };
      const r = await runTool("lmt_run", ["-j", "2", "sample.run"], { cwd: work, env });
      assert.equal(r.code, 1, r.stderr); // 99999 failed
      const errLines = r.stderr.trim().split("\n");
      assert.equal(errLines.length, 2, r.stderr); // the admit= warning + one error line
      assert.match(errLines[0]!, /^lmt_run: warning: sample\.run:3: SLpipeline keyword admit= ignored/);
      assert.match(
        errLines[1]!,
        /^lmt_run: 2 of 5 job\(s\) did not finish: 99999 failed \(cannot tell the pipeline of obsnum 99999: No data for obsnum 99999/,
      );
      assert.match(r.stdout, /^5 jobs: 3 done, 1 failed, 1 blocked$/m);

      const rundir = join(work, "sample.run.lmt_run");
      const s = await runTool("lmt_run", ["status", "--json", rundir], { cwd: work, env });
      assert.equal(s.code, 0, s.stderr);
      const st: Record<string, St> = Object.fromEntries(
        (JSON.parse(s.stdout) as St[]).map((x) => [x.name, x]),
      );
      const [a, b, c] = [st["91001"]!, st["91003"]!, st["91001_91003"]!];
      assert.deepEqual([a.state, b.state, c.state], ["done", "done", "done"]);
      assert.ok(a.start! < b.end! && b.start! < a.end!, `singles overlap: ${JSON.stringify([a, b])}`);
      assert.ok(c.start! >= Math.max(a.end!, b.end!), "the combination started after both singles ended");
      assert.equal(st["99999"]!.state, "failed");
      assert.equal(st["91001_99999"]!.state, "blocked");
      assert.equal(st["91001_99999"]!.reason, "not run: input 99999 did not finish successfully");
      assert.equal(existsSync(join(work, "91001_99999")), false);
      checkSpectra(work, ["91001", "91003", "91001_91003"]);
      // same run status via the run file name
      const s2 = await runTool("lmt_run", ["--status", "sample.run"], { cwd: work, env });
      assert.match(
        s2.stdout,
        /^91001_99999 +2 +blocked +\S+ +not run: input 99999 did not finish successfully$/m,
      );

      // rerun only the failures: done jobs untouched
      const m = statSync(join(rundir, "status", "91001.done")).mtimeMs;
      const rr = await runTool("lmt_run", ["--rerun-failed", "sample.run"], { cwd: work, env });
      assert.equal(rr.code, 1);
      assert.match(rr.stderr, /2 of 2 job\(s\) did not finish: 99999 failed/);
      assert.equal(statSync(join(rundir, "status", "91001.done")).mtimeMs, m);
      assert.ok(statSync(join(rundir, "status", "99999.failed")).mtimeMs > m);
    } finally {
      t.cleanup();
    }
  },
});

Deno.test({
  name: "lmt_run -j 2 on generated RSR data (when ../shared/samples is absent)",
  ignore: SAMPLES !== null && Deno.env.get("LMT_RUN_GENERATED") !== "1",
  fn: async () => {
    const t = tempDir();
    try {
      const data = join(t.dir, "data_lmt");
      await runScript("gen_rsr.ts", [
        "--out",
        data,
        "--obsnum",
        "81001",
        "--obsnum",
        "81003",
        "--repeats",
        "2",
      ]);
      writeFileSync(join(t.dir, "g.run"), "obsnum=81001\nobsnum=81003\nobsnums=81001,81003\n");
      const env = { PATH, HOME: t.dir, DATA_LMT: data };
      const r = await runTool("lmt_run", ["-j", "2", "g.run"], { cwd: t.dir, env });
      assert.equal(r.code, 0, r.stderr);
      const st = readStatusFiles(join(t.dir, "g.run.lmt_run", "status"), ["81001", "81003", "81001_81003"]);
      const [a, b, c] = st;
      assert.ok(a!.start < b!.end && b!.start < a!.end, "singles overlap");
      assert.ok(c!.start >= Math.max(a!.end, b!.end));
      const spec = column2(join(t.dir, "81001_81003", "rsr.81001_81003.driver.sum.txt"));
      assert.equal(spec.length, 1297);
      assert.ok(spec.some((x) => Number.isFinite(x) && x !== 0));
    } finally {
      t.cleanup();
    }
  },
});

function readStatusFiles(dir: string, names: string[]): { start: number; end: number }[] {
  return names.map((n) => {
    const kv = Object.fromEntries(
      readFileSync(join(dir, `${n}.done`), "utf8").split("\n").filter((l) => l.includes("=")).map((l) => {
        const i = l.indexOf("=");
        return [l.slice(0, i), l.slice(i + 1)];
      }),
    );
    return { start: Number(kv.start), end: Number(kv.end) };
  });
}

// ---------------------------------------------------------------------------------------------------
// SLURM: a real single-node cluster (scripts/slurm_sandbox.sh) in private PID + network namespaces.

function haveSlurm(): boolean {
  return existsSync("/usr/sbin/slurmctld") && existsSync("/usr/sbin/slurmd") && existsSync("/usr/bin/sbatch");
}
function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}
let slurmNotice = false;
function slurmUnavailable(): boolean {
  if (needsSamples()) return true;
  if (!isRoot()) {
    if (!slurmNotice) console.error("NOTICE: not root: the real-SLURM test of lmt_run is SKIPPED");
    slurmNotice = true;
    return true;
  }
  if (!existsSync("/usr/bin/unshare") && !existsSync("/bin/unshare")) {
    if (!slurmNotice) console.error("NOTICE: unshare missing: the real-SLURM test of lmt_run is SKIPPED");
    slurmNotice = true;
    return true;
  }
  return false;
}

async function ensureSlurm(): Promise<void> {
  if (haveSlurm()) return;
  const env = { ...Deno.env.toObject(), DEBIAN_FRONTEND: "noninteractive" };
  const inst = () =>
    new Deno.Command("apt-get", {
      args: ["install", "-y", "-qq", "--no-install-recommends", "slurmctld", "slurmd", "slurm-client"],
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
  let r = await inst();
  if (r.code !== 0) {
    await new Deno.Command("apt-get", { args: ["update", "-qq"], env, stdout: "null", stderr: "null" })
      .output();
    r = await inst();
  }
  assert.equal(r.code, 0, `apt-get install slurm failed: ${new TextDecoder().decode(r.stderr)}`);
}

const INNER = `set -u
cd "$WORK"
lmt_run --slurm --partition batch --account lmt --time 00:30:00 sample.run > submit.out 2> submit.err
echo $? > submit.rc
deadline=$((SECONDS + 300))
: > queue.txt
while [ $SECONDS -lt $deadline ]; do
  q=$(timeout 5 squeue -h -r -o '%i|%T|%r')
  echo "$q" | grep -E 'PENDING|RUNNING|CONFIGURING|COMPLETING' >> queue.txt
  echo "$q" | grep -qE 'PENDING|RUNNING|CONFIGURING|COMPLETING' || break
  echo "--" >> queue.txt
  sleep 0.5
done
timeout 5 scontrol -o show job > scontrol.txt
lmt_run status --json sample.run.lmt_run > status.json 2> status.err
lmt_run status sample.run.lmt_run > status.txt 2>&1
`;

Deno.test({
  name:
    "lmt_run --slurm on a real single-node SLURM: array + dependent combination, products, failure reported",
  ignore: slurmUnavailable(),
  fn: async () => {
    await ensureSlurm();
    const t = tempDir();
    try {
      const work = t.dir;
      writeFileSync(join(work, "sample.run"), SAMPLE_RUN);
      writeFileSync(join(work, "inner.sh"), INNER);
      mkdirSync(join(work, "slurm_logs"));
      const env = {
        PATH,
        HOME: work,
        WORK: work,
        DATA_LMT: sample("rsr", "data_lmt"),
        SLURM_SANDBOX_KEEP: join(work, "slurm_logs"),
      };
      const out = await new Deno.Command(join(ROOT, "scripts/slurm_sandbox.sh"), {
        args: ["bash", join(work, "inner.sh")],
        env,
        clearEnv: true,
        cwd: work,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      const diag = () =>
        `sandbox exit ${out.code}\n${dec.decode(out.stderr)}\nsubmit: ${readIf(join(work, "submit.out"))}${
          readIf(join(work, "submit.err"))
        }`;
      assert.equal(out.code, 0, diag());
      assert.equal(readFileSync(join(work, "submit.rc"), "utf8").trim(), "0", diag());
      // the sbatch calls: one array for tier 1, one job per combination, per-task afterany dependencies
      const sub = readFileSync(join(work, "submit.out"), "utf8");
      const arr = sub.match(/^t1-rsr: (\d+) \(array 0-2\)$/m);
      assert.ok(arr, sub);
      const A = arr[1]!;
      assert.match(sub, new RegExp(`^t2-91001_91003: \\d+ after ${A}_0,${A}_1$`, "m"));
      assert.match(sub, new RegExp(`^t2-91001_99999: \\d+ after ${A}_0,${A}_2$`, "m"));

      // the scheduler's own view: one line per job / array task
      const jobs = readFileSync(join(work, "scontrol.txt"), "utf8").trim().split("\n").map((l) => {
        const kv: Record<string, string> = {};
        for (const m of l.matchAll(/(\w+)=(\S*)/g)) kv[m[1]!] ??= m[2]!;
        return kv;
      });
      const task = (i: number) => jobs.find((j) => j.ArrayJobId === A && j.ArrayTaskId === String(i))!;
      const byName = (n: string) => jobs.find((j) => j.JobName === `lmt_run.sample.run.t2-${n}`)!;
      const [t0, t1, t2, combo, blocked] = [
        task(0),
        task(1),
        task(2),
        byName("91001_91003"),
        byName("91001_99999"),
      ];
      for (const j of [t0, t1, t2, combo, blocked]) assert.ok(j, readIf(join(work, "scontrol.txt")));
      assert.deepEqual([t0.JobState, t1.JobState, combo.JobState], ["COMPLETED", "COMPLETED", "COMPLETED"]);
      assert.deepEqual([t2.JobState, t2.ExitCode], ["FAILED", "1:0"]); // obsnum 99999
      assert.deepEqual([blocked.JobState, blocked.ExitCode], ["FAILED", "3:0"]); // refused: input failed
      assert.equal(t0.Partition, "batch");
      assert.equal(t0.Account, "lmt");
      assert.equal(t0.TimeLimit, "00:30:00");
      const time = (s: string) => Date.parse(s + "Z") / 1000;
      assert.ok(
        time(combo.StartTime!) >= Math.max(time(t0.EndTime!), time(t1.EndTime!)),
        "combination after its inputs",
      );
      assert.ok(
        time(t0.StartTime!) < time(t1.EndTime!) && time(t1.StartTime!) < time(t0.EndTime!),
        "tasks overlapped",
      );
      // while the inputs ran, squeue showed the combination waiting on its dependency
      const q = readFileSync(join(work, "queue.txt"), "utf8");
      assert.match(q, new RegExp(`^${combo.JobId}\\|PENDING\\|Dependency$`, "m"));

      // status files (sub-second stamps) and lmt_run status agree
      const st: Record<string, St> = Object.fromEntries(
        (JSON.parse(readFileSync(join(work, "status.json"), "utf8")) as St[]).map((x) => [x.name, x]),
      );
      assert.deepEqual(
        ["91001", "91003", "91001_91003", "99999", "91001_99999"].map((n) => st[n]!.state),
        ["done", "done", "done", "failed", "blocked"],
      );
      assert.ok(st["91001_91003"]!.start! >= Math.max(st["91001"]!.end!, st["91003"]!.end!));
      assert.equal(st["91001"]!.slurmId, `${A}_0`);
      assert.match(
        readFileSync(join(work, "status.txt"), "utf8"),
        /^99999 +1 +failed .*cannot tell the pipeline of obsnum 99999/m,
      );
      // kept batch scripts and the submit log (provenance)
      const rundir = join(work, "sample.run.lmt_run");
      assert.match(readFileSync(join(rundir, "slurm", "t1-rsr.sh"), "utf8"), /^#SBATCH --partition=batch$/m);
      assert.match(
        readFileSync(join(rundir, "slurm", "submit.log"), "utf8"),
        /^sbatch --parsable --array=0-2 /m,
      );
      checkSpectra(work, ["91001", "91003", "91001_91003"]);
    } finally {
      t.cleanup();
    }
  },
});

function readIf(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}
