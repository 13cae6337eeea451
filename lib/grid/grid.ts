/**
 * OTF convolution gridding of SpecFiles into a cube (SLR spec_driver_fits): selection, kernel
 * weights, float32 accumulation in file order, normalisation, weight and radiometer maps.
 *
 * The spectra are streamed in chunks (~1 MB) into a shared WebAssembly memory. Per chunk and band
 * of map rows, the kernel weights of every (cell, spectrum) pair are computed, the pairs sorted by
 * cell, and each cell's voxels accumulated in SIMD registers over its pairs in spectrum order
 * (lib/grid/axpy.ts; WASM SIMD or a TypeScript fallback). The bands are shared by this thread and
 * optional module workers while the next chunks are read (lib/grid/executor.ts, units.ts). Results
 * are bit-identical whatever the kernel or the number of threads.
 *
 * @example
 * ```ts
 * import { openNetcdf } from "../netcdf/mod.ts";
 *
 * async function gridOne(path: string) {  // e.g. "SAMPLE-OTF_97001__0.nc"
 *   const nc = await openNetcdf(path);
 *   const r = await gridSpecFiles([nc], { ...GRID_DATA_DEFAULTS, resolution: 13, cell: 6.5, rmsCut: -4, edge: 0,
 *     xExtent: 120, yExtent: 120 });
 *   return r.geometry.nx; // 37
 * }
 * ```
 * @module
 */
import { GridError } from "./errors.ts";
import { GridExecutor } from "./executor.ts";
import { planMemory } from "./axpy.ts";
import { cellIndex, type CubeGeometry, cubeGeometry } from "./geometry.ts";
import { type Kernel, makeKernel } from "./kernel.ts";
import { type BlankRange, MAX_PIXEL, rmsCutoffs, selectSpectra } from "./select.ts";
import {
  readSpecFileTable,
  readSpectraRows,
  type SpecFileTable,
  type SpecInput as GridInput,
} from "../specfile/mod.ts";
import { type GridProjection, projectOffsets, type ZType } from "./projection.ts";
import { specAxisKind } from "./spectral.ts";

/**
 * Degrees per radian rounded to 57.2958 (not 180/π), used by the map-centre shift between input
 * files with different centres; kept so that combined maps stay bit-identical to earlier results.
 */
const DEG_PER_RAD_ROUNDED = 57.2958;

const f = Math.fround;

/** A 2-D model image sampled into channel 0 of every used spectrum (`-a/--model`). */
export interface ModelImage {
  data: ArrayLike<number>;
  /** NAXIS1, NAXIS2. */
  nx: number;
  ny: number;
  /** 1-based reference pixels and pixel sizes (arcsec; cdeltX normally negative) of the FITS axes. */
  crpixX: number;
  crpixY: number;
  cdeltX: number;
  cdeltY: number;
}

/** Gridding parameters (arcsec). */
export interface GridParams {
  resolution: number;
  cell: number;
  /** Pixels to grid (0..63). */
  pixList: number[];
  /** >0 absolute RMS cut (K), <0 robust per-pixel cut (mean + |cut|·std), 0 rejects everything. */
  rmsCut: number;
  /** 0 unweighted, 1 weight 1/RMS², 2 weight 1/Tsys²; any other value unweighted. */
  noiseSigma: number;
  /** Half sizes of the map (arcsec): X = RA/longitude offset, Y = Dec/latitude offset. */
  xExtent: number;
  yExtent: number;
  otfSelect: number;
  rmax: number;
  otfA: number;
  otfB: number;
  otfC: number;
  /** Sample-blanking ranges (from `-b`). */
  sample: BlankRange[];
  /** 1: keep every cell with W > 0; 0: only cells that are some spectrum's nearest cell. */
  edge: number;
  model?: ModelImage;
  /**
   * Threads gridding at once: this one and workers − 1 module workers (0 or 1: this thread only);
   * undefined = automatic (one for small jobs, else one per core).
   */
  workers?: number;
  kernel?: "wasm" | "ts";
  /** Spectra per streamed chunk (default: about 1 MB of spectra, which stays in a core's L2 cache). */
  chunkSpectra?: number;
  /**
   * Celestial projection: undefined = the C gridder's (offsets used as SFL plane coordinates); given,
   * each spectrum is placed at its sky position in this projection (lib/grid/projection.ts).
   */
  projection?: GridProjection;
  /** Spectral axis written: 0 (default) velocity, 1 frequency, 2 channel (header only). */
  ztype?: ZType;
}

