import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  processAlive,
  removeStaleDirs,
  removeStaleTemps,
  TempFile,
  tempNameFor,
  withTempFile,
} from "../../../lib/sys/tempfile.ts";
import { tempDir } from "../../_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A PID that is not running (the largest Linux PID space is 2^22). */
function deadPid(): number {
  for (let p = 4_000_000; p > 3_000_000; p -= 7919) if (!processAlive(p)) return p;
  throw new Error("no free pid found");
}

Deno.test("TempFile: the target appears only on commit; abort leaves nothing", () => {
  const { dir, cleanup } = tempDir();
  try {
    const target = join(dir, "out.nc");
    const t = TempFile.create(target);
    match(t.tempPath, new RegExp(`/\\.out\\.nc\\.${Deno.pid}\\.[0-9a-z]{8}\\.tmp$`));
    t.write(enc("abc"));
    t.write(enc("def"));
    ok(!existsSync(target));
    t.commit();
    equal(readFileSync(target, "utf8"), "abcdef");
    deepEqual(readdirSync(dir), ["out.nc"]);
    const u = TempFile.create(target);
    u.write(enc("x"));
    u.abort();
    u.abort();
    equal(readFileSync(target, "utf8"), "abcdef");
    deepEqual(readdirSync(dir), ["out.nc"]);
    throws(() =>
      withTempFile(join(dir, "b"), () => {
        throw new Error("fail");
      })
    );
    deepEqual(readdirSync(dir), ["out.nc"]);
  } finally {
    cleanup();
  }
});

function match(s: string, re: RegExp): void {
  ok(re.test(s), `${s} !~ ${re}`);
}

Deno.test("TempFile: commit without replace never replaces a file that appeared meanwhile", () => {
  const { dir, cleanup } = tempDir();
  try {
    const target = join(dir, "c.fits");
    const t = TempFile.create(target);
    t.write(enc("mine"));
    writeFileSync(target, "theirs"); // another run got there first
    throws(() => t.commit({ replace: false }), /EEXIST/);
    equal(readFileSync(target, "utf8"), "theirs");
    deepEqual(readdirSync(dir), ["c.fits"]);
  } finally {
    cleanup();
  }
});

Deno.test("TempFile.rollback() removes the target only while it is still this run's file", () => {
  const { dir, cleanup } = tempDir();
  try {
    const target = join(dir, "cube.fits");
    const a = TempFile.create(target);
    a.write(enc("A"));
    a.commit();
    // another run replaces it (rename over it), then this run rolls back
    writeFileSync(join(dir, "other"), "B");
    renameSync(join(dir, "other"), target);
    equal(a.rollback(), false);
    equal(readFileSync(target, "utf8"), "B");
    const b = TempFile.create(target);
    b.write(enc("C"));
    b.commit();
    equal(b.rollback(), true);
    ok(!existsSync(target));
  } finally {
    cleanup();
  }
});

Deno.test("removeStaleTemps() removes temp files of dead processes only, of this target only", () => {
  const { dir, cleanup } = tempDir();
  try {
    const target = join(dir, "map.nc");
    const dead = deadPid();
    const stale = tempNameFor(target, dead);
    const old = join(dir, `.map.nc.tmp-${dead}-abc123`); // the older naming
    const live = tempNameFor(target, Deno.pid);
    const other = tempNameFor(join(dir, "map.nc2"), dead);
    for (const p of [stale, old, live, other]) writeFileSync(p, "x");
    deepEqual(removeStaleTemps(target).sort(), [stale, old].sort());
    deepEqual(readdirSync(dir).sort(), [live, other].map((p) => p.split("/").pop()!).sort());
    // scratch directories
    mkdirSync(join(dir, `process_otf_map-${dead}-abcdefgh`));
    mkdirSync(join(dir, `process_otf_map-${Deno.pid}-abcdefgh`));
    deepEqual(removeStaleDirs(dir, "process_otf_map"), [join(dir, `process_otf_map-${dead}-abcdefgh`)]);
    ok(existsSync(join(dir, `process_otf_map-${Deno.pid}-abcdefgh`)));
  } finally {
    cleanup();
  }
});
