/**
 * A multi-page PDF holding one PNG image per page (what matplotlib's PdfPages made of rsr_driver's
 * waterfall figures). Only the few objects such a file needs are written: catalog, page tree, and per
 * page a page, its content stream and the image XObject.
 *
 * An 8-bit RGB PNG goes in as it is: its IDAT zlib stream is a valid /FlateDecode stream with the PNG
 * predictors (/DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns W >>, PDF 1.7
 * §7.4.4.4). An RGBA PNG (what the rasterizer makes) is decoded, flattened onto white (the plots have a
 * white background, so nothing is lost) and deflated again. The bytes depend only on the pages (no
 * creation date), so the same plots give the same file.
 * @module
 */
import type * as Zlib from "node:zlib";
import { decodePngRgba, pngInfo } from "./png.ts";

/** Options of {@link pngPagesToPdf}. */
export interface PdfOptions {
  /** Pixels per inch of the pages: the page size is width·72/dpi × height·72/dpi points (default 100). */
  dpi?: number;
  /** /Producer of the document information dictionary. */
  producer?: string;
}

function zlib(): typeof Zlib {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:zlib") as typeof Zlib | undefined;
  if (mod === undefined) throw new Error("node:zlib is not available in this runtime");
  return mod;
}

/** The concatenated IDAT data of a PNG (its zlib stream). */
function idatStream(png: Uint8Array): Uint8Array {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [];
  for (let p = 8; p + 8 <= png.length;) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (p + 12 + len > png.length) throw new SyntaxError("Not a PNG: chunk runs past the end");
    if (type === "IDAT") parts.push(png.subarray(p + 8, p + 8 + len));
    if (type === "IEND") break;
    p += 12 + len;
  }
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** An image XObject's dictionary entries (after /Subtype /Image) and its stream data. */
function imageOf(png: Uint8Array): { width: number; height: number; dict: string; data: Uint8Array } {
  const info = pngInfo(png);
  const { width, height } = info;
  const interlaced = png[28] !== 0;
  if (info.colorType === 2 && info.bitDepth === 8 && !interlaced) {
    return {
      width,
      height,
      dict:
        `/Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode ` +
        `/DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns ${width} >>`,
      data: idatStream(png),
    };
  }
  const { rgba } = decodePngRgba(png); // throws RangeError for other PNG kinds
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3]!;
    for (let k = 0; k < 3; k++) rgb[j + k] = Math.round((rgba[i + k]! * a + 255 * (255 - a)) / 255);
  }
  return {
    width,
    height,
    dict: `/Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`,
    data: new Uint8Array(zlib().deflateSync(rgb, { level: 6 })),
  };
}

/** PDF number with at most 4 decimals. */
function num(x: number): string {
  return String(Math.round(x * 1e4) / 1e4);
}

/**
 * A PDF with one page per PNG (each page the size of its image at `dpi`).
 * Throws SyntaxError for bytes that are not a PNG, RangeError for PNG kinds it does not handle
 * (other than 8-bit RGB or RGBA) or for no pages.
 */
export function pngPagesToPdf(pages: readonly Uint8Array[], opts: PdfOptions = {}): Uint8Array {
  if (pages.length === 0) throw new RangeError("a PDF needs at least one page");
  const dpi = opts.dpi ?? 100;
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const offsets: number[] = [];
  const put = (s: string | Uint8Array) => {
    const b = typeof s === "string" ? enc.encode(s) : s;
    chunks.push(b);
    size += b.length;
  };
  const obj = (n: number, body: string, stream?: Uint8Array) => {
    offsets[n] = size;
    if (stream === undefined) {
      put(`${n} 0 obj\n${body}\nendobj\n`);
    } else {
      put(`${n} 0 obj\n<< ${body} /Length ${stream.length} >>\nstream\n`);
      put(stream);
      put("\nendstream\nendobj\n");
    }
  };
  // objects: 1 catalog, 2 page tree, 3 info, then 4+3i page, 5+3i content, 6+3i image
  const pageObj = (i: number) => 4 + 3 * i;
  // header, then a comment line of bytes > 127 so that tools treat the file as binary
  put(new Uint8Array([...enc.encode("%PDF-1.4\n%"), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
  obj(
    2,
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObj(i)} 0 R`).join(" ")}] /Count ${pages.length} >>`,
  );
  obj(3, `<< /Producer (${(opts.producer ?? "lmt-slr-toolkit").replace(/[()\\]/g, "")}) >>`);
  pages.forEach((png, i) => {
    const img = imageOf(png);
    const w = num(img.width * 72 / dpi), h = num(img.height * 72 / dpi);
    const p = pageObj(i);
    obj(
      p,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${
        p + 2
      } 0 R >> >> ` +
        `/Contents ${p + 1} 0 R >>`,
    );
    obj(p + 1, "", enc.encode(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`));
    obj(p + 2, `/Type /XObject /Subtype /Image ${img.dict}`, img.data);
  });
  const nobj = 4 + 3 * pages.length;
  const xref = size;
  let table = `xref\n0 ${nobj}\n0000000000 65535 f \n`;
  for (let n = 1; n < nobj; n++) table += `${String(offsets[n]!).padStart(10, "0")} 00000 n \n`;
  put(table);
  put(`trailer\n<< /Size ${nobj} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
