/**
 * Command-line parsing driven by one option table per tool.
 *
 * Accepted forms: `--name value`, `--name=value`, `-x value`, `-xVALUE`, clustered boolean short
 * options (`-dp`), unique prefixes of long names (as argparse and docopt allow), values that start
 * with `-` (`--block -1`, `-z -4`), `nargs` lists (`--exclude 94.3 0.6 106.4 0.4`), and `--` to end
 * the options. Unknown options raise a {@link UsageError} with a "did you mean" suggestion.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { didYouMean } from "../formats/suggest.ts";

// "did you mean" lives in lib/formats/suggest.ts (lib/runfile uses it too); re-exported for importers of lib/cli
export { didYouMean, editDistance } from "../formats/suggest.ts";

/** Value types an option can take. */
export type OptionType = "boolean" | "string" | "int" | "float" | "intlist" | "floatlist" | "count";

/** One option of a tool. */
export interface OptionSpec {
  /** Long name as in the original tool, without dashes (e.g. "pix_list", "bc_hi", "no-baseline-sub"). */
  name: string;
  /** Single-character short name (e.g. "p", "0", "B"). */
  short?: string;
  /** Other long names accepted for the same option (e.g. "l_region" for "l_regions"). */
  aliases?: readonly string[];
  type: OptionType;
  /** Default value (after parsing). Shown by --help. */
  default?: unknown;
  /** Environment variable providing the default (e.g. "DATA_LMT"). */
  env?: string;
  help: string;
  /** Name of the value in --help (default: upper-case name). */
  metavar?: string;
  /** What --help shows as the default when there is no `default` because it is decided at run time. */
  defaultHelp?: string;
  /** Number of values: a fixed count, or "+" for one or more (collected until the next option). */
  nargs?: number | "+";
  /** Allowed values (after parsing). */
  choices?: readonly (string | number)[];
  /** Inclusive numeric bounds, checked on each number. */
  min?: number;
  max?: number;
  /** Custom parser of the raw string (throw an Error with a short reason to reject it). */
  parse?: (raw: string) => unknown;
  /** Repeatable: values of each occurrence are collected in an array. */
  repeat?: boolean;
  /** Option is required. */
  required?: boolean;
  /** Hide from --help (compatibility aliases that do nothing). */
  hidden?: boolean;
}

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
  /** Collect all remaining positionals (string[]). */
  variadic?: boolean;
  type?: "string" | "int" | "float";
  default?: unknown;
}

/**
 * Parsed values by option/positional name, untyped (what {@link parseArgs} builds). A tool declared with
 * `defineTool` receives them as {@link Args}, typed from its option table.
 */
export type ParsedValues = Record<string, unknown>;

/** The value one option yields (before its presence is considered): from `parse`, `choices`, `type`, `nargs`, `repeat`. */
export type OptionValue<O extends OptionSpec> = O extends { repeat: true } ? OptionItem<O>[] : OptionItem<O>;

/** The value of one occurrence of an option. */
type OptionItem<O extends OptionSpec> = O extends { nargs: number | "+" } ? OptionScalar<O>[]
  : OptionScalar<O>;

/** The value of one converted string of an option. */
type OptionScalar<O extends OptionSpec> = O extends { parse: (raw: string) => infer R } ? R
  : O["type"] extends "boolean" ? boolean
  : O["type"] extends "count" ? number
  : O extends { choices: readonly (infer C)[] } ? C
  : O["type"] extends "int" | "float" ? number
  : O["type"] extends "intlist" | "floatlist" ? number[]
  : string;

/** Whether an option always has a value after parsing (boolean/count, a default, or required). */
type OptionAlwaysSet<O extends OptionSpec> = O["type"] extends "boolean" | "count" ? true
  : O extends { default: infer D } ? (D extends undefined ? false : true)
  : O extends { required: true } ? true
  : false;

