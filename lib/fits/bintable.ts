/**
 * FITS binary tables (FITS 4.0 §7.3): an encoder for a file made of an empty primary HDU and
 * BINTABLE extensions, and a decoder of the BINTABLE HDUs that {@link parseFits}/{@link readFits}
 * list with their raw data bytes. Column types L, B, I, J, K, E, D and A with a repeat count
 * (`256E`, `32A`); TSCAL/TZERO are applied to integer columns; variable-length arrays (P, Q), bit
 * (X) and complex (C, M) columns are refused with a message naming the column.
 *
 * @example
 * ```ts
 * import { FitsHeader } from "./header.ts";
 * import { parseFits } from "./reader.ts";
 *
 * const bytes = encodeBinTableFile(new FitsHeader(), [{
 *   extname: "SINGLE DISH",
 *   nrows: 2,
 *   columns: [{ name: "DATA", format: "E", repeat: 4, unit: "K", data: new Float32Array(8) }],
 * }]);
 * const t = readBinTable(parseFits(bytes).hdus[1]!);
 * t.column("DATA").repeat; // 4
 * ```
 * @module
 */
import { BLOCK_LENGTH, FitsHeader, renderCardText } from "./header.ts";
import type { FitsHdu } from "./reader.ts";
import { FitsSyntaxError } from "./reader.ts";

/** Column type letters supported here. */
export type BinFormat = "L" | "B" | "I" | "J" | "K" | "E" | "D" | "A";

const WIDTH: Record<BinFormat, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1 };

/** Values of one column, all rows (row-major, `repeat` values per row). */
export type BinColumnData =
  | Float32Array
  | Float64Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | boolean[]
  | string[];

/** One column to write. */
export interface BinColumnSpec {
  name: string;
  format: BinFormat;
  /** Values per row (characters per row for A). Default 1. */
  repeat?: number;
  unit?: string;
  /** nrows·repeat values; for A one string per row (padded with blanks, longer is an error). */
  data: BinColumnData;
}

/** One BINTABLE extension to write. */
export interface BinTableSpec {
  extname: string;
  nrows: number;
  columns: BinColumnSpec[];
  /** Cards after the table's structural and column keywords. */
  header?: FitsHeader;
}

/** TFORM of a column (`256E`, `8A`, `D`). */
export function tform(c: { format: BinFormat; repeat?: number }): string {
  const r = c.repeat ?? 1;
  return r === 1 && c.format !== "A" ? c.format : `${r}${c.format}`;
}

function checkColumn(c: BinColumnSpec, nrows: number, ext: string): void {
  const r = c.repeat ?? 1;
  if (!Number.isSafeInteger(r) || r < 0) throw new RangeError(`${ext}: column ${c.name}: bad repeat ${r}`);
  const want = c.format === "A" ? nrows : nrows * r;
  if (c.data.length !== want) {
    throw new RangeError(`${ext}: column ${c.name} has ${c.data.length} values, expected ${want}`);
  }
  const ok = (() => {
    switch (c.format) {
      case "E":
        return c.data instanceof Float32Array;
      case "D":
        return c.data instanceof Float64Array;
      case "I":
        return c.data instanceof Int16Array;
      case "J":
        return c.data instanceof Int32Array;
      case "K":
        return c.data instanceof BigInt64Array;
      case "B":
        return c.data instanceof Uint8Array;
      case "L":
        return Array.isArray(c.data) && c.data.every((v) => typeof v === "boolean");
      case "A":
        return Array.isArray(c.data) && c.data.every((v) => typeof v === "string");
    }
  })();
  if (!ok) throw new RangeError(`${ext}: column ${c.name}: data do not match TFORM ${tform(c)}`);
}

