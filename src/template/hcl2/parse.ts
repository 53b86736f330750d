// Reading an HCL2 template: finding its files, parsing them, and decoding the
// top-level blocks (packer, variable(s), local(s), source, data, build) into
// declarations. Nothing is evaluated here except what Packer evaluates while
// parsing (variable defaults, `packer` block settings, build-block options).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { convert } from "../../hcl/cty/convert.js";
import { FunctionImpl, staticReturnType } from "../../hcl/cty/function.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors, warningDiag } from "../../hcl/diagnostic.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";
import { parseJSON } from "../../hcl/json/parser.js";
import type { Range } from "../../hcl/pos.js";
import type {
  Attribute,
  Block,
  Body,
  BodySchema,
  EvalContext,
  Expression,
  File,
} from "../../hcl/structure.js";
import { isValidIdentifier, parseConfig } from "../../hcl/syntax/parser.js";
import { getTypeConstraint } from "../../hcl/typeexpr.js";
import { parseConstraints } from "../constraints.js";
import { expandDynamicBlocks } from "./dynamic.js";
import type {
  BuildDecl,
  HCL2Config,
  HCPPackerRegistryDecl,
  InputVariable,
  OnlyExcept,
  PackerBlock,
  PostProcessorDecl,
  ProvisionerDecl,
  SourceUse,
} from "./types.js";

export const HCL_SUFFIX = ".pkr.hcl";
export const JSON_SUFFIX = ".pkr.json";
export const VARFILE_HCL_SUFFIX = ".pkrvars.hcl";
export const VARFILE_JSON_SUFFIX = ".pkrvars.json";
export const AUTO_VARFILE_HCL_SUFFIX = ".auto.pkrvars.hcl";
export const AUTO_VARFILE_JSON_SUFFIX = ".auto.pkrvars.json";

const topLevelSchema: BodySchema = {
  blocks: [
    { type: "packer" },
    { type: "source", labelNames: ["type", "name"] },
    { type: "variables" },
    { type: "variable", labelNames: ["name"] },
    { type: "locals" },
    { type: "local", labelNames: ["name"] },
    { type: "data", labelNames: ["type", "name"] },
    { type: "build" },
    // Packer 1.9 still accepts (and ignores) top-level communicator blocks.
    { type: "communicator", labelNames: ["type", "name"] },
  ],
};

/** Parses one file by its suffix: JSON syntax for `.json`, native syntax otherwise. */
export function parseHCLFile(filename: string, bytes: Buffer): { file: File; diags: Diagnostic[] } {
  return filename.endsWith(".json") ? parseJSON(bytes, filename) : parseConfig(bytes, filename);
}

/** The template files Packer would read for `path`: the file itself, or a folder's `.pkr.hcl` then `.pkr.json` files. */
export function templateFiles(
  path: string,
  shownAs: string = path,
): {
  files: string[];
  autoVarFiles: string[];
  diags: Diagnostic[];
} {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    return {
      files: [],
      autoVarFiles: [],
      diags: [errorDiag(`Could not find any config file in ${shownAs}`, missingFilesDetail())],
    };
  }
  if (!st.isDirectory()) {
    return { files: [path], autoVarFiles: [], diags: [] };
  }
  const names = readdirSync(path).sort();
  const pick = (suffix: string) =>
    names.filter((n) => n.endsWith(suffix) && isFile(join(path, n))).map((n) => join(path, n));
  const files = [...pick(HCL_SUFFIX), ...pick(JSON_SUFFIX)];
  const autoVarFiles = [...pick(AUTO_VARFILE_HCL_SUFFIX), ...pick(AUTO_VARFILE_JSON_SUFFIX)];
  if (files.length === 0) {
    return {
      files,
      autoVarFiles,
      diags: [errorDiag(`Could not find any config file in ${shownAs}`, missingFilesDetail())],
    };
  }
  return { files, autoVarFiles, diags: [] };
}

function missingFilesDetail(): string {
  return `A config file must be suffixed with \`${HCL_SUFFIX}\` or \`${JSON_SUFFIX}\`. A folder can be referenced.`;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface ParsedFiles {
  parsed: File[];
  diags: Diagnostic[];
}

/** Reads (relative to `cwd`) and parses each file; unreadable files are diagnostics. */
export function readAndParse(paths: string[], sink: Map<string, Buffer>, cwd: string): ParsedFiles {
  const parsed: File[] = [];
  const diags: Diagnostic[] = [];
  for (const p of paths) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(cwd, p));
    } catch (err) {
      diags.push(
        errorDiag(
          "Failed to read file",
          `The file ${p} could not be read: ${(err as Error).message}`,
        ),
      );
      continue;
    }
    sink.set(p, bytes);
    const r = parseHCLFile(p, bytes);
    diags.push(...r.diags);
    parsed.push(r.file);
  }
  return { parsed, diags };
}

export function emptyConfig(
  basedir: string,
  cwd: string,
  packerVersion: string,
  env: NodeJS.ProcessEnv,
): HCL2Config {
  return {
    basedir,
    cwd,
    files: new Map(),
    packer: { requiredVersions: [], requiredPlugins: [] },
    variables: new Map(),
    locals: new Map(),
    localValues: new Map(),
    datasources: new Map(),
    sources: new Map(),
    buildBlocks: [],
    builds: [],
    packerVersion,
    env,
  };
}

