import { equal, throws } from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFileSync } from "node:fs";
import { formatExp, formatFixed, formatGeneral, pyStr, sprintf } from "../../../lib/formats/printf.ts";
import { needsSamples, sample } from "../../_helpers.ts";

const PY = "/usr/bin/python3";
const hasPython = existsSync(PY);

/** Deterministic doubles covering ties, tiny, huge, subnormal and ordinary values. */
function testValues(): number[] {
  const v = [
    0,
    -0,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.125,
    0.375,
    1e-5,
    1e-4,
    9.5e-5,
    123456789.123,
    1e16,
    1e15,
    9.999999999999999e15,
    1e22,
    5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    0.1,
    0.2,
    0.3,
    71.71953125,
    93.38046875,
    -8.75,
    22.6,
    11.95,
    0.05,
    0.15,
    0.25,
    0.35,
    1 / 3,
    2 / 3,
    299.99592891973515,
    1e-310,
    9.9999,
    99999.5,
    999999.5,
    0.00001234,
    123.456e10,
    1e100,
    1e-100,
    0.999999999,
    9.5,
    10.5,
    0.0625,
    1234.5,
    255,
    91001,
  ];
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 150; i++) {
    const e = Math.floor(rnd() * 40) - 20;
    v.push((rnd() - 0.5) * 10 ** e);
  }
  return v;
}

const FORMATS = [
  "%d",
  "%5d",
  "%-5d|",
  "%05d",
  "%+d",
  "% d",
  "%.3d",
  "%.18e",
  "%e",
  "%.0e",
  "%#.0e",
  "%E",
  "%f",
  "%.0f",
  "%#.0f",
  "%.1f",
  "%6.1f",
  "%.3f",
  "%.8f",
  "%g",
  "%.3g",
  "%#g",
  "%.0g",
  "%G",
  "%10.4g",
  "%-12.3e|",
  "%+.2f",
  "% .2f",
  "%012.4f",
  "%.17g",
  "%.20f",
  "%x",
  "%#o",
];

Deno.test({
  name: "sprintf() agrees with Python's % operator on a table of values and formats",
  ignore: !hasPython,
  fn() {
    const vals = testValues();
    const cases: { f: string; v: number }[] = [];
    for (const f of FORMATS) {
      for (const v of vals) {
        if (/[dxo]/.test(f) && (Math.abs(v) > 1e15)) continue;
        cases.push({ f, v });
      }
    }
    const script = `
import json, sys
cases = json.load(sys.stdin)
out = []
for c in cases:
    f, v = c["f"], c["v"]
    if v is None: v = float("-0.0")
    out.append(f % (int(v) if any(ch in f for ch in "dxo") else v))
    out.append(repr(float(v)))
print(json.dumps(out))
`;
    const input = JSON.stringify(cases.map((c) => ({ f: c.f, v: Object.is(c.v, -0) ? null : c.v })));
    const p = new Deno.Command(PY, { args: ["-c", script], stdin: "piped", stdout: "piped", stderr: "piped" })
      .spawn();
    const w = p.stdin.getWriter();
    w.write(new TextEncoder().encode(input));
    w.close();
    return p.output().then((o) => {
      equal(o.code, 0, new TextDecoder().decode(o.stderr));
      const expected = JSON.parse(new TextDecoder().decode(o.stdout)) as string[];
      let bad = 0;
      const msgs: string[] = [];
      cases.forEach((c, i) => {
        const got = sprintf(c.f, /[dxo]/.test(c.f) ? Math.trunc(c.v) : c.v);
        if (got !== expected[2 * i]) {
          bad++;
          if (msgs.length < 10) msgs.push(`${c.f} % ${c.v}: got ${got}, python ${expected[2 * i]}`);
        }
        const r = pyStr(c.v);
        if (r !== expected[2 * i + 1]) {
          bad++;
          if (msgs.length < 10) msgs.push(`repr(${c.v}): got ${r}, python ${expected[2 * i + 1]}`);
        }
      });
      equal(bad, 0, msgs.join("\n"));
      equal(cases.length > 5000, true);
    });
  },
});

