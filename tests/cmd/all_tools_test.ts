/**
 * Every tool, black-box through bin/: --help lists each option with its default, --version, an unknown
 * option is a usage error (exit 2) with "did you mean", a data error is one line with exit 1 and leaves no
 * output file behind.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { runTool, tempDir } from "../_helpers.ts";

const TOOLS = [
  "badlags",
  "badlags2",
  "rsr_badcb",
  "rsr_tsys",
  "rsr_driver",
  "rsr_sum",
  "process_otf_map",
  "process_bs",
  "process_ps",
  "grid_data",
  "spec_driver_fits",
  "lmtinfo",
  "make_spec_fits",
  "seq_moments",
  "seq_viewspec",
  "sdfits",
  "lmt_web",
];

/** A command that must fail on data (not usage), with the outputs it names. */
const DATA_ERRORS: Record<string, string[]> = {
  badlags: ["-B", "out.badlags", "5"],
  rsr_badcb: ["-r", "nosuch.badlags"],
  rsr_tsys: ["5"],
  rsr_driver: ["5", "-o", "out.txt"],
  rsr_sum: ["-b", "nosuch.blanking"],
  process_otf_map: ["-O", "5", "-o", "out.nc"],
  process_bs: ["--obs_list", "5", "-o", "out.txt"],
  process_ps: ["--obs_list", "5", "--pix_list", "10", "-o", "out.txt"],
  grid_data: ["-i", "nosuch.nc", "-o", "cube.fits", "-w", "wt.fits"],
  spec_driver_fits: ["-i", "nosuch.nc", "-o", "cube.fits", "-w", "wt.fits"],
  lmtinfo: ["5"],
  make_spec_fits: ["-i", "nosuch.nc", "-o", "wf.fits", "--png", "wf.png"],
  seq_moments: ["-i", "nosuch.fits", "-o", "m"],
  seq_viewspec: ["-i", "nosuch.fits", "-o", "spec.txt", "--png", "spec.png"],
  sdfits: ["-i", "nosuch.nc", "-o", "out.sdfits"],
  lmt_web: ["--port", "0", "nosuch"],
};

function longOptions(help: string): string[] {
  return [...help.matchAll(/--([a-z][a-z0-9_-]{3,})/gi)].map((m) => m[1]!)
    .filter((o) => !["help", "version", "debug"].includes(o));
}

for (const tool of TOOLS) {
  Deno.test(`${tool}: --help, --version, unknown option, data error`, async () => {
    const h = await runTool(tool, ["--help"]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`^${tool} - `));
    // every option line carries its default (or says it is required)
    const optLines = h.stdout.split("\n").filter((l) =>
      /^\s+(-\w, )?--?\w/.test(l) && !/--(help|version|debug)/.test(l)
    );
    if (tool !== "badlags2") assert.ok(optLines.length > 0, "options listed"); // badlags2 has arguments only
    const text = h.stdout.replace(/\n\s{8,}/g, " ");
    for (
      const line of text.split("\n").filter((l) =>
        /^\s+(-\w, )?--\w/.test(l) && !/--(help|version|debug)\b/.test(l)
      )
    ) {
      assert.match(line, /\[default: [^\]]*\]|\(required\)/, `${tool}: option line without default: ${line}`);
    }
    const v = await runTool(tool, ["--version"]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, new RegExp(`^${tool} \\d+\\.\\d+\\.\\d+`));

    const opts = longOptions(h.stdout);
    const target = opts.find((o) => o.length >= 5) ?? opts[0] ?? "verbose";
    const typo = target.slice(0, -2) + target.slice(-1) + target.slice(-2, -1); // swap the last two letters
    const u = await runTool(tool, [`--${typo}`, "1"]);
    assert.equal(u.code, 2, `${tool} --${typo}: ${u.stderr}`);
    assert.match(u.stderr, new RegExp(`unknown option --${typo}`));
    if (opts.length > 0) assert.match(u.stderr, new RegExp(`did you mean --${target}\\?`));
    assert.ok(!/\n\s+at /.test(u.stderr), "no stack trace");

    const args = DATA_ERRORS[tool];
    if (args) {
      const { dir, cleanup } = tempDir();
      try {
        const d = await runTool(tool, args, { cwd: dir, env: { DATA_LMT: dir, CORR_CAL_DIR: dir } });
        assert.equal(d.code, 1, `${tool} ${args.join(" ")}: exit ${d.code}: ${d.stderr}`);
        const lines = d.stderr.trim().split("\n");
        assert.equal(lines.length, 1, `one line: ${d.stderr}`);
        assert.match(lines[0]!, new RegExp(`^${tool}: `));
        assert.deepEqual(readdirSync(dir), [], "no output file left behind");
      } finally {
        cleanup();
      }
    }
  });
}
