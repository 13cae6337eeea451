/**
 * The rsr_driver reduction as one library call (rsr.md §7.3): per (obsnum, chassis) calibrated Bs
 * repeats → windows/exclude → simulate → default and rfile blanking → baseline → repeat average →
 * SG; then jackknife, coadd, SG, notch, smoothing, band merge and compsigma.
 *
 * @module
 */
import { pairwiseSum } from "../num/npstats.ts";
import {
  NBOARD,
  NLAG,
  readRsrScan,
  RsrDataError,
  type RsrHeader,
  type RsrScan,
  SAMPLES_PER_SECOND,
} from "./raw.ts";
import {
  type BadLagChoice,
  boardBadLags,
  calibratedProduct,
  type CalibratedScan,
  calibrateScan,
  type CalibrationCache,
  calSource,
  chassisFilesOf,
  meanTsys,
} from "./calibrated.ts";
import { RSR_CHASSIS } from "../lmt/rsr_files.ts";
import { BLANK, blankFrequencies, boardRange, type RsrProduct, type Windows } from "./product.ts";
import { baseline, type WindowState } from "./baseline.ts";
import { averageRepeats, averageScans } from "./average.ts";
import { boardIntervals, type Composite, mergeBands, type MergeOptions } from "./merge.ts";
import { excludeWindows, startWindows } from "./windows.ts";
import {
  boxcarSmooth,
  jackknife,
  notchFilter,
  sgFilter,
  simulatedWidth,
  simulateLine,
  uniformSource,
} from "./filters.ts";
import { C_KMS } from "../num/constants.ts";

/** Whole boards to remove: for (obsnum, chassis) the list of boards (rfile rule applied by the caller). */
export type BoardRemover = (obsnum: number, chassis: number) => number[];

/** Options of {@link runDriver} (rsr_driver §7.1 semantics). */
export interface DriverOptions extends BadLagChoice {
  obsnums: number[];
  /** Chassis to process (sorted unique), default 0..3. */
  chassis?: number[];
  /** $DATA_LMT root. */
  dataLmt: string;
  /** corr_cal directory (default `<dataLmt>/rsr/cal`). */
  corrCalDir?: string;
  /** Band merge options (mode, NaN for uncovered channels); default = the original. */
  merge?: MergeOptions;
  /** Whole-board removal (rfile). */
  removeBoards?: BoardRemover;
  /** `--exclude` flat list f1 w1 f2 w2 ... */
  exclude?: number[] | null;
  /** `--simulate A F W`. */
  simulate?: [number, number, number] | null;
  /** Default blanking of board 3 95.5–97.0 GHz on chassis 2,3 (default true). */
  defaultBlanking?: boolean;
  /** Baseline order 0..3 (default 1). */
  order?: number;
  /** Subtract the first baseline (default true; false = --no-baseline-sub). */
  subtract?: boolean;
  /** Repeat threshold (K), undefined/0 = off. */
  repeatThreshold?: number;
  /** Coadd threshold (K), undefined/0 = off. */
  coaddThreshold?: number;
  /** SG window (odd), 0/undefined = off. */
  sgf?: number;
  /** Notch sigma, 0/undefined = off. */
  notch?: number;
  /** Boxcar channels, 0/undefined = off. */
  smooth?: number;
  /** Jackknife with optional seed. */
  jackknife?: { seed?: number } | null;
  /** Progress / warning messages. */
  log?: (msg: string) => void;
  /** Shared caches (corr_cal, Cal results) to reuse across calls. */
  cache?: CalibrationCache;
}

/** One processed (obsnum, chassis): its repeats after the first baseline, and the repeat average. */
export interface ProductRecord {
  obsnum: number;
  chassis: number;
  /** Repeats after blanking and the first baseline (for waterfalls). */
  repeats: RsrProduct;
  /** Repeat average (after the first SG pass). */
  average: RsrProduct;
  /** What an SDFITS export needs besides the spectra (lib/rsr/sdfits.ts). */
  meta?: ProductMeta;
}

/** Per-product facts for exports: the Cal Tsys per board, the integration time, the scan header. */
export interface ProductMeta {
  /** Mean of the finite channels of each board's Tsys spectrum (K, NaN when none). */
  tsys: number[];
  /** Integration time of the chassis file (s), {@link chassisIntegrationTime}. */
  integrationTime: number;
  header: RsrHeader;
}

