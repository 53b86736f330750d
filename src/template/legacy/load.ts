// Loading a legacy JSON template the way `packer validate/build t.json` does:
// parse it, read -var-file files (JSON objects of strings) and -var values,
// check it (Template.Validate, min_packer_version, required variables), give
// every user variable its final value (Packer's renderVarsRecursively: env in
// defaults, variables that use other variables, "{{ .Field }}" set aside),
// and interpolate the builder names.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Range } from "../../hcl/pos.js";
import { PACKER_COMPAT_VERSION } from "../../version.js";
import {
  type InterpolateContext,
  type InterpolateResult,
  interpolate,
} from "./interpolate/index.js";
import { type JNode, type JSONValue, parseJSONDocument } from "./json.js";
import {
  checkMinVersion,
  checkRequiredVariables,
  type LegacyTemplate,
  legacyDiag,
  parseLegacyTemplate,
  validateLegacyStructure,
} from "./template.js";

export interface LoadLegacyOptions {
  /** -var name=value, in command-line order (later wins). */
  vars?: Record<string, string> | Iterable<readonly [string, string]>;
  /** -var-file paths, in command-line order (later files win; -var beats any file). */
  varFiles?: readonly string[];
  /** Stop after parsing and reading the variable files (`validate -syntax-only`). */
  syntaxOnly?: boolean;
  /** The Packer version for min_packer_version and packer_version; default 1.9.4. */
  packerVersion?: string;
  /** Environment for `env` in variable defaults; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The run's start time (timestamp, isotime, strftime). */
  now?: Date;
  /** Working directory for `pwd`. */
  cwd?: string;
}

export interface LoadLegacyResult {
  template?: LegacyTemplate;
  diags: Diagnostic[];
}

function fsMessage(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return `open ${path}: no such file or directory`;
  if (err.code === "EISDIR") return `read ${path}: is a directory`;
  if (err.code === "EACCES") return `open ${path}: permission denied`;
  return `open ${path}: ${err.message}`;
}

/** Go's json type name for a JSON value that cannot go into a string. */
function jsonKindName(n: JNode): string {
  switch (n.kind) {
    case "number":
      return "number";
    case "bool":
      return "bool";
    case "array":
      return "array";
    case "object":
      return "object";
    default:
      return "string";
  }
}

/**
 * Read a -var-file for a legacy template: a JSON object whose values are
 * strings (null counts as ""). Errors are Packer's ("Error reading variables
 * in 'f.json': ...").
 */
export function loadLegacyVarFile(path: string): {
  vars: Record<string, string>;
  diags: Diagnostic[];
} {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    return { vars: {}, diags: [legacyDiag(fsMessage(e, path), undefined, "variables")] };
  }
  const prefix = `Error reading variables in '${path}': `;
  const parsed = parseJSONDocument(raw, path, { stream: true });
  if (!parsed.ok) {
    return {
      vars: {},
      diags: [legacyDiag(prefix + parsed.error.message, parsed.error.range, "variables")],
    };
  }
  const doc = parsed.node;
  if (doc.kind === "null") return { vars: {}, diags: [] };
  if (doc.kind !== "object") {
    return {
      vars: {},
      diags: [
        legacyDiag(
          `${prefix}json: cannot unmarshal ${jsonKindName(doc)} into Go value of type kvflag.FlagJSON`,
          doc.range,
          "variables",
        ),
      ],
    };
  }
  const vars: Record<string, string> = {};
  for (const p of doc.props) {
    const v = p.value;
    if (v.kind === "string") vars[p.key] = v.value;
    else if (v.kind === "null") vars[p.key] = "";
    else {
      return {
        vars,
        diags: [
          legacyDiag(
            `${prefix}json: cannot unmarshal ${jsonKindName(v)} into Go value of type string`,
            v.range,
            "variables",
          ),
        ],
      };
    }
  }
  return { vars, diags: [] };
}

/**
 * Merge -var-file contents and -var values as Packer does for JSON
 * templates: files in order (later wins), then every -var over them.
 */