/** The value of one positional argument. */
type PositionalValue<P extends PositionalSpec> = P extends { variadic: true } ? PositionalScalar<P>[]
  : P extends { required: true } ? PositionalScalar<P>
  : P extends { default: infer D }
    ? (D extends undefined ? PositionalScalar<P> | undefined : PositionalScalar<P>)
  : PositionalScalar<P> | undefined;

type PositionalScalar<P extends PositionalSpec> = P extends { type: "int" | "float" } ? number : string;

/** Flatten an intersection for readable hover types. */
type Simplify<T> = { [K in keyof T]: T[K] };

/**
 * The typed values of a tool's command line, inferred from its option table `O` and positionals `P`
 * (declared inline in `defineTool`, or `as const`): `opts.bank` is `number` for
 * `{ name: "bank", type: "int", default: 0 }`, `number | undefined` without a default, `boolean` for
 * a boolean, the union of the literals of `choices`, `string[]` for a variadic positional, what
 * `parse` returns, and a misspelled name is a compile error. A table typed only as `OptionSpec[]`
 * gives {@link ParsedValues} (unknown values).
 */
export type Args<O extends readonly OptionSpec[], P extends readonly PositionalSpec[] = []> = string extends
  O[number]["name"] | P[number]["name"] ? ParsedValues
  : Simplify<
    & {
      readonly [E in O[number] as E["name"]]: OptionAlwaysSet<E> extends true ? OptionValue<E>
        : OptionValue<E> | undefined;
    }
    & { readonly [E in P[number] as E["name"]]: PositionalValue<E> }
  >;

/** Result of parsing a command line. */
export interface ParseResult {
  values: ParsedValues;
  help: boolean;
  version: boolean;
  debug: boolean;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function looksLikeNumber(s: string): boolean {
  return NUMBER_RE.test(s) || /^[+-]?(nan|inf|infinity)$/i.test(s);
}

function parseNumber(raw: string, int: boolean, what: string): number {
  const s = raw.trim();
  if (int) {
    if (!/^[+-]?\d+$/.test(s)) throw new UsageError(`${what}: expected an integer, got '${raw}'`);
    return Number.parseInt(s, 10);
  }
  if (!looksLikeNumber(s)) throw new UsageError(`${what}: expected a number, got '${raw}'`);
  const low = s.toLowerCase().replace(/^\+/, "");
  if (low === "nan") return NaN;
  if (low === "inf" || low === "infinity") return Infinity;
  if (low === "-inf" || low === "-infinity") return -Infinity;
  return Number(s);
}

function parseList(raw: string, int: boolean, what: string): number[] {
  let s = raw.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.trim() === "") return [];
  return s.split(",").map((part, i) => {
    const p = part.trim();
    if (p === "") throw new UsageError(`${what}: empty element ${i + 1} in '${raw}'`);
    try {
      return parseNumber(p, int, what);
    } catch {
      throw new UsageError(
        `${what}: element ${i + 1} '${p}' of '${raw}' is not ${int ? "an integer" : "a number"}`,
      );
    }
  });
}

/**
 * A `parse` function for options that take exactly `n` comma-separated numbers (e.g. `--line F,PEAK,FWHM`);
 * `what` names the expected form in the error message.
 */
export function numberTuple(n: 2, what: string): (raw: string) => [number, number];
export function numberTuple(n: 3, what: string): (raw: string) => [number, number, number];
export function numberTuple(n: 4, what: string): (raw: string) => [number, number, number, number];
export function numberTuple(
  n: 8,
  what: string,
): (raw: string) => [number, number, number, number, number, number, number, number];
export function numberTuple(n: number, what: string): (raw: string) => number[];
// (overloads, not a generic: a generic call inside an option table would stop defineTool inferring it)
export function numberTuple(n: number, what: string): (raw: string) => number[] {
  return (raw: string) => {
    const v = raw.split(",").map((x) => Number(x.trim()));
    if (v.length !== n || v.some((x) => !Number.isFinite(x))) {
      throw new Error(`${what} needs ${n} comma-separated numbers`);
    }
    return v;
  };
}

