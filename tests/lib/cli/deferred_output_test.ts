/**
 * Outputs whose data are a promise (plots rendering on another thread): a tool run alone commits all its
 * outputs together once they are ready; a caller with RunHooks.defer (the pipeline) gets the complete ones at
 * once and the others when ready, and a failed one is removed without a temporary file left behind.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineTool, withStdio } from "../../../lib/cli/mod.ts";
import { OutputFile } from "../../../lib/cli/io.ts";
import { runSteps, type Step } from "../../../lib/pipeline/steps.ts";
import { tempDir } from "../../_helpers.ts";

/** A tool writing `a.txt` now and `b.png` from a promise the test settles (resolve or reject). */
function makeTool() {
  let settle: { resolve: (b: Uint8Array) => void; reject: (e: Error) => void } | undefined;
  const tool = defineTool({
    name: "defer_demo",
    summary: "test tool",
    usage: "defer_demo",
    options: [],
    run: (_opts, ctx) => {
      ctx.writeFile("a.txt", "text\n");
      ctx.writeFile("b.png", new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject })));
      return 0;
    },
  });
  return { tool, settle: () => settle! };
}

const quiet = { stdout: () => {}, stderr: () => {} };

function inDir<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const prev = Deno.cwd();
  Deno.chdir(dir);
  return f().finally(() => Deno.chdir(prev));
}

const files = (dir: string) => readdirSync(dir).sort().join(" ");

Deno.test("a promised output: alone, the tool commits everything together when it is ready", async () => {
  const t = tempDir();
  try {
    const { tool, settle } = makeTool();
    const running = inDir(t.dir, () => withStdio(quiet, () => tool.main([], { LMT_SIDECAR: "1" })));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(join(t.dir, "a.txt")), false, "nothing is committed before the plot is ready");
    settle().resolve(new Uint8Array([1, 2, 3]));
    assert.equal(await running, 0);
    assert.equal(files(t.dir), "a.txt a.txt.json b.png b.png.json");
    assert.deepEqual([...readFileSync(join(t.dir, "b.png"))], [1, 2, 3]);
  } finally {
    t.cleanup();
  }
});

Deno.test("a promised output with RunHooks.defer: complete outputs at once, the plot when ready, in the tool's directory", async () => {
  const t = tempDir();
  try {
    const { tool, settle } = makeTool();
    let done: Promise<void> | undefined;
    let deferred: string[] = [];
    const code = await inDir(t.dir, () =>
      withStdio(quiet, () =>
        tool.main([], { LMT_SIDECAR: "1" }, {
          defer: (d, f) => {
            done = d;
            deferred = f;
          },
        })));
    assert.equal(code, 0);
    assert.deepEqual(deferred, [join(Deno.realPathSync(t.dir), "b.png")]);
    // a.txt and its sidecar are in place; b.png only as its temporary file
    assert.match(files(t.dir), /^\.b\.png\.\d+\.[0-9a-z]+\.tmp a\.txt a\.txt\.json$/);
    settle().resolve(new Uint8Array([7]));
    await done;
    assert.equal(files(t.dir), "a.txt a.txt.json b.png b.png.json");
    const side = JSON.parse(readFileSync(join(t.dir, "b.png.json"), "utf8"));
    assert.deepEqual(side.outputs, ["a.txt", "b.png"]);
  } finally {
    t.cleanup();
  }
});

Deno.test("a promised output that fails: its run's one-line message, no temporary file, the complete outputs stay", async () => {
  const t = tempDir();
  try {
    const { tool, settle } = makeTool();
    let done: Promise<void> | undefined;
    await inDir(t.dir, () => withStdio(quiet, () => tool.main([], {}, { defer: (d) => (done = d) })));
    settle().reject(new Error("resvg: bad SVG"));
    await assert.rejects(done!, (e: Error) => e.message === "defer_demo: resvg: bad SVG");
    assert.equal(files(t.dir), "a.txt");
  } finally {
    t.cleanup();
  }
});

