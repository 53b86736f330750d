// YAML encoding and decoding of cty values with the behaviour of go-cty-yaml,
// which Packer's yamlencode/yamldecode use:
//
// - Encoding reproduces the output of go-yaml's libyaml-derived emitter as
//   go-cty-yaml drives it: block style, strings double-quoted unless they
//   contain a newline (then literal block style when allowed), two-space
//   indentation, sequences inside mappings not indented, long double-quoted
//   strings folded after column 80, "..." after a bare top-level scalar.
// - Decoding uses the `yaml` package for syntax only and applies
//   go-cty-yaml's own YAML 1.1-flavoured scalar resolution, anchors, merge
//   keys and error messages.

import type { Alias, LineCounter, Scalar, Node as YamlNode } from "yaml";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { goBase64Decode } from "./encoding-base64.js";
import { lazyModule } from "./lazy.js";

// The `yaml` package is large; it loads on the first yamldecode call.
const yaml = lazyModule<typeof import("yaml")>("yaml");

/** A YAML problem; the message is the one Packer reports. */
export class YamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "YamlError";
  }
}

// ===========================================================================
// Encoding

function isBreakChar(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** libyaml's is_printable (on code points). */
function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

interface ScalarAnalysis {
  multiline: boolean;
  blockAllowed: boolean;
}

function analyzeScalar(value: string): ScalarAnalysis {
  if (value.length === 0) return { multiline: false, blockAllowed: false };
  const cps = Array.from(value, (ch) => ch.codePointAt(0) as number);
  let special = false;
  let lineBreaks = false;
  let trailingSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as number;
    const last = i === cps.length - 1;
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (last) trailingSpace = true;
      prevSpace = true;
    } else if (isBreakChar(c)) {
      lineBreaks = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
    } else {
      prevSpace = false;
    }
  }
  let blockAllowed = true;
  if (trailingSpace) blockAllowed = false;
  if (spaceBreak || special) blockAllowed = false;
  return { multiline: lineBreaks, blockAllowed };
}

const ESCAPES: Record<number, string> = {
  0: "0",
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  27: "e",
  34: '"',
  92: "\\",
  133: "N",
  160: "_",
  8232: "L",
  8233: "P",
};

function hexUpper(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, "0");
}

type ScalarStyle = "plain" | "double" | "literal";

interface NodeContext {
  root: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

class Emitter {
  private out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private indent = -1;
  private readonly indents: number[] = [];
  private static readonly BEST_INDENT = 2;
  private static readonly BEST_WIDTH = 80;

  result(): string {
    return this.out;
  }

  private put(s: string): void {
    this.out += s;
    this.column += 1;
  }

  private write(ch: string): void {
    this.out += ch;
    this.column += 1;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? Emitter.BEST_INDENT : 0;
    else if (!indentless) this.indent += Emitter.BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.putBreak();
    }
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.out += indicator;
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
    this.openEnded = false;
  }

