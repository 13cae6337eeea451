/**
 * netCDF-3 writer and reader: round trips (own reader, python netCDF4, ncdump), the streaming
 * writer on a pipe, record-layout special cases, streaming numrecs, corrupt and truncated
 * files, and large sparse files with 64-bit offsets.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import {
  Cdf3StreamWriter,
  layoutCdf3,
  type NcWriteModel,
  NetcdfError,
  openCdf3,
  openNetcdf,
  writeNetcdf3Sync,
  writeNetcdf3ToSink,
} from "../../../lib/netcdf/mod.ts";
import { needsSamples, ROOT, sample, tempDir } from "../../_helpers.ts";
import { richModel } from "./_models.ts";
import { hasNcdump, hasPyNetcdf, ncdump, parseCdl, PY_DUMP, type PyDump, runPython } from "./_nc_helpers.ts";

function collect(): { sink: { write(b: Uint8Array): void }; bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    sink: { write: (b) => parts.push(b.slice()) },
    bytes() {
      const n = parts.reduce((a, p) => a + p.length, 0);
      const out = new Uint8Array(n);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
  };
}

Deno.test("writeNetcdf3Sync() round-trips every classic type through the own reader (cdf1, cdf2, cdf5)", () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const format of ["cdf1", "cdf2", "cdf5"] as const) {
      const model = richModel();
      const path = join(dir, `rt_${format}.nc`);
      writeNetcdf3Sync(path, model, { format });
      const f = openCdf3(path);
      assert.equal(f.format, format);
      assert.deepEqual([...f.dimensions.values()].map((d) => [d.name, d.size, d.unlimited]), [
        ["time", 5, true],
        ["npix", 3, false],
        ["nchan", 7, false],
        ["Header.Dcs.ObsPgm_slen", 20, false],
        ["label", 6, false],
      ]);
      assert.equal(f.attributes.get("title"), "LMT test");
      assert.equal(f.attributes.get("nbeam"), 3);
      assert.deepEqual(f.attributes.get("freqs"), [91.5e9, 115.27e9]);
      for (const v of model.variables) {
        const got = f.read(v.name);
        const meta = f.variable(v.name);
        assert.equal(meta.type, v.type, v.name);
        assert.deepEqual(meta.dimensions, v.dimensions, v.name);
        if (v.data === undefined) continue;
        if (v.type === "char") {
          const want = typeof v.data === "string" ? v.data.trimEnd() : (v.data as string[]);
          assert.deepEqual(got, want, v.name);
        } else {
          assert.deepEqual(
            Array.from(got as ArrayLike<number>),
            Array.from(v.data as ArrayLike<number>).map((x) => v.type === "float" ? Math.fround(x) : x),
            v.name,
          );
        }
      }
      // a variable written without data reads back as its fill value; readMasked → NaN
      assert.deepEqual(f.read("Header.Pix.Nothing"), new Int16Array([-32767, -32767, -32767]));
      assert.ok(f.readMasked("Header.Pix.Nothing").every(Number.isNaN));
      assert.equal(f.variable("Data.Spec").attributes.get("_FillValue"), -999);
      assert.equal(f.readScalar("Header.Dcs.ObsNum"), 97001);
      assert.equal(f.readString("Header.Dcs.ObsPgm"), "Map");
      f.close();
    }
  } finally {
    cleanup();
  }
});

Deno.test({
  name: "writeNetcdf3Sync() output reads identically in python netCDF4 and ncdump shows char variables",
  ignore: !hasPyNetcdf() || !hasNcdump(),
  fn() {
    const { dir, cleanup } = tempDir();
    try {
      const paths: string[] = [];
      for (const format of ["cdf1", "cdf2", "cdf5"] as const) {
        const p = join(dir, `py_${format}.nc`);
        writeNetcdf3Sync(p, richModel(4), { format });
        paths.push(p);
      }
      const dump = runPython(PY_DUMP, paths) as PyDump;
      const kinds = runPython(
        "import sys,json,netCDF4\nprint(json.dumps([netCDF4.Dataset(p).data_model for p in sys.argv[1:]]))",
        paths,
      );
      assert.deepEqual(kinds, ["NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF3_64BIT_DATA"]);
      const model = richModel(4);
      for (const p of paths) {
        const py = dump[p]!;
        assert.deepEqual(py.dims["time"], [4, true]);
        assert.deepEqual(py.vars["Header.Pix.Labels"]!.text, ["P0", "Px 1", "pixel2"]);
        assert.deepEqual(py.vars["Data.Src"]!.text, ["s0", "s1", "s2", "s3"]);
        assert.deepEqual(py.vars["Header.Dcs.ObsPgm"]!.text, ["Map"]);
        assert.equal(py.vars["Data.Spec"]!.dtype, "float32");
        assert.equal(py.vars["Data.Flag"]!.dtype, "int8");
        assert.equal(py.vars["Data.Lev"]!.dtype, "int16");
        for (
          const name of [
            "Data.Spec",
            "Data.Flag",
            "Data.Lev",
            "Data.Count",
            "Data.Time",
            "Header.Sky.Offsets",
          ]
        ) {
          const want = model.variables.find((v) => v.name === name)!.data as ArrayLike<number>;
          const f32 = name === "Data.Spec";
          assert.deepEqual(
            py.vars[name]!.sample,
            Array.from(want, (x) => (f32 ? Math.fround(x) : x)),
            `${p} ${name}`,
          );
        }
        assert.deepEqual(py.vars["Header.Pix.Nothing"]!.sample, [-32767, -32767, -32767]);
        const cdl = parseCdl(ncdump(["-h", p]));
        assert.equal(cdl.vars.get("Header.Pix.Labels")!.type, "char");
        assert.deepEqual(cdl.vars.get("Data.Src"), { type: "char", dims: ["time", "label"] });
        assert.deepEqual(cdl.vars.get("Data.Spec"), { type: "float", dims: ["time", "npix", "nchan"] });
        assert.match(ncdump(["-h", p]), /Data\.Spec:_FillValue = -999\.f ;/);
      }
    } finally {
      cleanup();
    }
  },
});

Deno.test("Cdf3StreamWriter writes the same bytes as writeNetcdf3Sync, also through a real pipe", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "file.nc");
    writeNetcdf3Sync(path, richModel(6), { format: "cdf2" });
    const fileBytes = readFileSync(path);
    // in-process sink, whole model
    const c = collect();
    writeNetcdf3ToSink(c.sink, richModel(6), { format: "cdf2" });
    assert.deepEqual(c.bytes(), new Uint8Array(fileBytes));
    // piecewise API: header model without data, variables and records pushed one by one
    const model = richModel(6);
    const header: NcWriteModel = { ...model, variables: model.variables.map(({ data: _d, ...v }) => v) };
    header.dimensions[0] = { name: "time", size: 6, unlimited: true };
    const c2 = collect();
    const w = new Cdf3StreamWriter(c2.sink, header, { format: "cdf2" });
    w.writeHeader();
    for (const name of w.fixedVariables) {
      const v = model.variables.find((x) => x.name === name)!;
      w.writeVariable(name, v.data);
    }
    assert.throws(() => w.finish(), NetcdfError, "records missing must be reported");
    const recVars = model.variables.filter((v) => v.dimensions[0] === "time");
    for (let r = 0; r < 6; r++) {
      const rec: Record<string, Float32Array | Int8Array | Int16Array | Int32Array | Float64Array | string> =
        {};
      for (const v of recVars) {
        if (v.type === "char") rec[v.name] = (v.data as string[])[r]!;
        else {
          const per = v.name === "Data.Spec" ? 21 : v.name === "Data.Lev" ? 3 : 1;
          rec[v.name] = (v.data as Float32Array).subarray(r * per, (r + 1) * per);
        }
      }
      w.writeRecord(rec);
    }
    w.finish();
    assert.deepEqual(c2.bytes(), new Uint8Array(fileBytes));
    // a child process writing to its stdout (a pipe)
    const script = join(dir, "pipe_writer.ts");
    writeFileSync(
      script,
      `import { writeNetcdf3ToSink } from "${join(ROOT, "lib/netcdf/cdf3_writer.ts")}";
       import { richModel } from "${join(ROOT, "tests/lib/netcdf/_models.ts")}";
       const sink = { write(b: Uint8Array) { let o = 0; while (o < b.length) o += Deno.stdout.writeSync(b.subarray(o)); } };
       writeNetcdf3ToSink(sink, richModel(6), { format: "cdf2" });`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", script],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(out.stdout, new Uint8Array(fileBytes));
  } finally {
    cleanup();
  }
});

Deno.test({
  name: "single record variable of type short is stored without record padding and read back (python agrees)",
  fn() {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, "single.nc");
      const data = Int16Array.from({ length: 5 * 3 }, (_, i) => i * 7 - 50);
      writeNetcdf3Sync(p, {
        dimensions: [{ name: "time", size: 0 }, { name: "n", size: 3 }],
        variables: [{ name: "x", type: "short", dimensions: ["time", "n"], data }],
      }, { format: "cdf1" });
      const f = openCdf3(p);
      assert.equal(f.recsize, 6, "3 shorts per record, no padding");
      const lay = layoutCdf3({
        dimensions: [{ name: "time", size: 5, unlimited: true }, { name: "n", size: 3 }],
        variables: [{ name: "x", type: "short", dimensions: ["time", "n"] }],
      }, { format: "cdf1" });
      assert.equal(Deno.statSync(p).size, lay.header.length + 5 * 6);
      assert.deepEqual(f.read("x"), data);
      assert.deepEqual(
        f.read("x", { start: [3, 1], count: [2, 2] }),
        new Int16Array([data[10]!, data[11]!, data[13]!, data[14]!]),
      );
      f.close();
      if (hasPyNetcdf()) {
        const dump = runPython(PY_DUMP, [p]) as PyDump;
        assert.deepEqual(dump[p]!.vars["x"]!.sample, Array.from(data));
      }
    } finally {
      cleanup();
    }
  },
});

Deno.test("openCdf3() computes the record count of a streaming file (numrecs = 0xFFFFFFFF)", () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "stream.nc");
    writeNetcdf3Sync(p, richModel(4), { format: "cdf2" });
    const b = readFileSync(p);
    b.set([0xff, 0xff, 0xff, 0xff], 4);
    writeFileSync(p, b);
    const f = openCdf3(p);
    assert.equal(f.numrecs, 4);
    assert.equal(f.dimensions.get("time")!.size, 4);
    assert.deepEqual(f.read("Data.Src"), ["s0", "s1", "s2", "s3"]);
    f.close();
  } finally {
    cleanup();
  }
});

Deno.test("openNetcdf() rejects empty, garbage and truncated files with a NetcdfError naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const empty = join(dir, "empty.nc");
    writeFileSync(empty, new Uint8Array(0));
    await assert.rejects(
      openNetcdf(empty),
      (e: unknown) => e instanceof NetcdfError && e.message.includes(empty) && /empty/.test(e.message),
    );
    const garbage = join(dir, "garbage.nc");
    writeFileSync(garbage, new TextEncoder().encode("this is not netCDF at all\n".repeat(10)));
    await assert.rejects(
      openNetcdf(garbage),
      (e: unknown) =>
        e instanceof NetcdfError && e.message.startsWith(garbage) && /not a netCDF/.test(e.message),
    );
    // truncated data: the last record variable's bytes are missing
    const full = join(dir, "full.nc");
    writeNetcdf3Sync(full, richModel(5), { format: "cdf1" });
    const size = Deno.statSync(full).size;
    const cut = join(dir, "cut.nc");
    copyFileSync(full, cut);
    truncateSync(cut, size - 10);
    await assert.rejects(
      openNetcdf(cut),
      (e: unknown) =>
        e instanceof NetcdfError && e.message.includes(cut) &&
        /truncated: variable Data\.\S+ needs bytes up to \d+ but file has \d+/.test(e.message),
    );
    // truncated header
    const head = join(dir, "head.nc");
    copyFileSync(full, head);
    truncateSync(head, 60);
    await assert.rejects(
      openNetcdf(head),
      (e: unknown) => e instanceof NetcdfError && e.message.includes(head) && /header/.test(e.message),
    );
    // corrupt header: a list tag destroyed
    const bad = join(dir, "badtag.nc");
    const b = readFileSync(full);
    b.set([0, 0, 0, 0x33], 8);
    writeFileSync(bad, b);
    await assert.rejects(
      openNetcdf(bad),
      (e: unknown) => e instanceof NetcdfError && /corrupt header/.test(e.message),
    );
  } finally {
    cleanup();
  }
});

Deno.test({
  name: "openNetcdf() rejects a truncated copy of a real RSR sample (data beyond EOF)",
  ignore: needsSamples(),
  async fn() {
    const { dir, cleanup } = tempDir();
    try {
      const cut = join(dir, "RedshiftChassis0_cut.nc");
      copyFileSync(
        sample("rsr", "data_lmt", "RedshiftChassis0", "RedshiftChassis0_2024-11-02_091001_00_0001.nc"),
        cut,
      );
      truncateSync(cut, 200000);
      await assert.rejects(
        openNetcdf(cut),
        (e: unknown) =>
          e instanceof NetcdfError && e.message.includes(cut) &&
          /truncated: variable Data\.RedshiftChassis_0_\.\S+ needs bytes up to \d+ but file has 200000/.test(
            e.message,
          ),
      );
    } finally {
      cleanup();
    }
  },
});

Deno.test("writeNetcdf3Sync() leaves no file (and no temp file) when the data are wrong", () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "bad.nc");
    assert.throws(
      () =>
        writeNetcdf3Sync(p, {
          dimensions: [{ name: "n", size: 4 }],
          variables: [
            { name: "ok", type: "double", dimensions: ["n"], data: [1, 2, 3, 4] },
            { name: "x", type: "double", dimensions: ["n"], data: [1, 2, 3] },
          ],
        }),
      (e: unknown) =>
        e instanceof NetcdfError && e.message.includes(p) &&
        /variable x: data has 3 values, expected 4/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), []);
    assert.throws(
      () =>
        writeNetcdf3Sync(p, {
          dimensions: [],
          variables: [{ name: "s", type: "char", dimensions: [], data: "toolong" }],
        }),
      NetcdfError,
    );
    assert.throws(
      () =>
        writeNetcdf3Sync(p, {
          dimensions: [{ name: "n", size: 2 }],
          variables: [{ name: "v", type: "int64", dimensions: ["n"] }],
        }, { format: "cdf2" }),
      /cdf5/,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

Deno.test("Cdf3 reader handles 64-bit offsets in sparse files over 2 GiB (CDF-2 fixed, CDF-5 records over 4 GiB)", () => {
  const { dir, cleanup } = tempDir();
  try {
    const x = Float64Array.from({ length: 16 }, (_, i) => i * 1.25 - 3);
    const cases: { format: "cdf2" | "cdf5"; model: NcWriteModel }[] = [
      {
        format: "cdf2",
        model: {
          dimensions: [{ name: "big", size: 3_000_000_000 }, { name: "n", size: 16 }],
          variables: [
            { name: "pad", type: "byte", dimensions: ["big"] },
            { name: "x", type: "double", dimensions: ["n"] },
          ],
        },
      },
      {
        format: "cdf5",
        model: {
          dimensions: [{ name: "time", size: 4, unlimited: true }, { name: "big", size: 5_000_000_000 }, {
            name: "n",
            size: 4,
          }],
          variables: [
            { name: "pad", type: "ubyte", dimensions: ["big"] },
            { name: "x", type: "double", dimensions: ["time", "n"] },
          ],
        },
      },
    ];
    for (const { format, model } of cases) {
      const lay = layoutCdf3(model, { format });
      const xl = lay.vars.find((v) => v.name === "x")!;
      assert.ok(xl.begin > (format === "cdf2" ? 2 ** 31 : 2 ** 32), `begin ${xl.begin}`);
      const p = join(dir, `sparse_${format}.nc`);
      const fd = openSync(p, "w");
      writeSync(fd, lay.header, 0, lay.header.length, 0);
      const be = new Uint8Array(128);
      const dv = new DataView(be.buffer);
      x.forEach((v, i) => dv.setFloat64(i * 8, v, false));
      writeSync(fd, be, 0, 128, xl.begin); // 16 doubles: fixed x, or 4 records of 4 (single record var)
      ftruncateSync(fd, lay.size);
      closeSync(fd);
      const f = openCdf3(p);
      assert.equal(f.format, format);
      assert.deepEqual(f.read("x"), x);
      if (format === "cdf5") {
        assert.deepEqual(
          f.read("x", { start: [2, 1], count: [2, 2] }),
          new Float64Array([x[9]!, x[10]!, x[13]!, x[14]!]),
        );
      }
      const tail = f.read("pad", { start: [f.variable("pad").shape[0]! - 8], count: [8] });
      assert.deepEqual(tail, format === "cdf2" ? new Int8Array(8) : new Uint8Array(8));
      f.close();
    }
  } finally {
    cleanup();
  }
});
