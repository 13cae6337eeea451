/**
 * The waterfall cube of a SpecFile (LMTOY `make_spec_fits.py`, lmtslr SpecFileViewer.write_fits):
 * the calibrated spectra of each pixel as an image, NAXIS1 = sample (the pixel's spectra in file
 * order), NAXIS2 = channel (velocity), NAXIS3 = pixel (pix_list order), optionally block-averaged
 * (`binning` = time, channel). Used to look for bad pixels, spikes, birdies and drifts in ds9.
 *
 * Differences from the original (docs/compat.md): pixels with fewer spectra are padded with NaN up
 * to the longest one (the original truncated every pixel to the shortest, dropping data); the
 * velocity axis is `VRAD` in km/s with SPECSYS/RESTFRQ and its reference pixel from the SpecFile's
 * CRPIX (the original wrote `VELO-LSR` at CRPIX 1, right only when CRPIX is 0); the plane axis is
 * labelled `PIXEL` with the pixel numbers in `PIXn` cards; an alternate WCS `A` gives the sample
 * axis as ON integration time (s), samples × DumpTime.
 *
 * @example
 * ```ts
 * import { readSpecFile } from "../specfile/reader.ts";
 *
 * async function firstFourPixels(path: string) {  // e.g. "SAMPLE-OTF_97001__0.nc"
 *   const sf = await readSpecFile(path);
 *   const wf = waterfall(sf, { pixList: [0, 1, 2, 3] });
 *   return wf.shape; // [nsamp, nchan, 4]
 * }
 * ```
 * @module
 */
import { FitsHeader } from "../fits/mod.ts";
import { plotImage } from "../plot/mod.ts";
import { SPEC_VARS, type SpecFile } from "../specfile/mod.ts";
import { SeqDataError } from "./errors.ts";
import { axisOfLabel, axisSpecsys, isFrequencyAxis } from "./axis.ts";

/**
 * What {@link waterfall} reads of a SpecFile; process_ps/process_bs `--waterfall` build one from their
 * per-dump switched spectra (lib/seq/switched_waterfall.ts).
 */
export type WaterfallInput =
  & Pick<
    SpecFile,
    | "nspec"
    | "nchan"
    | "pixel"
    | "spectra"
    | "crpix"
    | "crval"
    | "cdelt"
    | "ctype"
    | "sourceName"
    | "receiver"
    | "obsNum"
    | "dumpTime"
    | "chan0"
  >
  & { line: Pick<SpecFile["line"], "lineRestFrequency"> };

/** Options of {@link waterfall}. */
export interface WaterfallOptions {
  /** Pixels, one plane each in this order. */
  pixList: number[];
  /** Block averaging [time, channel] (default [1, 1]). */
  binning?: [number, number];
  /** FITS HISTORY line (the command). */
  history?: string;
}

/** The waterfall cube. */
export interface Waterfall {
  /** FITS order: data[(p·nchan + k)·nsamp + j] (sample fastest). */
  data: Float32Array;
  /** [nsamp, nchan, npix] = NAXIS1..3. */
  shape: [number, number, number];
  header: FitsHeader;
  /** Number of (binned) samples of each plane that hold data. */
  samples: number[];
  /** Axis value of each output channel's centre: velocity (km/s), or frequency (Hz) for an F* SpecFile. */
  velocity: Float64Array;
  /** Plot label of that axis, e.g. "VLSR (km/s)" or "FSKY (Hz)". */
  axisLabel: string;
  /** Sample (1-based, centre of the block) of each output column. */
  sample: Float64Array;
}

/** Indices of the spectra of each pixel, in file order. */
export function spectraByPixel(sf: Pick<SpecFile, "nspec" | "pixel">, pixList: number[]): number[][] {
  const rows = pixList.map(() => [] as number[]);
  const where = new Map<number, number[]>();
  pixList.forEach((p, i) => {
    if (!where.has(p)) where.set(p, []);
    where.get(p)!.push(i);
  });
  for (let s = 0; s < sf.nspec; s++) {
    for (const i of where.get(sf.pixel[s]!) ?? []) rows[i]!.push(s);
  }
  return rows;
}

