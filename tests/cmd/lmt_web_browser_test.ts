/**
 * lmt_web in a real browser: Debian's headless Chromium driven by puppeteer-core (no browser download).
 * Generated RSR data reduced twice by SLpipeline.sh (blo=1, blo=2) → /obs/91001 shows attempts 1 and 2; the
 * form's blo= changed to 0 and run → the run's output streams in and attempt 3 appears; the spectrum's cursor
 * readout names frequency and temperature; a chassis/board picked on the board grid and flagged → its #BADCB
 * line is in rsr.91001.badlags; a frequency range dragged on the per-board spectra → its blank line is in
 * rsr.91001.blanking. A SEQ map (gen_seq): a pixel and a velocity range flagged into pix_list=/birdies= of the
 * form, run, attempt 2 (see seqScenario). Skipped, with a notice, where /usr/bin/chromium is absent.
 * LMT_WEB_SCREENSHOTS=1 also writes docs/lmt_web_index.png and docs/lmt_web_obs.png (1300 px wide).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runScript, runTool, tempDir } from "../_helpers.ts";
import type { Browser, Page } from "puppeteer-core";
import { parseBlanking } from "../../lib/formats/blanking.ts";

const CHROMIUM = "/usr/bin/chromium";
const SYS_PATH = `${join(ROOT, "bin")}:/usr/local/bin:/usr/bin:/bin`;
const absent = !existsSync(CHROMIUM);
if (absent) {
  console.error(
    `NOTICE: ${CHROMIUM} not found (apt-get install chromium): the lmt_web browser test is SKIPPED`,
  );
}

Deno.test({
  name: "lmt_web in Chromium: attempts, re-run from the form, cursor readout, flag a board",
  ignore: absent,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const { dir, cleanup } = tempDir("lmt-web-browser-");
    try {
      await scenario(t, dir);
    } finally {
      cleanup();
    }
  },
});

async function scenario(t: Deno.TestContext, dir: string): Promise<void> {
  const data = join(dir, "data"), work = join(dir, "work");
  mkdirSync(work);
  await runScript("gen_rsr.ts", ["--out", data, "--obsnum", "91001", "--line", "94.3,0.045,320"]);
  const env = { DATA_LMT: data, PATH: SYS_PATH, HOME: dir };
  for (const blo of ["1", "2"]) {
    const r = await runTool("SLpipeline.sh", ["obsnum=91001", `blo=${blo}`], { cwd: work, env });
    assert.equal(r.code, 0, r.stderr);
  }
  const D = join(work, "2024-S1-SIM-1", "91001");
  // the waterfall numbers (rsr_driver --waterfall-data; the pipeline does not ask for them yet)
  const wdir = join(dir, "wf");
  mkdirSync(wdir);
  Deno.writeTextFileSync(join(wdir, "rsr.obsnum"), "91001\n");
  const w = await runTool(
    "rsr_driver",
    ["rsr.obsnum", "-o", "x.txt", "-b", "1", "--waterfall-data", join(D, "rsr.wf.json")],
    { cwd: wdir, env },
  );
  assert.equal(w.code, 0, w.stderr);

  const web = await startWeb(work, env);
  const shots = Deno.env.get("LMT_WEB_SCREENSHOTS") === "1";
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const { url, token, base } = web;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    const { page, errors } = await openPage(browser);

    await t.step("index lists the obsnum", async () => {
      await page.goto(url, { waitUntil: "load" });
      const row = await page.$eval(
        'tr[data-obs="91001"]',
        (e) => (e as unknown as { innerText: string }).innerText,
      );
      assert.match(row, /SIM-QSO\s+RSR\s+Bs\s+2024-11-02T05:29:59\s+done\s+\d\.\d{3} mK/);
      if (shots) await page.screenshot({ path: join(ROOT, "docs", "lmt_web_index.png") });
    });

    const attempts = () => attemptsShown(page);

    await t.step("the obsnum page shows attempts 1 and 2, the spectrum and its readout", async () => {
      await page.goto(`${base}/obs/91001?token=${token}`, { waitUntil: "load" });
      await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
      assert.deepEqual(await attempts(), ["1", "2"]);
      // the highlighted parameter of attempt 2 is blo
      const changed = await page.$$eval(
        'td.changed[data-attempt="2"]',
        (els) => els.map((e) => e.textContent),
      );
      assert.deepEqual(changed, ["2"]);
      if (shots) await page.screenshot({ path: join(ROOT, "docs", "lmt_web_obs.png") });
      await page.evaluate('document.getElementById("interactive").scrollIntoView()');
      const box = (await (await page.$("#spectrum canvas"))!.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5);
      await page.mouse.move(box.x + box.width * 0.56, box.y + box.height * 0.5);
      await page.waitForFunction('/GHz/.test(document.getElementById("readout").textContent)', {
        timeout: 5000,
      });
      const ro = await page.$eval("#readout", (e) => e.textContent ?? "");
      const m = /^f = (\d+\.\d{5}) GHz {3}T = (-?\d+\.\d{3}) mK/.exec(ro);
      assert.ok(m, ro);
      // RSR covers 73..111 GHz: the point under the cursor lies inside
      assert.ok(Number(m[1]) > 71 && Number(m[1]) < 113, ro);
      if (shots) {
        await (await page.$("#interactive"))!.screenshot({
          path: join(ROOT, "docs", "lmt_web_spectrum.png"),
        });
      }
    });

    await t.step(
      "the interactive waterfall: chassis 2, readout of the data, click picks the board",
      async () => {
        const wf = JSON.parse(readFileSync(join(D, "rsr.wf.json"), "utf8"));
        await page.waitForSelector("#wfi-section:not([hidden]) #wfi canvas", { timeout: 10000 });
        await page.select("#wfi-chassis", "2");
        await page.waitForSelector('#wfi[data-chassis="2"] canvas', { timeout: 5000 });
        await page.evaluate('document.getElementById("wfi-section").scrollIntoView()');
        const box = (await (await page.$("#wfi canvas"))!.boundingBox())!;
        // the middle of the plot: some board of the middle panels
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
        await page.mouse.move(box.x + box.width * 0.51, box.y + box.height * 0.3);
        await page.waitForFunction('/^chassis 2 /.test(document.getElementById("wfi-readout").textContent)', {
          timeout: 5000,
        });
        const ro = await page.$eval("#wfi-readout", (e) => e.textContent ?? "");
        const m =
          /^chassis 2 (Repeat \d+|Averaged) {2}board (\d) {2}f = (\d+\.\d{5}) GHz {3}T = (-?\d+\.\d{3}) mK/
            .exec(ro);
        assert.ok(m, ro);
        // the value shown is the data's: that panel, board and channel of rsr.wf.json
        const p = wf.products.find((q: { chassis: number }) => q.chassis === 2);
        const pn = p.panels.find((q: { title: string }) => q.title.endsWith(m[1]!));
        const b = Number(m[2]);
        const k = (p.freq[b] as number[]).findIndex((f) => Math.abs(f - Number(m[3])) < 6e-6);
        assert.ok(k >= 0, ro);
        assert.ok(Math.abs(pn.t[b][k] - Number(m[4])) < 6e-4, `${ro} vs ${pn.t[b][k]}`);
        await page.mouse.click(box.x + box.width * 0.51, box.y + box.height * 0.3);
        assert.equal(await page.$eval("#cbsel", (e) => e.textContent), `chassis 2 board ${b}`);
      },
    );

    await t.step("change blo= in the form, run: progress streams, attempt 3 appears", async () => {
      await page.$eval('#rerun input[name="blo"]', (e) => {
        const i = e as unknown as { value: string; dispatchEvent(ev: Event): boolean };
        i.value = "0";
        i.dispatchEvent(new Event("input", { bubbles: true }));
      });
      await clickOn(page, "#run");
      await page.waitForSelector('th[data-attempt="3"]', { timeout: 60000 });
      assert.deepEqual(await attempts(), ["1", "2", "3"]);
      const log = await page.$eval("#runlog", (e) => e.textContent ?? "");
      assert.match(log, /^\$ SLpipeline\.sh obsnum=91001 blo=0 debug=1\n/);
      assert.match(log, /rsr_driver /, "the steps' commands are streamed");
      const rc = readFileSync(join(D, "lmtoy_91001.rc"), "utf8");
      assert.match(rc, /^blo="0"$/m);
      if (shots) {
        await page.evaluate('document.getElementById("rerun-section").scrollIntoView()');
        await (await page.$("#rerun-section"))!.screenshot({
          path: join(ROOT, "docs", "lmt_web_rerun.png"),
        });
      }
    });

    await t.step("flag chassis 3 board 2 on the board grid: the line is in the .badlags", async () => {
      await page.evaluate('document.getElementById("boards-section").scrollIntoView()');
      await clickOn(page, '#cbgrid button[data-cb="3/2"]');
      assert.equal(await page.$eval("#cbsel", (e) => e.textContent), "chassis 3 board 2");
      await clickOn(page, "#flag-board");
      await page.waitForSelector("#flagmsg .msg.ok", { timeout: 10000 });
      const text = readFileSync(join(D, "rsr.91001.badlags"), "utf8");
      assert.match(text, /^#BADCB 91001 3 2 0 lmt_web$/m);
      await page.waitForFunction(
        `document.querySelector('#cbgrid button[data-cb="3/2"]').classList.contains("flagged")`,
        { timeout: 5000 },
      );
      assert.ok(await page.$("#rerun-after-flag"), "a re-run is offered");
      if (shots) {
        await (await page.$("#boards-section"))!.screenshot({
          path: join(ROOT, "docs", "lmt_web_boards.png"),
        });
      }
    });

    await t.step(
      "drag a frequency range on the per-board spectra: a blank line in the .blanking",
      async () => {
        await page.evaluate('document.getElementById("bands").scrollIntoView()');
        const box = (await (await page.$("#bands canvas"))!.boundingBox())!;
        const x = (f: number) => box.x + 53 + (box.width - 53 - 115) * f; // inside the plot area
        await page.mouse.move(x(0.4), box.y + box.height * 0.5);
        await page.mouse.down();
        await page.mouse.move(x(0.45), box.y + box.height * 0.5, { steps: 4 });
        await page.mouse.up();
        const sel = await page.$eval("#cbsel", (e) => e.textContent ?? "");
        const m = /^chassis 3 board 2; range (\d+\.\d{3})–(\d+\.\d{3}) GHz$/.exec(sel);
        assert.ok(m, sel);
        const [f1, f2] = [Number(m[1]), Number(m[2])];
        assert.ok(f1 > 72 && f2 < 112 && f2 - f1 > 0.5 && f2 - f1 < 5, sel);
        await clickOn(page, "#flag-range");
        await page.waitForFunction(
          '/rsr.91001.blanking/.test(document.getElementById("flagmsg").textContent)',
          {
            timeout: 10000,
          },
        );
        const blank = parseBlanking(readFileSync(join(D, "rsr.91001.blanking"), "utf8"));
        const e = blank.blanks.at(-1)!;
        assert.deepEqual([e.obsnums, e.chassis, [...e.boards!.keys()]], [[91001], 3, [2]]);
        const [b1, b2] = e.boards!.get(2)![0]!;
        assert.ok(Math.abs(b1! - f1) < 6e-4 && Math.abs(b2! - f2) < 6e-4, `${b1} ${b2} vs ${sel}`);
      },
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await web.stop();
  }
}

Deno.test({
  name: "lmt_web in Chromium: SEQ map, pixel and channel range flagged → pix_list=/birdies= in the form, run",
  ignore: absent,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const { dir, cleanup } = tempDir("lmt-web-seq-browser-");
    try {
      await seqScenario(t, dir);
    } finally {
      cleanup();
    }
  },
});

/**
 * A SEQ map (gen_seq, 9 rows, no Bs) reduced once → /obs/97001 shows attempt 1 and the per-pixel Tsys;
 * pixel 5 clicked → the form's pix_list= is -5; "mark a channel range" ticked and a velocity range dragged
 * on the spectrum → the form's birdies= holds exactly the SpecFile channels whose axis value lies in the
 * range (the SpecFile read back here); run → attempt 2 with pix_list and birdies highlighted as changed and
 * the run's lmtoy_97001.rc without pixel 5 and with the channels.
 */