/** The folder a template path stands for: the path itself if a folder, else its parent. */
export function templateBasedir(path: string): string {
  try {
    if (statSync(path).isDirectory()) return resolve(path);
  } catch {
    // fall through
  }
  return resolve(dirname(path));
}

export function isHCL2Path(path: string): boolean {
  const b = basename(path);
  if (b.endsWith(HCL_SUFFIX) || b.endsWith(JSON_SUFFIX)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Decodes every top-level block of the parsed files into `cfg`. */
export function decodeFiles(
  cfg: HCL2Config,
  files: File[],
  afterPackerBlocks: () => Diagnostic[] = () => [],
): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const contents = files.map((f) => {
    const r = f.body.content(topLevelSchema);
    diags.push(...r.diags);
    return r.content;
  });
  // Packer decodes in passes: the packer block, then variables, then locals,
  // then everything else, so that each pass can rely on the previous ones.
  for (const c of contents) {
    for (const b of c.blocks)
      if (b.type === "packer") diags.push(...decodePackerBlock(cfg.packer, b));
  }
  // A template that needs another Packer version is reported as that alone.
  const versionDiags = afterPackerBlocks();
  if (hasErrors(versionDiags)) return versionDiags;
  for (const c of contents) {
    for (const b of c.blocks) {
      if (b.type === "variable") diags.push(...decodeVariableBlock(cfg, b));
      else if (b.type === "variables") diags.push(...decodeVariablesBlock(cfg, b));
    }
  }
  for (const c of contents) {
    for (const b of c.blocks) {
      if (b.type === "locals") diags.push(...decodeLocalsBlock(cfg, b));
      else if (b.type === "local") diags.push(...decodeLocalBlock(cfg, b));
    }
  }
  for (const c of contents) {
    for (const b of c.blocks) {
      if (b.type === "source") diags.push(...decodeSourceBlock(cfg, b));
      else if (b.type === "data") diags.push(...decodeDataBlock(cfg, b));
      else if (b.type === "build") cfg.buildBlocks.push(b);
    }
  }
  return diags;
}

/**
 * Decodes the build blocks. As in Packer this happens once variables, locals
 * and data sources have values, since a build may use them (`sources =
 * var.sources_enabled`).
 */
export function decodeBuilds(cfg: HCL2Config, ctx: EvalContext): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const b of cfg.buildBlocks) diags.push(...decodeBuildBlock(cfg, b, ctx));
  return diags;
}

// ---------------------------------------------------------------- packer {}

const packerBlockSchema: BodySchema = {
  attributes: [{ name: "required_version" }],
  blocks: [{ type: "required_plugins" }],
};

function decodePackerBlock(out: PackerBlock, block: Block): Diagnostic[] {
  const { content, diags } = block.body.content(packerBlockSchema);
  const rv = content.attributes.required_version;
  if (rv) {
    const v = rv.expr.value(undefined);
    diags.push(...v.diags);
    if (!hasErrors(v.diags)) {
      if (!v.value.type.isString() || v.value.isNull() || !v.value.isKnown()) {
        diags.push(
          errorDiag(
            "Invalid required_version",
            "The required_version argument must be a string of version constraints.",
            rv.expr.range,
          ),
        );
      } else {
        out.requiredVersions.push({ text: v.value.asString(), range: rv.expr.range });
      }
    }
  }
  for (const b of content.blocks) {
    const attrs = b.body.justAttributes();
    diags.push(...attrs.diags);
    for (const attr of sortedAttributes(attrs.attributes)) {
      diags.push(...decodeRequiredPlugin(out, attr.name, attr));
    }
  }
  return diags;
}

const VERSION_DOCS =
  "See https://developer.hashicorp.com/packer/docs/templates/hcl_templates/blocks/packer#version-constraints.";

