/**
 * FITS header cards: a small builder that writes fixed-format 80-character cards.
 *
 * Rules followed (FITS 4.0 §4): keyword in columns 1–8 (A–Z, 0–9, `_`, `-`), `= ` in columns 9–10,
 * logical and numeric values right-justified to column 30, strings in single quotes with `''`
 * escaping, padded to at least 8 characters inside the quotes and left-justified in a 20-column
 * field; ` / comment` after the value (comments that do not fit are truncated). Float values are
 * written with the shortest representation that reads back as the same double, always with a
 * decimal point or an exponent, so a reader keeps them as floats (`19.0`, `1.0E-05`,
 * `394594.8046875`). Strings longer than one card use the CONTINUE long-string convention.
 * COMMENT and HISTORY text is split into consecutive 72-character pieces (as cfitsio does), so
 * concatenating the pieces gives back the text.
 *
 * @example
 * ```ts
 * const h = new FitsHeader();
 * h.set("CRVAL1", 198, "deg");         // CRVALn is a float keyword: written as 198.0
 * h.set("OBJECT", "SAMPLE-OTF");
 * h.history("grid_data in=x.nc out=x.fits");
 * h.cards()[0]; // "CRVAL1  =                198.0 / deg" padded to 80 columns
 * ```
 * @module
 */

/** A header value. Numbers are floats or integers, see {@link FitsHeader.set}. */
export type FitsValue = number | string | boolean;

/** Length of a card and of a block. */
export const CARD_LENGTH = 80;
/** FITS logical record (block) length in bytes. */
export const BLOCK_LENGTH = 2880;

/** Keywords whose values are always floats in FITS WCS / data conventions (written with a `.`). */
const FLOAT_KEYWORD =
  /^(CRVAL\d+[A-Z]?|CDELT\d+[A-Z]?|CRPIX\d+[A-Z]?|CROTA\d+|PC\d+_\d+[A-Z]?|CD\d+_\d+[A-Z]?|PV\d+_\d+[A-Z]?|RESTFRQ|RESTFREQ|RESTWAV|BMAJ|BMIN|BPA|EQUINOX|EPOCH|LONPOLE|LATPOLE|MJD-OBS|MJD-AVG|DATAMIN|DATAMAX|VLSR|VSOURCE|ZSOURCE|VELO-LSR|OBSFREQ|IMAGFREQ|EXPTIME|EXPOSURE)$/;

const KEYWORD_RE = /^[A-Z0-9_-]{1,8}$/;

/** Commentary keywords: no `= ` value indicator, text from column 9. */
const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);

/** How a number is written: integer (`%d`) or float (shortest round trip). */
export type NumberFormat = "int" | "float";

interface Card {
  key: string;
  value?: FitsValue;
  comment?: string;
  format?: NumberFormat;
  /** For commentary cards: the text (≤ 72 chars). */
  text?: string;
}

/** Throw RangeError unless `key` is a valid FITS keyword (≤ 8 chars of A–Z, 0–9, `_`, `-`). */
export function checkKeyword(key: string): void {
  if (!KEYWORD_RE.test(key)) {
    throw new RangeError(
      `Invalid FITS keyword "${key}": expected 1 to 8 characters of A-Z, 0-9, "_" or "-"`,
    );
  }
}

function checkAscii(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) {
      throw new RangeError(`Invalid character (code ${c}) in FITS ${what}: only printable ASCII is allowed`);
    }
  }
}

/**
 * Format a float for a FITS card: the shortest string that reads back as the same double, with a
 * decimal point or an `E` exponent (two or more exponent digits), whichever of the fixed and the
 * exponential forms is shorter. Nearly all values fit in the 20-column fixed-format field; the few
 * that need 17 significant digits (e.g. -6.5/3600 = `-0.0018055555555555557`, 22 characters) are
 * kept whole and written free-format (the value field then starts in column 11), never truncated.
 */
export function formatFloat(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`Cannot write ${v} as a FITS header value`);
  if (Object.is(v, -0)) v = 0;
  const e = v.toExponential(); // shortest round-trip mantissa
  const [mant, exp] = e.split("e") as [string, string];
  const expo = `${mant.includes(".") ? mant : mant + ".0"}E${exp.startsWith("-") ? "-" : "+"}${
    exp.replace(/^[+-]/, "").padStart(2, "0")
  }`;
  const s = String(v);
  if (s.includes("e")) return expo;
  const fixed = s.includes(".") ? s : s + ".0";
  return fixed.length <= expo.length ? fixed : expo;
}

