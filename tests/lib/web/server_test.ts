/**
 * lmt_web's server (lib/web/server.ts) in-process on a free loopback port, against a small hand-made
 * WORK_LMT tree and a fake pipeline (a Deno script that echoes its argv and the lock it sees): routes and
 * content types, the token on every POST, the Host check, traversal (`..`, `%2e%2e`, `%2f`, symbolic links
 * out of the tree, sent raw over TCP so no client normalises them), parameter validation (400 with the
 * grammar's message), server-sent events of a run, the lock (409), and flags written to .badlags/.blanking.
 */
import assert from "node:assert/strict";
import { parseBadlags } from "../../../lib/formats/badlags.ts";
import { parseBlanking } from "../../../lib/formats/blanking.ts";
import { startServer, type WebServer } from "../../../lib/web/server.ts";
import { tempDir } from "../../_helpers.ts";

const RC = `# <lmtinfo>
obsnum=91001
date_obs="2024-11-02T05:29:59"
obspgm="Bs"
ProjectId="2024-S1-SIM-1"
src="SIM-QSO"
instrument="RSR"
# </lmtinfo>
# parameters
obsnum="91001"
blo="1"
badcb=""
`;

const SPEC = `# Frequency Units: GHz
# Sigma per board (mK): 1.0,2.0,3.0
7.2e+01 1.5e-03 1.0e-03
7.3e+01 -2.5e-03 1.0e-03
7.4e+01 4.0e-03 1.0e-03
`;

const FAKE = `
const args = Deno.args;
console.log("ARGV " + JSON.stringify(args));
console.log("WORK " + Deno.env.get("WORK_LMT") + " CWD " + Deno.cwd());
if (args.includes("rms=99")) await new Promise((r) => setTimeout(r, 1500));
console.error("SLpipeline: step 1 of 1");
Deno.exit(args.includes("rms=98") ? 3 : 0);
`;

