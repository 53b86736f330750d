// A small HCL writer with the output conventions of hashicorp/hcl's hclwrite,
// which `packer hcl2_upgrade` builds its file with: how a value is spelled
// (string escapes, numbers in plain decimal, `{ k = v }` objects one key per
// line, keys sorted), and how Packer turns a JSON configuration map into a
// body (jsonBodyToHCL2Body: which nested maps and lists of maps become
// blocks). Strings are kept as slots so the Go-template translation can
// replace them once the whole block is known (see transpose.ts).

import { isValidIdentifier } from "../../hcl/syntax/parser.js";
import type { JSONValue } from "../legacy/index.js";

export type HValue =
  | { kind: "string"; value: string; template: boolean }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  /** Written as is, e.g. the `string` type keyword. */
  | { kind: "raw"; text: string }
  | { kind: "list"; items: HValue[] }
  | { kind: "object"; entries: [string, HValue][] };

export type HItem =
  | { kind: "attribute"; name: string; value: HValue }
  | { kind: "block"; type: string; labels: string[]; body: HItem[] }
  | { kind: "newline" };

/** A string in the written text; `template` strings go through the Go-template translation. */
export interface Slot {
  value: string;
  template: boolean;
  /** 1-based line of the block text the string is on. */
  line: number;
}

/** Written text: literal pieces and string slots (without their quotes). */
export type Part = string | Slot;

/** Go's sort.Strings order (bytewise on UTF-8). */
export function goCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export const str = (value: string, template = true): HValue => ({
  kind: "string",
  value: value.normalize("NFC"),
  template,
});

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * The body of a quoted HCL string for `s`, as hclwrite escapes it: quotes,
 * backslashes and control characters escaped, `${` and `%{` doubled.
 * `next` is the character that follows `s` in its whole string, so a
 * trailing `$` or `%` is doubled when a `{` comes after it.
 */
export function escapeString(s: string, next = ""): string {
  let out = "";
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    switch (ch) {
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "$":
      case "%": {
        const after = i + 1 < chars.length ? chars[i + 1] : next;
        out += after === "{" ? ch + ch : ch;
        continue;
      }
    }
    if (ch === " " || PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    out +=
      cp < 0x10000
        ? `\\u${cp.toString(16).padStart(4, "0")}`
        : `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out;
}

/** A number as hclwrite writes it: shortest digits, never an exponent (big.Float 'f', -1). */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return "-0";
  const s = String(n);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const neg = s.startsWith("-");
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${"0".repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + "0".repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return neg ? `-${out}` : out;
}

/** A JSON value as Packer's hcl2shim turns it into an HCL value (objects with sorted keys). */
export function hclValue(v: JSONValue): HValue {
  if (v === null) return { kind: "null" };
  switch (typeof v) {
    case "string":
      return str(v);
    case "number":
      return { kind: "number", value: v };
    case "boolean":
      return { kind: "bool", value: v };
  }
  if (Array.isArray(v)) return { kind: "list", items: v.map(hclValue) };
  return {
    kind: "object",
    entries: Object.keys(v)
      .sort(goCompare)
      .map((k) => [k, hclValue(v[k]!)]),
  };
}

const isScalar = (v: JSONValue): boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const isObject = (v: JSONValue): v is { [key: string]: JSONValue } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Packer's guess at the "most complex" element of a map or list: the last
 * map, list or null met, unless a plain value comes after a null. Go iterates
 * a map in random order; kiln uses the sorted key order.
 */
function mostComplex(values: readonly JSONValue[]): JSONValue | undefined {
  let found: JSONValue | undefined;
  for (const v of values) {
    if (isScalar(v) && found !== undefined && found !== null) continue;
    found = v;
  }
  return found;
}

/** Map keys Packer always writes as nested blocks (vSphere's and Azure's). */
const BLOCK_KEYS = new Set(["linux_options", "network_interface", "shared_image_gallery"]);

/**
 * A configuration map as body items, the way Packer's jsonBodyToHCL2Body
 * decides: keys sorted; a map becomes a nested block when it holds a map,
 * list or null (or is empty), else a `k = {}` attribute; a non-empty list
 * whose most complex element is a map becomes repeated blocks; empty lists
 * are left out; everything else is an attribute.
 */
export function configBody(cfg: { readonly [key: string]: JSONValue }): HItem[] {
  const items: HItem[] = [];
  for (const k of Object.keys(cfg).sort(goCompare)) {
    const v = cfg[k]!;
    if (isObject(v)) {
      const values = Object.keys(v)
        .sort(goCompare)
        .map((key) => v[key]!);
      const mc = BLOCK_KEYS.has(k) ? undefined : mostComplex(values);
      if (mc !== undefined && isScalar(mc)) {
        items.push({ kind: "attribute", name: k, value: hclValue(v) });
      } else {
        items.push({ kind: "block", type: k, labels: [], body: configBody(v) });
      }
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      // Packer crashes on a list that mixes maps with other values; kiln
      // writes such a list as an attribute.
      if (isObject(mostComplex(v) ?? null) && v.every(isObject)) {
        for (const elem of v) {
          items.push({ kind: "block", type: k, labels: [], body: configBody(elem) });
        }
        continue;
      }
    }
    items.push({ kind: "attribute", name: k, value: hclValue(v) });
  }
  return items;
}

/** Writes items as hclwrite lays them out before formatting, collecting string slots. */
export class Writer {
  readonly parts: Part[] = [];
  private line = 1;

  text(s: string): this {
    this.parts.push(s);
    for (const ch of s) if (ch === "\n") this.line++;
    return this;
  }

  quoted(value: string, template: boolean): this {
    this.parts.push('"', { value, template, line: this.line }, '"');
    return this;
  }

  value(v: HValue): this {
    switch (v.kind) {
      case "string":
        return this.quoted(v.value, v.template);
      case "number":
        return this.text(formatNumber(v.value));
      case "bool":
        return this.text(v.value ? "true" : "false");
      case "null":
        return this.text("null");
      case "raw":
        return this.text(v.text);
      case "list":
        this.text("[");
        v.items.forEach((item, i) => {
          if (i > 0) this.text(", ");
          this.value(item);
        });
        return this.text("]");
      case "object":
        this.text(v.entries.length > 0 ? "{\n" : "{");
        for (const [key, item] of v.entries) {
          if (isValidIdentifier(key)) this.text(key);
          else this.quoted(key.normalize("NFC"), true);
          this.text(" = ").value(item).text("\n");
        }
        return this.text("}");
    }
  }

  items(items: readonly HItem[]): this {
    for (const item of items) {
      switch (item.kind) {
        case "newline":
          this.text("\n");
          break;
        case "attribute":
          this.text(`${item.name} = `).value(item.value).text("\n");
          break;
        case "block":
          this.text(item.type);
          for (const l of item.labels) this.text(" ").quoted(l.normalize("NFC"), false);
          this.text(" {\n").items(item.body).text("}\n");
          break;
      }
    }
    return this;
  }
}

/** Writes the parts with every string escaped as it is (no translation). */
export function plainText(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === "string" ? p : escapeString(p.value))).join("");
}

/** Renders items to plain HCL text (no string is translated). */
export function renderItems(items: readonly HItem[]): string {
  return plainText(new Writer().items(items).parts);
}
