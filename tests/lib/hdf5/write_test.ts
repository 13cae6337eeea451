/**
 * The pure-TypeScript netCDF-4/HDF5 writer (lib/hdf5/write behind lib/netcdf/nc4_writer.ts) read by
 * real clients: python netCDF4 (netCDF-C + HDF5 C library, one process for all files) sees the same
 * dimensions, variables, attribute values and types and data as the models; `ncdump -h` shows the
 * netCDF-4 model; the h5wasm reader (Nc4File) reads the same values; the bytes are deterministic.
 * Files: every model of _models.ts, all attribute types, NC_STRING, a SpecFile streamed by
 * nc4SpecSink, a roach-like file grown by append (record variables of six types, > 4096 chunks so
 * the chunk B-tree has three levels), slabs written out of order with never-written regions.
 * Dimension scales carry REFERENCE_LIST back-references laid out as the HDF5 library's (checked
 * against a file python netCDF4 writes), which HDF5's own H5DSis_attached and `h5dump` accept.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Nc4Writer, type NcData, type NcWriteModel, writeNetcdf4 } from "../../../lib/netcdf/mod.ts";
import { openNc4 } from "../../../lib/netcdf/nc4_reader.ts";
import { nc4SpecSink } from "../../../lib/specfile/mod.ts";
import type { SpecFile } from "../../../lib/specfile/mod.ts";
import { tempDir } from "../../_helpers.ts";
import { richModel } from "../netcdf/_models.ts";
import { Hdf5File } from "../../../lib/hdf5/read/mod.ts";
import { hasNcdump, hasPyNetcdf, ncdump, parseCdl, runPython } from "../netcdf/_nc_helpers.ts";

/** python netCDF4 dump: per file dims, groups, global attrs, vars (dtype, dims, attrs, all values). */
const PY_FULL = `
import sys, json, numpy as np, netCDF4
def val(x):
    if isinstance(x, str): return ["str", x]
    a = np.asarray(x)
    return [a.dtype.str, a.reshape(-1).tolist()]
out = {}
for p in sys.argv[1:]:
    d = netCDF4.Dataset(p)
    d.set_auto_maskandscale(False)
    r = {"model": d.data_model, "groups": list(d.groups),
         "dims": {k: [len(v), v.isunlimited()] for k, v in d.dimensions.items()},
         "attrs": {k: val(d.getncattr(k)) for k in d.ncattrs()}, "vars": {}}
    for k, v in d.variables.items():
        v.set_auto_chartostring(False)
        a = v[...]
        if v.dtype == str: data = np.asarray(a, dtype=object).reshape(-1).tolist()
        elif a.dtype.kind == "S": data = a.tobytes().decode("latin1")
        else: data = a.reshape(-1).tolist()
        r["vars"][k] = {"dtype": str(v.dtype), "dims": list(v.dimensions), "shape": list(v.shape),
                        "attrs": {n: val(v.getncattr(n)) for n in v.ncattrs()}, "data": data}
    out[p] = r
print(json.dumps(out))
`;

interface PyVar {
  dtype: string;
  dims: string[];
  shape: number[];
  attrs: Record<string, [string, unknown]>;
  data: number[] | string | string[];
}
interface PyFile {
  model: string;
  groups: string[];
  dims: Record<string, [number, boolean]>;
  attrs: Record<string, [string, unknown]>;
  vars: Record<string, PyVar>;
}

const PY_DTYPE: Record<string, string> = {
  byte: "int8",
  ubyte: "uint8",
  short: "int16",
  ushort: "uint16",
  int: "int32",
  uint: "uint32",
  int64: "int64",
  uint64: "uint64",
  float: "float32",
  double: "float64",
  char: "|S1",
  string: "<class 'str'>",
};

/** A model with attributes of every type (explicit types), NC_STRING data and a fixed var without data. */
function typesModel(): NcWriteModel {
  return {
    dimensions: [{ name: "n", size: 3 }, { name: "s", size: 2 }],
    attributes: { empty: "", text: "välue ü", big: [1n, -2n] },
    attributeTypes: {},
    groups: ["G1", "Spectrometer"],
    variables: [
      {
        name: "n", // coordinate variable
        type: "double",
        dimensions: ["n"],
        data: [0.5, 1.5, 2.5],
        attributes: { units: "m" },
      },
      {
        name: "t",
        type: "ubyte",
        dimensions: ["n"],
        data: new Uint8Array([0, 128, 255]),
        attributes: {
          a_b: 1,
          a_ub: 2,
          a_s: 3,
          a_us: 4,
          a_i: 5,
          a_ui: 6,
          a_l: 7,
          a_ul: 8,
          a_f: 1.5,
          a_d: 2.25,
        },
        attributeTypes: {
          a_b: "byte",
          a_ub: "ubyte",
          a_s: "short",
          a_us: "ushort",
          a_i: "int",
          a_ui: "uint",
          a_l: "int64",
          a_ul: "uint64",
          a_f: "float",
          a_d: "double",
        },
      },
      { name: "us", type: "ushort", dimensions: ["n"], data: new Uint16Array([1, 65535, 7]) },
      { name: "ui", type: "uint", dimensions: ["s"], data: new Uint32Array([4294967295, 1]) },
      { name: "ul", type: "uint64", dimensions: ["s"], data: new BigUint64Array([5n, 9n]) },
      { name: "names", type: "string", dimensions: ["s"], data: ["alpha", "βeta"] },
      { name: "nodata", type: "int64", dimensions: ["s", "n"] },
      { name: "scalar", type: "float", dimensions: [], data: new Float32Array([-0.25]) },
    ],
  };
}

