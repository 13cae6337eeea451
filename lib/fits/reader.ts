/**
 * FITS reader for image HDUs (primary and IMAGE extensions) with BITPIX 8/16/32/-32/-64,
 * BSCALE/BZERO and BLANK. Other extensions (tables) are listed with their raw data bytes.
 * Header values are parsed from the fixed-format cards (strings with `''` and the CONTINUE
 * long-string convention, logicals, integers, floats with `E` or `D` exponents).
 *
 * @example
 * ```ts
 * function cubeShape(path: string) {  // e.g. "cube.fits"
 *   const { hdus } = readFits(path);
 *   hdus[0]!.header.get("CRVAL1"); // 198
 *   return hdus[0]!.shape;         // [37, 37, 585]  (NAXIS1 first)
 * }
 * ```
 * @module
 */
import { markDataError } from "../errors.ts";
import { closeSync, fstatSync, openSync, readFullSync } from "../sys/fs.ts";
import { BLOCK_LENGTH, CARD_LENGTH, type FitsValue } from "./header.ts";
import { inputWarning } from "../sys/warnings.ts";

/** Pixel arrays returned by the reader. */
export type FitsData = Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array;

/** One HDU. */
export interface FitsHdu {
  /** Valued keywords (first occurrence; COMMENT/HISTORY/blank excluded). */
  header: Map<string, FitsValue>;
  /** Comments of valued keywords. */
  comments: Map<string, string>;
  /** All cards as 80-character strings, END excluded. */
  cards: string[];
  /** `"PRIMARY"`, `"IMAGE"`, or the XTENSION value of another extension. */
  type: string;
  /** Axis lengths, NAXIS1 first (fastest). */
  shape: number[];
  /** BITPIX as stored. */
  bitpix: number;
  /**
   * Pixels. Raw stored type when unscaled; with BSCALE/BZERO (other than 1/0) or BLANK, floats with
   * the scaling applied and BLANK as NaN (Float32Array for BITPIX 8/16, Float64Array for 32).
   * Raw bytes for non-image extensions.
   */
  data: FitsData;
  /** HISTORY texts in order. */
  history: string[];
}

/** Result of {@link readFits}. */
export interface FitsFile {
  hdus: FitsHdu[];
  /** The file's name as given (for messages). */
  name?: string;
}

/** A FITS syntax or structure error naming the file (and the HDU / card); tools exit 1 with its one line. */
export class FitsSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "FitsSyntaxError";
  }
}
// a parse error stays a SyntaxError (the JSON.parse convention) and is a data error for the tools
markDataError(FitsSyntaxError);

interface ParsedValue {
  value: FitsValue | undefined;
  comment: string;
}

/** Parse the value/comment field (columns 11–80) of a card. */
export function parseCardValue(field: string): ParsedValue {
  const s = field.trimStart();
  if (s.startsWith("'")) {
    let i = 1;
    let out = "";
    for (;;) {
      if (i >= s.length) throw new SyntaxError("unterminated string");
      const c = s[i]!;
      if (c === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      out += c;
      i++;
    }
    const rest = s.slice(i);
    const slash = rest.indexOf("/");
    return { value: out.replace(/ +$/, ""), comment: slash >= 0 ? rest.slice(slash + 1).trim() : "" };
  }
  const slash = s.indexOf("/");
  const text = (slash >= 0 ? s.slice(0, slash) : s).trim();
  const comment = slash >= 0 ? s.slice(slash + 1).trim() : "";
  if (text === "") return { value: undefined, comment };
  if (text === "T") return { value: true, comment };
  if (text === "F") return { value: false, comment };
  if (/^[+-]?\d+$/.test(text)) return { value: Number(text), comment };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(text)) {
    return { value: Number(text.replace(/[Dd]/, "E")), comment };
  }
  if (text.startsWith("(")) return { value: text, comment }; // complex: kept as text
  throw new SyntaxError(`cannot parse value "${text}"`);
}

function intKey(h: Map<string, FitsValue>, key: string, file: string, hduIndex: number): number {
  const v = h.get(key);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new FitsSyntaxError(`Bad FITS file "${file}": HDU ${hduIndex} lacks integer keyword ${key}`);
  }
  return v;
}

function decodePixels(bytes: Uint8Array, offset: number, n: number, bitpix: number): FitsData {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset);
  switch (bitpix) {
    case 8:
      return bytes.slice(offset, offset + n);
    case 16: {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getInt16(i * 2, false);
      return a;
    }
    case 32: {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getInt32(i * 4, false);
      return a;
    }
    case -32: {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(i * 4, false);
      return a;
    }
    case -64: {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat64(i * 8, false);
      return a;
    }
  }
  throw new RangeError(`unsupported BITPIX ${bitpix}`);
}

/** A header card: printable ASCII only (FITS 4.0 §4.1.2). */
const PRINTABLE = /^[\x20-\x7e]*$/;

