// A tiny tool used by tool_test.ts to check the shared program skeleton black-box.
import { DataError, defineTool } from "../../../lib/cli/mod.ts";

export const tool = defineTool({
  name: "demo_tool",
  summary: "test tool",
  usage: "demo_tool [options] IN",
  options: [
    { name: "output", short: "o", type: "string", default: "-", help: "output file" },
    { name: "fail", type: "boolean", help: "fail after writing half the output" },
    { name: "lines", short: "n", type: "int", default: 3, min: 0, help: "lines to write" },
    { name: "wasm_oom", type: "boolean", help: "make the h5wasm runtime fail an allocation, then fail" },
  ],
  positionals: [{ name: "input", help: "input file or -", required: true }],
  run: async (opts, ctx) => {
    if (opts.wasm_oom) {
      // what the h5wasm fallback reader meets on a hostile file: the Emscripten runtime prints
      // "Cannot enlarge memory ..." on the console, then the reader fails
      const { h5ready, h5wasmModule } = await import("../../../lib/netcdf/nc4_reader.ts");
      await h5ready();
      // the Emscripten module under h5wasm's API (not in its types): its allocator
      const m = await (h5wasmModule() as unknown as { ready: Promise<{ _malloc(n: number): number }> }).ready;
      if (m._malloc(3_000_000_000) === 0) throw new DataError(`${opts.input}: cannot read: out of memory`);
    }
    const text = await ctx.readText(opts.input);
    const out = ctx.output(opts.output);
    for (let i = 0; i < opts.lines; i++) {
      out.write(`${i} ${text.trim()}\n`);
      if (opts.fail && i === 1) throw new DataError(`${opts.input}:2: something is wrong`);
    }
    return 0;
  },
});
if (import.meta.main) Deno.exit(await tool.main(Deno.args));
