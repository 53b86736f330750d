// `required_plugins`: HashiCorp's plugins whose components kiln has built in
// are satisfied by kiln itself; anything else is a missing plugin, reported
// as Packer reports plugins that `packer init` has not installed.

import { componentTypes, loadSchema } from "../../components/registry.js";
import type { ComponentKind } from "../../components/schema.js";
import { type Diagnostic, errorDiag } from "../../hcl/diagnostic.js";
import type { HCL2Config } from "./types.js";

const KINDS: ComponentKind[] = ["builder", "provisioner", "post-processor", "datasource"];

/** The plugin source addresses kiln's built-in components stand in for. */
export async function builtinPluginSources(): Promise<Set<string>> {
  const out = new Set<string>();
  for (const kind of KINDS) {
    for (const type of componentTypes(kind)) {
      const s = await loadSchema(kind, type);
      if (s && s.plugin !== "builtin") out.add(s.plugin.toLowerCase());
    }
  }
  return out;
}

export async function checkRequiredPlugins(cfg: HCL2Config): Promise<Diagnostic[]> {
  if (cfg.packer.requiredPlugins.length === 0) return [];
  const have = await builtinPluginSources();
  const missing = cfg.packer.requiredPlugins.filter(
    (p) => !have.has(p.source.toLowerCase().replace(/^https?:\/\//, "")),
  );
  if (missing.length === 0) return [];
  const list = missing.map((p) => `${p.source}${p.version ? ` ${p.version}` : ""}`).join("\n");
  return [
    errorDiag(
      "Missing plugins",
      `The following plugins are required, but not installed:\n\n${list}\n\nkiln has these built in: ${[...have].sort().join(", ")}. Other plugins are not supported yet.`,
      missing[0]!.range,
    ),
  ];
}
