/**
 * netCDF-4 writer (h5wasm) and reader: round trips through the own reader, python netCDF4 and
 * ncdump (dimension names, char, int64, groups, attributes), rewrites of real sample files
 * with identical `ncdump -h` layout, failures leave no file, corrupt HDF5 input.
 */
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type NcFile,
  type NcWriteModel,
  NetcdfError,
  openNetcdf,
  openNetcdfBytes,
  writeNetcdf4,
} from "../../../lib/netcdf/mod.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";
import {
  hasNcdump,
  hasPyNetcdf,
  modelOf,
  ncdump,
  parseCdl,
  PY_DUMP,
  type PyDump,
  runPython,
} from "./_nc_helpers.ts";

/** A roach-like model: unlimited time, int64 scalars and records, char, float spectra, a group. */
function roachModel(nt = 12, nch = 64): NcWriteModel {
  const data = new Float32Array(nt * nch);
  for (let i = 0; i < data.length; i++) data[i] = 50000 + 1000 * Math.cos(i / 5) + i;
  return {
    dimensions: [
      { name: "time", size: 0, unlimited: true },
      { name: "numinputs", size: 4 },
      { name: "Header.Mode.Bitcode_slen", size: 29 },
      { name: "numchannels", size: nch },
    ],
    groups: ["Spectrometer"],
    attributes: { source: "nc4_test", revision: 7 },
    variables: [
      {
        name: "Header.Mode.Clock",
        type: "double",
        dimensions: [],
        data: new Float64Array([1600]),
        attributes: { long_name: "Clock Frequency in MHz", units: "MHz" },
      },
      { name: "Header.Mode.Gain", type: "int64", dimensions: [], data: new BigInt64Array([4096n]) },
      { name: "Header.Telescope.ObsNum", type: "int64", dimensions: [], data: new BigInt64Array([97001n]) },
      { name: "Header.Mode.roach_id", type: "int", dimensions: [], data: new Int32Array([2]) },
      {
        name: "Data.Integrate.Inputs",
        type: "int64",
        dimensions: ["time"],
        data: BigInt64Array.from({ length: nt }, (_, i) => BigInt(i % 4)),
      },
      {
        name: "Data.Integrate.time",
        type: "double",
        dimensions: ["time"],
        data: Float64Array.from({ length: nt }, (_, i) => 1745134824.1 + i * 0.025),
      },
      {
        name: "Header.Mode.Bitcode",
        type: "char",
        dimensions: ["Header.Mode.Bitcode_slen"],
        data: "roach2_spec_2048ch_800mhz.bof",
      },
      {
        name: "Data.Integrate.Data",
        type: "float",
        dimensions: ["time", "numchannels"],
        data,
        attributes: { long_name: "Spectrum" },
      },
    ],
  };
}

/** A corr_cal-like model: int64 header vectors and a 6×256×256 double cube. */
function corrCalModel(): NcWriteModel {
  const cube = new Float64Array(6 * 256 * 256);
  for (let i = 0; i < cube.length; i++) cube[i] = Math.sin(i * 0.001) + 1;
  return {
    dimensions: [{ name: "numcards", size: 6 }, { name: "numchannels", size: 256 }, {
      name: "scalarval",
      size: 1,
    }],
    variables: [
      {
        name: "Header.RedshiftChassis_0_.slotno",
        type: "int64",
        dimensions: ["numcards"],
        data: new BigInt64Array([5n, 8n, 11n, 14n, 17n, 20n]),
      },
      {
        name: "Header.RedshiftChassis_0_.obsdate",
        type: "double",
        dimensions: ["scalarval"],
        data: [17739917.5],
        attributes: { units: "hours since 0001-01-01 00:00:00.0", calendar: "gregorian" },
      },
      {
        name: "Data.RedshiftChassis_0_.corr_cal",
        type: "double",
        dimensions: ["numcards", "numchannels", "numchannels"],
        data: cube,
      },
    ],
  };
}

