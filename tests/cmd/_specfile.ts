/**
 * Reading SpecFile contents in the SEQ tests.
 * @module
 */
import type { SpecFile } from "../../lib/specfile/mod.ts";

/** Mean spectrum of the spectra whose position lies within `radius` arcsec of (x0, y0), and their number. */
export function meanSpectrumNear(
  sf: SpecFile,
  x0: number,
  y0: number,
  radius: number,
): { mean: Float64Array; n: number } {
  const acc = new Float64Array(sf.nchan);
  let n = 0;
  for (let i = 0; i < sf.nspec; i++) {
    if (Math.hypot(sf.xPos[i]! - x0, sf.yPos[i]! - y0) > radius) continue;
    for (let c = 0; c < sf.nchan; c++) acc[c] = acc[c]! + sf.spectra[i * sf.nchan + c]!;
    n++;
  }
  return { mean: acc.map((v) => v / n), n };
}
