import assert from "node:assert/strict";
import * as nodefs from "node:fs";
import { join } from "node:path";
import * as fs from "../../../lib/sys/fs.ts";
import { tempDir } from "../../_helpers.ts";

/** The same script of calls through lib/sys/fs and through node:fs. */
function script(api: typeof fs | typeof nodefs, dir: string): string[] {
  const log: string[] = [];
  const p = join(dir, "f.bin");
  const fd = api.openSync(p, "w");
  api.writeSync(fd, new Uint8Array([1, 2, 3, 4, 5]));
  api.writeSync(fd, new Uint8Array([9, 9]), 0, 2, 1); // positioned: the sequential position stays at 5
  api.writeSync(fd, new Uint8Array([6, 7]));
  api.ftruncateSync(fd, 10);
  log.push(`size ${api.fstatSync(fd).size}`);
  api.closeSync(fd);
  const r = api.openSync(p, "r");
  const b = new Uint8Array(4);
  log.push(`pread ${api.readSync(r, b, 0, 4, 3)} ${Array.from(b)}`);
  log.push(`read ${api.readSync(r, b, 0, 4, null)} ${Array.from(b)}`); // from 0: pread did not move it
  log.push(`read ${api.readSync(r, b, 1, 3, null)} ${Array.from(b)}`);
  log.push(`eof ${api.readSync(r, b, 0, 4, 100)}`);
  api.closeSync(r);
  const a = api.openSync(p, "a");
  api.writeSync(a, new Uint8Array([42]));
  api.closeSync(a);
  log.push(`bytes ${Array.from(api.readFileSync(p) as Uint8Array)}`);
  api.writeFileSync(join(dir, "t.txt"), "héllo");
  log.push(`text ${api.readFileSync(join(dir, "t.txt"), "utf8")}`);
  api.writeFileSync(join(dir, "t.txt"), "!", { flag: "a" });
  log.push(`appended ${api.readFileSync(join(dir, "t.txt"), "utf8")}`);
  api.mkdirSync(join(dir, "d1", "d2"), { recursive: true });
  api.mkdirSync(join(dir, "d1", "d2"), { recursive: true }); // exists: no error
  log.push(`mkdir ${api.statSync(join(dir, "d1", "d2")).isDirectory()}`);
  api.rmSync(join(dir, "d1"), { recursive: true });
  api.renameSync(join(dir, "t.txt"), join(dir, "u.txt"));
  log.push(`exists ${api.existsSync(join(dir, "t.txt"))} ${api.existsSync(join(dir, "u.txt"))}`);
  log.push(`dir ${api.readdirSync(dir).sort().join(",")}`);
  const st = api.statSync(dir);
  log.push(`stat ${st.isDirectory()} ${st.isFile()} ${api.statSync(p).size}`);
  for (
    const [what, f] of [
      ["open missing", () => api.openSync(join(dir, "nope"), "r")],
      ["wx existing", () => api.openSync(p, "wx")],
      ["stat missing", () => api.statSync(join(dir, "nope"))],
    ] as const
  ) {
    try {
      f();
      log.push(`${what}: no error`);
    } catch (e) {
      const err = e as { code: string; message: string };
      log.push(`${what}: ${err.code} ${err.message.replace(dir, "DIR")}`);
    }
  }
  api.rmSync(join(dir, "nope"), { force: true });
  const t = api.mkdtempSync(join(dir, "tmp-"));
  api.writeFileSync(join(t, "x"), "x");
  api.rmSync(t, { recursive: true, force: true });
  log.push(`after rm ${api.existsSync(t)} ${api.readdirSync(dir).sort().join(",")}`);
  return log;
}

Deno.test("lib/sys/fs behaves like node:fs (positions, append, truncate, errors with node codes and messages)", () => {
  const a = tempDir(), b = tempDir();
  try {
    const ours = script(fs, a.dir);
    const node = script(nodefs, b.dir);
    assert.deepEqual(ours, node);
    assert.ok(ours.includes("pread 4 4,5,6,7"), ours.join("\n"));
    assert.ok(
      ours.some((l) =>
        l.startsWith("open missing: ENOENT ENOENT: no such file or directory, open 'DIR/nope'")
      ),
      ours.join("\n"),
    );
  } finally {
    a.cleanup();
    b.cleanup();
  }
});
