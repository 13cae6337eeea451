import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { needsSamples, runTool, sample } from "../_helpers.ts";
import { decimalYearToIso } from "../../lib/lmt/info.ts";
import { parseRc } from "../../lib/formats/rc.ts";

Deno.test("decimalYearToIso() converts LMT UTDate to UTC, rounded to the second", () => {
  // The sample's UTDate: lmtinfo.py truncated this to 05:29:59 in local time (quirk R11).
  assert.equal(decimalYearToIso(2024.836691712204), "2024-11-02T05:30:00");
  assert.equal(decimalYearToIso(2024), "2024-01-01T00:00:00");
  assert.equal(decimalYearToIso(2023.5), "2023-07-02T12:00:00"); // non-leap year: 182.5 days
});

Deno.test({
  name: "lmtinfo on the RSR sample agrees with the original lmtoy_91001.rc (date fixed)",
  ignore: needsSamples(),
  fn: async () => {
    const r = await runTool("lmtinfo", ["91001"], { env: { DATA_LMT: sample("rsr", "data_lmt") } });
    assert.equal(r.code, 0, r.stderr);
    const ours = parseRc(r.stdout).values;
    const ref = parseRc(readFileSync(sample("rsr", "91001", "lmtoy_91001.rc"), "utf8")).values;
    const get = (m: Map<string, string>, k: string) => String(m.get(k));
    for (
      const k of [
        "obsnum",
        "subobsnum",
        "scannum",
        "calobsnum",
        "valid",
        "obspgm",
        "obsgoal",
        "ProjectId",
        "src",
        "instrument",
        "numbeams",
        "config",
      ]
    ) {
      assert.equal(get(ours, k), get(ref, k), k);
    }
    assert.equal(Number(get(ours, "ra")), Number(get(ref, "ra")));
    assert.equal(Number(get(ours, "dec")), Number(get(ref, "dec")));
    assert.equal(Number(get(ours, "inttime")), 300);
    assert.equal(Number(get(ours, "tau")), 0.1);
    assert.equal(get(ref, "date_obs"), "2024-11-02T05:29:59");
    assert.equal(get(ours, "date_obs"), "2024-11-02T05:30:00");
  },
});

Deno.test({
  name: "lmtinfo on the SEQ map gives the pipeline's derived resolution, cell, extent and vlsr",
  ignore: needsSamples(),
  fn: async () => {
    const r = await runTool("lmtinfo", ["--json", "97001"], { env: { DATA_LMT: sample("seq", "data_lmt") } });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync(sample("seq", "run_parameters.json"), "utf8")).lmtinfo_py_97001;
    assert.equal(info.obspgm, "Map");
    assert.equal(info.calobsnum, 97000);
    assert.equal(info.vlsr, ref.vlsr);
    assert.equal(info.resolution, ref.resolution_arcsec);
    assert.equal(info.cell, ref.cell_arcsec);
    assert.equal(info.xLength, ref.x_extent);
    assert.equal(info.yLength, ref.y_extent);
    assert.equal(info.nrows, ref.nrows_actual); // lmtinfo.py reported 4 (quirk S13)
    assert.ok(Math.abs(info.skyfreq[0] - ref.skyfreq_ghz) < 1e-9);
    assert.ok(Math.abs(info.restfreq[0] - ref.restfreq_ghz) < 1e-9);
  },
});

Deno.test("lmtinfo errors: no data for the obsnum → one line, exit 1", async () => {
  const r = await runTool("lmtinfo", ["5"], { env: { DATA_LMT: "/tmp" } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^lmtinfo: No data for obsnum 5 in \/tmp: neither .* \(RSR\) nor .* \(SEQ\)\n$/);
});
