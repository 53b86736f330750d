import { Value } from "../cty/value.js";
import type { Diagnostic } from "../diagnostic.js";
import { type Range, rangeBetween } from "../pos.js";
import type {
  BodyContent,
  BodySchema,
  EvalContext,
  Expression,
  Attribute as HclAttribute,
  Block as HclBlock,
  Body as HclBody,
  StaticCall,
  StaticMapItem,
  Traversal,
  ValueResult,
} from "../structure.js";
import { evaluate } from "./eval.js";
import { goQuote, nameSuggestion } from "./util.js";

// The AST of HCL's native syntax: expression nodes (evaluated by eval.ts) and
// the body/attribute/block structure with its schema-based decoding.

export type BinaryOperator =
  | "LogicalOr"
  | "LogicalAnd"
  | "Equal"
  | "NotEqual"
  | "GreaterThan"
  | "GreaterThanOrEqual"
  | "LessThan"
  | "LessThanOrEqual"
  | "Add"
  | "Subtract"
  | "Multiply"
  | "Divide"
  | "Modulo";

export type UnaryOperator = "LogicalNot" | "Negate";

export type ExprKind =
  | "LiteralValue"
  | "ScopeTraversal"
  | "RelativeTraversal"
  | "FunctionCall"
  | "Conditional"
  | "Index"
  | "TupleCons"
  | "ObjectCons"
  | "ObjectConsKey"
  | "For"
  | "Splat"
  | "AnonSymbol"
  | "BinaryOp"
  | "UnaryOp"
  | "Template"
  | "TemplateJoin"
  | "TemplateWrap"
  | "Parentheses";

/** Evaluation nesting limit, so that pathological input can't overflow the stack. */
const MAX_EVAL_DEPTH = 1000;
let evalDepth = 0;

/** Base of every native-syntax expression node. */
export abstract class Expr implements Expression {
  abstract readonly kind: ExprKind;
  abstract get range(): Range;
  abstract get startRange(): Range;
  /** Direct child expressions, in source order. */
  abstract children(): Expr[];

  value(ctx?: EvalContext): ValueResult {
    if (evalDepth >= MAX_EVAL_DEPTH && this.children().length > 0) {
      return {
        value: Value.dynamic,
        diags: [
          {
            severity: "error",
            summary: "Expression too complex",
            detail: `This expression is nested more than ${MAX_EVAL_DEPTH} levels deep, which is more than can be evaluated.`,
            subject: this.range,
            expression: this,
          },
        ],
      };
    }
    evalDepth++;
    try {
      return evaluate(this as unknown as AnyExpr, ctx);
    } finally {
      evalDepth--;
    }
  }

  variables(): Traversal[] {
    const out: Traversal[] = [];
    collectVariables(this as unknown as AnyExpr, out);
    return out;
  }

  asTraversal(): Traversal | undefined {
    return undefined;
  }

  asKeyword(): string | undefined {
    const t = this.asTraversal();
    if (t === undefined || t.length !== 1 || t[0]!.kind !== "root") return undefined;
    return t[0]!.name;
  }
}

export type AnyExpr =
  | LiteralValueExpr
  | ScopeTraversalExpr
  | RelativeTraversalExpr
  | FunctionCallExpr
  | ConditionalExpr
  | IndexExpr
  | TupleConsExpr
  | ObjectConsExpr
  | ObjectConsKeyExpr
  | ForExpr
  | SplatExpr
  | AnonSymbolExpr
  | BinaryOpExpr
  | UnaryOpExpr
  | TemplateExpr
  | TemplateJoinExpr
  | TemplateWrapExpr
  | ParenthesesExpr;

/**
 * A literal value. `keyword` records `null`/`true`/`false` written as such,
 * so that they can still be read statically as keywords (as HCL does).
 */
export class LiteralValueExpr extends Expr {
  readonly kind = "LiteralValue";
  constructor(
    readonly val: Value,
    readonly srcRange: Range,
    readonly keyword?: "null" | "true" | "false",
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.srcRange;
  }
  children(): Expr[] {
    return [];
  }
  override asTraversal(): Traversal | undefined {
    if (this.keyword === undefined) return undefined;
    return [{ kind: "root", name: this.keyword, range: this.srcRange }];
  }
}

