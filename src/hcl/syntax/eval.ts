import { type Conversion, convert, getConversion } from "../cty/convert.js";
import { ArgError, type FunctionImpl, type Parameter } from "../cty/function.js";
import { ArithmeticError } from "../cty/number.js";
import { Type } from "../cty/type.js";
import { unifyUnsafe } from "../cty/unify.js";
import { type Mark, Value } from "../cty/value.js";
import type { Diagnostic } from "../diagnostic.js";
import { type Range, rangeBetween } from "../pos.js";
import type { EvalContext, Expression, Traversal, ValueResult } from "../structure.js";
import type {
  AnyExpr,
  BinaryOpExpr,
  BinaryOperator,
  ConditionalExpr,
  Expr,
  ForExpr,
  FunctionCallExpr,
  IndexExpr,
  ObjectConsExpr,
  ObjectConsKeyExpr,
  RelativeTraversalExpr,
  ScopeTraversalExpr,
  SplatExpr,
  TemplateExpr,
  TemplateJoinExpr,
  TupleConsExpr,
  UnaryOpExpr,
} from "./ast.js";
import { closestSuggestion, goQuote } from "./util.js";

// Evaluation of native-syntax expressions with HCL's semantics: variable and
// function lookup through EvalContext parents, HCL's index/attribute rules,
// operators with conversions and unknown/null/mark handling, templates, for
// and splat expressions. Never throws on user input.

const NULL_DYNAMIC = Value.null(Type.dynamic);

function hasErrors(diags: readonly Diagnostic[]): boolean {
  for (const d of diags) if (d.severity === "error") return true;
  return false;
}

function err(summary: string, detail: string, subject: Range | undefined): Diagnostic {
  const d: Diagnostic = { severity: "error", summary, detail };
  if (subject !== undefined) d.subject = subject;
  return d;
}

function exprErr(
  summary: string,
  detail: string,
  subject: Range,
  context: Range | undefined,
  expression: Expression,
  ctx: EvalContext | undefined,
): Diagnostic {
  const d: Diagnostic = { severity: "error", summary, detail, subject, expression };
  if (context !== undefined) d.context = context;
  if (ctx !== undefined) d.evalContext = ctx;
  return d;
}

/** Attach the expression and context to diagnostics that don't name one yet. */
function setDiagEvalContext(
  diags: Diagnostic[],
  expr: Expression,
  ctx: EvalContext | undefined,
): void {
  for (const d of diags) {
    if (d.expression === undefined) {
      d.expression = expr;
      if (ctx !== undefined) d.evalContext = ctx;
    }
  }
}

function childCtx(parent: EvalContext | undefined, variables: Record<string, Value>): EvalContext {
  const c: EvalContext = { variables };
  if (parent !== undefined) c.parent = parent;
  return c;
}

function mergeMarks(into: Set<Mark>, from: Iterable<Mark>): void {
  for (const m of from) into.add(m);
}

// ---------------------------------------------------------------------------
// Index, attribute access and traversals (HCL's hcl.Index / hcl.GetAttr)

/** `collection[key]` with HCL's rules and diagnostics. */
export function index(collection: Value, key: Value, srcRange?: Range): ValueResult {
  const invalidIndex = "Invalid index";
  if (collection.isNull()) {
    return {
      value: Value.dynamic,
      diags: [
        err(
          "Attempt to index null value",
          "This value is null, so it does not have any indices.",
          srcRange,
        ),
      ],
    };
  }
  if (key.isNull()) {
    return {
      value: Value.dynamic,
      diags: [err(invalidIndex, "Can't use a null value as an indexing key.", srcRange)],
    };
  }
  const ty = collection.type;
  const kty = key.type;
  if (kty.kind === "dynamic" || ty.kind === "dynamic") {
    return { value: Value.dynamic.withMarks(collection.marks()), diags: [] };
  }
  switch (ty.kind) {
    case "list":
    case "tuple":
    case "map": {
      const wantType = ty.kind === "map" ? Type.string : Type.number;
      const conv = convert(key, wantType);
      if ("error" in conv) {
        return {
          value: Value.dynamic,
          diags: [
            err(
              invalidIndex,
              `The given key does not identify an element in this collection value: ${conv.error}.`,
              srcRange,
            ),
          ],
        };
      }
      const k = conv.value;
      const has = collection.hasIndex(k).withoutMarks();
      if (!has.isKnown()) {
        if (ty.kind === "tuple") {
          return { value: Value.dynamic.withMarks(collection.marks()), diags: [] };
        }
        return {
          value: Value.unknown(ty.elementType()).withMarks(collection.marks()),
          diags: [],
        };
      }
      if (has.isFalse()) {
        if ((ty.kind === "list" || ty.kind === "tuple") && k.type.kind === "number") {
          if (k.isKnown() && !k.isNull()) {
            const bf = k.withoutMarks().asBigNum();
            if (!bf.isInt()) {
              return {
                value: Value.dynamic,
                diags: [
                  err(
                    invalidIndex,
                    "The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.",
                    srcRange,
                  ),
                ],
              };
            }
            if (bf.sign() < 0) {
              return {
                value: Value.dynamic,
                diags: [
                  err(
                    invalidIndex,
                    "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.",
                    srcRange,
                  ),
                ],
              };
            }
            const lenVal = collection.length();
            if (lenVal.isKnown() && !lenVal.isMarked()) {
              const len = lenVal.asNumber();
              if (bf.toNumber() - len >= 0 || !Number.isFinite(bf.toNumber())) {
                return {
                  value: Value.dynamic,
                  diags: [
                    err(
                      invalidIndex,
                      len === 0
                        ? "The given key does not identify an element in this collection value: the collection has no elements."
                        : "The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.",
                      srcRange,
                    ),
                  ],
                };
              }
            }
          }
        }
        return {
          value: Value.dynamic,
          diags: [
            err(
              invalidIndex,
              "The given key does not identify an element in this collection value.",
              srcRange,
            ),
          ],
        };
      }
      return { value: collection.index(k), diags: [] };
    }
    case "object": {
      const wasNumber = key.type.kind === "number";
      const conv = convert(key, Type.string);
      if ("error" in conv) {
        return {
          value: Value.dynamic,
          diags: [
            err(
              invalidIndex,
              `The given key does not identify an element in this collection value: ${conv.error}.`,
              srcRange,
            ),
          ],
        };
      }
      const k = conv.value;
      if (!k.isKnown()) return { value: Value.dynamic.withMarks(collection.marks()), diags: [] };
      const attrName = k.withoutMarks().asString();
      if (!ty.hasAttribute(attrName)) {
        const suggestion = wasNumber
          ? " An object only supports looking up attributes by name, not by numeric index."
          : "";
        return {
          value: Value.dynamic,
          diags: [
            err(
              invalidIndex,
              `The given key does not identify an element in this collection value.${suggestion}`,
              srcRange,
            ),
          ],
        };
      }
      if (!collection.isKnown()) {
        return {
          value: Value.unknown(ty.attributeType(attrName)).withMarks(collection.marks()),
          diags: [],
        };
      }
      return { value: collection.getAttr(attrName), diags: [] };
    }
    case "set":
      return {
        value: Value.dynamic,
        diags: [
          err(
            invalidIndex,
            "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
            srcRange,
          ),
        ],
      };
    default:
      return {
        value: Value.dynamic,
        diags: [err(invalidIndex, "This value does not have any indices.", srcRange)],
      };
  }
}

