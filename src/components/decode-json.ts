// Decoding a legacy JSON template's component configuration (already
// interpolated to plain JSON) against its ConfigSchema, as Packer's
// config.Decode does it with mitchellh/mapstructure and WeaklyTypedInput:
// keys match options exactly or else case-insensitively, "true" becomes a
// bool, 1 a string, "5" a number, a single value a one-element list; a value
// that can't convert is an error; keys no option takes are errors once the
// values decoded. Messages match Packer 1.6.6's `packer validate` output,
// captured on small templates (see test/components/decode-json.test.ts).

import { goQuote } from "../hcl/cty/quote.js";
import { parseGoDuration } from "../hcl/functions/datetime-go.js";
import { formatFloatF, formatGoV } from "../template/legacy/decode.js";
import type { JSONValue } from "../template/legacy/json.js";
import { applyDefaults, formatGoDuration, runChecks } from "./prepare.js";
import {
  aliasWarning,
  type ConfigSchema,
  decodingErrorText,
  type FieldSpec,
  type PlainConfig,
  type PlainValue,
  prepareErrorText,
} from "./schema.js";

export interface JSONDecodeResult {
  /** Plain values of the options that are set, with defaults applied. */
  config: PlainConfig;
  /** Each problem as Packer words it; empty if the configuration is valid. */
  errors: string[];
  warnings: string[];
  /** Values of the options marked sensitive, to redact from output. */
  sensitive: string[];
  /**
   * Which of Packer's stages failed: the decoder ("N error(s) decoding"), the
   * unknown-key check ("N errors occurred" from go-multierror), or the
   * plugin's checks ("N error(s) occurred"). Packer stops at the first.
   */
  stage?: "decode" | "unknown-keys" | "prepare";
  /** The whole error text Packer prints for it (after `Failed to prepare build: "name"`). */
  message?: string;
}

export function decodeJSONConfig(
  raw: Record<string, unknown>,
  schema: ConfigSchema,
): JSONDecodeResult {
  const d = new WeakDecoder();
  const warnings: string[] = [];
  const { config, given } = d.struct("", raw as Record<string, JSONValue>, schema, warnings);
  const prefix = schema.decodeErrorPrefix ?? "";
  const sensitive = sensitiveValues(schema, config);

  if (d.errors.length > 0) {
    return {
      config,
      errors: d.errors,
      warnings,
      sensitive,
      stage: "decode",
      message: prefix + decodingErrorText(d.errors),
    };
  }

  // Packer's decoder reports the keys nothing used, except "type" and its own
  // packer_* settings, sorted; matched 1.6.6: unknown configuration key: '"foo"'.
  const unknown = d.unused
    .filter((k) => k !== "type" && !k.startsWith("packer_"))
    .sort()
    .map((k) => `unknown configuration key: '${goQuote(k)}'`);
  if (unknown.length > 0) {
    return {
      config,
      errors: unknown,
      warnings,
      sensitive,
      stage: "unknown-keys",
      message: prefix + goMultiErrorText(unknown),
    };
  }

  const checked = runChecks(schema, config, given);
  warnings.push(...checked.warnings);
  if (checked.errors.length > 0) {
    return {
      config,
      errors: checked.errors,
      warnings,
      sensitive,
      stage: "prepare",
      message: prepareErrorText(schema, checked.errors),
    };
  }
  return { config, errors: [], warnings, sensitive };
}

/** The strings held by a configuration's sensitive options (nested blocks included). */
export function sensitiveValues(schema: ConfigSchema, config: PlainConfig): string[] {
  const out = new Set<string>();
  const strings = (v: PlainValue | undefined) => {
    if (typeof v === "string") {
      if (v !== "") out.add(v);
    } else if (Array.isArray(v)) v.forEach(strings);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(strings);
  };
  for (const [name, f] of Object.entries(schema.fields)) if (f.sensitive) strings(config[name]);
  for (const [name, b] of Object.entries(schema.blocks ?? {})) {
    const v = config[name];
    for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        for (const x of sensitiveValues(b.schema, item)) out.add(x);
      }
    }
  }
  return [...out];
}

/** hashicorp/go-multierror's list: "1 error occurred:\n\t* a\n\n". */
export function goMultiErrorText(messages: readonly string[]): string {
  const points = messages.map((m) => `* ${m}`);
  if (points.length === 1) return `1 error occurred:\n\t${points[0]}\n\n`;
  return `${points.length} errors occurred:\n\t${points.join("\n\t")}\n\n`;
}

