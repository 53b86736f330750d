import type { Range } from "../pos.js";

// Token kinds of HCL's native syntax (hashicorp/hcl hclsyntax). The scanner
// produces them; the parser and the formatter both consume them.
export enum TokenType {
  OBrace = "{",
  CBrace = "}",
  OBrack = "[",
  CBrack = "]",
  OParen = "(",
  CParen = ")",
  OQuote = "«",
  CQuote = "»",
  OHeredoc = "H",
  CHeredoc = "h",

  Star = "*",
  Slash = "/",
  Plus = "+",
  Minus = "-",
  Percent = "%",

  Equal = "=",
  EqualOp = "≔",
  NotEqual = "≠",
  LessThan = "<",
  LessThanEq = "≤",
  GreaterThan = ">",
  GreaterThanEq = "≥",

  And = "∧",
  Or = "∨",
  Bang = "!",

  Dot = ".",
  Comma = ",",
  Ellipsis = "…",
  FatArrow = "⇒",
  Question = "?",
  Colon = ":",

  TemplateInterp = "∫",
  TemplateControl = "λ",
  TemplateSeqEnd = "∎",

  /** Literal text inside a quoted string (escapes not yet processed). */
  QuotedLit = "Q",
  /** Literal text inside a heredoc or a bare template. */
  StringLit = "S",
  NumberLit = "N",
  Ident = "I",

  Comment = "C",
  Newline = "\n",
  EOF = "␄",

  // Tokens that exist only to give good errors for things HCL does not support.
  BitwiseAnd = "&",
  BitwiseOr = "|",
  BitwiseNot = "~",
  BitwiseXor = "^",
  StarStar = "➚",
  Apostrophe = "'",
  Backtick = "`",
  Semicolon = ";",
  Tabs = "␉",
  Invalid = "�",
  BadUTF8 = "💩",
  QuotedNewline = "␤",
  /** The zero token type, never produced by the scanner. */
  Nil = "\0",
}

export interface Token {
  type: TokenType;
  /** The token's exact source text. */
  text: string;
  range: Range;
}
