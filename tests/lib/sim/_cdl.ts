/**
 * Minimal CDL (ncdump -h) parser for layout comparisons in the sim tests.
 * @module
 */
import type { NcFile } from "../../../lib/netcdf/mod.ts";

/** Dimensions and variables (type, dims) of a CDL header. */
export interface CdlLayout {
  dims: Map<string, { size: number; unlimited: boolean }>;
  vars: Map<string, { type: string; dims: string[] }>;
  groups: string[];
}

/** Parse the text of `ncdump -h`. */
export function parseCdl(text: string): CdlLayout {
  const out: CdlLayout = { dims: new Map(), vars: new Map(), groups: [] };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "dimensions:") section = "dims";
    else if (line === "variables:") section = "vars";
    else if (line.startsWith("group:")) out.groups.push(line.slice(6).replace("{", "").trim());
    else if (section === "dims") {
      const m = /^(\S+) = (UNLIMITED|\d+) ;/.exec(line);
      if (m) {
        out.dims.set(m[1]!, {
          size: m[2] === "UNLIMITED" ? -1 : Number(m[2]),
          unlimited: m[2] === "UNLIMITED",
        });
      }
    } else if (section === "vars") {
      const m =
        /^(char|byte|short|int|int64|float|double|ubyte|ushort|uint|uint64|string) ([^\s(]+)(?:\(([^)]*)\))? ;$/
          .exec(line);
      if (m) out.vars.set(m[2]!, { type: m[1]!, dims: m[3] ? m[3].split(",").map((s) => s.trim()) : [] });
    }
  }
  return out;
}

/** Differences between an opened file and a CDL layout (empty = same variables, types, dims). */
export function layoutDiff(f: NcFile, cdl: CdlLayout, opts: { ignoreDimSize?: RegExp } = {}): string[] {
  const diffs: string[] = [];
  for (const [name, v] of cdl.vars) {
    if (!f.has(name)) {
      diffs.push(`missing variable ${name}`);
      continue;
    }
    const fv = f.variable(name);
    if (fv.type !== v.type) diffs.push(`${name}: type ${fv.type} != ${v.type}`);
    if (fv.dimensions.join(",") !== v.dims.join(",")) {
      diffs.push(`${name}: dims ${fv.dimensions} != ${v.dims}`);
    }
  }
  for (const name of f.variables.keys()) if (!cdl.vars.has(name)) diffs.push(`extra variable ${name}`);
  for (const [name, d] of cdl.dims) {
    const fd = f.dimensions.get(name);
    if (!fd) diffs.push(`missing dimension ${name}`);
    else if (d.unlimited !== fd.unlimited) {
      diffs.push(`dimension ${name}: unlimited ${fd.unlimited} != ${d.unlimited}`);
    } else if (!d.unlimited && d.size !== fd.size && !(opts.ignoreDimSize?.test(name))) {
      diffs.push(`dimension ${name}: size ${fd.size} != ${d.size}`);
    }
  }
  return diffs;
}
