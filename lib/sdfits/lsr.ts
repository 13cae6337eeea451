/**
 * The observer's velocity with respect to the kinematic LSR (LSRK) along a line of sight, for
 * converting LSR frequency axes to topocentric ones (SDFITS `FREQ-OBS`).
 *
 * Sum of three terms in ICRS cartesian (km/s):
 * - the Earth-Moon barycentre's heliocentric orbital velocity from the J2000 Keplerian elements of
 *   Standish (JPL "Approximate positions of the planets", valid 1800–2050), differentiated
 *   numerically over ±0.5 day;
 * - the site's diurnal rotation (WGS84 geodetic → geocentric, GMST of IAU 1982 from UTC);
 * - the Sun's motion relative to the LSRK: 20 km/s towards RA 18h, Dec +30° (B1900), the ICRS vector
 *   used by astropy's LSRK frame.
 * Neglected: the Earth–Moon (≤ 13 m/s) and Sun–barycentre (≤ 13 m/s) motions, UT1−UTC and polar
 * motion. Agreement with astropy's ICRS/LSRK velocities: ≤ 0.03 km/s (tests).
 *
 * @example
 * ```ts
 * const v = lsrVelocity(83.8, -5.4, new Date("2026-03-01T04:00:00Z"), LMT_SITE); // ≈ −43.94 km/s
 * const k = lsrToTopoFactor(v);   // f_topo = k · f_lsr
 * ```
 * @module
 */
import { C_KMS } from "../num/constants.ts";

/** A site: geodetic longitude (deg, east positive), latitude (deg), height (m). */
export interface Site {
  long: number;
  lat: number;
  elev: number;
}

/** The LMT (Volcán Sierra Negra): SITELONG/SITELAT/SITEELEV of the SDFITS files. */
export const LMT_SITE: Site = { long: -97.31461, lat: 18.98578, elev: 4640 };

const DEG = Math.PI / 180;
const AU_KM = 149597870.7;
const OBLIQUITY_J2000 = 23.43928 * DEG;
/** Velocity of the Sun relative to the LSRK in ICRS cartesian (km/s), as astropy. */
const SUN_LSRK = [0.28999706839034606, -17.317264789717928, 10.00141199546947] as const;

/** Julian date of a time. */
export function julianDate(t: Date): number {
  return t.getTime() / 86400000 + 2440587.5;
}

/** Heliocentric EMB position (AU) in J2000 ecliptic coordinates at Julian date jd. */
function embPosition(jd: number): [number, number, number] {
  const T = (jd - 2451545.0) / 36525;
  const a = 1.00000261 + 0.00000562 * T;
  const e = 0.01671123 - 0.00004392 * T;
  const L = 100.46457166 + 35999.37244981 * T;
  const varpi = 102.93768193 + 0.32327364 * T;
  const M = ((L - varpi) % 360) * DEG;
  // Kepler's equation
  let E = M + e * Math.sin(M);
  for (let i = 0; i < 8; i++) E -= (E - e * Math.sin(E) - M) / (1 - e * Math.cos(E));
  const xp = a * (Math.cos(E) - e);
  const yp = a * Math.sqrt(1 - e * e) * Math.sin(E);
  const w = varpi * DEG; // Ω = 0, i ≈ 0
  return [xp * Math.cos(w) - yp * Math.sin(w), xp * Math.sin(w) + yp * Math.cos(w), 0];
}

/** The Earth's heliocentric velocity (km/s) in ICRS (J2000 equatorial) axes. */
export function earthVelocity(t: Date): [number, number, number] {
  const jd = julianDate(t);
  const p1 = embPosition(jd + 0.5), p0 = embPosition(jd - 0.5);
  const s = AU_KM / 86400;
  const vx = (p1[0] - p0[0]) * s, vy = (p1[1] - p0[1]) * s, vz = (p1[2] - p0[2]) * s;
  const c = Math.cos(OBLIQUITY_J2000), sn = Math.sin(OBLIQUITY_J2000);
  return [vx, vy * c - vz * sn, vy * sn + vz * c];
}

