/**
 * printf-style formatting with exact C / Python `%` semantics, and Python's `str()` of floats.
 *
 * JavaScript's `toFixed`/`toExponential` round ties away from zero and `toString` switches to
 * exponent notation at other thresholds than Python, so every numeric conversion here is done on the
 * exact decimal expansion of the double (BigInt arithmetic) with round-half-even on exact ties —
 * which is what glibc's printf, and therefore Python's `%` operator and numpy's `savetxt`, do.
 *
 * Supported: `%d %i %u %x %X %o %e %E %f %F %g %G %c %s %r %%`, flags `- + space 0 #`, width and
 * precision (also `*`), length modifiers `h l L q` (ignored, as Python does). Non-finite values print
 * as `nan`, `inf`, `-inf` (as Python; zero padding is not applied to them).
 *
 * @module
 */

/** A value accepted by {@link sprintf}. */
export type PrintfArg = number | bigint | string | boolean | null | undefined;

/** Exact decimal expansion of a finite, non-negative double: value = 0.d1d2d3... × 10^point. */
interface Decimal {
  /** Significant digits, no leading zeros ("0" only for zero). */
  digits: string;
  /** Number of digits before the decimal point (may be ≤ 0 or > digits.length). */
  point: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const POW5: bigint[] = [1n];

function pow5(k: number): bigint {
  while (POW5.length <= k) POW5.push(POW5[POW5.length - 1]! * 5n);
  return POW5[k]!;
}

/** The exact decimal value of |x| (x finite). */
function exactDecimal(x: number): Decimal {
  f64[0] = Math.abs(x);
  const hi = u32[LITTLE ? 1 : 0]!;
  const lo = u32[LITTLE ? 0 : 1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp === 0 && mant === 0n) return { digits: "0", point: 1 };
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  // strip trailing binary zeros to keep the numbers small
  while ((mant & 1n) === 0n) {
    mant >>= 1n;
    e++;
  }
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString();
    return { digits: s, point: s.length };
  }
  const s = (mant * pow5(-e)).toString();
  return { digits: s, point: s.length + e };
}

/**
 * Round a decimal to `keep` leading digits (may be ≤ 0), half-even on exact ties.
 * Returns digits of length max(keep, 0) (or keep+1 after a carry that adds a digit) and the new point.
 */
function roundDecimal(d: Decimal, keep: number): Decimal {
  const { digits } = d;
  if (keep >= digits.length) return { digits: digits + "0".repeat(keep - digits.length), point: d.point };
  let up: boolean;
  if (keep < 0) {
    up = false;
  } else {
    const next = digits.charCodeAt(keep) - 48;
    if (next > 5) up = true;
    else if (next < 5) up = false;
    else {
      let rest = false;
      for (let i = keep + 1; i < digits.length; i++) {
        if (digits.charCodeAt(i) !== 48) {
          rest = true;
          break;
        }
      }
      if (rest) up = true;
      else {
        const last = keep === 0 ? 0 : digits.charCodeAt(keep - 1) - 48;
        up = (last & 1) === 1;
      }
    }
  }
  const k = Math.max(keep, 0);
  let kept = digits.slice(0, k);
  if (!up) return { digits: kept, point: d.point };
  // increment the kept digits
  const arr = kept.split("");
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === "9") {
    arr[i] = "0";
    i--;
  }
  if (i >= 0) {
    arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
    kept = arr.join("");
    return { digits: kept, point: d.point };
  }
  // carry out of the leading digit: 999 -> 1000
  return { digits: "1" + arr.join(""), point: d.point + 1 };
}

/** Fixed notation of |x| with `prec` decimals (x finite). */
function fixedAbs(x: number, prec: number, alt: boolean): string {
  const d = exactDecimal(x);
  const r = roundDecimal(d, d.point + prec);
  // r.digits covers positions from the first significant digit down to 10^-prec
  let intPart: string;
  let frac: string;
  const pointPos = r.point; // digits before the point
  if (pointPos <= 0) {
    intPart = "0";
    frac = "0".repeat(-pointPos) + r.digits;
  } else {
    intPart = r.digits.slice(0, pointPos);
    frac = r.digits.slice(pointPos);
    if (intPart.length < pointPos) intPart = intPart + "0".repeat(pointPos - intPart.length);
  }
  if (intPart === "") intPart = "0";
  intPart = intPart.replace(/^0+(?=\d)/, "");
  if (frac.length < prec) frac = frac + "0".repeat(prec - frac.length);
  frac = frac.slice(0, prec);
  if (prec === 0) return alt ? intPart + "." : intPart;
  return intPart + "." + frac;
}

/** Mantissa digits and decimal exponent of |x| rounded to `sig` significant digits (x finite). */
function sigDigits(x: number, sig: number): { digits: string; exp: number } {
  if (x === 0) return { digits: "0".repeat(sig), exp: 0 };
  const d = exactDecimal(x);
  const r = roundDecimal(d, sig);
  return { digits: r.digits.slice(0, sig), exp: r.point - 1 };
}

