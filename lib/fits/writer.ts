/**
 * FITS image writer: a primary image HDU plus optional IMAGE extensions, big-endian data, NaN
 * blanks for floating-point BITPIX, zero padding to 2880-byte blocks. {@link FitsStreamWriter} writes
 * a large cube plane by plane.
 *
 * Both writers take either an open {@link FileSink} (what the tools' `ctx.output` hands out: the
 * writer only writes, the door renames it into place or removes it) or a path (library use: written
 * through a lib/sys/tempfile TempFile, renamed into place when complete), so a failed write never
 * leaves a partial output file.
 *
 * @example
 * ```ts
 * import { FitsHeader } from "./header.ts";
 *
 * function writeCube(path: string, data: Float32Array, nx: number, ny: number, nchan: number) {
 *   const header = new FitsHeader().set("BUNIT", "K");
 *   writeFitsImage(path, { data, shape: [nx, ny, nchan], header }, { overwrite: true });
 * }
 * ```
 * @module
 */
import { existsSync } from "../sys/fs.ts";
import { type FileSink, TempFile, withTempFile } from "../sys/tempfile.ts";
import { BLOCK_LENGTH, FitsHeader, renderCardText } from "./header.ts";

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

/** Options of the file writers (when given a path; a FileSink's owner decides about overwriting). */
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

function refuseExisting(path: string, opts: WriteOptions): void {
  if (!(opts.overwrite ?? false) && existsSync(path)) {
    throw new Error(`cannot write ${path}: file exists`);
  }
}

/**
 * Write a FITS file (primary image + optional IMAGE extensions) into `target`: an open sink, or a
 * path (temporary file renamed into place; throws when it exists unless `overwrite` is set).
 */
export function writeFitsImage(
  target: string | FileSink,
  opts: FitsFileOptions,
  wopts: WriteOptions = {},
): void {
  if (typeof target !== "string") {
    target.write(encodeFitsImage(opts));
    return;
  }
  refuseExisting(target, wopts);
  const bytes = encodeFitsImage(opts);
  withTempFile(target, (t) => t.write(bytes));
}

/**
 * Streaming writer for a large primary image: header first, then the pixels in any number of
 * chunks (typically one plane of NAXIS1×NAXIS2 at a time), then optional IMAGE extensions; `close()`
 * pads (and, for a path, renames the file into place), `abort()` stops (and, for a path, removes the
 * temporary file; a sink's owner removes its own).
 *
 * @example
 * ```ts
 * import type { FitsHeader } from "./header.ts";
 *
 * function writeCubeByPlanes(
 *   path: string, header: FitsHeader, nx: number, ny: number, nz: number,
 *   plane: (k: number) => Float32Array, wt: Float32Array,
 * ) {
 *   const w = FitsStreamWriter.create(path, { shape: [nx, ny, nz], header }, { overwrite: true });
 *   for (let k = 0; k < nz; k++) w.write(plane(k));
 *   w.addExtension({ extname: "WEIGHT", data: wt, shape: [nx, ny] });
 *   w.close();
 * }
 * ```
 */
export class FitsStreamWriter {
  readonly path: string;
  readonly bitpix: Bitpix;
  readonly shape: number[];
  /** Where the bytes go; null once closed or aborted. */
  #sink: FileSink | null;
  /** The temporary file this writer made itself (path given), else null (the sink's owner commits). */
  #own: TempFile | null;
  #expected: number;
  #written = 0;
  #buf: Uint8Array = new Uint8Array(0);

  private constructor(sink: FileSink, own: TempFile | null, bitpix: Bitpix, shape: number[]) {
    this.path = sink.target;
    this.#sink = sink;
    this.#own = own;
    this.bitpix = bitpix;
    this.shape = shape;
    this.#expected = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  }

  /** Start writing into `target` (an open sink, or a path: a temporary name until close) with the primary header. */
  static create(
    target: string | FileSink,
    opts: { shape: number[]; header?: FitsHeader; bitpix?: Bitpix },
    wopts: WriteOptions = {},
  ): FitsStreamWriter {
    const name = typeof target === "string" ? target : target.target;
    if (typeof target === "string") refuseExisting(target, wopts);
    const bitpix = opts.bitpix ?? -32;
    if (![8, 16, 32, -32, -64].includes(bitpix)) throw new RangeError(`Unsupported BITPIX ${bitpix}`);
    const count = opts.shape.length === 0 ? 0 : opts.shape.reduce((a, b) => a * b, 1);
    checkShape(opts.shape, count, `"${name}"`);
    const head = encodeImageHeader({ primary: true }, bitpix, opts.shape, opts.header);
    const own = typeof target === "string" ? TempFile.create(target) : null;
    const w = new FitsStreamWriter(own ?? (target as FileSink), own, bitpix, opts.shape);
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
    if (this.#sink === null) throw new Error(`FITS writer for "${this.path}" is closed`);
    this.#sink.write(bytes);
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

  /** Finish: check the pixel count and pad (a path: rename into place; a sink: its owner commits). */
  close(): void {
    try {
      if (this.#expected >= 0) this.#padPrimary();
      this.#own?.commit();
      this.#sink = null;
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Give up: stop writing (a path: remove the temporary file; a sink: its owner removes it). */
  abort(): void {
    this.#sink = null;
    this.#own?.abort();
  }
}
