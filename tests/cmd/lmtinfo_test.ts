import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, needsSamples, runTool, sample, tempDir } from "../_helpers.ts";
import { decimalYearToIso, infoRc, projectInfo, seqInfo } from "../../lib/lmt/info.ts";
import type { NcFile, NcVariable } from "../../lib/netcdf/types.ts";
import { parseRc } from "../../lib/formats/rc.ts";

Deno.test("decimalYearToIso() converts LMT UTDate as lmtinfo.py: UTC, truncated to the second", () => {
  // The sample's UTDate (a 05:30:00 start): the original prints 05:29:59 (quirk R11), and so do we.
  assert.equal(decimalYearToIso(2024.836691712204), "2024-11-02T05:29:59");
  assert.equal(decimalYearToIso(2024), "2024-01-01T00:00:00");
  assert.equal(decimalYearToIso(2023.5), "2023-07-02T12:00:00"); // non-leap year: 182.5 days
  // 0.9999996 s past the minute: Python rounds the microseconds to 1e6 first → the next second
  const y = 2023, ys = 365 * 86400;
  assert.equal(decimalYearToIso(y + (60.9999996) / ys), "2023-01-01T00:01:00");
  assert.equal(decimalYearToIso(y + (60.99999) / ys), "2023-01-01T00:01:00");
  assert.equal(decimalYearToIso(y + (59.99) / ys), "2023-01-01T00:00:59");
});

/** The original's rc text with our version line (the only line that differs by design). */
function withoutVersion(text: string): string[] {
  return text.split("\n").filter((l) => !l.startsWith("# version="));
}

Deno.test({
  name: "lmtinfo on the RSR sample prints the original lmtoy_91001.rc line for line",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const root = sample("rsr", "data_lmt");
      const r = await runTool("lmtinfo", ["91001"], { env: { DATA_LMT: root, LMTOY: dir } });
      assert.equal(r.code, 0, r.stderr);
      const ours = r.stdout.replaceAll(root, "$DATA_LMT").replaceAll(dir, "$LMTOY");
      const ref = readFileSync(sample("rsr", "91001", "lmtoy_91001.rc"), "utf8");
      assert.deepEqual(withoutVersion(ours), withoutVersion(ref));
      assert.match(ours, /^date_obs="2024-11-02T05:29:59"$/m);
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "lmtinfo on the SEQ map and Bs samples prints what lmtinfo.py printed (fixtures), nppb, nrows",
  ignore: needsSamples(),
  fn: async () => {
    const { dir, cleanup } = tempDir();
    try {
      const root = sample("seq", "data_lmt");
      for (const o of [97001, 97003]) {
        const r = await runTool("lmtinfo", [String(o)], { env: { DATA_LMT: root, LMTOY: dir } });
        assert.equal(r.code, 0, r.stderr);
        const ours = r.stdout.replaceAll(root, "$DATA_LMT").replaceAll(dir, "$LMTOY");
        const ref = readFileSync(join(FIXTURES, "lmtinfo", `lmtinfo_py_${o}.rc`), "utf8");
        assert.deepEqual(withoutVersion(ours), withoutVersion(ref), `obsnum ${o}`);
        if (o === 97001) {
          const v = parseRc(ours).values;
          const p = JSON.parse(readFileSync(sample("seq", "run_parameters.json"), "utf8")).lmtinfo_py_97001;
          assert.equal(v.get("nppb"), "2");
          assert.equal(Number(v.get("resolution")), p.resolution_arcsec);
          assert.equal(Number(v.get("cell")), p.cell_arcsec);
          assert.equal(Number(v.get("nrows")), p.nrows_reported); // the original's count (4; 5 rows exist)
          assert.equal(v.get("skyfreq"), String(p.skyfreq_ghz)); // full precision
          assert.equal(v.get("restfreq"), String(p.restfreq_ghz));
        }
      }
    } finally {
      cleanup();
    }
  },
});

Deno.test({
  name: "lmtinfo --json and --make on the SEQ map: derived resolution, cell, extent, vlsr",
  ignore: needsSamples(),
  fn: async () => {
    const env = { DATA_LMT: sample("seq", "data_lmt") };
    const r = await runTool("lmtinfo", ["--json", "97001"], { env });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync(sample("seq", "run_parameters.json"), "utf8")).lmtinfo_py_97001;
    assert.equal(info.obspgm, "Map");
    assert.equal(info.calobsnum, 97000);
    assert.equal(info.vlsr, ref.vlsr);
    assert.equal(info.resolution, ref.resolution_arcsec);
    assert.equal(info.cell, ref.cell_arcsec);
    assert.ok(Math.abs(info.xLength - ref.x_extent) < 1e-4); // header radians × 206264.806, as the original
    assert.equal(info.nrows, ref.nrows_reported);
    assert.ok(Math.abs(info.skyfreq[0] - ref.skyfreq_ghz) < 1e-12);
    assert.ok(Math.abs(info.restfreq[0] - ref.restfreq_ghz) < 1e-12);
    const m = await runTool("lmtinfo", ["--make", "--prefix", "info_", "97001"], { env });
    assert.match(m.stdout, /^info_x_extent := 120$/m);
    assert.match(m.stdout, /^info_nppb := 2$/m);
    assert.match(m.stdout, /^info_skyfreq := 97\.9652325116637$/m);
  },
});

