// The functions a Packer legacy template can call: Go text/template's builtins
// (and, or, not, len, index, slice, print, printf, println, html, js,
// urlquery, eq, ne, lt, le, gt, ge, call) and Packer's own (user, env,
// build_name, build_type, build, timestamp, isotime, strftime, uuid, pwd,
// template_dir, packer_version, split, replace, replace_all, upper, lower, sed,
// vault, consul_key, aws_secretsmanager), plus the builder-provided
// clean_resource_name. Error texts are Packer's and Go's.

import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { legacyInitTime } from "../../../hcl/functions/datetime.js";
import {
  formatGoLayout,
  formatRFC3339,
  type GoTime,
  goTimeFromDate,
  strftime,
} from "../../../hcl/functions/datetime-go.js";
import { PACKER_COMPAT_VERSION } from "../../../version.js";
import {
  DEFERRED,
  type Deferred,
  formatV,
  type GoValue,
  goTypeName,
  isMap,
  sprint,
  sprintf,
  sprintln,
  truth,
} from "./value.js";

/**
 * How an argument is checked, as Go checks a parameter's type:
 * "string" and "int" take only values of that type; "any" is interface{}
 * (nil allowed); "value" is reflect.Value (anything but a literal nil).
 */
export type ParamType = "string" | "int" | "any" | "value";

/** A failure inside a function, reported as `error calling NAME: MESSAGE`. */
export class FuncError extends Error {}

/** Everything a function may consult. */
export interface InterpolateContext {
  /** The user variables `{{user "name"}}` reads. */
  userVariables?: Readonly<Record<string, string>>;
  /**
   * True while Packer renders variable defaults: `env`, `vault`, `consul_key`
   * and `aws_secretsmanager` are allowed there only, and `user` of an unset
   * variable is an error (elsewhere it is the empty string).
   */
  enableEnv?: boolean;
  /** The environment `env` reads; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The build's name (`build_name`); DEFERRED when it is not known yet. */
  buildName?: string | Deferred;
  /** The builder type (`build_type`); DEFERRED when it is not known yet. */
  buildType?: string | Deferred;
  /** Path of the template file, for `template_dir`. */
  templatePath?: string;
  /** What `packer_version` returns; defaults to the Packer version kiln follows. */
  packerVersion?: string;
  /**
   * The template's data, `{{ .Name }}`: a plain record, or DEFERRED when the
   * values only exist at build time (every field access then defers).
   * `build "X"` reads this record too, as Packer does.
   */
  data?: GoValue;
  /** Extra or overriding functions (e.g. a builder's clean_resource_name). */
  funcs?: Readonly<Record<string, TemplateFunction>>;
  /** The run's start time, for timestamp/isotime/strftime (one per run). */
  now?: Date;
  /** The working directory `pwd` reports; defaults to process.cwd(). */
  cwd?: string;
  /** Produces `uuid` values; defaults to Packer's time-ordered UUIDs. */
  uuid?: () => string;
}

export interface TemplateFunction {
  params: readonly ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  /** and/or: arguments are evaluated lazily and the function short-circuits. */
  lazy?: "and" | "or";
  /** Called with checked arguments (never DEFERRED: the evaluator defers first). */
  call(args: GoValue[], ctx: InterpolateContext): GoValue;
}

const fn = (
  params: readonly ParamType[],
  call: (args: GoValue[], ctx: InterpolateContext) => GoValue,
  variadic?: ParamType,
): TemplateFunction => (variadic ? { params, call, variadic } : { params, call });

const str = (v: GoValue): string => v as string;

// ---------------------------------------------------------------------------
// Go builtins

function lengthOf(item: GoValue): bigint {
  if (item === undefined) throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  if (item === null) throw new FuncError("len of nil pointer");
  if (typeof item === "string") return BigInt(Buffer.byteLength(item, "utf8"));
  if (Array.isArray(item)) return BigInt(item.length);
  if (isMap(item)) return BigInt(Object.keys(item).length);
  throw new FuncError(`len of type ${goTypeName(item)}`);
}

function indexArg(index: GoValue, cap: number): number {
  if (index === undefined || index === null) {
    throw new FuncError("cannot index slice/array with nil");
  }
  if (typeof index !== "bigint") {
    throw new FuncError(`cannot index slice/array with type ${goTypeName(index)}`);
  }
  if (index < 0n || index > BigInt(cap)) throw new FuncError(`index out of range: ${index}`);
  return Number(index);
}

