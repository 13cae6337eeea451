/**
 * netCDF-4 writers, part 2: byte determinism of writeNetcdf4 and Nc4Writer (no HDF5 object
 * timestamps leak in), and the streaming Nc4Writer (append in irregular blocks across chunk
 * boundaries, writeSlab into pre-sized and record variables, unequal record counts, abort,
 * errors) checked against the own reader, python netCDF4 and `ncdump -h` of the same model
 * written whole.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Nc4Writer,
  type NcWriteModel,
  type NcWriteVariable,
  NetcdfError,
  openNetcdf,
  writeNetcdf4,
} from "../../../lib/netcdf/mod.ts";
import { tempDir } from "../../_helpers.ts";
import { richModel } from "./_models.ts";
import { hasNcdump, hasPyNetcdf, ncdump, parseCdl, PY_DUMP, type PyDump, runPython } from "./_nc_helpers.ts";

const NCH = 40;
const NROW = 517; // not a multiple of any chunk size used below

/** A roach-like model with all data: int64/double/char/float record variables, fixed vars, a group. */
function fullModel(nrow = NROW): NcWriteModel {
  const spec = new Float32Array(nrow * NCH);
  for (let i = 0; i < spec.length; i++) spec[i] = 5e4 + 1e3 * Math.sin(i / 7) + i * 1e-3;
  return {
    dimensions: [
      { name: "time", size: 0, unlimited: true },
      { name: "numchannels", size: NCH },
      { name: "label", size: 5 },
      { name: "Header.Mode.Bitcode_slen", size: 12 },
    ],
    groups: ["Spectrometer"],
    attributes: { source: "nc4_stream_test", nbeam: 4 },
    variables: [
      {
        name: "Header.Mode.Clock",
        type: "double",
        dimensions: [],
        data: [1600],
        attributes: { units: "MHz" },
      },
      { name: "Header.Telescope.ObsNum", type: "int64", dimensions: [], data: new BigInt64Array([97001n]) },
      {
        name: "Header.Mode.Bitcode",
        type: "char",
        dimensions: ["Header.Mode.Bitcode_slen"],
        data: "roach2_spec",
      },
      {
        name: "Data.Integrate.Inputs",
        type: "int64",
        dimensions: ["time"],
        data: BigInt64Array.from({ length: nrow }, (_, i) => BigInt(i % 4)),
      },
      {
        name: "Data.Integrate.time",
        type: "double",
        dimensions: ["time"],
        data: Float64Array.from({ length: nrow }, (_, i) => 1745134824.1 + i * 0.025),
        attributes: { long_name: "Epoch time" },
      },
      {
        name: "Data.Integrate.Label",
        type: "char",
        dimensions: ["time", "label"],
        data: Array.from({ length: nrow }, (_, i) => `r${i % 1000}`),
      },
      {
        name: "Data.Integrate.Data",
        type: "float",
        dimensions: ["time", "numchannels"],
        data: spec,
        attributes: { long_name: "Spectrum" },
      },
    ],
  };
}

/** The same model with the record variables' data removed (to be streamed). */
function openModel(m: NcWriteModel): NcWriteModel {
  return {
    ...m,
    variables: m.variables.map((v): NcWriteVariable => {
      if (v.dimensions[0] !== "time") return v;
      const { data: _data, ...rest } = v;
      return rest;
    }),
  };
}

/** Append every record variable of `full` in the given block sizes (cycled). */
function streamRecords(w: Nc4Writer, full: NcWriteModel, blocks: number[], nrow = NROW): void {
  let r = 0, k = 0;
  while (r < nrow) {
    const n = Math.min(blocks[k++ % blocks.length]!, nrow - r);
    for (const v of full.variables) {
      if (v.dimensions[0] !== "time") continue;
      if (v.type === "char") {
        w.append(v.name, (v.data as string[]).slice(r, r + n));
      } else {
        const per = v.dimensions.length > 1 ? NCH : 1;
        const d = v.data as Float32Array | Float64Array | BigInt64Array;
        w.append(v.name, d.subarray(r * per, (r + n) * per), n);
      }
    }
    r += n;
  }
}

