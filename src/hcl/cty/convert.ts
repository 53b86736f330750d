// Type conversion with the semantics of cty/convert: safe conversions (which
// never fail at runtime) and unsafe ones (string -> number/bool, list -> set,
// map -> object, from dynamic), nulls and unknowns passing through with the
// target type, marks preserved, and cty's error wording.

import { BigNum } from "./number.js";
import { goQuote } from "./quote.js";
import { compareStrings, Type } from "./type.js";
import { unifyTypes } from "./unify.js";
import { Value } from "./value.js";

export type ConvertResult = { value: Value } | { error: string };

/** A conversion of a value of one particular type; throws ConversionError. */
export type Conversion = (v: Value) => Value;

/** The error a Conversion throws when a value can't be converted at runtime. */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConversionError";
  }
}

const stringTrue = Value.string("true");
const stringFalse = Value.string("false");

/**
 * Convert v to type `want` (safe or unsafe conversion, like cty's
 * convert.Convert). Never throws; on failure returns cty's message.
 */
export function convert(v: Value, want: Type): ConvertResult {
  if (v.type.equals(want)) return { value: v };
  const conv = getConversion(v.type, want, true);
  if (conv === undefined) return { error: mismatchMessage(v.type, want) };
  try {
    return { value: conv(v) };
  } catch (e) {
    if (e instanceof ConversionError) return { error: e.message };
    throw e;
  }
}

/** Whether a conversion from `from` to `to` exists (unsafe ones included unless unsafe=false). */
export function canConvert(from: Type, to: Type, unsafe = true): boolean {
  return from.equals(to) || getConversion(from, to, unsafe) !== undefined;
}

/** A conversion function from `from` to `to`, or undefined if none exists. */
const safeCache = new WeakMap<Type, Map<Type, Conversion | null>>();
const unsafeCache = new WeakMap<Type, Map<Type, Conversion | null>>();

export function getConversion(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  const cache = unsafe ? unsafeCache : safeCache;
  let byTo = cache.get(from);
  if (byTo === undefined) {
    byTo = new Map();
    cache.set(from, byTo);
  }
  const hit = byTo.get(to);
  if (hit !== undefined) return hit ?? undefined;
  const c = buildConversion(from, to, unsafe);
  byTo.set(to, c ?? null);
  return c;
}

function buildConversion(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  const conv = getConversionKnown(from, to, unsafe);
  if (conv === undefined) return undefined;
  const wrapped: Conversion = (v) => {
    if (v.markSet !== undefined) {
      const [u, marks] = v.unmark();
      return wrapped(u).withMarks(marks);
    }
    if (to.kind === "dynamic") return v;
    if (!v.isKnown() || v.isNull()) {
      const out = dynamicReplace(v.type, to.withoutOptionalAttributesDeep());
      return v.isKnown() ? Value.null(out) : Value.unknown(out);
    }
    return conv(v);
  };
  return wrapped;
}

function getConversionKnown(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  if (to.kind === "dynamic") return (v) => v;
  if (from.kind === "dynamic") {
    if (!unsafe) return undefined;
    return (v) => {
      const r = convert(v, to);
      if ("error" in r) throw new ConversionError(r.error);
      return r.value;
    };
  }
  if (from.isPrimitive() && to.isPrimitive()) return primitiveConversion(from, to, unsafe);
  if (to.kind === "object" && from.kind === "object") return objectToObject(from, to, unsafe);
  if (to.kind === "tuple" && from.kind === "tuple") return tupleToTuple(from, to, unsafe);
  if (to.kind === "list" && (from.kind === "list" || from.kind === "set")) {
    const inEty = from.elementType();
    const outEty = to.elementType();
    if (inEty.equals(outEty)) return collectionToList(outEty, undefined);
    const ce = getConversion(inEty, outEty, unsafe);
    return ce === undefined ? undefined : collectionToList(outEty, ce);
  }
  if (to.kind === "set" && (from.kind === "list" || from.kind === "set")) {
    if (from.kind === "list" && !unsafe) return undefined;
    const inEty = from.elementType();
    const outEty = to.elementType();
    if (inEty.equals(outEty)) return collectionToSet(outEty, undefined);
    const ce = getConversion(inEty, outEty, unsafe);
    return ce === undefined ? undefined : collectionToSet(outEty, ce);
  }
  if (to.kind === "map" && from.kind === "map") {
    const ce = getConversion(from.elementType(), to.elementType(), unsafe);
    return ce === undefined ? undefined : mapToMap(to.elementType(), ce);
  }
  if (to.kind === "list" && from.kind === "tuple")
    return tupleToList(from, to.elementType(), unsafe);
  if (to.kind === "set" && from.kind === "tuple") return tupleToSet(from, to.elementType(), unsafe);
  if (to.kind === "map" && from.kind === "object")
    return objectToMap(from, to.elementType(), unsafe);
  if (to.kind === "object" && from.kind === "map") {
    if (!unsafe) return undefined;
    return mapToObject(from, to, unsafe);
  }
  return undefined;
}

