/**
 * Summary of a SEQ obsnum directory made by scripts/seq.mk: for a map the peak and channel maps, the
 * weight map, the spectrum of the brightest cell with a Gaussian fit, the cube noise and Tsys per pixel;
 * for a Bs obsnum the spectrum with its fit, its noise and Tsys. Returns the page; its plots go to a
 * {@link PlotSink} while they render (this module writes no file).
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "../sys/fs.ts";
import { firstImage, readFits } from "../fits/mod.ts";
import { openNetcdf } from "../netcdf/mod.ts";
import { readSpecTsysCal, specTsysShape } from "../specfile/mod.ts";
import { readTextSpectrum } from "../formats/spectrum.ts";
import { parseRc } from "../formats/rc.ts";
import { fitGaussian, type GaussFit } from "../num/gaussfit.ts";
import { plotImage, plotLines } from "../plot/mod.ts";
import { maskedMoments } from "../num/maskmoment.ts";
import { npMedian } from "../num/npstats.ts";
import type { Page, Section } from "./html.ts";
import { PlotRecorder, type PlotSink } from "./sink.ts";
import { bsZoomPlotOpts, weightDomain } from "./seq_plots.ts";
import { join } from "../sys/path.ts";
import { cubeSpectralAxis } from "./spectral_axis.ts";

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** Numbers of one map bank. */
export interface SeqMapSummary {
  bank: number;
  cube: string;
  nx: number;
  ny: number;
  nz: number;
  /** arcsec offsets of the brightest cell from the map centre, its spectrum fit (km/s, K) */
  peakX: number;
  peakY: number;
  line: GaussFit | null;
  /** median over well-covered cells of the line-free rms (K) */
  rms: number;
  nanCells: number;
  tsys: number[];
}

function num(h: Map<string, unknown>, k: string, d = NaN): number {
  const v = h.get(k);
  return typeof v === "number" ? v : d;
}

/** A cube read for the summary: its shape, data (channel-major planes), map grid and velocity axis. */
interface SummaryCube {
  nx: number;
  ny: number;
  nz: number;
  /** nx·ny. */
  plane: number;
  /** Value of cell c in channel k at k·plane + c. */
  data: Float32Array;
  /** Cell size (arcsec) and offset of cell 0 from the map centre (arcsec). */
  dx: number;
  dy: number;
  x0: number;
  y0: number;
  spectral: ReturnType<typeof cubeSpectralAxis>;
  /** Radio velocity of each channel (km/s). */
  vel: Float64Array;
}

function readSummaryCube(dir: string, base: string): SummaryCube {
  const hdu = firstImage(readFits(join(dir, `${base}.fits`)));
  const [nx, ny, nz] = [hdu.shape[0]!, hdu.shape[1]!, hdu.shape[2] ?? 1];
  const h = hdu.header as Map<string, unknown>;
  const dx = num(h, "CDELT1") * 3600, dy = num(h, "CDELT2") * 3600;
  const spectral = cubeSpectralAxis(h); // VRAD, or FREQ (--x_axis F*, --ztype 1) as radio velocity
  return {
    nx,
    ny,
    nz,
    plane: nx * ny,
    data: hdu.data as Float32Array,
    dx,
    dy,
    x0: (1 - num(h, "CRPIX1")) * dx,
    y0: (1 - num(h, "CRPIX2")) * dy,
    spectral,
    vel: Float64Array.from({ length: nz }, (_, k) => spectral.value(k)),
  };
}

/**
 * The weight map (`base.wt.fits`, null when absent) and the two coverage tests derived from it:
 * a cell is well covered (`good`: used for the line, the brightest cell and the noise) at ≥ 30 %
 * of the maximum finite weight, and `shown` on the maps at ≥ 10 %; without a weight map every cell
 * is both.
 */
interface Coverage {
  wt: Float32Array | null;
  good: (c: number) => boolean;
  shown: (c: number) => boolean;
}

function readCoverage(dir: string, base: string): Coverage {
  let wt: Float32Array | null = null;
  if (existsSync(join(dir, `${base}.wt.fits`))) {
    wt = firstImage(readFits(join(dir, `${base}.wt.fits`))).data as Float32Array;
  }
  let wmax = 0;
  if (wt) { for (const w of wt) if (Number.isFinite(w) && w > wmax) wmax = w; }
  return {
    wt,
    good: (c: number) => (wt ? wt[c]! >= 0.3 * wmax : true),
    shown: (c: number) => (wt ? wt[c]! >= 0.1 * wmax : true),
  };
}

