// JSON as Go's encoding/json writes it with MarshalIndent(v, "", "  "), so a
// manifest written by kiln is byte for byte what Packer writes: `<`, `>` and
// `&` escaped as \u003c..., other control characters as \u00XX (Go 1.20, the
// Go of Packer 1.9.4), U+2028/U+2029 escaped, invalid UTF-16 replaced by
// U+FFFD, object keys in the order given (Go structs) or sorted by their
// UTF-8 bytes (Go maps).

/** A JSON value; a Go map is a GoMap so that its keys are written sorted. */
export type GoJSON = null | boolean | number | string | GoJSON[] | GoStruct | GoMap;

/** Fields written in insertion order (a Go struct). */
export interface GoStruct {
  readonly [key: string]: GoJSON;
}

/** Entries written with their keys sorted bytewise (a Go map). */
export class GoMap {
  constructor(readonly entries: Readonly<Record<string, string>>) {}
}

const HEX = "0123456789abcdef";

/** A string literal as Go's encoder writes it (with HTML escaping). */
export function goQuoteJSON(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x0d) out += "\\r";
      else if (c === 0x09) out += "\\t";
      else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
        out += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      } else out += s[i];
      continue;
    }
    if (c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16)}`;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += "\ufffd";
      continue;
    }
    out += c >= 0xdc00 && c <= 0xdfff ? "\ufffd" : s[i];
  }
  return `${out}"`;
}

/** Keys in the order Go's encoder writes a map's: by their UTF-8 bytes. */
function sortedKeys(record: Readonly<Record<string, string>>): string[] {
  return Object.keys(record).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `v` as MarshalIndent(v, "", "  ") writes it (no newline at the end, as Go). */
export function goMarshalIndent(v: GoJSON, indent = ""): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === "string") return goQuoteJSON(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => inner + goMarshalIndent(x, inner));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const pairs: [string, GoJSON][] =
    v instanceof GoMap
      ? sortedKeys(v.entries).map((k) => [k, v.entries[k]!])
      : Object.entries(v as GoStruct);
  if (pairs.length === 0) return "{}";
  const items = pairs.map(([k, x]) => `${inner}${goQuoteJSON(k)}: ${goMarshalIndent(x, inner)}`);
  return `{\n${items.join(",\n")}\n${indent}}`;
}