function makeTree(dir: string) {
  const work = `${dir}/work`, obs = `${work}/2024-S1-SIM-1/91001`;
  Deno.mkdirSync(obs, { recursive: true });
  Deno.mkdirSync(`${dir}/outside`);
  Deno.writeTextFileSync(`${dir}/outside/secret.txt`, "SECRET\n");
  Deno.writeTextFileSync(`${work}/secret_in_work.txt`, "NOT-AN-OBS-FILE\n");
  Deno.writeTextFileSync(`${obs}/lmtoy_91001.rc`, RC);
  Deno.writeTextFileSync(`${obs}/rsr.91001.driver.sum.txt`, SPEC);
  Deno.writeTextFileSync(
    `${obs}/rsr.91001.badlags`,
    "# File written by badlags\n 1  3 218  91001    0.1    3.3   # spike\n",
  );
  Deno.writeTextFileSync(`${obs}/rsr_tsys0.log`, "#OKCB 91001 0 0 0.037 Tsys\n#BADCB 91001 3 2 31.5 Tsys\n");
  Deno.writeFileSync(`${obs}/plot.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]));
  Deno.writeTextFileSync(`${obs}/index.html`, "<html>summary</html>");
  Deno.symlinkSync(`${dir}/outside/secret.txt`, `${obs}/evil.txt`);
  Deno.symlinkSync(`${dir}/outside`, `${obs}/evildir`);
  Deno.writeTextFileSync(`${dir}/fake.ts`, FAKE);
  const combo = `${work}/2024-S1-SIM-1/91001_91003`;
  Deno.mkdirSync(combo);
  Deno.writeTextFileSync(
    `${combo}/lmtoy_91001_91003.rc`,
    RC.replace(/^obsnum="91001"$/m, 'obsnum=""\nobsnums="91001,91003"'),
  );
  Deno.mkdirSync(`${dir}/outside/91007`); // an obsnum directory out of the tree, linked in
  Deno.writeTextFileSync(`${dir}/outside/91007/lmtoy_91007.rc`, RC.replaceAll("91001", "91007"));
  Deno.writeTextFileSync(`${dir}/outside/91007/rsr.91007.driver.sum.txt`, SPEC);
  Deno.symlinkSync(`${dir}/outside/91007`, `${work}/91007`);
  Deno.symlinkSync(`${dir}/outside/91007`, `${work}/2024-S1-SIM-1/91009`);
  Deno.mkdirSync(`${work}/91005`); // make -f scripts/rsr.mk layout: ./OBSNUM
  Deno.writeTextFileSync(`${work}/91005/lmtoy_91005.rc`, RC.replaceAll("91001", "91005"));
  return { work, obs };
}

async function raw(
  port: number,
  target: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; text: string }> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  await c.write(
    new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
  );
  let out = "";
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await c.read(buf);
    if (n === null) break;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
  c.close();
  return { status: Number(out.split(" ")[1]), text: out };
}

Deno.test("lmt_web server: routes, token, host, traversal, validation, SSE, lock, flags", async (t) => {
  const { dir, cleanup } = tempDir("lmt-web-");
  const { work, obs } = makeTree(dir);
  const token = "0123456789abcdef0123456789abcdef";
  const srv: WebServer = await startServer({
    work: Deno.realPathSync(work),
    token,
    pipeline: [Deno.execPath(), "run", "-A", "--quiet", "--no-lock", `${dir}/fake.ts`],
    env: { PATH: "/usr/bin:/bin", HOME: dir, DATA_LMT: `${dir}/data` },
    hostname: "127.0.0.1",
    port: 0,
  });
  const base = `http://127.0.0.1:${srv.port}`;
  const post = async (path: string, body: unknown, tok: string | null = token) => {
    const r = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(tok !== null ? { "x-lmt-token": tok } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => ({})) as Record<string, unknown> };
  };
  const sse = async (path: string) => {
    const text = await (await fetch(base + path)).text();
    return text.split("\n\n").filter((b) => b !== "").map((b) => {
      const ev = /^event: (.*)$/m.exec(b)![1]!;
      return { ev, data: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) };
    });
  };
  try {
    assert.match(srv.url, new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/\\?token=${token}$`));

    await t.step("routes and content types", async () => {
      const index = await (await fetch(base + "/")).text();
      const row = /<tr data-obs="91001">([\s\S]*?)<\/tr>/.exec(index)![1]!;
      for (
        const want of ["SIM-QSO", "RSR", "Bs", "2024-11-02T05:29:59", "done", "2.000 mK", "2024-S1-SIM-1"]
      ) {
        assert.ok(row.includes(want), `index row lacks ${want}: ${row}`);
      }
      const combo = /<tr data-obs="91001_91003">([\s\S]*?)<\/tr>/.exec(index)![1]!;
      assert.match(combo, /combination of 2/);
      assert.match(
        index,
        /<tr data-obs="91005"><td><a class="obs" href="\/obs\/91005">91005<\/a><\/td><td>\.<\/td>/,
      );
      const page = await fetch(base + "/obs/91001");
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await page.text();
      assert.match(html, /<input name="blo" value="1" data-default="1"/);
      assert.match(html, /No attempts kept yet|data-attempt/);
      assert.ok(!html.includes(token), "the page must not carry the token");
      assert.ok(
        !/name="work"/.test(html) && !/name="bank"/.test(html),
        "no work= nor SEQ parameters in an RSR form",
      );
      const f = await fetch(base + "/files/91001/rsr.91001.driver.sum.txt");
      assert.equal(f.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await f.text(), SPEC);
      const png = await fetch(base + "/files/91001/plot.png");
      assert.equal(png.headers.get("content-type"), "image/png");
      assert.equal((await png.arrayBuffer()).byteLength, 8);
      for (const s of ["vega.min.js", "vega-lite.min.js", "lmt_web.js"]) {
        const r = await fetch(base + "/static/" + s);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("content-type"), "text/javascript; charset=utf-8");
        await r.body?.cancel();
      }
      const data = await (await fetch(base + "/api/obs/91001/data")).json();
      assert.deepEqual(data.spectra[0].x, [72, 73, 74]);
      assert.deepEqual(data.spectra[0].y, [1.5e-3, -2.5e-3, 4e-3]);
      assert.equal(data.spectra[0].xunit, "GHz");
      assert.deepEqual(data.jitter, [[0, 0, 0.037], [3, 2, 31.5]]);
      assert.equal((await fetch(base + "/obs/99999")).status, 404);
      await (await fetch(base + "/obs/99999")).body?.cancel();
    });

    await t.step("Host header of another name is refused (DNS rebinding)", async () => {
      const r = await raw(srv.port, "/obs/91001", `evil.example:${srv.port}`);
      assert.equal(r.status, 421);
      assert.ok(!r.text.includes("SIM-QSO"));
    });

    await t.step("nothing outside the obsnum tree is served", async () => {
      for (
        const target of [
          "/files/91001/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt",
          "/files/91001/%2E%2E/%2E%2E/secret_in_work.txt",
          "/files/91001/..%2f..%2f..%2foutside%2fsecret.txt",
          "/files/91001/../../../outside/secret.txt",
          "/files/%2e%2e/secret_in_work.txt",
          "/files/91001/evil.txt",
          "/files/91001/evildir/secret.txt",
          "/files/91001/evildir",
          "/files/91001/%00",
          "/obs/..%2f..%2foutside",
          "/obs/%E0%A4%A",
          "/api/obs/..%2f..%2foutside/data",
          "/obs/91007",
          "/api/obs/91007/data",
          "/files/91007/rsr.91007.driver.sum.txt",
          "/obs/91009",
          "/api/obs/91009/data",
        ]
      ) {
        const r = await raw(srv.port, target);
        assert.ok(r.status === 404 || r.status === 400, `${target}: ${r.status}`);
        assert.ok(!/SECRET|NOT-AN-OBS-FILE|91007|"x":\[72/.test(r.text), `${target} leaked`);
      }
      // the same file through its proper path is served: the checks above refused only the way in
      assert.equal((await raw(srv.port, "/files/91001/plot.png")).status, 200);
    });

    await t.step("every POST needs the token", async () => {
      assert.equal((await post("/api/run", { obsnum: 91001, params: {} }, null)).status, 403);
      assert.equal((await post("/api/run", { obsnum: 91001, params: {} }, "0".repeat(32))).status, 403);
      assert.equal(
        (await post("/api/flag", { obsnum: 91001, kind: "badcb", chassis: 0, board: 0 }, null)).status,
        403,
      );
      // the page's ?token= works as well
      const r = await fetch(`${base}/api/run?token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ obsnum: 91001, params: { blo: "x" } }),
      });
      assert.equal(r.status, 400);
      await r.body?.cancel();
    });

    await t.step("invalid parameters are a 400 with the grammar's message", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ blo: "x" }, "blo=x: expected an integer -1..10"],
        [{ badcb: "3/9" }, "badcb=3/9: "],
        [{ bloo: "2" }, "unknown parameter bloo= (did you mean blo=?)"],
        [{ bank: "0" }, "bank= is a SEQ parameter, not RSR"],
        [{ work: "/tmp" }, "work= is set by lmt_web, not by the form"],
        [{ xlines: "94.3,0.3;touch x" }, "xlines=94.3,0.3;touch x: expected f1,w1,f2,w2,... in GHz"],
      ];
      for (const [params, want] of cases) {
        const r = await post("/api/run", { obsnum: 91001, params });
        assert.equal(r.status, 400, JSON.stringify(params));
        assert.ok(String(r.body.error).startsWith(want), `${JSON.stringify(params)}: ${r.body.error}`);
      }
      assert.equal((await post("/api/run", { obsnum: 91002, params: {} })).status, 404);
    });

    await t.step(
      "a run streams its output as server-sent events; values are separate argv entries",
      async () => {
        const r = await post("/api/run", {
          obsnum: 91001,
          params: { blo: "2", badcb: "3/2,0/1", xlines: "94.3,0.3" },
        });
        assert.equal(r.status, 202);
        const evs = await sse(String(r.body.events));
        const last = evs.at(-1)!;
        assert.deepEqual(last, { ev: "done", data: { code: 0 } });
        const lines = evs.filter((e) => e.ev === "line").map((e) => e.data as string);
        const argv = JSON.parse(lines.find((l) => l.startsWith("ARGV "))!.slice(5));
        assert.deepEqual(argv, ["obsnum=91001", "blo=2", "badcb=3/2,0/1", "xlines=94.3,0.3", "debug=1"]);
        assert.ok(
          lines.includes(`WORK ${Deno.realPathSync(work)} CWD ${Deno.realPathSync(work)}`),
          lines.join("\n"),
        );
        assert.ok(lines.includes("SLpipeline: step 1 of 1"));
        // a combination is run as obsnums=, a ./OBSNUM directory with --here (products in the same place)
        const c = await post("/api/run", { obsnum: "91001_91003", params: {} });
        const cargv = (await sse(String(c.body.events))).map((e) => String(e.data)).find((l) =>
          l.startsWith("ARGV ")
        )!;
        assert.deepEqual(JSON.parse(cargv.slice(5)), ["obsnums=91001,91003", "debug=1"]);
        const h = await post("/api/run", { obsnum: 91005, params: {} });
        const hargv = (await sse(String(h.body.events))).map((e) => String(e.data)).find((l) =>
          l.startsWith("ARGV ")
        )!;
        assert.deepEqual(JSON.parse(hargv.slice(5)), ["--here", "obsnum=91005", "debug=1"]);
        // a failed run says its exit code
        const f = await post("/api/run", { obsnum: 91001, params: { rms: "98" } });
        assert.deepEqual((await sse(String(f.body.events))).at(-1), { ev: "done", data: { code: 3 } });
      },
    );

    await t.step("one run per obsnum: 409 with the pipeline's busy message", async () => {
      const a = await post("/api/run", { obsnum: 91001, params: { rms: "99" } }); // runs 1.5 s
      assert.equal(a.status, 202);
      const b = await post("/api/run", { obsnum: 91001, params: {} });
      assert.equal(b.status, 409);
      assert.match(String(b.body.error), /^91001 is being reduced by PID \d+$/);
      await sse(String(a.body.events));
      // the pipeline's own lock, held by another live process (PID 1)
      Deno.writeTextFileSync(`${obs}/.lmt_lock`, `1 ${Deno.hostname()}\n`);
      const c = await post("/api/run", { obsnum: 91001, params: {} });
      assert.equal(c.status, 409);
      assert.equal(c.body.error, "91001 is being reduced by PID 1");
      const index = await (await fetch(base + "/")).text();
      assert.match(index, /status-running">running/);
      Deno.removeSync(`${obs}/.lmt_lock`);
    });

    await t.step("flags go to .badlags and .blanking through the formatters", async () => {
      const r = await post("/api/flag", { obsnum: 91001, kind: "badcb", chassis: 3, board: 2 });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { file: "rsr.91001.badlags", lines: ["#BADCB 91001 3 2 0 lmt_web"] });
      const bl = parseBadlags(Deno.readTextFileSync(`${obs}/rsr.91001.badlags`));
      assert.deepEqual(bl.badcb, [{ obsnum: 91001, chassis: 3, board: 2, metric: 0, tag: "lmt_web" }]);
      assert.equal(bl.lags.length, 1, "the lag line is kept");
      const again = await post("/api/flag", { obsnum: 91001, kind: "badcb", chassis: 3, board: 2 });
      assert.deepEqual(again.body.lines, []);
      assert.equal(
        (await post("/api/flag", { obsnum: 91001, kind: "badcb", chassis: 4, board: 2 })).status,
        400,
      );
      const blank91001 = (chassis: number[], board: number, range: [number, number]) =>
        post("/api/flag", { obsnum: 91001, kind: "blank", chassis, board, range });
      const b = await blank91001([1], 4, [105.25, 105.75]);
      assert.equal(b.status, 200);
      const blank = parseBlanking(Deno.readTextFileSync(`${obs}/rsr.91001.blanking`));
      assert.deepEqual(blank.obsnums, [91001]);
      assert.equal(blank.blanks.length, 1);
      assert.equal(blank.blanks[0]!.chassis, 1);
      assert.deepEqual([...blank.blanks[0]!.boards!], [[4, [[105.25, 105.75]]]]);
      const data = await (await fetch(base + "/api/obs/91001/data")).json();
      assert.deepEqual(data.flagged, [[3, 2, "badlags (lmt_web)"]]);
      assert.equal(data.waterfallData, "", "no rsr.wf.json: no interactive waterfall");
      Deno.writeTextFileSync(`${obs}/rsr.wf.json`, '{"xrange":[72.5,111.5],"products":[]}\n');
      assert.equal((await (await fetch(base + "/api/obs/91001/data")).json()).waterfallData, "rsr.wf.json");
      assert.equal(
        (await post("/api/flag", { obsnum: 91001, kind: "blank", board: 4, range: [106, 105] })).status,
        400,
      );
      // a flag file that is a link out of the tree is not written through
      Deno.removeSync(`${obs}/rsr.91001.blanking`);
      Deno.symlinkSync(`${dir}/outside/secret.txt`, `${obs}/rsr.91001.blanking`);
      const out = await blank91001([0], 1, [80, 81]);
      assert.equal(out.status, 403);
      assert.equal(Deno.readTextFileSync(`${dir}/outside/secret.txt`), "SECRET\n");
    });
  } finally {
    await srv.shutdown();
    cleanup();
  }
});

