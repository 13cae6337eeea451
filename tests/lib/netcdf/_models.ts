/** Shared write models of the netCDF tests (also imported by child processes). */
import type { NcWriteModel } from "../../../lib/netcdf/mod.ts";

/** A model with every classic type, record and fixed variables, text rows and attributes. */
export function richModel(nrec = 5): NcWriteModel {
  const nchan = 7;
  const spec = new Float32Array(nrec * 3 * nchan);
  for (let i = 0; i < spec.length; i++) spec[i] = Math.sin(i) * 100 + i / 7;
  return {
    dimensions: [
      { name: "time", size: 0, unlimited: true },
      { name: "npix", size: 3 },
      { name: "nchan", size: nchan },
      { name: "Header.Dcs.ObsPgm_slen", size: 20 },
      { name: "label", size: 6 },
    ],
    attributes: { title: "LMT test", history: "made by cdf3_test", nbeam: 3, freqs: [91.5e9, 115.27e9] },
    variables: [
      {
        name: "Header.Dcs.ObsPgm",
        type: "char",
        dimensions: ["Header.Dcs.ObsPgm_slen"],
        data: "Map                 ",
      },
      { name: "Header.Dcs.ObsNum", type: "int", dimensions: [], data: new Int32Array([97001]) },
      { name: "Header.Sky.Offsets", type: "double", dimensions: ["npix"], data: [1.5, -2.25, 1e300] },
      {
        name: "Header.Pix.Labels",
        type: "char",
        dimensions: ["npix", "label"],
        data: ["P0", "Px 1", "pixel2"],
      },
      { name: "Header.Pix.Flags", type: "byte", dimensions: ["npix"], data: new Int8Array([-128, 0, 127]) },
      { name: "Header.Pix.Nothing", type: "short", dimensions: ["npix"] },
      {
        name: "Data.Time",
        type: "double",
        dimensions: ["time"],
        data: Float64Array.from({ length: nrec }, (_, i) => 1.7e9 + i * 0.1),
      },
      {
        name: "Data.Spec",
        type: "float",
        dimensions: ["time", "npix", "nchan"],
        data: spec,
        attributes: { units: "K", _FillValue: -999, scale: 0.5 },
      },
      {
        name: "Data.Flag",
        type: "byte",
        dimensions: ["time"],
        data: Int8Array.from({ length: nrec }, (_, i) => i - 2),
      },
      {
        name: "Data.Lev",
        type: "short",
        dimensions: ["time", "npix"],
        data: Int16Array.from({ length: nrec * 3 }, (_, i) => i * 1000 - 7000),
      },
      {
        name: "Data.Src",
        type: "char",
        dimensions: ["time", "label"],
        data: Array.from({ length: nrec }, (_, i) => `s${i}`),
      },
      {
        name: "Data.Count",
        type: "int",
        dimensions: ["time"],
        data: Int32Array.from({ length: nrec }, (_, i) => -i * 123456),
      },
    ],
  };
}
