/**
 * lmt_web — a local viewer and runner for a WORK_LMT tree: the attempts of each obsnum side by side,
 * interactive spectra (zoom, pan, cursor readout), the RSR boards and waterfalls with manual flagging, SEQ
 * pixels and channel ranges flagged into pix_list=/birdies= of the re-run form, and a form that runs SLpipeline.sh again with checked parameters, its progress streamed to the page.
 *
 * Examples:
 *   lmt_web                         # serves $WORK_LMT (or .) on http://127.0.0.1:8087/?token=...
 *   lmt_web --port 0 /data/work     # any free port
 *
 * The first stdout line is the URL with a fresh token; every state-changing request needs it.
 * @module
 */
import { DataError, defineTool, UsageError } from "../lib/cli/mod.ts";
import { newToken, startServer } from "../lib/web/server.ts";

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

export const tool = defineTool({
  name: "lmt_web",
  summary:
    "serve a WORK_LMT tree: attempts side by side, interactive spectra, flags, re-runs of SLpipeline.sh",
  usage: "lmt_web [--port N] [--host 127.0.0.1] [WORK_LMT]",
  description: "Prints the URL (with a fresh random token) as its first line and serves until interrupted. " +
    "Only loopback is served unless --host names another address (then anyone who can reach it and has the " +
    "token can run the pipeline). Runs use bin/SLpipeline.sh of this checkout with this environment " +
    "(DATA_LMT) and WORK_LMT set to the tree served.",
  examples: ["lmt_web", "lmt_web --port 0 $WORK_LMT"],
  options: [
    { name: "port", short: "p", type: "int", default: 8087, help: "TCP port; 0 picks a free one" },
    { name: "host", type: "string", default: "127.0.0.1", help: "address to listen on" },
  ],
  positionals: [{ name: "work_lmt", help: "the tree to serve [default: $WORK_LMT, else .]" }],
  run: async (opts, ctx) => {
    const port = opts.port;
    if (port < 0 || port > 65535) throw new UsageError(`--port ${port}: expected 0..65535`);
    const host = opts.host;
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new UsageError(`--host ${host}: expected an address`);
    const work = opts.work_lmt ?? ctx.env.WORK_LMT ?? ".";
    let real: string;
    try {
      real = Deno.realPathSync(work);
      if (!Deno.statSync(real).isDirectory) throw new Error();
    } catch {
      throw new DataError(`${work}: not a directory`);
    }
    if (!LOOPBACK.includes(host)) {
      ctx.log.warn(`listening on ${host}, not only on this machine: keep the token secret`);
    }
    const pipeline = [new URL("../bin/SLpipeline.sh", import.meta.url).pathname];
    let server;
    try {
      server = await startServer({
        work: real,
        token: newToken(),
        pipeline,
        env: ctx.env,
        hostname: host,
        port,
      });
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) {
        throw new DataError(`port ${port} is in use (--port 0 picks a free one)`);
      }
      if (e instanceof Deno.errors.AddrNotAvailable) {
        throw new DataError(`--host ${host}: address not available here`);
      }
      throw e;
    }
    ctx.stdout(server.url + "\n");
    await server.finished;
    return 0;
  },
});

if (import.meta.main) Deno.exit(await tool.main(Deno.args));
