import { convert } from "../../src/hcl/cty/convert.js";
import { Type } from "../../src/hcl/cty/type.js";
import { Value } from "../../src/hcl/cty/value.js";
import type { Diagnostic } from "../../src/hcl/diagnostic.js";
import type {
  AttributeSchema,
  Block,
  BlockHeaderSchema,
  Body,
  BodySchema,
  EvalContext,
} from "../../src/hcl/structure.js";
import type { Body as NativeBody } from "../../src/hcl/syntax/ast.js";
import { getTypeConstraint } from "../../src/hcl/typeexpr.js";

// A small implementation of hcldec's spec language — enough to run HCL's
// implementation-agnostic spec suite: object, attr, block, block_list,
// block_set, block_map, literal, default.

export type Spec =
  | { kind: "object"; children: [string, Spec][] }
  | { kind: "attr"; name: string; type: Type; required: boolean }
  | { kind: "block"; blockType: string; nested: Spec; required: boolean }
  | { kind: "block_list" | "block_set"; blockType: string; nested: Spec }
  | { kind: "block_map"; blockType: string; labels: string[]; nested: Spec }
  | { kind: "literal"; value: Value }
  | { kind: "default"; primary: Spec; fallback: Spec };

/** Reads a spec from a parsed .hcldec body (native syntax: labels on spec blocks are optional). */
export function readSpec(body: Body): {
  spec?: Spec;
  variables: Record<string, Value>;
  diags: Diagnostic[];
} {
  const diags: Diagnostic[] = [];
  const variables: Record<string, Value> = {};
  // A `variables` block gives the names the input may refer to.
  for (const b of (body as NativeBody).blocks.filter((x) => x.type === "variables")) {
    for (const [name, a] of (b.body as NativeBody).attributes) {
      const r = a.expr.value();
      diags.push(...r.diags);
      variables[name] = r.value;
    }
  }
  const blocks = (body as NativeBody).blocks.filter((x) => x.type !== "variables");
  if (blocks.length !== 1) {
    diags.push({ severity: "error", summary: "spec file must have exactly one root spec block" });
    return { variables, diags };
  }
  const spec = readBlockSpec(blocks[0]!, diags);
  return spec ? { spec, variables, diags } : { variables, diags };
}

function attrValue(block: Block, name: string): Value | undefined {
  const a = (block.body as NativeBody).attributes.get(name);
  return a ? a.expr.value().value : undefined;
}

function nestedSpecs(block: Block, diags: Diagnostic[]): Spec[] {
  return (block.body as NativeBody).blocks
    .map((b) => readBlockSpec(b, diags))
    .filter((s): s is Spec => s !== undefined);
}

function readBlockSpec(block: Block, diags: Diagnostic[]): Spec | undefined {
  const label = block.labels[0];
  switch (block.type) {
    case "object": {
      const children: [string, Spec][] = [];
      for (const b of (block.body as NativeBody).blocks) {
        const s = readBlockSpec(b, diags);
        if (s) children.push([b.labels[0] ?? "", s]);
      }
      return { kind: "object", children };
    }
    case "attr": {
      const name = attrValue(block, "name")?.asString() ?? label ?? "";
      let type: Type = Type.dynamic;
      const typeAttr = (block.body as NativeBody).attributes.get("type");
      if (typeAttr) {
        const t = getTypeConstraint(typeAttr.expr);
        diags.push(...t.diags);
        type = t.type;
      }
      const required = attrValue(block, "required")?.asBool() ?? false;
      return { kind: "attr", name, type, required };
    }
    case "block":
    case "block_list":
    case "block_set":
    case "block_map": {
      const blockType = attrValue(block, "block_type")?.asString() ?? label ?? "";
      const nested = nestedSpecs(block, diags)[0] ?? { kind: "object", children: [] };
      if (block.type === "block") {
        const required = attrValue(block, "required")?.asBool() ?? false;
        return { kind: "block", blockType, nested, required };
      }
      if (block.type === "block_map") {
        const labels = (attrValue(block, "labels")?.elements() ?? []).map((v) => v.asString());
        return { kind: "block_map", blockType, labels, nested };
      }
      return { kind: block.type, blockType, nested };
    }
    case "literal":
      return { kind: "literal", value: attrValue(block, "value") ?? Value.null(Type.dynamic) };
    case "default": {
      const specs = nestedSpecs(block, diags);
      if (specs.length === 0) return undefined;
      return { kind: "default", primary: specs[0]!, fallback: specs[1] ?? specs[0]! };
    }
  }
  diags.push({ severity: "error", summary: `unknown spec block type ${block.type}` });
  return undefined;
}

