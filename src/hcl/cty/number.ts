// Arbitrary-precision binary floating point numbers with the semantics of Go's
// math/big.Float as cty uses it: every number has a precision in bits, results
// of arithmetic take the larger operand precision and are rounded to nearest
// even, zeros are signed and infinities exist (NaN does not: operations that
// would produce one throw ArithmeticError).
//
// Representation: a number is either in "fast" form, where `f` is a JS double
// holding the exact value (or ±Infinity), or in "big" form, where the value is
// m * 2^e with m a non-zero odd BigInt. Any value that a double can hold
// exactly is always kept in fast form, so small integers never touch BigInt.

/** Thrown by arithmetic that has no defined result (e.g. 0/0, ∞-∞). */
export class ArithmeticError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArithmeticError";
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

const f64buf = new DataView(new ArrayBuffer(8));

/** Number of bits in x (x > 0). */
function bitLen(x: bigint): number {
  if (x < 0x20000000000000n) {
    const n = Number(x);
    if (n < 0x100000000) return 32 - Math.clz32(n);
    return 64 - Math.clz32(Math.floor(n / 0x100000000));
  }
  const h = x.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(h[0] as string, 16)));
}

/** Number of trailing zero bits of x (x > 0). */
function trailingZeros(x: bigint): number {
  if ((x & 1n) === 1n) return 0;
  return bitLen(x & -x) - 1;
}

const pow5Cache: bigint[] = [1n];
function pow5(k: number): bigint {
  if (k < 64) {
    let p = pow5Cache[k];
    if (p === undefined) {
      for (let i = pow5Cache.length; i <= k; i++) pow5Cache[i] = (pow5Cache[i - 1] as bigint) * 5n;
      p = pow5Cache[k] as bigint;
    }
    return p;
  }
  return 5n ** BigInt(k);
}
function pow10(k: number): bigint {
  return pow5(k) << BigInt(k);
}

interface Parts {
  neg: boolean;
  mag: bigint; // > 0
  e: number;
}

/** Exact binary decomposition of a finite non-zero double. */
function decompose(f: number): Parts {
  const neg = f < 0;
  const a = neg ? -f : f;
  if (a <= MAX_SAFE && Number.isInteger(a)) return { neg, mag: BigInt(a), e: 0 };
  f64buf.setFloat64(0, a);
  const hi = f64buf.getUint32(0);
  const lo = f64buf.getUint32(4);
  const ef = (hi >>> 20) & 0x7ff;
  let mag = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (ef === 0) e = -1074;
  else {
    mag |= 1n << 52n;
    e = ef - 1075;
  }
  return { neg, mag, e };
}

/** Round mag*2^e to `prec` significant bits, nearest-even. */
function roundParts(mag: bigint, e: number, prec: number): { mag: bigint; e: number } {
  const bl = bitLen(mag);
  if (bl <= prec) return { mag, e };
  const shift = bl - prec;
  const bs = BigInt(shift);
  let kept = mag >> bs;
  const rem = mag & ((1n << bs) - 1n);
  const half = 1n << (bs - 1n);
  if (rem > half || (rem === half && (kept & 1n) === 1n)) kept += 1n;
  return { mag: kept, e: e + shift };
}

/** Round mag*2^e to the nearest double (nearest-even, with subnormals and overflow). */
function partsToDouble(neg: boolean, mag: bigint, e: number): number {
  const bl = bitLen(mag);
  const lowExp = Math.max(e + bl - 53, -1074);
  let kept = mag;
  let ke = e;
  if (lowExp > e) {
    const shift = lowExp - e;
    const bs = BigInt(shift);
    kept = mag >> bs;
    const rem = mag & ((1n << bs) - 1n);
    const half = 1n << (bs - 1n);
    if (rem > half || (rem === half && (kept & 1n) === 1n)) kept += 1n;
    ke = lowExp;
  }
  let r: number;
  if (ke > 1023) r = Number.POSITIVE_INFINITY;
  else if (ke < -1022) r = Number(kept) * 2 ** (ke + 60) * 2 ** -60;
  else r = Number(kept) * 2 ** ke;
  return neg ? -r : r;
}

export class BigNum {
  /** Precision in bits of the mantissa. */
  readonly prec: number;
  /** Fast form: the exact value. Big form: NaN. */
  private readonly f: number;
  /** Big form: odd signed mantissa. */
  private readonly m: bigint | undefined;
  private readonly e: number;

