/**
 * Labels set as paths (lib/plot/glyphs.ts) against resvg's own text layout of the same DejaVu fonts: the
 * ink of each label must cover the same pixels to within a pixel at the edges.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { parseTrueType, type TextFonts, textToPaths } from "../../../lib/plot/glyphs.ts";

const DIR = "/usr/share/fonts/truetype/dejavu";
const REG = `${DIR}/DejaVuSans.ttf`, BOLD = `${DIR}/DejaVuSans-Bold.ttf`;
const have = existsSync(REG) && existsSync(BOLD);
if (!have) {
  console.error(`glyphs_test: skipped: the DejaVu fonts are not installed in ${DIR} (fonts-dejavu-core)`);
}

function fonts(): TextFonts {
  return { regular: parseTrueType(readFileSync(REG)), bold: parseTrueType(readFileSync(BOLD)) };
}

/** Ink of a rendered SVG: bounding box and the summed darkness (0..255 per pixel). */
function ink(svg: string) {
  const img = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [REG, BOLD], defaultFontFamily: "DejaVu Sans" },
    background: "white",
  }).render();
  const p = img.pixels;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, sum = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const dark = 255 - p[(y * img.width + x) * 4]!;
      if (dark > 60) {
        x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
      }
      sum += dark;
    }
  }
  return { x0, x1, y0, y1, sum };
}

const page = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" font-family="DejaVu Sans">${body}</svg>`;

Deno.test({
  name:
    "textToPaths(): labels cover the pixels resvg's text layout covers (anchors, bold, rotation, entities)",
  ignore: !have,
  fn: () => {
    const f = fonts();
    const cases = [
      `<text x="20" y="40" font-size="14">Frequency (GHz) 91.6</text>`,
      `<text x="200" y="60" font-size="11" text-anchor="middle">T_A* (mK) -10</text>`,
      `<text x="380" y="90" font-size="12" font-weight="bold" text-anchor="end">ObsNum 91001, Chassis 2</text>`,
      `<text text-anchor="middle" transform="translate(60,60) rotate(-90)" font-size="11px" fill="#000">Tsys (K)</text>`,
      `<text x="30" y="100" font-size="13">a &lt; b &amp; c &#176;</text>`,
    ];
    for (const c of cases) {
      const a = ink(page(c));
      const converted = textToPaths(page(c), f);
      assert.doesNotMatch(converted, /<text/, c);
      const b = ink(converted);
      for (const k of ["x0", "x1", "y0", "y1"] as const) {
        assert.ok(Math.abs(a[k] - b[k]) <= 1, `${c}: ${k} ${b[k]} vs resvg ${a[k]}`);
      }
      assert.ok(Math.abs(b.sum / a.sum - 1) < 0.04, `${c}: ink ${b.sum} vs resvg ${a.sum}`);
    }
  },
});

Deno.test({
  name:
    "parseTrueType(): metrics of DejaVu Sans; textToPaths() leaves text it cannot place to the rasterizer",
  ignore: !have,
  fn: () => {
    const f = fonts();
    assert.equal(f.regular.unitsPerEm, 2048);
    // digits share one advance (tabular figures), so that tick labels line up
    const adv = [..."0123456789"].map((d) => f.regular.advance(f.regular.glyphOf(d.codePointAt(0)!)));
    assert.equal(new Set(adv).size, 1);
    assert.equal(f.regular.width("0000", 2048), 4 * adv[0]!);
    assert.equal(f.regular.glyphOf(0x10000), 0);
    const kept = [
      `<text x="1" y="2" dy="3">dy</text>`,
      `<text x="1" y="2"><tspan>child</tspan></text>`,
      `<text x="1" y="2" font-style="italic">italic</text>`,
    ];
    for (const k of kept) assert.equal(textToPaths(page(k), f), page(k));
    assert.equal(textToPaths(page(`<text x="1" y="2"></text>`), f), page(""));
    assert.throws(() => parseTrueType(new Uint8Array(10)), RangeError);
  },
});
