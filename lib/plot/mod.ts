/**
 * Headless plots: Vega-Lite specs → SVG (vega, renderer "none") → PNG (@resvg/resvg-js, DejaVu fonts).
 * The functions draw arrays and labels only; they know no files and no instruments.
 *
 * - {@link plotLines}: one panel of lines (spectra, lags, Tsys), NaN breaks a line, optional step
 *   drawing, reference lines and tick marks;
 * - {@link plotPanels}: a grid of such panels in one PNG (badlags 4×6, Tsys per board, waterfalls);
 * - {@link plotImage}: a heat map of a 2-D array (channel/peak/weight maps), NaN cells grey;
 * - {@link renderSvg}/{@link renderPng}: any Vega-Lite spec.
 *
 * Rendering needs `--allow-ffi --allow-sys --allow-read --allow-env` (the tools run with -A). It runs
 * on worker threads (lib/plot/pool.ts), which load vega, vega-lite and the resvg native addon on first
 * use, so importing this module is cheap and needs no permissions.
 *
 * @example
 * ```ts
 * const freq = Float64Array.from({ length: 100 }, (_, i) => 92 + 0.03 * i); // GHz
 * const spec = freq.map((f) => Math.exp(-(((f - 93.5) / 0.1) ** 2))); // K
 * const png = await plotLines({
 *   title: "rsr.33551", xLabel: "Frequency (GHz)", yLabel: "T_A (K)",
 *   series: [{ x: freq, y: spec, step: true }], hlines: [0],
 * });
 * Deno.writeFileSync(`${Deno.makeTempDirSync()}/spectrum.png`, png);
 * ```
 * @module
 */
import { encodePngRgba } from "./png.ts";
import { render } from "./pool.ts";

export { decodePngRgba, pngInfo } from "./png.ts";
export type { PngInfo } from "./png.ts";

/** Default line colours (Tableau 10, as Vega-Lite). */
export const PALETTE = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
];

/** The plots' font (the DejaVu files are found by the render threads, lib/plot/_render_worker.ts). */
export const FONT_FAMILY = "DejaVu Sans";

/** Rendering options. */
export interface RenderOptions {
  /** Pixel scale of the PNG relative to the spec's size (default 1.5). */
  scale?: number;
}

/** A Vega-Lite specification (loosely typed on purpose). */
export type VegaLiteSpec = Record<string, unknown>;

const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: "white",
  title: { fontSize: 14 },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
};

/** A spec with the house style (fonts, sizes, white background) under its own config. */
export function fullSpec(spec: VegaLiteSpec): VegaLiteSpec {
  return { ...spec, config: { ...BASE_CONFIG, ...(spec.config as object | undefined ?? {}) } };
}

/** A PNG scale must be in (0, 10]: RangeError otherwise. */
export function checkScale(scale: number): void {
  if (!(scale > 0 && scale <= 10)) throw new RangeError(`Bad plot scale ${scale}`);
}

/** Render a Vega-Lite spec to an SVG string (on a rendering thread, lib/plot/pool.ts). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  return await render({ kind: "svg", spec: fullSpec(spec) });
}

/** Render a Vega-Lite spec to PNG bytes (white background; on a rendering thread). */
export async function renderPng(spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? 1.5;
  checkScale(scale);
  return await render({ kind: "spec-png", spec: fullSpec(spec), scale });
}

/**
 * Rasterize an SVG document to PNG bytes with resvg (white background, DejaVu fonts), on a rendering
 * thread (lib/plot/pool.ts): pages awaited together render side by side, and the main thread goes on.
 */
export async function rasterizeSvg(svg: string, opts: RenderOptions = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? 1.5;
  checkScale(scale);
  return await render({ kind: "png", svg, scale });
}

