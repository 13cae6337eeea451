/**
 * Gridding options shared by the SEQ tests: those of the sample's reference run
 * (seq/reference_outputs/SAMPLE-OTF_97001__0.fits, made by lmtoy's grid_data.py → spec_driver_fits) in both
 * spellings, for the tests that reproduce that cube, and those of the generated (lib/sim/seq.ts) maps.
 * @module
 */

const PIXELS = "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15";

/** spec_driver_fits letter options of the reference cube (after -i/-o/-w). */
export const REF_GRID_LETTERS: readonly string[] = [
  ...["-l", "13", "-c", "6.5", "-u", `[${PIXELS}]`, "-z", "-4", "-s", "1", "-x", "120", "-y", "120"],
  ...["-f", "1", "-r", "3", "-n", "256", "-0", "1.1", "-1", "4.75", "-2", "2", "-b", "-1", "-e", "0"],
];

/** grid_data (grid_data.py) long options of the reference cube (after -i/-o/-w). */
export const REF_GRID_LONG: readonly string[] = [
  ...["--resolution", "13", "--cell", "6.5", "--pix_list", PIXELS, "--rms_cut", "-4"],
  ...["--x_extent", "120", "--y_extent", "120", "--otf_select", "1", "--rmax", "3"],
  ...["--otf_a", "1.1", "--otf_b", "4.75", "--otf_c", "2", "--edge", "0", "--sample", "-1"],
  ...["--n_samples", "256", "--noise_sigma", "1"],
];

/**
 * spec_driver_fits letter options for the generated maps (lib/sim/seq.ts: a ±120" map, 13" beam, 6.5" cells,
 * -z 10, edge on); -u, -f, -r and -0/-1/-2 are spelled out at their defaults.
 */
export const SIM_GRID_LETTERS: readonly string[] = [
  ...["-l", "13", "-c", "6.5", "-u", `[${PIXELS}]`, "-z", "10", "-s", "1", "-x", "120", "-y", "120"],
  ...["-f", "1", "-r", "3", "-0", "1.1", "-1", "4.75", "-2", "2", "-e", "1"],
];
