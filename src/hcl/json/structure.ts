import type { Diagnostic } from "../diagnostic.js";
import { formatRange, type Range, rangeBetween } from "../pos.js";
import type {
  Attribute,
  Block,
  BlockHeaderSchema,
  Body,
  BodyContent,
  BodySchema,
} from "../structure.js";
import type { JSONNode, JSONObjectAttr } from "./ast.js";
import { nodeStartRange } from "./ast.js";
import { goQuote, nameSuggestion } from "./didyoumean.js";
import { JSONExpression } from "./expression.js";

// Bodies of HCL's JSON syntax. A body is a JSON object, or an array of
// objects whose properties are visited in order. What a property means
// depends on the schema: an attribute's value is an expression; a block
// type's value is the block (an object), several blocks (an array of
// objects), or no block (null), with one level of nested object per label.
// A property named "//" in a body is a comment and is ignored.

const EMPTY_HIDDEN: ReadonlySet<string> = new Set();

export class JSONBody implements Body {
  /**
   * @param root the JSON value holding the body's content
   * @param hidden property names already consumed by partialContent, which
   *   this body treats as absent
   */
  constructor(
    readonly root: JSONNode,
    readonly hidden: ReadonlySet<string> = EMPTY_HIDDEN,
  ) {}

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const { content, remain, diags, props } = this.decode(schema);
    const used = (remain as JSONBody).hidden;

    const suggestions: string[] = [];
    for (const a of schema.attributes ?? []) {
      // Only suggest an argument that was not set already.
      if (!used.has(a.name)) suggestions.push(a.name);
    }
    // Block types may repeat, so they are always suggested.
    for (const b of schema.blocks ?? []) suggestions.push(b.type);

    for (const p of props) {
      if (p.name === "//" || used.has(p.name)) continue;
      const s = nameSuggestion(p.name, suggestions);
      diags.push({
        severity: "error",
        summary: "Extraneous JSON object property",
        detail: `No argument or block type is named ${goQuote(p.name)}.${
          s ? ` Did you mean ${goQuote(s)}?` : ""
        }`,
        subject: p.nameRange,
        context: p.nameRange,
      });
    }
    return { content, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const { content, remain, diags } = this.decode(schema);
    return { content, remain, diags };
  }

  private decode(schema: BodySchema): {
    content: BodyContent;
    remain: Body;
    diags: Diagnostic[];
    props: JSONObjectAttr[];
  } {
    const diags: Diagnostic[] = [];
    const props = collectDeepAttrs(this.root, undefined, diags);
    const used = new Set(this.hidden);
    const content: BodyContent = {
      attributes: Object.create(null) as Record<string, Attribute>,
      blocks: [],
      missingItemRange: this.missingItemRange(),
    };

    const attrNames = new Set<string>();
    for (const a of schema.attributes ?? []) attrNames.add(a.name);
    const blockSchemas = new Map<string, BlockHeaderSchema>();
    for (const b of schema.blocks ?? []) blockSchemas.set(b.type, b);

    for (const p of props) {
      const name = p.name;
      if (this.hidden.has(name)) continue;
      if (attrNames.has(name)) {
        const existing = content.attributes[name];
        if (existing !== undefined) {
          diags.push({
            severity: "error",
            summary: "Duplicate argument",
            detail: `The argument ${goQuote(name)} was already set at ${formatRange(existing.range)}.`,
            subject: p.nameRange,
            context: p.nameRange,
          });
          continue;
        }
        content.attributes[name] = makeAttribute(p);
        used.add(name);
        continue;
      }
      const bs = blockSchemas.get(name);
      if (bs !== undefined) {
        unpackBlock(
          p.value,
          bs.type,
          p.nameRange,
          bs.labelNames ?? [],
          [],
          [],
          content.blocks,
          diags,
        );
        used.add(name);
      }
      // Anything else is left for content() to report, or for the remain body.
    }

    for (const a of schema.attributes ?? []) {
      if (!a.required || content.attributes[a.name] !== undefined) continue;
      diags.push({
        severity: "error",
        summary: "Missing required argument",
        detail: `The argument ${goQuote(a.name)} is required, but no definition was found.`,
        subject: this.missingItemRange(),
      });
    }

    return { content, remain: new JSONBody(this.root, used), diags, props };
  }

