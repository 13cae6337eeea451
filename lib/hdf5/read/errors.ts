/**
 * Errors of the native HDF5 reader. {@link Hdf5Unsupported}: a valid file uses a feature this
 * reader does not implement (callers may fall back to the HDF5 library); {@link Hdf5Error}: the
 * bytes are not a readable HDF5 file (truncated, bad signature, inconsistent structure).
 * Both are data errors (exit 1 in a tool).
 * @module
 */
import { DataError } from "../../errors.ts";

/** The file is damaged or not HDF5; `offset` is the byte position where it was noticed. */
export class Hdf5Error extends DataError {
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = "Hdf5Error";
    this.offset = offset;
  }
}

/** The file uses an HDF5 feature the native reader does not implement (filter, message, index). */
export class Hdf5Unsupported extends DataError {
  constructor(message: string) {
    super(message);
    this.name = "Hdf5Unsupported";
  }
}
