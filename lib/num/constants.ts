/**
 * Physical and mathematical constants used across the toolkit, defined once. Instrument-specific
 * sizes live with their instrument (lib/rsr/raw.ts `NBOARD`, `NLAG`; lib/lmt/rsr_files.ts
 * `RSR_CHASSIS`; lib/seq/cal.ts `T_AMB`).
 *
 * @example
 * ```ts
 * import { C_KMS, C_LIGHT, RAD_TO_DEG } from "./constants.ts";
 * if (C_KMS !== 299792.458 || C_LIGHT !== 299792458 || RAD_TO_DEG !== 180 / Math.PI) throw new Error();
 * ```
 *
 * @module
 */

/** Speed of light in vacuum, m/s (exact, SI). */
export const C_LIGHT = 299792458;

/** Speed of light in vacuum, km/s (the same double as the literal 299792.458). */
export const C_KMS = C_LIGHT / 1000;

/** Degrees per radian, 180/π. */
export const RAD_TO_DEG = 180 / Math.PI;
