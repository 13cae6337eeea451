import assert from "node:assert/strict";
import { columnMedianF32, medianF32InPlace } from "../../../lib/num/float32.ts";

Deno.test("columnMedianF32 (selection) equals the sorted-column median bit for bit: ties, NaN, zeros, any count", () => {
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  let checked = 0;
  for (let t = 0; t < 200; t++) {
    const n = 1 + (t % 97), nchan = 23;
    const kind = t % 5;
    const a = new Float32Array(n * nchan).map(() =>
      kind === 0
        ? Math.round(rnd() * 3) // many ties
        : kind === 1
        ? (rnd() < 0.04 ? NaN : rnd())
        : kind === 2
        ? (rnd() < 0.5 ? 0 : rnd() < 0.5 ? -0 : rnd() - 0.5) // signed zeros
        : rnd() * 1e6
    );
    const rows = Int32Array.from({ length: n }, (_, i) => (i * 5 + t) % n);
    const m = columnMedianF32(a, nchan, rows);
    for (let c = 0; c < nchan; c++) {
      const ref = medianF32InPlace(Float32Array.from(rows, (r) => a[r * nchan + c]!));
      assert.ok(Object.is(ref, m[c]), `n=${n} kind=${kind} channel ${c}: ${m[c]} vs sorted ${ref}`);
      checked++;
    }
  }
  assert.equal(checked, 200 * 23);
});
