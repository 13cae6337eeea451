/**
 * The process_ps text spectrum (lmtslr bin/process_ps.py): two comment lines, then per channel
 * `x TA Tsys beam1 … beamN`, every number `%g`. Read it back with `readTextSpectrum`
 * (lib/formats/spectrum.ts).
 *
 * @module
 */
import { sprintf } from "./printf.ts";

/** Columns of a Ps spectrum (already cut to the channels to print). */
export interface PsSpectrumColumns {
  /** x axis (km/s or Hz). */
  x: ArrayLike<number>;
  /** TA (K): mean of the beams. */
  ta: ArrayLike<number>;
  /** Tsys (K) per channel. */
  tsys: ArrayLike<number>;
  /** One spectrum (K) per beam column. */
  beams: ArrayLike<number>[];
  /** Channels of the full spectrum and edge channels dropped on each side (header line 2). */
  nchan: number;
  edge: number;
  /** Name of the first column in the header (default `vlsr`, as the original always wrote). */
  xName?: string;
}

/**
 * The Ps spectrum text:
 * `# vlsr  TA(K) Tsys(K) (<N beams>) beam1 beam2 ...`, `#      NCHAN channels - 2 * EDGE edge)`, then
 * rows `"%g %g %g" + " %g"` per beam.
 *
 * @example
 * ```ts
 * stringifyPsSpectrum({ x: [45.5], ta: [0.25], tsys: [190.125], beams: [[0.25]], nchan: 129, edge: 64 });
 * // "# vlsr  TA(K) Tsys(K) (<1 beams>) beam1 beam2 ...\n#      129 channels - 2 * 64 edge)\n45.5 0.25 190.125 0.25\n"
 * ```
 */
export function stringifyPsSpectrum(s: PsSpectrumColumns): string {
  const n = s.x.length;
  if (s.ta.length !== n || s.tsys.length !== n || s.beams.some((b) => b.length !== n)) {
    throw new RangeError("Cannot write a Ps spectrum from columns of unequal length");
  }
  const rows: string[] = [
    `# ${s.xName ?? "vlsr"}  TA(K) Tsys(K) (<${s.beams.length} beams>) beam1 beam2 ...`,
    `#      ${s.nchan} channels - 2 * ${s.edge} edge)`,
  ];
  for (let i = 0; i < n; i++) {
    let row = sprintf("%g %g %g", s.x[i]!, s.ta[i]!, s.tsys[i]!);
    for (const b of s.beams) row += sprintf(" %g", b[i]!);
    rows.push(row);
  }
  return rows.join("\n") + "\n";
}
