import type { Range } from "./pos.js";

// The one type for every problem kiln reports about user input. Parsers and
// evaluators never throw on bad input: they return a value plus Diagnostics.

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** Where the problem is: the range the renderer underlines. */
  subject?: Range;
  /** A wider range around the subject (e.g. the whole expression), shown for context. */
  context?: Range;
  /**
   * For diagnostics raised while evaluating an expression: the expression and
   * the variables it saw, so the renderer can say "var.x is "foo"".
   * Kept loosely typed here so this module depends on nothing.
   */
  expression?: unknown;
  evalContext?: unknown;
  /** Extra data for programmatic consumers (e.g. a stable code). */
  extra?: Record<string, unknown>;
}

export type Diagnostics = Diagnostic[];

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

export function errorDiag(summary: string, detail?: string, subject?: Range): Diagnostic {
  const d: Diagnostic = { severity: "error", summary };
  if (detail !== undefined) d.detail = detail;
  if (subject !== undefined) d.subject = subject;
  return d;
}

export function warningDiag(summary: string, detail?: string, subject?: Range): Diagnostic {
  const d: Diagnostic = { severity: "warning", summary };
  if (detail !== undefined) d.detail = detail;
  if (subject !== undefined) d.subject = subject;
  return d;
}

/** Thrown only by internal code paths to carry diagnostics up to a boundary that returns them. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.summary).join("; "));
    this.name = "DiagnosticsError";
  }
}
