import { decodeSource, scan } from "../syntax/scanner.js";
import { type Token, TokenType } from "../syntax/token.js";

// The canonical formatter for HCL native syntax, with the exact output of
// hashicorp/hcl's hclwrite.Format (which `packer fmt` uses).
//
// The model: the file is lexed, every token remembers how many spaces precede
// it, and formatting only rewrites those counts. Tokens are grouped into
// lines (a newline token, or a `#`/`//` comment that swallows its newline,
// ends a line; heredoc bodies have no newline tokens, so a whole heredoc sits
// on the line that opens it). Each line is split into up to three cells:
//
//   lead    everything up to an attribute's `=` (or the whole line)
//   assign  from the first `=` (not at the line start) to the end, but only
//           when the brackets after it balance, i.e. the value is one line
//   comment a trailing single-line comment, when the line has other tokens
//
// Then three passes: indentation (2 spaces per net-open bracket level),
// spacing between neighbouring tokens inside a cell, and vertical alignment of
// the assign cells (and then of the comment cells) over runs of consecutive
// lines that have such a cell.

/** A token as the formatter sees it: its text and the spaces written before it. */
interface FmtToken {
  type: TokenType;
  text: string;
  spacesBefore: number;
}

interface FmtLine {
  lead: FmtToken[];
  assign: FmtToken[] | null;
  comment: FmtToken[] | null;
}

const NIL: FmtToken = { type: TokenType.Nil, text: "", spacesBefore: 0 };

/**
 * Format an already-scanned token sequence (as produced by `scan` in normal
 * mode, ending in EOF) without any syntax check: hclwrite.Format's behaviour.
 */
export function formatTokens(tokens: readonly Token[], startByte = 0): string {
  const toks = toFmtTokens(tokens, startByte);
  format(toks);
  const out: string[] = [];
  for (const t of toks) {
    if (t.spacesBefore > 0) out.push(" ".repeat(t.spacesBefore));
    out.push(t.text);
  }
  return out.join("");
}

/**
 * Format source text without checking its syntax first (hclwrite.Format).
 * Mostly for tests and tools; `formatSource` is what `fmt` uses.
 */
export function formatUnchecked(src: string | Buffer, filename = "<input>"): string {
  const text = typeof src === "string" ? src : decodeSource(src).text;
  const bom = text.charCodeAt(0) === 0xfeff;
  const out = formatTokens(scan(src, filename, "normal"), bom ? 3 : 0);
  return bom ? `\uFEFF${out}` : out;
}

function toFmtTokens(tokens: readonly Token[], startByte: number): FmtToken[] {
  const out: FmtToken[] = [];
  // Whitespace between tokens is counted in bytes and rewritten as that many
  // spaces, as hclwrite does (it only survives where formatting leaves the
  // count alone: before EOF).
  let lastEnd = startByte;
  for (const tok of tokens) {
    const gap = Math.max(0, tok.range.start.byte - lastEnd);
    out.push({ type: tok.type, text: tok.text, spacesBefore: gap });
    lastEnd = tok.range.end.byte;
  }
  return out;
}

function format(tokens: FmtToken[]): void {
  const lines = linesForFormat(tokens);
  formatIndent(lines);
  formatSpaces(lines);
  formatCells(lines);
}

function isNewline(t: FmtToken): boolean {
  if (t.type === TokenType.Newline) return true;
  // `#` and `//` comments end with (and include) their newline.
  return t.type === TokenType.Comment && t.text.endsWith("\n");
}

function bracketChange(t: FmtToken): number {
  switch (t.type) {
    case TokenType.OBrace:
    case TokenType.OBrack:
    case TokenType.OParen:
    case TokenType.TemplateControl:
    case TokenType.TemplateInterp:
      return 1;
    case TokenType.CBrace:
    case TokenType.CBrack:
    case TokenType.CParen:
    case TokenType.TemplateSeqEnd:
      return -1;
    default:
      return 0;
  }
}

