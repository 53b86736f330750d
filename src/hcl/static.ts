import type { Diagnostic } from "./diagnostic.js";
import type { Expression, StaticCall, StaticMapItem, Traversal } from "./structure.js";

// Static analysis of expressions without evaluating them, as HCL's
// ExprAsKeyword / ExprCall / ExprList / ExprMap / AbsTraversalForExpr do.
// Each syntax provides the shapes through optional methods on its expressions.

export function exprAsKeyword(expr: Expression): string | undefined {
  return expr.asKeyword?.();
}

export function exprCall(expr: Expression): StaticCall | undefined {
  return expr.asCall?.();
}

export function exprList(expr: Expression): Expression[] | undefined {
  return expr.asList?.();
}

export function exprMap(expr: Expression): StaticMapItem[] | undefined {
  return expr.asMap?.();
}

export function absTraversalForExpr(expr: Expression): {
  traversal?: Traversal;
  diags: Diagnostic[];
} {
  const t = expr.asTraversal?.();
  if (t && t.length > 0 && t[0]!.kind === "root") return { traversal: t, diags: [] };
  return {
    diags: [
      {
        severity: "error",
        summary: "Invalid expression",
        detail:
          "A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.",
        subject: expr.range,
      },
    ],
  };
}
