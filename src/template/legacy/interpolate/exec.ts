// Executes a parsed Go template the way Go's text/template does (walk, pipeline
// and command evaluation, argument type checks, variables, if/with/range,
// break/continue), with Go's error messages and their "line:col ... at <node>"
// context. One addition: values only known at build time (DEFERRED) are never
// guessed. A top-level action or block that needs one is copied to the output
// unchanged, so a later pass, once the value exists, can render it.

import type {
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import {
  BUILTINS,
  FuncError,
  type InterpolateContext,
  PACKER_FUNCTIONS,
  type ParamType,
  type TemplateFunction,
} from "./functions.js";
import { byteColumnAt, lineAt, TEMPLATE_NAME } from "./parser.js";
import { DEFERRED, formatV, type GoValue, goTypeName, isMap, truth } from "./value.js";

/** An execution error, with Go's message and the node it is about. */
export class TemplateExecError extends Error {
  constructor(
    /** The message without Go's "template: root:L:C: executing ... at <...>: " prefix. */
    readonly bare: string,
    /** Go's full message. */
    readonly goMessage: string,
    readonly pos: number,
    readonly end: number,
  ) {
    super(goMessage);
    this.name = "TemplateExecError";
  }
}

const MISSING: unique symbol = Symbol("missing");
type Final = GoValue | typeof MISSING;

/** Thrown (internally) when a value needed for output is only known at build time. */
const DEFER = Symbol("defer");
const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");

/** Look up a function: context functions override Packer's, which override Go's builtins. */
export function findFunction(
  name: string,
  ctx: InterpolateContext,
): { f: TemplateFunction; builtin: boolean } | undefined {
  const own = ctx.funcs;
  if (own && Object.hasOwn(own, name)) return { f: own[name] as TemplateFunction, builtin: false };
  if (Object.hasOwn(PACKER_FUNCTIONS, name)) {
    return { f: PACKER_FUNCTIONS[name] as TemplateFunction, builtin: false };
  }
  if (Object.hasOwn(BUILTINS, name))
    return { f: BUILTINS[name] as TemplateFunction, builtin: true };
  return undefined;
}

interface Variable {
  name: string;
  value: GoValue;
}

function typeLabel(t: ParamType): string {
  switch (t) {
    case "string":
      return "string";
    case "int":
      return "int";
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
  }
}

/** Go source text for a value, if it has one (used to re-declare variables). */
function literalOf(v: GoValue): string | undefined {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v)
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029");
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return Number.isFinite(v) ? (Number.isInteger(v) ? `${v}.0` : String(v)) : undefined;
  }
  return undefined;
}

class State {
  private node: Node | null = null;
  private vars: Variable[];
  out = "";
  deferred = false;

  constructor(
    private readonly src: string,
    private readonly ctx: InterpolateContext,
    data: GoValue,
  ) {
    this.vars = [{ name: "$", value: data }];
  }

  // --- errors ---------------------------------------------------------------

  private at(n: Node): void {
    this.node = n;
  }

  private errorf(msg: string): never {
    const n = this.node;
    if (n === null) {
      throw new TemplateExecError(msg, `template: ${TEMPLATE_NAME}: ${msg}`, 0, this.src.length);
    }
    const line = lineAt(this.src, n.pos);
    const col = byteColumnAt(this.src, n.pos);
    const context = nodeString(n);
    throw new TemplateExecError(
      msg,
      `template: ${TEMPLATE_NAME}:${line}:${col}: executing "${TEMPLATE_NAME}" at <${context}>: ${msg}`,
      n.pos,
      Math.max(n.end, n.pos),
    );
  }

  // --- variables --------------------------------------------------------------

  private push(name: string, value: GoValue): void {
    this.vars.push({ name, value });
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: GoValue): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ----------------------------------------------------------------

  /** Run the whole template: each top-level node either renders or is deferred verbatim. */
  run(root: ListNode): void {
    for (const n of root.nodes) {
      const outMark = this.out.length;
      const varMark = this.mark();
      try {
        if (n.type === "action" && n.pipe.decl.length > 0) {
          // A top-level declaration whose value is deferred is kept, so later
          // (deferred) uses of the variable still find it.
          const v = this.evalPipeline(this.vars[0]?.value, n.pipe);
          if (v === DEFERRED) this.emitVerbatim(n);
          continue;
        }
        this.walk(this.vars[0]?.value, n);
      } catch (e) {
        if (e !== DEFER) throw e;
        this.out = this.out.slice(0, outMark);
        this.pop(varMark);
        this.emitVerbatim(n);
      }
    }
  }

