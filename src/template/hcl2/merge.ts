// Several bodies decoded as one, as HCL's MergeBodies does: used for a source
// block plus the attributes a build block's `source` block adds. Setting the
// same argument in both is an error, as in Packer.

import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Range } from "../../hcl/pos.js";
import type { Attribute, Block, Body, BodyContent, BodySchema } from "../../hcl/structure.js";

export function mergeBodies(bodies: Body[]): Body {
  return bodies.length === 1 ? bodies[0]! : new MergedBody(bodies);
}

function rangeText(r: Range): string {
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
}

class MergedBody implements Body {
  constructor(private readonly bodies: Body[]) {}

  missingItemRange(): Range {
    return this.bodies[0]!.missingItemRange();
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const r = this.merged(schema, false);
    return { content: r.content, diags: r.diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    return this.merged(schema, true);
  }

  justAttributes(): { attributes: Record<string, Attribute>; diags: Diagnostic[] } {
    const attributes: Record<string, Attribute> = {};
    const diags: Diagnostic[] = [];
    for (const b of this.bodies) {
      const r = b.justAttributes();
      diags.push(...r.diags);
      for (const [k, a] of Object.entries(r.attributes)) {
        const prev = attributes[k];
        if (prev) diags.push(duplicate(k, prev, a));
        else attributes[k] = a;
      }
    }
    return { attributes, diags };
  }

  private merged(
    schema: BodySchema,
    partial: boolean,
  ): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    // Sub-bodies may each lack a required argument the other one sets.
    const relaxed: BodySchema = {
      attributes: schema.attributes?.map((a) => ({ name: a.name })),
      blocks: schema.blocks,
    };
    const diags: Diagnostic[] = [];
    const attributes: Record<string, Attribute> = {};
    const blocks: Block[] = [];
    const remains: Body[] = [];
    for (const b of this.bodies) {
      const r = partial ? b.partialContent(relaxed) : b.content(relaxed);
      diags.push(...r.diags);
      if ("remain" in r) remains.push(r.remain as Body);
      for (const [k, a] of Object.entries(r.content.attributes)) {
        const prev = attributes[k];
        if (prev) diags.push(duplicate(k, prev, a));
        else attributes[k] = a;
      }
      blocks.push(...r.content.blocks);
    }
    for (const a of schema.attributes ?? []) {
      if (a.required && !attributes[a.name]) {
        diags.push({
          severity: "error",
          summary: "Missing required argument",
          detail: `The argument "${a.name}" is required, but no definition was found.`,
          subject: this.missingItemRange(),
        });
      }
    }
    const missingItemRange = this.missingItemRange();
    return {
      content: { attributes, blocks, missingItemRange },
      remain: new MergedBody(remains),
      diags,
    };
  }
}

function duplicate(name: string, prev: Attribute, a: Attribute): Diagnostic {
  return {
    severity: "error",
    summary: "Duplicate argument",
    detail: `Argument "${name}" was already set at ${rangeText(prev.nameRange)}`,
    subject: a.nameRange,
  };
}
