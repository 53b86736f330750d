// Immutable cty values: known/unknown, null, primitive, collection and
// structural values, optionally carrying marks (e.g. "sensitive").

import { BigNum } from "./number.js";
import { goQuote } from "./quote.js";
import { compareStrings, sortStrings, Type } from "./type.js";

export type Mark = string | symbol;
export type MarkSet = ReadonlySet<Mark>;

const UNKNOWN: unique symbol = Symbol("unknown");
const EMPTY_MARKS: MarkSet = new Set();

/** Raw payload of a value; see Value. */
type Raw =
  | typeof UNKNOWN
  | null
  | string
  | boolean
  | BigNum
  | readonly Value[]
  | ReadonlyMap<string, Value>;

/** True if every code unit is below U+0300, where no NFC composition can happen. */
function isTriviallyNFC(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x300) return false;
  return true;
}

function unionMarks(a: MarkSet | undefined, b: MarkSet | undefined): MarkSet | undefined {
  if (a === undefined || a.size === 0) return b;
  if (b === undefined || b.size === 0 || a === b) return a;
  const s = new Set(a);
  for (const m of b) s.add(m);
  return s;
}

function sortedMap(rec: Record<string, Value> | ReadonlyMap<string, Value>): Map<string, Value> {
  const isMap = rec instanceof Map;
  const keys = isMap ? [...rec.keys()] : Object.keys(rec);
  let normalize = false;
  for (let i = 0; i < keys.length; i++) {
    if (!isTriviallyNFC(keys[i] as string)) {
      normalize = true;
      break;
    }
  }
  const m = new Map<string, Value>();
  if (normalize) {
    // cty normalizes keys to NFC, like string values.
    const pairs: [string, Value][] = keys.map((k) => [
      k.normalize("NFC"),
      (isMap ? rec.get(k) : (rec as Record<string, Value>)[k]) as Value,
    ]);
    pairs.sort((a, b) => compareStrings(a[0], b[0]));
    for (const [k, v] of pairs) m.set(k, v);
    return m;
  }
  sortStrings(keys);
  if (isMap) for (const k of keys) m.set(k, rec.get(k) as Value);
  else for (const k of keys) m.set(k, (rec as Record<string, Value>)[k] as Value);
  return m;
}

export class Value {
  readonly type: Type;
  /**
   * @internal The payload: UNKNOWN, null, string, boolean, BigNum, Value[]
   * (list, tuple, set in set order) or a Map sorted by key (map, object).
   */
  readonly raw: Raw;
  /** @internal Marks directly on this value (not on nested values). */
  readonly markSet: MarkSet | undefined;

  private constructor(type: Type, raw: Raw, marks?: MarkSet) {
    this.type = type;
    this.raw = raw;
    this.markSet = marks !== undefined && marks.size > 0 ? marks : undefined;
  }

  // ---------------------------------------------------------------- constructors

  static readonly true: Value = new Value(Type.bool, true);
  static readonly false: Value = new Value(Type.bool, false);
  /** An unknown value of unknown type (cty.DynamicVal). */
  static readonly dynamic: Value = new Value(Type.dynamic, UNKNOWN);
  static readonly emptyTuple: Value = new Value(Type.emptyTuple, []);
  static readonly emptyObject: Value = new Value(Type.emptyObject, new Map());
  static readonly emptyString: Value = new Value(Type.string, "");
  static readonly zero: Value = new Value(Type.number, BigNum.zero);

  /** A string value, normalized to Unicode NFC as cty does. */
  static string(s: string): Value {
    if (s.length === 0) return Value.emptyString;
    return new Value(Type.string, isTriviallyNFC(s) ? s : s.normalize("NFC"));
  }

  static number(n: number | bigint | BigNum): Value {
    if (typeof n === "number") return new Value(Type.number, BigNum.fromNumber(n));
    if (typeof n === "bigint") return new Value(Type.number, BigNum.fromBigInt(n));
    return new Value(Type.number, n);
  }

  /** Parse a decimal number at 512-bit precision (cty.ParseNumberVal); undefined if invalid. */
  static numberFromString(s: string): Value | undefined {
    const b = BigNum.parse(s);
    return b === undefined ? undefined : new Value(Type.number, b);
  }

  static bool(b: boolean): Value {
    return b ? Value.true : Value.false;
  }

  static null(t: Type): Value {
    return new Value(t, null);
  }

  static unknown(t: Type): Value {
    if (t.kind === "dynamic") return Value.dynamic;
    return new Value(t, UNKNOWN);
  }

