// Collection functions: alltrue anytrue chunklist coalesce coalescelist
// compact concat contains distinct element flatten index keys length lookup
// merge one range reverse setintersection setproduct setunion slice sort
// values zipmap.

import { convert } from "../cty/convert.js";
import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { BigNum } from "../cty/number.js";
import { goQuote } from "../cty/quote.js";
import { compareStrings, Type } from "../cty/type.js";
import { unifyUnsafe } from "../cty/unify.js";
import { Value } from "../cty/value.js";
import { graphemeCount } from "./gofmt.js";
import { goInt, intToNumber, WHOLE_NUMBER_MESSAGE } from "./numeric.js";

function mustConvert(v: Value, t: Type, argIndex?: number): Value {
  const r = convert(v, t);
  if ("error" in r) {
    throw argIndex === undefined ? new FunctionError(r.error) : new ArgError(argIndex, r.error);
  }
  return r.value;
}

function listOf(vals: readonly Value[], ety: Type): Value {
  return vals.length === 0 ? Value.listEmpty(ety) : Value.list(vals);
}

function isSequence(t: Type): boolean {
  return t.isList() || t.isSet() || t.isTuple();
}

// ---------------------------------------------------------------------------

function boolFold(any: boolean): FunctionImpl {
  return new FunctionImpl({
    description: any
      ? "Returns true if any element of the list is true (false for an empty list)."
      : "Returns true if every element of the list is true (true for an empty list).",
    params: [{ name: "list", type: Type.list(Type.bool) }],
    type: staticReturnType(Type.bool),
    impl: (args) => {
      let hasUnknown = false;
      for (const v of (args[0] as Value).elements()) {
        if (!v.isKnown()) {
          if (!any) return Value.unknown(Type.bool);
          hasUnknown = true;
          continue;
        }
        if (v.isNull()) {
          if (!any) return Value.false;
          continue;
        }
        if (any && v.isTrue()) return Value.true;
        if (!any && v.isFalse()) return Value.false;
      }
      if (hasUnknown) return Value.unknown(Type.bool);
      return Value.bool(!any);
    },
  });
}

const chunklist = new FunctionImpl({
  description: "Splits a list into fixed-size chunks, returning a list of lists.",
  params: [
    { name: "list", type: Type.list(Type.dynamic) },
    { name: "size", type: Type.number },
  ],
  type: (args) => Type.list((args[0] as Value).type),
  impl: (args) => {
    const list = args[0] as Value;
    const sizeB = goInt(args[1] as Value);
    if (sizeB === undefined) throw new FunctionError(`invalid size: ${WHOLE_NUMBER_MESSAGE}`);
    if (sizeB < 0n) throw new FunctionError("the size argument must be positive");
    const elems = list.elements();
    if (elems.length === 0) return Value.listEmpty(list.type);
    if (sizeB === 0n) return Value.list([list]);
    const size = intToNumber(sizeB);
    const out: Value[] = [];
    for (let i = 0; i < elems.length; i += size) out.push(Value.list(elems.slice(i, i + size)));
    return Value.list(out);
  },
});

const coalesce = new FunctionImpl({
  description: "Returns the first argument that is not null or an empty string.",
  params: [],
  varParam: {
    name: "vals",
    type: Type.dynamic,
    allowUnknown: true,
    allowDynamicType: true,
    allowNull: true,
  },
  type: (args) => {
    const u = unifyUnsafe(args.map((a) => a.type));
    if (u === undefined) throw new FunctionError("all arguments must have the same type");
    return u.type;
  },
  impl: (args, retType) => {
    for (const arg of args) {
      const v = mustConvert(arg, retType);
      if (!v.isKnown()) return Value.unknown(retType);
      if (v.isNull()) continue;
      if (retType.isString() && v.asString() === "") continue;
      return v;
    }
    throw new FunctionError("no non-null, non-empty-string arguments");
  },
});

