// The syntax tree of a parsed Go template, shaped like Go's text/template/parse
// nodes. Every node records where it starts (`pos`, an index into the template
// text) and where it ends; `nodeString` reproduces Go's Node.String(), which
// is what error messages quote ("executing "root" at <split "a" "-" 5>").

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | BreakNode
  | ContinueNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode;

interface Base {
  pos: number;
  end: number;
}

export interface ListNode extends Base {
  type: "list";
  nodes: Node[];
}

export interface TextNode extends Base {
  type: "text";
  text: string;
}

export interface CommentNode extends Base {
  type: "comment";
  text: string;
}

/** A node that occupies a stretch of source from its "{{" to its "}}". */
interface Spanned extends Base {
  /** Where the opening "{{" begins and the closing "}}" ends (trim markers included). */
  srcStart: number;
  srcEnd: number;
}

export interface ActionNode extends Spanned {
  type: "action";
  pipe: PipeNode;
}

export interface BranchNode extends Spanned {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}

export interface IfNode extends BranchNode {
  type: "if";
}

export interface RangeNode extends BranchNode {
  type: "range";
}

export interface WithNode extends BranchNode {
  type: "with";
}

export interface BreakNode extends Base {
  type: "break";
}

export interface ContinueNode extends Base {
  type: "continue";
}

export interface PipeNode extends Base {
  type: "pipe";
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface CommandNode extends Base {
  type: "command";
  args: Node[];
}

export interface IdentifierNode extends Base {
  type: "identifier";
  ident: string;
}

/** "$x" or "$x.Field.Sub": ident[0] is the variable, the rest are fields. */
export interface VariableNode extends Base {
  type: "variable";
  ident: string[];
}

export interface DotNode extends Base {
  type: "dot";
}

export interface NilNode extends Base {
  type: "nil";
}

/** ".Field.Sub" */
export interface FieldNode extends Base {
  type: "field";
  ident: string[];
}

/** "(pipeline).Field" */
export interface ChainNode extends Base {
  type: "chain";
  node: Node;
  field: string[];
}

export interface BoolNode extends Base {
  type: "bool";
  value: boolean;
}

export interface NumberNode extends Base {
  type: "number";
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  /** As written. */
  text: string;
}

export interface StringNode extends Base {
  type: "string";
  /** As written, quotes included. */
  quoted: string;
  /** The decoded value. */
  text: string;
}

function commandString(c: CommandNode): string {
  return c.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
}

/** Go's Node.String() for the node. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return n.text;
    case "comment":
      return n.text;
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with": {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : "";
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) {
        s = `${n.decl.map((d) => nodeString(d)).join(", ")} ${n.isAssign ? "=" : ":="} `;
      }
      return s + n.cmds.map(commandString).join(" | ");
    }
    case "command":
      return commandString(n);
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((i) => `.${i}`).join("");
    case "chain": {
      const base = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.field.map((f) => `.${f}`).join("");
    }
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
  }
}