export class ScopeTraversalExpr extends Expr {
  readonly kind = "ScopeTraversal";
  constructor(
    public traversal: Traversal,
    public srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.srcRange;
  }
  children(): Expr[] {
    return [];
  }
  override asTraversal(): Traversal | undefined {
    return this.traversal;
  }
}

export class RelativeTraversalExpr extends Expr {
  readonly kind = "RelativeTraversal";
  constructor(
    readonly source: Expr,
    public traversal: Traversal,
    public srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.srcRange;
  }
  children(): Expr[] {
    return [this.source];
  }
  override asTraversal(): Traversal | undefined {
    const st = this.source.asTraversal();
    if (st === undefined || st.length === 0 || st[0]!.kind !== "root") return undefined;
    return [...st, ...this.traversal];
  }
}

export class FunctionCallExpr extends Expr {
  readonly kind = "FunctionCall";
  constructor(
    readonly name: string,
    readonly args: Expr[],
    readonly expandFinal: boolean,
    readonly nameRange: Range,
    readonly openParenRange: Range,
    readonly closeParenRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return rangeBetween(this.nameRange, this.closeParenRange);
  }
  get startRange(): Range {
    return rangeBetween(this.nameRange, this.openParenRange);
  }
  children(): Expr[] {
    return this.args;
  }
  asCall(): StaticCall {
    return {
      name: this.name,
      nameRange: this.nameRange,
      args: this.args.slice(),
      argsRange: rangeBetween(this.openParenRange, this.closeParenRange),
    };
  }
}

export class ConditionalExpr extends Expr {
  readonly kind = "Conditional";
  constructor(
    readonly condition: Expr,
    readonly trueResult: Expr,
    readonly falseResult: Expr,
    readonly srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.condition.startRange;
  }
  children(): Expr[] {
    return [this.condition, this.trueResult, this.falseResult];
  }
}

export class IndexExpr extends Expr {
  readonly kind = "Index";
  constructor(
    readonly collection: Expr,
    readonly key: Expr,
    readonly srcRange: Range,
    readonly openRange: Range,
    readonly bracketRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.openRange;
  }
  children(): Expr[] {
    return [this.collection, this.key];
  }
}

export class TupleConsExpr extends Expr {
  readonly kind = "TupleCons";
  constructor(
    readonly exprs: Expr[],
    readonly srcRange: Range,
    readonly openRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.openRange;
  }
  children(): Expr[] {
    return this.exprs;
  }
  asList(): Expression[] {
    return this.exprs.slice();
  }
}

export interface ObjectConsItem {
  keyExpr: ObjectConsKeyExpr;
  valueExpr: Expr;
}

export class ObjectConsExpr extends Expr {
  readonly kind = "ObjectCons";
  constructor(
    readonly items: ObjectConsItem[],
    readonly srcRange: Range,
    readonly openRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.openRange;
  }
  children(): Expr[] {
    const out: Expr[] = [];
    for (const it of this.items) out.push(it.keyExpr, it.valueExpr);
    return out;
  }
  asMap(): StaticMapItem[] {
    return this.items.map((it) => ({ key: it.keyExpr, value: it.valueExpr }));
  }
}

/**
 * An object constructor key: a bare identifier is the literal string of its
 * name; a parenthesised key (forceNonLiteral) is always evaluated.
 */
export class ObjectConsKeyExpr extends Expr {
  readonly kind = "ObjectConsKey";
  constructor(
    readonly wrapped: Expr,
    readonly forceNonLiteral: boolean,
  ) {
    super();
  }
  get range(): Range {
    return this.wrapped.range;
  }
  get startRange(): Range {
    return this.wrapped.startRange;
  }
  children(): Expr[] {
    return [this.wrapped];
  }
  /** The literal name this key stands for, or "" (ignores forceNonLiteral, as HCL does). */
  literalName(): string {
    return this.wrapped.asKeyword() ?? "";
  }
  override asTraversal(): Traversal | undefined {
    if (this.forceNonLiteral) return undefined;
    return this.wrapped.asTraversal();
  }
}