const coalescelist = new FunctionImpl({
  description: "Returns the first of the given lists or tuples that is not empty.",
  params: [],
  varParam: {
    name: "vals",
    type: Type.dynamic,
    allowUnknown: true,
    allowDynamicType: true,
    allowNull: true,
  },
  type: (args) => {
    if (args.length === 0) throw new FunctionError("at least one argument is required");
    for (const arg of args) {
      if (!arg.isKnown()) return Type.dynamic;
      if (!arg.type.isList() && !arg.type.isTuple()) {
        throw new FunctionError("coalescelist arguments must be lists or tuples");
      }
    }
    const first = (args[0] as Value).type;
    return args.every((a) => a.type.equals(first)) ? first : Type.dynamic;
  },
  impl: (args, retType) => {
    for (const arg of args) {
      if (!arg.isKnown()) return Value.unknown(retType);
      if (arg.isNull()) continue;
      if (arg.lengthInt() > 0) return arg;
    }
    throw new FunctionError("no non-null arguments");
  },
});

const compact = new FunctionImpl({
  description: "Removes empty string and null elements from a list of strings.",
  params: [{ name: "list", type: Type.list(Type.string) }],
  type: staticReturnType(Type.list(Type.string)),
  impl: (args, retType) => {
    const list = args[0] as Value;
    if (!list.isWhollyKnown()) return Value.unknown(retType);
    const out = list.elements().filter((v) => !v.isNull() && v.asString() !== "");
    return listOf(out, Type.string);
  },
});

const concat = new FunctionImpl({
  description: "Combines two or more lists or tuples into a single sequence.",
  params: [],
  varParam: { name: "seqs", type: Type.dynamic },
  type: (args) => {
    if (args.length === 0) throw new FunctionError("at least one argument is required");
    if ((args[0] as Value).type.isList() && args.every((a) => a.type.isList())) {
      const u = unifyUnsafe(args.map((a) => a.type));
      if (u !== undefined) return u.type;
    }
    const etys: Type[] = [];
    for (let i = 0; i < args.length; i++) {
      const v = args[i] as Value;
      const t = v.type;
      if (t.isTuple()) etys.push(...t.tupleElementTypes());
      else if (t.isList()) {
        if (!v.isKnown()) return Type.dynamic;
        const n = v.lengthInt();
        for (let j = 0; j < n; j++) etys.push(t.elementType());
      } else {
        throw new ArgError(i, `all arguments must be lists or tuples; got ${t.friendlyName()}`);
      }
    }
    return Type.tuple(etys);
  },
  impl: (args, retType) => {
    const vals: Value[] = [];
    if (retType.isList()) {
      args.forEach((list, i) => {
        vals.push(...mustConvert(list, retType, i).elements());
      });
      return listOf(vals, retType.elementType());
    }
    for (const seq of args) vals.push(...seq.elements());
    return Value.tuple(vals);
  },
});

const contains = new FunctionImpl({
  description: "Reports whether a list, tuple or set contains the given value.",
  params: [
    { name: "list", type: Type.dynamic },
    { name: "value", type: Type.dynamic },
  ],
  type: staticReturnType(Type.bool),
  impl: (args) => {
    const list = args[0] as Value;
    if (!isSequence(list.type)) throw new FunctionError("argument must be list, tuple, or set");
    if (list.lengthInt() === 0) return Value.false;
    let unknown = false;
    for (const v of list.elements()) {
      const eq = (args[1] as Value).equals(v);
      if (!eq.isKnown()) {
        unknown = true;
        continue;
      }
      if (eq.isTrue()) return Value.true;
    }
    return unknown ? Value.unknown(Type.bool) : Value.false;
  },
});

const distinct = new FunctionImpl({
  description: "Removes duplicate elements from a list, keeping the first occurrence.",
  params: [{ name: "list", type: Type.list(Type.dynamic) }],
  type: (args) => (args[0] as Value).type,
  impl: (args, retType) => {
    const list = args[0] as Value;
    if (!list.isWhollyKnown()) return Value.unknown(retType);
    const out: Value[] = [];
    for (const v of list.elements()) {
      if (!out.some((w) => w.equals(v).isTrue())) out.push(v);
    }
    return listOf(out, retType.elementType());
  },
});

