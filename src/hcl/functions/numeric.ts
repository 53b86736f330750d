// Numeric functions: abs ceil floor log max min parseint pow signum sum.

import { convert } from "../cty/convert.js";
import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { BigNum } from "../cty/number.js";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** gocty's message for a number that does not fit a Go int. */
export const WHOLE_NUMBER_MESSAGE =
  "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

/**
 * A number value as a Go int (gocty.FromCtyValue into an int): the integer,
 * or undefined if it is fractional, infinite or outside int64.
 */
export function goInt(v: Value): bigint | undefined {
  const n = v.asBigNum();
  if (n.isInf() || !n.isInt()) return undefined;
  const b = n.toBigInt();
  if (b < INT64_MIN || b > INT64_MAX) return undefined;
  return b;
}

/** Like goInt, but throws a FunctionError (or ArgError for argIndex) with gocty's message. */
export function requireGoInt(v: Value, argIndex?: number, prefix = ""): bigint {
  const b = goInt(v);
  if (b === undefined) {
    const msg = prefix + WHOLE_NUMBER_MESSAGE;
    throw argIndex === undefined ? new FunctionError(msg) : new ArgError(argIndex, msg);
  }
  return b;
}

/** A JS number clamped from a Go int (for indexes and counts). */
export function intToNumber(b: bigint): number {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (b < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(b);
}

function floatResult(f: number, what: string): Value {
  if (Number.isNaN(f))
    throw new FunctionError(`cannot compute ${what}: the result is not a number`);
  return Value.number(BigNum.fromFloat(f));
}

function isOddInt(x: number): boolean {
  if (Math.abs(x) >= 2 ** 53) return false;
  return Number.isInteger(x) && Math.abs(x % 2) === 1;
}

// ---------------------------------------------------------------------------
// Go's float64 math, reproduced operation by operation so that results match
// Packer bit for bit (Exp follows Go's amd64 implementation, which uses fused
// multiply-add on CPUs that have it).

const f64 = new DataView(new ArrayBuffer(8));

/** Exact decomposition of a finite double: x = m × 2^e. */
function f64Parts(x: number): [bigint, number] {
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const ef = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (ef === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = ef - 1075;
  }
  return [hi >>> 31 ? -m : m, e];
}

/** Round m × 2^e to the nearest double (ties to even). */
function f64FromParts(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  let shift = a.toString(2).length - 53;
  if (e + shift < -1074) shift = -1074 - e;
  if (shift > 0) {
    const bs = BigInt(shift);
    let kept = a >> bs;
    const rem = a & ((1n << bs) - 1n);
    const half = 1n << (bs - 1n);
    if (rem > half || (rem === half && (kept & 1n) === 1n)) kept += 1n;
    a = kept;
    e += shift;
  }
  let r: number;
  if (e > 971) r = Number.POSITIVE_INFINITY;
  else if (e < -1022) r = Number(a) * 2 ** (e + 100) * 2 ** -100;
  else r = Number(a) * 2 ** e;
  return neg ? -r : r;
}

/** Fused multiply-add: a×b+c with a single rounding. */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  if (a === 0 || b === 0) return a * b + c;
  const [ma, ea] = f64Parts(a);
  const [mb, eb] = f64Parts(b);
  const mp = ma * mb;
  const ep = ea + eb;
  if (c === 0) return f64FromParts(mp, ep);
  const [mc, ec] = f64Parts(c);
  const e = Math.min(ep, ec);
  const sum = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return 0;
  return f64FromParts(sum, e);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const EXP_C = [
  0.5, 1.0, 2.0, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
  0.001388888888888889, 0.0001984126984126984, 0.0000248015873015873,
] as const;

/** Go's math.Exp as implemented for amd64 (FMA variant). */
export function goExp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  if (x > 709.782712893384) return Number.POSITIVE_INFINITY;
  const LN2U = 0.693147180559663;
  const LN2L = 2.8235290563031577e-13;
  const LOG2E = Math.LOG2E;
  const k = roundHalfEven(LOG2E * x);
  let r = fma(-LN2U, k, x);
  r = fma(-LN2L, k, r);
  r *= 0.0625;
  let p = fma(EXP_C[8], r, EXP_C[7]);
  p = fma(p, r, EXP_C[6]);
  p = fma(p, r, EXP_C[5]);
  p = fma(p, r, EXP_C[4]);
  p = fma(p, r, EXP_C[3]);
  p = fma(p, r, EXP_C[0]);
  p = fma(p, r, EXP_C[1]);
  r *= p;
  for (let i = 0; i < 3; i++) r *= r + EXP_C[2];
  r = fma(r + EXP_C[2], r, EXP_C[1]);
  const biased = k + 1023;
  if (biased >= 0x7ff) return Number.POSITIVE_INFINITY;
  if (biased <= 0) {
    if (biased < -52) return 0;
    return r * 2 ** (k + 1022) * 2 ** -1022;
  }
  return r * 2 ** k;
}

