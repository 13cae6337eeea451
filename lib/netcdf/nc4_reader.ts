/**
 * netCDF-4 (HDF5) reader through h5wasm. Maps the netCDF-4 conventions back to the netCDF
 * model: dimension scales become dimensions (pure-dimension datasets are not variables),
 * `DIMENSION_LIST`/`_Netcdf4Coordinates` give each variable's dimension names, netCDF-4 char
 * arrays (1-byte fixed strings) come back as trimmed strings, and the bookkeeping attributes
 * (`_Netcdf4*`, `DIMENSION_LIST`, `REFERENCE_LIST`, `CLASS`, `NAME`, `_NCProperties`) are hidden.
 * Slabs are read with `Dataset.slice` (positioned reads in the HDF5 library).
 * @module
 */
import type H5wasmDefault from "h5wasm/node";
import { rmSync, writeFileSync } from "../sys/fs.ts";
import {
  type Hyperslab,
  type NcAttrValue,
  type NcData,
  type NcDimension,
  type NcFormat,
  type NcType,
  type NcVariable,
  NetcdfError,
} from "./types.ts";
import { buildNc4Model, isHiddenAttribute, type Nc4DatasetInfo, numericType } from "./_nc4_model.ts";
import { checkSlab, ctorOf, NcFileBase, product } from "./_common.ts";

/** The h5wasm module (loaded on first use by {@link h5ready}: tools that read only netCDF-3 skip it). */
export type H5wasm = typeof H5wasmDefault;
type H5File = InstanceType<H5wasm["File"]>;
type H5Dataset = InstanceType<H5wasm["Dataset"]>;

let h5mod: H5wasm | null = null;
/** The loaded h5wasm module; call only after `await h5ready()`. */
export function h5wasmModule(): H5wasm {
  if (h5mod === null) throw new Error("h5wasm used before h5ready()");
  return h5mod;
}

interface H5Meta {
  type: number;
  size: number;
  signed: boolean;
  vlen: boolean;
  littleEndian: boolean;
  shape: number[] | null;
  maxshape?: number[] | null;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

let ready: Promise<unknown> | null = null;

/** Whether h5wasm has been imported (only {@link h5ready} imports it: tools that never open netCDF-4 skip it). */
export function h5wasmLoaded(): boolean {
  return ready !== null;
}

/** Initialise the h5wasm module once (about 0.1 s). */
export function h5ready(): Promise<unknown> {
  // HDF5 errors become exceptions (turned into NetcdfError here) instead of HDF5-DIAG
  // stack dumps on stderr
  ready ??= import("h5wasm/node").then(async ({ default: h5 }) => {
    const m = await h5.ready;
    (m as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    h5mod = h5;
  });
  return ready;
}

/** One-line message from an h5wasm/HDF5 error (HDF5 error stacks are condensed). */
export function h5message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const steps = [...text.matchAll(/ in \w+\(\): ([^\n]+)/g)].map((m) => m[1]!.trim());
  if (steps.length === 0) return text.split("\n")[0]!.trim();
  if (steps.length === 1) return steps[0]!;
  return `${steps[0]} (${steps[steps.length - 1]})`;
}

function typeOf(m: H5Meta): NcType | null {
  if (m.type === H5T_INTEGER || m.type === H5T_FLOAT) {
    return numericType(m.size, m.signed, m.type === H5T_FLOAT);
  }
  if (m.type === H5T_STRING) return m.vlen || m.size > 1 ? "string" : "char";
  return null;
}

function attrValue(v: unknown): NcAttrValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") return v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) {
      return v.length === 1 ? v[0] as string : (v as string[]).join("\n");
    }
    if (v.every((x) => typeof x === "number")) return v.length === 1 ? v[0] as number : v as number[];
    return undefined;
  }
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    const a = Array.from(v as ArrayLike<bigint>);
    return a.length === 1 ? a[0]! : a;
  }
  if (ArrayBuffer.isView(v)) {
    const a = Array.from(v as unknown as ArrayLike<number>);
    return a.length === 1 ? a[0]! : a;
  }
  return undefined;
}

/**
 * The attributes of one HDF5 object, each read at most once: h5wasm's `attrs` getter lists the names
 * and builds a fresh Attribute (a metadata call) on every property access, and `.value` reads it again,
 * so repeated `ds.attrs[name].value` calls dominated the cost of opening a small file.
 */