  /** A list of one or more values, all of exactly the same type. */
  static list(vs: readonly Value[]): Value {
    if (vs.length === 0) throw new Error("Value.list: must have at least one element");
    const et = (vs[0] as Value).type;
    for (let i = 1; i < vs.length; i++) {
      if (!(vs[i] as Value).type.equals(et)) {
        throw new Error(`Value.list: inconsistent list element types (${et} vs ${vs[i]?.type})`);
      }
    }
    return new Value(Type.list(et), vs.slice());
  }

  static listEmpty(t: Type): Value {
    return new Value(Type.list(t), []);
  }

  /** A set of one or more values of the same type; marks on elements move to the set. */
  static set(vs: readonly Value[]): Value {
    if (vs.length === 0) throw new Error("Value.set: must have at least one element");
    const et = (vs[0] as Value).type;
    let marks: MarkSet | undefined;
    const elems: Value[] = [];
    for (const v of vs) {
      if (!v.type.equals(et)) {
        throw new Error(`Value.set: inconsistent set element types (${et} vs ${v.type})`);
      }
      if (v.markSet !== undefined || v.containsMarked()) {
        const [u, m] = v.unmarkDeep();
        marks = unionMarks(marks, m);
        elems.push(u);
      } else elems.push(v);
    }
    return new Value(Type.set(et), normalizeSet(elems), marks);
  }

  static setEmpty(t: Type): Value {
    return new Value(Type.set(t), []);
  }

  /** A map of one or more values of the same type. */
  static map(rec: Record<string, Value> | ReadonlyMap<string, Value>): Value {
    const m = sortedMap(rec);
    if (m.size === 0) throw new Error("Value.map: must have at least one element");
    let et: Type | undefined;
    for (const v of m.values()) {
      if (et === undefined) et = v.type;
      else if (!v.type.equals(et)) {
        throw new Error(`Value.map: inconsistent map element types (${et} vs ${v.type})`);
      }
    }
    return new Value(Type.map(et as Type), m);
  }

  static mapEmpty(t: Type): Value {
    return new Value(Type.map(t), new Map());
  }

  static tuple(vs: readonly Value[]): Value {
    if (vs.length === 0) return Value.emptyTuple;
    return new Value(Type.tuple(vs.map((v) => v.type)), vs.slice());
  }

  static object(rec: Record<string, Value> | ReadonlyMap<string, Value>): Value {
    const m = sortedMap(rec);
    if (m.size === 0) return Value.emptyObject;
    const names: string[] = [];
    const types: Type[] = [];
    for (const [k, v] of m) {
      names.push(k);
      types.push(v.type);
    }
    return new Value(Type.objectSorted(names, types), m);
  }

  /**
   * @internal Build a value of the given type from an already-valid payload
   * (elements of exactly the right types; maps sorted). Used by conversion.
   */
  static fromRaw(t: Type, raw: Raw, marks?: MarkSet): Value {
    if (t.kind === "set" && Array.isArray(raw)) {
      let ms = marks;
      const elems: Value[] = [];
      for (const v of raw as Value[]) {
        if (v.markSet !== undefined || v.containsMarked()) {
          const [u, m] = v.unmarkDeep();
          ms = unionMarks(ms, m);
          elems.push(u);
        } else elems.push(v);
      }
      return new Value(t, normalizeSet(elems), ms);
    }
    if ((t.kind === "map" || t.kind === "object") && raw instanceof Map) {
      return new Value(t, sortedMap(raw), marks);
    }
    return new Value(t, raw, marks);
  }

  // ---------------------------------------------------------------- inspection

  isKnown(): boolean {
    return this.raw !== UNKNOWN;
  }
  isNull(): boolean {
    return this.raw === null;
  }
  /** Known, and (for collections and structures) every nested value known. */
  isWhollyKnown(): boolean {
    const r = this.raw;
    if (r === UNKNOWN) return false;
    if (r === null || typeof r !== "object" || r instanceof BigNum) return true;
    if (Array.isArray(r)) {
      for (const v of r as Value[]) if (!v.isWhollyKnown()) return false;
      return true;
    }
    for (const v of (r as ReadonlyMap<string, Value>).values())
      if (!v.isWhollyKnown()) return false;
    return true;
  }

  private expectKnown(what: string): void {
    if (this.raw === UNKNOWN) throw new Error(`${what}: value is unknown`);
    if (this.raw === null) throw new Error(`${what}: value is null`);
  }