/** One line of a {@link plotLines} panel. */
export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Legend entry; series without a label are not in the legend. */
  label?: string;
  /** CSS colour; default from {@link PALETTE}. */
  color?: string;
  /** Draw as a histogram-like step line (channels), default false. */
  step?: boolean;
  /** 0..1, default 1. */
  opacity?: number;
  /** Line width in px, default 1. */
  strokeWidth?: number;
}

/** Options of {@link plotLines} (and of each panel of {@link plotPanels}). */
export interface PlotLinesOpts {
  title?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Size of the whole plot in spec pixels (PNG size = size × scale); panels: size of each panel's plot area. */
  width?: number;
  height?: number;
  /** Dashed horizontal reference lines (e.g. 0). */
  hlines?: number[];
  /** Dashed vertical reference lines (e.g. line centres, board edges). */
  vlines?: number[];
  /** Short vertical marks from y0 to y1 at x (e.g. flagged lags, line positions). */
  ticks?: { x: number; y0: number; y1: number }[];
  /** Maximum points drawn per series before min/max decimation (default 4 × width). */
  maxPoints?: number;
  /** PNG scale (default 1.5). */
  scale?: number;
}

type Row = { x: number | null; y: number | null };

function fin(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * Reduce a long series to at most ~maxPoints points by keeping, per bucket of consecutive samples,
 * the first, minimum, maximum and last finite points in index order (spikes survive); a bucket with a
 * non-finite y keeps a gap.
 */
export function decimate(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number): Row[] {
  const n = y.length;
  const rows: Row[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) rows.push({ x: fin(x[i]!), y: fin(y[i]!) });
    return rows;
  }
  const nb = Math.max(1, Math.floor(maxPoints / 4));
  for (let b = 0; b < nb; b++) {
    const a = Math.floor((b * n) / nb);
    const e = Math.floor(((b + 1) * n) / nb);
    let imin = -1, imax = -1, first = -1, last = -1;
    let gap = false;
    for (let i = a; i < e; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v) || !Number.isFinite(x[i]!)) {
        gap = true;
        continue;
      }
      if (first < 0) first = i;
      last = i;
      if (imin < 0 || v < y[imin]!) imin = i;
      if (imax < 0 || v > y[imax]!) imax = i;
    }
    if (first < 0) {
      rows.push({ x: null, y: null });
      continue;
    }
    const keep = [...new Set([first, imin, imax, last])].sort((p, q) => p - q);
    for (const i of keep) rows.push({ x: x[i]!, y: y[i]! });
    if (gap) rows.push({ x: null, y: null });
  }
  return rows;
}

function checkLines(o: PlotLinesOpts, what: string): void {
  if (!Array.isArray(o.series) || o.series.length === 0) {
    throw new RangeError(`${what}: no series to plot`);
  }
  let points = 0;
  o.series.forEach((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new RangeError(`${what}: series ${i} has ${s.x.length} x values but ${s.y.length} y values`);
    }
    points += s.y.length;
  });
  if (points === 0) throw new RangeError(`${what}: all series are empty`);
  for (const [name, d] of [["xDomain", o.xDomain], ["yDomain", o.yDomain]] as const) {
    if (d !== undefined && !(Number.isFinite(d[0]) && Number.isFinite(d[1]) && d[0] !== d[1])) {
      throw new RangeError(`${what}: bad ${name} [${d.join(", ")}]`);
    }
  }
}

/** True when [a, b] (either order) overlaps the domain d (or no domain is set). */
export function overlaps(a: number, b: number, d: [number, number] | undefined): boolean {
  if (d === undefined) return true;
  const lo = Math.min(d[0], d[1]), hi = Math.max(d[0], d[1]);
  return Math.max(a, b) >= lo && Math.min(a, b) <= hi;
}

/**
 * Rows of a series with nothing visible inside fixed domains are dropped: resvg 2.6 (resvg-js)
 * aborts the whole process (panic `geom.rs:27 ... unwrap on None`) when a clipped path or rule lies
 * entirely outside the canvas, e.g. a Tsys curve of 1000 K on a 40..310 K axis. Dropping it draws
 * exactly the same picture.
 */
