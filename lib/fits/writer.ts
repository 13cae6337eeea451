/**
 * FITS image writer: a primary image HDU plus optional IMAGE extensions, big-endian data, NaN
 * blanks for floating-point BITPIX, zero padding to 2880-byte blocks. Files are written to a
 * temporary name beside the target and renamed into place, so a failed write never leaves a
 * partial output file. {@link FitsStreamWriter} writes a large cube plane by plane.
 *
 * @example
 * ```ts
 * const header = new FitsHeader().set("BUNIT", "K");
 * writeFitsImage("cube.fits", { data, shape: [nx, ny, nchan], header }, { overwrite: true });
 * ```
 * @module
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeAllSync } from "../sys/fs.ts";
import { BLOCK_LENGTH, FitsHeader, renderCardText } from "./header.ts";
import { basename, dirname, join } from "../sys/path.ts";

/** Pixel arrays the writer accepts. */
export type FitsPixels = Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array;

/** FITS BITPIX values. */
export type Bitpix = 8 | 16 | 32 | -32 | -64;

/** One image HDU to encode. */
export interface FitsImageOptions {
  /** Pixels, NAXIS1 fastest (FITS order). */
  data: FitsPixels;
  /** Axis lengths, NAXIS1 first (fastest). */
  shape: number[];
  /** Header cards after the mandatory ones (SIMPLE, BITPIX, NAXISn, EXTEND, XTENSION, PCOUNT, GCOUNT, EXTNAME are skipped). */
  header?: FitsHeader;
  /** Default: -32 for Float32Array, -64 for Float64Array, 16/32/8 for Int16/Int32/Uint8 arrays. */
  bitpix?: Bitpix;
}

/** An IMAGE extension: an image HDU with an EXTNAME. */
export interface FitsExtensionOptions extends FitsImageOptions {
  extname: string;
}

/** Options of {@link encodeFitsImage}: the primary image and optional IMAGE extensions. */
export interface FitsFileOptions extends FitsImageOptions {
  extensions?: FitsExtensionOptions[];
}

/** Options of the file writers. */
export interface WriteOptions {
  /** Replace an existing file (default false: throw). */
  overwrite?: boolean;
}

/** Keywords that the writer itself produces and that are skipped in user headers. */
const STRUCTURAL = /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|XTENSION|PCOUNT|GCOUNT|EXTNAME|END)$/;

function defaultBitpix(data: FitsPixels): Bitpix {
  if (data instanceof Float32Array) return -32;
  if (data instanceof Float64Array) return -64;
  if (data instanceof Int16Array) return 16;
  if (data instanceof Int32Array) return 32;
  return 8;
}