class AttrCache {
  readonly names: string[];
  readonly #attrs: Record<string, { value: unknown }>;
  readonly #values = new Map<string, unknown>();
  constructor(obj: { attrs: Record<string, { value: unknown }> }) {
    this.#attrs = obj.attrs;
    this.names = Object.keys(this.#attrs);
  }
  has(name: string): boolean {
    return this.names.includes(name);
  }
  /** Raw h5wasm value of `name` (undefined when absent); HDF5 errors propagate. */
  value(name: string): unknown {
    if (this.#values.has(name)) return this.#values.get(name);
    const v = this.has(name) ? this.#attrs[name]!.value : undefined;
    this.#values.set(name, v);
    return v;
  }
}

function readAttrs(file: string, cache: AttrCache): Map<string, NcAttrValue> {
  const out = new Map<string, NcAttrValue>();
  for (const name of cache.names) {
    if (isHiddenAttribute(name)) continue;
    let value: NcAttrValue | undefined;
    try {
      value = attrValue(cache.value(name));
    } catch (e) {
      throw new NetcdfError(file, `cannot read attribute ${name}: ${h5message(e)}`);
    }
    if (value !== undefined) out.set(name, value);
  }
  return out;
}

/**
 * A Map of attributes read from HDF5 on first use (most callers never look at a variable's `units`).
 * Any read or write loads it first; errors name the file. The file must still be open then.
 */
class LazyAttrMap extends Map<string, NcAttrValue> {
  #load: (() => Map<string, NcAttrValue>) | null;
  constructor(load: () => Map<string, NcAttrValue>) {
    super();
    this.#load = load;
  }
  #ensure(): void {
    const load = this.#load;
    if (load === null) return;
    this.#load = null;
    for (const [k, v] of load()) super.set(k, v);
  }
  /** Read the attributes now (before the file is closed). */
  materialize(): void {
    this.#ensure();
  }
  override get size(): number {
    this.#ensure();
    return super.size;
  }
  override get(key: string): NcAttrValue | undefined {
    this.#ensure();
    return super.get(key);
  }
  override has(key: string): boolean {
    this.#ensure();
    return super.has(key);
  }
  override set(key: string, value: NcAttrValue): this {
    this.#ensure();
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.#ensure();
    return super.delete(key);
  }
  override clear(): void {
    this.#load = null;
    super.clear();
  }
  override forEach(
    cb: (v: NcAttrValue, k: string, m: Map<string, NcAttrValue>) => void,
    thisArg?: unknown,
  ): void {
    this.#ensure();
    super.forEach(cb, thisArg);
  }
  override keys(): MapIterator<string> {
    this.#ensure();
    return super.keys();
  }
  override values(): MapIterator<NcAttrValue> {
    this.#ensure();
    return super.values();
  }
  override entries(): MapIterator<[string, NcAttrValue]> {
    this.#ensure();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, NcAttrValue]> {
    this.#ensure();
    return super[Symbol.iterator]();
  }
}

/** Join 1-character strings into rows; each row cut at the first NUL and blank-trimmed. */
function charRows(chars: string[], count: number[]): string | string[] {
  const rowLen = count.length ? count[count.length - 1]! : 1;
  const rows = count.length <= 1 ? 1 : product(count.slice(0, -1));
  const out: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = "";
    for (let i = r * rowLen; i < (r + 1) * rowLen; i++) {
      const c = chars[i]!;
      if (c === "" || c === "\0") break;
      s += c;
    }
    out[r] = s.replace(/[ \t]+$/, "");
  }
  return count.length <= 1 ? out[0]! : out;
}

/** An open netCDF-4 file. */
export class Nc4File extends NcFileBase {
  readonly path: string;
  readonly format: NcFormat = "netcdf4";
  readonly dimensions: Map<string, NcDimension> = new Map();
  readonly variables: Map<string, NcVariable> = new Map();
  readonly attributes: Map<string, NcAttrValue>;
  readonly groups: string[] = [];
  #f: H5File | null;
  #onClose: (() => void) | undefined;
  /** The h5wasm Dataset of each variable (one `File.get` per dataset). */
  readonly #datasets = new Map<string, H5Dataset>();
  /** Attribute maps not read yet: read on close when the file cannot be reopened (temp copy of bytes). */
  readonly #pending: LazyAttrMap[] = [];
  /** Path to reopen the file for attributes first asked for after close; null = not reopenable. */
  readonly #reopen: string | null;

