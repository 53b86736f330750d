// Input variable values: where they come from (defaults, PKR_VAR_* environment
// variables, *.auto.pkrvars files, -var-file and -var in command-line order),
// how they are parsed and converted to the declared type, and the checks
// Packer makes once all are in (unset variables, validation rules).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { convert } from "../../hcl/cty/convert.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { standardFunctions } from "../../hcl/functions/index.js";
import type { Range } from "../../hcl/pos.js";
import type { Expression } from "../../hcl/structure.js";
import { parseExpression } from "../../hcl/syntax/parser.js";
import type { TypeDefaults } from "../../hcl/typeexpr.js";
import { envFunction, parseHCLFile, sortedAttributes } from "./parse.js";
import { type HCL2Config, type InputVariable, SENSITIVE, type ValueSource } from "./types.js";

/** One `-var` or `-var-file` flag, in the order given. */
export type VarArg = { kind: "var"; text: string } | { kind: "var-file"; path: string };

export interface ValueOptions {
  autoVarFiles: string[];
  args: VarArg[];
  /** Undeclared variables in var files are warnings unless this is false (-no-warn-undeclared-var). */
  warnUndeclared: boolean;
  /** Relative var-file paths are read from here. */
  cwd: string;
}

/** Applies every value source in Packer's precedence order. */
export function collectVariableValues(cfg: HCL2Config, opts: ValueOptions): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const v of cfg.variables.values()) {
    if (v.defaultValue !== undefined) {
      v.value = v.defaultValue;
      v.valueSource = "default";
      v.valueRange = v.defaultRange ?? v.declRange;
    }
  }
  // Environment: PKR_VAR_name for declared variables only.
  const envNames = Object.keys(cfg.env)
    .filter((k) => k.startsWith("PKR_VAR_"))
    .sort();
  for (const k of envNames) {
    const name = k.slice("PKR_VAR_".length);
    const v = cfg.variables.get(name);
    if (!v) continue;
    diags.push(...assignRaw(v, cfg.env[k] ?? "", "env", `<value for var.${name} from env>`));
  }
  for (const f of opts.autoVarFiles)
    diags.push(...applyVarFile(cfg, f, opts.warnUndeclared, opts.cwd));
  for (const a of opts.args) {
    if (a.kind === "var-file") {
      const bad = varFileFormat(a.path);
      if (bad) diags.push(bad);
      else diags.push(...applyVarFile(cfg, a.path, opts.warnUndeclared, opts.cwd));
    } else diags.push(...applyVarArg(cfg, a.text));
  }
  return diags;
}

/** Packer reads a -var-file as HCL or JSON by its extension, and refuses any other. */
function varFileFormat(path: string): Diagnostic | undefined {
  if (path.endsWith(".hcl") || path.endsWith(".json")) return undefined;
  return errorDiag(
    `Could not guess format of ${path}`,
    "A var file must be suffixed with `.hcl` or `.json`.",
  );
}

/** A value given as text (environment or -var): a string variable takes it verbatim, others parse it as HCL. */
function assignRaw(
  v: InputVariable,
  raw: string,
  from: ValueSource,
  filename: string,
): Diagnostic[] {
  // As in Packer: without a type, or for strings and numbers, the text is a string literal.
  if (v.type.isString() || v.type.isNumber() || v.type.isDynamic()) {
    return assign(v, Value.string(raw), from, undefined);
  }
  const parsed = parseExpression(Buffer.from(raw), filename);
  if (hasErrors(parsed.diags)) return parsed.diags;
  const r = parsed.expr.value(undefined);
  if (hasErrors(r.diags)) return r.diags;
  return assign(v, r.value, from, parsed.expr.range);
}

function assign(
  v: InputVariable,
  value: Value,
  from: ValueSource,
  range: Range | undefined,
): Diagnostic[] {
  const c = convert(value, v.type);
  if ("error" in c) {
    // Packer words a bad -var differently, and has no place in a file to show.
    if (from === "cli") {
      return [
        errorDiag(
          "Invalid argument value for -var variable",
          `The received arg value for ${v.name} is not compatible with the variable's type constraint: ${c.error}.`,
        ),
      ];
    }
    return [
      errorDiag(
        "Invalid value for variable",
        `The value for ${v.name} is not compatible with the variable's type constraint: ${c.error}.`,
        range ?? v.declRange,
      ),
    ];
  }
  v.value = c.value;
  v.valueSource = from;
  v.valueRange = range ?? v.declRange;
  return [];
}

