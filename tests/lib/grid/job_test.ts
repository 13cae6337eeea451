import assert from "node:assert/strict";
import {
  GRID_DATA_DEFAULTS,
  GridOptionError,
  gridParamsFromOptions,
  plannedThreads,
  radiometerPathFor,
  runGridJob,
} from "../../../lib/grid/mod.ts";

const opts: Record<string, unknown> = {
  resolution: 13,
  cell: 6.5,
  pix_list: [0, 1, 2],
  rms_cut: -4,
  noise_sigma: 1,
  x_extent: 120,
  y_extent: 100,
  otf_select: 2,
  rmax: 3,
  otf_a: 1.1,
  otf_b: 4.75,
  otf_c: 2,
  sample: [1, 10, 20, 2, 0, 5],
  edge: 0,
};
const flags = { sample: "-b/--sample", pixList: "-u/--pix_list" };

Deno.test("gridParamsFromOptions maps grid_data.py's option names onto GridParams and parses -b triples", () => {
  const p = gridParamsFromOptions((k) => opts[k], flags);
  assert.deepEqual(p, {
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
    sample: [{ pixel: 1, s0: 10, s1: 20 }, { pixel: 2, s0: 0, s1: 5 }],
    edge: 0,
  });
  const more: Record<string, unknown> = { ...opts, workers: 2, kernel: "ts" };
  const w = gridParamsFromOptions((k) => more[k], flags);
  assert.equal(w.workers, 2);
  assert.equal(w.kernel, "ts");
  assert.deepEqual(Object.keys(GRID_DATA_DEFAULTS).filter((k) => !(k in p)), []); // every GridParams field is set
});

Deno.test("gridParamsFromOptions: bad -b / -u values are GridOptionErrors naming the flag as the tool spells it", () => {
  const bad = (over: Record<string, unknown>, re: RegExp) => {
    const o: Record<string, unknown> = { ...opts, ...over };
    assert.throws(() => gridParamsFromOptions((k) => o[k], flags), (e: unknown) => {
      assert.ok(e instanceof GridOptionError);
      assert.match((e as Error).message, re);
      return true;
    });
  };
  bad({ sample: [1, 2] }, /^-b\/--sample: sample list needs triples/);
  bad({ pix_list: [0, 64] }, /^-u\/--pix_list: pixel 64 out of range 0\.\.63/);
  bad({ pix_list: [] }, /^-u\/--pix_list: empty pixel list/);
});

Deno.test("runGridJob refuses two stdout outputs and stdout without a sink before reading any input", async () => {
  const job = { inputs: ["/nonexistent.nc"], overwrite: false, command: "t", params: GRID_DATA_DEFAULTS };
  await assert.rejects(
    runGridJob({ ...job, output: "-", weight: "-", writeStdout: () => {} }),
    /only one output can go to stdout \(-\): -, -/,
  );
  await assert.rejects(runGridJob({ ...job, output: "-" }), GridOptionError);
  await assert.rejects(
    runGridJob({ ...job, output: "a.fits", weight: "a.fits" }),
    /output names must differ/,
  );
  assert.equal(radiometerPathFor("m/M_1.fits"), "m/M_1.radiometer.rms.fits");
});

Deno.test("plannedThreads(): --workers as given, else one thread for small inputs and one per core above", () => {
  assert.equal(plannedThreads({ ...GRID_DATA_DEFAULTS, workers: 3 }, 1e3), 3);
  assert.equal(plannedThreads({ ...GRID_DATA_DEFAULTS, workers: 0 }, 1e9), 1);
  assert.equal(plannedThreads(GRID_DATA_DEFAULTS, 1000 * 659), 1); // 1 000 spectra
  const cores = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
  assert.equal(plannedThreads(GRID_DATA_DEFAULTS, 10432 * 659), cores);
});

Deno.test("runGridJob: workers started before the inputs are opened end with an unreadable input", async () => {
  // in a child process that returns normally: a worker left running would keep it alive
  const dir = Deno.makeTempDirSync();
  try {
    const bad = `${dir}/bad.nc`;
    Deno.writeFileSync(bad, new Uint8Array(40 << 20).fill(7)); // large enough for two threads
    const script = `${dir}/run.ts`;
    const mod = new URL("../../../lib/grid/mod.ts", import.meta.url).href;
    Deno.writeTextFileSync(
      script,
      `import { GRID_DATA_DEFAULTS, runGridJob } from ${JSON.stringify(mod)};
      try {
        await runGridJob({ inputs: [${JSON.stringify(bad)}], output: ${JSON.stringify(`${dir}/o.fits`)},
          overwrite: false, command: "t", params: { ...GRID_DATA_DEFAULTS, workers: 2 } });
      } catch (e) { console.log("rejected: " + e.message); }`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const out = await child.output();
    clearTimeout(timer);
    assert.equal(out.code, 0, `child did not end by itself: ${new TextDecoder().decode(out.stderr)}`);
    assert.match(new TextDecoder().decode(out.stdout), /^rejected: .*bad\.nc: not a netCDF file/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["bad.nc", "run.ts"]); // no output
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
