/**
 * The signal watchdog of a tool run (a Worker started by lib/cli when the first output is opened).
 * A tool's own SIGINT/SIGTERM/SIGHUP handler runs on the main thread, which may be busy in a long
 * synchronous computation and then hears the signal only when it is done. This thread hears it at
 * once: it gives the main thread {@link GRACE_MS} to clean up and exit (130/143/129); if the process
 * is still there, it removes the run's temporary files and scratch directories itself, says so on
 * stderr and ends the process (SIGKILL, status 137), so an interrupt never leaves litter behind.
 *
 * Messages from the main thread: `{ name }` (tool name for the message), `{ add, dir, run }` (a temporary
 * path of tool run number `run` to remove on an interrupt; `dir`: recursively), `{ clear: run }` (that tool
 * run is over: forget its paths; tools run in-process share this thread, and a run whose plots are still
 * rendering may end after the next one started).
 *
 * @module
 */

/** How long the main thread has to handle a signal itself (ms). */
const GRACE_MS = 300;

/** The worker's global scope, as far as this thread uses it (Deno types `self` as a window). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<unknown>) => void | Promise<void>) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
};
let name = "tool";
/** Temporary paths to remove: path → whether a directory, and the tool run it belongs to. */
const paths = new Map<string, { dir: boolean; run: number }>();

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { name?: string; add?: string; dir?: boolean; run?: number; clear?: number };
  if (m.name !== undefined) name = m.name;
  if (m.add !== undefined) paths.set(m.add, { dir: m.dir === true, run: m.run ?? 0 });
  if (m.clear !== undefined) {
    for (const [p, v] of paths) if (v.run === m.clear) paths.delete(p);
  }
};

let fired = false;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  try {
    Deno.addSignalListener(sig, () => {
      if (fired) return;
      fired = true;
      setTimeout(() => {
        for (const [p, { dir }] of paths) {
          try {
            Deno.removeSync(p, { recursive: dir });
          } catch { /* already gone */ }
        }
        try {
          Deno.stderr.writeSync(new TextEncoder().encode(`${name}: interrupted; no output written\n`));
        } catch { /* nothing to do */ }
        Deno.kill(Deno.pid, "SIGKILL");
      }, GRACE_MS);
    });
  } catch { /* signal not available on this platform */ }
}
scope.postMessage("ready");
