import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  badlags2Text,
  badLagSets,
  type BadlagsItem,
  badlagsReport,
  formatBadcbLine,
  formatMinMaxLine,
  formatSpikeLine,
  parseBadlags,
  stringifyBadlags,
} from "../../../lib/formats/badlags.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample } from "../../_helpers.ts";

const SAMPLE_FILES = [
  "rsr/91001/rsr.91001.badlags",
  "rsr/91003/rsr.91003.badlags",
  "rsr/91001_91003/rsr.91001_91003.badlags",
  "rsr/91001_91003_xlines/rsr.91001_91003.badlags",
];

Deno.test({
  name: "parseBadlags() reads the sample files and stringifyBadlags() writes them back byte for byte",
  ignore: needsSamples(),
  fn() {
    for (const f of SAMPLE_FILES) {
      const text = readFileSync(sample(f), "utf8");
      const m = parseBadlags(text, f);
      equal(stringifyBadlags(m), text, f);
      // the same with every lag/BADCB/commented-lag line re-formatted from its fields
      const items = m.items.map((it): BadlagsItem => {
        if (it.type === "lag") return { type: "lag", lag: it.lag };
        if (it.type === "badcb") return { type: "badcb", badcb: it.badcb };
        if (it.type === "comment" && it.lag !== undefined) {
          const l = it.lag;
          return {
            type: "comment",
            text: formatSpikeLine(
              l.chassis,
              l.board,
              l.lag,
              l.obsnum!,
              l.metric!,
              l.ratio!,
              l.kind === "spike edge",
              true,
            ),
            lag: l,
          };
        }
        return it;
      });
      equal(stringifyBadlags({ items }), text, `${f} (re-formatted)`);
    }
  },
});

Deno.test({
  name: "parseBadlags() gives the lags, commented spikes and BADCB of rsr.91001.badlags",
  ignore: needsSamples(),
  fn() {
    const m = parseBadlags(readFileSync(sample("rsr/91001/rsr.91001.badlags"), "utf8"));
    deepEqual(m.lags.map((l) => [l.chassis, l.board, l.lag, l.obsnum, l.metric, l.kind]), [
      [0, 4, 222, 91001, 1.3, "spike"],
      [1, 0, 101, 91001, 11.9, "max"],
      [2, 2, 45, 91001, 14.7, "max"],
      [3, 3, 160, 91001, 5.2, "max"],
    ]);
    equal(m.lags[0]!.ratio, 22.6);
    deepEqual(m.commented.map((l) => [l.chassis, l.board, l.lag, l.ratio]), [[0, 3, 15, 3.3], [
      3,
      2,
      28,
      3.7,
    ]]);
    deepEqual(m.badcb, [{ obsnum: 91001, chassis: 3, board: 2, metric: 0.236323, tag: "badlags" }]);
    const sets = badLagSets(m);
    deepEqual([...sets.keys()].sort(), ["0/4", "1/0", "2/2", "3/3"]);
    deepEqual([...sets.get("3/3")!], [160]);
    equal(sets.has("0/3"), false); // commented spike not applied
  },
});

Deno.test({
  name: "badlagsReport() reproduces rsr.91001.badlags from its values (only line 1's program name is ours)",
  ignore: needsSamples(),
  fn() {
    const text = readFileSync(sample("rsr/91001/rsr.91001.badlags"), "utf8");
    const out = badlagsReport({
      program: "$LMTOY/bin/badlags.py",
      bcLo: 0.01,
      bcHi: 2.5,
      shortHi: 2.5,
      shortMin: 256,
      spike: 3.0,
      minChan: 32,
      edge: true,
      lagLines: [
        formatSpikeLine(0, 3, 15, 91001, 0.2987, 3.2501, false, true),
        formatSpikeLine(0, 4, 222, 91001, 1.2654, 22.6123, false, false),
        formatMinMaxLine("max", 1, 0, 101, 91001, 11.94),
        formatMinMaxLine("max", 2, 2, 45, 91001, 14.749),
        formatSpikeLine(3, 2, 28, 91001, 1.71, 3.66, false, true),
        formatMinMaxLine("max", 3, 3, 160, 91001, 5.2),
      ],
      rmsMin: 0.01,
      rmsMax: 0.2,
      badcb: [{ obsnum: 91001, chassis: 3, board: 2, metric: 0.23632349 }],
      counts: { min: 0, max: 3, spike: 1 },
    });
    equal(out, text);
  },
});

