/**
 * Structure-aware mutation of netCDF-3, HDF5 (netCDF-4) and FITS files for the fuzz harness
 * (scripts/fuzz.ts). Each format is first mapped into fields (counts, sizes, addresses, tags,
 * types), text (names, attribute values, non-structural FITS cards) and data regions; a mutant
 * applies one or two operators — truncation, bit flips in the header or in the data, a field set
 * to 0 / 1 / −1 / 2^31 / 2^32−1 / 2^63 / ±1 / past EOF / 0 / pointing back, and for HDF5 cycles of
 * object-header continuations and B-trees shaped as DAGs — and says whether it changed structure
 * or only bytes the format cannot check (data, text). HDF5 metadata checksums are recomputed
 * after most structural changes so the mutant reaches the reader's deeper checks.
 * @module
 */
import { lookup3 } from "../../lib/hdf5/lookup3.ts";
import { Rng } from "../../lib/sim/rng.ts";

/** The file formats the harness mutates. */
export type Format = "cdf3" | "hdf5" | "fits";

/** Kinds of mapped fields. */
export type FieldKind = "count" | "size" | "addr" | "tag" | "type" | "level";

/** A numeric field of a file's structure. */
export interface Field {
  off: number;
  width: number;
  kind: FieldKind;
  bigEndian: boolean;
  /** Checksummed block holding the field (HDF5): [from, to) hashed, checksum at `to`. */
  sum?: [number, number];
  what: string;
}

/** Where things are in one file. */
export interface FileMap {
  format: Format;
  fields: Field[];
  /** Bytes the format cannot check: [from, to). */
  data: [number, number][];
  /** Text: names, attribute values, free FITS cards: [from, to). */
  text: [number, number][];
  /** Checksummed HDF5 blocks [from, to) (checksum at `to`). */
  sums: [number, number][];
  /** Structure start offsets (object headers, B-tree nodes, HDUs) for "pointing back". */
  starts: number[];
  /** HDF5: object headers with their chunk0 extent and messages, for the cycle operators. */
  ohdrs: { addr: number; end: number; msgs: { off: number; type: number; size: number }[] }[];
  /** HDF5: chunk B-tree roots: layout field offset, root address, rank, level of the root. */
  btrees: { field: Field; root: number; rank: number; level: number }[];
  /** FITS: structural cards (offset of the 80-byte card, keyword). */
  cards: { off: number; key: string }[];
}

/** One mutant: the bytes and what was done. */
export interface Mutant {
  bytes: Uint8Array;
  ops: string[];
  /** True when only data/text bytes changed (exit 0 with a different output is then fine). */
  dataOnly: boolean;
}

// ---------------------------------------------------------------------------------------------
// netCDF-3

/** Map a netCDF-3 file (CDF-1/2/5). */
export function mapCdf3(b: Uint8Array): FileMap {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ver = b[3]!;
  const wide = ver === 5;
  const m = emptyMap("cdf3");
  let p = 4;
  const field = (width: number, kind: FieldKind, what: string): number => {
    m.fields.push({ off: p, width, kind, bigEndian: true, what });
    const v = width === 8
      ? dv.getUint32(p, false) * 2 ** 32 + dv.getUint32(p + 4, false)
      : dv.getUint32(p, false);
    p += width;
    return v;
  };
  const cw = wide ? 8 : 4;
  const pad = (n: number) => Math.ceil(n / 4) * 4;
  const name = (what: string) => {
    const n = field(cw, "size", `${what} name length`);
    m.text.push([p, p + n]);
    p += pad(n);
  };
  const TS: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 1, 8: 2, 9: 4, 10: 8, 11: 8 };
  const atts = (what: string) => {
    field(4, "tag", `${what} attribute tag`);
    const n = field(cw, "count", `${what} attribute count`);
    for (let i = 0; i < n; i++) {
      name(`${what} attribute`);
      const t = field(4, "type", "attribute type");
      const k = field(cw, "count", "attribute length");
      const len = k * (TS[t] ?? 1);
      m.text.push([p, p + len]);
      p += pad(len);
    }
  };
  field(wide ? 8 : 4, "count", "numrecs");
  field(4, "tag", "dimension tag");
  const nd = field(cw, "count", "dimension count");
  for (let i = 0; i < nd; i++) {
    name("dimension");
    field(cw, "size", "dimension size");
  }
  atts("global");
  field(4, "tag", "variable tag");
  const nv = field(cw, "count", "variable count");
  for (let i = 0; i < nv; i++) {
    name("variable");
    const rank = field(cw, "count", "rank");
    for (let k = 0; k < rank; k++) field(cw, "count", "dimension id");
    atts("variable");
    field(4, "type", "variable type");
    field(cw, "size", "vsize");
    field(ver === 1 ? 4 : 8, "addr", "begin");
  }
  m.data.push([p, b.length]);
  m.starts.push(0, p);
  return m;
}

