import type { Diagnostic } from "../diagnostic.js";
import type { Pos, Range } from "../pos.js";
import { rangeBetween, startPos } from "../pos.js";
import type { Expression, ParseResult } from "../structure.js";
import type { JSONArray, JSONNode, JSONObject, JSONObjectAttr } from "./ast.js";
import { nodeStartRange } from "./ast.js";
import { goQuote, nameSuggestion } from "./didyoumean.js";
import { JSONExpression } from "./expression.js";
import { Scanner, type Token } from "./scanner.js";
import { JSONBody } from "./structure.js";

// The parser for HCL's JSON syntax. It follows the error behaviour of HCL's
// own JSON parser: the first structural error abandons the enclosing
// object/array (so the file yields an empty body), and every diagnostic is
// worded as HCL words it.

/** Parse a whole file of HCL's JSON syntax. Never throws. */
export function parseJSON(src: string | Buffer, filename: string): ParseResult {
  return parseJSONWithStartPos(src, filename, startPos);
}

/** Like parseJSON, but for JSON that starts at `start` within some larger file. */
export function parseJSONWithStartPos(
  src: string | Buffer,
  filename: string,
  start: Pos,
): ParseResult {
  const bytes = typeof src === "string" ? Buffer.from(src, "utf8") : src;
  const parsed = parseNode(bytes, filename, start);
  const diags = parsed.diags;
  let root = parsed.node;
  if (root.kind !== "object" && root.kind !== "array") {
    diags.push({
      severity: "error",
      summary: "Root value must be object",
      detail:
        "The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.",
      subject: nodeStartRange(root),
    });
    // An empty stand-in, so decoding the body does not repeat the error.
    const fake: Range = { filename, start: startPos, end: startPos };
    root = { kind: "object", attrs: [], range: fake, openRange: fake, closeRange: fake };
  }
  return { file: { body: new JSONBody(root), bytes, filename }, diags };
}

/** Parse a single JSON value as an HCL expression (e.g. a variable's value given as JSON). */
export function parseJSONExpression(
  src: string | Buffer,
  filename: string,
  start: Pos = startPos,
): { expr: Expression; diags: Diagnostic[] } {
  const bytes = typeof src === "string" ? Buffer.from(src, "utf8") : src;
  const { node, diags } = parseNode(bytes, filename, start);
  return { expr: new JSONExpression(node), diags };
}

/** Parse JSON text to its syntax tree. */
export function parseNode(
  bytes: Buffer,
  filename: string,
  start: Pos = startPos,
): { node: JSONNode; diags: Diagnostic[] } {
  const p = new Parser(bytes, filename, start);
  const node = p.parseValue();
  if (p.diags.length === 0 && p.sc.peek().type !== "eof") {
    p.diags.push(
      err(
        "Extraneous data after value",
        "Extra characters appear after the JSON value.",
        p.sc.peek().range,
      ),
    );
  }
  return { node, diags: p.diags };
}

function err(summary: string, detail: string, subject: Range, context?: Range): Diagnostic {
  const d: Diagnostic = { severity: "error", summary, detail, subject };
  if (context !== undefined) d.context = context;
  return d;
}

const VALUE_START_DETAIL =
  "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.";

const NUMBER_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const KEYWORDS = ["false", "true", "null"];

/**
 * How deeply arrays and objects may nest. HCL has no limit, but our parser
 * and evaluator recurse, and input must never overflow the stack.
 */
export const MAX_NESTING = 1000;

class Parser {
  readonly sc: Scanner;
  readonly diags: Diagnostic[] = [];
  /**
   * The whole input decoded byte-for-char: slices of it are the text of
   * ASCII tokens, which is much cheaper than decoding each token.
   */
  private readonly text: string;
  private depth = 0;
  /** Set when nesting is too deep: parsing stops and every level gives up quietly. */
  private abort = false;

