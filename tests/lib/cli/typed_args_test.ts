// defineTool types `run`'s options from the option table (lib/cli/args.ts `Args`). The type assertions
// below are checked when `deno test` type-checks this file: a wrong inferred type, or a misspelled option
// name that compiles (the `@ts-expect-error` lines become unused), fails the test run. The runtime part
// checks that the values have the types claimed.
import assert from "node:assert/strict";
import { type Args, defineTool, type OptionSpec } from "../../../lib/cli/mod.ts";

/** `true` when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Compiles only when its argument type is `true`. */
function expectType<T extends true>(_ok?: T): void {}

let seen: unknown;

const tool = defineTool({
  name: "typed_tool",
  summary: "typed options",
  usage: "typed_tool [options] IN [MORE...]",
  options: [
    { name: "bank", short: "b", type: "int", default: 0, help: "bank" },
    { name: "tsys", type: "float", help: "no default" },
    { name: "fast", type: "boolean", help: "a flag" },
    { name: "verbose", short: "v", type: "count", help: "more" },
    { name: "x_axis", type: "string", default: "VLSR", choices: ["VLSR", "FSKY"], help: "axis" },
    { name: "pix_list", type: "intlist", default: "0,1", help: "pixels" },
    { name: "exclude", type: "float", nargs: "+", help: "pairs" },
    { name: "label", type: "string", repeat: true, help: "labels" },
    { name: "line", type: "string", parse: (raw: string) => raw.split(",").map(Number), help: "parsed" },
    { name: "path", type: "string", env: "DATA_LMT", help: "env, no default" },
    { name: "out", short: "o", type: "string", required: true, help: "required" },
    { name: "no-baseline-sub", type: "boolean", help: "dashed name" },
  ],
  positionals: [
    { name: "input", help: "input", required: true },
    { name: "block", help: "block", type: "int", default: -1 },
    { name: "more", help: "more", variadic: true },
  ],
  run: (opts) => {
    expectType<Equal<typeof opts.bank, number>>();
    expectType<Equal<typeof opts.tsys, number | undefined>>();
    expectType<Equal<typeof opts.fast, boolean>>();
    expectType<Equal<typeof opts.verbose, number>>();
    expectType<Equal<typeof opts.x_axis, "VLSR" | "FSKY">>();
    expectType<Equal<typeof opts.pix_list, number[]>>();
    expectType<Equal<typeof opts.exclude, number[] | undefined>>();
    expectType<Equal<typeof opts.label, string[] | undefined>>();
    expectType<Equal<typeof opts.line, number[] | undefined>>();
    expectType<Equal<typeof opts.path, string | undefined>>();
    expectType<Equal<typeof opts.out, string>>();
    expectType<Equal<typeof opts["no-baseline-sub"], boolean>>();
    expectType<Equal<typeof opts.input, string>>();
    expectType<Equal<typeof opts.block, number>>();
    expectType<Equal<typeof opts.more, string[]>>();
    // @ts-expect-error a misspelled option name does not compile
    void opts.bnak;
    // @ts-expect-error nor does a name that is a positional's of another tool
    void opts.b_regoins;
    const _assign = () => {
      // @ts-expect-error the values are read-only (a closure never called: this is a compile-time check)
      opts.bank = 1;
    };
    seen = opts;
    return 0;
  },
});

Deno.test("defineTool: run receives values of the types its option table declares", async () => {
  const code = await tool.main(
    [
      "-o",
      "x.txt",
      "-b",
      "2",
      "-vv",
      "--exclude",
      "1",
      "2.5",
      "--label",
      "a",
      "--label",
      "b",
      "--line",
      "3,4",
      "IN",
      "7",
      "m1",
      "m2",
    ],
    {},
  );
  assert.equal(code, 0);
  assert.deepEqual(seen, {
    bank: 2,
    fast: false,
    verbose: 2,
    x_axis: "VLSR",
    pix_list: [0, 1],
    exclude: [1, 2.5],
    label: ["a", "b"],
    line: [3, 4],
    out: "x.txt",
    "no-baseline-sub": false,
    input: "IN",
    block: 7,
    more: ["m1", "m2"],
  });
});

Deno.test("Args: a table declared `as const` is typed as when written inline; a wide OptionSpec[] is not", () => {
  const OPTS = [
    { name: "bank", type: "int", default: 0, help: "bank" },
    { name: "x_axis", type: "string", choices: ["VLSR", "FSKY"], help: "axis" },
  ] as const satisfies readonly OptionSpec[];
  type A = Args<typeof OPTS>;
  expectType<Equal<A, { readonly bank: number; readonly x_axis: "VLSR" | "FSKY" | undefined }>>();
  // @ts-expect-error misspelled
  type _B = A["bnak"];
  const wide: OptionSpec[] = [...OPTS];
  expectType<Equal<Args<typeof wide>, Record<string, unknown>>>();
  assert.equal(wide.length, 2);
});

Deno.test("defineTool refuses an option table typed only as OptionSpec[] (its run would get untyped values)", async () => {
  const wide: OptionSpec[] = [{ name: "bank", type: "int", default: 0, help: "bank" }];
  const untyped = defineTool({
    name: "untyped_tool",
    summary: "untyped",
    usage: "untyped_tool",
    // @ts-expect-error the table must be inline or `as const`
    options: wide,
    run: () => 0,
  });
  // the runtime is unchanged: the check is the compiler's
  assert.equal(await untyped.main(["--bank", "1"], {}), 0);
});
