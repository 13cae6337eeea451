/**
 * Paths of lmt_web requests: a URL path below WORK_LMT is resolved segment by segment and then through
 * the file system (realPath), and accepted only when the result is inside WORK_LMT's own real path. So
 * `..`, `%2e%2e`, an encoded `/` (`%2f`), a NUL and a symbolic link pointing out of the tree are all refused.
 *
 * @module
 */

/** `child` is `parent` or inside it (both absolute real paths). */
export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : parent + "/");
}

/**
 * Decode the segments of a URL path tail (`a/b%20c/d.png`); undefined when a segment is empty, `.` or `..`
 * (after decoding), holds `/`, `\` or a control character, or is badly encoded.
 */
export function decodeSegments(tail: string): string[] | undefined {
  if (tail === "") return [];
  const out: string[] = [];
  for (const raw of tail.split("/")) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // deno-lint-ignore no-control-regex
    if (s === "" || s === "." || s === ".." || /[\/\\\x00-\x1f\x7f]/.test(s)) return undefined;
    out.push(s);
  }
  return out;
}

/**
 * The real path of `base/segments...` when it exists and lies inside `rootReal` (WORK_LMT's real path);
 * undefined otherwise (missing, outside, or a link out of the tree).
 */
export function resolveInside(
  rootReal: string,
  base: string,
  segments: readonly string[],
): string | undefined {
  const p = [base, ...segments].join("/");
  let real: string;
  try {
    real = Deno.realPathSync(p);
  } catch {
    return undefined;
  }
  return isInside(real, rootReal) ? real : undefined;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  rc: "text/plain; charset=utf-8",
  badlags: "text/plain; charset=utf-8",
  blanking: "text/plain; charset=utf-8",
  rfile: "text/plain; charset=utf-8",
  badcb: "text/plain; charset=utf-8",
  obsnum: "text/plain; charset=utf-8",
  json: "application/json",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  fits: "application/fits",
  fit: "application/fits",
  nc: "application/x-netcdf",
  tar: "application/x-tar",
  gz: "application/gzip",
  zip: "application/zip",
};

/** The Content-Type of a product by its extension (application/octet-stream when unknown). */
export function contentType(name: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : "";
  return TYPES[ext] ?? "application/octet-stream";
}
