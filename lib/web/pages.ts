/**
 * The HTML of lmt_web: the index of obsnums, and an obsnum's page (the attempts side by side from
 * lib/report/attempts.ts, then the interactive plots, the manual flags and the re-run form made from the
 * pipeline's parameter table). The pages carry no token: their script reads it from the page's own
 * `?token=` and sends it as `X-LMT-Token`; scripts and styles come from this server (no CDN, no build step).
 *
 * @module
 */
import { esc } from "../report/html.ts";
import { PARAMS, type PipelineKind } from "../pipeline/params.ts";
import type { ObsEntry } from "./scan.ts";
import { kindOf } from "./scan.ts";

/**
 * Parameters not offered in the form: the obsnum itself and where things go are the page's, not the user's;
 * debug=1 is always given (progress).
 */
export const FORM_EXCLUDED: ReadonlySet<string> = new Set([
  "obsnum",
  "obsnums",
  "oid",
  "dir",
  "path",
  "work",
  "exist",
  "sleep",
  "debug", // lmt_web always passes debug=1: every step's command is streamed to the page
]);

const STYLE =
  `body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:1.2em;color:#222;background:#fafafa}
h1{font-size:1.35em} h2{font-size:1.15em;margin-top:1.4em}
table.list{border-collapse:collapse;font-size:.92em} table.list td,table.list th{border:1px solid #ccd;padding:.25em .6em}
table.list th{background:#eef;text-align:left}
.status-done{color:#176b17} .status-running{color:#a05a00;font-weight:bold} .status-incomplete{color:#888}
.plot{background:#fff;border:1px solid #ddd;padding:4px;margin:.4em 0}
.readout{font-family:DejaVu Sans Mono,monospace;min-height:1.3em;color:#124}
.ctl{margin:.3em 0} .ctl label{margin-right:1em}
table.cb{border-collapse:collapse} table.cb td,table.cb th{border:1px solid #bbc;padding:0;text-align:center}
table.cb button{width:4.6em;height:2.1em;border:0;cursor:pointer;font-size:.85em}
table.cb button.sel{outline:3px solid #1060d0;outline-offset:-3px}
table.cb button.flagged{background:#c33 !important;color:#fff}
.wf{display:flex;flex-wrap:wrap;gap:4px} .wf figure{margin:0;width:222px} .wf img{width:220px;border:1px solid #ddd}
.wf figcaption{font-size:.8em;color:#556}
form#rerun fieldset{border:1px solid #ccd;margin:.5em 0}
form#rerun .p{display:inline-block;width:23em;margin:.15em .4em;vertical-align:top;font-size:.88em}
form#rerun .p input{width:9em} form#rerun .p .h{display:block;color:#667;font-size:.85em}
form#rerun .p.changed input{background:#ffe08a}
pre#runlog{background:#111;color:#ddd;padding:.5em;max-height:18em;overflow:auto;font-size:.8em}
.msg{padding:.3em .6em;margin:.3em 0} .msg.err{background:#fdd;color:#800} .msg.ok{background:#dfd;color:#060}`;

function head(title: string, scripts: boolean): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
${STYLE}
</style>
${
    scripts
      ? `<script src="/static/vega.min.js"></script>
<script src="/static/vega-lite.min.js"></script>
<script src="/static/lmt_web.js" defer></script>`
      : ""
  }
</head>
`;
}

/** The index page: one row per obsnum or combination directory. */
export function indexPageHtml(work: string, entries: readonly ObsEntry[]): string {
  const rows = entries.map((e) => {
    const i = (k: string) => esc(e.info.get(k) ?? "");
    const kind = e.obsnums.length > 0 ? `combination of ${e.obsnums.length}` : "";
    return `<tr data-obs="${esc(e.id)}"><td><a class="obs" href="/obs/${encodeURIComponent(e.id)}">${
      esc(e.id)
    }</a>` +
      `${kind ? `<div class="small">${esc(kind)}</div>` : ""}</td><td>${esc(e.project || ".")}</td><td>${
        i("src")
      }</td>` +
      `<td>${i("instrument")}</td><td>${i("obspgm")}</td><td>${i("date_obs")}</td>` +
      `<td class="status-${e.status}">${e.status}</td><td>${esc(e.rms)}</td></tr>`;
  }).join("\n");
  return head("lmt_web: " + work, true) + `<body data-page="index">
<h1>LMT spectral-line reductions in ${esc(work)}</h1>
<p>${entries.length} obsnum${
    entries.length === 1 ? "" : "s"
  } and combinations. Open one to compare its attempts, read its
