/**
 * netCDF-4 reader on the native HDF5 reader (lib/hdf5/read): no WebAssembly, positioned reads
 * straight into the returned arrays. It gives the same {@link NcFile} as the h5wasm-based
 * `Nc4File` (same dimension order and names incl. phony dims, variables, attributes, char →
 * string conventions). Features outside the native subset throw `Hdf5Unsupported`; callers
 * (lib/netcdf/mod.ts) then fall back to h5wasm.
 * @module
 */
import {
  type AttrRaw,
  type Dataset,
  DT,
  Hdf5Error,
  Hdf5File,
  Hdf5Unsupported,
  type RawAttribute,
} from "../hdf5/read/mod.ts";
import { decodeString } from "../hdf5/read/datatype.ts";
import {
  type Hyperslab,
  type NcAttrValue,
  type NcData,
  type NcDimension,
  type NcFormat,
  type NcType,
  type NcVariable,
  NetcdfError,
  openError,
} from "./types.ts";
import { charsToValue, checkSlab, ctorOf, NcFileBase } from "./_common.ts";
import { buildNc4Model, isHiddenAttribute, type Nc4DatasetInfo, numericType } from "./_nc4_model.ts";
import { inputWarning } from "../sys/warnings.ts";

/** The netCDF type of a dataset; an integer or float of a size netCDF does not have is an error. */
function typeOf(ds: Dataset, name: string): NcType | null {
  const t = ds.type;
  if (t.cls === DT.FIXED || t.cls === DT.FLOAT) {
    const nt = numericType(t.size, t.signed, t.cls === DT.FLOAT);
    if (nt === null) {
      throw new Hdf5Error(`dataset ${name}: ${t.cls === DT.FLOAT ? "float" : "integer"} of ${t.size} bytes`);
    }
    return nt;
  }
  if (t.cls === DT.STRING) return t.size > 1 ? "string" : "char";
  if (t.cls === DT.VLEN && t.vlenString) return "string";
  return null;
}

