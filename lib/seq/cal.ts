/**
 * Calibration of SEQ spectra: the Tsys spectrum of a Cal scan (seq.md §2.3, with the original's
 * float32 rules and despiking) and the in-map HOT/SKY Tsys spectra (§2.4).
 *
 * @module
 */
import { columnMedianF32, meanF32, medianF32InPlace, stdF32 } from "../num/float32.ts";

const f = Math.fround;

/** Ambient load temperature assumed by the original (K). */
export const T_AMB = 280;

/** A Tsys spectrum with its summary. */
export interface TsysSpectrum {
  /** float32 Tsys per channel (zeros when the scan had no HOT or no SKY dumps). */
  tsys: Float32Array;
  /** float32 mean of the finite values after dropping the first 50 and last 100 channels. */
  mean: number;
  std: number;
  /** Channels replaced by the despiker. */
  spikes: number[];
}

/** `T = (280·SKY)/(HOT − SKY)` channel-wise in float32. */
export function yFactorTsys(hot: Float32Array, sky: Float32Array): Float32Array {
  const t = new Float32Array(hot.length);
  for (let c = 0; c < hot.length; c++) t[c] = f(f(T_AMB * sky[c]!) / f(hot[c]! - sky[c]!));
  return t;
}

/**
 * Tsys spectrum of a Cal scan from its HOT and SKY dumps (row-major float32, `nchan` per row):
 * float32 medians, Y-factor, mean/std over `[finite][50 : nchan−100]`, ±inf → mean, despike
 * (10 sections, one-channel drops > 4σ set to the mean), NaN → mean.
 */
export function calTsysSpectrum(hot: Float32Array, sky: Float32Array, nchan: number): TsysSpectrum {
  const nh = hot.length / nchan, ns = sky.length / nchan;
  if (nh < 1 || ns < 1) return { tsys: new Float32Array(nchan), mean: 0, std: 0, spikes: [] };
  const H = columnMedianF32(hot, nchan, Int32Array.from({ length: nh }, (_, i) => i));
  const S = columnMedianF32(sky, nchan, Int32Array.from({ length: ns }, (_, i) => i));
  const T = yFactorTsys(H, S);
  const finite: number[] = [];
  for (let c = 0; c < nchan; c++) if (Number.isFinite(T[c]!)) finite.push(T[c]!);
  const sel = Float32Array.from(finite.slice(50, nchan - 100));
  const mean = sel.length ? meanF32(sel) : NaN;
  const std = sel.length ? stdF32(sel) : NaN;
  for (let c = 0; c < nchan; c++) if (T[c] === Infinity || T[c] === -Infinity) T[c] = mean;
  const spikes = despike(T, mean);
  for (let c = 0; c < nchan; c++) if (Number.isNaN(T[c]!)) T[c] = mean;
  return { tsys: T, mean, std, spikes };
}

/**
 * The original despiker, in place: 10 sections of nchan//10 channels; in each, d_k = x_k − x_{k+1}
 * for k = i·m … (i+1)·m − 3, σ = std of the finite d; channels with d_k > 4σ become `fill`.
 */
export function despike(x: Float32Array, fill: number): number[] {
  const m = Math.floor(x.length / 10);
  const fixed: number[] = [];
  for (let i = 0; i < 10; i++) {
    const k0 = i * m, k1 = (i + 1) * m - 2; // exclusive
    if (k1 <= k0) continue;
    const d = new Float32Array(k1 - k0);
    const fin: number[] = [];
    for (let k = k0; k < k1; k++) {
      d[k - k0] = f(x[k]! - x[k + 1]!);
      if (!Number.isNaN(d[k - k0]!)) fin.push(d[k - k0]!);
    }
    const sigma = fin.length ? stdF32(Float32Array.from(fin)) : NaN;
    const lim = 4 * sigma;
    for (let k = k0; k < k1; k++) {
      if (d[k - k0]! > lim) {
        x[k] = fill;
        fixed.push(k);
      }
    }
  }
  return fixed;
}

/**
 * In-map Tsys spectra (`--use_otf_cal`, seq.md §2.4): for HOT block h paired with SKY block h,
 * medians over the block without its last dump, T = 280·SKY/(HOT−SKY), the scalar
 * median of T[finite][100 : nchan−100], and ±inf replaced by that scalar.
 * `hotBlocks[h]`/`skyBlocks[h]` are row-major float32 blocks of `nchan` channels.
 */
export function otfCalTsys(
  hotBlocks: Float32Array[],
  skyBlocks: Float32Array[],
  nchan: number,
): TsysSpectrum[] {
  const n = Math.min(hotBlocks.length, skyBlocks.length);
  const out: TsysSpectrum[] = [];
  for (let h = 0; h < n; h++) {
    const hb = hotBlocks[h]!, sb = skyBlocks[h]!;
    const nh = Math.max(1, hb.length / nchan - 1), ns = Math.max(1, sb.length / nchan - 1);
    const H = columnMedianF32(hb, nchan, Int32Array.from({ length: nh }, (_, i) => i));
    const S = columnMedianF32(sb, nchan, Int32Array.from({ length: ns }, (_, i) => i));
    const T = yFactorTsys(H, S);
    const fin: number[] = [];
    for (let c = 0; c < nchan; c++) if (Number.isFinite(T[c]!)) fin.push(T[c]!);
    const med = medianF32InPlace(Float32Array.from(fin.slice(100, nchan - 100)));
    for (let c = 0; c < nchan; c++) if (T[c] === Infinity || T[c] === -Infinity) T[c] = med;
    out.push({ tsys: T, mean: med, std: NaN, spikes: [] });
  }
  return out;
}
