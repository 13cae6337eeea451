import assert from "node:assert/strict";
import { needsSamples, sample } from "../../_helpers.ts";
import { boardFrequencies, normalisedLags, readRsrScan } from "../../../lib/rsr/raw.ts";
import { CorrCalCache } from "../../../lib/rsr/corrcal.ts";

const ignore = needsSamples();

Deno.test({
  name: "readRsrScan() reads the header and lag data of a sample Bs chassis file",
  ignore,
  async fn() {
    const s = await readRsrScan(
      sample("rsr", "data_lmt", "RedshiftChassis2", "RedshiftChassis2_2024-11-02_091001_00_0001.nc"),
    );
    const h = s.header;
    assert.equal(h.chassis, 2);
    assert.equal(h.obsnum, 91001);
    assert.equal(h.obsPgm, "Bs");
    assert.equal(h.sourceName, "SAMPLE-QSO");
    assert.equal(h.calObsNum, 91000);
    assert.equal(h.corrCalId, 2024);
    assert.deepEqual(h.slotNumber, [5, 8, 11, 14, 17, 20]);
    assert.deepEqual(h.boardNumber, [0, 1, 2, 3, 4, 5]);
    assert.ok(Math.abs(h.ra * 180 / Math.PI - 201.37) < 1e-9);
    assert.ok(Math.abs(h.dec * 180 / Math.PI + 8.75) < 1e-9);
    assert.equal(s.nrec, 10); // 5 repeats × 2 beams
    assert.equal(s.accData.length, 10 * 6 * 256);
    assert.deepEqual(Array.from(new Set(s.bufPos)).sort(), [0, 1]);
    const f = boardFrequencies(h);
    assert.ok(Math.abs(f[0]![0]! - 71.71953125) < 1e-12);
    const x = normalisedLags(s, 0, 0, "acc");
    assert.equal(x[5], s.accData[5]! / s.accSamples[0]!);
    const cal = await readRsrScan(
      sample("rsr", "data_lmt", "RedshiftChassis2", "RedshiftChassis2_2024-11-02_091000_00_0001.nc"),
    );
    assert.equal(cal.header.obsPgm, "Cal");
    assert.equal(cal.nrec, 6);
    assert.equal(cal.header.calMode, 1);
  },
});

Deno.test({
  name: "CorrCalCache reads the netCDF-4 corr_cal matrices once per file and names missing ones",
  ignore,
  async fn() {
    const cc = new CorrCalCache(sample("rsr", "data_lmt", "rsr", "cal"));
    const m = await cc.matrices(2024, 1, [5, 8, 11, 14, 17, 20]);
    assert.equal(m.length, 6);
    assert.equal(m[0]!.length, 65536);
    assert.ok(m[0]!.some((v) => v !== 0));
    assert.equal(await cc.get(2024, 1), await cc.get(2024, 1));
    await assert.rejects(cc.matrices(2024, 1, [6]), /no corr_cal matrix for slot 6/);
    await assert.rejects(cc.get(9999, 0), /corr_cal_9999_0\.nc: corr_cal file not found/);
  },
});
