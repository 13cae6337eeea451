import { assertEquals, assertMatch, assertThrows } from "./_assert.ts";
import {
  didYouMean,
  editDistance,
  formatHelp,
  numberTuple,
  type OptionSpec,
  parseArgs,
} from "../../../lib/cli/args.ts";
import { UsageError } from "../../../lib/cli/errors.ts";

const OPTS: OptionSpec[] = [
  { name: "pix_list", type: "intlist", default: [0, 1], help: "pixels" },
  { name: "threshold", short: "t", type: "float", default: 0.01, help: "sigma threshold" },
  { name: "order", short: "b", type: "int", default: 1, min: 0, max: 3, help: "baseline order" },
  { name: "plot", short: "p", type: "boolean", help: "plots" },
  { name: "debug", short: "d", type: "boolean", help: "debug" },
  { name: "exclude", type: "float", nargs: "+", help: "pairs" },
  { name: "simulate", type: "float", nargs: 3, help: "A F W" },
  { name: "block", type: "int", default: -1, help: "block" },
  { name: "o1", short: "1", type: "int", default: 1, help: "order 1" },
  { name: "l_regions", type: "string", aliases: ["l_region"], help: "line regions" },
  { name: "path", type: "string", env: "DATA_LMT", help: "root" },
  { name: "stype", type: "int", default: 2, choices: [0, 1, 2, 3], help: "stype" },
  { name: "regions", type: "string", parse: (s) => JSON.parse(s), help: "json" },
];

Deno.test("parseArgs() applies defaults and env defaults", () => {
  const r = parseArgs([], OPTS, [], { DATA_LMT: "/data" });
  assertEquals(r.values.pix_list, [0, 1]);
  assertEquals(r.values.threshold, 0.01);
  assertEquals(r.values.plot, false);
  assertEquals(r.values.path, "/data");
  assertEquals(r.values.exclude, undefined);
});

Deno.test("parseArgs() handles the forms users type", async (t) => {
  await t.step("long with space and =", () => {
    const r = parseArgs(["--threshold", "0.5", "--order=2"], OPTS, []);
    assertEquals([r.values.threshold, r.values.order], [0.5, 2]);
  });
  await t.step("short attached and clustered booleans", () => {
    const r = parseArgs(["-t0.2", "-pd", "-b", "3"], OPTS, []);
    assertEquals([r.values.threshold, r.values.plot, r.values.debug, r.values.order], [0.2, true, true, 3]);
  });
  await t.step("negative values", () => {
    const r = parseArgs(["--block", "-2", "-t", "-1e-3"], OPTS, []);
    assertEquals([r.values.block, r.values.threshold], [-2, -0.001]);
  });
  await t.step("digit short option", () => {
    assertEquals(parseArgs(["-1", "0"], OPTS, []).values.o1, 0);
  });
  await t.step("nargs + and fixed", () => {
    const r = parseArgs(
      ["--exclude", "94.3", "0.6", "106.4", "0.4", "--simulate", "0.1", "95", "300", "x"],
      OPTS,
      [
        { name: "obs", help: "" },
      ],
    );
    assertEquals(r.values.exclude, [94.3, 0.6, 106.4, 0.4]);
    assertEquals(r.values.simulate, [0.1, 95, 300]);
    assertEquals(r.values.obs, "x");
  });
  await t.step("unique prefix and alias", () => {
    const r = parseArgs(["--thr", "1", "--l_region", "[[1,2]]"], OPTS, []);
    assertEquals([r.values.threshold, r.values.l_regions], [1, "[[1,2]]"]);
  });
  await t.step("list with brackets, '-' positional, -- ends options", () => {
    const r = parseArgs(["--pix_list", "[3,4, 5]", "-", "--", "-x"], OPTS, [{
      name: "a",
      help: "",
      variadic: true,
    }]);
    assertEquals(r.values.pix_list, [3, 4, 5]);
    assertEquals(r.values.a, ["-", "-x"]);
  });
});