/** Build the waterfall cube and its header. Throws SeqDataError when no listed pixel has spectra. */
export function waterfall(sf: WaterfallInput, o: WaterfallOptions): Waterfall {
  const [bt, bc] = o.binning ?? [1, 1];
  if (!(Number.isInteger(bt) && bt >= 1 && Number.isInteger(bc) && bc >= 1)) {
    throw new RangeError(`binning must be two positive integers, got ${bt},${bc}`);
  }
  if (o.pixList.length === 0) throw new RangeError("empty pixel list");
  const rows = spectraByPixel(sf, o.pixList);
  const nmax = Math.max(...rows.map((r) => r.length));
  if (nmax === 0) {
    throw new SeqDataError(`no spectra of pixel(s) ${o.pixList.join(",")} in the SpecFile`);
  }
  const nsamp = Math.floor(nmax / bt), nchan = Math.floor(sf.nchan / bc), npix = o.pixList.length;
  if (nsamp === 0 || nchan === 0) {
    throw new RangeError(
      `binning ${bt},${bc} is larger than the data (${nmax} samples, ${sf.nchan} channels)`,
    );
  }
  const data = new Float32Array(nsamp * nchan * npix).fill(NaN);
  const samples: number[] = [];
  for (let p = 0; p < npix; p++) {
    const r = rows[p]!;
    const ns = Math.floor(r.length / bt);
    samples.push(ns);
    for (let j = 0; j < ns; j++) {
      for (let k = 0; k < nchan; k++) {
        let s = 0;
        for (let a = 0; a < bt; a++) {
          const row = r[j * bt + a]! * sf.nchan;
          for (let b = 0; b < bc; b++) s += sf.spectra[row + k * bc + b]!;
        }
        data[(p * nchan + k) * nsamp + j] = bt * bc === 1 ? s : s / (bt * bc);
      }
    }
  }
  // axes: output pixel q (1-based) averages inputs (q−1)·b .. q·b−1 (0-based)
  const crpix2 = 1 + (sf.crpix - (bc - 1) / 2) / bc;
  const crpix1 = 0.5 + 0.5 / bt;
  const velocity = Float64Array.from(
    { length: nchan },
    (_, k) => sf.crval + (k + 1 - crpix2) * sf.cdelt * bc,
  );
  const sample = Float64Array.from({ length: nsamp }, (_, j) => 1 + (j + 1 - crpix1) * bt);
  // the SpecFile's axis (process_otf_map --x_axis): a velocity in km/s, or a frequency in Hz
  const axisName = axisOfLabel(sf.ctype);
  const freq = axisName !== undefined && isFrequencyAxis(axisName);
  const zType = freq ? "FREQ" : "VRAD", zUnit = freq ? "Hz" : "km/s";
  const h = new FitsHeader();
  h.set("BUNIT", "K", "TA*");
  h.set("OBJECT", sf.sourceName);
  h.set("TELESCOP", "LMT");
  if (sf.receiver !== "") h.set("INSTRUME", sf.receiver);
  h.set("OBSNUM", sf.obsNum, SPEC_VARS.obsNum);
  h.set("WCSNAME", "SAMPLE-VELOCITY-PIXEL");
  h.set("CTYPE1", "SAMPLE", "spectrum number of the pixel (1-based)");
  h.set("CRVAL1", 1);
  h.set("CDELT1", bt);
  h.set("CRPIX1", crpix1);
  h.set("CTYPE2", zType, freq ? "frequency" : "radio velocity");
  h.set("CRVAL2", sf.crval, `${zUnit} Header.SpectrumAxis.CRVAL`);
  h.set("CDELT2", sf.cdelt * bc, zUnit);
  h.set("CRPIX2", crpix2);
  h.set("CUNIT2", zUnit);
  const consecutive = o.pixList.every((p, i) => p === o.pixList[0]! + i);
  h.set("CTYPE3", "PIXEL", consecutive ? "pixel (beam) number" : "plane; pixel numbers in PIXn");
  h.set("CRVAL3", consecutive ? o.pixList[0]! : 1);
  h.set("CDELT3", 1);
  h.set("CRPIX3", 1);
  // alternate WCS: the sample axis as ON integration time
  h.set("WCSNAMEA", "INTTIME-VELOCITY-PIXEL");
  h.set("CTYPE1A", "INTTIME", "ON integration time of the pixel");
  h.set("CUNIT1A", "s");
  h.set("CRVAL1A", 0.5 * sf.dumpTime * bt, "s, middle of the first block");
  h.set("CDELT1A", sf.dumpTime * bt, "s");
  h.set("CRPIX1A", 1);
  h.set("CTYPE2A", zType);
  h.set("CRVAL2A", sf.crval);
  h.set("CDELT2A", sf.cdelt * bc);
  h.set("CRPIX2A", crpix2);
  h.set("CUNIT2A", zUnit);
  h.set("CTYPE3A", "PIXEL");
  h.set("CRVAL3A", consecutive ? o.pixList[0]! : 1);
  h.set("CDELT3A", 1);
  h.set("CRPIX3A", 1);
  if (Number.isFinite(sf.line.lineRestFrequency) && sf.line.lineRestFrequency > 0) {
    h.set("RESTFRQ", sf.line.lineRestFrequency, "Hz");
  }
  h.set("SPECSYS", axisName ? axisSpecsys(axisName) : "LSRK");
  h.set("DUMPTIME", sf.dumpTime, "s per sample");
  h.set("CHAN0", sf.chan0, "first channel from original spectra");
  h.set("BINTIME", bt, "samples averaged per column");
  h.set("BINCHAN", bc, "channels averaged per row");
  o.pixList.forEach((p, i) => h.set(`PIX${i + 1}`, p, `pixel of plane ${i + 1}; ${samples[i]} samples`));
  h.comment("Waterfall plot (Sample-Velocity-Beam)");
  h.comment(`pix_list: [${o.pixList.join(", ")}]`);
  h.comment(`binning: [${bt}, ${bc}]`);
  h.comment(`chan0: ${sf.chan0}`);
  if (nmax !== Math.min(...rows.map((r) => r.length))) {
    h.comment("pixels with fewer samples are padded with NaN");
  }
  if (o.history !== undefined) h.history(o.history);
  const axisLabel = `${axisName ?? "VRAD"} (${zUnit})`;
  return { data, shape: [nsamp, nchan, npix], header: h, samples, velocity, axisLabel, sample };
}