  asString(): string {
    if (typeof this.raw !== "string") throw new Error(`asString: value is ${this.describe()}`);
    return this.raw;
  }
  asBigNum(): BigNum {
    if (!(this.raw instanceof BigNum)) throw new Error(`asBigNum: value is ${this.describe()}`);
    return this.raw;
  }
  /** The nearest JS number. */
  asNumber(): number {
    return this.asBigNum().toNumber();
  }
  asBool(): boolean {
    if (typeof this.raw !== "boolean") throw new Error(`asBool: value is ${this.describe()}`);
    return this.raw;
  }
  /** True iff this is the known bool true (marks ignored). */
  isTrue(): boolean {
    return this.raw === true;
  }
  /** True iff this is the known bool false (marks ignored). */
  isFalse(): boolean {
    return this.raw === false;
  }

  private describe(): string {
    if (this.raw === UNKNOWN) return `unknown ${this.type.friendlyName()}`;
    if (this.raw === null) return `null ${this.type.friendlyName()}`;
    return `a ${this.type.friendlyName()}`;
  }

  /** Number of elements of a list, set, tuple or map, or attributes of an object. */
  lengthInt(): number {
    const t = this.type;
    if (t.kind === "tuple") return t.tupleElementTypes().length;
    if (t.kind === "object") return Object.keys(t.attributeTypes()).length;
    this.expectKnown("lengthInt");
    const r = this.raw;
    if (Array.isArray(r)) return r.length;
    if (r instanceof Map) return r.size;
    throw new Error(`lengthInt: not a collection (${t.friendlyName()})`);
  }

  /** Length as a number value; unknown when it can't be known yet. Marks propagate. */
  length(): Value {
    const t = this.type;
    let out: Value;
    if (t.kind === "tuple" || t.kind === "object") out = Value.number(this.lengthInt());
    else if (t.kind === "dynamic" || this.raw === UNKNOWN) out = Value.unknown(Type.number);
    else if (t.kind === "set" && !this.isWhollyKnown()) out = Value.unknown(Type.number);
    else out = Value.number(this.lengthInt());
    return this.markSet ? out.withMarks(this.markSet) : out;
  }

  /** Elements of a list, tuple or set (set order). Throws if unknown/null. */
  elements(): readonly Value[] {
    this.expectKnown("elements");
    const r = this.raw;
    if (!Array.isArray(r))
      throw new Error(`elements: not a sequence (${this.type.friendlyName()})`);
    return r as readonly Value[];
  }

  /** Entries of a map or object, keys in lexical order. Throws if unknown/null. */
  entries(): [string, Value][] {
    this.expectKnown("entries");
    const r = this.raw;
    if (!(r instanceof Map))
      throw new Error(`entries: not a map/object (${this.type.friendlyName()})`);
    return [...(r as ReadonlyMap<string, Value>).entries()];
  }

  /** @internal The sorted map behind a known map/object value. */
  rawMap(): ReadonlyMap<string, Value> {
    this.expectKnown("rawMap");
    if (!(this.raw instanceof Map)) throw new Error("rawMap: not a map/object");
    return this.raw as ReadonlyMap<string, Value>;
  }

  /**
   * Element at `key`: lists/tuples by number, maps by string. Marks on the
   * collection and the key propagate. Throws on a wrong key type or a
   * missing element (callers check hasIndex first).
   */
  index(key: Value): Value {
    const marks = unionMarks(this.markSet, key.markSet);
    const r = this.indexInner(key);
    return marks ? r.withMarks(marks) : r;
  }

  private indexInner(key: Value): Value {
    const t = this.type;
    switch (t.kind) {
      case "dynamic":
        return Value.dynamic;
      case "list":
      case "tuple": {
        if (key.type.kind === "dynamic") {
          return Value.unknown(t.kind === "list" ? t.elementType() : Type.dynamic);
        }
        if (key.type.kind !== "number") throw new Error("element key for list must be number");
        if (!key.isKnown())
          return Value.unknown(t.kind === "list" ? t.elementType() : Type.dynamic);
        const b = key.asBigNum();
        if (!b.isInt() || b.sign() < 0) {
          throw new Error("element key for list must be non-negative integer");
        }
        const i = b.toNumber();
        if (t.kind === "tuple") {
          const ets = t.tupleElementTypes();
          if (i >= ets.length) throw new Error("index out of range");
          if (this.raw === UNKNOWN) return Value.unknown(ets[i] as Type);
        } else if (this.raw === UNKNOWN) return Value.unknown(t.elementType());
        this.expectKnown("index");
        const v = (this.raw as Value[])[i];
        if (v === undefined) throw new Error("index out of range");
        return v;
      }
      case "map": {
        if (key.type.kind === "dynamic" || !key.isKnown()) return Value.unknown(t.elementType());
        if (key.type.kind !== "string") throw new Error("element key for map must be string");
        if (this.raw === UNKNOWN) return Value.unknown(t.elementType());
        this.expectKnown("index");
        const v = (this.raw as ReadonlyMap<string, Value>).get(key.asString());
        if (v === undefined) throw new Error("map has no element for key");
        return v;
      }
      default:
        throw new Error(`index: not a list, tuple or map (${t.friendlyName()})`);
    }
  }

