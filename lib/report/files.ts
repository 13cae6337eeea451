/**
 * What each file of an obsnum directory is (README_files.md), by name pattern.
 * @module
 */

/** [pattern, description] in priority order; `O` stands for the obsnum (or first_last), `B` for the bank. */
const RULES: [RegExp, string][] = [
  [/^index\.html$/, "summary page with plots and key numbers (open in a browser, no server needed)"],
  [/^README_files\.md$/, "this list of files"],
  [
    /^attempts$/,
    "earlier runs with other parameters, one directory each (attempts/N: lmtoy_*.rc, params.json, plots, " +
    "text products and logs; large products hard-linked); index.html shows them side by side",
  ],
  [/^lmtoy_.*\.rc$/, "parameters used and the observation summary (lmtinfo), bash syntax"],
  [/^lmtinfo_.*\.mk$/, "observation summary as make variables (lmtinfo --make)"],
  [/^\.par\.(.*)$/, "parameter stamp of a pipeline step (make re-runs the step when it changes)"],
  [/\.json$/, "provenance sidecar: tool, version, command line, inputs, parameters, wall time"],
  [/^rsr\.obsnum$/, "obsnum list given to rsr_driver"],
  [
    /^rsr\..*\.badlags$/,
    "bad lags (badlags) with #BADCB bad chassis/board lines; edit by hand and re-run make",
  ],
  [/^rsr\..*\.badcb$/, "#BADCB lines collected from badlags and rsr_tsys (whole boards to remove)"],
  [/^rsr\..*\.rfile$/, "boards removed from the rsr_driver sum (rsr_badcb -r)"],
  [/^rsr\..*\.blanking$/, "obsnums, baseline windows and blanked ranges for rsr_sum (rsr_badcb -b)"],
  [/^first\.rsr\..*\.driver\.sum\.txt$/, "rsr_driver spectrum before any flagging (diagnostic)"],
  [/^nbs\.rsr\..*\.driver\.sum\.txt$/, "rsr_driver spectrum without baseline subtraction"],
  [/^rsr\..*\.driver1\.sum\.txt$/, "rsr_driver spectrum with bad lags, before board removal (diagnostic)"],
  [/^rsr\..*\.driver\.sum_bandspec\.txt$/, "final spectrum per board on the native board grids (12 columns)"],
  [/_bandspec\.txt$/, "spectrum per board on the native board grids (diagnostic)"],
  [/^rsr\..*\.driver\.sum\.txt$/, "FINAL RSR spectrum (rsr_driver): freq (GHz), T_A (K), sigma (K)"],
  [/^rsr\..*\.blanking\.sum\.txt$/, "RSR spectrum of rsr_sum: freq (GHz), T_A (K)"],
  [/^rsr_driver0\.log$/, "log of the first rsr_driver run"],
  [/^rsr_driver1\.log$/, "log of the rsr_driver run with bad lags"],
  [/^rsr_driver_nbs\.log$/, "log of the rsr_driver run without baseline subtraction"],
  [/^rsr_driver\.log$/, "log of the final rsr_driver run"],
  [/^rsr_tsys0\.log$/, "rsr_tsys before bad lags: #OKCB/#BADCB jitter per chassis/board"],
  [
    /^rsr_tsys1\.log$/,
    "rsr_tsys with bad lags: #OKCB/#BADCB jitter per chassis/board (its #BADCB are applied)",
  ],
  [/^rsr_tsys2\.log$/, "rsr_tsys -t with bad lags (calibrated spectrum plot)"],
  [/^rsr_badlags\.log$/, "badlags report"],
  [/^rsr_sum\.log$/, "rsr_sum log"],
  [/^badlags\..*\.png$/, "plot: lag statistics per chassis/board with flagged lags (badlags)"],
  [/^rsr\.tsys0\.png$/, "plot: Tsys per chassis/board before bad lags"],
  [/^rsr\.tsys\.png$/, "plot: Tsys per chassis/board with bad lags"],
  [/^rsr\.spectrum\.png$/, "plot: calibrated spectrum per chassis (rsr_tsys -t)"],
  [
    /^rsr\.wf0-\d+\.png$/,
    "plot: waterfall of the repeats, one page per obsnum/chassis, first pass (no bad lags)",
  ],
  [/^rsr\.wf1-\d+\.png$/, "plot: waterfall of the repeats, one page per obsnum/chassis, with bad lags"],
  [
    /^rsr\.wf_nbs-\d+\.png$/,
    "plot: waterfall of the repeats, one page per obsnum/chassis, no baseline subtraction",
  ],
  [/^rsr\.wf.*\.png$/, "plot: waterfall of the repeats per obsnum/chassis (rsr_driver -w)"],
  [/^rsr\.driver.*\.png$/, "plot: rsr_driver spectra (merged and per board)"],
  [/^rsr\.spectra\.png$/, "plot: final rsr_driver and rsr_sum spectra"],
  [/^rsr\.spectra_zoom\.png$/, "plot: zoom on the strongest line with the fitted Gaussian"],
  [/__\d+\.nc$/, "SpecFile: calibrated, baselined spectra with positions (process_otf_map)"],
  [/__\d+\.smooth\.wt\.fits$/, "weight map of the 2x-resolution cube"],
  [/__\d+\.smooth\.fits$/, "data cube gridded at twice the resolution (smoother)"],
  [/__\d+\.smooth\.radiometer\.rms\.fits$/, "expected radiometer rms per cell of the smooth cube"],
  [/__\d+\.wt\.fits$/, "weight map of the cube (spec_driver_fits -w)"],
  [/__\d+\.radiometer\.rms\.fits$/, "expected radiometer rms per cell (spec_driver_fits)"],
  [/__\d+\.fits$/, "FINAL data cube (RA, Dec, velocity), K"],
  [/__\d+\.txt$/, "FINAL Bs spectrum (process_bs): vlsr, TA (K), Tsys of both beams"],
  [/^process_otf_map.*\.log$/, "process_otf_map log: per-pixel statistics and Tsys"],
  [/^process_bs.*\.log$/, "process_bs log"],
  [/^grid_data.*\.log$/, "gridding log"],
  [/^bs-?\d*__\d+\.png$/, "plot: Bs spectra (process_bs)"],
  [/\.peak\.png$/, "plot: peak temperature map of the cube"],
  [/\.chan\.png$/, "plot: channel map at the line peak"],
  [/\.wt\.png$/, "plot: weight map"],
  [/\.spectrum\.png$/, "plot: spectrum at the brightest cell / Bs spectrum with the line fit"],
  [/\.spectrum_zoom\.png$/, "plot: zoom on the Bs line with the Gaussian fit"],
  [/\.tsys\.png$/, "plot: Tsys per pixel"],
  [/\.log$/, "log"],
  [/\.png$/, "plot"],
];

/** One-line description of a file in an obsnum directory. */
export function describeFile(name: string): string {
  for (const [re, d] of RULES) if (re.test(name)) return d;
  return "other file";
}

/** README_files.md for a list of file names. */
export function readmeFiles(title: string, names: string[]): string {
  // hidden names are the pipeline's own (parameter stamps, the lock, temporary files being written)
  const rows = names.filter((n) => !n.startsWith(".")).sort().map((n) => `| \`${n}\` | ${describeFile(n)} |`);
  return [
    `# Files of ${title}`,
    "",
    "Made by the lmt-slr-toolkit pipeline. `index.html` is the summary page; every product has a `.json`",
    "sidecar with the command that made it. Hidden `.par.*` files are the pipeline's parameter stamps.",
    "",
    "| file | what it is |",
    "|---|---|",
    ...rows,
    "",
  ].join("\n");
}
