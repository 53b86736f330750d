import type { Value } from "../cty/value.js";
import type { Diagnostic } from "../diagnostic.js";
import { type Pos, type Range, rangeBetween } from "../pos.js";
import type { ParseResult, Traversal, Traverser } from "../structure.js";
import {
  AnonSymbolExpr,
  Attribute,
  BinaryOpExpr,
  type BinaryOperator,
  Block,
  Body,
  ConditionalExpr,
  type Expr,
  ForExpr,
  FunctionCallExpr,
  IndexExpr,
  LiteralValueExpr,
  ObjectConsExpr,
  type ObjectConsItem,
  ObjectConsKeyExpr,
  ParenthesesExpr,
  RelativeTraversalExpr,
  ScopeTraversalExpr,
  SplatExpr,
  TemplateExpr,
  TemplateJoinExpr,
  TemplateWrapExpr,
  TupleConsExpr,
  UnaryOpExpr,
} from "./ast.js";
import { litBool, litDynamic, litNull, litNumber, litString, litUnknownNumber } from "./lit.js";
import { scan } from "./scanner.js";
import { type Token, TokenType } from "./token.js";
import { goQuote, nameSuggestion, trimLeftSpace, trimRightSpace } from "./util.js";

// A recursive-descent parser for HCL's native syntax, following the grammar,
// recovery strategy and diagnostic wording of hashicorp/hcl's hclsyntax
// parser. It never throws on user input: problems become diagnostics and the
// result is a structurally sound (if partial) AST.

const BINARY_OP_NAMES: ReadonlyMap<TokenType, BinaryOperator> = new Map<TokenType, BinaryOperator>([
  [TokenType.Or, "LogicalOr"],
  [TokenType.And, "LogicalAnd"],
  [TokenType.EqualOp, "Equal"],
  [TokenType.NotEqual, "NotEqual"],
  [TokenType.GreaterThan, "GreaterThan"],
  [TokenType.GreaterThanEq, "GreaterThanOrEqual"],
  [TokenType.LessThan, "LessThan"],
  [TokenType.LessThanEq, "LessThanOrEqual"],
  [TokenType.Plus, "Add"],
  [TokenType.Minus, "Subtract"],
  [TokenType.Star, "Multiply"],
  [TokenType.Slash, "Divide"],
  [TokenType.Percent, "Modulo"],
]);

/** Binary operator precedence levels, lowest first (as in the HCL spec); -1 if not an operator. */
function binaryOpLevel(t: TokenType): number {
  switch (t) {
    case TokenType.Or:
      return 0;
    case TokenType.And:
      return 1;
    case TokenType.EqualOp:
    case TokenType.NotEqual:
      return 2;
    case TokenType.GreaterThan:
    case TokenType.GreaterThanEq:
    case TokenType.LessThan:
    case TokenType.LessThanEq:
      return 3;
    case TokenType.Plus:
    case TokenType.Minus:
      return 4;
    case TokenType.Star:
    case TokenType.Slash:
    case TokenType.Percent:
      return 5;
    default:
      return -1;
  }
}

/**
 * Nesting limit for expressions, blocks and template directives, so that
 * pathological input yields a diagnostic rather than a stack overflow.
 */
const MAX_NESTING = 500;

function err(summary: string, detail: string, subject: Range, context?: Range): Diagnostic {
  const d: Diagnostic = { severity: "error", summary, detail, subject };
  if (context !== undefined) d.context = context;
  return d;
}

function emptyRangeAt(filename: string, p: Pos): Range {
  return { filename, start: p, end: p };
}

function isKeyword(tok: Token, kw: string): boolean {
  return tok.type === TokenType.Ident && tok.text === kw;
}

function oppositeBracket(ty: TokenType): TokenType {
  switch (ty) {
    case TokenType.OBrace:
      return TokenType.CBrace;
    case TokenType.OBrack:
      return TokenType.CBrack;
    case TokenType.OParen:
      return TokenType.CParen;
    case TokenType.OQuote:
      return TokenType.CQuote;
    case TokenType.OHeredoc:
      return TokenType.CHeredoc;
    case TokenType.CBrace:
      return TokenType.OBrace;
    case TokenType.CBrack:
      return TokenType.OBrack;
    case TokenType.CParen:
      return TokenType.OParen;
    case TokenType.CQuote:
      return TokenType.OQuote;
    case TokenType.CHeredoc:
      return TokenType.OHeredoc;
    case TokenType.TemplateControl:
    case TokenType.TemplateInterp:
      return TokenType.TemplateSeqEnd;
    case TokenType.TemplateSeqEnd:
      return TokenType.TemplateInterp;
    default:
      return TokenType.Nil;
  }
}

/** Lexical diagnostics for tokens that never belong in HCL source. */
export function checkInvalidTokens(tokens: readonly Token[]): Diagnostic[] {
  const diags: Diagnostic[] = [];
  let toldBitwise = 0;
  let toldExponent = 0;
  let toldBacktick = 0;
  let toldApostrophe = 0;
  let toldSemicolon = 0;
  let toldTabs = 0;
  let toldBadUTF8 = 0;
  for (const tok of tokens) {
    switch (tok.type) {
      case TokenType.BitwiseAnd:
      case TokenType.BitwiseOr:
      case TokenType.BitwiseXor:
      case TokenType.BitwiseNot:
        if (toldBitwise < 4) {
          let suggestion = "";
          if (tok.type === TokenType.BitwiseAnd) suggestion = ' Did you mean boolean AND ("&&")?';
          else if (tok.type === TokenType.BitwiseOr)
            suggestion = ' Did you mean boolean OR ("||")?';
          else if (tok.type === TokenType.BitwiseNot)
            suggestion = ' Did you mean boolean NOT ("!")?';
          diags.push(
            err(
              "Unsupported operator",
              `Bitwise operators are not supported.${suggestion}`,
              tok.range,
            ),
          );
          toldBitwise++;
        }
        break;
      case TokenType.StarStar:
        if (toldExponent < 1) {
          diags.push(
            err(
              "Unsupported operator",
              '"**" is not a supported operator. Exponentiation is not supported as an operator.',
              tok.range,
            ),
          );
          toldExponent++;
        }
        break;
      case TokenType.Backtick:
        if (toldBacktick % 2 === 0) {
          diags.push(
            err(
              "Invalid character",
              'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
              tok.range,
            ),
          );
        }
        if (toldBacktick <= 2) toldBacktick++;
        break;
      case TokenType.Apostrophe:
        if (toldApostrophe % 2 === 0) {
          diags.push(
            err(
              "Invalid character",
              'Single quotes are not valid. Use double quotes (") to enclose strings.',
              tok.range,
            ),
          );
        }
        if (toldApostrophe <= 2) toldApostrophe++;
        break;
      case TokenType.Semicolon:
        if (toldSemicolon < 1) {
          diags.push(
            err(
              "Invalid character",
              'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.',
              tok.range,
            ),
          );
          toldSemicolon++;
        }
        break;
      case TokenType.Tabs:
        if (toldTabs < 1) {
          diags.push(
            err(
              "Invalid character",
              "Tab characters may not be used. The recommended indentation style is two spaces per indent.",
              tok.range,
            ),
          );
          toldTabs++;
        }
        break;
      case TokenType.BadUTF8:
        if (toldBadUTF8 < 1) {
          diags.push(
            err(
              "Invalid character encoding",
              "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
              tok.range,
            ),
          );
          toldBadUTF8++;
        }
        break;
      case TokenType.QuotedNewline:
        diags.push(
          err(
            "Invalid multi-line string",
            'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
            tok.range,
          ),
        );
        break;
      case TokenType.Invalid:
        diags.push(
          err("Invalid character", "This character is not used within the language.", tok.range),
        );
        break;
    }
  }
  return diags;
}

// ---------------------------------------------------------------------------
// String literal processing

/** Advance a position over `text` (code points as columns). */
function advancePos(p: Pos, text: string): Pos {
  let { line, column, byte } = p;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      column = 1;
      byte++;
    } else if (c < 0x80) {
      column++;
      byte++;
    } else if (c < 0x800) {
      column++;
      byte += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        byte += 4;
      } else {
        byte += 3;
      }
      column++;
    } else {
      column++;
      byte += 3;
    }
  }
  return { line, column, byte };
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Resolve the escape sequences in a QuotedLit (backslash escapes and the
 * `$${`/`%%{` template escapes) or StringLit (template escapes only) token.
 */
