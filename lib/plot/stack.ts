/**
 * Fast line panels sharing one x range, in one column (waterfalls) or a grid (badlags σ panels), with
 * an optional legend: the SVG is written directly — no Vega — and rasterized by resvg. A page costs
 * ~0.1 s of CPU instead of ~0.4 s with {@link plotPanels} plus ~0.3 s for loading Vega, which matters
 * for plots drawn several times per reduction (rsr_driver -w writes one page per obsnum and chassis;
 * rsr_tsys runs three times per obsnum).
 *
 * @example
 * ```ts
 * const freq = Float64Array.from({ length: 100 }, (_, i) => 73 + 0.38 * i); // GHz
 * const spec = freq.map((f) => Math.sin(f)); // mK
 * const png = await plotStack({
 *   xLabel: "Frequency (GHz)", yLabel: "mK", xDomain: [72.5, 111.5],
 *   panels: [{ title: "Repeat 0", yDomain: [-5, 5], series: [{ x: freq, y: spec }] }],
 * });
 * ```
 * @module
 */
import { checkScale, decimate, overlaps, PALETTE, type Series } from "./mod.ts";
import { render } from "./pool.ts";

/** One panel of {@link plotStack}. */
export interface StackPanel {
  /** Text above the panel. */
  title?: string;
  /** CSS colour of the title (default black). */
  titleColor?: string;
  series: Series[];
  /** y range of the panel; default: the data range within the x range, widened to nice ticks. */
  yDomain?: [number, number];
  /** Short vertical marks from y0 to y1 at x (e.g. flagged lags), red. */
  ticks?: { x: number; y0: number; y1: number }[];
  /** Dashed horizontal reference lines. */
  hlines?: number[];
  /** Dashed vertical reference lines (e.g. a line's centre). */
  vlines?: number[];
}

/** Options of {@link plotStack}. */
export interface PlotStackOpts {
  /** Title of the page. */
  title?: string;
  xLabel: string;
  /** y label (left of every row). */
  yLabel: string;
  /** Shared x range. */
  xDomain: [number, number];
  panels: StackPanel[];
  /** Panels per row (default 1). */
  columns?: number;
  /** Plot-area width (default 560) and height (default 60) of each panel, in spec pixels. */
  width?: number;
  panelHeight?: number;
  /** Points drawn per series before min/max decimation (default 2 × width). */
  maxPoints?: number;
  /** PNG scale (default 1.25). */
  scale?: number;
}

/** "Nice" tick values (steps 1, 2, 5 × 10^k) covering [lo, hi] with about n ticks. */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  const step = niceStep(lo, hi, n);
  if (step === 0) return [];
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) {
    out.push(i === 0 ? 0 : Number((i * step).toPrecision(12)));
  }
  return out;
}