function primitiveConversion(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  if (from.equals(to)) return (v) => v;
  if (to.kind === "string") {
    if (from.kind === "number") return (v) => Value.string(v.asBigNum().toString());
    if (from.kind === "bool") return (v) => (v.asBool() ? stringTrue : stringFalse);
  }
  if (!unsafe || from.kind !== "string") return undefined;
  if (to.kind === "number") {
    return (v) => {
      const b = BigNum.parse(v.asString());
      if (b === undefined) throw new ConversionError("a number is required");
      return Value.number(b);
    };
  }
  if (to.kind === "bool") {
    return (v) => {
      const s = v.asString();
      switch (s) {
        case "true":
        case "1":
          return Value.true;
        case "false":
        case "0":
          return Value.false;
      }
      const l = s.toLowerCase();
      if (l === "true" || l === "false") {
        throw new ConversionError(
          `a bool is required; to convert from string, use lowercase "${l}"`,
        );
      }
      throw new ConversionError("a bool is required");
    };
  }
  return undefined;
}

function nullClean(v: Value): Value {
  return v.isNull() && v.isKnown() ? Value.null(v.type.withoutOptionalAttributesDeep()) : v;
}

function objectToObject(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  const inAtys = from.attributeTypes();
  const outAtys = to.attributeTypes();
  const convs = new Map<string, Conversion | undefined>();
  for (const name in outAtys) {
    const outAty = outAtys[name] as Type;
    const inAty = inAtys[name];
    if (inAty === undefined) {
      if (to.attributeOptional(name)) continue;
      return undefined;
    }
    if (inAty.equals(outAty)) {
      convs.set(name, undefined);
      continue;
    }
    const c = getConversion(inAty, outAty, unsafe);
    if (c === undefined) return undefined;
    convs.set(name, c);
  }
  return (v) => {
    const out = new Map<string, Value>();
    for (const [name, av] of v.rawMap()) {
      if (!convs.has(name)) continue;
      const c = convs.get(name);
      out.set(name, nullClean(c ? c(av) : av));
    }
    for (const name of to.optionalAttributes()) {
      if (!out.has(name)) {
        out.set(name, Value.null((outAtys[name] as Type).withoutOptionalAttributesDeep()));
      }
    }
    return Value.object(out);
  };
}

function tupleToTuple(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  const inEtys = from.tupleElementTypes();
  const outEtys = to.tupleElementTypes();
  if (inEtys.length !== outEtys.length) return undefined;
  const convs: (Conversion | undefined)[] = [];
  for (let i = 0; i < inEtys.length; i++) {
    const a = inEtys[i] as Type;
    const b = outEtys[i] as Type;
    if (a.equals(b)) {
      convs.push(undefined);
      continue;
    }
    const c = getConversion(a, b, unsafe);
    if (c === undefined) return undefined;
    convs.push(c);
  }
  return (v) => {
    const es = v.elements().map((e, i) => {
      const c = convs[i];
      return nullClean(c ? c(e) : e);
    });
    return Value.tuple(es);
  };
}

function allSameType(vs: readonly Value[]): boolean {
  const t = (vs[0] as Value).type;
  for (let i = 1; i < vs.length; i++) if (!(vs[i] as Value).type.equals(t)) return false;
  return true;
}

function collectionToList(ety: Type, conv: Conversion | undefined): Conversion {
  return (v) => {
    if (!v.length().isKnown()) {
      return Value.unknown(Type.list(ety.isDynamic() ? v.type.elementType() : ety));
    }
    const elems = v.elements().map((e) => nullClean(conv ? conv(e) : e));
    if (elems.length === 0) {
      return Value.listEmpty(
        ety.isDynamic() ? v.type.elementType() : ety.withoutOptionalAttributesDeep(),
      );
    }
    if (!allSameType(elems)) {
      throw new ConversionError("element types must all match for conversion to list");
    }
    return Value.list(elems);
  };
}

