/**
 * Text spectra: the rsr_driver spectrum (3 columns, `%.18e`, header block) and its `_bandspec`
 * variant (12 columns), the rsr_sum spectrum (2 columns), the process_bs Bs spectrum (`%g`), and a
 * generic reader for all of them.
 *
 * @module
 */
import { FormatError } from "./errors.ts";
import { formatExp, pyStr, sprintf } from "./printf.ts";
import { splitLines } from "./_text.ts";

/**
 * numpy `savetxt(fmt="%.18e")` of one number, byte for byte (`nan`, `inf`, `-inf` for non-finite).
 *
 * @example
 * ```ts
 * formatE18(71.71953125000000284); // "7.171953125000000284e+01"
 * ```
 */
export function formatE18(x: number): string {
  return formatExp(x, 18);
}

/**
 * Rows of numbers as numpy `savetxt` writes them: one row per index, columns joined by one space,
 * each `%.18e` (or `fmt`), `\n` after every row. Columns must have equal lengths.
 */
export function savetxtRows(
  columns: readonly ArrayLike<number>[],
  fmt: (x: number) => string = formatE18,
): string {
  if (columns.length === 0) return "";
  const n = columns[0]!.length;
  for (const c of columns) {
    if (c.length !== n) throw new RangeError(`Cannot write columns of unequal length: ${c.length} vs ${n}`);
  }
  const parts: string[] = new Array(n);
  const row: string[] = new Array(columns.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < columns.length; j++) row[j] = fmt(columns[j]![i]!);
    parts[i] = row.join(" ");
  }
  return n === 0 ? "" : parts.join("\n") + "\n";
}

/** Everything in the rsr_driver header block (§7.4). Optional lines appear only when set. */
export interface DriverHeader {
  source: string;
  /** Sexagesimal strings, e.g. from {@link formatSexagesimal}. */
  ra: string;
  dec: string;
  /** `--date_obs` text, or null (printed as `None`). */
  dateObs: string | null;
  /** `%Y-%m-%dT%H:%M:%S`. */
  dateReduction: string;
  /** Per board (board order) the valid [min, max] frequency, or null when the board has no valid channel. */
  boardIntervals: readonly ([number, number] | null)[];
  /** Final σ per board in mK (`%f`). */
  sigmaPerBoardMk: readonly number[];
  baselineOrder: number;
  /** Products as `OBSNUM_CHASSIS` (each is followed by a comma, as the original writes). */
  inputObservations: readonly string[];
  /** Seconds (Python float). */
  integrationTime: number;
  /** Mean opacity rounded to 2 decimals (Python float). */
  opacity: number;
  sgfWindow?: number;
  sgfFreqCutGHz?: number;
  sgfVelCutKms?: number;
  repeatThreshold?: number;
  simulate?: { amplitude: number; frequency: number; widthGHz: number };
  coaddThreshold?: number;
  notchSigma?: number;
  smoothing?: number;
  /** The command-line arguments after the program name. */
  command: readonly string[];
  /** Driver/pipeline version strings (defaults: the reproduced rsr_driver 0.7.1-pjt and dreampy3 lines). */
  driverVersion?: string;
  pipelineVersion?: string;
}

/** `"{}: {} {}"` as the driver writes its key/value lines (an empty unit leaves a trailing space). */
export function kvLine(key: string, value: string, unit: string): string {
  return `${key}: ${value} ${unit}`;
}

/**
 * The driver header block as lines without the `# ` prefix (the spectrum writers add it).
 * Floats are Python `str()` (pyStr), integers plain.
 */
