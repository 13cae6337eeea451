/**
 * One complete gridding run as both front ends (spec_driver_fits, grid_data) perform it: open the
 * inputs (`-` = a netCDF stream on stdin), check the outputs, grid, write the cube, weight map,
 * radiometer map and optional debug spectrum, and return a short report. Outputs are written to
 * temporary names and renamed; if any write fails, outputs already renamed by this run are removed.
 *
 * @module
 */
import { closeSync, existsSync, openSync, readSync, rmSync } from "node:fs";
import { firstImage, readFits } from "../fits/mod.ts";
import { openCdf3, openCdf3Bytes } from "../netcdf/cdf3_reader.ts";
import type { NcFile } from "../netcdf/types.ts";
import { GridError } from "./errors.ts";
import { cellIndex } from "./geometry.ts";
import { type GridHooks, type GridParams, type GridResult, gridSpecFiles, type ModelImage } from "./grid.ts";
import { cubeHeader, planeHeader, specTmpText, writeGridCube, writeGridPlane } from "./output.ts";

function isCdf3(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 &&
    (head[3] === 1 || head[3] === 2 || head[3] === 5);
}

/**
 * Open a SpecFile: netCDF-3 directly; anything else through the general reader, imported only then
 * (it loads the HDF5 WebAssembly module, ~50 ms of start-up a netCDF-3 run does not need).
 */
async function openSpecFile(path: string): Promise<NcFile> {
  const head = new Uint8Array(4);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    n = 0; // let the general reader report it
  }
  if (isCdf3(head.subarray(0, n))) return openCdf3(path);
  const { openNetcdf } = await import("../netcdf/mod.ts");
  return await openNetcdf(path);
}

async function openSpecFileBytes(bytes: Uint8Array, name: string): Promise<NcFile> {
  if (isCdf3(bytes.subarray(0, 4))) return openCdf3Bytes(bytes, name);
  const { openNetcdfBytes } = await import("../netcdf/mod.ts");
  return await openNetcdfBytes(bytes, name);
}

/** What to run. */
export interface GridJob {
  /** SpecFile paths; `-` reads a netCDF stream from stdin via `readStdin`. */
  inputs: string[];
  readStdin?: () => Promise<Uint8Array>;
  output: string;
  weight?: string;
  /** Radiometer map path; default derived from `output` when `weight` is given. */
  radiometer?: string;
  /** Write the C gridder's spec-tmp.tab debug spectrum here. */
  specTmp?: string;
  /** 2-D FITS model sampled into channel 0 (`-a/--model`). */
  model?: string;
  overwrite: boolean;
  /** The command line (FITS HISTORY). */
  command: string;
  params: GridParams;
  /** FITS DATE; null omits it. */
  date?: Date | null;
}

/** Report of a run (for the tool to print). */
export interface GridReport {
  result: GridResult;
  written: string[];
  lines: string[];
  warnings: string[];
}

/** `X.fits` → `X.radiometer.rms.fits` (any other name gets the suffix appended). */
export function radiometerPathFor(output: string): string {
  return output.replace(/\.fits?$/i, "") + ".radiometer.rms.fits";
}

/** Read a 2-D FITS model image (first image HDU). */
export function readModel(path: string): ModelImage {
  const hdu = firstImage(readFits(path));
  const shape = hdu.shape;
  if (shape.length < 2 || shape.slice(2).some((n) => n !== 1)) {
    throw new GridError(`${path}: model must be a 2-D image, has shape [${shape.join(",")}]`);
  }
  const num = (k: string, d: number) => {
    const v = hdu.header.get(k);
    return typeof v === "number" ? v : d;
  };
  const cdx = num("CDELT1", NaN), cdy = num("CDELT2", NaN);
  if (!Number.isFinite(cdx) || !Number.isFinite(cdy) || cdx === 0 || cdy === 0) {
    throw new GridError(`${path}: model needs CDELT1 and CDELT2 (degrees)`);
  }
  return {
    data: hdu.data as ArrayLike<number>,
    nx: shape[0]!,
    ny: shape[1]!,
    crpixX: num("CRPIX1", (shape[0]! - 1) / 2 + 1),
    crpixY: num("CRPIX2", (shape[1]! - 1) / 2 + 1),
    cdeltX: cdx * 3600,
    cdeltY: cdy * 3600,
  };
}

