import assert from "node:assert/strict";
import { parseBadlags } from "../../../lib/formats/badlags.ts";
import { badLagOptions } from "../../../lib/rsr/calibrated.ts";

const FILE = [
  " 1  0 101  91001   11.9    # max",
  " 1  0  77  91003    9.0    # max",
  " 2  5  12",
  "#BADCB 91001 3 2 0.236323 badlags",
  "",
].join("\n");

Deno.test("badLagOptions(): one table for all obsnums, or per obsnum with the global lines merged in", () => {
  assert.deepEqual(badLagOptions(null, true), {});
  const model = parseBadlags(FILE, "t.badlags");
  const all = badLagOptions(model, false);
  assert.deepEqual(Object.keys(all), ["badLags"]);
  assert.deepEqual(all.badLags![1]![0], [77, 101]);
  assert.deepEqual(all.badLags![2]![5], [12]);
  assert.equal(all.badLags!.flat().flat().length, 3);

  const per = badLagOptions(model, true);
  assert.deepEqual(per.badLags![1]![0], []); // no global line for 1/0
  assert.deepEqual(per.badLags![2]![5], [12]);
  assert.deepEqual([...per.badLagsByObsnum!.keys()], [91001, 91003]);
  assert.deepEqual(per.badLagsByObsnum!.get(91001)![1]![0], [101]);
  assert.deepEqual(per.badLagsByObsnum!.get(91003)![1]![0], [77]);
  assert.deepEqual(per.badLagsByObsnum!.get(91003)![2]![5], [12]);
});
