// Type unification (cty/convert Unify): find a common type that all the given
// types convert to, preferring the most general of them, and constructing new
// collection/structural types where needed.

import { type Conversion, getConversion } from "./convert.js";
import { Type } from "./type.js";
import { Value } from "./value.js";

export interface UnifyResult {
  type: Type;
  /** Per input type: the conversion to `type`, or undefined if none is needed. */
  conversions: (Conversion | undefined)[];
}

/** Safe unification (cty convert.Unify). Undefined if there is no common type. */
export function unify(types: readonly Type[]): UnifyResult | undefined {
  return unifyTypes(types, false);
}

/** Unsafe unification (cty convert.UnifyUnsafe), as HCL uses for conditionals. */
export function unifyUnsafe(types: readonly Type[]): UnifyResult | undefined {
  return unifyTypes(types, true);
}

export function unifyTypes(types: readonly Type[], unsafe: boolean): UnifyResult | undefined {
  if (types.length === 0) return undefined;
  // Happy path: all equal.
  const first = types[0] as Type;
  let allEqual = true;
  for (let i = 1; i < types.length; i++) {
    if (!(types[i] as Type).equals(first)) {
      allEqual = false;
      break;
    }
  }
  if (allEqual) return { type: first, conversions: types.map(() => undefined) };

  let mapCt = 0;
  let listCt = 0;
  let setCt = 0;
  let objectCt = 0;
  let tupleCt = 0;
  let dynamicCt = 0;
  for (const t of types) {
    switch (t.kind) {
      case "map":
        mapCt++;
        break;
      case "list":
        listCt++;
        break;
      case "set":
        setCt++;
        break;
      case "object":
        objectCt++;
        break;
      case "tuple":
        tupleCt++;
        break;
      case "dynamic":
        dynamicCt++;
        break;
    }
  }
  const n = types.length;
  if (mapCt > 0 && mapCt + dynamicCt === n) {
    return unifyCollections(Type.map, types, unsafe, dynamicCt > 0);
  }
  if (mapCt > 0 && mapCt + objectCt + dynamicCt === n) {
    const r = unifyObjectsAsMaps(types, unsafe);
    if (r?.type.isMap()) return r;
  } else if (listCt > 0 && listCt + dynamicCt === n) {
    return unifyCollections(Type.list, types, unsafe, dynamicCt > 0);
  } else if (listCt > 0 && listCt + tupleCt + dynamicCt === n) {
    const r = unifyTuplesAsList(types, unsafe);
    if (r?.type.isList()) return r;
  } else if (setCt > 0 && setCt + dynamicCt === n) {
    return unifyCollections(Type.set, types, unsafe, dynamicCt > 0);
  } else if (objectCt > 0 && objectCt + dynamicCt === n) {
    return unifyObjects(types, unsafe, dynamicCt > 0);
  } else if (tupleCt > 0 && tupleCt + dynamicCt === n) {
    return unifyTuples(types, unsafe, dynamicCt > 0);
  } else if (objectCt > 0 && tupleCt > 0) {
    return undefined;
  }

  const order = sortTypes(types);
  outer: for (const wi of order) {
    const want = types[wi] as Type;
    const convs: (Conversion | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const t = types[i] as Type;
      if (i === wi || t.equals(want)) {
        convs.push(undefined);
        continue;
      }
      const c = getConversion(t, want, unsafe);
      if (c === undefined) continue outer;
      convs.push(c);
    }
    return { type: want, conversions: convs };
  }
  return undefined;
}

function conversionsTo(
  types: readonly Type[],
  ret: Type,
  unsafe: boolean,
): (Conversion | undefined)[] | undefined {
  const convs: (Conversion | undefined)[] = [];
  for (const t of types) {
    if (t.equals(ret)) {
      convs.push(undefined);
      continue;
    }
    const c = getConversion(t, ret, unsafe);
    if (c === undefined) return undefined;
    convs.push(c);
  }
  return convs;
}

function allAsDynamic(types: readonly Type[]): UnifyResult {
  return { type: Type.dynamic, conversions: types.map(() => () => Value.dynamic) };
}