/** Run a gridding job. */
export async function runGridJob(job: GridJob, hooks: GridHooks = {}): Promise<GridReport> {
  if (job.inputs.length === 0) throw new GridError("no input SpecFile given");
  if (job.inputs.filter((p) => p === "-").length > 1) throw new GridError("stdin (-) can be read only once");
  const radiometer = job.weight !== undefined
    ? (job.radiometer ?? radiometerPathFor(job.output))
    : job.radiometer;
  const targets = [job.output, job.weight, radiometer, job.specTmp].filter((p): p is string =>
    p !== undefined
  );
  if (new Set(targets).size !== targets.length) {
    throw new GridError(`output names must differ: ${targets.join(", ")}`);
  }
  for (const t of [job.output, job.weight]) {
    if (t !== undefined && !job.overwrite && existsSync(t)) {
      throw new GridError(`cannot write ${t}: file exists (use --overwrite)`);
    }
  }
  const warnings: string[] = [];
  const userWarn = hooks.onWarning;
  const h: GridHooks = {
    ...hooks,
    onWarning: (m) => {
      warnings.push(m);
      userWarn?.(m);
    },
  };
  const model = job.model !== undefined ? readModel(job.model) : undefined;
  const files: NcFile[] = [];
  try {
    for (const p of job.inputs) {
      if (p === "-") {
        if (job.readStdin === undefined) {
          throw new GridError("reading a SpecFile from stdin is not available here");
        }
        files.push(await openSpecFileBytes(await job.readStdin(), "<stdin>"));
      } else {
        if (!existsSync(p)) throw new GridError(`${p}: SpecFile not found`);
        files.push(await openSpecFile(p));
      }
    }
    const params = model !== undefined ? { ...job.params, model } : job.params;
    const result = await gridSpecFiles(files, params, h);
    const g = result.geometry;
    const lines: string[] = [];
    lines.push(
      `kernel ${result.kernel.name}: n_cells=${result.kernel.nCells} delta=${
        result.kernel.delta.toPrecision(6)
      } beam=${result.kernel.beam.toPrecision(6)} arcsec`,
    );
    lines.push(`cube ${g.nx} x ${g.ny} x ${g.nz} (cell ${g.x.cdelt} arcsec)`);
    for (const fsum of result.files) {
      lines.push(
        `${fsum.path}: ${fsum.selected}/${fsum.nspec} spectra selected, ${fsum.gridded} inside the map`,
      );
    }
    lines.push(
      `Cube Completed, ${result.ngood}/${result.ntotal} Spectra accepted = ${
        (result.ngood / Math.max(1, result.ntotal)).toFixed(3)
      }`,
    );
    const ix = cellIndex(g.x, 0), iy = cellIndex(g.y, 0);
    const w0 = ix >= 0 && iy >= 0 ? result.weight[iy * g.nx + ix]! : 0;
    lines.push(`Weight at 0 0 is ${w0.toFixed(6)}`);
    if (result.ngood === 0) {
      throw new GridError(
        `no spectrum selected (pix_list ${
          job.params.pixList.join(",")
        }, rms_cut ${job.params.rmsCut}): nothing to grid`,
      );
    }
    if (!(w0 > 0)) h.onWarning?.("zero weight at the map centre");
    if (Number.isNaN(result.first.tsysMean[job.params.pixList[0] ?? 0]!) && radiometer !== undefined) {
      h.onWarning?.(`${result.first.path} has no Tsys: the radiometer map is NaN`);
    }
    // Write the products.
    const written: string[] = [];
    try {
      const opts = { command: job.command, ...(job.date !== undefined ? { date: job.date } : {}) };
      writeGridCube(job.output, result, cubeHeader(result, opts), job.overwrite);
      written.push(job.output);
      if (job.weight !== undefined) {
        const unit = job.params.noiseSigma === 1 ? "K-2" : job.params.noiseSigma === 2 ? "K-2" : "";
        const hw = planeHeader(result, {
          ...opts,
          what: "weight map: sum of kernel x noise weights",
          ...(unit ? { bunit: unit } : {}),
        });
        writeGridPlane(job.weight, result, result.weight, hw, job.overwrite);
        written.push(job.weight);
      }
      if (radiometer !== undefined) {
        const hr = planeHeader(result, {
          ...opts,
          what: "radiometer noise: <Tsys>/sqrt(|df dt| W)",
          bunit: "K",
        });
        writeGridPlane(radiometer, result, result.radiometer, hr, true);
        written.push(radiometer);
      }
      if (job.specTmp !== undefined) {
        const tmp = `${job.specTmp}.tmp-${Deno.pid}`;
        Deno.writeTextFileSync(tmp, specTmpText(result));
        Deno.renameSync(tmp, job.specTmp);
        written.push(job.specTmp);
      }
    } catch (e) {
      for (const p of written) rmSync(p, { force: true });
      throw e;
    }
    return { result, written, lines, warnings };
  } finally {
    for (const f of files) f.close();
  }
}