Deno.test("writeNetcdf4() round-trips a roach-like file (int64, char, unlimited, group) through the own reader", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "roach.nc");
    const model = roachModel();
    await writeNetcdf4(p, model);
    const f = await openNetcdf(p);
    assert.equal(f.format, "netcdf4");
    assert.deepEqual(f.groups, ["Spectrometer"]);
    assert.deepEqual([...f.dimensions.values()], [
      { name: "time", size: 12, unlimited: true },
      { name: "numinputs", size: 4, unlimited: false },
      { name: "Header.Mode.Bitcode_slen", size: 29, unlimited: false },
      { name: "numchannels", size: 64, unlimited: false },
    ]);
    assert.deepEqual(
      [...f.variables.keys()],
      model.variables.map((v) => v.name),
      "no dimension datasets among the variables",
    );
    for (const v of model.variables) {
      const meta = f.variable(v.name);
      assert.equal(meta.type, v.type, v.name);
      assert.deepEqual(meta.dimensions, v.dimensions, v.name);
      assert.deepEqual(
        f.read(v.name),
        v.type === "char" ? v.data : v.data instanceof Array ? Float64Array.from(v.data as number[]) : v.data,
        v.name,
      );
    }
    assert.equal(f.variable("Data.Integrate.Data").record, true);
    assert.equal(f.variable("Header.Mode.Clock").attributes.get("units"), "MHz");
    assert.equal(f.attributes.get("revision"), 7);
    assert.deepEqual(
      f.read("Data.Integrate.Data", { start: [5, 10], count: [2, 3] }),
      Float32Array.from(
        [5 * 64 + 10, 5 * 64 + 11, 5 * 64 + 12, 6 * 64 + 10, 6 * 64 + 11, 6 * 64 + 12],
        (i) => (model.variables[7]!.data as Float32Array)[i]!,
      ),
    );
    f.close();
  } finally {
    cleanup();
  }
});

Deno.test({
  name:
    "writeNetcdf4() output: python netCDF4 sees the same dims/types/values and ncdump -h shows char, int64 and the group",
  ignore: !hasPyNetcdf() || !hasNcdump(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const p1 = join(dir, "roach.nc");
      const p2 = join(dir, "corr_cal.nc");
      await writeNetcdf4(p1, roachModel());
      await writeNetcdf4(p2, corrCalModel());
      const dump = runPython(PY_DUMP, [p1, p2]) as PyDump;
      const r = dump[p1]!;
      assert.deepEqual(r.dims, {
        time: [12, true],
        numinputs: [4, false],
        "Header.Mode.Bitcode_slen": [29, false],
        numchannels: [64, false],
      });
      assert.equal(r.vars["Header.Mode.Gain"]!.dtype, "int64");
      assert.deepEqual(r.vars["Header.Mode.Gain"]!.sample, [4096]);
      assert.equal(r.vars["Header.Mode.Bitcode"]!.dtype, "|S1");
      assert.deepEqual(r.vars["Header.Mode.Bitcode"]!.text, ["roach2_spec_2048ch_800mhz.bof"]);
      const data = roachModel().variables[7]!.data as Float32Array;
      assert.deepEqual(r.vars["Data.Integrate.Data"]!.sample, Array.from(data));
      assert.deepEqual(r.vars["Data.Integrate.Inputs"]!.sample, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
      const c = dump[p2]!;
      assert.deepEqual(c.vars["Data.RedshiftChassis_0_.corr_cal"]!.shape, [6, 256, 256]);
      const cube = corrCalModel().variables[2]!.data as Float64Array;
      const want = Array.from(
        cube.filter((_, i) => i % c.vars["Data.RedshiftChassis_0_.corr_cal"]!.step! === 0),
      );
      assert.deepEqual(c.vars["Data.RedshiftChassis_0_.corr_cal"]!.sample, want);
      const attrs = runPython(
        `import sys,json,netCDF4
d=netCDF4.Dataset(sys.argv[1]); v=d["Header.Mode.Clock"]
print(json.dumps([d.data_model, list(d.groups), v.units, v.long_name, d.source, int(d.revision)]))`,
        [p1],
      );
      assert.deepEqual(attrs, ["NETCDF4", ["Spectrometer"], "MHz", "Clock Frequency in MHz", "nc4_test", 7]);
      const text = ncdump(["-h", p1]);
      assert.doesNotMatch(text, /phony_dim/);
      assert.match(text, /\tchar Header\.Mode\.Bitcode\(Header\.Mode\.Bitcode_slen\) ;/);
      assert.match(text, /\tint64 Header\.Mode\.Gain ;/);
      assert.match(text, /\t\tHeader\.Mode\.Clock:units = "MHz" ;/, "text attributes are char, not string");
      assert.match(text, /group: Spectrometer \{/);
      const cdl = parseCdl(text);
      const f = await openNetcdf(p1);
      assert.deepEqual(modelOf(f), cdl);
      f.close();
      assert.match(ncdump(["-k", p1]), /^netCDF-4/);
    } finally {
      cleanup();
    }
  },
});

function modelFromFile(f: NcFile): NcWriteModel {
  return {
    dimensions: [...f.dimensions.values()].map((d) => ({
      name: d.name,
      size: d.size,
      unlimited: d.unlimited,
    })),
    groups: f.groups,
    attributes: Object.fromEntries(f.attributes),
    variables: [...f.variables.values()].map((v) => ({
      name: v.name,
      type: v.type,
      dimensions: v.dimensions,
      attributes: Object.fromEntries(v.attributes),
      data: f.read(v.name),
    })),
  };
}

Deno.test({
  name:
    "writeNetcdf4() rewrites a roach sample and the SpecFile with the layout of the original (ncdump -h) and equal data",
  ignore: needsSamples() || !hasNcdump(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      for (
        const [src, cdlPath] of [
          [
            sample(
              "seq",
              "data_lmt",
              "spectrometer",
              "roach2",
              "roach2_97000_0_1_SAMPLE-OTF_2025-04-20_074000.nc",
            ),
            sample("seq", "layout", "roach2_97000_0_1_SAMPLE-OTF_2025-04-20_074000.cdl"),
          ],
          [
            sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.nc"),
            sample("seq", "layout", "specfile_SAMPLE-OTF_97001__0.cdl"),
          ],
        ]
      ) {
        const f = await openNetcdf(src!);
        const model = modelFromFile(f);
        const out = join(dir, "copy.nc");
        const t0 = performance.now();
        await writeNetcdf4(out, model);
        const ms = performance.now() - t0;
        console.error(`write took ${ms.toFixed(0)} ms`); // reported, not asserted
        const want = parseCdl(readFileSync(cdlPath!, "utf8"));
        const got = parseCdl(ncdump(["-h", out]));
        assert.deepEqual(got.dims, want.dims);
        assert.deepEqual(got.vars, want.vars);
        assert.deepEqual(got.groups, want.groups);
        const g = await openNetcdf(out);
        for (const name of f.variables.keys()) assert.deepEqual(g.read(name), f.read(name), name);
        for (const [name, v] of f.variables) {
          assert.deepEqual(g.variable(name).attributes, v.attributes, name);
        }
        f.close();
        g.close();
      }
    } finally {
      cleanup();
    }
  },
});

