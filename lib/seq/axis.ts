/**
 * The spectral axis of a SEQ bank (seq.md §2.5): frame velocities, channel ↔ velocity/frequency
 * and the v2c rule with numpy's round-half-to-even.
 *
 * @module
 */
import type { IfprocHeader } from "./ifproc.ts";
import { SeqDataError } from "./errors.ts";
import { C_KMS } from "../num/constants.ts";

/** Names accepted by `--x_axis`. */
export const X_AXES = ["VLSR", "VBARY", "VSKY", "VSRC", "FSKY", "FLSR", "FBARY", "FSRC"] as const;
/** One of {@link X_AXES}. */
export type XAxisName = typeof X_AXES[number];

/** Axis parameters of one bank. Frequencies in Hz, velocities in km/s. */
export interface SpectralAxis {
  nchan: number;
  bank: number;
  frest: number;
  fsky: number;
  foff: number;
  voff: number;
  bw: number;
  ch0: number;
  dfdc: number;
  dvdc: number;
  vsrc: number;
  vbary: number;
  vobs: number;
  velSys: number;
  v0Lsr: number;
  v0Bary: number;
  v0Sky: number;
  sideband: number;
}

/** Build the axis of `bank` from the IFPROC header and the roach channel count/bandwidth (MHz). */
export function spectralAxis(
  h: IfprocHeader,
  bank: number,
  nchan: number,
  bandwidthMHz: number,
): SpectralAxis {
  const frest = h.lineFreq[bank]! * 1e9;
  const fsky = h.skyFreq[bank]! * 1e9;
  const foff = h.lineOffset[bank]! * 1e9;
  if (!(frest > 0)) {
    throw new SeqDataError(
      `${h.path}: Header.${h.receiver}.LineFreq[${bank}] is ${h.lineFreq[bank]}: bank ${bank} is not in use`,
    );
  }
  const voff = -foff / frest * C_KMS;
  const bw = bandwidthMHz * 1e6;
  const ch0 = (nchan - 1) / 2;
  const sideband = h.sideBand1Lo[bank] ?? 0;
  const dfdc = sideband === 1 ? -bw / nchan : bw / nchan;
  const dvdc = -dfdc / frest * C_KMS;
  const vsrc = h.velocity, vbary = h.baryVel, vobs = h.obsVel;
  let v0Lsr: number, v0Bary: number, v0Sky: number;
  if (h.velSys === 0) {
    v0Lsr = vsrc;
    v0Bary = vsrc + vbary;
    v0Sky = vobs + vsrc;
  } else if (h.velSys === 1) {
    v0Lsr = vsrc + vbary;
    v0Bary = vsrc;
    v0Sky = vobs + vsrc - vbary;
  } else {
    throw new SeqDataError(
      `${h.path}: Header.Source.VelSys is ${h.velSys}; only 0 (LSR) and 1 (barycentric) are supported`,
    );
  }
  return {
    nchan,
    bank,
    frest,
    fsky,
    foff,
    voff,
    bw,
    ch0,
    dfdc,
    dvdc,
    vsrc,
    vbary,
    vobs,
    velSys: h.velSys,
    v0Lsr,
    v0Bary,
    v0Sky,
    sideband,
  };
}

/** The default axis name: VLSR for VelSys 0, VBARY for VelSys 1. */
export function defaultAxisName(a: SpectralAxis): XAxisName {
  return a.velSys === 1 ? "VBARY" : "VLSR";
}

/** Name written into files for an axis (the original writes `VSRCE`, `FSRCE`, and `FLSR` for FBARY). */
export function axisLabel(name: XAxisName): string {
  return name === "VSRC" ? "VSRCE" : name === "FSRC" ? "FSRCE" : name;
}

/** The axis name of a SpecFile CTYPE (inverse of {@link axisLabel}); unknown names → undefined. */
export function axisOfLabel(ctype: string): XAxisName | undefined {
  const t = ctype.trim().toUpperCase().replace(/^([VF]SRC)E$/, "$1");
  return (X_AXES as readonly string[]).includes(t) ? (t as XAxisName) : undefined;
}

/** FITS SPECSYS of an axis' frame: LSR → LSRK, BARY → BARYCENT, SKY → TOPOCENT, SRC → SOURCE. */
export function axisSpecsys(name: XAxisName): "LSRK" | "BARYCENT" | "TOPOCENT" | "SOURCE" {
  const f = name.slice(1);
  return f === "LSR" ? "LSRK" : f === "BARY" ? "BARYCENT" : f === "SKY" ? "TOPOCENT" : "SOURCE";
}

/** True for the frequency axes. */
export function isFrequencyAxis(name: XAxisName): boolean {
  return name.startsWith("F");
}

/**
 * The velocity axis of the same frame (FLSR → VLSR, FBARY → VBARY, FSKY → VSKY, FSRC → VSRC; a
 * velocity axis is returned as is). Velocity windows (--slice, --b_regions) of a frequency axis are
 * given on this axis.
 */
export function velocityFrameOf(name: XAxisName): XAxisName {
  return isFrequencyAxis(name) ? (`V${name.slice(1)}` as XAxisName) : name;
}