  /** Attribute of an object value; marks on the object propagate. */
  getAttr(name: string): Value {
    const t = this.type;
    if (t.kind === "dynamic") return Value.dynamic;
    if (t.kind !== "object") throw new Error("getAttr: value is not an object");
    if (!t.hasAttribute(name)) throw new Error(`getAttr: no attribute ${JSON.stringify(name)}`);
    let r: Value;
    if (this.raw === UNKNOWN) r = Value.unknown(t.attributeType(name));
    else {
      this.expectKnown("getAttr");
      r = (this.raw as ReadonlyMap<string, Value>).get(name) as Value;
    }
    return this.markSet ? r.withMarks(this.markSet) : r;
  }

  /** Whether `key` is a valid index (bool value; unknown if it can't be known). */
  hasIndex(key: Value): Value {
    const marks = unionMarks(this.markSet, key.markSet);
    const r = this.hasIndexInner(key);
    return marks ? r.withMarks(marks) : r;
  }

  private hasIndexInner(key: Value): Value {
    const t = this.type;
    if (t.kind === "dynamic") return Value.unknown(Type.bool);
    switch (t.kind) {
      case "list":
      case "tuple": {
        if (key.type.kind === "dynamic") return Value.unknown(Type.bool);
        if (key.type.kind !== "number") return Value.false;
        if (!key.isKnown()) return Value.unknown(Type.bool);
        if (key.isNull()) return Value.false;
        const b = key.asBigNum();
        if (!b.isInt64()) return Value.false;
        const n = b.toNumber();
        if (n < 0) return Value.false;
        if (t.kind === "tuple") return Value.bool(n < t.tupleElementTypes().length);
        if (!this.isKnown()) return Value.unknown(Type.bool);
        if (this.isNull()) return Value.false;
        return Value.bool(n < (this.raw as Value[]).length);
      }
      case "map": {
        if (key.type.kind === "dynamic") return Value.unknown(Type.bool);
        if (key.type.kind !== "string") return Value.false;
        if (!key.isKnown()) return Value.unknown(Type.bool);
        if (key.isNull()) return Value.false;
        if (!this.isKnown()) return Value.unknown(Type.bool);
        if (this.isNull()) return Value.false;
        return Value.bool((this.raw as ReadonlyMap<string, Value>).has(key.asString()));
      }
      default:
        return Value.false;
    }
  }

  /** For sets: whether the set contains `v` (unknown if either is not wholly known). */
  hasElement(v: Value): Value {
    const marks = unionMarks(this.markSet, v.markSet);
    let r: Value;
    const t = this.type;
    if (t.kind !== "set") throw new Error("hasElement: not a set");
    const [uv] = v.unmarkDeep();
    if (!uv.type.equals(t.elementType())) r = Value.false;
    else if (!this.isKnown() || !uv.isWhollyKnown()) r = Value.unknown(Type.bool);
    else if (this.isNull()) throw new Error("hasElement: set is null");
    else {
      let found = false;
      let unknown = false;
      for (const e of this.raw as Value[]) {
        const eq = e.equals(uv);
        if (!eq.isKnown()) unknown = true;
        else if (eq.raw === true) {
          found = true;
          break;
        }
      }
      r = found ? Value.true : unknown ? Value.unknown(Type.bool) : Value.false;
    }
    return marks ? r.withMarks(marks) : r;
  }

  // ---------------------------------------------------------------- equality

