import { equal } from "node:assert/strict";
import { describeFile } from "../../../lib/report/files.ts";

Deno.test("describeFile(): the waterfall passes and the zoom plots are told apart", () => {
  equal(
    describeFile("rsr.wf0-2.png"),
    "plot: waterfall of the repeats, one page per obsnum/chassis, first pass (no bad lags)",
  );
  equal(
    describeFile("rsr.wf1-0.png"),
    "plot: waterfall of the repeats, one page per obsnum/chassis, with bad lags",
  );
  equal(
    describeFile("rsr.wf_nbs-3.png"),
    "plot: waterfall of the repeats, one page per obsnum/chassis, no baseline subtraction",
  );
  equal(describeFile("rsr.wf-3.png"), "plot: waterfall of the repeats per obsnum/chassis (rsr_driver -w)");
  equal(describeFile("rsr.spectra_zoom.png"), "plot: zoom on the strongest line with the fitted Gaussian");
  equal(describeFile("SIM-BS_97003__0.spectrum_zoom.png"), "plot: zoom on the Bs line with the Gaussian fit");
  equal(
    describeFile("SIM-BS_97003__0.spectrum.png"),
    "plot: spectrum at the brightest cell / Bs spectrum with the line fit",
  );
});