  /** The whole document for a value, including the final newline(s). */
  document(v: Value): void {
    this.node(v, { root: true, mapping: false, simpleKey: false });
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator("...", true, false, false);
      this.writeIndent();
    }
  }

  private node(v: Value, ctx: NodeContext): void {
    if (v.isNull()) {
      this.scalar("null", "plain", ctx);
      return;
    }
    const t = v.type;
    switch (t.kind) {
      case "string": {
        const s = v.asString();
        this.scalar(s, s.includes("\n") ? "literal" : "double", ctx);
        return;
      }
      case "number":
        this.scalar(v.asBigNum().toString(), "plain", ctx);
        return;
      case "bool":
        this.scalar(v.asBool() ? "true" : "false", "plain", ctx);
        return;
      case "list":
      case "set":
      case "tuple": {
        const elems = v.elements();
        if (elems.length === 0) {
          this.emptyFlow("[", "]");
          return;
        }
        this.increaseIndent(false, ctx.mapping && !this.indention);
        for (const e of elems) {
          this.writeIndent();
          this.writeIndicator("-", true, false, true);
          this.node(e, { root: false, mapping: false, simpleKey: false });
        }
        this.popIndent();
        return;
      }
      case "map":
      case "object": {
        const entries = v.entries();
        if (entries.length === 0) {
          this.emptyFlow("{", "}");
          return;
        }
        this.increaseIndent(false, false);
        for (const [k, val] of entries) {
          this.writeIndent();
          const keyCtx = { root: false, mapping: true, simpleKey: false };
          const keyStyle: ScalarStyle = k.includes("\n") ? "literal" : "double";
          if (this.isSimpleKey(k)) {
            this.scalar(k, keyStyle, { ...keyCtx, simpleKey: true });
            this.writeIndicator(":", false, false, false);
          } else {
            this.writeIndicator("?", true, false, true);
            this.scalar(k, keyStyle, keyCtx);
            this.writeIndent();
            this.writeIndicator(":", true, false, true);
          }
          this.node(val, keyCtx);
        }
        this.popIndent();
        return;
      }
      default:
        throw new YamlError(`cannot encode ${t.friendlyName()} as YAML`);
    }
  }

  private isSimpleKey(k: string): boolean {
    if (analyzeScalar(k).multiline) return false;
    return Buffer.byteLength(k, "utf8") <= 128;
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.popIndent();
    this.writeIndicator(close, false, false, false);
  }

  private scalar(value: string, requested: ScalarStyle, ctx: NodeContext): void {
    const a = analyzeScalar(value);
    let style = requested;
    if (ctx.simpleKey && a.multiline) style = "double";
    if (style === "literal" && (!a.blockAllowed || ctx.simpleKey)) style = "double";
    this.increaseIndent(true, false);
    switch (style) {
      case "plain":
        if (!this.whitespace) this.put(" ");
        for (const ch of value) this.write(ch);
        this.whitespace = false;
        this.indention = false;
        if (ctx.root) this.openEnded = true;
        break;
      case "double":
        this.doubleQuoted(value, !ctx.simpleKey);
        break;
      case "literal":
        this.literal(value);
        break;
    }
    this.popIndent();
  }

  private doubleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // go-yaml's BOM test looks at the start of the value, not the current
    // position, so a leading BOM makes every character come out escaped.
    const leadingBom = value.startsWith("\ufeff");
    const chars = Array.from(value);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      const c = ch.codePointAt(0) as number;
      if (!isPrintable(c) || leadingBom || isBreakChar(c) || c === 0x22 || c === 0x5c) {
        this.put("\\");
        const esc = ESCAPES[c];
        if (esc !== undefined) this.write(esc);
        else if (c <= 0xff) this.out += `x${hexUpper(c, 2)}`;
        else if (c <= 0xffff) this.out += `u${hexUpper(c, 4)}`;
        else this.out += `U${hexUpper(c, 8)}`;
        if (esc === undefined) this.column += c <= 0xff ? 3 : c <= 0xffff ? 5 : 9;
        spaces = false;
      } else if (c === 0x20) {
        if (
          allowBreaks &&
          !spaces &&
          this.column > Emitter.BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1
        ) {
          this.writeIndent();
          if (chars[i + 1] === " ") this.put("\\");
        } else {
          this.write(ch);
        }
        spaces = true;
      } else {
        this.write(ch);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(value: string): void {
    this.writeIndicator("|", true, false, false);
    const chars = Array.from(value);
    const first = (chars[0] as string).codePointAt(0) as number;
    if (first === 0x20 || isBreakChar(first)) {
      this.writeIndicator(String(Emitter.BEST_INDENT), false, false, false);
    }
    this.openEnded = false;
    const lastC = (chars[chars.length - 1] as string).codePointAt(0) as number;
    let chomp = "";
    if (!isBreakChar(lastC)) chomp = "-";
    else if (chars.length === 1) chomp = "+";
    else if (isBreakChar((chars[chars.length - 2] as string).codePointAt(0) as number)) chomp = "+";
    if (chomp !== "") this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const ch of chars) {
      const c = ch.codePointAt(0) as number;
      if (isBreakChar(c)) {
        if (c === 0x0a) this.putBreak();
        else {
          this.out += ch;
          this.column = 0;
        }
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(ch);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** Serialize a wholly-known value as go-cty-yaml's Marshal does. */
export function yamlEncode(v: Value): string {
  const e = new Emitter();
  e.document(v);
  return e.result();
}

// ===========================================================================
// Decoding

const STR_TAG = "tag:yaml.org,2002:str";
const BOOL_TAG = "tag:yaml.org,2002:bool";
const INT_TAG = "tag:yaml.org,2002:int";
const FLOAT_TAG = "tag:yaml.org,2002:float";
const NULL_TAG = "tag:yaml.org,2002:null";
const TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp";
const BINARY_TAG = "tag:yaml.org,2002:binary";
const MAP_TAG = "tag:yaml.org,2002:map";
const SEQ_TAG = "tag:yaml.org,2002:seq";

const RESOLVABLE = new Set([
  "",
  STR_TAG,
  BOOL_TAG,
  INT_TAG,
  FLOAT_TAG,
  NULL_TAG,
  TIMESTAMP_TAG,
  BINARY_TAG,
]);

const NULL_DYNAMIC = Value.null(Type.dynamic);
let resolveMap: Map<string, { value: Value; tag: string }> | undefined;

/** The plain scalars that resolve to fixed values (YAML 1.1 booleans, nulls, infinities). */
function resolveMapping(): Map<string, { value: Value; tag: string }> {
  if (resolveMap !== undefined) return resolveMap;
  const map = new Map<string, { value: Value; tag: string }>();
  const add = (value: Value, tag: string, names: string[]) => {
    for (const n of names) map.set(n, { value, tag });
  };
  add(Value.true, BOOL_TAG, [
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "true",
    "True",
    "TRUE",
    "on",
    "On",
    "ON",
  ]);
  add(Value.false, BOOL_TAG, [
    "n",
    "N",
    "no",
    "No",
    "NO",
    "false",
    "False",
    "FALSE",
    "off",
    "Off",
    "OFF",
  ]);
  add(NULL_DYNAMIC, NULL_TAG, ["", "~", "null", "Null", "NULL"]);
  const inf = Value.numberFromString("+Inf") as Value;
  const ninf = Value.numberFromString("-Inf") as Value;
  add(inf, FLOAT_TAG, [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
  add(ninf, FLOAT_TAG, ["-.inf", "-.Inf", "-.INF"]);
  resolveMap = map;
  return map;
}

function resolveHint(c: string | undefined): string {
  if (c === undefined) return "N";
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  return "";
}

const INTEGER_LITERAL = /^[-+]?(0o[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)$/;
const FLOAT_LITERAL = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** A sentinel for the "<<" merge key. */
const MERGE = Symbol("merge");

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 (underscores already removed). */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2] as string;
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === "0") v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (m[1] === "-") v = -v;
  if (v >= INT64_MIN && v <= INT64_MAX) return v;
  if (m[1] !== "-" && v >= 0n && v <= UINT64_MAX) return v;
  return undefined;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

function daysInMonth(m: number, y: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
}

/** go-cty-yaml's parseTimestamp, rendered as RFC 3339 (seconds precision). */
export function parseYamlTimestamp(s: string): string | undefined {
  if (!/^[0-9]{4}-/.test(s)) return undefined;
  const layouts = [
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})$/,
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})t([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})$/,
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2}) +([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?()$/,
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})()()()()()$/,
  ];
  for (const re of layouts) {
    const m = re.exec(s);
    if (!m) continue;
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const h = Number(m[4] || 0);
    const mi = Number(m[5] || 0);
    const se = Number(m[6] || 0);
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(mo, y)) continue;
    if (h >= 24 || mi >= 60 || se >= 60) continue;
    let zone = "Z";
    const z = m[8] as string;
    if (z !== "" && z !== "Z") {
      const hh = Number(z.slice(1, 3));
      const mm = Number(z.slice(4, 6));
      if (hh > 24 || mm > 60) continue;
      zone = hh === 0 && mm === 0 ? "Z" : z;
    }
    return `${String(y).padStart(4, "0")}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(se)}${zone}`;
  }
  return undefined;
}

