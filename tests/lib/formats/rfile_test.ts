import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  badcbListToRfile,
  badcbToRfile,
  parseChassisBoardList,
  parseRfile,
  rfileBoards,
  rfileTemplate,
  stringifyRfile,
} from "../../../lib/formats/rfile.ts";
import { parseBadlags } from "../../../lib/formats/badlags.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample } from "../../_helpers.ts";

Deno.test({
  name: "rfileTemplate() + badcbToRfile() reproduce the sample rfiles; parse/stringify round-trips them",
  ignore: needsSamples(),
  fn() {
    for (const obs of [91001, 91003]) {
      const text = readFileSync(sample(`rsr/${obs}/rsr.${obs}.rfile`), "utf8");
      const badcb = parseBadlags(readFileSync(sample(`rsr/${obs}/rsr.${obs}.badlags`), "utf8")).badcb;
      equal(rfileTemplate(obs, "$LMTOY/bin/rsr_rfile") + badcbToRfile(badcb), text);
      const m = parseRfile(text, `rsr.${obs}.rfile`);
      deepEqual(m.entries, [{ obsnum: obs, chassis: 3, board: 2 }]);
      equal(stringifyRfile(m), text);
    }
    const comb = readFileSync(sample("rsr/91001_91003/rsr.91001_91003.rfile"), "utf8");
    const m = parseRfile(comb);
    deepEqual(m.entries.map((e) => e.obsnum), [91001, 91003]);
    equal(stringifyRfile(m), comb);
    deepEqual(rfileBoards(m.entries, 91003, 3), [2]);
    deepEqual(rfileBoards(m.entries, 91003, 2), []);
  },
});

Deno.test("parseRfile() grammar: comments, spaces, wildcard, ranges", () => {
  const m = parseRfile(
    "# hdr\n\n 33551 , 3 ,5   # jittery\n-1,0,1\n12350-12360,1,2\n  # indented comment\n",
    "r",
  );
  deepEqual(m.entries, [
    { obsnum: 33551, chassis: 3, board: 5, comment: "jittery" },
    { obsnum: -1, chassis: 0, board: 1 },
    { obsnum: 12350, last: 12360, chassis: 1, board: 2 },
  ]);
  deepEqual(m.items.map((i) => i.type), ["comment", "blank", "entry", "entry", "entry", "comment"]);
});

Deno.test("rfileBoards() applies the driver's exact-hides-wildcard rule and inclusive ranges", () => {
  const { entries } = parseRfile("-1,0,1\n-1,0,4\n91001,0,2\n91001,0,2\n12350-12360,1,2\n-1,1,0\n");
  deepEqual(rfileBoards(entries, 91001, 0), [2]); // exact entry hides both wildcards
  deepEqual(rfileBoards(entries, 91003, 0), [1, 4]);
  deepEqual(rfileBoards(entries, 12350, 1), [2]);
  deepEqual(rfileBoards(entries, 12360, 1), [2]); // range end included
  deepEqual(rfileBoards(entries, 12361, 1), [0]);
  deepEqual(rfileBoards(entries, 91001, 3), []);
});

Deno.test("parseRfile() errors name file and line", () => {
  const cases: [string, RegExp][] = [
    ["# ok\n33551 3 5\n", /^x\.rfile:2: expected 3 comma-separated fields OBSNUM,CHASSIS,BOARD but got 1$/],
    ["1,2,3,4\n", /^x\.rfile:1: expected 3 comma-separated fields .* got 4$/],
    ["33551,4,0\n", /^x\.rfile:1: chassis 4 out of range 0\.\.3$/],
    ["33551,0,6\n", /^x\.rfile:1: board 6 out of range 0\.\.5$/],
    ["abc,0,1\n", /^x\.rfile:1: invalid obsnum "abc"/],
    ["200-100,0,1\n", /^x\.rfile:1: invalid obsnum range "200-100"/],
    ["-2,0,1\n", /^x\.rfile:1: invalid obsnum "-2"/],
    ["1,x,1\n", /^x\.rfile:1: invalid chassis "x"/],
  ];
  for (const [t, re] of cases) {
    throws(() => parseRfile(t, "x.rfile"), (e: unknown) => e instanceof FormatError && re.test(e.message), t);
  }
});

Deno.test("stringifyRfile() writes new entries; rsr_badcb emitters", () => {
  const text = stringifyRfile({
    entries: [{ obsnum: 1, chassis: 2, board: 3 }, {
      obsnum: 5,
      last: 9,
      chassis: 0,
      board: 0,
      comment: "x",
    }],
  });
  equal(text, "1,2,3\n5-9,0,0   # x\n");
  deepEqual(parseRfile(text).entries[1], { obsnum: 5, last: 9, chassis: 0, board: 0, comment: "x" });
  equal(badcbToRfile([]), "# no badcb's\n");
  equal(
    badcbToRfile([{ obsnum: 1, chassis: 1, board: 1 }, { obsnum: 1, chassis: 3, board: 5 }]),
    "# rsr_badcb: adding 2 badcb's\n# mode r\n1,1,1\n1,3,5\n",
  );
  equal(badcbListToRfile(33551, "1/1,3/5"), "# setting badcbd=1/1,3/5\n33551,1,1\n33551,3,5\n");
  deepEqual(parseChassisBoardList("3/2,"), [{ chassis: 3, board: 2 }]);
  throws(() => parseChassisBoardList("3/6"), /Invalid chassis\/board "3\/6"/);
  throws(() => parseChassisBoardList("32"), /Invalid chassis\/board "32"/);
});
