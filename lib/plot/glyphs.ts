/**
 * Glyph outlines of a TrueType font (the `glyf` flavour, as DejaVu Sans) and text set as SVG path data.
 *
 * Why: the rasterizer (resvg) lays out every `<text>` of a page by opening, mapping and parsing the font
 * file again, several times per label; for the ~40 labels of a plot page that was the largest part of
 * rasterizing it. The render threads therefore set the labels as paths themselves ({@link textToPaths}),
 * with outlines read once per thread from the same DejaVu files resvg would use. Layout is the simple one:
 * advance widths from `hmtx` plus the pair kerning of the `kern` table, no hinting (resvg does not hint
 * either).
 *
 * Reads: `head` (units per em, loca format), `hhea` + `hmtx` (advances), `maxp` (glyph count), `cmap`
 * (format 4, Unicode BMP), `loca` + `glyf` (simple and composite glyphs), `kern` (format 0, when present).
 * Anything else in the file is ignored; a file without the others is refused ({@link parseTrueType} throws
 * RangeError).
 *
 * @example
 * ```ts
 * const ttf = Deno.readFileSync("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
 * const font = parseTrueType(ttf);
 * const d = font.textPath("91.6", 11, 40, 16, "middle"); // path data of the label centred on x = 40
 * ```
 * @module
 */

/** A glyph's outline: contours of points (font units, y up) with on-curve flags. */
interface Outline {
  contours: { x: number[]; y: number[]; on: boolean[] }[];
}

/** A parsed font: what text setting needs. */
export interface TrueTypeFont {
  unitsPerEm: number;
  /** Glyph index of a code point (0, the missing glyph, when the font has none). */
  glyphOf(codePoint: number): number;
  /** Advance width of a glyph (font units). */
  advance(glyph: number): number;
  /** Width of `text` at `size` px. */
  width(text: string, size: number): number;
  /**
   * Path data of `text` at `size` px with its baseline at y and its anchor (start, middle, end) at x, in
   * SVG coordinates (y down).
   */
  textPath(text: string, size: number, x: number, y: number, anchor?: "start" | "middle" | "end"): string;
}

class Reader {
  readonly dv: DataView;
  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u8(o: number): number {
    return this.dv.getUint8(o);
  }
  u16(o: number): number {
    return this.dv.getUint16(o);
  }
  i16(o: number): number {
    return this.dv.getInt16(o);
  }
  u32(o: number): number {
    return this.dv.getUint32(o);
  }
}

