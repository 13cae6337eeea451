/**
 * A fixed-seed slice of the fuzz harness (scripts/fuzz.ts; `npm run fuzz` runs 5,000 mutants):
 * 60 mutants of the netCDF-3, HDF5 and FITS inputs of rsr_driver, process_otf_map and
 * spec_driver_fits, each run by the real tool. Every outcome must be an accepted one (one-line
 * error naming the file, a warning naming it, exit 0 for data-only changes or with unchanged
 * outputs), within 20 s and 1 GB per run; and the slice must really exercise the readers (most
 * structural mutants refused, every format reached).
 * @module
 */
import assert from "node:assert/strict";
import { formatReport, runFuzz } from "../../scripts/fuzz.ts";

Deno.test("fuzz: 60 seeded mutants of netCDF-3, HDF5 and FITS inputs all end in an accepted outcome", async () => {
  const rep = await runFuzz({ count: 60, seed: 11, jobs: 2, timeoutS: 20, memMb: 1024 });
  const table = formatReport(rep);
  assert.deepEqual(
    rep.failures.map((f) => `#${f.index} ${f.target}: ${f.outcome} [${f.ops.join("; ")}] ${f.stderr}`),
    [],
    table,
  );
  let total = 0;
  const perFormat = new Map<string, number>();
  let errors = 0;
  for (const [name, c] of rep.counts) {
    const n = [...c.values()].reduce((a, b) => a + b, 0);
    total += n;
    perFormat.set(rep.formats.get(name)!, (perFormat.get(rep.formats.get(name)!) ?? 0) + n);
    errors += c.get("error") ?? 0;
  }
  assert.equal(total, 60, table);
  assert.deepEqual([...perFormat.keys()].sort(), ["cdf3", "fits", "hdf5"], table);
  // the mutants hit structure: well over a third of them are refused with a one-line error
  assert.ok(errors >= 20, table);
});
