import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runDeno, tempDir } from "../../_helpers.ts";

const DENO = Deno.execPath();
const FIXTURE = join(ROOT, "tests/lib/cli/fixture_tool.ts");

function run(args: string[], stdin?: string, cwd?: string) {
  return runDeno(FIXTURE, args, { ...(stdin === undefined ? {} : { stdin }), ...(cwd ? { cwd } : {}) });
}

Deno.test("tool skeleton: --help lists options with defaults, exit 0", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--output OUTPUT\s+output file \[default: -\]/);
  assert.match(r.stdout, /--lines LINES\s+lines to write \[default: 3\]/);
  assert.equal(r.stderr, "");
});

Deno.test("tool skeleton: usage errors exit 2 with one clear line", async () => {
  const r = await run(["--line", "x", "in"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^demo_tool: option --lines: expected an integer, got 'x'\n/);
  const u = await run(["--outptu", "f", "in"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown option --outptu \(did you mean --output\?\)/);
});

Deno.test("tool skeleton: '-' reads stdin and writes stdout", async () => {
  const r = await run(["-n", "2", "-"], "hello\n");
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "0 hello\n1 hello\n");
});

Deno.test("tool skeleton: outputs are atomic — an error leaves no file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "in.txt"), "abc\n");
    const ok = await run(["-o", "out.txt", "in.txt"], undefined, dir);
    assert.equal(ok.code, 0);
    assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "0 abc\n1 abc\n2 abc\n");
    const bad = await run(["-o", "bad.txt", "--fail", "in.txt"], undefined, dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "demo_tool: in.txt:2: something is wrong\n");
    assert.equal(existsSync(join(dir, "bad.txt")), false);
    assert.deepEqual(readdirSync(dir).sort(), ["in.txt", "out.txt"]);
    const missing = await run(["nosuch.txt"], undefined, dir);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "demo_tool: nosuch.txt: no such file\n");
  } finally {
    cleanup();
  }
});

Deno.test("tool skeleton: a closed stdout pipe is not an error", async () => {
  const cmd = new Deno.Command("sh", {
    args: [
      "-c",
      `"${DENO}" run -A --quiet --config "${ROOT}/deno.json" "${FIXTURE}" -n 200000 - < /dev/null | head -1; echo "rc=\${PIPESTATUS:-x}"`,
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const o = await cmd.output();
  assert.equal(new TextDecoder().decode(o.stderr), "");
});

Deno.test("tool skeleton: LMT_SIDECAR=1 writes a provenance sidecar per output file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "in.txt"), "abc\n");
    const o = await runDeno(FIXTURE, ["-n", "1", "-o", "out.txt", "in.txt"], {
      cwd: dir,
      env: { LMT_SIDECAR: "1" },
    });
    assert.equal(o.code, 0);
    const side = JSON.parse(readFileSync(join(dir, "out.txt.json"), "utf8"));
    assert.equal(side.tool, "demo_tool");
    assert.equal(side.command, "demo_tool -n 1 -o out.txt in.txt");
    assert.deepEqual(side.inputs, ["in.txt"]);
    assert.deepEqual(side.outputs, ["out.txt"]);
    assert.equal(side.parameters.lines, 1);
    assert.ok(side.wall_time_s >= 0 && side.wall_time_s < 60);
  } finally {
    cleanup();
  }
});

Deno.test("tool skeleton: the h5wasm runtime's 'Cannot enlarge memory' chatter is dropped: one error line", async () => {
  const r = await run(["--wasm_oom", "x.nc"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "demo_tool: x.nc: cannot read: out of memory\n");
  // with --debug the runtime's own lines are shown (for developers)
  const d = await run(["--wasm_oom", "--debug", "x.nc"]);
  assert.match(d.stderr, /Cannot enlarge memory, requested 3\d+ bytes/);
});
