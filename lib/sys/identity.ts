/**
 * Caches keyed by objects: numbers for objects (for keys made of object identities: a cached result is
 * valid for the very objects it was computed from; equal contents in other objects are another key) and
 * results memoized per object, dropped with it.
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

/** Results computed from an object, by a further key; they go when the object does. */
export type ObjectMemo<O extends object, V> = WeakMap<O, Map<string, V>>;

/** The result for (`o`, `key`) in `memo`, made by `make` the first time. */
export function memoized<O extends object, V>(memo: ObjectMemo<O, V>, o: O, key: string, make: () => V): V {
  let m = memo.get(o);
  if (m === undefined) memo.set(o, m = new Map());
  let v = m.get(key);
  if (v === undefined) m.set(key, v = make());
  return v;
}
