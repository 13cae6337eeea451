/**
 * Shared by the tests that run rsr_driver: the pipeline's rsr_driver options and, for the RSR samples
 * (../shared/samples/rsr), the environment, the sample files of a reduction and the channel-by-channel
 * comparison of our text spectra with the original's.
 * @module
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sample } from "../_helpers.ts";
import { readTextSpectrum, type TextSpectrum } from "../../lib/formats/spectrum.ts";

/** `--date_obs` of the 91001 reductions in the samples. */
export const RSR_DATE = "2024-11-02T05:29:59";

/** rsr_driver options SLpipeline.sh passes by default: -b blo=1, -r rthr=0.01, -t cthr=0.01. */
export const RSR_PIPELINE_OPTS: readonly string[] = ["-b", "1", "-r", "0.01", "-t", "0.01"];

/** DATA_LMT and CORR_CAL_DIR of the samples (and the caller's PATH). */
export function rsrSampleEnv(): Record<string, string> {
  const root = sample("rsr", "data_lmt");
  return { DATA_LMT: root, CORR_CAL_DIR: join(root, "rsr", "cal"), PATH: Deno.env.get("PATH") ?? "" };
}

/** Copy rsr.obsnum and rsr.<tag>.<ext> of samples/rsr/<folder> into `dir`. */
export function copyRsrSample(dir: string, folder: string, tag: string, exts: string[]): void {
  for (const ext of exts) {
    copyFileSync(sample("rsr", folder, `rsr.${tag}.${ext}`), join(dir, `rsr.${tag}.${ext}`));
  }
  copyFileSync(sample("rsr", folder, "rsr.obsnum"), join(dir, "rsr.obsnum"));
}

/**
 * Our spectrum and the reference, read; asserts their header lines equal but "Date of Reduction" and the
 * same numbers of columns and rows.
 */
export function readSpectrumPair(ours: string, ref: string): { a: TextSpectrum; b: TextSpectrum } {
  const a = readTextSpectrum(readFileSync(ours, "utf8"), ours);
  const b = readTextSpectrum(readFileSync(ref, "utf8"), ref);
  assert.equal(a.header.length, b.header.length, "header line count");
  for (let i = 0; i < a.header.length; i++) {
    if (b.header[i]!.startsWith("Date of Reduction")) continue;
    assert.equal(a.header[i], b.header[i], `header line ${i + 1}`);
  }
  assert.equal(a.columns.length, b.columns.length);
  assert.equal(a.columns[0]!.length, b.columns[0]!.length, "row count");
  return { a, b };
}

/** A data value of ours (x) and of the reference (y): column j, row i, d = |x − y|. */
export interface ValuePair {
  j: number;
  i: number;
  x: number;
  y: number;
  d: number;
}

/**
 * Channel by channel (columns: frequency, value, … or for a `_bandspec` frequency/value pairs per board):
 * asserts the same NaN and zero patterns and frequencies within 1e-12 GHz; yields the finite data values.
 */
export function* valuePairs(a: TextSpectrum, b: TextSpectrum, bandspec: boolean): Generator<ValuePair> {
  const n = b.columns[0]!.length;
  for (let j = 0; j < b.columns.length; j++) {
    const isFreq = bandspec ? j % 2 === 0 : j === 0;
    for (let i = 0; i < n; i++) {
      const x = a.columns[j]![i]!;
      const y = b.columns[j]![i]!;
      assert.equal(Number.isNaN(x), Number.isNaN(y), `NaN pattern col ${j} row ${i}`);
      assert.equal(x === 0, y === 0, `zero pattern col ${j} row ${i}: ${x} vs ${y}`);
      if (Number.isNaN(x)) continue;
      const d = Math.abs(x - y);
      if (isFreq) assert.ok(d <= 1e-12, `frequency row ${i}: ${x} vs ${y}`);
      else yield { j, i, x, y, d };
    }
  }
}
