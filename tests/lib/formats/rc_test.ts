import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expandRcValue, parseRc, quoteRcValue, type RcEntry, stringifyRc } from "../../../lib/formats/rc.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

Deno.test({
  name: "parseRc() reads the sample lmtoy_*.rc files and stringifyRc() writes them back byte for byte",
  ignore: needsSamples(),
  fn() {
    for (const obs of [91001, 91003]) {
      const text = readFileSync(sample(`rsr/${obs}/lmtoy_${obs}.rc`), "utf8");
      const rc = parseRc(text, `lmtoy_${obs}.rc`);
      equal(stringifyRc(rc), text);
      equal(rc.values.get("obsnum"), String(obs));
      equal(rc.values.get("obspgm"), "Bs");
      equal(rc.values.get("instrument"), "RSR");
      equal(rc.values.get("bsbeam"), "0,1");
      equal(rc.values.get("date_obs")?.length, 19);
      equal(
        rc.values.get("rawnc")?.startsWith("$DATA_LMT/RedshiftChassis0/RedshiftChassis0_2024-11-02_0"),
        true,
      );
    }
    const rc = parseRc(readFileSync(sample("rsr/91001/lmtoy_91001.rc"), "utf8"));
    equal(rc.values.get("inttime"), "300");
    equal(rc.values.get("date_obs"), "2024-11-02T05:29:59");
    equal(rc.values.get("ra"), "201.370000");
    equal(rc.values.get("src"), "SAMPLE-QSO");
    const inttime = rc.items.find((i) => i.type === "entry" && i.entry.key === "inttime");
    deepEqual(inttime?.type === "entry" ? inttime.entry : null, {
      key: "inttime",
      value: "300",
      comment: "sec",
    });
  },
});

Deno.test("parseRc() handles bash quoting without executing anything", () => {
  const rc = parseRc(
    [
      "# c",
      "a='single $HOME quoted'",
      'b="double \\"q\\" \\$x \\\\ y"',
      "c=bare\\ word",
      "export d=1",
      'e=pre"mid dle"post',
      "f=",
      "a=again  # later value wins",
      "",
    ].join("\n"),
  );
  deepEqual([...rc.values], [
    ["a", "again"],
    ["b", 'double "q" $x \\ y'],
    ["c", "bare word"],
    ["d", "1"],
    ["e", "premid dlepost"],
    ["f", ""],
  ]);
});

Deno.test("parseRc() errors name file and line", () => {
  const cases: [string, RegExp][] = [
    ["a=1\nsrc=two words\n", /^x\.rc:2: unexpected text "words" after the value of src/],
    ["a=$(rm -rf /)\n", /^x\.rc:1: command substitution is not allowed/],
    ['a="`id`"\n', /^x\.rc:1: command substitution is not allowed/],
    ["a=1; rm x\n", /^x\.rc:1: unexpected ";"/],
    ["echo hi\n", /^x\.rc:1: expected KEY=VALUE but got "echo hi"/],
    ["a='open\n", /^x\.rc:1: unterminated single quote/],
    ['\n\na="open\n', /^x\.rc:3: unterminated double quote/],
    ["1a=3\n", /^x\.rc:1: expected KEY=VALUE/],
  ];
  for (const [t, re] of cases) {
    throws(() => parseRc(t, "x.rc"), (e: unknown) => e instanceof FormatError && re.test(e.message), t);
  }
});

Deno.test("stringifyRc() quotes values so that bash `source` gives them back", async () => {
  const entries: RcEntry[] = [
    { key: "obsnum", value: "91001" },
    { key: "bsbeam", value: "0,1" },
    { key: "src", value: "SAMPLE QSO" },
    { key: "weird", value: `a"b\\c\`d$(id)$ e'f` },
    { key: "rawnc", value: "$DATA_LMT/RedshiftChassis0/x.nc" },
    { key: "empty", value: "" },
    { key: "inttime", value: "300", comment: "sec" },
  ];
  const text = stringifyRc({ entries });
  equal(text.split("\n")[0], "obsnum=91001");
  equal(text.split("\n")[6], "inttime=300 # sec");
  equal(quoteRcValue("a$(rm -rf x)"), '"a\\$(rm -rf x)"');
  // our own parser reads the same values back
  const back = parseRc(text);
  for (const e of entries) equal(back.values.get(e.key), e.value, e.key);
  // and bash agrees (with $DATA_LMT expanded)
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, "t.rc");
    writeFileSync(f, text);
    const keys = entries.map((e) => e.key);
    const script = `source "${f}"; for k in ${keys.join(" ")}; do printf '%s\\0' "\${!k}"; done`;
    const o = await new Deno.Command("bash", {
      args: ["-c", script],
      env: { DATA_LMT: "/data" },
      stdout: "piped",
    }).output();
    equal(o.code, 0);
    const got = new TextDecoder().decode(o.stdout).split("\0").slice(0, -1);
    deepEqual(got, entries.map((e) => expandRcValue(e.value, { DATA_LMT: "/data" })));
  } finally {
    cleanup();
  }
  throws(() => stringifyRc({ entries: [{ key: "bad-key", value: "1" }] }), /Invalid rc key/);
  throws(() => stringifyRc({ entries: [{ key: "k", value: "a\nb" }] }), /line breaks/);
});

Deno.test("expandRcValue() expands only $NAME and ${NAME}", () => {
  equal(expandRcValue("$A/${B}/$C-$(x)", { A: "1", B: "2" }), "1/2/-$(x)");
});
