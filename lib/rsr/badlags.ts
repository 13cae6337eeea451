/**
 * Bad-lag statistics of RSR Bs scans (badlags.py, spec rsr.md §3.2): per-lag σ of the normalised ACFs
 * over all records, the max / min / spike tests, and the robust neighbour-difference RMS that marks a
 * whole chassis/board (C/B) as bad. Pure functions on typed arrays; the text of the `.badlags` file is
 * built by {@link badlagsFileText}. {@link obsnumLagSigmas} reads the chassis files of an obsnum
 * (lib/rsr/calibrated.ts finds them).
 *
 * @module
 */
import { npPercentile, npStd } from "../num/npstats.ts";
import { type BadCB, badlagsReport, formatMinMaxLine, formatSpikeLine } from "../formats/badlags.ts";
import { pyStr, sprintf } from "../formats/printf.ts";
import { NBOARD, NCHASSIS, NLAG, readRsrScan, type RsrScan } from "./raw.ts";
import { chassisFilesOf } from "./calibrated.ts";

/** Board index → frequency-ordered band number (0-based), its own inverse. */
export const BOARD_TO_BAND: readonly number[] = [0, 2, 1, 3, 5, 4];

/** Thresholds of the bad-lag search (badlags.py option names in comments). */
export interface BadlagsOptions {
  /** `--bc_hi`: flag a lag when its σ is above this. */
  bcHi: number;
  /** `--bc_lo`: flag a lag when its σ is below this (dead lag). */
  bcLo: number;
  /** `--spike`: spike ratio threshold; ≤ 0 disables the spike test. */
  spike: number;
  /** `--short_hi`: lags below shortMin with bcHi < σ < shortHi are not flagged. */
  shortHi: number;
  /** `--short_min`: lags below this get the short-lag treatment (integer). */
  shortMin: number;
  /** `--min_chan`: spikes are only active for minChan+1 < lag < 254. */
  minChan: number;
  /** `--rms_min`: a C/B is bad when its neighbour-difference RMS is below this. */
  rmsMin: number;
  /** `--rms_max`: ... or above this. */
  rmsMax: number;
  /** `-e` not given: only changes the `# Edge:` header line. */
  edge: boolean;
}

/** badlags.py defaults. */
export const BADLAGS_DEFAULTS: Readonly<BadlagsOptions> = {
  bcHi: 2.5,
  bcLo: 0.01,
  spike: 3.0,
  shortHi: 2.5,
  shortMin: 256,
  minChan: 32,
  rmsMin: 0.01,
  rmsMax: 0.2,
  edge: true,
};

/**
 * Per-lag population σ over records of the normalised lags AccData[r,b,k]/AccSamples[r,b].
 * @param accData AccData, C order [nrec, nboards, nlags]
 * @param accSamples AccSamples, C order [nrec, nboards]
 * @returns σ, C order [nboards, nlags]
 */
export function lagSigma(
  accData: ArrayLike<number>,
  accSamples: ArrayLike<number>,
  nrec: number,
  nboards = NBOARD,
  nlags = NLAG,
): Float64Array {
  const out = new Float64Array(nboards * nlags);
  const col = new Float64Array(nrec);
  for (let b = 0; b < nboards; b++) {
    for (let k = 0; k < nlags; k++) {
      for (let r = 0; r < nrec; r++) {
        col[r] = accData[(r * nboards + b) * nlags + k]! / accSamples[r * nboards + b]!;
      }
      out[b * nlags + k] = npStd(col);
    }
  }
  return out;
}

/**
 * The normalised series AccData[r,b,k]/AccSamples[r,b] over all records of one lag (the debug print
 * of badlags.py).
 */
export function lagSeries(
  accData: ArrayLike<number>,
  accSamples: ArrayLike<number>,
  nrec: number,
  board: number,
  lag: number,
  nboards = NBOARD,
  nlags = NLAG,
): Float64Array {
  const col = new Float64Array(nrec);
  for (let r = 0; r < nrec; r++) {
    col[r] = accData[(r * nboards + board) * nlags + lag]! / accSamples[r * nboards + board]!;
  }
  return col;
}

/**
 * The `-d` lines of badlags.py for one chassis: per lag 1..NLAG−2 with σ > `above`, `#     c b k` and the
 * normalised series of the lag and its neighbours (`CHAN-`, `CHAN.`, `CHAN+`, σ then values as Python floats).
 */