  /** Deep structural identity: same type, same known-ness, same value, same marks. */
  rawEquals(o: Value): boolean {
    if (this === o) return true;
    if (!this.type.equals(o.type)) return false;
    if (!sameMarks(this.markSet, o.markSet)) return false;
    const a = this.raw;
    const b = o.raw;
    if (a === UNKNOWN || b === UNKNOWN || a === null || b === null) return a === b;
    if (a instanceof BigNum) return b instanceof BigNum && a.eq(b) && a.signBit() === b.signBit();
    if (typeof a !== "object") return a === b;
    if (Array.isArray(a)) {
      const bb = b as Value[];
      if (a.length !== bb.length) return false;
      for (let i = 0; i < a.length; i++)
        if (!(a[i] as Value).rawEquals(bb[i] as Value)) return false;
      return true;
    }
    const am = a as ReadonlyMap<string, Value>;
    const bm = b as ReadonlyMap<string, Value>;
    if (am.size !== bm.size) return false;
    for (const [k, v] of am) {
      const w = bm.get(k);
      if (w === undefined || !v.rawEquals(w)) return false;
    }
    return true;
  }

  /** cty's Equals: a bool value, unknown when it can't be decided yet; marks propagate. */
  equals(o: Value): Value {
    if (this.markSet !== undefined || o.markSet !== undefined) {
      const r = this.withoutMarks().equals(o.withoutMarks());
      return r.withMarks(unionMarks(this.markSet, o.markSet) as MarkSet);
    }
    const ak = this.raw !== UNKNOWN;
    const bk = o.raw !== UNKNOWN;
    if (!ak && !bk) return Value.unknown(Type.bool);
    if (ak && !bk) {
      if (this.raw === null || o.type.hasDynamicTypes()) return Value.unknown(Type.bool);
      if (!this.type.equals(o.type)) return Value.false;
      return Value.unknown(Type.bool);
    }
    if (bk && !ak) {
      if (o.raw === null || this.type.hasDynamicTypes()) return Value.unknown(Type.bool);
      if (!this.type.equals(o.type)) return Value.false;
      return Value.unknown(Type.bool);
    }
    const an = this.raw === null;
    const bn = o.raw === null;
    if (an && bn) return Value.true;
    if (an || bn) return Value.false;
    if (this.type.hasDynamicTypes() || o.type.hasDynamicTypes()) {
      if (!conforms(this.type, o.type) && !conforms(o.type, this.type)) return Value.false;
      return Value.unknown(Type.bool);
    }
    if (!this.type.equals(o.type)) return Value.false;
    const a = this.raw;
    const b = o.raw;
    switch (this.type.kind) {
      case "number":
        return Value.bool((a as BigNum).cmp(b as BigNum) === 0);
      case "string":
      case "bool":
        return Value.bool(a === b);
      case "list":
      case "tuple": {
        const av = a as Value[];
        const bv = b as Value[];
        if (av.length !== bv.length) return Value.false;
        for (let i = 0; i < av.length; i++) {
          const eq = (av[i] as Value).equals(bv[i] as Value);
          if (!eq.isKnown()) return Value.unknown(Type.bool);
          if (eq.raw === false) return Value.false;
        }
        return Value.true;
      }
      case "map":
      case "object": {
        const am = a as ReadonlyMap<string, Value>;
        const bm = b as ReadonlyMap<string, Value>;
        if (am.size !== bm.size) return Value.false;
        for (const [k, v] of am) {
          const w = bm.get(k);
          if (w === undefined) return Value.false;
          const eq = v.equals(w);
          if (!eq.isKnown()) return Value.unknown(Type.bool);
          if (eq.raw === false) return Value.false;
        }
        return Value.true;
      }
      case "set": {
        if (!this.isWhollyKnown() || !o.isWhollyKnown()) return Value.unknown(Type.bool);
        const av = a as Value[];
        const bv = b as Value[];
        if (av.length !== bv.length) return Value.false;
        for (let i = 0; i < av.length; i++) {
          if ((av[i] as Value).equals(bv[i] as Value).raw !== true) return Value.false;
        }
        return Value.true;
      }
      default:
        return Value.unknown(Type.bool);
    }
  }

  notEquals(o: Value): Value {
    return this.equals(o).not();
  }

  // ---------------------------------------------------------------- operators

  private static binaryCheck(
    a: Value,
    b: Value,
    want: Type,
    ret: Type,
    op: string,
  ): Value | undefined {
    for (const v of [a, b]) {
      if (v.type.kind === "dynamic") continue;
      if (!v.type.equals(want)) {
        throw new TypeError(`${op}: ${want.friendlyName()} required, got ${v.type.friendlyName()}`);
      }
    }
    if (a.type.kind === "dynamic" || b.type.kind === "dynamic" || !a.isKnown() || !b.isKnown()) {
      return Value.unknown(ret);
    }
    if (a.isNull() || b.isNull()) throw new TypeError(`${op}: can't use a null value`);
    return undefined;
  }