Deno.test("writeNetcdf4() leaves no file behind when a variable's data do not fit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "bad.nc");
    await assert.rejects(
      writeNetcdf4(p, {
        dimensions: [{ name: "n", size: 4 }],
        variables: [
          { name: "a", type: "float", dimensions: ["n"], data: new Float32Array(4) },
          { name: "b", type: "float", dimensions: ["n"], data: new Float32Array(5) },
        ],
      }),
      (e: unknown) =>
        e instanceof NetcdfError && e.message.includes(p) &&
        /variable b: data has 5 values, expected 4/.test(e.message),
    );
    await assert.rejects(
      writeNetcdf4(p, { dimensions: [], variables: [{ name: "c", type: "float", dimensions: ["nope"] }] }),
      /unknown dimension "nope"/,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

Deno.test("openNetcdf() on a truncated or damaged netCDF-4 file throws a NetcdfError naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "ok.nc");
    await writeNetcdf4(p, corrCalModel());
    const cut = join(dir, "cut.nc");
    copyFileSync(p, cut);
    truncateSync(cut, 2000);
    await assert.rejects(
      openNetcdf(cut),
      (e: unknown) =>
        e instanceof NetcdfError && e.message.startsWith(cut) && !e.message.includes("\n") &&
        !/HDF5-DIAG/.test(e.message),
    );
    const junk = join(dir, "junk.nc");
    const b = new Uint8Array(4096);
    b.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    writeFileSync(junk, b);
    await assert.rejects(
      openNetcdf(junk),
      (e: unknown) => e instanceof NetcdfError && e.message.startsWith(junk),
    );
    await assert.rejects(
      openNetcdfBytes(b, "-"),
      (e: unknown) => e instanceof NetcdfError && e.message.startsWith("-: "),
    );
  } finally {
    cleanup();
  }
});