export function highSigmaLines(scan: RsrScan, chassis: number, sigma: Float64Array, above: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < NBOARD; b++) {
    for (let k = 1; k < NLAG - 1; k++) {
      if (!(sigma[b * NLAG + k]! > above)) continue;
      out.push(`#     ${chassis} ${b} ${k}`);
      for (const [tag, kk] of [["CHAN-", k - 1], ["CHAN.", k], ["CHAN+", k + 1]] as const) {
        const s = lagSeries(scan.accData, scan.accSamples, scan.nrec, b, kk);
        out.push(`${tag} ${pyStr(sigma[b * NLAG + kk]!)} [${Array.from(s, pyStr).join(" ")}]`);
      }
    }
  }
  return out;
}

/** Options of {@link obsnumLagSigmas}. */
export interface LagSigmaOptions {
  /** Called for each chassis without a file, in chassis order. */
  onMissing?: (chassis: number, dir: string) => void;
  /** Called with each chassis file found, before it is read. */
  onFound?: (path: string) => void;
  /** Also return {@link highSigmaLines} with this threshold (σ above it). */
  debugAbove?: number;
}

/**
 * Per chassis 0..NCHASSIS−1 of an obsnum the lag σ ({@link lagSigma}; null for a missing chassis) and,
 * with `debugAbove`, the debug lines of every chassis in order. No chassis file at all is an error.
 */
export async function obsnumLagSigmas(
  root: string,
  obsnum: number,
  opts: LagSigmaOptions = {},
): Promise<{ sigmas: (Float64Array | null)[]; debug: string[] }> {
  const sigmas: (Float64Array | null)[] = new Array(NCHASSIS).fill(null);
  const debug: string[] = [];
  const files = chassisFilesOf(root, obsnum, {
    requireAny: true,
    ...(opts.onMissing ? { onMissing: opts.onMissing } : {}),
  });
  for (const { chassis, path } of files) {
    opts.onFound?.(path);
    const scan = await readRsrScan(path);
    const sig = lagSigma(scan.accData, scan.accSamples, scan.nrec);
    sigmas[chassis] = sig;
    if (opts.debugAbove !== undefined) debug.push(...highSigmaLines(scan, chassis, sig, opts.debugAbove));
  }
  return { sigmas, debug };
}

/**
 * The robust neighbour-difference RMS of badlags.py (`rmsdiff`): keep values inside
 * [Q1 − 2·IQR, Q3 + 2·IQR] (numpy-linear percentiles, original order), take successive differences,
 * return their population std / 1.41421.
 *
 * @example
 * ```ts
 * rmsDiff(new Float64Array(256)); // 0
 * ```
 */
export function rmsDiff(data: ArrayLike<number>): number {
  const q1 = npPercentile(data, 25);
  const q3 = npPercentile(data, 75);
  const iqr = (q3 - q1) * 2.0;
  const lo = q1 - iqr, hi = q3 + iqr;
  const kept: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v >= lo && v <= hi) kept.push(v);
  }
  const d = new Float64Array(Math.max(0, kept.length - 1));
  for (let i = 0; i < d.length; i++) d[i] = kept[i + 1]! - kept[i]!;
  return npStd(d) / 1.41421;
}

/** Kind of a flagged lag line. */
export type BadlagKind = "max" | "min" | "spike" | "spike edge";

/** One line of the lag table of a `.badlags` file. */
export interface BadlagEntry {
  chassis: number;
  board: number;
  lag: number;
  kind: BadlagKind;
  /** The `scan` column: the obsnum of the maximum σ (0 when σ was never > 0). */
  scan: number;
  /** max σ for "max" lines, min σ for "min" and spike lines (as printed by the original). */
  metric: number;
  /** n2/n1 spike ratio (spike lines only). */
  ratio?: number;
  /** False for spike lines written commented out (outside min_chan+1 < lag < 254). */
  active: boolean;
}

/** Verdict for one chassis/board. */
export interface CbRms {
  chassis: number;
  board: number;
  /** Robust neighbour-difference RMS of the 256 max σ. */
  rms: number;
  bad: boolean;
}

