/**
 * Nc4File metadata: attributes read lazily (also after close), dimension names from sizes when they
 * are unambiguous and from the dimension scales when two dimensions share a size.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type NcWriteModel, openNetcdf, openNetcdfBytes, writeNetcdf4 } from "../../../lib/netcdf/mod.ts";
import { tempDir } from "../../_helpers.ts";

function model(nb: number): NcWriteModel {
  return {
    dimensions: [{ name: "a", size: 4 }, { name: "b", size: nb }, { name: "c", size: 3 }],
    attributes: { title: "meta test", version: 7 },
    variables: [
      {
        name: "Header.X.obsdate",
        type: "double",
        dimensions: ["c"],
        data: [1, 2, 3],
        attributes: { units: "hours since 0001-01-01 00:00:00.0", calendar: "gregorian" },
      },
      {
        name: "Data.M",
        type: "double",
        dimensions: ["b", "a"],
        data: Float64Array.from({ length: 4 * nb }, (_, i) => i * 0.5),
        attributes: { scale: [0.5, 2] },
      },
      {
        name: "Data.N",
        type: "int",
        dimensions: ["a", "c"],
        data: Int32Array.from({ length: 12 }, (_, i) => -i),
      },
    ],
  };
}

Deno.test("Nc4File: dimension names with unique sizes and with two dimensions of one size", async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const nb of [5, 4]) { // 5: sizes unique (names from sizes); 4: a and b share a size (dimension scales)
      const p = join(dir, `m${nb}.nc`);
      await writeNetcdf4(p, model(nb));
      const nc = await openNetcdf(p);
      assert.deepEqual(nc.variable("Data.M").dimensions, ["b", "a"], `nb=${nb}`);
      assert.deepEqual(nc.variable("Data.M").shape, [nb, 4]);
      assert.deepEqual(nc.variable("Data.N").dimensions, ["a", "c"], `nb=${nb}`);
      assert.deepEqual([...nc.dimensions.keys()], ["a", "b", "c"]);
      assert.deepEqual(Array.from(nc.readNumbers("Data.M")).slice(0, 3), [0, 0.5, 1]);
      nc.close();
    }
  } finally {
    cleanup();
  }
});

Deno.test("Nc4File: attributes are read on first use, also after close (file reopened) and for bytes", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "m.nc");
    await writeNetcdf4(p, model(5));
    // before close
    const a = await openNetcdf(p);
    assert.equal(a.variable("Header.X.obsdate").attributes.get("calendar"), "gregorian");
    assert.equal(a.attributes.get("title"), "meta test");
    a.close();
    // first asked for after close: reopened read-only
    const b = await openNetcdf(p);
    const vb = b.variable("Data.M");
    b.close();
    assert.deepEqual(vb.attributes.get("scale"), [0.5, 2]);
    assert.deepEqual([...b.variable("Header.X.obsdate").attributes.keys()].sort(), ["calendar", "units"]);
    assert.equal(b.attributes.get("version"), 7);
    assert.equal(b.attributes.size, 2);
    // in-memory bytes (temporary copy removed on close): read before the copy goes away
    const c = await openNetcdfBytes(readFileSync(p), "<stdin>");
    const vc = c.variable("Header.X.obsdate");
    c.close();
    assert.equal(vc.attributes.get("units"), "hours since 0001-01-01 00:00:00.0");
    assert.deepEqual(Object.fromEntries(c.attributes), { title: "meta test", version: 7 });
  } finally {
    cleanup();
  }
});