/**
 * SEQ flags: a SEQ map obsnum with a SpecFile written from lib/sim/specmap (channel width 2 km/s, axis
 * centred on vlsr 20 km/s, first kept channel 1000 of the band): a pixel picked → pix_list=-P,...; a
 * velocity range → birdies= with the original channels whose centres lie in it (checked against the
 * SpecFile's own ChannelNumber/caxis arrays); invalid requests are 400 with the grammar's message.
 */
Deno.test("lmt_web server: SEQ pixel → pix_list=, velocity range → birdies= channels", async () => {
  const { simSpecMap } = await import("../../../lib/sim/specmap.ts");
  const { specFileModel } = await import("../../../lib/specfile/mod.ts");
  const { writeNetcdf3Sync } = await import("../../../lib/netcdf/mod.ts");
  const { readSpecFile } = await import("../../../lib/specfile/reader.ts");
  const { dir, cleanup } = tempDir("lmt-web-seq-");
  const work = `${dir}/work`, obs = `${work}/2025-S1-SIM-2/97001`;
  Deno.mkdirSync(obs, { recursive: true });
  Deno.writeTextFileSync(
    `${obs}/lmtoy_97001.rc`,
    `# <lmtinfo>\nobsnum=97001\nobspgm="Map"\nProjectId="2025-S1-SIM-2"\nsrc="SIM-OTF"\ninstrument="SEQ"\n` +
      `# </lmtinfo>\n# parameters\nobsnum="97001"\npix_list="0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"\nbirdies="0"\n`,
  );
  const { specFile } = simSpecMap({
    source: { raDeg: 198, decDeg: 38 },
    nchan: 64,
    dvKms: 2,
    vlsrKms: 20,
    boxArcsec: 20,
    stepArcsec: 10,
  });
  const c0 = 1000;
  const sf = {
    ...specFile,
    chan0: c0,
    nchan0: 2048,
    channelNumber: Int32Array.from({ length: 64 }, (_, i) => c0 + i),
  };
  writeNetcdf3Sync(`${obs}/SIM-OTF_97001__0.nc`, specFileModel(sf, "cdf3"), { format: "cdf2" });
  Deno.writeTextFileSync(`${obs}/SIM-OTF_97001__0.viewspec.txt`, "# velocity(km/s) T(K)\n20 1\n22 0.5\n");
  const token = "0123456789abcdef0123456789abcdef";
  const srv = await startServer({
    work: Deno.realPathSync(work),
    token,
    pipeline: ["/bin/false"],
    env: { PATH: "/usr/bin:/bin", HOME: dir },
    hostname: "127.0.0.1",
    port: 0,
  });
  const base = `http://127.0.0.1:${srv.port}`;
  const post = async (body: unknown) => {
    const r = await fetch(base + "/api/flag", {
      method: "POST",
      headers: { "content-type": "application/json", "x-lmt-token": token },
      body: JSON.stringify({ obsnum: 97001, kind: "seq", ...body as Record<string, unknown> }),
    });
    return { status: r.status, body: await r.json() as Record<string, unknown> };
  };
  try {
    // truth: the SpecFile as read back, its channel numbers and axis values
    const truth = await readSpecFile(`${obs}/SIM-OTF_97001__0.nc`);
    assert.equal(truth.chan0, c0);
    const inRange = (a: number, b: number) =>
      Array.from(truth.caxis).flatMap((v, i) => (v >= a && v <= b ? [truth.channelNumber[i]!] : []));

    // the page's data: the SpecFile's axis, and the pixel table's Tsys (simSpecMap: 150 K, pixel 0)
    const data = await (await fetch(`${base}/api/obs/97001/data`)).json();
    assert.equal(data.kind, "seq");
    assert.equal(data.seq.file, "SIM-OTF_97001__0.nc");
    assert.deepEqual(
      [data.seq.axis.chan0, data.seq.axis.nchan, data.seq.axis.cdelt, data.seq.axis.crval],
      [c0, 64, 2, 20],
    );
    assert.equal(data.seq.tsys[0], 150);
    assert.equal(data.spectra[0].xunit, "km/s");

    // a pixel: the rc's full list 0..15 minus pixel 3 → -3; then 7 → -3,7; 3 used again → -7
    let r = await post({ exclude: [3] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { params: { pix_list: "-3", birdies: "0" }, channels: [] });
    r = await post({ exclude: [7], pix_list: "-3" });
    assert.deepEqual(r.body.params, { pix_list: "-3,7", birdies: "0" });
    r = await post({ include: [3], pix_list: "-3,7" });
    assert.deepEqual(r.body.params, { pix_list: "-7", birdies: "0" });
    // a positive list from the form: 0..7 in use, 2 left out → all but 2 and 8..15
    r = await post({ exclude: [2], pix_list: "0,1,2,3,4,5,6,7" });
    assert.equal(
      r.body.params && (r.body.params as Record<string, string>).pix_list,
      "-2,8,9,10,11,12,13,14,15",
    );

    // a velocity range: channel k of the slice is at 20 + (k - 31.5)·2 km/s, original channel 1000 + k
    r = await post({ range: [25.1, 31.9], spectrum: "SIM-OTF_97001__0.viewspec.txt" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.channels, inRange(25.1, 31.9));
    assert.deepEqual(r.body.channels, [1035, 1036, 1037]); // k = 35..37: 27, 29, 31 km/s (k = 34 is 25 km/s, out)
    assert.deepEqual(r.body.params, { pix_list: "", birdies: "1035,1036,1037" }); // the rc: no pixel left out
    assert.equal(r.body.file, "SIM-OTF_97001__0.nc");
    // reversed range, added to the form's birdies (kept, merged, sorted)
    r = await post({ range: [-9, -13], birdies: "1035,5", pix_list: "-4" });
    assert.deepEqual(r.body.channels, inRange(-13, -9));
    assert.deepEqual(r.body.params, { pix_list: "-4", birdies: `5,${inRange(-13, -9).join(",")},1035` });

    // refused: outside the band, too wide, every pixel out, an invalid form value, a bad pixel number
    const bad = async (body: unknown, re: RegExp) => {
      const b = await post(body);
      assert.equal(b.status, 400, JSON.stringify(b.body));
      assert.match(String(b.body.error), re);
    };
    await bad({ range: [500, 600] }, /no channel of the spectrum lies in \[500, 600\]/);
    await bad({ exclude: [16] }, /exclude: expected a list of pixels 0\.\.15/);
    await bad(
      { exclude: [0], pix_list: "-1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
      /every pixel would be left out/,
    );
    await bad(
      { exclude: [1], pix_list: "0;rm" },
      /^pix_list=0;rm: expected comma-separated integers 0\.\.31/,
    );
    await bad({ range: [1, 2], birdies: "x" }, /^birdies=x: expected comma-separated integers/);
    await bad({}, /nothing to flag/);
    await bad({ range: [1, 2], spectrum: "../x" }, /spectrum: not a file name/);
  } finally {
    await srv.shutdown();
    cleanup();
  }
});
