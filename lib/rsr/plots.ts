/**
 * The figures of badlags (σ per lag, 4×6 panels) and rsr_tsys (Tsys or spectrum vs frequency):
 * which arrays, colours and labels go into the generic plots of lib/plot.
 *
 * @module
 */
import type { BadlagsResult } from "./badlags.ts";

/** One board's curve of the rsr_tsys plot. */
export interface TsysPlotCurve {
  chassis: number;
  board: number;
  freq: Float64Array;
  y: Float64Array;
}

async function plotModule(): Promise<Record<string, unknown>> {
  const spec = new URL("../plot/mod.ts", import.meta.url).href;
  return await import(spec);
}

/** PNG of the badlags σ panels. */
export async function badlagsPlot(_r: BadlagsResult, _plotmax: number): Promise<Uint8Array> {
  await plotModule();
  throw new Error("plotting is not available yet");
}

/** PNG of the rsr_tsys curves. */
export async function tsysPlot(
  _curves: TsysPlotCurve[],
  _obsnum: number,
  _label: string,
  _spectrum: boolean,
): Promise<Uint8Array> {
  await plotModule();
  throw new Error("plotting is not available yet");
}
