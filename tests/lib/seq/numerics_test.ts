/**
 * Unit tests of the numerics the SEQ reduction relies on: numpy-exact float32 reductions, polyfit,
 * interpolation semantics, alignment, axis rounding, line processing and the despiker.
 * Expected numbers come from numpy 1.24.2 (/usr/bin/python3) as noted.
 */
import assert from "node:assert/strict";
import {
  columnMedianF32,
  meanF32,
  medianF32InPlace,
  pairwiseSumF32,
  stdF32,
} from "../../../lib/num/float32.ts";
import { polyFitter, polyval } from "../../../lib/num/polyfit.ts";
import { interpLinear, interpNearest } from "../../../lib/num/interp.ts";
import { alignDumps, stateRanges, toRanges } from "../../../lib/seq/align.ts";
import { axisValues, roundHalfEven, spectralAxis, v2c, velocitySlice } from "../../../lib/seq/axis.ts";
import { birdieRuns, linePlan, processLine, regionChannels } from "../../../lib/seq/line.ts";
import { despike } from "../../../lib/seq/cal.ts";
import { azElOffsets, beamOffset } from "../../../lib/seq/beams.ts";
import { parseChannelList, parseRegions, parseSlice } from "../../../lib/seq/options.ts";
import type { IfprocHeader } from "../../../lib/seq/ifproc.ts";

// a = float32(150 + ((i*7919) % 1000)/10 + i*0.0137), i = 0..299 ; numpy results quoted below
const a = Float32Array.from({ length: 300 }, (_, i) => 150 + ((i * 7919) % 1000) / 10 + i * 0.0137);

Deno.test("float32 reductions equal numpy 1.24 on float32 arrays", () => {
  assert.equal(pairwiseSumF32(a), 60629.4453125); // np.sum(a)
  assert.equal(meanF32(a), 202.09814453125); // np.mean(a)
  assert.equal(stdF32(a), 29.06833839416504); // np.std(a)
  assert.equal(medianF32InPlace(a.slice()), 202.1488494873047); // np.median(a) (even count)
  assert.equal(medianF32InPlace(a.slice(0, 299)), 202.00860595703125); // odd count
  const m = columnMedianF32(a, 10, Int32Array.from({ length: 30 }, (_, i) => i)); // np.median(a.reshape(30,10), axis=0)
  assert.deepEqual(Array.from(m.slice(0, 3)), [200.93850708007812, 198.105712890625, 199.58790588378906]);
});

Deno.test("polyFitter() matches numpy.polyfit and the order-0 fit is the mean", () => {
  const x = Float64Array.from({ length: 20 }, (_, i) => i);
  const y = x.map((v) => 1 + 0.5 * v - 0.03 * v * v + Math.sin(v));
  const c = polyFitter(x, 2).fit(y);
  // np.polyfit(x, y, 2)
  const ref = [-0.02954798330564502, 0.4667252343967348, 1.2645500431627872];
  c.forEach((v, k) => assert.ok(Math.abs(v - ref[k]!) < 1e-13, `coef ${k}: ${v} vs ${ref[k]}`));
  assert.ok(Math.abs(polyval(c, 3) - (ref[0]! * 9 + ref[1]! * 3 + ref[2]!)) < 1e-12);
  assert.equal(polyFitter(x, 0).fit([1, 2, 3, 6, ...new Array(16).fill(0)])[0], 12 / 20);
  assert.throws(() => polyFitter([1, 2], 2), RangeError);
});

Deno.test("interpLinear/interpNearest follow np.interp and scipy interp1d(kind='nearest')", () => {
  const xp = [0, 1, 2], fp = [0, 10, 30];
  assert.equal(interpLinear(xp, fp, 1.5), 20);
  assert.equal(interpLinear(xp, fp, 2), 30);
  assert.ok(Number.isNaN(interpLinear(xp, fp, 2.0001)));
  assert.ok(Number.isNaN(interpLinear(xp, fp, -1)));
  assert.equal(interpNearest(xp, fp, 0.5), 0); // half-way → earlier sample
  assert.equal(interpNearest(xp, fp, 0.5001), 10);
  assert.equal(interpNearest(xp, fp, 1.5), 10);
});

