/**
 * POSIX path helpers with the semantics of node:path (posix) for the functions the toolkit uses:
 * {@link join}, {@link dirname}, {@link basename}, {@link resolve}, {@link normalize}, and the
 * temporary directory of node:os {@link tmpdir}. Importing node:path or node:os starts Deno's Node
 * compatibility layer, ~8 ms of every tool's start-up; these few lines do not.
 * @module
 */

/** Normalise a path: collapse `//`, resolve `.` and `..` (node:path.posix.normalize). */
export function normalize(p: string): string {
  if (p === "") return ".";
  const absolute = p.startsWith("/");
  const trailing = p.endsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  let s = out.join("/");
  if (absolute) s = "/" + s;
  if (s === "") return absolute ? "/" : ".";
  if (trailing && s !== "/") s += "/";
  return s;
}

/** Join segments with `/` and normalise (node:path.posix.join). */
export function join(...parts: string[]): string {
  const nonEmpty = parts.filter((s) => s !== "");
  return nonEmpty.length === 0 ? "." : normalize(nonEmpty.join("/"));
}

/** Directory part (node:path.posix.dirname, including its `//` for "//x"). */
export function dirname(p: string): string {
  if (p === "") return ".";
  const root = p[0] === "/";
  // the last slash before the last segment (trailing slashes skipped; index 0 is the root)
  let end = -1, inSegment = false;
  for (let i = p.length - 1; i >= 1; i--) {
    if (p[i] !== "/") inSegment = true;
    else if (inSegment) {
      end = i;
      break;
    }
  }
  if (end === -1) return root ? "/" : ".";
  if (root && end === 1) return "//";
  return p.slice(0, end);
}

/** Last segment, without `ext` if it ends with it (node:path.posix.basename). */
export function basename(p: string, ext?: string): string {
  let end = p.length;
  while (end > 0 && p[end - 1] === "/") end--;
  if (end === 0) return "";
  const base = p.slice(p.lastIndexOf("/", end - 1) + 1, end);
  if (ext !== undefined && ext === p) return ""; // node's answer when the suffix is the whole path
  if (ext !== undefined && ext !== base && base.endsWith(ext)) return base.slice(0, base.length - ext.length);
  return base;
}

/** Absolute path from the segments, right to left, then the working directory (node:path.posix.resolve). */
export function resolve(...parts: string[]): string {
  let acc = "";
  for (let i = parts.length - 1; i >= 0 && !acc.startsWith("/"); i--) {
    if (parts[i] !== "") acc = acc === "" ? parts[i]! : `${parts[i]}/${acc}`;
  }
  if (!acc.startsWith("/")) acc = acc === "" ? Deno.cwd() : `${Deno.cwd()}/${acc}`;
  const n = normalize(acc);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/**
 * The temporary directory: `TMPDIR`, `TMP` or `TEMP` of `env` (the caller's environment: library
 * code reads none; lib/cli passes the tool's) without a trailing `/`, else /tmp (node:os.tmpdir).
 */
export function tmpdir(env: Readonly<Record<string, string | undefined>>): string {
  const t = env["TMPDIR"] || env["TMP"] || env["TEMP"] || "/tmp";
  return t.length > 1 && t.endsWith("/") ? t.slice(0, -1) : t;
}