/**
 * The mean spectrum of the well-covered cells (NaN in a channel none of them has), and the number
 * of cells with no finite value in any channel.
 */
function meanCoveredSpectrum(cube: SummaryCube, cov: Coverage): { meanSpec: Float64Array; nanCells: number } {
  const { nz, plane, data } = cube;
  const meanSpec = new Float64Array(nz);
  const cnt = new Float64Array(nz);
  let nanCells = 0;
  for (let c = 0; c < plane; c++) {
    let any = false;
    for (let k = 0; k < nz; k++) {
      const val = data[k * plane + c]!;
      if (!Number.isFinite(val)) continue;
      any = true;
      if (cov.good(c)) {
        meanSpec[k]! += val;
        cnt[k]!++;
      }
    }
    if (!any) nanCells++;
  }
  for (let k = 0; k < nz; k++) meanSpec[k] = cnt[k] ? meanSpec[k]! / cnt[k]! : NaN;
  return { meanSpec, nanCells };
}

/**
 * Subtract (in place) a straight baseline fitted to the finite channels of the outer quarters
 * (line-free in the pipeline's slice), so that a residual slope does not win the line search;
 * unchanged when fewer than 3 channels or a singular fit.
 */
function removeOuterBaseline(meanSpec: Float64Array): void {
  const nz = meanSpec.length;
  const q = Math.floor(nz / 4);
  let sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (let k = 0; k < nz; k++) {
    if (k >= q && k < nz - q) continue;
    const y = meanSpec[k]!;
    if (!Number.isFinite(y)) continue;
    sx += k;
    sy += y;
    sxx += k * k;
    sxy += k * y;
    n++;
  }
  const det = n * sxx - sx * sx;
  if (n > 2 && det !== 0) {
    const b = (n * sxy - sx * sy) / det, a = (sy - b * sx) / n;
    for (let k = 0; k < nz; k++) meanSpec[k] = meanSpec[k]! - (a + b * k);
  }
}

/**
 * The line channel: the centre of the largest finite 5-channel sum of the mean spectrum within the
 * middle half of the band (the pipeline centres the slice on the line, l_region = vlsr ± dv);
 * ⌊nz/2⌋ when none. The first maximum wins.
 */
function lineChannel(meanSpec: Float64Array): number {
  const nz = meanSpec.length;
  let kline = Math.floor(nz / 2), bestRun = -Infinity;
  for (let k = Math.max(2, Math.floor(nz / 4)); k + 2 < nz && k < nz - Math.floor(nz / 4); k++) {
    let s5 = 0;
    for (let j = -2; j <= 2; j++) s5 += meanSpec[k + j]!;
    if (Number.isFinite(s5) && s5 > bestRun) {
      bestRun = s5;
      kline = k;
    }
  }
  return kline;
}

/**
 * The peak map: max over the line window (kline ± 10 channels) in shown cells (NaN elsewhere and
 * where no value is finite); and the brightest cell: the well-covered cell with the largest mean
 * over kline ± 2 channels (−1 when none).
 */
function peakMap(cube: SummaryCube, cov: Coverage, kline: number): { peak: Float32Array; bc: number } {
  const { nz, plane, data } = cube;
  const peak = new Float32Array(plane).fill(NaN);
  const k0 = Math.max(0, kline - 10), k1 = Math.min(nz - 1, kline + 10);
  let best = -Infinity, bc = -1;
  for (let c = 0; c < plane; c++) {
    if (!cov.shown(c)) continue;
    let m = -Infinity, s = 0, n = 0;
    for (let k = k0; k <= k1; k++) {
      const val = data[k * plane + c]!;
      if (Number.isFinite(val) && val > m) m = val;
    }
    for (let k = Math.max(0, kline - 2); k <= Math.min(nz - 1, kline + 2); k++) {
      const val = data[k * plane + c]!;
      if (Number.isFinite(val)) {
        s += val;
        n++;
      }
    }
    if (m > -Infinity) peak[c] = m;
    if (cov.good(c) && n > 0 && s / n > best) {
      best = s / n;
      bc = c;
    }
  }
  return { peak, bc };
}

/**
 * The masked moments (lib/num/maskmoment.ts, as seq_moments), for nz ≥ 3: where the mask finds
 * emission, the shown cells of the peak map become the masked peak (0 where there is data but no
 * emission, changed in place) and the brightest cell the well-covered mom0 maximum, so that a noise
 * spike at a poorly covered edge cell is never taken for the source. Returns whether the mask found
 * emission and the brightest cell (`bc` unchanged when not).
 */