/**
 * Sky frequency (Hz) of the centre channel as Doppler tracked: the line LineFreq at the frame
 * velocity v0_sky, plus LineOffset — fc = frest·(1 − (v0_sky + voff)/c). This is the sky frequency
 * the velocity axes assume; header SkyFreq should agree (see {@link skyFreqMismatchChannels}).
 */
export function trackedCentreFrequency(a: SpectralAxis): number {
  return a.frest * (1 - (a.v0Sky + a.voff) / C_KMS);
}

/** (header SkyFreq − tracked centre frequency) in channels. */
export function skyFreqMismatchChannels(a: SpectralAxis): number {
  return (a.fsky - trackedCentreFrequency(a)) / Math.abs(a.dfdc);
}

/**
 * The axis of the same band for another line of rest frequency `restHz` (the `--restfreq` option):
 * every channel keeps its sky frequency f_sky(i) = fc + (i − ch0)·dfdc (fc from
 * {@link trackedCentreFrequency}), and its velocity for the new line is the radio velocity
 * c·(1 − f_sky(i)/restHz) in the sky frame, moved to the other frames by the same frame velocities as
 * the header line (v_X = v_sky − (v0_sky − v0_X)). So frest = restHz, dvdc = −dfdc/restHz·c and
 * voff = c·(1 − fc/restHz) − v0_sky; with restHz = LineFreq the axis is unchanged (to rounding).
 */
export function lineAxis(a: SpectralAxis, restHz: number): SpectralAxis {
  if (!(restHz > 0) || !Number.isFinite(restHz)) {
    throw new RangeError(`rest frequency ${restHz} Hz must be > 0`);
  }
  const fc = trackedCentreFrequency(a);
  return {
    ...a,
    frest: restHz,
    dvdc: -a.dfdc / restHz * C_KMS,
    voff: C_KMS * (1 - fc / restHz) - a.v0Sky,
  };
}

/**
 * Sky-frequency range (Hz, [low, high]) covered by the band's channel centres, from the tracked
 * centre frequency.
 */
export function skyBand(a: SpectralAxis): [number, number] {
  const fc = trackedCentreFrequency(a);
  const e0 = fc - a.ch0 * a.dfdc, e1 = fc + a.ch0 * a.dfdc;
  return [Math.min(e0, e1), Math.max(e0, e1)];
}

/** Values of the named axis for every channel 0..nchan−1 (km/s or Hz). */
export function axisValues(a: SpectralAxis, name: XAxisName): Float64Array {
  const x = new Float64Array(a.nchan);
  const c = C_KMS;
  for (let i = 0; i < a.nchan; i++) {
    const d = i - a.ch0;
    switch (name) {
      case "VLSR":
        x[i] = d * a.dvdc + a.v0Lsr + a.voff;
        break;
      case "VBARY":
        x[i] = d * a.dvdc + a.v0Bary + a.voff;
        break;
      case "VSKY":
        x[i] = d * a.dvdc + a.v0Sky + a.voff;
        break;
      case "VSRC":
        x[i] = d * a.dvdc + a.voff;
        break;
      case "FSKY":
        x[i] = d * a.dfdc + a.fsky;
        break;
      case "FLSR":
        x[i] = d * a.dfdc + a.fsky + a.frest / c * (a.v0Sky - a.v0Lsr);
        break;
      case "FBARY":
        x[i] = d * a.dfdc + a.fsky + a.frest / c * (a.v0Sky - a.v0Bary);
        break;
      case "FSRC":
        x[i] = d * a.dfdc + a.fsky + a.frest / c * a.v0Sky;
        break;
    }
  }
  return x;
}

/** Velocity at the centre channel for a velocity axis (v0 + voff). */
export function axisV0(a: SpectralAxis, name: XAxisName): number {
  switch (name) {
    case "VLSR":
      return a.v0Lsr + a.voff;
    case "VBARY":
      return a.v0Bary + a.voff;
    case "VSKY":
      return a.v0Sky + a.voff;
    case "VSRC":
      return a.voff;
    default:
      throw new SeqDataError(`velocity slicing is not possible on the frequency axis ${name}`);
  }
}

/** numpy's round (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/** Channel of velocity v on a velocity axis: round-half-even((v − v0)/dvdc + ch0). */
export function v2c(a: SpectralAxis, name: XAxisName, v: number): number {
  return roundHalfEven((v - axisV0(a, name)) / a.dvdc + a.ch0);
}

/**
 * The channel slice [c0, c1) for a velocity window (either order), clipped to the band.
 * Throws when nothing of the window lies inside the band.
 */
export function velocitySlice(
  a: SpectralAxis,
  name: XAxisName,
  v0: number,
  v1: number,
): { c0: number; c1: number; clipped: boolean } {
  let c0 = v2c(a, name, v0), c1 = v2c(a, name, v1);
  if (c0 > c1) [c0, c1] = [c1, c0];
  const k0 = Math.max(0, c0), k1 = Math.min(a.nchan, c1);
  if (k1 - k0 < 2) {
    const x = axisValues(a, name);
    const lo = Math.min(x[0]!, x[a.nchan - 1]!), hi = Math.max(x[0]!, x[a.nchan - 1]!);
    throw new SeqDataError(
      `slice [${v0},${v1}] km/s lies outside the band (${lo.toFixed(2)} .. ${hi.toFixed(2)} km/s)`,
    );
  }
  return { c0: k0, c1: k1, clipped: k0 !== c0 || k1 !== c1 };
}