Deno.test("runSteps: a step reading a file still being rendered waits for it; a failed render fails its step", async () => {
  const t = tempDir();
  try {
    const order: string[] = [];
    let release: () => void = () => {};
    // the runner hands over a promised p.png for the first step; the second step reads it
    const rendered = new Promise<void>((r) => (release = r)).then(() => {
      Deno.writeTextFileSync(join(t.dir, "p.png"), "png");
      order.push("p.png committed");
    });
    const s2: Step = {
      name: "page",
      inputs: ["p.png"],
      outputs: ["index.html"],
      action: { kind: "tools", calls: [{ tool: "page", argv: [] }] },
    };
    const s1: Step = {
      name: "plot",
      inputs: [],
      outputs: ["p.png"],
      action: { kind: "tools", calls: [{ tool: "plot", argv: [] }] },
    };
    const r = runSteps([s1, s2], {
      dir: t.dir,
      open: (p) => new OutputFile(p),
      shownDir: ".",
      report: () => {},
      tools: (tool, _argv, io) => {
        order.push(`${tool} runs`);
        if (tool === "plot") io.defer(rendered, [join(t.dir, "p.png")]);
        else Deno.writeTextFileSync(join(t.dir, "index.html"), readFileSync(join(t.dir, "p.png"), "utf8"));
        return Promise.resolve(0);
      },
    });
    await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(order, ["plot runs"], "the page waits for the plot");
    release();
    const res = await r;
    assert.deepEqual(res.ran, ["plot", "page"]);
    assert.deepEqual(order, ["plot runs", "p.png committed", "page runs"]);
    assert.equal(readFileSync(join(t.dir, "index.html"), "utf8"), "png");

    // a render that fails: the plot step fails (its outputs removed), the page is not made
    Deno.removeSync(join(t.dir, "p.png"));
    Deno.removeSync(join(t.dir, "index.html"));
    const failing = runSteps([s1, s2], {
      dir: t.dir,
      open: (p) => new OutputFile(p),
      shownDir: ".",
      report: () => {},
      keepGoing: true,
      tools: (tool, _argv, io) => {
        if (tool === "plot") {
          io.defer(Promise.reject(new Error("plot: cannot render")), [join(t.dir, "p.png")]);
        }
        return Promise.resolve(0);
      },
    });
    const f = await failing;
    assert.deepEqual(f.failed.map((e) => e.message), ["plot failed: plot: cannot render"]);
    assert.deepEqual(f.ran, ["plot"]);
    assert.equal(existsSync(join(t.dir, "index.html")), false);
  } finally {
    t.cleanup();
  }
});

Deno.test("a promised output settling after its run failed: no unhandled rejection, no file, no temporary file", async () => {
  const t = tempDir();
  try {
    let settle: ((e: Error) => void) | undefined;
    let late: ((b: Uint8Array) => void) | undefined;
    const tool = defineTool({
      name: "defer_fail",
      summary: "test tool",
      usage: "defer_fail",
      options: [],
      run: (_opts, ctx) => {
        ctx.writeFile("a.png", new Promise<Uint8Array>((_, reject) => (settle = reject)));
        ctx.writeFile("b.png", new Promise<Uint8Array>((resolve) => (late = resolve)));
        throw new Error("the run fails before its plots are ready");
      },
    });
    const errors: string[] = [];
    const code = await inDir(
      t.dir,
      () =>
        withStdio(
          { stdout: () => {}, stderr: (b) => errors.push(new TextDecoder().decode(b)) },
          () => tool.main([], {}),
        ),
    );
    assert.equal(code, 1);
    assert.match(errors.join(""), /^defer_fail: error: the run fails before its plots are ready\n$/);
    settle!(new Error("render failed later"));
    late!(new Uint8Array([1]));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(files(t.dir), "");
  } finally {
    t.cleanup();
  }
});
