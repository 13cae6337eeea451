/**
 * The small process helpers of lmt_run: run a command to completion with its output captured, and look
 * a command up on a PATH.
 * @module
 */
import { existsSync } from "../sys/fs.ts";
import { join } from "../sys/path.ts";

/** Exit code and decoded output of a finished command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `cmd args` to completion (stdout and stderr captured), in `cwd` with `env` when given. When
 * `signal` is aborted while the command runs, the command gets SIGTERM (and is still waited for).
 */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  }).spawn();
  const stop = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* it has ended already */ }
  };
  opts.signal?.addEventListener("abort", stop);
  if (opts.signal?.aborted) stop();
  let out: Deno.CommandOutput;
  try {
    out = await child.output();
  } finally {
    opts.signal?.removeEventListener("abort", stop);
  }
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Whether a file `name` exists in one of the directories of `env.PATH`. */
export function haveCommand(name: string, env: Record<string, string>): boolean {
  for (const d of (env.PATH ?? "").split(":")) {
    if (d && existsSync(join(d, name))) return true;
  }
  return false;
}