/** Parse the tables of a TrueType font (throws RangeError on a file that is not one, or lacks a table). */
export function parseTrueType(bytes: Uint8Array): TrueTypeFont {
  const r = new Reader(bytes);
  const tables = new Map<string, { off: number; len: number }>();
  try {
    const n = r.u16(4);
    for (let i = 0; i < n; i++) {
      const e = 12 + 16 * i;
      const tag = String.fromCharCode(r.u8(e), r.u8(e + 1), r.u8(e + 2), r.u8(e + 3));
      tables.set(tag, { off: r.u32(e + 8), len: r.u32(e + 12) });
    }
  } catch {
    throw new RangeError("not a TrueType font: truncated table directory");
  }
  const t = (tag: string) => {
    const x = tables.get(tag);
    if (x === undefined || x.off + x.len > bytes.length) {
      throw new RangeError(`TrueType font without a ${tag} table`);
    }
    return x.off;
  };
  const head = t("head"), hhea = t("hhea"), hmtx = t("hmtx"), maxp = t("maxp"), cmap = t("cmap");
  const loca = t("loca"), glyf = t("glyf");
  const unitsPerEm = r.u16(head + 18);
  const longLoca = r.i16(head + 50) === 1;
  const nGlyphs = r.u16(maxp + 4);
  const nMetrics = r.u16(hhea + 34);
  const cmapLookup = cmapFormat4(r, cmap);
  const locaAt = (g: number) => (longLoca ? r.u32(loca + 4 * g) : 2 * r.u16(loca + 2 * g));
  const advance = (g: number) => r.u16(hmtx + 4 * Math.min(g, nMetrics - 1));
  const outlines = new Map<number, Outline>();

  const outline = (g: number, depth = 0): Outline => {
    const cached = outlines.get(g);
    if (cached !== undefined) return cached;
    const o: Outline = { contours: [] };
    if (g < nGlyphs && depth < 8) {
      const start = locaAt(g), end = locaAt(g + 1);
      if (end > start) readGlyph(r, glyf + start, o, (c) => outline(c, depth + 1));
    }
    outlines.set(g, o);
    return o;
  };

  const kern = tables.has("kern") ? kernPairs(r, t("kern")) : new Map<number, number>();
  const glyphOf = (cp: number) => cmapLookup(cp);
  /** Glyphs of `text` with their pen positions (font units). */
  const layout = (text: string) => {
    const gs: number[] = [], at: number[] = [];
    let pen = 0, prev = -1;
    for (const ch of text) {
      const g = glyphOf(ch.codePointAt(0)!);
      if (prev >= 0) pen += kern.get(prev * 65536 + g) ?? 0;
      gs.push(g), at.push(pen);
      pen += advance(g);
      prev = g;
    }
    return { gs, at, end: pen };
  };
  const width = (text: string, size: number) => (layout(text).end * size) / unitsPerEm;
  const textPath = (text: string, size: number, x: number, y: number, anchor = "start") => {
    const s = size / unitsPerEm;
    const l = layout(text);
    const x0 = x - (anchor === "middle" ? (l.end * s) / 2 : anchor === "end" ? l.end * s : 0);
    const parts: string[] = [];
    const f = (v: number) => (Math.round(v * 100) / 100).toString();
    l.gs.forEach((g, i) => {
      const pen = x0 + l.at[i]! * s;
      for (const c of outline(g).contours) {
        parts.push(contourPath(c, (px) => f(pen + px * s), (py) => f(y - py * s)));
      }
    });
    return parts.join("");
  };
  return { unitsPerEm, glyphOf, advance, width, textPath };
}

/** Horizontal pair kerning of a `kern` table (format 0 subtables): (left × 65536 + right) → adjustment. */
function kernPairs(r: Reader, kern: number): Map<number, number> {
  const pairs = new Map<number, number>();
  if (r.u16(kern) !== 0) return pairs; // the Apple form (version 1) is not read
  let p = kern + 4;
  for (let i = r.u16(kern + 2); i > 0; i--) {
    const coverage = r.u16(p + 4);
    // a format 0 subtable's length field overflows beyond 65535 bytes (DejaVu's does): its size is 14 + 6n
    const size = coverage >> 8 === 0 ? 14 + 6 * r.u16(p + 6) : r.u16(p + 2);
    // format 0, horizontal, kerning values (not minimum values), not cross-stream
    if (coverage >> 8 === 0 && (coverage & 0b111) === 0b001) {
      const n = r.u16(p + 6);
      for (let k = 0; k < n; k++) {
        const e = p + 14 + 6 * k;
        pairs.set(r.u16(e) * 65536 + r.u16(e + 2), r.i16(e + 4));
      }
    }
    p += size;
  }
  return pairs;
}

/** The cmap lookup of a font's Unicode BMP subtable (format 4). */
function cmapFormat4(r: Reader, cmap: number): (cp: number) => number {
  const n = r.u16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < n; i++) {
    const e = cmap + 4 + 8 * i;
    const platform = r.u16(e), encoding = r.u16(e + 2);
    const off = cmap + r.u32(e + 4);
    if (r.u16(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
      sub = off;
      break;
    }
  }
  if (sub < 0) throw new RangeError("TrueType font without a Unicode cmap (format 4)");
  const segs = r.u16(sub + 6) / 2;
  const ends = sub + 14, starts = ends + 2 * segs + 2, deltas = starts + 2 * segs, ranges = deltas + 2 * segs;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segs; i++) {
      if (cp > r.u16(ends + 2 * i)) continue;
      const start = r.u16(starts + 2 * i);
      if (cp < start) return 0;
      const ro = r.u16(ranges + 2 * i);
      if (ro === 0) return (cp + r.i16(deltas + 2 * i)) & 0xffff;
      const g = r.u16(ranges + 2 * i + ro + 2 * (cp - start));
      return g === 0 ? 0 : (g + r.i16(deltas + 2 * i)) & 0xffff;
    }
    return 0;
  };
}

