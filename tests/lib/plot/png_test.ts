import { deepEqual, equal, throws } from "node:assert/strict";
import { crc32, decodePngRgba, encodePage, encodePngRgba, pngInfo } from "../../../lib/plot/png.ts";

Deno.test("crc32() matches the standard check value", () => {
  equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodePngRgba() → pngInfo()/decodePngRgba() round trip", () => {
  const w = 5, h = 3;
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) & 0xff);
  const png = encodePngRgba(rgba, w, h);
  deepEqual(pngInfo(png), { width: 5, height: 3, bitDepth: 8, colorType: 6 });
  const d = decodePngRgba(png);
  equal(d.width, 5);
  deepEqual([...d.rgba], [...rgba]);
  throws(() => encodePngRgba(rgba, 4, 3), RangeError);
});

Deno.test("encodePage(): an opaque page as RGB, one with transparency as RGBA; pixels round-trip", () => {
  const w = 7, h = 4;
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 53) & 0xff));
  const png = encodePage(rgba, w, h);
  deepEqual(pngInfo(png), { width: 7, height: 4, bitDepth: 8, colorType: 2 });
  deepEqual([...decodePngRgba(png).rgba], [...rgba]);
  rgba[4 * 5 + 3] = 128; // one translucent pixel
  const png2 = encodePage(rgba, w, h);
  equal(pngInfo(png2).colorType, 6);
  deepEqual([...decodePngRgba(png2).rgba], [...rgba]);
  throws(() => encodePage(rgba, 7, 5), RangeError);
});

Deno.test("pngInfo() rejects non-PNG bytes and a corrupt IHDR", () => {
  throws(() => pngInfo(new TextEncoder().encode("GIF89a".padEnd(40))), /bad signature/);
  const png = encodePngRgba(new Uint8Array(4), 1, 1);
  png[17]! ^= 1; // width byte changed → CRC mismatch
  throws(() => pngInfo(png), /CRC/);
});