Deno.test("alignDumps() keeps only dumps strictly inside a BufPos segment", () => {
  // telescope at 1 Hz: BufPos 1 1 1 0 0 0 0 ; segments (0..2) and (3..6)
  const t = Float64Array.from([0, 1, 2, 3, 4, 5, 6]);
  const bp = Int32Array.from([1, 1, 1, 0, 0, 0, 0]);
  const dumps = Float64Array.from([-0.5, 0, 0.5, 2, 2.5, 3, 3.2, 5.9, 6, 7]);
  const al = alignDumps(t, bp, dumps);
  assert.deepEqual(Array.from(al.kept), [2, 6, 7]); // 0 and 2, 3 and 6 are segment edges; 2.5 is in the gap
  assert.deepEqual(Array.from(al.bufPos), [1, 0, 0]);
  const st = stateRanges(Int32Array.from([1, 1, 0, 0, 0, 3, 3, 2, 0, 100, 1]));
  assert.deepEqual(Array.from(st.ons), [2, 3, 4, 8, 9]);
  assert.deepEqual(st.onRanges, [[2, 4], [8, 9]]);
  assert.deepEqual(st.refRanges, [[0, 1], [10, 10]]);
  assert.deepEqual(toRanges([1, 2, 5]), [[1, 2], [5, 5]]);
});

function header(over: Partial<IfprocHeader>): IfprocHeader {
  return {
    path: "x.nc",
    obsPgm: "Map",
    obsGoal: "Science",
    obsNum: 1,
    calObsNum: 0,
    receiver: "Sequoia",
    sourceName: "S",
    coordSys: 1,
    velocity: -20,
    velSys: 0,
    ra: 0,
    dec: 0,
    l: 0,
    b: 0,
    elDesPos: 0,
    azDesPos: 0,
    beamSelected: -1,
    numBands: 1,
    sideBand1Lo: [0, 0],
    lineFreq: [115.271204, 0],
    skyFreq: [115.27, 0],
    lineOffset: [0, 0],
    lineRedshift: [0, 0],
    lo2Freq: [0, 0],
    if1Freq: [0, 0],
    if2Freq: [0, 0],
    synthFreq: [0, 0],
    lo1Freq: 0,
    dopplerTrack: 1,
    obsVel: 0,
    baryVel: 0,
    mapCoordString: "Ra",
    dumpTime: 0.1,
    blankLevel: 0,
    bsBeam: [],
    npix: 16,
    ...over,
  };
}

Deno.test("v2c() rounds half to even and reproduces the bench2 worked example (seq.md §2.7)", () => {
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(-2.5), -2);
  assert.equal(roundHalfEven(2.4999), 2);
  const ax = spectralAxis(header({}), 0, 2048, 800);
  assert.ok(Math.abs(ax.dvdc - -1.015921) < 1e-6);
  assert.equal(v2c(ax, "VLSR", 330), 679);
  assert.equal(v2c(ax, "VLSR", -370), 1368);
  const s = velocitySlice(ax, "VLSR", -370, 330);
  assert.deepEqual([s.c0, s.c1], [679, 1368]);
  assert.ok(Math.abs(axisValues(ax, "VLSR")[679]! - 329.985) < 1e-3);
  assert.throws(() => velocitySlice(ax, "VLSR", 5000, 6000), /outside the band/);
  const clipped = velocitySlice(ax, "VLSR", -2000, 0);
  assert.equal(clipped.c1, 2048);
  assert.ok(clipped.clipped);
});