  constructor(
    readonly bytes: Buffer,
    readonly filename: string,
    start: Pos,
  ) {
    this.sc = new Scanner(bytes, filename, start);
    this.text = bytes.toString("latin1");
  }

  /** Parse one value; on failure returns an invalid placeholder (diagnostics recorded). */
  parseValue(): JSONNode {
    const tok = this.sc.peek();
    let node: JSONNode | null = null;
    if (this.abort) return { kind: "invalid", range: tok.range };
    switch (tok.type) {
      case "{":
      case "[":
        if (this.depth >= MAX_NESTING) {
          this.diags.push(
            err(
              "Too deeply nested",
              `JSON arrays and objects may be nested at most ${MAX_NESTING} levels deep.`,
              tok.range,
            ),
          );
          this.abort = true;
          while (this.sc.read().type !== "eof") {}
          break;
        }
        this.depth++;
        node = tok.type === "{" ? this.parseObject() : this.parseArray();
        this.depth--;
        break;
      case "number":
        node = this.parseNumber();
        break;
      case "string":
        node = this.parseString();
        break;
      case "keyword":
        node = this.parseKeyword();
        break;
      case "}":
        this.diags.push(err("Missing JSON value", VALUE_START_DETAIL, tok.range));
        break;
      case "]":
        this.diags.push(err("Missing array element value", VALUE_START_DETAIL, tok.range));
        break;
      case "eof":
        this.diags.push(err("Missing value", "The JSON data ends prematurely.", tok.range));
        break;
      default:
        this.diags.push(err("Invalid start of value", VALUE_START_DETAIL, tok.range));
    }
    return node ?? { kind: "invalid", range: tok.range };
  }

  /**
   * After an error inside an object or array, skip ahead to what looks like
   * its end, counting nested `open`/`close` pairs (HCL's recovery rule).
   */
  private recover(tok: Token, open: "{" | "[", close: "}" | "]"): void {
    let depth = 1;
    for (;;) {
      if (tok.type === open) depth++;
      else if (tok.type === close) {
        depth--;
        if (depth <= 1) return;
      } else if (tok.type === "eof") return;
      tok = this.sc.read();
    }
  }

  private parseObject(): JSONObject | null {
    const sc = this.sc;
    const open = sc.read();
    const attrs: JSONObjectAttr[] = [];
    for (;;) {
      if (sc.peek().type === "}") break;

      const key = this.parseValue();
      if (this.abort) return null;
      if (key.kind !== "string") {
        this.diags.push(
          err(
            "Invalid object property name",
            "A JSON object property name must be a string",
            nodeStartRange(key),
          ),
        );
        return null;
      }

      const colon = sc.read();
      if (colon.type !== ":") {
        this.recover(colon, "{", "}");
        if (colon.type === "}" || colon.type === ",") {
          this.diags.push(
            err(
              "Missing object value",
              "A JSON object attribute must have a value, introduced by a colon.",
              colon.range,
            ),
          );
        } else if (colon.type === "=") {
          this.diags.push(
            err(
              "Missing property value colon",
              "JSON uses a colon as its name/value delimiter, not an equals sign.",
              colon.range,
            ),
          );
        } else {
          this.diags.push(
            err(
              "Missing property value colon",
              "A colon must appear between an object property's name and its value.",
              colon.range,
            ),
          );
        }
        return null;
      }

      const value = this.parseValue();
      if (this.abort) return null;
      attrs.push({ name: key.value, value, nameRange: key.range });

      const next = sc.peek();
      if (next.type === ",") {
        const comma = sc.read();
        if (sc.peek().type === "}") {
          this.diags.push(
            err(
              "Trailing comma in object",
              "JSON does not permit a trailing comma after the final property in an object.",
              comma.range,
            ),
          );
          return null;
        }
        continue;
      }
      if (next.type === "}") break;
      if (next.type === "eof") {
        this.diags.push(
          err("Unclosed object", "No closing brace was found for this JSON object.", open.range),
        );
        return null;
      }
      if (next.type === "]") {
        const tok = sc.read();
        this.diags.push(
          err(
            "Mismatched braces",
            "A JSON object must be closed with a brace, not a bracket.",
            tok.range,
          ),
        );
        return null;
      }
      // HCL points this at wherever its recovery stopped; we point at the
      // token where the comma was expected, which is more useful.
      const bad = sc.read();
      this.recover(bad, "{", "}");
      this.diags.push(
        err(
          // sic: HCL's own spelling, kept so messages match.
          "Missing attribute seperator comma",
          "A comma must appear between each property definition in an object.",
          bad.range,
        ),
      );
      return null;
    }
    const close = sc.read();
    return {
      kind: "object",
      attrs,
      range: rangeBetween(open.range, close.range),
      openRange: open.range,
      closeRange: close.range,
    };
  }

