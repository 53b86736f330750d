// Go `flag`-package style parsing, as Packer's commands use it: `-name=value`,
// `-name value`, `--name`, boolean flags without a value, repeated flags
// collected in order, parsing stops at the first non-flag argument or `--`.

export type FlagKind = "bool" | "string" | "int" | "multi";

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  usage?: string;
  default?: string | boolean | number;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class FlagError extends Error {}

export interface ParsedFlags {
  values: FlagValues;
  /** Every occurrence in command-line order, for flags whose relative order matters (-var, -var-file). */
  ordered: { name: string; value: string }[];
  args: string[];
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  for (const s of specs) {
    if (s.kind === "multi") values[s.name] = [];
    else if (s.default !== undefined) values[s.name] = s.default;
  }
  const ordered: { name: string; value: string }[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") break;
    let body = arg.slice(arg[1] === "-" ? 2 : 1);
    if (body.length === 0 || body[0] === "-" || body[0] === "=") {
      throw new FlagError(`bad flag syntax: ${arg}`);
    }
    let value: string | undefined;
    const eq = body.indexOf("=");
    if (eq >= 0) {
      value = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    const spec = byName.get(body);
    if (!spec) {
      if (body === "help" || body === "h") throw new HelpRequested();
      throw new FlagError(`flag provided but not defined: -${body}`);
    }
    if (spec.kind === "bool") {
      if (value === undefined) values[spec.name] = true;
      else if (/^(1|t|T|true|TRUE|True)$/.test(value)) values[spec.name] = true;
      else if (/^(0|f|F|false|FALSE|False)$/.test(value)) values[spec.name] = false;
      else throw new FlagError(`invalid boolean value "${value}" for -${body}`);
      ordered.push({ name: spec.name, value: String(values[spec.name]) });
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${body}`);
      value = argv[++i]!;
    }
    if (spec.kind === "int") {
      if (!/^[+-]?\d+$/.test(value)) {
        throw new FlagError(`invalid value "${value}" for flag -${body}: parse error`);
      }
      values[spec.name] = Number.parseInt(value, 10);
    } else if (spec.kind === "multi") {
      (values[spec.name] as string[]).push(value);
    } else {
      values[spec.name] = value;
    }
    ordered.push({ name: spec.name, value });
  }
  return { values, ordered, args: argv.slice(i) };
}

export class HelpRequested extends Error {}

/** `-only=a,b` style lists. */
export function splitList(v: unknown): string[] {
  if (typeof v !== "string" || v === "") return [];
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
