/**
 * The native netCDF-4 reader (lib/netcdf/nc4_native.ts on lib/hdf5/read) gives the same NcFile
 * as the h5wasm reader (Nc4File) on every kind of netCDF-4 file we meet: netCDF-C samples
 * (roach, corr_cal, SpecFile), generated roach/corr_cal files, our writer's models, python
 * netCDF4 files with dense storage, deflate+shuffle, big-endian, strings, fill values; falls back to
 * h5wasm for fletcher32; damaged files give one NetcdfError naming the file.
 * @module
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type NcData,
  type NcFile,
  NetcdfError,
  openNc4,
  openNc4Native,
  openNc4NativeBytes,
  openNetcdf,
  openNetcdfBytes,
  setHdf5Reader,
  writeNetcdf4,
} from "../../../lib/netcdf/mod.ts";
import { Hdf5Unsupported } from "../../../lib/hdf5/read/mod.ts";
import { needsSamples, ROOT, sample, tempDir } from "../../_helpers.ts";
import { richModel } from "./_models.ts";
import { hasPyNetcdf, PYTHON } from "./_nc_helpers.ts";

const json = (x: unknown): string =>
  JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v));

/** Element-wise, NaN-aware equality of two read results (same array class too). */
function assertSameData(a: NcData, b: NcData, what: string): void {
  if (typeof a === "string" || Array.isArray(a)) {
    assert.deepEqual(a, b, what);
    return;
  }
  assert.equal(a.constructor, (b as object).constructor, `${what}: array type`);
  const x = a as ArrayLike<number | bigint>;
  const y = b as ArrayLike<number | bigint>;
  assert.equal(x.length, y.length, `${what}: length`);
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i]) && !(x[i] === 0 && y[i] === 0)) {
      assert.fail(`${what}: element ${i}: native ${x[i]} vs h5wasm ${y[i]}`);
    }
  }
}

/** Small deterministic PRNG for the random hyperslabs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Native and h5wasm readers agree on metadata, every variable's data and random hyperslabs. */
function assertSameFile(native: NcFile, ref: NcFile, slabs = 3): void {
  const f = native.path;
  assert.equal(json([...native.dimensions]), json([...ref.dimensions]), `${f}: dimensions`);
  assert.deepEqual(native.groups, ref.groups, `${f}: groups`);
  assert.equal(json([...native.attributes]), json([...ref.attributes]), `${f}: global attributes`);
  assert.deepEqual([...native.variables.keys()], [...ref.variables.keys()], `${f}: variables`);
  const rnd = lcg(12345);
  for (const [name, v] of ref.variables) {
    const w = native.variable(name);
    assert.equal(json(w), json(v), `${f}: ${name} metadata`);
    assertSameData(native.read(name), ref.read(name), `${f}: ${name}`);
    if (v.shape.length === 0 || v.shape.some((n) => n === 0)) continue;
    for (let k = 0; k < slabs; k++) {
      const start = v.shape.map((n) => Math.floor(rnd() * n));
      const count = v.shape.map((n, d) => 1 + Math.floor(rnd() * (n - start[d]!)));
      const slab = { start, count };
      assertSameData(native.read(name, slab), ref.read(name, slab), `${f}: ${name} slab ${json(slab)}`);
    }
  }
}

async function compare(path: string, slabs = 3): Promise<void> {
  const a = openNc4Native(path);
  const b = await openNc4(path);
  try {
    assertSameFile(a, b, slabs);
  } finally {
    a.close();
    b.close();
  }
}

Deno.test({
  name: "native netCDF-4 reader equals h5wasm on the netCDF-C samples (roach, corr_cal, SpecFile)",
  ignore: needsSamples(),
  fn: async () => {
    const roach = sample("seq/data_lmt/spectrometer/roach0");
    for (const f of readdirSync(roach).filter((x) => x.endsWith(".nc"))) await compare(join(roach, f));
    await compare(
      sample("seq/data_lmt/spectrometer/roach3", readdirSync(sample("seq/data_lmt/spectrometer/roach3"))[0]!),
    );
    await compare(sample("rsr/data_lmt/rsr/cal/corr_cal_2024_1.nc"));
    await compare(sample("seq/reference_outputs/SAMPLE-OTF_97001__0.nc"), 10);
  },
});