/** netCDF attribute value of a decoded HDF5 attribute (undefined: not representable, skipped). */
function ncValue(v: AttrRaw): NcAttrValue | undefined {
  if (v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") return v;
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return typeof v[0] === "string" ? "" : [];
  if (typeof v[0] === "string") return v.length === 1 ? v[0] : (v as string[]).join("\n");
  if (typeof v[0] === "bigint") return v.length === 1 ? v[0] : (v as bigint[]);
  return v.length === 1 ? v[0] as number : (v as number[]);
}

/** An error of the HDF5 layer as a NetcdfError naming the file (Hdf5Unsupported passes through). */
function wrap(path: string, e: unknown, variable?: string): unknown {
  if (e instanceof NetcdfError || e instanceof Hdf5Unsupported) return e;
  if (e instanceof Hdf5Error) return new NetcdfError(path, `corrupt netCDF-4 file: ${e.message}`, variable);
  if (e instanceof RangeError || e instanceof TypeError) {
    return new NetcdfError(path, `corrupt netCDF-4 file: ${e.message}`, variable);
  }
  return e;
}

/** An open netCDF-4 file read by the native HDF5 reader. */
export class Nc4NativeFile extends NcFileBase {
  readonly path: string;
  readonly format: NcFormat = "netcdf4";
  readonly dimensions: Map<string, NcDimension> = new Map();
  readonly variables: Map<string, NcVariable> = new Map();
  readonly attributes: Map<string, NcAttrValue> = new Map();
  readonly groups: string[] = [];
  #h5: Hdf5File | null;
  readonly #datasets = new Map<string, Dataset>();
  readonly #warned = new Set<string>();

  /** Use {@link openNc4Native}. Throws NetcdfError, or Hdf5Unsupported for features outside the subset. */
  constructor(path: string, h5: Hdf5File) {
    super();
    this.path = path;
    this.#h5 = h5;
    try {
      this.#build(h5);
    } catch (e) {
      throw wrap(path, e);
    }
  }

  #build(h5: Hdf5File): void {
    const root = h5.object(h5.root);
    if (root.links === null) throw new Hdf5Error("root object is not a group", h5.root);
    for (const a of h5.attributes(root)) this.#addAttr(h5, this.attributes, a);
    const nameByAddr = new Map<number, string>();
    for (const l of root.links) if (!nameByAddr.has(l.addr)) nameByAddr.set(l.addr, l.name);
    const infos: Nc4DatasetInfo[] = [];
    for (const link of root.links) {
      if (link.addr < 0) continue; // soft or external link
      const obj = h5.object(link.addr);
      if (obj.links !== null) {
        this.groups.push(link.name);
        continue;
      }
      const ds = h5.dataset(obj);
      if (!ds) continue;
      this.#datasets.set(link.name, ds);
      const raw = h5.attributes(obj);
      const special = new Map<string, AttrRaw>();
      for (const a of raw) {
        if (
          a.name === "CLASS" || a.name === "NAME" || a.name === "_Netcdf4Dimid" ||
          a.name === "_Netcdf4Coordinates"
        ) {
          special.set(a.name, h5.attrValue(a));
        }
      }
      const dimList = raw.find((x) => x.name === "DIMENSION_LIST");
      let refs: number[][] | null | undefined;
      const idv = special.get("_Netcdf4Dimid");
      const cv = special.get("_Netcdf4Coordinates");
      infos.push({
        name: link.name,
        type: typeOf(ds, link.name),
        shape: ds.dims.slice(),
        ...(String(special.get("CLASS") ?? "") === "DIMENSION_SCALE"
          ? {
            scale: {
              ...(special.has("_Netcdf4Dimid") ? { id: Number(Array.isArray(idv) ? idv[0] : idv) } : {}),
              unlimited: (ds.space.maxDims?.[0] ?? 0) === -1,
              nameAttr: String(special.get("NAME") ?? ""),
            },
          }
          : {}),
        coords: Array.isArray(cv) ? (cv as number[]).map(Number) : typeof cv === "number" ? [cv] : null,
        hasDimList: dimList !== undefined,
        attachedScale: (k) => {
          if (refs === undefined) {
            const v = h5.attrValue(dimList!);
            refs = v !== null && typeof v === "object" && "refs" in v ? v.refs : null;
          }
          const target = refs?.[k]?.[0];
          return target === undefined ? undefined : nameByAddr.get(target);
        },
        attributes: () => {
          const attributes = new Map<string, NcAttrValue>();
          for (const a of raw) this.#addAttr(h5, attributes, a);
          return attributes;
        },
      });
    }
    const { dimensions, variables } = buildNc4Model(infos);
    for (const [k, d] of dimensions) this.dimensions.set(k, d);
    for (const [k, v] of variables) this.variables.set(k, v);
  }

  #addAttr(h5: Hdf5File, out: Map<string, NcAttrValue>, a: RawAttribute): void {
    if (isHiddenAttribute(a.name)) return;
    const v = ncValue(h5.attrValue(a));
    if (v !== undefined) out.set(a.name, v);
  }

  read(name: string, slab?: Hyperslab, scratch?: Uint8Array): NcData {
    const v = this.variable(name);
    const h5 = this.#h5;
    if (!h5) throw new NetcdfError(this.path, "file is closed", name);
    const { start, count } = checkSlab(this.path, v, slab);
    const ds = this.#datasets.get(name)!;
    try {
      const bytes = ds.readBytes(
        start,
        count,
        v.type === "char" || v.type === "string" ? undefined : scratch,
      );
      if (bytes.length > 0 && !this.#warned.has(name) && ds.unallocated) {
        this.#warned.add(name);
        inputWarning(`${this.path}: variable ${name}: no data stored, read as fill values`);
      }
      if (v.type === "char") return charsToValue(bytes, count);
      if (v.type === "string") {
        const t = ds.type;
        const n = bytes.length / t.size;
        const out: string[] = new Array(n);
        if (t.cls === DT.STRING) {
          for (let i = 0; i < n; i++) {
            out[i] = decodeString(bytes.subarray(i * t.size, (i + 1) * t.size), t.cset);
          }
          return out;
        }
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const o = h5.sizes.offsetSize;
        for (let i = 0; i < n; i++) {
          const p = i * t.size;
          const len = dv.getUint32(p, true);
          let coll = 0;
          let allOnes = true;
          for (let b = o - 1; b >= 0; b--) {
            const x = bytes[p + 4 + b]!;
            if (x !== 0xff) allOnes = false;
            coll = coll * 256 + x;
          }
          const idx = dv.getUint32(p + 4 + o, true);
          out[i] = len === 0 || allOnes || coll === 0
            ? ""
            : decodeString(h5.globalObject(coll, idx).subarray(0, len), t.base?.cset ?? t.cset);
        }
        return out;
      }
      const C = ctorOf(v.type);
      return new C(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / C.BYTES_PER_ELEMENT);
    } catch (e) {
      throw wrap(this.path, e, name);
    }
  }

  close(): void {
    if (this.#h5) {
      const h = this.#h5;
      this.#h5 = null;
      h.close();
    }
  }
}

function openWith(path: string, make: () => Hdf5File): Nc4NativeFile {
  let h5: Hdf5File;
  try {
    h5 = make();
  } catch (e) {
    if (e instanceof Hdf5Unsupported) throw e;
    if (e instanceof Hdf5Error) throw new NetcdfError(path, `cannot open as netCDF-4/HDF5: ${e.message}`);
    throw openError(path, e);
  }
  try {
    return new Nc4NativeFile(path, h5);
  } catch (e) {
    h5.close();
    throw e;
  }
}

/**
 * Open a netCDF-4/HDF5 file with the native reader. Throws NetcdfError naming the file, or
 * `Hdf5Unsupported` when the file needs a feature outside the native subset.
 */
export function openNc4Native(path: string): Nc4NativeFile {
  return openWith(path, () => Hdf5File.open(path));
}

/** Like {@link openNc4Native} for bytes held in memory (no temp file); `name` is used in errors. */
export function openNc4NativeBytes(bytes: Uint8Array, name: string): Nc4NativeFile {
  return openWith(name, () => Hdf5File.fromBytes(bytes));
}
