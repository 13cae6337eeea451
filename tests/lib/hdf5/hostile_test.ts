/**
 * Hostile netCDF-4/HDF5 input (issue 13): each damaged file is made byte by byte from a valid one
 * written by the toolkit — an object-header continuation cycle, a chunk dimension of 0, a chunk
 * B-tree shaped as a DAG 40 levels deep, a float of 3 bytes, a dataset at address 0, a chunk
 * address aimed at another chunk — and must be refused with one NetcdfError naming the file (no
 * hang, no growth, no wrong numbers). One of them also goes through a tool: exit 1, one line.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { lookup3 } from "../../../lib/hdf5/lookup3.ts";
import { Hdf5File } from "../../../lib/hdf5/read/mod.ts";
import { DataError } from "../../../lib/cli/errors.ts";
import { NetcdfError, openNetcdf, openNetcdfBytes, writeNetcdf4 } from "../../../lib/netcdf/mod.ts";
import { runTool, tempDir } from "../../_helpers.ts";

const NREC = 2100; // three chunks of at most 1024 rows
const NCHAN = 16;

/** A small netCDF-4 file: a chunked record variable (1024-row chunks, v1 B-tree) and a contiguous one. */
async function base(dir: string): Promise<Uint8Array> {
  const spec = new Float32Array(NREC * NCHAN).map((_, i) => i * 0.5);
  const freq = new Float64Array(NCHAN).map((_, i) => 1e9 + i);
  const p = join(dir, "base.nc");
  await writeNetcdf4(p, {
    dimensions: [{ name: "time", size: 0, unlimited: true }, { name: "nchan", size: NCHAN }],
    variables: [
      {
        name: "spec",
        type: "float",
        dimensions: ["time", "nchan"],
        data: spec,
        attributes: { units: "K", long_name: "antenna temperature of every channel" },
      },
      { name: "freq", type: "double", dimensions: ["nchan"], data: freq },
    ],
  });
  return Deno.readFileSync(p);
}

/** Where the messages of a dataset's object header are, and how to re-checksum it. */
function dataset(bytes: Uint8Array, name: string) {
  const h5 = Hdf5File.fromBytes(bytes);
  const root = h5.object(h5.root);
  const addr = root.links!.find((l) => l.name === name)!.addr;
  const obj = h5.object(addr);
  const chunk0 = new DataView(bytes.buffer, bytes.byteOffset).getUint32(addr + 6, true);
  const end = addr + 10 + chunk0;
  const msg = (type: number) => obj.messages.find((m) => m.type === type)!;
  return {
    addr,
    end,
    msg,
    /** Recompute the header's checksum in `b`. */
    sum(b: Uint8Array): void {
      new DataView(b.buffer, b.byteOffset).setUint32(end, lookup3(b, addr, end), true);
    },
  };
}

const le64 = (b: Uint8Array, at: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt(v), true);
const u64 = (b: Uint8Array, at: number) =>
  Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true));

async function refused(bytes: Uint8Array, re: RegExp): Promise<NetcdfError> {
  let err: unknown;
  try {
    const nc = await openNetcdfBytes(bytes, "bad.nc");
    try {
      nc.read("spec");
      nc.read("freq");
    } finally {
      nc.close();
    }
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof NetcdfError, `expected a NetcdfError, got ${err}`);
  assert.ok(err instanceof DataError);
  assert.match(err.message, /^bad\.nc: /);
  assert.match(err.message, re);
  assert.ok(!err.message.includes("\n"));
  return err;
}

