// A JSON parser for legacy Packer templates that behaves like Go's
// encoding/json (which Packer uses): the same accepted syntax, the same error
// texts ("invalid character '}' looking for beginning of object key string")
// and the same byte offsets, plus a source range on every value and key so
// diagnostics can point at them. Duplicate keys are kept (Packer rejects them
// in a separate pass).

import { goQuote } from "../../hcl/cty/quote.js";
import type { Pos, Range } from "../../hcl/pos.js";

export type JNode = JObject | JArray | JString | JNumber | JBool | JNull;

export interface JProp {
  key: string;
  keyRange: Range;
  value: JNode;
}

export interface JObject {
  kind: "object";
  props: JProp[];
  range: Range;
}

export interface JArray {
  kind: "array";
  items: JNode[];
  range: Range;
}

export interface JString {
  kind: "string";
  value: string;
  range: Range;
}

export interface JNumber {
  kind: "number";
  /** As written. */
  text: string;
  /** As Go decodes it into interface{}: a float64. */
  value: number;
  range: Range;
}

export interface JBool {
  kind: "bool";
  value: boolean;
  range: Range;
}

export interface JNull {
  kind: "null";
  range: Range;
}

/** A plain JSON value (what Go's json.Unmarshal into interface{} yields). */
export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue };

/** A syntax error as Go reports it: message and byte offset (1 past the bad byte). */
export interface JSONSyntaxError {
  message: string;
  /** Go's SyntaxError.Offset. */
  offset: number;
  /** The offending byte (or the end of input). */
  range: Range;
}

export type ParseJSONResult = { ok: true; node: JNode } | { ok: false; error: JSONSyntaxError };

class Fail {
  constructor(readonly error: JSONSyntaxError) {}
}

