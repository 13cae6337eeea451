/**
 * Keep a finished run as an attempt ("load and go", issue 17): the obsnum directory keeps holding the latest
 * products (drop-in), and a run whose parameters differ from the previous attempt's is also kept as
 * `OBSNUM/attempts/N/`: its `lmtoy_OBSNUM.rc`, `params.json` (its parameter set), its plots, text products and
 * logs (copied), and its large products (`*.nc`, `*.fits`, `*.sdfits`, anything over 1 MB) hard-linked, never
 * copied; where a hard link cannot be made, a small `NAME.ref` file says what the product was. The tools
 * replace their outputs by renaming a new file into place, so a hard-linked product of an attempt keeps its
 * content when a later run remakes the product.
 *
 * A run with the same parameters as the latest attempt refreshes that attempt when some step ran (a
 * hand-edited .badlags, say) and touches nothing when nothing ran; so does a run in which nothing ran in a
 * directory without attempts (made before attempts existed). At most `keep` attempts are kept (the
 * oldest are removed). The obsnum's index.html then gets the attempts side by side
 * (lib/report/attempts.ts) and README_files.md lists `attempts/`.
 *
 * An attempt directory is the unit that appears whole: it is built under a hidden name (`.new-N-PID`) and
 * renamed into place, so the files inside it are written directly; hidden directories left by a process that
 * no longer exists (killed mid-way) are removed by the next run. The obsnum's index.html and README_files.md
 * are rewritten through the output door handed down ({@link KeepOptions.open}).
 *
 * Runs under the obsnum's lock (lib/pipeline/mod.ts); nothing here prints.
 *
 * @module
 */
import {
  ATTEMPTS_DIR,
  attemptsSectionHtml,
  differingParams,
  listAttempts,
  PARAMS_FILE,
  REF_SUFFIX,
  stringifyAttemptRecord,
  withAttemptsSection,
  withoutAttemptsSection,
} from "../report/attempts.ts";
import { readmeFiles } from "../report/files.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "../sys/fs.ts";
import { type OpenOutput, putFile } from "../sys/output.ts";
import { join } from "../sys/path.ts";
import { processAlive } from "../sys/tempfile.ts";

/** Products at least this large are hard-linked, never copied. */
export const LINK_BYTES = 1 << 20;
const LARGE = /\.(nc|fits|sdfits)$/i;

/** What {@link keepAttempt} did. */
export interface KeepResult {
  /** "new": attempts/N made; "refreshed": the latest attempt rewritten (same parameters, steps ran). */
  action: "new" | "refreshed" | "unchanged";
  /** The attempt made or refreshed (null when unchanged). */
  n: number | null;
  /** Parameters that differ from the previous attempt ("new" only). */
  changed: string[];
  /** Attempts removed to keep at most `keep`. */
  pruned: number[];
  /** Products that could not be hard-linked and are kept as NAME.ref. */
  referenced: string[];
}

/** How to keep. */
export interface KeepOptions {
  /** The output door (lib/cli `ctx.output`) for index.html and README_files.md. */
  open: OpenOutput;
  /** The obsnum (or FIRST_LAST) of the run. */
  label: string;
  /** Every parameter of the run, defaults included (ParamSet.entries()). */
  params: readonly (readonly [string, string])[];
  /** Some step ran in this run. */
  ran: boolean;
  /** At most this many attempts are kept (>= 1). */
  keep: number;
  /** The time of the attempt [default: now]. */
  now?: Date;
}

/** Remove the hidden attempt directories (`.new-N-PID`, `.old-N-PID`) of processes that no longer exist. */
function removeDeadBuilds(root: string): void {
  for (const e of readdirSync(root)) {
    const m = /^\.(?:new|old)-\d+-(\d+)$/.exec(e);
    if (m !== null && !processAlive(Number(m[1]))) rmSync(join(root, e), { recursive: true, force: true });
  }
}