type Resolved = Value | typeof MERGE;

/** go-cty-yaml's resolveScalar. */
function resolveScalar(tag: string, src: string, quoted: boolean): Resolved {
  if (!RESOLVABLE.has(tag)) throw new YamlError(`unsupported tag ${goQuote(tag)}`);
  const hint = src === "" ? "N" : resolveHint(src[0]);
  let t = tag;
  if (hint !== "" && t !== STR_TAG && t !== BINARY_TAG) {
    if (quoted) return Value.string(src);
    const item = resolveMapping().get(src);
    if (item !== undefined) return item.value;
    if (t === "" && (src === ".nan" || src === ".NaN" || src === ".NAN")) {
      throw new YamlError("floating point NaN is not supported");
    }
    if (hint === ".") {
      const n = Value.numberFromString(src);
      if (n !== undefined) return n;
    } else if (hint === "D" || hint === "S") {
      if (t === "" || t === TIMESTAMP_TAG) {
        const ts = parseYamlTimestamp(src);
        if (ts !== undefined) return Value.string(ts);
      }
      if (INTEGER_LITERAL.test(src)) t = INT_TAG;
      else if (FLOAT_LITERAL.test(src)) t = FLOAT_TAG;
    }
  }
  if (t === "" && src === "<<") return MERGE;
  const cannot = () => new YamlError(`cannot parse ${goQuote(src)} as ${t}`);
  switch (t) {
    case STR_TAG:
    case BINARY_TAG:
      if (t === BINARY_TAG && goBase64Decode(src) === undefined) {
        throw new YamlError(`cannot parse ${goQuote(src)} as ${t}: not valid base64`);
      }
      return Value.string(src);
    case BOOL_TAG: {
      const item = resolveMapping().get(src);
      if (item === undefined || item.tag !== BOOL_TAG) throw cannot();
      return item.value;
    }
    case FLOAT_TAG:
    case INT_TAG: {
      const plain = src.replaceAll("_", "");
      const n = Value.numberFromString(plain);
      if (n !== undefined) return n;
      const i = parseGoInt(plain);
      if (i !== undefined) return Value.number(i);
      throw cannot();
    }
    case TIMESTAMP_TAG: {
      const ts = parseYamlTimestamp(src);
      if (ts === undefined) throw cannot();
      return Value.string(ts);
    }
    case NULL_TAG:
      return NULL_DYNAMIC;
    case "":
      return Value.string(src);
    default:
      throw new YamlError(`unsupported tag ${goQuote(t)}`);
  }
}

