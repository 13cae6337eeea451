/**
 * A small synthetic SEQ SpecFile (in memory) for the SDFITS tests: 4 pixels on a raster around
 * (83.8°, −5.4°), a Gaussian line, float32 noise, Tsys spectra per pixel. Deterministic.
 */
import type { SpecFile } from "../../../lib/specfile/mod.ts";
import { specFileModel } from "../../../lib/specfile/mod.ts";
import { writeNetcdf3Sync } from "../../../lib/netcdf/cdf3_writer.ts";
import { simSpecLine } from "../../../lib/sim/common.ts";

/** Deterministic uniform numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The fixture SpecFile: nx×ny raster positions per pixel (6″ steps), nchan channels. */
export function fixtureSpecFile(nx = 12, ny = 10, nchan = 64): SpecFile {
  const pixels = [0, 3, 5, 10];
  const nspec = pixels.length * nx * ny;
  const rnd = lcg(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const spectra = new Float32Array(nspec * nchan);
  const xPos = new Float32Array(nspec), yPos = new Float32Array(nspec), rms = new Float32Array(nspec);
  const pixel = new Int32Array(nspec), sequence = new Int32Array(nspec);
  let i = 0;
  for (const p of pixels) {
    for (let j = 0; j < nx * ny; j++) {
      const x = ((j % nx) - nx / 2) * 6 + p * 1.3, y = (Math.floor(j / nx) - ny / 2) * 6 - p * 0.7;
      xPos[i] = x;
      yPos[i] = y;
      pixel[i] = p;
      sequence[i] = j;
      const amp = 2 * Math.exp(-(x * x + y * y) / (2 * 20 * 20));
      for (let k = 0; k < nchan; k++) {
        spectra[i * nchan + k] = amp * Math.exp(-((k - nchan / 2) ** 2) / 18) + 0.1 * gauss();
      }
      rms[i] = 0.1 * (1 + 0.2 * rnd());
      i++;
    }
  }
  const npix = 16;
  const tsys = new Float32Array(npix * nchan);
  for (let p = 0; p < npix; p++) for (let k = 0; k < nchan; k++) tsys[p * nchan + k] = 150 + 3 * p + 0.1 * k;
  const line = simSpecLine({
    bank: 1,
    vSource: 10,
    vSystem: 10,
    lineRestFrequency: 115.2712018e9,
    skyFrequency: 115.26e9,
    nChannels: 2048,
    bandwidth: 800e6,
    deltaFrequency: 390625,
    deltaVelocity: -1.0159,
    lsrFrameV0: 10,
    barycenterFrameV0: 10,
    skyFrameV0: 10,
  });
  const crval = 10 - 1.0159 * (nchan / 2), cdelt = 1.0159;
  return {
    version: "29-may-2025",
    history: "fixture",
    obsNum: 97001,
    mapCoord: 1,
    dumpTime: 0.1,
    offX: 0,
    offY: 0,
    sourceName: "FIXTURE",
    xPosition: Math.fround(83.8),
    yPosition: Math.fround(-5.4),
    dateObs: "2026-03-01T04:00:00",
    receiver: "Sequoia",
    nspec,
    nchan,
    nchan0: 2048,
    chan0: 992,
    ncal: 1,
    npix,
    channelNumber: Int32Array.from({ length: nchan }, (_, k) => 992 + k),
    cdelt,
    crpix: 0,
    crval,
    ctype: "VLSR",
    caxis: Float64Array.from({ length: nchan }, (_, k) => crval + k * cdelt),
    line,
    pixel,
    sequence,
    xPos,
    yPos,
    rms,
    spectra,
    tsys,
  };
}

/** Write the fixture as a netCDF-3 SpecFile. */
export function writeFixtureSpecFile(path: string, sf: SpecFile = fixtureSpecFile()): void {
  writeNetcdf3Sync(path, specFileModel(sf, "cdf3"));
}
