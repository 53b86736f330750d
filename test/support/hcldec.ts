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
} from "../../src/hcl/structure.js";
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

/** Reads a spec from a parsed .hcldec body. Returns diagnostics for a bad spec. */
export function readSpec(body: Body): { spec?: Spec; diags: Diagnostic[] } {
  const { content, diags } = body.content({ blocks: SPEC_BLOCKS });
  if (content.blocks.length !== 1) {
    return {
      diags: [...diags, { severity: "error", summary: "spec file must have exactly one root block" }],
    };
  }
  const spec = readBlockSpec(content.blocks[0]!, diags);
  return spec ? { spec, diags } : { diags };
}

const SPEC_BLOCKS: BlockHeaderSchema[] = [
  "object",
  "attr",
  "block",
  "block_list",
  "block_set",
  "block_map",
  "literal",
  "default",
].flatMap((type) => [{ type }, { type, labelNames: ["name"] }]);

function nestedSpec(block: Block, diags: Diagnostic[]): Spec | undefined {
  const { content, diags: d } = block.body.partialContent({ blocks: SPEC_BLOCKS });
  diags.push(...d);
  return content.blocks[0] ? readBlockSpec(content.blocks[0], diags) : undefined;
}

function readBlockSpec(block: Block, diags: Diagnostic[]): Spec | undefined {
  const label = block.labels[0];
  const attrsOf = () =>
    block.body.partialContent({
      attributes: [
        { name: "name" },
        { name: "type" },
        { name: "required" },
        { name: "block_type" },
        { name: "labels" },
        { name: "value" },
        { name: "min_items" },
        { name: "max_items" },
      ],
      blocks: SPEC_BLOCKS,
    }).content.attributes;
  switch (block.type) {
    case "object": {
      const { content, diags: d } = block.body.content({ blocks: SPEC_BLOCKS });
      diags.push(...d);
      const children: [string, Spec][] = [];
      for (const b of content.blocks) {
        const s = readBlockSpec(b, diags);
        if (s) children.push([b.labels[0] ?? "", s]);
      }
      return { kind: "object", children };
    }
    case "attr": {
      const attrs = attrsOf();
      const name = attrs.name ? attrs.name.expr.value().value.asString() : label;
      let type: Type = Type.dynamic;
      if (attrs.type) {
        const t = getTypeConstraint(attrs.type.expr);
        diags.push(...t.diags);
        type = t.type;
      }
      const required = attrs.required ? attrs.required.expr.value().value.asBool() : false;
      return { kind: "attr", name: name ?? "", type, required };
    }
    case "block":
    case "block_list":
    case "block_set":
    case "block_map": {
      const attrs = attrsOf();
      const blockType =
        (attrs.block_type ? attrs.block_type.expr.value().value.asString() : label) ?? "";
      const nested = nestedSpec(block, diags) ?? { kind: "object", children: [] };
      if (block.type === "block") {
        const required = attrs.required ? attrs.required.expr.value().value.asBool() : false;
        return { kind: "block", blockType, nested, required };
      }
      if (block.type === "block_map") {
        const labels = attrs.labels
          ? attrs.labels.expr
              .value()
              .value.elements()
              .map((v) => v.asString())
          : [];
        return { kind: "block_map", blockType, labels, nested };
      }
      return { kind: block.type, blockType, nested };
    }
    case "literal": {
      const attrs = attrsOf();
      return { kind: "literal", value: attrs.value ? attrs.value.expr.value().value : Value.null(Type.dynamic) };
    }
    case "default": {
      const { content } = block.body.content({ blocks: SPEC_BLOCKS });
      const specs = content.blocks.map((b) => readBlockSpec(b, diags)).filter((s) => s !== undefined);
      if (specs.length === 0) return undefined;
      return { kind: "default", primary: specs[0]!, fallback: specs[1] ?? specs[0]! };
    }
  }
  return undefined;
}

/** The body schema a spec needs (object specs merge their children's). */
function schemaFor(spec: Spec, into: { attributes: AttributeSchema[]; blocks: BlockHeaderSchema[] }) {
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

export function decode(body: Body, spec: Spec): { value: Value; diags: Diagnostic[] } {
  const schema: BodySchema & { attributes: AttributeSchema[]; blocks: BlockHeaderSchema[] } = {
    attributes: [],
    blocks: [],
  };
  schemaFor(spec, schema);
  const { content, diags } = body.content(schema);
  const value = decodeWith(spec, content.attributes, content.blocks, diags);
  return { value, diags };
}

function decodeWith(
  spec: Spec,
  attrs: Record<string, import("../../src/hcl/structure.js").Attribute>,
  blocks: Block[],
  diags: Diagnostic[],
): Value {
  switch (spec.kind) {
    case "literal":
      return spec.value;
    case "object": {
      const rec: Record<string, Value> = {};
      for (const [name, c] of spec.children) rec[name] = decodeWith(c, attrs, blocks, diags);
      return Value.object(rec);
    }
    case "attr": {
      const a = attrs[spec.name];
      if (!a) return Value.null(spec.type);
      const r = a.expr.value();
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
      const v = decodeWith(spec.primary, attrs, blocks, diags);
      return v.isNull() ? decodeWith(spec.fallback, attrs, blocks, diags) : v;
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
      return decode(mine[0]!.body, spec.nested).value;
    }
    case "block_list":
    case "block_set": {
      const vals = blocks
        .filter((b) => b.type === spec.blockType)
        .map((b) => {
          const r = decode(b.body, spec.nested);
          diags.push(...r.diags);
          return r.value;
        });
      if (vals.length === 0) return Value.listEmpty(Type.dynamic);
      return sameTypes(vals) ? Value.list(vals) : Value.tuple(vals);
    }
    case "block_map": {
      const root: Map<string, unknown> = new Map();
      for (const b of blocks.filter((x) => x.type === spec.blockType)) {
        const r = decode(b.body, spec.nested);
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