/** grid_data.py's defaults (differ from the C program's: noise_sigma 1, extents 400, edge 1). */
export const GRID_DATA_DEFAULTS: GridParams = {
  resolution: 14,
  cell: 7,
  pixList: [...Array(16).keys()],
  rmsCut: 10,
  noiseSigma: 1,
  xExtent: 400,
  yExtent: 400,
  otfSelect: 1,
  rmax: 3,
  otfA: 1.1,
  otfB: 4.75,
  otfC: 2,
  sample: [],
  edge: 1,
};

/**
 * The cube's FITS data: hands the big-endian bytes of its planes (NAXIS1 = X flipped) to `emit` in
 * order, in blocks valid until `emit` returns.
 */
export type FitsPlaneBlocks = (emit: (bytes: Uint8Array) => void) => Promise<void>;

/** Callbacks: progress over all spectra of all files, warnings, and the finished cube. */
export interface GridHooks {
  onProgress?(done: number, total: number): void;
  onWarning?(message: string): void;
  /**
   * Called with the finished result while the gridding threads still exist: `planes` turns the
   * cube into FITS planes with all of them (the way to write the cube fast; once
   * {@link gridSpecFiles} has returned, the caller has to transpose {@link GridResult.cube}).
   */
  onCube?(result: GridResult, planes: FitsPlaneBlocks): Promise<void> | void;
}

/** Per-file summary. */
export interface GridFileSummary {
  path: string;
  nspec: number;
  /** Spectra passing pixel, RMS and sample selection (as the C `ngood`, including those off the map). */
  selected: number;
  /** Selected spectra whose nearest cell is inside the map (actually gridded). */
  gridded: number;
  /** RMS cut-off per pixel of pixList (−1 = all rejected). */
  cutoffs: Map<number, number>;
}

/** Result of {@link gridSpecFiles}. Arrays use the internal layout (see geometry.ts). */
export interface GridResult {
  geometry: CubeGeometry;
  kernel: Kernel;
  /** Header of the first SpecFile (defines centre, spectral axis and header info). */
  first: SpecFileTable;
  /** Obsnums of all inputs in order. */
  obsnums: number[];
  files: GridFileSummary[];
  /** cube[(iy·nx + ix)·nz + k], NaN where not kept. */
  cube: Float32Array;
  /** Sum of kernel × noise weights per cell (iy·nx + ix). */
  weight: Float32Array;
  /** Radiometer noise estimate per cell (K), NaN where W ≤ 0 or Tsys unknown. */
  radiometer: Float32Array;
  ngood: number;
  ntotal: number;
  kernelName: "wasm" | "ts";
  /** Threads that gridded (this one and the workers). */
  workers: number;
  /** GridParams.projection and ztype, for the FITS headers. */
  projection?: GridProjection;
  ztype?: ZType;
}

function defaultChunk(nz: number): number {
  return Math.max(64, Math.min(4096, Math.floor((1 << 20) / (4 * Math.max(1, nz)))));
}

function ntotalOf(tables: SpecFileTable[]): number {
  return tables.reduce((a, t) => a + t.nspec, 0);
}

/**
 * Threads used when none are requested: one below ~4e8 multiply-adds (~2 500 spectra of 659
 * channels: a worker costs its creator ~20 ms), else one per core (at most 8).
 */
