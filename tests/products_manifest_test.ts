/**
 * The byte-for-byte guard over every tool's products (scripts/products_manifest.ts): small generated RSR and
 * SEQ data, every tool run with its common option sets, each product's sha256 (after masking the date and
 * time of the run, the temporary directory and the version) equal to the committed tests/data/products.sha256.
 * A refactoring that changes any byte of any product fails here, naming the product.
 */
import assert from "node:assert/strict";
import {
  compareManifest,
  describeDiffs,
  diffHint,
  MANIFEST_PATH,
  normalise,
  productsManifest,
  readManifest,
} from "../scripts/products_manifest.ts";

Deno.test({
  name: "products manifest: every tool's products byte-identical to tests/data/products.sha256",
  // tools run in-process: lib/cli's signal watchdog thread stays up for the rest of the process
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const expected = readManifest();
    assert.ok(expected.length > 50, `${MANIFEST_PATH} missing or short (${expected.length} lines)`);
    const actual = await productsManifest();
    const diffs = compareManifest(actual, expected);
    assert.deepEqual(
      diffs,
      [],
      `${diffs.length} product(s) differ from ${MANIFEST_PATH}:\n  ${diffs.join("\n  ")}\n${diffHint(diffs)}`,
    );
  },
});

Deno.test("products manifest: the normalisation masks only the run's own date, paths and version", () => {
  const t0 = Date.UTC(2026, 11, 6, 20, 0, 0);
  const v = {
    t0,
    t1: t0 + 60e3,
    paths: [{ path: "/tmp/lmt-products-abc123", as: "<TMP>" }, { path: "/home/u/lmt", as: "<ROOT>" }],
  };
  const enc = (s: string) => new TextEncoder().encode(s);
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  // text: the run's time (UTC), the temp path (any length) and the version go; a data date stays
  assert.equal(
    dec(normalise("a.txt", enc("# Date of Reduction: 2026-12-06T20:00:31\n# obs 2024-11-02T05:30:00\n"), v)),
    "# Date of Reduction: XXXX-XX-XXTXX:XX:XX\n# obs 2024-11-02T05:30:00\n",
  );
  assert.equal(
    dec(normalise("a.sh", enc("cd /tmp/lmt-products-abc123/work; /home/u/lmt/bin/x"), v)),
    "cd <TMP>/work; <ROOT>/bin/x",
  );
  // binary (a NUL byte): same length, so offsets inside the file stay
  const bin = enc("DATE    = '2026-12-06T20:00:31'\0/tmp/lmt-products-abc123/x");
  const nb = normalise("a.fits", bin, v);
  assert.equal(nb.length, bin.length);
  assert.equal(dec(nb), "DATE    = 'XXXX-XX-XXTXX:XX:XX'\0<######################>/x");
  // a sidecar's wall time
  assert.equal(dec(normalise("x.png.json", enc('{"wall_time_s": 1.37}'), v)), '{"wall_time_s": 0}');
  // numbers that merely contain the year are untouched
  assert.equal(dec(normalise("t.txt", enc("90.2026 2.02612e-03\n"), v)), "90.2026 2.02612e-03\n");
});

Deno.test("products manifest: compareManifest names changed, missing and new products", () => {
  const h = (c: string) => c.repeat(64);
  const expected = ["# comment", `${h("a")}  rsr/x.txt`, `${h("b")}  seq/y.fits`, `${h("c")}  seq/gone.png`];
  const actual = [`${h("a")}  rsr/x.txt`, `${h("d")}  seq/y.fits`, `${h("e")}  seq/new.png`];
  assert.deepEqual(compareManifest(actual, expected), [
    "missing  seq/gone.png",
    "new      seq/new.png",
    "changed  seq/y.fits",
  ]);
  assert.deepEqual(compareManifest(expected, expected), []);
});

Deno.test("products manifest: describeDiffs says where two kept trees differ", () => {
  const a = Deno.makeTempDirSync({ prefix: "pm-diff-a-" }),
    b = Deno.makeTempDirSync({ prefix: "pm-diff-b-" });
  try {
    const w = (d: string, f: string, x: string | Uint8Array) =>
      typeof x === "string" ? Deno.writeTextFileSync(`${d}/${f}`, x) : Deno.writeFileSync(`${d}/${f}`, x);
    w(a, "same.txt", "1\n2\n");
    w(b, "same.txt", "1\n2\n");
    w(a, "spec.txt", "# head\n1 2\n3 4\n");
    w(b, "spec.txt", "# head\n1 2\n3 4.5\n");
    w(a, "x.fits", new Uint8Array([0, 1, 2, 3]));
    w(b, "x.fits", new Uint8Array([0, 1, 9, 3, 4]));
    w(a, "gone.txt", "");
    assert.deepEqual(describeDiffs(a, b), [
      `gone.txt: only in ${a}`,
      "spec.txt:3: '3 4' -> '3 4.5'",
      "x.fits: bytes differ from offset 2 (4 -> 5 bytes)",
    ]);
  } finally {
    Deno.removeSync(a, { recursive: true });
    Deno.removeSync(b, { recursive: true });
  }
});
