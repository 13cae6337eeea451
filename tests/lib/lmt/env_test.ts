import { equal, throws } from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { corrCalDir, dataLmtRoot } from "../../../lib/lmt/env.ts";
import { LmtDataError } from "../../../lib/lmt/errors.ts";
import { tempDir } from "../../_helpers.ts";

Deno.test("dataLmtRoot(): explicit path beats $DATA_LMT; no silent /data_lmt fallback", () => {
  const a = tempDir();
  const b = tempDir();
  try {
    equal(dataLmtRoot(a.dir, { DATA_LMT: b.dir }), a.dir);
    equal(dataLmtRoot(undefined, { DATA_LMT: b.dir }), b.dir);
    equal(dataLmtRoot("", { DATA_LMT: b.dir }), b.dir);
    throws(
      () => dataLmtRoot(undefined, {}),
      (e: unknown) => e instanceof LmtDataError && e.message === "DATA_LMT is not set and no -p/--path given",
    );
    throws(() => dataLmtRoot(undefined, { DATA_LMT: "" }), /DATA_LMT is not set/);
    throws(
      () => dataLmtRoot(join(a.dir, "nope"), {}),
      (e: unknown) =>
        e instanceof LmtDataError &&
        e.message === `Data root (-p/--path) "${join(a.dir, "nope")}" does not exist`,
    );
    const f = join(a.dir, "file");
    writeFileSync(f, "x");
    throws(() => dataLmtRoot(undefined, { DATA_LMT: f }), /DATA_LMT ".*file" is not a directory/);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

Deno.test("corrCalDir(): $CORR_CAL_DIR, else <DATA_LMT>/rsr/cal", () => {
  equal(corrCalDir("/d", {}), "/d/rsr/cal");
  equal(corrCalDir("/d", { CORR_CAL_DIR: "/cal" }), "/cal");
  equal(corrCalDir("/d", { CORR_CAL_DIR: "" }), "/d/rsr/cal");
});