/** One `name = { source = "...", version = "..." }` entry of required_plugins, checked as Packer 1.9 checks it. */
function decodeRequiredPlugin(out: PackerBlock, name: string, attr: Attribute): Diagnostic[] {
  const v = attr.expr.value(undefined);
  if (hasErrors(v.diags)) return v.diags;
  const diags: Diagnostic[] = [...v.diags, ...checkPluginLocalName(name, attr.expr.range)];
  const val = v.value;
  const at = attr.expr.range;
  if (val.type.isPrimitive()) {
    const given = val.isKnown() && !val.isNull() ? valueText(val) : "version";
    diags.push(
      errorDiag(
        "Invalid plugin requirement",
        `'${name} = "${given}"' is not a plugin requirement: a required plugin is a whole object, for example:\n${name} = {\n  source  = "github.com/hashicorp/${name}"\n  version = "${given}"\n}`,
        attr.range,
      ),
    );
    return diags;
  }
  if (!val.type.isObject()) {
    diags.push(
      errorDiag(
        "Invalid required_plugins syntax",
        "Each required_plugins entry must be an object with a source and a version.",
        at,
      ),
    );
    return diags;
  }
  if (!val.type.hasAttribute("version")) {
    diags.push(
      errorDiag(
        "No version constraint was set",
        `The version argument must be set to a string of version constraints, such as version = ">= 1.2.0, < 2.0.0". ${VERSION_DOCS}`,
        at,
      ),
    );
    return diags;
  }
  const version = val.getAttr("version");
  if (!version.type.isString() || version.isNull() || !version.isKnown()) {
    diags.push(
      errorDiag("Invalid version constraint", `The version must be a string. ${VERSION_DOCS}`, at),
    );
    return diags;
  }
  const parsed = parseConstraints(version.asString());
  if (parsed.error) {
    diags.push(
      errorDiag(
        "Invalid version constraint",
        `This string does not use correct version constraint syntax. ${VERSION_DOCS}\n${parsed.error}`,
        at,
      ),
    );
    return diags;
  }
  if (!val.type.hasAttribute("source")) {
    diags.push(
      errorDiag(
        "No source was set",
        `The source argument must be set to the plugin's address, such as source = "github.com/hashicorp/${name}".`,
        at,
      ),
    );
    return diags;
  }
  const source = val.getAttr("source");
  if (!source.type.isString() || source.isNull() || !source.isKnown()) {
    diags.push(
      errorDiag(
        "Invalid source",
        `The source must be a string, such as source = "github.com/hashicorp/${name}".`,
        at,
      ),
    );
    return diags;
  }
  const sourceDiag = checkPluginSource(source.asString(), at);
  if (sourceDiag) {
    diags.push(sourceDiag);
    return diags;
  }
  if (Object.keys(val.type.attributeTypes()).some((k) => k !== "source" && k !== "version")) {
    diags.push(
      errorDiag(
        "Invalid required_plugins object",
        'A required_plugins entry may only set "source" and "version".',
        at,
      ),
    );
    return diags;
  }
  const previous = out.requiredPlugins.find((p) => p.name === name);
  if (previous) {
    diags.push(
      errorDiag(
        `Duplicate required_plugin.${JSON.stringify(name)} block`,
        `A plugin named ${JSON.stringify(name)} is already required at ${formatRange(previous.range)}. The names on the left of required_plugins must differ, since they name the plugins in the configuration.`,
        attr.range,
      ),
    );
    return diags;
  }
  out.requiredPlugins.push({
    name,
    source: source.asString(),
    version: version.asString(),
    range: attr.range,
  });
  return diags;
}

function valueText(v: Value): string {
  if (v.type.isString()) return v.asString();
  if (v.type.isNumber()) return String(v.asNumber());
  return v.isTrue() ? "true" : "false";
}

/** A plugin's local name: lowercase letters, digits and single dashes, as a DNS label. */
function checkPluginLocalName(name: string, range: Range): Diagnostic[] {
  const lower = name.toLowerCase();
  const problem = pluginPartProblem(lower);
  if (problem) {
    return [
      errorDiag(
        "Invalid plugin local name",
        `${name} is an invalid plugin local name: ${problem}`,
        range,
      ),
    ];
  }
  if (lower !== name) {
    return [
      errorDiag(
        "Invalid plugin local name",
        `Plugin names must be normalized. Replace ${JSON.stringify(name)} with ${JSON.stringify(lower)} to fix this error.`,
        range,
      ),
    ];
  }
  return [];
}

function pluginPartProblem(part: string): string | undefined {
  if (part.length === 0) return "must have at least one character";
  if (part.includes(".")) return "dots are not allowed";
  if (part.includes("--")) return "cannot use multiple consecutive dashes";
  if (!/^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u.test(part)) {
    return "must contain only letters, digits, and dashes, and may not use leading or trailing dashes";
  }
  return undefined;
}

/** Packer 1.9 wants a plugin source as hostname/namespace/name. */
function checkPluginSource(source: string, range: Range): Diagnostic | undefined {
  const parts = source.split("/");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    return errorDiag(
      "Invalid plugin source string",
      `The source ${JSON.stringify(source)} is not a plugin address: it must be in the form "hostname/namespace/name", for example "github.com/hashicorp/amazon".`,
      range,
    );
  }
  const problem = pluginPartProblem(parts[2]!.toLowerCase());
  if (problem) {
    return errorDiag(
      "Invalid plugin type",
      `Invalid plugin type ${JSON.stringify(parts[2])} in source ${JSON.stringify(source)}: ${problem}`,
      range,
    );
  }
  return undefined;
}

// --------------------------------------------------------------- variables

const variableBlockSchema: BodySchema = {
  attributes: [
    { name: "description" },
    { name: "default" },
    { name: "type" },
    { name: "sensitive" },
    { name: "nullable" },
  ],
  blocks: [{ type: "validation" }],
};

const validationSchema: BodySchema = {
  attributes: [
    { name: "condition", required: true },
    { name: "error_message", required: true },
  ],
};

/** env() reading the environment the template is loaded with (cfg.env). */
export function envFunction(env: NodeJS.ProcessEnv): FunctionImpl {
  return new FunctionImpl({
    description: "Returns the value of an environment variable, or an empty string if it is unset.",
    params: [{ name: "key", type: Type.string }],
    type: staticReturnType(Type.string),
    impl: (args) => Value.string(env[args[0]!.asString()] ?? ""),
  });
}

