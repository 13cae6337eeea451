/**
 * The SpecFile: calibrated OTF spectra of one obsnum and bank with positions and header (seq.md §2.7).
 * The in-memory model and its netCDF write model (netCDF-4 as the original, or netCDF-3 CDF-2 for
 * pipes); reader.ts reads both back, writer.ts streams them to disk.
 *
 * netCDF-3 variant: a netCDF-3 file can have only one unlimited dimension and a 0-length dimension
 * IS the unlimited one, so there `ncal` is the record dimension (Data.Tsys is a record variable with
 * ncal records) and the `chan0` dimension is omitted when chan0 = 0; the global attributes `chan0`
 * and `nchan0` always carry the values, and the readers prefer them.
 *
 * @module
 */
import type { NcWriteModel, NcWriteVariable } from "../netcdf/types.ts";
import { lineDataVar, SPEC_VARS as V } from "./names.ts";

/** Version string written into `Header.Version` (the SpecFile layout version of the original). */
export const SPECFILE_VERSION = "29-may-2025";

/** `Header.LineData.*` values (Hz, km/s as in the original). */
export interface SpecLineData {
  bank: number;
  vSource: number;
  vSystem: number;
  zSource: number;
  lineRestFrequency: number;
  dopplerTrack: number;
  vBarycenter: number;
  vObservatory: number;
  skyFrequency: number;
  lo1Frequency: number;
  lo2Frequency: number;
  if1Frequency: number;
  if2Frequency: number;
  synthesizerFrequency: number;
  frequencyOffset: number;
  velocityOffset: number;
  sideband: number;
  nChannels: number;
  bandwidth: number;
  deltaFrequency: number;
  deltaVelocity: number;
  lsrFrameV0: number;
  barycenterFrameV0: number;
  skyFrameV0: number;
  xType: number;
}

/** A SpecFile in memory. Spectra are row-major `nspec × nchan`, Tsys `ncal × npix × nchan`. */
export interface SpecFile {
  version: string;
  history: string;
  obsNum: number;
  mapCoord: number;
  dumpTime: number;
  offX: number;
  offY: number;
  sourceName: string;
  /** Map centre in degrees (float32 on disk). */
  xPosition: number;
  yPosition: number;
  dateObs: string;
  receiver: string;
  nspec: number;
  nchan: number;
  nchan0: number;
  chan0: number;
  ncal: number;
  npix: number;
  channelNumber: Int32Array;
  cdelt: number;
  crpix: number;
  crval: number;
  ctype: string;
  caxis: Float64Array;
  line: SpecLineData;
  pixel: Int32Array;
  sequence: Int32Array;
  xPos: Float32Array;
  yPos: Float32Array;
  rms: Float32Array;
  spectra: Float32Array;
  tsys: Float32Array;
  /**
   * Scalar IFPROC Tsys by pixel id (run without a Tsys spectrum, ncal = 0). Only used to write a
   * netCDF-4 file with ncal = 0 and chan0 = 0 (see {@link specFileModel}).
   */
  scalarTsys?: Float64Array;
}

/**
 * Where a SpecFile is written while it is being computed (lib/seq/otf.ts `reduceOtfMapTo`): the
 * header first, then the spectra as blocks of contiguous rows (each pixel's rows in order; pixels
 * of one board interleave), then Data.RMS.
 */
export interface SpecFileSink {
  /** Preferred rows per block, read after begin(); blocks never cross a multiple of it (HDF5 chunks). */
  blockRows?: number | undefined;
  /** Everything but the spectra (`head.spectra` is empty; `head.rms` is filled during the run). */
  begin(head: SpecFile): Promise<void> | void;
  /** Rows [row0, row0+n) of Data.Spectra, n·nchan float32 values; `data` is reused after the call. */
  write(row0: number, n: number, data: Float32Array): void;
  /** All rows were written; `rms` is Data.RMS. */
  end(rms: Float32Array): Promise<void> | void;
  /** The run failed after begin(): discard any partial output. */
  abort(): void;
}

