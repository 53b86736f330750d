// `dynamic` blocks, as HCL's dynblock extension expands them: a body wrapper
// that, when decoded against a schema, turns each
//
//   dynamic "TYPE" { for_each = ..., iterator = NAME, labels = [...], content { ... } }
//
// into one TYPE block per element, whose expressions see NAME.key and
// NAME.value. Nested dynamic blocks expand too.

import { convert } from "../../hcl/cty/convert.js";
import { goQuote } from "../../hcl/cty/quote.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import type {
  Attribute,
  Block,
  Body,
  BodyContent,
  BodySchema,
  EvalContext,
  Expression,
  Traversal,
  ValueResult,
} from "../../hcl/structure.js";

interface Iteration {
  name: string;
  value: Value;
}

/** Wraps a body so that decoding it expands its dynamic blocks, evaluating for_each with `ctx`. */
export function expandDynamicBlocks(body: Body, ctx: EvalContext): Body {
  return new ExpandedBody(body, ctx, []);
}

const dynamicContentSchema: BodySchema = {
  attributes: [{ name: "for_each", required: true }, { name: "iterator" }, { name: "labels" }],
  blocks: [{ type: "content" }],
};

function withIterations(ctx: EvalContext, its: readonly Iteration[]): EvalContext {
  if (its.length === 0) return ctx;
  const variables: Record<string, Value> = {};
  for (const it of its) variables[it.name] = it.value;
  return { parent: ctx, variables };
}

class IteratedExpression implements Expression {
  constructor(
    private readonly inner: Expression,
    private readonly its: readonly Iteration[],
  ) {}
  get range() {
    return this.inner.range;
  }
  get startRange() {
    return this.inner.startRange;
  }
  value(ctx?: EvalContext): ValueResult {
    return this.inner.value(withIterations(ctx ?? {}, this.its));
  }
  variables(): Traversal[] {
    const names = new Set(this.its.map((i) => i.name));
    return this.inner.variables().filter((t) => !(t[0]?.kind === "root" && names.has(t[0].name)));
  }
  asKeyword() {
    return this.inner.asKeyword?.();
  }
  asCall() {
    return this.inner.asCall?.();
  }
  asList() {
    return this.inner.asList?.();
  }
  asMap() {
    return this.inner.asMap?.();
  }
  asTraversal() {
    return this.inner.asTraversal?.();
  }
}

class ExpandedBody implements Body {
  constructor(
    private readonly inner: Body,
    private readonly ctx: EvalContext,
    private readonly its: readonly Iteration[],
  ) {}

  missingItemRange() {
    return this.inner.missingItemRange();
  }

  private wrapAttr(a: Attribute): Attribute {
    if (this.its.length === 0) return a;
    return { ...a, expr: new IteratedExpression(a.expr, this.its) };
  }

  private extend(schema: BodySchema): BodySchema {
    // A body wrapped twice (expanded at load time, then again when decoded) asks once.
    if (schema.blocks?.some((b) => b.type === "dynamic")) return schema;
    return {
      attributes: schema.attributes,
      blocks: [...(schema.blocks ?? []), { type: "dynamic", labelNames: ["type"] }],
    };
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const r = this.inner.content(this.extend(schema));
    const expanded = this.expand(r.content, schema);
    return { content: expanded.content, diags: [...r.diags, ...expanded.diags] };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const r = this.inner.partialContent(this.extend(schema));
    // As in HCL's dynblock, dynamic blocks of types the schema doesn't ask for
    // stay in the remaining body, for whoever decodes it next.
    const wanted = new Set((schema.blocks ?? []).map((b) => b.type));
    const keep: Block[] = [];
    const left: Block[] = [];
    for (const b of r.content.blocks) {
      if (b.type === "dynamic" && !wanted.has("dynamic") && !wanted.has(b.labels[0]!)) left.push(b);
      else keep.push(b);
    }
    const expanded = this.expand({ ...r.content, blocks: keep }, schema);
    const remain = left.length ? new BodyWithBlocks(r.remain, left) : r.remain;
    return {
      content: expanded.content,
      remain: new ExpandedBody(remain, this.ctx, this.its),
      diags: [...r.diags, ...expanded.diags],
    };
  }

  justAttributes(): { attributes: Record<string, Attribute>; diags: Diagnostic[] } {
    const r = this.inner.justAttributes();
    const attributes: Record<string, Attribute> = {};
    for (const [k, a] of Object.entries(r.attributes)) attributes[k] = this.wrapAttr(a);
    return { attributes, diags: r.diags };
  }

  private expand(
    content: BodyContent,
    schema: BodySchema,
  ): { content: BodyContent; diags: Diagnostic[] } {
    const diags: Diagnostic[] = [];
    const attributes: Record<string, Attribute> = {};
    for (const [k, a] of Object.entries(content.attributes)) attributes[k] = this.wrapAttr(a);
    const blocks: Block[] = [];
    for (const b of content.blocks) {
      if (b.type !== "dynamic") {
        // Spelled out: syntax blocks compute their ranges with getters, which a spread drops.
        blocks.push({
          type: b.type,
          labels: b.labels,
          body: new ExpandedBody(b.body, this.ctx, this.its),
          defRange: b.defRange,
          typeRange: b.typeRange,
          labelRanges: b.labelRanges,
        });
        continue;
      }
      blocks.push(...this.expandOne(b, schema, diags));
    }
    return { content: { attributes, blocks, missingItemRange: content.missingItemRange }, diags };
  }