function applyMaskedMoments(
  cube: SummaryCube,
  cov: Coverage,
  peak: Float32Array,
  bc: number,
): { masked: boolean; bc: number } {
  const { nx, ny, nz, plane, data } = cube;
  if (nz < 3) return { masked: false, bc };
  const mm = maskedMoments(data, {
    nx,
    ny,
    nz,
    velocity: Float64Array.from({ length: nz }, (_, k) => cube.spectral.value(k)),
  });
  if (mm.nmask === 0) return { masked: false, bc };
  let b0 = -Infinity;
  for (let c = 0; c < plane; c++) {
    if (!cov.shown(c)) continue;
    peak[c] = Number.isFinite(mm.peak[c]!) ? mm.peak[c]! : Number.isFinite(peak[c]!) ? 0 : NaN;
    if (cov.good(c) && mm.mom0[c]! > b0) {
      b0 = mm.mom0[c]!;
      bc = c;
    }
  }
  return { masked: true, bc };
}

/** Noise: median over well-covered cells of the rms over the outer quarters of the band (line-free). */
function cubeNoise(cube: SummaryCube, cov: Coverage): number {
  const { nz, plane, data } = cube;
  const nz1 = Math.floor(nz / 4);
  const rmsList: number[] = [];
  for (let c = 0; c < plane; c++) {
    if (!cov.good(c)) continue;
    let s = 0, s2 = 0, n = 0;
    for (let k = 0; k < nz; k++) {
      if (k >= nz1 && k < nz - nz1) continue;
      const val = data[k * plane + c]!;
      if (Number.isFinite(val)) {
        s += val;
        s2 += val * val;
        n++;
      }
    }
    if (n > 1) rmsList.push(Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)));
  }
  return npMedian(rmsList);
}

/**
 * The spectrum of the brightest cell `bc`, its offsets (arcsec) and its Gaussian fit started at the
 * line channel (null when the fit fails); all NaN/zero and null when there is no brightest cell.
 */
function brightestCell(
  cube: SummaryCube,
  bc: number,
  kline: number,
): { spec: Float64Array; peakX: number; peakY: number; line: GaussFit | null } {
  const { nx, nz, plane, data, vel } = cube;
  const spec = new Float64Array(nz);
  if (bc < 0) return { spec, peakX: NaN, peakY: NaN, line: null };
  for (let k = 0; k < nz; k++) spec[k] = data[k * plane + bc]!;
  const peakX = cube.x0 + (bc % nx) * cube.dx;
  const peakY = cube.y0 + Math.floor(bc / nx) * cube.dy;
  let line: GaussFit | null;
  try {
    line = fitGaussian(vel, spec, {
      center: vel[kline]!,
      peak: spec[kline]!,
      sigma: 3 * Math.abs(vel[1]! - vel[0]!),
    });
  } catch {
    line = null;
  }
  return { spec, peakX, peakY, line };
}

/**
 * Put the map plots into `sink`: `base.peak.png`; with a line fit, `base.chan.png` (the channel
 * nearest the fitted centre, shown cells only) and `base.spectrum.png` (the brightest cell with its
 * fit); with a weight map, `base.wt.png`. The arrays given to the plots are not changed afterwards
 * (a plot may read them after it was put).
 */