/** Display name of an option for messages: `--name` (or `-x` when it has no long name). */
export function optionLabel(o: OptionSpec): string {
  return o.name.length === 1 && o.short === o.name ? `-${o.name}` : `--${o.name}`;
}

function convert(o: OptionSpec, raw: string): unknown {
  const what = `option ${optionLabel(o)}`;
  let v: unknown;
  if (o.parse) {
    try {
      v = o.parse(raw);
    } catch (e) {
      throw new UsageError(`${what}: ${e instanceof Error ? e.message : String(e)} (got '${raw}')`);
    }
  } else {
    switch (o.type) {
      case "int":
        v = parseNumber(raw, true, what);
        break;
      case "float":
        v = parseNumber(raw, false, what);
        break;
      case "intlist":
        v = parseList(raw, true, what);
        break;
      case "floatlist":
        v = parseList(raw, false, what);
        break;
      default:
        v = raw;
    }
  }
  checkValue(o, v, what);
  return v;
}

function checkValue(o: OptionSpec, v: unknown, what: string): void {
  const nums = typeof v === "number"
    ? [v]
    : Array.isArray(v) && v.every((x) => typeof x === "number")
    ? v
    : [];
  for (const n of nums as number[]) {
    if (o.min !== undefined && n < o.min) throw new UsageError(`${what}: ${n} is below the minimum ${o.min}`);
    if (o.max !== undefined && n > o.max) throw new UsageError(`${what}: ${n} is above the maximum ${o.max}`);
  }
  if (o.choices && (typeof v === "number" || typeof v === "string") && !o.choices.includes(v)) {
    throw new UsageError(`${what}: '${v}' is not one of ${o.choices.join(", ")}`);
  }
}

/**
 * Parse `argv` against the option table and positionals.
 * Throws {@link UsageError} on any problem.
 */
