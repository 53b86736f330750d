// From build blocks to concrete builds: every source a build block uses
// becomes one build (named `type.name`, prefixed by the build block's name),
// filtered by -only/-except, with its builder, provisioners and
// post-processors decoded against their schemas in the context Packer gives
// them (source.* known, build.* unknown until the build runs).

import { decodeHCLConfig } from "../../components/decode-hcl.js";
import { loadSchema, unknownComponentDiagnostic } from "../../components/registry.js";
import type { ComponentKind, PlainValue } from "../../components/schema.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import type { Body, EvalContext } from "../../hcl/structure.js";
import { globMatch } from "../glob.js";
import { expandDynamicBlocks } from "./dynamic.js";
import { evalContext, unknownBuildData } from "./evaluate.js";
import { mergeBodies } from "./merge.js";
import { valueToPlain } from "./plain.js";
import type {
  BuildDecl,
  HCL2Config,
  OnlyExcept,
  PostProcessorDecl,
  ProvisionerDecl,
  SourceDecl,
  SourceUse,
} from "./types.js";

export interface PreparedComponent {
  type: string;
  /** The block's `name`, or "" when it has none. */
  name: string;
  config: Record<string, PlainValue>;
  /** Strings that must never be printed (sensitive fields and values). */
  sensitive: string[];
}

export interface PreparedProvisioner extends PreparedComponent {
  pauseBefore: number;
  maxRetries: number;
  timeout: number;
  decl: ProvisionerDecl;
}

export interface PreparedPostProcessor extends PreparedComponent {
  keepInputArtifact?: boolean;
  decl: PostProcessorDecl;
}

export interface CoreBuild {
  /** The name printed and matched by -only/-except: `[build.]type.name`. */
  name: string;
  /** The build block's name ("" when it has none). */
  buildName: string;
  sourceType: string;
  /** The source's name in this build (its local name when renamed). */
  sourceName: string;
  builder: PreparedComponent & { decl: SourceDecl; body: Body };
  provisioners: PreparedProvisioner[];
  postProcessors: PreparedPostProcessor[][];
  errorCleanupProvisioner?: PreparedProvisioner;
  /** The evaluation context this build's blocks were decoded with (build.* unknown). */
  context: EvalContext;
}

export interface BuildFilter {
  only: string[];
  except: string[];
}

/** `type.name` as provisioners' only/except and -only/-except see a source use. */
export function sourceUseName(use: SourceUse): string {
  return `${use.type}.${use.localName ?? use.sourceName}`;
}

export function coreBuildName(build: BuildDecl, use: SourceUse): string {
  const n = sourceUseName(use);
  return build.name ? `${build.name}.${n}` : n;
}

function skip(oe: OnlyExcept, name: string): boolean {
  if (oe.only.length > 0) return !oe.only.includes(name);
  if (oe.except.length > 0) return oe.except.includes(name);
  return false;
}

export function selected(name: string, filter: BuildFilter): boolean {
  if (filter.only.length > 0 && !filter.only.some((g) => globMatch(g, name))) return false;
  if (filter.except.some((g) => globMatch(g, name))) return false;
  return true;
}

async function prepare(
  kind: ComponentKind,
  type: string,
  body: Body,
  ctx: EvalContext,
  subject: import("../../hcl/pos.js").Range,
  typeRange: import("../../hcl/pos.js").Range,
): Promise<{ config?: Record<string, PlainValue>; sensitive: string[]; diags: Diagnostic[] }> {
  const schema = await loadSchema(kind, type);
  if (!schema) return { sensitive: [], diags: [unknownComponentDiagnostic(kind, type, typeRange)] };
  const r = decodeHCLConfig(expandDynamicBlocks(body, ctx), schema.config, ctx, subject);
  return { config: r.config, sensitive: r.sensitive, diags: r.diags };
}

/** Builds every selected (build block, source) pair; diagnostics for whatever can't be prepared. */
export async function getBuilds(
  cfg: HCL2Config,
  filter: BuildFilter,
): Promise<{ builds: CoreBuild[]; diags: Diagnostic[] }> {
  const diags: Diagnostic[] = [];
  const builds: CoreBuild[] = [];
  for (const build of cfg.builds) {
    for (const use of build.sources) {
      const src = cfg.sources.get(`${use.type}.${use.sourceName}`);
      if (!src) {
        diags.push(
          errorDiag(
            `Unknown source ${use.type}.${use.sourceName}`,
            `No source block named "${use.sourceName}" of type "${use.type}" is declared. Known sources: ${[...cfg.sources.keys()].map((k) => `source.${k}`).join(", ") || "none"}.`,
            use.range,
          ),
        );
        continue;
      }
      const name = coreBuildName(build, use);
      if (!selected(name, filter)) continue;
      const b = await prepareBuild(cfg, build, use, src, filter, diags);
      if (b) builds.push(b);
    }
  }
  return { builds, diags };
}

