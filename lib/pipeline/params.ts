/**
 * The one table of pipeline parameters: name, default, grammar and a one-line description for every
 * `key=value` that SLpipeline.sh, the Makefiles (`make -f scripts/rsr.mk`), run files (`lmt_run`) and the
 * web form accept. `--help`, validation, the rc file's parameter block, shell completion and the form are
 * all made from it, so they cannot disagree.
 *
 * Names and defaults are LMTOY's (shared/spec/SLpipeline-parameters.md); where LMTOY's default is a
 * convenience of its framework (sleep=2) this toolkit's is said in the description.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { didYouMean } from "../formats/suggest.ts";
import * as G from "./grammar.ts";
import { parseObsnumList } from "../formats/obsnum.ts";

/** The pipelines: RSR, and SEQ (Sequoia and 1MM, whose data have the same layout). */
export type PipelineKind = "rsr" | "seq";

/** One parameter. */
export interface ParamSpec {
  readonly name: string;
  /** Default as text ("" = unset). */
  readonly default: string;
  readonly grammar: G.Grammar;
  /** One line, for --help, `make help` and the web form. */
  readonly help: string;
  /** The pipelines that take it; generic parameters list both. */
  readonly pipelines: readonly PipelineKind[];
  /** The group it is shown under. */
  readonly group: "generic" | "rsr" | "seq-spec" | "seq-grid" | "seq-output";
  /** Accepted for compatibility with LMTOY, but this toolkit has nothing to do for it. */
  readonly unavailable?: boolean;
}

const BOTH: readonly PipelineKind[] = ["rsr", "seq"];
const RSR: readonly PipelineKind[] = ["rsr"];
const SEQ: readonly PipelineKind[] = ["seq"];

function p(
  name: string,
  def: string,
  grammar: G.Grammar,
  help: string,
  pipelines: readonly PipelineKind[],
  group: ParamSpec["group"],
  unavailable = false,
): ParamSpec {
  return unavailable
    ? { name, default: def, grammar, help, pipelines, group, unavailable }
    : { name, default: def, grammar, help, pipelines, group };
}

/** An obsnum: a positive integer (netCDF int). */
export const obsnumGrammar: G.Grammar = G.int(1, 2_147_483_647);

/** A combination's obsnums: a comma list (ranges a-b allowed), at least two distinct obsnums. */
export const obsnumsGrammar: G.Grammar = {
  metavar: "o1,o2,...",
  describe: "expected comma-separated obsnums (ranges a-b allowed), at least two, none repeated",
  test: (v) => {
    if (v.length > 4096 || !/^[0-9,-]+$/.test(v)) return false;
    try {
      const list = parseObsnumList(v);
      return list.length >= 2 && list.length <= 10_000 && new Set(list).size === list.length;
    } catch {
      return false;
    }
  },
};

