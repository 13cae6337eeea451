import { equal } from "node:assert/strict";
import { didYouMean, editDistance } from "../../../lib/formats/suggest.ts";
import * as cli from "../../../lib/cli/args.ts";

Deno.test("editDistance(): insertions, deletions and substitutions count one each", () => {
  equal(editDistance("kitten", "sitting"), 3);
  equal(editDistance("", "abc"), 3);
  equal(editDistance("abc", ""), 3);
  equal(editDistance("b_regions", "b_regoins"), 2);
  equal(editDistance("same", "same"), 0);
});

Deno.test("didYouMean(): the closest name within max(2, len/3) edits, case and -/_ ignored", () => {
  equal(didYouMean("b_regoins", ["b_regions", "l_regions", "slice"]), "b_regions");
  equal(didYouMean("No-Baseline-Sub", ["no_baseline_sub", "baseline_order"]), "no_baseline_sub");
  equal(didYouMean("zzzzzz", ["spike", "bc_hi"]), undefined);
  equal(didYouMean("x", []), undefined);
  // the first of equally close candidates wins
  equal(didYouMean("ab", ["ac", "ad"]), "ac");
  // the limit grows with the word: 3 edits are accepted for a 9-letter word, not for a 6-letter one
  equal(didYouMean("obsnumxyz", ["obsnum"]), "obsnum");
  equal(didYouMean("abcxyz", ["abc"]), undefined);
});

Deno.test("lib/cli/args re-exports the same functions", () => {
  equal(cli.didYouMean, didYouMean);
  equal(cli.editDistance, editDistance);
});
