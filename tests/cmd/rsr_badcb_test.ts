import { equal, match } from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsSamples, ROOT, runTool, sample, tempDir } from "../_helpers.ts";

/** Reference file minus its "created by <script path>" line. */
function withoutCreatedBy(text: string): string {
  return text.split("\n").filter((l) => !l.startsWith("#    created by ")).join("\n");
}

for (const obsnum of [91001, 91003]) {
  Deno.test({
    name:
      `rsr_badcb -r/-b on rsr.${obsnum}.badlags reproduces the appended lines of the reference rfile/blanking`,
    ignore: needsSamples(),
    async fn() {
      const bl = sample("rsr", String(obsnum), `rsr.${obsnum}.badlags`);
      const rfile = readFileSync(sample("rsr", String(obsnum), `rsr.${obsnum}.rfile`), "utf8");
      const blanking = readFileSync(sample("rsr", String(obsnum), `rsr.${obsnum}.blanking`), "utf8");
      const r = await runTool("rsr_badcb", ["-r", bl]);
      equal(r.code, 0, r.stderr);
      equal(r.stdout, `# rsr_badcb: adding 1 badcb's\n# mode r\n${obsnum},3,2\n`);
      equal(rfile.endsWith(r.stdout), true);
      const b = await runTool("rsr_badcb", ["-b", bl]);
      equal(b.code, 0, b.stderr);
      equal(b.stdout, `# rsr_badcb: adding 1 badcb's\n# mode b\n${obsnum}   3  {2 : [(70,120)]}\n`);
      equal(blanking.endsWith(b.stdout), true);
      // --template: the whole file in one call (only the "created by" line differs)
      const tr = await runTool("rsr_badcb", ["-r", "--template", String(obsnum), bl]);
      equal(withoutCreatedBy(tr.stdout), withoutCreatedBy(rfile));
      const tb = await runTool("rsr_badcb", ["-b", "--template", String(obsnum), bl]);
      equal(withoutCreatedBy(tb.stdout), withoutCreatedBy(blanking));
    },
  });
}

Deno.test("rsr_badcb -o mode and stdin; no BADCB → '# no badcb's'", async () => {
  const r = await runTool("rsr_badcb", ["-r", "-o", "33551", "1/1,2/4,3/5"]);
  equal(r.code, 0, r.stderr);
  equal(r.stdout, "# setting badcbd=1/1,2/4,3/5\n33551,1,1\n33551,2,4\n33551,3,5\n");
  const b = await runTool("rsr_badcb", ["-b", "-o", "33551", "1/1,3/5"]);
  equal(b.stdout, "# setting badcbd=1/1,3/5\n33551 1 {1: [(70,115)]}\n33551 3 {5: [(70,115)]}\n");
  const s = await runTool("rsr_badcb", ["-r", "-"], {
    stdin: "#BADCB 12345 0 5 136.45 Tsys\n 1 0 101 12345 11.9 # max\n",
  });
  equal(s.stdout, "# rsr_badcb: adding 1 badcb's\n# mode r\n12345,0,5\n");
  const n = await runTool("rsr_badcb", ["-b", "-"], { stdin: " 1 0 101 12345 11.9 # max\n" });
  equal(n.stdout, "# no badcb's\n");
});

Deno.test("badlags2 | rsr_badcb -r - works as a Unix pipe", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const sh = `"${ROOT}/bin/badlags2" 91001 0/1/17,93 3/5 | "${ROOT}/bin/rsr_badcb" -r - > rsr.91001.rfile`;
    const out = await new Deno.Command("sh", { args: ["-c", sh], cwd: dir, stderr: "piped" }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    equal(
      readFileSync(join(dir, "rsr.91001.rfile"), "utf8"),
      "# rsr_badcb: adding 1 badcb's\n# mode r\n91001,3,5\n",
    );
  } finally {
    cleanup();
  }
});

Deno.test("rsr_badcb errors: malformed .badlags → file:line exit 1; bad usage → exit 2", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(
      join(dir, "bad.badlags"),
      "# header\n 1 0 101 91001 11.9 # max\n#BADCB 91001 7 2 0.2 badlags\n",
    );
    const r = await runTool("rsr_badcb", ["-r", "bad.badlags"], { cwd: dir });
    equal(r.code, 1);
    equal(r.stdout, "");
    match(r.stderr, /^rsr_badcb: bad\.badlags:3: chassis 7 out of range 0\.\.3\n$/);
    const m = await runTool("rsr_badcb", ["-r", "missing.badlags"], { cwd: dir });
    equal(m.code, 1);
    match(m.stderr, /missing\.badlags/);
    for (
      const args of [["rsr.badlags"], ["-r", "-b", "x"], ["-b", "-o", "91001", "1/9"], ["-r", "-o", "91001"]]
    ) {
      const u = await runTool("rsr_badcb", args, { cwd: dir });
      equal(u.code, 2, `args ${args.join(" ")}: ${u.stderr}`);
    }
  } finally {
    cleanup();
  }
});