const element = new FunctionImpl({
  description: "Returns the element at the given index, wrapping around past the end.",
  params: [
    { name: "list", type: Type.dynamic },
    { name: "index", type: Type.number },
  ],
  type: (args) => {
    const list = args[0] as Value;
    const index = args[1] as Value;
    if (index.isKnown() && index.asBigNum().sign() < 0) {
      throw new FunctionError("cannot use element function with a negative index");
    }
    const t = list.type;
    if (t.isList()) return t.elementType();
    if (t.isTuple()) {
      if (!index.isKnown()) return Type.dynamic;
      const i = goInt(index);
      if (i === undefined) throw new FunctionError(`invalid index: ${WHOLE_NUMBER_MESSAGE}`);
      const etys = t.tupleElementTypes();
      if (etys.length === 0)
        throw new FunctionError("cannot use element function with an empty list");
      return etys[Number(i % BigInt(etys.length))] as Type;
    }
    throw new FunctionError(`cannot read elements from ${t.friendlyName()}`);
  },
  impl: (args, retType) => {
    const list = args[0] as Value;
    const i = goInt(args[1] as Value);
    if (i === undefined) throw new FunctionError(`invalid index: ${WHOLE_NUMBER_MESSAGE}`);
    if (i < 0n) throw new FunctionError("cannot use element function with a negative index");
    if (!list.isKnown()) return Value.unknown(retType);
    const n = list.lengthInt();
    if (n === 0) throw new FunctionError("cannot use element function with an empty list");
    return list.index(Value.number(Number(i % BigInt(n))));
  },
});

/** Flatten nested lists/sets/tuples; known=false if the shape isn't fully known. */
function flattener(list: Value): { out: Value[]; known: boolean } {
  if (!list.isKnown()) return { out: [], known: false };
  const out: Value[] = [];
  let known = true;
  for (const v of list.elements()) {
    if (v.type.isDynamic() && !v.isNull()) known = false;
    if (isSequence(v.type) && !v.isNull()) {
      if (!v.isKnown()) {
        known = false;
        continue;
      }
      const r = flattener(v);
      if (r.known) out.push(...r.out);
      else known = false;
    } else out.push(v);
  }
  return { out, known };
}

const flatten = new FunctionImpl({
  description: "Replaces nested lists with their elements, recursively.",
  params: [{ name: "list", type: Type.dynamic }],
  type: (args) => {
    const list = args[0] as Value;
    if (!list.isWhollyKnown()) return Type.dynamic;
    if (!isSequence(list.type)) throw new FunctionError("can only flatten lists, sets and tuples");
    const r = flattener(list);
    if (!r.known) return Type.dynamic;
    return Type.tuple(r.out.map((v) => v.type));
  },
  impl: (args, retType) => {
    const list = args[0] as Value;
    if (list.lengthInt() === 0) return Value.emptyTuple;
    const r = flattener(list);
    if (!r.known) return Value.unknown(retType);
    return Value.tuple(r.out);
  },
});

const index = new FunctionImpl({
  description: "Returns the index of the first element of a list or tuple equal to the value.",
  params: [
    { name: "list", type: Type.dynamic },
    { name: "value", type: Type.dynamic },
  ],
  type: staticReturnType(Type.number),
  impl: (args) => {
    const list = args[0] as Value;
    if (!list.type.isList() && !list.type.isTuple()) {
      throw new FunctionError("argument must be a list or tuple");
    }
    const elems = list.elements();
    if (elems.length === 0) throw new FunctionError("cannot search an empty list");
    for (let i = 0; i < elems.length; i++) {
      const eq = (elems[i] as Value).equals(args[1] as Value);
      if (!eq.isKnown()) return Value.unknown(Type.number);
      if (eq.isTrue()) return Value.number(i);
    }
    throw new FunctionError("item not found");
  },
});

const keys = new FunctionImpl({
  description: "Returns the keys of a map or object, in lexical order.",
  params: [{ name: "inputMap", type: Type.dynamic, allowUnknown: true }],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isMap()) return Type.list(Type.string);
    if (t.isObject()) return Type.tuple(Object.keys(t.attributeTypes()).map(() => Type.string));
    throw new ArgError(0, "must have map or object type");
  },
  impl: (args, retType) => {
    const m = args[0] as Value;
    if (m.type.isObject()) {
      const names = Object.keys(m.type.attributeTypes()).sort(compareStrings);
      return Value.tuple(names.map((n) => Value.string(n)));
    }
    if (!m.isKnown()) return Value.unknown(retType);
    return listOf(
      m.entries().map(([k]) => Value.string(k)),
      Type.string,
    );
  },
});

const length = new FunctionImpl({
  description: "Returns the number of elements of a collection or characters of a string.",
  params: [{ name: "value", type: Type.dynamic, allowDynamicType: true, allowUnknown: true }],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isString() || t.isTuple() || t.isObject() || t.isCollection() || t.isDynamic()) {
      return Type.number;
    }
    throw new FunctionError("argument must be a string, a collection type, or a structural type");
  },
  impl: (args) => {
    const v = args[0] as Value;
    const t = v.type;
    if (t.isDynamic()) return Value.unknown(Type.number);
    if (t.isTuple() || t.isObject()) return Value.number(v.lengthInt());
    if (t.isString()) {
      if (!v.isKnown()) return Value.unknown(Type.number);
      return Value.number(graphemeCount(v.asString()));
    }
    return v.length();
  },
});

