import assert from "node:assert/strict";
import { parseRunfile, RunfileError, splitWords } from "../../../lib/runfile/mod.ts";

function err(text: string): RunfileError {
  try {
    parseRunfile(text, "my.run");
  } catch (e) {
    assert.ok(e instanceof RunfileError, String(e));
    return e;
  }
  assert.fail("expected a RunfileError");
}

Deno.test("parseRunfile() reads singles, combinations, comments, blank lines and pipeline words", () => {
  const rf = parseRunfile(
    [
      "# project run file",
      "",
      "obsnum=91001 badcb=3/2   # a trailing comment",
      "rsr obsnum=91003",
      "  seq obsnum=97001 pix_list=-0,5 'b_regions=[[-100,-50],[50,100]]'",
      '1MM obsnum=97003 dir="bs two"',
      "obsnums=91001,91003 xlines=94.3,0.3",
      "obsnums=91001-91003",
    ].join("\n"),
    "my.run",
  );
  assert.equal(rf.lines.length, 6);
  assert.equal(rf.hasMarkers, false);
  const [a, b, c, d, e, f] = rf.lines;
  assert.deepEqual([a!.line, a!.obsnum, a!.pipeline, a!.params], [3, 91001, undefined, [["badcb", "3/2"]]]);
  assert.deepEqual([b!.line, b!.pipeline], [4, "rsr"]);
  assert.deepEqual(c!.params, [["pix_list", "-0,5"], ["b_regions", "[[-100,-50],[50,100]]"]]);
  assert.equal(c!.pipeline, "seq");
  assert.deepEqual([d!.pipeline, d!.params], ["seq", [["dir", "bs two"]]]);
  assert.deepEqual([e!.obsnums, e!.params], [[91001, 91003], [["xlines", "94.3,0.3"]]]);
  assert.deepEqual(f!.obsnums, [91001, 91002, 91003]);
  for (const l of rf.lines) assert.equal(l.tier, undefined);
});

Deno.test("parseRunfile() strips SLpipeline.sh and drops its framework keywords", () => {
  const rf = parseRunfile(
    "SLpipeline.sh obsnum=91001 admit=0 restart=1 badcb=3/2\n$LMTOY/bin/SLpipeline.sh obsnums=91001,91003 debug=1\n",
    "x.run",
  );
  assert.equal(rf.lines[0]!.slpipeline, true);
  assert.deepEqual(rf.lines[0]!.params, [["badcb", "3/2"]]);
  assert.deepEqual(rf.lines[0]!.ignored, ["admit", "restart"]);
  assert.deepEqual(rf.lines[1]!.obsnums, [91001, 91003]);
  assert.deepEqual(rf.lines[1]!.ignored, ["debug"]);
  // the same keys on a plain line are parameters (checked later against the pipeline)
  assert.deepEqual(parseRunfile("obsnum=1 admit=0", "x").lines[0]!.params, [["admit", "0"]]);
});

Deno.test("parseRunfile() tiers from --- markers and tier=, continuation lines", () => {
  const rf = parseRunfile(
    "obsnum=1\nobsnum=2 \\\n  badcb=0/1\n--- tier\nobsnums=1,2\n----\nobsnum=3 tier=1\n",
    "t.run",
  );
  assert.equal(rf.hasMarkers, true);
  assert.deepEqual(rf.lines.map((l) => [l.line, l.tier]), [[1, 1], [2, 1], [5, 2], [7, 1]]);
  assert.deepEqual(rf.lines[1]!.params, [["badcb", "0/1"]]);
});

Deno.test("parseRunfile() errors name file and line", () => {
  assert.equal(err("obsnum=1\nobsnum=2 badcb\n").message, 'my.run:2: expected key=value, got "badcb"');
  assert.equal(err("\n\nfoo obsnum=3").line, 3);
  assert.match(err("foo obsnum=3").message, /^my\.run:1: expected key=value or a pipeline word/);
  assert.equal(err("obsnum=1 obsnum=2").message, "my.run:1: parameter obsnum given twice");
  assert.equal(err("obsnum=12a").message, "my.run:1: obsnum=12a: expected a positive integer");
  assert.equal(err("obsnum=0").message, "my.run:1: obsnum=0: expected a positive integer");
  assert.equal(err("# c\nbadcb=1/2").message, "my.run:2: no obsnum= or obsnums= on this line");
  assert.equal(err("obsnum=1 obsnums=1,2").message, "my.run:1: give obsnum= or obsnums=, not both");
  assert.match(err("obsnums=1,x").message, /^my\.run:1: obsnums=1,x: .*invalid obsnum "x"/);
  assert.equal(err("obsnums=1,2,1").message, "my.run:1: obsnums=1,2,1: an obsnum is repeated");
  assert.equal(err("obsnum=1 xlines='94.3").message, "my.run:1: unterminated ' quote");
  assert.equal(err("obsnum=1 tier=0").message, "my.run:1: tier=0: expected a positive integer");
  assert.equal(err("obsnum=1 9x=2").message, 'my.run:1: invalid parameter name "9x"');
});

Deno.test("splitWords() quotes, escapes and comments", () => {
  assert.deepEqual(splitWords(`a=1 b="x y" c='#z' d=e\\ f # gone`, "f", 1), [
    "a=1",
    "b=x y",
    "c=#z",
    "d=e f",
  ]);
  assert.deepEqual(splitWords("a=1#notcomment", "f", 1), ["a=1#notcomment"]);
});
