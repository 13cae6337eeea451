/**
 * A static, self-contained summary page (index.html) for an obsnum directory: key numbers, tables and
 * plots referenced by relative paths, so it opens in a browser straight from the file system.
 * @module
 */

/** A table: header row and body rows (already formatted). */
export interface Table {
  head: string[];
  rows: string[][];
}

/** One section of the page. */
export interface Section {
  title: string;
  text?: string;
  table?: Table;
  images?: { src: string; caption: string }[];
}

/** The page. */
export interface Page {
  title: string;
  subtitle?: string;
  /** Key numbers shown at the top as label/value pairs. */
  numbers: [string, string][];
  sections: Section[];
  footer?: string;
}

/** Escape text for HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function table(t: Table): string {
  return `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("") +
    "</tbody></table>";
}

/** Render the page as a complete HTML document. */
export function renderPage(p: Page): string {
  const nums = p.numbers.map(([k, v]) =>
    `<div class="num"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`
  )
    .join("\n");
  const secs = p.sections.map((s) => {
    const imgs = (s.images ?? []).map((i) =>
      `<figure><a href="${esc(i.src)}"><img src="${esc(i.src)}" alt="${esc(i.caption)}"></a><figcaption>${
        esc(i.caption)
      }</figcaption></figure>`
    ).join("\n");
    return `<section><h2>${esc(s.title)}</h2>${s.text ? `<p>${esc(s.text)}</p>` : ""}${
      s.table ? table(s.table) : ""
    }` +
      `${imgs ? `<div class="figs">${imgs}</div>` : ""}</section>`;
  }).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(p.title)}</title>
<style>
body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{margin:0 0 .2em 0;font-size:1.6em} .sub{color:#555;margin-bottom:1em}
.nums{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}
.num{background:#fff;border:1px solid #ccd;border-radius:6px;padding:.5em .8em;min-width:8em}
.num .k{font-size:.8em;color:#667} .num .v{font-size:1.15em;font-weight:bold}
section{background:#fff;border:1px solid #dde;border-radius:6px;padding:.8em 1em;margin:1em 0}
h2{font-size:1.15em;margin:.2em 0 .6em 0}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ccd;padding:.2em .5em;text-align:right}
th{background:#eef}
.figs{display:flex;flex-wrap:wrap;gap:1em} figure{margin:0;max-width:48%}
figure img{max-width:100%;border:1px solid #ddd} figcaption{font-size:.85em;color:#555}
footer{color:#777;font-size:.8em;margin-top:2em}
</style>
</head>
<body>
<h1>${esc(p.title)}</h1>
${p.subtitle ? `<div class="sub">${esc(p.subtitle)}</div>` : ""}
<div class="nums">
${nums}
</div>
${secs}
<footer>${esc(p.footer ?? "")} <a href="README_files.md">README_files.md</a> lists every file.</footer>
</body>
</html>
`;
}