const lookup = new FunctionImpl({
  description: "Returns the element of a map with the given key, or the default if there is none.",
  params: [
    { name: "inputMap", type: Type.dynamic },
    { name: "key", type: Type.string },
  ],
  varParam: {
    name: "default",
    type: Type.dynamic,
    allowNull: true,
    allowUnknown: true,
    allowDynamicType: true,
  },
  type: (args) => {
    if (args.length > 3) {
      throw new FunctionError(`lookup() takes two or three arguments, got ${args.length}`);
    }
    const m = args[0] as Value;
    const t = m.type;
    const hasDefault = args.length === 3;
    if (t.isObject()) {
      const key = args[1] as Value;
      if (!key.isKnown()) return Type.dynamic;
      const k = key.asString();
      if (t.hasAttribute(k)) return t.attributeType(k);
      if (hasDefault) return (args[2] as Value).type;
      throw new ArgError(0, `the given object has no attribute ${goQuote(k)}`);
    }
    if (t.isMap()) {
      if (hasDefault && "error" in convert(args[2] as Value, t.elementType())) {
        throw new ArgError(2, "the default value must have the same type as the map elements");
      }
      return t.elementType();
    }
    throw new ArgError(0, "lookup() requires a map as the first argument");
  },
  impl: (args, retType) => {
    const m = args[0] as Value;
    const k = (args[1] as Value).asString();
    if (!m.isWhollyKnown()) return Value.unknown(retType);
    if (m.type.isObject()) {
      if (m.type.hasAttribute(k)) return m.getAttr(k);
    } else if (m.hasIndex(Value.string(k)).isTrue()) {
      return m.index(Value.string(k));
    }
    if (args.length === 3) return mustConvert(args[2] as Value, retType);
    throw new FunctionError(`lookup failed to find key ${goQuote(k)}`);
  },
});

const merge = new FunctionImpl({
  description: "Merges maps or objects; later arguments take precedence for duplicate keys.",
  params: [],
  varParam: { name: "maps", type: Type.dynamic, allowDynamicType: true, allowNull: true },
  type: (args) => {
    if (args.length === 0) return Type.emptyObject;
    const attrs: Record<string, Type> = {};
    let first: Type | undefined;
    let matching = true;
    let attrsKnown = true;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as Value;
      const t = arg.type;
      if (t.isDynamic()) return Type.dynamic;
      if (!t.isMap() && !t.isObject()) {
        throw new FunctionError(
          `arguments must be maps or objects, got ${goQuote(t.friendlyName())}`,
        );
      }
      if (t.isObject() && !arg.isNull()) {
        Object.assign(attrs, t.attributeTypes());
      } else if (t.isMap() && !arg.isNull()) {
        if (arg.isKnown()) for (const [k] of arg.entries()) attrs[k] = t.elementType();
        else attrsKnown = false;
      }
      if (i === 0) first = t;
      else if (matching && !t.equals(first as Type)) matching = false;
    }
    if (matching) return first as Type;
    if (!attrsKnown) return Type.dynamic;
    return Type.object(attrs);
  },
  impl: (args, retType) => {
    const out = new Map<string, Value>();
    for (const arg of args) {
      if (arg.isNull()) continue;
      for (const [k, v] of arg.entries()) out.set(k, v);
    }
    if (retType.isMap()) {
      return out.size === 0 ? Value.mapEmpty(retType.elementType()) : Value.map(out);
    }
    return Value.object(out);
  },
});

const ONE_MESSAGE = "must be a list, set, or tuple value with either zero or one elements";

const one = new FunctionImpl({
  description: "Returns the only element of a zero- or one-element collection (null if empty).",
  params: [{ name: "list", type: Type.dynamic }],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isList() || t.isSet()) return t.elementType();
    if (t.isTuple()) {
      const etys = t.tupleElementTypes();
      if (etys.length === 0) return Type.dynamic;
      if (etys.length === 1) return etys[0] as Type;
    }
    throw new ArgError(0, ONE_MESSAGE);
  },
  impl: (args, retType) => {
    const v = args[0] as Value;
    if (!v.length().isKnown()) return Value.unknown(retType);
    const elems = v.elements();
    if (elems.length === 0) return Value.null(retType);
    if (elems.length === 1) return elems[0] as Value;
    throw new ArgError(0, ONE_MESSAGE);
  },
});

