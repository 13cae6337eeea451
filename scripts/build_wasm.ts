/**
 * Build the gridder's WebAssembly SIMD kernel from its AssemblyScript source:
 *
 *     node_modules/.bin/deno run -A scripts/build_wasm.ts            # writes lib/grid/wasm/axpy.wasm
 *     node_modules/.bin/deno run -A scripts/build_wasm.ts --check    # exit 1 if the committed wasm differs
 *
 * The source is kept as `lib/grid/wasm/axpy.as` (not `.ts`, so `deno check lib/` leaves it alone);
 * it is copied to a temporary `axpy.ts` for `asc` (AssemblyScript 0.28.20, an npm devDependency;
 * no network needed). The build is byte-for-byte reproducible. Equivalent manual command:
 *
 *     cp lib/grid/wasm/axpy.as /tmp/axpy.ts && node_modules/.bin/asc /tmp/axpy.ts -O3 --runtime stub \
 *       --enable simd --enable threads --noAssert --importMemory --sharedMemory --initialMemory 1 \
 *       --maximumMemory 65536 --noExportMemory -o lib/grid/wasm/axpy.wasm
 * @module
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const SRC = join(ROOT, "lib/grid/wasm/axpy.as");
const OUT = join(ROOT, "lib/grid/wasm/axpy.wasm");

/** asc flags of the kernel. */
export const ASC_FLAGS = [
  "-O3",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--enable",
  "threads",
  "--noAssert",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
  "--noExportMemory",
];

/** Compile the kernel source and return the wasm bytes. */
export async function buildKernel(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "lmt-wasm-"));
  try {
    copyFileSync(SRC, join(dir, "axpy.ts"));
    const out = join(dir, "axpy.wasm");
    const r = await new Deno.Command(join(ROOT, "node_modules/.bin/asc"), {
      args: [join(dir, "axpy.ts"), ...ASC_FLAGS, "-o", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (r.code !== 0) throw new Error(`asc failed: ${new TextDecoder().decode(r.stderr)}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const bytes = await buildKernel();
  if (Deno.args.includes("--check")) {
    const old = readFileSync(OUT);
    const same = old.length === bytes.length && old.every((b, i) => b === bytes[i]);
    console.log(
      same
        ? "lib/grid/wasm/axpy.wasm is up to date"
        : "lib/grid/wasm/axpy.wasm differs from its source build",
    );
    Deno.exit(same ? 0 : 1);
  }
  writeFileSync(OUT, bytes);
  console.log(`wrote ${OUT} (${bytes.length} bytes)`);
}