/** `obj.name` with HCL's rules and diagnostics. */
export function getAttr(obj: Value, attrName: string, srcRange?: Range): ValueResult {
  if (obj.isNull()) {
    return {
      value: Value.dynamic,
      diags: [
        err(
          "Attempt to get attribute from null value",
          "This value is null, so it does not have any attributes.",
          srcRange,
        ),
      ],
    };
  }
  const unsupported = "Unsupported attribute";
  const ty = obj.type;
  switch (ty.kind) {
    case "object":
      if (!ty.hasAttribute(attrName)) {
        return {
          value: Value.dynamic,
          diags: [
            err(
              unsupported,
              `This object does not have an attribute named ${goQuote(attrName)}.`,
              srcRange,
            ),
          ],
        };
      }
      if (!obj.isKnown()) {
        return {
          value: Value.unknown(ty.attributeType(attrName)).withMarks(obj.marks()),
          diags: [],
        };
      }
      return { value: obj.getAttr(attrName), diags: [] };
    case "map": {
      if (!obj.isKnown()) {
        return { value: Value.unknown(ty.elementType()).withMarks(obj.marks()), diags: [] };
      }
      const idx = Value.string(attrName);
      const has = obj.hasIndex(idx).withoutMarks();
      if (has.isFalse()) {
        return {
          value: Value.dynamic,
          diags: [
            err(
              "Missing map element",
              `This map does not have an element with the key ${goQuote(attrName)}.`,
              srcRange,
            ),
          ],
        };
      }
      return { value: obj.index(idx), diags: [] };
    }
    case "dynamic":
      return { value: Value.dynamic.withMarks(obj.marks()), diags: [] };
    case "list":
      if (ty.elementType().kind === "object") {
        return {
          value: Value.dynamic,
          diags: [
            err(
              unsupported,
              ty.elementType().hasAttribute(attrName)
                ? `Can't access attributes on a list of objects. Did you mean to access attribute ${goQuote(attrName)} for a specific element of the list, or across all elements of the list?`
                : "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?",
              srcRange,
            ),
          ],
        };
      }
      break;
    case "set":
      if (ty.elementType().kind === "object") {
        return {
          value: Value.dynamic,
          diags: [
            err(
              unsupported,
              "Can't access attributes on a set of objects. Did you mean to access an attribute across all elements of the set?",
              srcRange,
            ),
          ],
        };
      }
      break;
    case "string":
    case "number":
    case "bool":
      return {
        value: Value.dynamic,
        diags: [
          err(
            unsupported,
            `Can't access attributes on a primitive-typed value (${ty.friendlyName()}).`,
            srcRange,
          ),
        ],
      };
  }
  return {
    value: Value.dynamic,
    diags: [err(unsupported, "This value does not have any attributes.", srcRange)],
  };
}

/** Apply a relative traversal (no root step) to a value. */
export function traverseRel(val: Value, traversal: Traversal): ValueResult {
  let current = val;
  const diags: Diagnostic[] = [];
  for (const step of traversal) {
    let r: ValueResult;
    switch (step.kind) {
      case "attr":
        r = getAttr(current, step.name, step.range);
        break;
      case "index":
        r = index(current, step.key, step.range);
        break;
      case "splat":
        r = {
          value: Value.dynamic,
          diags: [
            err(
              "Cannot evaluate traversal pattern",
              "This is a pattern for matching against traversals rather than a concrete traversal, so it cannot be directly evaluated.",
              step.range,
            ),
          ],
        };
        break;
      default:
        // A root step inside a relative traversal: only possible through misuse.
        r = { value: Value.dynamic, diags: [] };
    }
    for (const d of r.diags) diags.push(d);
    if (hasErrors(r.diags)) return { value: Value.dynamic, diags };
    current = r.value;
  }
  return { value: current, diags };
}

/** Look up an absolute traversal's root variable in the context, then apply the rest. */
export function traverseAbs(traversal: Traversal, ctx: EvalContext | undefined): ValueResult {
  const root = traversal[0];
  if (root === undefined || root.kind !== "root") {
    return { value: Value.dynamic, diags: [] };
  }
  const name = root.name;
  let hasNonNil = false;
  for (let c = ctx; c !== undefined; c = c.parent) {
    if (c.variables === undefined) continue;
    hasNonNil = true;
    if (Object.hasOwn(c.variables, name)) {
      return traverseRel(c.variables[name]!, traversal.slice(1));
    }
  }
  if (!hasNonNil) {
    return {
      value: Value.dynamic,
      diags: [err("Variables not allowed", "Variables may not be used here.", root.range)],
    };
  }
  const suggestions: string[] = [];
  for (let c = ctx; c !== undefined; c = c.parent) {
    if (c.variables) for (const k of Object.keys(c.variables).sort()) suggestions.push(k);
  }
  let suggestion = closestSuggestion(name, suggestions);
  if (suggestion !== "") suggestion = ` Did you mean ${goQuote(suggestion)}?`;
  return {
    value: Value.dynamic,
    diags: [
      err(
        "Unknown variable",
        `There is no variable named ${goQuote(name)}.${suggestion}`,
        root.range,
      ),
    ],
  };
}

// ---------------------------------------------------------------------------
// Dispatch

export function evaluate(e: AnyExpr, ctx: EvalContext | undefined): ValueResult {
  switch (e.kind) {
    case "LiteralValue":
      return { value: e.val, diags: [] };
    case "ScopeTraversal":
      return evalScopeTraversal(e, ctx);
    case "RelativeTraversal":
      return evalRelativeTraversal(e, ctx);
    case "FunctionCall":
      return evalFunctionCall(e, ctx);
    case "Conditional":
      return evalConditional(e, ctx);
    case "Index":
      return evalIndex(e, ctx);
    case "TupleCons":
      return evalTupleCons(e, ctx);
    case "ObjectCons":
      return evalObjectCons(e, ctx);
    case "ObjectConsKey":
      return evalObjectConsKey(e, ctx);
    case "For":
      return evalFor(e, ctx);
    case "Splat":
      return evalSplat(e, ctx);
    case "AnonSymbol":
      return { value: e.getValue(ctx) ?? Value.dynamic, diags: [] };
    case "BinaryOp":
      return evalBinaryOp(e, ctx);
    case "UnaryOp":
      return evalUnaryOp(e, ctx);
    case "Template":
      return evalTemplate(e, ctx);
    case "TemplateJoin":
      return evalTemplateJoin(e, ctx);
    case "TemplateWrap":
      return e.wrapped.value(ctx);
    case "Parentheses":
      return e.expression.value(ctx);
  }
}

