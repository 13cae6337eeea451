/**
 * products_manifest — a byte-for-byte regression guard over the products of every tool (issue 12).
 *
 * Generates small deterministic raw data with the toolkit's own simulators (lib/sim: RSR Bs obsnums with
 * their Cal scans and corr_cal, one whose Cal scan is missing, a SEQ OTF map and Bs pair, a SEQ Ps pair),
 * runs every tool of cmd/_tools.ts in-process on it (cwd = a temporary work directory, relative paths) with
 * the option sets the pipelines and users run most, plus failing runs whose messages are products too,
 * normalises what legitimately varies from run to run (the date and time of the run in any product, the
 * tool version, the temporary directory and the checkout's path, the provenance sidecars' wall time) and
 * prints one line per product, `sha256  relative/path`, sorted by path; `input/...` lines are the generated
 * raw data.
 *
 *   npm run products                      # compare with tests/data/products.sha256; list what differs
 *   npm run products -- --update          # write tests/data/products.sha256 (say why in the commit)
 *   npm run products -- --keep /tmp/new   # also keep the normalised products there, to diff them with
 *                                         #   the same run of the previous commit (git worktree/archive)
 *   npm run products -- --diff OLD NEW    # how two kept trees differ: text line, PNG pixels, byte offset
 *   npm run products -- --print --timing  # print the manifest, the seconds of each step
 *
 * Not covered: SLpipeline.sh and the summary of a combination (the pipelines run these same tools),
 * lmt_web (a server), lmt_run beyond writing its plan, Makefile and job scripts.
 *
 * Exit 0 when the manifest matches, 1 when a product differs (or a tool failed), 2 on a bad command line.
 * Checked by tests/products_manifest_test.ts.
 * @module
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TOOLS } from "../cmd/_tools.ts";
import { withStdio } from "../lib/cli/mod.ts";
import { decodePngRgba } from "../lib/plot/png.ts";
import { VERSION } from "../lib/version.ts";
import { generateRsr } from "../lib/sim/rsr.ts";
import { generateSeq } from "../lib/sim/seq.ts";
import { generateSeqPs } from "../lib/sim/seq_ps.ts";

/** Repository root. */
const ROOT = resolve(new URL("..", import.meta.url).pathname);

/** Prefix of the generated raw data's lines in the manifest. */
export const INPUT = "input/";

/** The committed manifest. */
export const MANIFEST_PATH: string = join(ROOT, "tests", "data", "products.sha256");

/** One tool run: argv relative to the work directory; `stdout` names the file its stdout is saved to. */
interface Run {
  tool: string;
  argv: string[];
  stdout?: string;
  /** Environment entries that differ from the common one (as the pipelines give the summary page). */
  env?: Record<string, string>;
  /**
   * The run must fail: its exit code, stdout and stderr go to this file (the error message is a product
   * too), and any file it leaves behind shows up as a new product (no partial output).
   */
  fails?: string;
}

/** A step: a tool run, or a small file written between runs (as the pipelines do with grep/cat). */
type Step = Run | { write: string; from: (work: string) => string };

const RSR_O = "91001";
/**
 * The raw data read by h5wasm instead of the native HDF5 reader, from a copy of the data tree (../data_h5 from
 * the work directory): the tools cache what they read per path in the process (lib/rsr/raw.ts), so the same
 * path would give the native reader's scans again.
 */
const H5WASM = { LMT_HDF5: "h5wasm", DATA_LMT: "../data_h5" };

/** Baseline and line regions and the slice of the SEQ map (around its line at 49 km/s). */
const OTF_REGIONS = ["--b_regions", "[[-40,20],[80,140]]", "--l_region", "[[20,80]]", "--slice", "[-40,140]"];
/** The SEQ map's products are named as the pipeline names them (the summary page finds them so). */
const MAP = "seq/SIM-OTF_97001__0";

/**
 * The runs, in order; every product lands in the work directory: rsr/ (RSR obsnum, scripts/rsr.mk names),
 * seq/ (SEQ map, scripts/seq.mk names), seqx/ (other option sets on the map), bs/, ps/.
 */
