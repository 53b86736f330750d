// `inspect` for legacy JSON templates, in Packer's "JSON mode" layout: the
// template is parsed (and its variable files read) but not validated.

import { hasErrors } from "../../../hcl/diagnostic.js";
import { type LegacyTemplate, loadLegacyTemplate } from "../../../template/legacy/index.js";
import type { Ui } from "../../../ui/index.js";
import type { ParsedFlags } from "../../flags.js";
import type { CommandIO } from "../../io.js";
import { legacyVarFiles, legacyVars, writeDiagnostics } from "../../template.js";
import { legacySources } from "../validate/legacy.js";

/** One line of inspect's output: a `ui,say` message or a machine-readable event. */
export type InspectLine = { say: string } | { machine: string; data: string[] };

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What Packer's Core.InspectConfig prints for a legacy template, message by
 * message, with its padding (every variable name counts, required ones
 * included). Packer hides a variable when its default equals a sensitive
 * variable's default at that moment, and overwrites the defaults it hides
 * while walking a Go map, so which look-alikes get hidden depends on the map
 * order; kiln takes the order that visits the sensitive variables first:
 * exactly they are hidden.
 */
export function inspectLegacyLines(t: LegacyTemplate): InspectLine[] {
  const out: InspectLine[] = [];
  const say = (s: string) => out.push({ say: s });
  const machine = (type: string, ...data: string[]) => out.push({ machine: type, data });

  say("Packer Inspect: JSON mode");
  if (t.description !== "") {
    say("Description:\n");
    say(`${t.description}\n`);
  }

  // Later declarations of a name replace earlier ones, as in Go's map.
  const vars = new Map(t.variables.map((v) => [v.name, v]));
  const hidden = new Set(t.sensitiveVariableNames.filter((n) => vars.has(n)));
  const shown = (name: string) => (hidden.has(name) ? "<sensitive>" : vars.get(name)!.default);
  const names = [...vars.keys()].sort(byteOrder);
  if (names.length === 0) {
    say("Variables:\n");
    say("  <No variables>");
  } else {
    const required = names.filter((n) => vars.get(n)!.required);
    if (required.length > 0) {
      say("Required variables:\n");
      for (const n of required) {
        machine("template-variable", n, shown(n), "1");
        say(`  ${n}`);
      }
      say("");
    }
    say("Optional variables and their defaults:\n");
    const width = Math.max(...names.map((n) => n.length));
    for (const n of names) {
      const v = vars.get(n)!;
      if (v.required) continue;
      machine("template-variable", n, shown(n), "0");
      say(`  ${n.padEnd(width)} = ${shown(n)}`);
    }
  }
  say("");

  say("Builders:\n");
  const builders = new Map(t.builders.map((b) => [b.name, b]));
  if (builders.size === 0) say("  <No builders>");
  else {
    const keys = [...builders.keys()].sort(byteOrder);
    const width = Math.max(...keys.map((k) => k.length));
    for (const k of keys) {
      const b = builders.get(k)!;
      machine("template-builder", k, b.type);
      say(b.name === b.type ? `  ${k.padEnd(width)}` : `  ${k.padEnd(width)} (${b.type})`);
    }
  }
  say("");

  say("Provisioners:\n");
  if (t.provisioners.length === 0) say("  <No provisioners>");
  for (const p of t.provisioners) {
    machine("template-provisioner", p.type);
    say(`  ${p.type}`);
  }
  say(
    "\nNote: If your build names contain user variables or template\n" +
      "functions such as 'timestamp', these are processed at build time,\n" +
      "and therefore only show in their raw form here.",
  );
  return out;
}

export async function inspectLegacy(
  path: string,
  flags: ParsedFlags,
  ui: Ui,
  io: CommandIO,
): Promise<number> {
  const varFiles = legacyVarFiles(flags);
  const loaded = loadLegacyTemplate(path, {
    vars: legacyVars(flags),
    varFiles,
    syntaxOnly: true,
    env: io.env,
    cwd: io.cwd,
  });
  if (hasErrors(loaded.diags) || !loaded.template) {
    const files = legacySources(path, varFiles, loaded.template);
    writeDiagnostics(ui, loaded.diags, files);
    return 1;
  }
  const machineReadable = flags.values["machine-readable"] === true;
  for (const line of inspectLegacyLines(loaded.template)) {
    if ("say" in line) {
      // Every message ends in a newline of its own, even one that already ends in "\n".
      if (machineReadable) ui.machine("", "ui", "say", line.say);
      else io.stdout.write(`${line.say}\n`);
    } else {
      ui.machine("", line.machine, ...line.data);
    }
  }
  return 0;
}