async function withWallClockOffset<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => real() + ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

Deno.test("writeNetcdf4(): the same model gives byte-identical files at different wall-clock times", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, "a.nc"), b = join(dir, "b.nc"), c = join(dir, "c.nc");
    await writeNetcdf4(a, fullModel());
    await writeNetcdf4(join(dir, "other.nc"), richModel(9)); // different heap history in between
    // ten years later: HDF5 object-header times would differ here if the clock were not pinned
    await withWallClockOffset(10 * 365 * 86400e3, () => writeNetcdf4(b, fullModel()));
    await withWallClockOffset(-86400e3, () => writeNetcdf4(c, richModel(9)));
    const ba = readFileSync(a), bb = readFileSync(b);
    assert.ok(ba.length > 80000, `size ${ba.length}`);
    assert.equal(Buffer.compare(ba, bb), 0, "a.nc and b.nc differ");
    assert.equal(
      Buffer.compare(readFileSync(join(dir, "other.nc")), readFileSync(c)),
      0,
      "rich model differs",
    );
  } finally {
    cleanup();
  }
});

Deno.test("Nc4Writer: the same calls give byte-identical files; the wall clock is restored afterwards", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const full = fullModel();
    const paths = [join(dir, "s1.nc"), join(dir, "s2.nc")];
    for (const [i, p] of paths.entries()) {
      await withWallClockOffset(i * 3e9, async () => {
        const w = await Nc4Writer.create(p, openModel(full), { chunkBytes: 4096 });
        streamRecords(w, full, [1, 7, 100, 33]);
        await w.close();
      });
    }
    assert.equal(Buffer.compare(readFileSync(paths[0]!), readFileSync(paths[1]!)), 0);
    assert.ok(Math.abs(Date.now() - new Date().getTime()) < 1000, "Date.now is the real clock again");
  } finally {
    cleanup();
  }
});

Deno.test("Nc4Writer: irregular appends across chunk boundaries read back exactly (own reader)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const full = fullModel();
    // chunks: Data 4096 B = 25 rows of 40 floats, 1-D int64/double 512 rows, char 819 rows
    for (const blocks of [[1], [3, 250, 1, 26], [NROW]]) {
      const p = join(dir, `s${blocks.join("_")}.nc`);
      const w = await Nc4Writer.create(p, openModel(full), { chunkBytes: 4096 });
      assert.equal(existsSync(p), false, "nothing under the final name before close()");
      streamRecords(w, full, blocks);
      assert.equal(w.rows("Data.Integrate.Data"), NROW);
      assert.equal(w.numrecs, NROW);
      await w.close();
      const f = await openNetcdf(p);
      assert.equal(f.dimensions.get("time")!.size, NROW);
      assert.equal(f.dimensions.get("time")!.unlimited, true);
      assert.deepEqual(f.groups, ["Spectrometer"]);
      assert.deepEqual([...f.variables.keys()], full.variables.map((v) => v.name));
      for (const v of full.variables) {
        const want = Array.isArray(v.data) && typeof v.data[0] === "number"
          ? Float64Array.from(v.data as number[])
          : v.data;
        assert.deepEqual(f.read(v.name), want, `${v.name} with blocks ${blocks}`);
      }
      assert.equal(f.variable("Data.Integrate.time").attributes.get("long_name"), "Epoch time");
      assert.deepEqual(
        f.read("Data.Integrate.Data", { start: [24, 38], count: [2, 2] }),
        (full.variables[6]!.data as Float32Array).filter((_, i) => [998, 999, 1038, 1039].includes(i)),
      );
      f.close();
    }
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
  } finally {
    cleanup();
  }
});