export const STEPS: readonly Step[] = [
  // ---- RSR (scripts/rsr.mk order) ----
  { tool: "lmtinfo", argv: [RSR_O], stdout: `rsr/lmtoy_${RSR_O}.rc` },
  { tool: "lmtinfo", argv: ["--json", RSR_O], stdout: "rsr/lmtinfo.json" },
  { tool: "lmtinfo", argv: ["--make", RSR_O], stdout: "rsr/lmtinfo.mk" },
  {
    tool: "badlags",
    argv: ["-d", "-y", `rsr/badlags.${RSR_O}.png`, "--spike", "3", "-B", `rsr/rsr.${RSR_O}.badlags`, RSR_O],
    stdout: "rsr/rsr_badlags.log",
  },
  { tool: "badlags2", argv: [RSR_O, "0/1/17,93", "3/5"], stdout: "rsrx/badlags2.badlags" },
  {
    tool: "rsr_tsys",
    argv: [
      "-r",
      "25",
      "-b",
      `rsr/rsr.${RSR_O}.badlags`,
      "--table",
      `rsr/rsr.${RSR_O}.tsys.txt`,
      "-y",
      "rsr/rsr.tsys.png",
      RSR_O,
    ],
    stdout: "rsr/rsr_tsys1.log",
  },
  {
    tool: "rsr_tsys",
    argv: ["-b", `rsr/rsr.${RSR_O}.badlags`, "-t", "-y", "rsr/rsr.spectrum.png", RSR_O],
    stdout: "rsr/rsr_tsys2.log",
  },
  {
    write: `rsr/rsr.${RSR_O}.badcb`,
    from: (w) =>
      "# bad chassis/boards found by badlags and rsr_tsys\n" +
      [`rsr/rsr.${RSR_O}.badlags`, "rsr/rsr_tsys1.log"].flatMap((f) =>
        readFileSync(join(w, f), "utf8").split("\n").filter((l) => l.startsWith("#BADCB"))
      ).map((l) => l + "\n").join(""),
  },
  {
    tool: "rsr_badcb",
    argv: ["-r", "--template", RSR_O, `rsr/rsr.${RSR_O}.badcb`],
    stdout: `rsr/rsr.${RSR_O}.rfile`,
  },
  {
    tool: "rsr_badcb",
    argv: ["-b", "--template", RSR_O, `rsr/rsr.${RSR_O}.badcb`],
    stdout: `rsr/rsr.${RSR_O}.blanking`,
  },
  { tool: "rsr_badcb", argv: ["-b", "-o", RSR_O, "1/2,2/3"], stdout: "rsrx/badcb_o.blanking" },
  { write: "rsr/rsr.obsnum", from: () => `${RSR_O}\n` },
  {
    tool: "rsr_driver",
    argv: [
      "rsr/rsr.obsnum",
      "--date_obs",
      "2024-11-02",
      "--badlags",
      `rsr/rsr.${RSR_O}.badlags`,
      "--rfile",
      `rsr/rsr.${RSR_O}.rfile`,
      "--no-baseline-sub",
      "-o",
      `rsr/nbs.rsr.${RSR_O}.driver.sum.txt`,
      "-w",
      "rsr/rsr.wf_nbs.png",
    ],
    stdout: "rsr/rsr_driver_nbs.log",
  },
  {
    tool: "rsr_driver",
    argv: [
      "rsr/rsr.obsnum",
      "--date_obs",
      "2024-11-02",
      "--badlags",
      `rsr/rsr.${RSR_O}.badlags`,
      "--rfile",
      `rsr/rsr.${RSR_O}.rfile`,
      "-o",
      `rsr/rsr.${RSR_O}.driver.sum.txt`,
      "-w",
      "rsr/rsr.wf.png",
      "-p",
      "-b",
      "1",
      "-r",
      "0.01",
      "-t",
      "0.01",
      "--sdfits",
      `rsr/rsr.${RSR_O}.sdfits`,
      "--waterfall-data",
      "rsr/rsr.wf.json",
    ],
    stdout: "rsr/rsr_driver.log",
  },
  {
    tool: "rsr_sum",
    argv: [
      "-b",
      `rsr/rsr.${RSR_O}.blanking`,
      "--badlags",
      `rsr/rsr.${RSR_O}.badlags`,
      "--o1",
      "1",
      "-t",
      "0.01",
    ],
    stdout: "rsr/rsr_sum.log",
  },
  { tool: "summary", argv: ["rsr", "rsr", RSR_O], env: { LMT_SIDECAR: "" } },
  // other RSR option sets: obsnum on the command line, filter, smoothing, exclusion, chassis, jackknife, merge
  {
    tool: "rsr_driver",
    argv: [
      RSR_O,
      "-B",
      `rsr/rsr.${RSR_O}.badlags`,
      "-R",
      `rsr/rsr.${RSR_O}.rfile`,
      "-o",
      "rsrx/sg.txt",
      "-f",
      "31",
      "-s",
      "3",
      "--exclude",
      "94.3",
      "0.5",
      "-c",
      "0",
      "1",
      "2",
    ],
  },
  {
    tool: "rsr_driver",
    argv: [
      RSR_O,
      "-B",
      `rsr/rsr.${RSR_O}.badlags`,
      "-o",
      "rsrx/jk.txt",
      "-j",
      "--seed",
      "3",
      "--merge",
      "sinc",
      "--nan-uncovered",
      "-n",
      "3",
      "--simulate",
      "0.05",
      "100.5",
      "300",
    ],
  },
  {
    tool: "rsr_sum",
    argv: [
      "-b",
      `rsr/rsr.${RSR_O}.blanking`,
      "-o",
      "rsrx/sum_o2.txt",
      "--o1",
      "0",
      "--o2",
      "1",
      "-r",
      "0.02",
    ],
  },
  { tool: "rsr_driver", argv: [RSR_O, "-o", "rsrx/h5wasm.txt"], env: H5WASM },
  { tool: "rsr_driver", argv: [RSR_O, "-o", "rsrx/native.txt"] },
  // a combination of two obsnums (rsr_driver, rsr_sum), as the pipeline makes it from the singles
  { write: "rsrx/combo.obsnum", from: () => `${RSR_O}\n91003\n` },
  { tool: "rsr_badcb", argv: ["-b", "-o", "91003", "2/3"], stdout: "rsrx/rsr.91003.blanking" },
  {
    write: "rsrx/combo.blanking",
    from: (w) =>
      [`rsr/rsr.${RSR_O}.blanking`, "rsrx/rsr.91003.blanking"].map((f) => readFileSync(join(w, f), "utf8"))
        .join(""),
  },
  {
    tool: "rsr_driver",
    argv: [
      "rsrx/combo.obsnum",
      "-B",
      `rsr/rsr.${RSR_O}.badlags`,
      "-o",
      "rsrx/combo.txt",
      "-t",
      "0.01",
      "-b",
      "1",
    ],
  },
  { tool: "rsr_sum", argv: ["-b", "rsrx/combo.blanking", "-o", "rsrx/combo.sum.txt", "-t", "0.01"] },
  { tool: "lmtinfo", argv: ["91005"], stdout: "rsrx/lmtinfo_91005_no_cal.rc" },
  // ---- SEQ OTF map 97001 (scripts/seq.mk names) ----
  { tool: "lmtinfo", argv: ["97001"], stdout: "seq/lmtoy_97001.rc" },
  {
    tool: "process_otf_map",
    argv: [
      "-O",
      "97001",
      "-o",
      `${MAP}.nc`,
      "--pix_list",
      "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
      "--bank",
      "0",
      "--stype",
      "2",
      "--use_cal",
      "--map_coord",
      "-1",
      "--x_axis",
      "VLSR",
      "--b_order",
      "1",
      "--b_regions",
      "[[-40,20],[80,140]]",
      "--l_region",
      "[[20,80]]",
      "--slice",
      "[-40,140]",
      "--eliminate_list",
      "30,31",
    ],
  },
  {
    tool: "grid_data",
    argv: [
      "-i",
      `${MAP}.nc`,
      "-o",
      `${MAP}.fits`,
      "-w",
      `${MAP}.wt.fits`,
      "--resolution",
      "12.5",
      "--cell",
      "6.25",
      "--x_extent",
      "100",
      "--y_extent",
      "100",
      "--rms_cut",
      "-4",
      "--otf_select",
      "1",
      "--n_samples",
      "256",
      "--noise_sigma",
      "1",
    ],
  },
  { tool: "make_spec_fits", argv: ["-i", `${MAP}.nc`, "-o", `${MAP}.wf.fits`, "--png", `${MAP}.wf.png`] },
  { tool: "sdfits", argv: ["-i", `${MAP}.nc`, "-o", `${MAP}.sdfits`] },
  { tool: "seq_moments", argv: ["-i", `${MAP}.fits`, "-o", MAP] },
  {
    tool: "seq_viewspec",
    argv: [
      "-i",
      `${MAP}.fits`,
      "--location",
      "-25,15",
      "-o",
      `${MAP}.viewspec.txt`,
      "--png",
      `${MAP}.viewspec.png`,
    ],
  },
  { tool: "summary", argv: ["seq", "seq", "97001"], env: { LMT_SIDECAR: "" } },
  // the raw data read by h5wasm instead of the native HDF5 reader (LMT_HDF5=h5wasm): the same numbers
  {
    tool: "process_otf_map",
    argv: ["-O", "97001", "-o", "seqx/h5wasm.nc", "--use_cal", "--b_order", "1", ...OTF_REGIONS],
    env: H5WASM,
  },
  {
    tool: "process_otf_map",
    argv: ["-O", "97001", "-o", "seqx/native.nc", "--use_cal", "--b_order", "1", ...OTF_REGIONS],
  },
  // other option sets on the map: the CDF-2 stream on stdout, the C gridder's front end, threads, binning
  {
    tool: "process_otf_map",
    argv: [
      "-O",
      "97001",
      "-o",
      "-",
      "--pix_list",
      "3,7,11",
      "--stype",
      "1",
      "--b_order",
      "-1",
      "--x_axis",
      "FSKY",
    ],
    stdout: "seqx/stream.nc",
  },
  {
    tool: "spec_driver_fits",
    argv: [
      "-i",
      `${MAP}.nc`,
      "-o",
      "seqx/cube.fits",
      "-w",
      "seqx/cube.wt.fits",
      "-l",
      "13",
      "-c",
      "6.5",
      "-z",
      "10",
      "-s",
      "2",
      "-x",
      "80",
      "-y",
      "80",
      "-e",
      "0",
      "-f",
      "2",
      "--ztype",
      "1",
    ],
  },
  {
    // the same map on 2 threads: the same numbers as one thread (the FITS differ only by the HISTORY card)
    tool: "grid_data",
    argv: [
      "-i",
      `${MAP}.nc`,
      "-o",
      "seqx/grid_w2.fits",
      "-w",
      "seqx/grid_w2.wt.fits",
      "--resolution",
      "12.5",
      "--cell",
      "6.25",
      "--x_extent",
      "100",
      "--y_extent",
      "100",
      "--rms_cut",
      "-4",
      "--workers",
      "2",
    ],
  },
  {
    tool: "make_spec_fits",
    argv: ["-i", `${MAP}.nc`, "-o", "seqx/wf10.fits", "--binning", "10,2", "--pix_list", "3,7"],
  },
  { tool: "seq_viewspec", argv: ["-i", `${MAP}.fits`], stdout: "seqx/viewspec_centre.txt" },
  // ---- SEQ Bs 97003 (the pipeline's two calls, then FSKY) ----
  {
    tool: "process_bs",
    argv: [
      "--obs_list",
      "97003",
      "--pix_list",
      "10,8",
      "--use_cal",
      "--block",
      "-2",
      "--stype",
      "2",
      "-y",
      "bs/bs-2.png",
    ],
  },
  {
    tool: "process_bs",
    argv: [
      "--obs_list",
      "97003",
      "--pix_list",
      "10,8",
      "--use_cal",
      "--block",
      "-1",
      "--stype",
      "2",
      "--bank",
      "0",
      "-o",
      "bs/SIM-BS_97003__0.txt",
      "-y",
      "bs/bs-1__0.png",
      "--sdfits",
      "bs/SIM-BS_97003__0.sdfits",
      "--waterfall",
      "bs/SIM-BS_97003__0_wf.fits",
      "--waterfall_png",
      "bs/SIM-BS_97003__0_wf.png",
    ],
  },
  {
    tool: "process_bs",
    argv: ["--obs_list", "97003", "--stype", "1", "--x_axis", "VSKY", "-o", "-", "-y", "none"],
    stdout: "bs/stype1_vsky.txt",
  },
  // ---- SEQ Ps 97061 ----
  {
    tool: "process_ps",
    argv: [
      "--obs_list",
      "97061",
      "--pix_list",
      "10,11",
      "--use_cal",
      "--stype",
      "2",
      "--bank",
      "0",
      "--slice",
      "[-40,40]",
      "-o",
      "ps/SIM-PS_97061__0.txt",
      "-y",
      "ps/ps__0.png",
      "--sdfits",
      "ps/SIM-PS_97061__0.sdfits",
      "--waterfall",
      "ps/SIM-PS_97061__0_wf.fits",
      "--waterfall_png",
      "ps/SIM-PS_97061__0_wf.png",
    ],
  },
  {
    tool: "process_ps",
    argv: ["--obs_list", "97061", "--pix_list", "10", "-o", "-", "-y", "none"],
    stdout: "ps/no_cal.txt",
  },
  // ---- lmt_run: a run file's plan, Makefile and job scripts (nothing runs) ----
  {
    write: "run/project.run",
    from: () =>
      "# a project's run file\nobsnum=91001 badcb=3/2\nobsnum=91003\nseq obsnum=97001 dv=60 dw=150\n" +
      "SLpipeline.sh obsnum=97003 admit=0\nobsnums=91001,91003 xlines=94.3,0.3\n",
  },
  {
    tool: "lmt_run",
    argv: ["-n", "-w", "run/work", "-r", "run/dry", "run/project.run"],
    stdout: "run/plan.txt",
  },
  {
    tool: "lmt_run",
    argv: ["--makefile", "run/Makefile", "-w", "run/work", "-r", "run/rundir", "run/project.run"],
  },
  // ---- errors: exit code and the one-line message; outputs aimed at errors/ must not appear ----
  // RSR calibration inputs missing: the Cal scan (91005's CalObsNum 91004), the corr_cal files
  { tool: "rsr_driver", argv: ["91005", "-o", "errors/none.txt"], fails: "errors/rsr_driver_no_cal.txt" },
  { tool: "rsr_tsys", argv: ["-y", "errors/none.png", "91005"], fails: "errors/rsr_tsys_no_cal.txt" },
  { write: "errors/rsr.91005.blanking", from: () => "91005 0 {0: [(70,120)]}\n" },
  { tool: "rsr_sum", argv: ["-b", "errors/rsr.91005.blanking"], fails: "errors/rsr_sum_no_cal.txt" },
  {
    tool: "rsr_driver",
    argv: [RSR_O, "-o", "errors/none.txt"],
    env: { CORR_CAL_DIR: "errors" },
    fails: "errors/rsr_driver_no_corr_cal.txt",
  },
  {
    tool: "rsr_tsys",
    argv: ["--corr_cal_dir", "errors", "-y", "errors/none.png", RSR_O],
    fails: "errors/rsr_tsys_no_corr_cal.txt",
  },
  { tool: "badlags", argv: ["--bc_hi", "x", RSR_O], fails: "errors/badlags_usage.txt" },
  { tool: "badlags", argv: ["-B", "errors/none.badlags", "99999"], fails: "errors/badlags_no_obsnum.txt" },
  { tool: "rsr_tsys", argv: ["-y", "errors/none.png", "99999"], fails: "errors/rsr_tsys_no_obsnum.txt" },
  {
    tool: "rsr_driver",
    argv: ["99999", "-o", "errors/none.txt", "-w", "errors/none.png"],
    fails: "errors/rsr_driver_no_obsnum.txt",
  },
  {
    tool: "rsr_driver",
    argv: [RSR_O, "-B", "errors/missing.badlags"],
    fails: "errors/rsr_driver_no_badlags.txt",
  },
  { tool: "rsr_driver", argv: [RSR_O, "--thresold", "0.01"], fails: "errors/rsr_driver_misspelled.txt" },
  {
    tool: "rsr_sum",
    argv: ["-b", "rsr/rsr.91001.badlags", "-o", "errors/none.txt"],
    fails: "errors/rsr_sum_bad_blanking.txt",
  },
  { tool: "rsr_badcb", argv: [`rsr/rsr.${RSR_O}.badcb`], fails: "errors/rsr_badcb_no_mode.txt" },
  { tool: "badlags2", argv: [RSR_O, "7/1"], fails: "errors/badlags2_bad_chassis.txt" },
  { tool: "lmtinfo", argv: ["12345"], fails: "errors/lmtinfo_no_obsnum.txt" },
  {
    tool: "process_otf_map",
    argv: ["-O", "99999", "-o", "errors/none.nc"],
    fails: "errors/process_otf_map_no_obsnum.txt",
  },
  {
    tool: "process_otf_map",
    argv: ["-O", "97001", "-o", "errors/none.nc", "--bank", "1"],
    fails: "errors/process_otf_map_bank.txt",
  },
  {
    tool: "process_bs",
    argv: ["--obs_list", "97003", "--stype", "3", "-o", "errors/none.txt", "-y", "errors/none.png"],
    fails: "errors/process_bs_stype3.txt",
  },
  { tool: "process_ps", argv: ["--obs_list", "97061"], fails: "errors/process_ps_no_pix_list.txt" },
  {
    tool: "spec_driver_fits",
    argv: ["-i", "rsr/rsr.91001.badlags", "-o", "errors/none.fits", "-w", "errors/none.wt.fits"],
    fails: "errors/spec_driver_fits_not_netcdf.txt",
  },
  {
    tool: "spec_driver_fits",
    argv: ["-i", `${MAP}.nc`, "-o", `${MAP}.fits`],
    fails: "errors/spec_driver_fits_exists.txt",
  },
  {
    tool: "grid_data",
    argv: ["-i", `${MAP}.nc`, "-o", "errors/none.fits"],
    fails: "errors/grid_data_no_weight.txt",
  },
  {
    tool: "make_spec_fits",
    argv: ["-i", "errors/missing.nc", "-o", "errors/none.fits"],
    fails: "errors/make_spec_fits_missing.txt",
  },
  {
    tool: "sdfits",
    argv: ["-i", `${MAP}.fits`, "-o", "errors/none.sdfits"],
    fails: "errors/sdfits_not_specfile.txt",
  },
  {
    tool: "seq_moments",
    argv: ["-i", `${MAP}.nc`, "-o", "errors/none"],
    fails: "errors/seq_moments_not_fits.txt",
  },
  {
    tool: "seq_viewspec",
    argv: ["-i", `${MAP}.fits`, "--location", "900,0"],
    fails: "errors/seq_viewspec_outside.txt",
  },
];