spectra, flag boards and run the pipeline again.</p>
<table class="list"><thead><tr><th>obsnum</th><th>project</th><th>source</th><th>instrument</th><th>mode</th><th>date</th>
<th>status</th><th>latest rms</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body>
</html>
`;
}

function formHtml(e: ObsEntry, kind: PipelineKind): string {
  const groups = new Map<string, string[]>();
  for (const s of PARAMS) {
    if (!s.pipelines.includes(kind) || s.unavailable || FORM_EXCLUDED.has(s.name)) continue;
    const cur = e.params.get(s.name) ?? s.default;
    const field =
      `<label class="p${cur !== s.default ? " changed" : ""}" title="${esc(s.help)}">${esc(s.name)}= ` +
      `<input name="${esc(s.name)}" value="${esc(cur)}" data-default="${esc(s.default)}" placeholder="${
        esc(s.default)
      }" ` +
      `spellcheck="false" autocomplete="off"><span class="h">${esc(s.help)}${
        s.default !== "" ? ` [default: ${esc(s.default)}]` : ""
      }</span></label>`;
    const list = groups.get(s.group) ?? [];
    list.push(field);
    groups.set(s.group, list);
  }
  const fs = [...groups].map(([g, f]) => `<fieldset><legend>${esc(g)}</legend>${f.join("\n")}</fieldset>`)
    .join("\n");
  return `<section id="rerun-section"><h2>Run again</h2>
<p>Values start from this obsnum's last run (<code>lmtoy_*.rc</code>); each is checked against its grammar by the server, and
only those that differ from the defaults are passed to <code>SLpipeline.sh</code>. A finished run with other parameters
becomes a new attempt column above.</p>
<form id="rerun">
${fs}
<button type="submit" id="run">Run SLpipeline.sh</button> <button type="button" id="reset-defaults">defaults</button>
</form>
<div id="runmsg"></div>
<pre id="runlog" hidden></pre>
</section>`;
}

/** The interactive part of an obsnum page (after the attempts). */
export function interactiveHtml(e: ObsEntry): string {
  const kind = kindOf(e);
  const rsr = kind === "rsr";
  const boards = rsr
    ? `<section id="boards-section"><h2>Chassis and boards</h2>
<p>Tsys jitter per chassis/board (colour; rsr_tsys) with the waterfalls of each chassis. Pick a chassis/board (a cell
below, or a board's line in the per-board spectra, then a chassis) and flag it: a <code>#BADCB</code> line is appended to
<code>rsr.${
      esc(e.id.split("__")[0]!)
    }.badlags</code>. Drag across the per-board spectra to blank a frequency range of the
picked board (<code>.blanking</code>, rsr_sum).</p>
<div id="cbgrid"></div>
<div class="ctl"><span id="cbsel" class="readout">no chassis/board picked</span>
<button type="button" id="flag-board" disabled>Flag chassis/board</button>
<button type="button" id="flag-range" disabled>Blank range of board</button></div>
<div id="flagmsg"></div>
<div id="waterfalls" class="wf"></div>
<div id="wfi-section" hidden><h3>Waterfall (interactive)</h3>
<div class="ctl"><label>chassis <select id="wfi-chassis"></select></label>
<button type="button" id="wfi-reset">reset zoom</button> <span class="small">each repeat (bottom: repeat 0) and the
average (top), offset by 6·s; wheel: zoom, drag: pan; click a board's line to pick it</span></div>
<div id="wfi" class="plot"></div>
<div id="wfi-readout" class="readout"></div></div>
<h3>Per-board spectra</h3>
<div id="bands" class="plot"></div>
<div id="bands-readout" class="readout"></div>
</section>`
    : `<section id="pixels-section"><h2>Pixels and channels</h2>
<p>Mean Tsys per pixel (SpecFile). Click a pixel to leave it out (<code>pix_list=-P,...</code>) or use it again; tick
<em>mark a channel range</em> and drag across the velocity spectrum above to blank its channels (<code>birdies=</code>,
channels from the SpecFile's spectral axis). The server checks the new values with the pipeline's grammar and puts them
into the form below: run again to apply them.</p>
<div id="pixgrid"></div>
<div class="ctl"><label><input type="checkbox" id="range-mode"> mark a channel range on the spectrum (instead of panning)</label>
<span id="seqrange" class="readout">no range marked</span>
<button type="button" id="flag-channels" disabled>Blank these channels (birdies=)</button></div>
<div id="flagmsg"></div></section>`;
  return `<section id="interactive"><h2>Spectra</h2>
<div class="ctl"><label>spectrum <select id="specfile"></select></label>
<label>x axis <select id="xaxis"><option value="x">native</option><option value="v">velocity (km/s)</option></select></label>
<label>rest frequency (GHz) <input id="restfreq" size="10"></label>
<button type="button" id="zoom-reset">reset zoom</button> <span class="small">wheel: zoom, drag: pan</span></div>
<div id="spectrum" class="plot"></div>
<div id="readout" class="readout"></div>
</section>
${boards}
${formHtml(e, kind)}`;
}

/** The obsnum page: the attempts page (given) with the interactive part added. */
export function obsPageHtml(e: ObsEntry, attemptsHtml: string): string {
  const kind = kindOf(e);
  const nav = `<p><a href="/" id="home">all obsnums</a> · ${esc(e.info.get("src") ?? "")} · ${
    esc(e.info.get("instrument") ?? "")
  } ${esc(e.info.get("obspgm") ?? "")} · ${esc(e.info.get("date_obs") ?? "")} · <a href="/files/${
    encodeURIComponent(e.id)
  }/index.html">summary page of the latest run</a></p>`;
  const body = attemptsHtml.match(/<body[^>]*>([\s\S]*)<\/body>/i)?.[1] ?? attemptsHtml;
  const styles = [...attemptsHtml.matchAll(/<style>([\s\S]*?)<\/style>/gi)].map((m) => m[1]).join("\n");
  return head(`${e.id}: lmt_web`, true).replace("</head>", `<style>${styles}</style>\n</head>`) +
    `<body data-page="obs" data-obs="${esc(e.id)}" data-kind="${kind}">
<h1>${esc(e.id)} <span class="small">${esc(e.project)}</span></h1>
${nav}
<div id="attempts-wrap">
${body}
</div>
${interactiveHtml(e)}
</body>
</html>
`;
}
