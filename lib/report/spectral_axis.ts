/**
 * The spectral axis of a cube for the summary pages: channel k → velocity (km/s) and its label, from
 * CTYPE3/CUNIT3/CRVAL3/CDELT3/CRPIX3, RESTFRQ and SPECSYS. A FREQ axis (process_otf_map --x_axis F*, or
 * the gridder's --ztype 1) is turned into the radio velocity c·(1 − f/RESTFRQ) of its frame; a CHANNEL
 * axis gives channel numbers.
 *
 * @example
 * ```ts
 * const h = new Map<string, unknown>([["CTYPE3", "VRAD"], ["CRVAL3", 45000], ["CDELT3", -1000], ["CRPIX3", 1],
 *   ["CUNIT3", "m/s"], ["SPECSYS", "LSRK"]]);
 * const a = cubeSpectralAxis(h);
 * a.value(2); // 43 (km/s)
 * a.label;    // "VLSR (km/s)"
 * ```
 * @module
 */
import { C_KMS } from "../num/constants.ts";

const FRAME_LABEL: Record<string, string> = {
  LSRK: "VLSR",
  LSRD: "VLSR",
  BARYCENT: "VBARY",
  HELIOCEN: "VHELIO",
  TOPOCENT: "VSKY",
  SOURCE: "VSRC",
};

/** Channel → axis value and the plot label of a cube's spectral axis. */
export interface CubeSpectralAxis {
  /** Value at 0-based channel k: km/s, or the channel number for a CHANNEL axis. */
  value: (k: number) => number;
  /** e.g. "VLSR (km/s)", "VSKY (km/s)", "channel". */
  label: string;
  /** True when the values are velocities in km/s. */
  velocity: boolean;
}

function num(h: Map<string, unknown>, k: string, d = NaN): number {
  const v = h.get(k);
  return typeof v === "number" ? v : d;
}

/** See the module doc. */
export function cubeSpectralAxis(h: Map<string, unknown>): CubeSpectralAxis {
  const ctype = String(h.get("CTYPE3") ?? "VRAD").trim().toUpperCase();
  const unit = String(h.get("CUNIT3") ?? "").trim().toLowerCase();
  const at = (k: number) => num(h, "CRVAL3") + (k + 1 - num(h, "CRPIX3", 1)) * num(h, "CDELT3");
  const frame = FRAME_LABEL[String(h.get("SPECSYS") ?? "LSRK").trim().toUpperCase()] ?? "VLSR";
  if (ctype.startsWith("CHANNEL")) return { value: at, label: "channel", velocity: false };
  if (ctype.startsWith("FREQ")) {
    const scale = unit === "ghz" ? 1e9 : unit === "mhz" ? 1e6 : unit === "khz" ? 1e3 : 1;
    const rest = num(h, "RESTFRQ", num(h, "RESTFREQ"));
    return { value: (k) => C_KMS * (1 - at(k) * scale / rest), label: `${frame} (km/s)`, velocity: true };
  }
  const vscale = unit === "km/s" ? 1 : 1e-3;
  return { value: (k) => at(k) * vscale, label: `${frame} (km/s)`, velocity: true };
}