/** Write the raw data (small: the whole run takes seconds) into `root`. */
export async function generateData(root: string): Promise<void> {
  await generateRsr(root, {
    obsnum: Number(RSR_O),
    seed: 17,
    nRepeats: 2,
    lines: [{ freqGhz: 94.3, peakK: 0.06, fwhmKms: 320 }],
    badLags: [{ chassis: 1, board: 0, lag: 101, amp: 15 }],
    badBoards: [{ chassis: 3, board: 2, factor: 12 }],
    tsysJitter: [{ chassis: 0, board: 5, frac: 0.25 }],
  });
  // a second obsnum for the combination, and a third whose Cal scan (91004) is missing
  for (
    const [obsnum, seed, date] of [[91003, 19, "2024-11-02T05:45:00"], [
      91005,
      21,
      "2024-11-02T06:00:00",
    ]] as const
  ) {
    await generateRsr(root, {
      obsnum,
      seed,
      date,
      nRepeats: 1,
      lines: [{ freqGhz: 94.3, peakK: 0.06, fwhmKms: 320 }],
      writeCorrCal: false,
    });
  }
  for (let c = 0; c < 4; c++) {
    const d = join(root, `RedshiftChassis${c}`);
    for (const f of readdirSync(d)) if (f.includes("_091004_")) Deno.removeSync(join(d, f));
  }
  await generateSeq(root, {
    obsnum0: 97000,
    seed: 99,
    nchan: 256,
    bandwidthMHz: 200,
    map: { nRows: 3, src: { peakK: 6 } },
    bs: { nCycles: 2 },
  });
  await generateSeqPs(root, { obsnum0: 97060, seed: 7, nchan: 256, bandwidthMHz: 200 });
}