  justAttributes(): { attributes: Record<string, Attribute>; diags: Diagnostic[] } {
    const diags: Diagnostic[] = [];
    const attributes = Object.create(null) as Record<string, Attribute>;
    const root = this.root;
    if (root.kind !== "object") {
      diags.push({
        severity: "error",
        summary: "Incorrect JSON value type",
        detail: "A JSON object is required here, setting the arguments for this block.",
        subject: nodeStartRange(root),
      });
      return { attributes, diags };
    }
    for (const p of root.attrs) {
      const name = p.name;
      if (name === "//" || this.hidden.has(name)) continue;
      const existing = attributes[name];
      if (existing !== undefined) {
        diags.push({
          severity: "error",
          summary: "Duplicate attribute definition",
          detail: `The argument ${goQuote(name)} was already set at ${formatRange(existing.range)}.`,
          subject: p.nameRange,
        });
        continue;
      }
      attributes[name] = makeAttribute(p);
    }
    return { attributes, diags };
  }

  missingItemRange(): Range {
    const root = this.root;
    if (root.kind === "object") return root.closeRange;
    if (root.kind === "array") return root.openRange;
    return nodeStartRange(root);
  }
}

function makeAttribute(p: JSONObjectAttr): Attribute {
  return {
    name: p.name,
    expr: new JSONExpression(p.value),
    range: rangeBetween(p.nameRange, p.value.range),
    nameRange: p.nameRange,
  };
}

/** Peel one nested object level per label, then make a block of each object found. */
function unpackBlock(
  v: JSONNode,
  typeName: string,
  typeRange: Range,
  labelsLeft: readonly string[],
  labels: string[],
  labelRanges: Range[],
  blocks: Block[],
  diags: Diagnostic[],
): void {
  if (labelsLeft.length > 0) {
    const labelName = labelsLeft[0]!;
    const props = collectDeepAttrs(v, labelName, diags);
    if (props.length === 0) {
      diags.push({
        severity: "error",
        summary: "Missing block label",
        detail: `At least one object property is required, whose name represents the ${typeName} block's ${labelName}.`,
        subject: nodeStartRange(v),
      });
      return;
    }
    const rest = labelsLeft.slice(1);
    for (const p of props) {
      labels.push(p.name);
      labelRanges.push(p.nameRange);
      unpackBlock(p.value, typeName, typeRange, rest, labels, labelRanges, blocks, diags);
      labels.pop();
      labelRanges.pop();
    }
    return;
  }

  switch (v.kind) {
    case "null":
      // No block at all.
      return;
    case "object":
      blocks.push({
        type: typeName,
        labels: labels.slice(),
        body: new JSONBody(v),
        defRange: v.openRange,
        typeRange,
        labelRanges: labelRanges.slice(),
      });
      return;
    case "array":
      for (const elem of v.values) {
        // An element of the wrong type is reported when its body is decoded.
        blocks.push({
          type: typeName,
          labels: labels.slice(),
          body: new JSONBody(elem),
          defRange: v.openRange,
          typeRange,
          labelRanges: labelRanges.slice(),
        });
      }
      return;
    default:
      diags.push({
        severity: "error",
        summary: "Incorrect JSON value type",
        detail: `Either a JSON object or a JSON array is required, representing the contents of one or more ${goQuote(typeName)} blocks.`,
        subject: nodeStartRange(v),
      });
  }
}

/**
 * The properties of an object, or of each object in an array, in order.
 * `labelName`, if given, words the errors for a block-label level.
 */
function collectDeepAttrs(
  v: JSONNode,
  labelName: string | undefined,
  diags: Diagnostic[],
): JSONObjectAttr[] {
  switch (v.kind) {
    case "null":
      return [];
    case "object":
      return v.attrs;
    case "array": {
      const out: JSONObjectAttr[] = [];
      for (const elem of v.values) {
        if (elem.kind === "object") {
          for (const a of elem.attrs) out.push(a);
          continue;
        }
        diags.push({
          severity: "error",
          summary: "Incorrect JSON value type",
          detail:
            labelName !== undefined
              ? `A JSON object is required here, to specify ${labelName} labels for this block.`
              : "A JSON object is required here, to define arguments and child blocks.",
          subject: nodeStartRange(elem),
        });
      }
      return out;
    }
    default:
      diags.push({
        severity: "error",
        summary: "Incorrect JSON value type",
        detail:
          labelName !== undefined
            ? `Either a JSON object or JSON array of objects is required here, to specify ${labelName} labels for this block.`
            : "Either a JSON object or JSON array of objects is required here, to define arguments and child blocks.",
        subject: nodeStartRange(v),
      });
      return [];
  }
}

/** Whether a body came from HCL's JSON syntax. */
export function isJSONBody(b: Body): b is JSONBody {
  return b instanceof JSONBody;
}