/**
 * Go's type name of a decoded JSON value, as mapstructure's messages print it.
 * Objects inside a legacy template's component configuration reach the plugin
 * as map[interface {}]interface {} (matched 1.6.6).
 */
function goType(v: JSONValue): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return "map[interface {}]interface {}";
  }
}

/** Go's reflect.Kind name of a decoded JSON value. */
function goKind(v: JSONValue): string {
  if (v === null) return "invalid";
  if (Array.isArray(v)) return "slice";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return "map";
  }
}

function isObject(v: JSONValue | undefined): v is { [k: string]: JSONValue } {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

const MAX_INT64 = 2n ** 63n - 1n;

class WeakDecoder {
  readonly errors: string[] = [];
  readonly unused: string[] = [];

  /** Decode an object into a schema's options; returns the options it set. */
  struct(
    prefix: string,
    raw: Record<string, JSONValue>,
    schema: ConfigSchema,
    warnings: string[],
  ): { config: PlainConfig; given: Set<string> } {
    const config: PlainConfig = {};
    const given = new Set<string>();
    const keys = Object.keys(raw);
    const used = new Set<string>();
    // mapstructure looks up each option by its exact name, else by the first
    // key equal to it ignoring case.
    const take = (name: string): string | undefined => {
      if (Object.hasOwn(raw, name) && !used.has(name)) {
        used.add(name);
        return name;
      }
      const lower = name.toLowerCase();
      const k = keys.find((x) => !used.has(x) && x.toLowerCase() === lower);
      if (k !== undefined) used.add(k);
      return k;
    };

    for (const [name, f] of Object.entries(schema.fields)) {
      let key = take(name);
      for (const alias of f.aliases ?? []) {
        const ak = take(alias);
        if (ak === undefined) continue;
        warnings.push(aliasWarning(alias, name));
        key ??= ak;
      }
      if (key === undefined) continue;
      const v = this.value(prefix + (f.goName ?? name), raw[key]!, f);
      if (v !== undefined) {
        config[name] = v;
        given.add(name);
      }
    }
    for (const [name, b] of Object.entries(schema.blocks ?? {})) {
      const key = take(name);
      if (key === undefined) continue;
      const v = raw[key]!;
      const label = prefix + name;
      if (v === null) continue;
      if (b.nesting === "single") {
        if (!isObject(v)) {
          this.errors.push(`'${label}' expected a map, got '${goKind(v)}'`);
          continue;
        }
        config[name] = this.struct(`${label}.`, v, b.schema, warnings).config;
      } else {
        const items = Array.isArray(v) ? v : isObject(v) && Object.keys(v).length === 0 ? [] : [v];
        const out: PlainValue[] = [];
        items.forEach((item, i) => {
          if (!isObject(item)) {
            this.errors.push(`'${label}[${i}]' expected a map, got '${goKind(item)}'`);
            return;
          }
          out.push(this.struct(`${label}[${i}].`, item, b.schema, warnings).config);
        });
        config[name] = out;
      }
      given.add(name);
    }
    for (const k of keys) if (!used.has(k)) this.unused.push(prefix + k);

    applyDefaults(schema, config, given);
    return { config, given };
  }

  /** Decode one option's value; undefined leaves it unset (JSON null). */
  value(name: string, v: JSONValue, f: FieldSpec): PlainValue | undefined {
    if (v === null) return undefined;
    if (f.duration) return this.duration(name, v);
    return this.typed(name, v, f.type);
  }

  private typed(name: string, v: JSONValue, t: FieldSpec["type"]): PlainValue | undefined {
    if (t.isString()) return this.string(name, v);
    if (t.isNumber()) return this.int(name, v);
    if (t.isBool()) return this.bool(name, v);
    if (t.isList() || t.isSet()) return this.slice(name, v, t.elementType());
    if (t.isMap()) return this.map(name, v, t.elementType());
    return v as PlainValue;
  }

  private fail(msg: string): undefined {
    this.errors.push(msg);
    return undefined;
  }

  private unconvertible(name: string, want: string, v: JSONValue): undefined {
    return this.fail(
      `'${name}' expected type '${want}', got unconvertible type '${goType(v)}', value: '${formatGoV(v)}'`,
    );
  }

  private string(name: string, v: JSONValue): PlainValue | undefined {
    if (typeof v === "string") return v;
    if (typeof v === "number") return formatFloatF(v);
    if (typeof v === "boolean") return v ? "1" : "0";
    return this.unconvertible(name, "string", v);
  }

  private bool(name: string, v: JSONValue): PlainValue | undefined {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string") {
      if (v === "") return false;
      const b = parseGoBool(v);
      if (b !== undefined) return b;
      return this.fail(
        `cannot parse '${name}' as bool: strconv.ParseBool: parsing ${goQuote(v)}: invalid syntax`,
      );
    }
    return this.unconvertible(name, "bool", v);
  }

  private int(name: string, v: JSONValue): PlainValue | undefined {
    if (typeof v === "number") return Math.trunc(v);
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") {
      const r = parseGoInt(v === "" ? "0" : v);
      if (typeof r === "number") return r;
      return this.fail(
        `cannot parse '${name}' as int: strconv.ParseInt: parsing ${goQuote(v)}: ${r.error}`,
      );
    }
    return this.unconvertible(name, "int", v);
  }

  /** A time.Duration with Packer's string-to-duration hook; kept as Go's duration string. */
  private duration(name: string, v: JSONValue): PlainValue | undefined {
    if (typeof v === "string") {
      try {
        parseGoDuration(v);
        return v;
      } catch (e) {
        return this.fail(`error decoding '${name}': ${(e as Error).message}`);
      }
    }
    if (typeof v === "number") return formatGoDuration(BigInt(Math.trunc(v)));
    if (typeof v === "boolean") return formatGoDuration(v ? 1n : 0n);
    return this.unconvertible(name, "time.Duration", v);
  }

  private slice(name: string, v: JSONValue, elem: FieldSpec["type"]): PlainValue | undefined {
    let items: JSONValue[];
    if (Array.isArray(v)) items = v;
    else if (isObject(v) && Object.keys(v).length === 0) return [];
    else items = [v]; // a single value lifted into a list
    const out: PlainValue[] = [];
    let ok = true;
    items.forEach((item, i) => {
      if (item === null) {
        out.push(zeroValue(elem));
        return;
      }
      const d = this.typed(`${name}[${i}]`, item, elem);
      if (d === undefined) ok = false;
      else out.push(d);
    });
    return ok ? out : undefined;
  }

  private map(name: string, v: JSONValue, elem: FieldSpec["type"]): PlainValue | undefined {
    if (Array.isArray(v)) {
      // A list of maps merges into one map.
      const out: Record<string, PlainValue> = {};
      let ok = true;
      v.forEach((item, i) => {
        const m = item === null ? {} : this.map(`${name}[${i}]`, item, elem);
        if (m === undefined) ok = false;
        else Object.assign(out, m);
      });
      return ok ? out : undefined;
    }
    if (!isObject(v)) return this.fail(`'${name}' expected a map, got '${goKind(v)}'`);
    const out: Record<string, PlainValue> = {};
    let ok = true;
    for (const [k, item] of Object.entries(v)) {
      if (item === null) {
        out[k] = zeroValue(elem);
        continue;
      }
      const d = this.typed(`${name}[${k}]`, item, elem);
      if (d === undefined) ok = false;
      else out[k] = d;
    }
    return ok ? out : undefined;
  }
}