function indexOf(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError("index of untyped nil");
  for (const index of indexes) {
    if (item === null || item === undefined) throw new FuncError("index of nil pointer");
    if (typeof item === "string") {
      const bytes: Buffer = Buffer.from(item, "utf8");
      const x = indexArg(index, bytes.length);
      if (x >= bytes.length) throw new FuncError("reflect: string index out of range");
      item = BigInt(bytes[x] as number);
    } else if (Array.isArray(item)) {
      const x = indexArg(index, item.length);
      if (x >= item.length) throw new FuncError("reflect: slice index out of range");
      item = item[x];
    } else if (isMap(item)) {
      if (index === undefined || index === null) {
        throw new FuncError("value is nil; should be of type string");
      }
      if (typeof index !== "string") {
        throw new FuncError(`value has type ${goTypeName(index)}; should be string`);
      }
      item = Object.hasOwn(item, index) ? item[index] : null;
    } else {
      throw new FuncError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function sliceOf(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | undefined;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    bytes = Buffer.from(item, "utf8");
    len = bytes.length;
  } else if (Array.isArray(item)) {
    len = item.length;
  } else {
    throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  const [a, b, c] = idx as [number, number, number];
  if (a > b) throw new FuncError(`invalid slice index: ${a} > ${b}`);
  if (indexes.length === 3 && b > c) throw new FuncError(`invalid slice index: ${b} > ${c}`);
  if (bytes) return bytes.subarray(a, b).toString("utf8");
  return (item as GoValue[]).slice(a, b);
}

type Kind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "invalid";
}

const errBadComparisonType = "invalid type for comparison";
const errBadComparison = "incompatible types for comparison";

function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function eq(args: GoValue[]): boolean {
  const [a1, ...rest] = args as [GoValue, ...GoValue[]];
  const arg1 = a1 === null ? undefined : a1;
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const raw of rest) {
    const arg = raw === null ? undefined : raw;
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg !== undefined) throw new FuncError(errBadComparison);
    } else if (k1 === "invalid") {
      if (arg1 === undefined || arg === undefined) t = arg1 === arg;
      else throw new FuncError(`non-comparable type ${formatV(arg)}: ${goTypeName(arg)}`);
    } else if (k1 === "string") {
      t = arg1 === arg;
    } else {
      t = arg1 === arg;
    }
    if (t) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const arg1 = a === null ? undefined : a;
  const arg2 = b === null ? undefined : b;
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError(errBadComparisonType);
  if (k1 !== k2) throw new FuncError(errBadComparison);
  if (k1 === "bool") throw new FuncError(errBadComparisonType);
  if (k1 === "string") return compareStrings(arg1 as string, arg2 as string) < 0;
  return (arg1 as number | bigint) < (arg2 as number | bigint);
}

/** The printable string of html/js/urlquery's arguments (Go's evalArgs). */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined ? "<no value>" : a)));
}

function htmlEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += "&#34;";
        break;
      case "'":
        out += "&#39;";
        break;
      case "&":
        out += "&amp;";
        break;
      case "<":
        out += "&lt;";
        break;
      case ">":
        out += "&gt;";
        break;
      case "\u0000":
        out += "\ufffd";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (cp < 0x80 || PRINTABLE.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export const BUILTINS: Readonly<Record<string, TemplateFunction>> = {
  and: { params: ["value"], variadic: "value", lazy: "and", call: (a) => a[a.length - 1] },
  or: { params: ["value"], variadic: "value", lazy: "or", call: (a) => a[a.length - 1] },
  not: fn(["value"], ([a]) => !truth(a)),
  len: fn(["value"], ([a]) => lengthOf(a)),
  index: fn(["value"], ([item, ...ix]) => indexOf(item, ix), "value"),
  slice: fn(["value"], ([item, ...ix]) => sliceOf(item, ix), "value"),
  print: fn([], (a) => sprint(a), "any"),
  printf: fn(["string"], ([f, ...a]) => sprintf(str(f), a), "any"),
  println: fn([], (a) => sprintln(a), "any"),
  html: fn([], (a) => htmlEscape(evalArgs(a)), "any"),
  js: fn([], (a) => jsEscape(evalArgs(a)), "any"),
  urlquery: fn([], (a) => queryEscape(evalArgs(a)), "any"),
  eq: fn(["value"], (a) => eq(a), "value"),
  ne: fn(["value", "value"], ([a, b]) => !eq([a, b])),
  lt: fn(["value", "value"], ([a, b]) => lt(a, b)),
  le: fn(["value", "value"], ([a, b]) => lt(a, b) || eq([a, b])),
  gt: fn(["value", "value"], ([a, b]) => !(lt(a, b) || eq([a, b]))),
  ge: fn(["value", "value"], ([a, b]) => !lt(a, b)),
  call: fn(
    ["value"],
    ([f]) => {
      if (f === undefined || f === null) throw new FuncError("call of nil");
      throw new FuncError(`non-function of type ${goTypeName(f)}`);
    },
    "value",
  ),
};

// ---------------------------------------------------------------------------
// Packer's functions

let defaultStart: GoTime | undefined;

/** The time of this run, shared with HCL's legacy_isotime so both agree. */
function startTime(ctx: InterpolateContext): GoTime {
  if (ctx.now) return goTimeFromDate(ctx.now);
  defaultStart ??= legacyInitTime();
  return defaultStart;
}

/** Packer's uuid.TimeOrderedUUID: 8 hex digits of UNIX time, then random. */
export function timeOrderedUUID(now = new Date()): string {
  const unix = (Math.floor(now.getTime() / 1000) >>> 0).toString(16).padStart(8, "0");
  const b = randomBytes(12).toString("hex");
  return `${unix}-${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8, 12)}-${b.slice(12, 24)}`;
}

/** Go's strings.Split. */
function goSplit(s: string, sep: string): string[] {
  if (sep === "") return [...s];
  return s.split(sep);
}

/** Go's strings.Replace (n < 0: all). */
function goReplace(s: string, old: string, nw: string, n: number): string {
  if (old === nw || n === 0) return s;
  if (old === "") {
    const chars = [...s];
    let out = "";
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out += nw;
        done++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let out = "";
  let i = 0;
  let done = 0;
  while (n < 0 || done < n) {
    const j = s.indexOf(old, i);
    if (j < 0) break;
    out += s.slice(i, j) + nw;
    i = j + old.length;
    done++;
  }
  return out + s.slice(i);
}

/** Go's unicode case mapping: per code point, only one-to-one mappings. */
function goCase(s: string, upper: boolean): string {
  let out = "";
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

function offline(service: string, fnName: string): never {
  throw new FuncError(
    `${fnName} is not available in kiln: reading secrets from ${service} needs network access, and kiln does not contact ${service}. Pass the value with -var or -var-file instead`,
  );
}

function stringMap(data: GoValue): Record<string, GoValue> | undefined {
  return isMap(data) ? data : undefined;
}

export const PACKER_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  build_name: fn([], (_a, ctx) => {
    if (ctx.buildName === DEFERRED) return DEFERRED;
    if (!ctx.buildName) throw new FuncError("build_name not available");
    return ctx.buildName;
  }),
  build_type: fn([], (_a, ctx) => {
    if (ctx.buildType === DEFERRED) return DEFERRED;
    if (!ctx.buildType) throw new FuncError("build_type not available");
    return ctx.buildType;
  }),
  env: fn(["string"], ([k], ctx) => {
    if (!ctx.enableEnv) throw new FuncError("env vars are not allowed here");
    return (ctx.env ?? process.env)[str(k)] ?? "";
  }),
  isotime: fn(
    [],
    (format, ctx) => {
      if (format.length === 0) return formatRFC3339(startTime(ctx));
      if (format.length > 1) {
        throw new FuncError(`too many values, 1 needed: [${format.map((f) => str(f)).join(" ")}]`);
      }
      return formatGoLayout(startTime(ctx), str(format[0]));
    },
    "string",
  ),
  strftime: fn(["string"], ([f], ctx) => strftime(str(f), startTime(ctx))),
  pwd: fn([], (_a, ctx) => ctx.cwd ?? process.cwd()),
  split: fn(["string", "string", "int"], ([k, s, i]) => {
    const parts = goSplit(str(k), str(s));
    const ix = i as bigint;
    if (BigInt(parts.length) <= ix) {
      throw new FuncError(
        `the substring ${ix} was unavailable using the separator value, ${str(s)}, only ${parts.length} values were found`,
      );
    }
    if (ix < 0n) throw new FuncError(`runtime error: index out of range [${ix}]`);
    return parts[Number(ix)] as string;
  }),
  template_dir: fn([], (_a, ctx) => {
    if (!ctx.templatePath) throw new FuncError("template path not available");
    return resolve(dirname(ctx.templatePath));
  }),
  timestamp: fn([], (_a, ctx) => String(startTime(ctx).sec)),
  uuid: fn([], (_a, ctx) => (ctx.uuid ? ctx.uuid() : timeOrderedUUID())),
  user: fn(["string"], ([k], ctx) => {
    const vars = ctx.userVariables ?? {};
    const key = str(k);
    if (Object.hasOwn(vars, key)) return vars[key] as string;
    if (ctx.enableEnv) throw new FuncError(`Error: variable not set: ${key}`);
    return "";
  }),
  packer_version: fn([], (_a, ctx) => {
    const v = ctx.packerVersion ?? PACKER_COMPAT_VERSION;
    if (v === "") throw new FuncError("packer_version not available");
    return v;
  }),
  consul_key: fn(["string"], (_a, ctx) => {
    if (!ctx.enableEnv) throw new FuncError("consul_key is not allowed here");
    return offline("Consul", "consul_key");
  }),
  vault: fn(["string", "string"], (_a, ctx) => {
    if (!ctx.enableEnv) throw new FuncError("Vault vars are only allowed in the variables section");
    return offline("Vault", "vault");
  }),
  aws_secretsmanager: fn(
    [],
    (secret, ctx) => {
      if (!ctx.enableEnv) {
        throw new FuncError("AWS Secrets Manager is only allowed in the variables section");
      }
      if (secret.length === 0) throw new FuncError("secret name must be provided");
      if (secret.length > 2) {
        throw new FuncError("only secret name and optional secret key can be provided.");
      }
      return offline("AWS Secrets Manager", "aws_secretsmanager");
    },
    "string",
  ),
  aws_secretsmanager_raw: fn(["string"], (_a, ctx) => {
    if (!ctx.enableEnv) {
      throw new FuncError("AWS Secrets Manager is only allowed in the variables section");
    }
    return offline("AWS Secrets Manager", "aws_secretsmanager_raw");
  }),
  sed: fn(["string", "string"], () => {
    throw new FuncError(
      "template function `sed` is deprecated use `replace` or `replace_all` instead.Documentation: https://www.packer.io/docs/templates/engine",
    );
  }),
  build: fn(["string"], ([s], ctx) => {
    const key = str(s);
    if (ctx.data === DEFERRED) return DEFERRED;
    const data = stringMap(ctx.data);
    if (!data) {
      throw new FuncError(
        `Error validating build variable: the given variable ${key} will not be passed into your plugin.`,
      );
    }
    const v = data[key];
    if (v === DEFERRED) return DEFERRED;
    if (typeof v === "string") return v;
    throw new FuncError(`loaded data, but couldnt find ${key} in it.`);
  }),
  replace: fn(["string", "string", "int", "string"], ([o, n, c, s]) =>
    goReplace(str(s), str(o), str(n), Number(c as bigint)),
  ),
  replace_all: fn(["string", "string", "string"], ([o, n, s]) =>
    goReplace(str(s), str(o), str(n), -1),
  ),
  upper: fn(["string"], ([s]) => goCase(str(s), true)),
  lower: fn(["string"], ([s]) => goCase(str(s), false)),
};

// ---------------------------------------------------------------------------
// clean_resource_name, which some builders add to their own configuration

const alnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

function cleanAmazon(s: string): string {
  const allowed = "()[] ./-'@_";
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && (alnum(c) || allowed.includes(c)) ? c : "-";
  }
  return out;
}

function cleanGoogle(s: string): string {
  if (/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s)) return s;
  let out = "";
  for (const b of Buffer.from(goCase(s, false), "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && /^[a-z0-9]$/.test(c) ? c : "-";
  }
  return out;
}

function cleanAzure(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && (alnum(c) || c === "." || c === "_" || c === "-") ? c : "-";
  }
  return out.replace(/[-_.]+$/, "");
}

/**
 * The extra template functions a builder type adds to its own configuration
 * (Packer's builders register `clean_resource_name` with their own rules).
 */
export function builderTemplateFuncs(builderType: string): Record<string, TemplateFunction> {
  let clean: ((s: string) => string) | undefined;
  if (builderType.startsWith("amazon-")) clean = cleanAmazon;
  else if (builderType === "googlecompute") clean = cleanGoogle;
  else if (builderType.startsWith("azure-")) clean = cleanAzure;
  if (!clean) return {};
  const f = clean;
  return { clean_resource_name: fn(["string"], ([s]) => f(str(s))) };
}

/** Whether `v` is the DEFERRED marker. */
export function isDeferred(v: GoValue): v is Deferred {
  return v === DEFERRED;
}
