/**
 * One complete gridding run as both front ends (spec_driver_fits, grid_data) perform it: open the
 * inputs (`-` = a netCDF stream on stdin), check the outputs, grid, write the cube, weight map,
 * radiometer map and optional debug spectrum, and return a short report. Every output file is
 * opened (checked, a temporary file made) before any input is read, through the tool's `ctx.output`
 * door ({@link GridJob.open}) or, without one, temporary files of its own; the products are written
 * into them and renamed into place only when everything succeeded, so a failure never touches an
 * existing file. A rollback removes only files this run put in place and that are still its own.
 *
 * @module
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "../sys/fs.ts";
import { type FileSink, TempFile } from "../sys/tempfile.ts";
import { firstImage, readFits } from "../fits/mod.ts";
import { openCdf3, openCdf3Bytes } from "../netcdf/cdf3_reader.ts";
import { openNetcdf, openNetcdfBytes, sniffNetcdf } from "../netcdf/mod.ts";
import { looksLikeFits, parseSdfitsTables, readSdfitsTables } from "../sdfits/sdfits.ts";
import { sdfitsGridSource } from "./sdfits_source.ts";
import type { SpecInput as GridInput } from "../specfile/mod.ts";
import { GridError, GridOptionError } from "./errors.ts";
import { cellIndex } from "./geometry.ts";
import {
  type FitsPlaneBlocks,
  type GridHooks,
  type GridParams,
  type GridResult,
  gridSpecFiles,
  type ModelImage,
  plannedThreads,
} from "./grid.ts";
import { startGridWorkers } from "./executor.ts";
import {
  cubeHeader,
  encodeGridPlane,
  planeHeader,
  specTmpText,
  streamGridCube,
  writeGridCube,
  writeGridPlane,
} from "./output.ts";

/** Open a SpecFile: netCDF-3 directly, SDFITS, anything else through the general netCDF reader. */
async function openSpecFile(path: string, notes: string[]): Promise<GridInput> {
  const head = new Uint8Array(9);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 9, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    n = 0; // let the general reader report it
  }
  if (sniffNetcdf(head.subarray(0, Math.min(n, 4))) === "cdf3") return openCdf3(path);
  if (looksLikeFits(head.subarray(0, n))) return sdfitsGridSource(readSdfitsTables(path), notes);
  return await openNetcdf(path);
}

async function openSpecFileBytes(bytes: Uint8Array, name: string, notes: string[]): Promise<GridInput> {
  if (sniffNetcdf(bytes.subarray(0, 4)) === "cdf3") return openCdf3Bytes(bytes, name);
  if (looksLikeFits(bytes)) return sdfitsGridSource(parseSdfitsTables(bytes, name), notes);
  return await openNetcdfBytes(bytes, name);
}

/** What to run. Any one of the outputs may be `-` (written through `writeStdout`, after the files). */
export interface GridJob {
  /** SpecFile paths; `-` reads a netCDF stream from stdin via `readStdin`. */
  inputs: string[];
  readStdin?: () => Promise<Uint8Array>;
  /** Sink of the output named `-` (the bytes in order; a chunk may be reused once the call returns). */
  writeStdout?: (bytes: Uint8Array) => void;
  output: string;
  weight?: string;
  /**
   * Radiometer map path; default derived from `output` when `weight` is given (no radiometer map
   * when `output` is `-` and no path is given: there is no name to derive it from).
   */
  radiometer?: string;
  /** Write the C gridder's spec-tmp.tab debug spectrum here. */
  specTmp?: string;
  /** 2-D FITS model sampled into channel 0 (`-a/--model`). */
  model?: string;
  /**
   * Open an output file: the tool's `ctx.output` (checks the path, owns the temporary file, renames it
   * when the tool succeeds, applies the tool's overwrite rule). Without it, runGridJob makes temporary
   * files of its own and renames them at its end; an existing file is then replaced only with
   * `overwrite`.
   */
  open?: (path: string) => FileSink;
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
  if (job.inputs.filter((p) => p === "-").length > 1) {
    throw new GridOptionError("stdin (-) can be read only once");
  }
  const radiometer = job.weight !== undefined && job.output !== "-"
    ? (job.radiometer ?? radiometerPathFor(job.output))
    : job.radiometer;
  const targets = [job.output, job.weight, radiometer, job.specTmp].filter((p): p is string =>
    p !== undefined
  );
  const toStdout = targets.filter((p) => p === "-").length;
  if (toStdout > 1) {
    throw new GridOptionError(`only one output can go to stdout (-): ${targets.join(", ")}`);
  }
  if (toStdout === 1 && job.writeStdout === undefined) {
    throw new GridOptionError("writing an output to stdout (-) is not available here");
  }
  if (new Set(targets).size !== targets.length) {
    throw new GridOptionError(`output names must differ: ${targets.join(", ")}`);
  }
  // Open every output file before anything else: a path that cannot be written fails the run before
  // any input is read or any file is touched; renaming happens only at the very end.
  const door = job.open !== undefined
    ? { open: job.open, commit: () => {}, abort: () => {} }
    : ownDoor(job.overwrite);
  try {
    const sinks = new Map<string, FileSink>();
    for (const t of targets) if (t !== "-") sinks.set(t, door.open(t));
    const report = await gridAndWrite(job, hooks, radiometer, sinks);
    door.commit();
    return report;
  } catch (e) {
    door.abort();
    throw e;
  }
}