/** A small synthetic SpecFile (what process_otf_map writes). */
function specFile(nspec = 300, nchan = 50, npix = 4): SpecFile {
  const spectra = Float32Array.from({ length: nspec * nchan }, (_, i) => Math.sin(i / 13) * 3 + i * 1e-4);
  const line = {
    bank: 0,
    vSource: 10,
    vSystem: 10,
    zSource: 0,
    lineRestFrequency: 115.271e9,
    dopplerTrack: 0,
    vBarycenter: 1,
    vObservatory: 2,
    skyFrequency: 115.2e9,
    lo1Frequency: 1,
    lo2Frequency: 2,
    if1Frequency: 3,
    if2Frequency: 4,
    synthesizerFrequency: 5,
    frequencyOffset: 0,
    velocityOffset: 0,
    sideband: 1,
    nChannels: nchan,
    bandwidth: 8e8,
    deltaFrequency: 3.9e5,
    deltaVelocity: -1.01,
    lsrFrameV0: 0,
    barycenterFrameV0: 0,
    skyFrameV0: 0,
    xType: 2,
  };
  return {
    version: "test",
    history: "write_test",
    obsNum: 97001,
    mapCoord: 1,
    dumpTime: 0.1,
    offX: 0,
    offY: 0,
    sourceName: "SRC",
    xPosition: 1,
    yPosition: 2,
    dateObs: "2025-04-20",
    receiver: "Sequoia",
    nspec,
    nchan,
    nchan0: 2048,
    chan0: 731,
    ncal: 1,
    npix,
    channelNumber: Int32Array.from({ length: nchan }, (_, i) => 731 + i),
    cdelt: -1.01,
    crpix: 1,
    crval: 10,
    ctype: "VELO-LSR",
    caxis: Float64Array.from({ length: nchan }, (_, i) => 10 - i * 1.01),
    line,
    pixel: Int32Array.from({ length: nspec }, (_, i) => i % npix),
    sequence: Int32Array.from({ length: nspec }, (_, i) => i),
    xPos: Float32Array.from({ length: nspec }, (_, i) => i * 0.5),
    yPos: Float32Array.from({ length: nspec }, (_, i) => -i * 0.25),
    rms: Float32Array.from({ length: nspec }, (_, i) => 0.1 + i * 1e-3),
    spectra,
    tsys: Float32Array.from({ length: npix * nchan }, (_, i) => 100 + i),
  };
}

const NCH = 24;
const NROW = 5000;
/** Roach-like record variables of six types, all `time` rows (values per row known). */
function roachRecords(): {
  name: string;
  type: "int64" | "double" | "float" | "char" | "byte" | "short";
  inner: string[];
}[] {
  return [
    { name: "Data.Integrate.Inputs", type: "int64", inner: [] },
    { name: "Data.Integrate.time", type: "double", inner: [] },
    { name: "Data.Integrate.Data", type: "float", inner: ["numchannels"] },
    { name: "Data.Integrate.Label", type: "char", inner: ["label"] },
    { name: "Data.Integrate.Flag", type: "byte", inner: [] },
    { name: "Data.Integrate.Lev", type: "short", inner: ["two"] },
  ];
}

function roachValues(name: string, r0: number, n: number): NcData {
  switch (name) {
    case "Data.Integrate.Inputs":
      return BigInt64Array.from({ length: n }, (_, i) => BigInt((r0 + i) % 4) - 1n);
    case "Data.Integrate.time":
      return Float64Array.from({ length: n }, (_, i) => 1745134824.1 + (r0 + i) * 0.025);
    case "Data.Integrate.Data":
      return Float32Array.from({ length: n * NCH }, (_, i) => 5e4 + Math.cos(r0 * NCH + i));
    case "Data.Integrate.Label":
      return Array.from({ length: n }, (_, i) => `r${(r0 + i) % 997}`);
    case "Data.Integrate.Flag":
      return Int8Array.from({ length: n }, (_, i) => ((r0 + i) % 256) - 128);
    default:
      return Int16Array.from({ length: 2 * n }, (_, i) => (r0 * 2 + i) % 30000);
  }
}

