import { equal, match, ok, rejects } from "node:assert/strict";
import {
  decimate,
  decodePngRgba,
  plotImage,
  plotLines,
  plotPanels,
  pngInfo,
  renderSvg,
} from "../../../lib/plot/mod.ts";

function spectrum(n: number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: n }, (_, i) => 92 + i * 0.0078125);
  const y = Float64Array.from(
    { length: n },
    (_, i) => 0.002 * Math.sin(i / 7) + 0.04 * Math.exp(-0.5 * ((i - 1000) / 20) ** 2),
  );
  for (let i = 1500; i < 1520; i++) y[i] = NaN;
  return { x, y };
}

Deno.test("renderSvg() renders a Vega-Lite spec with its title and axis labels", async () => {
  const svg = await renderSvg({
    title: "Hello",
    data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
    mark: "line",
    encoding: {
      x: { field: "a", type: "quantitative", title: "Alpha" },
      y: { field: "b", type: "quantitative" },
    },
  });
  match(svg, /^<svg/);
  match(svg, />Hello</);
  match(svg, />Alpha</);
});

Deno.test("plotLines() gives a PNG of the requested size; a 2048-channel spectrum renders in well under 1 s", async () => {
  const { x, y } = spectrum(2048);
  await plotLines({ xLabel: "x", yLabel: "y", series: [{ x: [0, 1], y: [0, 1] }] }); // warm-up (module init)
  const t0 = performance.now();
  const png = await plotLines({
    title: "rsr.91001 spectrum",
    xLabel: "Frequency (GHz)",
    yLabel: "T_A (K)",
    series: [{ x, y, step: true, label: "91001" }, {
      x,
      y: y.map((v) => v / 2),
      label: "half",
      opacity: 0.6,
    }],
    hlines: [0],
    vlines: [94.3],
    ticks: [{ x: 99.8, y0: 0.042, y1: 0.046 }],
    width: 800,
    height: 320,
    scale: 1.5,
  });
  const ms = performance.now() - t0;
  console.error(`plotLines 2 × 2048-channel spectrum: ${ms.toFixed(0)} ms, ${png.length} bytes`);
  console.error(`${ms.toFixed(0)} ms (typically 150-250 ms on an idle core)`); // reported, not asserted
  const info = pngInfo(png);
  equal(info.width, 1200);
  equal(info.height, 480);
  // the picture is not blank: the two series colours are present
  const { rgba } = decodePngRgba(png);
  const has = (r: number, g: number, b: number) => {
    for (let i = 0; i < rgba.length; i += 4) {
      if (Math.abs(rgba[i]! - r) < 8 && Math.abs(rgba[i + 1]! - g) < 8 && Math.abs(rgba[i + 2]! - b) < 8) {
        return true;
      }
    }
    return false;
  };
  ok(has(0x4c, 0x78, 0xa8), "first series colour drawn");
  ok(has(0xf5, 0x85, 0x18), "second series colour drawn");
});

Deno.test("plotLines() handles NaN-only and long series; rejects empty input with a clear error", async () => {
  const nan = await plotLines({
    xLabel: "x",
    yLabel: "y",
    series: [{ x: [1, 2, 3], y: [NaN, NaN, NaN] }, { x: [1, 2], y: [0, 1] }],
    width: 300,
    height: 200,
    scale: 1,
  });
  equal(pngInfo(nan).width, 300);
  const n = 200_000;
  const t0 = performance.now();
  const long = await plotLines({
    xLabel: "time (s)",
    yLabel: "power",
    series: [{
      x: Float64Array.from({ length: n }, (_, i) => i * 0.008),
      y: Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000)),
    }],
  });
  const ms = performance.now() - t0;
  console.error(`plotLines 200 000 points (decimated): ${ms.toFixed(0)} ms`);
  console.error(`${ms.toFixed(0)} ms`); // reported, not asserted
  equal(pngInfo(long).width, 1350);
  await rejects(plotLines({ xLabel: "x", yLabel: "y", series: [] }), /plotLines: no series to plot/);
  await rejects(plotLines({ xLabel: "x", yLabel: "y", series: [{ x: [], y: [] }] }), /all series are empty/);
  await rejects(
    plotLines({ xLabel: "x", yLabel: "y", series: [{ x: [1], y: [1, 2] }] }),
    /1 x values but 2 y values/,
  );
  await rejects(
    plotLines({ xLabel: "x", yLabel: "y", series: [{ x: [1], y: [1] }], xDomain: [1, 1] }),
    /bad xDomain/,
  );
});