/** Variable defaults may call env() and nothing else, as in Packer. */
function defaultsContext(cfg: HCL2Config): EvalContext {
  return { functions: { env: envFunction(cfg.env) } };
}

function checkVariableName(
  cfg: HCL2Config,
  name: string,
  range: Range,
  what: string,
): Diagnostic[] {
  if (!isValidIdentifier(name)) {
    return [
      errorDiag(
        `Invalid ${what} name`,
        "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
        range,
      ),
    ];
  }
  const existing = what === "variable" ? cfg.variables.get(name) : undefined;
  if (existing) {
    return [errorDiag("Duplicate variable", `Duplicate ${name} variable definition found.`, range)];
  }
  return [];
}

function staticBool(
  attr: Attribute | undefined,
  diags: Diagnostic[],
  ctx?: EvalContext,
): boolean | undefined {
  if (!attr) return undefined;
  const v = attr.expr.value(ctx);
  diags.push(...v.diags);
  if (hasErrors(v.diags)) return undefined;
  const c = convert(v.value, Type.bool);
  if ("error" in c || c.value.isNull() || !c.value.isKnown()) {
    diags.push(
      errorDiag(
        "Incorrect attribute value type",
        `Inappropriate value for attribute "${attr.name}": a bool is required.`,
        attr.expr.range,
      ),
    );
    return undefined;
  }
  return c.value.isTrue();
}

function staticString(
  attr: Attribute | undefined,
  diags: Diagnostic[],
  ctx?: EvalContext,
): string | undefined {
  if (!attr) return undefined;
  const v = attr.expr.value(ctx);
  diags.push(...v.diags);
  if (hasErrors(v.diags)) return undefined;
  const c = convert(v.value, Type.string);
  if ("error" in c || c.value.isNull() || !c.value.isKnown()) {
    diags.push(
      errorDiag(
        "Incorrect attribute value type",
        `Inappropriate value for attribute "${attr.name}": a string is required.`,
        attr.expr.range,
      ),
    );
    return undefined;
  }
  return c.value.asString();
}

function decodeVariableBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const name = block.labels[0]!;
  const diags = checkVariableName(cfg, name, block.labelRanges[0] ?? block.defRange, "variable");
  if (hasErrors(diags)) return diags;
  const { content, diags: cd } = block.body.content(variableBlockSchema);
  diags.push(...cd);
  const v: InputVariable = {
    name,
    type: Type.dynamic,
    description: staticString(content.attributes.description, diags) ?? "",
    sensitive: staticBool(content.attributes.sensitive, diags) ?? false,
    nullable: staticBool(content.attributes.nullable, diags) ?? true,
    validations: [],
    declRange: block.defRange,
  };
  const typeAttr = content.attributes.type;
  if (typeAttr) {
    const t = getTypeConstraint(typeAttr.expr);
    diags.push(...t.diags);
    // As in Packer, a variable whose type can't be read is not declared.
    if (hasErrors(t.diags)) return diags;
    v.type = t.type;
    v.typeDefaults = t.defaults;
  }
  const def = content.attributes.default;
  if (def) {
    const r = def.expr.value(defaultsContext(cfg));
    diags.push(...r.diags);
    if (!hasErrors(r.diags)) {
      const c = convert(r.value, v.type);
      if ("error" in c) {
        diags.push(
          errorDiag(
            "Invalid default value for variable",
            `This default value is not compatible with the variable's type constraint: ${c.error}.`,
            def.expr.range,
          ),
        );
      } else {
        v.defaultValue = c.value;
        v.defaultRange = def.expr.range;
        // Without a type, Packer takes the default's type, unless the default
        // is an empty object or tuple (`{}`, `[]`), which any value may replace.
        const dt = c.value.type;
        if (!typeAttr && !dt.equals(Type.emptyObject) && !dt.equals(Type.emptyTuple)) {
          v.type = dt;
        }
      }
    }
  }
  for (const vb of content.blocks) {
    const r = vb.body.content(validationSchema);
    diags.push(...r.diags);
    const cond = r.content.attributes.condition;
    const msg = r.content.attributes.error_message;
    if (!cond || !msg) continue;
    diags.push(...checkValidationCondition(name, cond));
    diags.push(...checkValidationMessage(msg));
    v.validations.push({ condition: cond.expr, errorMessage: msg.expr, range: vb.defRange });
  }
  cfg.variables.set(name, v);
  return diags;
}

/** A validation condition must refer to its own variable, and to nothing else. */
function checkValidationCondition(name: string, cond: Attribute): Diagnostic[] {
  const refs = cond.expr.variables();
  let self = false;
  for (const t of refs) {
    const root = t[0];
    const attr = t[1];
    if (
      root?.kind === "root" &&
      root.name === "var" &&
      attr?.kind === "attr" &&
      attr.name === name
    ) {
      self = true;
      continue;
    }
    return [
      errorDiag(
        "Invalid variable validation condition",
        `The condition for variable "${name}" can only refer to the variable itself, using var.${name}.`,
        cond.expr.range,
      ),
    ];
  }
  if (!self) {
    return [
      errorDiag(
        "Invalid variable validation condition",
        `The condition for variable "${name}" must refer to var.${name} in order to test incoming values.`,
        cond.expr.range,
      ),
    ];
  }
  return [];
}

