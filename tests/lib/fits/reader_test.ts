import { deepEqual, equal, ok } from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readFits } from "../../../lib/fits/reader.ts";
import { needsSamples, sample, tempDir } from "../../_helpers.ts";

const REF = ["seq", "reference_outputs"];

Deno.test({
  name: "readFits() reads the cfitsio reference cube: 37×37×585, NaN cells, values (astropy numbers)",
  ignore: needsSamples(),
  fn() {
    const f = readFits(sample(...REF, "SAMPLE-OTF_97001__0.fits"));
    equal(f.hdus.length, 1);
    const h = f.hdus[0]!;
    deepEqual(h.shape, [37, 37, 585]);
    equal(h.bitpix, -32);
    const d = h.data as Float32Array;
    ok(d instanceof Float32Array);
    let nan = 0, mn = Infinity, mx = -Infinity, sum = 0, n = 0;
    for (const v of d) {
      if (Number.isNaN(v)) nan++;
      else {
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
        sum += v;
        n++;
      }
    }
    // README §4.3: 385 of 1369 cells are NaN (in every channel); extremes −51.3 / 64.8 K (§5 S10)
    equal(nan, 385 * 585);
    // Reference values from astropy 5.2.1 on the same file (exact float32 values)
    equal(mn, Math.fround(-51.346184));
    equal(mx, Math.fround(64.777466));
    ok(Math.abs(sum / n - 0.001978854896660619) < 1e-12, `mean ${sum / n}`);
    // numpy d[292,18,18] = -0.7139739 (k=292, y=18, x=18), and d[100,5,30] is NaN
    equal(d[(292 * 37 + 18) * 37 + 18], Math.fround(-0.7139739));
    ok(Number.isNaN(d[(100 * 37 + 5) * 37 + 30]!));
    // header values
    equal(h.header.get("CTYPE1"), "RA---SFL");
    equal(h.header.get("CRVAL1"), 198);
    equal(h.header.get("CDELT1"), -0.001805556);
    equal(h.header.get("CRPIX1"), 19);
    equal(h.header.get("CRVAL3"), 394594.8);
    equal(h.header.get("RESTFRQ"), 97980953000);
    equal(h.header.get("VELREF"), 257);
    equal(h.header.get("DATE-OBS"), "2025-04-20T07:40:24");
    equal(h.header.get("ORIGIN"), "LMTSLR 29-may-2025");
    equal(h.comments.get("CRVAL1"), "deg Header.Obs.XPosition");
    equal(h.history.length, 9);
    ok(h.history.join("").includes("--l_region [[-55,145]] --slice [-305,395]"));
    // the cards are those of the .fitshead.txt dump
    const dump = readFileSync(sample(...REF, "SAMPLE-OTF_97001__0.fitshead.txt"), "latin1")
      .split("\n").filter((l) => l.length > 0 && !l.startsWith("END"));
    deepEqual(h.cards.map((c) => c.trimEnd()), dump.map((c) => c.trimEnd()));
  },
});

Deno.test({
  name: "readFits() reads the reference weight and radiometer maps",
  ignore: needsSamples(),
  fn() {
    const w = readFits(sample(...REF, "SAMPLE-OTF_97001__0.wt.fits")).hdus[0]!;
    deepEqual(w.shape, [37, 37]);
    const wd = w.data as Float32Array;
    // README §4.3: weight max 10.5, 8.34 at the centre, min −1.26 (astropy: 10.535955, 8.340317, -1.2630401)
    equal(Math.max(...wd), Math.fround(10.535955));
    equal(Math.min(...wd), Math.fround(-1.2630401));
    equal(wd[18 * 37 + 18], Math.fround(8.340317));
    const r = readFits(sample(...REF, "SAMPLE-OTF_97001__0.radiometer.rms.fits")).hdus[0]!;
    deepEqual(r.shape, [37, 37]);
    // README §5 S11: −7.5e4 where the weight is tiny
    const rmin = Math.min(...[...(r.data as Float32Array)].filter((v) => !Number.isNaN(v)));
    ok(rmin < -7.4e4 && rmin > -7.6e4, `${rmin}`);
  },
});

Deno.test({
  name: "readFits({ data: false }) reads headers only",
  ignore: needsSamples(),
  fn() {
    const f = readFits(sample(...REF, "SAMPLE-OTF_97001__0.fits"), { data: false });
    deepEqual(f.hdus[0]!.shape, [37, 37, 585]);
    equal(f.hdus[0]!.data.length, 0);
    ok(f.hdus[0]!.data instanceof Float32Array);
    equal(f.hdus[0]!.header.get("CTYPE3"), "VRAD");
  },
});

const PY = "/usr/bin/python3";
const ASTROPY = existsSync(PY) &&
  new Deno.Command(PY, { args: ["-c", "import astropy.io.fits, numpy"], stderr: "null" }).outputSync()
    .success;
if (!ASTROPY) {
  console.error("NOTICE: /usr/bin/python3 with astropy not found: astropy-written files are not tested");
}

Deno.test({
  name:
    "readFits() reads astropy-written BITPIX 8/16/32/-64 images, BSCALE/BZERO/BLANK and a table extension",
  ignore: !ASTROPY,
  fn() {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "astropy.fits");
      const script = `
import sys, json, numpy as np
from astropy.io import fits
p = fits.PrimaryHDU(np.arange(12, dtype=np.int16).reshape(3, 4) * 100 - 300)
p.header["BSCALE"] = 0.25; p.header["BZERO"] = 10.0; p.header["BLANK"] = -300
p.header["LONGSTR"] = "x" * 100
i32 = fits.ImageHDU(np.array([[-5, 2**31 - 1]], dtype=np.int32), name="I32")
u8 = fits.ImageHDU(np.array([0, 7, 255], dtype=np.uint8), name="U8")
f64 = fits.ImageHDU(np.array([np.pi, np.nan, -1e-300]), name="F64")
tab = fits.BinTableHDU.from_columns([fits.Column(name="a", format="J", array=np.array([1, 2, 3]))], name="TAB")
after = fits.ImageHDU(np.array([1.5], dtype=np.float32), name="AFTER")
fits.HDUList([p, i32, u8, f64, tab, after]).writeto(sys.argv[1])
`;
      const r = new Deno.Command(PY, { args: ["-c", script, path], stderr: "piped" }).outputSync();
      ok(r.success, new TextDecoder().decode(r.stderr));
      const f = readFits(path);
      deepEqual(f.hdus.map((h) => h.header.get("EXTNAME") ?? h.type), [
        "PRIMARY",
        "I32",
        "U8",
        "F64",
        "TAB",
        "AFTER",
      ]);
      const p = f.hdus[0]!;
      deepEqual(p.shape, [4, 3]);
      // raw -300 is BLANK → NaN; others raw*0.25 + 10
      const expected = Array.from({ length: 12 }, (_, i) => (i === 0 ? NaN : (i * 100 - 300) * 0.25 + 10));
      deepEqual([...p.data].map(String), expected.map(String));
      equal(p.header.get("LONGSTR"), "x".repeat(100));
      deepEqual([...f.hdus[1]!.data], [-5, 2 ** 31 - 1]);
      deepEqual([...f.hdus[2]!.data], [0, 7, 255]);
      deepEqual([...f.hdus[3]!.data].map(String), [String(Math.PI), "NaN", "-1e-300"]);
      equal(f.hdus[4]!.type, "BINTABLE");
      equal(f.hdus[4]!.data.length, 12); // 3 rows × 4 bytes, raw
      deepEqual([...f.hdus[5]!.data], [1.5]);
    } finally {
      cleanup();
    }
  },
});