/** frexp: x = frac × 2^exp with 0.5 <= |frac| < 1. */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let f = x * 2 ** -e;
  while (Math.abs(f) < 0.5) {
    f *= 2;
    e--;
  }
  while (Math.abs(f) >= 1) {
    f /= 2;
    e++;
  }
  return [f, e];
}

function ldexp(frac: number, exp: number): number {
  // Apply the exponent in steps so intermediate values neither overflow nor
  // lose precision to subnormals prematurely.
  let r = frac;
  while (exp > 1000) {
    r *= 2 ** 1000;
    exp -= 1000;
  }
  while (exp < -1000) {
    r *= 2 ** -1000;
    exp += 1000;
    if (r === 0) return r;
  }
  return r * 2 ** exp;
}

/** Go's math.Log (FreeBSD algorithm, as in Go's amd64 assembly). */
export function goLog(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x < 0) return Number.NaN;
  if (x === 0) return Number.NEGATIVE_INFINITY;
  const Ln2Hi = 0.6931471803691238;
  const Ln2Lo = 1.9082149292705877e-10;
  let [f1, ki] = frexp(x);
  if (f1 < Math.SQRT2 / 2) {
    f1 *= 2;
    ki--;
  }
  const f = f1 - 1;
  const k = ki;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 =
    s2 *
    (0.6666666666666735 +
      s4 * (0.2857142874366239 + s4 * (0.1818357216161805 + s4 * 0.14798198605116586)));
  const t2 = s4 * (0.3999999999940942 + s4 * (0.22222198432149784 + s4 * 0.15313837699209373));
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * Ln2Hi - (hfsq - (s * (hfsq + R) + k * Ln2Lo) - f);
}

/** Go's math.Pow algorithm (exact repeated squaring for the integer part of y). */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === 0) {
    if (y < 0) return Object.is(x, -0) && isOddInt(y) ? -Infinity : Infinity;
    return Object.is(x, -0) && isOddInt(y) ? x : 0;
  }
  if (!Number.isFinite(y)) {
    if (x === -1) return 1;
    if (Math.abs(x) < 1 === (y === Infinity)) return 0;
    return Infinity;
  }
  if (!Number.isFinite(x)) {
    if (x === -Infinity) return goPow(1 / x, -y);
    return y < 0 ? 0 : Infinity;
  }
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);

  let yi = Math.trunc(Math.abs(y));
  let yf = Math.abs(y) - yi;
  if (yf !== 0 && x < 0) return Number.NaN;
  if (yi >= 2 ** 63) {
    if (x === -1) return 1;
    if (Math.abs(x) < 1 === y > 0) return 0;
    return Infinity;
  }
  let a1 = 1;
  let ae = 0;
  if (yf !== 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = goExp(yf * goLog(x));
  }
  let [x1, xe] = frexp(x);
  let i = BigInt(yi);
  while (i !== 0n) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      ae += xe;
      break;
    }
    if ((i & 1n) === 1n) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
    i >>= 1n;
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return ldexp(a1, ae);
}

/** Digit value for big.Int.SetString: 0-9, a-z, A-Z (case-insensitive up to base 36). */
function digitValue(c: number, base: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return base <= 36 ? c - 0x41 + 10 : c - 0x41 + 36;
  return 99;
}

/** Go's (*big.Int).SetString(s, base) for 2 <= base <= 62; undefined if invalid. */
export function parseBigInt(s: string, base: number): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  if (i >= s.length) return undefined;
  let n = 0n;
  // Accumulate in chunks to keep BigInt work low.
  let chunk = 0;
  let chunkMul = 1;
  for (; i < s.length; i++) {
    const d = digitValue(s.charCodeAt(i), base);
    if (d >= base) return undefined;
    chunk = chunk * base + d;
    chunkMul *= base;
    if (chunkMul > 2 ** 40) {
      n = n * BigInt(chunkMul) + BigInt(chunk);
      chunk = 0;
      chunkMul = 1;
    }
  }
  if (chunkMul > 1) n = n * BigInt(chunkMul) + BigInt(chunk);
  return neg ? -n : n;
}

const abs = new FunctionImpl({
  description: "Returns the absolute value of the given number.",
  params: [{ name: "num", type: Type.number, allowDynamicType: true }],
  type: staticReturnType(Type.number),
  impl: (args) => (args[0] as Value).absolute(),
});

