/**
 * The output door as library code sees it: a function that opens an output by path (lib/cli `ctx.output`,
 * an {@link OutputFile} of lib/cli/io.ts) handed down by the tool, so that every file a library writes gets the
 * door's temporary name beside the target, its removal on an error or a signal, the atomic rename and the
 * one overwrite rule. Library code never creates files itself.
 *
 * Products of a tool are put in place when the tool ends; files that later work reads while the tool still
 * runs (a pipeline's rc file and logs, lmt_run's scripts) are committed at once with {@link putFile}.
 * @module
 */

/** An open output of the door, as far as library code uses it. */
export interface OutputSink {
  /** Append text or bytes to the temporary file. */
  write(data: string | Uint8Array): void;
  /** Permission bits the file will have (set on the temporary file). */
  chmod(mode: number): void;
  /** Rename the temporary file onto the target. */
  commit(): void;
  /** Remove the temporary file. */
  abort(): void;
}

/** The door: open an output named `path` (lib/cli `ctx.output`). */
export type OpenOutput = (path: string) => OutputSink;

/** Write `data` to `path` through the door and put it in place now (with permission bits `mode`). */
export function putFile(open: OpenOutput, path: string, data: string | Uint8Array, mode?: number): void {
  const o = open(path);
  try {
    o.write(data);
    if (mode !== undefined) o.chmod(mode);
    o.commit();
  } catch (e) {
    o.abort();
    throw e;
  }
}