function evalScopeTraversal(e: ScopeTraversalExpr, ctx: EvalContext | undefined): ValueResult {
  const r = traverseAbs(e.traversal, ctx);
  setDiagEvalContext(r.diags, e, ctx);
  return r;
}

function evalRelativeTraversal(
  e: RelativeTraversalExpr,
  ctx: EvalContext | undefined,
): ValueResult {
  const src = e.source.value(ctx);
  const r = traverseRel(src.value, e.traversal);
  setDiagEvalContext(r.diags, e, ctx);
  for (const d of r.diags) src.diags.push(d);
  return { value: r.value, diags: src.diags };
}

function evalIndex(e: IndexExpr, ctx: EvalContext | undefined): ValueResult {
  const coll = e.collection.value(ctx);
  const key = e.key.value(ctx);
  const diags = coll.diags;
  for (const d of key.diags) diags.push(d);
  const r = index(coll.value, key.value, e.bracketRange);
  setDiagEvalContext(r.diags, e, ctx);
  for (const d of r.diags) diags.push(d);
  return { value: r.value, diags };
}

function evalTupleCons(e: TupleConsExpr, ctx: EvalContext | undefined): ValueResult {
  const diags: Diagnostic[] = [];
  const vals: Value[] = [];
  for (const x of e.exprs) {
    const r = x.value(ctx);
    vals.push(r.value);
    for (const d of r.diags) diags.push(d);
  }
  return { value: Value.tuple(vals), diags };
}

function evalObjectConsKey(e: ObjectConsKeyExpr, ctx: EvalContext | undefined): ValueResult {
  if (!e.forceNonLiteral) {
    const w = e.wrapped as AnyExpr;
    if (w.kind === "ScopeTraversal" && w.traversal.length > 1) {
      return {
        value: Value.dynamic,
        diags: [
          exprErr(
            "Ambiguous attribute key",
            "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
            e.range,
            undefined,
            e,
            ctx,
          ),
        ],
      };
    }
    const ln = e.literalName();
    if (ln !== "") return { value: Value.string(ln), diags: [] };
  }
  return e.wrapped.value(ctx);
}

function evalObjectCons(e: ObjectConsExpr, ctx: EvalContext | undefined): ValueResult {
  const diags: Diagnostic[] = [];
  const vals = new Map<string, Value>();
  const marks = new Set<Mark>();
  let known = true;
  for (const item of e.items) {
    const k = item.keyExpr.value(ctx);
    for (const d of k.diags) diags.push(d);
    const v = item.valueExpr.value(ctx);
    for (const d of v.diags) diags.push(d);
    if (hasErrors(k.diags)) {
      known = false;
      continue;
    }
    let key = k.value;
    if (key.isNull()) {
      diags.push(
        exprErr(
          "Null value as key",
          "Can't use a null value as a key.",
          item.valueExpr.range,
          undefined,
          item.keyExpr,
          ctx,
        ),
      );
      known = false;
      continue;
    }
    mergeMarks(marks, key.marks());
    key = key.withoutMarks();
    const conv = convert(key, Type.string);
    if ("error" in conv) {
      diags.push(
        exprErr(
          "Incorrect key type",
          `Can't use this value as a key: ${conv.error}.`,
          item.keyExpr.range,
          undefined,
          item.keyExpr,
          ctx,
        ),
      );
      known = false;
      continue;
    }
    if (!conv.value.isKnown()) {
      known = false;
      continue;
    }
    vals.set(conv.value.asString(), v.value);
  }
  if (!known) return { value: Value.dynamic, diags };
  return { value: Value.object(vals).withMarks(marks), diags };
}

// ---------------------------------------------------------------------------
// Functions

