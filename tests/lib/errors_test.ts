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
import { Hdf5Error, Hdf5Unsupported } from "../../lib/hdf5/read/errors.ts";
import { FitsSyntaxError } from "../../lib/fits/reader.ts";
import { RunError, RunfileError } from "../../lib/runfile/errors.ts";
import { ParamError } from "../../lib/pipeline/params.ts";
import { PipelineError } from "../../lib/pipeline/mod.ts";
import { FlagError } from "../../lib/web/flag.ts";

Deno.test("DataError: the module error classes are data errors, with their own names and messages", async (t) => {
  await t.step("lib/cli re-exports the one class", () => assert.equal(CliDataError, DataError));
  const cases: [Error, string, string][] = [
    [
      new FormatError("expected 3 fields but got 1", 4, "a.rfile"),
      "FormatError",
      "a.rfile:4: expected 3 fields but got 1",
    ],
    [new SeqDataError("m"), "SeqDataError", "m"],
    [new LmtDataError("m"), "LmtDataError", "m"],
    [new GridError("m"), "GridError", "m"],
    [new GridOptionError("m"), "GridOptionError", "m"],
    [new RsrDataError("f.nc", "m"), "RsrDataError", "f.nc: m"],
    [new CubeError("m"), "CubeError", "m"],
    [new Hdf5WriteError("m"), "Hdf5WriteError", "m"],
    [new NetcdfError("f.nc", "m", "v"), "NetcdfError", "f.nc: variable v: m"],
    [new Hdf5Error("bad signature", 48), "Hdf5Error", "bad signature (at byte 48)"],
    [new Hdf5Unsupported("filter 32004"), "Hdf5Unsupported", "filter 32004"],
    [
      new FitsSyntaxError('Bad FITS file "a.fits": HDU 0 m'),
      "FitsSyntaxError",
      'Bad FITS file "a.fits": HDU 0 m',
    ],
    [new RunfileError("m", "a.run", 3), "RunfileError", "a.run:3: m"],
    [new RunError("m"), "RunError", "m"],
    [new ParamError("m"), "ParamError", "m"],
    [new PipelineError("m"), "PipelineError", "m"],
    [new FlagError("m"), "FlagError", "m"],
    [new DataError("m"), "DataError", "m"],
  ];
  for (const [e, name, message] of cases) {
    await t.step(name, () => {
      assert.equal(e instanceof DataError, true);
      assert.equal(e.name, name);
      assert.equal(e.message, message);
    });
  }
  await t.step("FormatError and FitsSyntaxError stay SyntaxErrors; subclasses keep plain instanceof", () => {
    const e = new FormatError("x", 1);
    assert.equal(e instanceof SyntaxError, true);
    assert.equal(new FitsSyntaxError("x") instanceof SyntaxError, true);
    assert.equal(new FitsSyntaxError("x") instanceof FormatError, false);
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
    import { Hdf5Error, Hdf5Unsupported } from ${mod("lib/hdf5/read/errors.ts")};
    import { FitsSyntaxError } from ${mod("lib/fits/reader.ts")};
    import { RunError, RunfileError } from ${mod("lib/runfile/errors.ts")};
    import { ParamError } from ${mod("lib/pipeline/params.ts")};
    import { PipelineError } from ${mod("lib/pipeline/mod.ts")};
    import { FlagError } from ${mod("lib/web/flag.ts")};
    const named = new Error("named like one");
    named.name = "RunError";
    const errors = [
      new FormatError("expected 3 fields but got 1", 4, "a.rfile"),
      new SeqDataError("no OTF data in obsnum 1"),
      new Hdf5Error("bad superblock signature", 0),
      new Hdf5Unsupported("a.nc: filter 32004 (lz4) is not supported"),
      new FitsSyntaxError('Bad FITS file "a.fits": HDU 1 has no END card'),
      new RunfileError("unknown key 'obsnm'", "a.run", 2),
      new RunError("run/ has no plan.json"),
      new ParamError("unknown parameter 'obsnm' (did you mean 'obsnum'?)"),
      new PipelineError("obsnum 1: no raw data under /d"),
      new FlagError("board: expected an integer 0..5\\nsecond line"),
      new FsError("EACCES", "EACCES: permission denied, open '/x'"),
      new Error("boom"),
      named,
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
  assert.equal(d.decode(o.stdout), "1 1 1 1 1 1 1 1 1 1 1 1 1\n");
  // one line each; a class's name plays no part (an Error named "RunError" is not a data error)
  assert.equal(
    d.decode(o.stderr),
    "t: a.rfile:4: expected 3 fields but got 1\n" +
      "t: no OTF data in obsnum 1\n" +
      "t: bad superblock signature (at byte 0)\n" +
      "t: a.nc: filter 32004 (lz4) is not supported\n" +
      't: Bad FITS file "a.fits": HDU 1 has no END card\n' +
      "t: a.run:2: unknown key 'obsnm'\n" +
      "t: run/ has no plan.json\n" +
      "t: unknown parameter 'obsnm' (did you mean 'obsnum'?)\n" +
      "t: obsnum 1: no raw data under /d\n" +
      "t: board: expected an integer 0..5\n" +
      "t: error: EACCES: permission denied, open '/x'\n" +
      "t: error: boom\n" +
      "t: error: named like one\n",
  );
});