  /**
   * Attributes of `obj` (null = the root group) read on first use: from the open file through the
   * cache, or after close by reopening the file read-only.
   */
  #lazy(obj: string | null, cache: AttrCache): LazyAttrMap {
    const path = this.path;
    const m = new LazyAttrMap(() => {
      if (this.#f !== null) return readAttrs(path, cache);
      if (this.#reopen === null) throw new NetcdfError(path, "file is closed", obj ?? undefined);
      let g: H5File;
      try {
        g = new (h5wasmModule().File)(this.#reopen, "r");
      } catch (e) {
        throw new NetcdfError(path, `cannot reopen for attributes: ${h5message(e)}`, obj ?? undefined);
      }
      try {
        const o = obj === null ? g : g.get(obj);
        if (!o) throw new NetcdfError(path, "variable vanished from the file", obj ?? undefined);
        return readAttrs(path, new AttrCache(o as never));
      } finally {
        g.close();
      }
    });
    if (this.#reopen === null) this.#pending.push(m);
    return m;
  }

  /** Use {@link openNc4}. `reopen`: path to reopen for attributes asked for after close (null: read them on close). */
  constructor(path: string, f: H5File, onClose?: () => void, reopen: string | null = null) {
    super();
    this.path = path;
    this.#f = f;
    this.#onClose = onClose;
    this.#reopen = reopen;
    this.attributes = this.#lazy(null, new AttrCache(f as never));
    const infos: Nc4DatasetInfo[] = [];
    for (const name of f.keys()) {
      const obj = f.get(name) as { type?: string } | null;
      if (!obj) continue;
      if (obj.type === "Group") {
        this.groups.push(name);
        continue;
      }
      if (obj.type !== "Dataset") continue;
      const ds = obj as H5Dataset;
      this.#datasets.set(name, ds);
      const meta = ds.metadata as unknown as H5Meta;
      const attrs = new AttrCache(ds as never);
      let coords: number[] | null = null;
      if (attrs.has("_Netcdf4Coordinates")) {
        const c = attrs.value("_Netcdf4Coordinates");
        coords = ArrayBuffer.isView(c) ? Array.from(c as Int32Array) : typeof c === "number" ? [c] : null;
      }
      infos.push({
        name,
        type: typeOf(meta),
        shape: (meta.shape ?? []).map(Number),
        ...(attrs.has("CLASS") && String(attrs.value("CLASS")) === "DIMENSION_SCALE"
          ? {
            scale: {
              ...(attrs.has("_Netcdf4Dimid") ? { id: Number(attrs.value("_Netcdf4Dimid")) } : {}),
              unlimited: (meta.maxshape?.[0] ?? 0) > 9e18,
              nameAttr: attrs.has("NAME") ? String(attrs.value("NAME")) : "",
            },
          }
          : {}),
        coords,
        hasDimList: attrs.has("DIMENSION_LIST"),
        attachedScale: (k) => ds.get_attached_scales(k)[0]?.replace(/^.*\//, ""),
        attributes: () => this.#lazy(name, attrs),
      });
    }
    const { dimensions, variables } = buildNc4Model(infos);
    for (const [k, d] of dimensions) this.dimensions.set(k, d);
    for (const [k, v] of variables) this.variables.set(k, v);
  }

  read(name: string, slab?: Hyperslab): NcData {
    const v = this.variable(name);
    const f = this.#f;
    if (!f) throw new NetcdfError(this.path, "file is closed", name);
    const { start, count, total } = checkSlab(this.path, v, slab);
    const ds = this.#datasets.get(name) ?? (f.get(name) as H5Dataset);
    let raw: unknown;
    try {
      if (v.shape.length === 0) raw = ds.value;
      else if (total === 0) raw = v.type === "char" || v.type === "string" ? [] : new (ctorOf(v.type))(0);
      else raw = ds.slice(start.map((s, k) => [s, s + count[k]!]));
    } catch (e) {
      throw new NetcdfError(this.path, `cannot read: ${h5message(e)}`, name);
    }
    if (v.type === "char") {
      const chars = typeof raw === "string" ? [raw] : (raw as string[]);
      return charRows(chars, count);
    }
    if (v.type === "string") {
      if (typeof raw === "string") return [raw];
      return raw as string[];
    }
    if (typeof raw === "number" || typeof raw === "bigint") {
      const out = new (ctorOf(v.type))(1);
      (out as unknown as (number | bigint)[])[0] = raw;
      return out;
    }
    if (!ArrayBuffer.isView(raw)) throw new NetcdfError(this.path, "unexpected data from HDF5", name);
    return raw as NcData;
  }

  close(): void {
    if (this.#f) {
      try {
        // attributes nobody looked at yet must be read while a temporary copy still exists
        for (const m of this.#pending) m.materialize();
        this.#pending.length = 0;
        this.#f.close();
      } finally {
        this.#f = null;
        this.#onClose?.();
      }
    }
  }
}

/** Open a netCDF-4/HDF5 file. Throws {@link NetcdfError}. */
export function openNc4(path: string): Promise<Nc4File> {
  return openAs(path, path, undefined);
}

async function openAs(real: string, shown: string, onClose: (() => void) | undefined): Promise<Nc4File> {
  await h5ready();
  let f: H5File;
  try {
    f = new (h5wasmModule().File)(real, "r");
  } catch (e) {
    onClose?.();
    throw new NetcdfError(shown, `cannot open as netCDF-4/HDF5: ${h5message(e)}`);
  }
  try {
    return new Nc4File(shown, f, onClose, onClose ? null : real);
  } catch (e) {
    try {
      f.close();
    } catch { /* already failing */ }
    onClose?.();
    if (e instanceof NetcdfError) throw e;
    throw new NetcdfError(shown, `corrupt netCDF-4 file: ${h5message(e)}`);
  }
}

/** Open netCDF-4 bytes held in memory (via a private temp file removed on close). */
export function openNc4Bytes(bytes: Uint8Array, name: string): Promise<Nc4File> {
  const tmp = Deno.makeTempFileSync({ prefix: `lmt-nc4-${Deno.pid}-`, suffix: ".nc" }); // no node:os at start-up
  writeFileSync(tmp, bytes);
  return openAs(tmp, name, () => rmSync(tmp, { force: true }));
}