Deno.test({
  name:
    "Nc4Writer output: python netCDF4 reads the values and ncdump -h equals that of writeNetcdf4 of the whole model",
  ignore: !hasPyNetcdf() || !hasNcdump(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const full = fullModel();
      const ps = join(dir, "stream.nc"), pw = join(dir, "whole.nc");
      const w = await Nc4Writer.create(ps, openModel(full));
      streamRecords(w, full, [64, 5]);
      await w.close();
      await writeNetcdf4(pw, full);
      const dump = runPython(PY_DUMP, [ps, pw]) as PyDump;
      assert.deepEqual(dump[ps], dump[pw]);
      const s = dump[ps]!;
      assert.deepEqual(s.dims.time, [NROW, true]);
      assert.deepEqual(s.vars["Data.Integrate.Data"]!.shape, [NROW, NCH]);
      assert.equal(s.vars["Data.Integrate.Data"]!.dtype, "float32");
      assert.equal(s.vars["Data.Integrate.Inputs"]!.dtype, "int64");
      const spec = full.variables[6]!.data as Float32Array;
      const step = s.vars["Data.Integrate.Data"]!.step!;
      assert.deepEqual(
        s.vars["Data.Integrate.Data"]!.sample,
        Array.from(spec.filter((_, i) => i % step === 0)),
      );
      assert.equal(s.vars["Data.Integrate.Data"]!.sum, spec.reduce((a, x) => a + x, 0));
      assert.deepEqual(s.vars["Data.Integrate.Label"]!.text!.slice(0, 3), ["r0", "r1", "r2"]);
      assert.equal(s.vars["Data.Integrate.Label"]!.text!.length, NROW);
      const hs = ncdump(["-h", ps]), hw = ncdump(["-h", pw]);
      assert.doesNotMatch(hs, /phony_dim/);
      const cs = parseCdl(hs), cw = parseCdl(hw);
      assert.deepEqual(cs.dims, cw.dims);
      assert.deepEqual(cs.vars, cw.vars);
      assert.deepEqual(cs.groups, cw.groups);
      assert.match(hs, /time = UNLIMITED ; \/\/ \(517 currently\)/);
    } finally {
      cleanup();
    }
  },
});