/** Run one tool in-process in `work`: its exit code, stdout and stderr. */
async function runIn(
  work: string,
  env: Record<string, string>,
  r: Run,
): Promise<{ code: number; out: Uint8Array; err: Uint8Array }> {
  const load = TOOLS[r.tool];
  if (load === undefined) throw new Error(`products_manifest: no tool ${r.tool}`);
  const { tool } = await load();
  const out: Uint8Array[] = [], err: Uint8Array[] = [];
  const prev = Deno.cwd();
  Deno.chdir(work);
  let code: number;
  try {
    code = await withStdio(
      { stdout: (b) => out.push(b.slice()), stderr: (b) => err.push(b.slice()) },
      () => tool.main(r.argv, { ...env, ...r.env }),
    );
  } finally {
    Deno.chdir(prev);
  }
  return { code, out: concat(out), err: concat(err) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const o = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    o.set(p, k);
    k += p.length;
  }
  return o;
}

/** Every file below `dir`, relative names, sorted. */
function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/** What varies legitimately between two runs of the same code: the moment of the run, paths, the version. */
export interface Variable {
  /** Start and end of the run (ms since the epoch). */
  t0: number;
  t1: number;
  /** Absolute paths that may appear in products and the words they become (temp directory, checkout). */
  paths: { path: string; as: string }[];
}

