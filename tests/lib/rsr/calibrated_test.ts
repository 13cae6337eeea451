/**
 * lib/rsr/calibrated.ts: chassis lookup with skipped chassis reported in order, the one rule for missing
 * CalObsNum / CorrCalId / Cal file, the calibration cache, bad-lag choice per obsnum, and that a calibrated
 * product is the Bs repeats of its own Cal (sample 91001).
 */
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  boardBadLags,
  calibratedProduct,
  calibrateScan,
  calibrationFor,
  calSource,
  chassisFilesOf,
  meanTsys,
  noBadLags,
} from "../../../lib/rsr/calibrated.ts";
import { DataError } from "../../../lib/errors.ts";
import { NBOARD, NLAG, readRsrScan, RsrDataError, type RsrScan } from "../../../lib/rsr/raw.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

const ignore = needsSamples();

Deno.test({
  name: "chassisFilesOf(): found chassis in order, missing ones reported in order, none at all is an error",
  ignore,
  fn() {
    const root = sample("rsr", "data_lmt");
    const t = tempDir("lmt-calibrated-");
    try {
      for (const d of ["RedshiftChassis0", "RedshiftChassis2"]) symlinkSync(join(root, d), join(t.dir, d));
      const events: string[] = [];
      const it = chassisFilesOf(t.dir, 91001, {
        onMissing: (c, dir) => events.push(`missing ${c} ${dir}`),
      });
      for (const f of it) events.push(`found ${f.chassis} ${f.path.split("/").pop()}`);
      assert.deepEqual(events, [
        "found 0 RedshiftChassis0_2024-11-02_091001_00_0001.nc",
        `missing 1 ${join(t.dir, "RedshiftChassis1")}`,
        "found 2 RedshiftChassis2_2024-11-02_091001_00_0001.nc",
        `missing 3 ${join(t.dir, "RedshiftChassis3")}`,
      ]);
      // a chassis subset, in the given order
      assert.deepEqual([...chassisFilesOf(root, 91001, { chassis: [3, 1] })].map((f) => f.chassis), [3, 1]);
      // requireAny: the error comes before any onMissing call
      const missing: number[] = [];
      assert.throws(
        () => [...chassisFilesOf(t.dir, 91777, { requireAny: true, onMissing: (c) => missing.push(c) })],
        (e: unknown) =>
          e instanceof DataError && e.message === `no RedshiftChassis files for obsnum 91777 under ${t.dir}`,
      );
      assert.deepEqual(missing, []);
      assert.deepEqual([...chassisFilesOf(t.dir, 91777)], []);
    } finally {
      t.cleanup();
    }
  },
});

function withHeader(scan: RsrScan, change: Partial<RsrScan["header"]>): RsrScan {
  return { ...scan, header: { ...scan.header, ...change } };
}

Deno.test({
  name: "calibrateScan(): one rule — a missing CalObsNum, CorrCalId or Cal file is an error naming the file",
  ignore,
  async fn() {
    const root = sample("rsr", "data_lmt");
    const src = calSource(root);
    const path = [...chassisFilesOf(root, 91001, { chassis: [1] })][0]!.path;
    const scan = await readRsrScan(path);
    const none = noBadLags()[1]!;
    await assert.rejects(
      calibrateScan(withHeader(scan, { calObsNum: null }), src, none),
      (e: unknown) =>
        e instanceof RsrDataError && e.file === path &&
        e.message.endsWith("variable Header.RedshiftChassis_1_.CalObsNum is missing"),
    );
    await assert.rejects(
      calibrateScan(withHeader(scan, { corrCalId: null }), src, none),
      (e: unknown) =>
        e instanceof RsrDataError && e.file === path &&
        e.message.endsWith("variable Header.RedshiftChassis_1_.CorrCalId is missing"),
    );
    await assert.rejects(
      calibrateScan(withHeader(scan, { calObsNum: 12345 }), src, none),
      (e: unknown) =>
        e instanceof RsrDataError && e.file === path &&
        /Cal scan 12345 \(CalObsNum\) of chassis 1 not found/.test(
          e.message,
        ),
    );
    // the cached scan itself was not changed
    assert.equal(scan.header.calObsNum, 91000);
  },
});

Deno.test({
  name: "calibrationFor() is cached per Cal obsnum, chassis and bad lags; a product has nrep×6×256 values",
  ignore,
  async fn() {
    const root = sample("rsr", "data_lmt");
    const src = calSource(root);
    const scan = await readRsrScan([...chassisFilesOf(root, 91001, { chassis: [0] })][0]!.path);
    const none = noBadLags()[0]!;
    const a = calibrationFor(scan, src, none);
    assert.equal(calibrationFor(scan, src, [[], [], [], [], [], []]), a);
    const lags = [[100], [], [], [], [], []];
    const b = calibrationFor(scan, src, lags);
    assert.notEqual(b, a);
    const [ca, cb] = await Promise.all([a, b]);
    // bad lag 100 of board 0 changes board 0's Tsys only
    assert.notDeepEqual(cb.tsys[0], ca.tsys[0]);
    for (let bd = 1; bd < NBOARD; bd++) assert.deepEqual(cb.tsys[bd], ca.tsys[bd]);

    const c = await calibrateScan(scan, src, none);
    assert.equal(c.cal, ca);
    const p = calibratedProduct(c);
    assert.equal(p.obsnum, 91001);
    assert.equal(p.chassis, 0);
    assert.equal(p.nrep, scan.nrec / 2);
    assert.equal(p.data.length, p.nrep * NBOARD * NLAG);
    // mean Tsys per board: the plain mean of the finite channels, in the 50..200 K of the sample
    const m = meanTsys(ca);
    for (let bd = 0; bd < NBOARD; bd++) {
      const fin = Array.from(ca.tsys[bd]!).filter(Number.isFinite);
      assert.ok(Math.abs(m[bd]! - fin.reduce((s, v) => s + v, 0) / fin.length) <= 1e-12 * m[bd]!);
      assert.ok(m[bd]! > 50 && m[bd]! < 200, `board ${bd}: ${m[bd]}`);
    }
    assert.ok(Number.isNaN(meanTsys({ ...ca, tsys: [new Float64Array([NaN, NaN])] })[0]!));
  },
});

Deno.test("boardBadLags(): the obsnum's own table when given, else the common one, else none", () => {
  const common = noBadLags();
  common[2]![3] = [7, 9];
  const own = noBadLags();
  own[2]![3] = [11];
  const choice = { badLags: common, badLagsByObsnum: new Map([[91003, own]]) };
  assert.deepEqual(boardBadLags(choice, 91001, 2)[3], [7, 9]);
  assert.deepEqual(boardBadLags(choice, 91003, 2)[3], [11]);
  assert.deepEqual(boardBadLags({}, 91001, 2), [[], [], [], [], [], []]);
});
