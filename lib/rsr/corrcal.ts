/**
 * corr_cal files: the 256×256 lag→spectrum matrices per correlator slot (rsr.md §1.9).
 *
 * `$CORR_CAL_DIR/corr_cal_<CorrCalId>_<chassis>.nc` holds `Data.RedshiftChassis_<c>_.corr_cal`
 * [numcards, 256, 256] and `Header.RedshiftChassis_<c>_.slotno` [numcards]. A {@link CorrCalCache}
 * reads each file once per process.
 *
 * @module
 */
import { existsSync } from "../sys/fs.ts";
import { openNetcdf } from "../netcdf/mod.ts";
import { NLAG, RsrDataError } from "./raw.ts";
import { join } from "../sys/path.ts";

/** The matrices of one corr_cal file, by slot number. Each matrix is row-major 256×256. */
export interface CorrCal {
  path: string;
  chassis: number;
  /** slot number → matrix (Float64Array of 256·256, row-major: spec[i] = Σ_j M[i·256+j]·lag[j]). */
  bySlot: Map<number, Float64Array>;
}

/** Path of the corr_cal file of (id, chassis) in `dir`. */
export function corrCalPath(dir: string, id: number, chassis: number): string {
  return join(dir, `corr_cal_${Math.trunc(id)}_${chassis}.nc`);
}

/** Read a corr_cal file. Throws RsrDataError naming the file (and variable) when unusable. */
export async function readCorrCal(path: string, chassis: number): Promise<CorrCal> {
  if (!existsSync(path)) throw new RsrDataError(path, "corr_cal file not found");
  const nc = await openNetcdf(path);
  try {
    let c = chassis;
    const dataName = `Data.RedshiftChassis_${c}_.corr_cal`;
    let name = dataName;
    if (!nc.has(name)) {
      const alt = [...nc.variables.keys()].find((n) => /^Data\.RedshiftChassis_\d+_\.corr_cal$/.test(n));
      if (!alt) throw new RsrDataError(path, `variable ${dataName} is missing`);
      name = alt;
      c = Number(/_(\d+)_/.exec(alt)![1]);
    }
    const shape = nc.variable(name).shape;
    if (shape.length !== 3 || shape[1] !== NLAG || shape[2] !== NLAG) {
      throw new RsrDataError(path, `variable ${name} has shape [${shape.join(",")}], expected [n,256,256]`);
    }
    const slotName = `Header.RedshiftChassis_${c}_.slotno`;
    if (!nc.has(slotName)) throw new RsrDataError(path, `variable ${slotName} is missing`);
    const slots = nc.readNumbers(slotName);
    if (slots.length !== shape[0]) {
      throw new RsrDataError(path, `variable ${slotName} has ${slots.length} values, expected ${shape[0]}`);
    }
    const all = nc.readNumbers(name);
    const bySlot = new Map<number, Float64Array>();
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      // views of the one array read (never written to), not copies: 1.5 MB a board
      if (!bySlot.has(s)) bySlot.set(s, all.subarray(i * NLAG * NLAG, (i + 1) * NLAG * NLAG));
    }
    return { path, chassis: c, bySlot };
  } finally {
    nc.close();
  }
}

/**
 * corr_cal files read in this process, by path, with the size and mtime they had: shared by every
 * {@link CorrCalCache}, so the tools that a pipeline runs in one process (rsr_driver four times, rsr_tsys
 * three times, rsr_sum, the summary page) read each file once. A file changed on disk is read again. The
 * matrices are never written to by their users.
 */
const SHARED = new Map<string, { stamp: string; file: Promise<CorrCal> }>();

function stampOf(path: string): string {
  try {
    const i = Deno.statSync(path);
    return `${i.size} ${i.mtime?.getTime() ?? 0} ${i.ino ?? 0}`;
  } catch {
    return "missing";
  }
}

/** Cache of corr_cal files keyed by path (read once per process while unchanged). */
export class CorrCalCache {
  constructor(readonly dir: string) {}
  /** The corr_cal of (CorrCalId, chassis). */
  get(id: number, chassis: number): Promise<CorrCal> {
    const path = corrCalPath(this.dir, id, chassis);
    const stamp = stampOf(path);
    const hit = SHARED.get(path);
    if (hit && hit.stamp === stamp) return hit.file;
    const file = readCorrCal(path, chassis);
    SHARED.set(path, { stamp, file });
    file.catch(() => {
      if (SHARED.get(path)?.file === file) SHARED.delete(path);
    });
    return file;
  }
  /** The matrices for the given slot numbers (in board order); error names the file and slot. */
  async matrices(id: number, chassis: number, slots: number[]): Promise<Float64Array[]> {
    const cc = await this.get(id, chassis);
    return slots.map((s) => {
      const m = cc.bySlot.get(s);
      if (!m) throw new RsrDataError(cc.path, `no corr_cal matrix for slot ${s}`);
      return m;
    });
  }
}
