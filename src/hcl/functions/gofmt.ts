// Go-style formatting as cty's format/formatlist functions do it: the verb
// scanner (cty's format_fsm), per-verb conversions and errors, and the parts
// of Go's fmt / math/big formatting that cty leans on (big.Int and big.Float
// Format, %e/%f/%g digit generation with Go's rounding, JSON quoting).

import { convert } from "../cty/convert.js";
import { ArgError, FunctionError } from "../cty/function.js";
import { jsonEncode } from "../cty/json.js";
import { BigNum } from "../cty/number.js";
import { Type } from "../cty/type.js";
import type { Value } from "../cty/value.js";
import { lazyRegExp } from "./lazy.js";

// ---------------------------------------------------------------------------
// Unicode helpers

let segmenter: Intl.Segmenter | undefined;

/** Split a string into extended grapheme clusters (cty's notion of "character"). */
export function graphemes(s: string): string[] {
  if (s === "") return [];
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || c === 0x0d) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.split("");
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const out: string[] = [];
  for (const seg of segmenter.segment(s)) out.push(seg.segment);
  return out;
}

/** Number of grapheme clusters in s. */
export function graphemeCount(s: string): number {
  return graphemes(s).length;
}

/** Number of bytes s takes in UTF-8 (Go's string offsets are byte offsets). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const printable = lazyRegExp(String.raw`^[\p{L}\p{M}\p{N}\p{P}\p{S}]$`, "u");

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Go's strconv.QuoteRune (what %q prints for a rune): 'x', '\n', '\x00', '\u00a0'. */
export function goQuoteRune(cp: number): string {
  switch (cp) {
    case 0x07:
      return "'\\a'";
    case 0x08:
      return "'\\b'";
    case 0x0c:
      return "'\\f'";
    case 0x0a:
      return "'\\n'";
    case 0x0d:
      return "'\\r'";
    case 0x09:
      return "'\\t'";
    case 0x0b:
      return "'\\v'";
    case 0x27:
      return "'\\''";
    case 0x5c:
      return "'\\\\'";
  }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x20 || cp === 0x7f) return `'\\x${hex(cp, 2)}'`;
  const ch = String.fromCodePoint(cp);
  if (cp === 0x20 || (cp < 0x7f && cp > 0x20) || printable().test(ch)) return `'${ch}'`;
  return cp < 0x10000 ? `'\\u${hex(cp, 4)}'` : `'\\U${hex(cp, 8)}'`;
}

/** Go's strconv.Quote for the ASCII-ish strings that appear in error messages. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += "\\\\";
    else if (cp >= 0x20 && cp !== 0x7f && (cp < 0x7f || printable().test(ch))) out += ch;
    else {
      const q = goQuoteRune(cp);
      out += q.slice(1, -1);
    }
  }
  return `${out}"`;
}

/**
 * A string as Go's encoding/json writes it (cty's JSON for strings): HTML
 * characters and U+2028/U+2029 escaped, \b \f \n \r \t short escapes, other
 * control characters as \u00XX.
 */
export function goJsonQuote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = "\\\\";
          break;
        case 0x0a:
          esc = "\\n";
          break;
        case 0x0d:
          esc = "\\r";
          break;
        case 0x09:
          esc = "\\t";
          break;
        case 0x08:
          esc = "\\b";
          break;
        case 0x0c:
          esc = "\\f";
          break;
        default:
          esc = `\\u${hex(c, 4)}`;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = `\\u${hex(c, 4)}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const paired =
        c <= 0xdbff &&
        i + 1 < s.length &&
        s.charCodeAt(i + 1) >= 0xdc00 &&
        s.charCodeAt(i + 1) <= 0xdfff;
      if (paired) {
        i++;
        continue;
      }
      esc = "\\ufffd";
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out + s.slice(start)}"`;
}

// ---------------------------------------------------------------------------
// Decimal digit generation for big.Float (math/big ftoa.go semantics).

/** value = 0.mant × 10^exp; mant has no leading or trailing zeros ("" for zero). */
interface Decimal {
  mant: string;
  exp: number;
}

