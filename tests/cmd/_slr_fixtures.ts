/**
 * The generated data and runs behind fixtures/process_ps (outputs of lmtslr process_ps.py / process_bs.py on
 * the toolkit's generated Ps and Bs obsnums; see fixtures/process_ps/README.md).
 *
 * As a script it remakes the data tree, and with `--slr` the fixtures themselves:
 *   deno run -A tests/cmd/_slr_fixtures.ts DATA_DIR                      # generated $DATA_LMT tree only
 *   deno run -A tests/cmd/_slr_fixtures.ts DATA_DIR --slr /tmp/slr       # + run the original, write the fixtures
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSeq, type SeqSimOptions } from "../../lib/sim/seq.ts";
import { generateSeqPs, type SeqPsOptions } from "../../lib/sim/seq_ps.ts";
import { FIXTURES } from "../_helpers.ts";

/** Directory of the fixtures. */
export const PS_FIXTURES: string = join(FIXTURES, "process_ps");

/** One generated data set of the fixtures. */
export type FixtureData =
  | { generator: "generateSeqPs"; options: SeqPsOptions }
  | { generator: "generateSeq"; options: SeqSimOptions };

/** One run of the original: tool, its arguments without -p/-o, and the fixture file of its `-o` output. */
export interface FixtureRun {
  tool: "process_ps" | "process_bs";
  argv: string[];
  output: string;
}

/** fixtures/process_ps/cases.json. */
export interface FixtureCases {
  slr_commit: string;
  data: FixtureData[];
  runs: FixtureRun[];
}

/** Read fixtures/process_ps/cases.json. */
export function fixtureCases(): FixtureCases {
  return JSON.parse(readFileSync(join(PS_FIXTURES, "cases.json"), "utf8")) as FixtureCases;
}

/** Write every data set of the cases into the $DATA_LMT tree `root`. */
export async function generateFixtureData(root: string, cases: FixtureCases = fixtureCases()): Promise<void> {
  for (const d of cases.data) {
    if (d.generator === "generateSeqPs") await generateSeqPs(root, d.options);
    else await generateSeq(root, d.options);
  }
}

if (import.meta.main) {
  const [root, flag, slr] = Deno.args;
  if (root === undefined || (flag !== undefined && (flag !== "--slr" || slr === undefined))) {
    console.error("usage: _slr_fixtures.ts DATA_DIR [--slr SLR_WORKTREE]");
    Deno.exit(2);
  }
  const cases = fixtureCases();
  await generateFixtureData(root, cases);
  if (slr !== undefined) {
    const work = Deno.makeTempDirSync({ prefix: "slr-fixtures-" });
    for (const r of cases.runs) {
      const out = join(work, r.output);
      const cmd = new Deno.Command("/usr/bin/python3", {
        args: [join(work, `${r.tool}.py`), "-p", root, ...r.argv, "-o", out],
        cwd: work,
        env: { PYTHONPATH: slr, MPLBACKEND: "agg" },
        stdout: "null",
        stderr: "piped",
      });
      // process_bs.py at f3a42d2 tests an undefined name `blocks` for --block -1 (NameError): that one
      // character is corrected in the copy that is run, nothing else.
      const src = readFileSync(join(slr, "bin", `${r.tool}.py`), "utf8");
      writeFileSync(join(work, `${r.tool}.py`), src.replace("elif blocks == -1:", "elif block == -1:"));
      const res = cmd.outputSync();
      if (res.code !== 0) {
        console.error(
          `${r.tool} ${r.argv.join(" ")}: exit ${res.code}\n${new TextDecoder().decode(res.stderr)}`,
        );
        Deno.exit(1);
      }
      writeFileSync(join(PS_FIXTURES, r.output), readFileSync(out));
      console.error(`${r.output} written`);
    }
    Deno.removeSync(work, { recursive: true });
  }
}
