// What the template commands (validate, inspect, console, build) share: the
// -var/-var-file flags, telling HCL2 from legacy JSON templates, and printing
// diagnostics with their source lines.

import { basename } from "node:path";
import { formatForConsole } from "../hcl/cty/format.js";
import { goQuote } from "../hcl/cty/quote.js";
import type { Value } from "../hcl/cty/value.js";
import type { Diagnostic } from "../hcl/diagnostic.js";
import { renderDiagnostic } from "../hcl/render.js";
import { isHCL2Path } from "../template/hcl2/parse.js";
import type { VarArg } from "../template/hcl2/values.js";
import type { Ui } from "../ui/index.js";
import type { FlagSpec, ParsedFlags } from "./flags.js";

export const varFlags: FlagSpec[] = [
  { name: "var", kind: "multi", usage: "Variable for templates, can be used multiple times." },
  { name: "var-file", kind: "multi", usage: "JSON or HCL2 file containing user variables." },
];

/** -var and -var-file in the order given. */
export function varArgs(flags: ParsedFlags): VarArg[] {
  const out: VarArg[] = [];
  for (const o of flags.ordered) {
    if (o.name === "var") out.push({ kind: "var", text: o.value });
    else if (o.name === "var-file") out.push({ kind: "var-file", path: o.value });
  }
  return out;
}

/** Legacy `-var k=v` pairs (the last value of a name wins). */
export function legacyVars(flags: ParsedFlags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of flags.ordered) {
    if (o.name !== "var") continue;
    const eq = o.value.indexOf("=");
    if (eq < 0) continue;
    out[o.value.slice(0, eq)] = o.value.slice(eq + 1);
  }
  return out;
}

export function legacyVarFiles(flags: ParsedFlags): string[] {
  return flags.ordered.filter((o) => o.name === "var-file").map((o) => o.value);
}

/** HCL2 for folders and `.pkr.hcl`/`.pkr.json` files; legacy JSON for anything else, as Packer decides. */
export function templateKind(path: string): "hcl2" | "json" {
  return isHCL2Path(path) || basename(path).endsWith(".pkr.hcl") ? "hcl2" : "json";
}

/** Prints diagnostics as Packer does: errors with ui.error, warnings with ui.say. */
export function writeDiagnostics(
  ui: Ui,
  diags: readonly Diagnostic[],
  files: Map<string, Buffer>,
): void {
  const lookup = { source: (f: string) => files.get(f) };
  for (const d of diags) {
    const text = renderDiagnostic(d, lookup);
    if (d.severity === "error") ui.error(text);
    else ui.say(text);
  }
}

/** A value as inspect and the console's `variables` print it: unknown and sensitive parts hidden, Go-quoted. */
export function printable(v: Value): string {
  return goQuote(formatForConsole(v, { redactMarked: true }));
}