Deno.test("sprintf() literal cases (C/Python semantics)", () => {
  equal(
    sprintf("%2d %2d %3d %6d %6.1f    # max", 1, 0, 101, 91001, 11.93),
    " 1  0 101  91001   11.9    # max",
  );
  equal(sprintf("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, 3.5), "0 2 2 4"); // half-even on exact ties
  equal(sprintf("%.2f", 0.125), "0.12");
  equal(sprintf("%.2f", 0.375), "0.38");
  equal(sprintf("%.1f", 0.25), "0.2");
  equal(sprintf("%.1f", 0.35), "0.3"); // 0.35 is 0.34999999999999997779...
  equal(sprintf("%g", 0.0001), "0.0001");
  equal(sprintf("%g", 0.00001), "1e-05");
  equal(sprintf("%g", 1e6), "1e+06");
  equal(sprintf("%g", 123456), "123456");
  equal(sprintf("%g %g", 3, 256), "3 256");
  equal(sprintf("%6.1f|%e|%g", NaN, Infinity, -Infinity), "   nan|inf|-inf");
  equal(sprintf("%05.1f", -Infinity), " -inf");
  equal(sprintf("%-8s|%8s|", "ab", "cd"), "ab      |      cd|");
  equal(sprintf("%s %s %s", 3, 0.1, "x"), "3 0.1 x");
  equal(sprintf("%%d %c", "A"), "%d A");
  equal(sprintf("%*d|%-*d|", 4, 7, 3, 1), "   7|1  |");
  equal(sprintf("%.3s", "abcdef"), "abc");
  equal(sprintf("%ld %lf", 5, 0.5), "5 0.500000");
  equal(sprintf("%f", 1e22), "10000000000000000000000.000000");
  equal(sprintf("%.3f", 1e-20), "0.000");
  equal(sprintf("%.0f", 0.5000000000000001), "1");
  equal(sprintf("%.1e", 9.96), "1.0e+01");
  equal(sprintf("%.2e", 5e-324), "4.94e-324");
  equal(sprintf("%d", -3.9), "-3");
});

Deno.test("sprintf() rejects bad format strings and argument counts", () => {
  throws(() => sprintf("%d %d", 1), /Not enough arguments/);
  throws(() => sprintf("%d", 1, 2), /Not all arguments converted/);
  throws(() => sprintf("%y", 1), /Invalid conversion/);
  throws(() => sprintf("%d", "x"), /a number is required/);
  throws(() => sprintf("%d", NaN), /not a finite number/);
});

Deno.test("formatExp/formatFixed/formatGeneral/pyStr give Python's text", () => {
  equal(formatExp(71.71953125000000284, 18), "7.171953125000000284e+01");
  equal(formatExp(0, 18), "0.000000000000000000e+00");
  equal(formatExp(-0.5, 2), "-5.00e-01");
  equal(formatExp(NaN, 18), "nan");
  equal(formatFixed(2.5, 0), "2");
  equal(formatFixed(-0.0001, 2), "-0.00");
  equal(formatGeneral(0.236323111), "0.236323");
  equal(pyStr(599.9919314340731), "599.9919314340731");
  equal(pyStr(0.01), "0.01");
  equal(pyStr(3), "3.0");
  equal(pyStr(1e16), "1e+16");
  equal(pyStr(1e15), "1000000000000000.0");
  equal(pyStr(1.5e-7), "1.5e-07");
  equal(pyStr(-Infinity), "-inf");
  equal(pyStr(-0), "-0.0");
});

Deno.test({
  name: "formatExp(x, 18) reproduces every number of the sample driver spectra byte for byte",
  ignore: needsSamples(),
  fn() {
    let n = 0;
    for (
      const f of [
        "rsr/91001/rsr.91001.driver.sum.txt",
        "rsr/91001_91003/rsr.91001_91003.driver.sum_bandspec.txt",
      ]
    ) {
      for (const line of readFileSync(sample(f), "utf8").split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        for (const tok of line.split(" ")) {
          const x = tok === "nan" ? NaN : Number(tok);
          equal(formatExp(x, 18), tok, `${f}: ${tok}`);
          n++;
        }
      }
    }
    equal(n, 1297 * 3 + 256 * 12);
  },
});