function roachModel(): NcWriteModel {
  return {
    dimensions: [
      { name: "time", size: 0, unlimited: true },
      { name: "numchannels", size: NCH },
      { name: "label", size: 4 },
      { name: "two", size: 2 },
    ],
    groups: ["Spectrometer"],
    attributes: { source: "write_test" },
    variables: [
      {
        name: "Header.Mode.Clock",
        type: "double",
        dimensions: [],
        data: [1600],
        attributes: { units: "MHz" },
      },
      { name: "Header.Telescope.ObsNum", type: "int64", dimensions: [], data: new BigInt64Array([97001n]) },
      ...roachRecords().map((r) => ({ name: r.name, type: r.type, dimensions: ["time", ...r.inner] })),
    ],
  };
}

/** Stream the roach records in irregular blocks; tiny chunks (>4096 for the 1-D variables). */
async function writeRoach(path: string): Promise<void> {
  const w = await Nc4Writer.create(path, roachModel(), { chunkBytes: 8 });
  try {
    const blocks = [1, 7, 300, 33, 1, 2048];
    let r = 0, k = 0;
    while (r < NROW) {
      const n = Math.min(blocks[k++ % blocks.length]!, NROW - r);
      for (const rec of roachRecords()) {
        // Data.Flag lags behind by 10 rows: extended (reading 0) at close
        const m = rec.name === "Data.Integrate.Flag" ? Math.max(0, Math.min(n, NROW - 10 - r)) : n;
        if (m > 0) w.append(rec.name, roachValues(rec.name, r, m), m);
      }
      r += n;
    }
    assert.equal(w.chunkRows("Data.Integrate.time"), 1);
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Fixed and record variables filled by out-of-order slabs, with regions never written. */
function slabModel(): NcWriteModel {
  return {
    dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "y", size: 40 }, {
      name: "x",
      size: 30,
    }],
    variables: [
      { name: "grid", type: "float", dimensions: ["y", "x"], attributes: { units: "K" } },
      { name: "rec", type: "double", dimensions: ["time", "x"] },
      { name: "small", type: "int", dimensions: ["x"] },
    ],
  };
}
async function writeSlabs(path: string): Promise<void> {
  const w = await Nc4Writer.create(path, slabModel(), { chunkBytes: 1000 });
  const g = (y0: number, ny: number, x0: number, nx: number) =>
    Float32Array.from({ length: ny * nx }, (_, i) => (y0 + Math.floor(i / nx)) * 100 + x0 + (i % nx));
  w.writeSlab("grid", [30, 0], [10, 30], g(30, 10, 0, 30));
  w.writeSlab("grid", [2, 5], [3, 20], g(2, 3, 5, 20)); // partial rows
  w.writeSlab("grid", [10, 0], [5, 30], g(10, 5, 0, 30));
  const rv = (r0: number, n: number, x0: number, nx: number) =>
    Float64Array.from({ length: n * nx }, (_, i) => -((r0 + Math.floor(i / nx)) * 1000 + x0 + (i % nx)));
  w.writeSlab("rec", [20, 0], [5, 30], rv(20, 5, 0, 30)); // chunks of 4 rows: rows 0..19 never written
  w.writeSlab("rec", [1, 3], [2, 4], rv(1, 2, 3, 4));
  w.writeSlab("rec", [21, 29], [1, 1], rv(21, 1, 29, 1).fill(7)); // into an already written chunk
  w.writeSlab("small", [4], [2], [1, 2]);
  await w.close();
}
function slabExpect(): { grid: number[]; rec: number[]; small: number[] } {
  const grid: number[] = [];
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 30; x++) {
      grid.push(y >= 30 || (y >= 10 && y < 15) || (y >= 2 && y < 5 && x >= 5 && x < 25) ? y * 100 + x : 0);
    }
  }
  const rec: number[] = [];
  for (let r = 0; r < 25; r++) {
    for (let x = 0; x < 30; x++) {
      rec.push(
        r === 21 && x === 29 ? 7 : r >= 20 || (r >= 1 && r < 3 && x >= 3 && x < 7) ? -(r * 1000 + x) : 0,
      );
    }
  }
  const small = Array.from({ length: 30 }, (_, i) => (i === 4 ? 1 : i === 5 ? 2 : -2147483647));
  return { grid, rec, small };
}

/** Flat plain values of model data as python's JSON gives them. */
function plain(type: string, data: unknown, shape: number[]): number[] | string | string[] {
  if (type === "char") {
    const rowLen = shape.length ? shape[shape.length - 1]! : 1;
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Uint8Array(n);
    const rows = typeof data === "string" ? [data] : (data as string[]);
    rows.forEach((s, r) => out.set(new TextEncoder().encode(s), r * rowLen));
    return new TextDecoder("latin1").decode(out);
  }
  if (type === "string") return data as string[];
  return Array.from(data as ArrayLike<number | bigint>, Number);
}