const range = new FunctionImpl({
  description: "Generates a list of numbers from a start value, a limit value and a step.",
  params: [],
  varParam: { name: "params", type: Type.number },
  type: staticReturnType(Type.list(Type.number)),
  impl: (args) => {
    const nums = args.map((a) => a.asBigNum());
    let start: BigNum;
    let end: BigNum;
    let step: BigNum;
    switch (nums.length) {
      case 1:
        start = BigNum.zero;
        end = nums[0] as BigNum;
        step = BigNum.fromNumber(end.sign() < 0 ? -1 : 1);
        break;
      case 2:
        start = nums[0] as BigNum;
        end = nums[1] as BigNum;
        step = BigNum.fromNumber(end.cmp(start) < 0 ? -1 : 1);
        break;
      case 3:
        [start, end, step] = nums as [BigNum, BigNum, BigNum];
        break;
      default:
        throw new FunctionError("must have one, two, or three arguments");
    }
    if (step.isZero()) throw new ArgError(2, "step must not be zero");
    const down = step.sign() < 0;
    if (down && end.cmp(start) > 0) {
      throw new ArgError(1, "end must be less than start when step is negative");
    }
    if (!down && end.cmp(start) < 0) {
      throw new ArgError(1, "end must be greater than start when step is positive");
    }
    const vals: Value[] = [];
    let num = start;
    for (;;) {
      if (down ? num.cmp(end) <= 0 : num.cmp(end) >= 0) break;
      if (vals.length >= 1024) {
        throw new FunctionError(
          "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
        );
      }
      vals.push(Value.number(num));
      num = num.add(step);
    }
    return listOf(vals, Type.number);
  },
});

const reverse = new FunctionImpl({
  description: "Reverses the order of the elements of a list or tuple.",
  params: [{ name: "list", type: Type.dynamic }],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isTuple()) return Type.tuple(t.tupleElementTypes().slice().reverse());
    if (t.isList() || t.isSet()) return Type.list(t.elementType());
    throw new ArgError(0, `can only reverse list or tuple values, not ${t.friendlyName()}`);
  },
  impl: (args, retType) => {
    const vals = (args[0] as Value).elements().slice().reverse();
    if (retType.isTuple()) return Value.tuple(vals);
    return listOf(vals, retType.elementType());
  },
});

// ----------------------------------------------------------------- set functions

function setOperationReturnType(args: Value[]): Type {
  const etys: Type[] = [];
  for (const arg of args) {
    const ety = arg.type.elementType();
    if (arg.isKnown() && arg.lengthInt() === 0 && ety.isDynamic()) continue;
    etys.push(ety);
  }
  if (etys.length === 0) return Type.set(Type.dynamic);
  const u = unifyUnsafe(etys);
  if (u === undefined) throw new FunctionError("given sets must all have compatible element types");
  return Type.set(u.type);
}

function setOperation(
  description: string,
  combine: (acc: Value[], next: readonly Value[]) => Value[],
  allowUnknowns: boolean,
): FunctionImpl {
  return new FunctionImpl({
    description,
    params: [{ name: "first_set", type: Type.set(Type.dynamic), allowDynamicType: true }],
    varParam: { name: "other_sets", type: Type.set(Type.dynamic), allowDynamicType: true },
    type: setOperationReturnType,
    impl: (args, retType) => {
      let acc: Value[] | undefined;
      for (let i = 0; i < args.length; i++) {
        const s = mustConvert(args[i] as Value, retType, i);
        if (!allowUnknowns && !s.isWhollyKnown()) return Value.unknown(retType);
        if (!s.isKnown()) return Value.unknown(retType);
        acc = acc === undefined ? s.elements().slice() : combine(acc, s.elements());
      }
      const elems = acc ?? [];
      return elems.length === 0 ? Value.setEmpty(retType.elementType()) : Value.set(elems);
    },
  });
}

const setunion = setOperation(
  "Returns the union of the given sets.",
  (acc, next) => acc.concat(next),
  true,
);

