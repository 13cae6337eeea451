/**
 * rsr_driver's calibrated spectra as SDFITS rows (`rsr_driver --sdfits`): one row per obsnum,
 * chassis, board and repeat, the repeats the driver averages (after blanking, rfile and the first
 * baseline). DATA in K (blanked channels NaN with FLAGS 1, masked channels NaN), the board's sky
 * frequency axis (topocentric already: CRVAL1 = first channel, CRPIX1 = 1, CDELT1 = ±31.25 MHz),
 * TSYS = mean of the board's Cal Tsys spectrum, EXPOSURE = the chassis integration time / repeats,
 * FDNUM = chassis, IFNUM = board, PROCSEQN = repeat + 1, SCAN = obsnum, RESTFREQ = OBSFREQ = the
 * board's centre frequency (the RSR has no line), VELDEF RADI-OBS.
 *
 * @module
 */
import { FitsHeader } from "../fits/header.ts";
import { azElOf, LMT_SITE } from "../sdfits/lsr.ts";
import { formatDateObs, lstSeconds, type Sdfits, type SdfitsRow } from "../sdfits/sdfits.ts";
import type { DriverResult } from "./driver.ts";
import { isBlank, offset } from "./product.ts";
import { NBOARD, NLAG } from "./raw.ts";

/** A decimal-year UT date (dreampy's rule: 366 days when year % 4 = 0) as a Date; undefined when not finite. */
export function decimalYearToDate(y: number): Date | undefined {
  if (!Number.isFinite(y) || y < 1900 || y > 2200) return undefined;
  const yr = Math.floor(y);
  const days = yr % 4 === 0 ? 366 : 365;
  return new Date(Date.UTC(yr, 0, 1) + (y - yr) * days * 86400e3);
}

/** The SDFITS model of a driver run's repeats. Products without export facts (meta) are skipped. */
export function sdfitsFromDriver(r: DriverResult, history?: string): Sdfits {
  const rows: SdfitsRow[] = [];
  let projid = "";
  for (const p of r.products) {
    const m = p.meta;
    if (m === undefined) continue;
    const h = m.header;
    projid ||= h.projectId;
    const rep = p.repeats;
    const exposure = rep.nrep > 0 ? m.integrationTime / rep.nrep : 0;
    const t0 = decimalYearToDate(h.utDate) ?? new Date(Date.UTC(2000, 0, 1));
    for (let k = 0; k < rep.nrep; k++) {
      const t = new Date(t0.getTime() + k * exposure * 1000);
      const [az, el] = azElOf(h.ra * 180 / Math.PI, h.dec * 180 / Math.PI, t, LMT_SITE);
      for (let b = 0; b < NBOARD; b++) {
        const f = rep.freq[b]!;
        const data = new Float32Array(NLAG);
        const flags = new Uint8Array(NLAG);
        const o = offset(k, b);
        for (let c = 0; c < NLAG; c++) {
          const v = rep.data[o + c]!;
          if (isBlank(v)) {
            data[c] = NaN;
            flags[c] = 1;
          } else data[c] = v;
        }
        const cdelt = (f[NLAG - 1]! - f[0]!) / (NLAG - 1) * 1e9;
        const centre = (f[0]! + f[NLAG - 1]!) / 2 * 1e9;
        rows.push({
          object: r.sourceName,
          scan: p.obsnum,
          ifnum: b,
          plnum: 0,
          fdnum: p.chassis,
          procseqn: k + 1,
          obsmode: "Bs:BSWITCH:NONE",
          dateObs: formatDateObs(t),
          lst: lstSeconds(t, LMT_SITE),
          exposure,
          duration: exposure,
          tsys: m.tsys[b] ?? NaN,
          tcal: 1,
          elevation: el,
          azimuth: az,
          crval1: f[0]! * 1e9,
          crpix1: 1,
          cdelt1: cdelt,
          ctype2: "RA",
          ctype3: "DEC",
          crval2: h.ra * 180 / Math.PI,
          crval3: h.dec * 180 / Math.PI,
          crval4: -5,
          restfreq: centre,
          veldef: "RADI-OBS",
          velocity: 0,
          equinox: 2000,
          radesys: "FK5",
          bandwid: NLAG * Math.abs(cdelt),
          freqres: Math.abs(cdelt),
          obsfreq: centre,
          frontend: "RSR",
          backend: "RedshiftChassis",
          apEff: NaN,
          surfErr: NaN,
          data,
          flags,
        });
      }
    }
  }
  const hd = new FitsHeader();
  if (history) hd.history(history.replace(/[^\x20-\x7e]/g, "?"));
  return { telescope: "LMT", site: LMT_SITE, rows, header: hd, ...(projid ? { projid } : {}) };
}