function trimDecimal(d: Decimal): Decimal {
  let end = d.mant.length;
  while (end > 0 && d.mant.charCodeAt(end - 1) === 0x30) end--;
  if (end === 0) return { mant: "", exp: 0 };
  return { mant: d.mant.slice(0, end), exp: d.exp };
}

/** Decimal digits of a non-negative integer string scaled by 10^-k. */
function decimalFromInt(digits: string, k: number): Decimal {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 0x30) i++;
  const m = digits.slice(i);
  if (m === "") return { mant: "", exp: 0 };
  return trimDecimal({ mant: m, exp: m.length - k });
}

/** The exact decimal expansion of |x| (x finite). */
function exactDecimal(x: BigNum): Decimal {
  const a = x.abs();
  if (a.isZero()) return { mant: "", exp: 0 };
  if (a.isInt()) return decimalFromInt(a.toBigInt().toString(), 0);
  // Find k with a·2^k an integer; multiplying by a power of two is exact.
  let k = 64;
  let scaled = a.mul(BigNum.fromBigInt(1n << 64n));
  while (!scaled.isInt()) {
    if (k > 1 << 22) {
      // Not reachable for cty numbers; fall back to the nearest double.
      return shortestDecimal(BigNum.fromFloat(a.toNumber()));
    }
    scaled = scaled.mul(BigNum.fromBigInt(1n << BigInt(k)));
    k *= 2;
  }
  // Trim factors of two to keep the numbers small.
  let n = scaled.toBigInt();
  while (k > 0 && (n & 1n) === 0n) {
    n >>= 1n;
    k--;
  }
  return decimalFromInt((n * 5n ** BigInt(k)).toString(), k);
}

/** The shortest decimal that rounds back to |x| at its precision (big.Float roundShortest). */
function shortestDecimal(x: BigNum): Decimal {
  let s = x.abs().toString(); // Text('f', -1): fixed notation, shortest digits
  if (s.startsWith("-")) s = s.slice(1);
  const dot = s.indexOf(".");
  if (dot < 0) return decimalFromInt(s, 0);
  return decimalFromInt(s.slice(0, dot) + s.slice(dot + 1), s.length - dot - 1);
}

function shouldRoundUp(d: Decimal, n: number): boolean {
  if (d.mant[n] === "5" && n + 1 === d.mant.length) {
    // Exactly halfway: round to even.
    return n > 0 && (d.mant.charCodeAt(n - 1) - 0x30) % 2 === 1;
  }
  return d.mant.charCodeAt(n) >= 0x35;
}

/** Round d to n significant digits (no-op if n < 0 or already shorter). */
function roundDecimal(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.mant.length) return d;
  if (shouldRoundUp(d, n)) {
    let i = n - 1;
    while (i >= 0 && d.mant[i] === "9") i--;
    if (i < 0) return { mant: "1", exp: d.exp + 1 };
    return trimDecimal({
      mant: d.mant.slice(0, i) + String.fromCharCode(d.mant.charCodeAt(i) + 1),
      exp: d.exp,
    });
  }
  return trimDecimal({ mant: d.mant.slice(0, n), exp: d.exp });
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.mant.length ? (d.mant[i] as string) : "0";
}

function fmtE(fmt: "e" | "E", prec: number, d: Decimal): string {
  let out = d.mant.length > 0 ? (d.mant[0] as string) : "0";
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.mant.length, prec + 1);
    let i = 1;
    if (i < m) {
      out += d.mant.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += "0";
  }
  out += fmt;
  let exp = d.mant.length > 0 ? d.exp - 1 : 0;
  let sign = "+";
  if (exp < 0) {
    sign = "-";
    exp = -exp;
  }
  return `${out}${sign}${exp < 10 ? "0" : ""}${exp}`;
}

function fmtF(prec: number, d: Decimal): string {
  let out: string;
  if (d.exp > 0) {
    const m = Math.min(d.mant.length, d.exp);
    out = d.mant.slice(0, m) + "0".repeat(d.exp - m);
  } else out = "0";
  if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) out += digitAt(d, d.exp + i);
  }
  return out;
}