function checkValidationMessage(msg: Attribute): Diagnostic[] {
  const v = msg.expr.value(undefined);
  if (hasErrors(v.diags) || !v.value.type.isString() || !v.value.isKnown() || v.value.isNull()) {
    return []; // Messages that need evaluation are checked when the rule runs.
  }
  const text = v.value.asString();
  if (text === "") {
    return [
      errorDiag(
        "Invalid validation error message",
        "An empty string is not a valid nor useful error message.",
        msg.expr.range,
      ),
    ];
  }
  if (!looksLikeSentences(text)) {
    return [
      errorDiag(
        "Invalid validation error message",
        "Validation error message must be at least one full sentence starting with an uppercase letter (if the alphabet has case) and ending with a period or question mark.",
        msg.expr.range,
      ),
    ];
  }
  return [];
}

/** Packer's check: a first letter (if it is one) in upper case; a last character of . ? or !. */
function looksLikeSentences(message: string): boolean {
  const chars = [...message.trim()];
  if (chars.length < 1) return false;
  const first = chars[0]!;
  const last = chars[chars.length - 1]!;
  if (/\p{L}/u.test(first) && !/\p{Lu}/u.test(first)) return false;
  return last === "." || last === "?" || last === "!";
}

function decodeVariablesBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const { attributes, diags } = block.body.justAttributes();
  for (const attr of sortedAttributes(attributes)) {
    const more = checkVariableName(cfg, attr.name, attr.nameRange, "variable");
    diags.push(...more);
    if (hasErrors(more)) continue;
    const r = attr.expr.value(defaultsContext(cfg));
    diags.push(...r.diags);
    if (hasErrors(r.diags)) continue;
    // A `variables` entry is typed by its value, as in Packer.
    cfg.variables.set(attr.name, {
      name: attr.name,
      type: r.value.type,
      description: "",
      sensitive: false,
      nullable: true,
      defaultValue: r.value,
      defaultRange: attr.expr.range,
      validations: [],
      declRange: attr.range,
    });
  }
  return diags;
}

/** Attributes in source order, so diagnostics come out in the order a reader expects. */
export function sortedAttributes(attrs: Record<string, Attribute>): Attribute[] {
  return Object.values(attrs).sort(
    (a, b) =>
      a.range.filename.localeCompare(b.range.filename) || a.range.start.byte - b.range.start.byte,
  );
}

// ------------------------------------------------------------------ locals

const localBlockSchema: BodySchema = {
  attributes: [{ name: "expression", required: true }, { name: "sensitive" }],
};

function duplicateLocal(
  cfg: HCL2Config,
  name: string,
  subject: Range,
  context?: Range,
): Diagnostic[] {
  if (!cfg.locals.has(name)) return [];
  return [
    {
      severity: "error",
      summary: "Duplicate value in locals",
      detail: `Duplicate ${name} definition found.`,
      subject,
      context,
    },
  ];
}

function decodeLocalsBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const { attributes, diags } = block.body.justAttributes();
  for (const attr of sortedAttributes(attributes)) {
    const dup = duplicateLocal(cfg, attr.name, attr.expr.range, block.defRange);
    diags.push(...dup);
    if (dup.length) continue;
    cfg.locals.set(attr.name, {
      name: attr.name,
      expr: attr.expr,
      sensitive: false,
      declRange: attr.range,
    });
  }
  return diags;
}

function decodeLocalBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const name = block.labels[0]!;
  const diags: Diagnostic[] = [];
  if (!isValidIdentifier(name)) {
    diags.push(
      errorDiag(
        "Invalid local name",
        "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
        block.labelRanges[0],
      ),
    );
    return diags;
  }
  const { content, diags: cd } = block.body.content(localBlockSchema);
  diags.push(...cd);
  const expr = content.attributes.expression;
  if (!expr) return diags;
  // Packer points at the second definition's expression.
  const dup = duplicateLocal(cfg, name, expr.expr.range, block.defRange);
  if (dup.length) return dup;
  cfg.locals.set(name, {
    name,
    expr: expr.expr,
    sensitive: staticBool(content.attributes.sensitive, diags) ?? false,
    declRange: block.defRange,
  });
  return diags;
}

// --------------------------------------------------------- source and data

function decodeSourceBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const [type, name] = block.labels as [string, string];
  const key = `${type}.${name}`;
  const existing = cfg.sources.get(key);
  if (existing) {
    return [
      errorDiag(
        "Duplicate source block",
        `This source block has the same builder type and name as a previous block declared at ${formatRange(existing.block.defRange)}. Each source must have a unique name per builder type.`,
        block.defRange,
      ),
    ];
  }
  cfg.sources.set(key, { type, name, block });
  return [];
}

function decodeDataBlock(cfg: HCL2Config, block: Block): Diagnostic[] {
  const [type, name] = block.labels as [string, string];
  const key = `${type}.${name}`;
  const existing = cfg.datasources.get(key);
  if (existing) {
    return [
      errorDiag(
        "Duplicate data block",
        `This data block has the same data type and name as a previous block declared at ${formatRange(existing.block.defRange)}. Each data must have a unique name per builder type.`,
        block.defRange,
      ),
    ];
  }
  cfg.datasources.set(key, { type, name, block });
  return [];
}

