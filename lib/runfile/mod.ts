/**
 * Run files (many obsnums, one pipeline job per line) and their execution plans: parsing, tiers, job
 * scripts, the local Makefile, SLURM submissions and job status, and their execution (run.ts locally,
 * submit.ts with SLURM), every file written through the tool's output door (output.ts). See
 * docs/runfiles.md.
 * @module
 */
export { RunError, RunfileError } from "./errors.ts";
export {
  parseRunfile,
  type Pipeline,
  type Runfile,
  type RunfileLine,
  SLPIPELINE_FRAMEWORK_KEYS,
  splitWords,
} from "./parse.ts";
export { buildPlan, type Job, type Plan, type PlanOptions } from "./plan.ts";
export {
  jobScript,
  makefileText,
  pipelineCommand,
  type ScriptContext,
  shQuote,
  statusPath,
} from "./scripts.ts";
export type { SlurmOptions, Submission } from "./slurm.ts";
export {
  checkSlurmFree,
  formatSubmitted,
  queue,
  sbatchDryRun,
  slurmOptions,
  type SlurmRequest,
  type SlurmSubmitted,
  submitSlurm,
  submittedIds,
} from "./submit.ts";
export {
  formatStatus,
  type JobState,
  type JobStatus,
  parseSqueue,
  parseStatusFile,
  type QueueEntry,
  readStatus,
  summarize,
} from "./status.ts";
export { rawBytes } from "./resources.ts";
export { type CommandResult, haveCommand, runCommand } from "./proc.ts";
export {
  checkLocalRun,
  describePlan,
  dryRunText,
  loadRunfile,
  type LocalOptions,
  type LocalRun,
  planRun,
  resetStatus,
  runDirOf,
  runDirStatus,
  runLocal,
  scriptContext,
  type Selection,
  selectJobs,
  statusRunDir,
  TOOLKIT_ROOT,
  writeRunDir,
} from "./run.ts";
export { appendLog, type OpenOutput, putFile, writeIfChanged } from "./output.ts";
