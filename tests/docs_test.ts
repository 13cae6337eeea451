/** The examples in docs/formats.md are valid input for the parsers and mean what the text says. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./_helpers.ts";
import { parseObsnumList } from "../lib/formats/obsnum.ts";
import { parseBadlags } from "../lib/formats/badlags.ts";
import { parseRfile, rfileBoards } from "../lib/formats/rfile.ts";
import { parseBlanking } from "../lib/formats/blanking.ts";

Deno.test("docs/formats.md examples parse as documented", () => {
  const md = readFileSync(join(ROOT, "docs", "formats.md"), "utf8");
  const blocks = [...md.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 4);
  assert.deepEqual(parseObsnumList(blocks[0]!, "obsnum"), [33551, 33560, 33561, 33562, 33563, 33564, 33565]);
  const bl = parseBadlags(blocks[1]!, "badlags");
  assert.deepEqual(bl.lags.map((l) => [l.chassis, l.board, l.lag]), [[1, 0, 101], [0, 4, 222], [2, 2, 45]]);
  assert.equal(bl.commented.length, 1);
  assert.deepEqual(bl.badcb.map((b) => [b.obsnum, b.chassis, b.board]), [[91001, 3, 2], [91003, 0, 5]]);
  const rf = parseRfile(blocks[2]!, "rfile");
  const entries = rf.items.flatMap((i) => (i.type === "entry" ? [i.entry] : []));
  assert.deepEqual(rfileBoards(entries, 91005, 1), [4], "range includes 91005");
  assert.deepEqual(rfileBoards(entries, 91020, 0), [5], "wildcard -1");
  assert.deepEqual(rfileBoards(entries, 91001, 3), [2]);
  const b = parseBlanking(blocks[3]!, "blanking");
  assert.deepEqual(b.obsnums, [91001]);
  assert.deepEqual(b.windows[4], [[104, 105.3], [105.8, 108]]);
  assert.equal(b.blanks[0]!.boards, null, "chassis 2 skipped");
  assert.deepEqual(b.blanks[2]!.obsnums, [91001, 91002, 91003], "blank-line range is inclusive");
});
