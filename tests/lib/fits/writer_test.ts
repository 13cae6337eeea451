import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FitsHeader } from "../../../lib/fits/header.ts";
import { encodeFitsImage, FitsStreamWriter, writeFitsImage } from "../../../lib/fits/writer.ts";
import { parseFits, readFits } from "../../../lib/fits/reader.ts";
import { tempDir } from "../../_helpers.ts";

function ramp(n: number, f: (i: number) => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

Deno.test("encodeFitsImage() → parseFits() round trip is exact, NaN included", () => {
  const shape = [7, 5, 3];
  const data = ramp(105, (i) => (i % 11 === 0 ? NaN : Math.sin(i) * 1e3 + 1e-30 * i));
  data[1] = Infinity;
  data[2] = -0;
  const header = new FitsHeader().set("BUNIT", "K").set("CRVAL3", 394594.8046875, "m/s").history(
    "made by a test",
  );
  const bytes = encodeFitsImage({ data, shape, header });
  equal(bytes.length % 2880, 0);
  equal(bytes.length, 2880 + Math.ceil((105 * 4) / 2880) * 2880);
  // padding after the data is zeros, the header block is ASCII
  ok(bytes.subarray(2880 + 420).every((b) => b === 0));
  const f = parseFits(bytes);
  equal(f.hdus.length, 1);
  const h = f.hdus[0]!;
  deepEqual(h.shape, shape);
  equal(h.bitpix, -32);
  equal(h.header.get("SIMPLE"), true);
  equal(h.header.get("EXTEND"), true);
  equal(h.header.get("CRVAL3"), 394594.8046875);
  equal(h.header.get("BUNIT"), "K");
  deepEqual(h.history, ["made by a test"]);
  const out = h.data as Float32Array;
  ok(out instanceof Float32Array);
  for (let i = 0; i < 105; i++) ok(Object.is(out[i], data[i]), `pixel ${i}: ${out[i]} vs ${data[i]}`);
  // big-endian: first pixel NaN = 0x7fc00000
  equal(bytes[2880], 0x7f);
});

Deno.test("encodeFitsImage() writes BITPIX -64, 32, 16, 8 and IMAGE extensions", () => {
  const d64 = new Float64Array([Math.PI, -1e-300, NaN, 1.5e300]);
  const i32 = new Int32Array([-2147483648, 2147483647, 0, 42]);
  const i16 = new Int16Array([-32768, 32767, -1, 7]);
  const u8 = new Uint8Array([0, 255, 128, 1]);
  const bytes = encodeFitsImage({
    data: d64,
    shape: [2, 2],
    header: new FitsHeader().set("OBJECT", "x"),
    extensions: [
      { extname: "I32", data: i32, shape: [4] },
      { extname: "I16", data: i16, shape: [4, 1] },
      { extname: "U8", data: u8, shape: [2, 2] },
      {
        extname: "WEIGHT",
        data: ramp(6, (i) => i / 3),
        shape: [3, 2],
        header: new FitsHeader().set("BUNIT", "K-2"),
      },
    ],
  });
  const f = parseFits(bytes);
  equal(f.hdus.length, 5);
  const [p, a, b, c, w] = f.hdus;
  equal(p!.bitpix, -64);
  deepEqual([...p!.data].map(String), [...d64].map(String));
  equal(a!.type, "IMAGE");
  equal(a!.header.get("EXTNAME"), "I32");
  equal(a!.header.get("PCOUNT"), 0);
  equal(a!.header.get("GCOUNT"), 1);
  deepEqual([...a!.data], [...i32]);
  ok(b!.data instanceof Int16Array);
  deepEqual([...b!.data], [...i16]);
  deepEqual([...c!.data], [...u8]);
  equal(w!.header.get("BUNIT"), "K-2");
  deepEqual([...w!.data], [...ramp(6, (i) => i / 3)]);
});

Deno.test("parseFits() applies BSCALE/BZERO and BLANK to integer data", () => {
  const h = new FitsHeader().set("BSCALE", 0.5).set("BZERO", 100, undefined, { format: "float" }).set(
    "BLANK",
    -1,
  );
  const f = parseFits(encodeFitsImage({ data: new Int16Array([0, 2, -1, 10]), shape: [4], header: h }));
  const d = f.hdus[0]!.data;
  ok(d instanceof Float32Array);
  deepEqual([...d].map(String), ["100", "101", "NaN", "105"]);
});

Deno.test("encodeFitsImage() rejects a shape that does not match the data, and a wrong BITPIX", () => {
  throws(
    () => encodeFitsImage({ data: new Float32Array(10), shape: [3, 3] }),
    /holds 9 pixels but data has 10/,
  );
  throws(() => encodeFitsImage({ data: new Float32Array(4), shape: [4], bitpix: 16 }), RangeError);
  throws(() => encodeFitsImage({ data: new Int16Array(4), shape: [4], bitpix: -32 }), RangeError);
});

Deno.test("the writer skips structural keywords of the user header (a read header can be reused)", () => {
  const h = new FitsHeader().set("NAXIS", 9).set("BITPIX", 8).set("NAXIS1", 99).set("OBJECT", "ok");
  const f = parseFits(encodeFitsImage({ data: new Float32Array(3), shape: [3], header: h }));
  equal(f.hdus[0]!.header.get("NAXIS1"), 3);
  equal(f.hdus[0]!.header.get("BITPIX"), -32);
  equal(f.hdus[0]!.cards.filter((c) => c.startsWith("NAXIS ")).length, 1);
});

Deno.test("writeFitsImage() writes atomically and refuses to overwrite unless asked", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "a.fits");
    const opts = { data: ramp(12, (i) => i), shape: [4, 3] };
    writeFitsImage(path, opts);
    throws(() => writeFitsImage(path, opts), /cannot write .*a\.fits: file exists$/);
    writeFitsImage(path, { ...opts, data: ramp(12, (i) => -i) }, { overwrite: true });
    equal((readFits(path).hdus[0]!.data as Float32Array)[5], -5);
    // a failed encode leaves neither the target nor a temporary file
    throws(() => writeFitsImage(join(dir, "b.fits"), { data: new Float32Array(5), shape: [2, 2] }));
    deepEqual(readdirSync(dir), ["a.fits"]);
  } finally {
    cleanup();
  }
});