function unifyCollections(
  mk: (t: Type) => Type,
  types: readonly Type[],
  unsafe: boolean,
  hasDynamic: boolean,
): UnifyResult | undefined {
  if (hasDynamic) return allAsDynamic(types);
  const et = unifyTypes(
    types.map((t) => t.elementType()),
    unsafe,
  );
  if (et === undefined) return undefined;
  const ret = mk(et.type);
  const convs = conversionsTo(types, ret, unsafe);
  return convs ? { type: ret, conversions: convs } : undefined;
}

function unifyObjects(
  types: readonly Type[],
  unsafe: boolean,
  hasDynamic: boolean,
): UnifyResult | undefined {
  if (hasDynamic) return allAsDynamic(types);
  const firstAttrs = (types[0] as Type).attributeTypes();
  const names = Object.keys(firstAttrs);
  for (let i = 1; i < types.length; i++) {
    const attrs = (types[i] as Type).attributeTypes();
    const tn = Object.keys(attrs);
    if (tn.length !== names.length) return unifyObjectsToMap(types, unsafe);
    for (const k of tn) if (!(k in firstAttrs)) return unifyObjectsToMap(types, unsafe);
  }
  const retAtys: Record<string, Type> = Object.create(null);
  for (const name of names) {
    const u = unifyTypes(
      types.map((t) => t.attributeType(name)),
      unsafe,
    );
    if (u === undefined) return undefined;
    retAtys[name] = u.type;
  }
  const ret = Type.object(retAtys);
  const convs = conversionsTo(types, ret, unsafe);
  return convs ? { type: ret, conversions: convs } : unifyObjectsToMap(types, unsafe);
}

function unifyObjectsToMap(types: readonly Type[], unsafe: boolean): UnifyResult | undefined {
  const atys: Type[] = [];
  for (const t of types) {
    const a = t.attributeTypes();
    for (const k in a) atys.push(a[k] as Type);
  }
  const et = unifyTypes(atys, unsafe);
  if (et === undefined) return undefined;
  const ret = Type.map(et.type);
  const convs = conversionsTo(types, ret, unsafe);
  return convs ? { type: ret, conversions: convs } : undefined;
}

function unifyTuples(
  types: readonly Type[],
  unsafe: boolean,
  hasDynamic: boolean,
): UnifyResult | undefined {
  if (hasDynamic) return allAsDynamic(types);
  const firstEtys = (types[0] as Type).tupleElementTypes();
  for (let i = 1; i < types.length; i++) {
    if ((types[i] as Type).tupleElementTypes().length !== firstEtys.length) {
      return unifyTuplesToList(types, unsafe);
    }
  }
  const retEtys: Type[] = [];
  for (let idx = 0; idx < firstEtys.length; idx++) {
    const u = unifyTypes(
      types.map((t) => t.tupleElementTypes()[idx] as Type),
      unsafe,
    );
    if (u === undefined) return undefined;
    retEtys.push(u.type);
  }
  const ret = Type.tuple(retEtys);
  const convs = conversionsTo(types, ret, unsafe);
  return convs ? { type: ret, conversions: convs } : unifyTuplesToList(types, unsafe);
}

function unifyTuplesToList(types: readonly Type[], unsafe: boolean): UnifyResult | undefined {
  const etys: Type[] = [];
  for (const t of types) etys.push(...t.tupleElementTypes());
  const et = unifyTypes(etys, unsafe);
  if (et === undefined) return undefined;
  const ret = Type.list(et.type);
  const convs = conversionsTo(types, ret, unsafe);
  return convs ? { type: ret, conversions: convs } : undefined;
}

function unifyTuplesAsList(types: readonly Type[], unsafe: boolean): UnifyResult | undefined {
  const idxs: number[] = [];
  types.forEach((t, i) => {
    if (t.isTuple()) idxs.push(i);
  });
  const tu = unifyTuplesToList(
    idxs.map((i) => types[i] as Type),
    unsafe,
  );
  if (tu === undefined || !tu.type.isList()) return undefined;
  const listed = types.slice();
  for (const i of idxs) listed[i] = tu.type;
  const r = unifyTypes(listed, unsafe);
  if (r === undefined || !r.type.isList()) return undefined;
  idxs.forEach((idx, k) => {
    const outer = r.conversions[idx];
    const inner = tu.conversions[k];
    r.conversions[idx] = chain(inner, outer);
  });
  return r;
}