/** Format an integer value (must be a safe integer). */
export function formatInt(v: number): string {
  if (!Number.isSafeInteger(v)) throw new RangeError(`Cannot write ${v} as a FITS integer value`);
  return String(v);
}

/** Quote a string value: `'` doubled, padded to ≥ 8 characters inside the quotes. */
export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''").padEnd(8, " ")}'`;
}

function pad80(s: string): string {
  return s.length >= CARD_LENGTH ? s.slice(0, CARD_LENGTH) : s.padEnd(CARD_LENGTH, " ");
}

function withComment(head: string, comment: string | undefined): string {
  if (comment === undefined || comment === "") return pad80(head);
  const room = CARD_LENGTH - head.length - 3;
  if (room <= 0) return pad80(head);
  return pad80(`${head} / ${comment.slice(0, room)}`);
}

/** Split an escaped long string into pieces of ≤ n characters that never split a `''` pair. */
function splitEscaped(escaped: string, n: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < escaped.length) {
    let end = Math.min(i + n, escaped.length);
    // Count quotes in [i, end): if a `''` pair straddles `end`, back off one character.
    if (end < escaped.length) {
      let q = 0;
      for (let j = i; j < end; j++) if (escaped[j] === "'") q++;
      if (q % 2 === 1) end--;
    }
    out.push(escaped.slice(i, end));
    i = end;
  }
  return out;
}