function evalFunctionCall(e: FunctionCallExpr, ctx: EvalContext | undefined): ValueResult {
  const diags: Diagnostic[] = [];
  let f: FunctionImpl | undefined;
  let hasNonNilMap = false;
  for (let c = ctx; c !== undefined; c = c.parent) {
    if (c.functions === undefined) continue;
    hasNonNilMap = true;
    if (Object.hasOwn(c.functions, e.name)) {
      f = c.functions[e.name];
      break;
    }
  }
  const extra = { calledFunctionName: e.name } as Record<string, unknown>;

  if (f === undefined) {
    if (!hasNonNilMap) {
      const d = exprErr(
        "Function calls not allowed",
        "Functions may not be called here.",
        e.range,
        undefined,
        e,
        ctx,
      );
      return { value: Value.dynamic, diags: [d] };
    }
    const avail = ctx?.functions ? Object.keys(ctx.functions).sort() : [];
    let suggestion = closestSuggestion(e.name, avail);
    if (suggestion !== "") suggestion = ` Did you mean ${goQuote(suggestion)}?`;
    return {
      value: Value.dynamic,
      diags: [
        exprErr(
          "Call to unknown function",
          `There is no function named ${goQuote(e.name)}.${suggestion}`,
          e.nameRange,
          e.range,
          e,
          ctx,
        ),
      ],
    };
  }

  const xf = f as FunctionImpl & Partial<ExpressionCallable>;
  if (typeof xf.callExpressions === "function") {
    return callWithExpressions(xf as FunctionImpl & ExpressionCallable, e, ctx, extra);
  }

  const params = f.params;
  const varParam = f.varParam;

  // Arguments as (expression for diagnostics, value or expression to evaluate).
  type Arg = { expr: Expr; value?: Value; range: Range };
  let args: Arg[] = e.args.map((a) => ({ expr: a, range: a.startRange }));
  if (e.expandFinal && e.args.length > 0) {
    const expandExpr = e.args[e.args.length - 1]!;
    const ex = expandExpr.value(ctx);
    for (const d of ex.diags) diags.push(d);
    if (hasErrors(ex.diags)) return { value: Value.dynamic, diags };
    const ev = ex.value;
    const mustNotBeNull = (): ValueResult => {
      const d = exprErr(
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must not be null.",
        expandExpr.range,
        e.range,
        expandExpr,
        ctx,
      );
      d.extra = extra;
      diags.push(d);
      return { value: Value.dynamic, diags };
    };
    const k = ev.type.kind;
    if (k === "dynamic") {
      if (ev.isNull()) return mustNotBeNull();
      return { value: Value.dynamic, diags };
    }
    if (k === "tuple" || k === "list" || k === "set") {
      if (ev.isNull()) return mustNotBeNull();
      if (!ev.isKnown()) return { value: Value.dynamic, diags };
      const marks = ev.marks();
      const elems = ev.withoutMarks().elements();
      args = args.slice(0, -1);
      for (const el of elems) {
        args.push({ expr: expandExpr, value: el.withMarks(marks), range: expandExpr.range });
      }
    } else {
      const d = exprErr(
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
        expandExpr.range,
        e.range,
        expandExpr,
        ctx,
      );
      d.extra = extra;
      diags.push(d);
      return { value: Value.dynamic, diags };
    }
  }

  if (args.length < params.length) {
    const missing = params[args.length]!;
    const qual = varParam !== undefined ? " at least" : "";
    const d = exprErr(
      "Not enough function arguments",
      `Function ${goQuote(e.name)} expects${qual} ${params.length} argument(s). Missing value for ${goQuote(missing.name)}.`,
      e.closeParenRange,
      e.range,
      e,
      ctx,
    );
    d.extra = extra;
    return { value: Value.dynamic, diags: [d] };
  }
  if (varParam === undefined && args.length > params.length) {
    const d = exprErr(
      "Too many function arguments",
      `Function ${goQuote(e.name)} expects only ${params.length} argument(s).`,
      args[params.length]!.range,
      e.range,
      e,
      ctx,
    );
    d.extra = extra;
    return { value: Value.dynamic, diags: [d] };
  }

  const argVals: Value[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const param = (i < params.length ? params[i] : varParam) as Parameter;
    let val: Value;
    if (a.value !== undefined) {
      val = a.value;
    } else {
      const r = a.expr.value(ctx);
      for (const d of r.diags) diags.push(d);
      val = r.value;
    }
    if (param.type.kind !== "dynamic" && !val.type.equals(param.type)) {
      const conv = convert(val, param.type);
      if ("error" in conv) {
        const d = exprErr(
          "Invalid function argument",
          `Invalid value for ${goQuote(param.name)} parameter: ${conv.error}.`,
          a.range,
          e.range,
          a.expr,
          ctx,
        );
        d.extra = extra;
        diags.push(d);
      } else {
        val = conv.value;
      }
    }
    argVals.push(val);
  }
  if (hasErrors(diags)) return { value: Value.dynamic, diags };

  let result: Value;
  try {
    result = f.call(argVals);
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught);
    const callExtra = { ...extra, functionCallError: caught };
    if (caught instanceof ArgError) {
      const i = caught.argIndex;
      const param = i < params.length ? params[i] : varParam;
      if (param === undefined || i > args.length - 1) {
        if (param !== undefined) {
          const d = exprErr(
            "Invalid function argument",
            `Invalid value for ${goQuote(param.name)} parameter: ${message}.`,
            e.range,
            undefined,
            e,
            ctx,
          );
          d.extra = callExtra;
          diags.push(d);
        } else {
          const d = exprErr(
            "Error in function call",
            `Call to function ${goQuote(e.name)} failed: ${message}.`,
            e.startRange,
            e.range,
            e,
            ctx,
          );
          d.extra = callExtra;
          diags.push(d);
        }
      } else {
        const a = args[i]!;
        const d = exprErr(
          "Invalid function argument",
          `Invalid value for ${goQuote(param.name)} parameter: ${message}.`,
          a.range,
          e.range,
          a.expr,
          ctx,
        );
        d.extra = callExtra;
        diags.push(d);
      }
    } else {
      const d = exprErr(
        "Error in function call",
        `Call to function ${goQuote(e.name)} failed: ${message}.`,
        e.startRange,
        e.range,
        e,
        ctx,
      );
      d.extra = callExtra;
      diags.push(d);
    }
    return { value: Value.dynamic, diags };
  }
  return { value: result, diags };
}

/**
 * A function that takes its arguments as unevaluated expressions (HCL's
 * customdecode mechanism, used by `try`, `can`, `convert`, ...).
 */
export interface ExpressionCallable {
  callExpressions(args: Expression[], ctx: EvalContext | undefined, call: Expression): ValueResult;
}

/** An expression standing for an already-known value (an expanded `...` argument). */
function valueExpression(v: Value, range: Range): Expression {
  return {
    value: () => ({ value: v, diags: [] }),
    variables: () => [],
    range,
    startRange: range,
  };
}

function callWithExpressions(
  f: FunctionImpl & ExpressionCallable,
  e: FunctionCallExpr,
  ctx: EvalContext | undefined,
  extra: Record<string, unknown>,
): ValueResult {
  let args: Expression[] = e.args;
  const diags: Diagnostic[] = [];
  if (e.expandFinal && e.args.length > 0) {
    const expandExpr = e.args[e.args.length - 1]!;
    const ex = expandExpr.value(ctx);
    for (const d of ex.diags) diags.push(d);
    if (hasErrors(ex.diags)) return { value: Value.dynamic, diags };
    const ev = ex.value;
    const k = ev.type.kind;
    if (ev.isNull() && (k === "dynamic" || k === "tuple" || k === "list" || k === "set")) {
      const d = exprErr(
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must not be null.",
        expandExpr.range,
        e.range,
        expandExpr,
        ctx,
      );
      d.extra = extra;
      diags.push(d);
      return { value: Value.dynamic, diags };
    }
    if (k === "dynamic" || ((k === "tuple" || k === "list" || k === "set") && !ev.isKnown())) {
      return { value: Value.dynamic, diags };
    }
    if (k !== "tuple" && k !== "list" && k !== "set") {
      const d = exprErr(
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
        expandExpr.range,
        e.range,
        expandExpr,
        ctx,
      );
      d.extra = extra;
      diags.push(d);
      return { value: Value.dynamic, diags };
    }
    const marks = ev.marks();
    args = e.args.slice(0, -1);
    for (const el of ev.withoutMarks().elements()) {
      args.push(valueExpression(el.withMarks(marks), expandExpr.range));
    }
  }
  let r: ValueResult;
  try {
    r = f.callExpressions(args, ctx, e);
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught);
    const d = exprErr(
      "Error in function call",
      `Call to function ${goQuote(e.name)} failed: ${message}.`,
      e.startRange,
      e.range,
      e,
      ctx,
    );
    d.extra = { ...extra, functionCallError: caught };
    diags.push(d);
    return { value: Value.dynamic, diags };
  }
  for (const d of r.diags) diags.push(d);
  return { value: r.value, diags };
}

// ---------------------------------------------------------------------------
// Conditionals

