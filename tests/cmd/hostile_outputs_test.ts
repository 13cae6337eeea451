/**
 * Outputs under hostile conditions (issue 13, items 7–9), black-box on generated data: signals at
 * random moments leave no temporary file or scratch directory and no partial output; a SIGKILLed
 * run's temporary files are removed by the next run of the same output; two spec_driver_fits writing
 * the same files leave one complete, valid set; a bad output path is refused before anything is
 * touched; messages name the path the user gave (never a temporary file), also on full and
 * read-only disks.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../lib/fits/mod.ts";
import { generateRsr } from "../../lib/sim/rsr.ts";
import { generateSeq } from "../../lib/sim/seq.ts";
import { Rng } from "../../lib/sim/rng.ts";
import { readSpecFile } from "../../lib/specfile/mod.ts";
import { ROOT, tempDir } from "../_helpers.ts";

const GRID = ["-l", "13", "-c", "6.5", "-x", "120", "-y", "120", "-z", "10", "-f", "1", "-r", "3"];

/** Temporary files (`.NAME.PID.RAND.tmp`, older `.NAME.tmp-PID-RAND`) left in `dir`. */
function temps(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\..*\.\d+\.[0-9a-z]+\.tmp$|^\..*\.tmp-\d+-/.test(n));
}

interface Run {
  code: number;
  stderr: string;
  stdout: Uint8Array;
  ms: number;
}