export function parseStringLiteralToken(tok: Token): { value: string; diags: Diagnostic[] } {
  const quoted = tok.type === TokenType.QuotedLit;
  const s = tok.text;
  // Fast path: nothing to unescape.
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((quoted && c === 92) || ((c === 36 || c === 37) && s.charCodeAt(i + 1) === c)) {
      needs = true;
      break;
    }
  }
  if (!needs) return { value: s, diags: [] };

  const out: string[] = [];
  const diags: Diagnostic[] = [];
  let litStart = 0;
  const sliceRange = (from: number, to: number): Range => {
    const start = advancePos(tok.range.start, s.slice(0, from));
    return { filename: tok.range.filename, start, end: advancePos(start, s.slice(from, to)) };
  };
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (quoted && c === 92) {
      if (litStart < i) out.push(s.slice(litStart, i));
      if (i + 1 >= s.length) {
        diags.push(
          err(
            "Invalid escape sequence",
            "Backslash must be followed by an escape sequence selector character.",
            sliceRange(i, i + 1),
          ),
        );
        i++;
        litStart = i;
        continue;
      }
      const sel = s.charCodeAt(i + 1);
      let end = i + 2;
      switch (sel) {
        case 110: // n
          out.push("\n");
          break;
        case 114: // r
          out.push("\r");
          break;
        case 116: // t
          out.push("\t");
          break;
        case 34: // "
          out.push('"');
          break;
        case 92: // \
          out.push("\\");
          break;
        case 117: // u
        case 85: {
          // U
          const want = sel === 117 ? 4 : 8;
          while (end < s.length && end - (i + 2) < want && isHex(s.charCodeAt(end))) end++;
          const digits = end - (i + 2);
          if (digits !== want) {
            diags.push(
              err(
                "Invalid escape sequence",
                sel === 117
                  ? "The \\u escape sequence must be followed by four hexadecimal digits."
                  : "The \\U escape sequence must be followed by eight hexadecimal digits.",
                sliceRange(i, end),
              ),
            );
            out.push(s.slice(i, end));
            break;
          }
          const num = Number.parseInt(s.slice(i + 2, end), 16);
          if (num > 0x10ffff || (num >= 0xd800 && num <= 0xdfff)) {
            diags.push(
              err(
                "Invalid escape sequence",
                `Cannot encode character U+${num.toString(16).padStart(4, "0")} in UTF-8.`,
                sliceRange(i, end),
              ),
            );
            out.push(s.slice(i, end));
            break;
          }
          out.push(String.fromCodePoint(num));
          break;
        }
        default: {
          const cp = s.codePointAt(i + 1)!;
          const ch = String.fromCodePoint(cp);
          end = i + 1 + ch.length;
          diags.push(
            err(
              "Invalid escape sequence",
              `The symbol ${goQuote(ch)} is not a valid escape sequence selector.`,
              sliceRange(i, end),
            ),
          );
          out.push(ch);
        }
      }
      i = end;
      litStart = i;
      continue;
    }
    if ((c === 36 || c === 37) && s.charCodeAt(i + 1) === c && s.charCodeAt(i + 2) === 123) {
      if (litStart < i) out.push(s.slice(litStart, i));
      out.push(c === 36 ? "${" : "%{");
      i += 3;
      litStart = i;
      continue;
    }
    i++;
  }
  if (litStart < s.length) out.push(s.slice(litStart));
  return { value: out.join(""), diags };
}

// ---------------------------------------------------------------------------
// Template tokens (a higher-level stream built from raw tokens)

type TemplateToken =
  | { t: "lit"; val: string; range: Range }
  | { t: "interp"; expr: Expr; range: Range }
  | { t: "if"; cond: Expr; range: Range }
  | { t: "for"; keyVar: string; valVar: string; coll: Expr; range: Range }
  | { t: "endctrl"; which: "endif" | "else" | "endfor"; range: Range }
  | { t: "end"; range: Range };

// ---------------------------------------------------------------------------
// The parser

class Parser {
  private idx = 0;
  private readonly newlinesStack: boolean[] = [true];
  private includeNl = true;
  private fakeNewlines: (Token | undefined)[] | undefined;
  private cacheIdx = -1;
  private cacheNl = false;
  private cacheRes = 0;
  recovery = false;
  /** Current nesting depth of expressions and blocks (see MAX_NESTING). */
  depth = 0;
  /** All diagnostics so far, in the order HCL reports them. */
  readonly diags: Diagnostic[];
  private errCount = 0;

  constructor(
    private readonly tokens: Token[],
    initial: Diagnostic[],
  ) {
    this.diags = initial;
    this.errCount = initial.length;
  }

  // --- diagnostics --------------------------------------------------------

  error(summary: string, detail: string, subject: Range, context?: Range): void {
    this.diags.push(err(summary, detail, subject, context));
    this.errCount++;
  }

  /** Insert an error before the diagnostics reported since `at` (a diags length). */
  private errorAt(at: number, d: Diagnostic): void {
    this.diags.splice(at, 0, d);
    this.errCount++;
  }

  push(diags: readonly Diagnostic[]): void {
    for (const d of diags) {
      this.diags.push(d);
      if (d.severity === "error") this.errCount++;
    }
  }

  mark(): number {
    return this.errCount;
  }

  errorsSince(m: number): boolean {
    return this.errCount > m;
  }

  // --- peeker -------------------------------------------------------------

  /** The index of the next token, honouring newline/comment filtering. */
  private next(): number {
    if (this.cacheIdx === this.idx && this.cacheNl === this.includeNl) return this.cacheRes;
    const toks = this.tokens;
    const includeNl = this.includeNl;
    let res = toks.length - 1;
    for (let i = this.idx; i < toks.length; i++) {
      const t = toks[i]!.type;
      if (t === TokenType.Comment) {
        if (includeNl) {
          const text = toks[i]!.text;
          if (text.charCodeAt(text.length - 1) === 10) {
            res = i;
            break;
          }
        }
        continue;
      }
      if (t === TokenType.Newline && !includeNl) continue;
      res = i;
      break;
    }
    this.cacheIdx = this.idx;
    this.cacheNl = includeNl;
    this.cacheRes = res;
    return res;
  }

  private tokenAt(i: number): Token {
    const tok = this.tokens[i]!;
    if (tok.type !== TokenType.Comment) return tok;
    // A line comment absorbs its newline; when newlines matter it stands for one.
    this.fakeNewlines ??= [];
    let fake = this.fakeNewlines[i];
    if (fake === undefined) {
      fake = { type: TokenType.Newline, text: "\n", range: tok.range };
      this.fakeNewlines[i] = fake;
    }
    return fake;
  }

  peek(): Token {
    return this.tokenAt(this.next());
  }

  peekType(): TokenType {
    const i = this.next();
    const t = this.tokens[i]!.type;
    return t === TokenType.Comment ? TokenType.Newline : t;
  }

  read(): Token {
    const i = this.next();
    this.idx = i + 1;
    return this.tokenAt(i);
  }

  nextRange(): Range {
    return this.tokens[this.next()]!.range;
  }

  prevRange(): Range {
    if (this.idx === 0) return this.tokens[0]!.range;
    return this.tokens[this.idx - 1]!.range;
  }

  pushNewlines(include: boolean): void {
    this.newlinesStack.push(include);
    this.includeNl = include;
  }

  popNewlines(): void {
    this.newlinesStack.pop();
    this.includeNl = this.newlinesStack[this.newlinesStack.length - 1]!;
  }

  // --- recovery -----------------------------------------------------------

  recover(end: TokenType): Token {
    const start = oppositeBracket(end);
    this.recovery = true;
    let nest = 0;
    for (;;) {
      const tok = this.read();
      let ty = tok.type;
      if (end === TokenType.TemplateSeqEnd && ty === TokenType.TemplateControl) {
        ty = TokenType.TemplateInterp;
      }
      if (ty === start) {
        nest++;
      } else if (ty === end) {
        if (nest < 1) return tok;
        nest--;
      } else if (ty === TokenType.EOF) {
        return tok;
      }
    }
  }

  recoverAfterBodyItem(): void {
    this.recovery = true;
    const open: TokenType[] = [];
    for (;;) {
      const tok = this.read();
      switch (tok.type) {
        case TokenType.Newline:
          if (open.length === 0) return;
          break;
        case TokenType.EOF:
          return;
        case TokenType.OBrace:
        case TokenType.OBrack:
        case TokenType.OParen:
        case TokenType.OQuote:
        case TokenType.OHeredoc:
        case TokenType.TemplateInterp:
        case TokenType.TemplateControl:
          open.push(tok.type);
          break;
        case TokenType.CBrace:
        case TokenType.CBrack:
        case TokenType.CParen:
        case TokenType.CQuote:
        case TokenType.CHeredoc: {
          const opener = oppositeBracket(tok.type);
          while (open.length > 0 && open[open.length - 1] !== opener) open.pop();
          if (open.length > 0) open.pop();
          break;
        }
        case TokenType.TemplateSeqEnd:
          while (
            open.length > 0 &&
            open[open.length - 1] !== TokenType.TemplateInterp &&
            open[open.length - 1] !== TokenType.TemplateControl
          ) {
            open.pop();
          }
          if (open.length > 0) open.pop();
          break;
      }
    }
  }