/**
 * The waterfall as one image for a PNG: the pixels' planes side by side (a NaN column between them),
 * block-averaged to at most `maxCols` × `maxRows`. Returns row-major data (x fastest, row 0 = first
 * channel) and the colour range [lo, hi] (0.5 and 99.5 percentiles of the finite values).
 */
export function waterfallMosaic(
  wf: Waterfall,
  maxCols = 900,
  maxRows = 300,
): { data: Float32Array; nx: number; ny: number; bx: number; by: number; domain: [number, number] } {
  const [ns, nc, np] = wf.shape;
  const bx = Math.max(1, Math.ceil((np * (ns + 1)) / maxCols)), by = Math.max(1, Math.ceil(nc / maxRows));
  const cols = Math.ceil(ns / bx), ny = Math.ceil(nc / by);
  const nx = np * (cols + 1) - 1;
  const out = new Float32Array(nx * ny).fill(NaN);
  for (let p = 0; p < np; p++) {
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < cols; c++) {
        let s = 0, n = 0;
        for (let k = r * by; k < Math.min(nc, (r + 1) * by); k++) {
          for (let j = c * bx; j < Math.min(ns, (c + 1) * bx); j++) {
            const v = wf.data[(p * nc + k) * ns + j]!;
            if (Number.isFinite(v)) {
              s += v;
              n++;
            }
          }
        }
        if (n > 0) out[r * nx + p * (cols + 1) + c] = s / n;
      }
    }
  }
  const fin = Array.from(out).filter(Number.isFinite).sort((a, b) => a - b);
  const q = (f: number) => fin[Math.min(fin.length - 1, Math.max(0, Math.round(f * (fin.length - 1))))] ?? 0;
  return { data: out, nx, ny, bx, by, domain: [q(0.005), q(0.995)] };
}

/**
 * A PNG of a waterfall ({@link waterfallMosaic}: the pixels' planes side by side), as make_spec_fits --png
 * and the Bs/Ps tools' --waterfall_png draw it; the x axis counts `unit`s (`step` of them per column of the
 * cube: its sample binning).
 */
export function waterfallMosaicPng(
  wf: Waterfall,
  o: { title: string; unit: string; step?: number },
): Promise<Uint8Array> {
  const m = waterfallMosaic(wf);
  const [ns] = wf.shape;
  const step = o.step ?? 1;
  const dv = wf.velocity.length > 1 ? wf.velocity[1]! - wf.velocity[0]! : 1;
  return plotImage({
    title: o.title,
    data: m.data,
    nx: m.nx,
    ny: m.ny,
    x0: 0.5 * m.bx * step,
    dx: m.bx * step,
    y0: wf.velocity[0]! + 0.5 * (m.by - 1) * dv,
    dy: m.by * dv,
    xLabel: `${o.unit} (${ns * step} per pixel, pixels side by side)`,
    yLabel: wf.axisLabel,
    colorLabel: "TA* (K)",
    domain: m.domain,
    width: 900,
    height: 420,
    scale: 1,
  });
}