function checkShape(shape: number[], length: number, what: string): void {
  if (shape.length > 999) throw new RangeError(`${what}: too many axes (${shape.length})`);
  for (const n of shape) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what}: bad axis length ${n}`);
  }
  const count = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  if (count !== length) {
    throw new RangeError(`${what}: shape [${shape.join(",")}] holds ${count} pixels but data has ${length}`);
  }
}

function checkBitpix(bitpix: Bitpix, data: FitsPixels, what: string): void {
  const float = data instanceof Float32Array || data instanceof Float64Array;
  if ((bitpix === -32 || bitpix === -64) && !float) {
    throw new RangeError(`${what}: BITPIX ${bitpix} needs Float32Array or Float64Array data`);
  }
  if (bitpix > 0 && float) {
    throw new RangeError(`${what}: BITPIX ${bitpix} needs integer data, not floating-point`);
  }
  if (![8, 16, 32, -32, -64].includes(bitpix)) throw new RangeError(`${what}: unsupported BITPIX ${bitpix}`);
}

/** The header unit of an image HDU: mandatory cards, then the user's cards, END, padding. */
export function encodeImageHeader(
  kind: { primary: true; extend?: boolean } | { primary: false; extname: string },
  bitpix: Bitpix,
  shape: number[],
  header: FitsHeader = new FitsHeader(),
): Uint8Array {
  const lead: string[] = [];
  if (kind.primary) lead.push(renderCardText("SIMPLE", true, "conforms to FITS standard"));
  else lead.push(renderCardText("XTENSION", "IMAGE", "image extension"));
  lead.push(renderCardText("BITPIX", bitpix, "number of bits per data pixel", "int"));
  lead.push(renderCardText("NAXIS", shape.length, "number of data axes", "int"));
  shape.forEach((n, i) =>
    lead.push(renderCardText(`NAXIS${i + 1}`, n, `length of data axis ${i + 1}`, "int"))
  );
  if (kind.primary) {
    if (kind.extend ?? true) lead.push(renderCardText("EXTEND", true, "FITS dataset may contain extensions"));
  } else {
    lead.push(renderCardText("PCOUNT", 0, "number of parameters", "int"));
    lead.push(renderCardText("GCOUNT", 1, "number of groups", "int"));
    lead.push(renderCardText("EXTNAME", kind.extname, "extension name"));
  }
  const user = new FitsHeader();
  const src = header.clone();
  for (const k of src.keys()) if (STRUCTURAL.test(k)) src.delete(k);
  user.merge(src);
  return user.encode(lead);
}

function bytesPerPixel(bitpix: Bitpix): number {
  return Math.abs(bitpix) / 8;
}

/**
 * Encode `count` pixels of `data` starting at `start` as big-endian `bitpix` into `out` at `offset`.
 * Floating-point NaN stays NaN. Integer data are written as is (no scaling).
 */
export function encodePixels(
  data: FitsPixels,
  bitpix: Bitpix,
  out: Uint8Array,
  offset = 0,
  start = 0,
  count = data.length - start,
): void {
  const dv = new DataView(out.buffer, out.byteOffset + offset, count * bytesPerPixel(bitpix));
  switch (bitpix) {
    case -32:
      for (let i = 0; i < count; i++) dv.setFloat32(i * 4, data[start + i]!, false);
      break;
    case -64:
      for (let i = 0; i < count; i++) dv.setFloat64(i * 8, data[start + i]!, false);
      break;
    case 32:
      for (let i = 0; i < count; i++) dv.setInt32(i * 4, data[start + i]!, false);
      break;
    case 16:
      for (let i = 0; i < count; i++) dv.setInt16(i * 2, data[start + i]!, false);
      break;
    case 8:
      for (let i = 0; i < count; i++) dv.setUint8(i, data[start + i]!);
      break;
  }
}

function paddedLength(n: number): number {
  return Math.ceil(n / BLOCK_LENGTH) * BLOCK_LENGTH;
}

function encodeHdu(
  kind: { primary: true; extend?: boolean } | { primary: false; extname: string },
  o: FitsImageOptions,
  what: string,
): Uint8Array[] {
  const bitpix = o.bitpix ?? defaultBitpix(o.data);
  checkBitpix(bitpix, o.data, what);
  checkShape(o.shape, o.data.length, what);
  const head = encodeImageHeader(kind, bitpix, o.shape, o.header);
  const nbytes = o.data.length * bytesPerPixel(bitpix);
  const body = new Uint8Array(paddedLength(nbytes)); // zero padding
  encodePixels(o.data, bitpix, body);
  return [head, body];
}

/**
 * Encode a FITS file in memory: primary image (+ IMAGE extensions). Returns the whole file.
 */
export function encodeFitsImage(opts: FitsFileOptions): Uint8Array {
  const parts = encodeHdu({ primary: true }, opts, "primary HDU");
  (opts.extensions ?? []).forEach((e, i) => {
    parts.push(...encodeHdu({ primary: false, extname: e.extname }, e, `extension ${i + 1} (${e.extname})`));
  });
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A temporary name beside `path` (same directory, so rename is atomic). */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

function refuseExisting(path: string, opts: WriteOptions): void {
  if (!(opts.overwrite ?? false) && existsSync(path)) {
    throw new Error(`Cannot write "${path}": file exists (use overwrite=true)`);
  }
}

/**
 * Write a FITS file (primary image + optional IMAGE extensions) via a temporary file and rename.
 * Throws when `path` exists unless `overwrite` is set.
 */
export function writeFitsImage(path: string, opts: FitsFileOptions, wopts: WriteOptions = {}): void {
  refuseExisting(path, wopts);
  const bytes = encodeFitsImage(opts);
  const tmp = tempName(path);
  try {
    Deno.writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Streaming writer for a large primary image: header first, then the pixels in any number of
 * chunks (typically one plane of NAXIS1×NAXIS2 at a time), then optional IMAGE extensions; `close()`
 * pads and renames the file into place, `abort()` removes the temporary file.
 *
 * @example
 * ```ts
 * const w = FitsStreamWriter.create("cube.fits", { shape: [nx, ny, nz], header }, { overwrite: true });
 * for (let k = 0; k < nz; k++) w.write(planeK);
 * w.addExtension({ extname: "WEIGHT", data: wt, shape: [nx, ny] });
 * w.close();
 * ```
 */
export class FitsStreamWriter {
  readonly path: string;
  readonly bitpix: Bitpix;
  readonly shape: number[];
  #tmp: string;
  #fd: number | null;
  #expected: number;
  #written = 0;
  #buf: Uint8Array = new Uint8Array(0);

  private constructor(path: string, tmp: string, fd: number, bitpix: Bitpix, shape: number[]) {
    this.path = path;
    this.#tmp = tmp;
    this.#fd = fd;
    this.bitpix = bitpix;
    this.shape = shape;
    this.#expected = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  }

  /** Open `path` (a temporary name until close) and write the primary header. */
  static create(
    path: string,
    opts: { shape: number[]; header?: FitsHeader; bitpix?: Bitpix },
    wopts: WriteOptions = {},
  ): FitsStreamWriter {
    refuseExisting(path, wopts);
    const bitpix = opts.bitpix ?? -32;
    if (![8, 16, 32, -32, -64].includes(bitpix)) throw new RangeError(`Unsupported BITPIX ${bitpix}`);
    const count = opts.shape.length === 0 ? 0 : opts.shape.reduce((a, b) => a * b, 1);
    checkShape(opts.shape, count, `"${path}"`);
    const head = encodeImageHeader({ primary: true }, bitpix, opts.shape, opts.header);
    const tmp = tempName(path);
    const fd = openSync(tmp, "w");
    const w = new FitsStreamWriter(path, tmp, fd, bitpix, opts.shape);
    try {
      w.#writeAll(head);
    } catch (e) {
      w.abort();
      throw e;
    }
    return w;
  }

  /** Pixels written so far. */
  get written(): number {
    return this.#written;
  }

  #writeAll(bytes: Uint8Array): void {
    if (this.#fd === null) throw new Error(`FITS writer for "${this.path}" is closed`);
    writeAllSync(this.#fd, bytes);
  }

  /** Append pixels (any length; FITS order, NAXIS1 fastest). */
  write(chunk: FitsPixels): void {
    if (this.#written + chunk.length > this.#expected) {
      throw new RangeError(
        `Too many pixels for "${this.path}": ${this.#written + chunk.length} > ${this.#expected}`,
      );
    }
    const float = chunk instanceof Float32Array || chunk instanceof Float64Array;
    if (float !== (this.bitpix < 0)) {
      throw new RangeError(`BITPIX ${this.bitpix} does not match the chunk type ${chunk.constructor.name}`);
    }
    const n = chunk.length * bytesPerPixel(this.bitpix);
    if (this.#buf.length < n) this.#buf = new Uint8Array(n);
    const view = this.#buf.subarray(0, n);
    encodePixels(chunk, this.bitpix, view);
    this.#writeAll(view);
    this.#written += chunk.length;
  }

  /**
   * Append pixels already encoded as FITS data (big-endian, BITPIX of this writer; a whole number
   * of pixels), e.g. from a WebAssembly kernel.
   */
  writeEncoded(bytes: Uint8Array): void {
    const bpp = bytesPerPixel(this.bitpix);
    if (bytes.length % bpp !== 0) {
      throw new RangeError(`${bytes.length} bytes are not whole BITPIX ${this.bitpix} pixels`);
    }
    const n = bytes.length / bpp;
    if (this.#written + n > this.#expected) {
      throw new RangeError(`Too many pixels for "${this.path}": ${this.#written + n} > ${this.#expected}`);
    }
    this.#writeAll(bytes);
    this.#written += n;
  }

  #padPrimary(): void {
    if (this.#written !== this.#expected) {
      throw new RangeError(
        `Incomplete FITS image for "${this.path}": ${this.#written} of ${this.#expected} pixels written`,
      );
    }
    const nbytes = this.#expected * bytesPerPixel(this.bitpix);
    const pad = paddedLength(nbytes) - nbytes;
    if (pad > 0) this.#writeAll(new Uint8Array(pad));
    this.#expected = -1; // primary done
  }

  /** Append an IMAGE extension after the primary image is complete. */
  addExtension(e: FitsExtensionOptions): void {
    try {
      if (this.#expected >= 0) this.#padPrimary();
      for (const p of encodeHdu({ primary: false, extname: e.extname }, e, `extension ${e.extname}`)) {
        this.#writeAll(p);
      }
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Finish: check the pixel count, pad, and rename into place. */
  close(): void {
    try {
      if (this.#expected >= 0) this.#padPrimary();
      closeSync(this.#fd!);
      this.#fd = null;
      renameSync(this.#tmp, this.path);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Give up: close and remove the temporary file. */
  abort(): void {
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch { /* already closed */ }
      this.#fd = null;
    }
    rmSync(this.#tmp, { force: true });
  }
}
