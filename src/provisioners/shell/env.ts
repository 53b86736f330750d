// The shell provisioner's view of a build: its Go-template fields rendered
// with the build's values, and the environment variables a script gets
// ({{.Vars}}, or the file use_env_var_file sources).

import { join } from "node:path";
import type { PlainConfig } from "../../components/schema.js";
import { list, map, str } from "../../components/schema.js";
import type { ProvisionContext } from "../../engine/provisioner.js";
import {
  HTTP_ADDR_NOT_IMPLEMENTED,
  HTTP_IP_NOT_IMPLEMENTED,
  HTTP_PORT_NOT_IMPLEMENTED,
} from "../../engine/steps/provision.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";
import { sprintf } from "../../template/legacy/interpolate/value.js";

/** Renders one string; `data` is what `{{ .Field }}` and `{{ build "Field" }}` read. */
export type Renderer = (text: string, data?: Record<string, string>) => string;

/**
 * Renders the Go-template fields of an option for this build (build_name,
 * build_type, template_dir, and the build's generated values), as Packer
 * renders the shell provisioner's options while provisioning. Throws with
 * the template engine's message.
 */
export function templateRenderer(ctx: ProvisionContext): Renderer {
  return (text, data = ctx.generatedData) => {
    if (!text.includes("{{")) return text;
    const r = interpolate(text, {
      buildName: ctx.build.sourceName,
      buildType: ctx.build.type,
      packerVersion: ctx.build.packerVersion,
      // template_dir only reads the folder of this path.
      templatePath: join(ctx.build.templateDir, "template"),
      data,
    });
    const diag = r.diags[0];
    if (diag !== undefined)
      throw new Error(String(diag.extra?.goMessage ?? diag.detail ?? diag.summary));
    return r.value;
  };
}

/**
 * The variables a script gets, each written with env_var_format, sorted by
 * name: PACKER_BUILD_NAME, PACKER_BUILDER_TYPE, the builder's HTTP server
 * address when it has one, then environment_vars and env (env wins). Single
 * quotes in values are escaped for the shell's single-quoted strings.
 */
export function flattenEnvVars(
  config: PlainConfig,
  ctx: ProvisionContext,
  render: Renderer,
): string {
  const vars = new Map<string, string>();
  vars.set("PACKER_BUILD_NAME", ctx.build.sourceName);
  vars.set("PACKER_BUILDER_TYPE", ctx.build.type);
  const http: [string, string, string][] = [
    ["PACKER_HTTP_ADDR", "PackerHTTPAddr", HTTP_ADDR_NOT_IMPLEMENTED],
    ["PACKER_HTTP_IP", "PackerHTTPIP", HTTP_IP_NOT_IMPLEMENTED],
    ["PACKER_HTTP_PORT", "PackerHTTPPort", HTTP_PORT_NOT_IMPLEMENTED],
  ];
  for (const [name, key, missing] of http) {
    const value = ctx.generatedData[key];
    if (value !== undefined && value !== "" && value !== missing) vars.set(name, value);
  }
  const quote = (v: string) => v.replaceAll("'", `'"'"'`);
  for (const entry of list(config, "environment_vars")) {
    const kv = render(String(entry));
    const eq = kv.indexOf("=");
    // Prepare rejected entries without "="; one can only appear here through a template.
    if (eq <= 0) throw new Error(`Environment variable not in format 'key=value': ${kv}`);
    vars.set(kv.slice(0, eq), quote(kv.slice(eq + 1)));
  }
  for (const [name, value] of Object.entries(map(config, "env"))) {
    vars.set(render(name), quote(render(String(value))));
  }
  const format = str(config, "env_var_format");
  return [...vars.keys()]
    .sort(byteOrder)
    .map((name) => sprintf(format, [name, vars.get(name)!]))
    .join("");
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