/** Every parameter, in help order. */
export const PARAMS: readonly ParamSpec[] = [
  // ---- generic (SLpipeline-parameters.md §1)
  p("obsnum", "", obsnumGrammar, "the obsnum to reduce", BOTH, "generic"),
  p(
    "obsnums",
    "",
    obsnumsGrammar,
    "obsnums to combine (each single is reduced first if needed)",
    BOTH,
    "generic",
  ),
  p("oid", "", G.plainName, "tag added to the output directory name (OBSNUM__oid)", BOTH, "generic"),
  p("dir", "", G.plainName, "output directory name [default: OBSNUM, or FIRST_LAST]", BOTH, "generic"),
  p("debug", "0", G.flag, "1: print every step's command as it runs", BOTH, "generic"),
  p(
    "error",
    "1",
    G.flag,
    "1: stop at the first failing step; 0: carry on with the steps that do not need it",
    BOTH,
    "generic",
  ),
  p("restart", "0", G.flag, "1: remove the obsnum's old results first", BOTH, "generic"),
  p("exist", "0", G.flag, "1: do nothing when the obsnum's directory exists", BOTH, "generic"),
  p("path", "", G.fileName, "raw data root [default: $DATA_LMT]", BOTH, "generic"),
  p(
    "work",
    "",
    G.fileName,
    "work root for PROJECTID/OBSNUM [default: $WORK_LMT, else the current directory]",
    BOTH,
    "generic",
  ),
  p(
    "sleep",
    "0",
    G.number(0, 3600),
    "seconds to wait before starting (LMTOY's default is 2)",
    BOTH,
    "generic",
  ),
  p("nproc", "1", G.int(1, 256), "processors the tools may use (gridding threads)", BOTH, "generic"),
  p(
    "keep",
    "10",
    G.int(1, 1000),
    "runs with different parameters kept as OBSNUM/attempts/N (the oldest removed)",
    BOTH,
    "generic",
  ),
  p(
    "sdfits",
    "1",
    G.flag,
    "1: also write the calibrated spectra as SDFITS (for dysh and other single-dish software)",
    BOTH,
    "generic",
  ),
  p("tap", "0", G.flag, "produce a TAP tar file", BOTH, "generic", true),
  p("srdp", "0", G.flag, "produce an SRDP tar file", BOTH, "generic", true),
  p("raw", "0", G.flag, "produce a RAW tar file", BOTH, "generic", true),
  p("admit", "0", G.flag, "run ADMIT on the products", BOTH, "generic", true),
  // ---- RSR (§2)
  p(
    "badcb",
    "",
    G.chassisBoardList,
    "chassis/board pairs removed whole, C/B,C/B (C 0..3, B 0..5)",
    RSR,
    "rsr",
  ),
  p(
    "xlines",
    "",
    G.numberList({
      multiple: 2,
      allowEmpty: true,
      describe: "expected f1,w1,f2,w2,... in GHz (pairs of numbers)",
    }),
    "line windows f1,w1,... (GHz) kept out of baselines and sigma (rsr_driver --exclude)",
    RSR,
    "rsr",
  ),
  p("sgf", "0", G.int(0, 4095), "Savitzky-Golay high-pass window, odd, 0 = off (rsr_driver -f)", RSR, "rsr"),
  p("notch", "0", G.number(0, 1e6), "notch filter sigma, only with sgf (rsr_driver -n)", RSR, "rsr"),
  p("blo", "1", G.int(-1, 10), "baseline polynomial order (rsr_driver -b, rsr_sum --o1)", RSR, "rsr"),
  p(
    "rthr",
    "0.01",
    G.number(0, 1e6),
    "sigma threshold (K) for averaging repeats (rsr_driver -r)",
    RSR,
    "rsr",
  ),
  p(
    "cthr",
    "0.01",
    G.number(0, 1e6),
    "sigma threshold (K) for coadding obsnums (rsr_driver -t, rsr_sum -t)",
    RSR,
    "rsr",
  ),
  p("spike", "3", G.number(0, 1e6), "spike threshold of badlags (badlags --spike)", RSR, "rsr"),
  p(
    "shortlags",
    "",
    G.numberList({ count: 2, allowEmpty: true, describe: "expected SMIN,SHIGH (two numbers)" }),
    "SMIN,SHIGH: a softer rule for lags below SMIN, for strong continuum (badlags --short_min --short_hi)",
    RSR,
    "rsr",
  ),
  p("jitter", "1", G.flag, "1: also remove boards whose Tsys jitters (rsr_tsys #BADCB lines)", RSR, "rsr"),
  p("rms", "25", G.number(0, 1e6), "Tsys jitter threshold in K (rsr_tsys -r)", RSR, "rsr"),
  p(
    "badlags",
    "",
    G.fileName,
    "use this .badlags file (inside the work tree) instead of running badlags",
    RSR,
    "rsr",
  ),
  p("linecheck", "0", G.flag, "LMTOY's line-check switch (accepted; xlines= is used as given)", RSR, "rsr"),
  // ---- SEQ: spectra (§3)
  p("bank", "-1", G.int(-1, 3), "spectral bank, -1 = every bank in use", SEQ, "seq-spec"),
  p(
    "pix_list",
    "",
    G.intList(0, 31, { negatable: true, allowEmpty: true }),
    "pixels to use, or -P,... for all but these [default: all 16; Bs 10,8; Ps 10]",
    SEQ,
    "seq-spec",
  ),
  p("stype", "2", G.int(0, 3), "reference scheme: 0 median, 1 single ref, 2 bracketed ref", SEQ, "seq-spec"),
  p("dv", "100", G.number(0, 1e5), "line window half-width (km/s) around vlsr", SEQ, "seq-spec"),
  p(
    "dw",
    "250",
    G.number(0, 1e5),
    "baseline window width (km/s) outside the line window, each side",
    SEQ,
    "seq-spec",
  ),
  p("vlsr", "", G.number(-1e5, 1e5), "source velocity (km/s) [default: from the header]", SEQ, "seq-spec"),
  p("b_order", "0", G.int(0, 10), "baseline polynomial order", SEQ, "seq-spec"),
  p(
    "b_regions",
    "",
    G.regionList,
    "baseline regions [[v0,v1],...] (km/s) [default: from vlsr, dv, dw]",
    SEQ,
    "seq-spec",
  ),
  p(
    "l_regions",
    "",
    G.regionList,
    "line regions [[v0,v1],...] (km/s) [default: vlsr +- dv]",
    SEQ,
    "seq-spec",
  ),
  p(
    "slice",
    "",
    G.bracketPair,
    "velocity range [v0,v1] kept (km/s) [default: the outer baseline edges]",
    SEQ,
    "seq-spec",
  ),
  p(
    "birdies",
    "0",
    G.intList(0, 65535),
    "channels to blank (process_otf_map --eliminate_list)",
    SEQ,
    "seq-spec",
  ),
  p(
    "map_coord_use",
    "-1",
    G.int(-1, 2),
    "map coordinates: -1 header, 0 Az/El, 1 RA/Dec, 2 l/b",
    SEQ,
    "seq-spec",
  ),
  p(
    "x_axis",
    "VLSR",
    G.oneOf(["VLSR", "VBARY", "VSKY", "VSRC", "FLSR", "FBARY", "FSKY", "FSRC"]),
    "spectral axis of the SpecFile and cube (process_otf_map --x_axis)",
    SEQ,
    "seq-spec",
  ),
  p(
    "restfreq",
    "",
    G.number(1, 2000),
    "rest frequency (GHz) of the line on the velocity axis; reduces the bank whose band holds it [default: the header's]",
    SEQ,
    "seq-spec",
  ),
  p(
    "linefreq",
    "",
    G.numberList({ allowEmpty: true, describe: "expected f1,f2,... rest frequencies in GHz" }),
    "lines f1,f2,... (GHz): one more SpecFile and cube per line, SRC_OBSNUM__B_L1.fits, ... (Heyer's Linefreq)",
    SEQ,
    "seq-spec",
  ),
  p(
    "otf_sample",
    "-1",
    G.numberList({
      multiple: 3,
      describe: "expected -1, or P,S0,S1,... (pixel and sample range, in threes)",
    }),
    "ON samples left out of the SpecFile: P,S0,S1,... or -1 (process_otf_map --sample)",
    SEQ,
    "seq-spec",
  ),
  p("otf_cal", "0", G.flag, "1: calibrate with the OTF scan's own hot/sky", SEQ, "seq-spec"),
  p("offx", "0", G.number(-1e5, 1e5), "map offset x (arcsec)", SEQ, "seq-spec"),
  p("offy", "0", G.number(-1e5, 1e5), "map offset y (arcsec)", SEQ, "seq-spec"),
  // ---- SEQ: gridding
  p(
    "resolution",
    "",
    G.number(0.1, 1e4),
    "beam (arcsec) [default: lambda/D at the sky frequency]",
    SEQ,
    "seq-grid",
  ),
  p("cell", "", G.number(0.01, 1e4), "cell size (arcsec) [default: resolution/nppb]", SEQ, "seq-grid"),
  p("nppb", "2", G.number(0.1, 100), "cells per beam, when cell= is not given", SEQ, "seq-grid"),
  p("extent", "0", G.number(0, 1e5), "half size of the map (arcsec), 0 = from the scan", SEQ, "seq-grid"),
  p(
    "rms_cut",
    "-4",
    G.number(-1e6, 1e6),
    "spectra rejected above this rms (negative: robust MAD rule)",
    SEQ,
    "seq-grid",
  ),
  p("rmax", "3", G.number(0, 100), "convolution radius in resolutions", SEQ, "seq-grid"),
  p(
    "otf_select",
    "1",
    G.int(0, 3),
    "gridding kernel: 0 box, 1 jinc, 2 gaussian, 3 triangle",
    SEQ,
    "seq-grid",
  ),
  p("otf_a", "1.1", G.number(-1e6, 1e6), "kernel parameter a", SEQ, "seq-grid"),
  p("otf_b", "4.75", G.number(-1e6, 1e6), "kernel parameter b", SEQ, "seq-grid"),
  p("otf_c", "2", G.number(-1e6, 1e6), "kernel parameter c", SEQ, "seq-grid"),
  p("noise_sigma", "1", G.number(0, 1e6), "1: weight spectra by 1/rms^2", SEQ, "seq-grid"),
  p("edge", "0", G.flag, "1: keep the fuzzy edge of the map", SEQ, "seq-grid"),
  p(
    "sample",
    "-1",
    G.numberList({
      multiple: 3,
      describe: "expected -1, or P,S0,S1,... (pixel and sample range, in threes)",
    }),
    "time samples to drop at gridding: P,S0,S1,... or -1",
    SEQ,
    "seq-grid",
  ),
  // ---- SEQ: products
  p(
    "makewf",
    "1",
    G.flag,
    "1: waterfall FITS and PNG of the calibrated spectra (maps: make_spec_fits; Bs/Ps: every ON dump)",
    SEQ,
    "seq-output",
  ),
  p(
    "maskmoment",
    "1",
    G.flag,
    "1: masked moment maps mom0/mom1/mom2/peak with PNGs (seq_moments)",
    SEQ,
    "seq-output",
  ),
  p(
    "viewspec",
    "1",
    G.flag,
    "1: the spectrum at location= as text and PNG (seq_viewspec)",
    SEQ,
    "seq-output",
  ),
  p(
    "location",
    "0,0",
    G.numberList({ count: 2, describe: "expected DX,DY in arcsec (two numbers)" }),
    "position DX,DY (arcsec from the map centre) of the viewspec spectrum",
    SEQ,
    "seq-output",
  ),
  p(
    "projection",
    "",
    G.oneOf(["SFL", "CAR", "SIN", "TAN"], true),
    "cube projection; empty = the C gridder's placement (SFL axes)",
    SEQ,
    "seq-grid",
  ),
  p("ztype", "0", G.int(0, 2), "cube spectral axis: 0 velocity, 1 frequency, 2 channel", SEQ, "seq-grid"),
];