  private parseArray(): JSONArray | null {
    const sc = this.sc;
    const open = sc.read();
    const values: JSONNode[] = [];
    for (;;) {
      if (sc.peek().type === "]") break;

      values.push(this.parseValue());
      if (this.abort) return null;

      const next = sc.peek();
      if (next.type === ",") {
        const comma = sc.read();
        if (sc.peek().type === "]") {
          this.diags.push(
            err(
              "Trailing comma in array",
              "JSON does not permit a trailing comma after the final value in an array.",
              comma.range,
            ),
          );
          return null;
        }
        continue;
      }
      if (next.type === "]") break;
      if (next.type === ":") {
        const colon = sc.read();
        this.recover(colon, "[", "]");
        this.diags.push(
          err(
            "Invalid array value",
            "A colon is not used to introduce values in a JSON array.",
            colon.range,
          ),
        );
        return null;
      }
      if (next.type === "eof") {
        this.recover(sc.read(), "[", "]");
        this.diags.push(
          // sic: HCL says "object" here too.
          err("Unclosed object", "No closing bracket was found for this JSON array.", open.range),
        );
        return null;
      }
      if (next.type === "}") {
        const tok = sc.read();
        this.recover(tok, "[", "]");
        this.diags.push(
          err(
            "Mismatched brackets",
            "A JSON array must be closed with a bracket, not a brace.",
            tok.range,
          ),
        );
        return null;
      }
      const bad = sc.read();
      this.recover(bad, "[", "]");
      this.diags.push(
        err(
          "Missing attribute seperator comma",
          "A comma must appear between each value in an array.",
          bad.range,
        ),
      );
      return null;
    }
    const close = sc.read();
    return {
      kind: "array",
      values,
      range: rangeBetween(open.range, close.range),
      openRange: open.range,
    };
  }

  private parseNumber(): JSONNode | null {
    const tok = this.sc.read();
    const text = this.text.slice(tok.start, tok.end);
    if (!NUMBER_RE.test(text)) {
      this.diags.push(
        err("Invalid JSON number", "There is a syntax error in the given JSON number.", tok.range),
      );
      return null;
    }
    return { kind: "number", text, range: tok.range };
  }

  private parseKeyword(): JSONNode | null {
    const tok = this.sc.read();
    const s = this.text.slice(tok.start, tok.end);
    switch (s) {
      case "true":
        return { kind: "bool", value: true, range: tok.range };
      case "false":
        return { kind: "bool", value: false, range: tok.range };
      case "null":
        return { kind: "null", range: tok.range };
      case "undefined":
      case "NaN":
      case "Infinity":
        this.diags.push(
          err(
            "Invalid JSON keyword",
            `The JavaScript identifier ${goQuote(s)} cannot be used in JSON.`,
            tok.range,
          ),
        );
        return null;
      default: {
        const suggestion = nameSuggestion(s, KEYWORDS);
        const dym = suggestion ? ` Did you mean ${goQuote(suggestion)}?` : "";
        this.diags.push(
          err(
            "Invalid JSON keyword",
            `${goQuote(s)} is not a valid JSON keyword.${dym}`,
            tok.range,
          ),
        );
        return null;
      }
    }
  }

