/**
 * Hostile netCDF-3 input (issue 13): a header whose record count is 0 or 1 while the file holds
 * more records, a vsize that disagrees with the dimensions, a data offset of 0 or one overlapping
 * another variable — each made byte by byte from a valid file. The netCDF library reads the first
 * two kinds (with its own sizes), so the reader warns naming the file; it refuses the others. An
 * RSR chassis file with a record count of 0 makes rsr_driver warn naming the file.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { NetcdfError, openNetcdfBytes, writeNetcdf3Sync } from "../../../lib/netcdf/mod.ts";
import { pendingWarnings } from "../../../lib/sys/warnings.ts";
import { generateRsr } from "../../../lib/sim/rsr.ts";
import { runTool, tempDir } from "../../_helpers.ts";

const NREC = 5;

/** CDF-1: a fixed variable `freq` (4 doubles) and two record variables `tsys` (3 floats) and `n` (1 int). */
function base(dir: string): Uint8Array {
  const p = join(dir, "base.nc");
  writeNetcdf3Sync(p, {
    dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "chan", size: 4 }, {
      name: "pix",
      size: 3,
    }],
    variables: [
      { name: "freq", type: "double", dimensions: ["chan"], data: new Float64Array([1, 2, 3, 4]) },
      {
        name: "tsys",
        type: "float",
        dimensions: ["time", "pix"],
        data: new Float32Array(NREC * 3).map((_, i) => 100 + i),
      },
      { name: "n", type: "int", dimensions: ["time"], data: new Int32Array(NREC).map((_, i) => i) },
    ],
  }, { format: "cdf1" });
  return new Uint8Array(readFileSync(p));
}

/** Offset of the vsize field of variable `name` (no attributes: name, rank, dimids, 8 zero bytes, type, vsize, begin). */
function vsizeAt(b: Uint8Array, name: string, rank: number): number {
  const text = new TextDecoder("latin1").decode(b.subarray(0, 1024));
  const at = text.indexOf(name) + Math.ceil(name.length / 4) * 4;
  return at + 4 + 4 * rank + 8 + 4;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

Deno.test("cdf3 hostile: a record count of 0 or 1 in a file holding 5 records is read as the header says, with a warning naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = base(dir);
    const ok = await openNetcdfBytes(b0, "ok.nc");
    assert.deepEqual(Array.from(ok.read("n") as Int32Array), [0, 1, 2, 3, 4]);
    ok.close();
    pendingWarnings(true);
    for (const n of [0, 1]) {
      const b = b0.slice();
      dv(b).setUint32(4, n);
      const nc = await openNetcdfBytes(b, "few.nc");
      assert.equal(nc.dimensions.get("time")!.size, n);
      assert.equal((nc.read("n") as Int32Array).length, n);
      nc.close();
      const w = pendingWarnings(true);
      assert.equal(w.length, 1);
      assert.match(w[0]!, new RegExp(`^few\\.nc: header counts ${n} records? but the file holds 5`));
    }
  } finally {
    cleanup();
  }
});

Deno.test("cdf3 hostile: a vsize that disagrees with the dimensions is warned about and the dimensions' size is used", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = base(dir);
    const at = vsizeAt(b0, "tsys", 2);
    assert.equal(dv(b0).getUint32(at), 12, "tsys: 3 floats per record");
    const b = b0.slice();
    dv(b).setUint32(at, 4000);
    pendingWarnings(true);
    const nc = await openNetcdfBytes(b, "vs.nc");
    // records still 16 bytes apart (12 + 4): the values are the right ones
    assert.deepEqual(
      Array.from(nc.read("tsys") as Float32Array),
      Array.from({ length: 15 }, (_, i) => 100 + i),
    );
    assert.deepEqual(Array.from(nc.read("n") as Int32Array), [0, 1, 2, 3, 4]);
    nc.close();
    const w = pendingWarnings(true);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^vs\.nc: variable tsys: header gives 4000 bytes per record, its dimensions 12/);
  } finally {
    cleanup();
  }
});

Deno.test("cdf3 hostile: a data offset of 0, or one overlapping the previous variable, is refused naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = base(dir);
    const freqBegin = vsizeAt(b0, "freq", 1) + 4;
    const tsysBegin = vsizeAt(b0, "tsys", 2) + 4;
    {
      const b = b0.slice();
      dv(b).setUint32(freqBegin, 0);
      await assert.rejects(
        openNetcdfBytes(b, "zero.nc"),
        (e: Error) =>
          e instanceof NetcdfError &&
          /^zero\.nc: variable freq: .*data offset 0 lies inside the header/.test(e.message),
      );
    }
    {
      const b = b0.slice();
      dv(b).setUint32(tsysBegin, dv(b0).getUint32(freqBegin) + 8); // inside freq's 32 bytes
      await assert.rejects(
        openNetcdfBytes(b, "overlap.nc"),
        (e: Error) =>
          e instanceof NetcdfError &&
          /^overlap\.nc: variable tsys: .*overlaps the data of freq/.test(e.message),
      );
    }
  } finally {
    cleanup();
  }
});

Deno.test("cdf3 hostile: rsr_driver on an RSR chassis file whose record count is 0 warns naming the file (exit 0, as the original carries on)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = join(dir, "data_lmt");
    await generateRsr(root, { obsnum: 91001, nRepeats: 1 });
    const cdir = join(root, "RedshiftChassis1");
    const name = readdirSync(cdir).find((f) => f.includes("_091001_"))!;
    const b = new Uint8Array(readFileSync(join(cdir, name)));
    assert.ok(dv(b).getUint32(4) >= 2);
    dv(b).setUint32(4, 0);
    writeFileSync(join(cdir, name), b);
    const r = await runTool("rsr_driver", ["91001", "-d", root, "-o", "s.txt"], { cwd: dir });
    const warning = r.stderr.split("\n").find((l) => l.includes(name));
    assert.ok(warning, r.stderr);
    assert.match(warning, /^rsr_driver: warning: .*header counts 0 records but the file holds \d+/);
  } finally {
    cleanup();
  }
});