function linesForFormat(tokens: FmtToken[]): FmtLine[] {
  const lines: FmtLine[] = [];
  let cur: FmtToken[] = [];
  for (const t of tokens) {
    if (t.type === TokenType.EOF) break;
    cur.push(t);
    if (isNewline(t)) {
      lines.push({ lead: cur, assign: null, comment: null });
      cur = [];
    }
  }
  lines.push({ lead: cur, assign: null, comment: null });

  for (const line of lines) {
    const lead = line.lead;
    if (lead.length === 0) continue;
    if (lead.length > 1 && lead[lead.length - 1]!.type === TokenType.Comment) {
      line.comment = lead.slice(lead.length - 1);
      line.lead = lead.slice(0, lead.length - 1);
    }
    const l = line.lead;
    for (let i = 1; i < l.length; i++) {
      if (l[i]!.type !== TokenType.Equal) continue;
      // Only a value whose brackets balance on this line is an aligned cell.
      let net = 0;
      for (let k = i; k < l.length; k++) net += bracketChange(l[k]!);
      if (net === 0) {
        line.assign = l.slice(i);
        line.lead = l.slice(0, i);
      }
      break;
    }
  }
  return lines;
}

function formatIndent(lines: FmtLine[]): void {
  // A stack of the net number of brackets each indent level opened, so that
  // lopsided lines (several openers on one line, closed one per line) do not
  // drift left or right.
  const indents: number[] = [];
  for (const line of lines) {
    const lead = line.lead;
    if (lead.length === 0) continue;
    if (lead[0]!.type === TokenType.Newline) {
      lead[0]!.spacesBefore = 0;
      continue;
    }
    let net = 0;
    for (const t of lead) {
      net += bracketChange(t);
      if (t.type === TokenType.OHeredoc) break;
    }
    if (line.assign) for (const t of line.assign) net += bracketChange(t);

    if (net > 0) {
      lead[0]!.spacesBefore = 2 * indents.length;
      indents.push(net);
    } else {
      if (net < 0) {
        let closed = -net;
        while (closed > 0 && indents.length > 0) {
          const top = indents[indents.length - 1]!;
          if (closed > top) {
            closed -= top;
            indents.pop();
          } else if (closed < top) {
            indents[indents.length - 1] = top - closed;
            closed = 0;
          } else {
            indents.pop();
            closed = 0;
          }
        }
      }
      lead[0]!.spacesBefore = 2 * indents.length;
    }
  }
}

function formatSpaces(lines: FmtLine[]): void {
  for (const line of lines) {
    spaceCell(line.lead);
    if (line.assign) {
      // The `=` is separated from what it assigns to by (at least) a space.
      line.assign[0]!.spacesBefore = 1;
      spaceCell(line.assign);
    }
  }
}

function spaceCell(cell: FmtToken[]): void {
  for (let i = 0; i + 1 < cell.length; i++) {
    const before = i > 0 ? cell[i - 1]! : NIL;
    cell[i + 1]!.spacesBefore = spaceAfterToken(cell[i]!, before, cell[i + 1]!) ? 1 : 0;
  }
}

function columns(cell: FmtToken[] | null): number {
  if (!cell) return 0;
  let n = 0;
  for (const t of cell) n += t.spacesBefore + graphemeCount(t.text);
  return n;
}

function formatCells(lines: FmtLine[]): void {
  // Align the `=` of consecutive single-line attributes...
  let chainStart = -1;
  let maxCols = 0;
  const closeAssign = (end: number) => {
    for (let k = chainStart; k < end; k++) {
      const line = lines[k]!;
      line.assign![0]!.spacesBefore = maxCols - columns(line.lead) + 1;
    }
    chainStart = -1;
    maxCols = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.assign === null) {
      if (chainStart !== -1) closeAssign(i);
    } else {
      if (chainStart === -1) chainStart = i;
      maxCols = Math.max(maxCols, columns(line.lead));
    }
  }
  if (chainStart !== -1) closeAssign(lines.length);

  // ...then the trailing comments of consecutive lines that have one.
  const closeComment = (end: number) => {
    for (let k = chainStart; k < end; k++) {
      const line = lines[k]!;
      line.comment![0]!.spacesBefore = maxCols - (columns(line.lead) + columns(line.assign)) + 1;
    }
    chainStart = -1;
    maxCols = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.comment === null) {
      if (chainStart !== -1) closeComment(i);
    } else {
      if (chainStart === -1) chainStart = i;
      maxCols = Math.max(maxCols, columns(line.lead) + columns(line.assign));
    }
  }
  if (chainStart !== -1) closeComment(lines.length);
}