const ceil = new FunctionImpl({
  description: "Returns the smallest whole number greater than or equal to the given value.",
  params: [{ name: "num", type: Type.number }],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const r = (args[0] as Value).asBigNum().ceil();
    return Value.number(r.isZero() ? BigNum.zero : r); // big.Float.Int never yields -0
  },
});

const floor = new FunctionImpl({
  description: "Returns the greatest whole number less than or equal to the given value.",
  params: [{ name: "num", type: Type.number }],
  type: staticReturnType(Type.number),
  impl: (args) => Value.number((args[0] as Value).asBigNum().floor()),
});

const log = new FunctionImpl({
  description: "Returns the logarithm of the given number in the given base.",
  params: [
    { name: "num", type: Type.number },
    { name: "base", type: Type.number },
  ],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const num = (args[0] as Value).asNumber();
    const base = (args[1] as Value).asNumber();
    return floatResult(goLog(num) / goLog(base), "the logarithm");
  },
});

const pow = new FunctionImpl({
  description: "Raises the first argument to the power of the second.",
  params: [
    { name: "num", type: Type.number },
    { name: "power", type: Type.number },
  ],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const num = (args[0] as Value).asNumber();
    const power = (args[1] as Value).asNumber();
    return floatResult(goPow(num, power), "the power");
  },
});

const signum = new FunctionImpl({
  description: "Returns -1, 0 or 1 according to the sign of the given number.",
  params: [{ name: "num", type: Type.number }],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const n = requireGoInt(args[0] as Value);
    return Value.number(n < 0n ? -1 : n > 0n ? 1 : 0);
  },
});

function extreme(name: string, pick: (a: BigNum, b: BigNum) => boolean): FunctionImpl {
  return new FunctionImpl({
    description: `Returns the ${name} of the given numbers.`,
    params: [],
    varParam: { name: "numbers", type: Type.number, allowDynamicType: true },
    type: staticReturnType(Type.number),
    impl: (args) => {
      if (args.length === 0) throw new FunctionError("must pass at least one number");
      let best = args[0] as Value;
      for (let i = 1; i < args.length; i++) {
        const v = args[i] as Value;
        if (pick(v.asBigNum(), best.asBigNum())) best = v;
      }
      return best;
    },
  });
}

const max = extreme("greatest", (a, b) => a.cmp(b) > 0);
const min = extreme("smallest", (a, b) => a.cmp(b) < 0);

const parseint = new FunctionImpl({
  description: "Parses a string as an integer in the given base (2 to 62).",
  params: [
    { name: "number", type: Type.dynamic },
    { name: "base", type: Type.number },
  ],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (!t.isString()) {
      throw new ArgError(0, `first argument must be a string, not ${t.friendlyName()}`);
    }
    return Type.number;
  },
  impl: (args) => {
    const str = (args[0] as Value).asString();
    const base = requireGoInt(args[1] as Value, 1);
    if (base < 2n || base > 62n) {
      throw new ArgError(1, "base must be a whole number between 2 and 62 inclusive");
    }
    const n = parseBigInt(str, Number(base));
    if (n === undefined) {
      throw new ArgError(0, `cannot parse ${goQuote(str)} as a base ${base} integer`);
    }
    return Value.number(n);
  },
});

const SUM_ELEMENTS = "argument must be list, set, or tuple of number values";

const sum = new FunctionImpl({
  description: "Returns the total of the numbers in a list, set or tuple.",
  params: [{ name: "list", type: Type.dynamic }],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const list = args[0] as Value;
    const t = list.type;
    const iterable = t.isList() || t.isSet() || t.isMap() || t.isTuple() || t.isObject();
    if (!iterable) throw new ArgError(0, "cannot sum noniterable");
    if (list.lengthInt() === 0) throw new ArgError(0, "cannot sum an empty list");
    if (!t.isList() && !t.isSet() && !t.isTuple()) {
      throw new ArgError(0, `argument must be list, set, or tuple. Received ${t.friendlyName()}`);
    }
    if (!list.isWhollyKnown()) return Value.unknown(Type.number);
    let total: BigNum | undefined;
    for (const e of list.elements()) {
      if (e.isNull()) throw new ArgError(0, SUM_ELEMENTS);
      const r = convert(e, Type.number);
      if ("error" in r) throw new ArgError(0, SUM_ELEMENTS);
      const n = r.value.asBigNum();
      if (total === undefined) total = n;
      else {
        if (total.isInf() && n.isInf() && total.sign() !== n.sign()) {
          throw new FunctionError("can't compute sum of opposing infinities");
        }
        total = total.add(n);
      }
    }
    return Value.number(total as BigNum);
  },
});

export const numericFunctions: Record<string, FunctionImpl> = {
  abs,
  ceil,
  floor,
  log,
  max,
  min,
  parseint,
  pow,
  signum,
  sum,
};
