/**
 * Parsing of the list-valued options of the SEQ tools (JSON-like lists, never eval) and the
 * pipeline's default velocity windows.
 *
 * @module
 */
import type { Region } from "./line.ts";

/** Parse a list of [a, b] velocity regions: `[[-305,-55],[145,395]]` (a single `[a,b]` is one region). */
export function parseRegions(s: string): Region[] {
  let v: unknown;
  try {
    v = JSON.parse(s.trim());
  } catch {
    throw new Error(`expected a list of [v0,v1] pairs such as [[-305,-55],[145,395]], got "${s}"`);
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") v = [v];
  if (!Array.isArray(v)) throw new Error(`expected a list of [v0,v1] pairs, got "${s}"`);
  const out: Region[] = [];
  for (const r of v) {
    if (Array.isArray(r) && r.length === 0) continue; // the original's empty default [[],[]]
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw new Error(`each region must be [v0,v1] with two numbers, got ${JSON.stringify(r)}`);
    }
    out.push([r[0], r[1]]);
  }
  return out;
}

/** Parse a velocity slice `[v0,v1]` or `v0,v1`. */
export function parseSlice(s: string): [number, number] {
  const t = s.trim();
  let v: unknown;
  try {
    v = JSON.parse(t.startsWith("[") ? t : `[${t}]`);
  } catch {
    throw new Error(`expected [v0,v1] in km/s, got "${s}"`);
  }
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new Error(`expected [v0,v1] with two numbers, got "${s}"`);
  }
  return [v[0], v[1]];
}

/** Parse a channel list `c1,c2,...` (brackets allowed; empty = none). */
export function parseChannelList(s: string): number[] {
  const t = s.trim().replace(/^\[/, "").replace(/\]$/, "").trim();
  if (t === "") return [];
  return t.split(/[,\s]+/).map((w) => {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 0) throw new Error(`channel numbers must be integers ≥ 0, got "${w}"`);
    return n;
  });
}

/**
 * The lmtoy pipeline's default windows around the source velocity (seq_pipeline.sh, dv=100, dw=250):
 * b_regions [[v−dv−dw, v−dv], [v+dv, v+dv+dw]] and slice [v−dv−dw, v+dv+dw].
 */
export function pipelineWindows(
  vlsr: number,
  dv = 100,
  dw = 250,
): { bRegions: Region[]; slice: [number, number] } {
  return {
    bRegions: [[vlsr - dv - dw, vlsr - dv], [vlsr + dv, vlsr + dv + dw]],
    slice: [vlsr - dv - dw, vlsr + dv + dw],
  };
}

/** ON samples s0..s1 (inclusive, 0-based as Data.Sequence) of one pixel, left out of the SpecFile. */
export interface SampleSection {
  pixel: number;
  s0: number;
  s1: number;
}

/**
 * Parse `--sample P,S0,S1[,P,S0,S1...]` (the gridder's `--sample` grammar): triples of pixel and first
 * and last ON sample to cull. `-1,0,0` (or `-1`) culls nothing; a triple with pixel −1 is skipped.
 */
export function parseSampleSections(values: number[]): SampleSection[] {
  if (values.length === 1 && values[0] === -1) return [];
  if (values.length === 0 || values.length % 3 !== 0) {
    throw new Error(`expected triples PIXEL,S0,S1, not ${values.length} numbers`);
  }
  const out: SampleSection[] = [];
  for (let i = 0; i < values.length; i += 3) {
    const [p, s0, s1] = [values[i]!, values[i + 1]!, values[i + 2]!];
    if (![p, s0, s1].every(Number.isInteger)) throw new Error(`entries must be integers: ${p},${s0},${s1}`);
    if (p === -1) continue;
    if (p < 0 || p > 15) throw new Error(`pixel ${p} out of range 0..15 in ${p},${s0},${s1}`);
    if (s0 < 0 || s1 < s0) throw new Error(`need 0 ≤ S0 ≤ S1, got ${p},${s0},${s1}`);
    out.push({ pixel: p, s0, s1 });
  }
  return out;
}

/** {@link parseSampleSections} of the text `P,S0,S1,...` (brackets and blanks allowed). */
export function parseSampleOption(s: string): SampleSection[] {
  const t = s.trim().replace(/^\[/, "").replace(/\]$/, "").trim();
  const words = t === "" ? [] : t.split(/[,\s]+/);
  return parseSampleSections(words.map((w) => {
    const n = Number(w);
    if (w === "" || !Number.isInteger(n)) throw new Error(`"${w}" is not an integer`);
    return n;
  }));
}