let files: Record<string, PyFile> | null = null;
let dir = "";
let cleanupDir: () => void = () => {};
const P = (n: string) => join(dir, n);

/** Write every file once (and the determinism twins); run python once over all. */
async function prepare(): Promise<Record<string, PyFile> | null> {
  if (dir === "") {
    const t = tempDir("hdf5-write-");
    dir = t.dir;
    cleanupDir = t.cleanup;
    await writeNetcdf4(P("rich.nc"), richModel(5));
    await writeNetcdf4(P("rich2.nc"), richModel(5));
    await writeNetcdf4(P("types.nc"), typesModel());
    const sink = nc4SpecSink(P("spec.nc"));
    const sf = specFile();
    await sink.begin({ ...sf, spectra: new Float32Array(0) });
    const rows = sink.blockRows ?? 64;
    for (let r = 0; r < sf.nspec; r += rows) {
      const n = Math.min(rows, sf.nspec - r);
      sink.write(r, n, sf.spectra.slice(r * sf.nchan, (r + n) * sf.nchan));
    }
    await sink.end(sf.rms);
    await writeRoach(P("roach.nc"));
    await writeRoach(P("roach2.nc"));
    await writeSlabs(P("slabs.nc"));
  }
  if (!hasPyNetcdf()) return null;
  files ??= runPython(PY_FULL, ["rich.nc", "types.nc", "spec.nc", "roach.nc", "slabs.nc"].map(P)) as Record<
    string,
    PyFile
  >;
  return files;
}

/** Compare one model (all data present) with python's view of the file. */
function assertModel(f: PyFile, m: NcWriteModel, what: string): void {
  assert.equal(f.model, "NETCDF4", what);
  assert.deepEqual(f.groups, m.groups ?? [], what);
  const nrec = Object.values(f.dims).find((d) => d[1])?.[0] ?? 0;
  assert.deepEqual(
    f.dims,
    Object.fromEntries(
      m.dimensions.map((
        d,
      ) => [d.name, [d.unlimited || d.size === 0 ? nrec : d.size, !!(d.unlimited || d.size === 0)]]),
    ),
    what,
  );
  const names = new Set(m.variables.map((v) => v.name));
  assert.deepEqual(Object.keys(f.vars).filter((n) => names.has(n)), [...names], `${what}: variable order`);
  for (const v of m.variables) {
    const pv = f.vars[v.name]!;
    const shape = v.dimensions.map((d) => f.dims[d]![0]);
    assert.equal(pv.dtype, PY_DTYPE[v.type], `${what} ${v.name}`);
    assert.deepEqual(pv.dims, v.dimensions, `${what} ${v.name}`);
    assert.deepEqual(pv.shape, shape, `${what} ${v.name}`);
    if (v.data !== undefined) {
      assert.deepEqual(pv.data, plain(v.type, v.data, shape), `${what} ${v.name} data`);
    }
  }
}

Deno.test({
  name: "python netCDF4 reads models of every type: dims, variables, attribute values and types, data",
  ignore: !hasPyNetcdf(),
  async fn() {
    const f = (await prepare())!;
    assertModel(f[P("rich.nc")]!, richModel(5), "rich");
    const rich = f[P("rich.nc")]!;
    assert.deepEqual(rich.attrs, {
      title: ["str", "LMT test"],
      history: ["str", "made by cdf3_test"],
      nbeam: ["<i4", [3]],
      freqs: ["<f8", [91.5e9, 115.27e9]],
    });
    assert.deepEqual(rich.vars["Data.Spec"]!.attrs, {
      units: ["str", "K"],
      _FillValue: ["<f4", [-999]],
      scale: ["<f8", [0.5]],
    });
    assert.deepEqual(rich.vars["Header.Pix.Nothing"]!.data, [-32767, -32767, -32767], "netCDF default fill");
    const m = typesModel();
    const t = f[P("types.nc")]!;
    assertModel(t, { ...m, variables: m.variables.filter((v) => v.name !== "nodata") }, "types (data)");
    assert.deepEqual(t.vars.nodata!.data, new Array(6).fill(-9223372036854775806), "int64 default fill");
    assert.deepEqual(t.attrs, { empty: ["str", ""], text: ["str", "välue ü"], big: ["<i8", [1, -2]] });
    assert.deepEqual(t.vars.t!.attrs, {
      a_b: ["|i1", [1]],
      a_ub: ["|u1", [2]],
      a_s: ["<i2", [3]],
      a_us: ["<u2", [4]],
      a_i: ["<i4", [5]],
      a_ui: ["<u4", [6]],
      a_l: ["<i8", [7]],
      a_ul: ["<u8", [8]],
      a_f: ["<f4", [1.5]],
      a_d: ["<f8", [2.25]],
    });
    assert.deepEqual(t.vars.n!.attrs, { units: ["str", "m"] }, "coordinate variable keeps its attributes");
  },
});