// an ISO-like date and time as the tools write them (T or space, optional fraction)
const DATETIME = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?/g;

/** A same-length mask for a matched string: digits become 'X' (byte offsets in binary files stay). */
const mask = (s: string) => s.replace(/\d/g, "X");

/**
 * The product's bytes with what legitimately varies replaced, byte for byte and keeping the length (so the
 * layout of binary files is untouched): any date-time within a day of the run (UTC or local, in text,
 * FITS cards, netCDF/HDF5 attributes: a data date of 2024/2025 is never near the run), the absolute temporary
 * paths, the version string; in provenance sidecars (`*.json` beside an output) also the wall time.
 */
export function normalise(rel: string, bytes: Uint8Array, v: Variable): Uint8Array {
  // latin1: one char per byte, so replacements keep every offset
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const day = 86400e3;
  s = s.replace(DATETIME, (m, y, mo, d, h, mi, se) => {
    const asUtc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
    const asLocal = new Date(+y, +mo - 1, +d, +h, +mi, +se).getTime();
    const near = (t: number) => t >= v.t0 - day && t <= v.t1 + day;
    return near(asUtc) || near(asLocal) ? mask(m) : m;
  });
  // text: the path becomes its word (<TMP>, <ROOT>: any length of $TMPDIR); binary (a NUL byte): a same-length
  // mask; longest first (the temporary directory may lie inside the checkout)
  const binary = s.includes("\0");
  for (const p of [...v.paths].sort((a, b) => b.path.length - a.path.length)) {
    s = s.split(p.path).join(binary ? "<" + "#".repeat(Math.max(0, p.path.length - 2)) + ">" : p.as);
  }
  if (VERSION.length > 0) s = s.split(VERSION).join(binary ? "V".repeat(VERSION.length) : "<VERSION>");
  if (rel.endsWith(".json") && s.includes('"wall_time_s"')) {
    s = s.replace(/("wall_time_s": *)[0-9.e+-]+/g, "$10");
  }
  const o = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) o[i] = s.charCodeAt(i);
  return o;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Generate the data, run every step, and return the manifest lines (`sha256  path`, sorted). With `keep`,
 * the normalised products are also written below that directory.
 */
