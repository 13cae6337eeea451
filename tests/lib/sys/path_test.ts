import assert from "node:assert/strict";
import * as node from "node:path";
import * as os from "node:os";
import { basename, dirname, join, normalize, resolve, tmpdir } from "../../../lib/sys/path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "///a//b/",
  "//a",
  "a//b//",
  "a",
  "a/",
  "a//b",
  "/a/b/c",
  "/a/b/c/",
  "a/./b/../../..",
  "../../x",
  "/../x",
  "/a/../..",
  "./a",
  "a/b/../c/./d.fits",
  "dir/file.tar.gz",
  ".hidden",
  "/x/.hidden/",
  "rsr_33551.rfile",
  "bbb/",
  "x.fits",
];

Deno.test("normalize, dirname and basename agree with node:path on edge cases", () => {
  for (const p of PATHS) {
    assert.equal(normalize(p), node.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(dirname(p), node.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(basename(p), node.posix.basename(p), `basename(${JSON.stringify(p)})`);
    // suffixes are stripped from a last segment without trailing "/" (with one, node's answers are
    // odd: basename("a/b/", "bbb") is "b/")
    for (
      const ext of node.posix.basename(p) === "" || p.endsWith("/")
        ? []
        : [".fits", ".gz", "file.tar.gz", ".hidden", "", "bbb", "x.fits", "a"]
    ) {
      assert.equal(basename(p, ext), node.posix.basename(p, ext), `basename(${JSON.stringify(p)}, ${ext})`);
    }
  }
});

Deno.test("join and resolve agree with node:path", () => {
  for (const a of PATHS) {
    for (const b of ["", "x", "/y", "../z", "w/"]) {
      assert.equal(join(a, b), node.posix.join(a, b), `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
      assert.equal(
        resolve(a, b),
        node.posix.resolve(a, b),
        `resolve(${JSON.stringify(a)}, ${JSON.stringify(b)})`,
      );
    }
  }
  assert.equal(join(), node.posix.join());
  assert.equal(resolve(), node.posix.resolve());
  assert.equal(join("a", "", "b", ".."), node.posix.join("a", "", "b", ".."));
});

Deno.test("tmpdir follows TMPDIR like node:os", () => {
  const old = Deno.env.get("TMPDIR");
  try {
    for (const v of ["/var/tmp/", "/scratch/x", "/"]) {
      Deno.env.set("TMPDIR", v);
      assert.equal(tmpdir(Deno.env.toObject()), os.tmpdir(), v);
    }
  } finally {
    if (old === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", old);
  }
});
