/**
 * The `.rfile` format (rsr_driver `--rfile`): whole boards to remove, one `OBSNUM,CHASSIS,BOARD` per
 * line, plus the rsr_rfile template and the rsr_badcb `-r` emitters.
 *
 * Grammar: `#` starts a comment (whole line or after the entry); blank lines are skipped; an entry is
 * text split on `,` into exactly three fields `OBSNUM,CHASSIS,BOARD` (spaces around fields allowed),
 * CHASSIS 0..3, BOARD 0..5. OBSNUM is an integer 1..2^31−1, `-1` (wildcard for that chassis) or — our
 * extension — an inclusive range `FIRST-LAST` (e.g. `12350-12360,1,2`).
 *
 * @module
 */
import { FormatError } from "./errors.ts";
import { badcbLines, intInRange, splitLines } from "./_text.ts";
import { isObsnum, MAX_OBSNUM } from "./obsnum.ts";

/** One rfile entry: remove board `board` of chassis `chassis` for obsnum `obsnum` (..`last`). */
export interface RfileEntry {
  /** The obsnum, or -1: wildcard for this chassis (used only when no exact entry matches). */
  obsnum: number;
  /** Inclusive end of an obsnum range `obsnum-last` (absent for a single obsnum). */
  last?: number;
  chassis: number;
  board: number;
  /** Inline comment text after `#`, trimmed. */
  comment?: string;
}

/** A line of an rfile; `text` is the original line when it came from a parse. */
export type RfileItem =
  | { type: "entry"; entry: RfileEntry; text?: string }
  | { type: "comment"; text: string }
  | { type: "blank"; text: string };

/** A parsed rfile. */
export interface Rfile {
  items: RfileItem[];
  entries: RfileEntry[];
}

/**
 * Parse an rfile. Throws {@link FormatError} (`file:line: ...`) on a malformed entry.
 *
 * @example
 * ```ts
 * parseRfile("# header\n91001,3,2   # jittery\n12350-12360,1,2\n").entries;
 * // [{obsnum: 91001, chassis: 3, board: 2, comment: "jittery"}, {obsnum: 12350, last: 12360, chassis: 1, board: 2}]
 * ```
 */
export function parseRfile(text: string, source?: string): Rfile {
  const out: Rfile = { items: [], entries: [] };
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const hash = line.indexOf("#");
    const data = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (data === "") {
      out.items.push(line.trim() === "" ? { type: "blank", text: line } : { type: "comment", text: line });
      continue;
    }
    const f = data.split(",").map((s) => s.trim());
    if (f.length !== 3) {
      throw new FormatError(
        `expected 3 comma-separated fields OBSNUM,CHASSIS,BOARD but got ${f.length}`,
        lineNo,
        source,
      );
    }
    const ob = f[0]!;
    const entry: RfileEntry = { obsnum: 0, chassis: 0, board: 0 };
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(ob);
    if (ob === "-1") entry.obsnum = -1;
    else if (range !== null) {
      entry.obsnum = Number(range[1]);
      entry.last = Number(range[2]);
      if (!isObsnum(entry.obsnum) || !isObsnum(entry.last) || entry.last < entry.obsnum) {
        throw new FormatError(
          `invalid obsnum range "${ob}": expected FIRST-LAST with 0 < FIRST <= LAST <= ${MAX_OBSNUM}`,
          lineNo,
          source,
        );
      }
    } else if (/^\+?\d+$/.test(ob) && isObsnum(Number(ob))) entry.obsnum = Number(ob);
    else {
      throw new FormatError(
        `invalid obsnum "${ob}": expected an integer 1..${MAX_OBSNUM}, FIRST-LAST or -1`,
        lineNo,
        source,
      );
    }
    entry.chassis = intInRange("chassis", f[1], 0, 3, lineNo, source);
    entry.board = intInRange("board", f[2], 0, 5, lineNo, source);
    if (hash >= 0) entry.comment = line.slice(hash + 1).trim();
    out.entries.push(entry);
    out.items.push({ type: "entry", entry, text: line });
  }
  return out;
}

/** One entry as `OBSNUM,C,B` (or `FIRST-LAST,C,B`), with `   # comment` when it has one. */
export function formatRfileLine(e: RfileEntry): string {
  const ob = e.last !== undefined ? `${e.obsnum}-${e.last}` : String(e.obsnum);
  return `${ob},${e.chassis},${e.board}` +
    (e.comment !== undefined && e.comment !== "" ? `   # ${e.comment}` : "");
}

/**
 * Write an rfile: items from a parse keep their exact text; new entries are formatted
 * with {@link formatRfileLine}. Pass `{ entries }` alone to write just the entry lines.
 */