function applyVarArg(cfg: HCL2Config, text: string): Diagnostic[] {
  const eq = text.indexOf("=");
  const name = eq < 0 ? text : text.slice(0, eq);
  const raw = eq < 0 ? "" : text.slice(eq + 1);
  const v = cfg.variables.get(name);
  if (!v) {
    return [
      errorDiag(
        "Undefined -var variable",
        `A ${JSON.stringify(name)} variable was passed in but was not found in known variables. To declare variable ${JSON.stringify(name)}, place this block in one of your .pkr.hcl files, such as variables.pkr.hcl\n\nvariable ${JSON.stringify(name)} {\n  type    = string\n  default = null\n}`,
      ),
    ];
  }
  return assignRaw(v, raw, "cli", `<value for var.${name} from arguments>`);
}

/** Reads a var file (HCL or JSON by suffix) and assigns its attributes. */
export function applyVarFile(
  cfg: HCL2Config,
  path: string,
  warnUndeclared: boolean,
  cwd: string,
): Diagnostic[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, path));
  } catch (err) {
    return [
      errorDiag(
        "Failed to read variables file",
        `The file ${path} could not be read: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message}`,
      ),
    ];
  }
  cfg.files.set(path, bytes);
  const parsed = parseHCLFile(path, bytes);
  if (hasErrors(parsed.diags)) return parsed.diags;
  // Declaring a variable in a var file is a common mistake, told apart from other errors.
  const declared = parsed.file.body.partialContent({
    blocks: [{ type: "variable", labelNames: ["name"] }],
  });
  const declarations = declared.content.blocks.map((b) =>
    errorDiag(
      "Variable declaration in a .pkrvar file",
      `A .pkrvar file assigns values to variables declared in .pkr files; it cannot declare variables. To declare variable ${JSON.stringify(b.labels[0])}, move this block to one of your .pkr.hcl files, such as variables.pkr.hcl. To set its value in ${path}, write:\n    ${b.labels[0]} = <value>`,
      b.typeRange,
    ),
  );
  if (declarations.length) return declarations;
  const { attributes, diags } = parsed.file.body.justAttributes();
  for (const attr of sortedAttributes(attributes)) {
    const v = cfg.variables.get(attr.name);
    if (!v) {
      if (warnUndeclared) {
        // As in Packer, the warning has no source excerpt: the declaration to add is the point.
        diags.push({
          severity: "warning",
          summary: "Undefined variable",
          detail: `The variable ${JSON.stringify(attr.name)} was set but was not declared as an input variable.\nTo declare variable ${JSON.stringify(attr.name)} place this block in one of your .pkr.hcl files, such as variables.pkr.hcl\n\nvariable ${JSON.stringify(attr.name)} {\n  type    = string\n  default = null\n}`,
          context: attr.range,
        });
      }
      continue;
    }
    const r = attr.expr.value(undefined);
    diags.push(...r.diags);
    if (hasErrors(r.diags)) continue;
    diags.push(...assign(v, r.value, "varfile", attr.expr.range));
  }
  return diags;
}

/** The value a variable has for evaluation: sensitive ones are marked (deeply), unset ones unknown. */
export function variableValue(v: InputVariable): Value {
  let val = v.value ?? Value.unknown(v.type);
  if (v.value && v.typeDefaults && v.value.isKnown() && !v.value.isNull()) {
    val = applyTypeDefaults(val, v.typeDefaults);
  }
  return v.sensitive ? markDeep(val, SENSITIVE) : val;
}

/** Marks a value and every value inside it, so each part prints as <sensitive>. */
export function markDeep(v: Value, mark: string): Value {
  if (!v.isKnown() || v.isNull()) return v.mark(mark);
  const t = v.type;
  if ((t.isList() || t.isSet() || t.isTuple()) && v.lengthInt() > 0) {
    const els = v.elements().map((e) => markDeep(e, mark));
    const out = t.isList() ? Value.list(els) : t.isSet() ? Value.set(els) : Value.tuple(els);
    return out;
  }
  if ((t.isMap() || t.isObject()) && v.lengthInt() > 0) {
    const rec: Record<string, Value> = {};
    for (const [k, e] of v.entries()) rec[k] = markDeep(e, mark);
    return t.isMap() ? Value.map(rec) : Value.object(rec);
  }
  return v.mark(mark);
}