/**
 * The `Header.LineData.*` variables: field of {@link SpecLineData}, variable name after the prefix,
 * type on disk, units attribute. Written and read in this order.
 */
export const LINE_VARS: [keyof SpecLineData, string, "int" | "double", string | undefined][] = [
  ["bank", "Bank", "int", undefined],
  ["vSource", "VSource", "double", "km/s"],
  ["vSystem", "VSystem", "double", "km/s"],
  ["zSource", "ZSource", "double", "z"],
  ["lineRestFrequency", "LineRestFrequency", "double", "Hz"],
  ["dopplerTrack", "DopplerTrack", "int", "T/F"],
  ["vBarycenter", "VBarycenter", "double", "km/s"],
  ["vObservatory", "VObservatory", "double", "km/s"],
  ["skyFrequency", "SkyFrequency", "double", "Hz"],
  ["lo1Frequency", "LO1Frequency", "double", "Hz"],
  ["lo2Frequency", "LO2Frequency", "double", "Hz"],
  ["if1Frequency", "IF1Frequency", "double", "Hz"],
  ["if2Frequency", "IF2Frequency", "double", "Hz"],
  ["synthesizerFrequency", "SynthesizerFrequency", "double", "Hz"],
  ["frequencyOffset", "FrequencyOffset", "double", "Hz"],
  ["velocityOffset", "VelocityOffset", "double", "Hz"],
  ["sideband", "Sideband", "int", "USB/LSB"],
  ["nChannels", "NChannels", "int", undefined],
  ["bandwidth", "Bandwidth", "double", "Hz"],
  ["deltaFrequency", "DeltaFrequency", "double", "Hz"],
  ["deltaVelocity", "DeltaVelocity", "double", "km/s"],
  ["lsrFrameV0", "LSRFrameV0", "double", "km/s"],
  ["barycenterFrameV0", "BarycenterFrameV0", "double", "km/s"],
  ["skyFrameV0", "SkyFrameV0", "double", "km/s"],
  ["xType", "XType", "int", undefined],
];

/** Options of {@link specFileModel}. */
export interface SpecFileModelOptions {
  /** Leave `Data.Spectra` and `Data.RMS` without data, for a streaming writer to fill. */
  streaming?: boolean;
}

/**
 * The Data.Tsys layout to write: netCDF-4 cannot hold two unlimited dimensions, so a run without a
 * Tsys spectrum (ncal = 0) whose slice starts at channel 0 (chan0 = 0) gets one cal row holding each
 * pixel's scalar IFPROC Tsys over all channels (ncal = 1).
 */
function tsysLayout(sf: SpecFile, cdf3: boolean): { ncal: number; tsys: Float32Array } {
  if (cdf3 || sf.ncal > 0 || sf.chan0 > 0) return { ncal: sf.ncal, tsys: sf.tsys };
  const t = new Float32Array(sf.npix * sf.nchan);
  // rows of pixels not processed stay 0, as with a Tsys spectrum
  for (const p of new Set(sf.pixel)) {
    if (p >= 0 && p < sf.npix) t.fill(sf.scalarTsys?.[p] ?? 0, p * sf.nchan, (p + 1) * sf.nchan);
  }
  return { ncal: 1, tsys: t };
}

/**
 * The netCDF write model of a SpecFile. `flavour` "netcdf4" reproduces the original layout
 * (0-length ncal/chan0 are unlimited dims; with both 0, ncal = 1 as {@link tsysLayout});
 * "cdf3" follows the netCDF-3 rules of the module doc.
 */