export function parseArgs(
  argv: string[],
  options: readonly OptionSpec[],
  positionals: readonly PositionalSpec[],
  env: Record<string, string | undefined> = {},
): ParseResult {
  const values: ParsedValues = {};
  const seen = new Set<string>();
  const pos: string[] = [];
  let help = false;
  let version = false;
  let debug = false;

  const byLong = new Map<string, OptionSpec>();
  for (const o of options) {
    byLong.set(o.name, o);
    for (const a of o.aliases ?? []) byLong.set(a, o);
  }
  const byShort = new Map<string, OptionSpec>();
  for (const o of options) if (o.short) byShort.set(o.short, o);
  const hasOwn = (n: string) => byLong.has(n);
  const ownShort = (c: string) => byShort.has(c);

  const lookupLong = (name: string): OptionSpec | "help" | "version" | "debug" => {
    const exact = byLong.get(name);
    if (exact) return exact;
    if (name === "help" && !hasOwn("help")) return "help";
    if (name === "version" && !hasOwn("version")) return "version";
    if (name === "debug" && !hasOwn("debug")) return "debug";
    const candidates = [...byLong.keys()].filter((k) => k.startsWith(name));
    const targets = new Set(candidates.map((k) => byLong.get(k)!));
    if (name.length >= 2 && targets.size === 1) return [...targets][0]!;
    if (targets.size > 1) {
      throw new UsageError(
        `ambiguous option --${name} (could be ${candidates.map((c) => "--" + c).join(", ")})`,
      );
    }
    const all = [...byLong.keys(), "help", "version"];
    const guess = didYouMean(name, all);
    throw new UsageError(`unknown option --${name}${guess ? ` (did you mean --${guess}?)` : ""}`);
  };

  const store = (o: OptionSpec, v: unknown) => {
    if (o.repeat) {
      const arr = (values[o.name] as unknown[] | undefined) ?? [];
      arr.push(v);
      values[o.name] = arr;
    } else {
      values[o.name] = v;
    }
    seen.add(o.name);
  };

  const takeValues = (o: OptionSpec, label: string, inline: string | undefined, i: number): number => {
    // returns the new index (last consumed)
    if (o.nargs === undefined) {
      if (inline !== undefined) {
        store(o, convert(o, inline));
        return i;
      }
      if (i + 1 >= argv.length) throw new UsageError(`option ${label} needs a value`);
      store(o, convert(o, argv[i + 1]!));
      return i + 1;
    }
    const raws: string[] = [];
    if (inline !== undefined) raws.push(inline);
    let j = i;
    if (o.nargs === "+") {
      while (j + 1 < argv.length) {
        const next = argv[j + 1]!;
        if (next.startsWith("-") && next !== "-" && !looksLikeNumber(next)) break;
        raws.push(next);
        j++;
      }
      if (raws.length === 0) throw new UsageError(`option ${label} needs at least one value`);
    } else {
      while (raws.length < o.nargs) {
        if (j + 1 >= argv.length) {
          throw new UsageError(`option ${label} needs ${o.nargs} values, got ${raws.length}`);
        }
        raws.push(argv[++j]!);
      }
    }
    store(o, raws.map((r) => convert(o, r)));
    return j;
  };

  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (
      onlyPositionals || arg === "-" || !arg.startsWith("-") || (looksLikeNumber(arg) && !ownShort(arg[1]!))
    ) {
      pos.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      const o = lookupLong(name);
      if (o === "help") help = true;
      else if (o === "version") version = true;
      else if (o === "debug") debug = true;
      else if (o.type === "boolean" || o.type === "count") {
        if (inline !== undefined) throw new UsageError(`option --${o.name} takes no value`);
        store(o, o.type === "count" ? ((values[o.name] as number | undefined) ?? 0) + 1 : true);
      } else {
        i = takeValues(o, `--${o.name}`, inline, i);
      }
      continue;
    }
    // short option(s)
    for (let k = 1; k < arg.length; k++) {
      const c = arg[k]!;
      const o = byShort.get(c);
      if (!o) {
        if (c === "h" && !ownShort("h")) {
          help = true;
          continue;
        }
        const guess = didYouMean(arg.slice(1), [...byLong.keys()]);
        const shorts = [...byShort.keys()].map((s) => "-" + s).join(" ");
        throw new UsageError(
          `unknown option -${c}` +
            (guess && arg.length > 2
              ? ` (did you mean --${guess}?)`
              : shorts
              ? ` (short options: ${shorts})`
              : ""),
        );
      }
      if (o.type === "boolean" || o.type === "count") {
        store(o, o.type === "count" ? ((values[o.name] as number | undefined) ?? 0) + 1 : true);
        continue;
      }
      const rest = arg.slice(k + 1);
      i = takeValues(o, `-${c}`, rest === "" ? undefined : rest.replace(/^=/, ""), i);
      break;
    }
  }

  // defaults
  for (const o of options) {
    if (seen.has(o.name)) continue;
    if (o.env && env[o.env] !== undefined && env[o.env] !== "") {
      values[o.name] = convert(o, env[o.env]!);
    } else if (
      typeof o.default === "string" &&
      (o.parse !== undefined || (o.type !== "string" && o.type !== "boolean"))
    ) {
      // a default written as command-line text goes through the same conversion as a typed value
      values[o.name] = convert(o, o.default);
    } else if (o.default !== undefined) {
      values[o.name] = Array.isArray(o.default) ? [...o.default] : o.default;
    } else if (o.type === "boolean") {
      values[o.name] = false;
    } else if (o.type === "count") {
      values[o.name] = 0;
    }
  }

  if (help || version) return { values, help, version, debug };

  for (const o of options) {
    if (o.required && !seen.has(o.name) && values[o.name] === undefined) {
      throw new UsageError(`option ${optionLabel(o)} is required`);
    }
  }

  // positionals
  let pi = 0;
  for (const p of positionals) {
    if (p.variadic) {
      const rest = pos.slice(pi).map((r) => convertPositional(p, r));
      if (p.required && rest.length === 0) throw new UsageError(`missing argument ${p.name.toUpperCase()}`);
      values[p.name] = rest;
      pi = pos.length;
      continue;
    }
    if (pi < pos.length) {
      values[p.name] = convertPositional(p, pos[pi++]!);
    } else if (p.required) {
      throw new UsageError(`missing argument ${p.name.toUpperCase()}`);
    } else {
      values[p.name] = p.default;
    }
  }
  if (pi < pos.length) {
    throw new UsageError(`unexpected argument '${pos[pi]}'`);
  }
  return { values, help, version, debug };
}

