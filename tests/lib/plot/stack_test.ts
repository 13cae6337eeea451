import { equal, ok, throws } from "node:assert/strict";
import { niceTicks, stackSvg } from "../../../lib/plot/stack.ts";

Deno.test("stackSvg(): titles, alpha of boards above the threshold, shared x ticks, bad input rejected", () => {
  const x = Float64Array.from({ length: 50 }, (_, i) => 80 + i * 0.1);
  const y = x.map((v) => Math.sin(v));
  const svg = stackSvg({
    xLabel: "Frequency (GHz)",
    yLabel: "mK",
    xDomain: [72.5, 111.5],
    panels: [
      {
        title: "ObsNum 1, Chassis 0, Repeat 0",
        yDomain: [-3, 3],
        series: [{ x, y, opacity: 0.3, color: "#1f77b4" }],
      },
      { title: "A & B <x>", yDomain: [-3, 3], series: [{ x, y: y.map((v) => v + 1e6) }] },
    ],
  });
  ok(svg.includes(">ObsNum 1, Chassis 0, Repeat 0<"));
  ok(svg.includes(">A &amp; B &lt;x&gt;<"));
  equal((svg.match(/stroke-opacity="0.3"/g) ?? []).length, 1);
  // the far-off series of panel 2 is not drawn at all (resvg crash guard)
  equal((svg.match(/<path d="M[^"]*" stroke="#(1f77b4|4c78a8)"/g) ?? []).length, 1);
  equal((svg.match(/>Frequency \(GHz\)</g) ?? []).length, 1);
  throws(() => stackSvg({ xLabel: "", yLabel: "", xDomain: [1, 1], panels: [] }), /bad xDomain/);
  throws(
    () => stackSvg({ xLabel: "", yLabel: "", xDomain: [0, 1], panels: [{ yDomain: [NaN, 1], series: [] }] }),
    /yDomain/,
  );
});

Deno.test("niceTicks(): 1/2/5 steps covering the range", () => {
  equal(niceTicks(72.5, 111.5, 8).join(","), "75,80,85,90,95,100,105,110");
  equal(niceTicks(-15, 15, 3).join(","), "-10,0,10");
  equal(niceTicks(0, 1, 5).join(","), "0,0.2,0.4,0.6,0.8,1");
  equal(niceTicks(0, 1, 4).join(","), "0,0.5,1");
  equal(niceTicks(1, 1, 3).length, 0);
});

Deno.test("stackSvg(): dashed reference lines at y = 0 and x = a line's centre, only inside the ranges", () => {
  const x = Float64Array.from({ length: 11 }, (_, i) => i);
  const svg = stackSvg({
    xLabel: "x",
    yLabel: "y",
    xDomain: [0, 10],
    width: 100,
    panelHeight: 50,
    panels: [{ yDomain: [-1, 1], series: [{ x, y: x.map(() => 0.5) }], hlines: [0, 5], vlines: [2.5, 12] }],
  });
  const h = svg.match(/<path d="M([\d.]+),([\d.]+)h100" stroke="#d62728" stroke-dasharray="5,4"\/>/g) ?? [];
  equal(h.length, 1); // y = 5 is outside [-1, 1]
  const v = [...svg.matchAll(/<path d="M([\d.]+),([\d.]+)v50" stroke="#888888" stroke-dasharray="5,4"\/>/g)];
  equal(v.length, 1); // x = 12 is outside [0, 10]
  // x = 2.5 is a quarter of the way across the 100 px plot area
  const left = Number(/<clipPath id="c0"><rect x="([\d.]+)"/.exec(svg)![1]);
  equal(Number(v[0]![1]), left + 25);
});
