/**
 * Deprecated path: the streaming SpecFile writers live in lib/specfile/writer.ts; this re-export
 * keeps the tools' imports working. New code imports lib/specfile/mod.ts.
 *
 * @module
 */
export { type Cdf2SpecSink, cdf2SpecSink, nc4SpecSink } from "../specfile/mod.ts";