export function formatRange(r: Range): string {
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
}

// ------------------------------------------------------------------- build

const buildSchema: BodySchema = {
  attributes: [{ name: "name" }, { name: "description" }, { name: "sources" }],
  blocks: [
    { type: "source", labelNames: ["reference"] },
    { type: "provisioner", labelNames: ["type"] },
    { type: "error-cleanup-provisioner", labelNames: ["type"] },
    { type: "post-processor", labelNames: ["type"] },
    { type: "post-processors" },
    { type: "hcp_packer_registry" },
  ],
};

function decodeBuildBlock(cfg: HCL2Config, block: Block, ctx: EvalContext): Diagnostic[] {
  // As in Packer, dynamic blocks anywhere in a build block (dynamic "source",
  // dynamic "provisioner", ...) expand with the values known at this point.
  const { content, diags } = expandDynamicBlocks(block.body, ctx).content(buildSchema);
  const build: BuildDecl = {
    name: "",
    description: "",
    sources: [],
    provisioners: [],
    postProcessorLists: [],
    range: block.defRange,
  };
  const nameAttr = content.attributes.name;
  if (nameAttr) build.name = staticString(nameAttr, diags, ctx) ?? "";
  const descAttr = content.attributes.description;
  if (descAttr) build.description = staticString(descAttr, diags, ctx) ?? "";
  const sourcesAttr = content.attributes.sources;
  if (sourcesAttr) {
    const r = sourcesAttr.expr.value(ctx);
    diags.push(...r.diags);
    if (!hasErrors(r.diags)) {
      const list = convert(r.value, Type.list(Type.string));
      if ("error" in list || list.value.isNull() || !list.value.isWhollyKnown()) {
        diags.push(
          errorDiag(
            "Incorrect attribute value type",
            'Inappropriate value for attribute "sources": list of string required.',
            sourcesAttr.expr.range,
          ),
        );
      } else {
        for (const el of list.value.elements()) {
          // Packer points at the build block for a malformed reference.
          const ref = parseSourceRef(el.asString(), block.defRange);
          if ("diag" in ref) diags.push(ref.diag);
          else build.sources.push({ ...ref, range: sourcesAttr.expr.range });
        }
      }
    }
  }
  // Provisioners and post-processors may use build.name while they are decoded.
  const inner: EvalContext = {
    parent: ctx,
    variables: { build: Value.object({ name: Value.string(build.name) }) },
  };
  for (const b of content.blocks) {
    switch (b.type) {
      case "source": {
        const r = decodeBuildSource(b, ctx);
        diags.push(...r.diags);
        if (r.use) build.sources.push(r.use);
        break;
      }
      case "provisioner": {
        const r = decodeProvisioner(b, inner);
        diags.push(...r.diags);
        if (r.prov) build.provisioners.push(r.prov);
        break;
      }
      case "error-cleanup-provisioner": {
        if (build.errorCleanupProvisioner) {
          diags.push(
            errorDiag(
              "Only one error-cleanup-provisioner is allowed",
              `A build block has at most one error-cleanup-provisioner; the first one is at ${formatRange(build.errorCleanupProvisioner.block.defRange)}.`,
              b.defRange,
            ),
          );
          break;
        }
        const r = decodeProvisioner(b, inner);
        diags.push(...r.diags);
        if (r.prov) build.errorCleanupProvisioner = r.prov;
        break;
      }
      case "post-processor": {
        const r = decodePostProcessor(b, inner);
        diags.push(...r.diags);
        if (r.pp) build.postProcessorLists.push([r.pp]);
        break;
      }
      case "post-processors": {
        const nested = b.body.content({
          blocks: [{ type: "post-processor", labelNames: ["type"] }],
        });
        diags.push(...nested.diags);
        const chain: PostProcessorDecl[] = [];
        for (const pb of nested.content.blocks) {
          const r = decodePostProcessor(pb, inner);
          diags.push(...r.diags);
          if (r.pp) chain.push(r.pp);
        }
        if (chain.length) build.postProcessorLists.push(chain);
        break;
      }
      case "hcp_packer_registry": {
        if (build.hcpPackerRegistry) {
          diags.push(
            errorDiag(
              "Only one hcp_packer_registry is allowed",
              `A build block has at most one hcp_packer_registry block; the first one is at ${formatRange(build.hcpPackerRegistry.defRange)}.`,
              b.defRange,
            ),
          );
          break;
        }
        build.hcpPackerRegistry = b;
        const r = decodeHCPPackerRegistry(b, ctx);
        diags.push(...r.diags);
        if (r.registry) build.hcpRegistry = r.registry;
        break;
      }
    }
  }
  cfg.builds.push(build);
  return diags;
}

const hcpRegistrySchema: BodySchema = {
  attributes: [
    { name: "bucket_name" },
    { name: "description" },
    { name: "labels" },
    { name: "bucket_labels" },
    { name: "build_labels" },
  ],
};

