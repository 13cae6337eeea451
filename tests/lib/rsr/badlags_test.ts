import { deepEqual, equal } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  activeBadlags,
  badcbLabel,
  badCbs,
  badlagsFileText,
  findBadlags,
  lagSigma,
  rmsDiff,
} from "../../../lib/rsr/badlags.ts";
import { NBOARD, NLAG, readRsrScan } from "../../../lib/rsr/raw.ts";
import { findRsrChassisFile } from "../../../lib/lmt/rsr_files.ts";
import { needsSamples, sample } from "../../_helpers.ts";

/** A smooth σ profile with small deterministic ripple (robust RMS ≈ 0.02, inside 0.01..0.2). */
function baseSigma(seed: number): Float64Array {
  const s = new Float64Array(NBOARD * NLAG);
  let x = seed;
  for (let i = 0; i < s.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s[i] = 0.2 + 0.04 * (x / 2147483648 - 0.5);
  }
  return s;
}

Deno.test("lagSigma() is the population std over records of AccData/AccSamples", () => {
  const nrec = 4;
  const acc = new Float64Array(nrec * NBOARD * NLAG);
  const sam = new Float64Array(nrec * NBOARD).fill(2);
  const vals = [1, 3, 5, 7]; // /2 → 0.5,1.5,2.5,3.5 → std = sqrt(1.25)
  for (let r = 0; r < nrec; r++) acc[(r * NBOARD + 2) * NLAG + 17] = vals[r]!;
  const s = lagSigma(acc, sam, nrec);
  equal(s[2 * NLAG + 17], Math.sqrt(1.25));
  equal(s[2 * NLAG + 18], 0);
});

Deno.test("findBadlags() applies max, min and spike tests in order, with commented spikes", () => {
  const s0 = baseSigma(1);
  s0[0 * NLAG + 40] = 22.0; // max
  s0[1 * NLAG + 230] = 0.001; // min
  s0[2 * NLAG + 117] = 1.0; // spike, active (ratio ≈ 5)
  s0[3 * NLAG + 10] = 1.0; // spike below min_chan+1 → commented
  s0[4 * NLAG + 255] = 1.0; // spike edge → commented
  const r = findBadlags(33551, [s0, baseSigma(2), baseSigma(3), baseSigma(4)]);
  deepEqual(r.entries.map((e) => [e.chassis, e.board, e.lag, e.kind, e.active]), [
    [0, 0, 40, "max", true],
    [0, 1, 230, "min", true],
    [0, 2, 117, "spike", true],
    [0, 3, 10, "spike", false],
    [0, 4, 255, "spike edge", false],
  ]);
  equal(r.countMax, 1);
  equal(r.countMin, 1);
  equal(r.countSpike, 1);
  deepEqual(activeBadlags(r), [[0, 0, 40], [0, 1, 230], [0, 2, 117]]);
  // spike lines carry min σ as the metric, and the ratio n2/n1
  const sp = r.entries[2]!;
  equal(sp.metric, 1.0);
  equal(sp.ratio, 1.0 / (0.5 * (s0[2 * NLAG + 116]! + s0[2 * NLAG + 118]!)));
  const text = badlagsFileText(r, {}, "badlags");
  const lines = text.split("\n");
  equal(lines[10], " 0  0  40  33551   22.0    # max");
  equal(lines[11], " 0  1 230  33551    0.0    # min");
  equal(lines[13]?.startsWith("#  0  3  10  33551    1.0"), true);
  equal(lines[14]?.endsWith("# spike edge"), true);
  equal(text.includes("# Found 1 min, 1 max, 1 spike badlags and 0 bad C/B's"), true);
});

Deno.test("findBadlags() short-lag rule: short lags with bc_hi < σ < short_hi are skipped", () => {
  const s0 = baseSigma(5);
  s0[5] = 5.0; // lag 5 of board 0: σ 5 < short_hi 10 → not flagged (and no spike test)
  s0[50] = 5.0; // lag 50 ≥ short_min 32 → max
  s0[6] = 12.0; // above short_hi → max
  const r = findBadlags(1, [s0, baseSigma(6), baseSigma(7), baseSigma(8)], { shortMin: 32, shortHi: 10 });
  deepEqual(r.entries.filter((e) => e.chassis === 0 && e.board === 0).map((e) => [e.lag, e.kind]), [[
    6,
    "max",
  ], [50, "max"]]);
});

