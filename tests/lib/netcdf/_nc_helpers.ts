/**
 * Helpers of the netCDF tests: a parser for `ncdump -h` CDL text, and access to Debian's
 * /usr/bin/python3 with netCDF4 (the reference reader) and `ncdump`.
 * @module
 */
import { existsSync } from "node:fs";
import type { NcFile, NcType } from "../../../lib/netcdf/mod.ts";

/** Dimensions, variables and groups listed by `ncdump -h`. */
export interface Cdl {
  dims: Map<string, { size: number; unlimited: boolean }>;
  vars: Map<string, { type: NcType; dims: string[] }>;
  groups: string[];
}

/** Parse the root group of `ncdump -h` output. */
export function parseCdl(text: string): Cdl {
  const dims = new Map<string, { size: number; unlimited: boolean }>();
  const vars = new Map<string, { type: NcType; dims: string[] }>();
  const groups: string[] = [];
  let section = "";
  let depth = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const g = /^group: (\S+) \{/.exec(line);
    if (g) {
      if (depth === 0) groups.push(g[1]!);
      depth++;
      continue;
    }
    if (depth > 0) {
      if (line.startsWith("} // group")) depth--;
      continue;
    }
    if (line === "dimensions:" || line === "variables:") {
      section = line;
      continue;
    }
    if (line.startsWith("//") || line.startsWith("data:")) section = "";
    if (section === "dimensions:") {
      const m = /^(\S+) = (UNLIMITED|\d+) ;(?: \/\/ \((\d+) currently\))?/.exec(line);
      if (m) {
        const unlimited = m[2] === "UNLIMITED";
        dims.set(m[1]!, { size: unlimited ? Number(m[3]) : Number(m[2]), unlimited });
      }
    } else if (section === "variables:") {
      const m =
        /^(byte|char|short|int|float|double|ubyte|ushort|uint|int64|uint64|string) ([^\s(]+)(?:\((.*)\))? ;$/
          .exec(line);
      if (m) vars.set(m[2]!, { type: m[1] as NcType, dims: m[3] ? m[3].split(", ") : [] });
    }
  }
  return { dims, vars, groups };
}

/** Assert-friendly view of an opened file in the same shape as {@link Cdl}. */
export function modelOf(f: NcFile): Cdl {
  const dims = new Map<string, { size: number; unlimited: boolean }>();
  for (const d of f.dimensions.values()) dims.set(d.name, { size: d.size, unlimited: d.unlimited });
  const vars = new Map<string, { type: NcType; dims: string[] }>();
  for (const v of f.variables.values()) vars.set(v.name, { type: v.type, dims: v.dimensions });
  return { dims, vars, groups: f.groups.slice() };
}

export const PYTHON = "/usr/bin/python3";

let pyOk: boolean | null = null;
/** True when /usr/bin/python3 can import netCDF4 and numpy; prints a visible notice once when not. */
export function hasPyNetcdf(): boolean {
  if (pyOk !== null) return pyOk;
  pyOk = false;
  if (existsSync(PYTHON)) {
    const r = new Deno.Command(PYTHON, {
      args: ["-c", "import netCDF4, numpy"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync();
    pyOk = r.code === 0;
  }
  if (!pyOk) {
    console.error(
      "NOTICE: /usr/bin/python3 with netCDF4 not available (apt-get install python3-netcdf4): " +
        "python interop checks are SKIPPED",
    );
  }
  return pyOk;
}

let ncdumpOk: boolean | null = null;
/** True when `ncdump` runs; prints a notice once when not. */
export function hasNcdump(): boolean {
  if (ncdumpOk !== null) return ncdumpOk;
  try {
    ncdumpOk =
      new Deno.Command("ncdump", { args: [], stdout: "null", stderr: "null" }).outputSync().code !== 127;
  } catch {
    ncdumpOk = false;
  }
  if (!ncdumpOk) {
    console.error("NOTICE: ncdump not available (apt-get install netcdf-bin): ncdump checks are SKIPPED");
  }
  return ncdumpOk;
}

/** `ncdump -h` (or other args) output. */
export function ncdump(args: string[]): string {
  const r = new Deno.Command("ncdump", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (r.code !== 0) throw new Error(`ncdump ${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

/** Run a python program (argv after the script) and parse its stdout as JSON. */
export function runPython(code: string, args: string[] = []): unknown {
  const r = new Deno.Command(PYTHON, { args: ["-c", code, ...args], stdout: "piped", stderr: "piped" })
    .outputSync();
  const err = new TextDecoder().decode(r.stderr);
  if (r.code !== 0) throw new Error(`python failed: ${err}`);
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

/**
 * Python program: for each file argument, every root variable's type, shape and values as
 * netCDF4-python reads them (raw, no masking): char variables as trimmed strings per row
 * (cut at NUL, trailing blanks removed), numbers as a flat sample (all values if ≤ 4096,
 * else every k-th) plus the float64 sum. Non-finite numbers are written as strings.
 */
export const PY_DUMP = `
import sys, json, math
import numpy as np
import netCDF4
def fin(x):
    x = float(x)
    return x if math.isfinite(x) else repr(x)
out = {}
for path in sys.argv[1:]:
    d = netCDF4.Dataset(path)
    d.set_auto_maskandscale(False)
    d.set_auto_chartostring(False)
    res = {"dims": {k: [len(v), v.isunlimited()] for k, v in d.dimensions.items()}, "vars": {}}
    for name, v in d.variables.items():
        a = np.asarray(v[...])
        e = {"shape": list(a.shape), "dtype": str(a.dtype)}
        if a.dtype.kind == "S":
            b = a.reshape(-1, a.shape[-1] if a.ndim else 1) if a.ndim >= 1 else a.reshape(1, 1)
            rows = [bytes(r.tobytes()).split(b"\\0")[0].rstrip(b" \\t").decode("latin1") for r in b]
            e["text"] = rows
        else:
            flat = a.reshape(-1)
            n = flat.size
            k = 1 if n <= 4096 else (n // 4096 + 1)
            e["step"] = k
            e["sample"] = [fin(x) for x in flat[::k]]
            e["sum"] = fin(np.sum(flat.astype(np.float64))) if n else 0.0
        res["vars"][name] = e
    out[path] = res
    d.close()
print(json.dumps(out))
`;

/** One variable as dumped by {@link PY_DUMP}. */
export interface PyVar {
  shape: number[];
  dtype: string;
  text?: string[];
  step?: number;
  sample?: (number | string)[];
  sum?: number | string;
}

/** Result of {@link PY_DUMP} per path. */
export type PyDump = Record<string, { dims: Record<string, [number, boolean]>; vars: Record<string, PyVar> }>;