  /** Copy a top-level node's source to the output, re-declaring the variables it uses. */
  private emitVerbatim(n: Node): void {
    this.deferred = true;
    if (!("srcStart" in n)) return;
    let raw = this.src.slice(n.srcStart, n.srcEnd);
    if (raw.startsWith("{{- ")) raw = `{{ ${raw.slice(4)}`;
    if (raw.endsWith(" -}}")) raw = `${raw.slice(0, -4)} }}`;
    let prefix = "";
    const declaredInside = new Set<string>();
    const used = new Set<string>();
    const visit = (x: Node | null): void => {
      if (x === null) return;
      switch (x.type) {
        case "list":
          x.nodes.forEach(visit);
          return;
        case "action":
          visit(x.pipe);
          return;
        case "if":
        case "range":
        case "with":
          visit(x.pipe);
          visit(x.list);
          visit(x.elseList);
          return;
        case "pipe":
          for (const d of x.decl) declaredInside.add(d.ident[0] as string);
          x.cmds.forEach(visit);
          return;
        case "command":
          x.args.forEach(visit);
          return;
        case "chain":
          visit(x.node);
          return;
        case "variable":
          used.add(x.ident[0] as string);
          return;
        default:
          return;
      }
    };
    visit(n);
    for (const name of used) {
      if (name === "$" || declaredInside.has(name)) continue;
      const lit = literalOf(this.tryVar(name));
      if (lit !== undefined) prefix += `{{${name} := ${lit}}}`;
    }
    this.out += prefix + raw;
  }

  private tryVar(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return undefined;
  }

