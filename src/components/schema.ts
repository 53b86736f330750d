// The configuration schema every component declares: Packer's option names,
// types, defaults and the Prepare-time checks that need no side effects. It
// is the single source of truth for HCL decoding (decode-hcl.ts), legacy
// JSON decoding (decode-json.ts), "unsupported argument" errors and the
// documentation table (docs.ts).

import { Type } from "../hcl/cty/type.js";

export type ComponentKind = "builder" | "provisioner" | "post-processor" | "datasource";

/** A decoded configuration value, as plain JSON-like data. */
export type PlainValue =
  | string
  | number
  | boolean
  | null
  | PlainValue[]
  | { [k: string]: PlainValue };

export type PlainConfig = Record<string, PlainValue>;

export interface FieldSpec {
  /** The cty type the value is converted to (Packer's generated HCL2 spec type). */
  type: Type;
  /** One line, for the documentation table. */
  doc: string;
  /** Packer refuses the configuration without it. */
  required?: boolean;
  /** Applied by the decoders when the option is absent. */
  default?: PlainValue;
  /** Passwords and keys: their values must be redacted from output. */
  sensitive?: boolean;
  /** Deprecated older names that still work: mapped to this field, with a warning. */
  aliases?: string[];
  /**
   * A Go duration string ("5m", "1h30s"). The decoders reject one that does not
   * parse, as Packer's decoder does; a JSON number counts nanoseconds.
   */
  duration?: boolean;
  /** Also accept a single value where a list is expected (the option used to be a scalar). */
  acceptSingle?: boolean;
  /**
   * The name Packer's JSON decoder gives this field in its messages when that is
   * not the option name: Go fields without a mapstructure tag go by their Go
   * name ("Inline"), though they match the option case-insensitively.
   */
  goName?: string;
}

export interface BlockSpec {
  schema: ConfigSchema;
  nesting: "single" | "list";
  doc: string;
  required?: boolean;
}

export interface ConfigSchema {
  fields: Record<string, FieldSpec>;
  blocks?: Record<string, BlockSpec>;
  /**
   * Packer's Prepare-time derivations: defaults that depend on other options
   * and values copied from deprecated ones. Runs before the static defaults
   * are applied, so an absent key means the user did not set it. `given`
   * names the options the user set (aliases under their canonical name).
   */
  finalize?(config: PlainConfig, given: ReadonlySet<string>): void;
  /**
   * Packer's Prepare-time checks that don't need side effects, worded as the
   * Packer plugin words them, in its order. Runs after defaults; checks skip
   * values that are UNKNOWN.
   */
  check?(config: PlainConfig, given: ReadonlySet<string>): string[];
  /** Prepare-time warnings, worded as the plugin words them. */
  warn?(config: PlainConfig, given: ReadonlySet<string>): string[];
  /**
   * The plugin returns its first failed check as a bare error rather than in
   * Packer's "N error(s) occurred:" list.
   */
  singleError?: boolean;
  /** Text the plugin puts before its decoding errors (shell-local's "Error decoding config: "). */
  decodeErrorPrefix?: string;
}

export interface ComponentSchema {
  kind: ComponentKind;
  /** The type name used in templates: "docker", "shell-local", ... */
  type: string;
  /** Source address of the Packer plugin that provides it, or "builtin" for Packer core components. */
  plugin: string;
  config: ConfigSchema;
  /** Data sources only: the attributes the data source produces. */
  output?: ConfigSchema;
  /** Builders only: the `build.*` keys the builder makes known while it runs, beyond the common ones. */
  generatedData?: string[];
}

/**
 * Stands in for a value that is not known yet (e.g. a data source not
 * executed during validate). The same placeholder Packer writes for unknown
 * values when it hands an HCL configuration to a plugin.
 */
export const UNKNOWN = "74D93920-ED26-11E3-AC10-0800200C9A66";

// ---------------------------------------------------------------- declaring fields

type Extra = Omit<FieldSpec, "type" | "doc">;

