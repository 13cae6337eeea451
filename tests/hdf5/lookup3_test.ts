import { equal } from "node:assert/strict";
import { lookup3 } from "../../lib/hdf5/lookup3.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("lookup3: published test vectors of hashlittle", () => {
  equal(lookup3(new Uint8Array()), 0xdeadbeef);
  equal(lookup3(enc("Four score and seven years ago")), 0x17770551);
  equal(lookup3(enc("Four score and seven years ago"), 0, 30, 1), 0xcd628161);
});

Deno.test("lookup3: a range of a larger buffer hashes like the bytes alone", () => {
  const s = enc("xxFour score and seven years agoyy");
  equal(lookup3(s, 2, 32), 0x17770551);
});