/**
 * Parameters that say how a run is done, not what it computes: never compared between attempts, not shown as
 * rows of the attempts page, not carried over from a single's rc file when a combination re-runs it.
 */
export const HOW_PARAMS: ReadonlySet<string> = new Set([
  "debug",
  "error",
  "restart",
  "exist",
  "path",
  "work",
  "sleep",
  "nproc",
  "keep",
]);

const BY_NAME = new Map(PARAMS.map((s) => [s.name, s]));

/** The spec of a parameter, or undefined. */
export function paramSpec(name: string): ParamSpec | undefined {
  return BY_NAME.get(name);
}

/** The parameters of a pipeline, in help order. */
export function paramsOf(kind: PipelineKind): ParamSpec[] {
  return PARAMS.filter((s) => s.pipelines.includes(kind));
}

/** A parameter problem; `usage` problems exit 2. */
export class ParamError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "ParamError";
  }
}

/**
 * Split `key=value` words and check them against the table: a word without `=`, an unknown key (with a
 * "did you mean"), a key given twice, a key of the other pipeline (when `kind` is known) and a value outside
 * its grammar are {@link ParamError}s. Returns the pairs in order.
 */
export function checkParams(words: readonly string[], kind?: PipelineKind): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new ParamError(`expected key=value, got "${printable(w)}"`);
    const key = w.slice(0, eq), value = w.slice(eq + 1);
    const spec = BY_NAME.get(key);
    if (spec === undefined) {
      const dym = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
        ? didYouMean(key, PARAMS.map((s) => s.name))
        : undefined;
      throw new ParamError(`unknown parameter ${printable(key)}=${dym ? ` (did you mean ${dym}=?)` : ""}`);
    }
    if (out.has(key)) throw new ParamError(`parameter ${key}= given twice`);
    if (kind !== undefined && !spec.pipelines.includes(kind)) {
      throw new ParamError(
        `${key}= is a ${spec.pipelines.join("/").toUpperCase()} parameter, not ${kind.toUpperCase()}`,
      );
    }
    if (!spec.grammar.test(value)) {
      throw new ParamError(`${key}=${printable(value)}: ${spec.grammar.describe}`);
    }
    out.set(key, value);
  }
  if (out.has("obsnum") && out.has("obsnums")) throw new ParamError("give obsnum= or obsnums=, not both");
  return out;
}

