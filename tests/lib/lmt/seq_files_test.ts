import { deepEqual, equal, throws } from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { findIfproc, findRoachFile, findRoachFiles } from "../../../lib/lmt/seq_files.ts";
import { LmtDataError } from "../../../lib/lmt/errors.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

function touch(root: string, rel: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, "");
}

Deno.test({
  name: "SEQ lookups on the sample $DATA_LMT",
  ignore: needsSamples(),
  fn() {
    const root = sample("seq/data_lmt");
    equal(basename(findIfproc(root, 97001)), "ifproc_2025-04-20_097001_00_0001.nc");
    const m = findRoachFiles(root, 97003, [0, 1, 2, 3]);
    deepEqual([...m.keys()], [0, 1, 2, 3]);
    equal(basename(m.get(2)!), "roach2_97003_0_1_SAMPLE-BS_2025-04-20_074611.nc");
    deepEqual([...findRoachFiles(root, 97000, [0, 5]).keys()], [0]); // roach 5 absent
    throws(() => findIfproc(root, 97009), (e: unknown) =>
      e instanceof LmtDataError &&
      e.message ===
        `No IFPROC file for obsnum 97009: looked for ifproc_*_097009_NN_NNNN.nc in ${join(root, "ifproc")}`);
    throws(() => findRoachFiles(root, 97009, [0, 1]), (e: unknown) =>
      e instanceof LmtDataError &&
      e.message ===
        `No roach file for obsnum 97009: looked for spectrometer/roach{0,1}/roach?_97009_*.nc in ${root}`);
  },
});

Deno.test("SEQ lookups on made-up trees: allantest skipped, ambiguity reported, missing dirs", () => {
  const { dir, cleanup } = tempDir();
  try {
    touch(dir, "ifproc/ifproc_2018-11-16_079448_01_0000.nc");
    touch(dir, "ifproc/ifproc_2018-11-16_079447_00_0001.nc");
    touch(dir, "ifproc/ifproc_2018-11-16_079447_01_0001.nc");
    touch(dir, "spectrometer/roach0/roach0_79448_1_0_IRC+10216_2018-11-16_114845.nc");
    touch(dir, "spectrometer/roach0/roach0_79448_allantest_2018-11-16.nc");
    touch(dir, "spectrometer/roach0/roach0_794480_1_0_X_2018-11-16_114845.nc");
    touch(dir, "spectrometer/roach1/roach1_79448_1_0_A.nc");
    touch(dir, "spectrometer/roach1/roach1_79448_1_1_A.nc");
    equal(basename(findIfproc(dir, 79448)), "ifproc_2018-11-16_079448_01_0000.nc");
    throws(
      () => findIfproc(dir, 79447),
      (e: unknown) =>
        e instanceof LmtDataError &&
        /^Several IFPROC files for obsnum 79447 match ifproc_\*_079447_NN_NNNN\.nc in .*: .*_00_0001\.nc, .*_01_0001\.nc$/
          .test(e.message),
    );
    equal(basename(findRoachFile(dir, 79448, 0)!), "roach0_79448_1_0_IRC+10216_2018-11-16_114845.nc");
    equal(findRoachFile(dir, 79448, 2), null); // no roach2 directory
    throws(
      () => findRoachFile(dir, 79448, 1),
      /Several files for obsnum 79448 roach 1 match roach1_79448_\*\.nc/,
    );
    throws(() => findRoachFiles(dir, 79448, [0, 1]), /roach 1/);
  } finally {
    cleanup();
  }
  const empty = tempDir();
  try {
    throws(() => findIfproc(empty.dir, 1), /No IFPROC file for obsnum 1/);
  } finally {
    empty.cleanup();
  }
});