export class ForExpr extends Expr {
  readonly kind = "For";
  constructor(
    /** "" when the key is ignored. */
    readonly keyVar: string,
    readonly valVar: string,
    readonly collExpr: Expr,
    /** Undefined when building a tuple. */
    readonly keyExpr: Expr | undefined,
    readonly valExpr: Expr,
    readonly condExpr: Expr | undefined,
    readonly group: boolean,
    readonly srcRange: Range,
    readonly openRange: Range,
    readonly closeRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.openRange;
  }
  children(): Expr[] {
    const out: Expr[] = [this.collExpr];
    if (this.keyExpr) out.push(this.keyExpr);
    out.push(this.valExpr);
    if (this.condExpr) out.push(this.condExpr);
    return out;
  }
}

/**
 * A placeholder for the current item of a splat expression. Its value is
 * assigned per evaluation context by the splat that owns it.
 */
export class AnonSymbolExpr extends Expr {
  readonly kind = "AnonSymbol";
  private values: WeakMap<object, Value> | undefined;
  constructor(readonly srcRange: Range) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.srcRange;
  }
  children(): Expr[] {
    return [];
  }
  getValue(ctx: object | undefined): Value | undefined {
    if (ctx === undefined || this.values === undefined) return undefined;
    return this.values.get(ctx);
  }
  setValue(ctx: object, v: Value): void {
    if (this.values === undefined) this.values = new WeakMap();
    this.values.set(ctx, v);
  }
  clearValue(ctx: object): void {
    this.values?.delete(ctx);
  }
}

export class SplatExpr extends Expr {
  readonly kind = "Splat";
  constructor(
    readonly source: Expr,
    readonly each: Expr,
    readonly item: AnonSymbolExpr,
    readonly srcRange: Range,
    readonly markerRange: Range,
    /** True for the attribute-only form `.*`. */
    readonly attrOnly: boolean,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.markerRange;
  }
  children(): Expr[] {
    return [this.source, this.each];
  }
}

export class BinaryOpExpr extends Expr {
  readonly kind = "BinaryOp";
  constructor(
    readonly lhs: Expr,
    readonly op: BinaryOperator,
    readonly rhs: Expr,
    readonly srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.lhs.startRange;
  }
  children(): Expr[] {
    return [this.lhs, this.rhs];
  }
}

export class UnaryOpExpr extends Expr {
  readonly kind = "UnaryOp";
  constructor(
    readonly op: UnaryOperator,
    readonly val: Expr,
    readonly srcRange: Range,
    readonly symbolRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.symbolRange;
  }
  children(): Expr[] {
    return [this.val];
  }
}

export class TemplateExpr extends Expr {
  readonly kind = "Template";
  constructor(
    readonly parts: Expr[],
    readonly srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.parts[0]!.startRange;
  }
  children(): Expr[] {
    return this.parts;
  }
  /** True for a template that is just one literal string, like "foo". */
  isStringLiteral(): boolean {
    return this.parts.length === 1 && this.parts[0]!.kind === "LiteralValue";
  }
}

/** Joins the string results of a template `%{for}` directive. */
export class TemplateJoinExpr extends Expr {
  readonly kind = "TemplateJoin";
  constructor(readonly tuple: ForExpr) {
    super();
  }
  get range(): Range {
    return this.tuple.range;
  }
  get startRange(): Range {
    return this.tuple.startRange;
  }
  children(): Expr[] {
    return [this.tuple];
  }
}

/** A template that is a single interpolation: its value passes through unconverted. */
export class TemplateWrapExpr extends Expr {
  readonly kind = "TemplateWrap";
  constructor(
    readonly wrapped: Expr,
    readonly srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.srcRange;
  }
  children(): Expr[] {
    return [this.wrapped];
  }
}

export class ParenthesesExpr extends Expr {
  readonly kind = "Parentheses";
  constructor(
    readonly expression: Expr,
    readonly srcRange: Range,
  ) {
    super();
  }
  get range(): Range {
    return this.srcRange;
  }
  get startRange(): Range {
    return this.expression.startRange;
  }
  children(): Expr[] {
    return [this.expression];
  }
}

