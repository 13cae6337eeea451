/**
 * A synthetic SpecFile of a map with a Gaussian source at a known sky position, written straight as
 * calibrated spectra (no raw data): for gridder geometry tests that need a source several arcmin
 * from the map centre (a raw OTF map that large would take minutes to generate and reduce).
 *
 * Positions follow the LMT map-offset convention of lib/sim/seq.ts: a dump at offsets (x, y) arcsec
 * looks at RA = RA0 + x/cos(Dec0), Dec = Dec0 + y. The source brightness at a dump is a circular
 * Gaussian in the true angular distance between the dump's sky position and the source.
 *
 * @example
 * ```ts
 * import { writeNetcdf3Sync } from "../netcdf/cdf3_writer.ts";
 * import { specFileModel } from "../specfile/model.ts";
 *
 * const { specFile, truth } = simSpecMap({ source: { raDeg: 198.07, decDeg: 38.04 } });
 * writeNetcdf3Sync(`${Deno.makeTempDirSync()}/map.nc`, specFileModel(specFile, "cdf3"), { format: "cdf2" });
 * ```
 * @module
 */
import { type SpecFile, SPECFILE_VERSION } from "../specfile/mod.ts";
import { Rng } from "./rng.ts";
import { C_KMS } from "../num/constants.ts";
import { simSpecLine } from "./common.ts";

const D2R = Math.PI / 180;

/** Options of {@link simSpecMap}. */
export interface SpecMapOptions {
  /** Map centre (deg); default (198, 38). */
  raDeg?: number;
  decDeg?: number;
  /** The source: sky position (deg), FWHM (arcsec), peak (K), line centre and FWHM (km/s). */
  source: {
    raDeg: number;
    decDeg: number;
    fwhmArcsec?: number;
    peakK?: number;
    vKms?: number;
    fwhmKms?: number;
  };
  /** Half size (arcsec) of the sampled box around the source and the sampling step (arcsec). */
  boxArcsec?: number;
  stepArcsec?: number;
  /** Channels and channel width (km/s); the axis is centred on vlsr. */
  nchan?: number;
  dvKms?: number;
  vlsrKms?: number;
  /** Gaussian noise per spectrum value (K); default 0. */
  noiseK?: number;
  seed?: number;
  restFreqHz?: number;
}

/** What was injected. */
export interface SpecMapTruth {
  raDeg: number;
  decDeg: number;
  sourceRaDeg: number;
  sourceDecDeg: number;
  /** The source's LMT map offsets (arcsec). */
  sourceDx: number;
  sourceDy: number;
  peakK: number;
  vKms: number;
  fwhmKms: number;
  fwhmArcsec: number;
}

/** Angular distance (arcsec) between two sky positions (deg). */
function separation(l1: number, b1: number, l2: number, b2: number): number {
  const s = Math.sin((b2 - b1) * D2R / 2) ** 2 +
    Math.cos(b1 * D2R) * Math.cos(b2 * D2R) * Math.sin((l2 - l1) * D2R / 2) ** 2;
  return 2 * Math.asin(Math.sqrt(s)) / D2R * 3600;
}

/** Build the SpecFile (pixel 0 only, one spectrum per sampled position) and its truth. */
export function simSpecMap(o: SpecMapOptions): { specFile: SpecFile; truth: SpecMapTruth } {
  const ra0 = o.raDeg ?? 198, dec0 = o.decDeg ?? 38;
  const src = o.source;
  const fwhm = src.fwhmArcsec ?? 20, peak = src.peakK ?? 2, v0 = src.vKms ?? 10, fwhmV = src.fwhmKms ?? 8;
  const nchan = o.nchan ?? 64, dv = o.dvKms ?? 1, vlsr = o.vlsrKms ?? 0;
  const box = o.boxArcsec ?? 60, step = o.stepArcsec ?? 3;
  const restFreq = o.restFreqHz ?? 115.2712018e9;
  const sdx = (src.raDeg - ra0) * Math.cos(dec0 * D2R) * 3600, sdy = (src.decDeg - dec0) * 3600;
  const xs: number[] = [], ys: number[] = [];
  const n1 = Math.round(box / step);
  for (let j = -n1; j <= n1; j++) {
    for (let i = -n1; i <= n1; i++) {
      xs.push(sdx + i * step);
      ys.push(sdy + j * step);
    }
  }
  const nspec = xs.length;
  const crpix = (nchan - 1) / 2; // 0-based, value vlsr there
  const caxis = Float64Array.from({ length: nchan }, (_, k) => vlsr + (k - crpix) * dv);
  const rng = new Rng([o.seed ?? 1, 4711]);
  const spectra = new Float32Array(nspec * nchan);
  const sig = fwhm / 2.3548200450309493, sigV = fwhmV / 2.3548200450309493;
  for (let s = 0; s < nspec; s++) {
    const ra = ra0 + xs[s]! / 3600 / Math.cos(dec0 * D2R), dec = dec0 + ys[s]! / 3600;
    const r = separation(ra, dec, src.raDeg, src.decDeg);
    const a = peak * Math.exp(-0.5 * (r / sig) ** 2);
    for (let k = 0; k < nchan; k++) {
      const noise = o.noiseK ? o.noiseK * rng.normal() : 0;
      spectra[s * nchan + k] = a * Math.exp(-0.5 * ((caxis[k]! - v0) / sigV) ** 2) + noise;
    }
  }
  const df = -restFreq * dv / C_KMS;
  const line = simSpecLine({
    vSource: vlsr,
    lineRestFrequency: restFreq,
    skyFrequency: restFreq,
    nChannels: nchan,
    bandwidth: Math.abs(df) * nchan,
    deltaFrequency: df,
    deltaVelocity: dv,
  });
  const specFile: SpecFile = {
    version: SPECFILE_VERSION,
    history: "simSpecMap (lib/sim/specmap.ts)",
    obsNum: 1,
    mapCoord: 1,
    dumpTime: 0.1,
    offX: 0,
    offY: 0,
    sourceName: "SIM-SPECMAP",
    xPosition: ra0,
    yPosition: dec0,
    dateObs: "2025-04-20T07:40:00",
    receiver: "Sequoia",
    nspec,
    nchan,
    nchan0: nchan,
    chan0: 0,
    ncal: 1,
    npix: 1,
    channelNumber: Int32Array.from({ length: nchan }, (_, k) => k),
    cdelt: dv,
    crpix,
    crval: vlsr,
    ctype: "VLSR",
    caxis,
    line,
    pixel: new Int32Array(nspec),
    sequence: Int32Array.from({ length: nspec }, (_, s) => s),
    xPos: Float32Array.from(xs),
    yPos: Float32Array.from(ys),
    rms: new Float32Array(nspec).fill(o.noiseK || 0.1),
    spectra,
    tsys: new Float32Array(nchan).fill(150),
  };
  return {
    specFile,
    truth: {
      raDeg: ra0,
      decDeg: dec0,
      sourceRaDeg: src.raDeg,
      sourceDecDeg: src.decDeg,
      sourceDx: sdx,
      sourceDy: sdy,
      peakK: peak,
      vKms: v0,
      fwhmKms: fwhmV,
      fwhmArcsec: fwhm,
    },
  };
}
