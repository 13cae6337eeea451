/**
 * pngPagesToPdf(): a PDF reader (poppler's pdfinfo / pdftoppm, Debian poppler-utils) opens the file,
 * counts the pages, reports the page size, and renders each page back to the pixels of its PNG.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { crc32, decodePngRgba, encodePngRgba } from "../../../lib/plot/png.ts";
import { pngPagesToPdf } from "../../../lib/plot/pdf.ts";
import { tempDir } from "../../_helpers.ts";

const HAVE_POPPLER = (() => {
  try {
    return new Deno.Command("pdfinfo", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
if (!HAVE_POPPLER) {
  console.error("NOTICE: pdfinfo/pdftoppm (poppler-utils) not found: PDF reader tests SKIPPED");
}

/** A test image: colour bands and a diagonal, distinct per page. */
function pattern(w: number, h: number, page: number, alpha: boolean): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const band = Math.floor((x * 4) / w);
      px[i] = band === 0 ? 255 : (page * 60) % 256;
      px[i + 1] = band === 1 ? 200 : (y * 255 / h) | 0;
      px[i + 2] = band === 2 ? 180 : Math.abs(x - y) < 3 ? 0 : 255;
      px[i + 3] = alpha && band === 3 ? 128 : 255; // half-transparent band: flattened onto white
    }
  }
  return px;
}

/** An 8-bit RGB PNG (colour type 2) with a mix of PNG row filters, built by hand. */
function rgbPng(rgba: Uint8Array, w: number, h: number): Uint8Array {
  const stride = w * 3;
  const raw = new Uint8Array((stride + 1) * h);
  for (let y = 0; y < h; y++) {
    const f = y % 3 === 0 ? 0 : y % 3 === 1 ? 1 : 2; // None, Sub, Up
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = rgba[(y * w + Math.floor(x / 3)) * 4 + (x % 3)]!;
      const left = x >= 3 ? rgba[(y * w + Math.floor((x - 3) / 3)) * 4 + (x % 3)]! : 0;
      const up = y > 0 ? rgba[((y - 1) * w + Math.floor(x / 3)) * 4 + (x % 3)]! : 0;
      raw[y * (stride + 1) + 1 + x] = (v - (f === 1 ? left : f === 2 ? up : 0)) & 0xff;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const z = new Uint8Array(deflateSync(raw));
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", z.subarray(0, 100)), // two IDAT chunks: the reader must join them
    chunk("IDAT", z.subarray(100)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function run(cmd: string, args: string[]): string {
  const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  assert.ok(r.success, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

Deno.test("pngPagesToPdf(): structure without a reader (header, pages, xref offsets)", () => {
  const w = 40, h = 30;
  const pdf = pngPagesToPdf([
    encodePngRgba(pattern(w, h, 0, true), w, h),
    rgbPng(pattern(w, h, 1, false), w, h),
  ]);
  const text = new TextDecoder("latin1").decode(pdf);
  assert.ok(text.startsWith("%PDF-1.4\n"));
  assert.ok(text.endsWith("%%EOF\n"));
  assert.match(text, /\/Type \/Pages \/Kids \[4 0 R 7 0 R\] \/Count 2/);
  assert.match(text, /\/MediaBox \[0 0 28\.8 21\.6\]/); // 40×30 px at 100 dpi
  assert.match(text, /\/Predictor 15 \/Colors 3 \/BitsPerComponent 8 \/Columns 40/); // RGB page passed through
  // every xref offset points at its "N 0 obj"
  const xref = Number(/startxref\n(\d+)/.exec(text)![1]);
  const rows = text.slice(xref).split("\n").slice(3, 3 + 9);
  rows.forEach((row, i) => assert.ok(text.startsWith(`${i + 1} 0 obj`, Number(row.slice(0, 10))), row));
  assert.throws(() => pngPagesToPdf([]), RangeError);
  assert.throws(() => pngPagesToPdf([new Uint8Array(40)]), SyntaxError);
});

Deno.test({
  name: "pngPagesToPdf(): pdfinfo counts the pages, pdftoppm renders each back to its pixels",
  ignore: !HAVE_POPPLER,
  fn() {
    const { dir, cleanup } = tempDir("lmt-pdf-");
    try {
      const w = 120, h = 90;
      const imgs = [0, 1, 2].map((p) => pattern(w, h, p, p !== 1));
      const pngs = imgs.map((px, p) => p === 1 ? rgbPng(px, w, h) : encodePngRgba(px, w, h));
      const path = join(dir, "pages.pdf");
      writeFileSync(path, pngPagesToPdf(pngs, { dpi: 72 }));
      const info = run("pdfinfo", [path]);
      assert.match(info, /^Pages:\s+3$/m);
      assert.match(info, /^Page size:\s+120 x 90 pts$/m);
      assert.doesNotMatch(info, /Syntax (Error|Warning)/);
      for (let p = 0; p < 3; p++) {
        // rendered at 4× (288 dpi) and sampled at the centre of each image pixel's 4×4 block: at 1:1 the
        // rasterizer's rounding shifts some columns by one pixel
        run("pdftoppm", [
          "-r",
          "288",
          "-f",
          String(p + 1),
          "-l",
          String(p + 1),
          "-png",
          path,
          join(dir, `pg${p}`),
        ]);
        const got = decodePngRgba(readFileSync(join(dir, `pg${p}-${p + 1}.png`)));
        assert.equal(got.width, 4 * w);
        assert.equal(got.height, 4 * h);
        // expected: the page's pixels flattened onto white
        let maxd = 0;
        const src = imgs[p]!;
        for (let i = 0; i < w * h; i++) {
          const a = src[i * 4 + 3]!;
          for (let k = 0; k < 3; k++) {
            const want = (src[i * 4 + k]! * a + 255 * (255 - a)) / 255;
            const at = ((4 * Math.floor(i / w) + 2) * 4 * w + 4 * (i % w) + 2) * 4;
            maxd = Math.max(maxd, Math.abs(got.rgba[at + k]! - want));
          }
        }
        assert.ok(maxd <= 1, `page ${p + 1}: max pixel difference ${maxd}`);
      }
    } finally {
      cleanup();
    }
  },
});