export async function productsManifest(
  opts: { keep?: string; timing?: (what: string, ms: number) => void } = {},
): Promise<string[]> {
  const dir = Deno.makeTempDirSync({ prefix: "lmt-products-" });
  try {
    const data = join(dir, "data_lmt"), work = join(dir, "work"), tmp = join(dir, "tmp");
    for (const d of ["rsr", "rsrx", "seq", "seqx", "bs", "ps", "run", "errors"]) {
      mkdirSync(join(work, d), { recursive: true });
    }
    mkdirSync(tmp);
    const t0 = Date.now();
    await generateData(data);
    cpSync(data, join(dir, "data_h5"), { recursive: true });
    opts.timing?.("generate data", Date.now() - t0);
    const env: Record<string, string> = { DATA_LMT: data, TMPDIR: tmp, LMT_SIDECAR: "1", HOME: dir };
    for (const s of STEPS) {
      if ("write" in s) {
        writeFileSync(join(work, s.write), s.from(work));
        continue;
      }
      const t = performance.now();
      const { code, out, err } = await runIn(work, env, s);
      opts.timing?.(`${s.tool} ${s.argv.join(" ")}`, performance.now() - t);
      const what = `products_manifest: ${s.tool} ${s.argv.join(" ")}`;
      if (s.fails !== undefined) {
        if (code === 0) throw new Error(`${what}: succeeded, but it is listed as a failing run`);
        const dec = new TextDecoder();
        writeFileSync(
          join(work, s.fails),
          `exit ${code}\n--- stdout\n${dec.decode(out)}--- stderr\n${dec.decode(err)}`,
        );
        continue;
      }
      if (code !== 0) throw new Error(`${what} exited ${code}: ${new TextDecoder().decode(err)}`);
      if (s.stdout !== undefined) writeFileSync(join(work, s.stdout), out);
    }
    const v: Variable = {
      t0,
      t1: Date.now(),
      paths: [
        { path: Deno.realPathSync(dir), as: "<TMP>" },
        { path: dir, as: "<TMP>" },
        { path: Deno.realPathSync(ROOT), as: "<ROOT>" },
        { path: ROOT, as: "<ROOT>" },
      ],
    };
    const lines: string[] = [];
    // the generated raw data too (not normalised: written from fixed dates): when they change (lib/sim, the
    // netCDF writers), every product may
    for (const rel of listFiles(data)) {
      lines.push(`${await sha256(readFileSync(join(data, rel)))}  ${INPUT}${rel}`);
    }
    for (const rel of listFiles(work)) {
      const norm = normalise(rel, readFileSync(join(work, rel)), v);
      lines.push(`${await sha256(norm)}  ${rel}`);
      if (opts.keep !== undefined) {
        mkdirSync(dirname(join(opts.keep, rel)), { recursive: true });
        writeFileSync(join(opts.keep, rel), norm);
      }
    }
    return lines;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The differences between a manifest and the expected one, one line each (empty when they agree). */
export function compareManifest(actual: readonly string[], expected: readonly string[]): string[] {
  const parse = (ls: readonly string[]) =>
    new Map(
      ls.filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l) => {
        const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
        if (m === null) throw new Error(`products manifest: bad line '${l}'`);
        return [m[2]!, m[1]!] as const;
      }),
    );
  const a = parse(actual), e = parse(expected);
  const diffs: string[] = [];
  for (const [p, h] of e) {
    if (!a.has(p)) diffs.push(`missing  ${p}`);
    else if (a.get(p) !== h) diffs.push(`changed  ${p}`);
  }
  for (const p of a.keys()) if (!e.has(p)) diffs.push(`new      ${p}`);
  return diffs.sort((x, y) => x.slice(9).localeCompare(y.slice(9)));
}

