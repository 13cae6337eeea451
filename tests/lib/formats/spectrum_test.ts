import { deepEqual, equal, throws } from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  driverHeaderLines,
  formatE18,
  formatSexagesimal,
  parseDriverHeader,
  readTextSpectrum,
  savetxtRows,
  stringifyBandspec,
  stringifyBsSpectrum,
  stringifyDriverSpectrum,
  stringifySumSpectrum,
} from "../../../lib/formats/spectrum.ts";
import { FormatError } from "../../../lib/formats/errors.ts";
import { needsSamples, sample } from "../../_helpers.ts";

const DRIVER_FILES = [
  "rsr/91001/rsr.91001.driver.sum.txt",
  "rsr/91003/rsr.91003.driver.sum.txt",
  "rsr/91001_91003/rsr.91001_91003.driver.sum.txt",
  "rsr/91001_91003_xlines/rsr.91001_91003.driver.sum.txt",
  "rsr/91001/first.rsr.91001.driver.sum.txt",
  "rsr/91001/nbs.rsr.91001.driver.sum.txt",
];

Deno.test({
  name: "driver spectra: read back and rewritten byte for byte (header, '# ' line, %.18e body, nan)",
  ignore: needsSamples(),
  fn() {
    for (const f of DRIVER_FILES) {
      const text = readFileSync(sample(f), "utf8");
      const s = readTextSpectrum(text, f);
      equal(s.columns.length, 3, f);
      equal(s.columns[0]!.length, 1297, f);
      equal(s.header[s.header.length - 1], "", f); // the savetxt '# ' line
      equal(
        stringifyDriverSpectrum(s.header.slice(0, -1), s.columns[0]!, s.columns[1]!, s.columns[2]!),
        text,
        f,
      );
      // uncovered channels: value 0 and sigma NaN
      equal(s.columns[1]![0], 0);
      equal(Number.isNaN(s.columns[2]![0]!), true);
    }
  },
});

Deno.test({
  name: "bandspec, rsr_sum and Bs spectra are rewritten byte for byte",
  ignore: needsSamples(),
  fn() {
    for (const d of ["rsr/91001/rsr.91001", "rsr/91003/rsr.91003", "rsr/91001_91003/rsr.91001_91003"]) {
      const bt = readFileSync(sample(d + ".driver.sum_bandspec.txt"), "utf8");
      const b = readTextSpectrum(bt);
      equal(b.columns.length, 12);
      equal(b.columns[0]!.length, 256);
      const boards = [0, 1, 2, 3, 4, 5].map((i) => ({
        freq: b.columns[2 * i]!,
        value: b.columns[2 * i + 1]!,
      }));
      equal(stringifyBandspec(b.header, boards), bt, d);
      const st = readFileSync(sample(d + ".blanking.sum.txt"), "utf8");
      const s = readTextSpectrum(st);
      equal(s.header.length, 0);
      equal(stringifySumSpectrum(s.columns[0]!, s.columns[1]!), st, d);
    }
    const bs = readFileSync(sample("seq/reference_outputs/SAMPLE-BS_97003__0.txt"), "utf8");
    const b = readTextSpectrum(bs);
    deepEqual(b.header, ["vlsr  TA(K)   Tsys1  Tsys2"]);
    equal(b.columns[0]!.length, 1920);
    equal(stringifyBsSpectrum(b.columns[0]!, b.columns[1]!, b.columns[2]!, b.columns[3]!), bs);
  },
});

Deno.test({
  name: "driverHeaderLines() rebuilds the sample driver header from its values",
  ignore: needsSamples(),
  fn() {
    const text = readFileSync(sample("rsr/91001/rsr.91001.driver.sum.txt"), "utf8");
    const s = readTextSpectrum(text);
    const h = parseDriverHeader(s.header);
    equal(h.get("Integration Time"), "299.99592891973515 s");
    equal(h.get("Source RA"), "13:25:28.8");
    const lines = driverHeaderLines({
      source: "SAMPLE-QSO",
      ra: formatSexagesimal(201.37 / 15),
      dec: formatSexagesimal(-8.75),
      dateObs: "2024-11-02T05:29:59",
      dateReduction: "2026-11-21T04:31:42",
      boardIntervals: [
        [73.00078125, 79.59453125],
        [85.50546875, 92.09921875],
        [79.30078125, 85.89453125],
        [91.8970312, 98.4907812],
        [104.4014687, 110.9952187],
        [98.1970312, 104.7907812],
      ],
      sigmaPerBoardMk: [0.8028054, 0.7326504, 1.1078796, 4.3363757, 1.7088914, 0.9446902],
      baselineOrder: 1,
      inputObservations: ["91001_0", "91001_1", "91001_2", "91001_3"],
      integrationTime: 299.99592891973515,
      opacity: 0.1,
      repeatThreshold: 0.01,
      coaddThreshold: 0.01,
      command:
        "rsr.obsnum --date_obs 2024-11-02T05:29:59 --badlags rsr.91001.badlags --rfile rsr.91001.rfile -o rsr.91001.driver.sum.txt -w rsr.wf.pdf -p -b 1 -r 0.01 -t 0.01"
          .split(" "),
    });
    deepEqual(lines, s.header.slice(0, -1));
  },
});