// ---------------------------------------------------------------------------------------------
// HDF5 (the subset the toolkit's writer produces: superblock 2, v2 object headers, v1 chunk B-trees)

function le(b: Uint8Array, off: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + b[off + i]!;
  return v;
}

/** Map an HDF5 file written with superblock version 2 (falls back to a bare map otherwise). */
export function mapHdf5(b: Uint8Array): FileMap {
  const m = emptyMap("hdf5");
  if (b[8] !== 2 && b[8] !== 3) return m;
  const sb: [number, number] = [0, 44];
  m.sums.push(sb);
  m.fields.push({ off: 28, width: 8, kind: "size", bigEndian: false, sum: sb, what: "superblock eof" });
  m.fields.push({ off: 36, width: 8, kind: "addr", bigEndian: false, sum: sb, what: "root address" });
  const seen = new Set<number>();
  /** Global heap collections: address → only vlen strings in it (its objects are text). */
  const heaps = new Map<number, boolean>();
  const objects = [le(b, 36, 8)];
  while (objects.length > 0) {
    const a = objects.pop()!;
    if (seen.has(a) || a + 16 > b.length) continue;
    seen.add(a);
    if (b[a] !== 0x4f || b[a + 1] !== 0x48 || b[a + 2] !== 0x44 || b[a + 3] !== 0x52) continue;
    const flags = b[a + 5]!;
    let p = a + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sz = 1 << (flags & 3);
    const chunk0 = le(b, p, sz);
    const sizeField = p;
    p += sz;
    const end = p + chunk0;
    if (end + 4 > b.length) continue;
    const sum: [number, number] = [a, end];
    m.sums.push(sum);
    m.starts.push(a);
    m.fields.push({
      off: sizeField,
      width: sz,
      kind: "size",
      bigEndian: false,
      sum,
      what: "object header size",
    });
    const ohdr = { addr: a, end, msgs: [] as { off: number; type: number; size: number }[] };
    m.ohdrs.push(ohdr);
    let dims: number[] = [];
    const hs = flags & 4 ? 6 : 4;
    const f = (off: number, width: number, kind: FieldKind, what: string) =>
      m.fields.push({ off, width, kind, bigEndian: false, sum, what });
    while (end - p >= hs) {
      const type = b[p]!;
      const size = le(b, p + 1, 2);
      ohdr.msgs.push({ off: p, type, size });
      f(p, 1, "type", "message type");
      f(p + 1, 2, "size", "message size");
      const body = p + hs;
      if (body + size > end) break;
      if (type === 1) {
        const rank = b[body + 1]!;
        const mflags = b[body + 2]!;
        const d0 = body + 4;
        dims = [];
        f(body + 1, 1, "count", "dataspace rank");
        for (let k = 0; k < rank; k++) {
          f(d0 + 8 * k, 8, "size", "dimension");
          dims.push(le(b, d0 + 8 * k, 8));
          if (mflags & 1) f(d0 + 8 * (rank + k), 8, "size", "max dimension");
        }
      } else if (type === 3) {
        f(body + 4, 4, "size", "datatype size");
        f(body, 1, "type", "datatype class");
      } else if (type === 8 && b[body] === 3) {
        const cls = b[body + 1]!;
        if (cls === 1) {
          f(body + 2, 8, "addr", "data address");
          f(body + 10, 8, "size", "data size");
          const addr = le(b, body + 2, 8);
          const len = le(b, body + 10, 8);
          if (addr + len <= b.length) m.data.push([addr, addr + len]);
        } else if (cls === 2) {
          const nd = b[body + 2]!;
          f(body + 2, 1, "count", "chunk rank");
          const field: Field = {
            off: body + 3,
            width: 8,
            kind: "addr",
            bigEndian: false,
            sum,
            what: "chunk B-tree",
          };
          m.fields.push(field);
          for (let k = 0; k < nd; k++) f(body + 11 + 4 * k, 4, "size", `chunk dimension ${k}`);
          const root = le(b, body + 3, 8);
          if (root + 24 <= b.length && b[root] === 0x54) {
            const level = b[root + 5]!;
            m.btrees.push({ field, root, rank: nd - 1, level });
            mapBtree(b, m, root, nd - 1, new Set());
          }
        }
      } else if (type === 6) {
        const lf = b[body + 1]!;
        let q = body + 2 + (lf & 8 ? 1 : 0) + (lf & 4 ? 8 : 0) + (lf & 0x10 ? 1 : 0);
        const nl = le(b, q, 1 << (lf & 3));
        f(q, 1 << (lf & 3), "size", "link name length");
        q += 1 << (lf & 3);
        m.text.push([q, q + nl]);
        q += nl;
        f(q, 8, "addr", "link target");
        objects.push(le(b, q, 8));
      } else if (type === 0x0c) {
        const nameSize = le(b, body + 2, 2);
        const typeSize = le(b, body + 4, 2);
        const spaceSize = le(b, body + 6, 2);
        f(body + 2, 2, "size", "attribute name size");
        f(body + 4, 2, "size", "attribute type size");
        f(body + 6, 2, "size", "attribute space size");
        const t0 = body + 9 + nameSize;
        m.text.push([body + 9, t0]);
        const cls = b[t0]! & 0x0f;
        f(t0 + 4, 4, "size", "attribute datatype size");
        const s0 = t0 + typeSize;
        const rank = b[s0 + 1]!;
        for (let k = 0; k < rank; k++) f(s0 + 4 + 8 * k, 8, "size", "attribute dimension");
        const d0 = s0 + spaceSize;
        if (cls === 9 || cls === 7) {
          // vlen (len, collection address, index) / references: pointers, not text
          const isString = cls === 9 && (b[t0 + 1]! & 0x0f) === 1;
          for (let q = d0; q + 16 <= body + size; q += 16) {
            f(q, 4, "count", "vlen length");
            f(q + 4, 8, "addr", "global heap collection");
            const g = le(b, q + 4, 8);
            heaps.set(g, (heaps.get(g) ?? true) && isString);
          }
        } else m.text.push([d0, body + size]);
      }
      p = body + size;
    }
  }
  for (const [g, strings] of heaps) mapGlobalHeap(b, m, g, strings);
  return m;
}

