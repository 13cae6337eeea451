// cmd/_grid.ts: the gridder front ends' typed option values → lib/grid's GridParams / GridJob.
import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/mod.ts";
import type { ToolContext } from "../../lib/cli/mod.ts";
import { GRID_DATA_DEFAULTS } from "../../lib/grid/mod.ts";
import { gridJob, type GridOptionValues, gridParams } from "../../cmd/_grid.ts";
import { lmtoyGridFiles } from "../../cmd/_lmtoy.ts";

const opts: GridOptionValues = {
  resolution: 13,
  cell: 6.5,
  pixList: [0, 1, 2],
  rmsCut: -4,
  noiseSigma: 1,
  xExtent: 120,
  yExtent: 100,
  otfSelect: 2,
  rmax: 3,
  otfA: 1.1,
  otfB: 4.75,
  otfC: 2,
  sample: [1, 10, 20, 2, 0, 5],
  edge: 0,
  ztype: 0,
};
const flags = { sample: "-b/--sample", pixList: "-u/--pix_list" };

Deno.test("gridParams() copies the checked values into GridParams and parses -b triples", () => {
  const p = gridParams(opts, flags);
  // every value as given but -b, read as triples, and ztype 0 (the default, not set)
  const { sample: _sample, ztype: _ztype, ...same } = opts;
  assert.deepEqual(p, { ...same, sample: [{ pixel: 1, s0: 10, s1: 20 }, { pixel: 2, s0: 0, s1: 5 }] });
  const w = gridParams({ ...opts, workers: 2, kernel: "ts", projection: "TAN", ztype: 1 }, flags);
  assert.equal(w.workers, 2);
  assert.equal(w.kernel, "ts");
  assert.equal(w.projection, "TAN");
  assert.equal(w.ztype, 1);
  assert.deepEqual(Object.keys(GRID_DATA_DEFAULTS).filter((k) => !(k in p)), []); // every GridParams field is set
  // -b -1 (the default) is no blanking; the pixel list is a copy
  const none = gridParams({ ...opts, sample: [-1] }, flags);
  assert.deepEqual(none.sample, []);
  assert.notEqual(none.pixList, opts.pixList);
});

Deno.test("gridParams(): bad -b / -u values are UsageErrors naming the flag as the tool spells it", () => {
  const bad = (over: Partial<GridOptionValues>, re: RegExp) => {
    assert.throws(() => gridParams({ ...opts, ...over }, flags), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match((e as Error).message, re);
      return true;
    });
  };
  bad({ sample: [1, 2] }, /^-b\/--sample: sample list needs triples/);
  bad({ pixList: [0, 64] }, /^-u\/--pix_list: pixel 64 out of range 0\.\.63/);
  bad({ pixList: [-1] }, /^-u\/--pix_list: pixel -1 out of range 0\.\.63/);
  bad({ pixList: [] }, /^-u\/--pix_list: empty pixel list/);
});

Deno.test("gridJob() splits the -i list, keeps only the named outputs and puts the command line in HISTORY", () => {
  const ctx = { argv: ["-i", "a.nc,,b.nc", "-o", "c.fits"] } as unknown as ToolContext;
  const params = gridParams(opts, flags);
  const job = gridJob({
    tool: "grid_data",
    files: { input: "a.nc,,b.nc", output: "c.fits", weight: undefined, specTmp: "s.tab" },
    params,
    overwrite: true,
  }, ctx);
  assert.deepEqual(job.inputs, ["a.nc", "b.nc"]);
  assert.equal(job.output, "c.fits");
  assert.equal(job.specTmp, "s.tab");
  assert.equal("weight" in job, false);
  assert.equal("radiometer" in job, false);
  assert.equal(job.command, "grid_data -i a.nc,,b.nc -o c.fits");
  assert.equal(job.overwrite, true);
  assert.equal(job.params, params);
});

Deno.test("lmtoyGridFiles(): the C program's fixed side-file names unless given or the cube goes to stdout", () => {
  assert.deepEqual(lmtoyGridFiles({ input: "a.nc", output: "c.fits", weight: "w.fits" }), {
    input: "a.nc",
    output: "c.fits",
    weight: "w.fits",
    radiometer: "radiometer.rms.fits",
    specTmp: "spec-tmp.tab",
  });
  assert.deepEqual(
    lmtoyGridFiles({ input: "a.nc", output: "c.fits", weight: "-", radiometer: undefined, specTmp: "x" }),
    { input: "a.nc", output: "c.fits", weight: "-", radiometer: undefined, specTmp: "x" },
  );
  const stdout = { input: "a.nc", output: "-", weight: "w.fits" };
  assert.equal(lmtoyGridFiles(stdout), stdout);
});