Deno.test("driverHeaderLines() optional lines follow the driver's order and spacing", () => {
  const lines = driverHeaderLines({
    source: "X",
    ra: "1:00:00",
    dec: "-0:00:03.6",
    dateObs: null,
    dateReduction: "2025-01-31T12:00:00",
    boardIntervals: [null, [85.5, 92.1], null, null, null, null],
    sigmaPerBoardMk: [1e41, 1.5],
    baselineOrder: 0,
    inputObservations: ["33551_0"],
    integrationTime: 600,
    opacity: 0.13,
    sgfWindow: 55,
    sgfFreqCutGHz: 1.71875,
    sgfVelCutKms: 5467.1720827389445,
    repeatThreshold: 0.01,
    simulate: { amplitude: 0.5, frequency: 100, widthGHz: 0.1 },
    coaddThreshold: 0.02,
    notchSigma: 3,
    smoothing: 4,
    command: ["rsr.obsnum", "-f", "55"],
  });
  deepEqual(lines.slice(7), [
    "Date of Observation: None",
    "Date of Reduction: 2025-01-31T12:00:00",
    "Frequency Units: GHz",
    "Spectrum Units: K (T_A)",
    "Board intervals (GHz):(85.500-92.100)",
    "Sigma per board (mK): 100000000000000000620008645040778319495168.000000,1.500000", // Python "%f" % 1e41,
    "Polynomial Baseline Order: 0 ",
    "Input Observations: 33551_0, ",
    "Integration Time: 600.0 s",
    "Average Opacity (220GHz): 0.13 ",
    "SGF Window Size: 55  channels",
    "SGF Frequency HP Cut: 1.71875 GHz",
    "SGF Velocity HP Cut: 5467.1720827389445 km/s",
    "Repeat Sigma Threshold: 0.01 K",
    "Simulated: : 0.5 K, 100.0 GHz, 0.1 GHz ",
    "Coadd Sigma threshold: 0.02 K",
    "Notch Filter Sigma: 3.0 ",
    "Smoothing Channels: 4 ",
    "RSR driver cmd: rsr.obsnum -f 55 ",
    "------------------------------------------------",
  ]);
});

Deno.test("formatSexagesimal() follows astropy 5.2.1 to_string(sep=':')", () => {
  equal(formatSexagesimal(201.37 / 15), "13:25:28.8");
  equal(formatSexagesimal(-8.75), "-8:45:00");
  equal(formatSexagesimal(24.5428), "24:32:34.08");
  equal(formatSexagesimal(-0.001), "-0:00:03.6");
  equal(formatSexagesimal(10 + 59 / 60 + 59.9999999999 / 3600), "11:00:00"); // carry, never 60
  equal(formatSexagesimal(0), "0:00:00");
});

Deno.test("savetxtRows()/formatE18() and readTextSpectrum() edge cases", () => {
  equal(formatE18(-1.5), "-1.500000000000000000e+00");
  equal(savetxtRows([[1, NaN], [Infinity, -Infinity]]), "1.000000000000000000e+00 inf\nnan -inf\n");
  equal(savetxtRows([[]]), "");
  throws(() => savetxtRows([[1], [1, 2]]), /unequal length/);
  const s = readTextSpectrum("# h1\n\n1 NaN\n-2.5e3 -inf\n  \n3 +inf\n");
  deepEqual(s.header, ["h1"]);
  deepEqual([...s.columns[0]!], [1, -2500, 3]);
  deepEqual([...s.columns[1]!], [NaN, -Infinity, Infinity]);
  throws(
    () => readTextSpectrum("1 2\n3\n", "s.txt"),
    (e: unknown) => e instanceof FormatError && e.message === "s.txt:2: expected 2 columns but got 1",
  );
  throws(
    () => readTextSpectrum("1 2\n3 0x10\n", "s.txt"),
    (e: unknown) => e instanceof FormatError && e.message === 's.txt:2: invalid number "0x10" in column 2',
  );
  deepEqual(readTextSpectrum("").columns, []);
});