function expString(exp: number, upper: boolean): string {
  const sign = exp < 0 ? "-" : "+";
  const a = Math.abs(exp);
  return (upper ? "E" : "e") + sign + (a < 10 ? "0" + a : String(a));
}

/** Exponent notation of |x| with `prec` decimals (x finite). */
function expAbs(x: number, prec: number, upper: boolean, alt: boolean): string {
  const { digits, exp } = sigDigits(x, prec + 1);
  let m = digits[0]!;
  if (prec > 0) m += "." + digits.slice(1);
  else if (alt) m += ".";
  return m + expString(exp, upper);
}

/** %g notation of |x| (x finite). */
function genAbs(x: number, precIn: number, upper: boolean, alt: boolean): string {
  const p = precIn === 0 ? 1 : precIn;
  const { exp } = sigDigits(x, p);
  let s: string;
  if (exp >= -4 && exp < p) {
    s = fixedAbs(x, p - 1 - exp, alt);
    if (!alt && s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    s = expAbs(x, p - 1, upper, alt);
    if (!alt) {
      const i = s.indexOf(upper ? "E" : "e");
      let mant = s.slice(0, i);
      if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
      s = mant + s.slice(i);
    }
  }
  return s;
}

function nonFinite(x: number, upper: boolean): string {
  const s = Number.isNaN(x) ? "nan" : "inf";
  return upper ? s.toUpperCase() : s;
}

/**
 * C/Python `%.<prec>f` of a number (`prec` default 6), exact and half-even like glibc.
 *
 * @example
 * ```ts
 * formatFixed(0.125, 2); // "0.12"
 * formatFixed(2.5, 0);   // "2"
 * ```
 */
export function formatFixed(x: number, prec = 6): string {
  if (!Number.isFinite(x)) return (x < 0 ? "-" : "") + nonFinite(x, false);
  const s = fixedAbs(x, prec, false);
  return (x < 0 || Object.is(x, -0) ? "-" : "") + s;
}

/**
 * C/Python `%.<prec>e` of a number (`prec` default 6), exact; `formatExp(x, 18)` is numpy savetxt's
 * `%.18e` byte for byte.
 *
 * @example
 * ```ts
 * formatExp(71.71953125000000284, 18); // "7.171953125000000284e+01"
 * ```
 */
export function formatExp(x: number, prec = 6): string {
  if (!Number.isFinite(x)) return (x < 0 ? "-" : "") + nonFinite(x, false);
  const s = expAbs(x, prec, false, false);
  return (x < 0 || Object.is(x, -0) ? "-" : "") + s;
}

/**
 * C/Python `%.<prec>g` of a number (`prec` default 6).
 *
 * @example
 * ```ts
 * formatGeneral(0.236323111); // "0.236323"
 * formatGeneral(1e-5);        // "1e-05"
 * ```
 */
export function formatGeneral(x: number, prec = 6): string {
  if (!Number.isFinite(x)) return (x < 0 ? "-" : "") + nonFinite(x, false);
  const s = genAbs(x, prec, false, false);
  return (x < 0 || Object.is(x, -0) ? "-" : "") + s;
}

/**
 * Python `str()`/`repr()` of a float (also numpy float64 `str()`): the shortest digits that round-trip,
 * positional for 1e-4 ≤ |x| < 1e16 with at least one decimal (`3.0`), otherwise `1e-05`, `1.5e+16`.
 *
 * @example
 * ```ts
 * pyStr(599.9919314340731); // "599.9919314340731"
 * pyStr(3);                 // "3.0"
 * pyStr(1e-5);              // "1e-05"
 * ```
 */
export function pyStr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // JS gives the shortest round-trip digits; re-layout them the Python way.
  const [mant, e] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const exp = Number(e); // value = d.ddd × 10^exp
  const decpt = exp + 1; // Python's decpt: value = 0.ddd × 10^decpt
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return sign + m + expString(exp, false);
  }
  let s: string;
  if (decpt <= 0) s = "0." + "0".repeat(-decpt) + digits;
  else if (decpt >= digits.length) s = digits + "0".repeat(decpt - digits.length) + ".0";
  else s = digits.slice(0, decpt) + "." + digits.slice(decpt);
  return sign + s;
}

/** Python `str()` of a general value, as `%s` uses it (integers print without `.0`). */
function pyStrAny(v: PrintfArg): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : pyStr(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "True" : "False";
  return "None";
}