  // --- bodies -------------------------------------------------------------

  parseBody(end: TokenType): Body {
    const attrs = new Map<string, Attribute>();
    const blocks: Block[] = [];
    const startRange = this.prevRange();
    let endRange: Range;

    for (;;) {
      const nt = this.peekType();
      if (nt === end) {
        endRange = this.read().range;
        break;
      }
      if (nt === TokenType.Newline) {
        this.read();
        continue;
      }
      if (nt === TokenType.Ident) {
        const item = this.parseBodyItem();
        if (item instanceof Block) {
          blocks.push(item);
        } else if (item instanceof Attribute) {
          const existing = attrs.get(item.name);
          if (existing !== undefined) {
            this.error(
              "Attribute redefined",
              `The argument ${goQuote(item.name)} was already set at ${formatRangeGo(existing.nameRange)}. Each argument may be set only once.`,
              item.nameRange,
            );
          } else {
            attrs.set(item.name, item);
          }
        }
        continue;
      }
      const bad = this.read();
      if (!this.recovery) {
        if (bad.type === TokenType.OQuote) {
          this.error("Invalid argument name", "Argument names must not be quoted.", bad.range);
        } else if (bad.type === TokenType.EOF) {
          if (end === TokenType.CBrace) {
            this.error(
              "Unclosed configuration block",
              "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
              startRange,
            );
          } else {
            this.error(
              "Unclosed configuration body",
              "Found end of file before the end of this configuration body.",
              startRange,
            );
          }
        } else {
          this.error(
            "Argument or block definition required",
            "An argument or block definition is required here.",
            bad.range,
          );
        }
      }
      endRange = this.prevRange();
      this.recover(end);
      break;
    }

    return new Body(attrs, blocks, rangeBetween(startRange, endRange), {
      filename: endRange.filename,
      start: endRange.end,
      end: endRange.end,
    });
  }

  private parseBodyItem(): Attribute | Block | undefined {
    const ident = this.read();
    if (ident.type !== TokenType.Ident) {
      this.recoverAfterBodyItem();
      this.error(
        "Argument or block definition required",
        "An argument or block definition is required here.",
        ident.range,
      );
      return undefined;
    }
    switch (this.peekType()) {
      case TokenType.Equal:
        return this.finishParsingBodyAttribute(ident, false);
      case TokenType.OQuote:
      case TokenType.OBrace:
      case TokenType.Ident:
        return this.finishParsingBodyBlock(ident);
      default:
        this.recoverAfterBodyItem();
        this.error(
          "Argument or block definition required",
          'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
          ident.range,
        );
        return undefined;
    }
  }