function visibleRows(rows: Row[], o: PlotLinesOpts): Row[] {
  if (o.xDomain === undefined && o.yDomain === undefined) return rows;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const r of rows) {
    if (r.x === null || r.y === null) continue;
    if (r.x < x0) x0 = r.x;
    if (r.x > x1) x1 = r.x;
    if (r.y < y0) y0 = r.y;
    if (r.y > y1) y1 = r.y;
  }
  if (!(x0 <= x1)) return [];
  return overlaps(x0, x1, o.xDomain) && overlaps(y0, y1, o.yDomain) ? rows : [];
}

/** The layers of one line panel (no size, no title). */
function lineLayers(o: PlotLinesOpts, width: number): VegaLiteSpec[] {
  const maxPoints = o.maxPoints ?? 4 * width;
  const labels = o.series.filter((s) => s.label !== undefined).map((s) => s.label!);
  const colorOf = (s: Series, i: number) => s.color ?? PALETTE[i % PALETTE.length]!;
  const labelColors = o.series.map((s, i) => [s, colorOf(s, i)] as const).filter(([s]) =>
    s.label !== undefined
  )
    .map(([, c]) => c);
  const xScale: Record<string, unknown> = { zero: false, nice: false };
  if (o.xDomain) xScale.domain = o.xDomain;
  const yScale: Record<string, unknown> = { zero: false, nice: o.yDomain === undefined };
  if (o.yDomain) yScale.domain = o.yDomain;
  const xEnc = { field: "x", type: "quantitative", title: o.xLabel, scale: xScale };
  const yEnc = { field: "y", type: "quantitative", title: o.yLabel, scale: yScale };
  const layers: VegaLiteSpec[] = o.series.map((s, i) => {
    const mark: Record<string, unknown> = {
      type: "line",
      interpolate: s.step ? "step" : "linear",
      strokeWidth: s.strokeWidth ?? 1,
      opacity: s.opacity ?? 1,
      clip: true,
    };
    const enc: Record<string, unknown> = { x: xEnc, y: yEnc };
    if (s.label !== undefined) {
      enc.color = {
        datum: s.label,
        type: "nominal",
        scale: { domain: labels, range: labelColors },
        legend: { title: null },
      };
    } else mark.color = colorOf(s, i);
    return { data: { values: visibleRows(decimate(s.x, s.y, maxPoints), o) }, mark, encoding: enc };
  });
  // reference lines outside fixed domains are invisible and would crash resvg (see visibleRows)
  const hlines = (o.hlines ?? []).filter((y) => Number.isFinite(y) && overlaps(y, y, o.yDomain));
  const vlines = (o.vlines ?? []).filter((x) => Number.isFinite(x) && overlaps(x, x, o.xDomain));
  const ticks = (o.ticks ?? []).filter((t) =>
    [t.x, t.y0, t.y1].every(Number.isFinite) && overlaps(t.x, t.x, o.xDomain) &&
    overlaps(t.y0, t.y1, o.yDomain)
  );
  if (hlines.length) {
    layers.push({
      data: { values: hlines.map((y) => ({ y })) },
      mark: { type: "rule", color: "#d62728", strokeDash: [5, 4], strokeWidth: 1, clip: true },
      encoding: { y: yEnc },
    });
  }
  if (vlines.length) {
    layers.push({
      data: { values: vlines.map((x) => ({ x })) },
      mark: { type: "rule", color: "#555555", strokeDash: [5, 4], strokeWidth: 1, clip: true },
      encoding: { x: xEnc },
    });
  }
  if (ticks.length) {
    layers.push({
      data: { values: ticks.map((t) => ({ x: t.x, y: t.y0, y2: t.y1 })) },
      mark: { type: "rule", color: "#d62728", strokeWidth: 1.5, clip: true },
      encoding: { x: xEnc, y: yEnc, y2: { field: "y2" } },
    });
  }
  return layers;
}