  private numOp(o: Value, op: string, f: (a: BigNum, b: BigNum) => BigNum): Value {
    const marks = unionMarks(this.markSet, o.markSet);
    const sc = Value.binaryCheck(this, o, Type.number, Type.number, op);
    const r = sc ?? new Value(Type.number, f(this.raw as BigNum, o.raw as BigNum));
    return marks ? r.withMarks(marks) : r;
  }

  /** Sum. May throw ArithmeticError (∞ + -∞). */
  add(o: Value): Value {
    return this.numOp(o, "add", (a, b) => a.add(b));
  }
  /** Difference. May throw ArithmeticError (∞ - ∞). */
  subtract(o: Value): Value {
    return this.numOp(o, "subtract", (a, b) => a.sub(b));
  }
  /** Product. May throw ArithmeticError (0 × ∞). */
  multiply(o: Value): Value {
    return this.numOp(o, "multiply", (a, b) => a.mul(b));
  }
  /** Quotient; x/0 is ±∞. May throw ArithmeticError (0/0, ∞/∞). */
  divide(o: Value): Value {
    return this.numOp(o, "divide", (a, b) => a.div(b));
  }
  /** cty modulo (sign of the dividend; x % 0 = x). May throw ArithmeticError. */
  modulo(o: Value): Value {
    return this.numOp(o, "modulo", (a, b) => a.mod(b));
  }
  negate(): Value {
    if (this.type.kind === "dynamic") return Value.unknown(Type.number).withMarks(this.marks());
    if (this.type.kind !== "number") throw new TypeError("negate: number required");
    if (!this.isKnown()) return Value.unknown(Type.number).withMarks(this.marks());
    if (this.isNull()) throw new TypeError("negate: can't use a null value");
    return new Value(Type.number, (this.raw as BigNum).neg(), this.markSet);
  }
  absolute(): Value {
    if (this.type.kind === "dynamic") return Value.unknown(Type.number).withMarks(this.marks());
    if (!this.isKnown()) return Value.unknown(Type.number).withMarks(this.marks());
    return new Value(Type.number, (this.asBigNum() as BigNum).abs(), this.markSet);
  }

  private cmpOp(o: Value, op: string, f: (c: number) => boolean): Value {
    const marks = unionMarks(this.markSet, o.markSet);
    const sc = Value.binaryCheck(this, o, Type.number, Type.bool, op);
    const r = sc ?? Value.bool(f((this.raw as BigNum).cmp(o.raw as BigNum)));
    return marks ? r.withMarks(marks) : r;
  }
  lessThan(o: Value): Value {
    return this.cmpOp(o, "lessThan", (c) => c < 0);
  }
  lessThanOrEqualTo(o: Value): Value {
    return this.cmpOp(o, "lessThanOrEqualTo", (c) => c <= 0);
  }
  greaterThan(o: Value): Value {
    return this.cmpOp(o, "greaterThan", (c) => c > 0);
  }
  greaterThanOrEqualTo(o: Value): Value {
    return this.cmpOp(o, "greaterThanOrEqualTo", (c) => c >= 0);
  }

  not(): Value {
    if (this.type.kind === "dynamic") return Value.unknown(Type.bool).withMarks(this.marks());
    if (this.type.kind !== "bool") throw new TypeError("not: bool required");
    if (!this.isKnown()) return Value.unknown(Type.bool).withMarks(this.marks());
    if (this.isNull()) throw new TypeError("not: can't use a null value");
    return new Value(Type.bool, !this.raw, this.markSet);
  }

  /** Logical and; a known false on either side decides the result even if the other is unknown. */
  and(o: Value): Value {
    const marks = unionMarks(this.markSet, o.markSet);
    let r: Value;
    if (this.raw === false || o.raw === false) {
      Value.binaryCheck(this.withoutMarks(), o.withoutMarks(), Type.bool, Type.bool, "and");
      r = Value.false;
    } else {
      r =
        Value.binaryCheck(this, o, Type.bool, Type.bool, "and") ??
        Value.bool((this.raw as boolean) && (o.raw as boolean));
    }
    return marks ? r.withMarks(marks) : r;
  }

