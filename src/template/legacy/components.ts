// The builds of a loaded legacy JSON template, checked the way Packer's core
// checks them in `packer validate` (Core.GetBuilds): every build, sorted by
// name and filtered by -only/-except, starts its components (an unknown type
// fails the build's initialisation), then prepares them in order — builder,
// provisioners, error-cleanup provisioner, post-processors — each decoding its
// configuration, interpolated with the build's context, against its schema.
// A build stops at its first failure; each failure is one diagnostic worded
// as Packer 1.6.6 words it.

import { statSync } from "node:fs";
import { resolve } from "node:path";
import { decodeJSONConfig, goMultiErrorText } from "../../components/decode-json.js";
import { loadSchema } from "../../components/registry.js";
import {
  type ComponentKind,
  type ComponentSchema,
  type PlainConfig,
  type PlainValue,
  prepareErrorText,
} from "../../components/schema.js";
import { goQuote } from "../../hcl/cty/quote.js";
import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Range } from "../../hcl/pos.js";
import { PACKER_COMPAT_VERSION } from "../../version.js";
import {
  DEFERRED,
  type InterpolateContext,
  interpolate,
  validateInterpolation,
} from "./interpolate/index.js";
import { type JSONValue, startRange } from "./json.js";
import type {
  LegacyBuilder,
  LegacyPostProcessor,
  LegacyProvisioner,
  LegacyTemplate,
  OnlyExcept,
} from "./template.js";

export interface PrepareLegacyOptions {
  /** -only: build names to keep (exact names, as Packer matches them for JSON templates). */
  only?: readonly string[];
  /** -except: build names to leave out; also ends a post-processor chain at a post-processor of that name. */
  except?: readonly string[];
  /** The Packer version `packer_version` reports; default the one kiln follows. */
  packerVersion?: string;
  /** The run's start time (timestamp, isotime). */
  now?: Date;
  /** Working directory: for `pwd`, and for the local files components check (default the process's). */
  cwd?: string;
}

/** One component of a build with its decoded configuration. */
export interface PreparedComponent {
  kind: ComponentKind;
  type: string;
  schema: ComponentSchema;
  /** Decoded options, defaults applied. */
  config: PlainConfig;
  /** Values of sensitive options, to mask in output. */
  sensitive: string[];
}

export interface PreparedProvisioner extends PreparedComponent {
  source: LegacyProvisioner;
  /** `max_retries` after interpolation; 0 for none. */
  maxRetries: number;
}

export interface PreparedPostProcessor extends PreparedComponent {
  source: LegacyPostProcessor;
}

export interface PreparedLegacyBuild {
  /** The build's name after interpolation. */
  name: string;
  builder: LegacyBuilder;
  builderConfig: PreparedComponent;
  provisioners: PreparedProvisioner[];
  cleanupProvisioner?: PreparedProvisioner;
  /** The chains that still hold a post-processor for this build. */
  postProcessors: PreparedPostProcessor[][];
  warnings: string[];
}

export interface PrepareLegacyResult {
  builds: PreparedLegacyBuild[];
  diags: Diagnostic[];
}

// Configuration keys a component leaves as template text for build time:
// Packer validates their syntax but does not render them while preparing
// (each plugin's InterpolateFilter; checked against 1.6.6).
const NOT_RENDERED: Record<string, readonly string[]> = {
  "builder:docker": ["run_command"],
  "builder:qemu": ["boot_command", "qemuargs"],
  "provisioner:shell": ["execute_command"],
  "provisioner:shell-local": ["execute_command"],
  "post-processor:shell-local": ["execute_command"],
  "post-processor:checksum": ["output"],
  "post-processor:compress": ["output"],
};

// Options `packer fix` rewrites. A component that tells the decoder its
// plugin id reports such a key as deprecated rather than unknown; the file
// builder and shell-local do not (checked against 1.6.6).
const FIXABLE_EVERYWHERE = [
  "iso_md5",
  "ssh_key_path",
  "ssh_disable_agent",
  "ssh_host_port_min",
  "ssh_host_port_max",
  "ssh_skip_nat_mapping",
  "ssh_wait_timeout",
  "iso_checksum_url",
  "iso_checksum_type",
];
const FIXABLE_EXTRA: Record<string, readonly string[]> = {
  "builder:docker": ["login_email"],
  "post-processor:docker-import": ["login_email"],
  "post-processor:docker-tag": ["tag"],
  "post-processor:manifest": ["filename"],
};
const NO_PLUGIN_ID = new Set([
  "builder:file",
  "provisioner:shell-local",
  "post-processor:shell-local",
]);

