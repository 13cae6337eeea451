import assert from "node:assert/strict";
export const assertEquals = (a: unknown, b: unknown) => assert.deepEqual(a, b);
export const assertMatch = (s: string, re: RegExp) => assert.match(s, re);
export function assertThrows(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an exception");
}
