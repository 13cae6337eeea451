/**
 * lib/specfile: the one SpecFile module. Both on-disk forms (netCDF-4 and CDF-2) of a synthetic
 * SpecFile with two cals read back exactly through the whole-file reader, the gridder's table
 * reader and the one-cal Tsys reader; every variable the write model holds is named by SPEC_VARS
 * or Header.LineData.*; a file that is not a SpecFile is one SpecFileError (a DataError) naming the
 * file and the first missing variable.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";
import { fixtureSpecFile } from "../fits/_sdfits_fixture.ts";
import {
  lineDataVar,
  readSpecFile,
  readSpecFileTable,
  readSpectraRows,
  readSpecTsysCal,
  SPEC_VARS,
  type SpecFile,
  SpecFileError,
  specFileModel,
  specTsysShape,
} from "../../../lib/specfile/mod.ts";
import { DataError } from "../../../lib/errors.ts";
import { openNetcdf, writeNetcdf4 } from "../../../lib/netcdf/mod.ts";
import { writeNetcdf3Sync } from "../../../lib/netcdf/cdf3_writer.ts";

/** The SDFITS fixture with a second cal (cal 1 = cal 0 + 1000 + pixel). */
function twoCals(): SpecFile {
  const sf = fixtureSpecFile(4, 3, 16);
  const n = sf.npix * sf.nchan;
  const tsys = new Float32Array(2 * n);
  tsys.set(sf.tsys.subarray(0, n));
  for (let i = 0; i < n; i++) tsys[n + i] = sf.tsys[i]! + 1000 + Math.floor(i / sf.nchan);
  return { ...sf, ncal: 2, tsys };
}

Deno.test("lib/specfile: netCDF-4 and CDF-2 SpecFiles read back exactly by every reader", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const sf = twoCals();
    const files = { netcdf4: join(dir, "a.nc"), cdf3: join(dir, "b.nc") };
    await writeNetcdf4(files.netcdf4, specFileModel(sf, "netcdf4"));
    writeNetcdf3Sync(files.cdf3, specFileModel(sf, "cdf3"));
    for (const [flavour, path] of Object.entries(files)) {
      await t.step(`${flavour}: readSpecFile`, async () => {
        const r = await readSpecFile(path);
        assert.deepEqual([r.nspec, r.nchan, r.nchan0, r.chan0, r.ncal, r.npix], [48, 16, 2048, 992, 2, 16]);
        assert.deepEqual(r.spectra, sf.spectra);
        assert.deepEqual(r.tsys, sf.tsys);
        assert.deepEqual(r.xPos, sf.xPos);
        assert.deepEqual(r.pixel, sf.pixel);
        assert.deepEqual(r.sequence, sf.sequence);
        assert.equal(r.line.lineRestFrequency, sf.line.lineRestFrequency);
        assert.equal(r.sourceName, "FIXTURE");
      });
      await t.step(`${flavour}: table, rows and one-cal Tsys`, async () => {
        const nc = await openNetcdf(path);
        try {
          const tb = readSpecFileTable(nc);
          assert.deepEqual([tb.nspec, tb.nchan, tb.nchan0, tb.chan0, tb.ncal], [48, 16, 2048, 992, 2]);
          assert.equal(tb.obsnum, 97001);
          assert.deepEqual(tb.rms, sf.rms);
          // mean of cal 0 of pixel 3: 150 + 9 + 0.1·mean(0..15) = 159.75 (float32 sums)
          assert.ok(Math.abs(tb.tsysMean[3]! - 159.75) < 1e-4, String(tb.tsysMean[3]));
          assert.ok(Number.isNaN(tb.tsysMean[16]!));
          const rows = readSpectraRows(nc, 5, 3, 16);
          assert.deepEqual(rows, sf.spectra.subarray(5 * 16, 8 * 16));
          assert.deepEqual([...specTsysShape(nc)!], [2, 16, 16]);
          const cal1 = readSpecTsysCal(nc, 1, 16, 16);
          assert.deepEqual(Float32Array.from(cal1), sf.tsys.subarray(256, 512));
        } finally {
          nc.close();
        }
      });
    }
  } finally {
    cleanup();
  }
});

Deno.test("lib/specfile: the write model names its variables through SPEC_VARS and Header.LineData.*", () => {
  const names = specFileModel(twoCals()).variables.map((v) => v.name);
  const known = new Set<string>(Object.values(SPEC_VARS));
  const unnamed = names.filter((n) => !known.has(n) && !n.startsWith(lineDataVar("")));
  assert.deepEqual(unnamed, []);
  assert.equal(names.filter((n) => n.startsWith(lineDataVar(""))).length, 25);
  assert.equal(names.length, Object.keys(SPEC_VARS).length + 25);
});

Deno.test("lib/specfile: a file without Data.RMS is one SpecFileError naming the file and variable", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = specFileModel(twoCals(), "cdf3");
    model.variables = model.variables.filter((v) => v.name !== SPEC_VARS.rms);
    const path = join(dir, "norms.nc");
    writeNetcdf3Sync(path, model);
    await assert.rejects(readSpecFile(path), (e: unknown) => {
      assert.ok(e instanceof SpecFileError && e instanceof DataError);
      assert.equal((e as Error).message, `${path}: not a SpecFile: variable Data.RMS is missing`);
      return true;
    });
    const nc = await openNetcdf(path);
    try {
      assert.throws(() => readSpecFileTable(nc), {
        name: "SpecFileError",
        message: `${path}: not a SpecFile: variable Data.RMS is missing`,
      });
    } finally {
      nc.close();
    }
  } finally {
    cleanup();
  }
});