export function driverHeaderLines(h: DriverHeader): string[] {
  const L: string[] = [
    "------------Redshift Receiver Spectrum---------",
    "Telescope: Large Millimeter Telescope",
    `Source: ${h.source}`,
    `Source RA: ${h.ra}`,
    `Source DEC: ${h.dec}`,
    `Pipeline version (DREAMPY): ${h.pipelineVersion ?? "$Rev: 284 $: Last Commit: 23-Jul-2020"}`,
    `Driver script version: ${h.driverVersion ?? "0.7.1-pjt"}`,
    `Date of Observation: ${h.dateObs ?? "None"}`,
    `Date of Reduction: ${h.dateReduction}`,
    "Frequency Units: GHz",
    "Spectrum Units: K (T_A)",
    "Board intervals (GHz):" +
    h.boardIntervals.filter((b): b is [number, number] => b !== null).map(([a, b]) =>
      sprintf("(%.3f-%.3f)", a, b)
    )
      .join(","),
    "Sigma per board (mK): " + h.sigmaPerBoardMk.map((s) => sprintf("%f", s)).join(","),
    kvLine("Polynomial Baseline Order", String(h.baselineOrder), ""),
    kvLine("Input Observations", h.inputObservations.map((s) => s + ",").join(""), ""),
    kvLine("Integration Time", pyStr(h.integrationTime), "s"),
    kvLine("Average Opacity (220GHz)", pyStr(h.opacity), ""),
  ];
  if (h.sgfWindow !== undefined) L.push(kvLine("SGF Window Size", String(h.sgfWindow), " channels"));
  if (h.sgfFreqCutGHz !== undefined) L.push(kvLine("SGF Frequency HP Cut", pyStr(h.sgfFreqCutGHz), "GHz"));
  if (h.sgfVelCutKms !== undefined) L.push(kvLine("SGF Velocity HP Cut", pyStr(h.sgfVelCutKms), "km/s"));
  if (h.repeatThreshold !== undefined) {
    L.push(kvLine("Repeat Sigma Threshold", pyStr(h.repeatThreshold), "K"));
  }
  if (h.simulate !== undefined) {
    const s = h.simulate;
    L.push(
      kvLine(
        "Simulated",
        `: ${pyStr(s.amplitude)} K, ${pyStr(s.frequency)} GHz, ${pyStr(s.widthGHz)} GHz`,
        "",
      ),
    );
  }
  if (h.coaddThreshold !== undefined) L.push(kvLine("Coadd Sigma threshold", pyStr(h.coaddThreshold), "K"));
  if (h.notchSigma !== undefined) L.push(kvLine("Notch Filter Sigma", pyStr(h.notchSigma), ""));
  if (h.smoothing !== undefined) L.push(kvLine("Smoothing Channels", String(h.smoothing), ""));
  L.push(kvLine("RSR driver cmd", h.command.join(" "), ""));
  L.push("------------------------------------------------");
  return L;
}

/**
 * The rsr_driver merged spectrum: every header line prefixed `# `, the extra `# ` line (savetxt
 * artefact), then rows `freq T_A sigma` in `%.18e`.
 */
export function stringifyDriverSpectrum(
  header: readonly string[],
  freq: ArrayLike<number>,
  value: ArrayLike<number>,
  sigma: ArrayLike<number>,
): string {
  return header.map((h) => "# " + h + "\n").join("") + "# \n" + savetxtRows([freq, value, sigma]);
}

/**
 * The rsr_driver `_bandspec` file: the header lines prefixed `# ` (no extra line), then rows
 * `f_0 T_0 f_1 T_1 ... f_5 T_5` in board order, `%.18e`.
 */
export function stringifyBandspec(
  header: readonly string[],
  boards: readonly { freq: ArrayLike<number>; value: ArrayLike<number> }[],
): string {
  const cols: ArrayLike<number>[] = [];
  for (const b of boards) cols.push(b.freq, b.value);
  return header.map((h) => "# " + h + "\n").join("") + savetxtRows(cols);
}

/** The rsr_sum spectrum: two columns (GHz, K), `%.18e`, no header. */
export function stringifySumSpectrum(freq: ArrayLike<number>, value: ArrayLike<number>): string {
  return savetxtRows([freq, value]);
}

/**
 * The process_bs Bs spectrum: `# vlsr  TA(K)   Tsys1  Tsys2` then rows `"%g %g  %g %g"`. `xName`
 * names the first column in the header (default `vlsr`, as the original always wrote; `fsky` for an
 * FSKY axis).
 *
 * @example
 * ```ts
 * stringifyBsSpectrum([1284.84], [-0.09364], [210.14], [198.795]);
 * // "# vlsr  TA(K)   Tsys1  Tsys2\n1284.84 -0.09364  210.14 198.795\n"
 * stringifyBsSpectrum([8.88e10], [0.5], [190], [181], "fsky");
 * // "# fsky  TA(K)   Tsys1  Tsys2\n8.88e+10 0.5  190 181\n"
 * ```
 */