const setintersection = setOperation(
  "Returns the elements that all of the given sets have in common.",
  (acc, next) => acc.filter((v) => next.some((w) => w.equals(v).isTrue())),
  false,
);

const setproduct = new FunctionImpl({
  description: "Returns the Cartesian product of the given sets or lists.",
  params: [],
  varParam: { name: "sets", type: Type.dynamic },
  type: (args) => {
    if (args.length < 2) throw new FunctionError("at least two arguments are required");
    let listCount = 0;
    const elemTys: Type[] = [];
    args.forEach((arg, i) => {
      const t = arg.type;
      if (t.isSet()) elemTys.push(t.elementType());
      else if (t.isList()) {
        elemTys.push(t.elementType());
        listCount++;
      } else if (t.isTuple()) {
        const all = t.tupleElementTypes();
        listCount++;
        if (all.length === 0) {
          elemTys.push(Type.dynamic);
          return;
        }
        const u = unifyUnsafe(all);
        if (u === undefined) throw new ArgError(i, "all elements must be of the same type");
        elemTys.push(u.type);
      } else {
        throw new ArgError(i, "a set or a list is required");
      }
    });
    const ety = Type.tuple(elemTys);
    return listCount === args.length ? Type.list(ety) : Type.set(ety);
  },
  impl: (args, retType) => {
    const ety = retType.elementType();
    const subEtys = ety.tupleElementTypes();
    let total = 1;
    for (const arg of args) {
      if (!arg.length().isKnown()) return Value.unknown(retType);
      total *= arg.lengthInt();
    }
    if (total === 0) return retType.isList() ? Value.listEmpty(ety) : Value.setEmpty(ety);
    if (total > 1_000_000) throw new FunctionError("the product has too many elements");
    const argVals = args.map((a) => a.elements());
    const idx = args.map(() => 0);
    const product: Value[] = [];
    for (let n = 0; n < total; n++) {
      const row = idx.map((k, j) => {
        const v = (argVals[j] as readonly Value[])[k] as Value;
        const t = subEtys[j] as Type;
        return v.type.equals(t) ? v : mustConvert(v, t);
      });
      product.push(Value.tuple(row));
      for (let j = idx.length - 1; j >= 0; j--) {
        idx[j] = (idx[j] as number) + 1;
        if ((idx[j] as number) < (argVals[j] as readonly Value[]).length) break;
        idx[j] = 0;
      }
    }
    return retType.isList() ? Value.list(product) : Value.set(product);
  },
});

// ----------------------------------------------------------------- slice, sort, ...

function sliceIndexes(args: Value[]): { start: number; end: number; known: boolean } {
  const list = args[0] as Value;
  let length = -1;
  if (list.type.isTuple() || list.length().isKnown()) length = list.lengthInt();
  let start = 0;
  let end = 0;
  let startKnown = false;
  let endKnown = false;
  const startV = args[1] as Value;
  const endV = args[2] as Value;
  if (startV.isKnown()) {
    const s = goInt(startV);
    if (s === undefined) throw new ArgError(1, `invalid start index: ${WHOLE_NUMBER_MESSAGE}`);
    if (s < 0n) throw new ArgError(1, "start index must not be less than zero");
    if (length >= 0 && s > BigInt(length)) {
      throw new ArgError(1, "start index must not be greater than the length of the list");
    }
    start = Number(s);
    startKnown = true;
  }
  if (endV.isKnown()) {
    const e = goInt(endV);
    if (e === undefined) throw new ArgError(2, `invalid end index: ${WHOLE_NUMBER_MESSAGE}`);
    if (e < 0n) throw new ArgError(2, "end index must not be less than zero");
    if (length >= 0 && e > BigInt(length)) {
      throw new ArgError(2, "end index must not be greater than the length of the list");
    }
    end = Number(e);
    endKnown = true;
  }
  if (startKnown && endKnown && start > end) {
    throw new ArgError(1, "start index must not be greater than end index");
  }
  return { start, end, known: startKnown && endKnown };
}