class Decoder {
  private readonly pending = new Map<string, number>();
  private readonly anchors = new Map<string, Value>();
  private readonly lc: LineCounter;

  constructor(lc: LineCounter) {
    this.lc = lc;
  }

  private at(node: YamlNode | Alias, msg: string): YamlError {
    const off = node.range?.[0] ?? 0;
    const p = this.lc.linePos(off);
    return new YamlError(`on line ${p.line - 1}, column ${p.col}: ${msg}`);
  }

  private begin(anchor: string | undefined): void {
    if (anchor) this.pending.set(anchor, (this.pending.get(anchor) ?? 0) + 1);
  }

  private complete(anchor: string | undefined, v: Value): void {
    if (!anchor) return;
    const n = (this.pending.get(anchor) ?? 1) - 1;
    if (n <= 0) this.pending.delete(anchor);
    else this.pending.set(anchor, n);
    this.anchors.set(anchor, v);
  }

  node(n: unknown): Value {
    if (n === null || n === undefined) return NULL_DYNAMIC;
    if (yaml().isAlias(n)) {
      const name = n.source;
      if (this.pending.has(name)) {
        throw new YamlError(
          `cannot refer to anchor ${goQuote(name)} from inside its own definition`,
        );
      }
      const v = this.anchors.get(name);
      if (v === undefined) throw new YamlError(`reference to undefined anchor ${goQuote(name)}`);
      return v;
    }
    if (yaml().isScalar(n)) {
      this.begin(n.anchor);
      const r = this.scalar(n);
      if (r === MERGE) {
        // A bare "<<" used as a value is just a string.
        const v = Value.string("<<");
        this.complete(n.anchor, v);
        return v;
      }
      this.complete(n.anchor, r);
      return r;
    }
    if (yaml().isMap(n)) {
      const tag = n.tag ?? "";
      if (tag !== "" && tag !== MAP_TAG) {
        throw new YamlError(`can't interpret mapping as ${tag}`);
      }
      this.begin(n.anchor);
      const vals = new Map<string, Value>();
      for (const pair of n.items) {
        const k = pair.key;
        if (!yaml().isScalar(k)) throw new YamlError("only strings are allowed as mapping keys");
        const kr = this.scalar(k);
        const val = this.node(pair.value);
        if (kr === MERGE) {
          if (!val.isNull() && (val.type.isObject() || val.type.isMap())) {
            for (const [mk, mv] of val.entries()) vals.set(mk, mv);
            continue;
          }
          throw new YamlError(`cannot merge ${val.type.friendlyName()} into mapping`);
        }
        let key: string;
        if (kr.isNull()) throw this.at(k, "mapping key cannot be null");
        if (kr.type.isString()) key = kr.asString();
        else if (kr.type.isNumber()) key = kr.asBigNum().toString();
        else if (kr.type.isBool()) key = kr.asBool() ? "true" : "false";
        else throw new YamlError("only strings are allowed as mapping keys");
        vals.set(key, val);
      }
      const v = Value.object(vals);
      this.complete(n.anchor, v);
      return v;
    }
    if (yaml().isSeq(n)) {
      const tag = n.tag ?? "";
      if (tag !== "" && tag !== SEQ_TAG) {
        throw new YamlError(`can't interpret sequence as ${tag}`);
      }
      this.begin(n.anchor);
      const v = Value.tuple(n.items.map((i) => this.node(i)));
      this.complete(n.anchor, v);
      return v;
    }
    throw new YamlError("unsupported YAML node");
  }