function mapGlobalHeap(b: Uint8Array, m: FileMap, a: number, strings: boolean): void {
  if (a + 16 > b.length || b[a] !== 0x47 || b[a + 1] !== 0x43) return;
  const f = (off: number, width: number, kind: FieldKind, what: string) =>
    m.fields.push({ off, width, kind, bigEndian: false, what });
  m.starts.push(a);
  f(a + 8, 8, "size", "global heap size");
  const end = Math.min(b.length, a + le(b, a + 8, 8));
  let p = a + 16;
  while (p + 16 <= end) {
    const index = le(b, p, 2);
    const n = le(b, p + 8, 8);
    f(p, 2, "count", "global heap object index");
    f(p + 8, 8, "size", "global heap object size");
    if (index === 0) break;
    if (strings) m.text.push([p + 16, p + 16 + n]);
    else for (let q = p + 16; q + 8 <= p + 16 + n; q += 8) f(q, 8, "addr", "reference");
    p += 16 + Math.ceil(n / 8) * 8;
  }
}

function mapBtree(b: Uint8Array, m: FileMap, a: number, rank: number, seen: Set<number>): void {
  if (seen.has(a) || a + 24 > b.length || b[a] !== 0x54) return;
  seen.add(a);
  m.starts.push(a);
  const level = b[a + 5]!;
  const used = le(b, a + 6, 2);
  const f = (off: number, width: number, kind: FieldKind, what: string) =>
    m.fields.push({ off, width, kind, bigEndian: false, what });
  f(a + 5, 1, "level", "B-tree level");
  f(a + 6, 2, "count", "B-tree entries");
  f(a + 8, 8, "addr", "B-tree left sibling");
  const key = 8 + 8 * (rank + 1);
  let p = a + 24;
  for (let i = 0; i < used && p + key + 8 <= b.length; i++) {
    const csize = le(b, p, 4);
    f(p, 4, "size", "chunk size");
    for (let k = 0; k < rank; k++) f(p + 8 + 8 * k, 8, "size", "chunk offset");
    p += key;
    f(p, 8, "addr", "B-tree child");
    const child = le(b, p, 8);
    if (level > 0) mapBtree(b, m, child, rank, seen);
    else if (child + csize <= b.length) m.data.push([child, child + csize]);
    p += 8;
  }
}