function unifyObjectsAsMaps(types: readonly Type[], unsafe: boolean): UnifyResult | undefined {
  const idxs: number[] = [];
  types.forEach((t, i) => {
    if (t.isObject()) idxs.push(i);
  });
  const ou = unifyObjectsToMap(
    idxs.map((i) => types[i] as Type),
    unsafe,
  );
  if (ou === undefined || !ou.type.isMap()) return undefined;
  const mapped = types.slice();
  for (const i of idxs) mapped[i] = ou.type;
  const r = unifyTypes(mapped, unsafe);
  if (r === undefined || !r.type.isMap()) return undefined;
  idxs.forEach((idx, k) => {
    r.conversions[idx] = chain(ou.conversions[k], r.conversions[idx]);
  });
  return r;
}

function chain(a: Conversion | undefined, b: Conversion | undefined): Conversion | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (v) => b(a(v));
}

/** cty's preference order for unification: more general types first. */
function sortTypes(tys: readonly Type[]): number[] {
  const l = tys.length;
  const edges: number[][] = tys.map(() => []);
  for (let i = 0; i < l - 1; i++) {
    for (let j = i + 1; j < l; j++) {
      const c = compareTypes(tys[i] as Type, tys[j] as Type);
      if (c < 0) (edges[i] as number[]).push(j);
      else if (c > 0) (edges[j] as number[]).push(i);
    }
  }
  const inDegree = new Array<number>(l).fill(0);
  for (const outs of edges) for (const j of outs) inDegree[j] = (inDegree[j] as number) + 1;
  const result: number[] = [];
  for (let i = 0; i < l; i++) if (inDegree[i] === 0) result.push(i);
  for (let q = 0; q < result.length; q++) {
    for (const j of edges[result[q] as number] as number[]) {
      inDegree[j] = (inDegree[j] as number) - 1;
      if (inDegree[j] === 0) result.push(j);
    }
  }
  return result;
}

/** -1 if a is more general than b, 1 if b is more general, 0 if unrelated. */
export function compareTypes(a: Type, b: Type): number {
  if (a.isDynamic() || b.isDynamic()) {
    if (!a.isDynamic()) return 1;
    if (!b.isDynamic()) return -1;
    return 0;
  }
  if (a.isPrimitive() && b.isPrimitive()) {
    if (a.isString() || b.isString()) {
      if (!a.isString()) return 1;
      if (!b.isString()) return -1;
      return 0;
    }
  }
  if ((a.isList() && b.isList()) || (a.isSet() && b.isSet()) || (a.isMap() && b.isMap())) {
    return compareTypes(a.elementType(), b.elementType());
  }
  let swap = 1;
  if (
    (a.isTuple() && b.isList()) ||
    (a.isObject() && b.isMap()) ||
    (a.isSet() && b.isTuple()) ||
    (a.isSet() && b.isList())
  ) {
    const t = a;
    a = b;
    b = t;
    swap = -1;
  }
  if (b.isSet() && (a.isTuple() || a.isList())) return -1 * swap;
  if (a.isList() && b.isTuple()) return -1 * swap;
  if (a.isMap() && b.isObject()) return -1 * swap;
  if (a.isObject() && b.isObject()) {
    const x = a.attributeTypes();
    const y = b.attributeTypes();
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return 0;
    let aSuper = false;
    let bSuper = false;
    for (const k of kx) {
      const yt = y[k];
      if (yt === undefined) return 0;
      const c = compareTypes(x[k] as Type, yt);
      if (c < 0) aSuper = true;
      else if (c > 0) bSuper = true;
    }
    if (aSuper && bSuper) return 0;
    if (aSuper) return -1 * swap;
    if (bSuper) return 1 * swap;
    return 0;
  }
  if (a.isTuple() && b.isTuple()) {
    const x = a.tupleElementTypes();
    const y = b.tupleElementTypes();
    if (x.length !== y.length) return 0;
    let aSuper = false;
    let bSuper = false;
    for (let i = 0; i < x.length; i++) {
      const c = compareTypes(x[i] as Type, y[i] as Type);
      if (c < 0) aSuper = true;
      else if (c > 0) bSuper = true;
    }
    if (aSuper && bSuper) return 0;
    if (aSuper) return -1 * swap;
    if (bSuper) return 1 * swap;
    return 0;
  }
  return 0;
}