/** Random access to the bytes of a FITS file (memory or positioned file reads). */
interface ByteSource {
  size: number;
  read(offset: number, length: number): Uint8Array;
}

/** Options of {@link readFits} and {@link parseFits}. */
export interface ReadFitsOptions {
  /** Decode the data units (default true); false reads headers only (data are empty arrays). */
  data?: boolean;
}

function emptyData(bitpix: number): FitsData {
  switch (bitpix) {
    case 16:
      return new Int16Array(0);
    case 32:
      return new Int32Array(0);
    case -32:
      return new Float32Array(0);
    case -64:
      return new Float64Array(0);
    default:
      return new Uint8Array(0);
  }
}

/** Parse FITS bytes (`name` is used in error messages). */
export function parseFits(bytes: Uint8Array, name = "<memory>", opts: ReadFitsOptions = {}): FitsFile {
  return parseSource(
    { size: bytes.length, read: (o, n) => bytes.subarray(o, o + n) },
    name,
    opts.data ?? true,
  );
}

function parseSource(src: ByteSource, name: string, withData: boolean): FitsFile {
  const hdus: FitsHdu[] = [];
  let pos = 0;
  const dec = new TextDecoder("latin1");
  while (pos < src.size) {
    const hduIndex = hdus.length;
    // Header: cards until END.
    const cards: string[] = [];
    const header = new Map<string, FitsValue>();
    const comments = new Map<string, string>();
    const history: string[] = [];
    let ended = false;
    let lastStringKey: string | null = null;
    while (!ended) {
      if (pos + BLOCK_LENGTH > src.size) {
        if (hduIndex > 0 && cards.length === 0 && src.read(pos, src.size - pos).every((b) => b === 0)) {
          return { hdus, name }; // trailing zero padding, tolerated
        }
        throw new FitsSyntaxError(
          `Bad FITS file "${name}": HDU ${hduIndex} header not terminated by END (truncated file?)`,
        );
      }
      const block = src.read(pos, BLOCK_LENGTH);
      for (let c = 0; c < BLOCK_LENGTH / CARD_LENGTH; c++) {
        const off = c * CARD_LENGTH;
        const card = dec.decode(block.subarray(off, off + CARD_LENGTH));
        if (ended) continue;
        const key = card.slice(0, 8).trimEnd();
        if (!PRINTABLE.test(card)) {
          throw new FitsSyntaxError(
            `Bad FITS file "${name}": HDU ${hduIndex} card ${
              cards.length + 1
            } is not ASCII text (END missing?)`,
          );
        }
        if (hduIndex === 0 && cards.length === 0 && key !== "SIMPLE") {
          throw new FitsSyntaxError(`Bad FITS file "${name}": first card is not SIMPLE`);
        }
        if (key === "END") {
          ended = true;
          continue;
        }
        cards.push(card);
        const cardNo = cards.length;
        if (key === "HISTORY") {
          history.push(card.slice(8).trimEnd());
          lastStringKey = null;
          continue;
        }
        if (key === "CONTINUE" && lastStringKey !== null) {
          let pv: ParsedValue;
          try {
            pv = parseCardValue(card.slice(8));
          } catch (e) {
            throw new FitsSyntaxError(
              `Bad FITS file "${name}": HDU ${hduIndex} card ${cardNo} (CONTINUE): ${(e as Error).message}`,
            );
          }
          const prev = header.get(lastStringKey);
          if (typeof prev === "string" && prev.endsWith("&") && typeof pv.value === "string") {
            header.set(lastStringKey, prev.slice(0, -1) + pv.value);
            if (pv.comment) comments.set(lastStringKey, pv.comment);
            continue;
          }
          lastStringKey = null;
          continue;
        }
        lastStringKey = null;
        if (card.slice(8, 10) !== "= " || key === "" || key === "COMMENT") continue;
        let pv: ParsedValue;
        try {
          pv = parseCardValue(card.slice(10));
        } catch (e) {
          throw new FitsSyntaxError(
            `Bad FITS file "${name}": HDU ${hduIndex} card ${cardNo} (${key}): ${(e as Error).message}`,
          );
        }
        if (pv.value === undefined || header.has(key)) continue;
        header.set(key, pv.value);
        if (pv.comment) comments.set(key, pv.comment);
        if (typeof pv.value === "string") lastStringKey = key;
      }
      pos += BLOCK_LENGTH;
    }
    const bad = (what: string): FitsSyntaxError =>
      new FitsSyntaxError(`Bad FITS file "${name}": HDU ${hduIndex} ${what}`);
    const bitpix = intKey(header, "BITPIX", name, hduIndex);
    if (![8, 16, 32, 64, -32, -64].includes(bitpix)) throw bad(`has invalid BITPIX ${bitpix}`);
    const naxis = intKey(header, "NAXIS", name, hduIndex);
    if (naxis < 0 || naxis > 999) throw bad(`has invalid NAXIS ${naxis}`);
    const shape: number[] = [];
    for (let i = 1; i <= naxis; i++) {
      const n = intKey(header, `NAXIS${i}`, name, hduIndex);
      if (n < 0) throw bad(`has negative NAXIS${i} ${n}`);
      shape.push(n);
    }
    const type = hduIndex === 0 ? "PRIMARY" : String(header.get("XTENSION") ?? "").trim();
    const pcount = header.has("PCOUNT") ? intKey(header, "PCOUNT", name, hduIndex) : 0;
    const gcount = header.has("GCOUNT") ? intKey(header, "GCOUNT", name, hduIndex) : 1;
    if (pcount < 0) throw bad(`has negative PCOUNT ${pcount}`);
    if (gcount < 0) throw bad(`has negative GCOUNT ${gcount}`);
    const count = naxis === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
    const bpp = Math.abs(bitpix) / 8;
    const nbytes = bpp * gcount * (pcount + count);
    if (!Number.isSafeInteger(nbytes) || pos + nbytes > src.size) {
      throw new FitsSyntaxError(
        `Bad FITS file "${name}": HDU ${hduIndex} data need ${nbytes} bytes but only ${
          src.size - pos
        } remain (truncated file?)`,
      );
    }
    let data: FitsData;
    const isImage = type === "PRIMARY" || type === "IMAGE";
    if (isImage) {
      if (gcount !== 1 || pcount !== 0) {
        throw bad(`is an image with PCOUNT ${pcount} GCOUNT ${gcount} (must be 0 and 1)`);
      }
      if (![8, 16, 32, -32, -64].includes(bitpix)) {
        throw new FitsSyntaxError(
          `Bad FITS file "${name}": HDU ${hduIndex} has unsupported BITPIX ${bitpix}`,
        );
      }
      if (!withData) {
        hdus.push({ header, comments, cards, type, shape, bitpix, data: emptyData(bitpix), history });
        pos += Math.ceil(nbytes / BLOCK_LENGTH) * BLOCK_LENGTH;
        continue;
      }
      data = decodePixels(src.read(pos, nbytes), 0, count, bitpix);
      const bscale = Number(header.get("BSCALE") ?? 1);
      const bzero = Number(header.get("BZERO") ?? 0);
      const blank = header.get("BLANK");
      if (bitpix > 0 && (bscale !== 1 || bzero !== 0 || typeof blank === "number")) {
        const out = bitpix === 32 ? new Float64Array(count) : new Float32Array(count);
        for (let i = 0; i < count; i++) {
          const raw = data[i]!;
          out[i] = typeof blank === "number" && raw === blank ? NaN : raw * bscale + bzero;
        }
        data = out;
      } else if (bitpix < 0 && (bscale !== 1 || bzero !== 0)) {
        for (let i = 0; i < count; i++) data[i] = data[i]! * bscale + bzero;
      }
    } else {
      data = withData ? src.read(pos, nbytes).slice() : new Uint8Array(0);
    }
    hdus.push({ header, comments, cards, type, shape, bitpix, data, history });
    const end = pos + Math.ceil(nbytes / BLOCK_LENGTH) * BLOCK_LENGTH;
    const fill = src.read(pos + nbytes, Math.min(end, src.size) - pos - nbytes);
    if (fill.some((x) => x !== 0)) {
      inputWarning(
        `${name}: HDU ${hduIndex}: the fill after the data unit is not zero (BITPIX/NAXISn/PCOUNT/GCOUNT wrong?)`,
      );
    }
    pos = end;
  }
  if (hdus.length === 0) throw new FitsSyntaxError(`Bad FITS file "${name}": empty file`);
  return { hdus, name };
}

