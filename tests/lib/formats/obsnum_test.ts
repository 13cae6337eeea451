import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { formatObsnumList, parseObsnumFile, parseObsnumList } from "../../../lib/formats/obsnum.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample } from "../../_helpers.ts";

Deno.test("parseObsnumList() accepts single, comma, range (inclusive), whitespace, comments", async (t) => {
  await t.step("single", () => deepEqual(parseObsnumList("123"), [123]));
  await t.step("comma", () => deepEqual(parseObsnumList("123,125"), [123, 125]));
  await t.step("range is inclusive", () => deepEqual(parseObsnumList("123-126"), [123, 124, 125, 126]));
  await t.step("one-element range", () => deepEqual(parseObsnumList("7-7"), [7]));
  await t.step("spaces around the dash", () => deepEqual(parseObsnumList("10 - 12"), [10, 11, 12]));
  await t.step("mixed separators and newlines", () => {
    deepEqual(parseObsnumList("1, 2\n3 4,\n\n 5-6 ,7"), [1, 2, 3, 4, 5, 6, 7]);
  });
  await t.step("comments: full-line and inline", () => {
    deepEqual(parseObsnumList("# header\n33551  # good\n  # indented\n33552 # 99999\n"), [33551, 33552]);
  });
  await t.step("order and duplicates kept", () => deepEqual(parseObsnumList("5,3,5"), [5, 3, 5]));
  await t.step("empty text", () => deepEqual(parseObsnumList(" \n# nothing\n"), []));
  await t.step("CRLF", () => deepEqual(parseObsnumList("1\r\n2\r\n"), [1, 2]));
});

Deno.test("parseObsnumList() errors name the source and line", () => {
  const bad: [string, RegExp][] = [
    ["1\n2\nabc\n", /^list\.txt:3: invalid obsnum "abc"/],
    ["1\n12-10", /^list\.txt:2: invalid obsnum range "12-10": 10 < 12/],
    ["5-", /^list\.txt:1: invalid obsnum range "5-"/],
    ["1-2-3", /^list\.txt:1: invalid obsnum range "1-2-3"/],
    ["0", /^list\.txt:1: invalid obsnum "0"/],
    ["1.5", /^list\.txt:1: invalid obsnum "1.5"/],
    ["1-99999999", /too long/],
  ];
  for (const [text, re] of bad) {
    throws(
      () => parseObsnumList(text, "list.txt"),
      (e: unknown) => e instanceof FormatError && re.test(e.message),
    );
  }
  const e = (() => {
    try {
      parseObsnumList("x", "f");
    } catch (e) {
      return e as FormatError;
    }
  })()!;
  equal(e.line, 1);
  equal(e.file, "f");
  equal(e instanceof SyntaxError, true);
});

Deno.test("parseObsnumFile() is tolerant but requires an obsnum", () => {
  deepEqual(parseObsnumFile("91001\n\n91003  # second\n", "rsr.obsnum"), [91001, 91003]);
  deepEqual(parseObsnumFile("100-102\n", "rsr.obsnum"), [100, 101, 102]);
  throws(
    () => parseObsnumFile("# only a comment\n", "rsr.obsnum"),
    /^FormatError: rsr\.obsnum:0: no obsnum found|rsr\.obsnum:0: no obsnum/,
  );
});

Deno.test({
  name: "parseObsnumFile() reads the sample rsr.obsnum files",
  ignore: needsSamples(),
  fn() {
    deepEqual(parseObsnumFile(readFileSync(sample("rsr/91001/rsr.obsnum"), "utf8")), [91001]);
    deepEqual(parseObsnumFile(readFileSync(sample("rsr/91001_91003/rsr.obsnum"), "utf8")), [91001, 91003]);
  },
});

Deno.test("formatObsnumList() compresses runs and round-trips", () => {
  equal(formatObsnumList([1, 2, 3, 5, 7, 8]), "1-3,5,7,8");
  equal(formatObsnumList([]), "");
  const xs = [91001, 91003, 51800, 51801, 51802, 51803, 4, 4];
  deepEqual(parseObsnumList(formatObsnumList(xs)), xs);
});