Deno.test("hdf5 hostile: the base file reads back (the damaged copies below differ from it in a few bytes)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const nc = await openNetcdfBytes(await base(dir), "base.nc");
    const spec = nc.read("spec") as Float32Array;
    assert.equal(spec.length, NREC * NCHAN);
    assert.equal(spec[NREC * NCHAN - 1], (NREC * NCHAN - 1) * 0.5);
    assert.equal((nc.read("freq") as Float64Array)[3], 1e9 + 3);
    nc.close();
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 hostile: an object-header continuation to a block that continues to itself, or a cycle of two blocks, is refused", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = await base(dir);
    for (const blocks of [1, 2]) {
      const d = dataset(b0, "spec");
      // the long_name attribute message (≥ 16 bytes of body) becomes a continuation into OCHK blocks at EOF
      const m = d.msg(0x0c);
      const len = 4 + 6 + 16 + 4;
      const b = new Uint8Array(b0.length + blocks * len);
      b.set(b0);
      const dv = new DataView(b.buffer);
      for (let k = 0; k < blocks; k++) {
        const at = b0.length + k * len;
        b.set([0x4f, 0x43, 0x48, 0x4b, 0x10], at); // "OCHK", message type 0x10
        dv.setUint16(at + 5, 16, true);
        le64(b, at + 10, b0.length + ((k + 1) % blocks) * len); // continues to itself / the other block
        le64(b, at + 18, len);
        dv.setUint32(at + 26, lookup3(b, at, at + 26), true);
      }
      b[m.at - 6] = 0x10;
      le64(b, m.at, b0.length);
      le64(b, m.at + 8, len);
      d.sum(b);
      await refused(b, /continuation cycle/);
    }
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 hostile: a chunk dimension of 0 (first or second) is refused", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = await base(dir);
    const d = dataset(b0, "spec");
    const layout = d.msg(0x08); // version 3, class 2, rank+1, B-tree address, dims (4 bytes each)
    assert.deepEqual([b0[layout.at], b0[layout.at + 1], b0[layout.at + 2]], [3, 2, 3]);
    for (const k of [0, 1]) {
      const b = b0.slice();
      new DataView(b.buffer).setUint32(layout.at + 11 + 4 * k, 0, true);
      d.sum(b);
      await refused(b, new RegExp(`chunk dimension ${k} is 0`));
    }
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 hostile: a chunk B-tree shaped as a DAG (40 levels, both children of each node the next node) is refused", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = await base(dir);
    const d = dataset(b0, "spec");
    const layout = d.msg(0x08);
    const root = u64(b0, layout.at + 3);
    assert.equal(new TextDecoder().decode(b0.subarray(root, root + 4)), "TREE");
    assert.equal(b0[root + 5], 0, "the real root is a leaf");
    const depth = 40;
    const key = 8 + 8 * 3;
    const node = 24 + 2 * 8 + 3 * key;
    const b = new Uint8Array(b0.length + depth * node);
    b.set(b0);
    for (let i = 0; i < depth; i++) {
      const a = b0.length + i * node;
      b.set([0x54, 0x52, 0x45, 0x45, 1, depth - i, 2, 0], a); // TREE, type 1, level, 2 entries
      le64(b, a + 8, -1);
      le64(b, a + 16, -1);
      const next = i + 1 < depth ? a + node : root;
      le64(b, a + 24 + key, next);
      le64(b, a + 24 + 2 * key + 8, next);
    }
    le64(b, layout.at + 3, b0.length);
    d.sum(b);
    // 2^40 paths: without the visited set this never ends
    await refused(b, /node reached twice/);
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 hostile: a float of 3 bytes, a dataset at address 0 and a chunk aimed at another chunk are refused", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = await base(dir);
    {
      const d = dataset(b0, "freq");
      const b = b0.slice();
      new DataView(b.buffer).setUint32(d.msg(0x03).at + 4, 3, true);
      d.sum(b);
      await refused(b, /float of 3 bytes/);
    }
    {
      const d = dataset(b0, "freq");
      const layout = d.msg(0x08);
      assert.equal(b0[layout.at + 1], 1, "freq is contiguous");
      const b = b0.slice();
      le64(b, layout.at + 2, 0);
      d.sum(b);
      await refused(b, /address 0/);
    }
    {
      // the second chunk's address set to the first chunk's: both would read the same bytes
      const d = dataset(b0, "spec");
      const root = u64(b0, d.msg(0x08).at + 3);
      const key = 8 + 8 * 3;
      const child0 = root + 24 + key;
      const child1 = child0 + 8 + key;
      const b = b0.slice();
      le64(b, child1, u64(b0, child0));
      await refused(b, /overlaps chunk/);
    }
  } finally {
    cleanup();
  }
});

Deno.test("hdf5 hostile: spec_driver_fits on a SpecFile with a continuation cycle exits 1 with one line naming the file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const b0 = await base(dir);
    const d = dataset(b0, "spec");
    const m = d.msg(0x0c);
    const b = b0.slice();
    // the continuation points back at the object header's own first message block
    b[m.at - 6] = 0x10;
    le64(b, m.at, d.addr);
    le64(b, m.at + 8, d.end - d.addr);
    d.sum(b);
    writeFileSync(join(dir, "cycle.nc"), b);
    await assert.rejects(openNetcdf(join(dir, "cycle.nc")), /continuation cycle/);
    const r = await runTool("spec_driver_fits", ["-i", "cycle.nc", "-o", "c.fits", "-l", "13", "-c", "6"], {
      cwd: dir,
    });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^spec_driver_fits: .*cycle\.nc.*continuation cycle/);
  } finally {
    cleanup();
  }
});
