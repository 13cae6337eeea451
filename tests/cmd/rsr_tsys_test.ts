import { equal, match } from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, runTool, sample, tempDir } from "../_helpers.ts";

function cbLines(text: string): string[][] {
  return text.split("\n").filter((l) => /^#(OK|BAD)CB /.test(l)).map((l) => l.split(" "));
}

for (
  const [obsnum, log, withBadlags] of [[91001, "rsr_tsys0.log", false], [
    91003,
    "rsr_tsys1.log",
    true,
  ]] as const
) {
  Deno.test({
    name: `rsr_tsys ${obsnum}${withBadlags ? " -b" : ""}: #OKCB/#BADCB lines and jitter match ${log} (1e-10)`,
    ignore: needsSamples(),
    async fn() {
      const { dir, cleanup } = tempDir();
      try {
        const args = withBadlags ? ["-b", sample("rsr", String(obsnum), `rsr.${obsnum}.badlags`)] : [];
        const r = await runTool("rsr_tsys", [...args, "-y", "tsys.png", String(obsnum)], {
          cwd: dir,
          env: { DATA_LMT: sample("rsr", "data_lmt") },
        });
        equal(r.code, 0, r.stderr);
        const ref = readFileSync(sample("rsr", String(obsnum), log), "utf8");
        const ours = cbLines(r.stdout), want = cbLines(ref);
        equal(ours.length, 24);
        equal(ours.length, want.length);
        for (let i = 0; i < 24; i++) {
          const o = ours[i]!, w = want[i]!;
          equal([o[0], o[1], o[2], o[3], o[5]].join(" "), [w[0], w[1], w[2], w[3], w[5]].join(" "));
          const rel = Math.abs(Number(o[4]) - Number(w[4])) / Number(w[4]);
          equal(rel < 1e-10, true, `${w.join(" ")}: ours ${o[4]} (rel ${rel})`);
        }
        // stdout is data only: CB lines then the obsnum line, no docopt dict
        equal(r.stdout.endsWith("\n"), true);
        const lines = r.stdout.slice(0, -1).split("\n");
        equal(lines.length, 25);
        const last = ref.split("\n").find((l) => l.startsWith(`obsnum=${obsnum}`))!;
        equal(lines[24], last);
        equal(
          [...readFileSync(join(dir, "tsys.png")).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""),
          "PNG",
        );
      } finally {
        cleanup();
      }
    },
  });
}

Deno.test({
  name: "rsr_tsys -t prints only the obsnum line; missing chassis is a warning",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const root = join(dir, "data_lmt");
      for (const c of [0, 2]) {
        mkdirSync(join(root, `RedshiftChassis${c}`), { recursive: true });
        for (const o of ["091002", "091003"]) {
          const f = `RedshiftChassis${c}_2024-11-02_${o}_00_0001.nc`;
          symlinkSync(
            sample("rsr", "data_lmt", `RedshiftChassis${c}`, f),
            join(root, `RedshiftChassis${c}`, f),
          );
        }
      }
      const env = { DATA_LMT: root, CORR_CAL_DIR: sample("rsr", "data_lmt", "rsr", "cal") };
      const t = await runTool("rsr_tsys", ["-t", "91003"], { cwd: dir, env });
      equal(t.code, 0, t.stderr);
      equal(t.stdout, "obsnum=91003 \n");
      match(t.stderr, /warning: skipping missing chassis 1/);
      match(t.stderr, /warning: skipping missing chassis 3/);
      const r = await runTool("rsr_tsys", ["91003"], { cwd: dir, env });
      equal(r.code, 0, r.stderr);
      equal(cbLines(r.stdout).length, 12);
      equal(r.stdout.endsWith("\nobsnum=91003 badcb=0/5\n"), true);
      // appendable to a .badlags: the BADCB line is what rsr_badcb reads
      const bad = r.stdout.split("\n").filter((l) => l.startsWith("#BADCB"));
      equal(bad.length, 1);
      match(bad[0]!, /^#BADCB 91003 0 5 136\.45\d+ Tsys$/);
      const b = await runTool("rsr_badcb", ["-r", "-"], { stdin: bad.join("\n") + "\n" });
      equal(b.stdout, "# rsr_badcb: adding 1 badcb's\n# mode r\n91003,0,5\n");
    } finally {
      cleanup();
    }
  },
});

Deno.test("rsr_tsys: no data → exit 1; bad option → exit 2", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await runTool("rsr_tsys", ["91001"], { cwd: dir, env: { DATA_LMT: dir } });
    equal(r.code, 1);
    match(r.stderr, /^rsr_tsys: no RedshiftChassis files for obsnum 91001 under /);
    equal((await runTool("rsr_tsys", ["--rms", "x", "91001"], { cwd: dir, env: { DATA_LMT: dir } })).code, 2);
  } finally {
    cleanup();
  }
});
