/**
 * From a parsed run file to a plan: one job per output directory, pipelines resolved (explicit word or
 * lmtinfo), the single-obsnum jobs a combination needs (added implicitly when the file lacks them),
 * parameters checked against the pipeline's list, and tiers (a combination runs in a later tier than
 * every obsnum it combines).
 *
 * @module
 */
import { didYouMean } from "../formats/suggest.ts";
import { paramSpec, printable } from "../pipeline/params.ts";
import { RunfileError } from "./errors.ts";
import type { Pipeline, Runfile, RunfileLine } from "./parse.ts";

/** One job of a plan: one `make -f scripts/<pipeline>.mk ...` call producing one directory. */
export interface Job {
  /** Output directory name (`dir=`, else the obsnum, else FIRST_LAST for a combination); unique. */
  name: string;
  /** Pipeline, or null when it could not be inferred (the job then fails with {@link Job.pipelineError}). */
  pipeline: Pipeline | null;
  pipelineError?: string;
  obsnums: number[];
  combination: boolean;
  /** Parameters passed to make, in order, including `obsnum=`/`obsnums=` first. */
  makeArgs: string[];
  /** Names of the jobs whose products this one needs (a combination's single obsnums). */
  deps: string[];
  /** 1-based tier. */
  tier: number;
  /** Tier stated in the run file (`tier=` or `---` markers). */
  explicitTier?: number;
  /** Added because a combination needs it. */
  implicit: boolean;
  /** `file:line` of the run-file line, or `implicit (for file:line)`. */
  origin: string;
  /** Keys dropped from an SLpipeline.sh line. */
  ignored: string[];
}

/** A resolved run plan. */
export interface Plan {
  source: string;
  jobs: Job[];
  /** Job names per tier: tiers[0] is tier 1. */
  tiers: string[][];
  /** Non-fatal remarks (dropped SLpipeline keys, implicit jobs). */
  warnings: string[];
}