Deno.test({
  name:
    "python netCDF4 reads a SpecFile streamed by nc4SpecSink and a roach file grown by append (3-level chunk B-tree)",
  ignore: !hasPyNetcdf(),
  async fn() {
    const f = (await prepare())!;
    const s = f[P("spec.nc")]!;
    const sf = specFile();
    assert.deepEqual(s.dims.nspec, [300, false]);
    assert.deepEqual(s.vars["Data.Spectra"]!.shape, [300, 50]);
    assert.deepEqual(s.vars["Data.Spectra"]!.data, Array.from(sf.spectra));
    assert.deepEqual(s.vars["Data.RMS"]!.data, Array.from(sf.rms));
    assert.deepEqual(s.vars["Data.XPos"]!.attrs, { units: ["str", "arcsec"] });
    assert.deepEqual(s.vars["Data.Tsys"]!.data, Array.from(sf.tsys));
    assert.equal(s.vars["Header.Obs.SourceName"]!.data, "SRC".padEnd(20, "\0"));
    const r = f[P("roach.nc")]!;
    assert.deepEqual(r.dims, {
      time: [NROW, true],
      numchannels: [NCH, false],
      label: [4, false],
      two: [2, false],
    });
    assert.deepEqual(r.groups, ["Spectrometer"]);
    for (const rec of roachRecords()) {
      const v = r.vars[rec.name]!;
      assert.equal(v.dtype, PY_DTYPE[rec.type], rec.name);
      assert.deepEqual(v.dims, ["time", ...rec.inner], rec.name);
      const want = plain(rec.type, roachValues(rec.name, 0, NROW), [
        NROW,
        ...rec.inner.map((d) => r.dims[d]![0]),
      ]);
      if (rec.name === "Data.Integrate.Flag") {
        (want as number[]).fill(0, NROW - 10);
      }
      assert.deepEqual(v.data, want, rec.name);
    }
    assert.deepEqual(r.vars["Header.Telescope.ObsNum"]!.data, [97001]);
  },
});

Deno.test({
  name:
    "python netCDF4 reads slabs written out of order; never-written parts read 0, small unwritten vars the default fill",
  ignore: !hasPyNetcdf(),
  async fn() {
    const f = (await prepare())!;
    const s = f[P("slabs.nc")]!;
    const want = slabExpect();
    assert.deepEqual(s.dims.time, [25, true]);
    assert.deepEqual(s.vars.grid!.data, want.grid);
    assert.deepEqual(s.vars.rec!.data, want.rec);
    assert.deepEqual(s.vars.small!.data, want.small);
    assert.deepEqual(s.vars.grid!.attrs, { units: ["str", "K"] });
  },
});

Deno.test({
  name: "ncdump -h shows the netCDF-4 model (no phony dims, char/int64/string types, UNLIMITED, groups)",
  ignore: !hasNcdump(),
  async fn() {
    await prepare();
    for (
      const [name, m] of [["rich.nc", richModel(5)], ["types.nc", typesModel()], [
        "roach.nc",
        roachModel(),
      ]] as const
    ) {
      const text = ncdump(["-h", P(name)]);
      assert.doesNotMatch(text, /phony_dim/, name);
      const cdl = parseCdl(text);
      assert.deepEqual([...cdl.vars.keys()], m.variables.map((v) => v.name), name);
      for (const v of m.variables) {
        assert.deepEqual(cdl.vars.get(v.name), { type: v.type, dims: v.dimensions }, `${name} ${v.name}`);
      }
      assert.deepEqual(cdl.groups, m.groups ?? [], name);
      assert.deepEqual([...cdl.dims.keys()], m.dimensions.map((d) => d.name), name);
      assert.match(ncdump(["-k", P(name)]), /^netCDF-4/);
    }
    assert.match(ncdump(["-h", P("roach.nc")]), /time = UNLIMITED ; \/\/ \(5000 currently\)/);
    assert.match(ncdump(["-h", P("types.nc")]), /\tstring names\(s\) ;/);
    assert.match(ncdump(["-h", P("types.nc")]), /\t\tt:a_ul = 8ULL ;/);
  },
});

