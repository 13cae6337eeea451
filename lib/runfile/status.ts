/**
 * Job states of a run directory, from the status files the job scripts write and, for SLURM runs,
 * from the scheduler's queue (`squeue`), whose output is parsed here (the caller runs the command).
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "../sys/fs.ts";
import type { Plan } from "./plan.ts";
import { statusPath } from "./scripts.ts";

/** State of one job. */
export type JobState = "done" | "failed" | "blocked" | "running" | "pending" | "not-run";

/** Status of one job. */
export interface JobStatus {
  name: string;
  tier: number;
  state: JobState;
  /** Unix seconds (from the status file). */
  start?: number;
  end?: number;
  rc?: string;
  host?: string;
  /** Why it failed or is blocked/pending. */
  reason?: string;
  /** SLURM job (or ARRAY_TASK) id when submitted to SLURM. */
  slurmId?: string;
  /** SLURM state from squeue (PENDING, RUNNING, ...). */
  slurmState?: string;
  /** The `.done` file is older than the job script (parameters changed since). */
  stale?: boolean;
}

/** Parse `key=value` lines of a status file. */
export function parseStatusFile(text: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) r[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return r;
}

/** One line of `squeue -h -r -o '%i|%T|%r'`. */
export interface QueueEntry {
  id: string;
  state: string;
  reason: string;
}

/** Parse `squeue -h -r -o '%i|%T|%r'` output into entries keyed by job id (`123` or `123_4`). */
export function parseSqueue(text: string): Map<string, QueueEntry> {
  const m = new Map<string, QueueEntry>();
  for (const line of text.split("\n")) {
    const [id, state, reason] = line.trim().split("|");
    if (!id || !state) continue;
    m.set(id, { id, state, reason: reason ?? "" });
  }
  return m;
}

/**
 * Status of every job of a plan in `rundir`. `slurmIds` maps job names to their SLURM ids (from
 * slurm/submitted.json) and `queue` is the parsed squeue output, when SLURM was used.
 */
export function readStatus(
  plan: Plan,
  rundir: string,
  slurmIds: Record<string, string> = {},
  queue?: Map<string, QueueEntry>,
): JobStatus[] {
  const out: JobStatus[] = [];
  for (const j of plan.jobs) {
    const s: JobStatus = { name: j.name, tier: j.tier, state: "not-run" };
    const sid = slurmIds[j.name];
    if (sid !== undefined) s.slurmId = sid;
    let rec: Record<string, string> | undefined;
    for (const kind of ["done", "failed", "running"] as const) {
      const p = statusPath(rundir, j.name, kind);
      if (existsSync(p)) {
        rec = parseStatusFile(readFileSync(p, "utf8"));
        s.state = kind === "failed" ? (rec.blocked_by ? "blocked" : "failed") : kind;
        if (kind === "done") {
          const script = `${rundir}/jobs/${j.name}.sh`;
          if (existsSync(script) && statSync(script).mtimeMs > statSync(p).mtimeMs) s.stale = true;
        }
        break;
      }
    }
    if (rec) {
      if (rec.start) s.start = Number(rec.start);
      if (rec.end) s.end = Number(rec.end);
      if (rec.rc !== undefined) s.rc = rec.rc;
      if (rec.host) s.host = rec.host;
      if (rec.reason) s.reason = rec.reason;
    }
    if (sid !== undefined && queue) {
      const q = queue.get(sid);
      if (q) {
        s.slurmState = q.state;
        if (s.state === "not-run" && (q.state === "PENDING" || q.state === "CONFIGURING")) {
          s.state = "pending";
          s.reason = q.reason;
        } else if (s.state === "not-run" && q.state === "RUNNING") {
          s.state = "running";
        } else if (
          (s.state === "not-run" || s.state === "running") &&
          /^(CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE|FAILED)/.test(q.state)
        ) {
          s.state = "failed";
          s.reason = `SLURM job ${sid} ended ${q.state}${
            q.reason && q.reason !== "None" ? ` (${q.reason})` : ""
          }`;
        }
      } else if (s.state === "not-run") {
        s.reason = `SLURM job ${sid} is not in the queue and wrote no status`;
      }
    }
    out.push(s);
  }
  return out;
}

/** Counts of states. */
export function summarize(st: readonly JobStatus[]): Record<JobState, number> {
  const c: Record<JobState, number> = {
    done: 0,
    failed: 0,
    blocked: 0,
    running: 0,
    pending: 0,
    "not-run": 0,
  };
  for (const s of st) c[s.state]++;
  return c;
}

/** A plain-text table of job states (one line per job), for the terminal. */
export function formatStatus(st: readonly JobStatus[]): string {
  const rows = [["job", "tier", "state", "time", "slurm", "reason"]];
  for (const s of st) {
    const t = s.start !== undefined ? `${((s.end ?? Date.now() / 1000) - s.start).toFixed(1)}s` : "";
    rows.push([
      s.name,
      String(s.tier),
      s.state + (s.stale ? " (stale)" : ""),
      t,
      s.slurmId ? `${s.slurmId}${s.slurmState ? ` ${s.slurmState}` : ""}` : "",
      s.reason ?? "",
    ]);
  }
  const w = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  const lines = rows.map((r) =>
    r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(w[k]!))).join("  ").trimEnd()
  );
  const c = summarize(st);
  const parts = (Object.keys(c) as JobState[]).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return lines.join("\n") + `\n${st.length} jobs: ${parts.join(", ")}\n`;
}