  /** Logical or; a known true on either side decides the result even if the other is unknown. */
  or(o: Value): Value {
    const marks = unionMarks(this.markSet, o.markSet);
    let r: Value;
    if (this.raw === true || o.raw === true) {
      Value.binaryCheck(this.withoutMarks(), o.withoutMarks(), Type.bool, Type.bool, "or");
      r = Value.true;
    } else {
      r =
        Value.binaryCheck(this, o, Type.bool, Type.bool, "or") ??
        Value.bool((this.raw as boolean) || (o.raw as boolean));
    }
    return marks ? r.withMarks(marks) : r;
  }

  // ---------------------------------------------------------------- marks

  /** This value with mark m added. */
  mark(m: Mark): Value {
    if (this.markSet?.has(m)) return this;
    const s = new Set(this.markSet ?? EMPTY_MARKS);
    s.add(m);
    return new Value(this.type, this.raw, s);
  }

  /** This value with all the given marks added. */
  withMarks(...sets: (Iterable<Mark> | undefined)[]): Value {
    let s: Set<Mark> | undefined;
    for (const set of sets) {
      if (set === undefined) continue;
      for (const m of set) {
        if (this.markSet?.has(m) || s?.has(m)) continue;
        if (!s) s = new Set(this.markSet ?? EMPTY_MARKS);
        s.add(m);
      }
    }
    return s ? new Value(this.type, this.raw, s) : this;
  }

  /** The value without its own marks (nested marks stay). */
  withoutMarks(): Value {
    return this.markSet === undefined ? this : new Value(this.type, this.raw);
  }

  /** [value without its own marks, those marks]. Nested marks stay. */
  unmark(): [Value, Set<Mark>] {
    if (this.markSet === undefined) return [this, new Set()];
    return [new Value(this.type, this.raw), new Set(this.markSet)];
  }

  /** [value with no marks anywhere, every mark found at any depth]. */
  unmarkDeep(): [Value, Set<Mark>] {
    const acc = new Set<Mark>();
    const v = this.unmarkDeepInto(acc);
    return [v, acc];
  }

  private unmarkDeepInto(acc: Set<Mark>): Value {
    if (this.markSet) for (const m of this.markSet) acc.add(m);
    const r = this.raw;
    if (Array.isArray(r)) {
      let changed = this.markSet !== undefined;
      const out = (r as Value[]).map((v) => {
        const u = v.unmarkDeepInto(acc);
        if (u !== v) changed = true;
        return u;
      });
      return changed ? new Value(this.type, out) : this;
    }
    if (r instanceof Map) {
      let changed = this.markSet !== undefined;
      const out = new Map<string, Value>();
      for (const [k, v] of r as ReadonlyMap<string, Value>) {
        const u = v.unmarkDeepInto(acc);
        if (u !== v) changed = true;
        out.set(k, u);
      }
      return changed ? new Value(this.type, out) : this;
    }
    return this.markSet === undefined ? this : new Value(this.type, r);
  }

  /** The marks directly on this value. */
  marks(): MarkSet {
    return this.markSet ?? EMPTY_MARKS;
  }
  isMarked(): boolean {
    return this.markSet !== undefined;
  }
  hasMark(m: Mark): boolean {
    return this.markSet?.has(m) ?? false;
  }
  /** True if this value or any nested value is marked. */
  containsMarked(): boolean {
    if (this.markSet !== undefined) return true;
    const r = this.raw;
    if (Array.isArray(r)) {
      for (const v of r as Value[]) if (v.containsMarked()) return true;
    } else if (r instanceof Map) {
      for (const v of (r as ReadonlyMap<string, Value>).values())
        if (v.containsMarked()) return true;
    }
    return false;
  }

  /** A debugging representation in cty's Go style. */
  toString(): string {
    return goString(this);
  }
}

function sameMarks(a: MarkSet | undefined, b: MarkSet | undefined): boolean {
  const as = a?.size ?? 0;
  const bs = b?.size ?? 0;
  if (as !== bs) return false;
  if (as === 0) return true;
  for (const m of a as MarkSet) if (!(b as MarkSet).has(m)) return false;
  return true;
}

/** Whether type `a` could become `b` once dynamic parts are resolved. */
function conforms(a: Type, b: Type): boolean {
  if (a.kind === "dynamic" || b.kind === "dynamic") return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "list":
    case "set":
    case "map":
      return conforms(a.elementType(), b.elementType());
    case "tuple": {
      const x = a.tupleElementTypes();
      const y = b.tupleElementTypes();
      return x.length === y.length && x.every((t, i) => conforms(t, y[i] as Type));
    }
    case "object": {
      const x = a.attributeTypes();
      const y = b.attributeTypes();
      const kx = Object.keys(x);
      if (kx.length !== Object.keys(y).length) return false;
      return kx.every((k) => y[k] !== undefined && conforms(x[k] as Type, y[k] as Type));
    }
    default:
      return true;
  }
}