  private parseString(): JSONNode | null {
    const tok = this.sc.read();
    if (tok.plain && tok.closed) {
      return {
        kind: "string",
        value: this.text.slice(tok.start + 1, tok.end - 1),
        range: tok.range,
      };
    }
    const r = decodeString(this.bytes, tok);
    if (typeof r === "string") return { kind: "string", value: r, range: tok.range };
    const subject = this.rangeInString(tok, r.from, r.to);
    this.diags.push(
      err(
        "Invalid JSON string",
        "There is a syntax error in the given JSON string.",
        subject,
        tok.range,
      ),
    );
    return null;
  }

  /** The range of bytes [from, to) of a string token (strings never span lines). */
  private rangeInString(tok: Token, from: number, to: number): Range {
    const s = tok.range.start;
    const at = (b: number): Pos => {
      let col = s.column;
      const bytes = this.bytes;
      const end = Math.min(b, tok.end);
      for (let i = tok.start; i < end; i++) if ((bytes[i]! & 0xc0) !== 0x80) col++;
      // Past the end of the token: one column per byte.
      col += b - end;
      return { line: s.line, column: col, byte: s.byte + (b - tok.start) };
    };
    return { filename: tok.range.filename, start: at(from), end: at(to) };
  }
}

/**
 * Decode a string token, or give the byte range (within `bytes`) of its
 * first error.
 */
function decodeString(bytes: Buffer, tok: Token): string | { from: number; to: number } {
  if (!tok.closed) return { from: tok.end, to: tok.end + 1 };
  const end = tok.end - 1; // the closing quote
  let i = tok.start + 1;
  let runStart = i;
  let out = "";
  while (i < end) {
    if (bytes[i] !== 0x5c) {
      i++;
      continue;
    }
    if (i > runStart) out += bytes.toString("utf8", runStart, i);
    const esc = bytes[i + 1]!; // i + 1 < end: an escape can't escape the closing quote
    switch (esc) {
      case 0x22:
        out += '"';
        break;
      case 0x5c:
        out += "\\";
        break;
      case 0x2f:
        out += "/";
        break;
      case 0x62:
        out += "\b";
        break;
      case 0x66:
        out += "\f";
        break;
      case 0x6e:
        out += "\n";
        break;
      case 0x72:
        out += "\r";
        break;
      case 0x74:
        out += "\t";
        break;
      case 0x75: {
        const cu = hex4(bytes, i + 2, end);
        if (cu < 0) return { from: i, to: Math.min(i + 6, end) };
        i += 6;
        if (cu >= 0xd800 && cu < 0xdc00) {
          // A high surrogate must pair with an escaped low surrogate.
          if (bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
            const lo = hex4(bytes, i + 2, end);
            if (lo >= 0xdc00 && lo < 0xe000) {
              out += String.fromCharCode(cu, lo);
              i += 6;
              runStart = i;
              continue;
            }
          }
          out += "\ufffd";
        } else if (cu >= 0xdc00 && cu < 0xe000) {
          out += "\ufffd";
        } else {
          out += String.fromCharCode(cu);
        }
        runStart = i;
        continue;
      }
      default:
        return { from: i, to: i + 2 };
    }
    i += 2;
    runStart = i;
  }
  if (runStart === tok.start + 1) return bytes.toString("utf8", runStart, end);
  if (end > runStart) out += bytes.toString("utf8", runStart, end);
  return out;
}

function hex4(bytes: Buffer, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const b = bytes[k]!;
    let d: number;
    if (b >= 0x30 && b <= 0x39) d = b - 0x30;
    else if (b >= 0x61 && b <= 0x66) d = b - 0x57;
    else if (b >= 0x41 && b <= 0x46) d = b - 0x37;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}