export function autoWorkers(work: number): number {
  if (work < 4e8) return 1;
  return Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
}

function modelValue(m: ModelImage, x: number, y: number): number {
  const i = Math.round(x / m.cdeltX + m.crpixX) - 1;
  const j = Math.round(y / m.cdeltY + m.crpixY) - 1;
  if (i < 0 || i >= m.nx || j < 0 || j >= m.ny) return 0;
  return Number(m.data[j * m.nx + i]);
}

/**
 * The number of threads {@link gridSpecFiles} will use for `p` on inputs of about `values` float32
 * spectrum values in all (e.g. the files' sizes / 4, before they are opened).
 */
export function plannedThreads(p: GridParams, values: number, kernel = kernelOf(p)): number {
  if (p.workers !== undefined) return Math.max(1, p.workers);
  return autoWorkers(values * (2 * kernel.nCells + 1) ** 2);
}

/** The convolution kernel of the parameters. */
function kernelOf(p: GridParams): Kernel {
  return makeKernel({
    otfSelect: p.otfSelect,
    resolution: p.resolution,
    cell: p.cell,
    rmax: p.rmax,
    a: p.otfA,
    b: p.otfB,
    c: p.otfC,
  });
}

/**
 * Grid one or more opened SpecFiles (the first defines the map centre and spectral axis).
 * `started`: workers from startGridWorkers (see {@link plannedThreads}); they are used (one thread
 * more than their number) and terminated.
 */
export async function gridSpecFiles(
  inputs: GridInput[],
  p: GridParams,
  hooks: GridHooks = {},
  started?: Worker[],
): Promise<GridResult> {
  let adopted = false;
  try {
    return await gridOpened(inputs, p, hooks, started, () => (adopted = true));
  } finally {
    if (!adopted) { for (const w of started ?? []) w.terminate(); }
  }
}

/**
 * Grid opened inputs; `adopt` is called once the executor owns the started workers (from then on it
 * terminates them). Steps: check the request, read the tables, plan the cube and the threads, then
 * grid each file chunk by chunk in file order, normalise, and derive the radiometer map.
 */
async function gridOpened(
  inputs: GridInput[],
  p: GridParams,
  hooks: GridHooks,
  started: Worker[] | undefined,
  adopt: () => void,
): Promise<GridResult> {
  checkRequest(inputs, p);
  const warn = (m: string) => hooks.onWarning?.(m);
  const tables = inputs.map((nc) => readSpecFileTable(nc));
  const first = tables[0]!;
  checkSpectralAxes(tables, warn);
  checkProjection(p, tables);
  const plan = planGrid(p, tables, started);
  const exec = new GridExecutor(
    plan.layout,
    { nCells: plan.kernel.nCells, delta: plan.kernel.delta },
    { caX: plan.geometry.x.centres, caY: plan.geometry.y.centres, table: plan.kernel.table },
    {
      threads: plan.workers,
      ...(p.kernel !== undefined ? { kernel: p.kernel } : {}),
      ...(started ? { started } : {}),
    },
  );
  adopt(); // the executor terminates the started workers from now on
  try {
    const ntotal = ntotalOf(tables);
    const progress = { done: 0, ntotal, report: hooks.onProgress };
    const buffers: ChunkBuffers = { rowOf: new Int32Array(plan.chunk) };
    const files: GridFileSummary[] = [];
    let ngood = 0;
    for (let fi = 0; fi < tables.length; fi++) {
      const t = tables[fi]!;
      alignOffsets(t, fi === 0 ? undefined : first, p.projection);
      const file = await gridFile(inputs[fi]!, t, p, plan, exec, buffers, progress);
      ngood += file.selected;
      files.push(file);
    }
    await exec.normalize(p.edge === 1 ? 1 : 0); // waits for all chunks
    const W = exec.W.slice();
    // The cube was normalised in place (cube /= W, or NaN for cells not kept)
    const result: GridResult = {
      geometry: plan.geometry,
      kernel: plan.kernel,
      first,
      obsnums: tables.map((t) => t.obsnum),
      files,
      cube: exec.cube, // a view of the shared memory: no second copy of the cube
      weight: W,
      radiometer: radiometerMap(W, exec.T, first),
      ngood,
      ntotal,
      kernelName: exec.kernelName,
      workers: plan.workers,
      ...(p.projection !== undefined ? { projection: p.projection } : {}),
      ...(p.ztype !== undefined ? { ztype: p.ztype } : {}),
    };
    await hooks.onCube?.(result, (emit) => exec.forEachFitsBlock(emit));
    return result;
  } finally {
    exec.close();
  }
}

