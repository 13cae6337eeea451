/** openNetcdf / openCdf3: a path that cannot be opened is one NetcdfError in words about the path given. */
import assert from "node:assert/strict";
import { NetcdfError, openCdf3, openNetcdf } from "../../../lib/netcdf/mod.ts";
import { tempDir } from "../../_helpers.ts";

Deno.test("openNetcdf(), openCdf3(): missing file, a directory, a missing parent", async () => {
  const t = tempDir("lmt-ncopen-");
  try {
    const cases: [string, string][] = [
      [`${t.dir}/none.nc`, `${t.dir}/none.nc: no such file`],
      [t.dir, `${t.dir}: is a directory, not a netCDF file`],
      [`${t.dir}/nodir/x.nc`, `${t.dir}/nodir/x.nc: no such file`],
    ];
    for (const [path, msg] of cases) {
      await assert.rejects(openNetcdf(path), (e: unknown) => e instanceof NetcdfError && e.message === msg);
      if (path !== t.dir) {
        assert.throws(() => openCdf3(path), (e: unknown) => e instanceof NetcdfError && e.message === msg);
      }
    }
  } finally {
    t.cleanup();
  }
});
