import { deepEqual, equal } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  formatTsysCbLine,
  obsnumTsys,
  tsysBadcbLabel,
  tsysJitter,
  tsysVerdicts,
} from "../../../lib/rsr/tsys.ts";
import { badLagTable, calSource } from "../../../lib/rsr/calibrated.ts";
import { badLagSets, parseBadlags } from "../../../lib/formats/badlags.ts";
import { needsSamples, sample } from "../../_helpers.ts";

Deno.test("tsysJitter() is the std of neighbour differences over valid pairs only", () => {
  // valid diffs 1, -1, 1 → mean 1/3, population std sqrt(8/9)
  equal(
    Math.abs(tsysJitter(new Float64Array([NaN, 100, 101, 100, 101, NaN])) - Math.sqrt(8 / 9)) < 1e-14,
    true,
  );
  // a NaN inside removes the two pairs that touch it: diffs 1, -1, 1, -1 → std 1
  equal(tsysJitter(new Float64Array([100, 101, 100, NaN, 100, 101, 100])), 1);
  equal(Number.isNaN(tsysJitter(new Float64Array([NaN, 1, NaN]))), true);
});

Deno.test("tsysVerdicts() and the printed lines follow rsr_tsys.py", () => {
  const smooth = Float64Array.from({ length: 256 }, (_, k) => 100 + k * 0.1);
  const jittery = Float64Array.from({ length: 256 }, (_, k) => 100 + (k % 2) * 80);
  const v = tsysVerdicts(91003, 0, [smooth, smooth, smooth, smooth, smooth, jittery], 25);
  deepEqual(v.map((x) => x.bad), [false, false, false, false, false, true]);
  // 255 diffs of ±80 (128 up, 127 down): std = 80·sqrt(1 − 1/255²)
  equal(Math.abs(v[5]!.jitter - 80 * Math.sqrt(1 - 1 / 255 ** 2)) < 1e-11, true);
  equal(formatTsysCbLine({ ...v[5]!, jitter: 136.4549096137087 }), "#BADCB 91003 0 5 136.4549096137087 Tsys");
  equal(
    formatTsysCbLine({ ...v[0]!, jitter: 0.15348643903410425 }),
    "#OKCB 91003 0 0 0.15348643903410425 Tsys",
  );
  equal(tsysBadcbLabel(v), "badcb=0/5");
  equal(tsysBadcbLabel(v.slice(0, 5)), "");
});

function refJitters(log: string): Map<string, { tag: string; jitter: number }> {
  const m = new Map<string, { tag: string; jitter: number }>();
  for (const line of log.split("\n")) {
    const f = line.split(" ");
    if (f[0] === "#OKCB" || f[0] === "#BADCB") m.set(`${f[2]}/${f[3]}`, { tag: f[0], jitter: Number(f[4]) });
  }
  return m;
}

for (const obsnum of [91001, 91003]) {
  Deno.test({
    name: `obsnumTsys() on sample ${obsnum}: Tsys per channel and jitter match the original`,
    ignore: needsSamples(),
    async fn() {
      const root = sample("rsr", "data_lmt");
      const bl = badLagSets(
        parseBadlags(readFileSync(sample("rsr", String(obsnum), `rsr.${obsnum}.badlags`), "utf8")),
      );
      const ref = refJitters(readFileSync(sample("rsr", String(obsnum), "rsr_tsys1.log"), "utf8"));
      // reference Tsys per channel (with the same bad lags), printed with 4 decimals
      const tref = new Map<string, number>();
      for (
        const line of readFileSync(sample("rsr", String(obsnum), `rsr.${obsnum}.tsys.txt`), "utf8").split(
          "\n",
        )
      ) {
        if (line.startsWith("#") || line.trim() === "") continue;
        const f = line.trim().split(/\s+/);
        tref.set(`${f[0]}/${f[1]}/${f[2]}`, Number(f[4]));
      }
      const src = calSource(root, sample("rsr", "data_lmt", "rsr", "cal"));
      let maxRel = 0;
      let nchan = 0;
      const chassis = await obsnumTsys(src, obsnum, badLagTable(bl));
      deepEqual(chassis.map((x) => x.chassis), [0, 1, 2, 3]);
      for (const cc of chassis) {
        const c = cc.chassis;
        const v = tsysVerdicts(obsnum, c, cc.tsys);
        for (const x of v) {
          const r = ref.get(`${c}/${x.board}`)!;
          equal(x.bad ? "#BADCB" : "#OKCB", r.tag, `C/B ${c}/${x.board}`);
          maxRel = Math.max(maxRel, Math.abs(x.jitter - r.jitter) / r.jitter);
          for (let k = 0; k < 256; k++) {
            const t = cc.tsys[x.board]![k]!;
            const want = tref.get(`${c}/${x.board}/${k}`)!;
            if (Number.isNaN(want)) {
              equal(Number.isNaN(t), true, `Tsys ${c}/${x.board}/${k} should be NaN`);
            } else {
              equal(Math.abs(t - want) <= 0.5e-4 + 1e-9, true, `Tsys ${c}/${x.board}/${k}: ${t} vs ${want}`);
              nchan++;
            }
          }
        }
      }
      equal(nchan, 24 * 212);
      // jitter agrees with rsr_tsys.py to ~1e-13 here; require 1e-10
      equal(maxRel < 1e-10, true, `max relative jitter difference ${maxRel}`);
    },
  });
}