/** Reads a map(string) attribute; undefined (with a diagnostic) when it is something else. */
function stringMap(
  attr: Attribute | undefined,
  diags: Diagnostic[],
  ctx: EvalContext,
): Record<string, string> | undefined {
  if (!attr) return {};
  const v = attr.expr.value(ctx);
  diags.push(...v.diags);
  if (hasErrors(v.diags)) return undefined;
  const c = convert(v.value, Type.map(Type.string));
  if ("error" in c || !c.value.isWhollyKnown()) {
    diags.push(
      errorDiag(
        "Incorrect attribute value type",
        `Inappropriate value for attribute "${attr.name}": map of string required.`,
        attr.expr.range,
      ),
    );
    return undefined;
  }
  const out: Record<string, string> = {};
  if (c.value.isNull()) return out;
  for (const [k, e] of c.value.entries()) out[k] = e.asString();
  return out;
}

/**
 * `hcp_packer_registry` inside a build block, checked as Packer 1.9 checks it
 * (kiln publishes nothing to HCP Packer; the block is accepted and validated).
 * Other arguments are ignored, as Packer ignores them.
 */
function decodeHCPPackerRegistry(
  block: Block,
  ctx: EvalContext,
): { registry?: HCPPackerRegistryDecl; diags: Diagnostic[] } {
  const r = block.body.partialContent(hcpRegistrySchema);
  const diags = [...r.diags];
  const a = r.content.attributes;
  const bucketName = staticString(a.bucket_name, diags, ctx) ?? "";
  const description = staticString(a.description, diags, ctx) ?? "";
  const labels = stringMap(a.labels, diags, ctx);
  const bucketLabels = stringMap(a.bucket_labels, diags, ctx);
  const buildLabels = stringMap(a.build_labels, diags, ctx);
  if (hasErrors(diags) || !labels || !bucketLabels || !buildLabels) return { diags };
  if ([...description].length > 255) {
    diags.push(
      errorDiag(
        "hcp_packer_registry.description should have a maximum length of 255 characters",
        undefined,
        block.defRange,
      ),
    );
    return { diags };
  }
  const hasLabels = Object.keys(labels).length > 0;
  if (hasLabels && Object.keys(bucketLabels).length > 0) {
    diags.push(
      errorDiag(
        "hcp_packer_registry.labels and hcp_packer_registry.bucket_labels are mutually exclusive; please use the recommended argument hcp_packer_registry.bucket_labels",
        undefined,
        block.defRange,
      ),
    );
    return { diags };
  }
  if (hasLabels) {
    diags.push(
      warningDiag(
        "the argument hcp_packer_registry.labels has been deprecated and will be removed in the next minor release; please use hcp_packer_registry.bucket_labels",
        undefined,
        a.labels!.nameRange,
      ),
    );
  }
  return {
    registry: {
      bucketName,
      description,
      bucketLabels: hasLabels ? labels : bucketLabels,
      buildLabels,
      range: block.defRange,
    },
    diags,
  };
}

/**
 * Reads a source reference as Packer does: `TYPE.NAME`, or `X.TYPE.NAME`
 * where the first part is not checked (`source.`, `sources.`); parts after
 * the third are ignored. TYPE and NAME must be identifiers.
 */
export function parseSourceRef(
  text: string,
  range: Range,
): { type: string; sourceName: string } | { diag: Diagnostic } {
  let parts = text.split(".");
  if (parts.length > 2) parts = parts.slice(1);
  const [type, name] = parts;
  if (parts.length < 2 || !isValidIdentifier(type!) || !isValidIdentifier(name!)) {
    return {
      diag: errorDiag(
        "Invalid source reference",
        `${JSON.stringify(text)} is not a source reference. A source reference has three parts separated by dots, "source.TYPE.NAME" (for example "source.docker.example"); TYPE and NAME must start with a letter and may contain only letters, digits, underscores, and dashes.`,
        range,
      ),
    };
  }
  return { type: type!, sourceName: name! };
}

function decodeBuildSource(
  block: Block,
  ctx: EvalContext,
): { use?: SourceUse; diags: Diagnostic[] } {
  const ref = parseSourceRef(block.labels[0]!, block.labelRanges[0] ?? block.defRange);
  if ("diag" in ref) return { diags: [ref.diag] };
  const r = block.body.partialContent({ attributes: [{ name: "name" }] });
  const diags = [...r.diags];
  const use: SourceUse = { ...ref, body: r.remain, range: block.defRange };
  const nameAttr = r.content.attributes.name;
  if (nameAttr) {
    const n = staticString(nameAttr, diags, ctx);
    if (n !== undefined) use.localName = n;
  }
  return { use, diags };
}

const provisionerSchema: BodySchema = {
  attributes: [
    { name: "name" },
    { name: "pause_before" },
    { name: "max_retries" },
    { name: "timeout" },
    { name: "only" },
    { name: "except" },
    { name: "override" },
  ],
};

/** A Go duration argument (`pause_before`, `timeout`); Packer reports a bad one at the block. */
function durationAttr(
  attr: Attribute | undefined,
  diags: Diagnostic[],
  ctx: EvalContext,
  block: Block,
): number {
  if (!attr) return 0;
  const s = staticString(attr, diags, ctx);
  if (s === undefined || s === "") return 0;
  try {
    return Number(parseGoDuration(s) / 1_000_000n);
  } catch (err) {
    diags.push(
      errorDiag(`Failed to parse ${attr.name} duration`, (err as Error).message, block.defRange),
    );
    return 0;
  }
}

