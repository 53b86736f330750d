// Every component kiln knows, by kind and type name, each loaded only when a
// template uses it; and Packer's diagnostic for a type kiln lacks.

import { goQuote } from "../hcl/cty/quote.js";
import type { Diagnostic } from "../hcl/diagnostic.js";
import { nameSuggestion } from "../hcl/json/didyoumean.js";
import type { Range } from "../hcl/pos.js";
import type { ComponentKind, ComponentSchema } from "./schema.js";

type SchemaModule = { schema: ComponentSchema };
type Loader = () => Promise<SchemaModule>;

const registry: Record<ComponentKind, Record<string, Loader>> = {
  builder: {
    docker: () => import("../builders/docker/schema.js"),
    file: () => import("../builders/file/schema.js"),
    null: () => import("../builders/null/schema.js"),
    qemu: () => import("../builders/qemu/schema.js"),
  },
  provisioner: {
    breakpoint: () => import("../provisioners/breakpoint/schema.js"),
    file: () => import("../provisioners/file/schema.js"),
    shell: () => import("../provisioners/shell/schema.js"),
    "shell-local": () => import("../provisioners/shell-local/schema.js"),
  },
  "post-processor": {
    artifice: () => import("../post-processors/artifice/schema.js"),
    checksum: () => import("../post-processors/checksum/schema.js"),
    compress: () => import("../post-processors/compress/schema.js"),
    "docker-import": () => import("../post-processors/docker-import/schema.js"),
    "docker-push": () => import("../post-processors/docker-push/schema.js"),
    "docker-save": () => import("../post-processors/docker-save/schema.js"),
    "docker-tag": () => import("../post-processors/docker-tag/schema.js"),
    manifest: () => import("../post-processors/manifest/schema.js"),
    "shell-local": () => import("../post-processors/shell-local/schema.js"),
  },
  datasource: {
    http: () => import("../datasources/http/schema.js"),
    null: () => import("../datasources/null/schema.js"),
  },
};

/** The folder (under src/) of each kind's components. */
const folders: Record<ComponentKind, string> = {
  builder: "builders",
  provisioner: "provisioners",
  "post-processor": "post-processors",
  datasource: "datasources",
};

export const componentKinds: readonly ComponentKind[] = [
  "builder",
  "provisioner",
  "post-processor",
  "datasource",
];

/** The type names kiln knows for a kind, sorted. */
export function componentTypes(kind: ComponentKind): string[] {
  return Object.keys(registry[kind]).sort();
}

/** A component's folder relative to src/, e.g. "builders/docker". */
export function componentFolder(kind: ComponentKind, type: string): string {
  return `${folders[kind]}/${type}`;
}

/** The schema of a component, or undefined if kiln does not know the type. */
export async function loadSchema(
  kind: ComponentKind,
  type: string,
): Promise<ComponentSchema | undefined> {
  const load = Object.hasOwn(registry[kind], type) ? registry[kind][type] : undefined;
  if (load === undefined) return undefined;
  return (await load()).schema;
}

// Packer 1.9.4 words an unknown component type this way (hcl2template's
// plugin.go and types.datasource.go): sources and data sources unquoted,
// provisioners and post-processors quoted, with the known types as a Go
// list. Where one known type is close, the detail suggests it instead, as
// later Packer versions do.
const labels: Record<ComponentKind, { summary: (t: string) => string; plural: string }> = {
  builder: { summary: (t) => `Unknown source type ${t}`, plural: "builders" },
  provisioner: { summary: (t) => `Unknown provisioner type ${goQuote(t)}`, plural: "provisioners" },
  "post-processor": {
    summary: (t) => `Unknown post-processor type ${goQuote(t)}`,
    plural: "post-processors",
  },
  datasource: { summary: (t) => `Unknown data source type ${t}`, plural: "data sources" },
};

/** The error for a component type kiln lacks (Packer's "missing plugin" error). */
export function unknownComponentDiagnostic(
  kind: ComponentKind,
  type: string,
  subject?: Range,
): Diagnostic {
  const known = componentTypes(kind);
  const { summary, plural } = labels[kind];
  const suggestion = nameSuggestion(type, known);
  const detail =
    suggestion !== ""
      ? `Did you mean to use ${goQuote(suggestion)}?`
      : `known ${plural}: [${known.join(" ")}]`;
  const d: Diagnostic = { severity: "error", summary: summary(type), detail };
  if (subject !== undefined) d.subject = subject;
  return d;
}
