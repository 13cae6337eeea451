/**
 * Warnings of library code about inputs it reads anyway (a damaged file the original tools would
 * also have read, e.g. a netCDF-3 header whose record count disagrees with the file's size).
 * Library code calls {@link inputWarning}; the running tool (lib/cli `defineTool`) installs the
 * sink that prints them as `tool: warning: ...`. Without a sink (library use, tests) the warnings
 * are kept in {@link pendingWarnings} (the last 100).
 * @module
 */

type Sink = (message: string) => void;

const sinks: Sink[] = [];
const pending: string[] = [];

/** Report a problem with an input that does not stop the reading; `message` names the file. */
export function inputWarning(message: string): void {
  const sink = sinks[sinks.length - 1];
  if (sink) sink(message);
  else {
    pending.push(message);
    if (pending.length > 100) pending.shift();
  }
}

/** Send warnings to `sink` while `body` runs (nested calls: the innermost sink gets them). */
export async function withWarningSink<T>(sink: Sink, body: () => Promise<T>): Promise<T> {
  sinks.push(sink);
  try {
    return await body();
  } finally {
    const i = sinks.lastIndexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  }
}

/** Warnings reported while no sink was installed (oldest first); `clear` empties the list. */
export function pendingWarnings(clear = false): string[] {
  const out = pending.slice();
  if (clear) pending.length = 0;
  return out;
}
