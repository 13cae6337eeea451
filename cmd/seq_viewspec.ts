/**
 * seq_viewspec — the spectrum of a cube at a position given as offsets from the map centre (LMTOY
 * viewspec, pipeline `location=dx,dy`): two-column text (velocity km/s, T K) and a PNG.
 *
 * Examples:
 *   seq_viewspec -i SRC_97001__0.fits --location 0,0 -o SRC_97001__0.spec.txt --png SRC_97001__0.spec.png
 *   seq_viewspec -i SRC_97001__0.fits --location -25,15 | head
 * @module
 */
import { DataError, defineTool, numberTuple } from "../lib/cli/mod.ts";
import { nearestPixel, readSpectralCube } from "../lib/fits/cube.ts";
import { plotLines } from "../lib/plot/mod.ts";

export const tool = defineTool({
  name: "seq_viewspec",
  summary: "spectrum of a FITS cube at offsets dx,dy (arcsec) from the map centre → text and PNG",
  usage: "seq_viewspec -i CUBE.fits [--location DX,DY] [-o SPEC.txt|-] [--png SPEC.png]",
  description:
    "The cell nearest to (DX, DY) arcsec from the reference pixel in the cube's projection plane " +
    "(DX east, DY north, as the SpecFile offsets) is used. Text: comment lines, then 'velocity(km/s) T(K)' per " +
    "channel (NaN where the cell has no data). A location outside the map is an error (exit 1).",
  examples: [
    "seq_viewspec -i SRC_97001__0.fits --location 0,0 -o SRC_97001__0.spec.txt --png SRC_97001__0.spec.png",
  ],
  options: [
    { name: "input", short: "i", type: "string", required: true, help: "FITS cube (- = stdin)" },
    {
      name: "location",
      type: "string",
      default: [0, 0],
      parse: numberTuple(2, "--location DX,DY"),
      metavar: "DX,DY",
      help: "offsets (arcsec) from the map centre",
    },
    { name: "output", short: "o", type: "string", default: "-", help: "text spectrum (- = stdout)" },
    { name: "png", type: "string", help: "also plot the spectrum to this PNG" },
  ],
  run: async (opts, ctx) => {
    const input = opts.input;
    const cube = input === "-"
      ? readSpectralCube(await ctx.readBytes("-"), "<stdin>")
      : readSpectralCube(input);
    const [dx, dy] = opts.location;
    const p = nearestPixel(cube, dx, dy);
    if (p.ix < 0) {
      throw new DataError(
        `${cube.name}: location ${dx},${dy} arcsec is outside the ${cube.nx}x${cube.ny} map`,
      );
    }
    const plane = cube.nx * cube.ny;
    const t = Float64Array.from({ length: cube.nz }, (_, k) => cube.data[k * plane + p.iy * cube.nx + p.ix]!);
    let text = `# seq_viewspec ${ctx.argv.join(" ")}\n`;
    text += `# cube ${cube.name}  location ${dx},${dy} arcsec -> pixel ${p.ix + 1},${p.iy + 1} ` +
      `(cell centre ${p.x.toFixed(2)},${p.y.toFixed(2)} arcsec)\n`;
    text += "# velocity(km/s) T(K)\n";
    for (let k = 0; k < cube.nz; k++) {
      text += `${cube.velocity[k]!.toFixed(4)} ${Number.isFinite(t[k]!) ? t[k]!.toFixed(6) : "NaN"}\n`;
    }
    ctx.writeFile(opts.output, text);
    if (opts.png !== undefined) {
      const obj = String(cube.header.get("OBJECT") ?? "").trim();
      ctx.writeFile(
        opts.png,
        plotLines({
          title: `${obj} at (${p.x.toFixed(1)}″, ${p.y.toFixed(1)}″)`,
          xLabel: "velocity (km/s)",
          yLabel: "T (K)",
          series: [{ x: cube.velocity, y: t, step: true }],
          hlines: [0],
          width: 700,
          height: 300,
        }),
      );
    }
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
