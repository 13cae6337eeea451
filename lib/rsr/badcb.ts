/**
 * The `.blanking` side of rsr_badcb and the rsr_blanking template (rsr.md §5.2, §5.3): whole bad
 * chassis/boards as rsr_sum blanking lines. (The `.rfile` side lives in lib/formats/rfile.ts.)
 *
 * @module
 */
import { type ObsChassisBoard, parseChassisBoardList } from "../formats/rfile.ts";

/**
 * The rsr_blanking template (§5.2) for one obsnum; `createdBy` is printed in line 2.
 *
 * @example
 * ```ts
 * blankingTemplate(91001, "rsr_blanking").split("\n")[4]; // "91001"
 * ```
 */
export function blankingTemplate(obsnum: number, createdBy: string): string {
  return [
    "#blanking file for rsr_sum.py",
    `#    created by ${createdBy}`,
    "",
    "#         this is the obsnum being used",
    `${obsnum}`,
    "",
    "# windows where baseline is computed - example for I10565 skipping over the stronger lines",
    "# indexed by board numbers (0..5)",
    "windows[0] = [(71.72, 79.69)]",
    "windows[1] = [(85.41, 93.38)]",
    "windows[2] = [(78.02, 85.99)]",
    "windows[3] = [(90.62, 98.58)]",
    "windows[4] = [(104.31, 112.28)]",
    "windows[5] = [(96.92, 104.88)]",
    "",
    "# example of blanking a chassis",
    "#33551  0",
    "",
    "# examples of blanking a (chassis,board) combinations",
    "#33551            1       {2: [(80,90)]",
    "#40608,40609      0       {0: [(65.,100.)]}",
    "#51800-62000      0       {0: [(70.,100.)]}   {1: [(70.,100.)]}",
    "# ----",
  ].join("\n") + "\n";
}

/**
 * rsr_badcb `-b FILE` output for BADCB entries: `# rsr_badcb: adding N badcb's`, `# mode b`, then
 * `OBSNUM   C  {B : [(70,120)]}` per entry; `# no badcb's` when there are none.
 *
 * @example
 * ```ts
 * badcbToBlanking([{ obsnum: 91001, chassis: 3, board: 2 }]);
 * // "# rsr_badcb: adding 1 badcb's\n# mode b\n91001   3  {2 : [(70,120)]}\n"
 * ```
 */
export function badcbToBlanking(badcb: readonly ObsChassisBoard[]): string {
  if (badcb.length === 0) return "# no badcb's\n";
  const lines = [`# rsr_badcb: adding ${badcb.length} badcb's`, "# mode b"];
  for (const e of badcb) {
    lines.push(`${Math.trunc(e.obsnum)}   ${Math.trunc(e.chassis)}  {${Math.trunc(e.board)} : [(70,120)]}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * rsr_badcb `-b -o OBSNUM LIST` output: `# setting badcbd=LIST`, then `OBSNUM C {B: [(70,115)]}` per
 * pair (the original's window differs from file mode; both cover a whole board). Throws RangeError on
 * a malformed list.
 *
 * @example
 * ```ts
 * badcbListToBlanking(33551, "1/1"); // "# setting badcbd=1/1\n33551 1 {1: [(70,115)]}\n"
 * ```
 */
export function badcbListToBlanking(obsnum: number, list: string): string {
  const lines = [`# setting badcbd=${list}`];
  for (const { chassis, board } of parseChassisBoardList(list)) lines.push(`${obsnum} ${chassis} {${board}: [(70,115)]}`);
  return lines.join("\n") + "\n";
}
