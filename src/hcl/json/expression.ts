import { convert } from "../cty/convert.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import type { Diagnostic } from "../diagnostic.js";
import { hasErrors } from "../diagnostic.js";
import type { Pos, Range } from "../pos.js";
import { formatRange } from "../pos.js";
import type {
  EvalContext,
  Expression,
  StaticCall,
  StaticMapItem,
  Traversal,
  ValueResult,
} from "../structure.js";
import { parseExpression, parseTemplate, parseTraversalAbs } from "../syntax/parser.js";
import type { JSONNode, JSONString } from "./ast.js";
import { nodeStartRange } from "./ast.js";
import { goQuote } from "./didyoumean.js";

// Expressions of HCL's JSON syntax. What a JSON string means depends on how
// it is evaluated: with an EvalContext it is a template in the native syntax
// ("${var.x}-suffix"); without one it is the literal string. Numbers, bools,
// null, arrays and objects become the matching cty values (arrays are tuples,
// objects are objects whose keys are templates too). For static analysis,
// strings are read as native traversals and function calls, arrays as static
// lists and objects as static maps.

export class JSONExpression implements Expression {
  constructor(readonly node: JSONNode) {}

  get range(): Range {
    return this.node.range;
  }

  get startRange(): Range {
    return nodeStartRange(this.node);
  }

  value(ctx?: EvalContext): ValueResult {
    return evalNode(this.node, ctx, this);
  }

  variables(): Traversal[] {
    const out: Traversal[] = [];
    collectVariables(this.node, out);
    return out;
  }

  /** The string read as a native absolute traversal (`var.foo[0]`), if it is one. */
  asTraversal(): Traversal | undefined {
    const n = this.node;
    if (n.kind !== "string") return undefined;
    const { traversal, diags } = parseTraversalAbs(n.value, n.range.filename, innerStart(n));
    if (hasErrors(diags) || traversal.length === 0) return undefined;
    return traversal;
  }

  /** The string read as a single identifier (`"string"`, `"any"`), if it is one. */
  asKeyword(): string | undefined {
    const t = this.asTraversal();
    if (t === undefined || t.length !== 1 || t[0]!.kind !== "root") return undefined;
    return t[0]!.name;
  }

  /** The string read as a native function call (`"list(string)"`), if it is one. */
  asCall(): StaticCall | undefined {
    const n = this.node;
    if (n.kind !== "string") return undefined;
    const { expr, diags } = parseExpression(n.value, n.range.filename, innerStart(n));
    if (hasErrors(diags)) return undefined;
    return (expr as Expression).asCall?.();
  }

  /** A JSON array's elements. */
  asList(): Expression[] | undefined {
    const n = this.node;
    if (n.kind !== "array") return undefined;
    return n.values.map((v) => new JSONExpression(v));
  }

  /** A JSON object's properties; keys are string expressions (templates when evaluated with a context). */
  asMap(): StaticMapItem[] | undefined {
    const n = this.node;
    if (n.kind !== "object") return undefined;
    return n.attrs.map((a) => ({
      key: new JSONExpression(keyNode(a.name, a.nameRange)),
      value: new JSONExpression(a.value),
    }));
  }
}

/** Whether an expression came from HCL's JSON syntax. */
export function isJSONExpression(e: Expression): e is JSONExpression {
  return e instanceof JSONExpression;
}

function keyNode(name: string, nameRange: Range): JSONString {
  return { kind: "string", value: name, range: nameRange };
}

/**
 * Where a string's contents start: just past its opening quote. (Positions
 * inside the template drift after an escape sequence, as in HCL.)
 */
function innerStart(n: JSONString): Pos {
  const s = n.range.start;
  return { line: s.line, column: s.column + 1, byte: s.byte + 1 };
}

/**
 * Whether a string could be anything but literal text as a template. (A bare
 * template processes no backslash escapes, so without `${` or `%{` it is
 * exactly its text, and parsing it can be skipped.)
 */
function mayInterpolate(text: string): boolean {
  return text.includes("${") || text.includes("%{");
}

interface ParsedTemplate {
  expr: Expression;
  diags: Diagnostic[];
}

// Parsed templates, by string node: a template is parsed once however many
// times it is evaluated. Object keys are cached by their name range.
const templateCache = new WeakMap<object, ParsedTemplate>();

