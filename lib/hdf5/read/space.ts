/**
 * The byte ranges of an HDF5 file that the reader has met — superblock, object headers, B-tree
 * nodes, global heap collections, dataset storage and chunks — each claimed once: in a valid file
 * no two of them overlap, so an overlap (a chunk address pointing at another dataset's chunk or
 * at metadata, two datasets sharing one B-tree) is reported instead of returning another
 * object's bytes as data.
 * @module
 */
import { Hdf5Error } from "./errors.ts";

/** Claimed, non-overlapping ranges of a file. */
export class SpaceMap {
  readonly #from: number[] = [];
  readonly #to: number[] = [];
  readonly #what: string[] = [];

  /** Claim `len` bytes at `from` for `what`; the same range claimed again for the same `what` is fine. */
  claim(from: number, len: number, what: string): void {
    if (!(len > 0)) return;
    const to = from + len;
    let lo = 0;
    let hi = this.#from.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#from[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.#from.length && this.#from[lo] === from && this.#to[lo] === to && this.#what[lo] === what) {
      return;
    }
    const clash = (i: number): void => {
      throw new Hdf5Error(
        `${what} (bytes ${from}-${to - 1}) overlaps ${this.#what[i]} (bytes ${this.#from[i]}-${
          this.#to[i]! - 1
        })`,
        from,
      );
    };
    if (lo > 0 && this.#to[lo - 1]! > from) clash(lo - 1);
    if (lo < this.#from.length && this.#from[lo]! < to) clash(lo);
    this.#from.splice(lo, 0, from);
    this.#to.splice(lo, 0, to);
    this.#what.splice(lo, 0, what);
  }
}