function onlyExcept(
  attrs: Record<string, Attribute>,
  diags: Diagnostic[],
  ctx: EvalContext,
): OnlyExcept {
  const read = (a: Attribute | undefined): string[] => {
    if (!a) return [];
    const r = a.expr.value(ctx);
    diags.push(...r.diags);
    if (hasErrors(r.diags) || r.value.isNull()) return [];
    const c = convert(r.value, Type.list(Type.string));
    if ("error" in c || c.value.isNull() || !c.value.isWhollyKnown()) {
      diags.push(
        errorDiag(
          "Incorrect attribute value type",
          `Inappropriate value for attribute "${a.name}": list of string required.`,
          a.expr.range,
        ),
      );
      return [];
    }
    return c.value.elements().map((e) => e.asString());
  };
  const oe = { only: read(attrs.only), except: read(attrs.except) };
  if (oe.only.length > 0 && oe.except.length > 0) {
    diags.push(
      errorDiag(
        "Only one of 'only' or 'except' may be set",
        "A block can be limited to some sources with 'only', or exclude some with 'except', not both.",
        attrs.except!.range,
      ),
    );
  }
  return oe;
}

function decodeProvisioner(
  block: Block,
  ctx: EvalContext,
): { prov?: ProvisionerDecl; diags: Diagnostic[] } {
  const r = block.body.partialContent(provisionerSchema);
  const diags = [...r.diags];
  const a = r.content.attributes;
  let maxRetries = 0;
  if (a.max_retries) {
    const v = a.max_retries.expr.value(ctx);
    diags.push(...v.diags);
    const c = convert(v.value, Type.number);
    if (!hasErrors(v.diags)) {
      if ("error" in c || c.value.isNull() || !c.value.isKnown()) {
        diags.push(
          errorDiag(
            "Incorrect attribute value type",
            'Inappropriate value for attribute "max_retries": a number is required.',
            a.max_retries.expr.range,
          ),
        );
      } else {
        maxRetries = Math.trunc(c.value.asNumber());
      }
    }
  }
  let override: Value | undefined;
  if (a.override) {
    const v = a.override.expr.value(ctx);
    diags.push(...v.diags);
    if (!hasErrors(v.diags)) {
      override = v.value;
      diags.push(...checkOverride(v.value, block));
    }
  }
  const prov: ProvisionerDecl = {
    type: block.labels[0]!,
    name: staticString(a.name, diags, ctx) ?? "",
    pauseBefore: durationAttr(a.pause_before, diags, ctx, block),
    maxRetries,
    timeout: durationAttr(a.timeout, diags, ctx, block),
    override,
    ...onlyExcept(a, diags, ctx),
    body: r.remain,
    block,
  };
  return { prov, diags };
}

/** `override` maps source names to objects of settings, as Packer requires. */
function checkOverride(v: Value, block: Block): Diagnostic[] {
  if (v.isNull() || !v.isKnown()) return [];
  const t = v.type;
  if (!t.isObject() && !t.isMap()) {
    return [
      errorDiag(
        "provisioner's override block must be an HCL object",
        'The override argument maps source names to the settings that differ for them, for example: override = { example = { inline = ["echo hi"] } }.',
        block.defRange,
      ),
    ];
  }
  for (const [name, entry] of v.entries()) {
    if (entry.isNull() || !(entry.type.isObject() || entry.type.isMap())) {
      return [
        errorDiag(
          `provisioner's override.'${name}' block must be an HCL object`,
          `The settings for source ${JSON.stringify(name)} must be an object of arguments.`,
          block.defRange,
        ),
      ];
    }
  }
  return [];
}

const postProcessorSchema: BodySchema = {
  attributes: [
    { name: "name" },
    { name: "only" },
    { name: "except" },
    { name: "keep_input_artifact" },
  ],
};

function decodePostProcessor(
  block: Block,
  ctx: EvalContext,
): { pp?: PostProcessorDecl; diags: Diagnostic[] } {
  const r = block.body.partialContent(postProcessorSchema);
  const diags = [...r.diags];
  const a = r.content.attributes;
  const pp: PostProcessorDecl = {
    type: block.labels[0]!,
    name: staticString(a.name, diags, ctx) ?? "",
    keepInputArtifact: staticBool(a.keep_input_artifact, diags, ctx),
    ...onlyExcept(a, diags, ctx),
    body: r.remain,
    block,
  };
  return { pp, diags };
}

/** Every expression in a body, nested blocks included, for dependency analysis. */
export function bodyExpressions(body: Body): Expression[] {
  const anyBody = body as unknown as {
    attributes?: Map<string, Attribute>;
    blocks?: Block[];
  };
  if (anyBody.attributes instanceof Map && Array.isArray(anyBody.blocks)) {
    const out: Expression[] = [];
    for (const a of anyBody.attributes.values()) out.push(a.expr);
    for (const b of anyBody.blocks) out.push(...bodyExpressions(b.body));
    return out;
  }
  // JSON bodies: every property is an attribute whose expression covers nested objects.
  const r = body.justAttributes();
  return Object.values(r.attributes).map((a) => a.expr);
}