/** Copy the products of `dir` into the new directory `dst` (see the module doc for what is copied or linked). */
function snapshot(dir: string, dst: string): string[] {
  const referenced: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (!e.isFile || e.name.startsWith(".")) continue;
    const src = join(dir, e.name), to = join(dst, e.name);
    const info = Deno.statSync(src);
    if (LARGE.test(e.name) || info.size > LINK_BYTES) {
      try {
        Deno.linkSync(src, to);
      } catch {
        referenced.push(e.name);
        const ref = {
          file: e.name,
          note:
            "not hard-linked (the file system refused); this is the product of the obsnum directory at the time",
          bytes: info.size,
          mtime: info.mtime?.toISOString() ?? "",
        };
        Deno.writeTextFileSync(to + REF_SUFFIX, JSON.stringify(ref, null, 2) + "\n");
      }
    } else if (e.name === "index.html") {
      Deno.writeTextFileSync(to, withoutAttemptsSection(Deno.readTextFileSync(src)));
    } else {
      Deno.copyFileSync(src, to); // in the kernel (copy_file_range), not through this process's memory
    }
  }
  return referenced;
}

/**
 * Keep the run just finished in `dir` as an attempt (or refresh the latest one), prune to `keep`, and, when
 * anything changed, put the attempts on `dir`'s index.html and list them in its README_files.md.
 */
export function keepAttempt(dir: string, o: KeepOptions): KeepResult {
  const root = join(dir, ATTEMPTS_DIR);
  const params: Record<string, string> = Object.fromEntries(o.params);
  const list = listAttempts(dir);
  const last = list.at(-1);
  const changed = last ? differingParams(last.params, params) : [];
  let action: KeepResult["action"] = "unchanged";
  let n: number | null = null;
  let referenced: string[] = [];
  // a directory made before attempts existed gets its first one when something runs (not by a combination that
  // only reads its singles: a single left untouched stays byte-identical)
  if (last === undefined ? o.ran : changed.length > 0 || o.ran) {
    action = last === undefined || changed.length > 0 ? "new" : "refreshed";
    n = action === "new" ? (last?.n ?? 0) + 1 : last!.n;
    mkdirSync(root, { recursive: true });
    removeDeadBuilds(root);
    // built under a hidden name, then renamed into place: a reader never sees half an attempt
    const tmp = join(root, `.new-${n}-${Deno.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    try {
      referenced = snapshot(dir, tmp);
      const date = (o.now ?? new Date()).toISOString();
      Deno.writeTextFileSync(
        join(tmp, PARAMS_FILE),
        stringifyAttemptRecord({ attempt: n, date, label: o.label, params }),
      );
      const final = join(root, String(n));
      if (existsSync(final)) {
        const old = join(root, `.old-${n}-${Deno.pid}`);
        renameSync(final, old);
        renameSync(tmp, final);
        rmSync(old, { recursive: true, force: true });
      } else renameSync(tmp, final);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  const pruned: number[] = [];
  const now = listAttempts(dir);
  for (const a of now.slice(0, Math.max(0, now.length - Math.max(1, o.keep)))) {
    rmSync(a.dir, { recursive: true, force: true });
    pruned.push(a.n);
  }
  if (action !== "unchanged" || pruned.length > 0) {
    const index = join(dir, "index.html");
    if (existsSync(index)) {
      putFile(
        o.open,
        index,
        withAttemptsSection(readFileSync(index, "utf8"), attemptsSectionHtml(dir, o.label)),
      );
    }
    const readme = join(dir, "README_files.md");
    if (existsSync(readme)) {
      const title = /^# Files of (.*)$/m.exec(readFileSync(readme, "utf8"))?.[1] ?? `obsnum ${o.label}`;
      const names = new Set([...readdirSync(dir), "index.html", "README_files.md"]);
      if (!existsSync(root)) names.delete(ATTEMPTS_DIR);
      putFile(o.open, readme, readmeFiles(title, [...names]));
    }
  }
  return { action, n, changed: action === "new" ? changed : [], pruned, referenced };
}
