/** Test helpers of the summary pages: a sink that keeps the plots put, and a directory's listing. */
import type { PlotSink } from "../../../lib/report/sink.ts";

/** A {@link PlotSink} keeping each plot's name and rendering, in order. */
export function collectingSink(): { sink: PlotSink; puts: Map<string, Promise<Uint8Array>> } {
  const puts = new Map<string, Promise<Uint8Array>>();
  return {
    sink: {
      put: (name, png) => {
        if (puts.has(name)) throw new Error(`${name} put twice`);
        puts.set(name, png);
      },
    },
    puts,
  };
}

/** Names, sizes and modification times of a directory's entries (hidden ones too), sorted. */
export function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => {
    const st = Deno.statSync(`${dir}/${e.name}`);
    return `${e.name} ${st.size} ${st.mtime?.getTime()}`;
  }).sort();
}