function toInteger(v: PrintfArg, conv: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot format ${v} with %${conv}: not a finite number`);
    return BigInt(Math.trunc(v));
  }
  throw new TypeError(`Cannot format ${JSON.stringify(v)} with %${conv}: a number is required`);
}

function toFloat(v: PrintfArg, conv: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TypeError(`Cannot format ${JSON.stringify(v)} with %${conv}: a number is required`);
}

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  alt: boolean;
  width: number;
  prec: number | null;
}

function pad(body: string, sign: string, spec: Spec, zeroOk: boolean): string {
  const len = sign.length + body.length;
  if (len >= spec.width) return sign + body;
  const n = spec.width - len;
  if (spec.left) return sign + body + " ".repeat(n);
  if (spec.zero && zeroOk) return sign + "0".repeat(n) + body;
  return " ".repeat(n) + sign + body;
}

function signOf(neg: boolean, spec: Spec): string {
  return neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
}

function formatOne(conv: string, v: PrintfArg, spec: Spec): string {
  switch (conv) {
    case "d":
    case "i":
    case "u": {
      const n = toInteger(v, conv);
      let body = (n < 0n ? -n : n).toString();
      if (spec.prec !== null && body.length < spec.prec) body = "0".repeat(spec.prec - body.length) + body;
      return pad(body, signOf(n < 0n, spec), spec, true);
    }
    case "x":
    case "X":
    case "o": {
      const n = toInteger(v, conv);
      const a = n < 0n ? -n : n;
      let body = a.toString(conv === "o" ? 8 : 16);
      if (conv === "X") body = body.toUpperCase();
      if (spec.prec !== null && body.length < spec.prec) body = "0".repeat(spec.prec - body.length) + body;
      const prefix = spec.alt ? (conv === "o" ? "0o" : conv === "x" ? "0x" : "0X") : "";
      return pad(body, signOf(n < 0n, spec) + prefix, spec, true);
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G": {
      const x = toFloat(v, conv);
      const upper = conv === "E" || conv === "F" || conv === "G";
      const neg = x < 0 || Object.is(x, -0);
      if (!Number.isFinite(x)) {
        return pad(nonFinite(x, upper), signOf(neg && !Number.isNaN(x), spec), spec, false);
      }
      const prec = spec.prec ?? 6;
      let body: string;
      if (conv === "f" || conv === "F") body = fixedAbs(x, prec, spec.alt);
      else if (conv === "e" || conv === "E") body = expAbs(x, prec, upper, spec.alt);
      else body = genAbs(x, prec, upper, spec.alt);
      return pad(body, signOf(neg, spec), spec, true);
    }
    case "c": {
      let s: string;
      if (typeof v === "number") s = String.fromCodePoint(v);
      else if (typeof v === "string" && [...v].length === 1) s = v;
      else throw new TypeError(`Cannot format ${JSON.stringify(v)} with %c: a single character is required`);
      return pad(s, "", spec, false);
    }
    case "s":
    case "r": {
      let s = pyStrAny(v);
      if (conv === "r" && typeof v === "string") s = "'" + v + "'";
      if (spec.prec !== null) s = s.slice(0, spec.prec);
      return pad(s, "", spec, false);
    }
  }
  throw new RangeError(`Unsupported format character "${conv}"`);
}

const SPEC_RE = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?[hlLq]*([diuxXoeEfFgGcsr%])/y;

/**
 * Format like C `printf` / Python `fmt % args`.
 *
 * @example
 * ```ts
 * sprintf("%2d %2d %3d %6d %6.1f    # max", 1, 0, 101, 91001, 11.93); // " 1  0 101  91001   11.9    # max"
 * sprintf("%-8s|%g", "ab", 0.0001); // "ab      |0.0001"
 * ```
 */
export function sprintf(fmt: string, ...args: PrintfArg[]): string {
  let out = "";
  let last = 0;
  let ai = 0;
  const next = (): PrintfArg => {
    if (ai >= args.length) throw new RangeError(`Not enough arguments for format string "${fmt}"`);
    return args[ai++];
  };
  for (let i = fmt.indexOf("%"); i >= 0; i = fmt.indexOf("%", last)) {
    out += fmt.slice(last, i);
    SPEC_RE.lastIndex = i;
    const m = SPEC_RE.exec(fmt);
    if (m === null) throw new RangeError(`Invalid conversion at position ${i} of format string "${fmt}"`);
    last = SPEC_RE.lastIndex;
    const flags = m[1] ?? "";
    const conv = m[4]!;
    if (conv === "%") {
      out += "%";
      continue;
    }
    const spec: Spec = {
      left: flags.includes("-"),
      plus: flags.includes("+"),
      space: flags.includes(" "),
      zero: flags.includes("0"),
      alt: flags.includes("#"),
      width: 0,
      prec: null,
    };
    if (m[2] === "*") {
      const w = Number(toInteger(next(), "*"));
      if (w < 0) {
        spec.left = true;
        spec.width = -w;
      } else spec.width = w;
    } else if (m[2] !== undefined) spec.width = Number(m[2]);
    if (m[3] !== undefined) {
      spec.prec = m[3] === "*" ? Math.max(0, Number(toInteger(next(), "*"))) : m[3] === "" ? 0 : Number(m[3]);
    }
    out += formatOne(conv, next(), spec);
  }
  out += fmt.slice(last);
  if (ai < args.length) throw new RangeError(`Not all arguments converted by format string "${fmt}"`);
  return out;
}
