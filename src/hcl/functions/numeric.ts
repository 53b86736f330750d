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
  if (Number.isNaN(f)) throw new FunctionError(`cannot compute ${what}: the result is not a number`);
  return Value.number(BigNum.fromFloat(f));
}

function isOddInt(x: number): boolean {
  if (Math.abs(x) >= 2 ** 53) return false;
  return Number.isInteger(x) && Math.abs(x % 2) === 1;
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
    a1 = Math.exp(yf * Math.log(x));
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
  const b = BigInt(base);
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
  void b;
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
  impl: (args) => Value.number((args[0] as Value).asBigNum().ceil()),
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
    return floatResult(Math.log(num) / Math.log(base), "the logarithm");
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