/** Shorthands for declaring fields: `field.string("doc", { default: "x" })`. */
export const field = {
  string: (doc: string, extra?: Extra): FieldSpec => ({ type: Type.string, doc, ...extra }),
  number: (doc: string, extra?: Extra): FieldSpec => ({ type: Type.number, doc, ...extra }),
  /** Bools default to false, Go's zero value, unless told otherwise. */
  bool: (doc: string, extra?: Extra): FieldSpec => ({
    type: Type.bool,
    doc,
    default: false,
    ...extra,
  }),
  duration: (doc: string, extra?: Extra): FieldSpec => ({
    type: Type.string,
    doc,
    duration: true,
    ...extra,
  }),
  stringList: (doc: string, extra?: Extra): FieldSpec => ({
    type: Type.list(Type.string),
    doc,
    ...extra,
  }),
  numberList: (doc: string, extra?: Extra): FieldSpec => ({
    type: Type.list(Type.number),
    doc,
    ...extra,
  }),
  stringMap: (doc: string, extra?: Extra): FieldSpec => ({
    type: Type.map(Type.string),
    doc,
    ...extra,
  }),
};

/** Several schema fragments' fields as one record (later fragments win on a clash). */
export function mergeFields(...parts: Record<string, FieldSpec>[]): Record<string, FieldSpec> {
  return Object.assign({}, ...parts);
}

// ---------------------------------------------------------------- reading values in checks

/** The value stands in for something not known yet. */
export function isUnknown(v: PlainValue | undefined): boolean {
  return v === UNKNOWN;
}

/** Any part of the value is not known yet. */
export function hasUnknown(v: PlainValue | undefined): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** A string option's value, "" when unset (Go's zero value); UNKNOWN stays UNKNOWN. */
export function str(config: PlainConfig, key: string): string {
  const v = config[key];
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

/** A string option is set to a known, non-empty value. */
export function isSet(config: PlainConfig, key: string): boolean {
  const v = config[key];
  return typeof v === "string" && v !== "" && v !== UNKNOWN;
}

/** A list option's value, [] when unset or unknown. */
export function list(config: PlainConfig, key: string): PlainValue[] {
  const v = config[key];
  return Array.isArray(v) ? v : [];
}

/** A number option's value, 0 when unset or unknown. */
export function num(config: PlainConfig, key: string): number {
  const v = config[key];
  return typeof v === "number" ? v : 0;
}

/** A bool option is set to true. */
export function flag(config: PlainConfig, key: string): boolean {
  return config[key] === true;
}

/** A map option's entries, {} when unset or unknown. */
export function map(config: PlainConfig, key: string): Record<string, PlainValue> {
  const v = config[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : {};
}

/** The length Go would see (string, list or map), or undefined if it is not known. */
export function lengthOf(config: PlainConfig, key: string): number | undefined {
  const v = config[key];
  if (v === UNKNOWN) return undefined;
  if (v === undefined || v === null) return 0;
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return v.length;
  if (typeof v === "object") return Object.keys(v).length;
  return undefined;
}

// ---------------------------------------------------------------- Packer's error lists

/** Packer's MultiError text: "N error(s) occurred:\n\n* a\n* b". */
export function packerMultiError(messages: readonly string[]): string {
  return `${messages.length} error(s) occurred:\n\n${messages.map((m) => `* ${m}`).join("\n")}`;
}

/** The text a component's Prepare error reads, given its schema's error style. */
export function prepareErrorText(schema: ConfigSchema, messages: readonly string[]): string {
  if (schema.singleError) return messages[0] ?? "";
  return packerMultiError(messages);
}

/** mapstructure's decoding error text: "N error(s) decoding:\n\n* a" with the lines sorted. */
export function decodingErrorText(messages: readonly string[]): string {
  const points = messages.map((m) => `* ${m}`).sort();
  return `${messages.length} error(s) decoding:\n\n${points.join("\n")}`;
}

/** The generic warning for a deprecated alias, worded as Packer's plugins word it. */
export function aliasWarning(alias: string, name: string): string {
  return (
    `${alias} is deprecated and is being replaced by ${name}. ` +
    `Please, update your template to use ${name}. ` +
    `In future versions of Packer, inclusion of ${alias} will error your builds.`
  );
}
