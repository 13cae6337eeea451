/**
 * Attempts of an obsnum ("load and go"): every finished run whose parameters differ from the previous run's
 * is kept as `OBSNUM/attempts/N/` (lib/pipeline/attempts.ts writes them). This module reads them back and
 * renders them side by side: one column per attempt, one row per key number, parameter and plot, with the
 * parameters that differ from the first attempt marked `class="changed"` and each attempt's products
 * offered for download. Pure: it returns values and HTML text, it prints and writes nothing.
 *
 * Links are relative to the obsnum directory (so the obsnum's index.html works from file://), or start
 * with `linkBase` (e.g. `/files/2024-S1-SIM-1/91001/` under a server).
 *
 * @module
 */
import { HOW_PARAMS } from "../pipeline/params.ts";
import { existsSync, readdirSync, readFileSync, statSync } from "../sys/fs.ts";
import { join, resolve } from "../sys/path.ts";
import { describeFile } from "./files.ts";
import { esc } from "./html.ts";

/** The directory of the attempts inside an obsnum directory. */
export const ATTEMPTS_DIR = "attempts";
/** The parameter set of an attempt, inside its directory. */
export const PARAMS_FILE = "params.json";
/** Suffix of the small file that stands for a large product when it could not be hard-linked. */
export const REF_SUFFIX = ".ref";

/**
 * Parameters that say how a run is done, not what it computes: never compared between attempts, not shown
 * as rows (debug, error, restart, exist, path, work, sleep, nproc, keep).
 */
export const RUN_PARAMS: ReadonlySet<string> = HOW_PARAMS;

/** One kept run. */
export interface Attempt {
  /** 1, 2, ... (never reused: pruned attempts leave gaps). */
  n: number;
  /** The attempt's directory (absolute): OBSNUM/attempts/N. */
  dir: string;
  /** When it was kept (ISO 8601, UTC). */
  date: string;
  /** The run's pipeline parameters (every parameter of the pipeline, defaults included). */
  params: Record<string, string>;
  /** File names in the attempt's directory, sorted. */
  products: string[];
  /** The key numbers of its summary page (label → value as shown: "rms driver" → "0.801 mK"). */
  keyNumbers: Record<string, string>;
}

/** What params.json holds. */
export interface AttemptRecord {
  attempt: number;
  date: string;
  /** The obsnum (or FIRST_LAST) the run reduced. */
  label: string;
  params: Record<string, string>;
}

/** params.json text of an attempt. */
export function stringifyAttemptRecord(r: AttemptRecord): string {
  return JSON.stringify(r, null, 2) + "\n";
}

/** The record of params.json, or null when it is missing or not one. */
export function parseAttemptRecord(text: string): AttemptRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.params !== "object" || o.params === null) return null;
  const params: Record<string, string> = {};
  for (const [k, x] of Object.entries(o.params as Record<string, unknown>)) {
    if (typeof x === "string") params[k] = x;
  }
  return {
    attempt: typeof o.attempt === "number" ? o.attempt : 0,
    date: typeof o.date === "string" ? o.date : "",
    label: typeof o.label === "string" ? o.label : "",
    params,
  };
}

/** The parameters (other than {@link RUN_PARAMS}) whose values differ between `a` and `b`, in `b`'s order. */
export function differingParams(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => !RUN_PARAMS.has(k) && (a[k] ?? "") !== (b[k] ?? ""));
}

const unesc = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(
    /&amp;/g,
    "&",
  );

/** The key numbers of a summary page (lib/report/html.ts: `<div class="k">K</div><div class="v">V</div>`). */
export function keyNumbersOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<div class="k">([^<]*)<\/div><div class="v">([^<]*)<\/div>/g)) {
    const k = unesc(m[1]!);
    if (!(k in out)) out[k] = unesc(m[2]!);
  }
  return out;
}

/** The images of a summary page in page order, with their captions. */
function imagesOf(html: string): { src: string; caption: string }[] {
  const out: { src: string; caption: string }[] = [];
  for (const m of html.matchAll(/<img src="([^"]*)" alt="([^"]*)"/g)) {
    out.push({ src: unesc(m[1]!), caption: unesc(m[2]!) });
  }
  return out;
}

const BEGIN = "<!-- attempts -->";
const END = "<!-- /attempts -->";

/** A summary page without its attempts blocks (what an attempt keeps as its own index.html). */
export function withoutAttemptsSection(html: string): string {
  let out = html;
  for (;;) {
    const i = out.indexOf(BEGIN), j = out.indexOf(END, i + BEGIN.length);
    if (i < 0 || j < 0) return out;
    out = out.slice(0, i) + out.slice(j + END.length).replace(/^\n/, "");
  }
}

/**
 * A summary page with `section` (from {@link attemptsSectionHtml}) before its footer and a link to it before
 * the page's first section, replacing older ones ("" removes them).
 */
