/**
 * Progress reporting for long steps: a bar on a TTY (cli-progress), nothing when stderr is piped.
 * cli-progress is imported only when a bar is shown (it cost every tool ~10 ms of start-up).
 * @module
 */

/** A progress handle. */
export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const SILENT: Progress = { tick: () => {}, done: () => {} };

/** cli-progress and the stream its bar draws on, once loaded. */
type Loaded = { cli: CliProgress; stderr: NodeJS.WritableStream };
type CliProgress = typeof import("cli-progress");
let LOADED: Loaded | null = null;
let LOADING: Promise<Loaded> | null = null;

/** Start loading cli-progress (call once stderr is known to be a TTY); idempotent. */
export function preloadProgress(): Promise<Loaded> {
  LOADING ??= Promise.all([import("cli-progress"), import("node:process")]).then(([cli, proc]) => {
    LOADED = { cli: cli.default, stderr: proc.default.stderr };
    return LOADED;
  });
  return LOADING;
}

/**
 * Create a progress bar (silent unless `tty`). If cli-progress is not loaded yet (see
 * {@link preloadProgress}) the bar appears once it is; ticks before that are counted, and `done()`
 * before it shows nothing.
 */
export function createProgress(label: string, total: number, tty: boolean): Progress {
  if (!tty || total <= 0) return SILENT;
  let value = 0;
  let finished = false;
  let bar: { update(v: number): void; stop(): void } | null = null;
  const start = ({ cli, stderr }: Loaded) => {
    if (finished) return;
    const b = new cli.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`,
        stream: stderr,
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
      },
      cli.Presets.shades_classic,
    );
    b.start(total, Math.min(value, total));
    bar = b;
  };
  if (LOADED !== null) start(LOADED);
  else preloadProgress().then(start).catch(() => {/* no bar: progress is cosmetic */});
  return {
    tick(n = 1) {
      value += n;
      bar?.update(Math.min(value, total));
    },
    done() {
      finished = true;
      bar?.stop();
    },
  };
}
