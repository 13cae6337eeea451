/**
 * Manual flags of a SEQ obsnum in lmt_web. SEQ has no flag file: a pixel left out is `pix_list=-P,...`
 * (all but these) and a channel range is `birdies=c1,c2,...` (original spectrometer channels,
 * process_otf_map --eliminate_list). The server turns a picked pixel or a velocity range dragged on the
 * spectrum into the new values of those two parameters (the range through the SpecFile's spectral axis),
 * checks them with the pipeline's own grammar, and the page puts them into its re-run form; the run's
 * `lmtoy_OBSNUM.rc` (and its attempt) records them.
 *
 * @module
 */
import { openNetcdf } from "../netcdf/mod.ts";
import { readSpecFileTable } from "../specfile/reader.ts";
import { checkParams, ParamError } from "../pipeline/params.ts";
import { FlagError } from "./flag.ts";

/** Number of SEQ pixels (pix_list= counts 0..15, as the pipeline). */
export const NPIX = 16;
/** Most channels one drag may blank (birdies are narrow; a wide range is a mistake, or a slice=). */
export const MAX_BIRDIE_CHANNELS = 256;

/** The spectral axis of a SpecFile: local channel i is original channel chan0+i at crval+(i-crpix)*cdelt. */
export interface SeqAxis {
  chan0: number;
  nchan: number;
  crval: number;
  crpix: number;
  cdelt: number;
  ctype: string;
}

/** What the page shows per pixel, and the axis. */
export interface SeqInfo {
  /** The SpecFile read (name inside the obsnum directory). */
  file: string;
  axis: SeqAxis;
  /** Mean Tsys (K) of the first calibration per pixel 0..15 (null where unknown). */
  tsys: (number | null)[];
}

/** Pixels excluded by a pix_list= value ("" = none; "-a,b" = a and b; "0,1,..." = the others). */
export function excludedPixels(pixList: string): number[] {
  const v = pixList.trim();
  if (v === "") return [];
  const nums = (s: string) => s.split(",").filter((x) => x !== "").map(Number);
  if (v.startsWith("-")) return [...new Set(nums(v.slice(1)))].filter((p) => p < NPIX).sort((a, b) => a - b);
  const keep = new Set(nums(v));
  return Array.from({ length: NPIX }, (_, i) => i).filter((p) => !keep.has(p));
}

/** The pix_list= value that leaves out `excluded` ("" when none). */
export function pixListExcluding(excluded: readonly number[]): string {
  const e = [...new Set(excluded)].sort((a, b) => a - b);
  return e.length === 0 ? "" : "-" + e.join(",");
}

/**
 * Original channels whose centre lies in [v1, v2] (either order) on `axis`. Throws {@link FlagError}
 * when none does, or more than {@link MAX_BIRDIE_CHANNELS}.
 */
export function channelsInRange(axis: SeqAxis, v1: number, v2: number): number[] {
  const lo = Math.min(v1, v2), hi = Math.max(v1, v2);
  const out: number[] = [];
  for (let i = 0; i < axis.nchan; i++) {
    const v = axis.crval + (i - axis.crpix) * axis.cdelt;
    if (v >= lo && v <= hi) out.push(axis.chan0 + i);
  }
  if (out.length === 0) throw new FlagError(`range: no channel of the spectrum lies in [${lo}, ${hi}]`);
  if (out.length > MAX_BIRDIE_CHANNELS) {
    throw new FlagError(
      `range: ${out.length} channels (at most ${MAX_BIRDIE_CHANNELS} for birdies=; use slice= or b_regions= for wide ranges)`,
    );
  }
  return out;
}

/** birdies= with `channels` added (the default "0", channel 0 at the band edge, is replaced). */
export function birdiesWith(birdies: string, channels: readonly number[]): string {
  const have = birdies.trim() === "" || birdies.trim() === "0"
    ? []
    : birdies.split(",").filter((s) => s !== "").map(Number);
  return [...new Set([...have, ...channels])].sort((a, b) => a - b).join(",");
}

/** The SpecFile of the spectrum `specFile` shown (`NAME__B.*` → `NAME__B.nc`), else the first `*.nc`. */
export function specFileFor(names: readonly string[], specFile: string | undefined): string | undefined {
  const m = specFile === undefined ? null : /^(.*__\d+)\./.exec(specFile);
  if (m && names.includes(`${m[1]}.nc`)) return `${m[1]}.nc`;
  return names.filter((n) => /__\d+\.nc$/.test(n)).sort()[0];
}

