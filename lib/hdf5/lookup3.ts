/**
 * Bob Jenkins' lookup3 `hashlittle`, the checksum of HDF5 metadata blocks (superblock v2/v3, v2 object
 * headers, fractal heaps, v2 B-trees, ...). Written from the published algorithm description.
 *
 * @module
 */

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** lookup3 hash of `bytes[from, to)` with seed `init` (HDF5 uses 0), as an unsigned 32-bit number. */
export function lookup3(bytes: Uint8Array, from = 0, to = bytes.length, init = 0): number {
  let len = to - from;
  let a = (0xdeadbeef + len + init) | 0, b = a, c = a;
  let k = from;
  const u32 = (i: number) => bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
  while (len > 12) {
    a = (a + u32(k)) | 0;
    b = (b + u32(k + 4)) | 0;
    c = (c + u32(k + 8)) | 0;
    // mix
    a = (a - c) | 0, a ^= rot(c, 4), c = (c + b) | 0;
    b = (b - a) | 0, b ^= rot(a, 6), a = (a + c) | 0;
    c = (c - b) | 0, c ^= rot(b, 8), b = (b + a) | 0;
    a = (a - c) | 0, a ^= rot(c, 16), c = (c + b) | 0;
    b = (b - a) | 0, b ^= rot(a, 19), a = (a + c) | 0;
    c = (c - b) | 0, c ^= rot(b, 4), b = (b + a) | 0;
    len -= 12;
    k += 12;
  }
  if (len === 0) return c >>> 0;
  // the last 1..12 bytes, little-endian into a, b, c
  const tail = [0, 0, 0];
  for (let i = 0; i < len; i++) tail[i >> 2] = tail[i >> 2]! + (bytes[k + i]! << (8 * (i & 3)));
  a = (a + tail[0]!) | 0;
  b = (b + tail[1]!) | 0;
  c = (c + tail[2]!) | 0;
  // final
  c ^= b, c = (c - rot(b, 14)) | 0;
  a ^= c, a = (a - rot(c, 11)) | 0;
  b ^= a, b = (b - rot(a, 25)) | 0;
  c ^= b, c = (c - rot(b, 16)) | 0;
  a ^= c, a = (a - rot(c, 4)) | 0;
  b ^= a, b = (b - rot(a, 14)) | 0;
  c ^= b, c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}