  private scalar(n: Scalar): Resolved {
    const tag = n.tag ?? "";
    const src = String(n.value ?? "");
    const quoted = n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE";
    if (quoted && tag === "") return src === "<<" ? MERGE : Value.string(src);
    const r = resolveScalar(tag, src, quoted);
    if (tag !== "" || (n.type !== "BLOCK_LITERAL" && n.type !== "BLOCK_FOLDED")) return r;
    // An untagged block scalar is typed as a string, so whatever it resolved
    // to is converted back into one.
    if (r === MERGE) return Value.string(src);
    if (r.isNull()) return Value.null(Type.string);
    if (r.type.isNumber()) return Value.string(r.asBigNum().toString());
    if (r.type.isBool()) return Value.string(r.asBool() ? "true" : "false");
    return r;
  }
}

/** Parse a single YAML document into a value as go-cty-yaml's yamldecode does. */
export function yamlDecode(src: string): Value {
  const { LineCounter, parseAllDocuments } = yaml();
  const lc = new LineCounter();
  const docs = parseAllDocuments(src, {
    schema: "failsafe",
    uniqueKeys: false,
    merge: false,
    resolveKnownTags: false,
    lineCounter: lc,
  });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0) return NULL_DYNAMIC;
  for (const d of list) {
    const err = d.errors[0];
    if (err !== undefined) {
      const pos = err.linePos?.[0];
      const msg = err.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
      throw new YamlError(pos ? `on line ${pos.line}, column ${pos.col}: ${msg}` : msg);
    }
  }
  if (list.length > 1) {
    const second = list[1];
    const off = second?.range?.[0] ?? 0;
    const p = lc.linePos(off);
    throw new YamlError(
      `on line ${p.line - 1}, column ${p.col}: only a single document is allowed`,
    );
  }
  const doc = list[0];
  return new Decoder(lc).node(doc?.contents ?? null);
}