const slice = new FunctionImpl({
  description:
    "Extracts consecutive elements of a list or tuple from start (inclusive) to end (exclusive).",
  params: [
    { name: "list", type: Type.dynamic },
    { name: "start_index", type: Type.number },
    { name: "end_index", type: Type.number },
  ],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isSet()) {
      throw new ArgError(
        0,
        "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
      );
    }
    if (!t.isList() && !t.isTuple()) throw new ArgError(0, "must be a list or tuple value");
    const { start, end, known } = sliceIndexes(args);
    if (t.isList()) return t;
    if (!known) return Type.dynamic;
    return Type.tuple(t.tupleElementTypes().slice(start, end));
  },
  impl: (args, retType) => {
    if (retType.isDynamic()) return Value.dynamic;
    const { start, end } = sliceIndexes(args);
    const vals = (args[0] as Value).elements().slice(start, end);
    if (retType.isTuple()) return Value.tuple(vals);
    return listOf(vals, retType.elementType());
  },
});

const sort = new FunctionImpl({
  description: "Sorts a list of strings lexically (by Unicode code point).",
  params: [{ name: "list", type: Type.list(Type.string) }],
  type: staticReturnType(Type.list(Type.string)),
  impl: (args, retType) => {
    const list = args[0] as Value;
    if (!list.isWhollyKnown()) return Value.unknown(retType);
    const elems = list.elements();
    if (elems.length === 0) return list;
    const strs = elems.map((v, i) => {
      if (v.isNull()) {
        throw new FunctionError(`given list element ${i} is null; a null string cannot be sorted`);
      }
      return v.asString();
    });
    strs.sort(compareStrings);
    return Value.list(strs.map((s) => Value.string(s)));
  },
});

const values = new FunctionImpl({
  description: "Returns the values of a map or object, ordered by key.",
  params: [{ name: "values", type: Type.dynamic }],
  type: (args) => {
    const t = (args[0] as Value).type;
    if (t.isMap()) return Type.list(t.elementType());
    if (t.isObject()) {
      const attrs = t.attributeTypes();
      const names = Object.keys(attrs).sort(compareStrings);
      return Type.tuple(names.map((n) => attrs[n] as Type));
    }
    throw new FunctionError("values() requires a map as the first argument");
  },
  impl: (args, retType) => {
    const vals = (args[0] as Value).entries().map(([, v]) => v);
    if (retType.isTuple()) return Value.tuple(vals);
    return listOf(vals, retType.elementType());
  },
});

const zipmap = new FunctionImpl({
  description: "Builds a map from a list of keys and a corresponding list of values.",
  params: [
    { name: "keys", type: Type.list(Type.string) },
    { name: "values", type: Type.dynamic },
  ],
  type: (args) => {
    const keysV = args[0] as Value;
    const vt = (args[1] as Value).type;
    if (vt.isList()) return Type.map(vt.elementType());
    if (vt.isTuple()) {
      if (!keysV.isWhollyKnown()) return Type.dynamic;
      const ks = keysV.elements();
      const vts = vt.tupleElementTypes();
      if (ks.length !== vts.length) {
        throw new FunctionError(
          `number of keys (${ks.length}) does not match number of values (${vts.length})`,
        );
      }
      const attrs: Record<string, Type> = {};
      ks.forEach((k, i) => {
        if (k.isNull()) throw new FunctionError(`keys list has null value at index ${i}`);
        attrs[k.asString()] = vts[i] as Type;
      });
      return Type.object(attrs);
    }
    throw new FunctionError("values argument must be a list or tuple value");
  },
  impl: (args, retType) => {
    const keysV = args[0] as Value;
    const valsV = args[1] as Value;
    if (!keysV.isWhollyKnown()) return Value.unknown(retType);
    const ks = keysV.elements();
    const vs = valsV.elements();
    if (ks.length !== vs.length) {
      throw new FunctionError(
        `number of keys (${ks.length}) does not match number of values (${vs.length})`,
      );
    }
    const out = new Map<string, Value>();
    ks.forEach((k, i) => {
      if (k.isNull()) throw new FunctionError(`keys list has null value at index ${i}`);
      out.set(k.asString(), vs[i] as Value);
    });
    if (retType.isMap()) {
      return out.size === 0 ? Value.mapEmpty(retType.elementType()) : Value.map(out);
    }
    return Value.object(out);
  },
});

export const collectionFunctions: Record<string, FunctionImpl> = {
  alltrue: boolFold(false),
  anytrue: boolFold(true),
  chunklist,
  coalesce,
  coalescelist,
  compact,
  concat,
  contains,
  distinct,
  element,
  flatten,
  index,
  keys,
  length,
  lookup,
  merge,
  one,
  range,
  reverse,
  setintersection,
  setproduct,
  setunion,
  slice,
  sort,
  values,
  zipmap,
};
