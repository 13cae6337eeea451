/**
 * FITS: header cards, image writer (in memory, to a file, streaming), reader, WCS cards.
 * @module
 */
export * from "./header.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./wcs.ts";
