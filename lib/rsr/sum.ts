/**
 * rsr_sum (rsr.md §8): sum obsnums with the windows and frequency blanking of a `.blanking` file.
 *
 * @module
 */
import { type Blanking, blankingFor } from "../formats/blanking.ts";
import { NBOARD, RsrDataError } from "./raw.ts";
import {
  type BadLagChoice,
  boardBadLags,
  calibratedProduct,
  calibrateFile,
  type CalibrationCache,
  calSource,
  chassisFilesOf,
} from "./calibrated.ts";
import { RSR_CHASSIS } from "../lmt/rsr_files.ts";
import { blankFrequencies, type RsrProduct, type Windows } from "./product.ts";
import { baseline, type WindowState } from "./baseline.ts";
import { averageRepeats, averageScans } from "./average.ts";
import { type Composite, mergeBands, type MergeOptions } from "./merge.ts";

/** Options of {@link runSum}. */
export interface SumOptions extends BadLagChoice {
  blanking: Blanking;
  dataLmt: string;
  corrCalDir?: string;
  /** Band merge options (mode, NaN for uncovered channels); default = the original. */
  merge?: MergeOptions;
  /** Coadd threshold (K), always applied (σ < threshold). */
  threshold: number;
  /** Baseline order per product (subtracted), default 1. */
  order1?: number;
  /** Final baseline: < 0 → σ only (order 0, no subtraction); ≥ 0 → fit and subtract. Default −1. */
  order2?: number;
  log?: (msg: string) => void;
  cache?: CalibrationCache;
}

/** Result of rsr_sum. */
export interface SumResult {
  coadd: RsrProduct;
  composite: Composite;
  /** `OBSNUM_CHASSIS` of the products summed. */
  inputs: string[];
}

/** Run rsr_sum. Throws RsrDataError when no product was accumulated. */
export async function runSum(opts: SumOptions): Promise<SumResult> {
  const src = calSource(opts.dataLmt, opts.corrCalDir, opts.cache);
  const order1 = opts.order1 ?? 1;
  const order2 = opts.order2 ?? -1;
  const bl = opts.blanking;
  // one shared, mutated windows dict (dreampy semantics)
  const windows: Windows = new Map();
  for (let b = 0; b < NBOARD; b++) {
    windows.set(
      b,
      (bl.windows[b] ?? []).map((r) => [r[0], r[1]] as [number, number]),
    );
  }
  const useWindows = (bl.windows[0] ?? []).length > 0;
  const products: RsrProduct[] = [];
  const inputs: string[] = [];
  let firstState: WindowState | null = null;
  for (const obsnum of bl.obsnums) {
    const files = chassisFilesOf(opts.dataLmt, obsnum, {
      chassis: RSR_CHASSIS.filter((c) => !blankingFor(bl, obsnum, c).skip),
      onMissing: (c) =>
        opts.log?.(`Warning: skipping obsnum ${obsnum} chassis ${c}: no file under ${opts.dataLmt}`),
    });
    for (const { chassis: c, path } of files) {
      const rule = blankingFor(bl, obsnum, c);
      const prod = calibratedProduct(await calibrateFile(path, src, boardBadLags(opts, obsnum, c)));
      for (const [b, ranges] of rule.boards) {
        if (b < 0 || b >= NBOARD) {
          throw new RsrDataError(path, `blanking entry names board ${b}, must be 0..5`);
        }
        for (const [f1, f2] of ranges) blankFrequencies(prod, b, f1, f2);
      }
      const state: WindowState = { windows: null };
      baseline(
        prod,
        state,
        useWindows ? { order: order1, subtract: true, windows } : { order: order1, subtract: true },
      );
      const avg = averageRepeats(prod, state);
      if (firstState === null) firstState = state;
      products.push(avg);
      inputs.push(`${obsnum}_${c}`);
    }
  }
  if (products.length === 0) {
    throw new RsrDataError(
      opts.dataLmt,
      `No data were accumulated for rsr_sum (obsnums ${bl.obsnums.join(",")})`,
    );
  }
  const state: WindowState = { windows: firstState!.windows };
  const coadd = averageScans(products, state, opts.threshold);
  if (order2 < 0) baseline(coadd, state, { order: 0, subtract: false });
  else baseline(coadd, state, { order: order2, subtract: true });
  return { coadd, composite: mergeBands(coadd, opts.merge), inputs };
}