/** A hint for a list of differences: whether the generated inputs changed too (then every product may). */
export function diffHint(diffs: readonly string[]): string {
  const inputs = diffs.some((d) => !d.startsWith("new") && d.slice(9).startsWith(INPUT));
  return (inputs
    ? "the generated raw data (input/...: lib/sim or the netCDF writers) changed, so the products may all change; "
    : "") + UPDATE_HINT;
}

/**
 * How two kept product trees (`--keep` at two commits) differ, one line per differing file: a text file's
 * first differing line, a PNG's share of differing RGBA values and the largest difference (pixels, not
 * encoding), else the first differing byte offset; files only on one side are named.
 */
export function describeDiffs(a: string, b: string): string[] {
  const fa = new Set(listFiles(a)), fb = new Set(listFiles(b));
  const out: string[] = [];
  for (const f of [...new Set([...fa, ...fb])].sort()) {
    if (!fb.has(f)) {
      out.push(`${f}: only in ${a}`);
      continue;
    }
    if (!fa.has(f)) {
      out.push(`${f}: only in ${b}`);
      continue;
    }
    const x = readFileSync(join(a, f)), y = readFileSync(join(b, f));
    if (x.length === y.length && x.every((v, i) => v === y[i])) continue;
    if (f.endsWith(".png")) {
      const p = decodePngRgba(x), q = decodePngRgba(y);
      if (p.width !== q.width || p.height !== q.height) {
        out.push(`${f}: ${p.width}x${p.height} -> ${q.width}x${q.height}`);
        continue;
      }
      let n = 0, worst = 0;
      for (let i = 0; i < p.rgba.length; i++) {
        const d = Math.abs(p.rgba[i]! - q.rgba[i]!);
        if (d > 0) n++;
        worst = Math.max(worst, d);
      }
      out.push(
        n === 0
          ? `${f}: same pixels, other encoding (${x.length} -> ${y.length} bytes)`
          : `${f}: ${n} of ${p.rgba.length} RGBA values differ (${
            (100 * n / p.rgba.length).toFixed(3)
          } %), ` +
            `max ${worst}/255`,
      );
    } else if (!x.includes(0) && !y.includes(0)) {
      const la = new TextDecoder().decode(x).split("\n"), lb = new TextDecoder().decode(y).split("\n");
      let i = 0;
      while (i < la.length && la[i] === lb[i]) i++;
      out.push(`${f}:${i + 1}: '${(la[i] ?? "").slice(0, 80)}' -> '${(lb[i] ?? "").slice(0, 80)}'`);
    } else {
      let i = 0;
      while (i < x.length && x[i] === y[i]) i++;
      out.push(`${f}: bytes differ from offset ${i} (${x.length} -> ${y.length} bytes)`);
    }
  }
  return out;
}