/** Line plot → PNG bytes. NaN values break the line. Throws RangeError on empty input. */
export async function plotLines(o: PlotLinesOpts): Promise<Uint8Array> {
  checkLines(o, "plotLines");
  const width = o.width ?? 900;
  const height = o.height ?? 360;
  const spec: VegaLiteSpec = {
    width,
    height,
    autosize: { type: "fit", contains: "padding" },
    padding: 8,
    layer: lineLayers(o, width),
  };
  if (o.title !== undefined) spec.title = o.title;
  return await renderPng(spec, o.scale === undefined ? {} : { scale: o.scale });
}

/** Options of {@link plotPanels}. */
export interface PlotPanelsOpts {
  title?: string;
  columns: number;
  panels: (PlotLinesOpts & { titleColor?: string })[];
  /** Plot-area size of each panel (default 220 × 150). */
  width?: number;
  height?: number;
  scale?: number;
}

/** A grid of line panels in one PNG (each panel has its own scales). */
export async function plotPanels(o: PlotPanelsOpts): Promise<Uint8Array> {
  if (!Number.isInteger(o.columns) || o.columns < 1) {
    throw new RangeError(`plotPanels: bad columns ${o.columns}`);
  }
  if (!Array.isArray(o.panels) || o.panels.length === 0) {
    throw new RangeError("plotPanels: no panels to plot");
  }
  const concat = o.panels.map((p, i) => {
    checkLines(p, `plotPanels panel ${i}`);
    const width = p.width ?? o.width ?? 220;
    const height = p.height ?? o.height ?? 150;
    const panel: VegaLiteSpec = { width, height, layer: lineLayers(p, width) };
    if (p.title !== undefined) {
      panel.title = { text: p.title, fontSize: 11, ...(p.titleColor ? { color: p.titleColor } : {}) };
    }
    return panel;
  });
  const spec: VegaLiteSpec = {
    columns: o.columns,
    concat,
    padding: 8,
    spacing: 12,
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  };
  if (o.title !== undefined) spec.title = { text: o.title, anchor: "middle" };
  return await renderPng(spec, o.scale === undefined ? {} : { scale: o.scale });
}

/** Options of {@link plotImage}. */
export interface PlotImageOpts {
  title?: string;
  /** Row-major values, x fastest: value(ix, iy) = data[iy·nx + ix]. */
  data: Float32Array | Float64Array;
  nx: number;
  ny: number;
  /** Centre coordinate of pixel ix = 0 and step (may be negative, e.g. RA offsets). */
  x0: number;
  dx: number;
  /** Centre coordinate of row iy = 0 (drawn at the bottom) and step. */
  y0: number;
  dy: number;
  xLabel: string;
  yLabel: string;
  colorLabel?: string;
  /** Colour range; default the finite min/max. */
  domain?: [number, number];
  /** Vega colour scheme name (default "viridis"). */
  scheme?: string;
  width?: number;
  height?: number;
  scale?: number;
}

/** RGBA of NaN cells. */
const NAN_GREY = [200, 200, 200, 255];

/**
 * Heat map of a 2-D array → PNG bytes; NaN cells are grey. The input is checked here (RangeError); the
 * image is coloured and drawn on a render thread (lib/plot/pool.ts), with {@link imageSpec}.
 */
export async function plotImage(o: PlotImageOpts): Promise<Uint8Array> {
  checkImage(o);
  const scale = o.scale ?? 1.5;
  checkScale(scale);
  return await render({ kind: "image-png", opts: o, scale });
}