Deno.test("the h5wasm reader (Nc4File) reads the same dimensions, variables and values", async () => {
  await prepare();
  const check = async (name: string, m: NcWriteModel, values: (v: string) => unknown) => {
    const f = await openNc4(P(name));
    try {
      assert.deepEqual([...f.variables.keys()], m.variables.map((v) => v.name), name);
      for (const v of m.variables) {
        const meta = f.variable(v.name);
        assert.equal(meta.type, v.type, `${name} ${v.name}`);
        assert.deepEqual(meta.dimensions, v.dimensions, `${name} ${v.name}`);
        const want = values(v.name);
        if (want !== undefined) assert.deepEqual(f.read(v.name), want, `${name} ${v.name}`);
      }
      assert.deepEqual(f.groups, m.groups ?? []);
    } finally {
      f.close();
    }
  };
  const rich = richModel(5);
  await check("rich.nc", rich, (n) => {
    const v = rich.variables.find((x) => x.name === n)!;
    // the reader's char convention: trailing blanks and NULs removed
    if (typeof v.data === "string") return v.data.trimEnd();
    return Array.isArray(v.data) && typeof v.data[0] === "number"
      ? Float64Array.from(v.data as number[])
      : v.data;
  });
  await check("roach.nc", roachModel(), (n) => {
    if (!n.startsWith("Data.")) return undefined;
    const d = roachValues(n, 0, NROW);
    if (n === "Data.Integrate.Flag") (d as Int8Array).fill(0, NROW - 10);
    return d;
  });
  const want = slabExpect();
  await check(
    "slabs.nc",
    slabModel(),
    (n) =>
      n === "grid"
        ? Float32Array.from(want.grid)
        : n === "rec"
        ? Float64Array.from(want.rec)
        : Int32Array.from(want.small),
  );
  const t = await openNc4(P("types.nc"));
  assert.deepEqual(t.read("ul"), new BigUint64Array([5n, 9n]));
  assert.equal(t.variable("t").attributes.get("a_d"), 2.25);
  assert.equal(t.attributes.get("text"), "välue ü");
  t.close();
});

Deno.test("the same model or the same calls give byte-identical files", async () => {
  await prepare();
  assert.equal(Buffer.compare(readFileSync(P("rich.nc")), readFileSync(P("rich2.nc"))), 0, "writeNetcdf4");
  assert.equal(Buffer.compare(readFileSync(P("roach.nc")), readFileSync(P("roach2.nc"))), 0, "Nc4Writer");
  const b = readFileSync(P("rich.nc"));
  assert.deepEqual(
    [...b.subarray(0, 9)],
    [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 2],
    "superblock v2",
  );
  assert.equal(new DataView(b.buffer, b.byteOffset).getUint32(28, true), b.length, "end-of-file address");
});

/** One attachment of a dimension scale: referencing dataset (name) and its axis. */
type Attachment = [string, number];

/** Per root dataset: address, DIMENSION_LIST (scale addresses per axis) and REFERENCE_LIST records. */
function scaleLinks(path: string): {
  addr: Map<string, number>;
  dimList: Map<string, number[][]>;
  refList: Map<string, { dataset: number; dimension: number }[]>;
  refType: unknown;
} {
  const h = Hdf5File.open(path);
  try {
    const addr = new Map<string, number>();
    const dimList = new Map<string, number[][]>();
    const refList = new Map<string, { dataset: number; dimension: number }[]>();
    let refType: unknown = null;
    for (const l of h.object(h.root).links!) {
      addr.set(l.name, l.addr);
      for (const a of h.attributes(h.object(l.addr))) {
        if (a.name === "DIMENSION_LIST") dimList.set(l.name, (h.attrValue(a) as { refs: number[][] }).refs);
        if (a.name === "REFERENCE_LIST") {
          refList.set(l.name, h.compoundValue(a) as { dataset: number; dimension: number }[]);
          refType = {
            size: a.type.size,
            members: a.type.members!.map((m) => [m.name, m.offset, m.type.cls, m.type.size, m.type.signed]),
          };
        }
      }
    }
    return { addr, dimList, refList, refType };
  } finally {
    h.close();
  }
}

/** Attachments by scale name, as REFERENCE_LIST should hold them: datasets in order, axes in order. */
function expectedAttachments(vars: { name: string; dims: string[] }[]): Map<string, Attachment[]> {
  const out = new Map<string, Attachment[]>();
  for (const v of vars) {
    if (v.dims.length === 1 && v.dims[0] === v.name) continue; // a coordinate variable is its own scale
    v.dims.forEach((d, axis) => {
      if (!out.has(d)) out.set(d, []);
      out.get(d)!.push([v.name, axis]);
    });
  }
  return out;
}

