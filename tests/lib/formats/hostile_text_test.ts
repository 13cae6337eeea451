/**
 * Hostile text inputs (issue 13, item 6): every text parser bounds what it builds, and every bad
 * input is one FormatError naming the file and line, never a hang, a stack overflow or a silent
 * misreading.
 */
import { deepEqual, equal } from "node:assert/strict";
import { parseBadlags } from "../../../lib/formats/badlags.ts";
import { MAX_NESTING, parseBlanking } from "../../../lib/formats/blanking.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { isObsnum, MAX_OBSNUM, MAX_OBSNUMS, parseObsnumList } from "../../../lib/formats/obsnum.ts";
import { parseRfile } from "../../../lib/formats/rfile.ts";

/** Assert `fn` throws a FormatError whose message matches `re` (and return it). */
function formatError(fn: () => unknown, re: RegExp): FormatError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof FormatError)) throw new Error(`expected a FormatError, got ${String(err)}`);
  if (!re.test(err.message)) throw new Error(`message "${err.message}" does not match ${re}`);
  equal(err.message.includes("\n"), false, "one line");
  return err;
}

Deno.test("parseObsnumList() caps the obsnums of the whole list, not per range", async (t) => {
  await t.step("1-1000000 repeated 50 times is an error at the second range", () => {
    const text = Array(50).fill("1-1000000").join(",");
    const e = formatError(
      () => parseObsnumList(text, "rsr.obsnum"),
      /too long \(more than 1000000 obsnums in total\)/,
    );
    equal(e.file, "rsr.obsnum");
    equal(e.line, 1);
  });
  await t.step("the cap counts single obsnums and ranges together", () => {
    equal(parseObsnumList(`1-${MAX_OBSNUMS}`).length, MAX_OBSNUMS);
    formatError(() => parseObsnumList(`1-${MAX_OBSNUMS - 1}\n5\n6`), /in total/);
    formatError(() => parseObsnumList(`7\n1-${MAX_OBSNUMS}`), /in total/);
    equal(parseObsnumList(`1-${MAX_OBSNUMS - 1}\n5`).length, MAX_OBSNUMS);
  });
  await t.step("obsnums outside 1..2^31-1 are rejected", () => {
    equal(MAX_OBSNUM, 2 ** 31 - 1);
    deepEqual(parseObsnumList(String(MAX_OBSNUM)), [MAX_OBSNUM]);
    formatError(() => parseObsnumList("99999999999999999999"), /invalid obsnum "99999999999999999999"/);
    formatError(() => parseObsnumList(String(MAX_OBSNUM + 1)), /1\.\.2147483647/);
    equal(isObsnum(0), false);
    equal(isObsnum(1.5), false);
  });
  await t.step("CR-only line ends separate items and end comments", () => {
    deepEqual(parseObsnumList("91001 # first\r91003\r91005-91006"), [91001, 91003, 91005, 91006]);
  });
});

Deno.test("parseBlanking() bounds nesting and obsnum counts with one-line errors", async (t) => {
  await t.step("deeply nested dicts: a FormatError, not a stack overflow", () => {
    const deep = "{1: ".repeat(100_000) + "[(1,2)]" + "}".repeat(100_000);
    const e = formatError(
      () => parseBlanking(`91001\n91001 3 ${deep}\n`, "x.blanking"),
      new RegExp(`nested more than ${MAX_NESTING} deep`),
    );
    equal(e.line, 2);
    equal(e.message.length < 400, true, "the message quotes a bounded part of the line");
  });
  await t.step("deeply nested windows lists too", () => {
    formatError(() => parseBlanking("windows[0] = " + "[".repeat(50_000)), /nested more than/);
  });
  await t.step("the grammar's own nesting (dict, list, pair) still parses", () => {
    const b = parseBlanking("91001\n91001 3 {2: [(70,120), (80., 90.)]} {4: [(95., 111.)]}\n");
    deepEqual(b.blanks[0]!.boards!.get(2), [[70, 120], [80, 90]]);
  });
  await t.step("obsnum lines of a file are capped in total", () => {
    const text = Array(3).fill(`1-${MAX_OBSNUMS / 2}`).join("\n");
    const e = formatError(() => parseBlanking(text, "x.blanking"), /more than 1000000 in total/);
    equal(e.line, 3);
  });
  await t.step("an exclusive blank range is bounded as well", () => {
    formatError(
      () => parseBlanking("1-99999999999 3\n", "x.blanking", { exclusiveBlankRanges: true }),
      /invalid obsnum range/,
    );
  });
  await t.step("CR-only line ends", () => {
    const b = parseBlanking("# header\r91001\rwindows[1] = [(80., 85.)]\r91001 3 {2: [(70,120)]}\r");
    deepEqual(b.obsnums, [91001]);
    deepEqual(b.windows[1], [[80, 85]]);
    equal(b.blanks.length, 1);
  });
});

Deno.test("parseBadlags() reads CR-only files and rejects an empty one", async (t) => {
  await t.step("CR-only line ends: every lag after the header is read", () => {
    const crlf = "# badlags.py header\n 0  1  17  91001  11.9    # max\n 3  5  93  91001  12.0    # min\n" +
      "#BADCB 91001 3 2 0.236323 badlags\n";
    const lf = parseBadlags(crlf, "a.badlags");
    const cr = parseBadlags(crlf.replace(/\n/g, "\r"), "a.badlags");
    equal(cr.lags.length, 2);
    deepEqual(cr.lags, lf.lags);
    deepEqual(cr.badcb, lf.badcb);
  });
  await t.step("a 0-byte file (e.g. a failed producer on stdin) is an error", () => {
    const e = formatError(() => parseBadlags("", "<stdin>"), /^<stdin>:0: empty file: .*header line/);
    equal(e.file, "<stdin>");
  });
  await t.step("a header line alone is a valid file without bad lags", () => {
    equal(parseBadlags("# badlags2.py\n").lags.length, 0);
  });
  await t.step("a BADCB obsnum outside 1..2^31-1 is rejected", () => {
    formatError(() => parseBadlags("#BADCB 99999999999999999999 3 2\n", "b"), /b:1: invalid obsnum/);
  });
});

Deno.test("parseRfile() rejects obsnums outside 1..2^31-1", () => {
  formatError(
    () => parseRfile("99999999999999999999,1,2\n", "r.rfile"),
    /r\.rfile:1: invalid obsnum "9{20}"/,
  );
  formatError(
    () => parseRfile("# x\n1-99999999999999999999,1,2\n", "r.rfile"),
    /r\.rfile:2: invalid obsnum range/,
  );
  equal(parseRfile(`${MAX_OBSNUM},1,2\n`).entries[0]!.obsnum, MAX_OBSNUM);
  deepEqual(parseRfile("91001,0,1\r-1,3,2\r").entries.map((e) => e.obsnum), [91001, -1]);
});

Deno.test("FormatError names stdin <stdin> whether the caller passed - or <stdin>", () => {
  const a = formatError(() => parseBadlags("", "-"), /^<stdin>:0: empty file/);
  const b = formatError(() => parseBadlags("", "<stdin>"), /^<stdin>:0: empty file/);
  equal(a.message, b.message);
  equal(a.file, "<stdin>");
  formatError(() => parseRfile("x,1,2\n", "-"), /^<stdin>:1: invalid obsnum "x"/);
});