/** How {@link buildPlan} learns about obsnums and pipelines. */
export interface PlanOptions {
  /** The pipeline of an obsnum (lmtinfo); throws when the obsnum is unknown. */
  infer: (obsnum: number) => Promise<Pipeline>;
  /** Parameters each pipeline accepts (the PARAMS of scripts/<p>.mk); checked when given. */
  knownParams?: Partial<Record<Pipeline, readonly string[]>>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function where(l: RunfileLine): string {
  return `${l.source}:${l.line}`;
}

/**
 * Build the plan of a run file. Throws {@link RunfileError} (`file:line:`) for two lines writing the
 * same directory, an unknown parameter, a bad `dir=`, mixed pipelines in a combination, or explicit
 * tiers that put a combination in the same or an earlier tier than one of its obsnums.
 */
export async function buildPlan(rf: Runfile, opts: PlanOptions): Promise<Plan> {
  const warnings: string[] = [];
  const jobs: Job[] = [];
  const byName = new Map<string, Job>();
  const lineOf = new Map<Job, RunfileLine>();
  const cache = new Map<number, Promise<Pipeline>>();
  const fallback = new Map<string, Pipeline>(); // implicit singles: the combination's explicit pipeline
  const infer = (o: number) => {
    let p = cache.get(o);
    if (!p) {
      p = opts.infer(o);
      cache.set(o, p);
    }
    return p;
  };

  const add = (j: Job, l: RunfileLine | null) => {
    const prev = byName.get(j.name);
    if (prev) {
      const l0 = lineOf.get(prev)!;
      throw new RunfileError(
        `job ${j.name} is already defined at line ${l0.line} (two jobs would write the same directory; use dir=)`,
        l!.source,
        l!.line,
      );
    }
    byName.set(j.name, j);
    jobs.push(j);
    if (l) lineOf.set(j, l);
  };

  for (const l of rf.lines) {
    const dir = l.params.find(([k]) => k === "dir")?.[1];
    const combination = l.obsnums !== undefined;
    const obsnums = l.obsnums ?? [l.obsnum!];
    const name = dir ?? (combination ? `${obsnums[0]}_${obsnums[obsnums.length - 1]}` : String(obsnums[0]));
    if (!NAME_RE.test(name)) {
      throw new RunfileError(
        `dir=${name}: expected a plain directory name (letters, digits, . _ + -)`,
        l.source,
        l.line,
      );
    }
    for (const k of l.ignored) {
      warnings.push(`${where(l)}: SLpipeline keyword ${k}= ignored (LMTOY framework only)`);
    }
    const makeArgs = [combination ? `obsnums=${obsnums.join(",")}` : `obsnum=${obsnums[0]}`];
    for (const [k, v] of l.params) makeArgs.push(`${k}=${v}`);
    const job: Job = {
      name,
      pipeline: l.pipeline ?? null,
      obsnums,
      combination,
      makeArgs,
      deps: [],
      tier: 1,
      implicit: false,
      origin: where(l),
      ignored: l.ignored,
    };
    if (l.tier !== undefined) job.explicitTier = l.tier;
    add(job, l);
  }

  // implicit single jobs for combinations: the obsnum alone. A single is reduced with its OWN parameters (its
  // lmtoy_OBSNUM.rc, else the defaults), never with the combination's.
  for (const c of jobs.slice()) {
    if (!c.combination) continue;
    const l = lineOf.get(c)!;
    for (const o of c.obsnums) {
      const n = String(o);
      if (!byName.has(n)) {
        if (c.pipeline !== null) fallback.set(n, c.pipeline);
        const j: Job = {
          name: n,
          pipeline: null,
          obsnums: [o],
          combination: false,
          makeArgs: [`obsnum=${o}`],
          deps: [],
          tier: 1,
          implicit: true,
          origin: `implicit (for ${where(l)})`,
          ignored: [],
        };
        byName.set(n, j);
        jobs.push(j);
        warnings.push(
          `${
            where(l)
          }: obsnum ${o} has no line of its own; added as a single job with its own parameters (its rc file, else defaults)`,
        );
      }
      c.deps.push(n);
    }
  }

  // pipelines: singles first (explicit, lmtinfo, or for implicit ones the combination's word), then combinations (explicit, their inputs', or lmtinfo)
  for (const j of jobs) {
    if (j.combination || j.pipeline !== null) continue;
    try {
      j.pipeline = await infer(j.obsnums[0]!);
    } catch (e) {
      const f = fallback.get(j.name);
      if (f !== undefined) {
        j.pipeline = f;
        continue;
      }
      j.pipelineError = `cannot tell the pipeline of obsnum ${j.obsnums[0]}: ${
        (e as Error).message.split("\n")[0]
      }`;
    }
  }
  for (const c of jobs) {
    if (!c.combination) continue;
    const l = lineOf.get(c)!;
    const inputs = new Set(
      c.deps.map((d) => byName.get(d)!.pipeline).filter((p): p is Pipeline => p !== null),
    );
    if (inputs.size > 1) {
      throw new RunfileError(`combination ${c.name} mixes rsr and seq obsnums`, l.source, l.line);
    }
    const pin = [...inputs][0];
    if (c.pipeline !== null && pin !== undefined && pin !== c.pipeline) {
      throw new RunfileError(
        `combination ${c.name} is ${c.pipeline} but its obsnums are ${pin}`,
        l.source,
        l.line,
      );
    }
    if (c.pipeline === null) {
      if (pin !== undefined) c.pipeline = pin;
      else {c.pipelineError =
          `cannot tell the pipeline of combination ${c.name}: none of its obsnums is known`;}
    }
  }

  // parameter names against the pipeline's list
  if (opts.knownParams) {
    for (const j of jobs) {
      if (j.implicit || j.pipeline === null) continue;
      const known = opts.knownParams[j.pipeline];
      if (!known) continue;
      const l = lineOf.get(j)!;
      for (const [k, v] of l.params) {
        const spec = paramSpec(k);
        if (known.includes(k) && spec !== undefined && !spec.grammar.test(v)) {
          throw new RunfileError(`${k}=${printable(v)}: ${spec.grammar.describe}`, l.source, l.line);
        }
        if (!known.includes(k)) {
          const dym = didYouMean(k, [...known]);
          throw new RunfileError(
            `unknown parameter ${k}= for the ${j.pipeline} pipeline${dym ? ` (did you mean ${dym}=?)` : ""}`,
            l.source,
            l.line,
          );
        }
      }
    }
  }

  // tiers
  for (const j of jobs) {
    if (j.combination) continue;
    j.tier = j.explicitTier ?? 1;
  }
  for (const c of jobs) {
    if (!c.combination) continue;
    let t = c.explicitTier ?? 1;
    for (const d of c.deps) {
      const dj = byName.get(d)!;
      if (
        c.explicitTier !== undefined && dj.explicitTier !== undefined && dj.explicitTier >= c.explicitTier
      ) {
        const l = lineOf.get(c)!;
        throw new RunfileError(
          `combination ${c.name} (tier ${c.explicitTier}) needs obsnum ${d}, which is in tier ${dj.explicitTier} ` +
            `(${dj.origin}); a combination must come in a later tier than its obsnums`,
          l.source,
          l.line,
        );
      }
      t = Math.max(t, dj.tier + 1);
    }
    c.tier = t;
  }
  const maxTier = Math.max(1, ...jobs.map((j) => j.tier));
  const tiers: string[][] = Array.from({ length: maxTier }, () => []);
  for (const j of jobs) tiers[j.tier - 1]!.push(j.name);
  return { source: rf.source, jobs, tiers, warnings };
}