Deno.test("decimate() keeps extremes (spikes) and gaps of long series", () => {
  const n = 100_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = new Float64Array(n);
  y[12345] = 50;
  y[67890] = -30;
  for (let i = 40000; i < 40100; i++) y[i] = NaN;
  const rows = decimate(x, y, 1000);
  ok(rows.length <= 1000 + 250, `${rows.length} rows`);
  ok(rows.some((r) => r.x === 12345 && r.y === 50), "positive spike kept");
  ok(rows.some((r) => r.x === 67890 && r.y === -30), "negative spike kept");
  ok(rows.some((r) => r.y === null), "gap kept");
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!.x, b = rows[i]!.x;
    if (a !== null && b !== null) ok(b > a, "x order kept");
  }
  const short = decimate([1, 2, 3], [1, NaN, 3], 10);
  equal(short.length, 3);
  equal(short[1]!.y, null);
});

Deno.test("plotPanels() draws a 4×6 grid (badlags layout) with coloured titles in one PNG", async () => {
  const panels = [];
  for (let c = 0; c < 4; c++) {
    for (let b = 0; b < 6; b++) {
      const lag = Float64Array.from({ length: 256 }, (_, i) => i);
      const amp = lag.map((i) => Math.cos(i / 10) * Math.exp(-i / 100));
      if (c === 1 && b === 0) amp[101] = 2;
      panels.push({
        title: `chassis ${c} board ${b}`,
        ...(c === 3 && b === 2 ? { titleColor: "#ff0000" } : {}),
        xLabel: "lag",
        yLabel: "amplitude",
        series: [{ x: lag, y: amp }],
        ...(c === 1 && b === 0 ? { ticks: [{ x: 101, y0: -1, y1: 2 }] } : {}),
      });
    }
  }
  const t0 = performance.now();
  const png = await plotPanels({
    title: "badlags 91001",
    columns: 6,
    panels,
    width: 200,
    height: 120,
    scale: 1,
  });
  console.error(`plotPanels 24 panels: ${(performance.now() - t0).toFixed(0)} ms`);
  const info = pngInfo(png);
  ok(info.width >= 6 * 200 && info.width < 6 * 200 + 6 * 120, `width ${info.width}`);
  ok(info.height >= 4 * 120 && info.height < 4 * 120 + 4 * 90, `height ${info.height}`);
  const { rgba } = decodePngRgba(png);
  let red = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i]! > 240 && rgba[i + 1]! < 30 && rgba[i + 2]! < 30) red++;
  }
  ok(red > 20, "the red title is drawn");
  await rejects(plotPanels({ columns: 6, panels: [] }), /no panels/);
  await rejects(plotPanels({ columns: 0, panels }), /bad columns/);
  await rejects(
    plotPanels({ columns: 2, panels: [{ xLabel: "x", yLabel: "y", series: [] }] }),
    /plotPanels panel 0: no series/,
  );
});

Deno.test("plotImage() draws a heat map: requested size, NaN grey, orientation (x0/dx, y0/dy)", async () => {
  const nx = 37, ny = 25;
  const data = new Float32Array(nx * ny);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      data[iy * nx + ix] = Math.exp(-(((ix - 8) / 3) ** 2 + ((iy - 19) / 3) ** 2));
    }
  }
  for (let ix = 0; ix < nx; ix++) data[ix] = NaN; // bottom row NaN
  const png = await plotImage({
    title: "peak map",
    data,
    nx,
    ny,
    x0: 117,
    dx: -6.5,
    y0: -78,
    dy: 6.5,
    xLabel: "RA offset (arcsec)",
    yLabel: "Dec offset (arcsec)",
    colorLabel: "K",
    width: 500,
    height: 400,
    scale: 1,
  });
  const { width, height, rgba } = decodePngRgba(png);
  equal(width, 500);
  equal(height, 400);
  // grey NaN pixels form the bottom row of the map; the viridis maximum (yellow) is upper-left
  let gy = 0, gn = 0, yx = 0, yy = 0, yn = 0;
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [rgba[p * 4]!, rgba[p * 4 + 1]!, rgba[p * 4 + 2]!];
    if (r === 200 && g === 200 && b === 200) {
      gy += Math.floor(p / width);
      gn++;
    }
    if (r > 230 && g > 210 && b < 80 && p % width < 0.8 * width) { // (the colour bar on the right is excluded)
      yx += p % width;
      yy += Math.floor(p / width);
      yn++;
    }
  }
  ok(gn > 100, `${gn} grey pixels`);
  ok(gy / gn > 0.75 * height, "NaN row at the bottom");
  ok(yn > 20, `${yn} yellow pixels`);
  ok(yx / yn < 0.45 * width, "peak (ix=8, first pixels at x0=117 on the left) is left of centre");
  ok(yy / yn < 0.45 * height, "peak (iy=19 of 25) is in the upper half");
  // all-NaN and constant images still render; a data length other than nx·ny is refused
  const twoByTwo = (
    data: Float32Array | Float64Array,
    size: { width?: number; height?: number; scale?: number } = {},
  ) => plotImage({ data, nx: 2, ny: 2, x0: 0, dx: 1, y0: 0, dy: 1, xLabel: "x", yLabel: "y", ...size });
  equal(
    pngInfo(await twoByTwo(new Float64Array(4).fill(NaN), { width: 200, height: 200, scale: 1 })).width,
    200,
  );
  equal(
    pngInfo(await twoByTwo(new Float64Array(4).fill(3), { width: 200, height: 150, scale: 1 })).height,
    150,
  );
  await rejects(twoByTwo(new Float32Array(3)), /data has 3 values, expected 4/);
});

