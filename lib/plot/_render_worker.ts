/**
 * A plot-rendering thread (a Web Worker started by lib/plot/pool.ts): Vega-Lite specs → SVG (vega) and SVG → PNG
 * (resvg, DejaVu fonts). It keeps no state between jobs except the loaded modules and the font list, so
 * any job can go to any thread and the bytes do not depend on which one renders them.
 *
 * Messages in: {@link RenderRequest}; out: `{ id, value }` (a string or PNG bytes, transferred) or
 * `{ id, error }` (the error's message).
 *
 * @module
 */
import { existsSync, readFileSync } from "../sys/fs.ts";
import type { TopLevelSpec } from "vega-lite";
import { parseTrueType, type TextFonts, textToPaths } from "./glyphs.ts";
import { FONT_FAMILY, imageSpec } from "./mod.ts";
import { encodePage } from "./png.ts";
import type { RenderRequest } from "./pool.ts";
import { stackSvg } from "./stack.ts";

const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF"];

/** The two DejaVu files when installed (resvg then parses only these), else the system's fonts. */
function fontOptions(): { loadSystemFonts: boolean; fontFiles: string[]; defaultFontFamily: string } {
  for (const d of FONT_DIRS) {
    const files = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => `${d}/${f}`).filter((f) =>
      existsSync(f)
    );
    if (files.length > 0) return { loadSystemFonts: false, fontFiles: files, defaultFontFamily: FONT_FAMILY };
  }
  return { loadSystemFonts: true, fontFiles: [], defaultFontFamily: FONT_FAMILY };
}

let FONTS: ReturnType<typeof fontOptions> | null = null;

/** resvg's font options, found once per thread. */
function fonts(): ReturnType<typeof fontOptions> {
  return FONTS ??= fontOptions();
}

/**
 * The DejaVu faces for setting labels as paths (lib/plot/glyphs.ts), read once per thread; null when the
 * files are not installed (resvg then lays the text out itself, from the system's fonts).
 */
let FACES: TextFonts | null | undefined;

function faces(): TextFonts | null {
  if (FACES !== undefined) return FACES;
  FACES = null;
  const files = fonts().fontFiles;
  const regular = files.find((f) => f.endsWith("/DejaVuSans.ttf"));
  const bold = files.find((f) => f.endsWith("/DejaVuSans-Bold.ttf"));
  if (regular !== undefined && bold !== undefined) {
    try {
      FACES = { regular: parseTrueType(readFileSync(regular)), bold: parseTrueType(readFileSync(bold)) };
    } catch { /* not the expected fonts: resvg's own text layout */ }
  }
  return FACES;
}

async function toSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  // the specs are built as plain objects (VegaLiteSpec); vega-lite validates them when compiling
  const compiled = vl.compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

async function toPng(svg: string, scale: number): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const f = faces();
  // labels as paths: resvg re-reads the font file for every label (the main cost of a page, see glyphs.ts)
  const doc = f === null ? svg : textToPaths(svg, f);
  // synchronous on this thread: the thread is the unit of parallelism (lib/plot/pool.ts)
  const img = new Resvg(doc, { fitTo: { mode: "zoom", value: scale }, font: fonts(), background: "white" })
    .render();
  const px = img.pixels; // a copy of the pixmap: take it once
  return encodePage(new Uint8Array(px.buffer, px.byteOffset, px.byteLength), img.width, img.height);
}

/** Colour tables made on this thread, by scheme (every heat map of a run uses the same one or two). */
const LUTS = new Map<string, Uint8Array>();

/** 256 RGB entries sampled from a continuous Vega colour scheme. */
async function colorLut(scheme: string): Promise<Uint8Array> {
  const known = LUTS.get(scheme);
  if (known !== undefined) return known;
  const vega = await import("vega");
  const interp = vega.scheme(scheme);
  if (typeof interp !== "function") throw new RangeError(`Unknown continuous colour scheme "${scheme}"`);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = String(interp(i / 255));
    const m = c.match(/rgb\((\d+),\s*(\d+),\s*(\d+)\)/);
    let rgb: number[];
    if (m) rgb = [Number(m[1]), Number(m[2]), Number(m[3])];
    else if (/^#[0-9a-f]{6}$/i.test(c)) rgb = [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
    else throw new RangeError(`Cannot parse colour "${c}" of scheme "${scheme}"`);
    lut.set(rgb, i * 3);
  }
  LUTS.set(scheme, lut);
  return lut;
}

async function run(m: RenderRequest): Promise<string | Uint8Array> {
  switch (m.kind) {
    case "svg":
      return await toSvg(m.spec);
    case "png":
      return await toPng(m.svg, m.scale);
    case "spec-png":
      return await toPng(await toSvg(m.spec), m.scale);
    case "warm":
      await import("@resvg/resvg-js");
      faces();
      if (m.vega) await Promise.all([import("vega"), import("vega-lite")]);
      return new Uint8Array(0);
    case "image-png": {
      const spec = imageSpec(m.opts, await colorLut(m.opts.scheme ?? "viridis"));
      return await toPng(await toSvg(spec), m.scale);
    }
    case "stack-png":
      return await toPng(stackSvg(m.opts), m.scale);
  }
}

/** This thread's global scope, as far as it is used here (Deno types `self` as a window). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<RenderRequest>) => void | Promise<void>) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};
scope.onmessage = async (e) => {
  const m = e.data;
  try {
    const value = await run(m);
    scope.postMessage({ id: m.id, value }, typeof value === "string" ? [] : [value.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
};
