/** lib/grid/spectral.ts: the SpecFile CTYPEs of process_otf_map --x_axis → kind and FITS SPECSYS. */
import assert from "node:assert/strict";
import { specAxisKind } from "../../../lib/grid/spectral.ts";

Deno.test("specAxisKind(): velocity/frequency and frame of each --x_axis CTYPE; unknown = LSR velocity", () => {
  const cases: [string, "velocity" | "frequency", string][] = [
    ["VLSR", "velocity", "LSRK"],
    ["VBARY", "velocity", "BARYCENT"],
    ["VSKY", "velocity", "TOPOCENT"],
    ["VSRCE", "velocity", "SOURCE"],
    ["VSRC", "velocity", "SOURCE"],
    ["FLSR", "frequency", "LSRK"],
    ["FBARY", "frequency", "BARYCENT"],
    ["FSKY", "frequency", "TOPOCENT"],
    ["FSRCE", "frequency", "SOURCE"],
    [" flsr ", "frequency", "LSRK"],
    ["", "velocity", "LSRK"],
    ["VELO-LSR", "velocity", "LSRK"],
  ];
  for (const [ctype, kind, specsys] of cases) {
    const k = specAxisKind(ctype);
    assert.equal(k.kind, kind, ctype);
    assert.equal(k.specsys, specsys, ctype);
  }
});
