// Between cty values and the plain JSON-like values components are configured with.

import { convert } from "../../hcl/cty/convert.js";
import type { Type } from "../../hcl/cty/type.js";
import { Type as T } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";

export type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

/** A cty value for a plain value, converted to `type` when one is given. */
export function plainToValue(p: Plain, type?: Type): Value {
  const v = rawValue(p);
  if (!type) return v;
  const c = convert(v, type);
  return "error" in c ? v : c.value;
}

function rawValue(p: Plain): Value {
  if (p === null) return Value.null(T.dynamic);
  if (typeof p === "string") return Value.string(p);
  if (typeof p === "number") return Value.number(p);
  if (typeof p === "boolean") return Value.bool(p);
  if (Array.isArray(p)) return p.length ? Value.tuple(p.map(rawValue)) : Value.emptyTuple;
  const rec: Record<string, Value> = {};
  for (const [k, x] of Object.entries(p)) rec[k] = rawValue(x);
  return Value.object(rec);
}

/** A plain value for a wholly known cty value (numbers as JS numbers, sets as arrays). */
export function valueToPlain(v: Value): Plain | undefined {
  if (!v.isKnown()) return undefined;
  if (v.isNull()) return null;
  const [u] = v.unmark();
  const t = u.type;
  if (t.isString()) return u.asString();
  if (t.isNumber()) return u.asNumber();
  if (t.isBool()) return u.isTrue();
  if (t.isList() || t.isSet() || t.isTuple()) {
    const out: Plain[] = [];
    for (const e of u.elements()) {
      const p = valueToPlain(e);
      if (p === undefined) return undefined;
      out.push(p);
    }
    return out;
  }
  if (t.isMap() || t.isObject()) {
    const out: { [k: string]: Plain } = {};
    for (const [k, e] of u.entries()) {
      const p = valueToPlain(e);
      if (p === undefined) return undefined;
      out[k] = p;
    }
    return out;
  }
  return undefined;
}