/** At least one input, and every requested pixel a valid pixel id (0..MAX_PIXEL). */
function checkRequest(inputs: GridInput[], p: GridParams): void {
  if (inputs.length === 0) throw new GridError("no input SpecFile");
  for (const px of p.pixList) {
    if (!Number.isInteger(px) || px < 0 || px > MAX_PIXEL) {
      throw new RangeError(`pixel ${px} out of range 0..${MAX_PIXEL}`);
    }
  }
}

/**
 * Every file must have the first file's kind of spectral axis and number of channels (an error);
 * a different CRVAL/CDELT only warns: all files are gridded on the first file's axis, channel by
 * channel.
 */
function checkSpectralAxes(tables: SpecFileTable[], warn: (m: string) => void): void {
  const first = tables[0]!;
  for (const t of tables.slice(1)) {
    if (specAxisKind(t.ctype).name !== specAxisKind(first.ctype).name) {
      throw new GridError(
        `${t.path}: spectral axis ${t.ctype} but the first SpecFile ${first.path} has ${first.ctype} (process_otf_map --x_axis)`,
      );
    }
    if (t.nchan !== first.nchan) {
      throw new GridError(
        `${t.path}: ${t.nchan} channels but the first SpecFile ${first.path} has ${first.nchan}`,
      );
    }
    if (
      Math.abs(t.cdelt - first.cdelt) > 1e-6 * Math.abs(first.cdelt) ||
      Math.abs(t.crval - first.crval) > 1e-3 * Math.abs(first.cdelt)
    ) {
      warn(
        `${t.path}: spectral axis (CRVAL ${t.crval}, CDELT ${t.cdelt}) differs from the first SpecFile's; gridded on the first file's axis`,
      );
    }
  }
}

/** A sky projection needs celestial offsets: every file's map_coord is 1 (RA/Dec) or 2 (galactic). */
function checkProjection(p: GridParams, tables: SpecFileTable[]): void {
  if (p.projection !== undefined && tables.some((t) => t.mapCoord !== 1 && t.mapCoord !== 2)) {
    throw new GridError(
      `--projection ${p.projection} needs RA/Dec or galactic map offsets (map_coord 1 or 2), not Az/El`,
    );
  }
}

/** The cube, kernel and thread plan of a run. */
interface GridPlan {
  kernel: Kernel;
  geometry: CubeGeometry;
  /** Spectra per chunk (one slot of the executor), ≥ 1. */
  chunk: number;
  /** Threads gridding: the started workers plus this one, or {@link plannedThreads}. */
  workers: number;
  layout: ReturnType<typeof planMemory>;
}

/**
 * The cube geometry (spectral axis of the first file; its CRPIX is 0-based, FITS's 1-based), the
 * kernel, the chunk size and the shared-memory layout for the threads.
 */
