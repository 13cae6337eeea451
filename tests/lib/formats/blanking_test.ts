import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  badcbListToBlanking,
  badcbToBlanking,
  type Blanking,
  blankingFor,
  blankingTemplate,
  parseBlanking,
  stringifyBlanking,
} from "../../../lib/formats/blanking.ts";
import { parseBadlags } from "../../../lib/formats/badlags.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample } from "../../_helpers.ts";

const TEMPLATE_WINDOWS = [[71.72, 79.69], [85.41, 93.38], [78.02, 85.99], [90.62, 98.58], [104.31, 112.28], [
  96.92,
  104.88,
]];

Deno.test({
  name: "blankingTemplate() + badcbToBlanking() reproduce the sample blanking files; parse reads them",
  ignore: needsSamples(),
  fn() {
    for (const obs of [91001, 91003]) {
      const text = readFileSync(sample(`rsr/${obs}/rsr.${obs}.blanking`), "utf8");
      const badcb = parseBadlags(readFileSync(sample(`rsr/${obs}/rsr.${obs}.badlags`), "utf8")).badcb;
      equal(blankingTemplate(obs, "$LMTOY/bin/rsr_blanking") + badcbToBlanking(badcb), text);
      const b = parseBlanking(text, `rsr.${obs}.blanking`);
      deepEqual(b.obsnums, [obs]);
      deepEqual(b.windows, TEMPLATE_WINDOWS.map((w) => [w]));
      deepEqual(b.blanks, [{ obsnums: [obs], chassis: 3, boards: new Map([[2, [[70, 120]]]]) }]);
    }
    const comb = parseBlanking(readFileSync(sample("rsr/91001_91003/rsr.91001_91003.blanking"), "utf8"));
    deepEqual(comb.obsnums, [91001, 91003]);
    equal(comb.blanks.length, 2);
    deepEqual(blankingFor(comb, 91003, 3), { skip: false, boards: new Map([[2, [[70, 120]]]]) });
    deepEqual(blankingFor(comb, 91003, 2), { skip: false, boards: new Map() });
    // canonical writer round-trips the model
    deepEqual(parseBlanking(stringifyBlanking(comb, ["written by test"])), comb);
  },
});

Deno.test("parseBlanking() reads the Python-literal subset of the I10565-style files", () => {
  const text = [
    "#blanking file",
    "   # indented comment (the original crashes)",
    "32019,42313,",
    "54400-54402",
    "windows[4] = [(104.0,105.3),(105.8,108.0),(109.0,109.9),]   # lines avoided",
    "windows[ 0 ]=[]",
    "36231,36387      2",
    "32019,42313,42314     2   {4: [(95.,111.),]}  {5: [(95.,111.),]}",
    "54400-62000  1  {0: [(70.,100.)]}{2: [(70.,.5e3)], 0: [(71, 72)]}   # trailing comment",
    "33551  0  {1: ((80, 90), [91, 92])}",
  ].join("\n");
  const b = parseBlanking(text, "I.blanking");
  deepEqual(b.obsnums, [32019, 42313, 54400, 54401, 54402]);
  deepEqual(b.windows[4], [[104.0, 105.3], [105.8, 108.0], [109.0, 109.9]]);
  deepEqual(b.windows[0], []);
  deepEqual(b.blanks[0], { obsnums: [36231, 36387], chassis: 2, boards: null });
  deepEqual(b.blanks[1]!.boards, new Map([[4, [[95, 111]]], [5, [[95, 111]]]]));
  equal(b.blanks[2]!.obsnums.length, 62000 - 54400 + 1); // inclusive
  deepEqual(b.blanks[2]!.boards, new Map([[0, [[71, 72]]], [2, [[70, 500]]]])); // later key wins
  deepEqual(b.blanks[3]!.boards, new Map([[1, [[80, 90], [91, 92]]]]));
  deepEqual(blankingFor(b, 36231, 2), { skip: true, boards: new Map() });
  deepEqual(blankingFor(b, 42313, 2).boards.get(5), [[95, 111]]);
  const ex = parseBlanking("54400-54403  1  {0: [(70.,100.)]}\n", "x", { exclusiveBlankRanges: true });
  deepEqual(ex.blanks[0]!.obsnums, [54400, 54401, 54402]);
});

Deno.test("parseBlanking() errors name file and line", () => {
  const cases: [string, RegExp][] = [
    ["91001\nwindows[6] = [(1,2)]\n", /^b:2: board 6 out of range 0\.\.5 in windows\[6\]$/],
    ["windows[0] = [(1,2)\n", /^b:1: expected "," or "\]"/],
    ["windows[0] = [(1,2,3)]\n", /^b:1: windows\[0\] must be a list of \(low, high\) pairs$/],
    ["windows[0] = [(1,2)] x\n", /^b:1: unexpected "x"|^b:1: unexpected text/],
    ["windows = 3\n", /^b:1: expected "windows\[N\] = /],
    ["\n\n91001  5\n", /^b:3: invalid chassis "5"/],
    ["91001  1  {2: [(80,90)]\n", /^b:1: expected "," or "}"/],
    ["91001  1  {7: [(80,90)]}\n", /^b:1: board must be an integer 0\.\.5$/],
    ["91001  1  [(80,90)]\n", /^b:1: expected \{BOARD/],
    ["91001  1  {1: [(80,x)]}\n", /^b:1: unexpected "x"/],
    ["9100a\n", /^b:1: invalid obsnum "9100a"/],
    ["import os\n", /^b:1: invalid obsnum "import"/],
  ];
  for (const [t, re] of cases) {
    throws(() => parseBlanking(t, "b"), (e: unknown) => e instanceof FormatError && re.test(e.message), t);
  }
});

Deno.test("stringifyBlanking() is canonical and parses back to the same model", () => {
  const m: Blanking = {
    obsnums: [1, 2, 3, 7],
    windows: [[[71.72, 79.69]], [], [], [], [[104, 105.3], [105.8, 108]], []],
    blanks: [
      { obsnums: [5, 6], chassis: 2, boards: null },
      { obsnums: [10, 11, 12, 13], chassis: 0, boards: new Map([[0, [[70, 100]]], [1, [[70.5, 100]]]]) },
    ],
  };
  const text = stringifyBlanking(m, ["canonical"]);
  equal(
    text,
    "# canonical\n1-3,7\nwindows[0] = [(71.72, 79.69)]\nwindows[4] = [(104.0, 105.3), (105.8, 108.0)]\n5,6   2\n" +
      "10-13   0  {0: [(70.0, 100.0)], 1: [(70.5, 100.0)]}\n",
  );
  deepEqual(parseBlanking(text), m);
});

Deno.test("rsr_badcb -b emitters", () => {
  equal(badcbToBlanking([]), "# no badcb's\n");
  equal(
    badcbToBlanking([{ obsnum: 91001, chassis: 3, board: 2 }]),
    "# rsr_badcb: adding 1 badcb's\n# mode b\n91001   3  {2 : [(70,120)]}\n",
  );
  equal(
    badcbListToBlanking(33551, "1/1,3/5"),
    "# setting badcbd=1/1,3/5\n33551 1 {1: [(70,115)]}\n33551 3 {5: [(70,115)]}\n",
  );
  throws(() => badcbListToBlanking(1, "9/9"), /Invalid chassis\/board/);
  // emitted lines are valid blanking lines
  const b = parseBlanking(badcbListToBlanking(33551, "1/1"));
  deepEqual(b.blanks, [{ obsnums: [33551], chassis: 1, boards: new Map([[1, [[70, 115]]]]) }]);
});