function describeConditionalTypeMismatch(trueTy: Type, falseTy: Type): string {
  if (trueTy.kind === "object" && falseTy.kind === "object") {
    const trueAttrs = Object.keys(trueTy.attributeTypes()).sort();
    const falseAttrs = Object.keys(falseTy.attributeTypes()).sort();
    for (const name of trueAttrs) {
      if (!falseTy.hasAttribute(name)) {
        return `The 'true' value includes object attribute ${goQuote(name)}, which is absent in the 'false' value`;
      }
      const ta = trueTy.attributeType(name);
      const fa = falseTy.attributeType(name);
      if (!ta.equals(fa)) {
        return `Type mismatch for object attribute ${goQuote(name)}: ${describeConditionalTypeMismatch(ta, fa)}`;
      }
    }
    for (const name of falseAttrs) {
      if (!trueTy.hasAttribute(name)) {
        return `The 'false' value includes object attribute ${goQuote(name)}, which is absent in the 'true' value`;
      }
    }
  } else if (trueTy.kind === "tuple" && falseTy.kind === "tuple") {
    const te = trueTy.tupleElementTypes();
    const fe = falseTy.tupleElementTypes();
    if (te.length !== fe.length) {
      return `The 'true' tuple has length ${te.length}, but the 'false' tuple has length ${fe.length}`;
    }
    for (let i = 0; i < te.length; i++) {
      if (!te[i]!.equals(fe[i]!)) {
        return `Type mismatch for tuple element ${i}: ${describeConditionalTypeMismatch(te[i]!, fe[i]!)}`;
      }
    }
  } else if (trueTy.isCollection() && falseTy.isCollection() && trueTy.kind === falseTy.kind) {
    const te = trueTy.elementType();
    const fe = falseTy.elementType();
    if ((te.isObject() && fe.isObject()) || (te.isTuple() && fe.isTuple())) {
      return `Mismatched ${trueTy.kind} element types: ${describeConditionalTypeMismatch(te, fe)}`;
    }
  }
  const tn = trueTy.friendlyName();
  const fn = falseTy.friendlyName();
  if (tn === fn) {
    return "At least one deeply-nested attribute or element is not compatible across both the 'true' and the 'false' value";
  }
  return `The 'true' value is ${tn}, but the 'false' value is ${fn}`;
}

function evalConditional(e: ConditionalExpr, ctx: EvalContext | undefined): ValueResult {
  const t = e.trueResult.value(ctx);
  const f = e.falseResult.value(ctx);
  const diags: Diagnostic[] = [];
  const trueResult = t.value;
  const falseResult = f.value;

  let resultType: Type = Type.dynamic;
  const convs: (Conversion | undefined)[] = [undefined, undefined];
  if (trueResult.rawEquals(NULL_DYNAMIC)) {
    resultType = falseResult.type;
    convs[0] = getConversion(Type.dynamic, resultType, true);
  } else if (falseResult.rawEquals(NULL_DYNAMIC)) {
    resultType = trueResult.type;
    convs[1] = getConversion(Type.dynamic, resultType, true);
  } else if (trueResult.type.kind === "dynamic" || falseResult.type.kind === "dynamic") {
    // The result type stays unknown; no conversion needed.
  } else {
    const u = unifyUnsafe([trueResult.type, falseResult.type]);
    if (u === undefined) {
      return {
        value: Value.dynamic,
        diags: [
          exprErr(
            "Inconsistent conditional result types",
            `The true and false result expressions must have consistent types. ${describeConditionalTypeMismatch(trueResult.type, falseResult.type)}.`,
            rangeBetween(e.trueResult.range, e.falseResult.range),
            e.range,
            e,
            ctx,
          ),
        ],
      };
    }
    resultType = u.type;
    convs[0] = u.conversions[0];
    convs[1] = u.conversions[1];
  }

  const c = e.condition.value(ctx);
  for (const d of c.diags) diags.push(d);
  let condResult = c.value;
  if (condResult.isNull()) {
    diags.push(
      exprErr(
        "Null condition",
        "The condition value is null. Conditions must either be true or false.",
        e.condition.range,
        e.range,
        e.condition,
        ctx,
      ),
    );
    return { value: Value.unknown(resultType), diags };
  }
  if (!condResult.isKnown()) {
    const marks = new Set<Mark>(condResult.marks());
    mergeMarks(marks, trueResult.marks());
    mergeMarks(marks, falseResult.marks());
    return { value: Value.unknown(resultType).withMarks(marks), diags };
  }
  const cc = convert(condResult, Type.bool);
  if ("error" in cc) {
    diags.push(
      exprErr(
        "Incorrect condition type",
        "The condition expression must be of type bool.",
        e.condition.range,
        e.range,
        e.condition,
        ctx,
      ),
    );
    return { value: Value.unknown(resultType), diags };
  }
  const [plain, condMarks] = cc.value.unmarkDeep();
  condResult = plain;
  const which = condResult.isTrue() ? 0 : 1;
  const branch = which === 0 ? t : f;
  for (const d of branch.diags) diags.push(d);
  let result = which === 0 ? trueResult : falseResult;
  const conv = convs[which];
  if (conv !== undefined) {
    try {
      result = conv(result);
    } catch (x) {
      const message = x instanceof Error ? x.message : String(x);
      const be = which === 0 ? e.trueResult : e.falseResult;
      diags.push(
        exprErr(
          "Inconsistent conditional result types",
          `The ${which === 0 ? "true" : "false"} result value has the wrong type: ${message}.`,
          be.range,
          e.range,
          be,
          ctx,
        ),
      );
      result = Value.unknown(resultType);
    }
  }
  return { value: condMarks.size > 0 ? result.withMarks(condMarks) : result, diags };
}

// ---------------------------------------------------------------------------
// Operators

interface OpSpec {
  /** Parameter type operands are converted to. */
  param: Type;
  /** Result type. */
  ret: Type;
  allowNull: boolean;
  allowUnknown: boolean;
}

const BOOL_OP: OpSpec = { param: Type.bool, ret: Type.bool, allowNull: false, allowUnknown: false };
const EQ_OP: OpSpec = { param: Type.dynamic, ret: Type.bool, allowNull: true, allowUnknown: true };
const CMP_OP: OpSpec = { param: Type.number, ret: Type.bool, allowNull: false, allowUnknown: true };
const NUM_OP: OpSpec = {
  param: Type.number,
  ret: Type.number,
  allowNull: false,
  allowUnknown: false,
};

function opSpec(op: BinaryOperator): OpSpec {
  switch (op) {
    case "LogicalOr":
    case "LogicalAnd":
      return BOOL_OP;
    case "Equal":
    case "NotEqual":
      return EQ_OP;
    case "GreaterThan":
    case "GreaterThanOrEqual":
    case "LessThan":
    case "LessThanOrEqual":
      return CMP_OP;
    default:
      return NUM_OP;
  }
}