export function specFileModel(
  sf: SpecFile,
  flavour: "netcdf4" | "cdf3" = "netcdf4",
  opts: SpecFileModelOptions = {},
): NcWriteModel {
  const scalar = (
    name: string,
    type: "int" | "float" | "double",
    value: number,
    attrs?: Record<string, string>,
  ): NcWriteVariable => ({
    name,
    type,
    dimensions: [],
    data: type === "int"
      ? new Int32Array([value])
      : type === "float"
      ? new Float32Array([value])
      : new Float64Array([value]),
    ...(attrs ? { attributes: attrs } : {}),
  });
  const text = (name: string, dim: string, value: string, max: number): NcWriteVariable => ({
    name,
    type: "char",
    dimensions: [dim],
    data: value.slice(0, max),
  });
  /** A float data variable with units; without data (streaming) when `data` is undefined. */
  const floatData = (
    name: string,
    dimensions: string[],
    data: Float32Array | undefined,
    units: string,
  ): NcWriteVariable => ({
    name,
    type: "float",
    dimensions,
    ...(data === undefined ? {} : { data }),
    attributes: { units },
  });
  const cdf3 = flavour === "cdf3";
  const { ncal, tsys } = tsysLayout(sf, cdf3);
  const open = opts.streaming === true;
  const dims: NcWriteModel["dimensions"] = [
    { name: "nspec", size: sf.nspec },
    { name: "nchan", size: sf.nchan },
    { name: "nlabel", size: 20 },
    { name: "nhist", size: 512 },
    { name: "npix", size: sf.npix },
    cdf3
      ? { name: "ncal", size: ncal, unlimited: true }
      : { name: "ncal", size: ncal, ...(ncal === 0 ? { unlimited: true } : {}) },
    { name: "nchan0", size: sf.nchan0 },
  ];
  if (!(cdf3 && sf.chan0 === 0)) {
    dims.push({ name: "chan0", size: sf.chan0, ...(!cdf3 && sf.chan0 === 0 ? { unlimited: true } : {}) });
  }
  const L = sf.line;
  const variables: NcWriteVariable[] = [
    text(V.version, "nlabel", sf.version, 19),
    text(V.history, "nhist", sf.history, 511),
    scalar(V.obsNum, "int", sf.obsNum),
    scalar(V.mapCoord, "int", sf.mapCoord),
    scalar(V.dumpTime, "float", sf.dumpTime),
    scalar(V.offX, "float", sf.offX),
    scalar(V.offY, "float", sf.offY),
    text(V.sourceName, "nlabel", sf.sourceName, 19),
    scalar(V.xPosition, "float", sf.xPosition),
    scalar(V.yPosition, "float", sf.yPosition),
    text(V.dateObs, "nlabel", sf.dateObs, 19),
    text(V.receiver, "nlabel", sf.receiver, 19),
    scalar(V.nChannels, "int", sf.nchan),
    {
      name: V.channelNumber,
      type: "int",
      dimensions: ["nchan"],
      data: sf.channelNumber,
      attributes: { long_name: "Channel Number" },
    },
    scalar(V.cdelt, "double", sf.cdelt),
    scalar(V.crpix, "double", sf.crpix),
    scalar(V.crval, "double", sf.crval),
    text(V.ctype, "nlabel", sf.ctype, 19),
    { name: V.caxis, type: "double", dimensions: ["nchan"], data: sf.caxis },
    ...LINE_VARS.map(([k, n, t, u]) =>
      t === "int" && n === "XType"
        ? { ...scalar(lineDataVar(n), t, L[k]), attributes: { long_name: "Axis Type" } }
        : scalar(lineDataVar(n), t, L[k], u ? { units: u } : undefined)
    ),
    { name: V.pixel, type: "int", dimensions: ["nspec"], data: sf.pixel },
    { name: V.sequence, type: "int", dimensions: ["nspec"], data: sf.sequence },
    floatData(V.xPos, ["nspec"], sf.xPos, "arcsec"),
    floatData(V.yPos, ["nspec"], sf.yPos, "arcsec"),
    floatData(V.rms, ["nspec"], open ? undefined : sf.rms, "K"),
    floatData(V.spectra, ["nspec", "nchan"], open ? undefined : sf.spectra, "K"),
    floatData(V.tsys, ["ncal", "npix", "nchan"], tsys, "K"),
  ];
  const model: NcWriteModel = { dimensions: dims, variables };
  if (cdf3) model.attributes = { chan0: sf.chan0, nchan0: sf.nchan0 };
  return model;
}