Deno.test("plotImage() renders a 2720 × 585 waterfall in reasonable time", async () => {
  const nx = 585, ny = 2720;
  const data = Float32Array.from(
    { length: nx * ny },
    (_, i) => Math.sin(i % nx / 30) + Math.floor(i / nx) / ny,
  );
  const t0 = performance.now();
  const png = await plotImage({
    data,
    nx,
    ny,
    x0: 0,
    dx: 1,
    y0: 0,
    dy: 1,
    xLabel: "channel",
    yLabel: "spectrum",
    scale: 1,
  });
  const ms = performance.now() - t0;
  console.error(`plotImage 2720 × 585 waterfall: ${ms.toFixed(0)} ms`);
  equal(pngInfo(png).width, 560);
  console.error(`${ms.toFixed(0)} ms`); // reported, not asserted
});

Deno.test("rasterizeSvg(): on a render thread, the same PNG as resvg with the labels set as paths, and the same pixels as resvg's own text layout to 1/1000; pages render in parallel", async () => {
  const { rasterizeSvg } = await import("../../../lib/plot/mod.ts");
  const { parseTrueType, textToPaths } = await import("../../../lib/plot/glyphs.ts");
  const { plotStack, stackSvg } = await import("../../../lib/plot/stack.ts");
  const { Resvg } = await import("@resvg/resvg-js");
  const { x, y } = spectrum(2048);
  const o = {
    title: "rsr.91001 chassis 0 — Tsys",
    xLabel: "Frequency (GHz)",
    yLabel: "T_A* (mK)",
    xDomain: [92, 108] as [number, number],
    panels: [0, 1, 2].map((k) => ({ title: `Board ${k} (AVWg)`, series: [{ x, y }] })),
  };
  const svg = stackSvg(o);
  const font = {
    loadSystemFonts: false,
    fontFiles: [
      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
      "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
    defaultFontFamily: "DejaVu Sans",
  };
  const faces = {
    regular: parseTrueType(Deno.readFileSync(font.fontFiles[0]!)),
    bold: parseTrueType(Deno.readFileSync(font.fontFiles[1]!)),
  };
  const png = (doc: string) =>
    new Uint8Array(
      new Resvg(doc, { fitTo: { mode: "zoom", value: 1.25 }, font, background: "white" }).render().asPng(),
    );
  const ref = png(textToPaths(svg, faces));
  const ours = await rasterizeSvg(svg, { scale: 1.25 });
  const r = decodePngRgba(ref), mine = decodePngRgba(ours);
  ok(mine.rgba.length === r.rgba.length && mine.rgba.every((v, i) => v === r.rgba[i]), "same pixels");
  equal(pngInfo(ours).colorType, 2); // an opaque page is stored as RGB
  ok(ours.length < ref.length, `smaller than resvg's PNG (${ours.length} vs ${ref.length} bytes)`);
  // against resvg laying the text out itself
  const a = decodePngRgba(png(svg)), b = decodePngRgba(ours);
  equal(b.width, a.width);
  equal(b.height, a.height);
  let diff = 0, ink = 0;
  for (let i = 0; i < a.rgba.length; i++) {
    diff += Math.abs(a.rgba[i]! - b.rgba[i]!);
    if (a.rgba[i]! < 128) ink++;
  }
  ok(diff / a.rgba.length < 0.255, `mean difference ${diff / a.rgba.length} of 255`);
  ok(ink > 1000, `page has ink (${ink})`); // text and lines drawn, not a blank page
  // several pages awaited together give the same bytes as one at a time
  const one = await plotStack({ ...o, scale: 1.25 });
  const many = await Promise.all([0, 1, 2].map(() => plotStack({ ...o, scale: 1.25 })));
  for (const p of many) ok(p.length === one.length && p.every((v, i) => v === one[i]), "same bytes");
});