/** Read the axis and the per-pixel Tsys of the SpecFile `file` in `dir`. */
export async function seqInfo(dir: string, file: string): Promise<SeqInfo> {
  const nc = await openNetcdf(`${dir}/${file}`);
  try {
    const t = readSpecFileTable(nc);
    const tsys = Array.from({ length: NPIX }, (_, p) => {
      const v = t.tsysMean[p];
      return v !== undefined && Number.isFinite(v) ? Math.round(v * 100) / 100 : null;
    });
    return {
      file,
      axis: {
        chan0: t.chan0,
        nchan: t.nchan,
        crval: t.crval,
        crpix: t.crpix,
        cdelt: t.cdelt,
        ctype: t.ctype,
      },
      tsys,
    };
  } finally {
    nc.close();
  }
}

/** A SEQ flag request (already type-checked). */
export interface SeqFlag {
  /** Pixels to leave out (added to the excluded ones) and pixels to use again. */
  exclude: number[];
  include: number[];
  /** A velocity range (km/s) of the shown spectrum whose channels go to birdies=. */
  range?: [number, number] | undefined;
  /** The spectrum the range was dragged on (picks the SpecFile of its bank). */
  spectrum?: string | undefined;
  /** The form's current values (else the last run's). */
  pixList?: string | undefined;
  birdies?: string | undefined;
}

const isPix = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < NPIX;

/** Check a JSON SEQ flag request; throws {@link FlagError}. */
export function parseSeqFlag(body: Record<string, unknown>): SeqFlag {
  const list = (k: string): number[] => {
    const v = body[k] ?? [];
    if (!Array.isArray(v) || !v.every(isPix)) {
      throw new FlagError(`${k}: expected a list of pixels 0..${NPIX - 1}`);
    }
    return v as number[];
  };
  const exclude = list("exclude"), include = list("include");
  let range: [number, number] | undefined;
  if (body.range !== undefined) {
    const r = body.range;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw new FlagError("range: expected [v1, v2] in km/s");
    }
    range = [r[0], r[1]];
  }
  if (exclude.length === 0 && include.length === 0 && range === undefined) {
    throw new FlagError("nothing to flag: give exclude, include or range");
  }
  const str = (k: string): string | undefined => {
    const v = body[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.length > 4096) throw new FlagError(`${k}: expected a string`);
    return v;
  };
  const spectrum = str("spectrum");
  if (spectrum !== undefined && !/^[A-Za-z0-9_.+-]+$/.test(spectrum)) {
    throw new FlagError("spectrum: not a file name");
  }
  return { exclude, include, range, spectrum, pixList: str("pix_list"), birdies: str("birdies") };
}

/** The new pix_list=/birdies= values, checked with the pipeline's grammar. */
export interface SeqFlagResult {
  params: { pix_list: string; birdies: string };
  /** Channels added to birdies= (with the velocity range and the SpecFile they came from). */
  channels: number[];
  file?: string | undefined;
}

/**
 * Apply `flag` to the current values (`current`: the last run's parameters); `names` are the files of the
 * obsnum directory `dir`. Throws {@link FlagError} (HTTP 400).
 */
export async function applySeqFlag(
  dir: string,
  names: readonly string[],
  current: ReadonlyMap<string, string>,
  flag: SeqFlag,
): Promise<SeqFlagResult> {
  const pl0 = flag.pixList ?? current.get("pix_list") ?? "";
  const bd0 = flag.birdies ?? current.get("birdies") ?? "0";
  // the starting values must be valid themselves (a hand-edited form is checked, not trusted)
  check(pl0, bd0);
  const ex = new Set(excludedPixels(pl0));
  for (const p of flag.exclude) ex.add(p);
  for (const p of flag.include) ex.delete(p);
  if (ex.size >= NPIX) throw new FlagError("pix_list: every pixel would be left out");
  const pix_list = pixListExcluding([...ex]);
  let channels: number[] = [];
  let file: string | undefined;
  if (flag.range !== undefined) {
    file = specFileFor(names, flag.spectrum);
    if (file === undefined) throw new FlagError("range: no SpecFile (*.nc) in this obsnum's directory");
    const info = await seqInfo(dir, file);
    if (!/^V/i.test(info.axis.ctype)) {
      throw new FlagError(`range: ${file} has a ${info.axis.ctype} axis, not a velocity (x_axis=)`);
    }
    channels = channelsInRange(info.axis, flag.range[0], flag.range[1]);
  }
  const birdies = channels.length > 0 ? birdiesWith(bd0, channels) : bd0;
  check(pix_list, birdies);
  return { params: { pix_list, birdies }, channels, file };
}

function check(pixList: string, birdies: string): void {
  try {
    checkParams([`pix_list=${pixList}`, `birdies=${birdies}`], "seq");
  } catch (e) {
    if (e instanceof ParamError) throw new FlagError(e.message);
    throw e;
  }
}
