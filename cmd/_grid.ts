/**
 * The command line of the two gridder front ends (private to cmd/): spec_driver_fits and grid_data
 * spell the gridding options differently (`-l/--resolution_size` vs `--resolution`), each maps its
 * typed option values onto {@link GridOptionValues} by name, and this module checks them, builds the
 * library's typed {@link GridParams}/{@link GridJob} and runs it with the tool's context (progress bar,
 * output door, stdin/stdout, log). lib/grid knows no command line.
 * @module
 */
import { type ToolContext, UsageError } from "../lib/cli/mod.ts";
import {
  GRID_PROJECTIONS,
  type GridJob,
  GridOptionError,
  type GridParams,
  type GridProjection,
  type GridReport,
  parseSampleList,
  runGridJob,
  type ZType,
  ZTYPES,
} from "../lib/grid/mod.ts";

/** The `--workers` option of both front ends. */
export const WORKERS_OPTION = {
  name: "workers",
  type: "int",
  min: 0,
  max: 64,
  defaultHelp: "automatic: 1 for small maps, else one per core",
  help: "threads gridding at once: this one and N-1 workers (0 or 1: one)",
} as const;

/** The `--projection` option of both front ends. */
export const PROJECTION_OPTION = {
  name: "projection",
  type: "string",
  choices: [...GRID_PROJECTIONS],
  defaultHelp: "SFL, offsets placed linearly as the C gridder",
  help: "celestial projection; given, each spectrum is placed at its sky position in it",
} as const;

/** The `--ztype` option of both front ends. */
export const ZTYPE_OPTION = {
  name: "ztype",
  type: "int",
  default: 0,
  choices: [...ZTYPES],
  help:
    "spectral axis: 0 velocity (VRAD m/s; FREQ Hz for a --x_axis F* SpecFile), 1 frequency (FREQ Hz), 2 channel",
} as const;

/**
 * The gridding option values as a tool parsed them (by {@link GridParams}' names), before the checks
 * of {@link gridParams}: `sample` is the raw `-b` list of P,S0,S1 triples.
 */
export interface GridOptionValues extends
  Pick<
    GridParams,
    | "resolution"
    | "cell"
    | "rmsCut"
    | "noiseSigma"
    | "xExtent"
    | "yExtent"
    | "otfSelect"
    | "rmax"
    | "otfA"
    | "otfB"
    | "otfC"
    | "edge"
  > {
  pixList: readonly number[];
  sample: readonly number[];
  kernel?: GridParams["kernel"] | undefined;
  workers?: number | undefined;
  projection?: GridProjection | undefined;
  ztype: ZType;
}

/** How a tool spells the options whose values are checked here (for messages). */
export interface GridOptionFlags {
  sample: string;
  pixList: string;
}

/**
 * Check the option values and build {@link GridParams}: the `-b` triples are parsed, the pixel list
 * must be non-empty and within 0..63; a bad value is a {@link UsageError} naming the option as `flags`
 * spells it.
 */
export function gridParams(o: GridOptionValues, flags: GridOptionFlags): GridParams {
  let sample;
  try {
    sample = parseSampleList([...o.sample]);
  } catch (e) {
    throw new UsageError(`${flags.sample}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const pixList = [...o.pixList];
  for (const p of pixList) {
    if (p < 0 || p > 63) throw new UsageError(`${flags.pixList}: pixel ${p} out of range 0..63`);
  }
  if (pixList.length === 0) throw new UsageError(`${flags.pixList}: empty pixel list`);
  // the plain numbers pass as they are
  const { kernel, workers, projection, ztype, pixList: _pixList, sample: _sample, ...plain } = o;
  return {
    ...plain,
    pixList,
    sample,
    ...(kernel !== undefined ? { kernel } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(projection !== undefined ? { projection } : {}),
    ...(ztype !== 0 ? { ztype } : {}),
  };
}

/** The files of a gridding command: `input` is the comma-separated SpecFile list (`-` = stdin). */
export interface GridFiles {
  input: string;
  output: string;
  weight?: string | undefined;
  radiometer?: string | undefined;
  specTmp?: string | undefined;
  model?: string | undefined;
}

/**
 * The file options, which both front ends name alike (-i -o -w --radiometer --spec_tmp -a/--model), as GridFiles;
 * `input` and `output` as the caller checked them.
 */
export function gridFilesOf(input: string, output: string, o: {
  readonly weight?: string | undefined;
  readonly radiometer?: string | undefined;
  readonly spec_tmp?: string | undefined;
  readonly model?: string | undefined;
}): GridFiles {
  return { input, output, weight: o.weight, radiometer: o.radiometer, specTmp: o.spec_tmp, model: o.model };
}

/** A gridding command as a front end parsed it. */
export interface GridCommand {
  /** Tool name (FITS HISTORY line). */
  tool: string;
  files: GridFiles;
  params: GridParams;
  overwrite: boolean;
}

/** The {@link GridJob} of a command, reading stdin and writing outputs (`-` = stdout) through `ctx`. */
export function gridJob(c: GridCommand, ctx: ToolContext): GridJob {
  const f = c.files;
  return {
    inputs: f.input.split(",").filter((s) => s !== ""),
    readStdin: () => ctx.readBytes("-"),
    open: (p) => ctx.output(p),
    writeStdout: (b) => ctx.stdout(b),
    output: f.output,
    ...(f.weight !== undefined ? { weight: f.weight } : {}),
    ...(f.radiometer !== undefined ? { radiometer: f.radiometer } : {}),
    ...(f.specTmp !== undefined ? { specTmp: f.specTmp } : {}),
    ...(f.model !== undefined ? { model: f.model } : {}),
    overwrite: c.overwrite,
    command: [c.tool, ...ctx.argv].join(" "),
    params: c.params,
  };
}

/**
 * Run a gridding command as both front ends do: grid with a progress bar, write the products
 * (`-` = stdout) and log the summary lines. A bad combination of outputs found by the library
 * ({@link GridOptionError}) is a {@link UsageError} (exit 2).
 */
export async function runGridCommand(c: GridCommand, ctx: ToolContext): Promise<GridReport> {
  let bar: ReturnType<ToolContext["progress"]> | undefined;
  let last = 0;
  let report: GridReport;
  try {
    report = await runGridJob(gridJob(c, ctx), {
      onProgress: (done, total) => {
        bar ??= ctx.progress("gridding", total);
        bar.tick(done - last);
        last = done;
      },
      onWarning: (m) => ctx.log.warn(m),
    });
  } catch (e) {
    throw e instanceof GridOptionError ? new UsageError(e.message) : e;
  }
  bar?.done();
  for (const l of report.lines) ctx.log.info(l);
  for (const p of report.written) ctx.log.info(`wrote ${p === "-" ? "stdout" : p}`);
  return report;
}