  private expandOne(b: Block, schema: BodySchema, diags: Diagnostic[]): Block[] {
    const type = b.labels[0]!;
    const spec = (schema.blocks ?? []).find((s) => s.type === type);
    if (!spec) {
      diags.push({
        severity: "error",
        summary: "Unsupported block type",
        detail: `Blocks of type ${goQuote(type)} are not expected here.`,
        subject: b.labelRanges[0],
      });
      return [];
    }
    const r = b.body.content(dynamicContentSchema);
    diags.push(...r.diags);
    if (hasErrors(r.diags)) return [];
    const contents = r.content.blocks;
    if (contents.length !== 1) {
      diags.push(
        errorDiag(
          contents.length === 0 ? "Missing content block" : "Duplicate content block",
          'A dynamic block must have exactly one nested block of type "content".',
          b.defRange,
        ),
      );
      return [];
    }
    const contentBlock = contents[0]!;
    let iterName = type;
    const iterAttr = r.content.attributes.iterator;
    if (iterAttr) {
      const t = iterAttr.expr.asTraversal?.();
      if (t?.length !== 1 || t[0]!.kind !== "root") {
        diags.push(
          errorDiag(
            "Invalid dynamic iterator name",
            "Dynamic iterator must be a single variable name.",
            iterAttr.expr.range,
          ),
        );
        return [];
      }
      iterName = (t[0] as { name: string }).name;
    }
    const ctx = withIterations(this.ctx, this.its);
    const fe = r.content.attributes.for_each!.expr.value(ctx);
    diags.push(...fe.diags);
    if (hasErrors(fe.diags)) return [];
    const coll = fe.value;
    const ty = coll.type;
    if (!(ty.isCollection() || ty.isTuple() || ty.isObject()) || coll.isNull()) {
      diags.push(
        errorDiag(
          "Invalid dynamic for_each value",
          `Cannot use a ${ty.friendlyName()} value in for_each. An iterable collection is required.`,
          r.content.attributes.for_each!.expr.range,
        ),
      );
      return [];
    }
    if (!coll.isKnown()) return [];
    const out: Block[] = [];
    const entries: [Value, Value][] =
      ty.isList() || ty.isTuple() || ty.isSet()
        ? coll.elements().map((v, i) => [ty.isSet() ? v : Value.number(i), v])
        : coll.entries().map(([k, v]) => [Value.string(k), v]);
    for (const [key, value] of entries) {
      const it: Iteration = { name: iterName, value: Value.object({ key, value }) };
      const its = [...this.its, it];
      const labels: string[] = [];
      const labelsAttr = r.content.attributes.labels;
      const want = spec.labelNames?.length ?? 0;
      if (labelsAttr) {
        const lv = labelsAttr.expr.value(withIterations(this.ctx, its));
        diags.push(...lv.diags);
        if (hasErrors(lv.diags)) continue;
        const c = convert(lv.value, Type.list(Type.string));
        if ("error" in c || c.value.isNull() || !c.value.isWhollyKnown()) {
          diags.push(
            errorDiag(
              "Invalid dynamic block labels",
              "The labels must be a list of strings.",
              labelsAttr.expr.range,
            ),
          );
          continue;
        }
        for (const l of c.value.elements()) labels.push(l.asString());
      }
      if (labels.length !== want) {
        diags.push(
          errorDiag(
            "Incorrect number of block labels",
            `Blocks of type ${goQuote(type)} require ${want} label(s).`,
            labelsAttr?.expr.range ?? b.defRange,
          ),
        );
        continue;
      }
      out.push({
        type,
        labels,
        body: new ExpandedBody(contentBlock.body, this.ctx, its),
        defRange: b.defRange,
        typeRange: b.typeRange,
        labelRanges: labels.map(() => b.labelRanges[0] ?? b.defRange),
      });
    }
    return out;
  }
}

function byPosition(a: Block, b: Block): number {
  return (
    a.defRange.filename.localeCompare(b.defRange.filename) ||
    a.defRange.start.byte - b.defRange.start.byte
  );
}

/** A body plus blocks taken out of it earlier (dynamic blocks left for a later decoder). */
class BodyWithBlocks implements Body {
  constructor(
    private readonly inner: Body,
    private readonly blocks: Block[],
  ) {}

  missingItemRange() {
    return this.inner.missingItemRange();
  }

  private split(schema: BodySchema): { matched: Block[]; other: Block[] } {
    const types = new Set((schema.blocks ?? []).map((b) => b.type));
    return {
      matched: this.blocks.filter((b) => types.has(b.type)),
      other: this.blocks.filter((b) => !types.has(b.type)),
    };
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const r = this.inner.content(schema);
    const { matched, other } = this.split(schema);
    const diags = [...r.diags];
    for (const b of other) {
      diags.push({
        severity: "error",
        summary: "Unsupported block type",
        detail: `Blocks of type ${goQuote(b.type)} are not expected here.`,
        subject: b.typeRange,
      });
    }
    const blocks = [...r.content.blocks, ...matched].sort(byPosition);
    return { content: { ...r.content, blocks }, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const r = this.inner.partialContent(schema);
    const { matched, other } = this.split(schema);
    const blocks = [...r.content.blocks, ...matched].sort(byPosition);
    const remain = other.length ? new BodyWithBlocks(r.remain, other) : r.remain;
    return { content: { ...r.content, blocks }, remain, diags: r.diags };
  }

  justAttributes(): { attributes: Record<string, Attribute>; diags: Diagnostic[] } {
    const r = this.inner.justAttributes();
    const diags = [...r.diags];
    for (const b of this.blocks) {
      diags.push({
        severity: "error",
        summary: 'Unexpected "dynamic" block',
        detail: "Blocks are not allowed here.",
        subject: b.typeRange,
      });
    }
    return { attributes: r.attributes, diags };
  }
}
