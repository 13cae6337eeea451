import assert from "node:assert/strict";
import {
  GRID_DATA_DEFAULTS,
  GridOptionError,
  plannedThreads,
  radiometerPathFor,
  runGridJob,
} from "../../../lib/grid/mod.ts";

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