/** Greenwich mean sidereal time (degrees, 0..360) of a UTC time (IAU 1982, UT1 = UTC). */
export function gmstDegrees(t: Date): number {
  const d = julianDate(t) - 2451545.0;
  const T = d / 36525;
  const g = 280.46061837 + 360.98564736629 * d + 0.000387933 * T * T - T * T * T / 38710000;
  return ((g % 360) + 360) % 360;
}

/** Local mean sidereal time (hours) at a site. */
export function lstHours(t: Date, site: Site): number {
  return ((((gmstDegrees(t) + site.long) % 360) + 360) % 360) / 15;
}

/** The site's rotation velocity (km/s) in equatorial axes of date. */
function rotationVelocity(t: Date, site: Site): [number, number, number] {
  const a = 6378.137, f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const phi = site.lat * DEG;
  const N = a / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  const rho = (N + site.elev / 1000) * Math.cos(phi); // distance from the axis, km
  const v = 7.292115855e-5 * rho;
  const lst = lstHours(t, site) * 15 * DEG;
  return [-v * Math.sin(lst), v * Math.cos(lst), 0];
}

/**
 * The observer's velocity relative to the LSRK projected on the direction (ra, dec) in degrees
 * (km/s; positive = moving towards the source, so topocentric frequencies are higher).
 */
export function lsrVelocity(ra: number, dec: number, t: Date, site: Site): number {
  if (Number.isNaN(t.getTime())) throw new RangeError("LSR velocity: invalid date");
  const ve = earthVelocity(t), vr = rotationVelocity(t, site);
  const cd = Math.cos(dec * DEG);
  const s = [cd * Math.cos(ra * DEG), cd * Math.sin(ra * DEG), Math.sin(dec * DEG)];
  let v = 0;
  for (let i = 0; i < 3; i++) v += (ve[i]! + vr[i]! + SUN_LSRK[i]!) * s[i]!;
  return v;
}

/**
 * Doppler factor k with f_topo = k · f_lsr for an observer moving at `v` km/s towards the source
 * relative to the LSR (relativistic, radial).
 */
export function lsrToTopoFactor(v: number): number {
  const b = v / C_KMS;
  return Math.sqrt((1 + b) / (1 - b));
}

/**
 * Approximate azimuth (from north through east) and elevation (degrees) of (ra, dec) J2000 degrees at
 * time t: mean sidereal time, no precession, nutation or refraction (within ~0.5°; for the ELEVATIO and
 * AZIMUTH columns when the data do not carry them).
 */
export function azElOf(ra: number, dec: number, t: Date, site: Site): [number, number] {
  const H = (lstHours(t, site) * 15 - ra) * DEG;
  const d = dec * DEG, phi = site.lat * DEG;
  const sinEl = Math.sin(phi) * Math.sin(d) + Math.cos(phi) * Math.cos(d) * Math.cos(H);
  const az = Math.atan2(
    -Math.cos(d) * Math.sin(H),
    Math.sin(d) * Math.cos(phi) - Math.cos(d) * Math.sin(phi) * Math.cos(H),
  );
  return [((az / DEG) % 360 + 360) % 360, Math.asin(Math.max(-1, Math.min(1, sinEl))) / DEG];
}

/** Galactic (l, b) degrees → ICRS (ra, dec) degrees (the IAU rotation used by astropy). */
export function galacticToIcrs(l: number, b: number): [number, number] {
  const M = [
    [-0.0548755604162154, 0.4941094278755837, -0.8676661490190047],
    [-0.8734370902348850, -0.4448296299600112, -0.1980763734312015],
    [-0.4838350155487132, 0.7469822444972189, 0.4559837761750669],
  ];
  const cb = Math.cos(b * DEG);
  const g = [cb * Math.cos(l * DEG), cb * Math.sin(l * DEG), Math.sin(b * DEG)];
  // M is the transpose of the ICRS → Galactic rotation: equatorial = M · galactic
  const e = [0, 1, 2].map((i) => M[i]![0]! * g[0]! + M[i]![1]! * g[1]! + M[i]![2]! * g[2]!);
  const ra = ((Math.atan2(e[1]!, e[0]!) / DEG) % 360 + 360) % 360;
  return [ra, Math.asin(Math.max(-1, Math.min(1, e[2]!))) / DEG];
}