/** The bytes of one BINTABLE HDU (header and padded data). */
export function encodeBinTable(t: BinTableSpec): Uint8Array {
  const ext = `extension ${t.extname}`;
  const widths = t.columns.map((c) => WIDTH[c.format] * (c.repeat ?? 1));
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  for (const c of t.columns) checkColumn(c, t.nrows, ext);
  if (t.columns.length > 999) throw new RangeError(`${ext}: more than 999 columns`);
  const lead = [
    renderCardText("XTENSION", "BINTABLE", "binary table extension"),
    renderCardText("BITPIX", 8, "8-bit bytes", "int"),
    renderCardText("NAXIS", 2, "2-dimensional binary table", "int"),
    renderCardText("NAXIS1", rowBytes, "width of table in bytes", "int"),
    renderCardText("NAXIS2", t.nrows, "number of rows in table", "int"),
    renderCardText("PCOUNT", 0, "size of special data area", "int"),
    renderCardText("GCOUNT", 1, "one data group", "int"),
    renderCardText("TFIELDS", t.columns.length, "number of fields in each row", "int"),
  ];
  const cols = new FitsHeader();
  t.columns.forEach((c, i) => {
    cols.set(`TTYPE${i + 1}`, c.name);
    cols.set(`TFORM${i + 1}`, tform(c));
    if (c.unit !== undefined && c.unit !== "") cols.set(`TUNIT${i + 1}`, c.unit);
  });
  cols.set("EXTNAME", t.extname, "name of this binary table extension");
  if (t.header) cols.merge(t.header);
  const head = cols.encode(lead);
  const nbytes = rowBytes * t.nrows;
  const body = new Uint8Array(Math.ceil(nbytes / BLOCK_LENGTH) * BLOCK_LENGTH);
  const dv = new DataView(body.buffer);
  let colOff = 0;
  t.columns.forEach((c, ci) => {
    const r = c.repeat ?? 1;
    for (let row = 0; row < t.nrows; row++) {
      const o = row * rowBytes + colOff;
      const d = c.data;
      switch (c.format) {
        case "E":
          for (let k = 0; k < r; k++) dv.setFloat32(o + 4 * k, (d as Float32Array)[row * r + k]!, false);
          break;
        case "D":
          for (let k = 0; k < r; k++) dv.setFloat64(o + 8 * k, (d as Float64Array)[row * r + k]!, false);
          break;
        case "I":
          for (let k = 0; k < r; k++) dv.setInt16(o + 2 * k, (d as Int16Array)[row * r + k]!, false);
          break;
        case "J":
          for (let k = 0; k < r; k++) dv.setInt32(o + 4 * k, (d as Int32Array)[row * r + k]!, false);
          break;
        case "K":
          for (let k = 0; k < r; k++) dv.setBigInt64(o + 8 * k, (d as BigInt64Array)[row * r + k]!, false);
          break;
        case "B":
          body.set((d as Uint8Array).subarray(row * r, row * r + r), o);
          break;
        case "L":
          for (let k = 0; k < r; k++) body[o + k] = (d as boolean[])[row * r + k] ? 0x54 : 0x46;
          break;
        case "A": {
          const s = (d as string[])[row]!;
          if (s.length > r) {
            throw new RangeError(
              `${ext}: column ${c.name} row ${row + 1}: "${s}" is longer than ${r} characters`,
            );
          }
          for (let k = 0; k < r; k++) {
            const ch = k < s.length ? s.charCodeAt(k) : 0x20;
            if (ch < 32 || ch > 126) {
              throw new RangeError(`${ext}: column ${c.name} row ${row + 1}: non-ASCII character`);
            }
            body[o + k] = ch;
          }
          break;
        }
      }
    }
    colOff += widths[ci]!;
  });
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** A whole file: an empty primary HDU with `primary` cards, then the tables. */
export function encodeBinTableFile(primary: FitsHeader, tables: BinTableSpec[]): Uint8Array {
  const lead = [
    renderCardText("SIMPLE", true, "conforms to FITS standard"),
    renderCardText("BITPIX", 8, "array data type", "int"),
    renderCardText("NAXIS", 0, "no primary data array", "int"),
    renderCardText("EXTEND", true, "file contains extensions"),
  ];
  const p = primary.clone();
  for (const k of p.keys()) {
    if (/^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|END)$/.test(k)) p.delete(k);
  }
  const parts = [p.encode(lead), ...tables.map(encodeBinTable)];
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** One decoded column. */
export interface BinColumn {
  name: string;
  format: BinFormat;
  repeat: number;
  unit: string;
  /** Byte offset within a row. */
  offset: number;
}

/** A decoded BINTABLE: column descriptions and typed access by name. */
export interface BinTable {
  extname: string;
  nrows: number;
  rowBytes: number;
  columns: BinColumn[];
  header: Map<string, unknown>;
  /** True when the table has a column of this name (case-insensitive, as FITS). */
  has(name: string): boolean;
  /** The column's description; throws when absent. */
  column(name: string): BinColumn;
  /**
   * Numeric values of a column as float64 (nrows·repeat, row-major; TSCAL/TZERO applied; L gives
   * 1/0, NaN for undefined logicals).
   */
  numbers(name: string): Float64Array;
  /** float32 values of an E column without conversion (other numeric types are converted). */
  float32(name: string, row0?: number, nrows?: number): Float32Array;
  /** Strings of an A column (trailing blanks and NULs removed). */
  strings(name: string): string[];
}

const TFORM_RE = /^\s*(\d*)([LXBIJKAEDCMPQ])(.*)$/;

/** Decode a BINTABLE HDU listed by the reader (its data are the raw table bytes). */
export function readBinTable(hdu: FitsHdu, name = "<memory>"): BinTable {
  const h = hdu.header;
  const bad = (m: string) => new FitsSyntaxError(`Bad FITS file "${name}": ${m}`);
  if (hdu.type !== "BINTABLE") throw bad(`HDU is ${hdu.type || "PRIMARY"}, not a BINTABLE`);
  const extname = String(h.get("EXTNAME") ?? "").trim();
  const nf = h.get("TFIELDS");
  if (typeof nf !== "number" || !Number.isInteger(nf) || nf < 0 || nf > 999) {
    throw bad(`BINTABLE ${extname}: bad TFIELDS`);
  }
  const [rowBytes, nrows] = [hdu.shape[0] ?? 0, hdu.shape[1] ?? 0];
  const columns: BinColumn[] = [];
  const scale: { zero: number; scal: number }[] = [];
  let off = 0;
  for (let i = 1; i <= nf; i++) {
    const f = String(h.get(`TFORM${i}`) ?? "");
    const m = TFORM_RE.exec(f);
    const cname = String(h.get(`TTYPE${i}`) ?? `COL${i}`).trim();
    if (m === null) throw bad(`BINTABLE ${extname}: column ${cname}: bad TFORM${i} "${f}"`);
    const repeat = m[1] === "" ? 1 : Number(m[1]);
    const letter = m[2]!;
    if (!(letter in WIDTH)) {
      throw bad(`BINTABLE ${extname}: column ${cname}: TFORM ${f} is not supported (L B I J K E D A only)`);
    }
    const format = letter as BinFormat;
    columns.push({ name: cname, format, repeat, unit: String(h.get(`TUNIT${i}`) ?? "").trim(), offset: off });
    const z = h.get(`TZERO${i}`), s = h.get(`TSCAL${i}`);
    scale.push({ zero: typeof z === "number" ? z : 0, scal: typeof s === "number" ? s : 1 });
    off += WIDTH[format] * repeat;
  }
  if (off !== rowBytes) throw bad(`BINTABLE ${extname}: columns take ${off} bytes but NAXIS1 is ${rowBytes}`);
  const bytes = hdu.data as Uint8Array;
  if (bytes.length < rowBytes * nrows) {
    throw bad(`BINTABLE ${extname}: data hold ${bytes.length} bytes, the table needs ${rowBytes * nrows}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const byName = new Map<string, number>();
  columns.forEach((c, i) => {
    const k = c.name.toUpperCase();
    if (!byName.has(k)) byName.set(k, i);
  });
  const index = (n: string): number => {
    const i = byName.get(n.toUpperCase());
    if (i === undefined) throw bad(`BINTABLE ${extname} has no column ${n}`);
    return i;
  };
  const numbers = (n: string): Float64Array => {
    const ci = index(n);
    const c = columns[ci]!;
    const { zero, scal } = scale[ci]!;
    if (c.format === "A") throw bad(`BINTABLE ${extname}: column ${c.name} is not numeric`);
    const out = new Float64Array(nrows * c.repeat);
    for (let row = 0; row < nrows; row++) {
      const o = row * rowBytes + c.offset;
      for (let k = 0; k < c.repeat; k++) {
        let v: number;
        switch (c.format) {
          case "E":
            v = dv.getFloat32(o + 4 * k, false);
            break;
          case "D":
            v = dv.getFloat64(o + 8 * k, false);
            break;
          case "I":
            v = dv.getInt16(o + 2 * k, false) * scal + zero;
            break;
          case "J":
            v = dv.getInt32(o + 4 * k, false) * scal + zero;
            break;
          case "K":
            v = Number(dv.getBigInt64(o + 8 * k, false)) * scal + zero;
            break;
          case "B":
            v = bytes[o + k]! * scal + zero;
            break;
          default: {
            const b = bytes[o + k]!;
            v = b === 0x54 ? 1 : b === 0x46 ? 0 : NaN;
          }
        }
        out[row * c.repeat + k] = v;
      }
    }
    return out;
  };
  return {
    extname,
    nrows,
    rowBytes,
    columns,
    header: h,
    has: (n) => byName.has(n.toUpperCase()),
    column: (n) => columns[index(n)]!,
    numbers,
    float32(n, row0 = 0, count = nrows - row0): Float32Array {
      const c = columns[index(n)]!;
      if (c.format !== "E") {
        return Float32Array.from(numbers(n).subarray(row0 * c.repeat, (row0 + count) * c.repeat));
      }
      const out = new Float32Array(count * c.repeat);
      for (let row = 0; row < count; row++) {
        const o = (row0 + row) * rowBytes + c.offset;
        for (let k = 0; k < c.repeat; k++) out[row * c.repeat + k] = dv.getFloat32(o + 4 * k, false);
      }
      return out;
    },
    strings(n): string[] {
      const c = columns[index(n)]!;
      if (c.format !== "A") throw bad(`BINTABLE ${extname}: column ${c.name} is not a string column`);
      const dec = new TextDecoder("latin1");
      const out: string[] = [];
      for (let row = 0; row < nrows; row++) {
        const o = row * rowBytes + c.offset;
        out.push(dec.decode(bytes.subarray(o, o + c.repeat)).replace(/\0.*$/s, "").trimEnd());
      }
      return out;
    },
  };
}