/** Everything the driver writes. */
export interface DriverResult {
  sourceName: string;
  /** Radians. */
  ra: number;
  dec: number;
  products: ProductRecord[];
  /** The final coadded board spectra (1 repeat) with final σ per board. */
  coadd: RsrProduct;
  composite: Composite;
  /** Final σ per board (K). */
  boardSigma: number[];
  boardIntervals: ([number, number] | null)[];
  /** `OBSNUM_CHASSIS` per product. */
  inputObservations: string[];
  integrationTime: number;
  opacity: number;
  /** SG info when the filter was used. */
  sgf?: { window: number; freqCut: number; velCut: number };
  simulate?: { amplitude: number; frequency: number; widthGHz: number };
  /** Messages emitted (also passed to options.log). */
  messages: string[];
}

/** numpy.round(x, 2) (round half to even on x·100). */
function round2(x: number): number {
  const y = x * 100;
  let r = Math.round(y);
  if (Math.abs(y % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r / 100;
}

/** Default blanking of the original driver (board 3, 95.5–97.0 GHz, chassis 2 and 3). */
export const DEFAULT_BLANKING = { board: 3, f1: 95.5, f2: 97.0, chassis: [2, 3] } as const;

/** Integration time of one chassis file: Σ_records mean_boards(AccSamples/48124) (numpy summation order). */
export function chassisIntegrationTime(scan: RsrScan): number {
  const perRec = new Float64Array(scan.nrec);
  const v = new Float64Array(NBOARD);
  for (let r = 0; r < scan.nrec; r++) {
    for (let b = 0; b < NBOARD; b++) v[b] = scan.accSamples[r * NBOARD + b]! / SAMPLES_PER_SECOND;
    perRec[r] = pairwiseSum(v) / NBOARD;
  }
  return pairwiseSum(perRec);
}

/**
 * The settings of a run, checked before any file is read: the chassis (sorted, unique), the
 * baseline order (an integer 0..3, else a RangeError), the thresholds and filters with 0 meaning
 * off, and the `--exclude` list (null when empty; pairs F W, else a RangeError).
 */
interface DriverSettings {
  chassis: number[];
  order: number;
  /** Repeat / coadd thresholds (K), undefined = off. */
  rthr: number | undefined;
  cthr: number | undefined;
  /** SG window, 0 = off. */
  sgf: number;
  exclude: number[] | null;
}

function checkOptions(opts: DriverOptions): DriverSettings {
  const chassis = [...new Set(opts.chassis ?? RSR_CHASSIS)].sort((a, b) => a - b);
  const order = opts.order ?? 1;
  if (!Number.isInteger(order) || order < 0 || order > 3) {
    throw new RangeError(`baseline order ${order} must be 0..3`);
  }
  const rthr = opts.repeatThreshold ? opts.repeatThreshold : undefined;
  const cthr = opts.coaddThreshold ? opts.coaddThreshold : undefined;
  const sgf = opts.sgf ? opts.sgf : 0;
  const exclude = opts.exclude && opts.exclude.length ? opts.exclude : null;
  if (exclude && exclude.length % 2 !== 0) {
    throw new RangeError(`--exclude needs pairs F W, got ${exclude.length} values`);
  }
  return { chassis, order, rthr, cthr, sgf, exclude };
}

/**
 * What the per-chassis reductions share, filled in file order: the source and its position come
 * from the first Bs file read, the baseline windows from the first product calibrated (the same
 * windows, with the exclusions, serve every product and the coadd), the simulated line's facts
 * from the last product it was added to (all equal).
 */
interface RunState {
  sourceName: string | null;
  ra: number;
  dec: number;
  windows: Windows | null;
  simInfo: DriverResult["simulate"];
}

/**
 * Reduce one chassis file: calibrate its Bs repeats (an incomplete observation, an odd record
 * count or broken BufPos pairs, is logged and skipped as the original does: null), then in this
 * order simulate, default blanking, rfile boards, first baseline, repeat average, and the SG pass
 * with its order-0 baseline. Files that are not Bs are logged and skipped (null). The repeats are
 * copied after the first baseline, before averaging (for the waterfalls).
 */
async function reduceChassis(
  path: string,
  obsnum: number,
  c: number,
  opts: DriverOptions,
  s: DriverSettings,
  src: ReturnType<typeof calSource>,
  run: RunState,
  log: (m: string) => void,
): Promise<{ product: ProductRecord; tau: number | null } | null> {
  const scan = await readRsrScan(path);
  const h = scan.header;
  if (h.obsPgm !== "Bs") {
    log(`Skipping ${path} with ObsPgm = ${h.obsPgm}`);
    return null;
  }
  if (run.sourceName === null) {
    run.sourceName = h.sourceName;
    run.ra = h.ra;
    run.dec = h.dec;
  }
  let calibrated: CalibratedScan;
  let prod: RsrProduct;
  try {
    calibrated = await calibrateScan(scan, src, boardBadLags(opts, obsnum, c));
    prod = calibratedProduct(calibrated);
  } catch (e) {
    // the original skips incomplete observations (odd records, broken BufPos pairs)
    if (e instanceof RsrDataError && /BufPos|odd number of records/.test(e.message)) {
      log(`Cannot process ${path}: ${e.message} (probably an incomplete observation); skipped`);
      return null;
    }
    throw e;
  }
  if (run.windows === null) {
    run.windows = startWindows(prod.freq);
    if (s.exclude) excludeWindows(run.windows, prod.freq, s.exclude);
  }
  const state: WindowState = { windows: null };
  if (opts.simulate) {
    const [A, F, W] = opts.simulate;
    simulateLine(prod, A, F, W);
    run.simInfo = { amplitude: A, frequency: F, widthGHz: simulatedWidth(F, W) };
  }
  if (opts.defaultBlanking ?? true) {
    if ((DEFAULT_BLANKING.chassis as readonly number[]).includes(c)) {
      blankFrequencies(prod, DEFAULT_BLANKING.board, DEFAULT_BLANKING.f1, DEFAULT_BLANKING.f2);
    }
  }
  for (const b of opts.removeBoards?.(obsnum, c) ?? []) {
    const [lo, hi] = boardRange(prod.freq[b]!);
    blankFrequencies(prod, b, lo, hi);
  }
  baseline(prod, state, { order: s.order, subtract: opts.subtract ?? true, windows: run.windows });
  const repeats = { ...prod, data: prod.data.slice(), sigma: prod.sigma.slice() };
  const avg = averageRepeats(prod, state, s.rthr);
  if (s.sgf) {
    sgFilter(avg, s.sgf, s.exclude, log);
    baseline(avg, state, { order: 0, subtract: false });
  }
  const product: ProductRecord = {
    obsnum,
    chassis: c,
    repeats,
    average: avg,
    meta: { tsys: meanTsys(calibrated.cal), integrationTime: chassisIntegrationTime(scan), header: h },
  };
  const tau = h.tau !== null && Number.isFinite(h.tau) && h.tau > 0 ? h.tau : null;
  return { product, tau };
}

/**
 * The coadd of the repeat averages, in this order: jackknife signs (one random source, products
 * in order), weighted average (coadd threshold), SG pass, notch, each filter followed by an
 * order-0 baseline on the run's windows; the board σ are taken before the boxcar smoothing.
 */
function coaddProducts(
  products: ProductRecord[],
  opts: DriverOptions,
  s: DriverSettings,
  windows: Windows | null,
  log: (m: string) => void,
): { coadd: RsrProduct; boardSigma: number[]; sgInfo: DriverResult["sgf"] } {
  if (opts.jackknife) {
    const rand = uniformSource(opts.jackknife.seed);
    for (const p of products) jackknife(p.average, rand);
  }
  const coaddState: WindowState = { windows };
  const coadd = averageScans(products.map((p) => p.average), coaddState, s.cthr);
  let sgInfo: DriverResult["sgf"];
  if (s.sgf) {
    sgFilter(coadd, s.sgf, s.exclude, log);
    baseline(coadd, coaddState, { order: 0, subtract: false });
    sgInfo = sgCutoffs(s.sgf, products[0]!.average.freq[1]!);
  }
  if (opts.notch) {
    notchFilter(coadd, opts.notch);
    baseline(coadd, coaddState, { order: 0, subtract: false });
  }
  const boardSigma = Array.from(coadd.sigma.subarray(0, NBOARD));
  if (opts.smooth) boxcarSmooth(coadd, opts.smooth);
  return { coadd, boardSigma, sgInfo };
}

/** The SG window's cut-off in frequency and velocity, from the first two channels of board 1. */
function sgCutoffs(sgf: number, f1: Float64Array): NonNullable<DriverResult["sgf"]> {
  const df = sgf * (f1[0]! - f1[1]!);
  const f = f1[0]!;
  const fp = f + df;
  return { window: sgf, freqCut: df, velCut: Math.abs(f * f - fp * fp) / (fp * fp + f * f) * C_KMS };
}

/**
 * Run the whole driver reduction. Throws RsrDataError when no product could be made.
 *
 * Steps: check the options; for each obsnum, in order, reduce its chassis files in chassis order
 * ({@link reduceChassis}; a missing file is logged and listed); coadd and filter
 * ({@link coaddProducts}); merge the bands. The integration time is the sum over obsnums of the
 * mean over their chassis; the opacity the mean over obsnums of their chassis' mean positive tau,
 * rounded as numpy.round(x, 2).
 */
export async function runDriver(opts: DriverOptions): Promise<DriverResult> {
  const messages: string[] = [];
  const log = (m: string) => {
    messages.push(m);
    opts.log?.(m);
  };
  const s = checkOptions(opts);
  const src = calSource(opts.dataLmt, opts.corrCalDir, opts.cache);
  const run: RunState = { sourceName: null, ra: NaN, dec: NaN, windows: null, simInfo: undefined };
  const products: ProductRecord[] = [];
  let tintTotal = 0;
  const tauPerObs: number[] = [];
  const missing: string[] = [];

  for (const obsnum of opts.obsnums) {
    const tints: number[] = [];
    const taus: number[] = [];
    const files = chassisFilesOf(opts.dataLmt, obsnum, {
      chassis: s.chassis,
      onMissing: (c, where) => {
        missing.push(`${obsnum}/${c}`);
        log(`no file for obsnum ${obsnum} chassis ${c} under ${where}`);
      },
    });
    for (const { chassis: c, path } of files) {
      const r = await reduceChassis(path, obsnum, c, opts, s, src, run, log);
      if (r === null) continue;
      products.push(r.product);
      tints.push(r.product.meta!.integrationTime);
      if (r.tau !== null) taus.push(r.tau);
    }
    if (tints.length > 0) tintTotal += tints.reduce((a, b) => a + b, 0) / tints.length;
    if (taus.length > 0) tauPerObs.push(taus.reduce((a, b) => a + b, 0) / taus.length);
  }
  if (products.length === 0) {
    throw new RsrDataError(
      opts.dataLmt,
      `No RSR data files were found for obsnum(s) ${opts.obsnums.join(",")}` +
        (missing.length ? ` (missing obsnum/chassis: ${missing.join(" ")})` : ""),
    );
  }
  const { coadd, boardSigma, sgInfo } = coaddProducts(products, opts, s, run.windows, log);
  const composite = mergeBands(coadd, opts.merge);
  const opacity = tauPerObs.length ? round2(tauPerObs.reduce((a, b) => a + b, 0) / tauPerObs.length) : NaN;
  return {
    sourceName: run.sourceName ?? "",
    ra: run.ra,
    dec: run.dec,
    products,
    coadd,
    composite,
    boardSigma,
    boardIntervals: boardIntervals(coadd),
    inputObservations: products.map((p) => `${p.obsnum}_${p.chassis}`),
    integrationTime: tintTotal,
    opacity,
    ...(sgInfo ? { sgf: sgInfo } : {}),
    ...(run.simInfo ? { simulate: run.simInfo } : {}),
    messages,
  };
}

/** Bandspec columns: per board its frequencies and values, masked channels as 0.0. */
export function bandspecColumns(coadd: RsrProduct): { freq: Float64Array; value: Float64Array }[] {
  const out: { freq: Float64Array; value: Float64Array }[] = [];
  for (let b = 0; b < NBOARD; b++) {
    const v = new Float64Array(NLAG);
    for (let k = 0; k < NLAG; k++) {
      const x = coadd.data[b * NLAG + k]!;
      v[k] = Number.isFinite(x) && x !== BLANK ? x : 0;
    }
    out.push({ freq: coadd.freq[b]!, value: v });
  }
  return out;
}