/** REFERENCE_LIST of every scale of a file, decoded by the native reader, as names and axes. */
function attachmentsOf(path: string): Map<string, Attachment[]> {
  const f = scaleLinks(path);
  const nameAt = new Map([...f.addr].map(([n, a]) => [a, n]));
  const out = new Map<string, Attachment[]>();
  for (const [scale, recs] of f.refList) {
    out.set(scale, recs.map((r) => [nameAt.get(Number(r.dataset)) ?? `@${r.dataset}`, Number(r.dimension)]));
  }
  // every element points back at a DIMENSION_LIST entry naming this scale, and vice versa
  let back = 0;
  for (const [v, lists] of f.dimList) {
    lists.forEach((l, axis) => {
      for (const s of l) {
        const scale = nameAt.get(s)!;
        assert.ok(
          f.refList.get(scale)?.some((r) => Number(r.dataset) === f.addr.get(v) && r.dimension === axis),
          `${path}: ${v} axis ${axis} → ${scale} has no back-reference`,
        );
        back++;
      }
    });
  }
  const total = [...f.refList.values()].reduce((n, l) => n + l.length, 0);
  assert.equal(total, back, `${path}: REFERENCE_LIST elements = DIMENSION_LIST entries`);
  return out;
}

const SPEC_FILES = ["rich.nc", "types.nc", "spec.nc", "roach.nc", "slabs.nc"];

/** The expected attachments of each written file, from its model (spec.nc: its DIMENSION_LISTs). */
function expectedOf(name: string): Map<string, Attachment[]> {
  const vars = (m: NcWriteModel) => m.variables.map((v) => ({ name: v.name, dims: v.dimensions }));
  if (name === "rich.nc") return expectedAttachments(vars(richModel(5)));
  if (name === "types.nc") return expectedAttachments(vars(typesModel()));
  if (name === "roach.nc") return expectedAttachments(vars(roachModel()));
  if (name === "slabs.nc") return expectedAttachments(vars(slabModel()));
  const f = scaleLinks(P(name));
  const nameAt = new Map([...f.addr].map(([n, a]) => [a, n]));
  return expectedAttachments(
    [...f.addr.keys()].filter((v) => f.dimList.has(v)).map((v) => ({
      name: v,
      dims: f.dimList.get(v)!.map((l) => nameAt.get(l[0]!)!),
    })),
  );
}

Deno.test("REFERENCE_LIST on every attached dimension scale: one {dataset, dimension} per axis, in order", async () => {
  await prepare();
  for (const name of SPEC_FILES) {
    const want = expectedOf(name);
    assert.ok(want.size > 0, name);
    assert.deepEqual(attachmentsOf(P(name)), want, name);
  }
  // concrete: Data.Spec(time, npix, nchan) of the rich model is axis 0/1/2 of its three scales
  const rich = attachmentsOf(P("rich.nc"));
  assert.deepEqual(rich.get("nchan"), [["Data.Spec", 2]]);
  assert.deepEqual(rich.get("time")?.[0], ["Data.Time", 0]);
  const spec = attachmentsOf(P("spec.nc"));
  assert.deepEqual(spec.get("nspec")?.[0]?.[1], 0, "streamed SpecFile: nspec is axis 0");
  assert.ok(spec.get("nspec")!.some(([v]) => v === "Data.Spectra"), "Data.Spectra is attached to nspec");
});

Deno.test({
  name: "REFERENCE_LIST has the HDF5 library's layout (16-byte compound: objref at 0, int32 at 8)",
  ignore: !hasPyNetcdf(),
  async fn() {
    await prepare();
    const real = P("real_lib.nc");
    runPython(
      `
import sys, json, netCDF4
d = netCDF4.Dataset(sys.argv[1], "w")
d.createDimension("x", 3); d.createDimension("t", None); d.createDimension("y", 2)
d.createVariable("x", "f8", ("x",))[:] = [1, 2, 3]
d.createVariable("a", "f4", ("t", "x"))[0:2, :] = 1
d.createVariable("b", "i4", ("t", "y", "x"))
d.close()
print("[]")
`,
      [real],
    );
    const theirs = scaleLinks(real);
    const ours = scaleLinks(P("rich.nc"));
    // class 7 object reference "dataset" at 0 (8 bytes), class 0 signed 32-bit "dimension" at 8
    const want = { size: 16, members: [["dataset", 0, 7, 8, false], ["dimension", 8, 0, 4, true]] };
    assert.deepEqual(theirs.refType, want, "the real library's REFERENCE_LIST");
    assert.deepEqual(ours.refType, want, "ours");
    assert.deepEqual(
      attachmentsOf(real),
      new Map<string, Attachment[]>([["t", [["a", 0], ["b", 0]]], ["x", [["a", 1], ["b", 2]]], [
        "y",
        [["b", 1]],
      ]]),
      "the real library attaches in variable order, axes in order",
    );
  },
});