Deno.test("Nc4Writer.writeSlab() and append() on fixed variables: pre-sized chunked and small ones, record growth, unequal record counts", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "slab.nc");
    const model: NcWriteModel = {
      dimensions: [
        { name: "time", size: 0, unlimited: true },
        { name: "y", size: 30 },
        { name: "x", size: 50 },
        { name: "k", size: 3 },
      ],
      variables: [
        { name: "cube", type: "double", dimensions: ["y", "x"] }, // 12 000 B > chunkBytes: allocated, unwritten
        { name: "small", type: "short", dimensions: ["k"] }, // ≤ chunk: netCDF default fill
        { name: "grid", type: "float", dimensions: ["y", "x"] }, // filled by append()
        { name: "few", type: "int", dimensions: ["k"] }, // contiguous, filled by append()
        { name: "a", type: "int", dimensions: ["time"] },
        { name: "b", type: "float", dimensions: ["time", "k"] },
      ],
    };
    const w = await Nc4Writer.create(p, model, { chunkBytes: 2048 });
    // cube rows 5..9 and 20..29 (partly over chunk borders); rows 0..4, 10..19 never written
    w.writeSlab("cube", [5, 0], [5, 50], Float64Array.from({ length: 250 }, (_, i) => 5 * 50 + i));
    w.writeSlab("cube", [20, 10], [10, 40], Float64Array.from({ length: 400 }, (_, i) => -i));
    w.writeSlab("small", [1], [1], [42]);
    w.append("a", new Int32Array([1, 2, 3]));
    w.writeSlab("a", [10], [2], [10, 11]); // grows the record variable past its rows
    w.append("a", [12]);
    w.append("b", new Float32Array([1, 2, 3, 4, 5, 6]));
    assert.equal(w.chunkRows("grid"), 0, "fixed-size variables are contiguous");
    assert.equal(w.chunkRows("few"), 0);
    assert.equal(w.chunkRows("a"), 512, "2048-byte chunks of int records");
    assert.equal(w.chunkRows("b"), 170);
    let row = 0;
    for (const n of [7, 1, 13, 9]) {
      w.append(
        "grid",
        Float32Array.from({ length: n * 50 }, (_, i) => (row + Math.floor(i / 50)) * 1000 + (i % 50)),
      );
      row += n;
      assert.equal(w.rows("grid"), row);
    }
    assert.throws(
      () => w.append("grid", new Float32Array(50)),
      /1 more rows exceed the 30 rows of dimension y \(30 written\)/,
    );
    w.append("few", [5, 6]);
    assert.throws(() => w.append("few", [7, 8]), /variable few: 2 more rows exceed the 3 rows/);
    assert.equal(w.rows("a"), 13);
    assert.equal(w.rows("b"), 2);
    assert.equal(w.numrecs, 13);
    await w.close();
    const f = await openNetcdf(p);
    assert.equal(f.dimensions.get("time")!.size, 13);
    const cube = f.read("cube") as Float64Array;
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 50; x++) {
        const want = y >= 5 && y < 10 ? y * 50 + x : y >= 20 && x >= 10 ? -((y - 20) * 40 + (x - 10)) : 0;
        assert.equal(cube[y * 50 + x], want, `cube[${y},${x}]`);
      }
    }
    assert.deepEqual(f.read("small"), new Int16Array([-32767, 42, -32767]));
    const grid = f.read("grid") as Float32Array;
    assert.ok(grid.every((v, i) => v === Math.floor(i / 50) * 1000 + (i % 50)), "grid rows");
    assert.deepEqual(f.read("few"), new Int32Array([5, 6, -2147483647]));
    assert.deepEqual(f.read("a"), new Int32Array([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 10, 11, 12]));
    const b = f.read("b") as Float32Array;
    assert.equal(b.length, 39, "b extended to 13 records");
    assert.deepEqual(b.subarray(0, 6), new Float32Array([1, 2, 3, 4, 5, 6]));
    assert.deepEqual(b.subarray(6), new Float32Array(33));
    f.close();
  } finally {
    cleanup();
  }
});

Deno.test("Nc4Writer: abort() and failed calls leave no file; errors name the file and variable", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "x.nc");
    const full = fullModel(10);
    const w = await Nc4Writer.create(p, openModel(full));
    const err = (re: RegExp) => (e: unknown) =>
      e instanceof NetcdfError && e.message.startsWith(p) && re.test(e.message);
    assert.throws(
      () => w.append("Header.Mode.Clock", [1]),
      err(/variable Header\.Mode\.Clock: append\(\) needs a variable with dimensions/),
    );
    assert.throws(() => w.append("nope", [1]), err(/variable nope: no such variable/));
    assert.throws(
      () => w.append("Data.Integrate.Data", new Float32Array(NCH + 1)),
      err(/41 values are not whole rows of 40/),
    );
    assert.throws(
      () => w.append("Data.Integrate.Data", new Float32Array(NCH), 2),
      err(/data has 40 values, 2 rows need 80/),
    );
    assert.throws(
      () => w.append("Data.Integrate.Label", ["much too long"]),
      err(/text row 0 of 13 bytes exceeds 5/),
    );
    assert.throws(() => w.writeSlab("Header.Mode.Bitcode", [3], [10], "x"), err(/outside shape \[12\]/));
    w.append("Data.Integrate.Data", new Float32Array(3 * NCH));
    w.abort();
    w.abort();
    assert.throws(() => w.append("Data.Integrate.Data", new Float32Array(NCH)), err(/writer is closed/));
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(
      Nc4Writer.create(p, {
        dimensions: [],
        variables: [{ name: "c", type: "float", dimensions: ["nope"] }],
      }),
      err(/unknown dimension "nope"/),
    );
    assert.deepEqual(readdirSync(dir), []);
    const w2 = await Nc4Writer.create(p, openModel(full));
    await w2.close();
    await assert.rejects(w2.close(), err(/already closed/));
    const f = await openNetcdf(p);
    assert.equal(f.dimensions.get("time")!.size, 0);
    f.close();
  } finally {
    cleanup();
  }
});