// ---------------------------------------------------------------------------------------------
// FITS

const STRUCTURAL = /^(SIMPLE|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|XTENSION|EXTEND|END)$/;

/** Map a FITS file: structural cards, other cards as text, data units as data. */
export function mapFits(b: Uint8Array): FileMap {
  const m = emptyMap("fits");
  const dec = new TextDecoder("latin1");
  let pos = 0;
  while (pos + 2880 <= b.length) {
    m.starts.push(pos);
    const h = new Map<string, number>();
    let ended = false;
    while (!ended && pos + 2880 <= b.length) {
      for (let c = 0; c < 36; c++) {
        const off = pos + 80 * c;
        const card = dec.decode(b.subarray(off, off + 80));
        const key = card.slice(0, 8).trimEnd();
        if (ended) continue;
        if (STRUCTURAL.test(key)) {
          m.cards.push({ off, key });
          const v = Number(card.slice(10, 30).trim());
          if (Number.isFinite(v)) h.set(key, v);
        } else m.text.push([off, off + 80]);
        if (key === "END") ended = true;
      }
      pos += 2880;
    }
    const naxis = h.get("NAXIS") ?? 0;
    let n = naxis > 0 ? 1 : 0;
    for (let i = 1; i <= naxis; i++) n *= h.get(`NAXIS${i}`) ?? 0;
    const bytes = (Math.abs(h.get("BITPIX") ?? 8) / 8) * (h.get("GCOUNT") ?? 1) *
      ((h.get("PCOUNT") ?? 0) + n);
    const end = pos + Math.ceil(bytes / 2880) * 2880;
    if (bytes > 0) m.data.push([pos, Math.min(b.length, pos + bytes)]);
    if (!(end > pos) && bytes > 0) break;
    pos = end;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Mutation

function emptyMap(format: Format): FileMap {
  return { format, fields: [], data: [], text: [], sums: [], starts: [], ohdrs: [], btrees: [], cards: [] };
}

/** Map a file of the given format. */
export function mapFile(format: Format, b: Uint8Array): FileMap {
  return format === "cdf3" ? mapCdf3(b) : format === "hdf5" ? mapHdf5(b) : mapFits(b);
}

/** The parts of [0, len) outside the ranges `r`. */
function complement(r: [number, number][], len: number): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const [a, z] of [...r].sort((p, q) => p[0] - q[0])) {
    if (a > at) out.push([at, Math.min(a, len)]);
    at = Math.max(at, z);
  }
  if (at < len) out.push([at, len]);
  return out.filter(([a, z]) => z > a);
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.uniform() * xs.length)]!;
}

function writeField(b: Uint8Array, f: Field, v: number | bigint): void {
  let x = BigInt.asUintN(8 * f.width, BigInt(v));
  for (let i = 0; i < f.width; i++) {
    const byte = Number(x & 0xffn);
    x >>= 8n;
    b[f.bigEndian ? f.off + f.width - 1 - i : f.off + i] = byte;
  }
}

function readField(b: Uint8Array, f: Field): number {
  let v = 0;
  for (let i = 0; i < f.width; i++) v = v * 256 + b[f.bigEndian ? f.off + i : f.off + f.width - 1 - i]!;
  return v;
}

/** Recompute the checksums of the HDF5 blocks (all of them: cheap for files of a few MB). */
function fixSums(b: Uint8Array, m: FileMap): void {
  for (const [from, to] of m.sums) {
    if (to + 4 > b.length) continue;
    const s = lookup3(b, from, to);
    new DataView(b.buffer, b.byteOffset).setUint32(to, s, true);
  }
}