function planGrid(p: GridParams, tables: SpecFileTable[], started: Worker[] | undefined): GridPlan {
  const first = tables[0]!;
  const nz = first.nchan;
  const kernel = kernelOf(p);
  const geometry = cubeGeometry({
    xExtent: p.xExtent,
    yExtent: p.yExtent,
    cell: p.cell,
    nz,
    crval3: first.crval,
    cdelt3: first.cdelt,
    crpix3: first.crpix + 1,
  });
  const chunk = Math.max(1, Math.floor(p.chunkSpectra ?? defaultChunk(nz)));
  const workers = started !== undefined
    ? started.length + 1
    : plannedThreads(p, ntotalOf(tables) * nz, kernel);
  const layout = planMemory({
    nx: geometry.nx,
    ny: geometry.ny,
    nz,
    npts: kernel.table.length,
    chunk,
    pairsPerSpectrum: (2 * kernel.nCells + 1) ** 2,
    lanes: workers,
  });
  return { kernel, geometry, chunk, workers, layout };
}

/**
 * Put a file's offsets (t.xpos/t.ypos, arcsec, changed in place) on the grid of the first file
 * (`first` undefined for the first file itself), in this order:
 * 1. without a projection, a file with another map centre is shifted by the centre difference
 *    (RA difference × cos(Dec of the first centre), with the original's rounded degrees per radian);
 * 2. the file's map offset (OffX/OffY) is subtracted, in float32 as the C gridder;
 * 3. with a projection, the offsets are reprojected about the first file's centre.
 */
function alignOffsets(
  t: SpecFileTable,
  first: SpecFileTable | undefined,
  projection: GridProjection | undefined,
): void {
  const xpos = t.xpos, ypos = t.ypos;
  const x0 = (first ?? t).xPosition, y0 = (first ?? t).yPosition;
  if (projection === undefined && first !== undefined && (t.xPosition !== x0 || t.yPosition !== y0)) {
    const dx = (t.xPosition - x0) * Math.cos(y0 / DEG_PER_RAD_ROUNDED) * 3600;
    const dy = (t.yPosition - y0) * 3600;
    for (let i = 0; i < t.nspec; i++) {
      xpos[i] = xpos[i]! + dx;
      ypos[i] = ypos[i]! + dy;
    }
  }
  if (t.offX !== 0 || t.offY !== 0) {
    for (let i = 0; i < t.nspec; i++) {
      xpos[i] = f(xpos[i]! - t.offX);
      ypos[i] = f(ypos[i]! - t.offY);
    }
  }
  if (projection !== undefined) {
    projectOffsets(xpos, ypos, projection, [t.xPosition, t.yPosition], [x0, y0]);
  }
}

/** noise_sigma 2 weights by Tsys: every requested pixel must have one. */
function checkTsysForNoiseSigma(t: SpecFileTable, p: GridParams): void {
  if (p.noiseSigma !== 2) return;
  for (const px of p.pixList) {
    if (Number.isNaN(t.tsysMean[px]!)) {
      throw new GridError(
        `${t.path}: noise_sigma 2 needs Tsys but the SpecFile has no Data.Tsys for pixel ${px}`,
      );
    }
  }
}

/**
 * The noise weight of one spectrum (float32 as the C gridder): 1/rms² (noise_sigma 1) or 1/Tsys²
 * (noise_sigma 2), and 1 otherwise or when the RMS is 0.
 */
function spectrumWeight(noiseSigma: number, rms: number, tsys: number): number {
  if (noiseSigma === 1 && rms !== 0) return f(1 / f(rms * rms));
  if (noiseSigma === 2 && rms !== 0) return f(1 / f(tsys * tsys));
  return 1;
}

/** Progress over all files: spectra handled so far (selected or not) of `ntotal`. */
interface Progress {
  done: number;
  ntotal: number;
  report: ((done: number, total: number) => void) | undefined;
}

/** Buffers reused by every chunk: slot row → chunk row, and rows read when only some are used. */
interface ChunkBuffers {
  rowOf: Int32Array;
  scratch?: Float32Array;
}

/**
 * Grid one file: select its spectra (pixel list, RMS cut-off per pixel, blanked samples), then
 * chunk by chunk fill a free executor slot with the selected spectra that fall on the map and
 * publish it. Invariants: chunks are published in file order (the executor adds them in that
 * order, so the cube does not depend on the thread count); a chunk with no selected spectrum is
 * not published; a slot is reused only after every band of its previous chunk is done.
 */
