// Shared helpers for cty tests: build values from compact JS literals.
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";

/** JS -> cty: strings, numbers, booleans, null (dynamic), arrays -> tuples, objects -> objects. */
export function v(x: unknown): Value {
  if (x instanceof Value) return x;
  if (x === null) return Value.null(Type.dynamic);
  if (typeof x === "string") return Value.string(x);
  if (typeof x === "number") return Value.number(x);
  if (typeof x === "boolean") return Value.bool(x);
  if (Array.isArray(x)) return Value.tuple(x.map(v));
  if (typeof x === "object") {
    const rec: Record<string, Value> = {};
    for (const [k, e] of Object.entries(x as Record<string, unknown>)) rec[k] = v(e);
    return Value.object(rec);
  }
  throw new Error(`can't convert ${String(x)}`);
}

export const S = (s: string): Value => Value.string(s);
export const N = (n: number | string): Value =>
  typeof n === "number" ? Value.number(n) : (Value.numberFromString(n) as Value);
export const list = (...xs: Value[]): Value => Value.list(xs);
export const set = (...xs: Value[]): Value => Value.set(xs);
export const map = (rec: Record<string, Value>): Value => Value.map(rec);
