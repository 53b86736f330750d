// From build blocks to concrete builds: every source a build block uses
// becomes one build (named `type.name`, prefixed by the build block's name),
// filtered by -only/-except, with its builder, provisioners and
// post-processors decoded against their schemas in the context Packer gives
// them (source.* known, build.* unknown until the build runs).

import { decodeHCLConfig } from "../../components/decode-hcl.js";
import { loadSchema, unknownComponentDiagnostic } from "../../components/registry.js";
import type { ComponentKind, PlainValue } from "../../components/schema.js";
import { goQuote } from "../../hcl/cty/quote.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { nameSuggestion } from "../../hcl/json/didyoumean.js";
import type { Block, Body, EvalContext } from "../../hcl/structure.js";
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
): Promise<{
  config?: Record<string, PlainValue>;
  sensitive: string[];
  diags: Diagnostic[];
  generatedData?: string[];
}> {
  const schema = await loadSchema(kind, type);
  if (!schema) return { sensitive: [], diags: [unknownComponentDiagnostic(kind, type, typeRange)] };
  const r = decodeHCLConfig(expandDynamicBlocks(body, ctx), schema.config, ctx, subject);
  return {
    config: r.config,
    sensitive: r.sensitive,
    diags: r.diags,
    ...(schema.generatedData ? { generatedData: schema.generatedData } : {}),
  };
}

/** Builds every selected (build block, source) pair; diagnostics for whatever can't be prepared. */
export async function getBuilds(
  cfg: HCL2Config,
  filter: BuildFilter,
): Promise<{ builds: CoreBuild[]; diags: Diagnostic[] }> {
  const diags: Diagnostic[] = [];
  const builds: CoreBuild[] = [];
  if (cfg.builds.length === 0) {
    diags.push(
      errorDiag(
        "Missing build block",
        "A build block with one or more sources is required for executing a build.",
      ),
    );
    return { builds, diags };
  }
  diags.push(...checkHCPRegistryBuilds(cfg.builds));
  const known = [...cfg.sources.keys()];
  for (const build of cfg.builds) {
    if (build.sources.length === 0) {
      diags.push(
        errorDiag(
          "missing source reference",
          'A build block must use at least one source: list them in sources = ["source.TYPE.NAME"] or add source "source.TYPE.NAME" {} blocks.',
          build.range,
        ),
      );
      continue;
    }
    const unknown = await checkComponentTypes(build, diags);
    for (const use of build.sources) {
      const ref = `${use.type}.${use.sourceName}`;
      const src = cfg.sources.get(ref);
      if (!src) {
        const suggestion = nameSuggestion(ref, known);
        diags.push(
          errorDiag(
            `Unknown source ${ref}`,
            suggestion
              ? `Did you mean to use ${goQuote(suggestion)}?`
              : `Known: [${known.join(" ")}]`,
            build.range,
          ),
        );
        continue;
      }
      const name = coreBuildName(build, use);
      if (!selected(name, filter)) continue;
      const b = await prepareBuild(cfg, build, use, src, filter, diags, unknown);
      if (b) builds.push(b);
    }
  }
  return { builds, diags };
}

/**
 * Provisioner and post-processor types kiln lacks, reported once per block
 * (as Packer reports them before preparing any build); returns those blocks.
 */
async function checkComponentTypes(build: BuildDecl, diags: Diagnostic[]): Promise<Set<Block>> {
  const unknown = new Set<Block>();
  const check = async (kind: ComponentKind, c: ProvisionerDecl | PostProcessorDecl) => {
    if (await loadSchema(kind, c.type)) return;
    unknown.add(c.block);
    diags.push(
      unknownComponentDiagnostic(kind, c.type, c.block.labelRanges[0] ?? c.block.defRange),
    );
  };
  for (const p of build.provisioners) await check("provisioner", p);
  if (build.errorCleanupProvisioner) await check("provisioner", build.errorCleanupProvisioner);
  for (const chain of build.postProcessorLists) {
    for (const pp of chain) await check("post-processor", pp);
  }
  return unknown;
}

/** Packer publishes to HCP Packer from a single build block only. */
function checkHCPRegistryBuilds(builds: BuildDecl[]): Diagnostic[] {
  const withRegistry = builds.filter((b) => b.hcpPackerRegistry);
  if (withRegistry.length === 0 || builds.length < 2) return [];
  const second = builds.find((b) => b !== withRegistry[0]) ?? builds[1]!;
  return [
    errorDiag(
      "Multiple build blocks",
      "A template that publishes to HCP Packer (an hcp_packer_registry block) may have only one build block. Remove the other build blocks, or the hcp_packer_registry block.",
      second.range,
    ),
  ];
}

async function prepareBuild(
  cfg: HCL2Config,
  build: BuildDecl,
  use: SourceUse,
  src: SourceDecl,
  filter: BuildFilter,
  diags: Diagnostic[],
  unknown: Set<Block> = new Set(),
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

  const ctx = evalContext(cfg, {
    source,
    build: unknownBuildData(build.name, use.type, builder.generatedData),
  });
  const useName = sourceUseName(use);
  let failed = false;
  const provisioner = async (p: ProvisionerDecl): Promise<PreparedProvisioner | undefined> => {
    if (unknown.has(p.block)) {
      failed = true;
      return undefined;
    }
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
      if (unknown.has(pp.block)) {
        failed = true;
        continue;
      }
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
  // Packer keys override entries by the source's name alone (its local name when renamed).
  const entry = ov[use.localName ?? use.sourceName];
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return config;
  return { ...config, ...entry };
}
