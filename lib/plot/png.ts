/**
 * Minimal PNG helpers: an RGBA encoder (used to embed heat-map rasters in the SVG) and a header
 * parser to check a PNG's signature and IHDR size.
 * @module
 */
import type * as Zlib from "node:zlib";

let ZLIB: typeof Zlib | null = null;
/**
 * node:zlib, loaded on first use (synchronously, through `process.getBuiltinModule`): importing it
 * statically cost every tool ~10 ms of start-up, plots or not.
 */
function zlib(): typeof Zlib {
  if (ZLIB === null) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.("node:zlib") as typeof Zlib | undefined;
    if (mod === undefined) throw new Error("node:zlib is not available in this runtime");
    ZLIB = mod;
  }
  return ZLIB;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (PNG/zlib polynomial). */
export function crc32(b: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < b.length; i++) crc = CRC_TABLE[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function assemble(
  raw: Uint8Array,
  width: number,
  height: number,
  colorType: 2 | 6,
  level: number,
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  const parts = [
    new Uint8Array(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(zlib().deflateSync(raw, { level }))),
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

function checkRgba(rgba: Uint8Array, width: number, height: number): void {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`RGBA buffer has ${rgba.length} bytes, expected ${width * height * 4}`);
  }
}

/** Encode an 8-bit RGBA image (row 0 at the top, 4 bytes per pixel) as PNG. */
export function encodePngRgba(rgba: Uint8Array, width: number, height: number): Uint8Array {
  checkRgba(rgba, width, height);
  return assemble(rawRows(rgba, width, height, 4), width, height, 6, 6);
}

/**
 * Encode a rendered page (8-bit RGBA, row 0 at the top) as PNG: RGB when every pixel is opaque (a page on a
 * white background; a third smaller to store), RGBA otherwise. Rows are unfiltered and deflated at level 3:
 * for plots (flat colours, thin lines) that is smaller than resvg's own encoder and takes half its time.
 */
export function encodePage(rgba: Uint8Array, width: number, height: number): Uint8Array {
  checkRgba(rgba, width, height);
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) return assemble(rawRows(rgba, width, height, 4), width, height, 6, 3);
  }
  const stride = width * 3 + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    let o = y * stride + 1;
    const end = (y + 1) * width * 4;
    for (let i = y * width * 4; i < end; i += 4, o += 3) {
      raw[o] = rgba[i]!;
      raw[o + 1] = rgba[i + 1]!;
      raw[o + 2] = rgba[i + 2]!;
    }
  }
  return assemble(raw, width, height, 2, 3);
}

function rawRows(rgba: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    raw.set(rgba.subarray(y * width * bpp, (y + 1) * width * bpp), y * stride + 1);
  }
  return raw;
}

/** What {@link pngInfo} reports. */
export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/** Parse a PNG's signature and IHDR chunk; throws SyntaxError when the bytes are not a PNG. */
export function pngInfo(bytes: Uint8Array): PngInfo {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new SyntaxError("Not a PNG: bad signature");
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== "IHDR" || dv.getUint32(8) !== 13) throw new SyntaxError("Not a PNG: first chunk is not IHDR");
  if (crc32(bytes.subarray(12, 29)) !== dv.getUint32(29)) {
    throw new SyntaxError("Not a PNG: IHDR CRC mismatch");
  }
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: bytes[24]!, colorType: bytes[25]! };
}

/**
 * Decode a non-interlaced 8-bit RGB or RGBA PNG to RGBA (for tests that look at plotted pixels).
 */
export function decodePngRgba(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const info = pngInfo(bytes);
  if (info.bitDepth !== 8 || (info.colorType !== 6 && info.colorType !== 2) || bytes[28] !== 0) {
    throw new RangeError(
      `decodePngRgba: unsupported PNG (depth ${info.bitDepth}, colour type ${info.colorType})`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  for (let p = 8; p < bytes.length;) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === "IDAT") idat.push(bytes.subarray(p + 8, p + 8 + len));
    if (type === "IEND") break;
    p += 12 + len;
  }
  const joined = new Uint8Array(idat.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const c of idat) {
    joined.set(c, o);
    o += c.length;
  }
  const raw = new Uint8Array(zlib().inflateSync(joined));
  const { width, height } = info;
  const bpp = info.colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const cur = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = cur.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? cur.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p0 = a + b - c;
        const pa = Math.abs(p0 - a), pb = Math.abs(p0 - b), pc = Math.abs(p0 - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new SyntaxError(`decodePngRgba: bad filter ${f} in row ${y}`);
      row[i] = (src[i]! + pred) & 0xff;
    }
  }
  if (bpp === 4) return { width, height, rgba: cur };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(cur.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
