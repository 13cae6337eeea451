/**
 * The expected Ps spectrum of generated data (lib/sim/seq_ps.ts truth): ON-only baseline plus the
 * pixel's line peak times the channel-sampled Gaussian profile, on the bank's own VLSR axis.
 */
import type { SeqPsTruth } from "../../../lib/sim/seq_ps.ts";

/** VLSR (km/s) of channel c of a bank, from the truth (LineOffset 0, VelSys 0). */
export function truthVlsr(t: SeqPsTruth, bank: number, c: number): number {
  return (c - (t.nchan - 1) / 2) * t.banks[bank]!.dv_kms_per_channel + t.vlsr_kms;
}

/** baseline(c) + peak_p·φ(v_c) for every channel of `pixel` in `bank` (K). */
export function expectedPs(t: SeqPsTruth, pixel: number, bank = 0): Float64Array {
  const b = t.banks[bank]!;
  const p = t.pixels.find((q) => q.pixel === pixel && q.bank === bank);
  if (!p) throw new Error(`no truth for pixel ${pixel} bank ${bank}`);
  const ch0 = (t.nchan - 1) / 2;
  const sig = b.line_fwhm_kms / (2 * Math.sqrt(2 * Math.LN2));
  return Float64Array.from({ length: t.nchan }, (_, c) => {
    const r = (truthVlsr(t, bank, c) - b.line_v_kms) / sig;
    const phi = Math.abs(r) < 7 ? Math.exp(-0.5 * r * r) : 0;
    return t.baseline.offset_K + t.baseline.slope_K_per_halfband * (c - ch0) / (t.nchan / 2) + p.peak_K * phi;
  });
}

/** Largest |a − b| over channels [lo, hi). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, lo = 0, hi = a.length): number {
  let m = 0;
  for (let c = lo; c < hi; c++) m = Math.max(m, Math.abs(a[c]! - b[c]!));
  return m;
}