function collectVariables(root: AnyExpr, out: Traversal[]): void {
  // Iterative pre-order walk; names declared by enclosing for expressions
  // shadow variables in their key, value and condition expressions.
  const stack: { e: AnyExpr; shadow: ReadonlySet<string> | undefined }[] = [
    { e: root, shadow: undefined },
  ];
  while (stack.length > 0) {
    const { e, shadow } = stack.pop()!;
    switch (e.kind) {
      case "ScopeTraversal": {
        const r = e.traversal[0];
        if (shadow && r && r.kind === "root" && shadow.has(r.name)) break;
        out.push(e.traversal);
        break;
      }
      case "AnonSymbol":
      case "LiteralValue":
        break;
      case "ObjectConsKey":
        if (e.literalName() === "") stack.push({ e: e.wrapped as AnyExpr, shadow });
        break;
      case "For": {
        const inner = new Set(shadow);
        if (e.keyVar !== "") inner.add(e.keyVar);
        inner.add(e.valVar);
        if (e.condExpr) stack.push({ e: e.condExpr as AnyExpr, shadow: inner });
        stack.push({ e: e.valExpr as AnyExpr, shadow: inner });
        if (e.keyExpr) stack.push({ e: e.keyExpr as AnyExpr, shadow: inner });
        stack.push({ e: e.collExpr as AnyExpr, shadow });
        break;
      }
      default: {
        const cs = e.children();
        for (let i = cs.length - 1; i >= 0; i--) stack.push({ e: cs[i] as AnyExpr, shadow });
      }
    }
  }
}

/** Call `fn` for every expression node in the tree rooted at `e` (pre-order). */
export function walkExpr(e: Expr, fn: (e: AnyExpr) => void): void {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    fn(x as AnyExpr);
    const cs = x.children();
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
}

// ---------------------------------------------------------------------------
// Structure

export class Attribute implements HclAttribute {
  constructor(
    readonly name: string,
    readonly expr: Expr,
    readonly range: Range,
    readonly nameRange: Range,
    readonly equalsRange: Range,
  ) {}
}

export class Block implements HclBlock {
  constructor(
    readonly type: string,
    readonly labels: string[],
    readonly body: Body,
    readonly typeRange: Range,
    readonly labelRanges: Range[],
    readonly openBraceRange: Range,
    readonly closeBraceRange: Range,
  ) {}

  /** The whole block, from its type name to its closing brace. */
  get range(): Range {
    return rangeBetween(this.typeRange, this.closeBraceRange);
  }

  /** The block header: its type and labels. */
  get defRange(): Range {
    const last =
      this.labelRanges.length > 0 ? this.labelRanges[this.labelRanges.length - 1]! : this.typeRange;
    return rangeBetween(this.typeRange, last);
  }
}

