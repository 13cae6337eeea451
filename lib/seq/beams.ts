/**
 * Sequoia focal-plane geometry and the beam offsets applied to map positions (seq.md §1.6, §2.6).
 *
 * @module
 */

/** Beam spacing (arcsec) and array rotation (deg) used by the original. */
export const SEQUOIA_SPACING = 27.9;
export const SEQUOIA_ROTATION_DEG = 46;

/** Offset of pixel p in units of the spacing: RIGHT = −1.5 + ⌊p/4⌋, UP = 1.5 − (p mod 4). */
export function pixelRightUp(p: number): [number, number] {
  return [-1.5 + Math.floor(p / 4), 1.5 - (p % 4)];
}

/** Az/El offsets (arcsec) of every pixel at elevation `elev` (rad), relative to the tracked beam. */
export function azElOffsets(
  receiver: string,
  elev: number,
  beamSelected: number,
  npix = 16,
): { az: Float64Array; el: Float64Array } {
  const az = new Float64Array(npix), el = new Float64Array(npix);
  if (receiver !== "Sequoia") return { az, el };
  const theta = SEQUOIA_ROTATION_DEG * Math.PI / 180 - elev;
  const ct = Math.cos(theta), st = Math.sin(theta);
  for (let p = 0; p < npix; p++) {
    const [r, u] = pixelRightUp(p);
    az[p] = SEQUOIA_SPACING * (r * ct - u * st);
    el[p] = SEQUOIA_SPACING * (r * st + u * ct);
  }
  if (beamSelected >= 0 && beamSelected < npix) {
    const a0 = az[beamSelected]!, e0 = el[beamSelected]!;
    for (let p = 0; p < npix; p++) {
      az[p]! -= a0;
      el[p]! -= e0;
    }
  }
  return { az, el };
}

/**
 * Offset (gx, gy) of a pixel in map coordinates: Az/El as is (map_coord 0), rotated by the
 * parallactic angle P (1) or P + G (2, galactic).
 */
export function beamOffset(
  az: number,
  el: number,
  mapCoord: number,
  parAng: number,
  galAng: number,
): [number, number] {
  if (mapCoord === 0) return [az, el];
  const p = mapCoord === 2 ? parAng + galAng : parAng;
  const cp = Math.cos(p), sp = Math.sin(p);
  return [-az * cp + el * sp, az * sp + el * cp];
}