function putMapPlots(
  sink: PlotSink,
  base: string,
  cube: SummaryCube,
  cov: Coverage,
  peak: Float32Array,
  masked: boolean,
  cell: { spec: Float64Array; peakX: number; peakY: number; line: GaussFit | null },
): void {
  const { nx, ny, nz, plane, data, vel, x0, dx, y0, dy } = cube;
  const mapPng = (
    kind: string,
    title: string,
    map: Float32Array | Float64Array,
    colorLabel?: string,
    domain?: [number, number],
  ) =>
    sink.put(
      `${base}.${kind}.png`,
      plotImage({
        title,
        data: map,
        nx,
        ny,
        x0,
        dx,
        y0,
        dy,
        xLabel: "ΔRA (arcsec)",
        yLabel: "ΔDec (arcsec)",
        ...(colorLabel !== undefined ? { colorLabel } : {}),
        ...(domain !== undefined ? { domain } : {}),
      }),
    );
  mapPng(
    "peak",
    masked ? `${base}: masked peak T (K)` : `${base}: peak T within ±10 channels of the line (K)`,
    peak,
    "K",
  );
  const { line, spec, peakX, peakY } = cell;
  if (line && nz > 0) {
    let kc = 0;
    for (let k = 0; k < nz; k++) {
      if (Math.abs(vel[k]! - line.center) < Math.abs(vel[kc]! - line.center)) kc = k;
    }
    mapPng(
      "chan",
      `${base}: channel ${kc} at ${fmt(vel[kc]!, 1)} km/s (K)`,
      data.subarray(kc * plane, (kc + 1) * plane).map((val, c) => (cov.shown(c) ? val : NaN)),
      "K",
    );
    const model = vel.map((x) =>
      line.offset + line.slope * (x - line.center) +
      line.peak * Math.exp(-((x - line.center) ** 2) / (2 * line.sigma ** 2))
    );
    sink.put(
      `${base}.spectrum.png`,
      plotLines({
        title: `brightest cell (${fmt(peakX, 1)}″, ${fmt(peakY, 1)}″): ${fmt(line.peak)} K at ${
          fmt(line.center)
        } km/s`,
        xLabel: cube.spectral.label,
        yLabel: "T_A* (K)",
        series: [{ x: vel, y: spec, label: "spectrum", step: true }, {
          x: vel,
          y: model,
          label: "fit",
          color: "#d62728",
        }],
        hlines: [0],
        width: 700,
        height: 300,
      }),
    );
  }
  const wt = cov.wt;
  if (wt) mapPng("wt", `${base}: weight`, wt, undefined, weightDomain(wt)); // [0, max]: no negative colours
}

/**
 * Mean Tsys per pixel of the SpecFile `base.nc` (first cal, finite positive channels; NaN for a
 * pixel with none; [] without a SpecFile or a Tsys table), and its plot `base.tsys.png` put into
 * `sink` when any is finite.
 */
async function pixelTsys(dir: string, base: string, sink: PlotSink): Promise<number[]> {
  const tsys: number[] = [];
  const specfile = join(dir, `${base}.nc`);
  if (!existsSync(specfile)) return tsys;
  const nc = await openNetcdf(specfile);
  try {
    const shp = specTsysShape(nc);
    if (shp !== undefined) {
      const [ncal, npix, nch] = [shp[0]!, shp[1]!, shp[2]!];
      if (ncal > 0) {
        const t = readSpecTsysCal(nc, 0, npix, nch);
        for (let p = 0; p < npix; p++) {
          let s = 0, n = 0;
          for (let k = 0; k < nch; k++) {
            const val = t[p * nch + k]!;
            if (Number.isFinite(val) && val > 0) {
              s += val;
              n++;
            }
          }
          tsys.push(n ? s / n : NaN);
        }
      }
    }
  } finally {
    nc.close();
  }
  if (tsys.some(Number.isFinite)) {
    sink.put(
      `${base}.tsys.png`,
      plotLines({
        title: `${base}: mean Tsys per pixel`,
        xLabel: "pixel",
        yLabel: "Tsys (K)",
        series: [{ x: tsys.map((_, i) => i), y: tsys, step: true }],
        width: 500,
        height: 250,
      }),
    );
  }
  return tsys;
}

/**
 * Analyse one cube (+ weight map, SpecFile) and put its plots into `sink`; returns the numbers.
 *
 * Steps: read the cube and its coverage; find the line channel in the baseline-subtracted mean
 * spectrum of the well-covered cells; make the peak map and pick the brightest cell (replaced by
 * the masked-moment peak and mom0 maximum when the mask finds emission); measure the noise; fit
 * the brightest cell's spectrum; put the map plots, then the Tsys per pixel and its plot.
 */
export async function summarizeSeqMap(
  dir: string,
  base: string,
  bank: number,
  sink: PlotSink,
): Promise<SeqMapSummary> {
  const cube = readSummaryCube(dir, base);
  const cov = readCoverage(dir, base);
  const { meanSpec, nanCells } = meanCoveredSpectrum(cube, cov);
  removeOuterBaseline(meanSpec);
  const kline = lineChannel(meanSpec);
  const { peak, bc: peakCell } = peakMap(cube, cov, kline);
  const { masked, bc } = applyMaskedMoments(cube, cov, peak, peakCell);
  const rms = cubeNoise(cube, cov);
  const cell = brightestCell(cube, bc, kline);
  putMapPlots(sink, base, cube, cov, peak, masked, cell);
  const tsys = await pixelTsys(dir, base, sink);
  return {
    bank,
    cube: `${base}.fits`,
    nx: cube.nx,
    ny: cube.ny,
    nz: cube.nz,
    peakX: cell.peakX,
    peakY: cell.peakY,
    line: cell.line,
    rms,
    nanCells,
    tsys,
  };
}

