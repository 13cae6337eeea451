/**
 * One reduction of a directory at a time: a lock file `.lmt_lock` in the obsnum directory (or a run
 * directory of lmt_run), created with O_EXCL and holding `PID HOST`. A second run finds it and stops with
 * "being reduced by PID N"; a lock whose process is gone (same host, no /proc/PID) is taken over, so a
 * crashed or killed run never blocks the next one.
 *
 * @module
 */
import { join } from "../sys/path.ts";

/** The lock is held by a live process. */
export class LockBusy extends Error {
  readonly pid: number;
  constructor(what: string, pid: number, host: string) {
    super(`${what} is being reduced by PID ${pid}${host !== "" ? ` on ${host}` : ""}`);
    this.name = "LockBusy";
    this.pid = pid;
  }
}

/** A held lock; `release()` removes it (idempotent). */
export interface Lock {
  readonly path: string;
  release(): void;
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Take the lock of `dir` (which must exist) for this process; `what` names the directory in the message
 * ("91001"). Throws {@link LockBusy} when another live process holds it.
 */
export function acquireLock(dir: string, what: string): Lock {
  const path = join(dir, ".lmt_lock");
  const me = `${Deno.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const f = Deno.openSync(path, { createNew: true, write: true });
      try {
        f.writeSync(new TextEncoder().encode(me));
      } finally {
        f.close();
      }
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (Deno.readTextFileSync(path) === me) Deno.removeSync(path);
          } catch { /* already gone */ }
        },
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      continue; // released in between: try again
    }
    const [pidText = "", host = ""] = text.trim().split(/\s+/);
    const pid = Number(pidText);
    const sameHost = host === "" || host === hostname();
    if (Number.isInteger(pid) && pid > 0 && pid !== Deno.pid && (!sameHost || alive(pid))) {
      throw new LockBusy(what, pid, sameHost ? "" : host);
    }
    // a dead process's lock (or garbage): take it over, unless another process does so first
    try {
      if (Deno.readTextFileSync(path) === text) Deno.removeSync(path);
    } catch { /* someone else removed it */ }
  }
  throw new LockBusy(what, 0, "");
}
