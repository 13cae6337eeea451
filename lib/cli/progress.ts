/**
 * Progress reporting for long steps: a bar on a TTY (cli-progress), nothing when stderr is piped.
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** A progress handle. */
export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const SILENT: Progress = { tick: () => {}, done: () => {} };

/** Create a progress bar (silent unless `tty`). */
export function createProgress(label: string, total: number, tty: boolean): Progress {
  if (!tty || total <= 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let value = 0;
  return {
    tick(n = 1) {
      value += n;
      bar.update(Math.min(value, total));
    },
    done() {
      bar.stop();
    },
  };
}