/** Everything badlags.py decides for one obsnum. */
export interface BadlagsResult {
  obsnum: number;
  /** Chassis that had a data file. */
  present: boolean[];
  /** max σ per chassis, [NBOARD*NLAG] each (0 for a missing chassis). */
  maxSigma: Float64Array[];
  /** min σ per chassis (999 for a missing chassis). */
  minSigma: Float64Array[];
  /** Flagged lines in (c, b, k) order. */
  entries: BadlagEntry[];
  countMax: number;
  countMin: number;
  /** Active spikes only. */
  countSpike: number;
  /** All 24 C/B in (c, b) order. */
  cb: CbRms[];
}

/** Active bad lags of a result as (chassis, board, lag) triples (what dreampy3 would apply). */
export function activeBadlags(r: BadlagsResult): Array<[number, number, number]> {
  return r.entries.filter((e) => e.active).map((e) => [e.chassis, e.board, e.lag]);
}

/**
 * Run the max / min / spike tests and the C/B RMS test of badlags.py on per-chassis σ arrays.
 * @param obsnum the observation number (the `scan` column)
 * @param sigmas per chassis 0..3: σ [NBOARD*NLAG] from {@link lagSigma}, or null for a missing chassis
 *   (max σ 0 and min σ 999 everywhere, which makes all its boards BADCB with RMS 0)
 */
export function findBadlags(
  obsnum: number,
  sigmas: ReadonlyArray<Float64Array | null>,
  options: Partial<BadlagsOptions> = {},
): BadlagsResult {
  const o: BadlagsOptions = { ...BADLAGS_DEFAULTS, ...options };
  const present: boolean[] = [];
  const maxSigma: Float64Array[] = [];
  const minSigma: Float64Array[] = [];
  const scanMax: Float64Array[] = [];
  for (let c = 0; c < NCHASSIS; c++) {
    const s = sigmas[c] ?? null;
    const mx = new Float64Array(NBOARD * NLAG);
    const mn = new Float64Array(NBOARD * NLAG).fill(999);
    const sc = new Float64Array(NBOARD * NLAG);
    if (s !== null) {
      if (s.length !== NBOARD * NLAG) {
        throw new RangeError(
          `Cannot use σ of chassis ${c}: expected ${NBOARD * NLAG} values, got ${s.length}`,
        );
      }
      for (let i = 0; i < s.length; i++) {
        const v = s[i]!;
        if (v > mx[i]!) {
          mx[i] = v;
          sc[i] = obsnum;
        }
        if (v < mn[i]!) mn[i] = v;
      }
    }
    present.push(s !== null);
    maxSigma.push(mx);
    minSigma.push(mn);
    scanMax.push(sc);
  }

  const entries: BadlagEntry[] = [];
  let countMax = 0, countMin = 0, countSpike = 0;
  const doSpike = o.spike > 0;
  for (let c = 0; c < NCHASSIS; c++) {
    const mx = maxSigma[c]!, mn = minSigma[c]!, sc = scanMax[c]!;
    for (let b = 0; b < NBOARD; b++) {
      const base = b * NLAG;
      for (let k = 0; k < NLAG; k++) {
        const vmax = mx[base + k]!;
        if (vmax > o.bcHi) {
          if (k < o.shortMin && vmax < o.shortHi) continue;
          entries.push({
            chassis: c,
            board: b,
            lag: k,
            kind: "max",
            scan: sc[base + k]!,
            metric: vmax,
            active: true,
          });
          countMax++;
          continue;
        }
        if (mn[base + k]! < o.bcLo) {
          entries.push({
            chassis: c,
            board: b,
            lag: k,
            kind: "min",
            scan: sc[base + k]!,
            metric: mn[base + k]!,
            active: true,
          });
          countMin++;
          continue;
        }
        if (doSpike) {
          if (k === 0) continue;
          let n1: number;
          let kind: BadlagKind;
          if (k === NLAG - 1) {
            kind = "spike edge";
            n1 = mx[base + k - 1]!;
          } else {
            kind = "spike";
            n1 = 0.5 * (mx[base + k - 1]! + mx[base + k + 1]!);
          }
          const ratio = vmax / n1; // 0/0 → NaN, x/0 → Infinity, as numpy
          if (ratio > o.spike) {
            const active = k > o.minChan + 1 && k < NLAG - 2;
            if (active) countSpike++;
            entries.push({
              chassis: c,
              board: b,
              lag: k,
              kind,
              scan: sc[base + k]!,
              metric: mn[base + k]!,
              ratio,
              active,
            });
          }
        }
      }
    }
  }

  const cb: CbRms[] = [];
  for (let c = 0; c < NCHASSIS; c++) {
    for (let b = 0; b < NBOARD; b++) {
      const rms = rmsDiff(maxSigma[c]!.subarray(b * NLAG, (b + 1) * NLAG));
      cb.push({ chassis: c, board: b, rms, bad: rms < o.rmsMin || rms > o.rmsMax });
    }
  }
  return { obsnum, present, maxSigma, minSigma, entries, countMax, countMin, countSpike, cb };
}