async function prepareBuild(
  cfg: HCL2Config,
  build: BuildDecl,
  use: SourceUse,
  src: SourceDecl,
  filter: BuildFilter,
  diags: Diagnostic[],
): Promise<CoreBuild | undefined> {
  const sourceName = use.localName ?? use.sourceName;
  const source = { type: use.type, name: sourceName };
  const body = use.body ? mergeBodies([src.block.body, use.body]) : src.block.body;
  const builderCtx = evalContext(cfg, { source });
  const builder = await prepare(
    "builder",
    use.type,
    body,
    builderCtx,
    src.block.defRange,
    src.block.labelRanges[0] ?? src.block.defRange,
  );
  diags.push(...builder.diags);
  if (hasErrors(builder.diags)) return undefined;

  const ctx = evalContext(cfg, { source, build: unknownBuildData(build.name, use.type) });
  const useName = sourceUseName(use);
  let failed = false;
  const provisioner = async (p: ProvisionerDecl): Promise<PreparedProvisioner | undefined> => {
    const r = await prepare(
      "provisioner",
      p.type,
      p.body,
      ctx,
      p.block.defRange,
      p.block.labelRanges[0] ?? p.block.defRange,
    );
    diags.push(...r.diags);
    if (hasErrors(r.diags) || !r.config) {
      failed = true;
      return undefined;
    }
    const config = applyOverride(r.config, p, use);
    return {
      type: p.type,
      name: p.name,
      config,
      sensitive: r.sensitive,
      pauseBefore: p.pauseBefore,
      maxRetries: p.maxRetries,
      timeout: p.timeout,
      decl: p,
    };
  };
  const provisioners: PreparedProvisioner[] = [];
  for (const p of build.provisioners) {
    if (skip(p, useName)) continue;
    const prepared = await provisioner(p);
    if (prepared) provisioners.push(prepared);
  }
  const postProcessors: PreparedPostProcessor[][] = [];
  for (const chain of build.postProcessorLists) {
    const out: PreparedPostProcessor[] = [];
    for (const pp of chain) {
      if (skip(pp, useName)) continue;
      // -except names post-processors too; Packer drops the rest of the chain from there.
      if (filter.except.some((g) => globMatch(g, pp.name || pp.type))) break;
      const r = await prepare(
        "post-processor",
        pp.type,
        pp.body,
        ctx,
        pp.block.defRange,
        pp.block.labelRanges[0] ?? pp.block.defRange,
      );
      diags.push(...r.diags);
      if (hasErrors(r.diags) || !r.config) {
        failed = true;
        continue;
      }
      out.push({
        type: pp.type,
        name: pp.name,
        config: r.config,
        sensitive: r.sensitive,
        keepInputArtifact: pp.keepInputArtifact,
        decl: pp,
      });
    }
    if (out.length) postProcessors.push(out);
  }
  let errorCleanupProvisioner: PreparedProvisioner | undefined;
  if (build.errorCleanupProvisioner && !skip(build.errorCleanupProvisioner, useName)) {
    errorCleanupProvisioner = await provisioner(build.errorCleanupProvisioner);
  }
  if (failed) return undefined;
  return {
    name: coreBuildName(build, use),
    buildName: build.name,
    sourceType: use.type,
    sourceName,
    builder: {
      type: use.type,
      name: sourceName,
      config: builder.config!,
      sensitive: builder.sensitive,
      decl: src,
      body,
    },
    provisioners,
    postProcessors,
    errorCleanupProvisioner,
    context: ctx,
  };
}

/** A provisioner's `override` entry for this source, merged over its configuration. */
function applyOverride(
  config: Record<string, PlainValue>,
  p: ProvisionerDecl,
  use: SourceUse,
): Record<string, PlainValue> {
  if (!p.override || p.override.isNull() || !p.override.isWhollyKnown()) return config;
  const ov = valueToPlain(p.override);
  if (!ov || typeof ov !== "object" || Array.isArray(ov)) return config;
  const name = use.localName ?? use.sourceName;
  const entry = ov[name] ?? ov[`${use.type}.${name}`];
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return config;
  return { ...config, ...entry };
}
