import assert from "node:assert/strict";
import {
  buildPlan,
  parseRunfile,
  parseSqueue,
  type Pipeline,
  readStatus,
  type ScriptContext,
} from "../../../lib/runfile/mod.ts";
import {
  estimateMemMB,
  jobSlurmIds,
  sbatchArgs,
  type SlurmOptions,
  slurmPlan,
} from "../../../lib/runfile/slurm.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";

const infer = (o: number): Promise<Pipeline> => Promise.resolve(o >= 97000 ? "seq" : "rsr");
const ctx: ScriptContext = { rundir: "/r/run", workdir: "/r", toolkit: "/tk", env: { DATA_LMT: "/d" } };
const opts = (o: Partial<SlurmOptions> = {}): SlurmOptions => ({
  mode: "job",
  bundle: 1,
  extra: [],
  cpus: 1,
  memMB: (j) => (j.pipeline === "seq" ? 3000 : 1200),
  runName: "p",
  ...o,
});
const RUN =
  "obsnum=91001\nobsnum=91003\nobsnum=91005\nobsnum=97001\nobsnum=97005\nobsnums=91001,91003\nobsnums=97001,97005\n";

Deno.test("slurmPlan() job mode: tier-1 arrays per class, combinations depend on exactly their input tasks", async () => {
  const plan = await buildPlan(parseRunfile(RUN, "p.run"), { infer });
  const subs = slurmPlan(plan, new Set(plan.jobs.map((j) => j.name)), ctx, opts({ bundle: 2 }));
  assert.deepEqual(subs.map((s) => [s.key, s.tasks, s.array, s.memMB]), [
    ["t1-rsr", [["91001", "91003"], ["91005"]], true, 1200],
    ["t1-seq", [["97001", "97005"]], true, 3000],
    ["t2-91001_91003", [["91001_91003"]], false, 1200],
    ["t2-97001_97005", [["97001_97005"]], false, 3000],
  ]);
  const ids = new Map([["t1-rsr", "100"], ["t1-seq", "101"], ["t2-91001_91003", "102"]]);
  assert.deepEqual(sbatchArgs(subs[0]!, ids, "/r/run/slurm/t1-rsr.sh", opts({ extra: ["--qos=x"] })), [
    "--parsable",
    "--array=0-1",
    "--qos=x",
    "/r/run/slurm/t1-rsr.sh",
  ]);
  assert.deepEqual(sbatchArgs(subs[2]!, ids, "s.sh", opts()), [
    "--parsable",
    "--dependency=afterany:100_0",
    "s.sh",
  ]);
  assert.deepEqual(sbatchArgs(subs[3]!, ids, "s.sh", opts()), [
    "--parsable",
    "--dependency=afterany:101_0",
    "s.sh",
  ]);
  assert.deepEqual(jobSlurmIds(subs, ids), {
    "91001": "100_0",
    "91003": "100_0",
    "91005": "100_1",
    "97001": "101_0",
    "97005": "101_0",
    "91001_91003": "102",
  });
  // the batch script: resources, provenance, task table
  const s = subs[0]!.script;
  assert.match(s, /^#SBATCH --mem=1200M$/m);
  assert.match(s, /^#SBATCH --output=\/r\/run\/logs\/slurm-%A_%a\.out$/m);
  assert.match(s, /^ {2}0\) jobs="91001 91003" ;;$/m);
  assert.match(s, /^ {2}1\) jobs="91005" ;;$/m);
  assert.match(s, /bash \/r\/run\/jobs\/"\$j"\.sh \|\| rc=\$\?; done\nexit \$rc\n$/);
  assert.doesNotMatch(s, /--partition/);
});

Deno.test("slurmPlan() tier mode and pass-through options; done jobs are left out", async () => {
  const plan = await buildPlan(parseRunfile(RUN, "p.run"), { infer });
  const o = opts({ mode: "tier", partition: "batch", account: "lmt", time: "01:00:00", bundle: 3 });
  const run = new Set(plan.jobs.map((j) => j.name).filter((n) => n !== "91005"));
  const subs = slurmPlan(plan, run, ctx, o);
  assert.deepEqual(subs.map((s) => [s.key, s.tasks, s.deps]), [
    ["t1-rsr", [["91001", "91003"]], []],
    ["t1-seq", [["97001", "97005"]], []],
    ["t2-rsr", [["91001_91003"]], [{ key: "t1-rsr" }, { key: "t1-seq" }]],
    ["t2-seq", [["97001_97005"]], [{ key: "t1-rsr" }, { key: "t1-seq" }]],
  ]);
  const ids = new Map([["t1-rsr", "7"], ["t1-seq", "8"]]);
  assert.deepEqual(sbatchArgs(subs[2]!, ids, "x.sh", o), [
    "--parsable",
    "--array=0-0",
    "--dependency=afterany:7:8",
    "x.sh",
  ]);
  assert.match(
    subs[2]!.script,
    /^#SBATCH --partition=batch\n#SBATCH --account=lmt\n#SBATCH --time=01:00:00$/m,
  );
  // a combination whose inputs are all done has no dependency
  const subs2 = slurmPlan(plan, new Set(["91001_91003"]), ctx, opts());
  assert.deepEqual(subs2.map((s) => [s.key, s.deps]), [["t2-91001_91003", []]]);
});

Deno.test("estimateMemMB() grows with SEQ raw size; RSR is flat", () => {
  assert.equal(estimateMemMB("rsr", 5e9), 1200);
  assert.equal(estimateMemMB("seq", 0), 1200);
  assert.equal(estimateMemMB("seq", 57e6), 1500); // the sample SEQ map: 1200 + 4*57 -> rounded up to 100 MB
  assert.equal(estimateMemMB("seq", 2e9), 9200);
});

Deno.test("readStatus() merges status files with squeue states", async () => {
  const t = tempDir();
  try {
    const plan = await buildPlan(
      parseRunfile("obsnum=91001\nobsnum=91003\nobsnum=91005\nobsnum=91007\nobsnums=91001,91003\n", "p"),
      { infer },
    );
    mkdirSync(join(t.dir, "status"));
    writeFileSync(join(t.dir, "status", "91001.done"), "job=91001\nstart=10.5\nend=20\nrc=0\nreason=\n");
    writeFileSync(join(t.dir, "status", "91003.running"), "job=91003\nstart=11\nhost=n1\n");
    const q = parseSqueue(
      "100_0|COMPLETED|None\n100_1|RUNNING|None\n100_2|CANCELLED|None\n102|PENDING|Dependency\n",
    );
    const ids = { "91001": "100_0", "91003": "100_1", "91005": "100_2", "91001_91003": "102" };
    const st = readStatus(plan, t.dir, ids, q);
    assert.deepEqual(st.map((s) => [s.name, s.state, s.reason ?? ""]), [
      ["91001", "done", ""],
      ["91003", "running", ""],
      ["91005", "failed", "SLURM job 100_2 ended CANCELLED"],
      ["91007", "not-run", ""],
      ["91001_91003", "pending", "Dependency"],
    ]);
    assert.equal(st[0]!.end! - st[0]!.start!, 9.5);
    assert.equal(st[1]!.host, "n1");
  } finally {
    t.cleanup();
  }
});