Deno.test("line formatters follow badlags.py's % layouts", () => {
  equal(formatMinMaxLine("max", 0, 0, 40, 33551, 22.04), " 0  0  40  33551   22.0    # max");
  equal(formatMinMaxLine("min", 1, 5, 230, 33551, 0), " 1  5 230  33551    0.0    # min");
  equal(
    formatSpikeLine(2, 4, 117, 33551, 1.3, 3.4, false, false),
    " 2  4 117  33551    1.3    3.4   # spike",
  );
  equal(
    formatSpikeLine(3, 1, 255, 33551, 0.9, Infinity, true, true),
    "#  3  1 255  33551    0.9    inf   # spike edge",
  );
  equal(
    formatBadcbLine({ obsnum: 33551, chassis: 3, board: 5, metric: 0.253, tag: "badlags" }),
    "#BADCB 33551 3 5 0.253 badlags",
  );
  equal(formatBadcbLine({ obsnum: 12345, chassis: 1, board: 1, metric: 0 }), "#BADCB 12345 1 1 0");
});

Deno.test("parseBadlags() tolerates empty lines, reads badlags2 and rsr_tsys lines", () => {
  const text =
    "# c b ch obsnum metric\n\n0 0 10 12345 99.9\n   \n#BADCB 12345 1 1 0\n#BADCB 91003 0 5 136.45 Tsys\n#OKCB 91003 0 4 3.1 Tsys\n";
  const m = parseBadlags(text, "x.badlags");
  deepEqual(m.lags.map((l) => [l.chassis, l.board, l.lag, l.obsnum, l.metric, l.kind]), [[
    0,
    0,
    10,
    12345,
    99.9,
    undefined,
  ]]);
  deepEqual(m.badcb, [
    { obsnum: 12345, chassis: 1, board: 1, metric: 0 },
    { obsnum: 91003, chassis: 0, board: 5, metric: 136.45, tag: "Tsys" },
  ]);
  equal(m.items.filter((i) => i.type === "blank").length, 2);
  equal(stringifyBadlags(m), text);
});

Deno.test("parseBadlags() errors name file and line", () => {
  const cases: [string, RegExp][] = [
    ["# h\n4 0 10\n", /^f\.badlags:2: chassis 4 out of range 0\.\.3$/],
    [" 0 6 10\n", /^f\.badlags:1: board 6 out of range 0\.\.5$/],
    [" 0 0 256\n", /^f\.badlags:1: lag 256 out of range 0\.\.255$/],
    [" 0 0\n", /^f\.badlags:1: expected "CHASSIS BOARD LAG \.\.\." but got 2 field/],
    ["a b c\n", /^f\.badlags:1: invalid chassis "a"/],
    ["\n#BADCB 91001 3\n", /^f\.badlags:2: expected "#BADCB OBSNUM CHASSIS BOARD/],
    ["#BADCB 91001 3 9 0.2 badlags\n", /^f\.badlags:1: board 9 out of range/],
    ["#BADCB x 3 2\n", /^f\.badlags:1: invalid obsnum "x"/],
  ];
  for (const [t, re] of cases) {
    throws(
      () => parseBadlags(t, "f.badlags"),
      (e: unknown) => e instanceof FormatError && re.test(e.message),
      t,
    );
  }
});

Deno.test("badlags2Text() writes the documented example and validates arguments", () => {
  equal(
    badlags2Text(12345, ["0/0/10", "0/0/40", "2/4/110", "1/1", "3/5"]),
    "# c b ch obsnum metric\n#  hardcoded badlags2 for obsnum=12345\n0 0 10 12345 99.9\n0 0 40 12345 99.9\n" +
      "2 4 110 12345 99.9\n#BADCB 12345 1 1 0\n#BADCB 12345 3 5 0\n",
  );
  equal(badlags2Text(1, ["1/2/3,4"]).split("\n").slice(2, 4).join("|"), "1 2 3 1 99.9|1 2 4 1 99.9");
  throws(() => badlags2Text(1, ["1/10"]), /board must be an integer 0\.\.5/);
  throws(() => badlags2Text(1, ["1"]), /expected C\/B\/LAG/);
  throws(() => badlags2Text(1, ["0/0/300"]), /lag must be/);
  // badlags2 output parses back
  const m = parseBadlags(badlags2Text(7, ["0/1/5,6", "3/5"]));
  deepEqual([...badLagSets(m).get("0/1")!], [5, 6]);
  deepEqual(m.badcb.map((b) => [b.obsnum, b.chassis, b.board]), [[7, 3, 5]]);
});
