// Decoding a component's HCL block body against its ConfigSchema, the way
// Packer decodes it with the hcldec spec generated from the plugin's config
// struct: HCL's own diagnostics for unknown arguments, missing ones and wrong
// types, then the plugin's Prepare-time checks on the plain values.

import { convert } from "../hcl/cty/convert.js";
import { goQuote } from "../hcl/cty/quote.js";
import { Type } from "../hcl/cty/type.js";
import { Value } from "../hcl/cty/value.js";
import type { Diagnostic } from "../hcl/diagnostic.js";
import { formatRange, type Range, rangeBetween } from "../hcl/pos.js";
import type { Attribute, Block, Body, BodySchema, EvalContext } from "../hcl/structure.js";
import { applyDefaults, clonePlain, durationError, runChecks } from "./prepare.js";
import {
  aliasWarning,
  type BlockSpec,
  type ConfigSchema,
  decodingErrorText,
  type FieldSpec,
  type PlainConfig,
  type PlainValue,
  prepareErrorText,
  UNKNOWN,
} from "./schema.js";

/** `extra.code` of the error listing the component's failed Prepare-time checks. */
export const PREPARE_CHECK = "component-prepare";
/** `extra.code` of the error for option values the plugin's decoder rejects (durations). */
export const PREPARE_DECODE = "component-decode";

/** The mark kiln's template model puts on values of sensitive variables and locals. */
const SENSITIVE_MARK = "sensitive";

export interface HCLDecodeResult {
  /** Plain values of the options that are set, with defaults applied; unknown values are UNKNOWN. */
  config: PlainConfig;
  /** The converted cty values of every option (null when unset), marks kept. */
  values: Record<string, Value>;
  diags: Diagnostic[];
  /** String values that must be redacted from output. */
  sensitive: string[];
  /** The raw messages of the schema's checks, when they ran and failed. */
  checkErrors: string[];
}

/**
 * Decode a component's block body. `subject` is where Prepare-time problems
 * point (Packer points them at the block's definition); without it they point
 * at the body.
 */
export function decodeHCLConfig(
  body: Body,
  schema: ConfigSchema,
  ctx: EvalContext,
  subject?: Range,
): HCLDecodeResult {
  const sensitive = new Set<string>();
  const decoded = decodeBody(body, schema, ctx, subject, sensitive);
  const diags = decoded.diags;
  const { config, given } = decoded;
  let checkErrors: string[] = [];

  if (!diags.some((d) => d.severity === "error")) {
    // Packer hands the decoded values to the plugin's Prepare, whose decoder
    // parses durations first and stops there on failure.
    const durationProblems = durationErrors(schema, config);
    if (durationProblems.length > 0) {
      diags.push({
        severity: "error",
        summary: decodingErrorText(durationProblems),
        subject: subject ?? body.missingItemRange(),
        extra: { code: PREPARE_DECODE },
      });
    } else {
      const { errors, warnings } = runChecks(schema, config, given);
      checkErrors = errors;
      if (errors.length > 0) {
        diags.push({
          severity: "error",
          summary: prepareErrorText(schema, errors),
          subject: subject ?? body.missingItemRange(),
          extra: { code: PREPARE_CHECK },
        });
      }
      for (const w of warnings) {
        diags.push({
          severity: "warning",
          summary: w,
          subject: subject ?? body.missingItemRange(),
        });
      }
    }
  }
  return { config, values: decoded.values, diags, sensitive: [...sensitive], checkErrors };
}

interface BodyResult {
  config: PlainConfig;
  values: Record<string, Value>;
  diags: Diagnostic[];
  given: Set<string>;
}

function bodySchemaOf(schema: ConfigSchema): BodySchema {
  const attributes: { name: string }[] = [];
  for (const [name, f] of Object.entries(schema.fields)) {
    attributes.push({ name });
    for (const a of f.aliases ?? []) attributes.push({ name: a });
  }
  const blocks = Object.keys(schema.blocks ?? {}).map((type) => ({ type }));
  return { attributes, blocks };
}