function collectionToSet(ety: Type, conv: Conversion | undefined): Conversion {
  return (v) => {
    const elems = v.elements().map((e) => nullClean(conv ? conv(e) : e));
    if (elems.length === 0) {
      return Value.setEmpty(
        ety.isDynamic() ? v.type.elementType() : ety.withoutOptionalAttributesDeep(),
      );
    }
    if (!allSameType(elems)) {
      throw new ConversionError("element types must all match for conversion to set");
    }
    return Value.set(elems);
  };
}

function mapToMap(ety: Type, conv: Conversion): Conversion {
  return (v) => {
    let elems = new Map<string, Value>();
    for (const [k, e] of v.rawMap()) elems.set(k, conv(e));
    if (elems.size === 0) {
      return Value.mapEmpty(ety.isDynamic() ? v.type.elementType() : ety);
    }
    if (ety.isCollection() || ety.isObject()) elems = unifyMapElements(elems, false);
    if (!allSameType([...elems.values()])) {
      throw new ConversionError("element types must all match for conversion to map");
    }
    return Value.map(elems);
  };
}

function unifyMapElements(elems: Map<string, Value>, unsafe: boolean): Map<string, Value> {
  const types = [...elems.values()].map((e) => e.type);
  const u = unifyTypes(types, unsafe);
  if (u === undefined) throw new ConversionError("cannot find a common base type for all elements");
  const out = new Map<string, Value>();
  for (const [k, e] of elems) {
    if (e.type.equals(u.type)) {
      out.set(k, e);
      continue;
    }
    const c = getConversion(e.type, u.type, unsafe);
    out.set(k, c ? c(e) : e);
  }
  return out;
}

function unifyListElements(elems: Value[], unsafe: boolean): Value[] {
  const u = unifyTypes(
    elems.map((e) => e.type),
    unsafe,
  );
  if (u === undefined) throw new ConversionError("cannot find a common base type for all elements");
  return elems.map((e) => {
    if (e.type.equals(u.type)) return e;
    const c = getConversion(e.type, u.type, unsafe);
    return c ? c(e) : e;
  });
}

function elementConversions(
  etys: readonly Type[],
  target: Type,
  unsafe: boolean,
): (Conversion | undefined)[] | undefined {
  const convs: (Conversion | undefined)[] = [];
  for (const t of etys) {
    if (t.equals(target)) {
      convs.push(undefined);
      continue;
    }
    const c = getConversion(t, target, unsafe);
    if (c === undefined) return undefined;
    convs.push(c);
  }
  return convs;
}

/** The element type for a tuple/object -> collection conversion with a dynamic target. */
function unifiedTarget(etys: readonly Type[], target: Type, unsafe: boolean): Type | undefined {
  if (!target.isDynamic()) return target;
  const u = unifyTypes(etys, unsafe);
  if (u === undefined) return undefined;
  if (u.type.isDynamic() && !etys.every((t) => t.isDynamic())) return undefined;
  return u.type;
}

function tupleToList(from: Type, listEty: Type, unsafe: boolean): Conversion | undefined {
  const etys = from.tupleElementTypes();
  if (etys.length === 0) return () => Value.listEmpty(listEty.withoutOptionalAttributesDeep());
  const target = unifiedTarget(etys, listEty, unsafe);
  if (target === undefined) return undefined;
  const convs = elementConversions(etys, target, unsafe);
  if (convs === undefined) return undefined;
  return (v) => {
    let elems = v.elements().map((e, i) => {
      const c = convs[i];
      return c ? c(e) : e;
    });
    elems = unifyListElements(elems, unsafe);
    if (!allSameType(elems)) {
      throw new ConversionError("element types must all match for conversion to list");
    }
    return Value.list(elems);
  };
}

function tupleToSet(from: Type, setEty: Type, unsafe: boolean): Conversion | undefined {
  const etys = from.tupleElementTypes();
  if (etys.length === 0) return () => Value.setEmpty(setEty.withoutOptionalAttributesDeep());
  const target = unifiedTarget(etys, setEty, unsafe);
  if (target === undefined) return undefined;
  const convs = elementConversions(etys, target, unsafe);
  if (convs === undefined) return undefined;
  return (v) => {
    const elems = v.elements().map((e, i) => {
      const c = convs[i];
      return nullClean(c ? c(e) : e);
    });
    if (!allSameType(elems)) {
      throw new ConversionError("element types must all match for conversion to set");
    }
    return Value.set(elems);
  };
}

