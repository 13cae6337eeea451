/**
 * lib/report/attempts.ts (reading attempts back, the side-by-side page) and lib/pipeline/attempts.ts (keeping
 * a run as an attempt: copies, hard links, references, refresh, pruning) on small hand-made obsnum directories.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../_helpers.ts";
import {
  attemptsPageHtml,
  attemptsSectionHtml,
  differingParams,
  keyNumbersOf,
  listAttempts,
  parseAttemptRecord,
  withAttemptsSection,
  withoutAttemptsSection,
} from "../../../lib/report/attempts.ts";
import { renderPage } from "../../../lib/report/html.ts";
import { keepAttempt, LINK_BYTES } from "../../../lib/pipeline/attempts.ts";
import { OutputFile } from "../../../lib/cli/io.ts";

/** The output door as the pipeline hands it down (lib/cli ctx.output). */
const open = (path: string) => new OutputFile(path);

/** A finished run in `dir`: an index.html with `rms`, a plot, a spectrum, a 2 MB cube, an rc, a hidden stamp. */
function fakeRun(dir: string, rms: string, blo: string): void {
  mkdirSync(dir, { recursive: true });
  const page = renderPage({
    title: "RSR 91001",
    numbers: [["rms driver", rms], ["peak", "3.12 ± 0.28 mK"]],
    sections: [{ title: "Spectra", images: [{ src: "rsr.spectra.png", caption: "final spectra" }] }],
    footer: "x",
  });
  writeFileSync(join(dir, "index.html"), page);
  writeFileSync(join(dir, "README_files.md"), "# Files of obsnum 91001\n");
  writeFileSync(join(dir, "rsr.spectra.png"), `png of blo=${blo}`);
  writeFileSync(join(dir, "rsr.91001.driver.sum.txt"), `# blo=${blo}\n92.0 0.001 0.0001\n`);
  writeFileSync(join(dir, "lmtoy_91001.rc"), `obsnum=91001\n# parameters\nblo="${blo}"\n`);
  writeFileSync(join(dir, ".par.driver"), `blo=${blo}\n`);
  // a new file each run (the tools rename a new file into place): what an attempt's hard link must survive
  const cube = join(dir, "cube__0.fits");
  try {
    Deno.removeSync(cube);
  } catch { /* first run */ }
  writeFileSync(cube, new Uint8Array(2 * LINK_BYTES).fill(Number(blo)));
}

const params = (blo: string, extra: [string, string][] = []): [string, string][] => [
  ["obsnum", "91001"],
  ["debug", "0"],
  ["keep", "10"],
  ["blo", blo],
  ["badcb", ""],
  ...extra,
];