/** Read one glyph at `p` into `o` (simple contours, or the components of a composite glyph). */
function readGlyph(r: Reader, p: number, o: Outline, component: (g: number) => Outline): void {
  const nContours = r.i16(p);
  if (nContours >= 0) {
    const ends: number[] = [];
    for (let i = 0; i < nContours; i++) ends.push(r.u16(p + 10 + 2 * i));
    const nPts = nContours === 0 ? 0 : ends[nContours - 1]! + 1;
    let q = p + 10 + 2 * nContours;
    q += 2 + r.u16(q); // instructions
    const flags: number[] = [];
    while (flags.length < nPts) {
      const f = r.u8(q++);
      flags.push(f);
      if (f & 8) {
        let rep = r.u8(q++);
        while (rep-- > 0) flags.push(f);
      }
    }
    const coords = (short: number, same: number) => {
      const v: number[] = [];
      let c = 0;
      for (const f of flags) {
        if (f & short) {
          const d = r.u8(q++);
          c += f & same ? d : -d;
        } else if (!(f & same)) {
          c += r.i16(q);
          q += 2;
        }
        v.push(c);
      }
      return v;
    };
    const xs = coords(2, 16), ys = coords(4, 32);
    let first = 0;
    for (const e of ends) {
      o.contours.push({
        x: xs.slice(first, e + 1),
        y: ys.slice(first, e + 1),
        on: flags.slice(first, e + 1).map((f) => (f & 1) === 1),
      });
      first = e + 1;
    }
    return;
  }
  // composite: components placed by offsets (and scales)
  let q = p + 10;
  for (;;) {
    const flags = r.u16(q), g = r.u16(q + 2);
    q += 4;
    let dx: number, dy: number;
    if (flags & 1) {
      dx = r.i16(q), dy = r.i16(q + 2);
      q += 4;
    } else {
      dx = (r.u8(q) << 24) >> 24, dy = (r.u8(q + 1) << 24) >> 24;
      q += 2;
    }
    if (!(flags & 2)) dx = dy = 0; // point-matched components: not used by the fonts drawn here
    let a = 1, b = 0, c = 0, d = 1;
    const f2dot14 = (at: number) => r.i16(at) / 16384;
    if (flags & 8) {
      a = d = f2dot14(q);
      q += 2;
    } else if (flags & 0x40) {
      a = f2dot14(q), d = f2dot14(q + 2);
      q += 4;
    } else if (flags & 0x80) {
      a = f2dot14(q), b = f2dot14(q + 2), c = f2dot14(q + 4), d = f2dot14(q + 6);
      q += 8;
    }
    for (const k of component(g).contours) {
      o.contours.push({
        x: k.x.map((x, i) => a * x + c * k.y[i]! + dx),
        y: k.y.map((y, i) => b * k.x[i]! + d * y + dy),
        on: k.on,
      });
    }
    if (!(flags & 0x20)) break;
  }
}