Deno.test("regionChannels() is open on increasing and closed on decreasing axes; birdies use the neighbour mean", () => {
  const inc = Float64Array.from([0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(regionChannels(inc, [[1, 3]])), [2]);
  const dec = Float64Array.from([4, 3, 2, 1, 0]);
  assert.deepEqual(Array.from(regionChannels(dec, [[1, 3]])), [1, 2, 3]);
  assert.deepEqual(Array.from(regionChannels(inc, [[0.5, 2.5], [1.5, 3.5]])), [1, 2, 2, 3]); // overlaps duplicate
  assert.deepEqual(birdieRuns([7, 5, 6, 10]), [[5, 7], [10, 10]]);
  // slice c0 = 100, 10 channels; birdie 103..104 → mean of 102 and 105; 100 (edge) skipped
  const x = Float64Array.from({ length: 10 }, (_, i) => i);
  const plan = linePlan(100, x, [[-1, 20]], 0, [100, 103, 104]);
  const y = Float64Array.from([1, 2, 3, 10, 20, 5, 7, 8, 9, 10]);
  const rms = processLine(plan, y);
  const filled = [1, 2, 3, 4, 4, 5, 7, 8, 9, 10];
  const mean = filled.reduce((s, v) => s + v, 0) / 10;
  assert.deepEqual(Array.from(y), filled.map((v) => v - mean));
  assert.ok(Math.abs(rms - Math.sqrt(filled.reduce((s, v) => s + (v - mean) ** 2, 0) / 10)) < 1e-12);
  assert.equal(processLine(linePlan(100, x, [[-1, 20]], -1, []), y.slice()), 1); // b_order -1 → RMS 1
});

Deno.test("despike() replaces one-channel positive spikes only", () => {
  const x = Float32Array.from({ length: 2000 }, (_, i) => 100 + Math.sin(i) * 0.5);
  x[500] = 200;
  x[198] = 300; // the last two channels of a section (m = 200) are never examined
  x[900] = 0; // a negative spike is not flagged itself, but the channel before it is (d_899 > 4σ)
  const fixed = despike(x, 100);
  assert.deepEqual(fixed, [500, 899]);
  assert.equal(x[500], 100);
  assert.equal(x[198], 300);
  assert.equal(x[900], 0);
});

Deno.test("beam offsets: tracked-beam reference and parallactic rotation", () => {
  const { az, el } = azElOffsets("Sequoia", 0, -1);
  const th = 46 * Math.PI / 180;
  assert.ok(Math.abs(az[0]! - 27.9 * (-1.5 * Math.cos(th) - 1.5 * Math.sin(th))) < 1e-12);
  assert.ok(Math.abs(el[0]! - 27.9 * (-1.5 * Math.sin(th) + 1.5 * Math.cos(th))) < 1e-12);
  const sel = azElOffsets("Sequoia", 0.5, 5);
  assert.equal(sel.az[5], 0);
  assert.equal(sel.el[5], 0);
  assert.deepEqual(beamOffset(3, 4, 0, 1, 0), [3, 4]);
  const [gx, gy] = beamOffset(3, 4, 1, Math.PI / 2, 0);
  assert.ok(Math.abs(gx - 4) < 1e-12 && Math.abs(gy - 3) < 1e-12);
  assert.equal(azElOffsets("Msip1mm", 0, -1).az[3], 0);
});

Deno.test("option lists are parsed as JSON, never evaluated", () => {
  assert.deepEqual(parseRegions("[[-305,-55],[145,395]]"), [[-305, -55], [145, 395]]);
  assert.deepEqual(parseRegions("[[],[]]"), []);
  assert.deepEqual(parseSlice("[-305,395]"), [-305, 395]);
  assert.deepEqual(parseSlice("-305,395"), [-305, 395]);
  assert.deepEqual(parseChannelList("0"), [0]);
  assert.deepEqual(parseChannelList(""), []);
  assert.throws(() => parseRegions("__import__('os')"), /list of/);
  assert.throws(() => parseSlice("[1,2,3]"), /two numbers/);
});
