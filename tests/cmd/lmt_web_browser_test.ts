/**
 * lmt_web in a real browser: Debian's headless Chromium driven by puppeteer-core (no browser download).
 * Generated RSR data reduced twice by SLpipeline.sh (blo=1, blo=2) → /obs/91001 shows attempts 1 and 2; the
 * form's blo= changed to 0 and run → the run's output streams in and attempt 3 appears; the spectrum's cursor
 * readout names frequency and temperature; a chassis/board picked on the board grid and flagged → its #BADCB
 * line is in rsr.91001.badlags; a frequency range dragged on the per-board spectra → its blank line is in
 * rsr.91001.blanking. Skipped, with a notice, where /usr/bin/chromium is absent.
 * LMT_WEB_SCREENSHOTS=1 also writes docs/lmt_web_index.png and docs/lmt_web_obs.png (1300 px wide).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runTool, tempDir } from "../_helpers.ts";
import { parseBlanking } from "../../lib/formats/blanking.ts";

const CHROMIUM = "/usr/bin/chromium";
const DENO = join(ROOT, "node_modules", ".bin", "deno");
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
  const g = await new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      join(ROOT, "deno.json"),
      join(ROOT, "scripts", "gen_rsr.ts"),
      "--out",
      data,
      "--obsnum",
      "91001",
      "--line",
      "94.3,0.045,320",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(g.code, 0, new TextDecoder().decode(g.stderr));
  const env = { DATA_LMT: data, PATH: SYS_PATH, HOME: dir };
  for (const blo of ["1", "2"]) {
    const r = await runTool("SLpipeline.sh", ["obsnum=91001", `blo=${blo}`], { cwd: work, env });
    assert.equal(r.code, 0, r.stderr);
  }
  const D = join(work, "2024-S1-SIM-1", "91001");

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
  const { default: puppeteer } = await import("puppeteer-core");
  const shots = Deno.env.get("LMT_WEB_SCREENSHOTS") === "1";
  let browser: Awaited<ReturnType<typeof puppeteer.launch>> | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    const token = url.split("token=")[1]!;
    const base = url.split("/?")[0]!;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.setViewport({ width: 1300, height: 900 });

    await t.step("index lists the obsnum", async () => {
      await page.goto(url, { waitUntil: "load" });
      const row = await page.$eval(
        'tr[data-obs="91001"]',
        (e) => (e as unknown as { innerText: string }).innerText,
      );
      assert.match(row, /SIM-QSO\s+RSR\s+Bs\s+2024-11-02T05:29:59\s+done\s+\d\.\d{3} mK/);
      if (shots) await page.screenshot({ path: join(ROOT, "docs", "lmt_web_index.png") });
    });

    const attempts = () =>
      page.$$eval(
        "th[data-attempt]",
        (els) => [
          ...new Set(els.map((e) => (e as unknown as { dataset: { attempt: string } }).dataset.attempt)),
        ],
      );

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

    await t.step("change blo= in the form, run: progress streams, attempt 3 appears", async () => {
      await page.$eval('#rerun input[name="blo"]', (e) => {
        const i = e as unknown as { value: string; dispatchEvent(ev: Event): boolean };
        i.value = "0";
        i.dispatchEvent(new Event("input", { bubbles: true }));
      });
      await page.click("#run");
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
      await page.click('#cbgrid button[data-cb="3/2"]');
      assert.equal(await page.$eval("#cbsel", (e) => e.textContent), "chassis 3 board 2");
      await page.click("#flag-board");
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
        await page.click("#flag-range");
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
    server.kill("SIGTERM");
    await server.status;
    await reader.cancel().catch(() => {});
    await server.stderr.cancel().catch(() => {});
  }
}