Deno.test("native netCDF-4 reader equals h5wasm on generated roach and corr_cal files and the writer's model", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const gen = (script: string, args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", join(ROOT, "scripts", script), ...args],
        stdout: "null",
        stderr: "piped",
      }).outputSync();
    const s = gen("gen_seq.ts", [
      "--out",
      join(dir, "seq"),
      "--obsnum0",
      "97000",
      "--rows",
      "2",
      "--nchan",
      "256",
    ]);
    assert.equal(s.code, 0, new TextDecoder().decode(s.stderr));
    const r = gen("gen_rsr.ts", [
      "--out",
      join(dir, "rsr"),
      "--obsnum",
      "33551",
      "--repeats",
      "1",
      "-t",
      join(dir, "t.json"),
    ]);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const roach = join(dir, "seq/spectrometer/roach1");
    const files = readdirSync(roach).map((f) => join(roach, f));
    assert.equal(files.length, 4);
    for (const f of files) await compare(f);
    await compare(join(dir, "rsr/rsr/cal/corr_cal_2024_2.nc"));
    await writeNetcdf4(join(dir, "model.nc"), richModel(9));
    await compare(join(dir, "model.nc"), 20);
  } finally {
    cleanup();
  }
});

const PY_FILES = `
import sys, netCDF4, numpy as np
out = sys.argv[1]
d = netCDF4.Dataset(out + "/dense.nc", "w")
d.createDimension("time", None); d.createDimension("x", 7); d.createDimension("y", 5)
for i in range(15): setattr(d, "gattr%02d" % i, i * 1.5 if i % 2 else "text %d" % i)
types = ["f4","f8","i4","i2","i1","u1","u2","u4","i8","u8"]
for i in range(14):
    v = d.createVariable("var%02d" % i, types[i % 10], ("time","x") if i % 3 == 0 else ("x","y"))
    for k in range(12): v.setncattr("att%02d" % k, np.arange(k+1, dtype="i4") if k % 2 else "s%d" % k)
    if i % 3 == 0: v[0:4] = (np.arange(28).reshape(4,7) * (i+1)) % 100
    else: v[:] = (np.arange(35).reshape(7,5) * (i+1)) % 100
s = d.createVariable("names", str, ("x",)); s[:] = np.array(["n%d" % i * (i+1) for i in range(7)], dtype=object)
c = d.createVariable("chars", "S1", ("x","y"))
c[:] = netCDF4.stringtochar(np.array(["ab","cde","","f g  ","hhhhh","i","jj"], dtype="S5"))
be = d.createVariable("be", ">f8", ("x",), endian="big"); be[:] = np.linspace(-3, 3, 7)
bi = d.createVariable("bei", ">i4", ("x","y"), endian="big"); bi[:] = np.arange(35).reshape(7,5) - 17
z = d.createVariable("zs", "f4", ("time","x","y"), zlib=True, shuffle=True, complevel=4, chunksizes=(2,3,2))
z[0:5] = np.sin(np.arange(175)).reshape(5,7,5)
z2 = d.createVariable("zn", "i2", ("x","y"), zlib=True, shuffle=False); z2[:] = np.arange(35).reshape(7,5) * 3
f = d.createVariable("filled", "f4", ("time","x"), fill_value=-5.5, chunksizes=(1,7)); f[5] = np.arange(7)
sc = d.createVariable("scal", "f8"); sc.assignValue(3.25)
d.createGroup("Spectrometer").setncattr("a", 1)
d.close()
d = netCDF4.Dataset(out + "/fletcher.nc", "w")
d.createDimension("x", 100)
v = d.createVariable("v", "f4", ("x",), zlib=True, fletcher32=True); v[:] = np.arange(100) * 0.5
d.close()
d = netCDF4.Dataset(out + "/classic.nc", "w", format="NETCDF4_CLASSIC")
d.createDimension("t", None); d.createDimension("n", 3)
v = d.createVariable("v", "f8", ("t","n")); v[0:2] = [[1,2,3],[4,5,6]]; v.units = "K"
d.title = "classic model"
d.close()
`;