/**
 * Read a FITS file with positioned reads, one header block and one data unit at a time (memory:
 * the decoded arrays only). `{ data: false }` reads the headers only. Errors name the file.
 */
export function readFits(path: string, opts: ReadFitsOptions = {}): FitsFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new FitsSyntaxError(`Cannot read FITS file "${path}": ${(e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const src: ByteSource = {
      size,
      read(offset: number, length: number): Uint8Array {
        const n = Math.max(0, Math.min(length, size - offset));
        const buf = new Uint8Array(n);
        if (readFullSync(fd, buf, offset) < n) {
          throw new FitsSyntaxError(`Cannot read FITS file "${path}": unexpected end of file`);
        }
        return buf;
      },
    };
    return parseSource(src, path, opts.data ?? true);
  } finally {
    closeSync(fd);
  }
}

/** The first image HDU with data (the primary, or the first IMAGE extension when the primary is empty). */
export function firstImage(f: FitsFile): FitsHdu {
  const h = f.hdus.find((h) => (h.type === "PRIMARY" || h.type === "IMAGE") && h.shape.length > 0);
  if (h === undefined) {
    throw new FitsSyntaxError(
      f.name === undefined ? "FITS file has no image data" : `FITS file "${f.name}" has no image data`,
    );
  }
  return h;
}