/** SVG path data of one quadratic contour (implied on-curve points between two off-curve ones). */
function contourPath(
  c: { x: number[]; y: number[]; on: boolean[] },
  X: (x: number) => string,
  Y: (y: number) => string,
): string {
  const n = c.x.length;
  if (n === 0) return "";
  // start on an on-curve point (or the midpoint of the first two off-curve points)
  let s = c.on.indexOf(true);
  let sx: number, sy: number;
  if (s < 0) {
    sx = (c.x[0]! + c.x[1 % n]!) / 2, sy = (c.y[0]! + c.y[1 % n]!) / 2;
    s = 0;
  } else {
    sx = c.x[s]!, sy = c.y[s]!;
  }
  let d = `M${X(sx)} ${Y(sy)}`;
  let ctrl: [number, number] | null = null;
  for (let k = 1; k <= n; k++) {
    const i = (s + k) % n;
    const x = c.x[i]!, y = c.y[i]!;
    if (c.on[i]) {
      d += ctrl === null ? `L${X(x)} ${Y(y)}` : `Q${X(ctrl[0])} ${Y(ctrl[1])} ${X(x)} ${Y(y)}`;
      ctrl = null;
    } else if (!c.on[i]) {
      if (ctrl !== null) {
        const mx = (ctrl[0] + x) / 2, my = (ctrl[1] + y) / 2;
        d += `Q${X(ctrl[0])} ${Y(ctrl[1])} ${X(mx)} ${Y(my)}`;
      }
      ctrl = [x, y];
    }
  }
  if (ctrl !== null) d += `Q${X(ctrl[0])} ${Y(ctrl[1])} ${X(sx)} ${Y(sy)}`;
  return d + "Z";
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/** Fonts for {@link textToPaths}: the regular and the bold face. */
export interface TextFonts {
  regular: TrueTypeFont;
  bold: TrueTypeFont;
}

/**
 * Replace the plain `<text>` elements of an SVG document (no child elements) by `<path>` elements of their
 * glyphs: the label's outline is made once with its anchor at the origin and placed by the path's
 * `transform` (the text's own `transform`, then a translation to `x`/`y`, default 0); size from `font-size`
 * (px, default 12), `font-weight` bold (or ≥ 600) → the bold face, `text-anchor`, and `fill`, `opacity`,
 * `fill-opacity` carried over (a path inherits its fill from its parents as text does). Elements with
 * children or other positioning attributes (dx, dy, rotate, textLength, dominant-baseline, ...) are left as
 * they are, for the rasterizer's own text layout.
 */
export function textToPaths(svg: string, fonts: TextFonts): string {
  return svg.replace(/<text\b([^>]*)>([^<]*)<\/text>/g, (whole, attrs: string, body: string) => {
    const a = new Map<string, string>();
    for (const m of attrs.matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) a.set(m[1]!, m[2]!);
    for (const k of a.keys()) {
      if (!KNOWN.has(k)) return whole;
    }
    const size = parseFloat(a.get("font-size") ?? "12");
    if (!(size > 0)) return whole;
    const weight = a.get("font-weight") ?? "normal";
    const font = weight === "bold" || weight === "bolder" || Number(weight) >= 600
      ? fonts.bold
      : fonts.regular;
    const anchor = a.get("text-anchor") ?? "start";
    if (anchor !== "start" && anchor !== "middle" && anchor !== "end") return whole;
    const x = parseFloat(a.get("x") ?? "0"), y = parseFloat(a.get("y") ?? "0");
    if (!Number.isFinite(x) || !Number.isFinite(y)) return whole;
    const d = labelAtOrigin(font, unescapeXml(body), size, anchor);
    if (d === "") return "";
    const place = `${a.has("transform") ? `${a.get("transform")} ` : ""}translate(${x},${y})`;
    const keep = ["fill", "opacity", "fill-opacity"].filter((k) => a.has(k)).map((k) => ` ${k}="${a.get(k)}"`)
      .join("");
    return `<path transform="${place}"${keep} d="${d}"/>`;
  });
}

/** Labels set before, per font: a page repeats its tick labels and every page of a run its axis titles. */
const LABELS = new WeakMap<TrueTypeFont, Map<string, string>>();

/** The path data of a label with its anchor at the origin (cached), placed by the path's transform. */
function labelAtOrigin(
  font: TrueTypeFont,
  text: string,
  size: number,
  anchor: "start" | "middle" | "end",
): string {
  let m = LABELS.get(font);
  if (m === undefined) LABELS.set(font, m = new Map());
  const key = `${size}|${anchor}|${text}`;
  let d = m.get(key);
  if (d === undefined) {
    if (m.size > 20000) m.clear(); // a bound, for a thread drawing very many distinct labels
    m.set(key, d = font.textPath(text, size, 0, 0, anchor));
  }
  return d;
}

const KNOWN = new Set([
  "x",
  "y",
  "transform",
  "font-family",
  "font-size",
  "font-weight",
  "text-anchor",
  "fill",
  "opacity",
  "fill-opacity",
]);
