import { equal, match } from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

Deno.test({
  name: "badlags writes rsr.badlags identical to the original's (but line 1), report on stdout, PNG with -y",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const r = await runTool("badlags", ["-d", "-y", "badlags.png", "--spike", "3", "91001"], {
        cwd: dir,
        env: { DATA_LMT: sample("rsr", "data_lmt") },
      });
      equal(r.code, 0, r.stderr);
      const ours = readFileSync(join(dir, "rsr.badlags"), "utf8").split("\n");
      const ref = readFileSync(sample("rsr", "91001", "rsr.91001.badlags"), "utf8").split("\n");
      equal(ours[0], "# File written by badlags - version 4-nov-2024");
      equal(ours.slice(1).join("\n"), ref.slice(1).join("\n"));
      // stdout report: the flagged lines, RMS_diff lines and the summary, as in rsr_badlags.log
      const log = readFileSync(sample("rsr", "91001", "rsr_badlags.log"), "utf8");
      for (
        const want of [
          " 0  4 222  91001    1.3   22.6   # spike",
          "RMS_diff  3  2  0.236 *** bad c/b",
          "Found 0 min, 3 max and 1 spike badlags",
          "obsnum=91001 badcb=3/2,",
          "Found 1 bad Chassis/Board's",
        ]
      ) {
        equal(log.includes(want), true, `reference log lacks ${want}`);
        equal(r.stdout.includes(want + "\n"), true, `stdout lacks ${want}`);
      }
      const png = readFileSync(join(dir, "badlags.png"));
      equal([...png.subarray(0, 4)].join(), PNG_MAGIC.join());
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "badlags -B honours the output name; -B - writes the file to stdout",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const env = { DATA_LMT: sample("rsr", "data_lmt") };
      const r = await runTool("badlags", ["-B", "rsr.91003.badlags", "91003"], { cwd: dir, env });
      equal(r.code, 0, r.stderr);
      equal(existsSync(join(dir, "rsr.badlags")), false);
      const ref = readFileSync(sample("rsr", "91003", "rsr.91003.badlags"), "utf8");
      const ours = readFileSync(join(dir, "rsr.91003.badlags"), "utf8");
      equal(ours.split("\n").slice(1).join("\n"), ref.split("\n").slice(1).join("\n"));
      equal(r.stdout.includes("Wrote rsr.91003.badlags\n"), true);
      const s = await runTool("badlags", ["-B", "-", "91003"], { cwd: dir, env });
      equal(s.code, 0, s.stderr);
      equal(s.stdout, ours);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "badlags: a missing chassis is a warning and makes its 6 boards BADCB with rms 0",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const root = join(dir, "data_lmt");
      for (const c of [0, 1, 3]) {
        mkdirSync(join(root, `RedshiftChassis${c}`), { recursive: true });
        const f = `RedshiftChassis${c}_2024-11-02_091001_00_0001.nc`;
        symlinkSync(
          sample("rsr", "data_lmt", `RedshiftChassis${c}`, f),
          join(root, `RedshiftChassis${c}`, f),
        );
      }
      const r = await runTool("badlags", ["-B", "-", "91001"], { cwd: dir, env: { DATA_LMT: root } });
      equal(r.code, 0, r.stderr);
      match(r.stderr, /badlags: warning: skipping missing chassis 2 for obsnum 091001/);
      for (let b = 0; b < 6; b++) equal(r.stdout.includes(`#BADCB 91001 2 ${b} 0 badlags\n`), true);
      equal(r.stdout.includes(" 2  2  45"), false);
      equal(r.stdout.includes(" 1  0 101  91001   11.9    # max\n"), true);
      equal(r.stdout.endsWith("# Found 0 min, 2 max, 1 spike badlags and 7 bad C/B's\n"), true);
    } finally {
      cleanup();
    }
  },
});

Deno.test("badlags: no data → exit 1 naming the root, nothing written; usage errors → exit 2", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await runTool("badlags", ["91001"], { cwd: dir, env: { DATA_LMT: dir } });
    equal(r.code, 1);
    match(r.stderr, /^badlags: no RedshiftChassis files for obsnum 91001 under /);
    equal(r.stderr.trim().split("\n").filter((l) => !l.includes("warning")).length, 1);
    equal(existsSync(join(dir, "rsr.badlags")), false);
    const u = await runTool("badlags", ["--spkie", "3", "91001"], { cwd: dir, env: { DATA_LMT: dir } });
    equal(u.code, 2);
    match(u.stderr, /spike/);
    const n = await runTool("badlags", ["91001"], { cwd: dir, env: {} });
    equal(n.code, 1);
    match(n.stderr, /DATA_LMT is not set/);
  } finally {
    cleanup();
  }
});