function checkImage(o: PlotImageOpts): void {
  const { nx, ny, data } = o;
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx > 0 && ny > 0)) {
    throw new RangeError(`plotImage: bad size ${nx} × ${ny}`);
  }
  if (data.length !== nx * ny) {
    throw new RangeError(`plotImage: data has ${data.length} values, expected ${nx * ny}`);
  }
  if (!(Number.isFinite(o.dx) && Number.isFinite(o.dy) && o.dx !== 0 && o.dy !== 0)) {
    throw new RangeError(`plotImage: bad pixel steps dx=${o.dx} dy=${o.dy}`);
  }
}

/**
 * The Vega-Lite spec of {@link plotImage} (with the base config), given the colour table of its scheme (256
 * RGB entries): the cells are coloured into an embedded PNG, the axes and colour bar are vega's.
 */
export function imageSpec(o: PlotImageOpts, lut: Uint8Array): VegaLiteSpec {
  const { nx, ny, data } = o;
  let [lo, hi] = o.domain ?? [Infinity, -Infinity];
  if (o.domain === undefined) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  }
  if (!(hi > lo)) {
    const d = lo === 0 ? 0.5 : Math.abs(lo) * 0.01;
    [lo, hi] = [lo - d, hi + d];
  }
  const width = o.width ?? 560;
  const height = o.height ?? 480;
  const scale = o.scale ?? 1.5;
  // Upsample by whole pixels (nearest neighbour) so the renderer's smoothing only touches cell edges.
  const fx = Math.max(1, Math.min(Math.ceil((width * scale) / nx), Math.floor(4096 / nx)));
  const fy = Math.max(1, Math.min(Math.ceil((height * scale) / ny), Math.floor(4096 / ny)));
  const W = nx * fx, H = ny * fy;
  const rgba = new Uint8Array(W * H * 4);
  for (let r = 0; r < H; r++) {
    const iy = ny - 1 - Math.floor(r / fy); // PNG row 0 is the top = last data row
    for (let c = 0; c < W; c++) {
      const v = data[iy * nx + Math.floor(c / fx)]!;
      const o4 = (r * W + c) * 4;
      if (!Number.isFinite(v)) {
        rgba.set(NAN_GREY, o4);
        continue;
      }
      const k = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255))) * 3;
      rgba[o4] = lut[k]!;
      rgba[o4 + 1] = lut[k + 1]!;
      rgba[o4 + 2] = lut[k + 2]!;
      rgba[o4 + 3] = 255;
    }
  }
  const png = encodePngRgba(rgba, W, H);
  const url = `data:image/png;base64,${base64(png)}`;
  const left = o.x0 - o.dx / 2, right = o.x0 + (nx - 0.5) * o.dx;
  const bottom = o.y0 - o.dy / 2, top = o.y0 + (ny - 0.5) * o.dy;
  const spec: VegaLiteSpec = {
    width,
    height,
    autosize: { type: "fit", contains: "padding" },
    padding: 8,
    config: { view: { stroke: "#888888" }, axis: { grid: false } },
    layer: [
      {
        data: { values: [{}] },
        mark: { type: "image", url, aspect: false, smooth: false },
        encoding: {
          x: {
            datum: left,
            type: "quantitative",
            scale: { domain: [left, right], nice: false, zero: false },
            axis: { title: o.xLabel },
          },
          x2: { datum: right },
          y: {
            datum: top,
            type: "quantitative",
            scale: { domain: [bottom, top], nice: false, zero: false },
            axis: { title: o.yLabel },
          },
          y2: { datum: bottom },
        },
      },
      {
        data: { values: [{ v: lo }, { v: hi }] },
        mark: { type: "point", opacity: 0 },
        encoding: {
          color: {
            field: "v",
            type: "quantitative",
            scale: { scheme: o.scheme ?? "viridis", domain: [lo, hi] },
            title: o.colorLabel ?? "",
            legend: { gradientLength: Math.max(80, height - 60) },
          },
        },
      },
    ],
  };
  if (o.title !== undefined) spec.title = o.title;
  return fullSpec(spec);
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