function convertPositional(p: PositionalSpec, raw: string): unknown {
  const what = `argument ${p.name.toUpperCase()}`;
  if (p.type === "int") return parseNumber(raw, true, what);
  if (p.type === "float") return parseNumber(raw, false, what);
  return raw;
}

function showDefault(o: OptionSpec): string {
  if (o.env) {
    return o.default !== undefined ? `[default: $${o.env} or ${fmtVal(o.default)}]` : `[default: $${o.env}]`;
  }
  if (o.required) return "(required)";
  if (o.type === "boolean") return "[default: off]";
  if (o.default === undefined) return `[default: ${o.defaultHelp ?? "none"}]`;
  return `[default: ${fmtVal(o.default)}]`;
}

function fmtVal(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "empty" : v.join(",");
  if (typeof v === "string") return v === "" ? '""' : v;
  return String(v);
}

/** Render the --help text for a tool. */
export function formatHelp(spec: {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: readonly OptionSpec[];
  positionals?: readonly PositionalSpec[];
  examples?: readonly string[];
}): string {
  const lines: string[] = [];
  lines.push(`${spec.name} - ${spec.summary}`, "", "Usage:");
  for (const u of spec.usage.split("\n")) lines.push(`  ${u}`);
  if (spec.description) lines.push("", ...spec.description.split("\n"));
  if (spec.positionals && spec.positionals.length > 0) {
    lines.push("", "Arguments:");
    for (const p of spec.positionals) {
      lines.push(`  ${(p.name.toUpperCase() + (p.variadic ? "..." : "")).padEnd(24)} ${p.help}`);
    }
  }
  lines.push("", "Options:");
  const rows: [string, string][] = [];
  for (const o of spec.options) {
    if (o.hidden) continue;
    const mv = o.type === "boolean" || o.type === "count"
      ? ""
      : " " + (o.metavar ?? o.name.toUpperCase()) + (o.nargs === "+" ? " ..." : "");
    const names = [o.short ? `-${o.short}` : "", o.name.length > 1 || !o.short ? `--${o.name}` : ""]
      .filter((s) => s !== "").join(", ");
    const alias = o.aliases && o.aliases.length
      ? ` (alias ${o.aliases.map((a) => "--" + a).join(", ")})`
      : "";
    rows.push([`${names}${mv}`, `${o.help}${alias} ${showDefault(o)}`]);
  }
  rows.push(["-h, --help", "show this help and exit"]);
  rows.push(["--version", "show the version and exit"]);
  if (!spec.options.some((o) => o.name === "debug")) rows.push(["--debug", "show stack traces on errors"]);
  const w = Math.min(30, Math.max(...rows.map((r) => r[0].length)) + 2);
  for (const [a, b] of rows) {
    if (a.length + 2 > w) lines.push(`  ${a}`, `  ${"".padEnd(w)}${b}`);
    else lines.push(`  ${a.padEnd(w)}${b}`);
  }
  if (spec.examples && spec.examples.length > 0) {
    lines.push("", "Examples:");
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return lines.join("\n") + "\n";
}