Deno.test("Nc4Writer: streaming 192 MB in 1 MB blocks keeps the process memory bounded", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "big.nc");
    const nch = 2048, rowsPerBlock = 128, blocks = 192; // 192 × 1 MiB
    const w = await Nc4Writer.create(p, {
      dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "nchan", size: nch }],
      variables: [{ name: "spec", type: "float", dimensions: ["time", "nchan"] }],
    });
    const block = new Float32Array(rowsPerBlock * nch);
    const rss0 = Deno.memoryUsage().rss;
    let peak = rss0;
    for (let k = 0; k < blocks; k++) {
      block.fill(k);
      w.append("spec", block.subarray(0, (k % 3 === 0 ? 100 : rowsPerBlock) * nch)); // misaligned too
      if (k % 16 === 0) peak = Math.max(peak, Deno.memoryUsage().rss);
    }
    await w.close();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    const growth = (peak - rss0) / 2 ** 20;
    assert.ok(growth < 96, `RSS grew by ${growth.toFixed(0)} MiB while writing 192 MiB`);
    const f = await openNetcdf(p);
    const nrow = 64 * 100 + 128 * 128;
    assert.equal(f.dimensions.get("time")!.size, nrow);
    assert.deepEqual(
      f.read("spec", { start: [nrow - 1, nch - 2], count: [1, 2] }),
      new Float32Array([191, 191]),
    );
    assert.deepEqual(f.read("spec", { start: [100, 0], count: [1, 1] }), new Float32Array([1]));
    f.close();
  } finally {
    cleanup();
  }
});

Deno.test("writeNetcdf4(): variables over 16 MiB are written in row blocks and read back exactly", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ny = 2101, nx = 1024, nt = 4203;
    const cube = Float64Array.from({ length: ny * nx }, (_, i) => i * 0.5 - 7);
    const spec = Float32Array.from({ length: nt * nx }, (_, i) => (i % 100003) * 0.25);
    const model: NcWriteModel = {
      dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "y", size: ny }, {
        name: "x",
        size: nx,
      }],
      variables: [
        { name: "cube", type: "double", dimensions: ["y", "x"], data: cube },
        { name: "spec", type: "float", dimensions: ["time", "x"], data: spec },
        {
          name: "plain",
          type: "int",
          dimensions: ["time", "x"],
          data: Array.from({ length: nt * nx }, (_, i) => i),
        },
      ],
    };
    const p = join(dir, "big.nc"), q = join(dir, "big2.nc");
    await writeNetcdf4(p, model);
    await withWallClockOffset(5e9, () => writeNetcdf4(q, model));
    assert.equal(Buffer.compare(readFileSync(p), readFileSync(q)), 0, "deterministic");
    const f = await openNetcdf(p);
    assert.equal(f.dimensions.get("time")!.size, nt);
    assert.deepEqual(f.read("cube"), cube);
    assert.deepEqual(f.read("spec"), spec);
    const plain = f.read("plain") as Int32Array;
    assert.equal(plain.length, nt * nx);
    assert.ok(plain.every((x, i) => x === i), "int data");
    f.close();
    await assert.rejects(
      writeNetcdf4(join(dir, "short.nc"), {
        ...model,
        variables: [{ ...model.variables[0]!, data: cube.subarray(1) }],
      }),
      /variable cube: data has 2151423 values, expected 2151424/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ["big.nc", "big2.nc"]);
  } finally {
    cleanup();
  }
});
