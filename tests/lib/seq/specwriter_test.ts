/**
 * Streaming SpecFile writers (lib/specfile/mod.ts) on generated SEQ data (no samples needed): the
 * CDF-2 sink writes the same bytes as the whole-file writer, the netCDF-4 sink the same values, and
 * a run without a Tsys spectrum whose slice starts at channel 0 (ncal = 0, chan0 = 0) gives a
 * netCDF-4 file that python netCDF4 reads.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";
import { generateSeq } from "../../../lib/sim/seq.ts";
import { type OtfOptions, reduceOtfMap, reduceOtfMapTo } from "../../../lib/seq/otf.ts";
import { readSpecFile, specFileModel } from "../../../lib/specfile/mod.ts";
import { cdf2SpecSink, nc4SpecSink } from "../../../lib/specfile/mod.ts";
import { writeNetcdf3ToSink } from "../../../lib/netcdf/cdf3_writer.ts";

Deno.test("SpecFile sinks: CDF-2 bytes = whole-file writer, netCDF-4 values = in-memory run; ncal=0 + chan0=0 netCDF-4 readable", async () => {
  const { dir, cleanup } = tempDir("seq-specwriter-");
  try {
    const root = join(dir, "dl");
    const truth = await generateSeq(root, {
      obsnum0: 96000,
      seed: 5,
      nchan: 1100,
      bs: false,
      map: { nRows: 2, xLengthArcsec: 60, yLengthArcsec: 30 },
    });
    const base: OtfOptions = {
      root,
      obsnum: 96001,
      bank: 0,
      pixList: [3, 0, 1, 2, 5],
      stype: 2,
      useCal: true,
      useOtfCal: false,
      mapCoord: -1,
      bOrder: 1,
      eliminate: [],
      offX: 0,
      offY: 0,
      history: "test",
    };
    const mem = await reduceOtfMap(base);
    const sf = mem.specFile;
    assert.ok(sf.nspec > 100 && sf.chan0 > 0);
    // CDF-2: positional writes give exactly the bytes of the sequential whole-file writer
    const parts: Uint8Array[] = [];
    writeNetcdf3ToSink({ write: (b) => parts.push(b.slice()) }, specFileModel(sf, "cdf3"), {
      format: "cdf2",
    });
    const whole = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((o, p) => (whole.set(p, o), o + p.length), 0);
    const sink = cdf2SpecSink(join(dir, "s.nc"));
    // small blocks exercise many partial writes
    Object.assign(sink, { blockRows: 7 });
    await reduceOtfMapTo(base, sink);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "s.nc"))), whole);
    // netCDF-4: chunked spectra written by slabs read back equal
    await reduceOtfMapTo(base, nc4SpecSink(join(dir, "a.nc")));
    const a = await readSpecFile(join(dir, "a.nc"));
    assert.deepEqual(a.spectra, sf.spectra);
    assert.deepEqual(a.rms, sf.rms);
    assert.deepEqual(a.xPos, sf.xPos);
    assert.deepEqual(a.tsys, sf.tsys);
    assert.deepEqual(Array.from(a.pixel), Array.from(sf.pixel));

    // no Tsys spectrum (ncal = 0) and a slice from channel 0 (chan0 = 0): one cal row of scalar IFPROC Tsys
    const nocal: OtfOptions = {
      ...base,
      useCal: false,
      slice: [-3000, 3000],
      bRegions: [[-500, -100], [200, 600]],
      warn: () => {},
    };
    const r = await reduceOtfMapTo(nocal, nc4SpecSink(join(dir, "n.nc")));
    assert.deepEqual([r.head.ncal, r.head.chan0, r.head.nchan], [0, 0, 1100]);
    const n = await readSpecFile(join(dir, "n.nc"));
    assert.equal(n.ncal, 1);
    for (const p of [0, 5]) {
      const row = n.tsys.subarray(p * n.nchan, (p + 1) * n.nchan);
      assert.ok(row.every((v) => v === Math.fround(r.head.scalarTsys![p]!)), `pixel ${p} Tsys row`);
      // the IFPROC total-power Tsys is close to the injected one
      assert.ok(
        Math.abs(row[0]! / truth.pixels.tsys_K[p]! - 1) < 0.02,
        `pixel ${p}: ${row[0]} vs ${truth.pixels.tsys_K[p]}`,
      );
    }
    assert.ok(n.tsys.subarray(4 * n.nchan, 5 * n.nchan).every((v) => v === 0), "unprocessed pixel 4 stays 0");
    if (existsSync("/usr/bin/python3")) {
      const py = new Deno.Command("/usr/bin/python3", {
        args: [
          "-c",
          "import netCDF4,sys;d=netCDF4.Dataset(sys.argv[1]);print([(k,len(v),v.isunlimited()) for k,v in d.dimensions.items()]);print(d.variables['Data.Tsys'].shape)",
          join(dir, "n.nc"),
        ],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      const out = new TextDecoder().decode(py.stdout);
      if (!/No module named/.test(new TextDecoder().decode(py.stderr))) {
        assert.equal(py.code, 0, new TextDecoder().decode(py.stderr));
        assert.match(out, /\('ncal', 1, False\).*\('nchan0', 1100, False\), \('chan0', 0, True\)/);
        assert.match(out, /\(1, 16, 1100\)/);
      }
    }
  } finally {
    cleanup();
  }
});
