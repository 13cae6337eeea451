import { equal, match, ok, throws } from "node:assert/strict";
import { checkKeyword, FitsHeader, formatFloat, quoteString } from "../../../lib/fits/header.ts";
import { parseCardValue } from "../../../lib/fits/reader.ts";

function card(h: FitsHeader, i = 0): string {
  const c = h.cards()[i]!;
  equal(c.length, 80);
  return c;
}

Deno.test("FitsHeader.set() writes integers, floats and logicals right-justified to column 30", () => {
  const h = new FitsHeader()
    .set("NAXIS1", 37, "length of data axis 1")
    .set("CRVAL1", 198, "deg")
    .set("CDELT3", -1195.196, "m/s")
    .set("SIMPLEX", true)
    .set("FLAG", false)
    .set("VELREF", 257)
    .set("SCALE", 3, undefined, { format: "float" });
  equal(card(h, 0).trimEnd(), "NAXIS1  =                   37 / length of data axis 1");
  equal(card(h, 1).trimEnd(), "CRVAL1  =                198.0 / deg");
  equal(card(h, 2).trimEnd(), "CDELT3  =            -1195.196 / m/s");
  equal(card(h, 3).trimEnd(), "SIMPLEX =                    T");
  equal(card(h, 4).trimEnd(), "FLAG    =                    F");
  equal(card(h, 5).slice(10, 30), "                 257");
  equal(card(h, 6).slice(10, 30).trim(), "3.0");
  for (const c of h.cards()) equal(c[29] !== " ", true, `value ends in column 30: ${c}`);
});

Deno.test("formatFloat() gives the shortest round-trip repr with a decimal point or exponent", async (t) => {
  await t.step("known cases", () => {
    equal(formatFloat(1e-5), "0.00001");
    equal(formatFloat(1.23e-7), "1.23E-07");
    equal(formatFloat(-2.5e-300), "-2.5E-300");
    equal(formatFloat(1e20), "1.0E+20");
    equal(formatFloat(97980953000), "97980953000.0");
    equal(formatFloat(123.456789012345), "123.456789012345");
    equal(formatFloat(-0), "0.0");
    equal(formatFloat(0.5), "0.5");
  });
  await t.step("10000 random doubles read back bit-exactly (≤ 24 columns; ≤ 20 with ≤ 14 digits)", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 10000; i++) {
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
      const s = formatFloat(v);
      equal(Number(s), v, `${v} -> ${s}`);
      match(s, /[.E]/);
      ok(s.length <= 24, s);
      const short = formatFloat(Number(v.toPrecision(14)));
      ok(short.length <= 20, `${short} is longer than 20 columns`);
      // the reader's grammar parses it as the same float
      equal(parseCardValue(s.padStart(20)).value, v);
    }
  });
  await t.step("NaN and Infinity are rejected", () => {
    throws(() => formatFloat(NaN), RangeError);
    throws(() => new FitsHeader().set("CRVAL1", Infinity), RangeError);
  });
});

Deno.test("FitsHeader.set() writes strings quoted, escaped and padded to 8 characters", () => {
  equal(quoteString("K"), "'K       '");
  equal(quoteString("O'Brien"), "'O''Brien'");
  const h = new FitsHeader().set("BUNIT", "K").set("OBJECT", "it's a long source name", "name");
  equal(card(h, 0).trimEnd(), "BUNIT   = 'K       '");
  equal(card(h, 1).trimEnd(), "OBJECT  = 'it''s a long source name' / name");
  equal(parseCardValue(card(h, 1).slice(10)).value, "it's a long source name");
  // leading blanks are significant, trailing ones are not
  const h2 = new FitsHeader().set("X", "  a");
  equal(parseCardValue(card(h2).slice(10)).value, "  a");
});

Deno.test("FitsHeader.set() uses CONTINUE cards for long strings and truncates long comments", () => {
  const long = "spec_driver_fits -i a'b.nc " + "x".repeat(150) + " end";
  const h = new FitsHeader().set("CMDLINE", long, "the command");
  const all = h.cards();
  equal(all.length, 4);
  // LONGSTRN announces the convention before its first use (fitsverify warns otherwise)
  equal(all[0]!.trimEnd(), "LONGSTRN= 'OGIP 1.0'           / long string convention may be used");
  const cards = all.slice(1);
  match(cards[0]!, /^CMDLINE = '.*&'\s*$/);
  match(cards[1]!, /^CONTINUE {2}'.*&'\s*$/);
  match(cards[2]!, /^CONTINUE {2}'.*' \/ the command\s*$/);
  for (const c of cards) equal(c.length, 80);
  // Joined back by the reader's grammar
  let text = "";
  for (const c of cards) text = text.replace(/&$/, "") + String(parseCardValue(c.slice(10)).value);
  equal(text, long);
  const h2 = new FitsHeader().set("CRVAL1", 1.5, "c".repeat(100));
  equal(card(h2).length, 80);
  equal(card(h2), "CRVAL1  =                  1.5 / " + "c".repeat(47));
});

Deno.test("FitsHeader validates keywords and values", () => {
  throws(() => checkKeyword("crval1"), /Invalid FITS keyword "crval1"/);
  throws(() => checkKeyword("TOOLONGKEY"), RangeError);
  throws(() => checkKeyword("A B"), RangeError);
  checkKeyword("DATE-OBS");
  checkKeyword("A_1");
  throws(() => new FitsHeader().set("OBJECT", "caf\u00e9"), /printable ASCII/);
  throws(() => new FitsHeader().set("HISTORY", "x"), RangeError);
  throws(() => new FitsHeader().set("N", 2 ** 60, undefined, { format: "int" }), RangeError);
});

Deno.test("FitsHeader.history()/comment() split text into 72-character cards", () => {
  const text = "process_otf_map2.py -p data_lmt -o SAMPLE-OTF_97001__0.nc --obsnum 97001 --pix_list 0,1,2,3";
  const h = new FitsHeader().comment("Convert RAW to SpecFile").history(text);
  const c = h.cards();
  equal(c.length, 3);
  equal(c[0]!.trimEnd(), "COMMENT Convert RAW to SpecFile");
  // same split as cfitsio in the reference header
  equal(c[1]!.trimEnd(), "HISTORY process_otf_map2.py -p data_lmt -o SAMPLE-OTF_97001__0.nc --obsnum 97001");
  equal(c[1]!.slice(8) + c[2]!.slice(8).trimEnd(), text);
});

Deno.test("FitsHeader.set() replaces in place; encode() adds END and pads to 2880 bytes", () => {
  const h = new FitsHeader().set("A", 1).set("B", 2).set("A", 3, "again");
  equal(h.keys().join(","), "A,B");
  equal(h.get("A"), 3);
  const bytes = h.encode();
  equal(bytes.length, 2880);
  const text = new TextDecoder().decode(bytes);
  equal(text.slice(160, 240).trimEnd(), "END");
  equal(text.slice(240).trim(), "");
  const many = new FitsHeader();
  for (let i = 0; i < 36; i++) many.set(`K${i}`, i);
  equal(many.encode().length, 5760); // 36 cards + END -> two blocks
});