const ARITH_MESSAGES: Partial<Record<BinaryOperator, string>> = {
  Add: "can't compute sum of opposing infinities",
  Subtract: "can't subtract infinity from itself",
  Multiply: "can't multiply zero by infinity",
  Divide: "can't divide zero by zero or infinity by infinity",
  Modulo: "can't use modulo with zero and infinity",
};

/** Apply a binary operation to converted, unmarked operands; throws an Error with cty's message. */
function applyBinary(op: BinaryOperator, spec: OpSpec, a: Value, b: Value): Value {
  if (!spec.allowNull) {
    if (a.isNull() || b.isNull()) throw new Error("argument must not be null");
  }
  if (!spec.allowUnknown && (!a.isKnown() || !b.isKnown())) return Value.unknown(spec.ret);
  try {
    switch (op) {
      case "LogicalOr":
        return a.or(b);
      case "LogicalAnd":
        return a.and(b);
      case "Equal":
        return a.equals(b);
      case "NotEqual":
        return a.equals(b).not();
      case "GreaterThan":
        return a.greaterThan(b);
      case "GreaterThanOrEqual":
        return a.greaterThanOrEqualTo(b);
      case "LessThan":
        return a.lessThan(b);
      case "LessThanOrEqual":
        return a.lessThanOrEqualTo(b);
      case "Add":
        return a.add(b);
      case "Subtract":
        return a.subtract(b);
      case "Multiply":
        return a.multiply(b);
      case "Divide":
        return a.divide(b);
      case "Modulo":
        return a.modulo(b);
    }
  } catch (x) {
    if (x instanceof ArithmeticError) throw new Error(ARITH_MESSAGES[op] ?? x.message);
    throw x;
  }
}

/** HCL's short-circuit rules for && and ||; undefined to evaluate normally. */
function shortCircuit(
  op: BinaryOperator,
  lhs: Value,
  rhs: Value,
  lhsDiags: Diagnostic[],
  rhsDiags: Diagnostic[],
): { value: Value; diags: Diagnostic[] } | undefined {
  if (op !== "LogicalOr" && op !== "LogicalAnd") return undefined;
  const lk = lhs.isKnown();
  const rk = rhs.isKnown();
  if (!lk && !rk) {
    if (!hasErrors(lhsDiags)) return { value: Value.unknown(Type.bool), diags: lhsDiags };
    return undefined;
  }
  const decisive = op === "LogicalOr";
  const isDecisive = (v: Value) => (decisive ? v.isTrue() : v.isFalse());
  const isOther = (v: Value) => (decisive ? v.isFalse() : v.isTrue());
  if (lk && isDecisive(lhs)) return { value: Value.bool(decisive), diags: lhsDiags };
  if (rk && isDecisive(rhs)) return { value: Value.bool(decisive), diags: rhsDiags };
  if (!lk && isOther(rhs)) return { value: Value.unknown(Type.bool), diags: lhsDiags };
  if (!rk && isOther(lhs)) return { value: Value.unknown(Type.bool), diags: rhsDiags };
  return undefined;
}

function evalBinaryOp(e: BinaryOpExpr, ctx: EvalContext | undefined): ValueResult {
  const spec = opSpec(e.op);
  const diags: Diagnostic[] = [];

  // Each operand is evaluated and converted to the operator's parameter type.
  const operand = (side: "left" | "right", x: Expr) => {
    const res = x.value(ctx);
    const c = convert(res.value, spec.param);
    if (!("error" in c)) return { res, val: c.value };
    diags.push(
      exprErr(
        "Invalid operand",
        `Unsuitable value for ${side} operand: ${c.error}.`,
        x.range,
        e.range,
        x,
        ctx,
      ),
    );
    return { res, val: res.value };
  };
  let { res: l, val: lhsVal } = operand("left", e.lhs);
  let { res: r, val: rhsVal } = operand("right", e.rhs);
  if (hasErrors(diags)) {
    for (const d of l.diags) diags.push(d);
    for (const d of r.diags) diags.push(d);
    return { value: Value.unknown(spec.ret), diags };
  }

  const lhsMarks = lhsVal.marks();
  const rhsMarks = rhsVal.marks();
  lhsVal = lhsVal.withoutMarks();
  rhsVal = rhsVal.withoutMarks();

  const sc = shortCircuit(e.op, lhsVal, rhsVal, l.diags, r.diags);
  if (sc !== undefined) return { value: sc.value.withMarks(lhsMarks, rhsMarks), diags: sc.diags };

  for (const d of l.diags) diags.push(d);
  for (const d of r.diags) diags.push(d);
  if (hasErrors(diags)) {
    return { value: Value.unknown(spec.ret).withMarks(lhsMarks, rhsMarks), diags };
  }

  let result: Value;
  try {
    result = applyBinary(e.op, spec, lhsVal, rhsVal);
  } catch (x) {
    const message = x instanceof Error ? x.message : String(x);
    diags.push(
      exprErr(
        "Operation failed",
        `Error during operation: ${message}.`,
        e.range,
        undefined,
        e,
        ctx,
      ),
    );
    return { value: Value.unknown(spec.ret), diags };
  }
  return { value: result.withMarks(lhsMarks, rhsMarks), diags };
}

function evalUnaryOp(e: UnaryOpExpr, ctx: EvalContext | undefined): ValueResult {
  const ty = e.op === "LogicalNot" ? Type.bool : Type.number;
  const r = e.val.value(ctx);
  const diags = r.diags;
  let val = r.value;
  const c = convert(val, ty);
  if ("error" in c) {
    diags.push(
      exprErr(
        "Invalid operand",
        `Unsuitable value for unary operand: ${c.error}.`,
        e.val.range,
        e.range,
        e.val,
        ctx,
      ),
    );
  } else {
    val = c.value;
  }
  if (hasErrors(diags)) return { value: Value.unknown(ty), diags };
  if (val.isNull()) {
    diags.push(
      exprErr(
        "Operation failed",
        "Error during operation: argument must not be null.",
        e.range,
        undefined,
        e,
        ctx,
      ),
    );
    return { value: Value.unknown(ty), diags };
  }
  return { value: e.op === "LogicalNot" ? val.not() : val.negate(), diags };
}

// ---------------------------------------------------------------------------
// Templates

