/**
 * The tools a pipeline runs in-process, by name (private to cmd/: lib/ never imports a tool). Each entry
 * loads the tool's module on first use, so SLpipeline pays only for the tools an obsnum needs.
 * @module
 */
import type { Tool } from "../lib/cli/mod.ts";

/** Loaders of the tools, by the name used on the command line. */
export const TOOLS: Readonly<Record<string, () => Promise<{ tool: Tool }>>> = {
  badlags: () => import("./badlags.ts"),
  badlags2: () => import("./badlags2.ts"),
  rsr_badcb: () => import("./rsr_badcb.ts"),
  rsr_tsys: () => import("./rsr_tsys.ts"),
  rsr_driver: () => import("./rsr_driver.ts"),
  rsr_sum: () => import("./rsr_sum.ts"),
  process_otf_map: () => import("./process_otf_map.ts"),
  process_bs: () => import("./process_bs.ts"),
  process_ps: () => import("./process_ps.ts"),
  grid_data: () => import("./grid_data.ts"),
  spec_driver_fits: () => import("./spec_driver_fits.ts"),
  lmtinfo: () => import("./lmtinfo.ts"),
  make_spec_fits: () => import("./make_spec_fits.ts"),
  seq_moments: () => import("./seq_moments.ts"),
  seq_viewspec: () => import("./seq_viewspec.ts"),
  sdfits: () => import("./sdfits.ts"),
  lmt_run: () => import("./lmt_run.ts"),
  summary: () => import("../scripts/summary.ts"),
};