/** A stand-in for an ifproc file: the header variables lmtinfo reads. */
function fakeIfproc(vars: Record<string, number | number[] | string>): NcFile {
  const has = (n: string) => n in vars;
  const nums = (n: string) => {
    const v = vars[n];
    return new Float64Array(typeof v === "number" ? [v] : Array.isArray(v) ? v : []);
  };
  const f = {
    path: "fake.nc",
    has,
    readString: (n: string) => String(vars[n]),
    readScalar: (n: string) => nums(n)[0]!,
    readNumbers: (n: string) => nums(n),
    variable: (n: string) => ({ name: n, shape: [nums(n).length] }) as unknown as NcVariable,
  };
  return f as unknown as NcFile;
}

Deno.test("infoRc(): dual-IF header with LineFreq[1] = 0 → the original's override lines (expected from lmtinfo.py)", () => {
  const f = fakeIfproc({
    "Header.Dcs.Receiver": "Sequoia",
    "Header.Dcs.ObsNum": 94001,
    "Header.Dcs.SubObsNum": 0,
    "Header.Dcs.ScanNum": 1,
    "Header.Dcs.ObsPgm": "Bs",
    "Header.Dcs.ProjectId": "2018S1-MU-8",
    "Header.Dcs.IntegrationTime": 30,
    "Header.IfProc.CalObsNum": 94000,
    "Header.ScanFile.Valid": 1,
    "Header.Source.SourceName": "NGC6946_(CO)",
    "Header.Source.Ra": 0.5,
    "Header.Source.Dec": -0.25,
    "Header.Source.Velocity": 45,
    "Header.TimePlace.UTDate": 2024.836691712204,
    "Header.Radiometer.Tau": 0.12,
    "Header.Sequoia.NumBands": 2,
    "Header.Sequoia.SkyFreq": [110.19, 0],
    "Header.Sequoia.LineFreq": [110.201354, 0],
    "Header.SpecBackend.Bandwidth": [0.8, 0.8],
    "Header.Sky.AzOff": [0, 0],
    "Header.Sky.ElOff": [0, 0],
    "Data.IfProc.BasebandTime": [100, 100.1, 100.2, 130],
  });
  const info = seqInfo(f, "fake.nc");
  const rc = infoRc(info, "test", projectInfo(info.projectId, "2018-S1-MU-8, A title ,A. PI\n", "/p.csv"));
  const lines = rc.split("\n");
  const at = (k: string) => lines.filter((l) => l.startsWith(k));
  assert.deepEqual(at("numbands="), ["numbands=2", "numbands=1   # overriding"]);
  assert.deepEqual(at("restfreq="), ["restfreq=110.201354,0.0    # Ghz", "restfreq=110.201354"]);
  assert.deepEqual(at("config="), ["config=2018-S1-MU-8__SEQ__Bs__NGC6946__110.201354,0.0"]);
  assert.deepEqual(at("skytime="), [`skytime=${(130 - 100 + (130 - 100.2)).toFixed(1)}`]); // %g: 59.8
  assert.deepEqual(at("nrows="), ["nrows=0"]);
  assert.deepEqual(at("tint_on="), ["tint_on=-1  # excluding 1.6sec (?) switchback"]);
  assert.deepEqual(at("ra="), ["ra=28.647890  # deg"]);
  assert.deepEqual(at("resolution="), ["resolution=12  # arcsec"]);
  assert.deepEqual(at("cell="), ["cell=6   # arcsec"]);
  assert.deepEqual(at("# project info:"), ["# project info: /p.csv"]);
  assert.deepEqual(at("PIName="), ['PIName="A. PI"']);
  assert.deepEqual(at("projectTitle="), ['projectTitle="A title"']);
  assert.ok(!rc.includes("map_coord"), "map_coord only for Map");
  // a value from the header never runs in the shell that sources the block
  const evil = infoRc({ ...info, src: 'x"; rm -rf $HOME `id`' }, "test");
  assert.match(evil, /^src="x\\"; rm -rf \\\$HOME \\`id\\`"$/m);
  assert.match(evil, /^config="2018-S1-MU-8__SEQ__Bs__x\\"; rm -rf \\\$HOME/m);
});

Deno.test("projectInfo(): commissioning, listed, unknown (lmtinfo.py's dataverse())", () => {
  assert.deepEqual(projectInfo("2024S1MSIP1mmCommissioning", null, "/x"), {
    source: null,
    piName: "LMT",
    projectTitle: "Commissioning",
  });
  assert.deepEqual(projectInfo("2024-S1-A-1", "a,b,c\n 2024-S1-A-1 , T , P \n", "/x"), {
    source: "/x",
    piName: "P",
    projectTitle: "T",
  });
  assert.deepEqual(projectInfo("2024-S1-A-2", "2024-S1-A-1,T,P\n", "/x").piName, "Unknown");
});

Deno.test("lmtinfo errors: no data → one line, exit 1; a combination 123457_123463 → exit 1 (as the original)", async () => {
  const r = await runTool("lmtinfo", ["5"], { env: { DATA_LMT: "/tmp" } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^lmtinfo: No data for obsnum 5 in \/tmp: neither .* \(RSR\) nor .* \(SEQ\)\n$/);
  const c = await runTool("lmtinfo", ["123457_123463"], { env: { DATA_LMT: "/tmp" } });
  assert.equal(c.code, 1, c.stderr);
  assert.equal(c.stdout, "");
  assert.match(c.stderr, /^lmtinfo: 123457_123463: not an obsnum/);
});
