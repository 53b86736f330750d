// `inspect` for legacy JSON templates, in Packer's "JSON mode" layout.

import { hasErrors } from "../../../hcl/diagnostic.js";
import { loadLegacyTemplate } from "../../../template/legacy/index.js";
import type { Ui } from "../../../ui/index.js";
import type { ParsedFlags } from "../../flags.js";
import type { CommandIO } from "../../io.js";
import { legacyVarFiles, legacyVars, writeDiagnostics } from "../../template.js";

export async function inspectLegacy(
  path: string,
  flags: ParsedFlags,
  ui: Ui,
  io: CommandIO,
): Promise<number> {
  const loaded = loadLegacyTemplate(path, {
    vars: legacyVars(flags),
    varFiles: legacyVarFiles(flags),
    syntaxOnly: true,
    env: io.env,
    cwd: io.cwd,
  });
  writeDiagnostics(ui, loaded.diags, new Map());
  if (hasErrors(loaded.diags) || !loaded.template) return 1;
  const t = loaded.template;
  ui.say("Packer Inspect: JSON mode");
  if (t.description) {
    ui.say("Description:\n");
    ui.say(`${t.description}\n`);
  }
  const required = t.variables
    .filter((v) => v.required)
    .sort((a, b) => a.name.localeCompare(b.name));
  const optional = t.variables
    .filter((v) => !v.required)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (required.length) {
    ui.say("Required variables:\n");
    for (const v of required) {
      ui.machine("", "template-variable", v.name, v.default, "1");
      ui.say(`  ${v.name}`);
    }
    ui.say("");
  }
  if (optional.length) {
    ui.say("Optional variables and their defaults:\n");
    for (const v of optional) {
      const shown = v.sensitive ? "<sensitive>" : v.default;
      ui.machine("", "template-variable", v.name, shown, "0");
      ui.say(`  ${v.name} = ${shown}`);
    }
    ui.say("");
  }
  if (!required.length && !optional.length) {
    ui.say("Variables:\n\n  <No variables>\n");
  }
  ui.say("Builders:\n");
  const builders = [...t.builders].sort((a, b) => a.name.localeCompare(b.name));
  if (builders.length === 0) ui.say("  <No builders>");
  const width = Math.max(0, ...builders.map((b) => b.name.length));
  for (const b of builders) {
    ui.machine("", "template-builder", b.name, b.type);
    ui.say(b.name === b.type ? `  ${b.name}` : `  ${b.name.padEnd(width)}    (${b.type})`);
  }
  ui.say("");
  ui.say("Provisioners:\n");
  if (t.provisioners.length === 0) ui.say("  <No provisioners>");
  for (const p of t.provisioners) {
    ui.machine("", "template-provisioner", p.type);
    ui.say(`  ${p.type}`);
  }
  ui.say(
    "\nNote: If your build names contain user variables or template\nfunctions such as 'timestamp', these are processed at build time,\nand therefore only show in their raw form here.",
  );
  return 0;
}