/** Fills null optional object attributes with their optional(type, default) defaults, at every depth. */
export function applyTypeDefaults(v: Value, d: TypeDefaults): Value {
  if (!v.isKnown() || v.isNull()) return v;
  const t = v.type;
  if (t.isObject()) {
    const rec: Record<string, Value> = {};
    for (const [k, e] of v.entries()) {
      let x = e;
      const def = d.defaultValues.get(k);
      if (def !== undefined && x.isNull()) {
        const c = convert(def, t.attributeType(k));
        x = "error" in c ? x : c.value;
      }
      const child = d.children.get(k);
      rec[k] = child ? applyTypeDefaults(x, child) : x;
    }
    return Value.object(rec);
  }
  const child = d.children.get("");
  if (!child) return v;
  if ((t.isList() || t.isSet() || t.isTuple()) && v.lengthInt() > 0) {
    const els = v.elements().map((e) => applyTypeDefaults(e, child));
    return t.isList() ? Value.list(els) : t.isSet() ? Value.set(els) : Value.tuple(els);
  }
  if (t.isMap() && v.lengthInt() > 0) {
    const rec: Record<string, Value> = {};
    for (const [k, e] of v.entries()) rec[k] = applyTypeDefaults(e, child);
    return Value.map(rec);
  }
  return v;
}

/** The checks Packer makes once every value is in: unset variables, non-nullable nulls, validation rules. */
export function validateVariableValues(cfg: HCL2Config): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const v of cfg.variables.values()) {
    if (v.value === undefined) {
      diags.push(
        errorDiag(
          `Unset variable ${JSON.stringify(v.name)}`,
          "A used variable must be set or have a default value; see https://packer.io/docs/templates/hcl_templates/syntax for details.",
          v.declRange,
        ),
      );
      continue;
    }
    if (!v.nullable && v.value.isNull()) {
      diags.push(
        errorDiag(
          "Invalid value for variable",
          `The variable "${v.name}" is not nullable, but its value is null.`,
          v.valueRange ?? v.declRange,
        ),
      );
      continue;
    }
    diags.push(...runValidations(cfg, v));
  }
  return diags;
}

function runValidations(cfg: HCL2Config, v: InputVariable): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const self = variableValue(v);
  const ctx = {
    variables: { var: Value.object({ [v.name]: self }) },
    functions: standardFunctionsFor(cfg),
  };
  for (const rule of v.validations) {
    const r = rule.condition.value(ctx);
    if (hasErrors(r.diags)) {
      diags.push(...r.diags);
      continue;
    }
    if (!r.value.isKnown()) continue; // Decided once the value is known.
    if (r.value.isNull()) {
      diags.push(
        errorDiag(
          "Invalid variable validation result",
          "Validation condition expression must return either true or false, not null.",
          rule.condition.range,
        ),
      );
      continue;
    }
    const cond = convert(r.value.withoutMarks(), Type.bool);
    if ("error" in cond) {
      diags.push(
        errorDiag(
          "Invalid variable validation result",
          `Invalid validation condition result value: ${cond.error}.`,
          rule.condition.range,
        ),
      );
      continue;
    }
    if (!cond.value.isKnown() || cond.value.isTrue()) continue;
    const msg = messageText(rule.errorMessage, ctx, diags);
    if (msg === undefined) continue;
    const where = `${rule.range.filename}:${rule.range.start.line},${rule.range.start.column}-${rule.range.end.column}`;
    diags.push(
      errorDiag(
        "Invalid value for variable",
        `${msg}\n\nThis was checked by the validation rule at ${where}.`,
        v.valueRange ?? v.declRange,
      ),
    );
  }
  return diags;
}

function messageText(
  expr: Expression,
  ctx: { variables: Record<string, Value> },
  diags: Diagnostic[],
): string | undefined {
  const r = expr.value(ctx);
  if (hasErrors(r.diags)) {
    diags.push(...r.diags);
    return undefined;
  }
  const c = convert(r.value, Type.string);
  if ("error" in c || c.value.isNull() || !c.value.isKnown()) {
    diags.push(
      errorDiag(
        "Invalid validation error message",
        "The error_message must be a string.",
        expr.range,
      ),
    );
    return undefined;
  }
  return c.value.isMarked() ? "<sensitive>" : c.value.asString();
}

function standardFunctionsFor(cfg: HCL2Config) {
  return { ...standardFunctions(cfg.basedir), env: envFunction(cfg.env) };
}
