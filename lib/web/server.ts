/**
 * lmt_web's HTTP server (Deno.serve): pages, products, plot data, manual flags and pipeline runs of one
 * WORK_LMT tree.
 *
 * Routes: `GET /` (index), `GET /obs/ID` (attempts + interactive page), `GET /files/ID/...` (products),
 * `GET /api/obs/ID/data` (plot data), `POST /api/run` (`{"obsnum": N, "params": {...}}` → 202 with the
 * run's id; 400 with the grammar's message; 409 when the obsnum is being reduced), `GET /api/run/ID/events`
 * (server-sent events: `line` per output line, then `done` with the exit code), `POST /api/flag`
 * (`{"obsnum": N, "kind": "badcb", "chassis": C, "board": B}` or `"kind": "blank"` with `range`, written to the
 * RSR files; for a SEQ obsnum `"kind": "seq"` with `exclude`/`include` pixels and/or a velocity `range`:
 * answered with the new `pix_list=`/`birdies=` for the page's re-run form, see lib/web/seqflag.ts).
 *
 * Security: every POST needs the token (header `X-LMT-Token` or `?token=`); on a loopback address the
 * Host header must name it (no DNS rebinding); files are served and written only inside WORK_LMT's real
 * path (`..`, `%2e%2e`, `%2f` and links out are refused); parameter values are checked against their
 * grammar and reach SLpipeline.sh as separate argv entries, never through a shell.
 *
 * @module
 */
import { checkParams, ParamError } from "../pipeline/params.ts";
import { LockBusy } from "../pipeline/lock.ts";
import { applyFlag, FlagError, parseFlag } from "./flag.ts";
import { applySeqFlag, parseSeqFlag, type SeqInfo, seqInfo, specFileFor } from "./seqflag.ts";
import { obsData } from "./data.ts";
import { attemptsPageHtml } from "../report/attempts.ts";
import { FORM_EXCLUDED, indexPageHtml, obsPageHtml } from "./pages.ts";
import { contentType, decodeSegments, resolveInside } from "./paths.ts";
import { Runner } from "./runs.ts";
import { findObs, kindOf, scanWork } from "./scan.ts";

/** How to serve. */
export interface WebOptions {
  /** WORK_LMT (absolute). */
  work: string;
  token: string;
  /** Program and leading arguments of the pipeline. */
  pipeline: readonly string[];
  /** The pipeline's environment (DATA_LMT, PATH, ...); WORK_LMT is set to `work`. */
  env: Record<string, string>;
  hostname: string;
  port: number;
}

/** A running server. */
export interface WebServer {
  url: string;
  port: number;
  runner: Runner;
  shutdown(): Promise<void>;
  finished: Promise<void>;
}

const STATIC: Record<string, URL> = {
  "vega.min.js": new URL("../../node_modules/vega/build/vega.min.js", import.meta.url),
  "vega-lite.min.js": new URL("../../node_modules/vega-lite/build/vega-lite.min.js", import.meta.url),
  "lmt_web.js": new URL("./static/lmt_web.js", import.meta.url),
};

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self' 'unsafe-eval'; connect-src 'self'; frame-ancestors 'none'";

function headers(type: string, extra: Record<string, string> = {}): Headers {
  return new Headers({
    "content-type": type,
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    ...extra,
  });
}

function text(status: number, body: string): Response {
  return new Response(body + "\n", { status, headers: headers("text/plain; charset=utf-8") });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: headers("application/json") });
}

