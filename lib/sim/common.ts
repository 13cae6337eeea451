/**
 * Pieces shared by the RSR and SEQ raw-data generators: the speed of light, UTC and sidereal time at
 * the LMT, and a builder of netCDF header variables (strings with their own length dimension, 1-d
 * arrays, 0-d scalars), and the line record of synthetic SpecFiles.
 * @module
 */
import type { NcWriteModel, NcWriteVariable } from "../netcdf/types.ts";
import type { SpecLineData } from "../specfile/model.ts";

/** LMT site (longitude east, latitude), degrees. */
const LMT_LON_DEG = -97.31481, LMT_LAT_DEG = 18.98578;

/** LMT site latitude and east longitude, radians. */
export const LMT_SITE = { latRad: (LMT_LAT_DEG * Math.PI) / 180, lonRad: (LMT_LON_DEG * Math.PI) / 180 };

/** Parse "YYYY-MM-DDTHH:MM:SS" as UTC; returns epoch seconds. */
export function parseUtc(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)$/.exec(iso);
  if (!m) throw new Error(`bad date "${iso}" (expected YYYY-MM-DDTHH:MM:SS)`);
  // all six groups are mandatory, so a match defines each of them
  const sec = Number(m[6]!);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, Math.floor(sec)) / 1000 +
    (sec - Math.floor(sec));
}

/** Epoch seconds → "YYYY-MM-DDTHH:MM:SS" (UTC, truncated to the second). */
export function formatUtc(t: number): string {
  return new Date(Math.floor(t) * 1000).toISOString().slice(0, 19);
}

/** Decimal year as LMT writes `Header.TimePlace.UTDate` (days elapsed / days in year). */
export function decimalYear(t: number): number {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear();
  const start = Date.UTC(y, 0, 1) / 1000, end = Date.UTC(y + 1, 0, 1) / 1000;
  return y + (t - start) / (end - start);
}

/** Greenwich mean sidereal time (radians) at epoch seconds t (IAU 1982, good to ~0.1 s). */
export function gmstRad(t: number): number {
  const jd = t / 86400 + 2440587.5;
  const d = jd - 2451545.0;
  const gmstDeg = 280.46061837 + 360.98564736629 * d;
  return (((gmstDeg % 360) + 360) % 360) * Math.PI / 180;
}

/** Local sidereal time at the LMT (radians). */
export function lmtLstRad(t: number): number {
  const l = gmstRad(t) + (LMT_LON_DEG * Math.PI) / 180;
  return ((l % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
}

/** UT of epoch seconds t as an angle of the day (radians). */
export function utHoursRad(t: number): number {
  const s = ((t % 86400) + 86400) % 86400;
  return (s / 86400) * 2 * Math.PI;
}

/**
 * Collects the header dimensions and variables of a generated netCDF file, in the order they are
 * added. A string variable gets its own length dimension `<name><strDimSuffix>` (the RSR files use
 * `_slen`, IFPROC `_xlen`), a 1-d array `<name>_xlen`.
 */
export class NcHeaderBuilder {
  /** Dimensions added so far. */
  dims: { name: string; size: number; unlimited?: boolean }[] = [];
  /** Variables added so far. */
  vars: NcWriteVariable[] = [];
  #dataDims: { name: string; size: number; unlimited?: boolean }[] = [];
  readonly #strDimSuffix: string;

  constructor(strDimSuffix = "_slen") {
    this.#strDimSuffix = strDimSuffix;
  }

  /** char variable with a `<name><suffix>` dimension, space padded (or cut) to `len`. */
  str(name: string, value: string, len: number, dimSuffix = this.#strDimSuffix): void {
    const d = name + dimSuffix;
    this.dims.push({ name: d, size: len });
    this.vars.push({ name, type: "char", dimensions: [d], data: value.padEnd(len, " ").slice(0, len) });
  }
  /** numeric 1-d header array with a `<name>_xlen` dimension, `units` attribute when given. */
  arr(name: string, type: "int" | "double", values: number[], units?: string): void {
    const d = name + "_xlen";
    this.dims.push({ name: d, size: values.length });
    this.vars.push({
      name,
      type,
      dimensions: [d],
      data: type === "int" ? Int32Array.from(values) : Float64Array.from(values),
      ...(units ? { attributes: { units } } : {}),
    });
  }
  /** numeric 0-d scalar. */
  scalar(name: string, type: "int" | "double", value: number, attributes?: Record<string, string>): void {
    this.vars.push({
      name,
      type,
      dimensions: [],
      data: type === "int" ? Int32Array.of(value) : Float64Array.of(value),
      ...(attributes ? { attributes } : {}),
    });
  }
  /** int 0-d scalar. */
  int(name: string, v: number): void {
    this.scalar(name, "int", v);
  }
  /** double 0-d scalar, `units` attribute when given. */
  dbl(name: string, v: number, units?: string): void {
    this.scalar(name, "double", v, units ? { units } : undefined);
  }
  /** A data dimension, listed after every header dimension in {@link model}. */
  dataDim(name: string, size: number, unlimited = false): void {
    this.#dataDims.push(unlimited ? { name, size, unlimited: true } : { name, size });
  }
  /** Header dimensions, then data dimensions, and the variables. */
  model(): NcWriteModel {
    return { dimensions: [...this.dims, ...this.#dataDims], variables: this.vars };
  }
}

/** A SpecFile line record (`Header.LineData.*`) for synthetic SpecFiles: every field 0 but those given. */
export function simSpecLine(fields: Partial<SpecLineData>): SpecLineData {
  return {
    bank: 0,
    vSource: 0,
    vSystem: 0,
    zSource: 0,
    lineRestFrequency: 0,
    dopplerTrack: 0,
    vBarycenter: 0,
    vObservatory: 0,
    skyFrequency: 0,
    lo1Frequency: 0,
    lo2Frequency: 0,
    if1Frequency: 0,
    if2Frequency: 0,
    synthesizerFrequency: 0,
    frequencyOffset: 0,
    velocityOffset: 0,
    sideband: 0,
    nChannels: 0,
    bandwidth: 0,
    deltaFrequency: 0,
    deltaVelocity: 0,
    lsrFrameV0: 0,
    barycenterFrameV0: 0,
    skyFrameV0: 0,
    xType: 0,
    ...fields,
  };
}