function decodeBody(
  body: Body,
  schema: ConfigSchema,
  ctx: EvalContext,
  subject: Range | undefined,
  sensitive: Set<string>,
): BodyResult {
  const { content, diags } = body.content(bodySchemaOf(schema));
  const config: PlainConfig = {};
  const values: Record<string, Value> = {};
  const given = new Set<string>();

  // Each option's attribute (or its alias's), decoded in source order.
  const present: { name: string; f: FieldSpec; attr: Attribute }[] = [];
  for (const [name, f] of Object.entries(schema.fields)) {
    let attr: Attribute | undefined = content.attributes[name];
    for (const alias of f.aliases ?? []) {
      const a = content.attributes[alias];
      if (a === undefined) continue;
      diags.push({
        severity: "warning",
        summary: aliasWarning(alias, name),
        subject: subject ?? a.nameRange,
      });
      attr ??= a;
    }
    values[name] = Value.null(f.type);
    if (attr !== undefined) present.push({ name, f, attr });
    else if (f.required) {
      diags.push({
        severity: "error",
        summary: "Missing required argument",
        detail: `The argument ${goQuote(name)} is required, but no definition was found.`,
        subject: content.missingItemRange,
      });
    }
  }
  present.sort((a, b) => a.attr.range.start.byte - b.attr.range.start.byte);
  for (const { name, f, attr } of present) {
    const v = decodeAttribute(name, attr, f, ctx, diags);
    values[name] = v;
    collectSensitive(v, f.sensitive === true, sensitive);
    const plain = toPlain(v);
    if (plain !== undefined) {
      config[name] = plain;
      given.add(name);
    }
  }

  for (const [type, spec] of Object.entries(schema.blocks ?? {})) {
    const blocks = content.blocks.filter((b) => b.type === type);
    const r = decodeBlocks(type, spec, blocks, content.missingItemRange, ctx, sensitive, diags);
    values[type] = r.value;
    if (r.plain !== undefined) {
      config[type] = r.plain;
      given.add(type);
    }
  }

  applyDefaults(schema, config, given);
  for (const [name, f] of Object.entries(schema.fields)) {
    if (!given.has(name) && config[name] !== undefined) {
      values[name] = plainToTyped(config[name], f.type) ?? values[name]!;
    }
  }
  return { config, values, diags, given };
}

function decodeAttribute(
  name: string,
  attr: Attribute,
  f: FieldSpec,
  ctx: EvalContext,
  diags: Diagnostic[],
): Value {
  const r = attr.expr.value(ctx);
  diags.push(...r.diags);
  let v = r.value;
  if (f.acceptSingle && f.type.isList() && v.type.isPrimitive()) {
    // A scalar where a list is expected: the option's older, single-valued form.
    if (!v.isKnown()) v = Value.unknown(f.type).withMarks(v.marks());
    else if (v.isNull()) v = Value.null(f.type);
    else v = Value.tuple([v]);
  }
  const c = convert(v, f.type);
  if ("error" in c) {
    diags.push({
      severity: "error",
      summary: "Incorrect attribute value type",
      detail: `Inappropriate value for attribute ${goQuote(name)}: ${c.error}.`,
      subject: attr.expr.range,
      context: rangeBetween(attr.nameRange, attr.expr.range),
      expression: attr.expr,
      evalContext: ctx,
    });
    return Value.unknown(f.type);
  }
  return c.value;
}

function decodeBlocks(
  type: string,
  spec: BlockSpec,
  blocks: Block[],
  missing: Range,
  ctx: EvalContext,
  sensitive: Set<string>,
  diags: Diagnostic[],
): { value: Value; plain?: PlainValue } {
  const objType = objectType(spec.schema);
  if (blocks.length === 0 && spec.required) {
    diags.push({
      severity: "error",
      summary: `Missing ${type} block`,
      detail: `A block of type ${goQuote(type)} is required here.`,
      subject: missing,
    });
  }
  if (spec.nesting === "single") {
    if (blocks.length === 0) return { value: Value.null(objType) };
    for (const extra of blocks.slice(1)) {
      diags.push({
        severity: "error",
        summary: `Duplicate ${type} block`,
        detail: `Only one block of type ${goQuote(type)} is allowed. Previous definition was at ${formatRange(blocks[0]!.defRange)}.`,
        subject: extra.defRange,
      });
    }
    const r = decodeBody(blocks[0]!.body, spec.schema, ctx, undefined, sensitive);
    diags.push(...r.diags);
    return { value: Value.object(r.values), plain: r.config };
  }
  if (blocks.length === 0) return { value: Value.listEmpty(objType) };
  const vals: Value[] = [];
  const plains: PlainValue[] = [];
  for (const b of blocks) {
    const r = decodeBody(b.body, spec.schema, ctx, undefined, sensitive);
    diags.push(...r.diags);
    vals.push(Value.object(r.values));
    plains.push(r.config);
  }
  return { value: Value.list(vals), plain: plains };
}

