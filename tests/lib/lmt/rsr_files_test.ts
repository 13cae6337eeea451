import { deepEqual, equal, throws } from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  findCorrCal,
  findRsrChassisFile,
  findRsrChassisFiles,
  findRsrFiles,
} from "../../../lib/lmt/rsr_files.ts";
import { corrCalDir } from "../../../lib/lmt/env.ts";
import { LmtDataError } from "../../../lib/lmt/errors.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

function touch(root: string, rel: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, "");
}

Deno.test({
  name: "RSR lookups on the sample $DATA_LMT",
  ignore: needsSamples(),
  fn() {
    const root = sample("rsr/data_lmt");
    const m = findRsrFiles(root, 91001);
    deepEqual([...m.keys()], [0, 1, 2, 3]);
    equal(basename(m.get(2)!), "RedshiftChassis2_2024-11-02_091001_00_0001.nc");
    equal(basename(findRsrChassisFile(root, 91000, 3)!), "RedshiftChassis3_2024-11-02_091000_00_0001.nc");
    equal(findRsrChassisFile(root, 91004, 0), null);
    equal(findRsrChassisFile(root, 9100, 0), null); // no partial-number match
    equal(basename(findCorrCal(corrCalDir(root, {}), 2024, 1)), "corr_cal_2024_1.nc");
    throws(() => findRsrFiles(root, 12345), (e: unknown) =>
      e instanceof LmtDataError &&
      e.message ===
        `No RSR file for obsnum 12345: looked for RedshiftChassis{0,1,2,3}/RedshiftChassis?_*_012345_NN_NNNN.nc in ${root}`);
  },
});

Deno.test("RSR lookups on made-up trees: missing chassis, two candidates, sub-scans, empty dir", () => {
  const { dir, cleanup } = tempDir();
  try {
    touch(dir, "RedshiftChassis0/RedshiftChassis0_2015-01-22_033551_00_0001.nc");
    touch(dir, "RedshiftChassis1/RedshiftChassis1_2015-01-22_033551_00_0001.nc");
    touch(dir, "RedshiftChassis1/RedshiftChassis1_2015-01-23_033551_00_0001.nc"); // a second copy
    touch(dir, "RedshiftChassis2/RedshiftChassis2_2015-01-22_033550_00_0001.nc"); // multi-file cal
    touch(dir, "RedshiftChassis2/RedshiftChassis2_2015-01-22_033550_00_0002.nc");
    touch(dir, "RedshiftChassis2/RedshiftChassis2_2015-01-22_3355100_00_0001.nc"); // 7-digit obsnum containing 33551
    touch(dir, "RedshiftChassis2/junk_033551.nc");
    mkdirSync(join(dir, "RedshiftChassis3"));
    // missing chassis 2 and 3 (empty dir) are simply absent
    deepEqual([...findRsrFiles(dir, 33551, [0, 2, 3]).keys()], [0]);
    equal(findRsrChassisFile(dir, 33551, 3), null);
    throws(
      () => findRsrChassisFile(dir, 33551, 1),
      (e: unknown) =>
        e instanceof LmtDataError &&
        /^Several files for obsnum 33551 chassis 1 match RedshiftChassis1\/RedshiftChassis1_\*_033551_NN_NNNN\.nc in .*: .*2015-01-22.*, .*2015-01-23/
          .test(e.message),
    );
    throws(() => findRsrFiles(dir, 33551), /Several files for obsnum 33551 chassis 1/);
    equal(
      findRsrChassisFiles(dir, 33550, 2).map((p) => basename(p)).join(" "),
      "RedshiftChassis2_2015-01-22_033550_00_0001.nc RedshiftChassis2_2015-01-22_033550_00_0002.nc",
    );
    throws(() => findRsrChassisFile(dir, 33550, 2), /Several files for obsnum 33550 chassis 2/);
    equal(basename(findRsrChassisFile(dir, 3355100, 2)!), "RedshiftChassis2_2015-01-22_3355100_00_0001.nc");
    throws(
      () => findCorrCal(join(dir, "rsr", "cal"), 2014, 3),
      (e: unknown) =>
        e instanceof LmtDataError &&
        e.message.startsWith(
          `Correlator calibration file not found: ${join(dir, "rsr", "cal", "corr_cal_2014_3.nc")}`,
        ),
    );
    throws(() => findRsrChassisFiles(dir, 0, 0), RangeError);
  } finally {
    cleanup();
  }
  const empty = tempDir();
  try {
    throws(() => findRsrFiles(empty.dir, 1), /No RSR file for obsnum 1: looked for/);
  } finally {
    empty.cleanup();
  }
});