function fixableOptions(kind: ComponentKind, type: string): readonly string[] {
  const key = `${kind}:${type}`;
  if (NO_PLUGIN_ID.has(key)) return [];
  return [...FIXABLE_EVERYWHERE, ...(FIXABLE_EXTRA[key] ?? [])];
}

function deprecatedKeyMessage(key: string): string {
  return (
    `Deprecated configuration key: '${key}'. Please call \`packer fix\` against your template ` +
    "to update your template to be compatible with the current version of Packer. " +
    "Visit https://www.packer.io/docs/commands/fix/ for more detail."
  );
}

/** Go's `text/template` message of an interpolation diagnostic. */
function goMessage(d: Diagnostic): string {
  return String(d.extra?.goMessage ?? d.summary);
}

/** Every string in a value, map keys included, in walk order. */
function* stringsIn(v: JSONValue): Generator<string> {
  if (typeof v === "string") yield v;
  else if (Array.isArray(v)) for (const x of v) yield* stringsIn(x);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      yield k;
      yield* stringsIn(x);
    }
  }
}

class RenderError extends Error {}

/** Render every string in a value (map keys too) once; throws RenderError with Packer's text. */
function renderValue(v: JSONValue, ctx: InterpolateContext): JSONValue {
  if (typeof v === "string") {
    const r = interpolate(v, ctx);
    if (r.diags.length > 0) throw new RenderError(`${goMessage(r.diags[0]!)} in:\n\n${v}`);
    return r.value;
  }
  if (Array.isArray(v)) return v.map((x) => renderValue(x, ctx));
  if (v !== null && typeof v === "object") {
    const out: Record<string, JSONValue> = {};
    for (const [k, x] of Object.entries(v))
      out[renderValue(k, ctx) as string] = renderValue(x, ctx);
    return out;
  }
  return v;
}

/**
 * Packer's RenderMap: every top-level option's strings must parse as
 * templates ("invalid 'key': ..."); those not left for build time are
 * rendered ("render 'key': ..."). Returns the rendered map or the error text.
 */
export function renderLegacyConfig(
  raw: Readonly<Record<string, JSONValue>>,
  ctx: InterpolateContext,
  notRendered: readonly string[] = [],
): { config: Record<string, JSONValue> } | { error: string } {
  const skip = new Set(notRendered.map((k) => k.toLowerCase()));
  const out: Record<string, JSONValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    for (const s of stringsIn(v)) {
      const d = validateInterpolation(s, ctx)[0];
      if (d) return { error: `invalid '${k}': ${goMessage(d)} in:\n\n${s}` };
    }
    if (skip.has(k.toLowerCase())) {
      out[k] = v;
      continue;
    }
    try {
      out[k] = renderValue(v, ctx);
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      return { error: `render '${k}': ${e.message}` };
    }
  }
  return { config: out };
}