/** A value as it may be shown in one line of a message: control characters escaped, at most 80 characters. */
export function printable(v: string): string {
  // deno-lint-ignore no-control-regex
  const s = v.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** The parameters of a run with defaults filled in: `get` knows only names of the table. */
export class ParamSet {
  readonly #values: Map<string, string>;
  readonly kind: PipelineKind;
  /** The names given explicitly (not defaults). */
  readonly given: ReadonlySet<string>;

  constructor(kind: PipelineKind, given: Map<string, string>) {
    this.kind = kind;
    this.given = new Set(given.keys());
    this.#values = new Map();
    for (const s of paramsOf(kind)) this.#values.set(s.name, given.get(s.name) ?? s.default);
  }

  /** The value (text) of a parameter of this pipeline; a name not in the table is a programming error. */
  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) throw new Error(`internal: no ${this.kind} parameter ${name}`);
    return v;
  }

  /** The value as a number (the grammar already guaranteed it is one, unless it is empty: NaN). */
  num(name: string): number {
    const v = this.get(name);
    return v === "" ? NaN : Number(v);
  }

  /** Every parameter of the pipeline with its value, in table order. */
  entries(): [string, string][] {
    return [...this.#values.entries()];
  }
}

/** The help text of a pipeline's parameters (`SLpipeline.sh --help`, `make -f scripts/X.mk help`). */
export function paramsHelp(kind: PipelineKind | "all"): string {
  const groups: [ParamSpec["group"], string][] = [
    ["generic", "generic"],
    ["rsr", "RSR"],
    ["seq-spec", "SEQ spectra (process_otf_map, process_bs, process_ps)"],
    ["seq-grid", "SEQ gridding (grid_data)"],
    ["seq-output", "SEQ products"],
  ];
  const lines: string[] = [];
  for (const [g, title] of groups) {
    const specs = PARAMS.filter((s) => s.group === g && (kind === "all" || s.pipelines.includes(kind)));
    if (specs.length === 0) continue;
    lines.push(`${title}:`);
    for (const s of specs) {
      const def = s.default === "" ? "" : ` [default: ${s.default}]`;
      const na = s.unavailable ? " (not available in this toolkit)" : "";
      lines.push(`  ${(s.name + "=").padEnd(15)} ${s.help}${def}${na}`);
    }
  }
  return lines.join("\n") + "\n";
}
