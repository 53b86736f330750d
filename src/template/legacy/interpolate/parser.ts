// The parser of Go's text/template language: builds the syntax tree of
// ast.ts from the lexer's items with the grammar and error messages of Go's
// text/template/parse (pipelines, commands, operands, {{if}}/{{range}}/
// {{with}}/{{else}}/{{end}}, variables and their scopes). Functions must exist
// when the template is parsed, exactly as in Go. {{define}}, {{template}} and
// {{block}} are not supported: Packer templates have no use for them.

import type {
  ActionNode,
  BranchNode,
  CommandNode,
  FieldNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import { type Item, type ItemType, itemString, lex } from "./lexer.js";
import {
  LiteralError,
  parseGoFloat,
  parseGoInt,
  parseGoUint,
  unquoteCharConstant,
  unquoteString,
} from "./literals.js";

/** A parse error, with Go's message and where in the template it is. */
export class TemplateParseError extends Error {
  constructor(
    /** The message without Go's "template: root:N: " prefix. */
    readonly bare: string,
    /** Go's full message, e.g. `template: root:1: function "foo" not defined`. */
    readonly goMessage: string,
    readonly pos: number,
    readonly end: number,
  ) {
    super(goMessage);
    this.name = "TemplateParseError";
  }
}

export const TEMPLATE_NAME = "root";

/** 1-based line of index `pos` in `src`. */
export function lineAt(src: string, pos: number): number {
  let n = 1;
  for (let i = src.indexOf("\n"); i >= 0 && i < pos; i = src.indexOf("\n", i + 1)) n++;
  return n;
}

/** Go's 0-based byte column of index `pos` in its line (ErrorContext's "byteNum"). */
export function byteColumnAt(src: string, pos: number): number {
  const nl = src.lastIndexOf("\n", pos - 1);
  return Buffer.byteLength(src.slice(nl + 1, pos), "utf8");
}

interface ControlEnd {
  kind: "end" | "else";
  pos: number;
  /** For "else" followed by "if": the "if" starts an else-if chain. */
  elseIf: boolean;
}

const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  "bool",
  "charConstant",
  "complex",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

class Parser {
  private readonly items: Item[];
  private i = 0;
  /** The most recently consumed item: Go reports the line of this token. */
  private last: Item;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private actionStart = -1;

  constructor(
    private readonly src: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.items = lex(src);
    this.last = this.items[0] as Item;
  }

  // --- token access ---------------------------------------------------------

  private next(): Item {
    const it = this.items[this.i] as Item;
    if (this.i < this.items.length - 1) this.i++;
    this.last = it;
    if (it.type === "error") this.lexError(it);
    return it;
  }

  private peek(): Item {
    return this.items[this.i] as Item;
  }

  private nextNonSpace(): Item {
    let it: Item;
    do it = this.next();
    while (it.type === "space");
    return it;
  }

  private peekNonSpace(): Item {
    const save = this.i;
    const saveLast = this.last;
    let j = this.i;
    while ((this.items[j] as Item).type === "space" && j < this.items.length - 1) j++;
    this.i = save;
    this.last = saveLast;
    return this.items[j] as Item;
  }

  // --- errors ---------------------------------------------------------------

  private errorAt(msg: string, item: Item): never {
    const line = lineAt(this.src, item.pos);
    throw new TemplateParseError(
      msg,
      `template: ${TEMPLATE_NAME}:${line}: ${msg}`,
      item.pos,
      Math.max(item.end, item.pos),
    );
  }

  private errorf(msg: string): never {
    return this.errorAt(msg, this.last);
  }

  private lexError(it: Item): never {
    let extra = "";
    if (this.actionStart >= 0) {
      const actionLine = lineAt(this.src, this.actionStart);
      if (actionLine !== lineAt(this.src, it.pos)) {
        extra = ` in action started at ${TEMPLATE_NAME}:${actionLine}`;
        if (it.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
    }
    return this.errorAt(it.val + extra, it);
  }

  private unexpected(it: Item, context: string): never {
    return this.errorAt(`unexpected ${itemString(it)} in ${context}`, it);
  }

  private expect(type: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.type !== type) this.unexpected(it, context);
    return it;
  }

  // --- grammar --------------------------------------------------------------

  parse(): ListNode {
    const root: ListNode = { type: "list", pos: 0, end: this.src.length, nodes: [] };
    while (this.peek().type !== "eof") {
      const n = this.textOrAction();
      if ("kind" in n) this.errorf(`unexpected {{${n.kind}}}`);
      root.nodes.push(n);
    }
    return root;
  }

  private textOrAction(): Node | ControlEnd {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case "text":
        return { type: "text", pos: tok.pos, end: tok.end, text: tok.val };
      case "comment":
        return { type: "comment", pos: tok.pos, end: tok.end, text: tok.val };
      case "leftDelim": {
        const saveStart = this.actionStart;
        this.actionStart = tok.pos;
        const n = this.action(tok);
        this.actionStart = saveStart;
        return n;
      }
      default:
        return this.unexpected(tok, "input");
    }
  }

  private action(open: Item): Node | ControlEnd {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case "block":
      case "define":
      case "template":
        return this.errorAt(
          `{{${tok.val}}} is not supported in Packer templates (kiln implements the subset of Go templates that Packer uses)`,
          tok,
        );
      case "break":
      case "continue": {
        const close = this.nextNonSpace();
        if (close.type !== "rightDelim") this.unexpected(close, `{{${tok.val}}}`);
        if (this.rangeDepth === 0) this.errorAt(`{{${tok.val}}} outside {{range}}`, tok);
        return { type: tok.type, pos: tok.pos, end: close.end };
      }
      case "else": {
        const p = this.peekNonSpace();
        if (p.type === "if") return { kind: "else", pos: tok.pos, elseIf: true };
        this.expect("rightDelim", "else");
        return { kind: "else", pos: tok.pos, elseIf: false };
      }
      case "end":
        this.expect("rightDelim", "end");
        return { kind: "end", pos: tok.pos, elseIf: false };
      case "if":
      case "range":
      case "with":
        return this.control(tok.type, open.pos);
    }
    this.i--; // back up to the token we read
    const start = this.peek();
    const pipe = this.pipeline("command", "rightDelim");
    const node: ActionNode = {
      type: "action",
      pos: start.pos,
      end: pipe.end,
      srcStart: open.pos,
      srcEnd: this.last.end,
      pipe,
    };
    return node;
  }

  private control(kind: "if" | "range" | "with", srcStart: number): BranchNode & Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, "rightDelim");
    if (kind === "range") this.rangeDepth++;
    let [list, next] = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.kind === "else") {
      if (kind === "if" && next.elseIf) {
        // {{else if ...}}: a nested if that shares this if's {{end}}.
        const ifTok = this.nextNonSpace();
        const inner = this.control("if", ifTok.pos);
        (inner as { elseIfAt?: number }).elseIfAt = ifTok.pos;
        elseList = { type: "list", pos: next.pos, end: inner.end, nodes: [inner] };
      } else {
        if (next.elseIf) this.unexpected(this.nextNonSpace(), "input");
        [elseList, next] = this.itemList();
        if (next.kind !== "end") this.errorf(`expected end; found {{${next.kind}}}`);
      }
    }
    this.vars.length = mark;
    const node = {
      type: kind,
      pos: pipe.pos,
      end: this.last.end,
      srcStart,
      srcEnd: this.last.end,
      pipe,
      list,
      elseList,
    };
    return node as BranchNode & Node;
  }

  private itemList(): [ListNode, ControlEnd] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, end: 0, nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if ("kind" in n) {
        list.end = n.pos;
        return [list, n];
      }
      list.nodes.push(n);
    }
    this.last = this.peekNonSpace();
    return this.errorf("unexpected EOF");
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      pos: first.pos,
      end: first.pos,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      const save = this.i;
      const saveLast = this.last;
      this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.type === "assign" || after.type === "declare") {
        pipe.isAssign = after.type === "assign";
        this.nextNonSpace();
        pipe.decl.push(this.variableNode(v));
        this.vars.push(v.val);
        break;
      }
      if (after.type === "char" && after.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(this.variableNode(v));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === "variable" || p === "rightDelim" || p === "rightParen") continue;
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = save;
      this.last = saveLast;
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (OPERAND_START.has(tok.type)) {
        this.i--;
        const cmd = this.command();
        pipe.cmds.push(cmd);
        pipe.end = cmd.end;
        continue;
      }
      this.unexpected(tok, context);
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.forEach((c, i) => {
      if (i === 0) return;
      const t = (c.args[0] as Node).type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, end: 0, args: [] };
    for (;;) {
      this.skipSpaces();
      const operand = this.operand();
      if (operand !== null) {
        cmd.args.push(operand);
        cmd.end = operand.end;
      }
      const tok = this.next();
      if (tok.type === "space") continue;
      if (tok.type === "rightDelim" || tok.type === "rightParen") {
        this.i--;
      } else if (tok.type !== "pipe") {
        this.unexpected(tok, "operand");
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private skipSpaces(): void {
    while (this.peek().type === "space") this.next();
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== "field") return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    let end = node.end;
    while (this.peek().type === "field") {
      const f = this.next();
      fields.push(f.val.slice(1));
      end = f.end;
    }
    switch (node.type) {
      case "field":
        return { type: "field", pos: chainPos, end, ident: [...node.ident, ...fields] };
      case "variable":
        return { type: "variable", pos: chainPos, end, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        return this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { type: "chain", pos: chainPos, end, node, field: fields };
    }
  }

  private variableNode(tok: Item): VariableNode {
    return { type: "variable", pos: tok.pos, end: tok.end, ident: tok.val.split(".") };
  }

  private term(): Node | null {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case "identifier":
        if (!this.hasFunction(tok.val)) this.errorf(`function ${goQuote(tok.val)} not defined`);
        return { type: "identifier", pos: tok.pos, end: tok.end, ident: tok.val };
      case "dot":
        return { type: "dot", pos: tok.pos, end: tok.end };
      case "nil":
        return { type: "nil", pos: tok.pos, end: tok.end };
      case "variable": {
        const v = this.variableNode(tok);
        if (!this.vars.includes(v.ident[0] as string)) {
          this.errorf(`undefined variable ${goQuote(v.ident[0] as string)}`);
        }
        return v;
      }
      case "field": {
        const f: FieldNode = {
          type: "field",
          pos: tok.pos,
          end: tok.end,
          ident: [tok.val.slice(1)],
        };
        return f;
      }
      case "bool":
        return { type: "bool", pos: tok.pos, end: tok.end, value: tok.val === "true" };
      case "charConstant":
      case "complex":
      case "number":
        return this.number(tok);
      case "leftParen": {
        const p = this.pipeline("parenthesized pipeline", "rightParen");
        p.end = this.last.end;
        return p;
      }
      case "string":
      case "rawString":
        try {
          return {
            type: "string",
            pos: tok.pos,
            end: tok.end,
            quoted: tok.val,
            text: unquoteString(tok.val),
          };
        } catch (e) {
          if (e instanceof LiteralError) this.errorf(e.message);
          throw e;
        }
    }
    this.i--;
    return null;
  }

  private number(tok: Item): NumberNode {
    const n: NumberNode = {
      type: "number",
      pos: tok.pos,
      end: tok.end,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      text: tok.val,
    };
    const text = tok.val;
    if (tok.type === "charConstant") {
      let r: number;
      try {
        r = unquoteCharConstant(text);
      } catch (e) {
        if (e instanceof LiteralError) this.errorf(e.message);
        throw e;
      }
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(r);
      n.float64 = r;
      return n;
    }
    if (tok.type === "complex" || text.endsWith("i")) {
      this.errorf("complex numbers are not supported in Packer templates");
    }
    const u = parseGoUint(text);
    if (u !== undefined) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseGoInt(text);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n && text.startsWith("-")) {
        n.isUint = true;
        n.uint64 = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseGoFloat(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return n;
  }
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Parse a template. Throws TemplateParseError on bad syntax or unknown functions. */
export function parseTemplate(src: string, hasFunction: (name: string) => boolean): ListNode {
  return new Parser(src, hasFunction).parse();
}