/** Values a field is set to. */
function fieldValue(rng: Rng, b: Uint8Array, f: Field, m: FileMap, size: number): number | bigint {
  const cur = readField(b, f);
  const common: (number | bigint)[] = [
    0,
    1,
    -1,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 32 - 1,
    cur + 1,
    cur - 1,
    cur * 2 + 1,
  ];
  if (f.width >= 8) common.push(2n ** 63n, 2n ** 62n, 2 ** 53);
  if (f.kind === "addr") {
    const back = m.starts.filter((s) => s <= f.off);
    return pick(rng, [
      0,
      -1,
      size,
      size + 4096,
      2n ** 63n,
      back.length ? pick(rng, back) : 0,
      m.starts.length ? pick(rng, m.starts) : 0,
      cur + 8,
      Math.max(0, cur - 8),
    ]);
  }
  if (f.kind === "level") return pick(rng, [0, 1, 2, 255, cur + 1]);
  // netCDF-3 type codes only to invalid ones: a swap between types of one padded size (int ↔ float,
  // a one-element short ↔ int) leaves a valid file that differs from the original only in meaning
  if (f.kind === "type" && m.format === "cdf3") return pick(rng, [0, 12, 13, 255, 2 ** 31, cur + 100]);
  // HDF5 message types only to ones whose bodies are parsed as structure (dataspace, datatype, layout,
  // filters, continuation): a message turned into NIL or another ignorable type leaves a valid file
  if (f.kind === "type" && f.what === "message type") return pick(rng, [1, 3, 8, 0x0b, 0x10]);
  if (f.kind === "type" || f.kind === "tag") return pick(rng, [0, 1, 2, 3, 9, 12, 16, 255, cur + 1]);
  return pick(rng, common);
}

/**
 * An HDF5 continuation cycle: one message of an object header becomes a continuation into an
 * OCHK block appended to the file that continues to itself, or to a second block that continues
 * back to the first.
 */
function hdf5Cycle(rng: Rng, b: Uint8Array, m: FileMap): Uint8Array | null {
  const cands = m.ohdrs.flatMap((o) => o.msgs.filter((x) => x.size >= 16).map((x) => ({ o, x })));
  if (cands.length === 0) return null;
  const { o, x } = pick(rng, cands);
  const blockLen = 4 + 6 + 16 + 4; // signature, one continuation message (6-byte message header), checksum
  const two = rng.uniform() < 0.5;
  const a0 = b.length;
  const a1 = a0 + blockLen;
  const out = new Uint8Array(b.length + (two ? 2 : 1) * blockLen);
  out.set(b);
  const dv = new DataView(out.buffer);
  const block = (at: number, to: number) => {
    out.set([0x4f, 0x43, 0x48, 0x4b, 0x10], at);
    dv.setUint16(at + 5, 16, true);
    dv.setBigUint64(at + 10, BigInt(to), true);
    dv.setBigUint64(at + 18, BigInt(blockLen), true);
    dv.setUint32(at + 26, lookup3(out, at, at + 26), true);
  };
  block(a0, two ? a1 : a0);
  if (two) block(a1, a0);
  out[x.off] = 0x10;
  dv.setBigUint64(x.off + 6, BigInt(a0), true);
  dv.setBigUint64(x.off + 14, BigInt(blockLen), true);
  dv.setUint32(o.end, lookup3(out, o.addr, o.end), true);
  return out;
}

/** A v1 chunk B-tree shaped as a DAG: `depth` internal nodes appended, both children of each pointing to the next, the last to the real root. */
function hdf5Dag(rng: Rng, b: Uint8Array, m: FileMap): Uint8Array | null {
  if (m.btrees.length === 0) return null;
  const t = pick(rng, m.btrees);
  const depth = 2 + Math.floor(rng.uniform() * 30);
  const key = 8 + 8 * (t.rank + 1);
  const node = 24 + 2 * 8 + 3 * key;
  const out = new Uint8Array(b.length + depth * node);
  out.set(b);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < depth; i++) {
    const a = b.length + i * node;
    const next = i + 1 < depth ? a + node : t.root;
    out.set([0x54, 0x52, 0x45, 0x45, 1, t.level + depth - i, 2, 0], a);
    dv.setBigUint64(a + 8, 0xffffffffffffffffn, true);
    dv.setBigUint64(a + 16, 0xffffffffffffffffn, true);
    let p = a + 24;
    for (let k = 0; k < 3; k++) {
      p += key; // zero keys
      if (k < 2) {
        dv.setBigUint64(p, BigInt(next), true);
        p += 8;
      }
    }
  }
  writeField(out, t.field, b.length);
  fixSums(out, m);
  return out;
}

