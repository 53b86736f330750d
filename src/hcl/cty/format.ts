// Rendering values as `packer console` prints them, and in the short form
// HCL uses in diagnostic detail lines ("var.x is "foo"").

import { goQuote } from "./quote.js";
import type { Value } from "./value.js";

export interface ConsoleFormatOptions {
  /**
   * Print marked (sensitive) values as `<sensitive>` instead of their content.
   * Packer itself masks sensitive variable values textually; this is the
   * mark-based equivalent. Default false.
   */
  redactMarked?: boolean;
}

/**
 * Format a value exactly as `packer console` prints it: a top-level string
 * raw, nested strings Go-quoted, numbers as int64 or %g, lists/tuples/sets as
 * `[\n  elem,\n]`, maps/objects as `{\n  "k" = v\n}` with null attributes
 * omitted, and `<unknown>` if anything inside is unknown.
 */
export function formatForConsole(v: Value, opts: ConsoleFormatOptions = {}): string {
  if (!v.isWhollyKnown()) return "<unknown>";
  return fmt(v, false, opts.redactMarked === true);
}

function fmt(v: Value, nested: boolean, redact: boolean): string {
  if (redact && v.isMarked()) return nested ? '"<sensitive>"' : "<sensitive>";
  if (v.isNull()) return "null";
  switch (v.type.kind) {
    case "string":
      return nested ? goQuote(v.asString()) : v.asString();
    case "number":
      return v.asBigNum().toConsoleString();
    case "bool":
      return v.asBool() ? "true" : "false";
    case "list":
    case "set":
    case "tuple": {
      const es = v.elements();
      if (es.length === 0) return "[]";
      let out = "[\n";
      for (const e of es) out += `${indent(fmt(e, true, redact))},\n`;
      return `${out}]`;
    }
    case "map":
    case "object": {
      let out = "{";
      let any = false;
      for (const [k, e] of v.rawMap()) {
        if (e.isNull() && !(redact && e.isMarked())) continue;
        if (!any) out += "\n";
        any = true;
        out += `${indent(`${goQuote(k)} = ${fmt(e, true, redact)}`)}\n`;
      }
      return `${out}}`;
    }
    default:
      return "<unknown>";
  }
}

function indent(s: string): string {
  if (!s.includes("\n")) return `  ${s}`;
  const lines = s.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => `  ${l}`).join("\n");
}

/**
 * HCL's concise rendering of a value for diagnostic details: strings quoted,
 * numbers with 10 significant digits, collections described by type and
 * length ("list of string with 3 elements"), objects by attribute count.
 */
export function formatForDiagnostic(v: Value): string {
  const t = v.type;
  if (v.isNull()) return "null";
  if (!v.isKnown()) return "(not yet known)";
  switch (t.kind) {
    case "bool":
      return v.asBool() ? "true" : "false";
    case "number":
      return v.asBigNum().toStringG10();
    case "string":
      return goQuote(v.asString());
    case "list":
    case "set":
    case "map":
    case "tuple": {
      const l = v.lengthInt();
      if (l === 0) return `empty ${t.friendlyName()}`;
      if (l === 1) return `${t.friendlyName()} with 1 element`;
      return `${t.friendlyName()} with ${l} elements`;
    }
    case "object": {
      const names = Object.keys(t.attributeTypes());
      if (names.length === 0) return "object with no attributes";
      if (names.length === 1) return `object with 1 attribute ${goQuote(names[0] as string)}`;
      return `object with ${names.length} attributes`;
    }
    default:
      return t.friendlyName();
  }
}

/**
 * One statement of HCL's "with the following variables" diagnostic list for
 * a variable reference `name` whose value is v (e.g. `var.x is "foo"`).
 */
export function describeVariableForDiagnostic(name: string, v: Value): string {
  if (v.isMarked()) return `${name} has a sensitive value`;
  if (!v.isKnown()) {
    if (!v.type.isDynamic()) return `${name} is a ${v.type.friendlyName()}, known only after apply`;
    return `${name} will be known only after apply`;
  }
  return `${name} is ${formatForDiagnostic(v)}`;
}
