// Reading an HCL2 template: finding its files, parsing them, and decoding the
// top-level blocks (packer, variable(s), local(s), source, data, build) into
// declarations. Nothing is evaluated here except what Packer evaluates while
// parsing (variable defaults, `packer` block settings, build-block options).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { convert } from "../../hcl/cty/convert.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";
import { standardFunctions } from "../../hcl/functions/index.js";
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
import type {
  BuildDecl,
  HCL2Config,
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
  ],
};

/** Parses one file by its suffix: JSON syntax for `.json`, native syntax otherwise. */
export function parseHCLFile(filename: string, bytes: Buffer): { file: File; diags: Diagnostic[] } {
  return filename.endsWith(".json") ? parseJSON(bytes, filename) : parseConfig(bytes, filename);
}

/** The template files Packer would read for `path`: the file itself, or a folder's `.pkr.hcl` then `.pkr.json` files. */
export function templateFiles(path: string): {
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
      diags: [errorDiag(`Could not find any config file in ${path}`, missingFilesDetail())],
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
      diags: [errorDiag(`Could not find any config file in ${path}`, missingFilesDetail())],
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
    for (const [name, attr] of Object.entries(attrs.attributes)) {
      diags.push(...decodeRequiredPlugin(out, name, attr));
    }
  }
  return diags;
}

function decodeRequiredPlugin(out: PackerBlock, name: string, attr: Attribute): Diagnostic[] {
  const v = attr.expr.value(undefined);
  if (hasErrors(v.diags)) return v.diags;
  const val = v.value;
  const bad = (detail: string) => [
    errorDiag("Invalid required_plugins object", detail, attr.expr.range),
  ];
  if (!val.type.isObject() && !val.type.isMap()) {
    return bad(
      `The ${name} plugin requirement must be an object with "source" and "version" attributes.`,
    );
  }
  const get = (k: string): string | undefined => {
    if (val.type.isObject() && !val.type.hasAttribute(k)) return undefined;
    if (val.type.isMap() && !val.hasIndex(Value.string(k)).isTrue()) return undefined;
    const x = val.type.isObject() ? val.getAttr(k) : val.index(Value.string(k));
    return x.type.isString() && x.isKnown() && !x.isNull() ? x.asString() : undefined;
  };
  const source = get("source");
  if (source === undefined) {
    return bad(
      `The ${name} plugin requirement needs a "source" attribute, e.g. "github.com/hashicorp/${name}".`,
    );
  }
  out.requiredPlugins.push({ name, source, version: get("version") ?? "", range: attr.range });
  return [];
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

/** Variable defaults may call env() and nothing else, as in Packer. */
function defaultsContext(cfg: HCL2Config): EvalContext {
  const envFn = standardFunctions(cfg.basedir).env;
  return { functions: envFn ? { env: envFn } : {} };
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
        if (!typeAttr) v.type = Type.dynamic;
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
  const text = v.value.asString().trim();
  if (!looksLikeSentences(text)) {
    return [
      errorDiag(
        "Invalid validation error message",
        "Validation error message must be at least one full English sentence starting with an uppercase letter and ending with a period or question mark.",
        msg.expr.range,
      ),
    ];
  }
  return [];
}

function looksLikeSentences(s: string): boolean {
  if (s.length < 1) return false;
  const first = s[0]!;
  const last = s[s.length - 1]!;
  return (
    first === first.toUpperCase() && first !== first.toLowerCase() && (last === "." || last === "?")
  );
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
    cfg.variables.set(attr.name, {
      name: attr.name,
      type: Type.dynamic,
      description: "",
      sensitive: false,
      nullable: true,
      defaultValue: r.value,
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
    const dup = duplicateLocal(cfg, attr.name, attr.nameRange, block.defRange);
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
  const dup = duplicateLocal(cfg, name, block.labelRanges[0] ?? block.defRange, block.defRange);
  if (dup.length) return dup;
  const { content, diags: cd } = block.body.content(localBlockSchema);
  diags.push(...cd);
  const expr = content.attributes.expression;
  if (!expr) return diags;
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
  const { content, diags } = block.body.content(buildSchema);
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
          const ref = parseSourceRef(el.asString(), sourcesAttr.expr.range);
          if ("diag" in ref) diags.push(ref.diag);
          else build.sources.push({ ...ref, range: sourcesAttr.expr.range });
        }
      }
    }
  }
  for (const b of content.blocks) {
    switch (b.type) {
      case "source": {
        const r = decodeBuildSource(b, ctx);
        diags.push(...r.diags);
        if (r.use) build.sources.push(r.use);
        break;
      }
      case "provisioner": {
        const r = decodeProvisioner(b, ctx);
        diags.push(...r.diags);
        if (r.prov) build.provisioners.push(r.prov);
        break;
      }
      case "error-cleanup-provisioner": {
        const r = decodeProvisioner(b, ctx);
        diags.push(...r.diags);
        if (r.prov) build.errorCleanupProvisioner = r.prov;
        break;
      }
      case "post-processor": {
        const r = decodePostProcessor(b, ctx);
        diags.push(...r.diags);
        if (r.pp) build.postProcessorLists.push([r.pp]);
        break;
      }
      case "post-processors": {
        const inner = b.body.content({
          blocks: [{ type: "post-processor", labelNames: ["type"] }],
        });
        diags.push(...inner.diags);
        const chain: PostProcessorDecl[] = [];
        for (const pb of inner.content.blocks) {
          const r = decodePostProcessor(pb, ctx);
          diags.push(...r.diags);
          if (r.pp) chain.push(r.pp);
        }
        if (chain.length) build.postProcessorLists.push(chain);
        break;
      }
      case "hcp_packer_registry":
        if (build.hcpPackerRegistry) {
          diags.push(
            errorDiag(
              "Only one hcp_packer_registry block is allowed per build block",
              undefined,
              b.defRange,
            ),
          );
        }
        build.hcpPackerRegistry = b;
        break;
    }
  }
  cfg.builds.push(build);
  return diags;
}

/** Parses `source.TYPE.NAME`. */
export function parseSourceRef(
  text: string,
  range: Range,
): { type: string; sourceName: string } | { diag: Diagnostic } {
  const parts = text.split(".");
  if (parts.length !== 3 || parts[0] !== "source" || !parts[1] || !parts[2]) {
    return {
      diag: errorDiag(
        "Invalid source reference",
        `"${text}" is not a source reference: a source is referred to as "source.TYPE.NAME", for example "source.docker.example".`,
        range,
      ),
    };
  }
  return { type: parts[1], sourceName: parts[2] };
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

function durationAttr(attr: Attribute | undefined, diags: Diagnostic[], ctx: EvalContext): number {
  if (!attr) return 0;
  const s = staticString(attr, diags, ctx);
  if (s === undefined) return 0;
  try {
    return Number(parseGoDuration(s) / 1_000_000n);
  } catch (err) {
    diags.push(
      errorDiag(`Failed to parse ${attr.name} duration`, (err as Error).message, attr.expr.range),
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
    if (!hasErrors(v.diags)) override = v.value;
  }
  const prov: ProvisionerDecl = {
    type: block.labels[0]!,
    name: staticString(a.name, diags, ctx) ?? "",
    pauseBefore: durationAttr(a.pause_before, diags, ctx),
    maxRetries,
    timeout: durationAttr(a.timeout, diags, ctx),
    override,
    ...onlyExcept(a, diags, ctx),
    body: r.remain,
    block,
  };
  return { prov, diags };
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