function niceStep(lo: number, hi: number, n: number): number {
  if (!(hi > lo) || !(n >= 1)) return 0;
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function tickLabel(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(v) || 1;
  const dec = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(dec);
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function fin(d: [number, number] | undefined): boolean {
  return d !== undefined && Number.isFinite(d[0]) && Number.isFinite(d[1]) && d[0] < d[1];
}

/** Check the inputs of {@link plotStack}; throws RangeError naming the problem. */
function checkStack(o: PlotStackOpts): void {
  if (!fin(o.xDomain)) throw new RangeError(`plotStack: bad xDomain [${o.xDomain.join(", ")}]`);
  if (!Array.isArray(o.panels) || o.panels.length === 0) throw new RangeError("plotStack: no panels to plot");
  const cols = o.columns ?? 1;
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`plotStack: bad columns ${cols}`);
  o.panels.forEach((p, i) => {
    if (p.yDomain !== undefined && !fin(p.yDomain)) {
      throw new RangeError(`plotStack: panel ${i} has a bad yDomain [${p.yDomain.join(", ")}]`);
    }
    p.series.forEach((s, j) => {
      if (s.x.length !== s.y.length) {
        throw new RangeError(
          `plotStack: panel ${i} series ${j} has ${s.x.length} x but ${s.y.length} y values`,
        );
      }
    });
  });
}

/** Data range of a panel's finite points inside the x range, widened to nice ticks. */
function autoDomain(p: StackPanel, x: [number, number], nTicks: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of p.series) {
    for (let i = 0; i < s.y.length; i++) {
      const xv = s.x[i]!, yv = s.y[i]!;
      if (!Number.isFinite(yv) || !(xv >= x[0] && xv <= x[1])) continue;
      if (yv < lo) lo = yv;
      if (yv > hi) hi = yv;
    }
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  if (!(hi > lo)) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const step = niceStep(lo, hi, nTicks);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** The SVG document of {@link plotStack} (exported for tests). */
export function stackSvg(o: PlotStackOpts): string {
  checkStack(o);
  const W = o.width ?? 560;
  const H = o.panelHeight ?? 60;
  const cols = o.columns ?? 1;
  const n = o.panels.length;
  const rows = Math.ceil(n / cols);
  const maxPoints = o.maxPoints ?? 2 * W;
  const labels: { text: string; color: string; opacity: number }[] = [];
  for (const p of o.panels) {
    p.series.forEach((s, j) => {
      if (s.label !== undefined && !labels.some((l) => l.text === s.label)) {
        labels.push({
          text: s.label,
          color: s.color ?? PALETTE[j % PALETTE.length]!,
          opacity: s.opacity ?? 1,
        });
      }
    });
  }
  const yLab = o.yLabel ? 18 : 0;
  const left = 44 + yLab, right = 12, gap = 10;
  const titleH = o.panels.some((p) => p.title) ? 16 : 0;
  const top = o.title ? 28 : 8;
  const bottom = o.xLabel ? 38 : 22;
  const legendW = labels.length ? 30 + 6.5 * Math.max(...labels.map((l) => l.text.length)) : 0;
  const cellW = left + W + right;
  const cellH = titleH + H + gap;
  const totalW = Math.ceil(cols * cellW + legendW);
  const totalH = Math.ceil(top + rows * cellH - gap + bottom);
  const [x0, x1] = o.xDomain;
  const xt = niceTicks(x0, x1, Math.max(2, Math.round(W / 55)));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" ` +
      `font-family="DejaVu Sans">`,
    `<rect width="${totalW}" height="${totalH}" fill="white"/>`,
  );
  if (o.title) {
    parts.push(
      `<text x="${r1((cols * cellW) / 2)}" y="19" font-size="14" font-weight="bold" text-anchor="middle">` +
        `${esc(o.title)}</text>`,
    );
  }
  o.panels.forEach((p, i) => {
    const row = Math.floor(i / cols), col = i % cols;
    const pleft = col * cellW + left;
    const ptop = top + row * cellH + titleH;
    const yTickN = Math.max(2, Math.round(H / 25));
    const [y0, y1] = p.yDomain ?? autoDomain(p, o.xDomain, yTickN);
    const px = (x: number) => pleft + ((x - x0) / (x1 - x0)) * W;
    const py = (y: number) => ptop + H - ((y - y0) / (y1 - y0)) * H;
    if (p.title) {
      parts.push(
        `<text x="${r1(pleft + W / 2)}" y="${
          r1(ptop - 4)
        }" font-size="11" font-weight="bold" text-anchor="middle"` +
          `${p.titleColor ? ` fill="${esc(p.titleColor)}"` : ""}>${esc(p.title)}</text>`,
      );
    }
    const yt = niceTicks(y0, y1, yTickN);
    const grid: string[] = [];
    for (const v of xt) grid.push(`M${r1(px(v))},${ptop}v${H}`);
    for (const v of yt) grid.push(`M${pleft},${r1(py(v))}h${W}`);
    parts.push(`<path d="${grid.join("")}" stroke="#e6e6e6" stroke-width="1" fill="none"/>`);
    for (const v of yt) {
      parts.push(
        `<text x="${r1(pleft - 4)}" y="${r1(py(v) + 3.5)}" font-size="10" text-anchor="end">${
          tickLabel(v, yt)
        }</text>`,
      );
    }
    if (col === 0 && o.yLabel) {
      parts.push(
        `<text transform="translate(${r1(pleft - 46)},${r1(ptop + H / 2)}) rotate(-90)" font-size="11" ` +
          `text-anchor="middle">${esc(o.yLabel)}</text>`,
      );
    }
    // data, clipped to the panel; coordinates kept within a few panel sizes and curves with nothing
    // inside the ranges left out (resvg aborts on clipped geometry far off the canvas)
    parts.push(
      `<clipPath id="c${i}"><rect x="${pleft}" y="${ptop}" width="${W}" height="${H}"/></clipPath>`,
      // bevel joins: at 1-2 px the same look as round ones, and ~15 % less to rasterize than their arcs
      `<g clip-path="url(#c${i})" fill="none" stroke-linejoin="bevel">`,
    );
    const ylo = ptop - 3 * H, yhi = ptop + 4 * H, xlo = pleft - W, xhi = pleft + 2 * W;
    const X = (x: number) => r1(Math.min(xhi, Math.max(xlo, px(x))));
    const Y = (y: number) => r1(Math.min(yhi, Math.max(ylo, py(y))));
    for (const yv of p.hlines ?? []) {
      if (!(yv >= y0 && yv <= y1)) continue;
      parts.push(`<path d="M${pleft},${Y(yv)}h${W}" stroke="#d62728" stroke-dasharray="5,4"/>`);
    }
    for (const xv of p.vlines ?? []) {
      if (!(xv >= Math.min(x0, x1) && xv <= Math.max(x0, x1))) continue;
      parts.push(`<path d="M${X(xv)},${ptop}v${H}" stroke="#888888" stroke-dasharray="5,4"/>`);
    }
    p.series.forEach((s, j) => {
      const rows = decimate(s.x, s.y, maxPoints);
      let xa = Infinity, xb = -Infinity, ya = Infinity, yb = -Infinity;
      for (const r of rows) {
        if (r.x === null || r.y === null) continue;
        xa = Math.min(xa, r.x);
        xb = Math.max(xb, r.x);
        ya = Math.min(ya, r.y);
        yb = Math.max(yb, r.y);
      }
      if (!(xa <= xb) || !overlaps(xa, xb, o.xDomain) || !overlaps(ya, yb, [y0, y1])) return;
      const d: string[] = [];
      let pen = false;
      let prevX = 0;
      for (const r of rows) {
        if (r.x === null || r.y === null) {
          pen = false;
          continue;
        }
        const xs = X(r.x), ys = Y(r.y);
        if (!pen) d.push(`M${xs},${ys}`);
        else if (s.step) d.push(`H${r1((prevX + xs) / 2)}V${ys}H${xs}`); // step at the midpoint
        else d.push(`L${xs},${ys}`);
        pen = true;
        prevX = xs;
      }
      if (d.length === 0) return;
      const color = s.color ?? PALETTE[j % PALETTE.length]!;
      const op = s.opacity ?? 1;
      parts.push(
        `<path d="${d.join("")}" stroke="${esc(color)}" stroke-width="${s.strokeWidth ?? 1}"` +
          `${op < 1 ? ` stroke-opacity="${op}"` : ""}/>`,
      );
    });
    const ticks = (p.ticks ?? []).filter((t) =>
      t.x >= x0 && t.x <= x1 && overlaps(t.y0, t.y1, [y0, y1]) && Number.isFinite(t.y0 + t.y1)
    );
    if (ticks.length) {
      parts.push(
        `<path d="${ticks.map((t) => `M${X(t.x)},${Y(t.y0)}V${Y(t.y1)}`).join("")}" stroke="#d62728" ` +
          `stroke-width="1.5"/>`,
      );
    }
    parts.push(`</g>`);
    parts.push(`<rect x="${pleft}" y="${ptop}" width="${W}" height="${H}" fill="none" stroke="#888888"/>`);
    parts.push(
      `<path d="${xt.map((v) => `M${r1(px(v))},${ptop + H}v4`).join("")}" stroke="#888888" fill="none"/>`,
    );
    // x tick labels under the lowest panel of each column
    if (i + cols >= n) {
      for (const v of xt) {
        parts.push(
          `<text x="${r1(px(v))}" y="${ptop + H + 15}" font-size="10" text-anchor="middle">${
            tickLabel(v, xt)
          }</text>`,
        );
      }
    }
  });
  if (o.xLabel) {
    parts.push(
      `<text x="${r1(left + ((cols - 1) * cellW + W) / 2)}" y="${r1(top + rows * cellH - gap + 32)}" ` +
        `font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>`,
    );
  }
  if (labels.length) {
    const lx = cols * cellW + 4;
    labels.forEach((l, k) => {
      const ly = top + titleH + 10 + k * 16;
      parts.push(
        `<path d="M${lx},${ly}h18" stroke="${esc(l.color)}" stroke-width="2"` +
          `${l.opacity < 1 ? ` stroke-opacity="${l.opacity}"` : ""}/>`,
        `<text x="${lx + 24}" y="${ly + 4}" font-size="11">${esc(l.text)}</text>`,
      );
    });
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * Line panels sharing x → PNG bytes (see the module doc). Throws RangeError on bad input. The document is
 * written on a render thread too (lib/plot/pool.ts): for a waterfall page that is most of the work left.
 */
export async function plotStack(o: PlotStackOpts): Promise<Uint8Array> {
  checkStack(o);
  const scale = o.scale ?? 1.25;
  checkScale(scale);
  return await render({ kind: "stack-png", opts: o, scale });
}