/** The committed manifest's lines (empty when there is none yet). */
export function readManifest(path = MANIFEST_PATH): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l !== "") : [];
}

/** How to accept an intended change. */
export const UPDATE_HINT =
  "if the change is intended, run `npm run products -- --update` and say why in the commit " +
  "(to see how: `npm run products -- --keep DIR` here and at the previous commit, then `-- --diff OLD NEW`)";

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (f: string) => {
    const i = args.indexOf(f);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const update = flag("--update"), print = flag("--print"), timing = flag("--timing");
  const di = args.indexOf("--diff");
  if (di >= 0) {
    const [a, b] = [args[di + 1], args[di + 2]];
    if (a === undefined || b === undefined || args.length !== 3) {
      console.error("usage: products_manifest --diff KEPT_DIR_A KEPT_DIR_B");
      Deno.exit(2);
    }
    const d = describeDiffs(a, b);
    for (const l of d) console.log(l);
    Deno.exit(d.length === 0 ? 0 : 1);
  }
  let keep: string | undefined;
  const k = args.indexOf("--keep");
  if (k >= 0) {
    keep = args[k + 1];
    args.splice(k, 2);
  }
  if (args.length > 0 || (k >= 0 && keep === undefined)) {
    console.error(
      "usage: products_manifest [--update] [--print] [--timing] [--keep DIR] | --diff DIR_A DIR_B",
    );
    Deno.exit(2);
  }
  let lines: string[];
  try {
    lines = await productsManifest({
      ...(keep !== undefined ? { keep: resolve(keep) } : {}),
      ...(timing
        ? { timing: (w: string, ms: number) => console.error(`${(ms / 1000).toFixed(2)} s  ${w}`) }
        : {}),
    });
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
  if (print) console.log(lines.join("\n"));
  if (update) {
    mkdirSync(dirname(MANIFEST_PATH), { recursive: true });
    writeFileSync(
      MANIFEST_PATH,
      "# sha256 of every tool's products (scripts/products_manifest.ts); regenerate: npm run products -- --update\n" +
        lines.join("\n") + "\n",
    );
    console.error(`products_manifest: ${lines.length} products written to ${MANIFEST_PATH}`);
    Deno.exit(0);
  }
  const diffs = compareManifest(lines, readManifest());
  if (diffs.length === 0) {
    console.error(`products_manifest: ${lines.length} products identical to ${MANIFEST_PATH}`);
    Deno.exit(0);
  }
  console.error(`products_manifest: ${diffs.length} product(s) differ from ${MANIFEST_PATH}:`);
  for (const d of diffs) console.error(`  ${d}`);
  console.error(diffHint(diffs));
  Deno.exit(1);
}
