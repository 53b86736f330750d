import type { FunctionImpl } from "./cty/function.js";
import type { Value } from "./cty/value.js";
import type { Diagnostic } from "./diagnostic.js";
import type { Range } from "./pos.js";

// The syntax-independent model of an HCL file, shared by the native syntax
// (syntax/) and the JSON syntax (json/): parse without a schema, then decode a
// body against a schema (Body.content), as hashicorp/hcl does.

/** Variables and functions an expression is evaluated with; children see their parents' names. */
export interface EvalContext {
  variables?: Record<string, Value>;
  functions?: Record<string, FunctionImpl>;
  parent?: EvalContext;
}

export function childContext(parent: EvalContext, variables: Record<string, Value>): EvalContext {
  return { parent, variables };
}

export type Traverser =
  | { kind: "root"; name: string; range: Range }
  | { kind: "attr"; name: string; range: Range }
  | { kind: "index"; key: Value; range: Range }
  | { kind: "splat"; range: Range };

/** A static reference such as `var.foo[0].bar`: a root name and the steps from it. */
export type Traversal = Traverser[];

export interface ValueResult {
  value: Value;
  diags: Diagnostic[];
}

export interface Expression {
  /** Evaluate; never throws on user input. Without a context, variables are an error. */
  value(ctx?: EvalContext): ValueResult;
  /** Every variable reference the expression makes, for dependency ordering. */
  variables(): Traversal[];
  readonly range: Range;
  readonly startRange: Range;
  // Static analysis hooks (see static.ts): each syntax implements those that apply,
  // so type expressions (`list(string)`) and references can be read without evaluating.
  /** A bare keyword such as `string` or `any`. */
  asKeyword?(): string | undefined;
  /** A function-call shape `name(args...)`. */
  asCall?(): StaticCall | undefined;
  /** A tuple-constructor shape `[a, b]`. */
  asList?(): Expression[] | undefined;
  /** An object-constructor shape `{k = v}`. */
  asMap?(): StaticMapItem[] | undefined;
  /** An absolute traversal `a.b[0]`. */
  asTraversal?(): Traversal | undefined;
}

export interface StaticCall {
  name: string;
  nameRange: Range;
  args: Expression[];
  argsRange: Range;
}

export interface StaticMapItem {
  key: Expression;
  value: Expression;
}

export interface Attribute {
  name: string;
  expr: Expression;
  range: Range;
  nameRange: Range;
}

export interface Block {
  type: string;
  labels: string[];
  body: Body;
  defRange: Range;
  typeRange: Range;
  labelRanges: Range[];
}

export interface AttributeSchema {
  name: string;
  required?: boolean;
}

export interface BlockHeaderSchema {
  type: string;
  labelNames?: string[];
}

export interface BodySchema {
  attributes?: AttributeSchema[];
  blocks?: BlockHeaderSchema[];
}

export interface BodyContent {
  attributes: Record<string, Attribute>;
  blocks: Block[];
  missingItemRange: Range;
}

export interface Body {
  /** Decode against a schema; anything not in the schema is an error diagnostic. */
  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] };
  /** Decode what the schema names and return the rest as a body of its own. */
  partialContent(schema: BodySchema): {
    content: BodyContent;
    remain: Body;
    diags: Diagnostic[];
  };
  /** Treat the body as a flat map of attributes (blocks are an error). */
  justAttributes(): { attributes: Record<string, Attribute>; diags: Diagnostic[] };
  /** Where to point a "missing required argument" diagnostic. */
  missingItemRange(): Range;
}

/** A parsed file: its body and its source bytes, for rendering diagnostics. */
export interface File {
  body: Body;
  bytes: Buffer;
  filename: string;
}

export interface ParseResult {
  file: File;
  diags: Diagnostic[];
}