/** HDF5's own H5DSis_scale / H5DSget_num_scales / H5DSis_attached through ctypes (no h5py here). */
const PY_DS = `
import ctypes, sys, json
try:
    h5 = ctypes.CDLL("libhdf5_serial.so.103"); hl = ctypes.CDLL("libhdf5_serial_hl.so.100")
except OSError:
    print("null"); sys.exit(0)
hid = ctypes.c_int64
h5.H5open()
h5.H5Fopen.restype = hid; h5.H5Fopen.argtypes = [ctypes.c_char_p, ctypes.c_uint, hid]
h5.H5Dopen2.restype = hid; h5.H5Dopen2.argtypes = [hid, ctypes.c_char_p, hid]
h5.H5Dclose.argtypes = [hid]; h5.H5Fclose.argtypes = [hid]
hl.H5DSis_attached.argtypes = [hid, hid, ctypes.c_uint]; hl.H5DSis_attached.restype = ctypes.c_int
hl.H5DSget_num_scales.argtypes = [hid, ctypes.c_uint]; hl.H5DSget_num_scales.restype = ctypes.c_int
hl.H5DSis_scale.argtypes = [hid]; hl.H5DSis_scale.restype = ctypes.c_int
out = []
f = h5.H5Fopen(sys.argv[1].encode(), 0, 0)
for t in json.loads(sys.argv[2]):
    v, axis, s = t
    d = h5.H5Dopen2(f, ("/" + v).encode(), 0); sd = h5.H5Dopen2(f, ("/" + s).encode(), 0)
    out.append([hl.H5DSis_scale(sd), hl.H5DSget_num_scales(d, axis), hl.H5DSis_attached(d, sd, axis)])
    h5.H5Dclose(d); h5.H5Dclose(sd)
h5.H5Fclose(f)
print(json.dumps(out))
`;

Deno.test({
  name: "the HDF5 C library (H5DSis_attached) sees every scale attached to its axes, and no other",
  ignore: !hasPyNetcdf(),
  async fn() {
    await prepare();
    for (const name of ["rich.nc", "spec.nc", "roach.nc"]) {
      const want = expectedOf(name);
      const triples: [string, number, string][] = [];
      for (const [scale, list] of want) for (const [v, axis] of list) triples.push([v, axis, scale]);
      // a wrong axis for each variable of rank > 1: not attached there
      const wrong: [string, number, string][] = triples
        .filter(([v, axis]) => triples.some(([w, a]) => w === v && a !== axis))
        .map(([v, axis, s]) => [v, triples.find(([w, a]) => w === v && a !== axis)![1], s]);
      const r = runPython(PY_DS, [P(name), JSON.stringify([...triples, ...wrong])]) as number[][] | null;
      if (r === null) {
        console.error("NOTICE: libhdf5_serial not loadable: H5DSis_attached check SKIPPED");
        return;
      }
      assert.ok(wrong.length > 0, name);
      assert.deepEqual(r.slice(0, triples.length), triples.map(() => [1, 1, 1]), `${name}: attached`);
      assert.deepEqual(r.slice(triples.length), wrong.map(() => [1, 1, 0]), `${name}: not on another axis`);
    }
  },
});

function hasH5dump(): boolean {
  try {
    return new Deno.Command("h5dump", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync().code ===
      0;
  } catch {
    console.error("NOTICE: h5dump not available (apt-get install hdf5-tools): h5dump checks are SKIPPED");
    return false;
  }
}

Deno.test({
  name: "h5dump -A shows REFERENCE_LIST with the right DATASET / DIMENSION entries",
  ignore: !hasH5dump(),
  async fn() {
    await prepare();
    for (const name of ["rich.nc", "types.nc", "spec.nc"]) {
      const r = new Deno.Command("h5dump", { args: ["-A", P(name)], stdout: "piped", stderr: "piped" })
        .outputSync();
      assert.equal(r.code, 0, `${name}: ${new TextDecoder().decode(r.stderr)}`);
      const text = new TextDecoder().decode(r.stdout);
      const got = new Map<string, Attachment[]>();
      for (const sec of text.split(/^ {3}DATASET "/m).slice(1)) {
        const scale = sec.slice(0, sec.indexOf('"'));
        const i = sec.indexOf('ATTRIBUTE "REFERENCE_LIST"');
        if (i < 0) continue;
        const body = sec.slice(i).split(/^ {6}ATTRIBUTE /m)[0]!;
        assert.match(
          body,
          /H5T_COMPOUND \{\s+H5T_REFERENCE \{ H5T_STD_REF_OBJECT \} "dataset";\s+H5T_STD_I32LE "dimension";/,
        );
        got.set(
          scale,
          [...body.matchAll(/DATASET \d+ "\/([^"]+)",\s+(-?\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
        );
      }
      const want = expectedOf(name);
      // h5dump lists datasets by name; compare per scale
      assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()), name);
    }
  },
});

Deno.test("cleanup of the shared temp dir", () => {
  cleanupDir();
});
