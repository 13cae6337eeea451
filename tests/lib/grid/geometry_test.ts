import assert from "node:assert/strict";
import { axisLength, cellIndex, cubeGeometry } from "../../../lib/grid/geometry.ts";

Deno.test("axisLength() follows 2·floor((extent + cell/2)/cell) + 1", () => {
  assert.equal(axisLength(400, 5.5), 147); // bench2
  assert.equal(axisLength(120, 6.5), 37); // sample
  assert.equal(axisLength(0, 6.5), 1);
});

Deno.test("cubeGeometry() non-square maps: X from xExtent, each axis its own reference pixel", () => {
  const g = cubeGeometry({ xExtent: 80, yExtent: 120, cell: 5, nz: 3, crval3: 1, cdelt3: -1, crpix3: 1 });
  assert.equal(g.nx, 33);
  assert.equal(g.ny, 49);
  assert.equal(g.x.crpix, 17); // the C program wrote the Y axis' 25 here
  assert.equal(g.y.crpix, 25);
  assert.equal(g.x.centres[16], 0);
  assert.equal(g.y.centres[24], 0);
  assert.equal(g.x.centres[0], -80);
  assert.equal(g.y.centres[48], 120);
});

Deno.test("cellIndex() nearest cell at boundaries, -1 outside", () => {
  const g = cubeGeometry({ xExtent: 120, yExtent: 120, cell: 6.5, nz: 1, crval3: 0, cdelt3: 1, crpix3: 1 });
  assert.equal(cellIndex(g.x, 0), 18);
  assert.equal(cellIndex(g.x, 3.2), 18);
  assert.equal(cellIndex(g.x, 3.25), 19); // half-way goes up (floor(t − 0.5))
  assert.equal(cellIndex(g.x, -3.25), 18);
  assert.equal(cellIndex(g.x, -3.26), 17);
  assert.equal(cellIndex(g.x, -120.25), 0);
  assert.equal(cellIndex(g.x, -120.26), -1);
  assert.equal(cellIndex(g.x, 120.24), 36);
  assert.equal(cellIndex(g.x, 120.26), -1);
});
