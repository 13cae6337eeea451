import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../_helpers.ts";
import { DataError } from "../../lib/errors.ts";
import { DataError as CliDataError } from "../../lib/cli/errors.ts";
import { FormatError } from "../../lib/formats/errors.ts";
import { SeqDataError } from "../../lib/seq/errors.ts";
import { LmtDataError } from "../../lib/lmt/errors.ts";
import { GridError, GridOptionError } from "../../lib/grid/errors.ts";
import { RsrDataError } from "../../lib/rsr/raw.ts";
import { CubeError } from "../../lib/fits/cube.ts";
import { Hdf5WriteError } from "../../lib/hdf5/write/writer.ts";
import { NetcdfError } from "../../lib/netcdf/types.ts";
import { FsError } from "../../lib/sys/fs.ts";

Deno.test("DataError: the module error classes are data errors, with their own names and messages", async (t) => {
  await t.step("lib/cli re-exports the one class", () => assert.equal(CliDataError, DataError));
  const cases: [Error, string, string][] = [
    [new FormatError("expected 3 fields but got 1", 4, "a.rfile"), "FormatError", "a.rfile:4: expected 3 fields but got 1"],
    [new SeqDataError("m"), "SeqDataError", "m"],
    [new LmtDataError("m"), "LmtDataError", "m"],
    [new GridError("m"), "GridError", "m"],
    [new GridOptionError("m"), "GridOptionError", "m"],
    [new RsrDataError("f.nc", "m"), "RsrDataError", "f.nc: m"],
    [new CubeError("m"), "CubeError", "m"],
    [new Hdf5WriteError("m"), "Hdf5WriteError", "m"],
    [new NetcdfError("f.nc", "m", "v"), "NetcdfError", "f.nc: variable v: m"],
    [new DataError("m"), "DataError", "m"],
  ];
  for (const [e, name, message] of cases) {
    await t.step(name, () => {
      assert.equal(e instanceof DataError, true);
      assert.equal(e.name, name);
      assert.equal(e.message, message);
    });
  }
  await t.step("FormatError stays a SyntaxError; subclasses keep plain instanceof", () => {
    const e = new FormatError("x", 1);
    assert.equal(e instanceof SyntaxError, true);
    assert.equal(e instanceof FormatError, true);
    assert.equal(e instanceof SeqDataError, false);
    assert.equal(new GridOptionError("m") instanceof GridError, true);
    assert.equal(new GridError("m") instanceof GridOptionError, false);
  });
  await t.step("not data errors: FsError (named FsError), Error, SyntaxError, null", () => {
    const f = new FsError("ENOENT", "ENOENT: no such file or directory, open '/x'");
    assert.equal(f.name, "FsError");
    assert.equal(f instanceof DataError, false);
    assert.equal(new Error("m") instanceof DataError, false);
    assert.equal(new SyntaxError("m") instanceof DataError, false);
    assert.equal((null as unknown) instanceof DataError, false);
  });
});

Deno.test("a tool prints a data error as `tool: message`, any other error as `tool: error: message`, exit 1", async () => {
  const mod = (p: string) => JSON.stringify(new URL(`file://${join(ROOT, p)}`).href);
  const code = `
    import { defineTool } from ${mod("lib/cli/mod.ts")};
    import { FormatError } from ${mod("lib/formats/errors.ts")};
    import { SeqDataError } from ${mod("lib/seq/errors.ts")};
    import { FsError } from ${mod("lib/sys/fs.ts")};
    const errors = [
      new FormatError("expected 3 fields but got 1", 4, "a.rfile"),
      new SeqDataError("no OTF data in obsnum 1"),
      new FsError("EACCES", "EACCES: permission denied, open '/x'"),
      new Error("boom"),
    ];
    const codes = [];
    for (const e of errors) {
      const tool = defineTool({ name: "t", summary: "s", usage: "t", options: [], run: () => { throw e; } });
      codes.push(await tool.main([], {}));
    }
    console.log(codes.join(" "));
  `;
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", "--config", join(ROOT, "deno.json"), code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  assert.equal(d.decode(o.stdout), "1 1 1 1\n");
  assert.equal(
    d.decode(o.stderr),
    "t: a.rfile:4: expected 3 fields but got 1\n" +
      "t: no OTF data in obsnum 1\n" +
      "t: error: EACCES: permission denied, open '/x'\n" +
      "t: error: boom\n",
  );
});
