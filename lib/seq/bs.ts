/**
 * Beam-switched (Bs) SEQ observations (seq.md §3.2): per pixel ON/OFF block means, the switched
 * spectrum per block, the calibrated average, and the two-beam combination with an explicit sign:
 * the line is positive for the ON beam `Header.Bs.Beam[0]` whatever the pixel order. The per-pixel
 * switched reduction is the Ps one (lib/seq/ps.ts): a Bs obsnum is a Ps obsnum of two beams.
 *
 * @module
 */
import { axisValues, defaultAxisName, type XAxisName } from "./axis.ts";
import { npMeanRows } from "../num/npstats.ts";
import { SeqDataError } from "./errors.ts";
import { reduceSwitchedObs, type SwitchedObs, type SwitchedPixel } from "./ps.ts";

export { switchedSpectra } from "./ps.ts";

/** Options of {@link reduceBs}. */
export interface BsOptions {
  root: string;
  obsnums: number[];
  /** The two beams; default `Header.Bs.Beam`. */
  pixList?: number[];
  bank: number;
  useCal: boolean;
  stype: 1 | 2 | 3;
  /** −1 average all blocks (also −2), ≥ 0 that block. */
  block: number;
  xAxis?: XAxisName;
  /** Also the calibrated spectrum of every ON dump (`perObs[k].obs.pixels[j].dumps`, for a waterfall). */
  dumps?: boolean;
  warn?: (msg: string) => void;
}

/** Result of {@link reduceBs}. */
export interface BsResult {
  axisName: XAxisName;
  /** Full-band axis (km/s or Hz). */
  x: Float64Array;
  /** The two pixels in ascending order (the order of the Tsys columns). */
  pixels: [number, number];
  /** The ON beam (line positive) and the other beam. */
  main: number;
  other: number;
  /** TA = 0.5·(S_main − S_other) per channel, the mean over obsnums (npMeanRows). */
  ta: Float64Array;
  /** Tsys per channel of pixels[0], pixels[1] (constants without --use_cal). */
  tsys: [Float64Array, Float64Array];
  /** TA per block (first obsnum), for the waterfall plot. */
  blocks: Float64Array[];
  /** Each obsnum's reduction and its own TA (for SDFITS rows, lib/seq/sdfits.ts). */
  perObs: { obs: SwitchedObs; ta: Float64Array }[];
}

/** Reduce Bs obsnums to the combined spectrum (seq.md §3.2 with the sign made explicit). */
export async function reduceBs(o: BsOptions): Promise<BsResult> {
  const warn = o.warn ?? (() => {});
  let first: Omit<BsResult, "ta" | "tsys" | "perObs"> | undefined;
  const perObs: BsResult["perObs"] = [];
  const tsysLo: Float64Array[] = [], tsysHi: Float64Array[] = [];
  for (const obsnum of o.obsnums) {
    let main = -1, other = -1;
    const so = await reduceSwitchedObs({
      root: o.root,
      obsnum,
      bank: o.bank,
      useCal: o.useCal,
      stype: o.stype,
      block: o.block,
      dumps: o.dumps === true,
      pixels: (h) => {
        if (h.obsPgm !== "Bs") warn(`${h.path}: obsnum ${obsnum} is a ${h.obsPgm} observation, not Bs`);
        const pix = o.pixList ?? h.bsBeam;
        if (pix.length !== 2 || pix[0] === pix[1]) {
          throw new SeqDataError(
            `obsnum ${obsnum}: need exactly two beams, got [${
              pix.join(",")
            }] (give --pix_list or Header.Bs.Beam)`,
          );
        }
        main = h.bsBeam.length && pix.includes(h.bsBeam[0]!) ? h.bsBeam[0]! : pix[0]!;
        other = pix[0] === main ? pix[1]! : pix[0]!;
        return pix;
      },
      // with cal both beams use (ON−OFF)/OFF and the other beam sees the line negative; without cal the
      // other beam uses the reversed form (OFF−ON)/ON, which already carries the sign
      normal: (p) => p === main || o.useCal,
      warn,
    });
    const nchan = so.axis.nchan;
    if (first && nchan !== first.x.length) {
      throw new SeqDataError(
        `obsnum ${obsnum} has ${nchan} channels, obsnum ${perObs[0]!.obs.obsnum} ${first.x.length}`,
      );
    }
    const name = o.xAxis ?? defaultAxisName(so.axis);
    const [lo, hi] = so.pixels as [SwitchedPixel, SwitchedPixel];
    const sm = lo.pixel === main ? lo : hi, sx = lo.pixel === main ? hi : lo;
    const tm = sm.tsys, to = sx.tsys;
    const combine = (a: Float64Array, b: Float64Array) =>
      Float64Array.from({ length: nchan }, (_, c) => {
        const ym = a[c]! * tm[c]!, yo = b[c]! * to[c]!;
        return o.useCal ? 0.5 * (ym - yo) : 0.5 * (ym + yo);
      });
    const ta = combine(sm.ratio, sx.ratio);
    const blocks = sm.blockRatios.map((b, i) =>
      combine(b, sx.blockRatios[i] ?? new Float64Array(nchan).fill(NaN))
    );
    perObs.push({ obs: so, ta });
    tsysLo.push(lo.tsys);
    tsysHi.push(hi.tsys);
    first ??= {
      axisName: name,
      x: axisValues(so.axis, name),
      pixels: [lo.pixel, hi.pixel],
      main,
      other,
      blocks,
    };
  }
  if (!first) throw new SeqDataError("no obsnum given");
  return {
    ...first,
    ta: npMeanRows(perObs.map((p) => p.ta)),
    tsys: [npMeanRows(tsysLo), npMeanRows(tsysHi)],
    perObs,
  };
}
