// Legacy JSON templates as the engine runs them: one build per builder
// (filtered by -only/-except), each component's configuration rendered with
// the user variables, decoded against its schema, and `{{ build `X` }}`
// rendered once the build knows X. Fields such as {{ .Path }} are left for the
// component to render itself, as Packer's plugins do.

import { dirname } from "node:path";
import { decodeJSONConfig } from "../../components/decode-json.js";
import { loadSchema } from "../../components/registry.js";
import type { ComponentKind, PlainConfig } from "../../components/schema.js";
import type { BuildPlan, Configured } from "../../engine/plan.js";
import { globMatch } from "../glob.js";
import { DEFERRED, type InterpolateContext, type TemplateFunction } from "./interpolate/index.js";
import type { JSONValue } from "./json.js";
import { interpolateConfig, legacyCoreContext } from "./load.js";
import type { LegacyBuilder, LegacyTemplate, OnlyExcept } from "./template.js";

export interface LegacyPlanOptions {
  only: string[];
  except: string[];
  packerVersion: string;
  cwd: string;
  now: Date;
  env?: NodeJS.ProcessEnv;
}

function skip(oe: OnlyExcept, name: string): boolean {
  if (oe.only.length > 0) return !oe.only.includes(name);
  if (oe.except.length > 0) return oe.except.includes(name);
  return false;
}

/** `{{ build `X` }}` reading the values the build has made known. */
function buildFunc(data: Record<string, string>): TemplateFunction {
  return {
    params: ["string"],
    call: ([key]) => {
      const v = data[key as string];
      if (v === undefined) return DEFERRED;
      return v;
    },
  };
}

async function configure(
  kind: ComponentKind,
  type: string,
  raw: Record<string, JSONValue>,
  ctx: InterpolateContext,
): Promise<Configured> {
  const schema = await loadSchema(kind, type);
  if (!schema) return { config: {}, errors: [`Unknown ${kind} type "${type}"`] };
  const r = interpolateConfig(raw, ctx);
  const errors = r.diags.map((d) => String(d.extra?.goMessage ?? d.detail ?? d.summary));
  if (errors.length) return { config: {}, errors };
  const decoded = decodeJSONConfig(r.value as Record<string, unknown>, schema.config);
  return {
    config: decoded.config as PlainConfig,
    errors: decoded.message ? [decoded.message] : decoded.errors,
    secrets: decoded.sensitive,
  };
}

export async function legacyBuildPlans(
  t: LegacyTemplate,
  opts: LegacyPlanOptions,
): Promise<{ plans: BuildPlan[]; errors: { name: string; message: string }[] }> {
  const plans: BuildPlan[] = [];
  const errors: { name: string; message: string }[] = [];
  const user = t.userVariables ?? {};
  const base = legacyCoreContext(t, user, {
    packerVersion: opts.packerVersion,
    now: opts.now,
    cwd: opts.cwd,
  });
  if (opts.env) base.env = opts.env;
  const selected = (name: string) =>
    (opts.only.length === 0 || opts.only.some((g) => globMatch(g, name))) &&
    !opts.except.some((g) => globMatch(g, name));

  for (const b of t.builders) {
    const name = b.buildName ?? b.name;
    if (!selected(name)) continue;
    const ctx: InterpolateContext = { ...base, buildName: name, buildType: b.type, data: DEFERRED };
    const builder = await configure("builder", b.type, b.config, ctx);
    if (builder.errors.length) {
      errors.push({ name, message: builder.errors.join("\n") });
      continue;
    }
    plans.push(plan(t, b, name, builder, base, opts));
  }
  return { plans, errors };
}

function plan(
  t: LegacyTemplate,
  b: LegacyBuilder,
  name: string,
  builder: Configured,
  base: InterpolateContext,
  opts: LegacyPlanOptions,
): BuildPlan {
  const runtimeCtx = (data: Record<string, string>): InterpolateContext => ({
    ...base,
    buildName: name,
    buildType: b.type,
    data: DEFERRED,
    funcs: { build: buildFunc(data) },
  });
  const provisioners = t.provisioners
    .filter((p) => !skip(p, name))
    .map((p) => {
      const raw = { ...p.config, ...((p.override?.[name] as Record<string, JSONValue>) ?? {}) };
      return {
        type: p.type,
        name: "",
        pauseBefore: Number(p.pauseBefore / 1_000_000n),
        maxRetries: Number.parseInt(p.maxRetries || "0", 10) || 0,
        timeout: Number(p.timeout / 1_000_000n),
        configure: (data: Record<string, string>) =>
          configure("provisioner", p.type, raw, runtimeCtx(data)),
      };
    });
  const postProcessors = t.postProcessors
    .map((chain) =>
      chain
        .filter((pp) => !skip(pp, name))
        .filter((pp) => !opts.except.some((g) => globMatch(g, pp.name)))
        .map((pp) => ({
          type: pp.type,
          name: pp.name === pp.type ? "" : pp.name,
          keepInputArtifact: pp.keepInputArtifact,
          configure: (data: Record<string, string>) =>
            configure("post-processor", pp.type, pp.config, runtimeCtx(data)),
        })),
    )
    .filter((chain) => chain.length > 0);
  const cp = t.cleanupProvisioner;
  return {
    name,
    type: b.type,
    sourceName: name,
    buildName: "",
    builderConfig: builder.config,
    provisioners,
    postProcessors,
    errorCleanupProvisioner:
      cp && !skip(cp, name)
        ? {
            type: cp.type,
            name: "",
            pauseBefore: 0,
            maxRetries: 0,
            timeout: 0,
            configure: (data: Record<string, string>) =>
              configure("provisioner", cp.type, cp.config, runtimeCtx(data)),
          }
        : undefined,
    secrets: [...(t.secrets ?? []), ...(builder.secrets ?? [])],
    templateDir: dirname(base.templatePath ?? t.filename),
  };
}
