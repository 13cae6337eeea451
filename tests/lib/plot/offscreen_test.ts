/**
 * Regression: resvg (resvg-js 2.6.2) aborted the whole process with a panic (`geom.rs:27 ... unwrap on
 * None`) when a clipped line or rule lay entirely outside the canvas, e.g. a 1000 K Tsys curve on the
 * 40..310 K axis of rsr_tsys. The cases run in a child process so that a regression is reported as a
 * failed test instead of killing the test runner.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { decodePngRgba, plotLines, pngInfo } from "../../../lib/plot/mod.ts";
import { ROOT, tempDir } from "../../_helpers.ts";

const X = Float64Array.from({ length: 256 }, (_, i) => 72 + i * 0.03);
const Y = Float64Array.from({ length: 256 }, (_, i) => Math.sin(i / 7) * 50 + 100);
const DOM = { xDomain: [72, 112] as [number, number], yDomain: [40, 310] as [number, number] };

Deno.test("plot: curves and reference lines far outside fixed domains no longer crash resvg (child process)", async () => {
  const { dir, cleanup } = tempDir("lmt-plot-off-");
  try {
    const script = join(dir, "cases.ts");
    const mod = join(ROOT, "lib", "plot", "mod.ts");
    Deno.writeTextFileSync(
      script,
      `import { plotLines, plotPanels } from ${JSON.stringify(mod)};
const X = Float64Array.from({ length: 256 }, (_, i) => 72 + i * 0.03);
const Y = Float64Array.from({ length: 256 }, (_, i) => Math.sin(i / 7) * 50 + 100);
const D = { xDomain: [72, 112] as [number, number], yDomain: [40, 310] as [number, number] };
const L = { xLabel: "x", yLabel: "y" };
const sizes: number[] = [];
for (const off of [1e3, 1e4, -1e6, 1e9]) {
  sizes.push((await plotLines({ ...L, ...D, series: [{ x: X, y: Y.map((v) => v + off), step: true }] })).length);
}
sizes.push((await plotLines({ ...L, ...D, series: [{ x: X.map((v) => v - 1e6), y: Y }] })).length);
sizes.push((await plotLines({ ...L, ...D, series: [{ x: X, y: Y }], hlines: [1e4], vlines: [-1e4],
  ticks: [{ x: 80, y0: 1e4, y1: 2e4 }] })).length);
sizes.push((await plotPanels({ columns: 1, panels: [{ ...L, ...D, series: [{ x: X, y: Y.map((v) => v + 5e3) }] }] })).length);
console.log(JSON.stringify(sizes));
`,
    );
    const out = await new Deno.Command(join(ROOT, "node_modules", ".bin", "deno"), {
      args: ["run", "-A", "--quiet", "--no-lock", "--config", join(ROOT, "deno.json"), script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    equal(out.code, 0, `child crashed: ${err.split("\n").slice(0, 2).join(" | ")}`);
    const sizes = JSON.parse(new TextDecoder().decode(out.stdout)) as number[];
    equal(sizes.length, 7);
    for (const s of sizes) ok(s > 5000, `PNG of ${s} bytes`);
  } finally {
    cleanup();
  }
});

Deno.test("plot: an invisible off-axis curve or rule changes no pixel of the picture", async () => {
  const base = { xLabel: "x", yLabel: "y", ...DOM, width: 300, height: 200, scale: 1 };
  const ref = await plotLines({ ...base, series: [{ x: X, y: Y, step: true }] });
  const withOff = await plotLines({
    ...base,
    series: [{ x: X, y: Y, step: true }, { x: X, y: Y.map((v) => v + 1e4), step: true, color: "red" }],
    hlines: [5e3],
    vlines: [-200],
  });
  deepEqual(pngInfo(withOff), pngInfo(ref));
  const a = decodePngRgba(ref).rgba, b = decodePngRgba(withOff).rgba;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  equal(diff, 0);
  // a curve partly inside is still drawn (red pixels appear)
  const partly = await plotLines({
    ...base,
    series: [{ x: X, y: Y, step: true }, {
      x: X,
      y: Y.map((v, i) => (i < 128 ? v + 1e4 : v + 60)),
      color: "red",
    }],
  });
  const p = decodePngRgba(partly).rgba;
  let red = 0;
  for (let i = 0; i < p.length; i += 4) if (p[i]! > 200 && p[i + 1]! < 80 && p[i + 2]! < 80) red++;
  ok(red > 50, `${red} red pixels`);
});