function zeroValue(t: FieldSpec["type"]): PlainValue {
  if (t.isString()) return "";
  if (t.isNumber()) return 0;
  if (t.isBool()) return false;
  if (t.isMap()) return {};
  return [];
}

function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

/** strconv.ParseInt(s, 0, 64): sign, base prefixes 0x/0o/0b/0, Go-style digit underscores. */
export function parseGoInt(s: string): number | { error: string } {
  const syntax = { error: "invalid syntax" };
  let rest = s;
  let neg = false;
  if (rest.startsWith("+") || rest.startsWith("-")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "") return syntax;
  let base = 10;
  let prefixed = false;
  if (rest[0] === "0" && rest.length > 1) {
    const p = rest[1]!.toLowerCase();
    if (p === "x" || p === "o" || p === "b") {
      base = p === "x" ? 16 : p === "o" ? 8 : 2;
      rest = rest.slice(2);
    } else {
      base = 8;
      rest = rest.slice(1);
    }
    prefixed = true;
  }
  if (rest.includes("_")) {
    // Go literal rules: underscores between digits, or right after a base prefix.
    if (/(__|_$)/.test(rest) || (rest.startsWith("_") && !prefixed)) return syntax;
    rest = rest.replace(/_/g, "");
  }
  if (rest === "") return syntax;
  const digits = "0123456789abcdef".slice(0, base);
  let n = 0n;
  for (const ch of rest.toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return syntax;
    n = n * BigInt(base) + BigInt(d);
  }
  if (neg ? n > MAX_INT64 + 1n : n > MAX_INT64) return { error: "value out of range" };
  return Number(neg ? -n : n);
}