function objectToMap(from: Type, mapEty: Type, unsafe: boolean): Conversion | undefined {
  const atys = from.attributeTypes();
  const names = Object.keys(atys);
  if (names.length === 0) return () => Value.mapEmpty(mapEty.withoutOptionalAttributesDeep());
  const target = mapEty.isDynamic()
    ? unifyTypes(
        names.map((n) => atys[n] as Type),
        unsafe,
      )?.type
    : mapEty;
  if (target === undefined) return undefined;
  const convs = new Map<string, Conversion>();
  for (const n of names) {
    const t = atys[n] as Type;
    if (t.equals(target)) continue;
    const c = getConversion(t, target, unsafe);
    if (c === undefined) return undefined;
    convs.set(n, c);
  }
  return (v) => {
    let elems = new Map<string, Value>();
    for (const [k, e] of v.rawMap()) {
      const c = convs.get(k);
      elems.set(k, c ? c(e) : e);
    }
    if (target.isCollection() || target.isObject()) elems = unifyMapElements(elems, unsafe);
    if (!allSameType([...elems.values()])) {
      throw new ConversionError("attribute types must all match for conversion to map");
    }
    return Value.map(elems);
  };
}

function mapToObject(from: Type, to: Type, unsafe: boolean): Conversion | undefined {
  const atys = to.attributeTypes();
  const mapEty = from.elementType();
  // undefined value: no conversion needed; null: impossible (only allowed for optional attrs)
  const convs = new Map<string, Conversion | null>();
  for (const name in atys) {
    const aty = atys[name] as Type;
    if (aty.equals(mapEty)) continue;
    const c = getConversion(mapEty, aty, unsafe);
    if (c === undefined) {
      if (to.attributeOptional(name) && unsafe) {
        convs.set(name, null);
        continue;
      }
      return undefined;
    }
    convs.set(name, c);
  }
  return (v) => {
    const out = new Map<string, Value>();
    for (const [name, e] of v.rawMap()) {
      if (atys[name] === undefined) continue;
      let ev = e;
      const c = convs.get(name);
      if (c) ev = c(e);
      else if (c === null) {
        throw new ConversionError(
          `map element type is incompatible with attribute ${goQuote(name)}: ${mismatchMessage(e.type, atys[name] as Type)}`,
        );
      }
      out.set(name, nullClean(ev));
    }
    for (const name in atys) {
      if (out.has(name)) continue;
      if (to.attributeOptional(name)) out.set(name, Value.null(atys[name] as Type));
      else {
        throw new ConversionError(`map has no element for required attribute ${goQuote(name)}`);
      }
    }
    return Value.object(out);
  };
}

/**
 * Replace the dynamic parts of `out` with the corresponding parts of `inT`
 * (so a null/unknown passing through keeps as much type detail as possible).
 */
export function dynamicReplace(inT: Type, out: Type): Type {
  if (inT.isDynamic()) return out;
  switch (out.kind) {
    case "dynamic":
      return inT;
    case "string":
    case "number":
    case "bool":
      return out;
    case "map":
      if (inT.isMap()) return Type.map(dynamicReplace(inT.elementType(), out.elementType()));
      if (inT.isObject()) {
        const atys = inT.attributeTypes();
        const u = unifyTypes(
          Object.keys(atys).map((k) => atys[k] as Type),
          true,
        );
        return Type.map(dynamicReplace(u?.type ?? Type.dynamic, out.elementType()));
      }
      return out;
    case "object": {
      const outAtys = out.attributeTypes();
      const res: Record<string, Type> = Object.create(null);
      for (const name in outAtys) {
        const at = outAtys[name] as Type;
        if (inT.isMap()) res[name] = dynamicReplace(inT.elementType(), at);
        else if (inT.isObject() && inT.hasAttribute(name)) {
          res[name] = dynamicReplace(inT.attributeType(name), at);
        } else res[name] = at;
      }
      return Type.object(res);
    }
    case "set":
    case "list": {
      const mk = out.kind === "set" ? Type.set : Type.list;
      if (inT.isSet() || inT.isList())
        return mk(dynamicReplace(inT.elementType(), out.elementType()));
      if (inT.isTuple()) {
        const u = unifyTypes(inT.tupleElementTypes(), true);
        return mk(dynamicReplace(u?.type ?? Type.dynamic, out.elementType()));
      }
      return out;
    }
    case "tuple": {
      if (!inT.isTuple()) return out;
      const a = inT.tupleElementTypes();
      const b = out.tupleElementTypes();
      if (a.length !== b.length) return out;
      return Type.tuple(b.map((t, i) => dynamicReplace(a[i] as Type, t)));
    }
  }
}

