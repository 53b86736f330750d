// JSON encoding and decoding of values with cty/json semantics: encoding as
// Go's encoding/json would (HTML-safe escapes, sorted keys, exact numbers),
// decoding objects to object types and arrays to tuple types, numbers parsed
// at full precision, and Go's error messages for malformed input.

import { FunctionError } from "./function.js";
import { BigNum } from "./number.js";
import { goQuote } from "./quote.js";
import { Type } from "./type.js";
import { Value } from "./value.js";

// ---------------------------------------------------------------- encoding

const HEX = "0123456789abcdef";

/** A JSON string literal as Go's encoding/json writes it (HTML-safe). */
export function jsonQuote(s: string): string {
  let simple = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      c < 0x20 ||
      c === 0x22 ||
      c === 0x5c ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x26 ||
      c === 0x2028 ||
      c === 0x2029 ||
      (c >= 0xd800 && c <= 0xdfff)
    ) {
      simple = false;
      break;
    }
  }
  if (simple) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
      out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16)}`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += "\\ufffd";
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\\ufffd";
    } else out += s[i];
  }
  return `${out}"`;
}

/**
 * Serialize a value as cty's json.Marshal(v, v.Type()) does. Throws
 * FunctionError for unknown or marked values and for infinities.
 */
export function jsonEncode(v: Value): string {
  const parts: string[] = [];
  encodeInto(v, parts);
  return parts.join("");
}

function encodeInto(v: Value, out: string[]): void {
  if (v.isMarked()) throw new FunctionError("value has marks, so it cannot be serialized as JSON");
  if (!v.isKnown()) throw new FunctionError("value is not known");
  if (v.isNull()) {
    out.push("null");
    return;
  }
  const t = v.type;
  switch (t.kind) {
    case "string":
      out.push(jsonQuote(v.asString()));
      return;
    case "number": {
      const b = v.asBigNum();
      if (b.isInf()) throw new FunctionError("cannot serialize infinity as JSON");
      out.push(b.toString());
      return;
    }
    case "bool":
      out.push(v.asBool() ? "true" : "false");
      return;
    case "list":
    case "set":
    case "tuple": {
      out.push("[");
      let first = true;
      for (const e of v.elements()) {
        if (!first) out.push(",");
        first = false;
        encodeInto(e, out);
      }
      out.push("]");
      return;
    }
    case "map":
    case "object": {
      out.push("{");
      let first = true;
      for (const [k, e] of v.rawMap()) {
        if (!first) out.push(",");
        first = false;
        out.push(jsonQuote(k), ":");
        encodeInto(e, out);
      }
      out.push("}");
      return;
    }
    default:
      throw new FunctionError("value is not known");
  }
}

// ---------------------------------------------------------------- decoding

class JsonSyntaxError extends Error {}

/** Go's quoteChar for a byte in a syntax error (non-ASCII: the first UTF-8 byte as a rune). */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.codePointAt(0) as number;
  if (code >= 0x80) {
    const b = Buffer.from(c, "utf8")[0] as number;
    return `'${String.fromCharCode(b)}'`;
  }
  return `'${goQuote(c).slice(1, -1)}'`;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A recursive-descent JSON reader producing Go encoding/json's error wording. */
