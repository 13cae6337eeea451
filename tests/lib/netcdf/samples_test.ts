/**
 * Every raw file of ../shared/samples (written by the real netCDF library) and the reference
 * SpecFile: opens, has exactly the dimensions / variables / groups of its `ncdump -h` layout,
 * and every variable's values equal what python netCDF4 reads.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type NcFile, type NcFormat, openNetcdf, openNetcdfBytes } from "../../../lib/netcdf/mod.ts";
import { needsSamples, sample, SAMPLES } from "../../_helpers.ts";
import { hasPyNetcdf, modelOf, parseCdl, PY_DUMP, type PyDump, runPython } from "./_nc_helpers.ts";

interface SampleFile {
  path: string;
  cdl: string;
  format: NcFormat;
}

function sampleFiles(): SampleFile[] {
  if (SAMPLES === null) return [];
  const out: SampleFile[] = [];
  const rsr = sample("rsr", "data_lmt");
  for (let c = 0; c < 4; c++) {
    const dir = join(rsr, `RedshiftChassis${c}`);
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".nc")).sort()) {
      out.push({
        path: join(dir, f),
        cdl: sample("rsr", "layout", f.replace(/\.nc$/, ".cdl")),
        format: "cdf1",
      });
    }
  }
  for (const f of readdirSync(join(rsr, "rsr", "cal")).filter((x) => x.endsWith(".nc")).sort()) {
    out.push({
      path: join(rsr, "rsr", "cal", f),
      cdl: sample("rsr", "layout", f.replace(/\.nc$/, ".cdl")),
      format: "netcdf4",
    });
  }
  const seq = sample("seq", "data_lmt");
  for (const f of readdirSync(join(seq, "ifproc")).filter((x) => x.endsWith(".nc")).sort()) {
    out.push({
      path: join(seq, "ifproc", f),
      cdl: sample("seq", "layout", f.replace(/\.nc$/, ".cdl")),
      format: "cdf2",
    });
  }
  for (let r = 0; r < 4; r++) {
    const dir = join(seq, "spectrometer", `roach${r}`);
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".nc")).sort()) {
      out.push({
        path: join(dir, f),
        cdl: sample("seq", "layout", f.replace(/\.nc$/, ".cdl")),
        format: "netcdf4",
      });
    }
  }
  out.push({
    path: sample("seq", "reference_outputs", "SAMPLE-OTF_97001__0.nc"),
    cdl: sample("seq", "layout", "specfile_SAMPLE-OTF_97001__0.cdl"),
    format: "netcdf4",
  });
  return out;
}

Deno.test({
  name: "openNetcdf() opens every sample file with the layout ncdump -h shows",
  ignore: needsSamples(),
  async fn() {
    const files = sampleFiles();
    assert.equal(files.length, 41, "16 RSR + 4 corr_cal + 4 ifproc + 16 roach + 1 SpecFile");
    for (const s of files) {
      const f = await openNetcdf(s.path);
      try {
        assert.equal(f.format, s.format, s.path);
        const want = parseCdl(readFileSync(s.cdl, "utf8"));
        assert.ok(want.vars.size > 5, `CDL parse of ${s.cdl}`);
        const got = modelOf(f);
        assert.deepEqual(
          [...got.dims.keys()],
          [...want.dims.keys()],
          `dimension order of ${basename(s.path)}`,
        );
        assert.deepEqual(got.dims, want.dims, `dimensions of ${basename(s.path)}`);
        assert.deepEqual([...got.vars.keys()].sort(), [...want.vars.keys()].sort(), `variables of ${s.path}`);
        assert.deepEqual(got.vars, want.vars, `variable types/dims of ${basename(s.path)}`);
        assert.deepEqual(got.groups, want.groups, `groups of ${basename(s.path)}`);
        for (const v of f.variables.values()) {
          assert.deepEqual(v.shape, v.dimensions.map((d) => want.dims.get(d)!.size), v.name);
          assert.equal(
            v.record,
            v.dimensions.length > 0 && want.dims.get(v.dimensions[0]!)!.unlimited,
            v.name,
          );
        }
      } finally {
        f.close();
      }
    }
  },
});

Deno.test({
  name: "openNetcdf() reads literal values shown by ncdump",
  ignore: needsSamples(),
  async fn() {
    // values copied from `ncdump -v <var>` of each file
    const ifp = await openNetcdf(sample("seq", "data_lmt", "ifproc", "ifproc_2025-04-20_097001_00_0001.nc"));
    assert.equal(ifp.readScalar("Header.Dcs.ObsNum"), 97001);
    assert.equal(ifp.readString("Header.Source.SourceName"), "SAMPLE-OTF"); // "SAMPLE-OTF" + 22 blanks
    assert.equal(ifp.dimensions.get("time")!.size, 2876);
    ifp.close();
    const roach = await openNetcdf(
      sample("seq", "data_lmt", "spectrometer", "roach0", "roach0_97001_0_1_SAMPLE-OTF_2025-04-20_074024.nc"),
    );
    assert.equal(roach.readString("Header.Mode.Bitcode"), "roach2_spec_2048ch_800mhz.bof");
    assert.deepEqual(roach.read("Header.Telescope.ObsNum"), new BigInt64Array([97001n]));
    assert.equal(roach.readScalar("Header.Telescope.ObsNum"), 97001);
    roach.close();
    const cal = await openNetcdf(sample("rsr", "data_lmt", "rsr", "cal", "corr_cal_2024_0.nc"));
    assert.deepEqual(Array.from(cal.readNumbers("Header.RedshiftChassis_0_.slotno")), [5, 8, 11, 14, 17, 20]);
    assert.equal(
      cal.variable("Header.RedshiftChassis_0_.obsdate").attributes.get("units"),
      "hours since 0001-01-01 00:00:00.0",
    );
    cal.close();
    const rsr = await openNetcdf(
      sample("rsr", "data_lmt", "RedshiftChassis0", "RedshiftChassis0_2024-11-02_091001_00_0001.nc"),
    );
    assert.deepEqual(rsr.read("Header.RedshiftChassis_0_.BoardNumber"), new Int32Array([0, 1, 2, 3, 4, 5]));
    assert.deepEqual(rsr.read("Header.Bs.Beam"), new Int32Array([0, 1]));
    rsr.close();
  },
});

function compareWithPython(f: NcFile, path: string, dump: PyDump): number {
  const py = dump[path]!;
  let checked = 0;
  for (const [name, pv] of Object.entries(py.vars)) {
    const v = f.variable(name);
    assert.deepEqual(v.shape, pv.shape, `${name} shape`);
    if (pv.text) {
      const got = f.read(name);
      assert.deepEqual(typeof got === "string" ? [got] : got, pv.text, `${basename(path)} ${name}`);
      checked++;
      continue;
    }
    const data = f.read(name);
    assert.ok(ArrayBuffer.isView(data), name);
    const arr = data as unknown as ArrayLike<number | bigint>;
    const step = pv.step!;
    const sampleVals = pv.sample!;
    for (let i = 0, j = 0; i < arr.length; i += step, j++) {
      const want = sampleVals[j]!;
      const got = Number(arr[i]!);
      if (typeof want === "string") assert.ok(Number.isNaN(got) || !Number.isFinite(got), `${name}[${i}]`);
      else assert.equal(got, want, `${basename(path)} ${name}[${i}]`);
    }
    let sum = 0;
    for (let i = 0; i < arr.length; i++) sum += Number(arr[i]!);
    if (typeof pv.sum === "number") {
      assert.ok(Math.abs(sum - pv.sum) <= 1e-9 * Math.abs(pv.sum) + 1e-12, `${name} sum ${sum} vs ${pv.sum}`);
    }
    checked++;
  }
  return checked;
}

Deno.test({
  name: "openNetcdf() values equal python netCDF4 for every variable of every sample file",
  ignore: needsSamples() || !hasPyNetcdf(),
  async fn() {
    const files = sampleFiles().map((s) => s.path);
    const dump = runPython(PY_DUMP, files) as PyDump;
    let nvars = 0;
    for (const path of files) {
      const f = await openNetcdf(path);
      try {
        nvars += compareWithPython(f, path, dump);
      } finally {
        f.close();
      }
    }
    assert.ok(nvars > 2000, `checked ${nvars} variables`);
  },
});

Deno.test({
  name: "read() hyperslabs equal the matching part of a whole read (CDF-1 records, CDF-2 records, netCDF-4)",
  ignore: needsSamples(),
  async fn() {
    const cases: [string, string][] = [
      [
        sample("rsr", "data_lmt", "RedshiftChassis2", "RedshiftChassis2_2024-11-02_091003_00_0001.nc"),
        "Data.RedshiftChassis_2_.AccData",
      ],
      [
        sample("seq", "data_lmt", "ifproc", "ifproc_2025-04-20_097003_00_0001.nc"),
        "Data.IfProc.BasebandLevel",
      ],
      [
        sample(
          "seq",
          "data_lmt",
          "spectrometer",
          "roach1",
          "roach1_97003_0_1_SAMPLE-BS_2025-04-20_074611.nc",
        ),
        "Data.Integrate.Data",
      ],
    ];
    for (const [path, name] of cases) {
      const f = await openNetcdf(path);
      const v = f.variable(name);
      const all = f.readNumbers(name);
      const shape = v.shape;
      const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
      // a few irregular slabs: one record, a middle block, single element, last records
      const slabs = [
        { start: shape.map(() => 0), count: [1, ...shape.slice(1)] },
        {
          start: shape.map((s) => Math.floor(s / 3)),
          count: shape.map((s) => Math.max(1, Math.floor(s / 4))),
        },
        { start: shape.map((s) => s - 1), count: shape.map(() => 1) },
        {
          start: [shape[0]! - 2, ...shape.slice(1).map(() => 1)],
          count: [2, ...shape.slice(1).map((s) => s - 1)],
        },
      ];
      for (const slab of slabs) {
        const got = f.readNumbers(name, slab);
        assert.equal(got.length, slab.count.reduce((a, b) => a * b, 1));
        let i = 0;
        const idx = slab.count.map(() => 0);
        for (;;) {
          let off = 0;
          for (let k = 0; k < shape.length; k++) off += (slab.start[k]! + idx[k]!) * strides[k]!;
          assert.equal(got[i], all[off], `${name} slab ${JSON.stringify(slab)} element ${i}`);
          i++;
          let k = shape.length - 1;
          while (k >= 0 && ++idx[k]! >= slab.count[k]!) idx[k--] = 0;
          if (k < 0) break;
        }
      }
      f.close();
    }
  },
});

Deno.test({
  name: "openNetcdfBytes() reads a CDF-1 and a netCDF-4 sample from memory like openNetcdf()",
  ignore: needsSamples(),
  async fn() {
    for (
      const path of [
        sample("rsr", "data_lmt", "RedshiftChassis1", "RedshiftChassis1_2024-11-02_091000_00_0001.nc"),
        sample("rsr", "data_lmt", "rsr", "cal", "corr_cal_2024_1.nc"),
      ]
    ) {
      const a = await openNetcdf(path);
      const b = await openNetcdfBytes(readFileSync(path), "-");
      assert.equal(b.path, "-");
      assert.equal(b.format, a.format);
      assert.deepEqual(modelOf(b), modelOf(a));
      for (const name of a.variables.keys()) assert.deepEqual(b.read(name), a.read(name), name);
      a.close();
      b.close();
    }
  },
});