/** Go's quoteChar for a byte in a syntax error message. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
}

/** Decode UTF-8 like Go: each invalid byte becomes U+FFFD. */
function decodeUTF8(b: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if ((b[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("latin1");
  let out = "";
  let i = start;
  while (i < end) {
    const c = b[i] as number;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < end + 1;
    for (let k = 1; ok && k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || i + k >= end || (cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += "\ufffd";
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

class Parser {
  private i = 0;
  private lineStarts: number[] = [0];

  constructor(
    private readonly b: Buffer,
    private readonly filename: string,
  ) {
    for (let k = 0; k < b.length; k++) if (b[k] === 0x0a) this.lineStarts.push(k + 1);
  }

  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const ls = this.lineStarts[lo] as number;
    let col = 1;
    for (let k = ls; k < offset; k++) if (((this.b[k] as number) & 0xc0) !== 0x80) col++;
    return { line: lo + 1, column: col, byte: offset };
  }

  range(from: number, to: number): Range {
    return { filename: this.filename, start: this.pos(from), end: this.pos(to) };
  }

  private fail(message: string, at: number): never {
    const end = Math.min(at + 1, this.b.length);
    throw new Fail({ message, offset: at + 1, range: this.range(at, end) });
  }

  private eof(): never {
    const n = this.b.length;
    const message = this.stream ? "unexpected EOF" : "unexpected end of JSON input";
    throw new Fail({ message, offset: n, range: this.range(n, n) });
  }

  private bad(context: string): never {
    if (this.i >= this.b.length) this.eof();
    return this.fail(`invalid character ${quoteChar(this.b[this.i] as number)} ${context}`, this.i);
  }

  private ws(): void {
    for (;;) {
      const c = this.b[this.i];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else return;
    }
  }

  /** When true, like Go's json.Decoder: read one value, ignore what follows. */
  stream = false;

  parseDocument(): JNode {
    this.ws();
    const node = this.value();
    if (this.stream) return node;
    this.ws();
    if (this.i < this.b.length) this.bad("after top-level value");
    return node;
  }

  private value(): JNode {
    const c = this.b[this.i];
    if (c === undefined) this.eof();
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22: {
        const start = this.i;
        const value = this.string();
        return { kind: "string", value, range: this.range(start, this.i) };
      }
      case 0x74:
        return this.literal("true", { kind: "bool", value: true, range: this.range(0, 0) });
      case 0x66:
        return this.literal("false", { kind: "bool", value: false, range: this.range(0, 0) });
      case 0x6e:
        return this.literal("null", { kind: "null", range: this.range(0, 0) });
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.bad("looking for beginning of value");
  }

  private literal<T extends JNode>(word: string, node: T): T {
    const start = this.i;
    this.i++;
    for (let k = 1; k < word.length; k++) {
      if (this.i >= this.b.length) this.eof();
      if (this.b[this.i] !== word.charCodeAt(k)) {
        this.bad(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
      }
      this.i++;
    }
    node.range = this.range(start, this.i);
    return node;
  }

  private digit(): boolean {
    const c = this.b[this.i];
    return c !== undefined && c >= 0x30 && c <= 0x39;
  }

  private number(): JNumber {
    const start = this.i;
    if (this.b[this.i] === 0x2d) {
      this.i++;
      if (!this.digit()) this.bad("in numeric literal");
    }
    if (this.b[this.i] === 0x30) this.i++;
    else while (this.digit()) this.i++;
    if (this.b[this.i] === 0x2e) {
      this.i++;
      if (!this.digit()) this.bad("after decimal point in numeric literal");
      while (this.digit()) this.i++;
    }
    const e = this.b[this.i];
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const s = this.b[this.i];
      if (s === 0x2b || s === 0x2d) this.i++;
      if (!this.digit()) this.bad("in exponent of numeric literal");
      while (this.digit()) this.i++;
    }
    const text = this.b.toString("latin1", start, this.i);
    return { kind: "number", text, value: Number(text), range: this.range(start, this.i) };
  }

  private string(): string {
    const b = this.b;
    this.i++; // opening quote
    const start = this.i;
    let simple = true;
    for (;;) {
      const c = b[this.i];
      if (c === undefined) this.eof();
      if (c === 0x22) break;
      if (c < 0x20) this.bad("in string literal");
      if (c === 0x5c) {
        simple = false;
        this.i++;
        const e = b[this.i];
        if (e === undefined) this.eof();
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            this.i++;
            const h = b[this.i];
            if (h === undefined) this.eof();
            const isHex =
              (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!isHex) this.bad("in \\u hexadecimal character escape");
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          this.bad("in string escape code");
        }
      }
      this.i++;
    }
    const end = this.i;
    this.i++; // closing quote
    if (simple) return decodeUTF8(b, start, end);
    return this.unescape(start, end);
  }

  private unescape(start: number, end: number): string {
    const b = this.b;
    let out = "";
    let k = start;
    let runStart = start;
    const hex4 = (at: number): number => Number.parseInt(b.toString("latin1", at, at + 4), 16);
    while (k < end) {
      if (b[k] !== 0x5c) {
        k++;
        continue;
      }
      out += decodeUTF8(b, runStart, k);
      const e = String.fromCharCode(b[k + 1] as number);
      k += 2;
      switch (e) {
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          let cp = hex4(k);
          k += 4;
          if (cp >= 0xd800 && cp < 0xdc00) {
            // A surrogate pair, if the next escape completes it.
            if (b[k] === 0x5c && b[k + 1] === 0x75) {
              const lo = hex4(k + 2);
              if (lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                k += 6;
              } else cp = 0xfffd;
            } else cp = 0xfffd;
          } else if (cp >= 0xdc00 && cp < 0xe000) cp = 0xfffd;
          out += String.fromCodePoint(cp);
          break;
        }
        default:
          out += e; // " \ /
      }
      runStart = k;
    }
    return out + decodeUTF8(b, runStart, end);
  }

  private object(): JObject {
    const start = this.i;
    this.i++;
    const props: JProp[] = [];
    this.ws();
    if (this.b[this.i] === 0x7d) {
      this.i++;
      return { kind: "object", props, range: this.range(start, this.i) };
    }
    for (;;) {
      if (this.b[this.i] !== 0x22) this.bad("looking for beginning of object key string");
      const ks = this.i;
      const key = this.string();
      const keyRange = this.range(ks, this.i);
      this.ws();
      if (this.b[this.i] !== 0x3a) this.bad("after object key");
      this.i++;
      this.ws();
      const value = this.value();
      props.push({ key, keyRange, value });
      this.ws();
      const c = this.b[this.i];
      if (c === 0x2c) {
        this.i++;
        this.ws();
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return { kind: "object", props, range: this.range(start, this.i) };
      }
      this.bad("after object key:value pair");
    }
  }

  private array(): JArray {
    const start = this.i;
    this.i++;
    const items: JNode[] = [];
    this.ws();
    if (this.b[this.i] === 0x5d) {
      this.i++;
      return { kind: "array", items, range: this.range(start, this.i) };
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.b[this.i];
      if (c === 0x2c) {
        this.i++;
        this.ws();
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return { kind: "array", items, range: this.range(start, this.i) };
      }
      this.bad("after array element");
    }
  }
}

/**
 * Parse JSON text as Go's json.Unmarshal would, keeping source ranges. With
 * `stream`, behave like json.Decoder.Decode instead: only the first value is
 * read and anything after it is ignored.
 */
export function parseJSONDocument(
  src: string | Buffer,
  filename: string,
  opts: { stream?: boolean } = {},
): ParseJSONResult {
  const b = typeof src === "string" ? Buffer.from(src, "utf8") : src;
  const p = new Parser(b, filename);
  p.stream = opts.stream === true;
  try {
    return { ok: true, node: p.parseDocument() };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

/** The plain value of a node (for duplicate keys, the last one wins, as in Go). */
export function toPlain(n: JNode): JSONValue {
  switch (n.kind) {
    case "object": {
      const o: { [key: string]: JSONValue } = {};
      for (const p of n.props) o[p.key] = toPlain(p.value);
      return o;
    }
    case "array":
      return n.items.map(toPlain);
    case "null":
      return null;
    default:
      return n.value;
  }
}

/** The range of a node's first character (its opening brace or bracket, or the whole scalar). */
export function startRange(n: JNode): Range {
  if (n.kind === "object" || n.kind === "array") {
    const s = n.range.start;
    return {
      filename: n.range.filename,
      start: s,
      end: { line: s.line, column: s.column + 1, byte: s.byte + 1 },
    };
  }
  return n.range;
}

/** The first duplicated key in document order (Packer's checkForDuplicateFields). */
export function firstDuplicateKey(n: JNode): JProp | undefined {
  if (n.kind === "object") {
    const seen = new Set<string>();
    for (const p of n.props) {
      if (seen.has(p.key)) return p;
      seen.add(p.key);
      const inner = firstDuplicateKey(p.value);
      if (inner) return inner;
    }
  } else if (n.kind === "array") {
    for (const item of n.items) {
      const inner = firstDuplicateKey(item);
      if (inner) return inner;
    }
  }
  return undefined;
}