/** The body schema a spec needs (object specs merge their children's). */
function schemaFor(
  spec: Spec,
  into: { attributes: AttributeSchema[]; blocks: BlockHeaderSchema[] },
) {
  switch (spec.kind) {
    case "object":
      for (const [, c] of spec.children) schemaFor(c, into);
      break;
    case "attr":
      into.attributes.push({ name: spec.name, required: spec.required });
      break;
    case "block":
    case "block_list":
    case "block_set":
      into.blocks.push({ type: spec.blockType });
      break;
    case "block_map":
      into.blocks.push({ type: spec.blockType, labelNames: spec.labels });
      break;
    case "default":
      schemaFor(spec.primary, into);
      schemaFor(spec.fallback, into);
      break;
    case "literal":
      break;
  }
}

export function decode(
  body: Body,
  spec: Spec,
  ctx?: EvalContext,
): { value: Value; diags: Diagnostic[] } {
  const schema: BodySchema & { attributes: AttributeSchema[]; blocks: BlockHeaderSchema[] } = {
    attributes: [],
    blocks: [],
  };
  schemaFor(spec, schema);
  const { content, diags } = body.content(schema);
  const value = decodeWith(spec, content.attributes, content.blocks, diags, ctx);
  return { value, diags };
}

function decodeWith(
  spec: Spec,
  attrs: Record<string, import("../../src/hcl/structure.js").Attribute>,
  blocks: Block[],
  diags: Diagnostic[],
  ctx?: EvalContext,
): Value {
  switch (spec.kind) {
    case "literal":
      return spec.value;
    case "object": {
      const rec: Record<string, Value> = {};
      for (const [name, c] of spec.children) rec[name] = decodeWith(c, attrs, blocks, diags, ctx);
      return Value.object(rec);
    }
    case "attr": {
      const a = attrs[spec.name];
      if (!a) return Value.null(spec.type);
      const r = a.expr.value(ctx);
      diags.push(...r.diags);
      const c = convert(r.value, spec.type);
      if ("error" in c) {
        diags.push({
          severity: "error",
          summary: "Incorrect attribute value type",
          detail: `Inappropriate value for attribute "${spec.name}": ${c.error}.`,
          subject: a.expr.range,
        });
        return Value.unknown(spec.type);
      }
      return c.value;
    }
    case "default": {
      const v = decodeWith(spec.primary, attrs, blocks, diags, ctx);
      return v.isNull() ? decodeWith(spec.fallback, attrs, blocks, diags, ctx) : v;
    }
    case "block": {
      const mine = blocks.filter((b) => b.type === spec.blockType);
      if (mine.length === 0) return Value.null(Type.dynamic);
      if (mine.length > 1) {
        diags.push({
          severity: "error",
          summary: `Duplicate ${spec.blockType} block`,
          detail: `Only one block of type "${spec.blockType}" is allowed.`,
          subject: mine[1]!.defRange,
        });
      }
      return decode(mine[0]!.body, spec.nested, ctx).value;
    }
    case "block_list":
    case "block_set": {
      const vals = blocks
        .filter((b) => b.type === spec.blockType)
        .map((b) => {
          const r = decode(b.body, spec.nested, ctx);
          diags.push(...r.diags);
          return r.value;
        });
      if (vals.length === 0) return Value.listEmpty(Type.dynamic);
      return sameTypes(vals) ? Value.list(vals) : Value.tuple(vals);
    }
    case "block_map": {
      const root: Map<string, unknown> = new Map();
      for (const b of blocks.filter((x) => x.type === spec.blockType)) {
        const r = decode(b.body, spec.nested, ctx);
        diags.push(...r.diags);
        let m = root;
        b.labels.forEach((l, i) => {
          if (i === b.labels.length - 1) m.set(l, r.value);
          else {
            if (!m.has(l)) m.set(l, new Map());
            m = m.get(l) as Map<string, unknown>;
          }
        });
      }
      const toValue = (m: Map<string, unknown>): Value => {
        const rec: Record<string, Value> = {};
        for (const [k, v] of m) rec[k] = v instanceof Map ? toValue(v) : (v as Value);
        const vals = Object.values(rec);
        return vals.length > 0 && sameTypes(vals) ? Value.map(rec) : Value.object(rec);
      };
      return toValue(root);
    }
  }
}

function sameTypes(vals: Value[]): boolean {
  return vals.every((v) => v.type.equals(vals[0]!.type));
}
