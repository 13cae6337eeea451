/**
 * The SpecFile: calibrated OTF spectra of one obsnum and bank with positions and header (seq.md §2.7).
 * Model, netCDF write model (netCDF-4 as the original, or netCDF-3 CDF-2 for pipes) and reader.
 *
 * netCDF-3 variant: a netCDF-3 file can have only one unlimited dimension and a 0-length dimension
 * IS the unlimited one, so there `ncal` is the record dimension (Data.Tsys is a record variable with
 * ncal records) and the `chan0` dimension is omitted when chan0 = 0; the global attributes `chan0`
 * and `nchan0` always carry the values, and {@link readSpecFile} prefers them.
 *
 * @module
 */
import type { NcFile, NcWriteModel, NcWriteVariable } from "../netcdf/types.ts";
import { SeqDataError } from "./errors.ts";
import { openNetcdf, openNetcdfBytes } from "../netcdf/mod.ts";

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

const LINE_VARS: [keyof SpecLineData, string, "int" | "double", string | undefined][] = [
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
    text("Header.Version", "nlabel", sf.version, 19),
    text("Header.History", "nhist", sf.history, 511),
    scalar("Header.Obs.ObsNum", "int", sf.obsNum),
    scalar("Header.Obs.MapCoord", "int", sf.mapCoord),
    scalar("Header.Obs.DumpTime", "float", sf.dumpTime),
    scalar("Header.Obs.OffX", "float", sf.offX),
    scalar("Header.Obs.OffY", "float", sf.offY),
    text("Header.Obs.SourceName", "nlabel", sf.sourceName, 19),
    scalar("Header.Obs.XPosition", "float", sf.xPosition),
    scalar("Header.Obs.YPosition", "float", sf.yPosition),
    text("Header.Obs.DateObs", "nlabel", sf.dateObs, 19),
    text("Header.Obs.Receiver", "nlabel", sf.receiver, 19),
    scalar("Header.Line.NChannels", "int", sf.nchan),
    {
      name: "Header.Line.ChannelNumber",
      type: "int",
      dimensions: ["nchan"],
      data: sf.channelNumber,
      attributes: { long_name: "Channel Number" },
    },
    scalar("Header.SpectrumAxis.CDELT", "double", sf.cdelt),
    scalar("Header.SpectrumAxis.CRPIX", "double", sf.crpix),
    scalar("Header.SpectrumAxis.CRVAL", "double", sf.crval),
    text("Header.SpectrumAxis.CTYPE", "nlabel", sf.ctype, 19),
    { name: "Header.SpectrumAxis.CAXIS", type: "double", dimensions: ["nchan"], data: sf.caxis },
    ...LINE_VARS.map(([k, n, t, u]) =>
      t === "int" && n === "XType"
        ? { ...scalar(`Header.LineData.${n}`, t, L[k]), attributes: { long_name: "Axis Type" } }
        : scalar(`Header.LineData.${n}`, t, L[k], u ? { units: u } : undefined)
    ),
    { name: "Data.Pixel", type: "int", dimensions: ["nspec"], data: sf.pixel },
    { name: "Data.Sequence", type: "int", dimensions: ["nspec"], data: sf.sequence },
    floatData("Data.XPos", ["nspec"], sf.xPos, "arcsec"),
    floatData("Data.YPos", ["nspec"], sf.yPos, "arcsec"),
    floatData("Data.RMS", ["nspec"], open ? undefined : sf.rms, "K"),
    floatData("Data.Spectra", ["nspec", "nchan"], open ? undefined : sf.spectra, "K"),
    floatData("Data.Tsys", ["ncal", "npix", "nchan"], tsys, "K"),
  ];
  const model: NcWriteModel = { dimensions: dims, variables };
  if (cdf3) model.attributes = { chan0: sf.chan0, nchan0: sf.nchan0 };
  return model;
}

function num(nc: NcFile, name: string, dflt?: number): number {
  if (nc.has(name)) return nc.readScalar(name);
  if (dflt !== undefined) return dflt;
  throw new SeqDataError(`${nc.path}: not a SpecFile: variable ${name} is missing`);
}