  private constructor(prec: number, f: number, m?: bigint, e?: number) {
    this.prec = prec;
    this.f = f;
    this.m = m;
    this.e = e ?? 0;
  }

  static readonly zero: BigNum = new BigNum(64, 0);
  static readonly one: BigNum = new BigNum(64, 1);
  static readonly posInf: BigNum = new BigNum(64, Number.POSITIVE_INFINITY);
  static readonly negInf: BigNum = new BigNum(64, Number.NEGATIVE_INFINITY);

  /**
   * From a JS number. Integers get 64-bit precision (as cty.NumberIntVal),
   * other values 53-bit (as cty.NumberFloatVal). NaN becomes 0.
   */
  static fromNumber(n: number): BigNum {
    if (Number.isNaN(n)) return BigNum.zero;
    if (Number.isInteger(n) && n <= MAX_SAFE && n >= -MAX_SAFE) return new BigNum(64, n);
    return new BigNum(53, n);
  }

  /** From a JS number, always with 53-bit precision (cty.NumberFloatVal). */
  static fromFloat(n: number): BigNum {
    return new BigNum(53, Number.isNaN(n) ? 0 : n);
  }

  /** From an integer; precision is max(64, bit length) as big.Float.SetInt. */
  static fromBigInt(b: bigint): BigNum {
    const neg = b < 0n;
    const mag = neg ? -b : b;
    if (mag <= 0x20000000000000n) return new BigNum(64, Number(b));
    const bl = bitLen(mag);
    return BigNum.make(neg, mag, 0, Math.max(bl, 64));
  }

  /** Build from parts, rounding to prec and normalizing. mag may be 0. */
  private static make(neg: boolean, mag: bigint, e: number, prec: number): BigNum {
    if (mag === 0n) return new BigNum(prec, neg ? -0 : 0);
    let r = roundParts(mag, e, prec);
    let m = r.mag;
    let ex = r.e;
    const tz = trailingZeros(m);
    if (tz > 0) {
      m >>= BigInt(tz);
      ex += tz;
    }
    const bl = bitLen(m);
    if (bl <= 53 && ex >= -1074 && ex + bl <= 1024) {
      const v = ex < -1022 ? Number(m) * 2 ** (ex + 60) * 2 ** -60 : Number(m) * 2 ** ex;
      return new BigNum(prec, neg ? -v : v);
    }
    r = { mag: m, e: ex };
    return new BigNum(prec, Number.NaN, neg ? -r.mag : r.mag, r.e);
  }

