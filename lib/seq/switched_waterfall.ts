/**
 * The waterfall cube of switched (Ps, Bs) obsnums: the calibrated spectrum of every ON dump of each
 * pixel as an image, built by the SpecFile waterfall (lib/seq/waterfall.ts) so the file has the layout,
 * axes and header of make_spec_fits: NAXIS1 = ON dump (SAMPLE, 1-based; alternate WCS A = ON integration
 * time), NAXIS2 = channel on the spectral axis of the spectrum (velocity in km/s or frequency in Hz),
 * NAXIS3 = pixel (ascending pixel number, PIXn cards). Several obsnums follow each other along NAXIS1.
 *
 * Dump d of a block switched against reference r gives (d − r)/r × Tsys (lib/seq/ps.ts
 * {@link SwitchedDumps}), so the mean of a block's columns is the block's calibrated spectrum and, for
 * blocks of equal length, the mean of all columns is the spectrum process_ps/process_bs write. Every
 * column is "ON-phase dump minus reference": the REF beam of a Bs obsnum shows its line negative (without
 * --use_cal its spectrum uses the original's reversed form, the negative of these columns' mean), so
 * TA = 0.5·(ON beam − REF beam) in the columns' means.
 *
 * @example
 * ```ts
 * import { reducePs } from "./ps.ts";
 * import { encodeFitsImage } from "../fits/writer.ts";
 *
 * async function psWaterfallFits(root: string) {  // root: $DATA_LMT
 *   const r = await reducePs({ root, obsnums: [98005], pixList: [10], bank: 0, useCal: true, dumps: true });
 *   const wf = switchedWaterfall({ obs: r.obs, axisName: r.axisName, edge: 64, obsPgm: "Ps", stype: 2 });
 *   return encodeFitsImage({ data: wf.data, shape: wf.shape, header: wf.header });
 * }
 * ```
 * @module
 */
import { axisLabel, axisValues, isFrequencyAxis, type XAxisName } from "./axis.ts";
import { SeqDataError } from "./errors.ts";
import type { SwitchedObs } from "./ps.ts";
import { type Waterfall, waterfall, type WaterfallInput, waterfallMosaicPng } from "./waterfall.ts";

/** Options of {@link switchedWaterfall}. */
export interface SwitchedWaterfallOptions {
  /** Reduced obsnums whose pixels carry `dumps` (reduceSwitchedObs with `dumps: true`). */
  obs: SwitchedObs[];
  /** Spectral axis (of the first obsnum), as the text spectrum. */
  axisName: XAxisName;
  /** Channels dropped on each side (the text spectrum's 64). */
  edge: number;
  obsPgm: "Ps" | "Bs";
  stype: number;
  /** FITS HISTORY line (the command). */
  history?: string;
}

/** The waterfall of switched obsnums (see the module doc). Throws SeqDataError when there are no dumps. */
export function switchedWaterfall(o: SwitchedWaterfallOptions): Waterfall {
  const first = o.obs[0];
  if (!first) throw new SeqDataError("no obsnum to make a waterfall of");
  const nchan0 = first.axis.nchan, edge = o.edge, nchan = nchan0 - 2 * edge;
  if (nchan <= 0) throw new SeqDataError(`${nchan0} channels: nothing left after ${edge} edge channels`);
  const pixList = [...new Set(o.obs.flatMap((so) => so.pixels.map((p) => p.pixel)))].sort((a, b) => a - b);
  let nspec = 0;
  for (const so of o.obs) {
    if (so.axis.nchan !== nchan0) {
      throw new SeqDataError(
        `obsnum ${so.obsnum} has ${so.axis.nchan} channels, obsnum ${first.obsnum} ${nchan0}`,
      );
    }
    for (const p of so.pixels) {
      if (!p.dumps) throw new Error(`obsnum ${so.obsnum} pixel ${p.pixel}: reduced without per-dump spectra`);
      nspec += p.dumps.n;
    }
  }
  if (nspec === 0) throw new SeqDataError(`obsnum(s) ${o.obs.map((so) => so.obsnum).join(",")}: no ON dumps`);
  const spectra = new Float32Array(nspec * nchan);
  const pixel = new Int32Array(nspec);
  const notes: string[] = [];
  const seen = new Map<number, number>(); // samples per pixel so far
  let row = 0;
  for (const so of o.obs) {
    for (const p of so.pixels) {
      const d = p.dumps!;
      const s0 = seen.get(p.pixel) ?? 0;
      for (let j = 0; j < d.n; j++, row++) {
        spectra.set(d.data.subarray(j * nchan0 + edge, j * nchan0 + edge + nchan), row * nchan);
        pixel[row] = p.pixel;
      }
      seen.set(p.pixel, s0 + d.n);
      notes.push(
        `obsnum ${so.obsnum} pixel ${p.pixel}: samples ${s0 + 1}..${s0 + d.n}, blocks start at ${
          d.blockStart.map((b) => s0 + b + 1).join(",")
        }`,
      );
    }
  }
  // the axis is linear in the channel: its value at the centre channel ch0 and the step
  const x = axisValues(first.axis, o.axisName);
  const cdelt = (x[nchan0 - 1]! - x[0]!) / (nchan0 - 1);
  const ch0 = first.axis.ch0;
  const input: WaterfallInput = {
    nspec,
    nchan,
    pixel,
    spectra,
    crpix: ch0 - edge,
    crval: x[0]! + ch0 * cdelt,
    cdelt,
    ctype: axisLabel(o.axisName),
    sourceName: first.header.sourceName,
    receiver: first.header.receiver,
    obsNum: first.obsnum,
    dumpTime: first.dumpTime,
    chan0: edge,
    line: { lineRestFrequency: first.axis.frest },
  };
  const wf = waterfall(input, { pixList, ...(o.history !== undefined ? { history: o.history } : {}) });
  const h = wf.header;
  h.set(
    "CRVAL2",
    input.crval,
    `${isFrequencyAxis(o.axisName) ? "Hz" : "km/s"} ${o.axisName} of channel CRPIX2`,
  );
  h.set("OBSPGM", o.obsPgm, "switched spectra: (ON dump - REF)/REF * Tsys");
  h.set("STYPE", o.stype, "switching scheme of the reference");
  if (o.obs.length > 1) o.obs.forEach((so, k) => h.set(`OBSNUM${k + 1}`, so.obsnum));
  h.comment("Switched spectra of the ON dumps, one column per dump (calibrated, K)");
  for (const n of notes) h.comment(n);
  return wf;
}

/** A PNG of the waterfall: the pixels' planes side by side (as make_spec_fits --png), x in ON dumps. */
export function waterfallPng(wf: Waterfall, title: string): Promise<Uint8Array> {
  return waterfallMosaicPng(wf, { title, unit: "ON dump" });
}