async function seqScenario(t: Deno.TestContext, dir: string): Promise<void> {
  const { readSpecFile } = await import("../../lib/specfile/reader.ts");
  const data = join(dir, "data"), work = join(dir, "work");
  mkdirSync(work);
  await runScript("gen_seq.ts", ["--out", data, "--obsnum0", "97000", "--rows", "9", "--no-bs"]);
  const env = { DATA_LMT: data, PATH: SYS_PATH, HOME: dir };
  const r0 = await runTool("SLpipeline.sh", ["obsnum=97001"], { cwd: work, env });
  assert.equal(r0.code, 0, r0.stderr);
  const projects = [...Deno.readDirSync(work)].filter((d) => d.isDirectory).map((d) => d.name);
  const D = join(work, projects[0]!, "97001");
  const nc = [...Deno.readDirSync(D)].map((d) => d.name).find((n) => /__0\.nc$/.test(n))!;
  const sf = await readSpecFile(join(D, nc));

  const web = await startWeb(work, env);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const { token, base } = web;
    const { page, errors } = await openPage(browser);
    const formValue = (name: string) =>
      page.$eval(`#rerun input[name="${name}"]`, (e) => (e as unknown as { value: string }).value);
    const cell = (row: string, attempt: string) =>
      page.$$eval(
        "tr",
        (trs, row, attempt) => {
          for (const tr of trs) {
            const th = tr.querySelector("th.row");
            if (th && th.textContent === row) {
              const td = tr.querySelector(`td[data-attempt="${attempt}"]`);
              return td ? [td.textContent ?? "", td.classList.contains("changed") ? "changed" : ""] : null;
            }
          }
          return null;
        },
        row,
        attempt,
      );

    await t.step("the SEQ page shows attempt 1 and the Tsys of each pixel", async () => {
      await page.goto(`${base}/obs/97001?token=${token}`, { waitUntil: "load" });
      await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
      const att = await attemptsShown(page);
      assert.deepEqual(att, ["1"]);
      const b5 = await page.$eval('#pixgrid button[data-pix="5"]', (e) => e.textContent ?? "");
      const m = /^pixel 5(\d+) K$/.exec(b5);
      assert.ok(m, b5);
      // the SpecFile's own Tsys of pixel 5 (first calibration, mean over the channels), to 1 K
      const tsys = sf.tsys.subarray(5 * sf.nchan, 6 * sf.nchan);
      const mean = tsys.reduce((a, b) => a + b, 0) / sf.nchan;
      assert.ok(Math.abs(Number(m[1]) - mean) <= 0.5 + 1e-9, `${b5} vs ${mean}`);
    });

    await t.step("click pixel 5: the form's pix_list= becomes -5", async () => {
      await clickOn(page, '#pixgrid button[data-pix="5"]');
      await page.waitForSelector("#flagmsg .msg.ok", { timeout: 10000 });
      assert.equal(await formValue("pix_list"), "-5");
      assert.ok(
        await page.$eval('#pixgrid button[data-pix="5"]', (e) => e.classList.contains("flagged")),
        "pixel 5 is shown as left out",
      );
      assert.ok(await page.$("#rerun-after-flag"), "a re-run is offered");
    });

    let channels: number[] = [];
    await t.step("drag a velocity range on the spectrum: its SpecFile channels go to birdies=", async () => {
      await clickOn(page, "#range-mode");
      await page.waitForSelector('#spectrum[data-mode="range"] canvas', { timeout: 5000 });
      await page.evaluate('document.getElementById("interactive").scrollIntoView()');
      const box = (await (await page.$("#spectrum canvas"))!.boundingBox())!;
      const x = (f: number) => box.x + 60 + (box.width - 80) * f;
      await page.mouse.move(x(0.30), box.y + box.height * 0.5);
      await page.mouse.down();
      await page.mouse.move(x(0.32), box.y + box.height * 0.5, { steps: 4 });
      await page.mouse.up();
      const range = await page.evaluate("globalThis.lmtWeb.seqRange") as [number, number];
      assert.ok(Array.isArray(range) && range[1] > range[0], String(range));
      const before = await formValue("birdies");
      await clickOn(page, "#flag-channels");
      // the form's birdies= changes when the flag is done (the message line may still hold an earlier one)
      await page.waitForFunction(
        `document.querySelector('#rerun input[name="birdies"]').value !== ${JSON.stringify(before)}`,
        { timeout: 10000 },
      );
      // truth: the SpecFile's channel numbers whose axis value lies in the range dragged
      channels = Array.from(sf.caxis).flatMap((v, i) =>
        v >= range[0] && v <= range[1] ? [sf.channelNumber[i]!] : []
      );
      assert.ok(channels.length > 0 && channels.length < 60, `${range}: ${channels.length} channels`);
      assert.equal(await formValue("birdies"), channels.join(","));
      assert.equal(await formValue("pix_list"), "-5", "pix_list= is kept");
    });

    await t.step("run again: attempt 2 with pix_list and birdies changed", async () => {
      await clickOn(page, "#rerun-after-flag");
      await page.waitForSelector('th[data-attempt="2"]', { timeout: 60000 });
      const log = await page.$eval("#runlog", (e) => e.textContent ?? "");
      assert.match(
        log,
        new RegExp(`^\\$ SLpipeline\\.sh obsnum=97001 .*pix_list=-5 birdies=${channels.join(",")} `),
      );
      const pl = await cell("pix_list", "2");
      assert.ok(pl && pl[1] === "changed", JSON.stringify(pl));
      assert.ok(!pl[0].split(",").includes("5") && pl[0] !== "", pl[0]);
      assert.deepEqual(await cell("birdies", "2"), [channels.join(","), "changed"]);
      const rc = readFileSync(join(D, "lmtoy_97001.rc"), "utf8");
      assert.match(rc, new RegExp(`^birdies="?${channels.join(",")}"?$`, "m"));
      assert.match(rc, /^pix_list="?(0,1,2,3,4,6,7,8,9,10,11,12,13,14,15|-5)"?$/m);
    });
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await web.stop();
  }
}