export function stringifyRfile(model: { items?: RfileItem[]; entries?: RfileEntry[] }): string {
  const items = model.items ?? (model.entries ?? []).map((entry): RfileItem => ({ type: "entry", entry }));
  let out = "";
  for (const it of items) {
    out += (it.type === "entry" ? it.text ?? formatRfileLine(it.entry) : it.text) + "\n";
  }
  return out;
}

/**
 * The boards of `chassis` to remove for `obsnum` — the driver's rule: entries matching the obsnum
 * exactly (or by range) win; only when there is none for this chassis are the `-1` wildcard entries
 * used (an exact entry hides every wildcard of that chassis). Sorted, without duplicates.
 *
 * @example
 * ```ts
 * const { entries } = parseRfile("-1,0,1\n91001,0,2\n");
 * rfileBoards(entries, 91001, 0); // [2]   (the wildcard is hidden)
 * rfileBoards(entries, 91003, 0); // [1]
 * ```
 */
export function rfileBoards(entries: readonly RfileEntry[], obsnum: number, chassis: number): number[] {
  const exact = new Set<number>();
  const wild = new Set<number>();
  for (const e of entries) {
    if (e.chassis !== chassis) continue;
    if (e.obsnum === -1) wild.add(e.board);
    else if (obsnum >= e.obsnum && obsnum <= (e.last ?? e.obsnum)) exact.add(e.board);
  }
  return [...(exact.size > 0 ? exact : wild)].sort((a, b) => a - b);
}

/**
 * The rsr_rfile template (§5.1), `createdBy` being the script path printed in line 2.
 *
 * @example
 * ```ts
 * rfileTemplate(91001, "$LMTOY/bin/rsr_rfile").split("\n")[5]; // "# 91001,0,0      # comments here"
 * ```
 */
export function rfileTemplate(obsnum: number, createdBy: string): string {
  return [
    "# This is an rfile for rsr_driver",
    `#    created by ${createdBy}`,
    "#  only full obsnum,chassis,band combinations can be removed from the spectrum sum",
    "#  OBSNUM,CHASSIS,BOARD (the comma is currently required)",
    "# Example:",
    `# ${obsnum},0,0      # comments here`,
    `# ${obsnum},3,5`,
    "# ----",
  ].join("\n") + "\n";
}

/** An obsnum/chassis/board triple (e.g. from `#BADCB` lines). */
export interface ObsChassisBoard {
  obsnum: number;
  chassis: number;
  board: number;
}

/**
 * rsr_badcb `-r FILE` output for the BADCB entries of a badlags file: `# rsr_badcb: adding N badcb's`,
 * `# mode r`, then `OBSNUM,C,B` per entry; `# no badcb's` when there are none.
 *
 * @example
 * ```ts
 * badcbToRfile([{ obsnum: 91001, chassis: 3, board: 2 }]);
 * // "# rsr_badcb: adding 1 badcb's\n# mode r\n91001,3,2\n"
 * ```
 */
export function badcbToRfile(badcb: readonly ObsChassisBoard[]): string {
  return badcbLines(
    badcb,
    "r",
    (e) => `${Math.trunc(e.obsnum)},${Math.trunc(e.chassis)},${Math.trunc(e.board)}`,
  );
}

/**
 * Parse a `c/b,c/b,...` list (rsr_badcb `-o`, pipeline `badcb=`); empty items (trailing comma) are
 * skipped. Throws RangeError naming the bad item.
 *
 * @example
 * ```ts
 * parseChassisBoardList("1/1,3/5,"); // [{chassis: 1, board: 1}, {chassis: 3, board: 5}]
 * ```
 */
export function parseChassisBoardList(list: string): { chassis: number; board: number }[] {
  const out: { chassis: number; board: number }[] = [];
  for (const raw of list.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const m = /^(\d+)\/(\d+)$/.exec(item);
    if (m === null || Number(m[1]) > 3 || Number(m[2]) > 5) {
      throw new RangeError(`Invalid chassis/board "${item}": expected C/B with C 0..3 and B 0..5`);
    }
    out.push({ chassis: Number(m[1]), board: Number(m[2]) });
  }
  return out;
}

/**
 * rsr_badcb `-r -o OBSNUM LIST` output: `# setting badcbd=LIST` then `OBSNUM,c,b` per pair.
 *
 * @example
 * ```ts
 * badcbListToRfile(33551, "1/1,3/5"); // "# setting badcbd=1/1,3/5\n33551,1,1\n33551,3,5\n"
 * ```
 */
export function badcbListToRfile(obsnum: number, list: string): string {
  const lines = [`# setting badcbd=${list}`];
  for (const { chassis, board } of parseChassisBoardList(list)) lines.push(`${obsnum},${chassis},${board}`);
  return lines.join("\n") + "\n";
}