Deno.test("parseArgs() rejects bad command lines with UsageError", async (t) => {
  const bad = (argv: string[], re: RegExp) => {
    const e = assertThrows(() =>
      parseArgs(argv, OPTS, [{ name: "obsnum", help: "", required: true, type: "int" }])
    );
    if (!(e instanceof UsageError)) throw new Error(`expected UsageError, got ${e}`);
    assertMatch(e.message, re);
  };
  await t.step(
    "unknown with did you mean",
    () => bad(["--pix-list", "1", "5"], /unknown option --pix-list \(did you mean --pix_list\?\)/),
  );
  await t.step(
    "malformed list names the option and element",
    () => bad(["--pix_list", "0,1,x", "5"], /--pix_list: element 3 'x'/),
  );
  await t.step("non-number", () => bad(["-t", "abc", "5"], /--threshold: expected a number, got 'abc'/));
  await t.step("range", () => bad(["-b", "7", "5"], /--order: 7 is above the maximum 3/));
  await t.step("choice", () => bad(["--stype", "5", "5"], /'5' is not one of 0, 1, 2, 3/));
  await t.step("missing value", () => bad(["5", "--threshold"], /needs a value/));
  await t.step("missing positional", () => bad([], /missing argument OBSNUM/));
  await t.step("bad int positional", () => bad(["12a"], /argument OBSNUM: expected an integer/));
  await t.step("extra positional", () => bad(["5", "6"], /unexpected argument '6'/));
  await t.step(
    "custom parse failure",
    () => bad(["--regions", "[1,", "5"], /option --regions: .*got '\[1,'/),
  );
  await t.step("nargs count", () => bad(["--simulate", "1", "2"], /needs 3 values, got 2/));
});

Deno.test("parseArgs() converts defaults written as command-line text", () => {
  const opts: OptionSpec[] = [
    {
      name: "baseline",
      type: "string",
      default: "0.15,-0.3",
      parse: (s) => s.split(",").map(Number),
      help: "",
    },
    { name: "pix", type: "intlist", default: "1,2", help: "" },
    { name: "name", type: "string", default: "x", help: "" },
  ];
  const r = parseArgs([], opts, []);
  assertEquals(r.values.baseline, [0.15, -0.3]);
  assertEquals(r.values.pix, [1, 2]);
  assertEquals(r.values.name, "x");
});

Deno.test("didYouMean() and editDistance()", () => {
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(didYouMean("spkie", ["spike", "bc_hi"]), "spike");
  assertEquals(didYouMean("zzzzzz", ["spike", "bc_hi"]), undefined);
});

Deno.test("formatHelp() lists every option with its default", () => {
  const text = formatHelp({ name: "x", summary: "test", usage: "x [options]", options: OPTS });
  for (const o of OPTS) assertMatch(text, new RegExp(`--${o.name}`));
  assertMatch(text, /sigma threshold \[default: 0\.01\]/);
  assertMatch(text, /\[default: \$DATA_LMT\]/);
  assertMatch(text, /pixels \[default: 0,1\]/);
  // a default decided at run time is described, not shown as "none"
  const t2 = formatHelp({
    name: "x",
    summary: "test",
    usage: "x",
    options: [
      { name: "threads", type: "int", defaultHelp: "one per core", help: "threads" },
      { name: "plain", type: "int", help: "no default" },
    ],
  });
  assertMatch(t2, /threads \[default: one per core\]/);
  assertMatch(t2, /no default \[default: none\]/);
});

Deno.test("numberTuple() parses exactly n comma-separated numbers and names the form otherwise", () => {
  const opts: OptionSpec[] = [{
    name: "line",
    type: "string",
    parse: numberTuple(3, "--line F,PEAK,FWHM"),
    help: "",
  }];
  assertEquals(parseArgs(["--line", "94.3, 0.045,320"], opts, []).values.line, [94.3, 0.045, 320]);
  for (const bad of ["94.3,0.045", "94.3,x,320", "1,2,3,4"]) {
    const e = assertThrows(() => parseArgs(["--line", bad], opts, []));
    assertMatch(String(e), /option --line: --line F,PEAK,FWHM needs 3 comma-separated numbers/);
  }
});