/** lmt_web serving `work` on a free port: the URL it prints (with its token), and how to stop it. */
async function startWeb(work: string, env: Record<string, string>) {
  const server = new Deno.Command(join(ROOT, "bin", "lmt_web"), {
    args: ["--port", "0", work],
    env: { ...env, WORK_LMT: work },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    first += value;
  }
  const url = first.split("\n")[0]!;
  return {
    url,
    token: url.split("token=")[1]!,
    base: url.split("/?")[0]!,
    stop: async () => {
      server.kill("SIGTERM");
      await server.status;
      await reader.cancel().catch(() => {});
      await server.stderr.cancel().catch(() => {});
    },
  };
}

/** Debian's headless Chromium through puppeteer-core. */
async function launchBrowser(): Promise<Browser> {
  const { default: puppeteer } = await import("puppeteer-core");
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** A 1300×900 page; `errors` collects the page's uncaught errors. */
async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewport({ width: 1300, height: 900 });
  return { page, errors };
}

/** The attempt numbers of the obsnum page's parameter table, in order. */
function attemptsShown(page: Page): Promise<string[]> {
  return page.$$eval(
    "th[data-attempt]",
    (els) => [...new Set(els.map((e) => (e as unknown as { dataset: { attempt: string } }).dataset.attempt))],
  );
}

/**
 * Click an element as a user would, but through the DOM: puppeteer's own click needs the element's box at
 * that instant and fails ("not clickable") while the page is still laying out images that loaded meanwhile.
 */
async function clickOn(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector, { visible: true, timeout: 10000 });
  await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).click()`);
}