/**
 * Temporary files of runGridJob's own (no door given): created exclusively beside each target,
 * renamed at commit; if a rename fails, the files this run already put in place are removed while
 * they are still its own.
 */
function ownDoor(overwrite: boolean) {
  const temps: TempFile[] = [];
  return {
    open(path: string): FileSink {
      if (existsSync(path) && statSync(path).isDirectory()) {
        throw new GridError(`cannot write ${path}: it is a directory`);
      }
      if (!overwrite && existsSync(path)) {
        throw new GridError(`cannot write ${path}: file exists (use --overwrite)`);
      }
      try {
        const t = TempFile.create(path);
        temps.push(t);
        return t;
      } catch (e) {
        throw new GridError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    commit(): void {
      const done: TempFile[] = [];
      try {
        for (const t of temps) {
          t.commit();
          done.push(t);
        }
      } catch (e) {
        for (const t of done) t.rollback();
        for (const t of temps) t.abort();
        throw e;
      }
    },
    abort(): void {
      for (const t of temps) t.abort();
    },
  };
}

/** Open the inputs, grid them and write the products into `sinks` (runGridJob's work). */
async function gridAndWrite(
  job: GridJob,
  hooks: GridHooks,
  radiometer: string | undefined,
  sinks: Map<string, FileSink>,
): Promise<GridReport> {
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
  // Start the gridding workers first: their start-up overlaps opening the inputs. The thread count
  // comes from the files' sizes (a SpecFile is mostly its float32 spectra); with stdin it is left
  // to gridSpecFiles.
  let started: Worker[] | undefined;
  if (!job.inputs.includes("-")) {
    const values = job.inputs.reduce((a, p) => a + (existsSync(p) ? statSync(p).size / 4 : 0), 0);
    const threads = plannedThreads(job.params, values);
    if (threads > 1) started = startGridWorkers(threads - 1);
  }
  const files: GridInput[] = [];
  const notes: string[] = [];
  try {
    for (const p of job.inputs) {
      if (p === "-") {
        if (job.readStdin === undefined) {
          throw new GridError("reading a SpecFile from stdin is not available here");
        }
        files.push(await openSpecFileBytes(await job.readStdin(), "<stdin>", notes));
      } else {
        if (!existsSync(p)) throw new GridError(`${p}: SpecFile not found`);
        if (statSync(p).isDirectory()) throw new GridError(`${p}: is a directory, not a SpecFile`);
        files.push(await openSpecFile(p, notes));
      }
    }
    for (const m of notes) h.onWarning?.(m);
    const params = model !== undefined ? { ...job.params, model } : job.params;
    // the products are written while the gridding threads exist (they also transpose the cube)
    let report: GridReport | undefined;
    const handed = started;
    started = undefined; // gridSpecFiles terminates them
    await gridSpecFiles(files, params, {
      ...h,
      onCube: async (result, planes) => {
        report = await writeProducts(job, result, planes, radiometer, h, warnings, sinks);
      },
    }, handed);
    return report!;
  } finally {
    for (const w of started ?? []) w.terminate();
    for (const f of files) f.close();
  }
}

/** Check the result, write the products into their sinks (files first, stdout last) and build the report. */
async function writeProducts(
  job: GridJob,
  result: GridResult,
  planes: FitsPlaneBlocks,
  radiometer: string | undefined,
  h: GridHooks,
  warnings: string[],
  sinks: Map<string, FileSink>,
): Promise<GridReport> {
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
  // Write the products: files first (into their temporary files), the one for stdout (if any) last,
  // so that a failed file write sends nothing down the pipe.
  const written: string[] = [];
  let stdoutProduct: (() => void | Promise<void>) | undefined;
  const sink = job.writeStdout;
  const fileSink = (path: string) => sinks.get(path)!;
  const opts = { command: job.command, ...(job.date !== undefined ? { date: job.date } : {}) };
  const header = cubeHeader(result, opts);
  if (job.output === "-") stdoutProduct = () => streamGridCube(sink!, result, header, planes);
  else {
    await writeGridCube(fileSink(job.output), result, header, planes);
    written.push(job.output);
  }
  const plane = (path: string, data: Float32Array, h: ReturnType<typeof planeHeader>) => {
    if (path === "-") stdoutProduct = () => sink!(encodeGridPlane(result, data, h));
    else {
      writeGridPlane(fileSink(path), result, data, h);
      written.push(path);
    }
  };
  if (job.weight !== undefined) {
    const unit = job.params.noiseSigma === 1 ? "K-2" : job.params.noiseSigma === 2 ? "K-2" : "";
    const hw = planeHeader(result, {
      ...opts,
      what: "weight map: sum of kernel x noise weights",
      ...(unit ? { bunit: unit } : {}),
    });
    plane(job.weight, result.weight, hw);
  }
  if (radiometer !== undefined) {
    const hr = planeHeader(result, {
      ...opts,
      what: "radiometer noise: <Tsys>/sqrt(|df dt| W)",
      bunit: "K",
    });
    plane(radiometer, result.radiometer, hr);
  }
  if (job.specTmp !== undefined) {
    const text = specTmpText(result);
    if (job.specTmp === "-") stdoutProduct = () => sink!(new TextEncoder().encode(text));
    else {
      fileSink(job.specTmp).write(new TextEncoder().encode(text));
      written.push(job.specTmp);
    }
  }
  if (stdoutProduct !== undefined) {
    await stdoutProduct();
    written.push("-");
  }
  return { result, written, lines, warnings };
}
