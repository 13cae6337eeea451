/**
 * Numbers for objects, for cache keys made of object identities (a cached result is valid for the very
 * objects it was computed from; equal contents in other objects are another key).
 * @module
 */

const IDS = new WeakMap<object, number>();
let last = 0;

/** The number of `o` in this process (the same for the same object, distinct for distinct objects). */
export function identityOf(o: object): number {
  let id = IDS.get(o);
  if (id === undefined) IDS.set(o, id = ++last);
  return id;
}
