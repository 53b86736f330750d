import type { Range } from "../pos.js";

// The syntax tree of HCL's JSON syntax: plain JSON values, each with its
// source range. Objects keep their properties in source order, duplicates
// included, and numbers keep their exact source text (HCL numbers are
// arbitrary-precision, so they must not go through a JS double here).

export type JSONNode =
  | JSONObject
  | JSONArray
  | JSONString
  | JSONNumber
  | JSONBool
  | JSONNull
  | JSONInvalid;

export interface JSONObjectAttr {
  name: string;
  value: JSONNode;
  /** The range of the property name, quotes included. */
  nameRange: Range;
}

export interface JSONObject {
  kind: "object";
  attrs: JSONObjectAttr[];
  /** From the opening brace to the closing brace, inclusive. */
  range: Range;
  openRange: Range;
  closeRange: Range;
}

export interface JSONArray {
  kind: "array";
  values: JSONNode[];
  /** From the opening bracket to the closing bracket, inclusive. */
  range: Range;
  openRange: Range;
}

export interface JSONString {
  kind: "string";
  /** The decoded string (escapes processed). */
  value: string;
  /** The range of the string token, quotes included. */
  range: Range;
}

export interface JSONNumber {
  kind: "number";
  /** The number exactly as written, e.g. "1e400" or "0.1"; already validated as JSON. */
  text: string;
  range: Range;
}

export interface JSONBool {
  kind: "bool";
  value: boolean;
  range: Range;
}

export interface JSONNull {
  kind: "null";
  range: Range;
}

/** A placeholder where the input was too broken to produce a value. */
export interface JSONInvalid {
  kind: "invalid";
  range: Range;
}

/** The range a diagnostic about the start of this node should point at. */
export function nodeStartRange(n: JSONNode): Range {
  switch (n.kind) {
    case "object":
    case "array":
      return n.openRange;
    default:
      return n.range;
  }
}