/** Run bin/<tool>; with `signal`, send it after `delayMs` (or when `when()` first holds, polled). */
async function run(
  tool: string,
  args: string[],
  o: {
    cwd: string;
    env: Record<string, string>;
    signal?: Deno.Signal;
    delayMs?: number;
    when?: () => boolean;
  },
): Promise<Run> {
  const t0 = performance.now();
  const child = new Deno.Command(join(ROOT, "bin", tool), {
    args,
    cwd: o.cwd,
    env: o.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling = true;
  if (o.signal !== undefined) {
    const sig = o.signal;
    const kill = () => {
      try {
        child.kill(sig);
      } catch { /* already ended */ }
    };
    if (o.when !== undefined) {
      const when = o.when;
      (async () => {
        while (polling) {
          if (when()) return kill();
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    } else timer = setTimeout(kill, o.delayMs ?? 0);
  }
  const out = await child.output();
  polling = false;
  if (timer !== undefined) clearTimeout(timer);
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    stdout: out.stdout,
    ms: performance.now() - t0,
  };
}

/** The data section of a FITS file (everything after the first header's END block). */
function fitsData(path: string): Float32Array {
  return readFits(path).hdus[0]!.data as Float32Array;
}

Deno.test("outputs under signals, SIGKILL, concurrency, bad paths and full/read-only disks", async (t) => {
  const { dir, cleanup } = tempDir("lmt-hostile-");
  try {
    const seqRoot = join(dir, "seq"), rsrRoot = join(dir, "rsr");
    await generateSeq(seqRoot, { obsnum0: 97000, seed: 99, nchan: 512, bs: false });
    await generateRsr(rsrRoot, { obsnum: 91001, seed: 17 });
    const work = join(dir, "work"), scratch = join(dir, "scratch");
    mkdirSync(work);
    mkdirSync(scratch);
    writeFileSync(join(work, "rsr.obsnum"), "91001\n");
    const seqEnv = { DATA_LMT: seqRoot, TMPDIR: scratch };
    const rsrEnv = { DATA_LMT: rsrRoot, TMPDIR: scratch };
    const rng = new Rng(13);

    // reference runs: the complete outputs and how long a run takes
    const ref = await run("process_otf_map", ["-O", "97001", "-o", "ref.nc"], { cwd: work, env: seqEnv });
    equal(ref.code, 0, ref.stderr);
    const grid = ["-i", "ref.nc", ...GRID];
    const refCube = await run("spec_driver_fits", [...grid, "-o", "ref.fits", "-w", "ref.wt.fits"], {
      cwd: work,
      env: seqEnv,
    });
    equal(refCube.code, 0, refCube.stderr);
    const cube0 = fitsData(join(work, "ref.fits")), wt0 = fitsData(join(work, "ref.wt.fits"));

    const clean = (what: string) => {
      equal(temps(work).join(" "), "", `${what}: temporary files left`);
      equal(readdirSync(scratch).join(" "), "", `${what}: scratch directories left in $TMPDIR`);
    };

    await t.step(
      "SIGINT/SIGTERM/SIGHUP at random moments: no temp file, no scratch dir, no partial output",
      async () => {
        // outputs named like the reference ones (same length: same history size, same byte count)
        type Case = {
          tool: string;
          args: string[];
          env: Record<string, string>;
          out: string[];
          ref?: [number, string[]];
        };
        const cases: Case[] = [
          {
            tool: "process_otf_map",
            args: ["-O", "97001", "-o", "kil.nc"],
            env: seqEnv,
            out: ["kil.nc"],
            ref: [ref.ms, ["ref.nc"]],
          },
          {
            tool: "process_otf_map",
            args: ["-O", "97001", "-o", "-"],
            env: seqEnv,
            out: [],
            ref: [ref.ms, []],
          },
          {
            tool: "spec_driver_fits",
            args: [...grid, "-o", "kil.fits", "-w", "kil.wt.fits"],
            env: seqEnv,
            out: ["kil.fits", "kil.wt.fits", "kil.radiometer.rms.fits"],
            ref: [refCube.ms, ["ref.fits", "ref.wt.fits", "ref.radiometer.rms.fits"]],
          },
          {
            tool: "badlags",
            args: ["-B", "k.badlags", "-y", "k.png", "91001"],
            env: rsrEnv,
            out: ["k.badlags", "k.png"],
          },
          {
            tool: "rsr_driver",
            args: ["rsr.obsnum", "-o", "k.txt"],
            env: rsrEnv,
            out: ["k.txt", "k_bandspec.txt"],
          },
        ];
        const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
        const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as Record<string, number>;
        let interrupted = 0, handled = 0, k = 0;
        const log: string[] = [];
        for (const c of cases) {
          // how long this run takes undisturbed (the random moments fall inside it), its outputs' sizes
          let ms: number, sizes: number[];
          if (c.ref !== undefined) {
            ms = c.ref[0];
            sizes = c.ref[1].map((o) => statSync(join(work, o)).size);
          } else {
            const full = await run(c.tool, c.args, { cwd: work, env: c.env });
            equal(full.code, 0, `${c.tool}: ${full.stderr}`);
            for (const o of c.out) ok(existsSync(join(work, o)), `${c.tool} wrote ${o}`);
            ms = full.ms;
            sizes = c.out.map((o) => statSync(join(work, o)).size);
            for (const o of c.out) Deno.removeSync(join(work, o));
          }
          for (let trial = 0; trial < 2; trial++) {
            const sig = signals[k++ % signals.length]!;
            const delayMs = 150 + rng.uniform() * Math.max(50, ms - 150);
            const r = await run(c.tool, c.args, { cwd: work, env: c.env, signal: sig, delayMs });
            const what = `${c.tool} ${sig} after ${delayMs.toFixed(0)} ms (exit ${r.code})`;
            log.push(`${what} of ${ms.toFixed(0)} ms`);
            // 128 + signal number when the tool handled it; 137 when it was busy computing and its watchdog
            // thread cleaned up and ended it; 0 when the run was complete before the signal
            ok(r.code === 0 || r.code === codes[sig] || r.code === 137, `${what}: ${r.stderr}`);
            clean(what);
            if (r.code === 0) {
              c.out.forEach((o, i) =>
                equal(statSync(join(work, o)).size, sizes[i], `${what}: ${o} complete`)
              );
              for (const o of c.out) Deno.removeSync(join(work, o));
            } else {
              interrupted++;
              if (r.stderr.includes(": interrupted; no output written")) handled++;
              for (const o of c.out) ok(!existsSync(join(work, o)), `${what}: no ${o}`);
              ok(!/at .*\.ts:\d+/.test(r.stderr), `${what}: no stack trace`);
            }
          }
        }
        ok(interrupted >= 5, `only ${interrupted} of ${k} runs were interrupted mid-run: ${log.join("; ")}`);
        // and in some of them the tool's own handling (main thread or watchdog) did the cleaning
        ok(handled >= 3, `only ${handled} runs cleaned up after the signal: ${log.join("; ")}`);
      },
    );

    await t.step(
      "after SIGKILL the next run of the same output removes the dead run's temporary file",
      async () => {
        const killed = await run("process_otf_map", ["-O", "97001", "-o", "s.nc"], {
          cwd: work,
          env: seqEnv,
          signal: "SIGKILL",
          when: () => temps(work).some((n) => n.startsWith(".s.nc.")),
        });
        equal(killed.code, 137);
        equal(temps(work).length, 1, "the SIGKILLed run left its temporary file");
        const again = await run("process_otf_map", ["-O", "97001", "-o", "s.nc"], {
          cwd: work,
          env: { ...seqEnv, LMT_SIDECAR: "1" },
        });
        equal(again.code, 0, again.stderr);
        clean("the next run");
        const [a, b] = [await readSpecFile(join(work, "s.nc")), await readSpecFile(join(work, "ref.nc"))];
        ok(a.spectra.length === b.spectra.length && a.spectra.every((v, i) => Object.is(v, b.spectra[i])));
        // the SpecFile gets its provenance sidecar through the same door
        const side = JSON.parse(readFileSync(join(work, "s.nc.json"), "utf8"));
        equal(side.tool, "process_otf_map");
        deepEqual(side.outputs, ["s.nc"]);
        Deno.removeSync(join(work, "s.nc.json"));
        // the same for the scratch directory of '-o -'
        const k2 = await run("process_otf_map", ["-O", "97001", "-o", "-"], {
          cwd: work,
          env: seqEnv,
          signal: "SIGKILL",
          when: () => readdirSync(scratch).some((n) => n.startsWith("process_otf_map-")),
        });
        equal(k2.code, 137);
        equal(readdirSync(scratch).length, 1);
        const again2 = await run("process_otf_map", ["-O", "97001", "-o", "-"], { cwd: work, env: seqEnv });
        equal(again2.code, 0, again2.stderr);
        clean("the next '-o -' run");
        Deno.removeSync(join(work, "s.nc"));
      },
    );

    await t.step(
      "two spec_driver_fits writing the same outputs: one complete, valid set (10 trials)",
      async () => {
        const args = (
          ow: boolean,
        ) => [...grid, "-o", "c.fits", "-w", "c.wt.fits", ...(ow ? ["--overwrite"] : [])];
        for (let trial = 0; trial < 10; trial++) {
          const ow = trial % 2 === 0;
          if (!ow) {
            for (const f of ["c.fits", "c.wt.fits", "c.radiometer.rms.fits"]) {
              Deno.removeSync(join(work, f));
            }
          }
          const [a, b] = await Promise.all([
            run("spec_driver_fits", args(ow), { cwd: work, env: seqEnv }),
            run("spec_driver_fits", args(ow), { cwd: work, env: seqEnv }),
          ]);
          const what = `trial ${trial}${ow ? " --overwrite" : ""}: exits ${a.code} ${b.code}`;
          if (ow) equal(a.code + b.code, 0, `${what}: ${a.stderr}${b.stderr}`);
          else {
            ok(a.code === 0 || b.code === 0, `${what}: one run succeeds: ${a.stderr}${b.stderr}`);
            for (const r of [a, b]) {
              if (r.code !== 0) {
                match(
                  r.stderr,
                  /^spec_driver_fits: cannot write c\.fits: (busy: another run created it meanwhile|file exists)/m,
                );
              }
            }
          }
          clean(what);
          equal(fitsData(join(work, "c.fits")).length, cube0.length);
          ok(
            fitsData(join(work, "c.fits")).every((v, i) => Object.is(v, cube0[i])),
            `${what}: cube = reference`,
          );
          ok(
            fitsData(join(work, "c.wt.fits")).every((v, i) => v === wt0[i]),
            `${what}: weight map = reference`,
          );
        }
      },
    );

    await t.step("--overwrite with -w a directory: nothing is touched, the path is named", async () => {
      writeFileSync(join(work, "o.fits"), "OLD CUBE");
      writeFileSync(join(work, "o.radiometer.rms.fits"), "OLD RADIOMETER");
      mkdirSync(join(work, "wdir"));
      const r = await run("spec_driver_fits", [...grid, "-o", "o.fits", "-w", "wdir", "--overwrite"], {
        cwd: work,
        env: seqEnv,
      });
      equal(r.code, 1);
      equal(r.stderr, "spec_driver_fits: cannot write wdir: it is a directory\n");
      equal(readFileSync(join(work, "o.fits"), "utf8"), "OLD CUBE");
      equal(readFileSync(join(work, "o.radiometer.rms.fits"), "utf8"), "OLD RADIOMETER");
      clean("-w wdir");
      // without --overwrite an existing output is refused before any input is read
      const r2 = await run("spec_driver_fits", ["-i", "missing.nc", "-o", "o.fits", "-w", "x.wt.fits"], {
        cwd: work,
        env: seqEnv,
      });
      equal(r2.stderr, "spec_driver_fits: cannot write o.fits: file exists (use --overwrite)\n");
      // a side file the tool names itself (the radiometer map derived from -o) is replaced
      writeFileSync(join(work, "n.radiometer.rms.fits"), "OLD RADIOMETER");
      const r3 = await run("spec_driver_fits", [...grid, "-o", "n.fits", "-w", "n.wt.fits"], {
        cwd: work,
        env: seqEnv,
      });
      equal(r3.code, 0, r3.stderr);
      equal(readFits(join(work, "n.radiometer.rms.fits")).hdus[0]!.shape.length, 2);
      clean("derived side file");
    });

    await t.step("bad output and input paths: one line about the path the user gave", async () => {
      mkdirSync(join(work, "adir"));
      writeFileSync(join(work, "afile"), "");
      const cases: [string[], string][] = [
        [["-i", "missing.nc", "-o", "adir"], "cannot write adir: it is a directory"],
        [
          ["-i", "missing.nc", "-o", "adir/"],
          "cannot write adir/: names a directory (ends with /), not a file",
        ],
        [
          ["-i", "missing.nc", "-o", "nodir/x.fits"],
          "cannot write nodir/x.fits: directory nodir does not exist",
        ],
        [["-i", "missing.nc", "-o", "afile/x.fits"], "cannot write afile/x.fits: afile is not a directory"],
        [["-i", "adir", "-o", "x.fits"], "adir: is a directory, not a SpecFile"],
      ];
      const [p, ...rs] = await Promise.all([
        run("process_otf_map", ["-O", "97001", "-o", "adir"], { cwd: work, env: seqEnv }),
        ...cases.map(([args]) => run("spec_driver_fits", args, { cwd: work, env: seqEnv })),
      ]);
      cases.forEach(([args, msg], i) => {
        equal(rs[i]!.code, 1, args.join(" "));
        equal(rs[i]!.stderr, `spec_driver_fits: ${msg}\n`);
      });
      equal(p.stderr, "process_otf_map: cannot write adir: it is a directory\n");
      clean("bad paths");
    });

    await t.step({
      name: "full and read-only disks: the message names the output, not the temporary file",
      ignore: Deno.uid() !== 0,
      fn: async () => {
        const mnt = join(dir, "mnt");
        mkdirSync(mnt);
        const sh = (cmd: string[]) => new Deno.Command(cmd[0]!, { args: cmd.slice(1) }).outputSync().success;
        if (!sh(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt])) {
          console.error("NOTICE: cannot mount a tmpfs here; full/read-only disk checks skipped");
          return;
        }
        try {
          const out = join(mnt, "full.nc");
          const r = await run("process_otf_map", ["-O", "97001", "-o", out], { cwd: work, env: seqEnv });
          equal(r.code, 1);
          equal(r.stderr, `process_otf_map: cannot write ${out}: no space left on device\n`);
          equal(readdirSync(mnt).join(" "), "", "nothing left on the full disk");
          const s = await run("spec_driver_fits", [...grid, "-o", join(mnt, "c.fits")], {
            cwd: work,
            env: seqEnv,
          });
          equal(s.stderr, `spec_driver_fits: cannot write ${join(mnt, "c.fits")}: no space left on device\n`);
          ok(sh(["mount", "-o", "remount,ro", mnt]));
          const ro = await run("spec_driver_fits", [...grid, "-o", join(mnt, "c.fits")], {
            cwd: work,
            env: seqEnv,
          });
          equal(ro.stderr, `spec_driver_fits: cannot write ${join(mnt, "c.fits")}: read-only file system\n`);
        } finally {
          sh(["umount", mnt]);
        }
      },
    });
  } finally {
    cleanup();
  }
});