class Reader {
  pos = 0;
  constructor(readonly s: string) {}

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length && isSpace(s.charCodeAt(this.pos))) this.pos++;
  }

  /** Error for an unexpected character c where a token was expected. */
  tokenError(c: string, context: string): never {
    throw new JsonSyntaxError(`invalid character ${quoteChar(c)}${context}`);
  }

  /** Read any value; `context` describes the token state for error messages. */
  value(context: string): Value {
    this.skipSpace();
    if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
    const c = this.s[this.pos] as string;
    switch (c) {
      case "{":
        this.pos++;
        return this.object();
      case "[":
        this.pos++;
        return this.array();
      case '"':
        return Value.string(this.string());
      case "t":
        this.literal("true");
        return Value.true;
      case "f":
        this.literal("false");
        return Value.false;
      case "n":
        this.literal("null");
        return Value.null(Type.dynamic);
    }
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    return this.tokenError(c, context);
  }

  object(): Value {
    const attrs = new Map<string, Value>();
    this.skipSpace();
    if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
    if (this.s[this.pos] === "}") {
      this.pos++;
      return Value.emptyObject;
    }
    let keyContext = "";
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
      const c = this.s[this.pos] as string;
      if (c !== '"') this.tokenError(c, keyContext);
      const key = this.string();
      this.skipSpace();
      if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
      const colon = this.s[this.pos] as string;
      if (colon !== ":") this.tokenError(colon, " after object key");
      this.pos++;
      const v = this.value(" looking for beginning of value");
      attrs.delete(key);
      attrs.set(key, v);
      this.skipSpace();
      if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
      const d = this.s[this.pos] as string;
      this.pos++;
      if (d === "}") return Value.object(attrs);
      if (d !== ",") {
        this.pos--;
        this.tokenError(d, " after object key:value pair");
      }
      keyContext = " looking for beginning of object key string";
    }
  }

  array(): Value {
    const elems: Value[] = [];
    this.skipSpace();
    if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
    if (this.s[this.pos] === "]") {
      this.pos++;
      return Value.emptyTuple;
    }
    for (;;) {
      elems.push(this.value(" looking for beginning of value"));
      this.skipSpace();
      if (this.pos >= this.s.length) throw new JsonSyntaxError("EOF");
      const d = this.s[this.pos] as string;
      if (d === "]") {
        this.pos++;
        return Value.tuple(elems);
      }
      if (d !== ",") this.tokenError(d, " after array element");
      this.pos++;
    }
  }

  literal(word: string): void {
    const s = this.s;
    for (let i = 0; i < word.length; i++) {
      if (this.pos + i >= s.length) throw new JsonSyntaxError("unexpected EOF");
      const c = s[this.pos + i] as string;
      if (c !== word[i]) {
        throw new JsonSyntaxError(
          `invalid character ${quoteChar(c)} in literal ${word} (expecting ${quoteChar(word[i] as string)})`,
        );
      }
    }
    this.pos += word.length;
  }

  number(): Value {
    const s = this.s;
    const start = this.pos;
    let i = this.pos;
    const digit = (k: number) => k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57;
    const fail = (k: number, what: string): never => {
      if (k >= s.length) throw new JsonSyntaxError("unexpected EOF");
      throw new JsonSyntaxError(`invalid character ${quoteChar(s[k] as string)} ${what}`);
    };
    if (s[i] === "-") {
      i++;
      if (!digit(i)) fail(i, "in numeric literal");
    }
    if (s[i] === "0") i++;
    else while (digit(i)) i++;
    if (s[i] === ".") {
      i++;
      if (!digit(i)) fail(i, "after decimal point in numeric literal");
      while (digit(i)) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      if (!digit(i)) fail(i, "in exponent of numeric literal");
      while (digit(i)) i++;
    }
    this.pos = i;
    const b = BigNum.parse(s.slice(start, i));
    return Value.number(b ?? BigNum.zero);
  }

  string(): string {
    const s = this.s;
    let i = this.pos + 1;
    let out = "";
    let runStart = i;
    for (;;) {
      if (i >= s.length) throw new JsonSyntaxError("unexpected EOF");
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(runStart, i);
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) {
        throw new JsonSyntaxError(
          `invalid character ${quoteChar(s[i] as string)} in string literal`,
        );
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(runStart, i);
      i++;
      if (i >= s.length) throw new JsonSyntaxError("unexpected EOF");
      const e = s[i] as string;
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          i++;
          break;
        case "b":
          out += "\b";
          i++;
          break;
        case "f":
          out += "\f";
          i++;
          break;
        case "n":
          out += "\n";
          i++;
          break;
        case "r":
          out += "\r";
          i++;
          break;
        case "t":
          out += "\t";
          i++;
          break;
        case "u": {
          const cp = this.hex4(i + 1);
          i += 5;
          if (cp >= 0xd800 && cp < 0xdc00) {
            if (s[i] === "\\" && s[i + 1] === "u") {
              const lo = this.hex4(i + 2);
              if (lo >= 0xdc00 && lo < 0xe000) {
                out += String.fromCharCode(cp, lo);
                i += 6;
                break;
              }
            }
            out += "\ufffd";
          } else if (cp >= 0xdc00 && cp < 0xe000) out += "\ufffd";
          else out += String.fromCharCode(cp);
          break;
        }
        default:
          throw new JsonSyntaxError(`invalid character ${quoteChar(e)} in string escape code`);
      }
      runStart = i;
    }
  }

  hex4(at: number): number {
    const s = this.s;
    let v = 0;
    for (let k = 0; k < 4; k++) {
      if (at + k >= s.length) throw new JsonSyntaxError("unexpected EOF");
      const ch = s[at + k] as string;
      const d = Number.parseInt(ch, 16);
      if (Number.isNaN(d)) {
        throw new JsonSyntaxError(
          `invalid character ${quoteChar(ch)} in \\u hexadecimal character escape`,
        );
      }
      v = v * 16 + d;
    }
    return v;
  }
}

/**
 * Decode JSON text into a value (cty's ImpliedType + Unmarshal): objects
 * become objects, arrays tuples, null a null of dynamic type. Throws
 * FunctionError with Go's wording on malformed input.
 */
export function jsonDecode(text: string): Value {
  const r = new Reader(text);
  let v: Value;
  try {
    v = r.value(" looking for beginning of value");
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new FunctionError(e.message);
    throw e;
  }
  r.skipSpace();
  if (r.pos < text.length) {
    const c = text[r.pos];
    if (c !== "]" && c !== "}") throw new FunctionError("extraneous data after JSON object");
  }
  return v;
}

/** The type jsonDecode(text) would produce. Throws FunctionError like jsonDecode. */
export function jsonImpliedType(text: string): Type {
  return jsonDecode(text).type;
}