function sameToken(a: string | null, b: string): boolean {
  if (a === null || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The request handler (exported for tests that do not open a port). */
export function makeHandler(
  opts: WebOptions,
  runner: Runner,
  port: () => number,
): (req: Request) => Promise<Response> {
  const root = Deno.realPathSync(opts.work);
  const loopback = LOOPBACK.has(opts.hostname);
  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (loopback) {
      const host = req.headers.get("host") ?? "";
      const ok = [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`];
      if (!ok.includes(host)) return text(421, `lmt_web: Host "${host}" is not this server`);
    }
    // the raw request target, before URL normalisation, so that %2e%2e is seen as what it is
    const rawPath = rawTarget(req.url);
    const path = url.pathname;
    if (req.method === "POST") {
      if (!sameToken(req.headers.get("x-lmt-token") ?? url.searchParams.get("token"), opts.token)) {
        return text(403, "lmt_web: missing or wrong token");
      }
      if (path === "/api/run") return await postRun(req);
      if (path === "/api/flag") return await postFlag(req);
      return text(404, "lmt_web: no such action");
    }
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "lmt_web: method not allowed");
    if (path === "/") {
      return new Response(indexPageHtml(opts.work, scanWork(root)), {
        headers: headers("text/html; charset=utf-8"),
      });
    }
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    if (path.startsWith("/static/")) {
      const f = STATIC[path.slice(8)];
      if (f === undefined) return text(404, "lmt_web: not found");
      return new Response(await Deno.readFile(f), { headers: headers(contentType(path)) });
    }
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x);
      } catch {
        return "";
      }
    };
    let m = /^\/obs\/([^/]+)$/.exec(path);
    if (m) {
      const e = findObs(root, dec(m[1]!));
      if (!e) return text(404, "lmt_web: no such obsnum directory");
      const page = attemptsPageHtml(e.dir, e.id, { linkBase: `/files/${encodeURIComponent(e.id)}/` });
      return new Response(obsPageHtml(e, page), { headers: headers("text/html; charset=utf-8") });
    }
    m = /^\/api\/obs\/([^/]+)\/data$/.exec(path);
    if (m) {
      const e = findObs(root, dec(m[1]!));
      if (!e) return json(404, { error: "no such obsnum directory" });
      const d: ReturnType<typeof obsData> & { seq?: SeqInfo | null } = obsData(e);
      if (d.kind === "seq") {
        // per-pixel Tsys and the spectral axis of the (first) SpecFile, for the pixel table and birdies=
        const nc = specFileFor(fileNames(e.dir), undefined);
        d.seq = null;
        if (nc !== undefined && resolveInside(root, e.dir, [nc]) !== undefined) {
          try {
            d.seq = await seqInfo(e.dir, nc);
          } catch { /* an unreadable SpecFile: no pixel table */ }
        }
      }
      return json(200, d);
    }
    m = /^\/api\/run\/([A-Za-z0-9-]+)\/events$/.exec(path);
    if (m) return events(m[1]!);
    if (rawPath.startsWith("/files/")) return serveFile(rawPath.slice(7));
    return text(404, "lmt_web: not found");
  };

  function serveFile(tail: string): Response {
    const segs = decodeSegments(tail.split("?")[0]!);
    if (segs === undefined || segs.length < 2) return text(404, "lmt_web: not found");
    const e = findObs(root, segs[0]!);
    if (!e) return text(404, "lmt_web: not found");
    const real = resolveInside(root, e.dir, segs.slice(1));
    if (real === undefined) return text(404, "lmt_web: not found");
    let st;
    try {
      st = Deno.statSync(real);
    } catch {
      return text(404, "lmt_web: not found");
    }
    if (st.isDirectory) {
      const list = [...Deno.readDirSync(real)].map((d) => d.name + (d.isDirectory ? "/" : "")).sort();
      const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
      return new Response(
        `<!DOCTYPE html><meta charset="utf-8"><title>${esc(segs.join("/"))}</title><ul>` +
          list.map((n) =>
            `<li><a href="${esc(encodeURIComponent(n.replace(/\/$/, "")) + (n.endsWith("/") ? "/" : ""))}">${
              esc(n)
            }</a></li>`
          ).join("") +
          "</ul>",
        { headers: headers("text/html; charset=utf-8") },
      );
    }
    if (!st.isFile) return text(404, "lmt_web: not found");
    const f = Deno.openSync(real, { read: true });
    return new Response(f.readable, {
      headers: headers(contentType(real), { "content-length": String(st.size) }),
    });
  }

  async function readJson(req: Request): Promise<Record<string, unknown> | Response> {
    if ((req.headers.get("content-type") ?? "").split(";")[0]!.trim() !== "application/json") {
      return json(415, { error: "expected Content-Type: application/json" });
    }
    const body = await req.text();
    if (body.length > 65536) return json(413, { error: "request too large" });
    try {
      const v = JSON.parse(body);
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error();
      return v as Record<string, unknown>;
    } catch {
      return json(400, { error: "expected a JSON object" });
    }
  }

  function obsOf(body: Record<string, unknown>) {
    const o = body.obsnum;
    const id = typeof o === "number" && Number.isInteger(o) ? String(o) : typeof o === "string" ? o : "";
    return id === "" ? undefined : findObs(root, id);
  }

  async function postRun(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (body instanceof Response) return body;
    const e = obsOf(body);
    if (!e) return json(404, { error: "obsnum: no such obsnum directory under WORK_LMT" });
    const params = body.params ?? {};
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      return json(400, { error: "params: expected an object of key: value strings" });
    }
    const words: string[] = [];
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (typeof v !== "string" && typeof v !== "number") {
        return json(400, { error: `${k}: expected a string value` });
      }
      if (FORM_EXCLUDED.has(k)) return json(400, { error: `${k}= is set by lmt_web, not by the form` });
      words.push(`${k}=${v}`);
    }
    const label = e.id.split("__")[0]!;
    const target = e.obsnums.length > 0 ? `obsnums=${e.obsnums.join(",")}` : `obsnum=${label}`;
    if (!/^(obsnum=\d+|obsnums=[\d,]+)$/.test(target)) {
      return json(400, { error: `${e.id}: not an obsnum directory` });
    }
    const all = [target, ...words];
    all.push("debug=1"); // progress for the page: every step's command as it runs (not compared between attempts)
    if (e.id.includes("__")) all.push(`oid=${e.id.split("__")[1]}`);
    try {
      checkParams(all, kindOf(e));
    } catch (err) {
      if (err instanceof ParamError) return json(400, { error: err.message });
      throw err;
    }
    try {
      const run = runner.start(e.id, e.dir, [...(e.layout === "here" ? ["--here"] : []), ...all]);
      return json(202, { run: run.id, events: `/api/run/${run.id}/events`, argv: all });
    } catch (err) {
      if (err instanceof LockBusy) return json(409, { error: err.message });
      throw err;
    }
  }

  async function postFlag(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (body instanceof Response) return body;
    const e = obsOf(body);
    if (!e) return json(404, { error: "obsnum: no such obsnum directory under WORK_LMT" });
    if (kindOf(e) === "seq") {
      // SEQ: no file is written; the new pix_list=/birdies= go to the page's re-run form
      try {
        const names = fileNames(e.dir).filter((n) => resolveInside(root, e.dir, [n]) !== undefined);
        return json(200, await applySeqFlag(e.dir, names, e.params, parseSeqFlag(body)));
      } catch (err) {
        if (err instanceof FlagError) return json(400, { error: err.message });
        throw err;
      }
    }
    if (e.obsnums.length > 0) {
      return json(400, { error: `${e.id}: flags are written for single RSR obsnums` });
    }
    if (runner.active(e.dir)) return json(409, { error: `${e.id} is being reduced: flag after the run` });
    try {
      const flag = parseFlag(body);
      const obsnum = Number(e.id.split("__")[0]);
      // the directory, and the file when it exists, must be inside the tree (no link out)
      if (resolveInside(root, e.dir, []) === undefined) return json(404, { error: "not found" });
      const file = `rsr.${obsnum}.${flag.kind === "badcb" ? "badlags" : "blanking"}`;
      let exists = true;
      try {
        Deno.lstatSync(`${e.dir}/${file}`);
      } catch {
        exists = false;
      }
      if (exists && resolveInside(root, e.dir, [file]) === undefined) {
        return json(403, { error: `${file} points outside the work tree: not written` });
      }
      const r = applyFlag(e.dir, obsnum, flag);
      return json(200, r);
    } catch (err) {
      if (err instanceof FlagError) return json(400, { error: err.message });
      throw err;
    }
  }

  function events(id: string): Response {
    const run = runner.get(id);
    if (!run) return text(404, "lmt_web: no such run");
    const enc = new TextEncoder();
    let listener: ((ev: import("./runs.ts").RunEvent) => void) | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        const send = (ev: string, data: string) => c.enqueue(enc.encode(`event: ${ev}\ndata: ${data}\n\n`));
        for (const l of run.lines) send("line", JSON.stringify(l));
        if (run.done) {
          send("done", JSON.stringify({ code: run.code }));
          c.close();
          return;
        }
        listener = (ev) => {
          try {
            if (ev.type === "line") send("line", JSON.stringify(ev.line));
            else {
              send("done", JSON.stringify({ code: ev.code }));
              c.close();
            }
          } catch { /* client gone */ }
        };
        run.listeners.add(listener);
      },
      cancel() {
        if (listener) run.listeners.delete(listener);
      },
    });
    return new Response(stream, { headers: headers("text/event-stream; charset=utf-8") });
  }
}

function fileNames(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((d) => d.isFile || d.isSymlink).map((d) => d.name).sort();
  } catch {
    return [];
  }
}

/** The path of a request URL as sent (not normalised: `/files/a/%2e%2e/b` stays so). */
function rawTarget(u: string): string {
  const m = /^[a-z]+:\/\/[^/]*(\/[^?#]*)/i.exec(u);
  return m ? m[1]! : "/";
}

/** Start serving; resolves once the port is open. */
export function startServer(opts: WebOptions): Promise<WebServer> {
  const runner = new Runner({
    pipeline: opts.pipeline,
    cwd: opts.work,
    env: { ...opts.env, WORK_LMT: opts.work },
  });
  let port = opts.port;
  const handler = makeHandler(opts, runner, () => port);
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    signal: ac.signal,
    onListen: () => {},
    onError: () => text(500, "lmt_web: internal error"),
  }, handler);
  port = server.addr.port;
  const h = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
  return Promise.resolve({
    url: `http://${h}:${port}/?token=${opts.token}`,
    port,
    runner,
    shutdown: async () => {
      await runner.drain();
      ac.abort();
      await server.finished;
    },
    finished: server.finished,
  });
}

/** A fresh random token (32 hex digits). */
export function newToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
