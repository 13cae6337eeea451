/**
 * SLpipeline.sh on the toolkit's generated data (no ../shared/samples needed): products in
 * WORK/PROJECTID/OBSNUM, a combination that leaves its singles byte-identical, every attack of issue 11 through
 * the command line, make, run files and a raw header (no command runs, nothing is written outside the work
 * tree), modes it cannot reduce, the lock, the failure message, help and shell completion.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runScript, runTool, snapshotTree, tempDir } from "../_helpers.ts";
import { PARAMS } from "../../lib/pipeline/params.ts";
import { readFits } from "../../lib/fits/mod.ts";

const PID = "2024-S1-SIM-1"; // the RSR generator's project id
const PID_SEQ = "2025-S1-SIM-1"; // the SEQ generator's
const SYS_PATH = `${join(ROOT, "bin")}:/usr/local/bin:/usr/bin:/bin`;

function allNames(dir: string): string[] {
  return [...snapshotTree(dir).keys()].sort();
}

Deno.test({
  name: "SLpipeline.sh: singles, combinations, attacks, modes, lock, failures (generated data)",
  sanitizeResources: false,
  fn: async (t) => {
    const { dir, cleanup } = tempDir("lmt-slp-");
    try {
      const data = join(dir, "data");
      const work = join(dir, "work");
      mkdirSync(work);
      await runScript("gen_rsr.ts", [
        "--out",
        data,
        "--obsnum",
        "91001",
        "--obsnum",
        "91003",
        "--source",
        "QSO-1",
      ]);
      await runScript("gen_seq.ts", [
        "--out",
        data,
        "--obsnum0",
        "97000",
        "--rows",
        "9",
        "--source",
        "MAP-1",
      ]);
      await runScript("gen_seq.ts", ["--out", data, "--obsnum0", "98000", "--rows", "9", "--ps", "--no-bs"]);
      // a private TMPDIR: the make step checks that make's argument file is removed, and other runs of the
      // machine (another test, another checkout) put theirs in /tmp meanwhile
      const tmpdir = join(dir, ".tmp");
      mkdirSync(tmpdir);
      const env = { DATA_LMT: data, PATH: SYS_PATH, HOME: dir, TMPDIR: tmpdir };
      const slp = (args: string[], cwd = work) => runTool("SLpipeline.sh", args, { cwd, env });
      const P = join(work, PID);
      const pwned = join(dir, "PWNED");
      // .cache: Deno's (HOME=dir); .tmp: TMPDIR
      const outside = () => readdirSync(dir).filter((n) => n !== ".cache" && n !== ".tmp").sort();
      const outside0 = ["data", "work"];

      await t.step(
        "a single goes to WORK/PROJECTID/OBSNUM; a second run with the same parameters does nothing",
        async () => {
          const r = await slp(["obsnum=91001", "badcb=0/3"]);
          assert.equal(r.code, 0, r.stderr);
          const D = join(P, "91001");
          for (
            const f of [
              "rsr.91001.driver.sum.txt",
              "rsr.91001.blanking.sum.txt",
              "index.html",
              "rsr.91001.rfile",
              "rsr.91001.sdfits",
            ]
          ) {
            assert.ok(existsSync(join(D, f)), f);
          }
          const rc = readFileSync(join(D, "lmtoy_91001.rc"), "utf8");
          assert.match(rc, /^badcb="0\/3"$/m);
          assert.match(readFileSync(join(D, "rsr.91001.rfile"), "utf8"), /^91001,0,3$/m);
          const names = allNames(D);
          assert.ok(!names.some((n) => /\.tmp|\.lmt_lock/.test(n)), names.join(" "));
          assert.doesNotMatch(readFileSync(join(D, "README_files.md"), "utf8"), /tmp/);
          const before = snapshotTree(D);
          const again = await slp(["obsnum=91001", "badcb=0/3"]);
          assert.equal(again.code, 0, again.stderr);
          assert.deepEqual(snapshotTree(D), before, "nothing redone");
        },
      );

      await t.step(
        "a combination never changes its singles, and its rfile holds the single's OBSNUM,0,3",
        async () => {
          const D1 = join(P, "91001");
          const before = snapshotTree(D1);
          const r = await slp(["obsnums=91001,91003", "xlines=94.3,0.3", "blo=2", "cthr=0.02", "badcb=1/1"]);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(snapshotTree(D1), before, "every file of 91001 byte-identical, same mtimes");
          const C = join(P, "91001_91003");
          assert.match(readFileSync(join(C, "rsr.91001_91003.rfile"), "utf8"), /^91001,0,3$/m);
          assert.doesNotMatch(readFileSync(join(C, "rsr.91001_91003.rfile"), "utf8"), /^9100[13],1,1$/m);
          // 91003 was missing: reduced with ITS defaults, not with the combination's blo=2 / badcb=1/1
          const rc3 = readFileSync(join(P, "91003", "lmtoy_91003.rc"), "utf8");
          assert.match(rc3, /^blo="1"$/m);
          assert.match(rc3, /^badcb=""$/m);
          assert.match(readFileSync(join(C, "lmtoy_91001_91003.rc"), "utf8"), /^blo="2"$/m);
          assert.ok(existsSync(join(C, "rsr.91001_91003.driver.sum.txt")));
        },
      );

      await t.step("parameter values are data: command line", async () => {
        const attacks = [
          ["badcb=$(shell touch PWNED)", /^SLpipeline: badcb=\$\(shell touch PWNED\): expected C\/B pairs/],
          ["badcb=`touch ../PWNED`", /^SLpipeline: badcb=`touch \.\.\/PWNED`: expected C\/B pairs/],
          [
            "xlines=94.3,0.6;touch ../PWNED;",
            /^SLpipeline: xlines=94\.3,0\.6;touch \.\.\/PWNED;: expected f1,w1/,
          ],
          ["blo=1 -o /some/path", /^SLpipeline: blo=1 -o \/some\/path: expected an integer -1\.\.10/],
          ["dir=../../x", /^SLpipeline: dir=\.\.\/\.\.\/x: expected a plain name/],
          ["oid=$(touch ../PWNED)", /^SLpipeline: oid=\$\(touch \.\.\/PWNED\): expected a plain name/],
          ["sgf=51\ntouch ../PWNED", /^SLpipeline: sgf=51\\x0atouch \.\.\/PWNED: expected an integer/],
          ["badlags=/etc/passwd", /^SLpipeline: badlags=\/etc\/passwd: expected a file inside the work tree/],
          ["badlags=x';touch ../PWNED;'", /^SLpipeline: badlags=x';touch.*: expected a file name/],
          ["path=$(touch ../PWNED)", /^SLpipeline: path=\$\(touch.*: expected a file name/],
          ["spkie=3", /^SLpipeline: unknown parameter spkie= \(did you mean spike=\?\)/],
          ["pix_list=1,2", /^SLpipeline: pix_list= is a SEQ parameter, not RSR/],
        ] as const;
        for (const [word, msg] of attacks) {
          const r = await slp(["obsnum=91003", word]);
          assert.equal(r.code, 2, `${word}: ${r.stderr}`);
          assert.match(r.stderr.split("\n")[0]!, msg, word);
        }
        assert.ok(!existsSync(pwned) && !existsSync(join(work, "PWNED")), "no command ran");
        assert.deepEqual(outside(), outside0);
      });

      await t.step("parameter values are data: make -f scripts/rsr.mk", async () => {
        const mk = join(ROOT, "scripts", "rsr.mk");
        const tmp = env.TMPDIR;
        const argFiles = () => readdirSync(tmp).filter((n) => n.startsWith("lmt-make-args")).sort();
        const argFiles0 = argFiles();
        for (
          const word of [
            "badcb=$(shell touch ../PWNED)",
            "badcb=`touch ../PWNED`",
            "xlines=94.3,0.6;touch ../PWNED;",
            "blo=1 -o /some/path",
            "badcb=1/1' ; touch ../PWNED ; '",
            'badcb=1/1" ; touch ../PWNED ; "',
            "DATA_LMT=$(shell touch ../PWNED)",
          ]
        ) {
          for (const extra of [[], ["-n"], ["help"], ["nosuchgoal"]]) {
            const o = await new Deno.Command("make", {
              args: ["-f", mk, "obsnum=91003", word, ...extra],
              cwd: work,
              env,
              stdout: "piped",
              stderr: "piped",
            }).output();
            const err = new TextDecoder().decode(o.stderr);
            if (extra[0] !== "help") assert.notEqual(o.code, 0, `${word} ${extra}: ${err}`);
          }
        }
        assert.ok(!existsSync(pwned) && !existsSync(join(work, "PWNED")), "no command ran");
        assert.deepEqual(outside(), outside0);
        assert.deepEqual(argFiles(), argFiles0, "make's argument file is removed");
      });

      await t.step("parameter values are data: run files (lmt_run)", async () => {
        const run = join(work, "evil.run");
        writeFileSync(
          run,
          "obsnum=91001\nSLpipeline.sh obsnum=91003 badcb='$(shell touch ../PWNED)'\nobsnum=91003 dir=x xlines=\"1,2;touch ../PWNED\"\n",
        );
        const r = await runTool("lmt_run", ["-j", "1", run], { cwd: work, env });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /evil\.run:2: badcb=\$\(shell touch \.\.\/PWNED\): expected C\/B pairs/);
        assert.ok(!existsSync(pwned), "no command ran");
        // one lmt_run per run directory at a time
        writeFileSync(join(work, "good.run"), "obsnum=91001 badcb=0/3\n");
        const rundir = join(work, "good.run.lmt_run");
        mkdirSync(rundir);
        const sleeper = new Deno.Command("sleep", { args: ["60"] }).spawn();
        try {
          writeFileSync(join(rundir, ".lmt_lock"), `${sleeper.pid} ${Deno.hostname()}\n`);
          const busy = await runTool("lmt_run", ["-j", "1", "good.run"], { cwd: work, env });
          assert.equal(busy.code, 1, busy.stderr);
          assert.match(
            busy.stderr,
            new RegExp(`good\\.run\\.lmt_run is being reduced by PID ${sleeper.pid}`),
          );
        } finally {
          sleeper.kill();
          await sleeper.status;
        }
        const ok = await runTool("lmt_run", ["-j", "1", "good.run"], { cwd: work, env });
        assert.equal(ok.code, 0, ok.stderr);
        const st = readdirSync(join(rundir, "status"));
        assert.deepEqual(st, ["91001.done"], "status holds one file per job");
      });

      await t.step("source names from a raw header are sanitized into product names", async () => {
        // a copy of the SEQ data whose ifproc source name of the Bs obsnum is hostile
        const evil = join(dir, "evil_data");
        await new Deno.Command("cp", { args: ["-a", data, evil] }).output();
        const ifp = readdirSync(join(evil, "ifproc")).find((n) => n.includes("_097003_"))!;
        const bytes = readFileSync(join(evil, "ifproc", ifp));
        const name = new TextEncoder().encode("SIM-BS");
        const attack = new TextEncoder().encode("../../../../x`touch PWNED`");
        let patched = 0;
        for (let i = 0; i + 32 <= bytes.length; i++) {
          if (name.every((c, k) => bytes[i + k] === c) && bytes[i + name.length] === 0x20) {
            bytes.fill(0x20, i, i + 32); // a char array padded with blanks
            bytes.set(attack, i);
            patched++;
          }
        }
        assert.ok(patched > 0, "source name found in the ifproc file");
        writeFileSync(join(evil, "ifproc", ifp), bytes);
        const r = await runTool("SLpipeline.sh", ["obsnum=97003", `path=${evil}`], { cwd: work, env });
        assert.equal(r.code, 0, r.stderr);
        const D = join(work, PID_SEQ, "97003");
        const txt = readdirSync(D).filter((n) => n.endsWith("__0.txt"));
        assert.deepEqual(txt, ["_._.._.._.._x_touch_PWNED__97003__0.txt"]);
        assert.ok(!existsSync(pwned) && !existsSync(join(D, "PWNED")), "no command ran");
        assert.deepEqual(outside(), ["data", "evil_data", "work"]);
      });

      await t.step("SEQ map and Ps obsnums reduce through the same entry point", async () => {
        const r = await slp(["obsnum=97001"]);
        assert.equal(r.code, 0, r.stderr);
        for (
          const f of [
            "MAP-1_97001__0.nc",
            "MAP-1_97001__0.fits",
            "MAP-1_97001__0.wt.fits",
            "MAP-1_97001__0.wf.fits", // makewf=1
            "MAP-1_97001__0.mom0.fits", // maskmoment=1
            "MAP-1_97001__0.viewspec.txt", // viewspec=1
            "MAP-1_97001__0.sdfits", // sdfits=1
            "index.html",
          ]
        ) {
          assert.ok(existsSync(join(work, PID_SEQ, "97001", f)), f);
        }
        // linefreq=: one more SpecFile and cube per line, on the page, with the line's rest frequency
        const D1 = join(work, PID_SEQ, "97001");
        const rest = readFileSync(join(D1, "lmtoy_97001.rc"), "utf8").match(/^restfreq=([0-9.]+)/m)![1]!;
        const lf = await slp(["obsnum=97001", `linefreq=${rest}`]);
        assert.equal(lf.code, 0, lf.stderr);
        const cube = readFits(join(D1, "MAP-1_97001__0_L1.fits")).hdus[0]!;
        assert.ok(
          Math.abs(Number(cube.header.get("RESTFRQ")) - Number(rest) * 1e9) < 1,
          "RESTFRQ of the line cube",
        );
        assert.match(readFileSync(join(D1, "index.html"), "utf8"), /Cube MAP-1_97001__0_L1\.fits/);
        const far = await slp(["obsnum=97001", "restfreq=300"]);
        assert.equal(far.code, 2, far.stderr);
        assert.match(far.stderr, /^SLpipeline: restfreq=300: the line is in none of the bands reduced/);
        const ps = await slp(["obsnum=98005"]);
        assert.equal(ps.code, 0, ps.stderr);
        const D = join(work, PID_SEQ, "98005");
        const txt = readdirSync(D).find((n) => /_98005__0\.txt$/.test(n));
        assert.ok(txt, "Ps spectrum SRC_OBSNUM__0.txt");
        assert.match(
          readFileSync(join(D, "process_ps_0.log"), "utf8") + readFileSync(join(D, txt), "utf8"),
          /vlsr/,
        );
        assert.match(readFileSync(join(D, "lmtoy_98005.rc"), "utf8"), /^obspgm="Ps"$/m);
        // makewf=1 and sdfits=1 (the defaults) for Ps too
        assert.ok(existsSync(join(D, txt.replace(/\.txt$/, "_wf.fits"))), "Ps waterfall FITS");
        assert.ok(existsSync(join(D, txt.replace(/\.txt$/, ".sdfits"))), "Ps SDFITS");
      });

      await t.step("modes it cannot reduce, and unknown obsnums, leave no directory behind", async () => {
        for (
          const [o, msg] of [
            ["91000", /^SLpipeline: obsnum 91000: RSR Cal .* not reduced by this pipeline \(RSR: Bs\)$/],
            [
              "97000",
              /^SLpipeline: obsnum 97000: SEQ Cal .* not reduced by this pipeline \(SEQ: Map, Bs, Ps\)$/,
            ],
            ["12345", /^SLpipeline: obsnum 12345: /],
          ] as const
        ) {
          const r = await slp([`obsnum=${o}`]);
          assert.equal(r.code, 1, r.stderr);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.match(r.stderr.trim(), msg);
          assert.ok(!existsSync(join(P, o)) && !existsSync(join(work, o)), `no ${o}/ directory`);
        }
        assert.ok(!allNames(work).some((n) => n.includes(".tmp")), "no temporary files");
      });

      await t.step(
        "one run per obsnum: a live lock stops a second run, a dead one is taken over",
        async () => {
          const D = join(P, "91001");
          const sleeper = new Deno.Command("sleep", { args: ["60"] }).spawn();
          try {
            writeFileSync(join(D, ".lmt_lock"), `${sleeper.pid} ${Deno.hostname()}\n`);
            const r = await slp(["obsnum=91001", "badcb=0/3"]);
            assert.equal(r.code, 1);
            assert.equal(r.stderr.trim(), `SLpipeline: 91001 is being reduced by PID ${sleeper.pid}`);
          } finally {
            sleeper.kill();
            await sleeper.status;
          }
          writeFileSync(join(D, ".lmt_lock"), `4194303 ${Deno.hostname()}\n`); // above pid_max: never alive
          const r = await slp(["obsnum=91001", "badcb=0/3"]);
          assert.equal(r.code, 0, r.stderr);
          assert.ok(!existsSync(join(D, ".lmt_lock")), "lock released");
          // two runs at once: each either runs or says the obsnum is busy; the products are whole
          const [a, b] = await Promise.all([
            slp(["obsnum=91003", "restart=1"]),
            slp(["obsnum=91003", "restart=1"]),
          ]);
          for (const x of [a, b]) {
            assert.ok(x.code === 0 || /91003 is being reduced by PID \d+/.test(x.stderr), x.stderr);
          }
          assert.ok(a.code === 0 || b.code === 0);
          assert.ok(existsSync(join(P, "91003", "index.html")));
        },
      );

      await t.step("a failed step is named with the last lines of its log", async () => {
        writeFileSync(join(work, "bad.badlags"), "this is not a badlags file\n");
        const r = await slp(["obsnum=91003", "badlags=bad.badlags", "dir=badrun"]);
        assert.equal(r.code, 1);
        const lines = r.stderr.trim().split("\n");
        assert.match(
          lines[0]!,
          /^SLpipeline: badrun: rsr_driver \(with bad lags\) failed: rsr_driver exited with 1$/,
        );
        assert.ok(
          lines.slice(1).some((l) => /^ {2}rsr_driver: .*bad\.badlags|rsr\.91003\.badlags/.test(l)),
          r.stderr,
        );
        assert.ok(!r.stderr.includes("    at "), "no stack trace");
      });

      await t.step("exist=1, restart=1 and the parameters this toolkit does not do", async () => {
        const e = await slp(["obsnum=91001", "exist=1"]);
        assert.equal(e.code, 0);
        assert.match(e.stderr, /exist=1\): nothing done/);
        const tap = await slp(["obsnum=91001", "badcb=0/3", "tap=1", "admit=1"]);
        assert.equal(tap.code, 0, tap.stderr);
        assert.equal(tap.stderr.match(/tap=1: not available in this toolkit/g)?.length, 1);
        assert.equal(tap.stderr.match(/admit=1: not available in this toolkit/g)?.length, 1);
      });

      await t.step("help: every parameter with default and description, per instrument", async () => {
        const h = await slp(["--help"]);
        assert.equal(h.code, 0);
        for (const p of PARAMS) {
          const line = h.stdout.split("\n").find((l) => l.trimStart().startsWith(`${p.name}=`));
          assert.ok(line, `${p.name} in --help`);
          assert.ok(line.includes(p.help), `${p.name}: description`);
          if (p.default !== "") assert.ok(line.includes(`[default: ${p.default}]`), `${p.name}: default`);
        }
        assert.equal((await slp(["-h"])).stdout, h.stdout);
        const rsr = await slp(["obsnum=91001", "help"]);
        assert.equal(rsr.code, 0);
        assert.match(rsr.stdout, /^ {2}badcb= /m);
        assert.doesNotMatch(rsr.stdout, /pix_list=/);
        const mk = await new Deno.Command("make", {
          args: ["-f", join(ROOT, "scripts", "seq.mk"), "help"],
          cwd: work,
          env,
          stdout: "piped",
        }).output();
        const mkText = new TextDecoder().decode(mk.stdout);
        assert.match(mkText, /^ {2}pix_list= +pixels to use/m);
        const mr = await new Deno.Command("make", {
          args: ["-f", join(ROOT, "scripts", "rsr.mk"), "help"],
          cwd: work,
          env,
          stdout: "piped",
        }).output();
        assert.match(
          new TextDecoder().decode(mr.stdout),
          /^ {2}jitter= +1: also remove boards whose Tsys jitters \(rsr_tsys #BADCB lines\) \[default: 1\]$/m,
        );
      });
    } finally {
      cleanup();
    }
  },
});

Deno.test("shell completion: the committed script is current and completes tools' options and key= names", async () => {
  const gen = await runTool("SLpipeline", ["--completion", "bash"], { env: { PATH: SYS_PATH } });
  assert.equal(gen.code, 0, gen.stderr);
  assert.equal(
    gen.stdout,
    readFileSync(join(ROOT, "scripts", "completion.bash"), "utf8"),
    "scripts/completion.bash is stale: run bin/SLpipeline --completion bash > scripts/completion.bash",
  );
  const complete = async (words: string[]) => {
    const script = `source ${join(ROOT, "scripts", "completion.bash")}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
f=$(complete -p ${words[0]} | sed -E 's/.*-F ([^ ]+).*/\\1/'); $f; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const o = await new Deno.Command("bash", { args: ["-c", script], stdout: "piped", stderr: "piped" })
      .output();
    return new TextDecoder().decode(o.stdout).trim().split("\n").sort();
  };
  assert.deepEqual(await complete(["SLpipeline.sh", "obsn"]), ["obsnum=", "obsnums="]);
  assert.deepEqual(await complete(["SLpipeline.sh", "xli"]), ["xlines="]);
  assert.deepEqual(await complete(["rsr_driver", "--exc"]), ["--exclude"]);
  assert.deepEqual(await complete(["spec_driver_fits", "--ov"]), ["--overwrite"]);
  assert.ok((await complete(["process_otf_map2.py", "--pix"])).includes("--pix_list"));
});

Deno.test("'DATA_LMT is not set' names each tool's own path option", async () => {
  const env = { PATH: SYS_PATH };
  const cases: [string, string[], string | undefined, string][] = [
    ["badlags", ["91001"], undefined, "badlags: DATA_LMT is not set and no --path given"],
    ["rsr_tsys", ["91001"], undefined, "rsr_tsys: DATA_LMT is not set and no --path given"],
    ["rsr_driver", ["-"], "91001\n", "rsr_driver: DATA_LMT is not set and no -d/--data_lmt_path given"],
    ["SLpipeline.sh", ["obsnum=91001"], undefined, "SLpipeline: DATA_LMT is not set and no path= given"],
  ];
  for (const [tool, args, stdin, msg] of cases) {
    const r = await runTool(tool, args, { env, ...(stdin !== undefined ? { stdin } : {}) });
    assert.equal(r.code, 1, `${tool}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), msg);
  }
});