/**
 * Go's (*big.Float).Text(fmt, prec) for fmt in e E f g G; prec < 0 means
 * the shortest representation that round-trips at the number's precision.
 */
export function floatText(x: BigNum, fmt: "e" | "E" | "f" | "g" | "G", prec: number): string {
  const neg = x.signBit();
  if (x.isInf()) return neg ? "-Inf" : "+Inf";
  const sign = neg ? "-" : "";
  let d: Decimal;
  let shortest = false;
  if (prec < 0) {
    shortest = true;
    d = shortestDecimal(x);
    switch (fmt) {
      case "e":
      case "E":
        prec = d.mant.length - 1;
        break;
      case "f":
        prec = Math.max(d.mant.length - d.exp, 0);
        break;
      default:
        prec = d.mant.length;
    }
  } else {
    d = exactDecimal(x);
    switch (fmt) {
      case "e":
      case "E":
        d = roundDecimal(d, 1 + prec);
        break;
      case "f":
        d = roundDecimal(d, d.exp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(d, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return sign + fmtE(fmt, prec, d);
    case "f":
      return sign + fmtF(prec, d);
    default: {
      let eprec = prec;
      if (eprec > d.mant.length && d.mant.length >= d.exp) eprec = d.mant.length;
      if (shortest) eprec = 6;
      const exp = d.exp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.mant.length) prec = d.mant.length;
        return sign + fmtE(fmt === "g" ? "e" : "E", prec - 1, d);
      }
      if (prec > d.exp) prec = d.mant.length;
      return sign + fmtF(Math.max(prec - d.exp, 0), d);
    }
  }
}

// ---------------------------------------------------------------------------
// Go fmt verb handling for numbers

/** A parsed %-sequence. */
export interface FormatVerb {
  /** The verb text as written, e.g. "%-[2]5.2f". */
  raw: string;
  /** Byte offset of the '%' in the format string. */
  offset: number;
  /** One-based argument number. */
  argNum: number;
  mode: string;
  zero: boolean;
  sharp: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
  /** -1 when absent. */
  width: number;
  /** -1 when absent. */
  prec: number;
}

function pad(n: number, ch = " "): string {
  return n > 0 ? ch.repeat(n) : "";
}

/** Go's fmt zero flag: ignored when padding on the right. */
function zeroFlag(v: FormatVerb): boolean {
  return v.zero && !v.minus;
}

/** (*big.Int).Format for verbs b d o x X. */
export function formatGoInteger(n: bigint, v: FormatVerb): string {
  const base = v.mode === "b" ? 2 : v.mode === "o" ? 8 : v.mode === "x" || v.mode === "X" ? 16 : 10;
  const neg = n < 0n;
  let sign = "";
  if (neg) sign = "-";
  else if (v.plus) sign = "+";
  else if (v.space) sign = " ";
  let prefix = "";
  if (v.sharp) {
    if (v.mode === "b") prefix = "0b";
    else if (v.mode === "o") prefix = "0";
    else if (v.mode === "x") prefix = "0x";
    else if (v.mode === "X") prefix = "0X";
  }
  let digits = (neg ? -n : n).toString(base);
  if (v.mode === "X") digits = digits.toUpperCase();
  let left = 0;
  let zeros = 0;
  let right = 0;
  const precSet = v.prec >= 0;
  if (precSet) {
    if (digits.length < v.prec) zeros = v.prec - digits.length;
    else if (digits === "0" && v.prec === 0) return ""; // nothing at all for zero with zero precision
  }
  const length = sign.length + prefix.length + zeros + digits.length;
  if (v.width >= 0 && length < v.width) {
    const d = v.width - length;
    if (v.minus) right = d;
    else if (zeroFlag(v) && !precSet) zeros = d;
    else left = d;
  }
  return pad(left) + sign + prefix + pad(zeros, "0") + digits + pad(right);
}

/** (*big.Float).Format for verbs e E f g G. */
export function formatGoFloat(x: BigNum, v: FormatVerb): string {
  let prec = v.prec;
  const hasPrec = prec >= 0;
  if (!hasPrec) prec = 6;
  const mode = v.mode as "e" | "E" | "f" | "g" | "G";
  if ((mode === "g" || mode === "G") && !hasPrec) prec = -1;
  let buf = floatText(x, mode, prec);
  let sign = "";
  if (buf.startsWith("-")) {
    sign = "-";
    buf = buf.slice(1);
  } else if (buf.startsWith("+")) {
    sign = v.space ? " " : "+";
    buf = buf.slice(1);
  } else if (v.plus) sign = "+";
  else if (v.space) sign = " ";
  let padding = 0;
  if (v.width >= 0 && v.width > sign.length + buf.length) {
    padding = v.width - sign.length - buf.length;
  }
  if (zeroFlag(v) && !x.isInf()) return sign + pad(padding, "0") + buf;
  if (v.minus) return sign + buf + pad(padding);
  return pad(padding) + sign + buf;
}

// ---------------------------------------------------------------------------
// cty's format engine

class FormatFailure extends Error {}

function fail(msg: string): never {
  throw new FormatFailure(msg);
}

/** cty's formatPadWidth: pads to the width in grapheme clusters. */
function padWidth(v: FormatVerb, s: string): string {
  if (v.width < 0) return s;
  const have = graphemeCount(s);
  if (have >= v.width) return s;
  const pads = (v.zero ? "0" : " ").repeat(v.width - have);
  return v.minus ? s + pads : pads + s;
}

/** JSON as cty's json.Marshal writes it (used by %v and %#v). */
function marshal(v: Value): string {
  if (v.isNull()) return "null";
  const t = v.type;
  if (t.isString()) return goJsonQuote(v.asString());
  if (t.isNumber()) return v.asBigNum().toString();
  if (t.isBool()) return v.asBool() ? "true" : "false";
  return jsonEncode(v);
}

function appendAsIs(v: FormatVerb, arg: Value): string {
  if (!v.sharp && !arg.isNull()) {
    if (arg.type.isString()) return padWidth(v, arg.asString());
    if (arg.type.isNumber()) return padWidth(v, floatText(arg.asBigNum(), "g", -1));
  }
  let js: string;
  try {
    js = marshal(arg);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    fail(`unsupported value for ${goQuote(v.raw)} at ${v.offset}: ${msg}`);
  }
  return padWidth(v, js);
}

function convertFor(v: FormatVerb, arg: Value, t: Type): Value {
  const r = convert(arg, t);
  if ("error" in r) fail(`unsupported value for ${goQuote(v.raw)} at ${v.offset}: ${r.error}`);
  return r.value;
}

function appendVerb(v: FormatVerb, args: readonly Value[]): string {
  const argIdx = v.argNum - 1;
  if (argIdx >= args.length) {
    fail(
      `not enough arguments for ${goQuote(v.raw)} at ${v.offset}: need index ${v.argNum} but have ${args.length} total`,
    );
  }
  const arg = args[argIdx] as Value;
  if (v.mode !== "v" && arg.isNull()) {
    fail(`unsupported value for ${goQuote(v.raw)} at ${v.offset}: null value cannot be formatted`);
  }
  if (v.width > 1_000_000 || v.prec > 1_000_000) {
    fail(`unsupported value for ${goQuote(v.raw)} at ${v.offset}: width or precision too large`);
  }
  switch (v.mode) {
    case "v":
      return appendAsIs(v, arg);
    case "t":
      return convertFor(v, arg, Type.bool).asBool() ? "true" : "false";
    case "b":
    case "d":
    case "o":
    case "x":
    case "X": {
      const n = convertFor(v, arg, Type.number).asBigNum();
      if (n.isInf() || !n.isInt()) {
        fail(`unsupported value for ${goQuote(v.raw)} at ${v.offset}: an integer is required`);
      }
      return formatGoInteger(n.toBigInt(), v);
    }
    case "e":
    case "E":
    case "f":
    case "g":
    case "G":
      return formatGoFloat(convertFor(v, arg, Type.number).asBigNum(), v);
    case "s":
    case "q": {
      let s = convertFor(v, arg, Type.string).asString();
      if (v.prec > 0) s = graphemes(s).slice(0, v.prec).join("");
      return padWidth(v, v.mode === "s" ? s : goJsonQuote(s));
    }
    default:
      return fail(
        `unsupported format verb ${goQuoteRune(v.mode.codePointAt(0) as number)} in ${goQuote(v.raw)} at offset ${v.offset}`,
      );
  }
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Apply a cty format string to known, non-marked argument values. Throws
 * FunctionError (or ArgError for surplus arguments, indexed as in the
 * format() call, where argument 0 is the format string itself).
 */
export function formatValues(format: string, args: readonly Value[]): string {
  let out = "";
  let nextArg = 1;
  let highestArgIdx = 0;
  const n = format.length;
  let i = 0;
  // Byte offset of index i, maintained incrementally.
  let byteOff = 0;
  const byteAt = (j: number): number => byteOff + utf8Length(format.slice(i, j));
  try {
    while (i < n) {
      const c = format.charCodeAt(i);
      if (c !== 0x25 /* % */) {
        let j = i + 1;
        while (j < n && format.charCodeAt(j) !== 0x25) j++;
        out += format.slice(i, j);
        byteOff += utf8Length(format.slice(i, j));
        i = j;
        continue;
      }
      if (format.charCodeAt(i + 1) === 0x25) {
        out += "%";
        i += 2;
        byteOff += 2;
        continue;
      }
      const start = i;
      const v: FormatVerb = {
        raw: "",
        offset: byteOff,
        argNum: nextArg,
        mode: "",
        zero: false,
        sharp: false,
        plus: false,
        minus: false,
        space: false,
        width: -1,
        prec: -1,
      };
      let j = i + 1;
      const unexpected = (): never => {
        if (j >= n) fail(`invalid format string starting at offset ${byteAt(n)}`);
        const cp = format.codePointAt(j) as number;
        return fail(`unrecognized format character ${goQuoteRune(cp)} at offset ${byteAt(j)}`);
      };
      // flags
      for (; j < n; j++) {
        const f = format[j];
        if (f === "0") v.zero = true;
        else if (f === "#") v.sharp = true;
        else if (f === "-") v.minus = true;
        else if (f === "+") v.plus = true;
        else if (f === " ") v.space = true;
        else break;
      }
      // [n] argument index
      if (format[j] === "[") {
        j++;
        if (j >= n || format.charCodeAt(j) < 0x31 || format.charCodeAt(j) > 0x39) unexpected();
        let num = 0;
        while (j < n && isDigit(format.charCodeAt(j))) {
          num = num * 10 + (format.charCodeAt(j) - 0x30);
          if (num > 1e9) num = 1e9;
          j++;
        }
        if (format[j] !== "]") unexpected();
        j++;
        v.argNum = num;
      }
      // width
      if (j < n && format.charCodeAt(j) >= 0x31 && format.charCodeAt(j) <= 0x39) {
        let w = 0;
        while (j < n && isDigit(format.charCodeAt(j))) {
          w = Math.min(w * 10 + (format.charCodeAt(j) - 0x30), 1e9);
          j++;
        }
        v.width = w;
      }
      // precision
      if (format[j] === ".") {
        j++;
        let p = 0;
        while (j < n && isDigit(format.charCodeAt(j))) {
          p = Math.min(p * 10 + (format.charCodeAt(j) - 0x30), 1e9);
          j++;
        }
        v.prec = p;
      }
      if (j >= n || !isLetter(format.charCodeAt(j))) unexpected();
      v.mode = format[j] as string;
      j++;
      v.raw = format.slice(start, j);
      if (v.argNum > highestArgIdx) highestArgIdx = v.argNum;
      out += appendVerb(v, args);
      nextArg = v.argNum + 1;
      byteOff += utf8Length(format.slice(i, j));
      i = j;
    }
  } catch (e) {
    if (e instanceof FormatFailure) throw new FunctionError(e.message);
    throw e;
  }
  if (highestArgIdx < args.length) {
    const firstBad = highestArgIdx + 1;
    if (highestArgIdx === 0) {
      throw new ArgError(firstBad, "too many arguments; no verbs in format string");
    }
    throw new ArgError(firstBad, `too many arguments; only ${highestArgIdx} used by format string`);
  }
  return out;
}
