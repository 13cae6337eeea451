/**
 * Start-up cost: lib/netcdf/mod.ts must not load h5wasm for files the native netCDF-4 reader and
 * writer handle (h5wasm is only the fallback), and must not pull node:os.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, tempDir } from "../../_helpers.ts";

Deno.test("netcdf: reading and writing netCDF-3/-4 never imports h5wasm nor makes temp files (child process)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const mod = join(ROOT, "lib/netcdf/mod.ts");
    const script = `
import { h5wasmLoaded, openNetcdf, writeNetcdf3Sync, writeNetcdf4, openNetcdfBytes } from "${mod}";
const model = { dimensions: [{ name: "x", size: 3 }], attributes: [], variables: [
  { name: "v", type: "double", dimensions: ["x"], attributes: [], data: new Float64Array([1, 2, 3]) }] };
const out = [];
out.push(h5wasmLoaded());
writeNetcdf3Sync("${dir}/a.nc", model, { format: "cdf2" });
const a = await openNetcdf("${dir}/a.nc"); out.push(Array.from(a.readNumbers("v")).join(","), h5wasmLoaded()); a.close();
await writeNetcdf4("${dir}/b.nc", model);
out.push(h5wasmLoaded());
const b = await openNetcdfBytes(Deno.readFileSync("${dir}/b.nc"), "<stdin>");
out.push(Array.from(b.readNumbers("v")).join(","), [...Deno.readDirSync(Deno.env.get("TMPDIR"))].length, h5wasmLoaded()); b.close();
const c = await openNetcdf("${dir}/b.nc"); out.push(c.readScalar("v"), h5wasmLoaded()); c.close();
console.log(JSON.stringify(out));
`;
    Deno.writeTextFileSync(join(dir, "t.ts"), script);
    Deno.mkdirSync(join(dir, "tmp"));
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--no-lock", "--config", join(ROOT, "deno.json"), join(dir, "t.ts")],
      env: { TMPDIR: join(dir, "tmp") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, err);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(r.stdout)), [
      false,
      "1,2,3",
      false,
      false, // writeNetcdf4 is pure TypeScript (lib/hdf5/write)
      "1,2,3",
      0, // the native HDF5 reader parses the bytes in memory: no temp copy
      false,
      1,
      false,
    ]);
    // the temp copy of the stdin bytes went to $TMPDIR and is gone after close
    assert.deepEqual([...Deno.readDirSync(join(dir, "tmp"))].map((e) => e.name), []);
  } finally {
    cleanup();
  }
});
