// HCL2 builds as the engine runs them: provisioner and post-processor blocks
// are decoded again when the build reaches them, with build.* known.

import { decodeHCLConfig } from "../../components/decode-hcl.js";
import { loadSchema } from "../../components/registry.js";
import type { ComponentKind, PlainConfig } from "../../components/schema.js";
import type { BuildPlan, Configured } from "../../engine/plan.js";
import { Value } from "../../hcl/cty/value.js";
import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Body } from "../../hcl/structure.js";
import type { CoreBuild, PreparedPostProcessor, PreparedProvisioner } from "./builds.js";
import { expandDynamicBlocks } from "./dynamic.js";
import { BUILD_DATA_KEYS, evalContext } from "./evaluate.js";
import { valueToPlain } from "./plain.js";
import type { HCL2Config, ProvisionerDecl } from "./types.js";
import { SENSITIVE } from "./types.js";

function diagText(d: Diagnostic): string {
  const where = d.subject ? `${d.subject.filename}:${d.subject.start.line}: ` : "";
  return `${where}${d.summary}${d.detail ? `: ${d.detail}` : ""}`;
}

/** build.* once values are known; keys the builder didn't produce are empty strings. */
function knownBuildData(build: CoreBuild, data: Record<string, string>): Record<string, Value> {
  const rec: Record<string, Value> = {};
  for (const k of BUILD_DATA_KEYS) rec[k] = Value.string(data[k] ?? "");
  for (const [k, v] of Object.entries(data)) rec[k] = Value.string(v);
  rec.name = Value.string(build.buildName);
  rec.type = Value.string(build.sourceType);
  return rec;
}

async function redecode(
  cfg: HCL2Config,
  build: CoreBuild,
  kind: ComponentKind,
  type: string,
  body: Body,
  data: Record<string, string>,
  override?: { decl: ProvisionerDecl },
): Promise<Configured> {
  const schema = await loadSchema(kind, type);
  if (!schema) return { config: {}, errors: [`Unknown ${kind} type "${type}"`] };
  const ctx = evalContext(cfg, {
    source: { type: build.sourceType, name: build.sourceName },
    build: knownBuildData(build, data),
  });
  const r = decodeHCLConfig(expandDynamicBlocks(body, ctx), schema.config, ctx);
  const errors = r.diags.filter((d) => d.severity === "error").map(diagText);
  let config: PlainConfig = r.config;
  const ov = override?.decl.override;
  if (ov && !ov.isNull() && ov.isWhollyKnown()) {
    const plain = valueToPlain(ov);
    if (plain && typeof plain === "object" && !Array.isArray(plain)) {
      const entry = plain[build.sourceName] ?? plain[`${build.sourceType}.${build.sourceName}`];
      if (entry && typeof entry === "object" && !Array.isArray(entry))
        config = { ...config, ...entry };
    }
  }
  return { config, errors, secrets: r.sensitive };
}

/** Every string inside sensitive variables and locals: printed as <sensitive>. */
export function templateSecrets(cfg: HCL2Config): string[] {
  const out: string[] = [];
  const walk = (v: Value, marked: boolean) => {
    if (!v.isKnown() || v.isNull()) return;
    const m = marked || v.hasMark(SENSITIVE);
    const [u] = v.unmark();
    if (u.type.isString()) {
      if (m) out.push(u.asString());
      return;
    }
    if (u.type.isPrimitive()) {
      if (m) out.push(String(valueToPlain(u)));
      return;
    }
    for (const e of u.type.isMap() || u.type.isObject()
      ? u.entries().map(([, x]) => x)
      : u.elements()) {
      walk(e, m);
    }
  };
  for (const v of cfg.variables.values()) {
    if (v.sensitive && v.value) walk(v.value.mark(SENSITIVE), true);
  }
  for (const v of cfg.localValues.values()) walk(v, false);
  return out.filter((s) => s.length > 0);
}

export function hcl2BuildPlans(cfg: HCL2Config, builds: CoreBuild[]): BuildPlan[] {
  const secrets = templateSecrets(cfg);
  return builds.map((b) => {
    const prov = (p: PreparedProvisioner) => ({
      type: p.type,
      name: p.name,
      pauseBefore: p.pauseBefore,
      maxRetries: p.maxRetries,
      timeout: p.timeout,
      configure: (data: Record<string, string>) =>
        redecode(cfg, b, "provisioner", p.type, p.decl.body, data, { decl: p.decl }),
    });
    const pp = (p: PreparedPostProcessor) => ({
      type: p.type,
      name: p.name,
      keepInputArtifact: p.keepInputArtifact,
      configure: (data: Record<string, string>) =>
        redecode(cfg, b, "post-processor", p.type, p.decl.body, data),
    });
    return {
      name: b.name,
      type: b.sourceType,
      sourceName: b.sourceName,
      buildName: b.buildName,
      builderConfig: b.builder.config,
      provisioners: b.provisioners.map(prov),
      postProcessors: b.postProcessors.map((chain) => chain.map(pp)),
      errorCleanupProvisioner: b.errorCleanupProvisioner
        ? prov(b.errorCleanupProvisioner)
        : undefined,
      secrets: [...secrets, ...b.builder.sensitive],
      templateDir: cfg.basedir,
    };
  });
}
