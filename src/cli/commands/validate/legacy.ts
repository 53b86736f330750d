// `validate` for legacy JSON templates, as Packer does it: parse the template
// and the variable files, check it (Template.Validate, min_packer_version,
// required variables, variable values, build names), then prepare every
// build's components with their configuration.

import { readFileSync } from "node:fs";
import { hasErrors } from "../../../hcl/diagnostic.js";
import { prepareLegacyBuilds } from "../../../template/legacy/components.js";
import { type LegacyTemplate, loadLegacyTemplate } from "../../../template/legacy/index.js";
import type { Ui } from "../../../ui/index.js";
import type { ParsedFlags } from "../../flags.js";
import type { CommandIO } from "../../io.js";
import { legacyVarFiles, legacyVars, writeDiagnostics } from "../../template.js";
import type { ValidateOptions } from "./index.js";

/** The template and variable files by name, for the diagnostics' source snippets. */
export function legacySources(
  path: string,
  varFiles: readonly string[],
  template?: LegacyTemplate,
): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const f of [path, ...varFiles]) {
    if (f === path && template) {
      files.set(f, template.rawContents);
      continue;
    }
    try {
      files.set(f, readFileSync(f));
    } catch {
      // An unreadable file is already a diagnostic, shown without a snippet.
    }
  }
  return files;
}

export async function validateLegacy(
  path: string,
  flags: ParsedFlags,
  opts: ValidateOptions,
  ui: Ui,
  io: CommandIO,
): Promise<number> {
  const now = new Date();
  const varFiles = legacyVarFiles(flags);
  const loaded = loadLegacyTemplate(path, {
    vars: legacyVars(flags),
    varFiles,
    syntaxOnly: opts.syntaxOnly,
    env: io.env,
    cwd: io.cwd,
    now,
  });
  const files = legacySources(path, varFiles, loaded.template);
  if (hasErrors(loaded.diags) || !loaded.template) {
    writeDiagnostics(ui, loaded.diags, files);
    return 1;
  }
  if (opts.syntaxOnly) {
    ui.say("Syntax-only check passed. Everything looks okay.");
    return 0;
  }
  const prepared = await prepareLegacyBuilds(loaded.template, {
    only: opts.only,
    except: opts.except,
    now,
    cwd: io.cwd,
  });
  const diags = [...loaded.diags, ...prepared.diags];
  writeDiagnostics(ui, diags, files);
  if (hasErrors(diags)) return 1;
  // Packer 1.9.4 says so; 1.6.6 printed nothing.
  ui.say("The configuration is valid.");
  return 0;
}