function template(cacheKey: object, text: string, range: Range): ParsedTemplate {
  let t = templateCache.get(cacheKey);
  if (t === undefined) {
    const s = range.start;
    const start: Pos = { line: s.line, column: s.column + 1, byte: s.byte + 1 };
    const r = parseTemplate(text, range.filename, start);
    t = { expr: r.expr as Expression, diags: r.diags };
    templateCache.set(cacheKey, t);
  }
  return t;
}

function evalString(
  cacheKey: object,
  text: string,
  range: Range,
  ctx: EvalContext | undefined,
): ValueResult {
  // Without a context, strings are literal: that is how a caller asks for
  // no interpolation at all.
  if (ctx === undefined || !mayInterpolate(text)) return { value: Value.string(text), diags: [] };
  const t = template(cacheKey, text, range);
  if (hasErrors(t.diags)) return { value: Value.dynamic, diags: t.diags.slice() };
  const r = t.expr.value(ctx);
  return { value: r.value, diags: t.diags.length === 0 ? r.diags : [...t.diags, ...r.diags] };
}

function evalNode(n: JSONNode, ctx: EvalContext | undefined, self: Expression): ValueResult {
  switch (n.kind) {
    case "string":
      return evalString(n, n.value, n.range, ctx);
    case "number":
      // Always valid: JSON numbers are a subset of what cty parses.
      return { value: Value.numberFromString(n.text) ?? Value.dynamic, diags: [] };
    case "bool":
      return { value: Value.bool(n.value), diags: [] };
    case "null":
      return { value: Value.null(Type.dynamic), diags: [] };
    case "array": {
      const diags: Diagnostic[] = [];
      const vals: Value[] = [];
      for (const v of n.values) {
        const r = evalNode(v, ctx, self);
        vals.push(r.value);
        for (const d of r.diags) diags.push(d);
      }
      return { value: Value.tuple(vals), diags };
    }
    case "object": {
      const diags: Diagnostic[] = [];
      const attrs = new Map<string, Value>();
      const attrRanges = new Map<string, Range>();
      let known = true;
      for (const a of n.attrs) {
        // Keys may interpolate too (when evaluated with a context), as
        // object keys can be expressions in the native syntax.
        const keyR = evalString(a, a.name, a.nameRange, ctx);
        const valR = evalNode(a.value, ctx, self);
        for (const d of keyR.diags) diags.push(d);
        for (const d of valR.diags) diags.push(d);
        const keyDiag = (detail: string): Diagnostic => ({
          severity: "error",
          summary: "Invalid object key expression",
          detail,
          subject: a.nameRange,
          expression: new JSONExpression(a.value),
          evalContext: ctx,
        });
        const conv = convert(keyR.value.withoutMarks(), Type.string);
        if ("error" in conv) {
          diags.push(keyDiag(`Cannot use this expression as an object key: ${conv.error}.`));
          continue;
        }
        const key = conv.value;
        if (key.isNull()) {
          diags.push(keyDiag("Cannot use null value as an object key."));
          continue;
        }
        if (!key.isKnown()) {
          // An unknown key means the object's type is unknown too; keep
          // going to report problems with other keys.
          known = false;
          continue;
        }
        const name = key.asString();
        const prev = attrRanges.get(name);
        if (prev !== undefined) {
          diags.push({
            severity: "error",
            summary: "Duplicate object attribute",
            detail: `An attribute named ${goQuote(name)} was already defined at ${formatRange(prev)}.`,
            subject: a.nameRange,
            expression: self,
            evalContext: ctx,
          });
          continue;
        }
        attrs.set(name, valR.value);
        attrRanges.set(name, a.nameRange);
      }
      if (!known) return { value: Value.dynamic, diags };
      return { value: Value.object(attrs), diags };
    }
    case "invalid":
      // Lets a partly-broken tree still be partly evaluated.
      return { value: Value.dynamic, diags: [] };
  }
}

function collectVariables(n: JSONNode, out: Traversal[]): void {
  switch (n.kind) {
    case "string":
      stringVariables(n, n.value, n.range, out);
      return;
    case "array":
      for (const v of n.values) collectVariables(v, out);
      return;
    case "object":
      for (const a of n.attrs) {
        stringVariables(a, a.name, a.nameRange, out);
        collectVariables(a.value, out);
      }
      return;
    default:
      return;
  }
}

function stringVariables(cacheKey: object, text: string, range: Range, out: Traversal[]): void {
  if (!mayInterpolate(text)) return;
  const t = template(cacheKey, text, range);
  if (hasErrors(t.diags)) return;
  for (const v of t.expr.variables()) out.push(v);
}
