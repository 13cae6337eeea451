/**
 * lib/hdf5/read on its own: data reads go straight into the output with adjacent chunks coalesced
 * (counted on a wrapped byte source), arbitrary hyperslabs of a chunked variable equal the matching
 * part of the whole read, unsupported features throw Hdf5Unsupported, bad bytes throw Hdf5Error.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Hdf5Error, Hdf5File, Hdf5Unsupported } from "../../../lib/hdf5/read/mod.ts";
import { type ByteSource, FileSource } from "../../../lib/hdf5/read/source.ts";
import { writeNetcdf4 } from "../../../lib/netcdf/mod.ts";
import { tempDir } from "../../_helpers.ts";

/** A file source that counts data reads (readInto) and their bytes. */
class Counting implements ByteSource {
  readonly inner: FileSource;
  reads = 0;
  bytes = 0;
  constructor(path: string) {
    this.inner = new FileSource(path);
  }
  get size(): number {
    return this.inner.size;
  }
  meta(pos: number, len: number): Uint8Array {
    return this.inner.meta(pos, len);
  }
  readInto(dst: Uint8Array, pos: number): void {
    this.reads++;
    this.bytes += dst.length;
    this.inner.readInto(dst, pos);
  }
  close(): void {
    this.inner.close();
  }
}

const NREC = 300;
const NCHAN = 512;

async function roachLike(dir: string): Promise<string> {
  const data = new Float32Array(NREC * NCHAN);
  for (let i = 0; i < data.length; i++) data[i] = i * 0.25 - 7;
  const p = join(dir, "r.nc");
  await writeNetcdf4(p, {
    dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "nchan", size: NCHAN }],
    variables: [{ name: "Data.Integrate.Data", type: "float", dimensions: ["time", "nchan"], data }],
  });
  return p;
}

Deno.test("hdf5 read: whole rows of a record variable come in a few coalesced reads of exactly the bytes asked", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = new Counting(await roachLike(dir));
    const h5 = Hdf5File.fromSource(src);
    try {
      const root = h5.object(h5.root);
      const link = root.links!.find((l) => l.name === "Data.Integrate.Data")!;
      const ds = h5.dataset(h5.object(link.addr))!;
      assert.deepEqual(ds.dims, [NREC, NCHAN]);
      src.reads = 0;
      src.bytes = 0;
      const bytes = ds.readBytes([10, 0], [250, NCHAN]);
      const f = new Float32Array(bytes.buffer);
      assert.equal(f.length, 250 * NCHAN);
      assert.equal(f[0], 10 * NCHAN * 0.25 - 7);
      assert.equal(f[f.length - 1], (260 * NCHAN - 1) * 0.25 - 7);
      assert.equal(src.bytes, 250 * NCHAN * 4, "only the requested rows are read");
      // chunks written one after another are read in one go (at most a handful of reads)
      assert.ok(src.reads <= 4, `${src.reads} reads for 250 rows`);
    } finally {
      h5.close();
    }
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 read: arbitrary hyperslabs equal the matching part of the whole read", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const h5 = Hdf5File.open(await roachLike(dir));
    try {
      const root = h5.object(h5.root);
      const ds = h5.dataset(h5.object(root.links!.find((l) => l.name === "Data.Integrate.Data")!.addr))!;
      const all = new Float32Array(ds.readBytes([0, 0], [NREC, NCHAN]).buffer);
      for (
        const [s, c] of [[[0, 0], [1, 1]], [[299, 511], [1, 1]], [[5, 100], [7, 3]], [[0, 37], [NREC, 1]], [[
          123,
          0,
        ], [
          0,
          NCHAN,
        ]]]
      ) {
        const got = new Float32Array(ds.readBytes(s!, c!).buffer);
        assert.equal(got.length, c![0]! * c![1]!);
        for (let i = 0; i < c![0]!; i++) {
          for (let j = 0; j < c![1]!; j++) {
            assert.equal(
              got[i * c![1]! + j],
              all[(s![0]! + i) * NCHAN + s![1]! + j],
              `slab ${s} ${c} at ${i},${j}`,
            );
          }
        }
      }
    } finally {
      h5.close();
    }
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 read: not HDF5, truncated and unsupported superblock give typed errors", () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "x.h5");
    Deno.writeFileSync(p, new TextEncoder().encode("CDF\x01 not hdf5 at all, just text........"));
    assert.throws(() => Hdf5File.open(p), Hdf5Error);
    const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
    assert.throws(() => Hdf5File.fromBytes(Uint8Array.from([...sig, 2, 8, 8])), Hdf5Error);
    const v9 = new Uint8Array(96);
    v9.set(sig);
    v9[8] = 9;
    assert.throws(() => Hdf5File.fromBytes(v9), Hdf5Unsupported);
  } finally {
    cleanup();
  }
});
