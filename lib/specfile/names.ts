/**
 * The netCDF variable names of a SpecFile (SLR C/SpecFile.c, process_otf_map2.py): the one place
 * that spells them. Writers, readers, the gridder and the reports address variables through
 * {@link SPEC_VARS} and {@link lineDataVar} (with the table `LINE_VARS` of model.ts), never by a literal `"Data.…"`/`"Header.…"` string.
 *
 * @module
 */

/** Variable names of the SpecFile, by role. */
export const SPEC_VARS = {
  version: "Header.Version",
  history: "Header.History",
  obsNum: "Header.Obs.ObsNum",
  mapCoord: "Header.Obs.MapCoord",
  dumpTime: "Header.Obs.DumpTime",
  offX: "Header.Obs.OffX",
  offY: "Header.Obs.OffY",
  sourceName: "Header.Obs.SourceName",
  xPosition: "Header.Obs.XPosition",
  yPosition: "Header.Obs.YPosition",
  dateObs: "Header.Obs.DateObs",
  receiver: "Header.Obs.Receiver",
  nChannels: "Header.Line.NChannels",
  channelNumber: "Header.Line.ChannelNumber",
  cdelt: "Header.SpectrumAxis.CDELT",
  crpix: "Header.SpectrumAxis.CRPIX",
  crval: "Header.SpectrumAxis.CRVAL",
  ctype: "Header.SpectrumAxis.CTYPE",
  caxis: "Header.SpectrumAxis.CAXIS",
  /** `nspec` pixel ids. */
  pixel: "Data.Pixel",
  /** `nspec` dump sequence numbers. */
  sequence: "Data.Sequence",
  /** `nspec` offsets (arcsec). */
  xPos: "Data.XPos",
  yPos: "Data.YPos",
  /** `nspec` baseline RMS (K). */
  rms: "Data.RMS",
  /** `nspec × nchan` spectra (K). */
  spectra: "Data.Spectra",
  /** `ncal × npix × nchan` Tsys (K). */
  tsys: "Data.Tsys",
} as const;

/** Prefix of the `Header.LineData.*` variables. */
export const LINE_DATA_PREFIX = "Header.LineData.";

/** Full name of the `Header.LineData.<name>` variable. */
export function lineDataVar(name: string): string {
  return LINE_DATA_PREFIX + name;
}
