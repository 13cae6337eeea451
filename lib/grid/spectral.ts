/**
 * What a SpecFile's spectral axis is, from `Header.SpectrumAxis.CTYPE` as process_otf_map writes it
 * (`--x_axis`): VLSR, VBARY, VSKY, VSRCE are velocities in km/s, FLSR, FBARY, FSKY, FSRCE frequencies in
 * Hz, each in a reference frame that becomes the cube's SPECSYS. Unknown names (older writers) are
 * taken as an LSR velocity, as the C gridder assumed for every file.
 *
 * @example
 * ```ts
 * specAxisKind("FSKY"); // { kind: "frequency", specsys: "TOPOCENT", name: "FSKY" }
 * specAxisKind("VLSR"); // { kind: "velocity", specsys: "LSRK", name: "VLSR" }
 * ```
 * @module
 */

/** Spectral reference frames of the SpecFile axes (FITS SPECSYS values). */
export type SpecSys = "LSRK" | "BARYCENT" | "TOPOCENT" | "SOURCE";

/** Kind, frame and name of a SpecFile axis. */
export interface SpecAxisKind {
  /** velocity: km/s (radio convention); frequency: Hz. */
  kind: "velocity" | "frequency";
  specsys: SpecSys;
  /** The CTYPE, upper case, trimmed ("VLSR" when empty). */
  name: string;
}

const FRAMES: Record<string, SpecSys> = { LSR: "LSRK", BARY: "BARYCENT", SKY: "TOPOCENT", SRC: "SOURCE" };

/** Classify a SpecFile CTYPE (see the module doc). */
export function specAxisKind(ctype: string): SpecAxisKind {
  const name = ctype.trim().toUpperCase() || "VLSR";
  const m = /^([VF])(LSR|BARY|SKY|SRCE?)$/.exec(name);
  if (m === null) return { kind: "velocity", specsys: "LSRK", name };
  return {
    kind: m[1] === "F" ? "frequency" : "velocity",
    specsys: FRAMES[m[2]!.replace(/E$/, "")]!,
    name,
  };
}
