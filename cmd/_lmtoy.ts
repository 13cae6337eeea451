/**
 * The LMTOY compatibility mode (private to cmd/): bin/lmtoy/* set `LMT_SLR_COMPAT=lmtoy`, and the gridding
 * tools then write the original's side files under their fixed names in the working directory
 * (`radiometer.rms.fits`, `spec-tmp.tab`; grid_data.py's `out.txt`/`err.txt`), which LMTOY's scripts read
 * and move. Without the marker the toolkit's per-output names are kept (docs/compat.md).
 * @module
 */
import type { GridFiles } from "./_grid.ts";

/** True when the tool runs under one of LMTOY's names (bin/lmtoy). */
export function lmtoyCompat(env: Readonly<Record<string, string>>): boolean {
  return env.LMT_SLR_COMPAT === "lmtoy";
}

/**
 * Gridding files with the C program's fixed side-file names as defaults: `radiometer.rms.fits` (when a
 * weight map is written, as the C program) and `spec-tmp.tab`. Names given explicitly are kept; nothing
 * changes for a cube written to stdout.
 */
export function lmtoyGridFiles(files: GridFiles): GridFiles {
  if (files.output === "-") return files;
  return {
    ...files,
    ...(files.radiometer === undefined && files.weight !== undefined && files.weight !== "-"
      ? { radiometer: "radiometer.rms.fits" }
      : {}),
    ...(files.specTmp === undefined ? { specTmp: "spec-tmp.tab" } : {}),
  };
}