Deno.test("FitsStreamWriter writes plane by plane identically to encodeFitsImage()", () => {
  const { dir, cleanup } = tempDir();
  try {
    const [nx, ny, nz] = [13, 11, 9];
    const data = ramp(nx * ny * nz, (i) => (i % 17 === 3 ? NaN : i * 0.25 - 100));
    const header = new FitsHeader().set("BUNIT", "K");
    const wt = ramp(nx * ny, (i) => i / 7);
    const path = join(dir, "s.fits");
    const w = FitsStreamWriter.create(path, { shape: [nx, ny, nz], header });
    for (let k = 0; k < nz; k++) {
      w.write(data.subarray(k * nx * ny, (k + 1) * nx * ny));
      ok(!existsSync(path), "target appears only at close()");
    }
    w.addExtension({ extname: "WEIGHT", data: wt, shape: [nx, ny] });
    w.close();
    const expected = encodeFitsImage({
      data,
      shape: [nx, ny, nz],
      header,
      extensions: [{ extname: "WEIGHT", data: wt, shape: [nx, ny] }],
    });
    deepEqual(new Uint8Array(readFileSync(path)), expected);
    deepEqual(readdirSync(dir), ["s.fits"]);

    // too few pixels: close() throws, nothing is left behind
    const w2 = FitsStreamWriter.create(join(dir, "t.fits"), { shape: [nx, ny, nz] });
    w2.write(data.subarray(0, nx * ny));
    throws(() => w2.close(), /Incomplete FITS image .* 143 of 1287 pixels/);
    deepEqual(readdirSync(dir), ["s.fits"]);
    // too many pixels
    const w3 = FitsStreamWriter.create(join(dir, "u.fits"), { shape: [2] });
    throws(() => w3.write(new Float32Array(3)), /Too many pixels/);
    w3.abort();
    deepEqual(readdirSync(dir), ["s.fits"]);
  } finally {
    cleanup();
  }
});

Deno.test("readFits() errors name the file", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "bad.fits");
    writeFileSync(path, "NOT A FITS FILE".padEnd(2880, " "));
    throws(() => readFits(path), (e: Error) => {
      match(e.message, /bad\.fits/);
      ok(e instanceof SyntaxError);
      return true;
    });
    const good = encodeFitsImage({ data: new Float32Array(2000), shape: [2000] });
    writeFileSync(path, good.subarray(0, 4000));
    throws(() => readFits(path), /bad\.fits.*truncated/);
    throws(() => readFits(join(dir, "missing.fits")), /Cannot read FITS file ".*missing\.fits"/);
  } finally {
    cleanup();
  }
});

Deno.test("encodeFitsImage(): 128×128×512 float32 cube (time reported)", () => {
  const data = ramp(128 * 128 * 512, (i) => i);
  const t0 = performance.now();
  const bytes = encodeFitsImage({ data, shape: [128, 128, 512] });
  const ms = performance.now() - t0;
  console.error(`encode 32 MiB cube: ${ms.toFixed(0)} ms`);
  equal(bytes.length, 2880 + Math.ceil((data.length * 4) / 2880) * 2880);
});
