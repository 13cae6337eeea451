/**
 * Hostile FITS input (issue 13): an extension with a negative PCOUNT, GCOUNT or NAXISn made the
 * reader walk backwards forever or throw bare JavaScript errors; a lost END card read data as
 * header cards; a smaller NAXISn within the same block went unnoticed. Each file is made from a
 * valid one by rewriting one card; each must give one FitsSyntaxError naming the file, or (the
 * sizes changed within a block, which cfitsio reads too) a warning naming the file.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { encodeFitsImage, FitsSyntaxError, parseFits } from "../../../lib/fits/mod.ts";
import { pendingWarnings } from "../../../lib/sys/warnings.ts";
import { runTool, tempDir } from "../../_helpers.ts";

/** A 20 × 10 float primary image and an 8 × 8 IMAGE extension. */
function base(): Uint8Array {
  const data = new Float32Array(200).map((_, i) => 1 + i);
  return encodeFitsImage({
    data,
    shape: [20, 10],
    extensions: [{ extname: "EXTRA", data: new Float32Array(64).fill(2), shape: [8, 8] }],
  });
}

/** Rewrite the value of `key` in the header of HDU `hdu` (0 = primary). */
function setCard(b: Uint8Array, hdu: number, key: string, value: string): Uint8Array {
  const out = b.slice();
  const text = new TextDecoder("latin1").decode(out);
  let start = 0;
  for (let k = 0; k < hdu; k++) start = text.indexOf("XTENSION", start + 1);
  let at = start;
  while (text.slice(at, at + 8).trimEnd() !== key) at += 80;
  const card = key === "END" ? "".padEnd(80) : `${key.padEnd(8)}= ${value.padStart(20)}`.padEnd(80);
  out.set(new TextEncoder().encode(card), at);
  return out;
}

function refused(b: Uint8Array, re: RegExp): void {
  assert.throws(() => parseFits(b, "bad.fits"), (e: Error) => {
    assert.ok(e instanceof FitsSyntaxError, `${e}`);
    assert.match(e.message, /^Bad FITS file "bad\.fits": /);
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("fits hostile: the base file reads (primary 20 x 10, extension 8 x 8)", () => {
  const f = parseFits(base(), "ok.fits");
  assert.deepEqual(f.hdus.map((h) => h.shape), [[20, 10], [8, 8]]);
  assert.equal((f.hdus[0]!.data as Float32Array)[199], 200);
});

Deno.test("fits hostile: negative PCOUNT, GCOUNT, NAXIS1, NAXIS2 of an extension are refused in one line", () => {
  const b = base();
  refused(setCard(b, 1, "PCOUNT", "-2880"), /HDU 1 has negative PCOUNT -2880/);
  refused(setCard(b, 1, "PCOUNT", "-1"), /negative PCOUNT/);
  refused(setCard(b, 1, "GCOUNT", "-1"), /HDU 1 has negative GCOUNT -1/);
  refused(setCard(b, 1, "NAXIS1", "-5"), /HDU 1 has negative NAXIS1 -5/);
  refused(setCard(b, 0, "NAXIS2", "-1"), /HDU 0 has negative NAXIS2 -1/);
  refused(setCard(b, 1, "PCOUNT", "1.5"), /lacks integer keyword PCOUNT/);
  refused(setCard(b, 1, "GCOUNT", "0"), /HDU 1 is an image with PCOUNT 0 GCOUNT 0/); // was a bare DataView error
  refused(setCard(b, 1, "BITPIX", "7"), /invalid BITPIX 7/);
  refused(setCard(b, 1, "NAXIS2", "2147483648"), /data need \d+ bytes but only \d+ remain/);
});

Deno.test("fits hostile: a primary header without END (data read as cards) is refused", () => {
  refused(setCard(base(), 0, "END", ""), /HDU 0 card \d+ is not ASCII text \(END missing\?\)/);
});

Deno.test("fits hostile: NAXIS1 made smaller within the same block reads with a warning naming the file", () => {
  pendingWarnings(true);
  const f = parseFits(setCard(base(), 0, "NAXIS1", "2"), "small.fits");
  assert.deepEqual(f.hdus[0]!.shape, [2, 10]);
  const w = pendingWarnings(true);
  assert.equal(w.length, 1);
  assert.match(w[0]!, /^small\.fits: HDU 0: the fill after the data unit is not zero/);
  assert.deepEqual(pendingWarnings(), []);
  parseFits(base(), "ok.fits");
  assert.deepEqual(pendingWarnings(), [], "a valid file gives no warning");
});

Deno.test("fits hostile: spec_driver_fits -a with a model whose extension has a negative PCOUNT exits 1 with one line", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "model.fits"), setCard(base(), 1, "PCOUNT", "-2880"));
    writeFileSync(join(dir, "in.nc"), "");
    const r = await runTool("spec_driver_fits", ["-i", "in.nc", "-a", "model.fits", "-o", "c.fits"], {
      cwd: dir,
    });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^spec_driver_fits: Bad FITS file "model\.fits": HDU 1 has negative PCOUNT -2880$/,
    );
  } finally {
    cleanup();
  }
});