  /**
   * Parse a decimal number as big.ParseFloat(s, 10, 512, ToNearestEven):
   * optional sign, digits with optional fraction, optional e/E (decimal) or
   * p/P (binary) exponent, or "Inf"/"inf". Returns undefined if invalid.
   */
  static parse(s: string, prec = 512): BigNum | undefined {
    const n = s.length;
    if (n === 0) return undefined;
    // Fast path: short plain integers.
    if (n <= 15) {
      let ok = true;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) {
          ok = false;
          break;
        }
      }
      if (ok) return new BigNum(prec, Number(s));
    }
    const mt = /^([+-]?)(?:(inf|Inf)|(\d*)(?:\.(\d*))?(?:([eEpP])([+-]?\d+))?)$/.exec(s);
    if (!mt) return undefined;
    const neg = mt[1] === "-";
    if (mt[2] !== undefined) return new BigNum(prec, neg ? -Infinity : Infinity);
    const intPart = mt[3] ?? "";
    const fracPart = mt[4] ?? "";
    if (intPart.length + fracPart.length === 0) return undefined;
    let exp10 = -fracPart.length;
    let exp2 = 0;
    if (mt[5] !== undefined) {
      const x = Number(mt[6]);
      if (mt[5] === "e" || mt[5] === "E") exp10 += x;
      else exp2 = x;
    }
    const digits = BigInt(intPart + fracPart);
    if (digits === 0n) return new BigNum(prec, neg ? -0 : 0);
    // Guard against absurd exponents (far beyond anything cty can print).
    const mag10 = exp10 + intPart.length + fracPart.length;
    if (mag10 > 400000 || exp2 > 1300000) return new BigNum(prec, neg ? -Infinity : Infinity);
    if (mag10 < -400000 || exp2 < -1300000) return new BigNum(prec, neg ? -0 : 0);
    if (exp10 >= 0) return BigNum.make(neg, digits * pow10(exp10), exp2, prec);
    const k = -exp10;
    return BigNum.divParts(neg, digits, pow5(k), exp2 - k, prec);
  }

  /** n / d * 2^e rounded to prec (n, d > 0). */
  private static divParts(neg: boolean, n: bigint, d: bigint, e: number, prec: number): BigNum {
    const s = Math.max(0, prec + 2 - (bitLen(n) - bitLen(d)));
    const bs = BigInt(s);
    const num = n << bs;
    let q = num / d;
    let ex = e - s;
    if (q * d !== num) {
      q = (q << 1n) | 1n; // sticky bit
      ex -= 1;
    }
    return BigNum.make(neg, q, ex, prec);
  }

  private parts(): Parts {
    if (this.m === undefined) return decompose(this.f);
    const neg = this.m < 0n;
    return { neg, mag: neg ? -this.m : this.m, e: this.e };
  }

  /** Same value with a different precision (rounding if narrower). */
  withPrec(prec: number): BigNum {
    if (prec === this.prec) return this;
    if (this.m === undefined && (prec >= 53 || this.isZero() || this.isInf())) {
      return new BigNum(prec, this.f);
    }
    const p = this.parts();
    return BigNum.make(p.neg, p.mag, p.e, prec);
  }

  isInf(): boolean {
    return this.f === Infinity || this.f === -Infinity;
  }
  isZero(): boolean {
    return this.f === 0;
  }
  /** -1, 0 or 1 (zero of either sign gives 0). */
  sign(): number {
    if (this.m !== undefined) return this.m < 0n ? -1 : 1;
    return this.f > 0 ? 1 : this.f < 0 ? -1 : 0;
  }
  /** True for negative numbers and negative zero. */
  signBit(): boolean {
    if (this.m !== undefined) return this.m < 0n;
    return this.f < 0 || Object.is(this.f, -0);
  }
  isInt(): boolean {
    if (this.m !== undefined) return this.e >= 0;
    return Number.isInteger(this.f);
  }
  /** True if the value is an integer that fits in int64. */
  isInt64(): boolean {
    if (this.m === undefined)
      return Number.isInteger(this.f) && this.f >= -(2 ** 63) && this.f < 2 ** 63;
    if (this.e < 0) return false;
    const b = this.toBigInt();
    return b >= INT64_MIN && b <= INT64_MAX;
  }

  /** Nearest double (overflowing to ±Infinity). */
  toNumber(): number {
    if (this.m === undefined) return this.f;
    const p = this.parts();
    return partsToDouble(p.neg, p.mag, p.e);
  }

  /** The integer part, truncated toward zero. Infinities give 0n. */
  toBigInt(): bigint {
    if (this.m === undefined) {
      if (!Number.isFinite(this.f)) return 0n;
      const t = Math.trunc(this.f);
      if (Math.abs(t) <= MAX_SAFE) return BigInt(t);
      return BigInt(t); // large doubles are integers; BigInt() is exact
    }
    if (this.e >= 0) return this.m << BigInt(this.e);
    const neg = this.m < 0n;
    const mag = (neg ? -this.m : this.m) >> BigInt(-this.e);
    return neg ? -mag : mag;
  }

  neg(): BigNum {
    if (this.m === undefined) return new BigNum(this.prec, -this.f);
    return new BigNum(this.prec, Number.NaN, -this.m, this.e);
  }
  abs(): BigNum {
    return this.signBit() ? this.neg() : this;
  }

  add(o: BigNum): BigNum {
    return this.addp(o, false, Math.max(this.prec, o.prec));
  }
  sub(o: BigNum): BigNum {
    return this.addp(o, true, Math.max(this.prec, o.prec));
  }

  private addp(o: BigNum, subtract: boolean, prec: number): BigNum {
    if (this.m === undefined && o.m === undefined) {
      const a = this.f;
      const b = subtract ? -o.f : o.f;
      const s = a + b;
      if (Number.isFinite(s)) {
        // TwoSum: the rounding error of s is zero iff s is exact.
        const bb = s - a;
        if (a - (s - bb) + (b - bb) === 0 && prec >= 53) return new BigNum(prec, s);
      } else if (!Number.isFinite(a) || !Number.isFinite(b)) {
        if (Number.isNaN(s)) {
          throw new ArithmeticError(
            subtract
              ? "can't subtract infinity from itself"
              : "can't compute sum of opposing infinities",
          );
        }
        return new BigNum(prec, s);
      }
    } else if (this.isInf() || o.isInf()) {
      return new BigNum(prec, this.isInf() ? this.f : subtract ? -o.f : o.f);
    }
    if (o.isZero()) return this.withPrec(prec);
    if (this.isZero()) return (subtract ? o.neg() : o).withPrec(prec);
    const x = this.parts();
    const y = o.parts();
    const yneg = subtract ? !y.neg : y.neg;
    const e = Math.min(x.e, y.e);
    const xm = x.mag << BigInt(x.e - e);
    const ym = y.mag << BigInt(y.e - e);
    const sum = (x.neg ? -xm : xm) + (yneg ? -ym : ym);
    if (sum === 0n) return new BigNum(prec, 0);
    return BigNum.make(sum < 0n, sum < 0n ? -sum : sum, e, prec);
  }

  mul(o: BigNum): BigNum {
    return this.mulp(o, Math.max(this.prec, o.prec));
  }

  private mulp(o: BigNum, prec: number): BigNum {
    if (this.m === undefined && o.m === undefined) {
      const a = this.f;
      const b = o.f;
      const p = a * b;
      if (Number.isNaN(p)) throw new ArithmeticError("can't multiply zero by infinity");
      if (
        a === 0 ||
        b === 0 ||
        !Number.isFinite(a) ||
        !Number.isFinite(b) ||
        (Number.isInteger(a) && Number.isInteger(b) && p <= MAX_SAFE && p >= -MAX_SAFE)
      ) {
        return new BigNum(prec, p);
      }
    } else {
      if ((this.isInf() && o.isZero()) || (this.isZero() && o.isInf())) {
        throw new ArithmeticError("can't multiply zero by infinity");
      }
      const neg = this.signBit() !== o.signBit();
      if (this.isInf() || o.isInf()) return new BigNum(prec, neg ? -Infinity : Infinity);
      if (this.isZero() || o.isZero()) return new BigNum(prec, neg ? -0 : 0);
    }
    const x = this.parts();
    const y = o.parts();
    return BigNum.make(x.neg !== y.neg, x.mag * y.mag, x.e + y.e, prec);
  }

  div(o: BigNum): BigNum {
    const prec = Math.max(this.prec, o.prec);
    const neg = this.signBit() !== o.signBit();
    const xz = this.isZero();
    const yz = o.isZero();
    const xi = this.isInf();
    const yi = o.isInf();
    if ((xz && yz) || (xi && yi)) {
      throw new ArithmeticError("can't divide zero by zero or infinity by infinity");
    }
    if (xi || yz) return new BigNum(prec, neg ? -Infinity : Infinity);
    if (xz || yi) return new BigNum(prec, neg ? -0 : 0);
    if (this.m === undefined && o.m === undefined) {
      const a = this.f;
      const b = o.f;
      if (Number.isInteger(a) && Number.isInteger(b) && a % b === 0) {
        const q = a / b;
        if (q <= MAX_SAFE && q >= -MAX_SAFE) return new BigNum(prec, q);
      }
    }
    const x = this.parts();
    const y = o.parts();
    return BigNum.divParts(neg, x.mag, y.mag, x.e - y.e, prec);
  }

  /**
   * cty's Modulo: x - y*trunc(x/y), computed at x's precision; x % 0 is x.
   * The sign follows the dividend (like Go's %, not a floored modulo).
   */
  mod(o: BigNum): BigNum {
    if (o.isZero()) return this;
    if (this.m === undefined && o.m === undefined && Number.isFinite(this.f)) {
      const a = this.f;
      const b = o.f;
      if (Number.isInteger(a) && Number.isInteger(b)) {
        if (a === 0) return this;
        const r = a % b;
        return new BigNum(this.prec, r === 0 ? 0 : r);
      }
    }
    try {
      const q = this.div(o);
      const t = q.isInf() ? 0n : q.toBigInt();
      const work = BigNum.fromBigInt(t).withPrec(this.prec).mulp(o, this.prec);
      return this.addp(work, true, this.prec);
    } catch (e) {
      if (e instanceof ArithmeticError) {
        throw new ArithmeticError("can't use modulo with zero and infinity");
      }
      throw e;
    }
  }

  /** Largest integer <= x. Precision as big.Float.SetInt: max(64, bit length). */
  floor(): BigNum {
    if (this.isInf()) return this;
    if (this.m === undefined) {
      const v = Math.floor(this.f);
      if (Math.abs(v) <= MAX_SAFE) return new BigNum(64, v === 0 && this.signBit() ? -0 : v);
    }
    if (this.isInt()) return BigNum.fromBigInt(this.toBigInt());
    let t = this.toBigInt();
    if (this.sign() < 0) t -= 1n;
    return BigNum.fromBigInt(t);
  }
  /** Smallest integer >= x. */
  ceil(): BigNum {
    if (this.isInf()) return this;
    if (this.m === undefined) {
      const v = Math.ceil(this.f);
      if (Math.abs(v) <= MAX_SAFE) return new BigNum(64, v);
    }
    if (this.isInt()) return BigNum.fromBigInt(this.toBigInt());
    let t = this.toBigInt();
    if (this.sign() > 0) t += 1n;
    return BigNum.fromBigInt(t);
  }

  /** -1, 0 or 1. -0 equals 0. */
  cmp(o: BigNum): number {
    if (this.m === undefined && o.m === undefined) {
      return this.f < o.f ? -1 : this.f > o.f ? 1 : 0;
    }
    if (this.isInf() || o.isInf()) {
      const a = this.isInf() ? this.f : 0;
      const b = o.isInf() ? o.f : 0;
      return a < b ? -1 : a > b ? 1 : 0;
    }
    const sa = this.sign();
    const sb = o.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    const x = this.parts();
    const y = o.parts();
    // Compare magnitudes, then apply the sign.
    const tx = x.e + bitLen(x.mag);
    const ty = y.e + bitLen(y.mag);
    let c: number;
    if (tx !== ty) c = tx < ty ? -1 : 1;
    else {
      const e = Math.min(x.e, y.e);
      const xm = x.mag << BigInt(x.e - e);
      const ym = y.mag << BigInt(y.e - e);
      c = xm < ym ? -1 : xm > ym ? 1 : 0;
    }
    return sa < 0 ? -c : c;
  }

  eq(o: BigNum): boolean {
    return this.cmp(o) === 0;
  }

  /**
   * Go's big.Float Text('f', -1): the shortest decimal that rounds back to
   * this number at its own precision, never in exponent form. Infinities are
   * "+Inf"/"-Inf"; negative zero is "-0".
   */
  toString(): string {
    if (this.m === undefined) {
      const f = this.f;
      if (f === 0) return Object.is(f, -0) ? "-0" : "0";
      if (f === Infinity) return "+Inf";
      if (f === -Infinity) return "-Inf";
      if (Number.isInteger(f) && f <= MAX_SAFE && f >= -MAX_SAFE) return String(f);
    }
    const p = this.parts();
    // Doubles whose mantissa is not a power of two: JS's shortest round-trip
    // digits agree with Go's (which uses a symmetric rounding interval).
    if (this.prec === 53 && this.m === undefined && (p.mag & (p.mag - 1n)) !== 0n) {
      return fixedFromJs(this.f);
    }
    return (p.neg ? "-" : "") + shortestFixed(p.mag, p.e, this.prec);
  }

  /** Go's big.Float String(), i.e. Text('g', 10): 10 significant digits, %e for large/small exponents. */
  toStringG10(): string {
    if (this.isInf()) return this.sign() > 0 ? "+Inf" : "-Inf";
    if (this.isZero()) return this.signBit() ? "-0" : "0";
    const s = this.toString(); // exact-ish shortest decimal, fixed notation
    const neg = s.startsWith("-");
    const body = neg ? s.slice(1) : s;
    const dot = body.indexOf(".");
    const intPart = dot < 0 ? body : body.slice(0, dot);
    const fracPart = dot < 0 ? "" : body.slice(dot + 1);
    let digits = intPart + fracPart;
    let dp = intPart.length;
    let lead = 0;
    while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
    digits = digits.slice(lead);
    dp -= lead;
    // Round to 10 significant digits, half to even on exact ties.
    if (digits.length > 10) {
      const rest = digits.slice(10);
      let up = rest.charCodeAt(0) > 53;
      if (rest.charCodeAt(0) === 53) {
        up = /[1-9]/.test(rest.slice(1)) || ((digits.charCodeAt(9) - 48) & 1) === 1;
      }
      let d = digits.slice(0, 10);
      if (up) {
        const n = (BigInt(d) + 1n).toString();
        if (n.length > 10) dp++;
        d = n;
      }
      digits = d;
    }
    digits = digits.replace(/0+$/, "");
    if (digits === "") digits = "0";
    const nd = digits.length;
    let eprec = 10;
    if (eprec > nd && nd >= dp) eprec = nd;
    const exp = dp - 1;
    const sign = neg ? "-" : "";
    if (exp < -4 || exp >= eprec) {
      const m = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      const ae = Math.abs(exp);
      return `${sign}${m}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
    }
    if (dp <= 0) return `${sign}0.${"0".repeat(-dp)}${digits}`;
    if (dp >= nd) return sign + digits + "0".repeat(dp - nd);
    return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
  }

  /**
   * How `packer console` prints a number: integers that fit in int64 in full,
   * anything else as the nearest float64 in Go's %g shortest form.
   */
  toConsoleString(): string {
    if (this.isInt64()) {
      if (this.m === undefined && Math.abs(this.f) <= MAX_SAFE) return String(this.f + 0);
      const b = this.toBigInt();
      if (b >= INT64_MIN && b <= INT64_MAX) return b.toString();
    }
    return formatFloatG(this.toNumber());
  }
}

/** Fixed-point (never exponent) rendering of a double's shortest round-trip digits. */
function fixedFromJs(f: number): string {
  const s = String(f);
  if (!s.includes("e")) return s;
  const { neg, digits, dp } = jsDigits(f);
  return (neg ? "-" : "") + placeDecimal(digits, dp);
}

/** Shortest round-trip digits of a finite non-zero double: value = 0.digits * 10^dp. */
function jsDigits(f: number): { neg: boolean; digits: string; dp: number } {
  const neg = f < 0;
  const s = (neg ? -f : f).toExponential();
  const ei = s.indexOf("e");
  const mant = s.slice(0, ei).replace(".", "");
  const exp = Number(s.slice(ei + 1));
  return { neg, digits: mant, dp: exp + 1 };
}

/** Render 0.digits * 10^dp in fixed notation. */
function placeDecimal(digits: string, dp: number): string {
  if (dp <= 0) return `0.${"0".repeat(-dp)}${digits}`;
  if (dp >= digits.length) return digits + "0".repeat(dp - digits.length);
  return `${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Go strconv.FormatFloat(f, 'g', -1, 64), with infinities as +Inf/-Inf. */
export function formatFloatG(f: number): string {
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (Number.isNaN(f)) return "NaN";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const { neg, digits, dp } = jsDigits(f);
  const exp = dp - 1;
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  return sign + placeDecimal(digits, dp);
}

/**
 * The shortest decimal in the rounding interval of mag*2^e at precision
 * prec (Go's big.Float shortest formatting), in fixed notation, unsigned.
 */
function shortestFixed(mag: bigint, e: number, prec: number): string {
  const bl = bitLen(mag);
  let sh = prec + 1 - bl;
  if (sh < 1) sh = 1;
  const M = mag << BigInt(sh);
  const E = e - sh;
  const inclusive = ((M >> 1n) & 1n) === 0n;
  let X: bigint;
  let L: bigint;
  let U: bigint;
  let k = 0;
  if (E >= 0) {
    const b = BigInt(E);
    X = M << b;
    L = (M - 1n) << b;
    U = (M + 1n) << b;
  } else {
    k = -E;
    const p = pow5(k);
    X = M * p;
    L = (M - 1n) * p;
    U = (M + 1n) * p;
  }
  const inRange = (c: bigint): boolean => (inclusive ? c >= L && c <= U : c > L && c < U);
  const validAt = (j: number): boolean => {
    const p = pow10(j);
    const t = (X / p) * p;
    return inRange(t) || inRange(t + p);
  };
  // Validity is monotone in j: find the largest valid j by binary search.
  let lo = 0;
  let hi = U.toString().length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (validAt(mid)) lo = mid;
    else hi = mid - 1;
  }
  const j = lo;
  let R: bigint;
  if (j === 0) R = X;
  else {
    const p = pow10(j);
    const t = (X / p) * p;
    const u = t + p;
    const okT = inRange(t);
    const okU = inRange(u);
    if (okT && okU) {
      const dt = X - t;
      const du = u - X;
      if (dt < du) R = t;
      else if (du < dt) R = u;
      else R = ((t / p) & 1n) === 0n ? t : u;
    } else R = okT ? t : u;
  }
  // R / 10^k in fixed notation.
  let s = R.toString();
  if (k === 0) return s;
  if (s.length <= k) s = "0".repeat(k - s.length + 1) + s;
  let intPart = s.slice(0, s.length - k);
  let frac = s.slice(s.length - k);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  if (intPart === "") intPart = "0";
  return frac === "" ? intPart : `${intPart}.${frac}`;
}