export function withAttemptsSection(html: string, section: string): string {
  const page = withoutAttemptsSection(html);
  if (section === "") return page;
  const n = (section.match(/<th data-attempt="/g) ?? []).length;
  const link = `${BEGIN}\n<p class="attempts-link"><a href="#attempts">${n} attempt${n === 1 ? "" : "s"} ` +
    `side by side</a> (runs with different parameters, below)</p>\n${END}\n`;
  const block = `${BEGIN}\n${section}\n${END}\n`;
  let out = page;
  const f = ["<footer", "</body>"].map((m) => out.lastIndexOf(m)).find((k) => k >= 0);
  out = f === undefined ? out + block : out.slice(0, f) + block + out.slice(f);
  const s = page.indexOf("<section");
  if (s >= 0) out = out.slice(0, s) + link + out.slice(s);
  return out;
}

function isoOf(ms: number | null): string {
  return ms === null || !Number.isFinite(ms) ? "" : new Date(ms).toISOString();
}

/** The attempts kept in `obsDir`, oldest first (an obsnum without attempts: []). */
export function listAttempts(obsDir: string): Attempt[] {
  const root = join(resolve(obsDir), ATTEMPTS_DIR);
  if (!existsSync(root)) return [];
  const out: Attempt[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^[1-9][0-9]{0,8}$/.test(name)) continue;
    const dir = join(root, name);
    let st;
    try {
      st = statSync(dir);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const products = readdirSync(dir).filter((f) => !f.startsWith(".")).sort();
    const pf = join(dir, PARAMS_FILE);
    const rec = existsSync(pf) ? parseAttemptRecord(readFileSync(pf, "utf8")) : null;
    const idx = join(dir, "index.html");
    out.push({
      n: Number(name),
      dir,
      date: rec?.date || isoOf(st.mtimeMs),
      params: rec?.params ?? {},
      products,
      keyNumbers: existsSync(idx) ? keyNumbersOf(readFileSync(idx, "utf8")) : {},
    });
  }
  return out.sort((a, b) => a.n - b.n);
}

/** The products offered for download, by kind, in this order. */
const DOWNLOADS: [string, RegExp][] = [
  ["spectrum", /(\.sum\.txt|__\d+\.txt|_bandspec\.txt|\.viewspec.*\.txt)$/],
  ["FITS", /\.fits$/],
  ["SpecFile", /\.nc$/],
  ["SDFITS", /\.sdfits$/],
  ["flags", /\.(badlags|rfile|blanking|badcb)$/],
  ["parameters", /^(lmtoy_.*\.rc|params\.json)$/],
];

function href(base: string, n: number, file: string): string {
  return `${base}${ATTEMPTS_DIR}/${n}/${encodeURIComponent(file)}`;
}

function fmtDate(iso: string): string {
  return iso === "" ? "?" : iso.slice(0, 19).replace("T", " ") + " UTC";
}

const STYLE = `.attempts{overflow-x:auto}
.attempts table{border-collapse:collapse;font-size:.9em}
.attempts td,.attempts th{border:1px solid #ccd;padding:.25em .5em;vertical-align:top;text-align:left}
.attempts th{background:#eef} .attempts th.row{background:#f4f4fa;font-weight:normal;color:#445;white-space:nowrap}
.attempts td.changed{background:#ffe08a;font-weight:bold}
.attempts th.latest{background:#d8f0d8}
.attempts td.plot img{max-width:380px;border:1px solid #ddd}
.attempts tr.group th{background:#dde;text-align:left}
.attempts .dl a{display:block;white-space:nowrap}
.attempts .small{font-size:.8em;color:#667}`;

/**
 * The attempts of `obsDir` side by side as an HTML fragment (a `<section>` with its own style), "" when
 * there are none. Every cell of an attempt's column carries `data-attempt="N"`.
 */
export function attemptsSectionHtml(obsDir: string, label: string, opts: { linkBase?: string } = {}): string {
  const list = listAttempts(obsDir);
  if (list.length === 0) return "";
  const base = opts.linkBase ?? "";
  const first = list[0]!;
  const da = (a: Attempt) => `data-attempt="${a.n}"`;
  const rows: string[] = [];
  const group = (title: string) =>
    rows.push(`<tr class="group"><th colspan="${list.length + 1}">${esc(title)}</th></tr>`);

  // header: attempt number, date, what differs from the first, links to its own page and files
  const head = list.map((a, i) => {
    const latest = i === list.length - 1;
    const diff = differingParams(first.params, a.params);
    const page = a.products.includes("index.html")
      ? `<a href="${esc(href(base, a.n, "index.html"))}">summary page</a>`
      : "";
    return `<th ${da(a)}${latest ? ' class="latest"' : ""}>attempt ${a.n}${latest ? " (latest)" : ""}` +
      `<div class="small">${esc(fmtDate(a.date))}</div>` +
      `<div class="small">${
        i === 0
          ? "first"
          : diff.length
          ? esc(diff.map((k) => `${k}=${a.params[k] ?? ""}`).join(" "))
          : "same parameters"
      }</div>` +
      `<div class="small">${page}</div></th>`;
  });
  rows.push(`<tr><th class="row"></th>${head.join("")}</tr>`);

  // key numbers
  const keys: string[] = [];
  for (const a of list) for (const k of Object.keys(a.keyNumbers)) if (!keys.includes(k)) keys.push(k);
  if (keys.length) {
    group("key numbers");
    for (const k of keys) {
      rows.push(
        `<tr><th class="row">${esc(k)}</th>${
          list.map((a) => `<td ${da(a)}>${esc(a.keyNumbers[k] ?? "—")}</td>`).join("")
        }</tr>`,
      );
    }
  }

  // parameters: those that differ somewhere, then the others folded
  const pkeys: string[] = [];
  for (const a of list) {
    for (const k of Object.keys(a.params)) if (!pkeys.includes(k) && !RUN_PARAMS.has(k)) pkeys.push(k);
  }
  const varying = pkeys.filter((k) => list.some((a) => (a.params[k] ?? "") !== (first.params[k] ?? "")));
  const same = pkeys.filter((k) => !varying.includes(k));
  group("parameters (highlighted: differs from attempt " + first.n + ")");
  for (const k of varying) {
    rows.push(
      `<tr><th class="row">${esc(k)}</th>${
        list.map((a) => {
          const v = a.params[k] ?? "";
          const changed = v !== (first.params[k] ?? "");
          return `<td ${da(a)}${changed ? ' class="changed"' : ""}>${esc(v === "" ? "(unset)" : v)}</td>`;
        }).join("")
      }</tr>`,
    );
  }
  if (same.length) {
    const text = same.map((k) => `${k}=${first.params[k] ?? ""}`).join(" ");
    rows.push(
      `<tr><th class="row">same in all</th><td colspan="${list.length}"><details><summary>${same.length} parameters</summary>` +
        `<code>${esc(text)}</code></details></td></tr>`,
    );
  }

  // downloads
  group("downloads");
  rows.push(
    `<tr><th class="row">products</th>${
      list.map((a) => {
        const links: string[] = [];
        for (const [kind, re] of DOWNLOADS) {
          for (const f of a.products) {
            const real = f.endsWith(REF_SUFFIX) ? f.slice(0, -REF_SUFFIX.length) : f;
            if (!re.test(real)) continue;
            const note = f.endsWith(REF_SUFFIX) ? " (reference)" : "";
            links.push(
              `<a href="${esc(href(base, a.n, f))}" title="${esc(describeFile(real))}">${esc(kind)}: ${
                esc(f)
              }${note}</a>`,
            );
          }
        }
        return `<td ${da(a)} class="dl">${links.join("") || "—"}</td>`;
      }).join("")
    }</tr>`,
  );

  // plots: in the order of the summary pages, then the others by name
  const plots: { src: string; caption: string }[] = [];
  for (const a of list) {
    const idx = join(a.dir, "index.html");
    if (!existsSync(idx)) continue;
    for (const im of imagesOf(readFileSync(idx, "utf8"))) {
      if (!plots.some((p) => p.src === im.src)) plots.push(im);
    }
  }
  for (const a of list) {
    for (const f of a.products) {
      if (f.endsWith(".png") && !plots.some((p) => p.src === f)) {
        plots.push({ src: f, caption: describeFile(f) });
      }
    }
  }
  if (plots.length) {
    group("plots");
    for (const p of plots) {
      rows.push(
        `<tr><th class="row">${esc(p.src)}<div class="small">${esc(p.caption)}</div></th>${
          list.map((a) => {
            if (!a.products.includes(p.src)) return `<td ${da(a)} class="plot">—</td>`;
            const h = esc(href(base, a.n, p.src));
            return `<td ${da(a)} class="plot"><a href="${h}"><img src="${h}" alt="${
              esc(p.caption)
            } (attempt ${a.n})" loading="lazy"></a></td>`;
          }).join("")
        }</tr>`,
      );
    }
  }

  return `<style>\n${STYLE}\n</style>\n<section class="attempts" id="attempts"><h2>Attempts of ${
    esc(label)
  }</h2>` +
    `<p>Each run with different parameters is kept in <a href="${
      esc(base + ATTEMPTS_DIR + "/")
    }">${ATTEMPTS_DIR}/</a>N ` +
    `(plots, text products, logs; large products hard-linked). The directory itself holds the latest run.</p>\n` +
    `<table>\n${rows.join("\n")}\n</table></section>`;
}

/** The attempts of `obsDir` side by side as a complete HTML page (see {@link attemptsSectionHtml}). */
export function attemptsPageHtml(obsDir: string, label: string, opts: { linkBase?: string } = {}): string {
  const section = attemptsSectionHtml(obsDir, label, opts) ||
    `<section class="attempts"><h2>Attempts of ${esc(label)}</h2><p>No attempts kept yet.</p></section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Attempts of ${esc(label)}</title>
<style>body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h2{font-size:1.15em}</style>
</head>
<body>
${section}
</body>
</html>
`;
}
