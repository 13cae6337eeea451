/**
 * What lmt_web shows on its index: the obsnum and combination directories under WORK_LMT
 * (`PROJECTID/OBSNUM/` and `./OBSNUM/`, each with its `lmtoy_*.rc`), with source, instrument, mode, date,
 * status and the latest rms, read from the rc file, the lock and the products (never by running a tool).
 *
 * @module
 */
import { parseRc } from "../formats/rc.ts";
import { keyNumbersOf } from "../report/attempts.ts";
import { parseDriverHeader, readTextSpectrum } from "../formats/spectrum.ts";

/** One reduced (or being reduced) directory. */
export interface ObsEntry {
  /** The directory name: OBSNUM, FIRST_LAST or OBSNUM__oid; the id in `/obs/ID`. */
  id: string;
  /** Absolute path. */
  dir: string;
  /** PROJECTID/ the directory is in ("" for `./OBSNUM`). */
  project: string;
  /** `here`: directly under WORK_LMT (make -f scripts/X.mk, lmt_run); `work`: under PROJECTID/. */
  layout: "work" | "here";
  /** The lmtinfo block of the rc file (src, instrument, obspgm, date_obs, ...). */
  info: Map<string, string>;
  /** The `# parameters` block of the rc file (as the last run used them). */
  params: Map<string, string>;
  /** `obsnums=` for a combination, else []. */
  obsnums: number[];
  status: "running" | "done" | "incomplete";
  /** The latest rms (text with its unit) or "". */
  rms: string;
}

const ID_RE = /^[0-9]+(_[0-9]+)?(__[A-Za-z0-9._+-]+)?$/;

function rcOf(dir: string): string | undefined {
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && /^lmtoy_.*\.rc$/.test(e.name)) return `${dir}/${e.name}`;
    }
  } catch { /* not readable */ }
  return undefined;
}

/** The lmtinfo and parameter blocks of an rc file's text. */
export function readRcBlocks(
  text: string,
  source: string,
): { info: Map<string, string>; params: Map<string, string> } {
  const parts = text.split(/^# parameters[ \t]*$/m);
  const safe = (t: string) => {
    try {
      return parseRc(t, source).values;
    } catch {
      return new Map<string, string>();
    }
  };
  return { info: safe(parts[0] ?? ""), params: safe(parts.slice(1).join("\n")) };
}

/** The live PID holding a directory's pipeline lock, or undefined. */
export function lockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${dir}/.lmt_lock`);
  } catch {
    return undefined;
  }
  const pid = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * The rms of the latest products: the first "rms..." key number of the summary page (RSR "rms driver", SEQ
 * "rms"), else the mean of an RSR spectrum's "Sigma per board (mK)", else "".
 */
export function latestRms(dir: string, id: string): string {
  try {
    const keys = keyNumbersOf(Deno.readTextFileSync(`${dir}/index.html`));
    const k = Object.keys(keys).find((n) => /^rms\b/i.test(n));
    if (k !== undefined) return keys[k]!;
  } catch { /* no summary page */ }
  const label = id.split("__")[0]!;
  try {
    const text = Deno.readTextFileSync(`${dir}/rsr.${label}.driver.sum.txt`);
    const head = readTextSpectrum(text.split("\n").filter((l) => l.startsWith("#")).join("\n")).header;
    const s = parseDriverHeader(head).get("Sigma per board (mK)");
    if (s !== undefined) {
      const v = s.split(",").map(Number).filter((x) => Number.isFinite(x));
      if (v.length > 0) return `${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)} mK`;
    }
  } catch { /* no RSR spectrum */ }
  return "";
}

function entryOf(
  work: string,
  id: string,
  project: string,
  layout: ObsEntry["layout"],
): ObsEntry | undefined {
  const dir = project === "" ? `${work}/${id}` : `${work}/${project}/${id}`;
  // a directory that is (or lies under) a link out of the tree is not one of the tree's: its real path must be
  // the path itself (work is a real path)
  try {
    if (Deno.realPathSync(dir) !== dir) return undefined;
  } catch {
    return undefined;
  }
  const rc = rcOf(dir);
  if (rc === undefined) return undefined;
  let text = "";
  try {
    text = Deno.readTextFileSync(rc);
  } catch { /* unreadable: shown without details */ }
  const { info, params } = readRcBlocks(text, rc);
  const list = params.get("obsnums") ?? "";
  const obsnums = list === "" ? [] : list.split(",").map(Number).filter((n) => Number.isInteger(n));
  let status: ObsEntry["status"] = "incomplete";
  if (lockHolder(dir) !== undefined) status = "running";
  else {
    try {
      Deno.statSync(`${dir}/index.html`);
      status = "done";
    } catch { /* no summary page yet */ }
  }
  return { id, dir, project, layout, info, params, obsnums, status, rms: latestRms(dir, id) };
}

function subdirs(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Every obsnum/combination directory under `work` (its real path), sorted by id. */
export function scanWork(work: string): ObsEntry[] {
  const out: ObsEntry[] = [];
  for (const name of subdirs(work)) {
    if (ID_RE.test(name)) {
      const e = entryOf(work, name, "", "here");
      if (e) out.push(e);
      continue;
    }
    if (name.startsWith(".")) continue;
    for (const sub of subdirs(`${work}/${name}`)) {
      if (!ID_RE.test(sub)) continue;
      const e = entryOf(work, sub, name, "work");
      if (e) out.push(e);
    }
  }
  return out.sort((a, b) =>
    a.id.localeCompare(b.id, "en", { numeric: true }) || a.project.localeCompare(b.project)
  );
}

/** The directory of `/obs/ID` under `work` (its real path; the first in scan order), or undefined. */
export function findObs(work: string, id: string): ObsEntry | undefined {
  if (!ID_RE.test(id)) return undefined;
  const here = entryOf(work, id, "", "here");
  if (here) return here;
  for (const name of subdirs(work)) {
    if (ID_RE.test(name) || name.startsWith(".")) continue;
    const e = entryOf(work, id, name, "work");
    if (e) return e;
  }
  return undefined;
}

/** The pipeline of an entry: "rsr" or "seq" (from its instrument). */
export function kindOf(e: ObsEntry): "rsr" | "seq" {
  return (e.info.get("instrument") ?? "").toUpperCase() === "RSR" ? "rsr" : "seq";
}