function evalTemplate(e: TemplateExpr, ctx: EvalContext | undefined): ValueResult {
  const diags: Diagnostic[] = [];
  const buf: string[] = [];
  let isKnown = true;
  const marks = new Set<Mark>();
  for (const part of e.parts) {
    const r = part.value(ctx);
    for (const d of r.diags) diags.push(d);
    const partVal = r.value;
    if (partVal.isNull()) {
      diags.push(
        exprErr(
          "Invalid template interpolation value",
          "The expression result is null. Cannot include a null value in a string template.",
          part.range,
          e.range,
          part,
          ctx,
        ),
      );
      continue;
    }
    mergeMarks(marks, partVal.marks());
    if (!partVal.isKnown()) {
      isKnown = false;
      continue;
    }
    const s = convert(partVal.withoutMarks(), Type.string);
    if ("error" in s) {
      diags.push(
        exprErr(
          "Invalid template interpolation value",
          `Cannot include the given value in a string template: ${s.error}.`,
          part.range,
          e.range,
          part,
          ctx,
        ),
      );
      continue;
    }
    if (isKnown && !hasErrors(diags)) buf.push(s.value.withoutMarks().asString());
  }
  const ret = isKnown ? Value.string(buf.join("")) : Value.unknown(Type.string);
  return { value: ret.withMarks(marks), diags };
}

function evalTemplateJoin(e: TemplateJoinExpr, ctx: EvalContext | undefined): ValueResult {
  const r = e.tuple.value(ctx);
  const diags = r.diags;
  let tuple = r.value;
  if (tuple.type.kind === "dynamic" || !tuple.isKnown() || tuple.isNull()) {
    return { value: Value.unknown(Type.string).withMarks(tuple.marks()), diags };
  }
  const marks = new Set<Mark>(tuple.marks());
  tuple = tuple.withoutMarks();
  const buf: string[] = [];
  for (const val of tuple.elements()) {
    if (val.isNull()) {
      diags.push(
        exprErr(
          "Invalid template interpolation value",
          "An iteration result is null. Cannot include a null value in a string template.",
          e.range,
          undefined,
          e,
          ctx,
        ),
      );
      continue;
    }
    if (val.type.kind === "dynamic") {
      return { value: Value.unknown(Type.string).withMarks(marks), diags };
    }
    const s = convert(val, Type.string);
    if ("error" in s) {
      diags.push(
        exprErr(
          "Invalid template interpolation value",
          `Cannot include one of the interpolation results into the string template: ${s.error}.`,
          e.range,
          undefined,
          e,
          ctx,
        ),
      );
      continue;
    }
    if (!val.isKnown()) return { value: Value.unknown(Type.string).withMarks(marks), diags };
    mergeMarks(marks, s.value.marks());
    buf.push(s.value.withoutMarks().asString());
  }
  return { value: Value.string(buf.join("")).withMarks(marks), diags };
}

// ---------------------------------------------------------------------------
// for expressions

function canIterateElements(t: Type): boolean {
  return t.isCollection() || t.kind === "tuple" || t.kind === "object";
}

/** [key, value] pairs of an iterable, known, non-null value (cty ElementIterator). */
function elementPairs(v: Value): [Value, Value][] {
  const out: [Value, Value][] = [];
  switch (v.type.kind) {
    case "list":
    case "tuple": {
      const els = v.elements();
      for (let i = 0; i < els.length; i++) out.push([Value.number(i), els[i]!]);
      return out;
    }
    case "set":
      for (const el of v.elements()) out.push([el, el]);
      return out;
    default:
      for (const [k, el] of v.entries()) out.push([Value.string(k), el]);
      return out;
  }
}