/** Make one mutant of `base` (mapped as `m`). */
export function mutate(rng: Rng, base: Uint8Array, m: FileMap): Mutant {
  let b: Uint8Array = base.slice();
  const ops: string[] = [];
  let dataOnly = true;
  const n = rng.uniform() < 0.7 ? 1 : 2;
  // a mutant changes either only data/text bytes or only structure, so that an exit 0 with a
  // different output is attributable
  const dataMutant = rng.uniform() < 0.3;
  const metaRanges = complement([...m.data, ...m.text], base.length);
  const metaBytes = metaRanges.reduce((a, [x, z]) => a + z - x, 0);
  /** A byte of the structure (neither data nor text), uniformly. */
  const meta = (): number => {
    let k = Math.floor(rng.uniform() * metaBytes);
    for (const [x, z] of metaRanges) {
      if (k < z - x) return x + k;
      k -= z - x;
    }
    return 0;
  };
  for (let k = 0; k < n; k++) {
    const u = rng.uniform();
    const r = dataMutant ? 0.22 + u * 0.23 : u < 0.22 ? u : 0.45 + (u - 0.22) * (0.55 / 0.78);
    if (r < 0.08) {
      // truncation: anywhere, or at a structure start
      const at = rng.uniform() < 0.5 && m.starts.length
        ? pick(rng, m.starts) + Math.floor(rng.uniform() * 64)
        : Math.floor(rng.uniform() * b.length);
      b = b.slice(0, Math.min(at, b.length - 1));
      ops.push(`truncate@${at}`);
      dataOnly = false;
      break;
    } else if (r < 0.22) {
      const x = meta();
      const bit = Math.floor(rng.uniform() * 8);
      b[x]! ^= 1 << bit;
      ops.push(`flip-meta@${x}.${bit}`);
      dataOnly = false;
      if (m.format === "hdf5" && rng.uniform() < 0.85) fixSums(b, m);
    } else if (r < 0.37) {
      if (m.data.length === 0) continue;
      const [a, z] = pick(rng, m.data);
      if (z <= a) continue;
      const x = a + Math.floor(rng.uniform() * (z - a));
      b[x]! ^= 1 << Math.floor(rng.uniform() * 8);
      ops.push(`flip-data@${x}`);
    } else if (r < 0.45) {
      if (m.text.length === 0) continue;
      const [a, z] = pick(rng, m.text);
      if (z <= a) continue;
      const x = a + Math.floor(rng.uniform() * (z - a));
      b[x]! ^= 1 << Math.floor(rng.uniform() * 7);
      ops.push(`flip-text@${x}`);
      if (m.format === "hdf5") fixSums(b, m);
    } else if (m.format === "fits" && m.cards.length > 0) {
      const c = pick(rng, m.cards);
      const v = pick(rng, [
        "-1",
        "0",
        "1",
        "-5",
        "2147483648",
        "9223372036854775808",
        "-2880",
        "3",
        "7",
        "X",
      ]);
      const text = c.key === "END" ? "".padEnd(80) : `${c.key.padEnd(8)}= ${v.padStart(20)}`.padEnd(80);
      b.set(new TextEncoder().encode(text), c.off);
      ops.push(`card ${c.key}=${c.key === "END" ? "(removed)" : v}`);
      dataOnly = false;
    } else if (m.format === "hdf5" && r < 0.52) {
      const cycle = rng.uniform() < 0.5;
      const out = cycle ? hdf5Cycle(rng, b, m) : hdf5Dag(rng, b, m);
      if (!out) continue;
      b = out;
      ops.push(cycle ? "continuation-cycle" : "btree-dag");
      dataOnly = false;
      break;
    } else {
      if (m.fields.length === 0) continue;
      const f = pick(rng, m.fields);
      if (f.off + f.width > b.length) continue;
      const v = fieldValue(rng, b, f, m, b.length);
      const before = b.slice(f.off, f.off + f.width);
      writeField(b, f, v);
      ops.push(`set ${f.what}@${f.off}=${v}`);
      if (before.some((x, i) => x !== b[f.off + i])) dataOnly = false;
      if (f.sum && rng.uniform() < 0.9) fixSums(b, m);
    }
  }
  if (ops.length === 0) {
    const x = meta();
    b[x]! ^= 0x10;
    ops.push(`flip-meta@${x}.4`);
    dataOnly = false;
    if (m.format === "hdf5") fixSums(b, m);
  }
  return { bytes: b, ops, dataOnly };
}
