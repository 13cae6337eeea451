/**
 * Pure-TypeScript HDF5 writer for the netCDF-4 subset (see {@link H5Writer} for the structures
 * written).
 * @module
 */
export {
  type H5AttrData,
  H5Dataset,
  type H5DatasetOptions,
  type H5Datatype,
  H5Group,
  H5Object,
  H5Writer,
  Hdf5WriteError,
} from "./writer.ts";