/** Read a SpecFile from an open netCDF file (netCDF-4 or the netCDF-3 variant). */
export function specFileFromNc(nc: NcFile): SpecFile {
  const dim = (n: string): number | undefined => nc.dimensions.get(n)?.size;
  for (const v of ["Data.Spectra", "Data.XPos", "Data.YPos", "Data.Pixel", "Data.RMS"]) {
    if (!nc.has(v)) throw new SeqDataError(`${nc.path}: not a SpecFile: variable ${v} is missing`);
  }
  const attrNum = (n: string): number | undefined => {
    const a = nc.attributes.get(n);
    return typeof a === "number" ? a : Array.isArray(a) && typeof a[0] === "number" ? a[0] : undefined;
  };
  const shape = nc.variable("Data.Spectra").shape;
  const nspec = shape[0]!, nchan = shape[1]!;
  const i32 = (n: string) => Int32Array.from(nc.readNumbers(n));
  const f32 = (n: string) => Float32Array.from(nc.readNumbers(n));
  const s = (n: string) => (nc.has(n) ? nc.readString(n) : "");
  const line = {} as SpecLineData;
  for (const [k, n] of LINE_VARS) line[k] = num(nc, `Header.LineData.${n}`, NaN);
  const tsys = nc.has("Data.Tsys") ? f32("Data.Tsys") : new Float32Array(0);
  const npix = dim("npix") ?? 16;
  return {
    version: s("Header.Version"),
    history: s("Header.History"),
    obsNum: num(nc, "Header.Obs.ObsNum", 0),
    mapCoord: num(nc, "Header.Obs.MapCoord", 1),
    dumpTime: num(nc, "Header.Obs.DumpTime", 0.1),
    offX: num(nc, "Header.Obs.OffX", 0),
    offY: num(nc, "Header.Obs.OffY", 0),
    sourceName: s("Header.Obs.SourceName"),
    xPosition: num(nc, "Header.Obs.XPosition", 0),
    yPosition: num(nc, "Header.Obs.YPosition", 0),
    dateObs: s("Header.Obs.DateObs"),
    receiver: s("Header.Obs.Receiver"),
    nspec,
    nchan,
    nchan0: attrNum("nchan0") ?? dim("nchan0") ?? nchan,
    chan0: attrNum("chan0") ?? dim("chan0") ?? 0,
    ncal: tsys.length / (npix * nchan) || 0,
    npix,
    channelNumber: nc.has("Header.Line.ChannelNumber")
      ? i32("Header.Line.ChannelNumber")
      : new Int32Array(nchan),
    cdelt: num(nc, "Header.SpectrumAxis.CDELT"),
    crpix: num(nc, "Header.SpectrumAxis.CRPIX"),
    crval: num(nc, "Header.SpectrumAxis.CRVAL"),
    ctype: s("Header.SpectrumAxis.CTYPE"),
    caxis: nc.has("Header.SpectrumAxis.CAXIS")
      ? nc.readNumbers("Header.SpectrumAxis.CAXIS")
      : new Float64Array(nchan),
    line,
    pixel: i32("Data.Pixel"),
    sequence: nc.has("Data.Sequence") ? i32("Data.Sequence") : new Int32Array(nspec),
    xPos: f32("Data.XPos"),
    yPos: f32("Data.YPos"),
    rms: f32("Data.RMS"),
    spectra: f32("Data.Spectra"),
    tsys,
  };
}

/**
 * Read a SpecFile from a path or from bytes (e.g. stdin; `name` is used in messages).
 *
 * @example
 * ```ts
 * const sf = await readSpecFile("SAMPLE-OTF_97001__0.nc");
 * sf.nspec; // 2720
 * ```
 */
export async function readSpecFile(src: string | Uint8Array, name = "<stdin>"): Promise<SpecFile> {
  const nc = typeof src === "string" ? await openNetcdf(src) : await openNetcdfBytes(src, name);
  try {
    return specFileFromNc(nc);
  } finally {
    nc.close();
  }
}