function evalFor(e: ForExpr, ctx: EvalContext | undefined): ValueResult {
  const diags: Diagnostic[] = [];
  const marks = new Set<Mark>();
  const cr = e.collExpr.value(ctx);
  for (const d of cr.diags) diags.push(d);
  let collVal = cr.value;
  if (collVal.isNull()) {
    diags.push(
      exprErr(
        "Iteration over null value",
        "A null value cannot be used as the collection in a 'for' expression.",
        e.collExpr.range,
        e.range,
        e.collExpr,
        ctx,
      ),
    );
    return { value: Value.dynamic, diags };
  }
  if (collVal.type.kind === "dynamic") return { value: Value.dynamic, diags };
  mergeMarks(marks, collVal.marks());
  collVal = collVal.withoutMarks();
  if (!canIterateElements(collVal.type)) {
    diags.push(
      exprErr(
        "Iteration over non-iterable value",
        `A value of type ${collVal.type.friendlyName()} cannot be used as the collection in a 'for' expression.`,
        e.collExpr.range,
        e.range,
        e.collExpr,
        ctx,
      ),
    );
    return { value: Value.dynamic, diags };
  }
  if (!collVal.isKnown()) return { value: Value.dynamic, diags };

  const makeVars = (k: Value, v: Value): Record<string, Value> => {
    const vars: Record<string, Value> = Object.create(null);
    if (e.keyVar !== "") vars[e.keyVar] = k;
    vars[e.valVar] = v;
    return vars;
  };

  if (e.condExpr !== undefined) {
    const cctx = childCtx(ctx, makeVars(Value.dynamic, Value.dynamic));
    const r = e.condExpr.value(cctx);
    for (const d of r.diags) diags.push(d);
    if (r.value.isNull()) {
      diags.push(
        exprErr(
          "Condition is null",
          "The value of the 'if' clause must not be null.",
          e.condExpr.range,
          e.range,
          e.condExpr,
          ctx,
        ),
      );
      return { value: Value.dynamic, diags };
    }
    const c = convert(r.value, Type.bool);
    if ("error" in c) {
      diags.push(
        exprErr(
          "Invalid 'for' condition",
          `The 'if' clause value is invalid: ${c.error}.`,
          e.condExpr.range,
          e.range,
          e.condExpr,
          ctx,
        ),
      );
      return { value: Value.dynamic, diags };
    }
    if (hasErrors(r.diags)) return { value: Value.dynamic, diags };
  }

  let known = true;
  /** Evaluates the if clause; true to include the element, false to skip, undefined to mark unknown. */
  const include = (cctx: EvalContext): boolean => {
    const cond = e.condExpr!;
    const r = cond.value(cctx);
    for (const d of r.diags) diags.push(d);
    if (r.value.isNull()) {
      if (known) {
        diags.push(
          exprErr(
            "Invalid 'for' condition",
            "The value of the 'if' clause must not be null.",
            cond.range,
            e.range,
            cond,
            cctx,
          ),
        );
      }
      known = false;
      return false;
    }
    if (e.keyExpr === undefined && !r.value.isKnown()) {
      known = false;
      return false;
    }
    const c = convert(r.value, Type.bool);
    if ("error" in c) {
      if (known) {
        diags.push(
          exprErr(
            "Invalid 'for' condition",
            `The 'if' clause value is invalid: ${c.error}.`,
            cond.range,
            e.range,
            cond,
            cctx,
          ),
        );
      }
      known = false;
      return false;
    }
    if (!c.value.isKnown()) {
      known = false;
      return false;
    }
    mergeMarks(marks, c.value.marks());
    return !c.value.withoutMarks().isFalse();
  };

  if (e.keyExpr !== undefined) {
    const keyExpr = e.keyExpr;
    const vals = new Map<string, Value>();
    const groupVals = new Map<string, Value[]>();
    for (const [k, v] of elementPairs(collVal)) {
      const cctx = childCtx(ctx, makeVars(k, v));
      if (e.condExpr !== undefined && !include(cctx)) continue;
      const kr = keyExpr.value(cctx);
      for (const d of kr.diags) diags.push(d);
      if (kr.value.isNull()) {
        if (known) {
          diags.push(
            exprErr(
              "Invalid object key",
              "Key expression in 'for' expression must not produce a null value.",
              keyExpr.range,
              e.range,
              keyExpr,
              cctx,
            ),
          );
        }
        known = false;
        continue;
      }
      if (!kr.value.isKnown()) {
        known = false;
        continue;
      }
      const kc = convert(kr.value, Type.string);
      if ("error" in kc) {
        if (known) {
          diags.push(
            exprErr(
              "Invalid object key",
              `The key expression produced an invalid result: ${kc.error}.`,
              keyExpr.range,
              e.range,
              keyExpr,
              cctx,
            ),
          );
        }
        known = false;
        continue;
      }
      mergeMarks(marks, kc.value.marks());
      const key = kc.value.withoutMarks().asString();
      const vr = e.valExpr.value(cctx);
      for (const d of vr.diags) diags.push(d);
      if (e.group) {
        const g = groupVals.get(key);
        if (g) g.push(vr.value);
        else groupVals.set(key, [vr.value]);
      } else if (vals.has(key)) {
        diags.push(
          exprErr(
            "Duplicate object key",
            `Two different items produced the key ${goQuote(key)} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
            keyExpr.range,
            e.range,
            keyExpr,
            cctx,
          ),
        );
      } else {
        vals.set(key, vr.value);
      }
    }
    if (!known) return { value: Value.dynamic, diags };
    if (e.group) {
      for (const [k, g] of groupVals) vals.set(k, Value.tuple(g));
    }
    return { value: Value.object(vals).withMarks(marks), diags };
  }

  const vals: Value[] = [];
  for (const [k, v] of elementPairs(collVal)) {
    const cctx = childCtx(ctx, makeVars(k, v));
    if (e.condExpr !== undefined && !include(cctx)) continue;
    const vr = e.valExpr.value(cctx);
    for (const d of vr.diags) diags.push(d);
    vals.push(vr.value);
  }
  if (!known) return { value: Value.dynamic, diags };
  return { value: Value.tuple(vals).withMarks(marks), diags };
}

// ---------------------------------------------------------------------------
// Splat expressions

function listOrTuple(vals: Value[]): Value {
  const t0 = vals[0]!.type;
  let same = true;
  for (const v of vals) {
    if (!v.type.equals(t0)) {
      same = false;
      break;
    }
  }
  if (same) return Value.list(vals);
  const u = unifyUnsafe(vals.map((v) => v.type));
  if (u !== undefined) {
    try {
      return Value.list(vals.map((v, i) => (u.conversions[i] ? u.conversions[i]!(v) : v)));
    } catch {
      // fall through
    }
  }
  return Value.tuple(vals);
}

function evalSplat(e: SplatExpr, ctx: EvalContext | undefined): ValueResult {
  const sr = e.source.value(ctx);
  const diags = sr.diags;
  let sourceVal = sr.value;
  if (hasErrors(diags)) {
    const ir = e.item.value(ctx);
    for (const d of ir.diags) diags.push(d);
    return { value: Value.dynamic, diags };
  }
  let sourceTy = sourceVal.type;
  const autoUpgrade = !(
    sourceTy.kind === "tuple" ||
    sourceTy.kind === "list" ||
    sourceTy.kind === "set"
  );
  if (sourceVal.isNull()) {
    if (autoUpgrade) return { value: Value.emptyTuple, diags };
    diags.push(
      exprErr(
        "Splat of null value",
        "Splat expressions (with the * symbol) cannot be applied to null sequences.",
        e.source.range,
        rangeBetween(e.source.range, e.markerRange),
        e.source,
        ctx,
      ),
    );
    return { value: Value.dynamic, diags };
  }
  if (sourceTy.kind === "dynamic") return { value: Value.dynamic, diags };

  let upgradedUnknown = false;
  if (autoUpgrade) {
    if (!sourceVal.isKnown()) upgradedUnknown = true;
    sourceVal = Value.tuple([sourceVal]);
    sourceTy = sourceVal.type;
  }

  const resultTy = (): { type: Type; diags: Diagnostic[] } => {
    const tdiags: Diagnostic[] = [];
    const cctx: EvalContext = ctx === undefined ? {} : { parent: ctx };
    if (sourceTy.kind === "list" || sourceTy.kind === "set") {
      e.item.setValue(cctx, Value.unknown(sourceTy.elementType()));
      const r = e.each.value(cctx);
      for (const d of r.diags) tdiags.push(d);
      e.item.clearValue(cctx);
      return { type: Type.list(r.value.type), diags: tdiags };
    }
    if (sourceTy.kind === "tuple") {
      const tys: Type[] = [];
      for (const ety of sourceTy.tupleElementTypes()) {
        e.item.setValue(cctx, Value.unknown(ety));
        const r = e.each.value(cctx);
        for (const d of r.diags) tdiags.push(d);
        e.item.clearValue(cctx);
        tys.push(r.value.type);
      }
      return { type: Type.tuple(tys), diags: tdiags };
    }
    return { type: Type.dynamic, diags: tdiags };
  };

  if (!sourceVal.isKnown()) {
    const rt = resultTy();
    for (const d of rt.diags) diags.push(d);
    return { value: Value.unknown(rt.type).withMarks(sourceVal.marks()), diags };
  }

  const marks = sourceVal.marks();
  sourceVal = sourceVal.withoutMarks();
  const evalCtx: EvalContext = ctx ?? {};
  const vals: Value[] = [];
  let isKnown = true;
  for (const item of sourceVal.elements()) {
    e.item.setValue(evalCtx, item);
    const r = e.each.value(evalCtx);
    for (const d of r.diags) diags.push(d);
    if (hasErrors(r.diags)) isKnown = false;
    vals.push(r.value);
  }
  e.item.clearValue(evalCtx);

  if (upgradedUnknown) return { value: Value.dynamic, diags };
  if (!isKnown) return { value: Value.unknown(resultTy().type), diags };

  if (sourceTy.kind === "list" || sourceTy.kind === "set") {
    if (vals.length === 0) {
      const rt = resultTy();
      for (const d of rt.diags) diags.push(d);
      return { value: Value.listEmpty(rt.type.elementType()), diags };
    }
    return { value: listOrTuple(vals).withMarks(marks), diags };
  }
  return { value: Value.tuple(vals).withMarks(marks), diags };
}