function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export class Body implements HclBody {
  constructor(
    /** Attributes in source order (a redefined name keeps its first definition). */
    readonly attributes: Map<string, Attribute>,
    readonly blocks: Block[],
    readonly srcRange: Range,
    /** The final token of the body. */
    readonly endRange: Range,
    private readonly hiddenAttrs?: ReadonlySet<string>,
    private readonly hiddenBlocks?: ReadonlySet<string>,
  ) {}

  get range(): Range {
    return this.srcRange;
  }

  missingItemRange(): Range {
    return {
      filename: this.srcRange.filename,
      start: this.srcRange.start,
      end: this.srcRange.start,
    };
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const { content, remain, diags } = this.partialContent(schema);
    const hiddenAttrs = remain.hiddenAttrs!;
    const hiddenBlocks = remain.hiddenBlocks!;
    for (const [name, attr] of this.attributes) {
      if (hiddenAttrs.has(name)) continue;
      const suggestions: string[] = [];
      for (const as of schema.attributes ?? []) {
        if (as.name in content.attributes) continue;
        suggestions.push(as.name);
      }
      let suggestion = nameSuggestion(name, suggestions);
      if (suggestion !== "") {
        suggestion = ` Did you mean ${goQuote(suggestion)}?`;
      } else {
        for (const bs of schema.blocks ?? []) {
          if (bs.type === name) {
            suggestion = ` Did you mean to define a block of type ${goQuote(name)}?`;
            break;
          }
        }
      }
      diags.push({
        severity: "error",
        summary: "Unsupported argument",
        detail: `An argument named ${goQuote(name)} is not expected here.${suggestion}`,
        subject: attr.nameRange,
      });
    }
    for (const block of this.blocks) {
      const blockTy = block.type;
      if (hiddenBlocks.has(blockTy)) continue;
      const suggestions = (schema.blocks ?? []).map((b) => b.type);
      let suggestion = nameSuggestion(blockTy, suggestions);
      if (suggestion !== "") {
        suggestion = ` Did you mean ${goQuote(suggestion)}?`;
      } else {
        for (const as of schema.attributes ?? []) {
          if (as.name === blockTy) {
            suggestion = ` Did you mean to define argument ${goQuote(blockTy)}? If so, use the equals sign to assign it a value.`;
            break;
          }
        }
      }
      diags.push({
        severity: "error",
        summary: "Unsupported block type",
        detail: `Blocks of type ${goQuote(blockTy)} are not expected here.${suggestion}`,
        subject: block.typeRange,
      });
    }
    return { content, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const attrs = emptyRecord<HclAttribute>();
    const blocks: HclBlock[] = [];
    const diags: Diagnostic[] = [];
    const hiddenAttrs = new Set<string>(this.hiddenAttrs);
    const hiddenBlocks = new Set<string>(this.hiddenBlocks);

    for (const as of schema.attributes ?? []) {
      const name = as.name;
      const attr = this.attributes.get(name);
      if (hiddenAttrs.has(name) || attr === undefined) {
        if (as.required) {
          diags.push({
            severity: "error",
            summary: "Missing required argument",
            detail: `The argument ${goQuote(name)} is required, but no definition was found.`,
            subject: this.missingItemRange(),
          });
        }
        continue;
      }
      hiddenAttrs.add(name);
      attrs[name] = attr;
    }

    const wanted = new Map<string, { type: string; labelNames?: string[] }>();
    for (const bs of schema.blocks ?? []) wanted.set(bs.type, bs);

    for (const block of this.blocks) {
      if (hiddenBlocks.has(block.type)) continue;
      const bs = wanted.get(block.type);
      if (bs === undefined) continue;
      const labelNames = bs.labelNames ?? [];
      const name = block.type;
      if (block.labels.length > labelNames.length) {
        if (labelNames.length === 0) {
          diags.push({
            severity: "error",
            summary: `Extraneous label for ${name}`,
            detail: `No labels are expected for ${name} blocks.`,
            subject: block.labelRanges[0],
            context: rangeBetween(block.typeRange, block.openBraceRange),
          });
        } else {
          diags.push({
            severity: "error",
            summary: `Extraneous label for ${name}`,
            detail: `Only ${labelNames.length} labels (${labelNames.join(", ")}) are expected for ${name} blocks.`,
            subject: block.labelRanges[labelNames.length],
            context: rangeBetween(block.typeRange, block.openBraceRange),
          });
        }
        continue;
      }
      if (block.labels.length < labelNames.length) {
        diags.push({
          severity: "error",
          summary: `Missing ${labelNames[block.labels.length]} for ${name}`,
          detail: `All ${name} blocks must have ${labelNames.length} labels (${labelNames.join(", ")}).`,
          subject: block.openBraceRange,
          context: rangeBetween(block.typeRange, block.openBraceRange),
        });
        continue;
      }
      blocks.push(block);
    }
    for (const bs of schema.blocks ?? []) hiddenBlocks.add(bs.type);

    const remain = new Body(
      this.attributes,
      this.blocks,
      this.srcRange,
      this.endRange,
      hiddenAttrs,
      hiddenBlocks,
    );
    return {
      content: { attributes: attrs, blocks, missingItemRange: this.missingItemRange() },
      remain,
      diags,
    };
  }

  justAttributes(): { attributes: Record<string, HclAttribute>; diags: Diagnostic[] } {
    const attrs = emptyRecord<HclAttribute>();
    const diags: Diagnostic[] = [];
    if (this.blocks.length > 0) {
      const example = this.blocks[0]!;
      diags.push({
        severity: "error",
        summary: `Unexpected ${goQuote(example.type)} block`,
        detail: "Blocks are not allowed here.",
        subject: example.typeRange,
      });
    }
    for (const [name, attr] of this.attributes) {
      if (this.hiddenAttrs?.has(name)) continue;
      attrs[name] = attr;
    }
    return { attributes: attrs, diags };
  }
}
