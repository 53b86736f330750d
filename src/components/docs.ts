// The components reference (docs/components.md), generated from the schemas
// so the documentation cannot drift from what the decoders accept.

import { componentKinds, componentTypes, loadSchema } from "./registry.js";
import type { ComponentKind, ConfigSchema, FieldSpec } from "./schema.js";

const headings: Record<ComponentKind, string> = {
  builder: "Builders",
  provisioner: "Provisioners",
  "post-processor": "Post-processors",
  datasource: "Data sources",
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function fieldRow(name: string, f: FieldSpec): string {
  const notes: string[] = [];
  if (f.sensitive) notes.push("Sensitive.");
  if (f.duration) notes.push("A duration.");
  if (f.aliases?.length) {
    notes.push(`Deprecated alias: ${f.aliases.map((a) => `\`${a}\``).join(", ")}.`);
  }
  const doc = [f.doc, ...notes].join(" ");
  const def = f.default === undefined ? "" : `\`${JSON.stringify(f.default)}\``;
  return `| \`${name}\` | ${cell(f.type.toString())} | ${f.required ? "yes" : ""} | ${cell(def)} | ${cell(doc)} |`;
}

function table(schema: ConfigSchema): string[] {
  const lines = ["| Argument | Type | Required | Default | Description |", "|---|---|---|---|---|"];
  for (const name of Object.keys(schema.fields).sort())
    lines.push(fieldRow(name, schema.fields[name]!));
  return lines;
}

function blocks(schema: ConfigSchema, level: string): string[] {
  const out: string[] = [];
  for (const [name, b] of Object.entries(schema.blocks ?? {})) {
    const how = b.nesting === "single" ? "at most one" : "any number";
    out.push(
      "",
      `${level} Block \`${name}\``,
      "",
      `${b.doc} (${how}${b.required ? ", required" : ""})`,
      "",
    );
    out.push(...table(b.schema), ...blocks(b.schema, `${level}#`));
  }
  return out;
}

/** The whole reference, as Markdown. */
export async function renderComponentDocs(): Promise<string> {
  const out = [
    "# Components",
    "",
    "Every builder, provisioner, post-processor and data source kiln knows, with the options",
    "each accepts. Generated from the schemas in `src/` by",
    "`node --import tsx scripts/gen-component-docs.ts`; do not edit by hand.",
  ];
  for (const kind of componentKinds) {
    out.push("", `## ${headings[kind]}`);
    for (const type of componentTypes(kind)) {
      const s = (await loadSchema(kind, type))!;
      const plugin = s.plugin === "builtin" ? "built into Packer" : `plugin \`${s.plugin}\``;
      out.push("", `### \`${type}\``, "", `From ${plugin}.`, "");
      out.push(...table(s.config), ...blocks(s.config, "####"));
      if (s.output) {
        out.push("", "#### Output", "", "| Attribute | Type | Description |", "|---|---|---|");
        for (const name of Object.keys(s.output.fields).sort()) {
          const f = s.output.fields[name]!;
          out.push(`| \`${name}\` | ${cell(f.type.toString())} | ${cell(f.doc)} |`);
        }
      }
    }
  }
  return `${out.join("\n")}\n`;
}