// ---------------------------------------------------------------- sets

/** cty's set hash string for a value (used to order non-primitive set elements). */
export function setHashString(v: Value): string {
  const r = v.raw;
  if (r === UNKNOWN) return "?";
  if (r === null) return "~";
  switch (v.type.kind) {
    case "number":
      return (r as BigNum).toStringG10();
    case "bool":
      return r ? "T" : "F";
    case "string":
      return goQuote(r as string);
    case "map": {
      let s = "{";
      for (const [k, e] of r as ReadonlyMap<string, Value>)
        s += `${goQuote(k)}:${setHashString(e)};`;
      return `${s}}`;
    }
    case "list":
    case "set": {
      let s = "[";
      for (const e of r as Value[]) s += `${setHashString(e)};`;
      return `${s}]`;
    }
    case "object": {
      let s = "<";
      for (const e of (r as ReadonlyMap<string, Value>).values()) s += `${setHashString(e)};`;
      return `${s}>`;
    }
    case "tuple": {
      let s = "<";
      for (const e of r as Value[]) s += `${setHashString(e)};`;
      return `${s}>`;
    }
    default:
      return "?";
  }
}

/** cty's set element order: nulls last, unknowns after knowns, then by value or hash. */
export function compareSetElements(a: Value, b: Value): number {
  const an = a.raw === null;
  const bn = b.raw === null;
  if (an !== bn) return an ? 1 : -1;
  if (an) return 0;
  const ak = a.raw !== UNKNOWN;
  const bk = b.raw !== UNKNOWN;
  if (ak !== bk) return ak ? -1 : 1;
  if (!ak) return 0;
  switch (a.type.kind) {
    case "string":
      return compareStrings(a.raw as string, b.raw as string);
    case "number":
      return (a.raw as BigNum).cmp(b.raw as BigNum);
    case "bool":
      return a.raw === b.raw ? 0 : a.raw ? 1 : -1;
    default:
      return compareStrings(setHashString(a), setHashString(b));
  }
}

/** Sort set elements into cty's order and drop duplicates (unknowns are never duplicates). */
function normalizeSet(elems: Value[]): Value[] {
  if (elems.length < 2) return elems;
  const sorted = elems.slice().sort(compareSetElements);
  const out: Value[] = [];
  for (const v of sorted) {
    let dup = false;
    // Equal values sort together; check against the run of equal-ordered elements.
    for (let i = out.length - 1; i >= 0; i--) {
      const w = out[i] as Value;
      if (compareSetElements(w, v) !== 0) break;
      if (w.equals(v).raw === true) {
        dup = true;
        break;
      }
    }
    if (!dup) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------- debug string

function goString(v: Value): string {
  const marks = v.markSet ? `.Mark(${[...v.markSet].map(String).join(",")})` : "";
  let s: string;
  if (v.type.kind === "dynamic") s = "cty.DynamicVal";
  else if (!v.isKnown()) s = `cty.UnknownVal(${v.type})`;
  else if (v.isNull()) s = `cty.NullVal(${v.type})`;
  else {
    switch (v.type.kind) {
      case "string":
        s = `cty.StringVal(${goQuote(v.raw as string)})`;
        break;
      case "number":
        s = `cty.NumberVal(${(v.raw as BigNum).toString()})`;
        break;
      case "bool":
        s = v.raw ? "cty.True" : "cty.False";
        break;
      case "list":
      case "set":
      case "tuple": {
        const name =
          v.type.kind === "list" ? "ListVal" : v.type.kind === "set" ? "SetVal" : "TupleVal";
        const es = v.raw as Value[];
        s =
          es.length === 0 && v.type.kind !== "tuple"
            ? `cty.${name}Empty(${v.type.elementType()})`
            : `cty.${name}([${es.map(goString).join(", ")}])`;
        break;
      }
      default: {
        const m = v.raw as ReadonlyMap<string, Value>;
        const name = v.type.kind === "map" ? "MapVal" : "ObjectVal";
        s =
          m.size === 0 && v.type.kind === "map"
            ? `cty.MapValEmpty(${v.type.elementType()})`
            : `cty.${name}({${[...m].map(([k, e]) => `${goQuote(k)}: ${goString(e)}`).join(", ")}})`;
      }
    }
  }
  return s + marks;
}