Deno.test("findBadlags() missing chassis: every board BADCB with rms 0, no lag lines", () => {
  const r = findBadlags(91001, [baseSigma(1), null, baseSigma(3), baseSigma(4)]);
  equal(r.entries.filter((e) => e.chassis === 1).length, 0);
  deepEqual(badCbs(r).map((x) => [x.chassis, x.board, x.rms]), [0, 1, 2, 3, 4, 5].map((b) => [1, b, 0]));
  equal(badcbLabel(r), "badcb=1/0,1/1,1/2,1/3,1/4,1/5,");
  const text = badlagsFileText(r);
  equal(text.includes("#BADCB 91001 1 0 0 badlags\n"), true);
  equal(text.endsWith("# Found 0 min, 0 max, 0 spike badlags and 6 bad C/B's\n"), true);
});

Deno.test("rmsDiff() drops outliers beyond 2 IQR and scales by 1/1.41421", () => {
  equal(rmsDiff(new Float64Array(256)), 0);
  const x = Float64Array.from({ length: 256 }, (_, i) => (i % 2 === 0 ? 0 : 1));
  x[100] = 1000; // removed by the IQR cut
  // kept: 255 values alternating 0/1 except around index 100 (0,1,..,0,[drop],0,...) → diffs ±1 and one 0
  const kept = Array.from(x).filter((v) => v !== 1000);
  const d = kept.slice(1).map((v, i) => v - kept[i]!);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
  equal(Math.abs(rmsDiff(x) - sd / 1.41421) < 1e-15, true);
});

// numpy 1.24 rmsdiff() of the 24 C/B of obsnum 91001 (badlags.py run by /usr/bin/python3 on the samples)
const RMS_91001 = [
  0.02118159769597032,
  0.023178722595240005,
  0.026581419890814462,
  0.039187980658069624,
  0.020954454131527037,
  0.021794219333429014,
  0.028062177933923658,
  0.01990874566620284,
  0.026647555496018736,
  0.02450622037313099,
  0.023252551466910236,
  0.02388029128136044,
  0.019898410946677964,
  0.023929619083854808,
  0.026104103987251562,
  0.03983745029782997,
  0.028362297062582555,
  0.025555774214745326,
  0.028986915049768892,
  0.036516038392041004,
  0.23632349003477682,
  0.031578223689692736,
  0.030097119555720128,
  0.024305032504890835,
];

for (const obsnum of [91001, 91003]) {
  Deno.test({
    name: `findBadlags() on sample ${obsnum} reproduces rsr.${obsnum}.badlags byte for byte (except line 1)`,
    ignore: needsSamples(),
    async fn() {
      const root = sample("rsr", "data_lmt");
      const sigmas: Float64Array[] = [];
      for (let c = 0; c < 4; c++) {
        const scan = await readRsrScan(findRsrChassisFile(root, obsnum, c)!);
        sigmas.push(lagSigma(scan.accData, scan.accSamples, scan.nrec));
      }
      const r = findBadlags(obsnum, sigmas);
      const ref = readFileSync(sample("rsr", String(obsnum), `rsr.${obsnum}.badlags`), "utf8");
      const ours = badlagsFileText(r, {}, "$LMTOY/bin/badlags.py");
      equal(ours, ref);
      // the injected bad lags, as the README states
      deepEqual(activeBadlags(r), [[0, 4, 222], [1, 0, 101], [2, 2, 45], [3, 3, 160]]);
      deepEqual(badCbs(r).map((x) => `${x.chassis}/${x.board}`), ["3/2"]);
      if (obsnum === 91001) {
        // σ and RMS agree with numpy to the last bit
        equal(r.maxSigma[1]![101], 11.892144964469047);
        equal(r.maxSigma[0]![0], 0.921843757460729);
        equal(r.maxSigma[3]![5 * 256 + 255], 0.10691453306528874);
        deepEqual(r.cb.map((x) => x.rms), RMS_91001);
      }
    },
  });
}