/** Numbers of a Bs spectrum. */
export interface SeqBsSummary {
  bank: number;
  file: string;
  line: GaussFit | null;
  rms: number;
  tsys1: number;
  tsys2: number;
}

/**
 * Analyse a Bs text spectrum; put into `sink` its plot with the fit (`NAME.spectrum.png`, NAME without
 * `.txt`) and, with a fit, the zoom on the line (`NAME.spectrum_zoom.png`).
 */
export function summarizeSeqBs(dir: string, name: string, bank: number, sink: PlotSink): SeqBsSummary {
  const s = readTextSpectrum(readFileSync(join(dir, name), "utf8"), name);
  const [x, y] = [s.columns[0]!, s.columns[1]!];
  let kb = 0;
  for (let k = 0; k < y.length; k++) if (y[k]! > y[kb]!) kb = k;
  let line: GaussFit | null = null;
  try {
    line = fitGaussian(x, y, { center: x[kb]!, peak: y[kb]!, sigma: 3 });
  } catch {
    line = null;
  }
  const free: number[] = [];
  for (let k = 0; k < y.length; k++) {
    if (!line || Math.abs(x[k]! - line.center) > 3 * line.fwhm + 10) free.push(y[k]!);
  }
  const m = free.reduce((a, b) => a + b, 0) / Math.max(1, free.length);
  const rms = Math.sqrt(free.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, free.length));
  const mean = (c: Float64Array | undefined) => (c ? c.reduce((a, b) => a + b, 0) / c.length : NaN);
  const png = name.replace(/\.txt$/, ".spectrum.png");
  const series = [{ x, y, label: "Bs spectrum", step: true }];
  if (line) {
    const L = line;
    series.push({
      x,
      y: x.map((v) =>
        L.offset + L.slope * (v - L.center) + L.peak * Math.exp(-((v - L.center) ** 2) / (2 * L.sigma ** 2))
      ),
      label: "fit",
      step: false,
    });
  }
  sink.put(
    png,
    plotLines({
      title: line
        ? `${name}: ${fmt(line.peak, 3)} K at ${fmt(line.center)} km/s, rms ${fmt(rms, 3)} K`
        : name,
      xLabel: "VLSR (km/s)",
      yLabel: "T_A* (K)",
      series,
      hlines: [0],
      width: 800,
      height: 300,
    }),
  );
  // the whole band spans ~±1200 km/s: a line of a few km/s needs its own plot
  if (line) {
    sink.put(name.replace(/\.txt$/, ".spectrum_zoom.png"), plotLines(bsZoomPlotOpts(name, x, y, line)));
  }
  return { bank, file: name, line, rms, tsys1: mean(s.columns[2]), tsys2: mean(s.columns[3]) };
}

/**
 * Build the SEQ page for a directory (map or Bs); its plots go to `sink` (not awaited). The page
 * shows the plots it put and the other tools' images found in the directory.
 */
