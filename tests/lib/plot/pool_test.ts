/** The render threads (lib/plot/pool.ts): results by job, failures reported per job, the pool goes on. */
import assert from "node:assert/strict";
import { render, warmRenderThreads } from "../../../lib/plot/pool.ts";
import { decodePngRgba } from "../../../lib/plot/png.ts";

const page = (w: number, colour: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="10"><rect width="${w}" height="10" fill="${colour}"/></svg>`;

Deno.test("render(): many jobs at once come back to their callers; a bad one fails alone", async () => {
  warmRenderThreads();
  const widths = [3, 5, 7, 11, 13, 17];
  const jobs = widths.map((w, i) =>
    render({ kind: "png", svg: page(w, i % 2 ? "#ff0000" : "#0000ff"), scale: 1 })
  );
  const bad = render({ kind: "png", svg: "<svg", scale: 1 });
  const spec = render({ kind: "svg", spec: { mark: "point", data: { values: [{ a: 1 }] } } });
  await assert.rejects(bad, (e: Error) => e.message.length > 0 && !/thread/.test(e.message));
  const pngs = await Promise.all(jobs);
  pngs.forEach((png, i) => {
    const d = decodePngRgba(png);
    assert.equal(d.width, widths[i]);
    assert.deepEqual([...d.rgba.subarray(0, 4)], i % 2 ? [255, 0, 0, 255] : [0, 0, 255, 255]);
  });
  assert.match(await spec, /^<svg/);
  // the pool still works after the failure
  assert.equal(decodePngRgba(await render({ kind: "png", svg: page(2, "#00ff00"), scale: 2 })).width, 4);
});
