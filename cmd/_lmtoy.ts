/**
 * The LMTOY compatibility mode (private to cmd/): bin/lmtoy/* set `LMT_SLR_COMPAT=lmtoy`, and the gridding
 * tools then write the original's side files under their fixed names in the working directory
 * (`radiometer.rms.fits`, `spec-tmp.tab`; grid_data.py's `out.txt`/`err.txt`), which LMTOY's scripts read
 * and move. Without the marker the toolkit's per-output names are kept (docs/compat.md).
 * @module
 */

/** True when the tool runs under one of LMTOY's names (bin/lmtoy). */
export function lmtoyCompat(env: Readonly<Record<string, string>>): boolean {
  return env.LMT_SLR_COMPAT === "lmtoy";
}

/**
 * Gridding options with the C program's fixed side-file names as defaults: `radiometer.rms.fits` (when a
 * weight map is written, as the C program) and `spec-tmp.tab`. Names given explicitly are kept; nothing
 * changes for a cube written to stdout.
 */
export function lmtoyGridOptions<T extends Record<string, unknown>>(opts: T): T {
  if (opts.output === "-") return opts;
  return {
    ...opts,
    ...(opts.radiometer === undefined && typeof opts.weight === "string" && opts.weight !== "-"
      ? { radiometer: "radiometer.rms.fits" }
      : {}),
    ...(opts.spec_tmp === undefined ? { spec_tmp: "spec-tmp.tab" } : {}),
  };
}