function renderValueCard(c: Card): string[] {
  const key = c.key.padEnd(8, " ");
  const v = c.value!;
  if (typeof v === "string") {
    const q = quoteString(v);
    if (q.length <= 70) return [withComment(`${key}= ${q.padEnd(20, " ")}`, c.comment)];
    // Long-string (CONTINUE) convention: every piece but the last ends in `&`.
    const pieces = splitEscaped(v.replace(/'/g, "''"), 67);
    const cards: string[] = [];
    pieces.forEach((p, i) => {
      const last = i === pieces.length - 1;
      const body = last ? `'${p}'` : `'${p}&'`;
      const head = i === 0 ? `${key}= ${body}` : `CONTINUE  ${body}`;
      cards.push(last ? withComment(head, c.comment) : pad80(head));
    });
    return cards;
  }
  let text: string;
  if (typeof v === "boolean") text = v ? "T" : "F";
  else text = c.format === "int" ? formatInt(v) : formatFloat(v);
  // Fixed format (right-justified to column 30) when it fits, else free format from column 11.
  return [withComment(`${key}= ${text.padStart(20, " ")}`, c.comment)];
}

function renderCard(c: Card): string[] {
  if (COMMENTARY.has(c.key)) return [pad80(c.key.padEnd(8, " ") + (c.text ?? ""))];
  if (c.key === "END") return [pad80("END")];
  return renderValueCard(c);
}

/**
 * An ordered list of FITS header cards. `set` replaces an existing keyword in place (like
 * cfitsio's `fits_update_key`); COMMENT and HISTORY cards are appended.
 */
export class FitsHeader {
  #cards: Card[] = [];

  /**
   * Set a keyword. Numbers are written as floats when they are not integers, when the keyword is a
   * known float keyword (CRVALn, CDELTn, CRPIXn, RESTFRQ, BMAJ, EQUINOX, ...), or when
   * `format: "float"` is given; otherwise as integers. NaN/Infinity are rejected (RangeError).
   */
  set(key: string, value: FitsValue, comment?: string, opts: { format?: NumberFormat } = {}): this {
    checkKeyword(key);
    if (COMMENTARY.has(key) || key === "END" || key === "CONTINUE") {
      throw new RangeError(`Keyword "${key}" cannot be set with a value; use comment() or history()`);
    }
    if (comment !== undefined) checkAscii(comment, `comment of ${key}`);
    let format: NumberFormat | undefined;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        throw new RangeError(`Cannot write ${value} as the value of FITS keyword ${key}`);
      }
      format = opts.format ??
        (FLOAT_KEYWORD.test(key) || !Number.isInteger(value) ? "float" : "int");
      if (format === "int" && !Number.isSafeInteger(value)) {
        throw new RangeError(`Cannot write ${value} as the integer value of FITS keyword ${key}`);
      }
    } else if (typeof value === "string") {
      checkAscii(value, `value of ${key}`);
    }
    const card: Card = { key, value };
    if (comment !== undefined) card.comment = comment;
    if (format !== undefined) card.format = format;
    const i = this.#cards.findIndex((c) => c.key === key);
    if (i >= 0) this.#cards[i] = card;
    else this.#cards.push(card);
    return this;
  }

  /** Append HISTORY cards; text longer than 72 characters continues on further cards. */
  history(text: string): this {
    return this.#commentary("HISTORY", text);
  }

  /** Append COMMENT cards; text longer than 72 characters continues on further cards. */
  comment(text: string): this {
    return this.#commentary("COMMENT", text);
  }

  #commentary(key: string, text: string): this {
    checkAscii(text, key);
    if (text.length === 0) {
      this.#cards.push({ key, text: "" });
      return this;
    }
    for (let i = 0; i < text.length; i += 72) this.#cards.push({ key, text: text.slice(i, i + 72) });
    return this;
  }

  /** The value of a keyword, or undefined. */
  get(key: string): FitsValue | undefined {
    return this.#cards.find((c) => c.key === key && c.value !== undefined)?.value;
  }

  /** Whether a valued keyword is present. */
  has(key: string): boolean {
    return this.#cards.some((c) => c.key === key && c.value !== undefined);
  }

  /** Remove a valued keyword (no-op when absent). */
  delete(key: string): this {
    this.#cards = this.#cards.filter((c) => c.key !== key || c.value === undefined);
    return this;
  }

  /** Keywords in order (commentary cards excluded). */
  keys(): string[] {
    return this.#cards.filter((c) => c.value !== undefined).map((c) => c.key);
  }

  /** Append every card of another header (valued keywords replace existing ones). */
  merge(other: FitsHeader): this {
    for (const c of other.#cards) {
      if (c.value !== undefined) {
        const opts: { format?: NumberFormat } = {};
        if (c.format !== undefined) opts.format = c.format;
        this.set(c.key, c.value, c.comment, opts);
      } else this.#cards.push({ ...c });
    }
    return this;
  }

  /** A copy. */
  clone(): FitsHeader {
    return new FitsHeader().merge(this);
  }

  /** The cards as 80-character strings, without the END card. */
  cards(): string[] {
    const out: string[] = [];
    let longstrn = this.has("LONGSTRN");
    for (const c of this.#cards) {
      const r = renderCard(c);
      if (r.length > 1 && !longstrn) {
        // HEASARC convention: announce the CONTINUE long-string convention once, before its first use
        out.push(
          renderValueCard({
            key: "LONGSTRN",
            value: "OGIP 1.0",
            comment: "long string convention may be used",
          })[0]!,
        );
        longstrn = true;
      }
      out.push(...r);
    }
    return out;
  }

  /**
   * The header unit bytes: `leading` cards (already rendered, e.g. SIMPLE/BITPIX/NAXIS by the writer),
   * then these cards, END, blank-padded to a multiple of 2880 bytes.
   */
  encode(leading: string[] = []): Uint8Array {
    const all = [...leading, ...this.cards(), pad80("END")];
    const n = Math.ceil((all.length * CARD_LENGTH) / BLOCK_LENGTH) * BLOCK_LENGTH;
    const out = new Uint8Array(n).fill(0x20);
    let o = 0;
    for (const card of all) {
      for (let i = 0; i < CARD_LENGTH; i++) out[o + i] = card.charCodeAt(i);
      o += CARD_LENGTH;
    }
    return out;
  }
}

/** Render one valued card (used by the writer for the mandatory keywords). */
export function renderCardText(
  key: string,
  value: FitsValue,
  comment?: string,
  format?: NumberFormat,
): string {
  checkKeyword(key);
  const c: Card = { key, value };
  if (comment !== undefined) c.comment = comment;
  if (format !== undefined) c.format = format;
  else if (typeof value === "number") c.format = Number.isInteger(value) ? "int" : "float";
  return renderValueCard(c)[0]!;
}