/** The cty object type a schema decodes to. */
export function objectType(schema: ConfigSchema): Type {
  const attrs: Record<string, Type> = {};
  for (const [name, f] of Object.entries(schema.fields)) attrs[name] = f.type;
  for (const [name, b] of Object.entries(schema.blocks ?? {})) {
    const t = objectType(b.schema);
    attrs[name] = b.nesting === "single" ? t : Type.list(t);
  }
  return Type.object(attrs);
}

function durationErrors(schema: ConfigSchema, config: PlainConfig, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, f] of Object.entries(schema.fields)) {
    if (!f.duration) continue;
    const err = durationError(config[name]);
    if (err !== undefined) out.push(`error decoding '${prefix}${name}': ${err}`);
  }
  for (const [name, b] of Object.entries(schema.blocks ?? {})) {
    const v = config[name];
    const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
    for (const item of items) {
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        out.push(...durationErrors(b.schema, item, `${prefix}${name}.`));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- cty -> plain

/** A cty value as plain data: unknown parts become UNKNOWN, a null top-level value undefined. */
function toPlain(v: Value): PlainValue | undefined {
  const [u] = v.unmarkDeep();
  if (!u.isKnown()) return UNKNOWN;
  if (u.isNull()) return undefined;
  return plainOf(u);
}

function plainOf(v: Value): PlainValue {
  if (!v.isKnown()) return UNKNOWN;
  if (v.isNull()) return null;
  const t = v.type;
  if (t.isString()) return v.asString();
  if (t.isNumber()) return v.asNumber();
  if (t.isBool()) return v.asBool();
  if (t.isList() || t.isSet() || t.isTuple()) return v.elements().map(plainOf);
  const out: Record<string, PlainValue> = {};
  for (const [k, e] of v.entries()) out[k] = plainOf(e);
  return out;
}

/** A default's cty value of the field's type (for `values`). */
function plainToTyped(p: PlainValue, type: Type): Value | undefined {
  const raw = rawValue(p);
  const c = convert(raw, type);
  return "error" in c ? undefined : c.value;
}

function rawValue(p: PlainValue): Value {
  if (p === null) return Value.null(Type.dynamic);
  if (typeof p === "string") return Value.string(p);
  if (typeof p === "number") return Value.number(p);
  if (typeof p === "boolean") return Value.bool(p);
  if (Array.isArray(p)) return Value.tuple(p.map(rawValue));
  const rec: Record<string, Value> = {};
  for (const [k, x] of Object.entries(p)) rec[k] = rawValue(clonePlain(x));
  return Value.object(rec);
}

// ---------------------------------------------------------------- sensitive values

/** Add the strings in `v` that must be redacted: all of them for a sensitive field, else the marked ones. */
function collectSensitive(v: Value, all: boolean, into: Set<string>): void {
  const walk = (x: Value, inherited: boolean) => {
    const hidden = inherited || x.hasMark(SENSITIVE_MARK);
    if (!hidden && !x.containsMarked()) return;
    const [u] = x.unmark();
    if (!u.isKnown() || u.isNull()) return;
    if (u.type.isString()) {
      if (hidden && u.asString() !== "") into.add(u.asString());
      return;
    }
    if (u.type.isList() || u.type.isSet() || u.type.isTuple()) {
      for (const e of u.elements()) walk(e, hidden);
    } else if (u.type.isMap() || u.type.isObject()) {
      for (const [, e] of u.entries()) walk(e, hidden);
    }
  };
  walk(v, all);
}
