// Decoding JSON values into typed fields the way Packer does it with
// mitchellh/mapstructure, so errors read the same: "'Description' expected
// type 'string', got unconvertible type 'float64', value: '5'", "'only':
// source data must be an array or slice, got string", and so on. Both the
// strict decoder and the "weakly typed" one (numbers and bools to strings,
// single values to lists) are modelled, plus the string-to-duration hook.

import { formatFloatG } from "../../hcl/cty/number.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";
import type { JNode, JObject, JProp, JSONValue } from "./json.js";
import { toPlain } from "./json.js";

/** One decoding problem: Packer's text and the node it is about. */
export interface DecodeProblem {
  message: string;
  node: JNode;
}

/** Go's reflect.Kind name of a decoded JSON value. */
export function goKind(n: JNode): string {
  switch (n.kind) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bool":
      return "bool";
    case "array":
      return "slice";
    case "object":
      return "map";
    case "null":
      return "invalid";
  }
}

/** Go's type name of a decoded JSON value (interface{} holds these). */
export function goType(n: JNode): string {
  switch (n.kind) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bool":
      return "bool";
    case "array":
      return "[]interface {}";
    case "object":
      return "map[string]interface {}";
    case "null":
      return "<nil>";
  }
}

/** Go's %v of a decoded JSON value. */
export function formatGoV(v: JSONValue): string {
  if (v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatFloatG(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return `[${v.map(formatGoV).join(" ")}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${formatGoV(v[k] as JSONValue)}`).join(" ")}]`;
}

function unconvertible(name: string, want: string, n: JNode): string {
  return `'${name}' expected type '${want}', got unconvertible type '${goType(n)}', value: '${formatGoV(toPlain(n))}'`;
}

export class Decoder {
  readonly problems: DecodeProblem[] = [];

  constructor(readonly weak: boolean) {}

  private problem(message: string, node: JNode): undefined {
    this.problems.push({ message, node });
    return undefined;
  }

  /** A string field. null leaves it unset (undefined). */
  string(name: string, n: JNode): string | undefined {
    switch (n.kind) {
      case "null":
        return undefined;
      case "string":
        return n.value;
      case "number":
        if (this.weak) return formatFloatF(n.value);
        break;
      case "bool":
        if (this.weak) return n.value ? "1" : "0";
        break;
      case "array":
        // Weak decoding turns byte slices into strings; JSON arrays never are.
        break;
    }
    return this.problem(unconvertible(name, "string", n), n);
  }

  bool(name: string, n: JNode): boolean | undefined {
    switch (n.kind) {
      case "null":
        return undefined;
      case "bool":
        return n.value;
      case "number":
        if (this.weak) return n.value !== 0;
        break;
      case "string":
        if (this.weak) {
          const s = n.value;
          if (s === "") return false;
          const b = parseGoBool(s);
          if (b !== undefined) return b;
          return this.problem(
            `cannot parse '${name}' as bool: strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`,
            n,
          );
        }
        break;
    }
    return this.problem(unconvertible(name, "bool", n), n);
  }

  /** A []string field. */
  stringList(name: string, n: JNode): string[] | undefined {
    if (n.kind === "null") return undefined;
    let items: JNode[];
    if (n.kind === "array") items = n.items;
    else if (this.weak) {
      if (n.kind === "object" && n.props.length === 0) return [];
      items = [n];
    } else {
      return this.problem(`'${name}': source data must be an array or slice, got ${goKind(n)}`, n);
    }
    const out: string[] = [];
    let ok = true;
    items.forEach((item, i) => {
      const s = this.string(`${name}[${i}]`, item);
      if (s === undefined && item.kind !== "null") ok = false;
      out.push(s ?? "");
    });
    return ok ? out : undefined;
  }

  /** A []interface{} field: the items as nodes. */
  list(name: string, n: JNode): JNode[] | undefined {
    if (n.kind === "null") return undefined;
    if (n.kind === "array") return n.items;
    if (this.weak) {
      if (n.kind === "object" && n.props.length === 0) return [];
      return [n];
    }
    return this.problem(`'${name}': source data must be an array or slice, got ${goKind(n)}`, n);
  }

  /** A map[string]interface{} field. */
  map(name: string, n: JNode): JObject | undefined {
    if (n.kind === "null") return undefined;
    if (n.kind === "object") return n;
    if (this.weak && n.kind === "array") {
      // decodeMapFromSlice: an empty list is an empty map; maps in a list merge.
      const props: JProp[] = [];
      for (const item of n.items) {
        const m = this.map(name, item);
        if (m) props.push(...m.props);
      }
      return { kind: "object", props, range: n.range };
    }
    return this.problem(`'${name}' expected a map, got '${goKind(n)}'`, n);
  }

  /** A time.Duration field with Packer's string-to-duration hook: nanoseconds. */
  duration(name: string, n: JNode): bigint | undefined {
    switch (n.kind) {
      case "null":
        return undefined;
      case "string":
        try {
          return parseGoDuration(n.value);
        } catch (e) {
          return this.problem(`error decoding '${name}': ${(e as Error).message}`, n);
        }
      case "number":
        return BigInt(Math.trunc(n.value));
      case "bool":
        if (this.weak) return n.value ? 1n : 0n;
        break;
    }
    return this.problem(unconvertible(name, "time.Duration", n), n);
  }
}

function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

/** strconv.FormatFloat(f, 'f', -1, 64): what weak decoding makes of a number. */
export function formatFloatF(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
  const [m, e] = f.toExponential().split("e") as [string, string];
  const neg = m.startsWith("-");
  const digits = m.replace("-", "").replace(".", "");
  const point = Number(e) + 1;
  let body: string;
  if (point <= 0) body = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + "0".repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? "-" : "") + body;
}

/**
 * Match an object's keys to struct fields as mapstructure does: an exact
 * match first, else the first case-insensitive one. Returns the property for
 * each field and the keys no field used.
 */
export function matchFields(
  obj: JObject,
  fields: readonly string[],
): { found: Map<string, JProp>; unused: JProp[] } {
  const found = new Map<string, JProp>();
  const used = new Set<JProp>();
  for (const f of fields) {
    let p = obj.props.find((x) => x.key === f && !used.has(x));
    if (!p) {
      const lf = f.toLowerCase();
      p = obj.props.find((x) => x.key.toLowerCase() === lf && !used.has(x));
    }
    if (p) {
      found.set(f, p);
      used.add(p);
    }
  }
  return { found, unused: obj.props.filter((p) => !used.has(p)) };
}