Deno.test({
  name:
    "native reader: python netCDF4 files (dense links/attributes, deflate+shuffle, big-endian, strings, fill)",
  ignore: !hasPyNetcdf(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = new Deno.Command(PYTHON, { args: ["-c", PY_FILES, dir], stdout: "null", stderr: "piped" })
        .outputSync();
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
      await compare(join(dir, "dense.nc"), 10);
      await compare(join(dir, "classic.nc"), 5);
      const nc = openNc4Native(join(dir, "dense.nc"));
      try {
        // truths written by the python program
        assert.equal(nc.attributes.size, 15);
        assert.equal(nc.attributes.get("gattr03"), 4.5);
        assert.deepEqual(nc.variable("var05").attributes.get("att03"), [0, 1, 2, 3]);
        assert.deepEqual(Array.from(nc.read("be") as Float64Array), [-3, -2, -1, 0, 1, 2, 3]);
        assert.equal((nc.read("bei") as Int32Array)[34], 17);
        const z = nc.read("zs", { start: [4, 6, 4], count: [1, 1, 1] }) as Float32Array;
        assert.equal(z[0], Math.fround(Math.sin(174)));
        assert.deepEqual(Array.from(nc.read("filled", { start: [4, 0], count: [2, 2] }) as Float32Array), [
          -5.5,
          -5.5,
          0,
          1,
        ]);
        assert.deepEqual(nc.read("names"), [
          "n0",
          "n1n1",
          "n2n2n2",
          "n3n3n3n3",
          "n4".repeat(5),
          "n5".repeat(6),
          "n6".repeat(7),
        ]);
        assert.deepEqual(nc.read("chars"), ["ab", "cde", "", "f g", "hhhhh", "i", "jj"]);
        assert.equal(nc.dimensions.get("time")!.size, 6);
      } finally {
        nc.close();
      }
      // fletcher32 is outside the native subset: openNetcdf falls back to h5wasm and reads right
      const fl = join(dir, "fletcher.nc");
      assert.throws(() => openNc4Native(fl), Hdf5Unsupported);
      const f = await openNetcdf(fl);
      try {
        assert.equal(f.constructor.name, "Nc4File");
        assert.deepEqual(Array.from(f.readNumbers("v")).slice(0, 4), [0, 0.5, 1, 1.5]);
        assert.equal(f.readNumbers("v")[99], 49.5);
      } finally {
        f.close();
      }
      const fb = await openNetcdfBytes(readFileSync(fl), "<stdin>");
      assert.equal(fb.readNumbers("v")[99], 49.5);
      fb.close();
    } finally {
      cleanup();
    }
  },
});

Deno.test('native reader: openNetcdf/openNetcdfBytes use it; setHdf5Reader("h5wasm") (lib/cli, LMT_HDF5=h5wasm) or the reader argument forces h5wasm', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "m.nc");
    await writeNetcdf4(p, richModel(4));
    const a = await openNetcdf(p);
    assert.equal(a.constructor.name, "Nc4NativeFile");
    const b = openNc4NativeBytes(readFileSync(p), "<stdin>");
    assertSameFile(b, a);
    a.close();
    b.close();
    const d = await openNetcdf(p, "h5wasm");
    assert.equal(d.constructor.name, "Nc4File");
    d.close();
    setHdf5Reader("h5wasm");
    try {
      const c = await openNetcdf(p);
      assert.equal(c.constructor.name, "Nc4File");
      c.close();
    } finally {
      setHdf5Reader("native");
    }
  } finally {
    cleanup();
  }
});

Deno.test("native reader: truncated or damaged files give one NetcdfError naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "m.nc");
    await writeNetcdf4(p, richModel(6));
    const bytes = readFileSync(p);
    const bad: string[] = [];
    const cases: [string, Uint8Array][] = [];
    for (const n of [0, 7, 40, 200, 1000, Math.floor(bytes.length / 2), bytes.length - 1]) {
      cases.push([`cut${n}.nc`, bytes.subarray(0, n)]);
    }
    const rnd = lcg(7);
    for (let k = 0; k < 40; k++) {
      const b = Uint8Array.from(bytes);
      const at = Math.floor(rnd() * Math.min(bytes.length, 6000));
      b[at] = b[at]! ^ (1 + Math.floor(rnd() * 255));
      cases.push([`flip${at}.nc`, b]);
    }
    let errors = 0;
    for (const [name, b] of cases) {
      const f = join(dir, name);
      writeFileSync(f, b);
      try {
        const nc = openNc4Native(f);
        try {
          for (const v of nc.variables.keys()) nc.read(v);
        } finally {
          nc.close();
        }
      } catch (e) {
        errors++;
        if (e instanceof Hdf5Unsupported) continue; // a flipped bit may look like a feature: fallback
        if (!(e instanceof NetcdfError) || !e.message.startsWith(f) || e.message.includes("\n")) {
          bad.push(`${name}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      }
    }
    assert.deepEqual(bad, []);
    assert.ok(errors >= 7, `only ${errors} damaged files were refused`);
    // through openNetcdf too: truncated → NetcdfError naming the file
    await assert.rejects(
      () => openNetcdf(join(dir, "cut1000.nc")),
      (e: unknown) => e instanceof NetcdfError && e.message.startsWith(join(dir, "cut1000.nc")),
    );
  } finally {
    cleanup();
  }
});