  private parseSingleAttrBody(): Body | undefined {
    const ident = this.read();
    if (ident.type !== TokenType.Ident) {
      this.recoverAfterBodyItem();
      this.error(
        "Argument or block definition required",
        "An argument or block definition is required here.",
        ident.range,
      );
      return undefined;
    }
    const next = this.peek();
    switch (next.type) {
      case TokenType.Equal: {
        const attr = this.finishParsingBodyAttribute(ident, true);
        const attrs = new Map<string, Attribute>([[ident.text, attr]]);
        return new Body(attrs, [], attr.range, {
          filename: attr.range.filename,
          start: attr.range.end,
          end: attr.range.end,
        });
      }
      case TokenType.OQuote:
      case TokenType.OBrace:
      case TokenType.Ident:
        this.recoverAfterBodyItem();
        this.error(
          "Argument definition required",
          `A single-line block definition can contain only a single argument. If you meant to define argument ${goQuote(ident.text)}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
          rangeBetween(ident.range, next.range),
        );
        return undefined;
      default:
        this.recoverAfterBodyItem();
        this.error(
          "Argument or block definition required",
          'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
          ident.range,
        );
        return undefined;
    }
  }

  private finishParsingBodyAttribute(ident: Token, singleLine: boolean): Attribute {
    const eqTok = this.read();
    let endRange: Range;
    const m = this.mark();
    const expr = this.parseExpression();
    if (this.recovery && this.errorsSince(m)) {
      endRange = this.prevRange();
      this.recoverAfterBodyItem();
    } else {
      endRange = this.prevRange();
      if (!singleLine) {
        const end = this.peek();
        if (end.type !== TokenType.Newline && end.type !== TokenType.EOF) {
          if (!this.recovery) {
            let summary = "Missing newline after argument";
            let detail = "An argument definition must end with a newline.";
            if (end.type === TokenType.Comma) {
              summary = "Unexpected comma after argument";
              detail = `Argument definitions must be separated by newlines, not commas. ${detail}`;
            }
            this.error(summary, detail, end.range, rangeBetween(ident.range, end.range));
          }
          endRange = this.prevRange();
          this.recoverAfterBodyItem();
        } else {
          endRange = this.prevRange();
          this.read();
        }
      }
    }
    return new Attribute(
      ident.text,
      expr,
      rangeBetween(ident.range, endRange),
      ident.range,
      eqTok.range,
    );
  }

  private finishParsingBodyBlock(ident: Token): Block {
    const blockType = ident.text;
    const labels: string[] = [];
    const labelRanges: Range[] = [];
    let oBrace: Token;

    for (;;) {
      const tok = this.peek();
      if (tok.type === TokenType.OBrace) {
        oBrace = this.read();
        break;
      }
      if (tok.type === TokenType.OQuote) {
        const r = this.parseQuotedStringLiteral();
        labels.push(r.value);
        labelRanges.push(r.range);
        continue;
      }
      if (tok.type === TokenType.Ident) {
        this.read();
        labels.push(tok.text);
        labelRanges.push(tok.range);
        continue;
      }
      if (tok.type === TokenType.Equal) {
        this.error(
          "Invalid block definition",
          'The equals sign "=" indicates an argument definition, and must not be used when defining a block.',
          tok.range,
          rangeBetween(ident.range, tok.range),
        );
      } else if (tok.type === TokenType.Newline) {
        this.error(
          "Invalid block definition",
          'A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.',
          tok.range,
          rangeBetween(ident.range, tok.range),
        );
      } else if (!this.recovery) {
        this.error(
          "Invalid block definition",
          'Either a quoted string block label or an opening brace ("{") is expected here.',
          tok.range,
          rangeBetween(ident.range, tok.range),
        );
      }
      this.recoverAfterBodyItem();
      const endRange = labelRanges.length > 0 ? labelRanges[labelRanges.length - 1]! : ident.range;
      const body = new Body(new Map(), [], ident.range, ident.range);
      return new Block(blockType, labels, body, ident.range, labelRanges, ident.range, endRange);
    }

    let body: Body | undefined;
    const pt = this.peekType();
    if (this.depth >= MAX_NESTING) {
      this.tooDeep();
      this.recover(TokenType.CBrace);
    } else if (pt === TokenType.Newline || pt === TokenType.EOF || pt === TokenType.CBrace) {
      this.depth++;
      body = this.parseBody(TokenType.CBrace);
      this.depth--;
    } else {
      // HCL reports problems with the closing of a single-line block before
      // the problems found inside it.
      const at = this.diags.length;
      body = this.parseSingleAttrBody();
      const after = this.peek();
      switch (after.type) {
        case TokenType.CBrace:
          this.read();
          break;
        case TokenType.Comma:
          this.errorAt(
            at,
            err(
              "Invalid single-argument block definition",
              "Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.",
              after.range,
            ),
          );
          this.recover(TokenType.CBrace);
          break;
        case TokenType.Newline:
          this.errorAt(
            at,
            err(
              "Invalid single-argument block definition",
              "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
              after.range,
            ),
          );
          this.recover(TokenType.CBrace);
          break;
        default:
          if (!this.recovery) {
            if (after.type === TokenType.EOF) {
              this.errorAt(
                at,
                err(
                  "Unclosed configuration block",
                  "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                  oBrace.range,
                  rangeBetween(ident.range, oBrace.range),
                ),
              );
            } else {
              this.errorAt(
                at,
                err(
                  "Invalid single-argument block definition",
                  "A single-line block definition must end with a closing brace immediately after its single argument definition.",
                  after.range,
                ),
              );
            }
          }
          this.recover(TokenType.CBrace);
      }
    }
    const cBraceRange = this.prevRange();

    const eol = this.peek();
    if (eol.type === TokenType.Newline || eol.type === TokenType.EOF) {
      this.read();
    } else {
      if (!this.recovery) {
        this.error(
          "Missing newline after block definition",
          "A block definition must end with a newline.",
          eol.range,
          rangeBetween(ident.range, eol.range),
        );
      }
      this.recoverAfterBodyItem();
    }

    body ??= new Body(new Map(), [], rangeBetween(oBrace.range, cBraceRange), cBraceRange);
    return new Block(blockType, labels, body, ident.range, labelRanges, oBrace.range, cBraceRange);
  }

  // --- expressions --------------------------------------------------------

  parseExpression(): Expr {
    if (this.depth >= MAX_NESTING) return this.tooDeep();
    this.depth++;
    const e = this.parseTernaryConditional();
    this.depth--;
    return e;
  }

  private parseTernaryConditional(): Expr {
    const startRange = this.nextRange();
    const m = this.mark();
    const condExpr = this.parseBinaryOps(0);
    if (this.recovery && this.errorsSince(m)) return condExpr;
    if (this.peekType() !== TokenType.Question) return condExpr;
    this.read();

    const mt = this.mark();
    const trueExpr = this.parseExpression();
    if (this.recovery && this.errorsSince(mt)) return condExpr;

    const colon = this.peek();
    if (colon.type !== TokenType.Colon) {
      this.error(
        "Missing false expression in conditional",
        "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
        colon.range,
        rangeBetween(startRange, colon.range),
      );
      return condExpr;
    }
    this.read();

    const mf = this.mark();
    const falseExpr = this.parseExpression();
    if (this.recovery && this.errorsSince(mf)) return condExpr;

    return new ConditionalExpr(
      condExpr,
      trueExpr,
      falseExpr,
      rangeBetween(startRange, falseExpr.range),
    );
  }

  /**
   * Binary operators by precedence climbing; operators of one level are
   * left-associative, giving the same trees as HCL's level-by-level parser.
   */
  private parseBinaryOps(minLevel: number): Expr {
    const m = this.mark();
    let lhs = this.parseExpressionWithTraversals();
    if (this.recovery && this.errorsSince(m)) return lhs;
    for (;;) {
      const tt = this.peekType();
      const level = binaryOpLevel(tt);
      if (level < minLevel) break;
      this.read();
      const mr = this.mark();
      const rhs = this.parseBinaryOps(level + 1);
      if (this.recovery && this.errorsSince(mr)) return lhs;
      lhs = new BinaryOpExpr(
        lhs,
        BINARY_OP_NAMES.get(tt)!,
        rhs,
        rangeBetween(lhs.range, rhs.range),
      );
    }
    return lhs;
  }

  private parseExpressionWithTraversals(): Expr {
    const term = this.parseExpressionTerm();
    return this.parseExpressionTraversals(term);
  }

  private legacyIndexError(numTok: Token, subject: Range, splat: boolean): boolean {
    const dot = numTok.text.indexOf(".");
    if (dot < 0) return false;
    const first = numTok.text.slice(0, dot);
    const second = numTok.text.slice(dot + 1);
    this.error(
      "Invalid legacy index syntax",
      splat
        ? `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [${first}][${second}].`
        : `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${first}][${second}].`,
      subject,
    );
    return true;
  }

  private parseExpressionTraversals(from: Expr): Expr {
    let ret = from;
    for (;;) {
      const nt = this.peekType();
      if (nt === TokenType.Dot) {
        const dot = this.read();
        let attrTok = this.peek();
        if (attrTok.type === TokenType.Ident) {
          attrTok = this.read();
          const rng = rangeBetween(dot.range, attrTok.range);
          ret = makeRelativeTraversal(ret, { kind: "attr", name: attrTok.text, range: rng }, rng);
        } else if (attrTok.type === TokenType.NumberLit) {
          const numTok = this.read();
          const rng = rangeBetween(dot.range, numTok.range);
          if (this.legacyIndexError(numTok, numTok.range, false)) {
            ret = makeRelativeTraversal(ret, { kind: "index", key: litDynamic(), range: rng }, rng);
            continue;
          }
          const key = this.numberLitValue(numTok);
          ret = makeRelativeTraversal(ret, { kind: "index", key, range: rng }, rng);
        } else if (attrTok.type === TokenType.Star) {
          const marker = this.read();
          const trav: Traversal = [];
          const firstRange = this.nextRange();
          let lastRange = marker.range;
          let bail = false;
          while (this.peekType() === TokenType.Dot) {
            const d2 = this.read();
            if (this.peekType() === TokenType.NumberLit) {
              const numTok = this.read();
              const rng = rangeBetween(d2.range, numTok.range);
              if (this.legacyIndexError(numTok, attrTok.range, true)) {
                trav.push({ kind: "index", key: litDynamic(), range: rng });
              } else {
                trav.push({ kind: "index", key: this.numberLitValue(numTok), range: rng });
              }
              lastRange = numTok.range;
              continue;
            }
            if (this.peekType() !== TokenType.Ident) {
              if (!this.recovery) {
                if (this.peekType() === TokenType.Star) {
                  this.error(
                    "Nested splat expression not allowed",
                    "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                    this.nextRange(),
                  );
                } else {
                  this.error(
                    "Invalid attribute name",
                    "An attribute name is required after a dot.",
                    attrTok.range,
                  );
                }
              }
              this.recovery = true;
              bail = true;
              break;
            }
            const at = this.read();
            trav.push({ kind: "attr", name: at.text, range: rangeBetween(d2.range, at.range) });
            lastRange = at.range;
          }
          if (bail) continue;
          const itemExpr = new AnonSymbolExpr(rangeBetween(dot.range, marker.range));
          const travExpr: Expr =
            trav.length === 0
              ? itemExpr
              : new RelativeTraversalExpr(itemExpr, trav, rangeBetween(firstRange, lastRange));
          ret = new SplatExpr(
            ret,
            travExpr,
            itemExpr,
            rangeBetween(from.range, lastRange),
            rangeBetween(dot.range, marker.range),
            true,
          );
        } else {
          this.error(
            "Invalid attribute name",
            "An attribute name is required after a dot.",
            attrTok.range,
          );
          ret = new LiteralValueExpr(litDynamic(), rangeBetween(from.range, dot.range));
          this.recovery = true;
        }
        continue;
      }
      if (nt === TokenType.OBrack) {
        const open = this.read();
        if (this.peekType() === TokenType.Star) {
          this.read();
          let close = this.read();
          if (close.type !== TokenType.CBrack && !this.recovery) {
            this.error(
              "Missing close bracket on splat index",
              'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
              close.range,
            );
            close = this.recover(TokenType.CBrack);
          }
          const itemExpr = new AnonSymbolExpr(rangeBetween(open.range, close.range));
          const travExpr = this.parseExpressionTraversals(itemExpr);
          ret = new SplatExpr(
            ret,
            travExpr,
            itemExpr,
            rangeBetween(from.range, travExpr.range),
            rangeBetween(open.range, close.range),
            false,
          );
          continue;
        }
        let close: Token;
        this.pushNewlines(false);
        const m = this.mark();
        const keyExpr = this.parseExpression();
        if (this.recovery && this.errorsSince(m)) {
          close = this.recover(TokenType.CBrack);
        } else {
          close = this.read();
          if (close.type !== TokenType.CBrack && !this.recovery) {
            this.error(
              "Missing close bracket on index",
              'The index operator must end with a closing bracket ("]").',
              close.range,
            );
            close = this.recover(TokenType.CBrack);
          }
        }
        this.popNewlines();
        const rng = rangeBetween(open.range, close.range);
        if (keyExpr instanceof LiteralValueExpr) {
          ret = makeRelativeTraversal(ret, { kind: "index", key: keyExpr.val, range: rng }, rng);
        } else if (keyExpr instanceof TemplateExpr && keyExpr.isStringLiteral()) {
          const key = (keyExpr.parts[0] as LiteralValueExpr).val;
          ret = makeRelativeTraversal(ret, { kind: "index", key, range: rng }, rng);
        } else {
          ret = new IndexExpr(ret, keyExpr, rangeBetween(from.range, rng), open.range, rng);
        }
        continue;
      }
      return ret;
    }
  }

  private numberLitValue(tok: Token): Value {
    const v = litNumber(tok.text);
    if (v === undefined) {
      this.error(
        "Invalid number literal",
        "Failed to recognize the value of this number literal.",
        tok.range,
      );
      return litUnknownNumber();
    }
    return v;
  }

  private parseExpressionTerm(): Expr {
    if (this.depth >= MAX_NESTING) return this.tooDeep();
    this.depth++;
    const e = this.parseExpressionTermInner();
    this.depth--;
    return e;
  }

  /** Reports input nested beyond what the parser supports (HCL itself has no limit). */
  private tooDeep(): Expr {
    const at = this.peek();
    if (!this.recovery) {
      this.error(
        "Nesting too deep",
        `Expressions and blocks may be nested at most ${MAX_NESTING} levels deep.`,
        at.range,
      );
    }
    this.recovery = true;
    return new LiteralValueExpr(litDynamic(), at.range);
  }

  private parseExpressionTermInner(): Expr {
    const start = this.peek();
    switch (start.type) {
      case TokenType.OParen: {
        const oParen = this.read();
        this.pushNewlines(false);
        const m = this.mark();
        const expr = this.parseExpression();
        if (this.errorsSince(m)) {
          this.recover(TokenType.CParen);
          this.popNewlines();
          return expr;
        }
        const close = this.peek();
        if (close.type !== TokenType.CParen) {
          this.error(
            "Unbalanced parentheses",
            "Expected a closing parenthesis to terminate the expression.",
            close.range,
            rangeBetween(start.range, close.range),
          );
          this.recovery = true;
        }
        const cParen = this.read();
        this.popNewlines();
        return new ParenthesesExpr(expr, rangeBetween(oParen.range, cParen.range));
      }
      case TokenType.NumberLit: {
        const tok = this.read();
        return new LiteralValueExpr(this.numberLitValue(tok), tok.range);
      }
      case TokenType.Ident: {
        const tok = this.read();
        if (this.peekType() === TokenType.OParen) return this.finishParsingFunctionCall(tok);
        switch (tok.text) {
          case "true":
            return new LiteralValueExpr(litBool(true), tok.range, "true");
          case "false":
            return new LiteralValueExpr(litBool(false), tok.range, "false");
          case "null":
            return new LiteralValueExpr(litNull(), tok.range, "null");
          default:
            return new ScopeTraversalExpr(
              [{ kind: "root", name: tok.text, range: tok.range }],
              tok.range,
            );
        }
      }
      case TokenType.OQuote:
      case TokenType.OHeredoc: {
        const open = this.read();
        const closer = oppositeBracket(open.type);
        const flush = open.type === TokenType.OHeredoc && open.text.startsWith("<<-");
        const inner = this.parseTemplateInner(closer, flush);
        const rng = rangeBetween(open.range, this.prevRange());
        if (inner.passthru) return new TemplateWrapExpr(inner.exprs[0]!, rng);
        return new TemplateExpr(inner.exprs, rng);
      }
      case TokenType.Minus:
      case TokenType.Bang: {
        const tok = this.read();
        const operand = this.parseExpressionWithTraversals();
        return new UnaryOpExpr(
          start.type === TokenType.Minus ? "Negate" : "LogicalNot",
          operand,
          rangeBetween(tok.range, operand.range),
          tok.range,
        );
      }
      case TokenType.OBrack:
        return this.parseTupleCons();
      case TokenType.OBrace:
        return this.parseObjectCons();
      default:
        if (!this.recovery) {
          if (start.type === TokenType.EOF) {
            this.error(
              "Missing expression",
              "Expected the start of an expression, but found the end of the file.",
              start.range,
            );
          } else {
            this.error(
              "Invalid expression",
              "Expected the start of an expression, but found an invalid expression token.",
              start.range,
            );
          }
        }
        this.recovery = true;
        return new LiteralValueExpr(litDynamic(), start.range);
    }
  }

  private finishParsingFunctionCall(name: Token): Expr {
    const openTok = this.read();
    const args: Expr[] = [];
    let expandFinal = false;
    let closeTok: Token | undefined;

    this.pushNewlines(false);
    for (;;) {
      if (this.peekType() === TokenType.CParen) {
        closeTok = this.read();
        break;
      }
      const m = this.mark();
      args.push(this.parseExpression());
      if (this.recovery && this.errorsSince(m)) {
        const rt = this.recover(TokenType.CParen);
        if (rt.type === TokenType.CParen) closeTok = rt;
        break;
      }
      const sep = this.read();
      if (sep.type === TokenType.CParen) {
        closeTok = sep;
        break;
      }
      if (sep.type === TokenType.Ellipsis) {
        expandFinal = true;
        if (this.peekType() !== TokenType.CParen) {
          if (!this.recovery) {
            this.error(
              "Missing closing parenthesis",
              "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
              sep.range,
              rangeBetween(name.range, sep.range),
            );
          }
          closeTok = this.recover(TokenType.CParen);
        } else {
          closeTok = this.read();
        }
        break;
      }
      if (sep.type !== TokenType.Comma) {
        if (sep.type === TokenType.EOF) {
          this.error(
            "Unterminated function call",
            "There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.",
            rangeBetween(name.range, openTok.range),
          );
        } else {
          this.error(
            "Missing argument separator",
            "A comma is required to separate each function argument from the next.",
            sep.range,
            rangeBetween(name.range, sep.range),
          );
        }
        closeTok = this.recover(TokenType.CParen);
        break;
      }
      if (this.peekType() === TokenType.CParen) {
        closeTok = this.read();
        break;
      }
    }
    this.popNewlines();
    // HCL leaves a zero range when no closing parenthesis was found; we use
    // the last token read so that ranges stay ordered.
    const closeRange = closeTok?.range ?? this.prevRange();
    return new FunctionCallExpr(
      name.text,
      args,
      expandFinal,
      name.range,
      openTok.range,
      closeRange,
    );
  }

  private parseTupleCons(): Expr {
    const open = this.read();
    this.pushNewlines(false);
    if (isKeyword(this.peek(), "for")) {
      const e = this.finishParsingForExpr(open);
      this.popNewlines();
      return e;
    }
    let close: Token;
    const exprs: Expr[] = [];
    for (;;) {
      if (this.peekType() === TokenType.CBrack) {
        close = this.read();
        break;
      }
      const m = this.mark();
      exprs.push(this.parseExpression());
      if (this.recovery && this.errorsSince(m)) {
        close = this.recover(TokenType.CBrack);
        break;
      }
      const next = this.peek();
      if (next.type === TokenType.CBrack) {
        close = this.read();
        break;
      }
      if (next.type !== TokenType.Comma) {
        if (!this.recovery) {
          if (next.type === TokenType.EOF) {
            this.error(
              "Unterminated tuple constructor expression",
              "There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.",
              open.range,
            );
          } else {
            this.error(
              "Missing item separator",
              "Expected a comma to mark the beginning of the next item.",
              next.range,
              rangeBetween(open.range, next.range),
            );
          }
        }
        close = this.recover(TokenType.CBrack);
        break;
      }
      this.read();
    }
    this.popNewlines();
    return new TupleConsExpr(exprs, rangeBetween(open.range, close.range), open.range);
  }

  private parseObjectCons(): Expr {
    const open = this.read();
    this.pushNewlines(false);
    const isFor = isKeyword(this.peek(), "for");
    this.popNewlines();
    if (isFor) return this.finishParsingForExpr(open);

    this.pushNewlines(true);
    let close: Token;
    const items: ObjectConsItem[] = [];
    for (;;) {
      let nt = this.peekType();
      if (nt === TokenType.Newline) {
        this.read();
        continue;
      }
      if (nt === TokenType.CBrace) {
        close = this.read();
        break;
      }
      const forceNonLiteral = nt === TokenType.OParen;
      const mk = this.mark();
      const k = this.parseExpression();
      if (this.recovery && this.errorsSince(mk)) {
        close = this.recover(TokenType.CBrace);
        break;
      }
      const key = new ObjectConsKeyExpr(k, forceNonLiteral);
      let next = this.peek();
      if (next.type !== TokenType.Equal && next.type !== TokenType.Colon) {
        if (!this.recovery) {
          switch (next.type) {
            case TokenType.Newline:
            case TokenType.Comma:
              this.error(
                "Missing attribute value",
                'Expected an attribute value, introduced by an equals sign ("=").',
                next.range,
                rangeBetween(open.range, next.range),
              );
              break;
            case TokenType.Ident:
              this.error(
                "Missing key/value separator",
                'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.',
                next.range,
                rangeBetween(open.range, next.range),
              );
              break;
            case TokenType.EOF:
              this.error(
                "Unterminated object constructor expression",
                "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                open.range,
              );
              break;
            default:
              this.error(
                "Missing key/value separator",
                'Expected an equals sign ("=") to mark the beginning of the attribute value.',
                next.range,
                rangeBetween(open.range, next.range),
              );
          }
        }
        close = this.recover(TokenType.CBrace);
        break;
      }
      this.read();
      const mv = this.mark();
      const v = this.parseExpression();
      items.push({ keyExpr: key, valueExpr: v });
      if (this.recovery && this.errorsSince(mv)) {
        close = this.recover(TokenType.CBrace);
        break;
      }
      next = this.peek();
      nt = next.type;
      if (nt === TokenType.CBrace) {
        close = this.read();
        break;
      }
      if (nt !== TokenType.Comma && nt !== TokenType.Newline) {
        if (!this.recovery) {
          if (nt === TokenType.EOF) {
            this.error(
              "Unterminated object constructor expression",
              "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
              open.range,
            );
          } else {
            this.error(
              "Missing attribute separator",
              "Expected a newline or comma to mark the beginning of the next attribute.",
              next.range,
              rangeBetween(open.range, next.range),
            );
          }
        }
        close = this.recover(TokenType.CBrace);
        break;
      }
      this.read();
    }
    this.popNewlines();
    return new ObjectConsExpr(items, rangeBetween(open.range, close.range), open.range);
  }

  private finishParsingForExpr(open: Token): Expr {
    this.pushNewlines(false);
    const e = this.finishParsingForExprInner(open);
    this.popNewlines();
    return e;
  }

  private finishParsingForExprInner(open: Token): Expr {
    this.read(); // "for"
    const makeObj = open.type === TokenType.OBrace;
    const closeType = makeObj ? TokenType.CBrace : TokenType.CBrack;
    const bail = (detail: string | undefined): Expr => {
      if (detail !== undefined && !this.recovery) {
        const at = this.nextRange();
        this.error("Invalid 'for' expression", detail, at, rangeBetween(open.range, at));
      }
      const close = this.recover(closeType);
      return new LiteralValueExpr(litDynamic(), rangeBetween(open.range, close.range));
    };

    let keyName = "";
    if (this.peekType() !== TokenType.Ident) {
      return bail("For expression requires variable name after 'for'.");
    }
    let valName = this.read().text;
    if (this.peekType() === TokenType.Comma) {
      keyName = valName;
      this.read();
      if (this.peekType() !== TokenType.Ident) {
        return bail("For expression requires value variable name after comma.");
      }
      valName = this.read().text;
    }
    if (!isKeyword(this.peek(), "in")) {
      return bail("For expression requires the 'in' keyword after its name declarations.");
    }
    this.read();

    const mc = this.mark();
    const collExpr = this.parseExpression();
    if (this.recovery && this.errorsSince(mc)) return bail(undefined);

    if (this.peekType() !== TokenType.Colon) {
      return bail("For expression requires a colon after the collection expression.");
    }
    this.read();

    const mv = this.mark();
    let keyExpr: Expr | undefined;
    let valExpr = this.parseExpression();
    if (this.peekType() === TokenType.FatArrow) {
      this.read();
      keyExpr = valExpr;
      valExpr = this.parseExpression();
    }
    if (this.recovery && this.errorsSince(mv)) return bail(undefined);

    let group = false;
    let ellipsis: Token | undefined;
    if (this.peekType() === TokenType.Ellipsis) {
      ellipsis = this.read();
      group = true;
    }

    let condExpr: Expr | undefined;
    if (isKeyword(this.peek(), "if")) {
      this.read();
      const m = this.mark();
      condExpr = this.parseExpression();
      if (this.recovery && this.errorsSince(m)) return bail(undefined);
    }

    let close: Token;
    if (this.peekType() === closeType) {
      close = this.read();
    } else {
      if (!this.recovery) {
        const at = this.nextRange();
        this.error(
          "Invalid 'for' expression",
          "Extra characters after the end of the 'for' expression.",
          at,
          rangeBetween(open.range, at),
        );
      }
      close = this.recover(closeType);
    }

    const whole = rangeBetween(open.range, close.range);
    if (!makeObj) {
      if (keyExpr !== undefined) {
        this.error(
          "Invalid 'for' expression",
          "Key expression is not valid when building a tuple.",
          keyExpr.range,
          whole,
        );
      }
      if (group) {
        this.error(
          "Invalid 'for' expression",
          "Grouping ellipsis (...) cannot be used when building a tuple.",
          ellipsis!.range,
          whole,
        );
      }
    } else if (keyExpr === undefined) {
      this.error(
        "Invalid 'for' expression",
        "Key expression is required when building an object.",
        valExpr.range,
        whole,
      );
    }

    return new ForExpr(
      keyName,
      valName,
      collExpr,
      keyExpr,
      valExpr,
      condExpr,
      group,
      whole,
      open.range,
      close.range,
    );
  }

  /** A quoted string that may not contain template sequences, such as a block label. */
  parseQuotedStringLiteral(): { value: string; range: Range } {
    const oQuote = this.read();
    if (oQuote.type !== TokenType.OQuote) {
      this.error("Invalid string literal", "A quoted string is required here.", oQuote.range);
      return { value: "", range: oQuote.range };
    }
    let value = "";
    let endRange: Range;
    for (;;) {
      const tok = this.read();
      if (tok.type === TokenType.CQuote) {
        endRange = tok.range;
        break;
      }
      if (tok.type === TokenType.QuotedLit) {
        const r = parseStringLiteralToken(tok);
        if (r.diags.length > 0) this.push(r.diags);
        value += r.value;
        continue;
      }
      if (tok.type === TokenType.TemplateControl || tok.type === TokenType.TemplateInterp) {
        const which = tok.type === TokenType.TemplateControl ? "%" : "$";
        this.error(
          "Invalid string literal",
          `Template sequences are not allowed in this string. To include a literal ${goQuote(which)}, double it (as "${which}${which}") to escape it.`,
          tok.range,
          rangeBetween(oQuote.range, tok.range),
        );
        value += `${which}{ ... }`;
        this.recover(TokenType.TemplateSeqEnd);
        continue;
      }
      if (tok.type === TokenType.EOF) {
        this.error(
          "Unterminated string literal",
          "Unable to find the closing quote mark before the end of the file.",
          tok.range,
          rangeBetween(oQuote.range, tok.range),
        );
        endRange = tok.range;
        break;
      }
      this.error(
        "Invalid string literal",
        "This item is not valid in a string literal.",
        tok.range,
        rangeBetween(oQuote.range, tok.range),
      );
      this.recover(TokenType.CQuote);
      endRange = tok.range;
      break;
    }
    return { value, range: rangeBetween(oQuote.range, endRange) };
  }

  // --- templates ----------------------------------------------------------

  parseTemplate(end: TokenType, flushHeredoc: boolean): Expr {
    const inner = this.parseTemplateInner(end, flushHeredoc);
    if (inner.passthru) return new TemplateWrapExpr(inner.exprs[0]!, inner.range);
    return new TemplateExpr(inner.exprs, inner.range);
  }

  private parseTemplateInner(
    end: TokenType,
    flushHeredoc: boolean,
  ): { exprs: Expr[]; passthru: boolean; range: Range } {
    const { parts, range } = this.parseTemplateParts(end);
    // Fast path: a plain string literal.
    if (parts.length === 2 && parts[0]!.t === "lit") {
      const lit = parts[0]!;
      if (flushHeredoc) flushHeredocTemplateParts(parts);
      return {
        exprs: [new LiteralValueExpr(litString(lit.val), lit.range)],
        passthru: false,
        range,
      };
    }
    if (flushHeredoc) flushHeredocTemplateParts(parts);
    meldConsecutiveStringLiterals(parts);
    const tp = new TemplateParser(parts, this);
    const exprs = tp.parseRoot();
    const passthru = parts.length === 2 && parts[0]!.t === "interp";
    return { exprs, passthru, range };
  }

  private trimPrev(parts: TemplateToken[], canTrimPrev: boolean, opener: Token): void {
    if (canTrimPrev && opener.text.length === 3 && parts.length > 0) {
      const prev = parts[parts.length - 1]!;
      if (prev.t === "lit") prev.val = trimRightSpace(prev.val);
    }
  }

  private parseTemplateParts(end: TokenType): { parts: TemplateToken[]; range: Range } {
    const parts: TemplateToken[] = [];
    const startRange = this.nextRange();
    let ltrimNext = false;
    let nextCanTrimPrev = false;
    let endRange: Range;

    for (;;) {
      const next = this.read();
      const nt = next.type;
      if (nt === end) {
        endRange = next.range;
        break;
      }
      const ltrim = ltrimNext;
      ltrimNext = false;
      const canTrimPrev = nextCanTrimPrev;
      nextCanTrimPrev = false;

      if (nt === TokenType.StringLit || nt === TokenType.QuotedLit) {
        const r = parseStringLiteralToken(next);
        if (r.diags.length > 0) this.push(r.diags);
        parts.push({ t: "lit", val: ltrim ? trimLeftSpace(r.value) : r.value, range: next.range });
        nextCanTrimPrev = true;
        continue;
      }

      if (nt === TokenType.TemplateInterp) {
        this.trimPrev(parts, canTrimPrev, next);
        this.pushNewlines(false);
        const expr = this.parseExpression();
        const close = this.peek();
        if (close.type !== TokenType.TemplateSeqEnd) {
          if (!this.recovery) {
            if (close.type === TokenType.EOF) {
              this.error(
                "Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.",
                startRange,
              );
            } else if (close.type === TokenType.Colon) {
              this.error(
                "Extra characters after interpolation expression",
                'Template interpolation doesn\'t expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with "$${" instead of just "${".',
                close.range,
                rangeBetween(startRange, close.range),
              );
            } else if (
              (close.type === TokenType.CQuote || close.type === TokenType.OQuote) &&
              end === TokenType.CQuote
            ) {
              this.error(
                "Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.",
                startRange,
              );
            } else {
              this.error(
                "Extra characters after interpolation expression",
                'Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with "$${" instead of just "${".',
                close.range,
                rangeBetween(startRange, close.range),
              );
            }
          }
          this.recover(TokenType.TemplateSeqEnd);
        } else {
          this.read();
          if (close.text.length === 2) ltrimNext = true; // "~}"
        }
        this.popNewlines();
        parts.push({ t: "interp", expr, range: rangeBetween(next.range, close.range) });
        continue;
      }

      if (nt === TokenType.TemplateControl) {
        this.trimPrev(parts, canTrimPrev, next);
        this.pushNewlines(false);
        if (this.parseTemplateDirective(next, parts, startRange)) {
          const close = this.peek();
          if (close.type !== TokenType.TemplateSeqEnd) {
            if (!this.recovery) {
              this.error(
                `Extra characters in ${this.lastKeyword} marker`,
                "Expected a closing brace to end the sequence, but found extra characters.",
                close.range,
                rangeBetween(startRange, close.range),
              );
            }
            this.recover(TokenType.TemplateSeqEnd);
          } else {
            this.read();
            if (close.text.length === 2) ltrimNext = true; // "~}"
          }
        }
        this.popNewlines();
        continue;
      }

      if (!this.recovery) {
        this.error(
          "Unterminated template string",
          "No closing marker was found for the string.",
          next.range,
          rangeBetween(startRange, next.range),
        );
      }
      endRange = this.recover(end).range;
      break;
    }

    if (parts.length === 0) {
      parts.push({ t: "lit", val: "", range: emptyRangeAt(startRange.filename, startRange.end) });
    }
    parts.push({ t: "end", range: endRange });
    return { parts, range: rangeBetween(startRange, endRange) };
  }

  private lastKeyword = "";

  /**
   * Parses the inside of a `%{ ... }` directive (after the opener). Returns
   * false if it already recovered past the sequence's end.
   */
  private parseTemplateDirective(
    opener: Token,
    parts: TemplateToken[],
    _startRange: Range,
  ): boolean {
    const kw = this.peek();
    if (kw.type !== TokenType.Ident) {
      if (!this.recovery) {
        this.error(
          "Invalid template directive",
          'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
          kw.range,
          rangeBetween(opener.range, kw.range),
        );
      }
      this.recover(TokenType.TemplateSeqEnd);
      return false;
    }
    this.read();
    this.lastKeyword = kw.text;
    switch (kw.text) {
      case "if": {
        const cond = this.parseExpression();
        parts.push({ t: "if", cond, range: rangeBetween(opener.range, this.nextRange()) });
        return true;
      }
      case "else":
      case "endif":
      case "endfor":
        parts.push({
          t: "endctrl",
          which: kw.text,
          range: rangeBetween(opener.range, this.nextRange()),
        });
        return true;
      case "for": {
        const forBail = (detail: string): boolean => {
          if (!this.recovery) this.error("Invalid 'for' directive", detail, this.nextRange());
          this.recover(TokenType.TemplateSeqEnd);
          return false;
        };
        let keyName = "";
        if (this.peekType() !== TokenType.Ident) {
          return forBail("For directive requires variable name after 'for'.");
        }
        let valName = this.read().text;
        if (this.peekType() === TokenType.Comma) {
          keyName = valName;
          this.read();
          if (this.peekType() !== TokenType.Ident) {
            return forBail("For directive requires value variable name after comma.");
          }
          valName = this.read().text;
        }
        if (!isKeyword(this.peek(), "in")) {
          return forBail("For directive requires 'in' keyword after names.");
        }
        this.read();
        const coll = this.parseExpression();
        parts.push({
          t: "for",
          keyVar: keyName,
          valVar: valName,
          coll,
          range: rangeBetween(opener.range, this.nextRange()),
        });
        return true;
      }
      default: {
        if (!this.recovery) {
          const suggestion = nameSuggestion(kw.text, ["if", "for", "else", "endif", "endfor"]);
          this.error(
            "Invalid template control keyword",
            `${goQuote(kw.text)} is not a valid template control keyword.${suggestion !== "" ? ` Did you mean ${goQuote(suggestion)}?` : ""}`,
            kw.range,
            rangeBetween(opener.range, kw.range),
          );
        }
        this.recover(TokenType.TemplateSeqEnd);
        return false;
      }
    }
  }

  // --- traversals ---------------------------------------------------------

  parseTraversalAbs(): Traversal {
    const ret: Traversal = [];
    const varTok = this.read();
    if (varTok.type !== TokenType.Ident) {
      this.error("Variable name required", "Must begin with a variable name.", varTok.range);
      return ret;
    }
    ret.push({ kind: "root", name: varTok.text, range: varTok.range });
    const m = this.mark();
    for (;;) {
      const next = this.peek();
      if (next.type === TokenType.EOF) return ret;
      if (next.type === TokenType.Dot) {
        const dot = this.read();
        const nameTok = this.read();
        if (nameTok.type !== TokenType.Ident) {
          this.error(
            "Attribute name required",
            nameTok.type === TokenType.Star
              ? "Splat expressions (.*) may not be used here."
              : "Dot must be followed by attribute name.",
            nameTok.range,
            rangeBetween(varTok.range, nameTok.range),
          );
          return ret;
        }
        ret.push({
          kind: "attr",
          name: nameTok.text,
          range: rangeBetween(dot.range, nameTok.range),
        });
        continue;
      }
      if (next.type === TokenType.OBrack) {
        const open = this.read();
        const inner = this.peek();
        let key: Value;
        if (inner.type === TokenType.NumberLit) {
          key = this.numberLitValue(this.read());
        } else if (inner.type === TokenType.OQuote) {
          key = litString(this.parseQuotedStringLiteral().value);
        } else {
          if (inner.type === TokenType.Star) {
            this.error(
              "Attribute name required",
              "Splat expressions ([*]) may not be used here.",
              inner.range,
              rangeBetween(varTok.range, inner.range),
            );
          } else {
            this.error(
              "Index value required",
              "Index brackets must contain either a literal number or a literal string.",
              inner.range,
              rangeBetween(varTok.range, inner.range),
            );
          }
          return ret;
        }
        const close = this.read();
        if (close.type !== TokenType.CBrack) {
          this.error(
            "Unclosed index brackets",
            "Index key must be followed by a closing bracket.",
            close.range,
            rangeBetween(open.range, close.range),
          );
        }
        ret.push({ kind: "index", key, range: rangeBetween(open.range, close.range) });
        if (this.errorsSince(m)) return ret;
        continue;
      }
      this.error(
        "Invalid character",
        "Expected an attribute access or an index operator.",
        next.range,
        rangeBetween(varTok.range, next.range),
      );
      return ret;
    }
  }
}

function makeRelativeTraversal(expr: Expr, step: Traverser, rng: Range): Expr {
  if (expr instanceof ScopeTraversalExpr || expr instanceof RelativeTraversalExpr) {
    expr.traversal.push(step);
    expr.srcRange = rangeBetween(expr.srcRange, rng);
    return expr;
  }
  return new RelativeTraversalExpr(expr, [step], rangeBetween(expr.range, rng));
}

/** A range as Go's hcl.Range.String() prints it. */
export function formatRangeGo(r: Range): string {
  if (r.start.line === r.end.line) {
    return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
  }
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.line},${r.end.column}`;
}

function flushHeredocTemplateParts(parts: TemplateToken[]): void {
  if (parts.length === 0) return;
  let minSpaces = Number.MAX_SAFE_INTEGER;
  let newline = true;
  const adjust: { t: "lit"; val: string; range: Range }[] = [];
  for (const tt of parts) {
    if (newline) {
      newline = false;
      let spaces = Number.MAX_SAFE_INTEGER;
      if (tt.t === "lit") {
        const orig = tt.val;
        const trimmed = trimLeftSpace(orig);
        if (trimmed.length === 0 && orig.endsWith("\n")) {
          spaces = Number.MAX_SAFE_INTEGER;
        } else {
          spaces = countCodePoints(orig.slice(0, orig.length - trimmed.length));
          adjust.push(tt);
        }
      } else if (tt.t === "end") {
        break;
      } else {
        spaces = 0;
      }
      if (spaces < minSpaces) minSpaces = spaces;
    }
    if (tt.t === "lit" && tt.val.endsWith("\n")) newline = true;
  }
  if (minSpaces === Number.MAX_SAFE_INTEGER) return;
  for (const lit of adjust) {
    let cut = 0;
    for (let i = 0; i < minSpaces && cut < lit.val.length; i++) {
      const c = lit.val.charCodeAt(cut);
      cut += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    const removed = lit.val.slice(0, cut);
    lit.val = lit.val.slice(cut);
    lit.range = {
      filename: lit.range.filename,
      start: advancePos(lit.range.start, removed),
      end: lit.range.end,
    };
  }
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    n++;
  }
  return n;
}

function meldConsecutiveStringLiterals(parts: TemplateToken[]): void {
  let i = 1;
  while (i < parts.length) {
    const prev = parts[i - 1]!;
    const cur = parts[i]!;
    if (prev.t === "lit" && cur.t === "lit") {
      prev.val += cur.val;
      prev.range = { filename: prev.range.filename, start: prev.range.start, end: cur.range.end };
      parts.splice(i, 1);
      continue;
    }
    i++;
  }
}

class TemplateParser {
  private pos = 0;
  constructor(
    private readonly tokens: TemplateToken[],
    private readonly p: Parser,
  ) {}

  private peek(): TemplateToken {
    return this.tokens[this.pos]!;
  }

  private read(): TemplateToken {
    const t = this.tokens[this.pos]!;
    if (t.t !== "end") this.pos++;
    return t;
  }

  parseRoot(): Expr[] {
    const exprs: Expr[] = [];
    while (this.peek().t !== "end") exprs.push(this.parseExpr());
    return exprs;
  }

  private parseExpr(): Expr {
    const next = this.peek();
    switch (next.t) {
      case "lit":
        this.read();
        return new LiteralValueExpr(litString(next.val), next.range);
      case "interp":
        this.read();
        return next.expr;
      case "if":
        return this.parseIf();
      case "for":
        return this.parseFor();
      case "end":
        this.read();
        this.p.error(
          "Unexpected end of template",
          "The control directives within this template are unbalanced.",
          next.range,
        );
        return new LiteralValueExpr(litDynamic(), next.range);
      case "endctrl":
        this.read();
        this.p.error(
          `Unexpected ${next.which} directive`,
          "The control directives within this template are unbalanced.",
          next.range,
        );
        return new LiteralValueExpr(litDynamic(), next.range);
    }
  }

  private parseIf(): Expr {
    if (this.p.depth >= MAX_NESTING) return this.tooDeep();
    this.p.depth++;
    const e = this.parseIfInner();
    this.p.depth--;
    return e;
  }

  private parseFor(): Expr {
    if (this.p.depth >= MAX_NESTING) return this.tooDeep();
    this.p.depth++;
    const e = this.parseForInner();
    this.p.depth--;
    return e;
  }

  private tooDeep(): Expr {
    const t = this.read();
    this.p.error(
      "Nesting too deep",
      `Template directives may be nested at most ${MAX_NESTING} levels deep.`,
      t.range,
    );
    // Skip to the end of the template: the rest can't be interpreted.
    while (this.peek().t !== "end") this.read();
    return new LiteralValueExpr(litDynamic(), t.range);
  }

  private parseIfInner(): Expr {
    const openIf = this.read() as Extract<TemplateToken, { t: "if" }>;
    const ifExprs: Expr[] = [];
    const elseExprs: Expr[] = [];
    let current = ifExprs;
    let endifRange: Range;
    for (;;) {
      const next = this.peek();
      if (next.t === "end") {
        this.p.error(
          "Unexpected end of template",
          `The if directive at ${formatRangeGo(openIf.range)} is missing its corresponding endif directive.`,
          next.range,
        );
        return new LiteralValueExpr(litDynamic(), next.range);
      }
      if (next.t === "endctrl") {
        this.read();
        if (next.which === "else") {
          if (current === ifExprs) {
            current = elseExprs;
            continue;
          }
          this.p.error(
            "Unexpected else directive",
            `Already in the else clause for the if started at ${formatRangeGo(openIf.range)}.`,
            next.range,
          );
        } else if (next.which === "endif") {
          endifRange = next.range;
          break;
        } else {
          this.p.error(
            `Unexpected ${next.which} directive`,
            `Expecting an endif directive for the if started at ${formatRangeGo(openIf.range)}.`,
            next.range,
          );
        }
        return new LiteralValueExpr(litDynamic(), next.range);
      }
      current.push(this.parseExpr());
    }
    if (ifExprs.length === 0) {
      ifExprs.push(
        new LiteralValueExpr(litString(""), emptyRangeAt(openIf.range.filename, openIf.range.end)),
      );
    }
    if (elseExprs.length === 0) {
      elseExprs.push(
        new LiteralValueExpr(litString(""), emptyRangeAt(endifRange.filename, endifRange.start)),
      );
    }
    const trueExpr = new TemplateExpr(
      ifExprs,
      rangeBetween(ifExprs[0]!.range, ifExprs[ifExprs.length - 1]!.range),
    );
    const falseExpr = new TemplateExpr(
      elseExprs,
      rangeBetween(elseExprs[0]!.range, elseExprs[elseExprs.length - 1]!.range),
    );
    return new ConditionalExpr(
      openIf.cond,
      trueExpr,
      falseExpr,
      rangeBetween(openIf.range, endifRange),
    );
  }

  private parseForInner(): Expr {
    const openFor = this.read() as Extract<TemplateToken, { t: "for" }>;
    const contentExprs: Expr[] = [];
    let endforRange: Range;
    for (;;) {
      const next = this.peek();
      if (next.t === "end") {
        this.p.error(
          "Unexpected end of template",
          `The for directive at ${formatRangeGo(openFor.range)} is missing its corresponding endfor directive.`,
          next.range,
        );
        return new LiteralValueExpr(litDynamic(), next.range);
      }
      if (next.t === "endctrl") {
        this.read();
        if (next.which === "else") {
          this.p.error(
            "Unexpected else directive",
            "An else clause is not expected for a for directive.",
            next.range,
          );
        } else if (next.which === "endfor") {
          endforRange = next.range;
          break;
        } else {
          this.p.error(
            `Unexpected ${next.which} directive`,
            `Expecting an endfor directive corresponding to the for directive at ${formatRangeGo(openFor.range)}.`,
            next.range,
          );
        }
        return new LiteralValueExpr(litDynamic(), next.range);
      }
      contentExprs.push(this.parseExpr());
    }
    if (contentExprs.length === 0) {
      contentExprs.push(
        new LiteralValueExpr(
          litString(""),
          emptyRangeAt(openFor.range.filename, openFor.range.end),
        ),
      );
    }
    const contentExpr = new TemplateExpr(
      contentExprs,
      rangeBetween(contentExprs[0]!.range, contentExprs[contentExprs.length - 1]!.range),
    );
    const forExpr = new ForExpr(
      openFor.keyVar,
      openFor.valVar,
      openFor.coll,
      undefined,
      contentExpr,
      undefined,
      false,
      rangeBetween(openFor.range, endforRange),
      openFor.range,
      endforRange,
    );
    return new TemplateJoinExpr(forExpr);
  }
}

// ---------------------------------------------------------------------------
// Public entry points

function toBuffer(src: string | Buffer): Buffer {
  return typeof src === "string" ? Buffer.from(src, "utf8") : src;
}

/** Parse a whole configuration file in the native syntax. */
export function parseConfig(src: string | Buffer, filename: string, start?: Pos): ParseResult {
  const tokens = scan(src, filename, "normal", start);
  const p = new Parser(tokens, checkInvalidTokens(tokens));
  const body = p.parseBody(TokenType.EOF);
  return { file: { body, bytes: toBuffer(src), filename }, diags: p.diags };
}

/** Parse a standalone expression (newlines are insignificant, as inside parentheses). */
export function parseExpression(
  src: string | Buffer,
  filename: string,
  start?: Pos,
): { expr: Expr; diags: Diagnostic[] } {
  const tokens = scan(src, filename, "normal", start);
  const p = new Parser(tokens, checkInvalidTokens(tokens));
  p.pushNewlines(false);
  const expr = p.parseExpression();
  const next = p.peek();
  if (next.type !== TokenType.EOF && !p.recovery) {
    p.error(
      "Extra characters after expression",
      "An expression was successfully parsed, but extra characters were found after it.",
      next.range,
    );
  }
  p.popNewlines();
  return { expr, diags: p.diags };
}

/** Parse a whole input as a bare template (as HCL's JSON syntax does for strings). */
export function parseTemplate(
  src: string | Buffer,
  filename: string,
  start?: Pos,
): { expr: Expr; diags: Diagnostic[] } {
  const tokens = scan(src, filename, "template", start);
  const p = new Parser(tokens, checkInvalidTokens(tokens));
  const expr = p.parseTemplate(TokenType.EOF, false);
  return { expr, diags: p.diags };
}

/** Parse a standalone absolute traversal such as `var.foo[0]`. */
export function parseTraversalAbs(
  src: string | Buffer,
  filename: string,
  start?: Pos,
): { traversal: Traversal; diags: Diagnostic[] } {
  const tokens = scan(src, filename, "normal", start);
  const p = new Parser(tokens, checkInvalidTokens(tokens));
  p.pushNewlines(false);
  const traversal = p.parseTraversalAbs();
  p.popNewlines();
  return { traversal, diags: p.diags };
}

/** Whether `s` is a valid identifier in the native syntax. */
export function isValidIdentifier(s: string): boolean {
  const toks = scan(s, "", "normal");
  return toks.length === 2 && toks[0]!.type === TokenType.Ident && toks[0]!.text === s;
}