Deno.test("keepAttempt: new parameters make attempts/N (copies, hard links), the same parameters add none", () => {
  const { dir, cleanup } = tempDir("lmt-att-");
  try {
    const D = join(dir, "91001");
    fakeRun(D, "0.786 mK", "1");
    // a directory without attempts where nothing ran (made before attempts existed, or a combination's single)
    const k0 = keepAttempt(D, { open, label: "91001", params: params("1"), ran: false, keep: 10 });
    assert.equal(k0.action, "unchanged");
    assert.ok(!existsSync(join(D, "attempts")));
    const k1 = keepAttempt(D, {
      open,
      label: "91001",
      params: params("1"),
      ran: true,
      keep: 10,
      now: new Date(0),
    });
    assert.deepEqual([k1.action, k1.n, k1.changed, k1.pruned], ["new", 1, [], []]);
    fakeRun(D, "0.785 mK", "2");
    const k2 = keepAttempt(D, { open, label: "91001", params: params("2"), ran: true, keep: 10 });
    assert.deepEqual([k2.action, k2.n, k2.changed], ["new", 2, ["blo"]]);
    // the same parameters, nothing ran: nothing touched, not even index.html
    const before = statSync(join(D, "index.html")).mtimeMs;
    const page = readFileSync(join(D, "index.html"), "utf8");
    const k3 = keepAttempt(D, {
      open,
      label: "91001",
      params: params("2", [["debug", "1"]]),
      ran: false,
      keep: 10,
    });
    assert.equal(k3.action, "unchanged");
    assert.equal(readFileSync(join(D, "index.html"), "utf8"), page);
    assert.equal(statSync(join(D, "index.html")).mtimeMs, before);
    assert.deepEqual(readdirSync(join(D, "attempts")).sort(), ["1", "2"]);

    const A1 = join(D, "attempts", "1"), A2 = join(D, "attempts", "2");
    // big products are hard links (same inode as the obsnum's latest), and keep their content after a re-run
    assert.equal(statSync(join(A2, "cube__0.fits")).ino, statSync(join(D, "cube__0.fits")).ino);
    assert.notEqual(statSync(join(A1, "cube__0.fits")).ino, statSync(join(D, "cube__0.fits")).ino);
    assert.equal(readFileSync(join(A1, "cube__0.fits"))[0], 1);
    assert.equal(readFileSync(join(A2, "cube__0.fits"))[0], 2);
    // small products are copies; hidden stamps are not kept; the attempt's own page has no attempts section
    assert.equal(readFileSync(join(A1, "rsr.spectra.png"), "utf8"), "png of blo=1");
    assert.notEqual(statSync(join(A2, "rsr.spectra.png")).ino, statSync(join(D, "rsr.spectra.png")).ino);
    assert.ok(!existsSync(join(A1, ".par.driver")));
    assert.ok(!readFileSync(join(A2, "index.html"), "utf8").includes("data-attempt"));
    assert.equal(readFileSync(join(A1, "lmtoy_91001.rc"), "utf8"), `obsnum=91001\n# parameters\nblo="1"\n`);
    const rec = parseAttemptRecord(readFileSync(join(A1, "params.json"), "utf8"))!;
    assert.deepEqual(rec, {
      attempt: 1,
      date: "1970-01-01T00:00:00.000Z",
      label: "91001",
      params: Object.fromEntries(params("1")),
    });

    // the obsnum's page: the latest summary and the two attempts; README_files.md lists attempts/
    const html = readFileSync(join(D, "index.html"), "utf8");
    assert.match(html, /<div class="k">rms driver<\/div><div class="v">0\.785 mK<\/div>/);
    assert.equal(html.match(/<th data-attempt="\d+"/g)?.length, 2);
    const link = html.indexOf('<a href="#attempts">2 attempts side by side</a>');
    assert.ok(
      link > 0 && link < html.indexOf("<section><h2>Spectra"),
      "a link to the attempts above the summary",
    );
    assert.equal(html.match(/id="attempts"/g)?.length, 1);
    assert.match(readFileSync(join(D, "README_files.md"), "utf8"), /^# Files of obsnum 91001$/m);
    assert.match(readFileSync(join(D, "README_files.md"), "utf8"), /^\| `attempts` \| earlier runs/m);

    // the same parameters and a step ran (a hand-edited .badlags): the latest attempt is refreshed
    fakeRun(D, "0.700 mK", "2");
    const k4 = keepAttempt(D, { open, label: "91001", params: params("2"), ran: true, keep: 10 });
    assert.deepEqual([k4.action, k4.n], ["refreshed", 2]);
    assert.equal(listAttempts(D).at(-1)!.keyNumbers["rms driver"], "0.700 mK");
    assert.equal(listAttempts(D).length, 2);

    // keep=1: only the newest remains, numbers are not reused
    fakeRun(D, "0.600 mK", "3");
    const k5 = keepAttempt(D, { open, label: "91001", params: params("3"), ran: true, keep: 1 });
    assert.deepEqual([k5.action, k5.n, k5.pruned], ["new", 3, [1, 2]]);
    assert.deepEqual(readdirSync(join(D, "attempts")), ["3"]);
    assert.equal(readFileSync(join(D, "index.html"), "utf8").match(/<th data-attempt="\d+"/g)?.length, 1);
  } finally {
    cleanup();
  }
});

Deno.test("keepAttempt: a large product that cannot be hard-linked is kept as NAME.ref, never copied", () => {
  const { dir, cleanup } = tempDir("lmt-att-");
  const link = Deno.linkSync;
  try {
    const D = join(dir, "91001");
    fakeRun(D, "0.786 mK", "1");
    // deno-lint-ignore no-explicit-any
    (Deno as any).linkSync = () => {
      throw new Deno.errors.PermissionDenied("hard links not supported");
    };
    const k = keepAttempt(D, { open, label: "91001", params: params("1"), ran: true, keep: 10 });
    assert.deepEqual(k.referenced, ["cube__0.fits"]);
    const A = join(D, "attempts", "1");
    assert.ok(!existsSync(join(A, "cube__0.fits")));
    const ref = JSON.parse(readFileSync(join(A, "cube__0.fits.ref"), "utf8"));
    assert.equal(ref.file, "cube__0.fits");
    assert.equal(ref.bytes, 2 * LINK_BYTES);
    assert.ok(statSync(join(A, "cube__0.fits.ref")).size < 1000);
  } finally {
    // deno-lint-ignore no-explicit-any
    (Deno as any).linkSync = link;
    cleanup();
  }
});

Deno.test("listAttempts and attemptsPageHtml: columns, key numbers, changed parameters, downloads, linkBase", () => {
  const { dir, cleanup } = tempDir("lmt-att-");
  try {
    const D = join(dir, "91001");
    assert.deepEqual(listAttempts(D), []);
    assert.equal(attemptsSectionHtml(D, "91001"), "");
    fakeRun(D, "0.786 mK", "1");
    keepAttempt(D, {
      open,
      label: "91001",
      params: params("1"),
      ran: true,
      keep: 10,
      now: new Date("2026-01-02T03:04:05Z"),
    });
    fakeRun(D, "0.785 mK", "2");
    writeFileSync(join(D, "x.sdfits"), "sdfits");
    keepAttempt(D, {
      open,
      label: "91001",
      params: params("2", [["xlines", "94.3,0.3"]]),
      ran: true,
      keep: 10,
    });
    mkdirSync(join(D, "attempts", "junk")); // not an attempt

    const list = listAttempts(D);
    assert.deepEqual(list.map((a) => a.n), [1, 2]);
    assert.equal(list[0]!.dir, join(D, "attempts", "1"));
    assert.equal(list[0]!.date, "2026-01-02T03:04:05.000Z");
    assert.equal(list[1]!.params.blo, "2");
    assert.deepEqual(list[0]!.keyNumbers, { "rms driver": "0.786 mK", peak: "3.12 ± 0.28 mK" });
    assert.ok(list[1]!.products.includes("x.sdfits") && !list[0]!.products.includes("x.sdfits"));
    assert.ok(list[0]!.products.includes("cube__0.fits") && list[0]!.products.includes("params.json"));
    assert.deepEqual(differingParams(list[0]!.params, list[1]!.params), ["blo", "xlines"]);
    assert.deepEqual(differingParams(list[1]!.params, { ...list[1]!.params, debug: "1", keep: "3" }), []);

    const html = attemptsPageHtml(D, "91001");
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal(html.match(/<th data-attempt="\d+"/g)?.length, 2);
    // every cell of a column says its attempt: key numbers, parameters, downloads and plots
    for (const n of [1, 2]) {
      assert.equal(html.match(new RegExp(`<td data-attempt="${n}"`, "g"))?.length, 2 + 2 + 1 + 1);
    }
    assert.match(html, /<td data-attempt="1">0\.786 mK<\/td><td data-attempt="2">0\.785 mK<\/td>/);
    // blo differs from attempt 1: highlighted in attempt 2 only; unchanged parameters are folded
    assert.match(
      html,
      /<th class="row">blo<\/th><td data-attempt="1">1<\/td><td data-attempt="2" class="changed">2<\/td>/,
    );
    assert.match(
      html,
      /<th class="row">xlines<\/th><td data-attempt="1">\(unset\)<\/td><td data-attempt="2" class="changed">/,
    );
    assert.equal(html.match(/class="changed"/g)?.length, 2);
    assert.match(html, /obsnum=91001 badcb=/);
    assert.doesNotMatch(html, /<th class="row">debug</, "run parameters are no rows");
    // downloads and plots relative to the obsnum directory
    assert.match(html, /href="attempts\/2\/x\.sdfits"[^>]*>SDFITS: x\.sdfits/);
    assert.match(html, /href="attempts\/1\/cube__0\.fits"[^>]*>FITS: cube__0\.fits/);
    assert.match(html, /href="attempts\/1\/rsr\.91001\.driver\.sum\.txt"[^>]*>spectrum: /);
    assert.match(html, /<img src="attempts\/2\/rsr\.spectra\.png" alt="final spectra \(attempt 2\)"/);
    // under a server
    const served = attemptsPageHtml(D, "91001", { linkBase: "/files/P/91001/" });
    assert.match(served, /<img src="\/files\/P\/91001\/attempts\/1\/rsr\.spectra\.png"/);
    assert.doesNotMatch(served, /(src|href)="attempts\//);
  } finally {
    cleanup();
  }
});

Deno.test("keyNumbersOf and the attempts section of a summary page", () => {
  const page = renderPage({
    title: "t",
    numbers: [["a<b", "1 & 2"], ["peak", "3 mK"]],
    sections: [],
    footer: "f",
  });
  assert.deepEqual(keyNumbersOf(page), { "a<b": "1 & 2", peak: "3 mK" });
  const withS = withAttemptsSection(page, "<section>A</section>");
  assert.ok(withS.indexOf("<section>A</section>") < withS.indexOf("<footer"));
  assert.equal(
    withAttemptsSection(withS, "<section>B</section>").match(/<section>[AB]<\/section>/g)?.join(),
    "<section>B</section>",
  );
  assert.equal(withoutAttemptsSection(withS), page);
  assert.equal(withAttemptsSection(withS, ""), page);
});