export async function seqPage(dir: string, label: string, sink: PlotSink): Promise<Page> {
  const files = readdirSync(dir).sort();
  const present = new Set(files);
  const plots = new PlotRecorder(sink);
  const rcName = files.find((f) => f === `lmtoy_${label}.rc`);
  const rc = rcName
    ? parseRc(readFileSync(join(dir, rcName), "utf8"), rcName).values
    : new Map<string, string>();
  const src = rc.get("src") ?? "?";
  const numbers: [string, string][] = [
    ["source", src],
    ["obsnum", label],
    ["program", rc.get("obspgm") ?? "?"],
    ["date (UT)", rc.get("date_obs") ?? "?"],
    ["integration", `${rc.get("inttime") ?? "?"} s`],
    ["tau", rc.get("tau") ?? "?"],
  ];
  const sections: Section[] = [];
  /** An image of another tool, when the directory has it. */
  const img = (src: string, caption: string) => (present.has(src) ? [{ src, caption }] : []);
  /** A plot of this page, when it was made. */
  const plot = (src: string, caption: string) => (plots.has(src) ? [{ src, caption }] : []);
  const cubes = files.filter((f) =>
    /__\d+(_L\d+)?\.fits$/.test(f) && !/\.(wt|smooth|radiometer\.rms)\.fits$/.test(f)
  );
  for (const c of cubes) {
    const base = c.replace(/\.fits$/, "");
    const bank = Number(base.match(/__(\d+)(_L\d+)?$/)![1]); // _Ln: one cube per linefreq= line
    const s = await summarizeSeqMap(dir, base, bank, plots);
    numbers.push(
      [`cube bank ${bank}`, `${s.nx}×${s.ny}×${s.nz}`],
      ["rms (line-free)", `${fmt(s.rms, 3)} K`],
    );
    if (s.line) {
      numbers.push(
        ["peak", `${fmt(s.line.peak)} ± ${fmt(s.line.errors.peak)} K`],
        ["v0", `${fmt(s.line.center)} km/s`],
        ["FWHM", `${fmt(s.line.fwhm)} km/s`],
        ["peak at", `(${fmt(s.peakX, 1)}″, ${fmt(s.peakY, 1)}″)`],
      );
    }
    const ts = s.tsys.filter(Number.isFinite);
    if (ts.length) numbers.push(["mean Tsys", `${fmt(ts.reduce((a, b) => a + b, 0) / ts.length, 1)} K`]);
    sections.push({
      title: `Cube ${c}`,
      text: `${s.nanCells} of ${s.nx * s.ny} cells have no data.`,
      images: [
        ...plot(`${base}.peak.png`, "peak temperature"),
        ...plot(`${base}.chan.png`, "channel map at the line peak"),
        ...plot(`${base}.spectrum.png`, "spectrum of the brightest cell with the Gaussian fit"),
        ...plot(`${base}.wt.png`, "weight map"),
        ...img(`${base}.mom0.png`, "masked moment 0 (seq_moments)"),
        ...img(`${base}.mom1.png`, "masked moment 1: velocity field"),
        ...img(`${base}.mom2.png`, "masked moment 2: velocity dispersion"),
        ...img(`${base}.viewspec.png`, "spectrum at location= (seq_viewspec)"),
        ...img(`${base}.wf.png`, "waterfall of the SpecFile: sample × velocity per pixel (make_spec_fits)"),
        ...img(`${base}_wf.png`, "waterfall of the SpecFile: sample × velocity per pixel (make_spec_fits)"),
      ],
    });
    if (s.tsys.length) {
      sections.push({
        title: `Tsys per pixel, bank ${bank} (K)`,
        table: { head: s.tsys.map((_, i) => String(i)), rows: [s.tsys.map((t) => fmt(t, 1))] },
        images: plot(`${base}.tsys.png`, "Tsys per pixel"),
      });
    }
  }
  const bss = files.filter((f) => /__\d+\.txt$/.test(f));
  for (const b of bss) {
    const bank = Number(b.match(/__(\d+)\.txt$/)![1]);
    const s = summarizeSeqBs(dir, b, bank, plots);
    numbers.push(["rms", `${fmt(s.rms, 3)} K`], ["Tsys", `${fmt(s.tsys1, 1)} / ${fmt(s.tsys2, 1)} K`]);
    if (s.line) {
      numbers.push(
        ["peak", `${fmt(s.line.peak, 3)} ± ${fmt(s.line.errors.peak, 3)} K`],
        ["v0", `${fmt(s.line.center)} km/s`],
        ["FWHM", `${fmt(s.line.fwhm)} km/s`],
      );
    }
    const pngs = files.filter((f) => /^bs-?\d+__\d+\.png$/.test(f));
    sections.push({
      title: `Bs spectrum ${b}`,
      images: [
        ...plot(b.replace(/\.txt$/, ".spectrum.png"), "Bs spectrum and Gaussian fit"),
        ...plot(b.replace(/\.txt$/, ".spectrum_zoom.png"), "zoom on the line with the Gaussian fit"),
        ...pngs.map((p) => ({
          src: p,
          // process_bs names its plot after --block: -1 the average of all blocks, -2 each block
          caption: /^bs-2__/.test(p)
            ? "Bs spectrum of each block (process_bs --block -2)"
            : /^bs-1__/.test(p)
            ? "Bs spectrum, average of all blocks (process_bs --block -1)"
            : `Bs spectrum of block ${p.match(/^bs(\d+)__/)?.[1] ?? "?"}`,
        })),
      ],
    });
  }
  return {
    title: `SEQ ${label} — ${src}`,
    subtitle: "reduced with lmt-slr-toolkit",
    numbers,
    sections,
    footer: `Generated ${new Date().toISOString().slice(0, 19)} UTC.`,
  };
}
