// `validate` for legacy JSON templates.

import { hasErrors } from "../../../hcl/diagnostic.js";
import { loadLegacyTemplate } from "../../../template/legacy/index.js";
import type { Ui } from "../../../ui/index.js";
import type { ParsedFlags } from "../../flags.js";
import type { CommandIO } from "../../io.js";
import { legacyVarFiles, legacyVars, writeDiagnostics } from "../../template.js";
import type { ValidateOptions } from "./index.js";

export async function validateLegacy(
  path: string,
  flags: ParsedFlags,
  opts: ValidateOptions,
  ui: Ui,
  io: CommandIO,
): Promise<number> {
  const loaded = loadLegacyTemplate(path, {
    vars: legacyVars(flags),
    varFiles: legacyVarFiles(flags),
    syntaxOnly: opts.syntaxOnly,
    env: io.env,
    cwd: io.cwd,
  });
  const files = new Map<string, Buffer>();
  writeDiagnostics(ui, loaded.diags, files);
  if (hasErrors(loaded.diags)) return 1;
  if (opts.syntaxOnly) {
    ui.say("Syntax-only check passed. Everything looks okay.");
    return 0;
  }
  ui.say("The configuration is valid.");
  return 0;
}
