import assert from "node:assert/strict";
import { join } from "node:path";
import { Nc4Writer, openNetcdf, writeNetcdf3Sync } from "../../../lib/netcdf/mod.ts";
import { tempDir } from "../../_helpers.ts";

Deno.test("NcFile.read with a scratch buffer: same values as a fresh read, unwritten chunks still 0", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p4 = join(dir, "a.nc");
    const w = await Nc4Writer.create(p4, {
      dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "nchan", size: 64 }],
      variables: [
        { name: "full", type: "float", dimensions: ["time", "nchan"] },
        { name: "short", type: "float", dimensions: ["time", "nchan"] },
      ],
    });
    const rows = 300;
    w.append("full", Float32Array.from({ length: rows * 64 }, (_, i) => i * 0.5));
    w.append("short", Float32Array.from({ length: 10 * 64 }, (_, i) => -i)); // rows 10.. never written
    await w.close();
    const p3 = join(dir, "b.nc");
    writeNetcdf3Sync(p3, {
      dimensions: [{ name: "time", size: 0 }, { name: "nchan", size: 64 }],
      variables: [{
        name: "full",
        type: "float",
        dimensions: ["time", "nchan"],
        data: new Float32Array(rows * 64).map((_, i) => i),
      }],
    }, { format: "cdf2" });
    for (const path of [p4, p3]) {
      const nc = await openNetcdf(path);
      try {
        const scratch = new Uint8Array(200 * 64 * 4).fill(0xff); // garbage from an earlier read
        for (const name of path === p4 ? ["full", "short"] : ["full"]) {
          const slab = { start: [50, 0], count: [200, 64] };
          const fresh = nc.read(name, slab) as Float32Array;
          const viaScratch = nc.read(name, slab, scratch) as Float32Array;
          assert.equal(viaScratch.buffer, scratch.buffer, `${path} ${name}: result lives in the scratch`);
          assert.deepEqual(Array.from(viaScratch), Array.from(fresh), `${path} ${name}`);
          if (name === "short") assert.equal(viaScratch[199 * 64], 0); // never written → 0
        }
        // too small a scratch: a fresh array, same values
        const small = new Uint8Array(16);
        const r = nc.read("full", { start: [0, 0], count: [3, 64] }, small) as Float32Array;
        assert.notEqual(r.buffer, small.buffer);
        assert.equal(r[64], path === p4 ? 32 : 64);
      } finally {
        nc.close();
      }
    }
  } finally {
    cleanup();
  }
});