/** Whether `subject` gets a space after it, given its neighbours in the cell. */
function spaceAfterToken(subject: FmtToken, before: FmtToken, after: FmtToken): boolean {
  const s = subject.type;
  const a = after.type;
  if (a === TokenType.Newline || a === TokenType.Nil) return false;
  // A function name and its argument list.
  if (s === TokenType.Ident && a === TokenType.OParen) return false;
  // Attribute access.
  if (s === TokenType.Dot || a === TokenType.Dot) return false;
  if (a === TokenType.Comma || a === TokenType.Ellipsis) return false;
  if (s === TokenType.Comma) return true;
  // Inside templates the literal text is exactly as written.
  if (
    s === TokenType.QuotedLit ||
    s === TokenType.StringLit ||
    s === TokenType.OQuote ||
    s === TokenType.OHeredoc ||
    a === TokenType.QuotedLit ||
    a === TokenType.StringLit ||
    a === TokenType.CQuote ||
    a === TokenType.CHeredoc
  ) {
    return false;
  }
  // `for x in [...]`: keep the keyword apart from a tuple that follows it.
  if (s === TokenType.Ident && subject.text === "in" && before.type === TokenType.Ident)
    return true;
  // Indexing: `foo[0]`, `1[0]`, `foo()[0]`, `x.y[0]`.
  if (
    a === TokenType.OBrack &&
    (s === TokenType.Ident || s === TokenType.NumberLit || bracketChange(subject) < 0)
  ) {
    return false;
  }
  if (s === TokenType.Bang) return false;
  if (s === TokenType.Minus) return !minusIsNegation(before.type);
  if (s === TokenType.OBrace || a === TokenType.CBrace) {
    // `{ a = 1 }` but `{}`.
    return !(s === TokenType.OBrace && a === TokenType.CBrace);
  }
  // `${ {a = 1} }`: keep an object constructor visibly apart from the `${`.
  if (
    (s === TokenType.TemplateInterp || s === TokenType.TemplateControl) &&
    a === TokenType.OBrace
  ) {
    return true;
  }
  if (s === TokenType.CBrace && a === TokenType.TemplateSeqEnd) return true;
  // Adjacent template sequences are part of the literal: never separate them.
  if (
    s === TokenType.TemplateSeqEnd &&
    (a === TokenType.TemplateInterp || a === TokenType.TemplateControl)
  ) {
    return false;
  }
  if (bracketChange(subject) > 0) return false;
  if (bracketChange(after) < 0) return false;
  return true;
}

/** A `-` after one of these cannot be a subtraction, so it is a negation. */
function minusIsNegation(before: TokenType): boolean {
  switch (before) {
    case TokenType.Nil:
    case TokenType.OParen:
    case TokenType.OBrace:
    case TokenType.OBrack:
    case TokenType.Equal:
    case TokenType.Colon:
    case TokenType.Comma:
    case TokenType.Question:
    case TokenType.Plus:
    case TokenType.Star:
    case TokenType.Slash:
    case TokenType.Percent:
    case TokenType.Minus:
    case TokenType.EqualOp:
    case TokenType.NotEqual:
    case TokenType.GreaterThan:
    case TokenType.GreaterThanEq:
    case TokenType.LessThan:
    case TokenType.LessThanEq:
    case TokenType.And:
    case TokenType.Or:
    case TokenType.Bang:
      return true;
    default:
      return false;
  }
}

/** The number of user-perceived characters (grapheme clusters) in `s`. */
function graphemeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return segmentCount(s);
    // CR LF is a single cluster.
    if (c === 13 && s.charCodeAt(i + 1) === 10) n--;
  }
  return n;
}

let segmenter: Intl.Segmenter | undefined;

function segmentCount(s: string): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}