export function mergeLegacyVariables(
  fileVars: readonly Readonly<Record<string, string>>[],
  cliVars: LoadLegacyOptions["vars"],
): Record<string, string> {
  const fromFiles: Record<string, string> = {};
  for (const f of fileVars) Object.assign(fromFiles, f);
  const out: Record<string, string> = {};
  const entries: Iterable<readonly [string, string]> =
    cliVars === undefined
      ? []
      : Symbol.iterator in cliVars
        ? (cliVars as Iterable<readonly [string, string]>)
        : Object.entries(cliVars as Record<string, string>);
  for (const [k, v] of entries) out[k] = v;
  for (const [k, v] of Object.entries(fromFiles)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

/** The interpolation context Packer's Core gives templates: user variables, path, version. */
export function legacyCoreContext(
  t: LegacyTemplate,
  userVariables: Readonly<Record<string, string>>,
  opts: { packerVersion?: string; now?: Date; cwd?: string; templatePath?: string } = {},
): InterpolateContext {
  const ctx: InterpolateContext = {
    userVariables,
    templatePath: opts.templatePath ?? resolve(t.filename),
    packerVersion: opts.packerVersion ?? PACKER_COMPAT_VERSION,
  };
  if (opts.now) ctx.now = opts.now;
  if (opts.cwd) ctx.cwd = opts.cwd;
  return ctx;
}

const USER_CALL = /{{\s*user\s*`.*`\s*}}/;

/** Packer's renderFilter: actions starting with a field, such as "{{ .HTTPIP }}". */
const FIELD_ACTION = /{{(\s|)\.(.*?)(\s|)}}/g;

/**
 * Render a variable value as Packer's RenderRegex does: actions that start
 * with a field ("{{ .HTTPIP }}") are set aside, the rest is rendered, and
 * they are put back unchanged for build time.
 */
function renderKeepingFields(
  v: string,
  ctx: InterpolateContext,
  subject: Range | undefined,
): InterpolateResult {
  const kept = new Map<string, string>();
  const token = `kilnkeep${randomBytes(8).toString("hex")}n`;
  const replaced = v.replace(FIELD_ACTION, (m) => {
    const id = `${token}${kept.size}x`;
    kept.set(id, m);
    return id;
  });
  // Positions inside the string are only meaningful if nothing was set aside.
  const r = interpolate(replaced, ctx, subject && kept.size === 0 ? { subject } : {});
  if (subject) for (const d of r.diags) d.subject ??= subject;
  let value = r.value;
  for (const [id, m] of kept) value = value.replaceAll(id, m);
  return { ...r, value };
}

/**
 * Give every user variable its final value, following Packer's
 * renderVarsRecursively: defaults (overridden by given values) are rendered
 * in name order with `env` allowed, repeatedly while some still refer to
 * variables not yet rendered. "{{ .Field }}" parts are left for build time.
 */
export function renderLegacyVariables(
  t: LegacyTemplate,
  given: Readonly<Record<string, string>>,
  base: InterpolateContext,
): { values: Record<string, string>; diags: Diagnostic[] } {
  const values: Record<string, string> = { ...given };
  const pending = new Map<string, string>();
  const rangeOf = new Map<string, Range>();
  for (const v of t.variables) {
    pending.set(v.name, v.default);
    rangeOf.set(v.name, v.valueRange);
  }
  for (const [k, v] of Object.entries(given)) {
    pending.set(k, v);
    rangeOf.delete(k); // the value no longer comes from the file
  }
  let list = [...pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ctx: InterpolateContext = { ...base, enableEnv: true, userVariables: values };

  let changed = false;
  let shouldRetry = false;
  let failed = "";
  let failedAt: Range | undefined;
  for (let round = 0; round < 100; round++) {
    shouldRetry = false;
    changed = false;
    const done: string[] = [];
    for (const [k, v] of list) {
      const r = renderKeepingFields(v, ctx, rangeOf.get(k));
      if (r.diags.length === 0) {
        changed = true;
        values[k] = r.value;
        if (USER_CALL.test(v)) shouldRetry = true;
        else done.push(k);
        continue;
      }
      const d = r.diags[0] as Diagnostic;
      const go = String(d.extra?.goMessage ?? d.summary);
      if (d.extra?.code === "template-exec") {
        if (go.includes("Error: variable not set:")) {
          shouldRetry = true;
          failed = `"${k}": "${v}"; error: ${go}`;
          failedAt = d.subject;
          continue;
        }
        return { values, diags: [legacyDiag(go, d.subject, "variables")] };
      }
      return {
        values,
        diags: [
          legacyDiag(`error interpolating default value for '${k}': ${go}`, d.subject, "variables"),
        ],
      };
    }
    if (!shouldRetry) break;
    list = list.filter(([k]) => !done.includes(k));
  }
  if (!changed && shouldRetry) {
    return {
      values,
      diags: [
        legacyDiag(
          `Failed to interpolate ${failed}: Please make sure that the variable you're referencing has been defined; Packer treats all variables used to interpolate other user variables as required.`,
          failedAt,
          "variables",
        ),
      ],
    };
  }
  return { values, diags: [] };
}

/**
 * Load a legacy JSON template: parse, read variable files, and (unless
 * `syntaxOnly`) validate it, resolve the user variables and the build names.
 * The template is returned whenever it parsed, even if later checks failed.
 */
export function loadLegacyTemplate(path: string, opts: LoadLegacyOptions = {}): LoadLegacyResult {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    return { diags: [legacyDiag(fsMessage(e, path), undefined, "json")] };
  }
  const parsed = parseLegacyTemplate(raw, path);
  if (!parsed.template) return { diags: parsed.diags };
  const t = parsed.template;

  const fileVars: Record<string, string>[] = [];
  for (const f of opts.varFiles ?? []) {
    const r = loadLegacyVarFile(f);
    if (r.diags.length > 0) return { template: t, diags: r.diags };
    fileVars.push(r.vars);
  }
  const given = mergeLegacyVariables(fileVars, opts.vars);
  if (opts.syntaxOnly) return { template: t, diags: [] };

  const version = opts.packerVersion ?? PACKER_COMPAT_VERSION;
  let diags = validateLegacyStructure(t);
  if (diags.length > 0) return { template: t, diags };
  diags = checkMinVersion(t, version);
  if (diags.length > 0) return { template: t, diags };
  diags = checkRequiredVariables(t, given);
  if (diags.length > 0) return { template: t, diags };

  const ctxOpts: { packerVersion: string; now?: Date; cwd?: string } = { packerVersion: version };
  if (opts.now) ctxOpts.now = opts.now;
  if (opts.cwd) ctxOpts.cwd = opts.cwd;
  const base = legacyCoreContext(t, {}, ctxOpts);
  if (opts.env) base.env = opts.env;
  const rendered = renderLegacyVariables(t, given, base);
  if (rendered.diags.length > 0) return { template: t, diags: rendered.diags };
  t.userVariables = rendered.values;
  t.secrets = t.variables.filter((v) => v.sensitive).map((v) => rendered.values[v.name] ?? "");

  const nameCtx = legacyCoreContext(t, rendered.values, ctxOpts);
  for (const b of t.builders) {
    const nameNode = b.node.props.find((p) => p.key.toLowerCase() === "name")?.value;
    const subject = nameNode?.kind === "string" ? nameNode.range : undefined;
    const r = interpolate(b.name, nameCtx, subject ? { repeat: true, subject } : { repeat: true });
    if (r.diags.length > 0) {
      const d = r.diags[0] as Diagnostic;
      const go = String(d.extra?.goMessage ?? d.summary);
      const out = legacyDiag(
        `Error interpolating builder '${b.name}': ${go}`,
        d.subject,
        "variables",
      );
      return { template: t, diags: [out] };
    }
    b.buildName = r.value;
  }
  return { template: t, diags: [] };
}

/**
 * Interpolate every string in a configuration value (map keys too), as
 * Packer's RenderInterface does when a plugin decodes its configuration.
 */
export function interpolateConfig(
  value: JSONValue,
  ctx: InterpolateContext,
): { value: JSONValue; diags: Diagnostic[]; deferred: boolean } {
  const diags: Diagnostic[] = [];
  let deferred = false;
  const walk = (v: JSONValue): JSONValue => {
    if (typeof v === "string") {
      const r = interpolate(v, ctx);
      diags.push(...r.diags);
      deferred ||= r.deferred;
      return r.diags.length > 0 ? v : r.value;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, JSONValue> = {};
      for (const [k, x] of Object.entries(v)) out[walk(k) as string] = walk(x);
      return out;
    }
    return v;
  };
  const out = walk(value);
  return { value: out, diags, deferred };
}
