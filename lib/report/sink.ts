/**
 * Where the summary pages put their plots. Library code writes no file: the page builders
 * (lib/report/rsr.ts, lib/report/seq.ts) hand each PNG to a {@link PlotSink} and the tool that makes
 * the page (scripts/summary.ts) writes it through its context, like any other output.
 * @module
 */

/** Receives the plots of a summary page. */
export interface PlotSink {
  /**
   * A plot of the page: `name` is relative to the obsnum directory; `png` is the rendering still under
   * way (lib/plot renders on worker threads), not awaited by the page builder, so that the plots of a
   * page render while the page is built.
   */
  put(name: string, png: Promise<Uint8Array>): void;
}

/**
 * A sink that passes each plot on to `to` and remembers the names put, so that a page lists exactly
 * the plots it made (not whatever a directory happens to hold).
 */
export class PlotRecorder implements PlotSink {
  readonly #to: PlotSink;
  readonly #names: string[] = [];

  constructor(to: PlotSink) {
    this.#to = to;
  }

  put(name: string, png: Promise<Uint8Array>): void {
    this.#names.push(name);
    this.#to.put(name, png);
  }

  /** Whether a plot of this name was put. */
  has(name: string): boolean {
    return this.#names.includes(name);
  }

  /** The names put, in order. */
  get names(): readonly string[] {
    return this.#names;
  }
}