/** Later configurations replace earlier keys, matched ignoring case as the decoder matches them. */
function mergeConfigs(configs: readonly Record<string, JSONValue>[]): Record<string, JSONValue> {
  const out: Record<string, JSONValue> = {};
  for (const c of configs) {
    for (const [k, v] of Object.entries(c)) {
      const lower = k.toLowerCase();
      for (const old of Object.keys(out)) if (old.toLowerCase() === lower) delete out[old];
      out[k] = v;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Checks that look at the host's files. Packer's plugins stat local scripts
// and upload sources while preparing; the schemas' checks are free of side
// effects, so they are made here and put where the plugin puts them in its
// error list: before the first error of a later kind.

/** Go's os.Stat error text for a path, or undefined if it exists. */
function statError(path: string, cwd: string): string | undefined {
  try {
    statSync(resolve(cwd, path));
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file or directory"
        : code === "ENOTDIR"
          ? "not a directory"
          : code === "EACCES"
            ? "permission denied"
            : code === "ENAMETOOLONG"
              ? "file name too long"
              : code === "ELOOP"
                ? "too many levels of symbolic links"
                : (e as Error).message;
    return `stat ${path}: ${why}`;
  }
}

const strings = (v: PlainValue | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
const text = (v: PlainValue | undefined): string => (typeof v === "string" ? v : "");

interface HostCheck {
  /** The local files the plugin stats, and how it words a missing one. */
  files(config: PlainConfig): { paths: string[]; label: string };
  /** Errors the plugin reports after its file checks. */
  later: readonly string[];
}

/** shell-local (provisioner and post-processor): the scripts it will run. */
const shellLocalCheck: HostCheck = {
  files(c) {
    const scripts = strings(c.scripts);
    const script = text(c.script);
    const inline = strings(c.inline);
    const paths = script !== "" && scripts.length === 0 && inline.length === 0 ? [script] : scripts;
    return { paths, label: "Bad script" };
  },
  later: [
    "Invalid OS specified in only_on",
    "Packer is unable to use",
    "Environment variable not in",
  ],
};

const HOST_CHECKS: Record<string, HostCheck> = {
  "provisioner:shell": {
    files(c) {
      const script = text(c.script);
      return { paths: script !== "" ? [script] : strings(c.scripts), label: "Bad script" };
    },
    later: ["Environment variable not in"],
  },
  "provisioner:shell-local": shellLocalCheck,
  "post-processor:shell-local": shellLocalCheck,
  "provisioner:file": {
    files(c) {
      if ((text(c.direction) || "upload") !== "upload" || c.generated === true) {
        return { paths: [], label: "" };
      }
      const source = text(c.source);
      return {
        paths: [...strings(c.sources), ...(source !== "" ? [source] : [])],
        label: "Bad source",
      };
    },
    later: ["source(s) conflicts with content", "Destination must be specified"],
  },
};

/** The plugin's errors with its file checks added in their place. */
function withHostChecks(
  key: string,
  config: PlainConfig,
  errors: readonly string[],
  cwd: string,
): string[] {
  const check = HOST_CHECKS[key];
  if (!check) return [...errors];
  // shell-local's only_on error replaces every other one.
  if (errors.some((e) => e.startsWith("Invalid OS specified in only_on"))) return [...errors];
  const { paths, label } = check.files(config);
  const found: string[] = [];
  for (const p of paths) {
    const err = statError(p, cwd);
    if (err) found.push(`${label} '${p}': ${err}`);
  }
  if (found.length === 0) return [...errors];
  let at = errors.findIndex((e) => check.later.some((l) => e.startsWith(l)));
  if (at < 0) at = errors.length;
  return [...errors.slice(0, at), ...found, ...errors.slice(at)];
}

type Prepared =
  | { ok: true; component: PreparedComponent; warnings: string[] }
  | { ok: false; error: string };

/** A component's Prepare/Configure: interpolate each configuration, then decode them against the schema. */
function prepareComponent(
  kind: ComponentKind,
  type: string,
  schema: ComponentSchema,
  configs: readonly Record<string, JSONValue>[],
  ctx: InterpolateContext,
  cwd: string,
): Prepared {
  const key = `${kind}:${type}`;
  const prefix = schema.config.decodeErrorPrefix ?? "";
  const rendered: Record<string, JSONValue>[] = [];
  for (const c of configs) {
    const r = renderLegacyConfig(c, ctx, NOT_RENDERED[key]);
    if ("error" in r) return { ok: false, error: prefix + r.error };
    rendered.push(r.config);
  }
  const r = decodeJSONConfig(mergeConfigs(rendered), schema.config);
  if (r.stage === "unknown-keys") {
    const fixable = new Set(fixableOptions(kind, type));
    const errors = r.errors.map((e) => {
      for (const f of fixable) {
        if (e === `unknown configuration key: '${goQuote(f)}'`) return deprecatedKeyMessage(f);
      }
      return e;
    });
    return { ok: false, error: prefix + goMultiErrorText(errors) };
  }
  if (r.stage === "decode") return { ok: false, error: r.message ?? r.errors.join("\n") };
  const errors = withHostChecks(key, r.config, r.errors, cwd);
  if (errors.length > 0) {
    const message =
      errors.length === r.errors.length && r.message !== undefined
        ? r.message
        : prepareErrorText(schema.config, errors);
    return { ok: false, error: message };
  }
  return {
    ok: true,
    component: { kind, type, schema, config: r.config, sensitive: r.sensitive },
    warnings: r.warnings,
  };
}

/** Packer's OnlyExcept.Skip for a builder's (uninterpolated) name. */
function skips(oe: OnlyExcept, builderName: string): boolean {
  if (oe.only.length > 0) return !oe.only.includes(builderName);
  if (oe.except.length > 0) return oe.except.includes(builderName);
  return false;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function buildDiag(
  severity: "error" | "warning",
  summary: string,
  detail: string,
  subject: Range | undefined,
): Diagnostic {
  const d: Diagnostic = {
    severity,
    summary,
    detail,
    extra: { code: "legacy-build", packerMessage: detail },
  };
  if (subject) d.subject = subject;
  return d;
}

interface StartedProvisioner {
  p: LegacyProvisioner;
  schema: ComponentSchema;
  maxRetries: number;
}

interface StartedBuild {
  builderSchema: ComponentSchema;
  provisioners: StartedProvisioner[];
  cleanup?: StartedProvisioner;
  postProcessors: { pp: LegacyPostProcessor; schema: ComponentSchema }[][];
}

type Failure = { error: string; subject: Range };

/**
 * Check every build of a loaded template (one whose variables and build
 * names loadLegacyTemplate resolved) as `packer validate` does, and return
 * the builds whose components all accepted their configuration.
 */
export async function prepareLegacyBuilds(
  t: LegacyTemplate,
  opts: PrepareLegacyOptions = {},
): Promise<PrepareLegacyResult> {
  const userVariables = t.userVariables ?? {};
  const packerVersion = opts.packerVersion ?? PACKER_COMPAT_VERSION;
  const coreCtx: InterpolateContext = {
    userVariables,
    templatePath: resolve(t.filename),
    packerVersion,
  };
  if (opts.now) coreCtx.now = opts.now;
  if (opts.cwd) coreCtx.cwd = opts.cwd;

  // Builds by interpolated name; a later builder with the same name replaces an earlier one.
  const byName = new Map<string, LegacyBuilder>();
  for (const b of t.builders) byName.set(b.buildName ?? b.name, b);
  const only = opts.only ?? [];
  const except = opts.except ?? [];
  const names = [...byName.keys()]
    .filter((n) => (only.length === 0 || only.includes(n)) && !except.includes(n))
    .sort(byteOrder);

  const builds: PreparedLegacyBuild[] = [];
  const diags: Diagnostic[] = [];
  for (const name of names) {
    const b = byName.get(name)!;
    const started = await startBuild(t, b, except, coreCtx);
    if ("error" in started) {
      diags.push(
        buildDiag(
          "error",
          `Failed to initialize build ${goQuote(name)}`,
          started.error,
          started.subject,
        ),
      );
      continue;
    }
    const ctx: InterpolateContext = { ...coreCtx, buildName: name, buildType: b.type };
    const prepared = prepareBuild(b, name, started, ctx, opts.cwd ?? process.cwd());
    if ("error" in prepared) {
      diags.push(
        buildDiag(
          "error",
          `Failed to prepare build: ${goQuote(name)}`,
          prepared.error,
          prepared.subject,
        ),
      );
      continue;
    }
    builds.push(prepared);
    for (const w of prepared.warnings) {
      diags.push(
        buildDiag(
          "warning",
          `Warning when preparing build: ${goQuote(name)}`,
          w,
          startRange(b.node),
        ),
      );
    }
  }
  return { builds, diags };
}

/** Packer's Core.Build: find every component's plugin and read max_retries. */
async function startBuild(
  t: LegacyTemplate,
  b: LegacyBuilder,
  except: readonly string[],
  coreCtx: InterpolateContext,
): Promise<StartedBuild | Failure> {
  const builderSchema = await loadSchema("builder", b.type);
  if (!builderSchema) {
    return {
      error: `error initializing builder '${b.type}': Unknown builder ${b.type}`,
      subject: startRange(b.node),
    };
  }
  const startProvisioner = async (p: LegacyProvisioner): Promise<StartedProvisioner | Failure> => {
    const schema = await loadSchema("provisioner", p.type);
    if (!schema) {
      return {
        error: `error initializing provisioner '${p.type}': Unknown provisioner ${p.type}`,
        subject: startRange(p.node),
      };
    }
    let maxRetries = 0;
    if (p.maxRetries !== "") {
      const r = interpolate(p.maxRetries, coreCtx);
      if (r.diags.length > 0) {
        return {
          error: `failed to interpolate \`max_retries\`: ${goMessage(r.diags[0]!)}`,
          subject: startRange(p.node),
        };
      }
      const n = goAtoi(r.value);
      if (typeof n !== "number") {
        return {
          error: `\`max_retries\` must be a valid integer: strconv.Atoi: parsing ${goQuote(r.value)}: ${n.error}`,
          subject: startRange(p.node),
        };
      }
      maxRetries = n;
    }
    return { p, schema, maxRetries };
  };

  const provisioners: StartedProvisioner[] = [];
  for (const p of t.provisioners) {
    if (skips(p, b.name)) continue;
    const s = await startProvisioner(p);
    if ("error" in s) return s;
    provisioners.push(s);
  }
  let cleanup: StartedProvisioner | undefined;
  if (t.cleanupProvisioner) {
    const s = await startProvisioner(t.cleanupProvisioner);
    if ("error" in s) return s;
    cleanup = s;
  }
  const postProcessors: StartedBuild["postProcessors"] = [];
  for (const chain of t.postProcessors) {
    const current: StartedBuild["postProcessors"][number] = [];
    for (const pp of chain) {
      if (skips(pp, b.name)) continue;
      // -except naming a post-processor ends its chain there.
      if (except.some((e) => e !== "" && e === pp.name)) break;
      const schema = await loadSchema("post-processor", pp.type);
      if (!schema) {
        return {
          error: `error initializing post-processor '${pp.type}': Unknown post-processor ${pp.type}`,
          subject: pp.node.kind === "object" ? startRange(pp.node) : pp.range,
        };
      }
      current.push({ pp, schema });
    }
    if (current.length > 0) postProcessors.push(current);
  }
  const out: StartedBuild = { builderSchema, provisioners, postProcessors };
  if (cleanup) out.cleanup = cleanup;
  return out;
}

/** Packer's CoreBuild.Prepare: stops at the first component that refuses its configuration. */
function prepareBuild(
  b: LegacyBuilder,
  name: string,
  started: StartedBuild,
  ctx: InterpolateContext,
  cwd: string,
): PreparedLegacyBuild | Failure {
  const builder = prepareComponent("builder", b.type, started.builderSchema, [b.config], ctx, cwd);
  if (!builder.ok) return { error: builder.error, subject: startRange(b.node) };

  // Provisioners and post-processors see the build's values only at build time.
  const laterCtx: InterpolateContext = { ...ctx, data: DEFERRED };
  const prepareProvisioner = (s: StartedProvisioner): PreparedProvisioner | Failure => {
    const configs = [s.p.config];
    const override = s.p.override?.[b.name];
    if (override !== null && typeof override === "object" && !Array.isArray(override)) {
      configs.push(override);
    }
    const r = prepareComponent("provisioner", s.p.type, s.schema, configs, laterCtx, cwd);
    if (!r.ok) return { error: r.error, subject: startRange(s.p.node) };
    return { ...r.component, source: s.p, maxRetries: s.maxRetries };
  };

  const provisioners: PreparedProvisioner[] = [];
  for (const s of started.provisioners) {
    const p = prepareProvisioner(s);
    if ("error" in p) return p;
    provisioners.push(p);
  }
  let cleanupProvisioner: PreparedProvisioner | undefined;
  if (started.cleanup) {
    const p = prepareProvisioner(started.cleanup);
    if ("error" in p) return p;
    cleanupProvisioner = p;
  }
  const postProcessors: PreparedPostProcessor[][] = [];
  for (const chain of started.postProcessors) {
    const out: PreparedPostProcessor[] = [];
    for (const { pp, schema } of chain) {
      const r = prepareComponent("post-processor", pp.type, schema, [pp.config], laterCtx, cwd);
      if (!r.ok) {
        return {
          error: r.error,
          subject: pp.node.kind === "object" ? startRange(pp.node) : pp.range,
        };
      }
      out.push({ ...r.component, source: pp });
    }
    postProcessors.push(out);
  }
  const build: PreparedLegacyBuild = {
    name,
    builder: b,
    builderConfig: builder.component,
    provisioners,
    postProcessors,
    warnings: builder.warnings,
  };
  if (cleanupProvisioner) build.cleanupProvisioner = cleanupProvisioner;
  return build;
}

/** Go's strconv.Atoi: optional sign and decimal digits only. */
function goAtoi(s: string): number | { error: string } {
  if (!/^[+-]?\d+$/.test(s)) return { error: "invalid syntax" };
  const n = BigInt(s);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) return { error: "value out of range" };
  return Number(n);
}