  private walk(dot: GoValue, node: Node): void {
    this.at(node);
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (val === DEFERRED) throw DEFER;
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "comment":
        return;
      case "if":
      case "with": {
        const mark = this.mark();
        try {
          const val = this.evalPipeline(dot, node.pipe);
          if (val === DEFERRED) throw DEFER;
          if (truth(val)) this.walk(node.type === "with" ? val : dot, node.list);
          else if (node.elseList) this.walk(dot, node.elseList);
        } finally {
          this.pop(mark);
        }
        return;
      }
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "text":
        this.out += node.text;
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkRange(dot: GoValue, r: Node & { type: "range" }): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      if (val === DEFERRED) throw DEFER;
      const mark = this.mark();
      const one = (index: GoValue, elem: GoValue): boolean => {
        const decl = r.pipe.decl;
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0]?.ident[0] as string, decl.length > 1 ? index : elem);
          } else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] as string, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      if (Array.isArray(val)) {
        if (val.length > 0) {
          for (let i = 0; i < val.length; i++) if (!one(BigInt(i), val[i])) break;
          return;
        }
      } else if (isMap(val)) {
        const keys = Object.keys(val).sort((a, b) =>
          Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")),
        );
        if (keys.length > 0) {
          for (const k of keys) if (!one(k, val[k])) break;
          return;
        }
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${formatV(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private printValue(n: Node, v: GoValue): void {
    this.at(n);
    this.out += v === undefined ? "<no value>" : formatV(v);
  }

  // --- evaluation ---------------------------------------------------------------

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, result);
      else this.push(v.ident[0] as string, result);
    }
    return result;
  }

  private notAFunction(args: readonly Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
    }
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0] as Node;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.errorf("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    return this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private idealConstant(n: NumberNode): GoValue {
    this.at(n);
    const t = n.text;
    const isHexInt =
      t.length > 2 && t[0] === "0" && (t[1] === "x" || t[1] === "X") && !/[pP]/.test(t);
    const isRune = t.startsWith("'");
    if (n.isFloat && !isHexInt && !isRune && /[.eEpP]/.test(t)) return n.float64;
    if (n.isInt) return n.int64;
    if (n.isUint) this.errorf(`${t} overflows int`);
    return undefined;
  }

  private evalFieldNode(
    dot: GoValue,
    field: FieldNode,
    args: readonly Node[],
    final: Final,
  ): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field.ident, args, final);
  }

  private evalChainNode(
    dot: GoValue,
    chain: ChainNode,
    args: readonly Node[],
    final: Final,
  ): GoValue {
    this.at(chain);
    if (chain.node.type === "nil")
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, "any", chain.node);
    return this.evalFieldChain(dot, pipe, chain.field, args, final);
  }

  private evalVariableNode(
    dot: GoValue,
    variable: VariableNode,
    args: readonly Node[],
    final: Final,
  ): GoValue {
    this.at(variable);
    const value = this.varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    _dot: GoValue,
    receiver: GoValue,
    ident: readonly string[],
    args: readonly Node[],
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++)
      receiver = this.evalField(ident[i] as string, [], MISSING, receiver);
    return this.evalField(ident[n - 1] as string, args, final, receiver);
  }

  private evalField(
    fieldName: string,
    args: readonly Node[],
    final: Final,
    receiver: GoValue,
  ): GoValue {
    if (receiver === DEFERRED) return DEFERRED;
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (isMap(receiver)) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return Object.hasOwn(receiver, fieldName) ? receiver[fieldName] : undefined;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(
    dot: GoValue,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[],
    final: Final,
  ): GoValue {
    this.at(node);
    const name = node.ident;
    const found = findFunction(name, this.ctx);
    if (!found) return this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, found.f, cmd, name, args, final);
  }

  private evalCall(
    dot: GoValue,
    f: TemplateFunction,
    node: Node,
    name: string,
    allArgs: readonly Node[],
    final: Final,
  ): GoValue {
    const args = allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    let numFixed = args.length;
    if (f.variadic) {
      numFixed = f.params.length;
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`,
        );
      }
    } else if (numIn !== f.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${f.params.length} got ${numIn}`);
    }

    if (f.lazy) {
      let v: GoValue;
      for (const a of args) {
        v = this.evalArg(dot, "value", a);
        if (v === DEFERRED) return DEFERRED;
        if (truth(v) === (f.lazy === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, "value");
      return v;
    }

    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      argv.push(this.evalArg(dot, f.params[i] as ParamType, args[i] as Node));
    }
    if (f.variadic) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, f.variadic, args[i] as Node));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (f.variadic) t = numIn - 1 < numFixed ? (f.params[numIn - 1] as ParamType) : f.variadic;
      else t = f.params[f.params.length - 1] as ParamType;
      argv.push(this.validateType(final, t));
    }
    if (argv.some((a) => a === DEFERRED)) return DEFERRED;
    try {
      return f.call(argv, this.ctx);
    } catch (e) {
      if (e instanceof FuncError) {
        this.at(node);
        this.errorf(`error calling ${name}: ${e.message}`);
      }
      throw e;
    }
  }

  private validateType(value: GoValue, t: ParamType): GoValue {
    if (value === DEFERRED) return DEFERRED;
    if (t === "value") return value;
    if (value === undefined) {
      if (t === "any") return null;
      this.errorf(`invalid value; expected ${typeLabel(t)}`);
    }
    if (t === "any") return value;
    if (value === null)
      this.errorf(`wrong type for value; expected ${typeLabel(t)}; got interface {}`);
    if (t === "string" && typeof value === "string") return value;
    if (t === "int" && typeof value === "bigint") return value;
    return this.errorf(`wrong type for value; expected ${typeLabel(t)}; got ${goTypeName(value)}`);
  }

  private evalArg(dot: GoValue, t: ParamType, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, t);
      case "nil":
        if (t === "any") return null;
        if (t === "value") return undefined;
        return this.errorf(`cannot assign nil to ${typeLabel(t)}`);
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), t);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), t);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), t);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n, n, [], MISSING), t);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), t);
    }
    switch (t) {
      case "string":
        if (n.type === "string") return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case "int":
        if (n.type === "number" && n.isInt) return n.int64;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      default:
        return this.evalEmptyInterface(n);
    }
  }

  private evalEmptyInterface(n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    return this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

/** Execute a parsed template. Throws TemplateExecError on failure. */
export function execute(
  src: string,
  root: ListNode,
  ctx: InterpolateContext,
): { value: string; deferred: boolean } {
  const state = new State(src, ctx, ctx.data);
  state.run(root);
  return { value: state.out, deferred: state.deferred };
}