export function stringifyBsSpectrum(
  x: ArrayLike<number>,
  ta: ArrayLike<number>,
  tsys1: ArrayLike<number>,
  tsys2: ArrayLike<number>,
  xName = "vlsr",
): string {
  const n = x.length;
  if (ta.length !== n || tsys1.length !== n || tsys2.length !== n) {
    throw new RangeError("Cannot write a Bs spectrum from columns of unequal length");
  }
  const rows: string[] = [`# ${xName}  TA(K)   Tsys1  Tsys2`];
  for (let i = 0; i < n; i++) rows.push(sprintf("%g %g  %g %g", x[i]!, ta[i]!, tsys1[i]!, tsys2[i]!));
  return rows.join("\n") + "\n";
}

/** A text spectrum read back. */
export interface TextSpectrum {
  /** Comment lines in order, without the leading `#` and one following space. */
  header: string[];
  /** One array per column. */
  columns: Float64Array[];
}

const NUM_RE = /^[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|nan|inf|infinity)$/i;

function parseNum(tok: string): number {
  const t = tok.toLowerCase().replace(/^\+/, "");
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "inf" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  return Number(tok);
}

/**
 * Read any whitespace-separated numeric text table (driver, bandspec, rsr_sum, Bs spectra): `#`
 * lines are header, blank lines skipped, `nan`/`inf` accepted; every row must have the same number
 * of columns. Throws {@link FormatError} naming the line otherwise.
 *
 * @example
 * ```ts
 * readTextSpectrum("# a\n1 2\n3 nan\n", "x.txt"); // {header: ["a"], columns: [[1, 3], [2, NaN]]}
 * ```
 */
export function readTextSpectrum(text: string, source?: string): TextSpectrum {
  const header: string[] = [];
  const rows: number[][] = [];
  const lines = splitLines(text);
  let ncol = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "") continue;
    if (t.startsWith("#")) {
      header.push(lines[i]!.trimStart().slice(1).replace(/^ /, "")); // trailing blanks kept
      continue;
    }
    const toks = t.split(/\s+/);
    if (ncol < 0) ncol = toks.length;
    else if (toks.length !== ncol) {
      throw new FormatError(`expected ${ncol} columns but got ${toks.length}`, i + 1, source);
    }
    const row = new Array<number>(ncol);
    for (let j = 0; j < ncol; j++) {
      const tok = toks[j]!;
      if (!NUM_RE.test(tok)) {
        throw new FormatError(`invalid number "${tok}" in column ${j + 1}`, i + 1, source);
      }
      row[j] = parseNum(tok);
    }
    rows.push(row);
  }
  const columns: Float64Array[] = [];
  for (let j = 0; j < Math.max(ncol, 0); j++) {
    const c = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) c[i] = rows[i]![j]!;
    columns.push(c);
  }
  return { header, columns };
}

/**
 * The `Key: value` lines of a driver header as a map (first `:` splits; value trimmed), e.g.
 * `get("Integration Time")` → `"299.99592891973515 s"`. Lines without a colon are skipped.
 */
export function parseDriverHeader(header: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of header) {
    const k = line.indexOf(":");
    if (k <= 0) continue;
    m.set(line.slice(0, k).trim(), line.slice(k + 1).trim());
  }
  return m;
}

/**
 * Sexagesimal text as astropy 5.2.1 `Angle.to_string(sep=":")` prints it (§7.4): sign only when
 * negative, leading field not zero-padded, minutes two digits, seconds rounded to 8 decimals with
 * carry, trailing zeros and `.` stripped, seconds left-padded to two integer digits. `x` is in the
 * unit wanted (hours for RA, degrees for Dec).
 *
 * @example
 * ```ts
 * formatSexagesimal(201.37 / 15); // "13:25:28.8"
 * formatSexagesimal(-8.75);       // "-8:45:00"
 * ```
 */
export function formatSexagesimal(x: number): string {
  const neg = x < 0;
  const a = Math.abs(x);
  let d = Math.floor(a);
  let m = Math.floor((a - d) * 60);
  const sRaw = ((a - d) * 60 - m) * 60;
  // seconds rounded to 8 decimals (exact, half-even on the exact binary value)
  let sText = sprintf("%.8f", sRaw);
  if (Number(sText) >= 60) {
    sText = "0.00000000";
    m += 1;
  }
  if (m >= 60) {
    m -= 60;
    d += 1;
  }
  sText = sText.replace(/0+$/, "").replace(/\.$/, "");
  const [ip, fp] = sText.split(".") as [string, string | undefined];
  const secs = ip.padStart(2, "0") + (fp !== undefined ? "." + fp : "");
  return `${neg ? "-" : ""}${d}:${String(m).padStart(2, "0")}:${secs}`;
}
