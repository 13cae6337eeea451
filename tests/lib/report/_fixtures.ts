/** Test helpers of the summary pages: a sink that keeps the plots put, a directory's listing, a small cube. */
import type { PlotSink } from "../../../lib/report/sink.ts";
import { FitsHeader, writeFitsImage } from "../../../lib/fits/mod.ts";
import { Rng } from "../../../lib/sim/rng.ts";

/** A {@link PlotSink} keeping each plot's name and rendering, in order. */
export function collectingSink(): { sink: PlotSink; puts: Map<string, Promise<Uint8Array>> } {
  const puts = new Map<string, Promise<Uint8Array>>();
  return {
    sink: {
      put: (name, png) => {
        if (puts.has(name)) throw new Error(`${name} put twice`);
        puts.set(name, png);
      },
    },
    puts,
  };
}

/** Names, sizes and modification times of a directory's entries (hidden ones too), sorted. */
export function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => {
    const st = Deno.statSync(`${dir}/${e.name}`);
    return `${e.name} ${st.size} ${st.mtime?.getTime()}`;
  }).sort();
}

/**
 * A 9×9×64 cube (VRAD 0..63 km/s, 10″ cells, centre at cell (4, 4)) with a 2 K, 6 km/s wide line at
 * 30 km/s in a source of σ 1.2 cells at cell (6, 3), 0.05 K noise; and its weight map (1, 0.2 in
 * the first column).
 */
export function writeCube(dir: string, base: string): void {
  const [nx, ny, nz] = [9, 9, 64];
  const rng = new Rng(11);
  const data = new Float32Array(nx * ny * nz);
  const sv = 6 / (2 * Math.sqrt(2 * Math.log(2)));
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const sp = Math.exp(-((i - 6) ** 2 + (j - 3) ** 2) / (2 * 1.2 ** 2));
        data[k * nx * ny + j * nx + i] = 2 * sp * Math.exp(-((k - 30) ** 2) / (2 * sv * sv)) +
          0.05 * rng.normal();
      }
    }
  }
  const h = new FitsHeader();
  for (
    const [k, v] of [
      ["CTYPE1", "RA---SIN"],
      ["CRVAL1", 198],
      ["CDELT1", -10 / 3600],
      ["CRPIX1", 5],
      ["CTYPE2", "DEC--SIN"],
      ["CRVAL2", 38],
      ["CDELT2", 10 / 3600],
      ["CRPIX2", 5],
      ["CTYPE3", "VRAD"],
      ["CRVAL3", 0],
      ["CDELT3", 1000],
      ["CRPIX3", 1],
      ["CUNIT3", "m/s"],
      ["SPECSYS", "LSRK"],
    ] as const
  ) h.set(k, v);
  writeFitsImage(`${dir}/${base}.fits`, { data, shape: [nx, ny, nz], header: h });
  const wt = new Float32Array(nx * ny).map((_, c) => (c % nx === 0 ? 0.2 : 1));
  writeFitsImage(`${dir}/${base}.wt.fits`, { data: wt, shape: [nx, ny] });
}
