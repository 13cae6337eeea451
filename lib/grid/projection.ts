/**
 * Celestial projections of the gridded cube (`--projection SFL|CAR|SIN|TAN`) and the spectral axis
 * type (`--ztype 0|1|2`, Heyer's list: velocity, frequency, channel).
 *
 * Without `--projection` the gridder places every spectrum at its map offsets as they are, read as
 * SFL plane coordinates (the C gridder's cube, bit-identical). With `--projection P` every spectrum's
 * offsets are first turned into a sky position — the LMT map-offset convention
 * `lon = lon0 + x/cos(lat0)`, `lat = lat0 + y` about its SpecFile's map centre (lon0, lat0) — and
 * that position is projected with P about the first SpecFile's centre, exactly as FITS WCS
 * (Calabretta & Greisen 2002; wcslib's default LONPOLE/LATPOLE) maps it back: the native frame is
 * the celestial frame rotated so that (lon0, lat0) becomes the native reference point with north up.
 * So the cube's pixels sit where its WCS says, also several arcmin from the centre.
 *
 * Plane coordinates are FITS intermediate world coordinates in arcsec: x grows with longitude (east),
 * y with latitude.
 *
 * @example
 * ```ts
 * const [x, y] = skyToPlane("TAN", 198, 38, 198.1, 38.05);   // arcsec east and north of (198, 38)
 * const [l, b] = planeToSky("TAN", 198, 38, x, y);           // back to (198.1, 38.05)
 * ```
 * @module
 */
import { RAD_TO_DEG } from "../num/constants.ts";

/** The celestial projections the gridder can write. */
export const GRID_PROJECTIONS = ["SFL", "CAR", "SIN", "TAN"] as const;
/** One of {@link GRID_PROJECTIONS}. */
export type GridProjection = typeof GRID_PROJECTIONS[number];

/** Spectral axis types by `--ztype` code: 0 velocity (VRAD, m/s), 1 frequency (FREQ, Hz), 2 channel. */
export const ZTYPES = [0, 1, 2] as const;
/** One of {@link ZTYPES}. */
export type ZType = typeof ZTYPES[number];

const D2R = Math.PI / 180;
const R2AS = RAD_TO_DEG * 3600;

/** Sky position (deg) of LMT map offsets (arcsec) about the map centre (lon0, lat0) (deg). */
export function offsetToSky(lon0: number, lat0: number, x: number, y: number): [number, number] {
  return [lon0 + x / 3600 / Math.cos(lat0 * D2R), lat0 + y / 3600];
}

/** Unit vector of (lon, lat) in the frame where (lon0, lat0) is (1, 0, 0) with north along +z. */
function rotated(lon0: number, lat0: number, lon: number, lat: number): [number, number, number] {
  const dl = (lon - lon0) * D2R, b = lat * D2R, b0 = lat0 * D2R;
  const vx = Math.cos(b) * Math.cos(dl), vy = Math.cos(b) * Math.sin(dl), vz = Math.sin(b);
  return [vx * Math.cos(b0) + vz * Math.sin(b0), vy, -vx * Math.sin(b0) + vz * Math.cos(b0)];
}

/**
 * Plane coordinates (arcsec) of sky position (lon, lat) in projection `proj` with reference point
 * (lon0, lat0) (all deg). NaN when the point cannot be projected (the far hemisphere of SIN/TAN).
 */
export function skyToPlane(
  proj: GridProjection,
  lon0: number,
  lat0: number,
  lon: number,
  lat: number,
): [number, number] {
  const [px, py, pz] = rotated(lon0, lat0, lon, lat);
  switch (proj) {
    case "SIN":
      return px > 0 ? [py * R2AS, pz * R2AS] : [NaN, NaN];
    case "TAN":
      return px > 0 ? [(py / px) * R2AS, (pz / px) * R2AS] : [NaN, NaN];
    case "CAR": {
      const phi = Math.atan2(py, px), theta = Math.asin(Math.max(-1, Math.min(1, pz)));
      return [phi * R2AS, theta * R2AS];
    }
    case "SFL": {
      const phi = Math.atan2(py, px), theta = Math.asin(Math.max(-1, Math.min(1, pz)));
      return [phi * Math.cos(theta) * R2AS, theta * R2AS];
    }
  }
}

/** Inverse of {@link skyToPlane}: sky position (deg) of plane coordinates (arcsec). */
export function planeToSky(
  proj: GridProjection,
  lon0: number,
  lat0: number,
  x: number,
  y: number,
): [number, number] {
  const a = x / R2AS, b = y / R2AS;
  let px: number, py: number, pz: number;
  switch (proj) {
    case "SIN":
      [py, pz] = [a, b];
      px = Math.sqrt(Math.max(0, 1 - a * a - b * b));
      break;
    case "TAN": {
      const n = Math.sqrt(1 + a * a + b * b);
      [px, py, pz] = [1 / n, a / n, b / n];
      break;
    }
    case "CAR":
    case "SFL": {
      const theta = b, phi = proj === "CAR" ? a : a / Math.cos(theta);
      [px, py, pz] = [Math.cos(theta) * Math.cos(phi), Math.cos(theta) * Math.sin(phi), Math.sin(theta)];
      break;
    }
  }
  const b0 = lat0 * D2R;
  const vx = px * Math.cos(b0) - pz * Math.sin(b0), vy = py, vz = px * Math.sin(b0) + pz * Math.cos(b0);
  const lon = lon0 + Math.atan2(vy, vx) / D2R;
  const lat = Math.asin(Math.max(-1, Math.min(1, vz))) / D2R;
  return [lon, lat];
}

/**
 * Replace map offsets (arcsec, about the SpecFile centre `centre`) in place by the plane coordinates
 * of their sky positions in projection `proj` about `ref` (the first SpecFile's centre), all centres
 * in degrees.
 */
export function projectOffsets(
  xpos: Float32Array,
  ypos: Float32Array,
  proj: GridProjection,
  centre: [number, number],
  ref: [number, number],
): void {
  for (let i = 0; i < xpos.length; i++) {
    const [lon, lat] = offsetToSky(centre[0], centre[1], xpos[i]!, ypos[i]!);
    const [x, y] = skyToPlane(proj, ref[0], ref[1], lon, lat);
    xpos[i] = x;
    ypos[i] = y;
  }
}