/** The bad C/B of a result, in (c, b) order. */
export function badCbs(r: BadlagsResult): CbRms[] {
  return r.cb.filter((x) => x.bad);
}

/** `badcb=c/b,c/b,` label of badlags.py (trailing comma kept, as the original prints it). */
export function badcbLabel(r: BadlagsResult): string {
  return "badcb=" + badCbs(r).map((x) => `${x.chassis}/${x.board},`).join("");
}

// ---- text output (layouts from lib/formats/badlags.ts) ---------------------------------------

/** One lag line exactly as badlags.py writes it (no newline). */
export function formatBadlagEntry(e: BadlagEntry): string {
  if (e.kind === "max" || e.kind === "min") {
    return formatMinMaxLine(e.kind, e.chassis, e.board, e.lag, e.scan, e.metric);
  }
  return formatSpikeLine(
    e.chassis,
    e.board,
    e.lag,
    e.scan,
    e.metric,
    e.ratio ?? NaN,
    e.kind === "spike edge",
    !e.active,
  );
}

/** The `#BADCB` entries (tag `badlags`) of the bad C/B of a result. */
export function badcbEntries(r: BadlagsResult): BadCB[] {
  return badCbs(r).map((x) => ({
    obsnum: r.obsnum,
    chassis: x.chassis,
    board: x.board,
    metric: x.rms,
    tag: "badlags",
  }));
}

/**
 * The whole `.badlags` file written by badlags.py.
 * @param program what line 1 names as the writer (badlags.py prints its argv[0])
 */
export function badlagsFileText(
  r: BadlagsResult,
  options: Partial<BadlagsOptions> = {},
  program = "badlags",
  version = "4-nov-2024",
): string {
  const o: BadlagsOptions = { ...BADLAGS_DEFAULTS, ...options };
  return badlagsReport({
    program,
    version,
    bcLo: o.bcLo,
    bcHi: o.bcHi,
    shortHi: o.shortHi,
    shortMin: Math.trunc(o.shortMin),
    spike: o.spike,
    minChan: Math.trunc(o.minChan), // the original prints it with %d
    edge: o.edge,
    lagLines: r.entries.map(formatBadlagEntry),
    rmsMin: o.rmsMin,
    rmsMax: o.rmsMax,
    badcb: badcbEntries(r),
    counts: { min: r.countMin, max: r.countMax, spike: r.countSpike },
  });
}

/**
 * The report badlags.py prints on stdout (without the docopt dict and dreampy chatter):
 * threshold header, flagged lines, counts, optional `RMS_diff` lines, the `obsnum=N badcb=...` line.
 */
export function badlagsReportLines(
  r: BadlagsResult,
  options: Partial<BadlagsOptions> = {},
  debug = false,
): string[] {
  const o: BadlagsOptions = { ...BADLAGS_DEFAULTS, ...options };
  const L: string[] = [];
  L.push(" ");
  L.push(sprintf("Bad Channel High Threshold = %6.1f", o.bcHi));
  L.push("-----------------------");
  L.push(" c  b  ch   scan metric");
  L.push("-----------------------");
  for (const e of r.entries) L.push(formatBadlagEntry(e));
  L.push(sprintf("Found %d min, %d max and %d spike badlags", r.countMin, r.countMax, r.countSpike));
  if (debug) {
    for (const x of r.cb) {
      L.push(sprintf("RMS_diff %2d %2d  %.3f %s", x.chassis, x.board, x.rms, x.bad ? "*** bad c/b" : ""));
    }
  }
  L.push(sprintf("obsnum=%d %s", r.obsnum, badcbLabel(r)));
  L.push("-----------------------");
  return L;
}
