import type { Value } from "../../../src/hcl/cty/value.js";
import type { Range } from "../../../src/hcl/pos.js";
import type { Traversal } from "../../../src/hcl/structure.js";
import type { AnyExpr, Body, Expr } from "../../../src/hcl/syntax/ast.js";

// Compact renderings of native-syntax ASTs for table tests.

export function showValue(v: Value): string {
  if (!v.isKnown()) return v.type.kind === "dynamic" ? "?" : `?${v.type.friendlyName()}`;
  if (v.isNull()) return "null";
  switch (v.type.kind) {
    case "string":
      return JSON.stringify(v.asString());
    case "number":
      return v.asBigNum().toString();
    case "bool":
      return String(v.asBool());
    default:
      return v.toString();
  }
}

export function showTraversal(t: Traversal): string {
  let out = "";
  for (const s of t) {
    switch (s.kind) {
      case "root":
        out += s.name;
        break;
      case "attr":
        out += `.${s.name}`;
        break;
      case "index":
        out += `[${showValue(s.key)}]`;
        break;
      case "splat":
        out += "[*]";
        break;
    }
  }
  return out;
}

const OPS: Record<string, string> = {
  LogicalOr: "||",
  LogicalAnd: "&&",
  Equal: "==",
  NotEqual: "!=",
  GreaterThan: ">",
  GreaterThanOrEqual: ">=",
  LessThan: "<",
  LessThanOrEqual: "<=",
  Add: "+",
  Subtract: "-",
  Multiply: "*",
  Divide: "/",
  Modulo: "%",
  LogicalNot: "!",
  Negate: "neg",
};

/** An s-expression for an expression tree. */
export function show(expr: Expr): string {
  const e = expr as AnyExpr;
  switch (e.kind) {
    case "LiteralValue":
      return showValue(e.val);
    case "ScopeTraversal":
      return showTraversal(e.traversal);
    case "RelativeTraversal":
      return `(rel ${show(e.source)} ${showTraversal(e.traversal)})`;
    case "FunctionCall":
      return `(call ${e.name}${e.args.map((a) => ` ${show(a)}`).join("")}${e.expandFinal ? " ..." : ""})`;
    case "Conditional":
      return `(? ${show(e.condition)} ${show(e.trueResult)} ${show(e.falseResult)})`;
    case "Index":
      return `(index ${show(e.collection)} ${show(e.key)})`;
    case "TupleCons":
      return `[${e.exprs.map(show).join(" ")}]`;
    case "ObjectCons":
      return `{${e.items.map((i) => `${show(i.keyExpr)}=${show(i.valueExpr)}`).join(" ")}}`;
    case "ObjectConsKey":
      return e.forceNonLiteral ? `(key ${show(e.wrapped)})` : show(e.wrapped);
    case "For":
      return `(for ${e.keyVar ? `${e.keyVar},` : ""}${e.valVar} ${show(e.collExpr)}${e.keyExpr ? ` ${show(e.keyExpr)} =>` : ""} ${show(e.valExpr)}${e.group ? " ..." : ""}${e.condExpr ? ` if ${show(e.condExpr)}` : ""})`;
    case "Splat":
      return `(splat${e.attrOnly ? "." : ""} ${show(e.source)} ${show(e.each)})`;
    case "AnonSymbol":
      return "_";
    case "BinaryOp":
    case "UnaryOp":
      return e.kind === "BinaryOp"
        ? `(${OPS[e.op]} ${show(e.lhs)} ${show(e.rhs)})`
        : `(${OPS[e.op]} ${show(e.val)})`;
    case "Template":
      return `(tmpl${e.parts.map((p) => ` ${show(p)}`).join("")})`;
    case "TemplateJoin":
      return `(join ${show(e.tuple)})`;
    case "TemplateWrap":
      return `(wrap ${show(e.wrapped)})`;
    case "Parentheses":
      return `(paren ${show(e.expression)})`;
  }
}

export function showRange(r: Range | undefined): string {
  if (r === undefined) return "-";
  return `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;
}

/** A compact rendering of a body: attributes and blocks, recursively. */
export function showBody(b: Body): string {
  const parts: string[] = [];
  for (const [name, a] of b.attributes) parts.push(`${name}=${show(a.expr)}`);
  for (const bl of b.blocks) {
    parts.push(
      `${bl.type}${bl.labels.map((l) => ` ${JSON.stringify(l)}`).join("")} {${showBody(bl.body)}}`,
    );
  }
  return parts.join("; ");
}