/** cty's MismatchMessage: why a value of type `got` can't convert to `want`. */
export function mismatchMessage(got: Type, want: Type): string {
  if (got.isObject() && want.isObject()) return mismatchObjects(got, want);
  if (got.isTuple() && want.isList() && want.elementType().isDynamic()) {
    return "all list elements must have the same type";
  }
  if (got.isTuple() && want.isSet() && want.elementType().isDynamic()) {
    return "all set elements must have the same type";
  }
  if (got.isObject() && want.isMap() && want.elementType().isDynamic()) {
    return "all map elements must have the same type";
  }
  if ((got.isTuple() || got.isObject()) && want.isCollection()) {
    return mismatchStructuralToCollection(got, want);
  }
  if (got.isCollection() && want.isCollection()) return mismatchCollections(got, want);
  return `${want.friendlyNameForConstraint()} required`;
}

function mismatchObjects(got: Type, want: Type): string {
  const gotAtys = got.attributeTypes();
  const wantAtys = want.attributeTypes();
  const missing: string[] = [];
  let unsafeMismatch = "";
  let safeMismatch = "";
  for (const name in wantAtys) {
    const wantAty = wantAtys[name] as Type;
    const gotAty = gotAtys[name];
    if (gotAty === undefined) {
      if (!want.attributeOptional(name)) missing.push(name);
      continue;
    }
    if (gotAty.equals(wantAty)) continue;
    if (unsafeMismatch !== "") continue;
    if (getConversion(gotAty, wantAty, true) === undefined) {
      unsafeMismatch = `attribute ${goQuote(name)}: ${mismatchMessage(gotAty, wantAty)}`;
    }
    if (safeMismatch !== "") continue;
    if (getConversion(gotAty, wantAty, false) === undefined) {
      safeMismatch = `attribute ${goQuote(name)}: ${mismatchMessage(gotAty, wantAty)}`;
    }
  }
  if (missing.length > 0) {
    missing.sort(compareStrings);
    const q = missing.map((m) => goQuote(m));
    if (q.length === 1) return `attribute ${q[0]} is required`;
    if (q.length === 2) return `attributes ${q[0]} and ${q[1]} are required`;
    return `attributes ${q.slice(0, -1).join(", ")}, and ${q[q.length - 1]} are required`;
  }
  if (unsafeMismatch !== "") return unsafeMismatch;
  if (safeMismatch !== "") return safeMismatch;
  return "incorrect object attributes";
}

function mismatchStructuralToCollection(got: Type, want: Type): string {
  if ((want.isList() || want.isSet()) && !got.isTuple()) {
    return `${want.friendlyNameForConstraint()} required`;
  }
  if (want.isMap() && !got.isObject()) return `${want.friendlyNameForConstraint()} required`;
  const wantEty = want.elementType();
  if (got.isTuple()) {
    const etys = got.tupleElementTypes();
    for (let i = 0; i < etys.length; i++) {
      const t = etys[i] as Type;
      if (t.equals(wantEty) || getConversion(t, wantEty, true) !== undefined) continue;
      return `element ${i}: ${mismatchMessage(t, wantEty)}`;
    }
  } else {
    const atys = got.attributeTypes();
    for (const name in atys) {
      const t = atys[name] as Type;
      if (t.equals(wantEty) || getConversion(t, wantEty, true) !== undefined) continue;
      return `element ${goQuote(name)}: ${mismatchMessage(t, wantEty)}`;
    }
  }
  return `all elements must be ${wantEty.friendlyNameForConstraint()}`;
}

function mismatchCollections(got: Type, want: Type): string {
  if ((want.isList() || want.isSet()) && !(got.isList() || got.isSet())) {
    return `${want.friendlyNameForConstraint()} required`;
  }
  if (want.isMap() && !got.isMap()) return `${want.friendlyNameForConstraint()} required`;
  const noun = want.isList()
    ? "list element type"
    : want.isSet()
      ? "set element type"
      : "map element type";
  return `incorrect ${noun}: ${mismatchMessage(got.elementType(), want.elementType())}`;
}