async function gridFile(
  nc: GridInput,
  t: SpecFileTable,
  p: GridParams,
  plan: GridPlan,
  exec: GridExecutor,
  buffers: ChunkBuffers,
  progress: Progress,
): Promise<GridFileSummary> {
  const { chunk, geometry } = plan;
  const nz = geometry.nz;
  const { rowOf } = buffers;
  const xpos = t.xpos, ypos = t.ypos;
  const cutoffs = rmsCutoffs(t.rms, t.pixel, p.pixList, p.rmsCut);
  const use = selectSpectra(t.rms, t.pixel, { pixList: p.pixList, cutoffs, blank: p.sample });
  checkTsysForNoiseSigma(t, p);
  let selected = 0, gridded = 0;
  for (let start = 0; start < t.nspec; start += chunk) {
    const count = Math.min(chunk, t.nspec - start);
    let anyUsed = false;
    for (let i = start; i < start + count; i++) if (use[i]) anyUsed = true;
    if (!anyUsed) {
      progress.done += count;
      progress.report?.(progress.done, progress.ntotal);
      continue;
    }
    const slot = await exec.acquire(); // free: every band of the chunk that used it is done
    const S = exec.slots[slot]!;
    let ns = 0;
    for (let i = start; i < start + count; i++) {
      if (!use[i]) continue;
      selected++;
      const xp = xpos[i]!, yp = ypos[i]!;
      const ix = cellIndex(geometry.x, xp), iy = cellIndex(geometry.y, yp);
      if (ix < 0 || iy < 0) continue;
      gridded++;
      const tsys = t.tsysMean[t.pixel[i]!]!;
      rowOf[ns] = i - start;
      S.xs[ns] = xp;
      S.ys[ns] = yp;
      S.rws[ns] = spectrumWeight(p.noiseSigma, t.rms[i]!, tsys);
      S.ts[ns] = tsys;
      S.ixs[ns] = ix;
      S.iys[ns] = iy;
      ns++;
    }
    if (ns === count) readSpectraRows(nc, start, count, nz, S.spectra); // all rows: straight into the slot
    else if (ns > 0) {
      buffers.scratch ??= new Float32Array(chunk * nz);
      const rows = readSpectraRows(nc, start, count, nz, buffers.scratch);
      for (let k = 0; k < ns; k++) {
        const src = rowOf[k]! * nz;
        S.spectra.set(rows.subarray(src, src + nz), k * nz);
      }
    }
    if (p.model !== undefined) {
      for (let s = 0; s < ns; s++) S.spectra[s * nz] = modelValue(p.model, S.xs[s]!, S.ys[s]!);
    }
    exec.publish(slot, ns);
    progress.done += count;
    progress.report?.(progress.done, progress.ntotal);
  }
  const cutMap = new Map<number, number>();
  for (const px of p.pixList) cutMap.set(px, cutoffs[px]!);
  return { path: t.path, nspec: t.nspec, selected, gridded, cutoffs: cutMap };
}

/**
 * Radiometer noise per cell (K): T/W / sqrt(|Δf·Δt|·W) in float32, NaN where the weight W ≤ 0
 * (T = the weighted sum of Tsys, W = the weight plane; Δf, Δt of the first file).
 */
function radiometerMap(W: Float32Array, T: Float32Array, first: SpecFileTable): Float32Array {
  const radiometer = new Float32Array(W.length);
  const dfdt = f(Math.abs(f(first.deltaFrequency * first.dumpTime)));
  for (let c = 0; c < W.length; c++) {
    const w = W[c]!;
    radiometer[c] = w > 0 ? f(f(T[c]! / w) / Math.sqrt(f(dfdt * w))) : NaN;
  }
  return radiometer;
}
