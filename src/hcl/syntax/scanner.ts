import { isUtf8 } from "node:buffer";
import type { Pos } from "../pos.js";
import { type Token, TokenType } from "./token.js";
import { trimSpace } from "./util.js";

// A hand-written scanner for HCL's native syntax, following the token rules of
// hashicorp/hcl's hclsyntax scanner: the same token kinds, the same template
// nesting, heredoc and brace bookkeeping. It never throws; anything it cannot
// make sense of becomes an Invalid or BadUTF8 token for the parser to report.
//
// It works on a JS string (UTF-16 code units); positions are converted to
// HCL's line/column/byte model lazily and monotonically, so the whole scan is
// linear. Invalid UTF-8 bytes in a Buffer input are mapped to lone low
// surrogates U+DC80..U+DCFF (one byte each), which the scanner reports as
// BadUTF8 tokens.

export type ScanMode = "normal" | "template";

enum Ch {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Bang = 33,
  DQuote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Amp = 38,
  Apos = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  D9 = 57,
  Colon = 58,
  Semi = 59,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  Question = 63,
  UpperA = 65,
  UpperE = 69,
  UpperZ = 90,
  LBrack = 91,
  Backslash = 92,
  RBrack = 93,
  Caret = 94,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerE = 101,
  LowerZ = 122,
  LBrace = 123,
  Pipe = 124,
  RBrace = 125,
  Tilde = 126,
}

const NON_ASCII = /[^\x00-\x7f]/;
const ID_START = /^\p{ID_Start}$/u;
const ID_CONTINUE = /^\p{ID_Continue}$/u;

function isAsciiIdStart(c: number): boolean {
  return (
    (c >= Ch.LowerA && c <= Ch.LowerZ) || (c >= Ch.UpperA && c <= Ch.UpperZ) || c === Ch.Underscore
  );
}

function isAsciiIdContinue(c: number): boolean {
  return (
    (c >= Ch.LowerA && c <= Ch.LowerZ) ||
    (c >= Ch.UpperA && c <= Ch.UpperZ) ||
    (c >= Ch.D0 && c <= Ch.D9) ||
    c === Ch.Underscore ||
    c === Ch.Minus
  );
}

function isDigit(c: number): boolean {
  return c >= Ch.D0 && c <= Ch.D9;
}

/**
 * Decode source bytes to a string. Invalid UTF-8 bytes become U+DC80+byte
 * (lone surrogates) so that the scanner can report them and byte offsets
 * stay exact. Returns whether such escapes were used.
 */
export function decodeSource(src: string | Buffer): { text: string; escaped: boolean } {
  if (typeof src === "string") return { text: src, escaped: false };
  if (isUtf8(src)) return { text: src.toString("utf8"), escaped: false };
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const b = src[i]!;
    let len = 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    let ok = len > 0 && i + len <= n;
    if (ok) {
      for (let k = 1; k < len; k++) {
        const cb = src[i + k]!;
        if (cb < 0x80 || cb > 0xbf) {
          ok = false;
          break;
        }
      }
    }
    if (ok) {
      const b1 = src[i + 1]!;
      if (len === 3) {
        if (b === 0xe0 && b1 < 0xa0) ok = false; // overlong
        if (b === 0xed && b1 >= 0xa0) ok = false; // surrogates
      } else if (len === 4) {
        if (b === 0xf0 && b1 < 0x90) ok = false;
        if (b === 0xf4 && b1 >= 0x90) ok = false;
      }
    }
    if (ok) {
      i += len;
      continue;
    }
    if (runStart < i) parts.push(src.toString("utf8", runStart, i));
    parts.push(String.fromCharCode(0xdc00 + b));
    i++;
    runStart = i;
  }
  if (runStart < n) parts.push(src.toString("utf8", runStart, n));
  return { text: parts.join(""), escaped: true };
}

/**
 * Converts string indexes to HCL positions. Queries must be (mostly)
 * monotonic; going backwards restarts from the beginning.
 */
export class PosTracker {
  private idx = 0;
  private line: number;
  private column: number;
  private byte: number;

  constructor(
    private readonly text: string,
    private readonly start: Pos,
    private readonly escaped: boolean,
  ) {
    this.line = start.line;
    this.column = start.column;
    this.byte = start.byte;
  }

  at(i: number): Pos {
    if (i < this.idx) {
      this.idx = 0;
      this.line = this.start.line;
      this.column = this.start.column;
      this.byte = this.start.byte;
    }
    const s = this.text;
    let k = this.idx;
    let line = this.line;
    let column = this.column;
    let byte = this.byte;
    while (k < i) {
      const c = s.charCodeAt(k);
      k++;
      if (c === Ch.LF) {
        line++;
        column = 1;
        byte++;
      } else if (c < 0x80) {
        column++;
        byte++;
      } else if (c < 0x800) {
        column++;
        byte += 2;
      } else if (c >= 0xd800 && c <= 0xdbff && k < s.length) {
        const c2 = s.charCodeAt(k);
        if (c2 >= 0xdc00 && c2 <= 0xdfff) {
          k++;
          byte += 4;
        } else {
          byte += 3;
        }
        column++;
      } else if (c >= 0xdc00 && c <= 0xdfff && this.escaped) {
        column++;
        byte++;
      } else {
        column++;
        byte += 3;
      }
    }
    this.idx = k;
    this.line = line;
    this.column = column;
    this.byte = byte;
    return { line, column, byte };
  }
}

enum Mode {
  Main,
  Str,
  Heredoc,
  Bare,
}

interface HeredocInProgress {
  marker: string;
  startOfLine: boolean;
}

const SELF_TOKENS: (TokenType | undefined)[] = [];
SELF_TOKENS[Ch.LBrack] = TokenType.OBrack;
SELF_TOKENS[Ch.RBrack] = TokenType.CBrack;
SELF_TOKENS[Ch.LParen] = TokenType.OParen;
SELF_TOKENS[Ch.RParen] = TokenType.CParen;
SELF_TOKENS[Ch.Dot] = TokenType.Dot;
SELF_TOKENS[Ch.Comma] = TokenType.Comma;
SELF_TOKENS[Ch.Star] = TokenType.Star;
SELF_TOKENS[Ch.Slash] = TokenType.Slash;
SELF_TOKENS[Ch.Percent] = TokenType.Percent;
SELF_TOKENS[Ch.Plus] = TokenType.Plus;
SELF_TOKENS[Ch.Minus] = TokenType.Minus;
SELF_TOKENS[Ch.Eq] = TokenType.Equal;
SELF_TOKENS[Ch.Lt] = TokenType.LessThan;
SELF_TOKENS[Ch.Gt] = TokenType.GreaterThan;
SELF_TOKENS[Ch.Bang] = TokenType.Bang;
SELF_TOKENS[Ch.Question] = TokenType.Question;
SELF_TOKENS[Ch.Colon] = TokenType.Colon;
SELF_TOKENS[Ch.Amp] = TokenType.BitwiseAnd;
SELF_TOKENS[Ch.Pipe] = TokenType.BitwiseOr;
SELF_TOKENS[Ch.Tilde] = TokenType.BitwiseNot;
SELF_TOKENS[Ch.Caret] = TokenType.BitwiseXor;
SELF_TOKENS[Ch.Semi] = TokenType.Semicolon;
SELF_TOKENS[Ch.Backtick] = TokenType.Backtick;
SELF_TOKENS[Ch.Apos] = TokenType.Apostrophe;

class Scanner {
  readonly tokens: Token[] = [];
  private readonly pos: PosTracker;
  private readonly n: number;
  private i = 0;
  private readonly modes: Mode[] = [];
  private braces = 0;
  private readonly retBraces: number[] = [];
  private readonly heredocs: HeredocInProgress[] = [];
  // Position bookkeeping. For ASCII-only input (the common case) positions
  // are computed directly from the line start; otherwise PosTracker walks.
  private readonly ascii: boolean;
  private readonly start: Pos;
  private line: number;
  private lineStart = 0;
  private lastEnd = -1;
  private lastEndPos: Pos | undefined;

  constructor(
    private readonly s: string,
    private readonly filename: string,
    start: Pos,
    escaped: boolean,
    mode: ScanMode,
  ) {
    this.n = s.length;
    this.pos = new PosTracker(s, start, escaped);
    this.modes.push(mode === "template" ? Mode.Bare : Mode.Main);
    this.ascii = !NON_ASCII.test(s);
    this.start = start;
    this.line = start.line;
  }

  private asciiPos(i: number): Pos {
    const st = this.start;
    return {
      line: this.line,
      column: this.line === st.line ? st.column + i : i - this.lineStart + 1,
      byte: st.byte + i,
    };
  }

  private emit(type: TokenType, start: number, end: number): void {
    let startPos: Pos;
    let endPos: Pos;
    if (this.ascii) {
      startPos = start === this.lastEnd ? this.lastEndPos! : this.asciiPos(start);
      if (
        type === TokenType.Newline ||
        type === TokenType.Comment ||
        type === TokenType.StringLit ||
        type === TokenType.QuotedNewline ||
        type === TokenType.OHeredoc
      ) {
        const s = this.s;
        let nl = s.indexOf("\n", start);
        while (nl >= 0 && nl < end) {
          this.line++;
          this.lineStart = nl + 1;
          nl = s.indexOf("\n", nl + 1);
        }
      }
      endPos = end === start ? startPos : this.asciiPos(end);
    } else {
      startPos = this.pos.at(start);
      endPos = this.pos.at(end);
    }
    this.lastEnd = end;
    this.lastEndPos = endPos;
    this.tokens.push({
      type,
      text: this.s.slice(start, end),
      range: { filename: this.filename, start: startPos, end: endPos },
    });
  }

  run(): Token[] {
    while (this.i < this.n) {
      switch (this.modes[this.modes.length - 1]!) {
        case Mode.Main:
          this.scanMain();
          break;
        case Mode.Str:
          this.scanString();
          break;
        case Mode.Heredoc:
          this.scanHeredoc();
          break;
        case Mode.Bare:
          this.scanBare();
          break;
      }
    }
    this.emit(TokenType.EOF, this.n, this.n);
    return this.tokens;
  }

  /** Length of the code point at `i` in code units (1 or 2). */
  private cpLen(i: number): number {
    const c = this.s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < this.n) {
      const c2 = this.s.charCodeAt(i + 1);
      if (c2 >= 0xdc00 && c2 <= 0xdfff) return 2;
    }
    return 1;
  }

  /** Whether the code unit at `i` is a lone surrogate (bad UTF-8). */
  private isBad(i: number): boolean {
    const c = this.s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) return false;
    return this.cpLen(i) === 1;
  }

  private identEnd(i: number): number {
    const s = this.s;
    const n = this.n;
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (!isAsciiIdStart(c)) return i;
      i++;
    } else {
      const l = this.cpLen(i);
      if (!ID_START.test(s.slice(i, i + l))) return i;
      i += l;
    }
    while (i < n) {
      const d = s.charCodeAt(i);
      if (d < 0x80) {
        if (!isAsciiIdContinue(d)) break;
        i++;
      } else {
        const l = this.cpLen(i);
        if (!ID_CONTINUE.test(s.slice(i, i + l))) break;
        i += l;
      }
    }
    return i;
  }

  private numberEnd(i: number): number {
    const s = this.s;
    const n = this.n;
    i++; // first digit
    let good = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isDigit(c)) {
        i++;
        good = i;
      } else if (c === Ch.Dot) {
        i++;
      } else if (c === Ch.LowerE || c === Ch.UpperE) {
        let j = i + 1;
        const d = s.charCodeAt(j);
        if (d === Ch.Plus || d === Ch.Minus) j++;
        if (j < n && isDigit(s.charCodeAt(j))) {
          i = j + 1;
          good = i;
        } else {
          break;
        }
      } else {
        break;
      }
    }
    return good;
  }

  private pushTemplateSeq(type: TokenType, start: number): void {
    let end = start + 2;
    if (this.s.charCodeAt(end) === Ch.Tilde) end++;
    this.emit(type, start, end);
    this.i = end;
    this.braces++;
    this.retBraces.push(this.braces);
    if (this.heredocs.length > 0) this.heredocs[this.heredocs.length - 1]!.startOfLine = false;
    this.modes.push(Mode.Main);
  }

  private popTemplateSeq(start: number, end: number): void {
    this.emit(TokenType.TemplateSeqEnd, start, end);
    this.i = end;
    const rb = this.retBraces;
    if (rb.length > 0 && rb[rb.length - 1] === this.braces) {
      this.braces--;
      rb.pop();
      this.modes.pop();
    } else {
      this.braces--;
    }
  }

  private scanMain(): void {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    // Spaces (and tabs) are skipped.
    let c = s.charCodeAt(i);
    while (c === Ch.Space || c === Ch.Tab) {
      i++;
      if (i >= n) {
        this.i = i;
        return;
      }
      c = s.charCodeAt(i);
    }
    const start = i;
    const next = i + 1 < n ? s.charCodeAt(i + 1) : -1;

    if (isDigit(c)) {
      const end = this.numberEnd(i);
      this.emit(TokenType.NumberLit, start, end);
      this.i = end;
      return;
    }
    if (c >= 0x80 || isAsciiIdStart(c)) {
      const end = this.identEnd(i);
      if (end > i) {
        this.emit(TokenType.Ident, start, end);
        this.i = end;
        return;
      }
      this.badOrInvalid(i);
      return;
    }

    let type: TokenType | undefined;
    let len = 1;
    switch (c) {
      case Ch.Hash:
        this.lineComment(start, start + 1);
        return;
      case Ch.Slash:
        if (next === Ch.Slash) {
          this.lineComment(start, start + 2);
          return;
        }
        if (next === Ch.Star) {
          const close = s.indexOf("*/", start + 2);
          if (close >= 0) {
            this.emit(TokenType.Comment, start, close + 2);
            this.i = close + 2;
            return;
          }
        }
        type = TokenType.Slash;
        break;
      case Ch.CR:
        if (next === Ch.LF) {
          type = TokenType.Newline;
          len = 2;
        } else {
          type = TokenType.Invalid;
        }
        break;
      case Ch.LF:
        type = TokenType.Newline;
        break;
      case Ch.Eq:
        if (next === Ch.Eq) {
          type = TokenType.EqualOp;
          len = 2;
        } else if (next === Ch.Gt) {
          type = TokenType.FatArrow;
          len = 2;
        } else type = TokenType.Equal;
        break;
      case Ch.Bang:
        if (next === Ch.Eq) {
          type = TokenType.NotEqual;
          len = 2;
        } else type = TokenType.Bang;
        break;
      case Ch.Gt:
        if (next === Ch.Eq) {
          type = TokenType.GreaterThanEq;
          len = 2;
        } else type = TokenType.GreaterThan;
        break;
      case Ch.Lt:
        if (next === Ch.Eq) {
          type = TokenType.LessThanEq;
          len = 2;
        } else if (next === Ch.Lt && this.tryHeredoc(start)) {
          return;
        } else type = TokenType.LessThan;
        break;
      case Ch.Amp:
        if (next === Ch.Amp) {
          type = TokenType.And;
          len = 2;
        } else type = TokenType.BitwiseAnd;
        break;
      case Ch.Pipe:
        if (next === Ch.Pipe) {
          type = TokenType.Or;
          len = 2;
        } else type = TokenType.BitwiseOr;
        break;
      case Ch.Dot:
        if (next === Ch.Dot && s.charCodeAt(i + 2) === Ch.Dot) {
          type = TokenType.Ellipsis;
          len = 3;
        } else type = TokenType.Dot;
        break;
      case Ch.LBrace:
        this.emit(TokenType.OBrace, start, start + 1);
        this.i = start + 1;
        this.braces++;
        return;
      case Ch.RBrace: {
        const rb = this.retBraces;
        if (rb.length > 0 && rb[rb.length - 1] === this.braces) {
          this.popTemplateSeq(start, start + 1);
        } else {
          this.emit(TokenType.CBrace, start, start + 1);
          this.i = start + 1;
          this.braces--;
        }
        return;
      }
      case Ch.Tilde:
        if (next === Ch.RBrace) {
          this.popTemplateSeq(start, start + 2);
          return;
        }
        type = TokenType.BitwiseNot;
        break;
      case Ch.DQuote:
        this.emit(TokenType.OQuote, start, start + 1);
        this.i = start + 1;
        this.modes.push(Mode.Str);
        return;
      default:
        type = SELF_TOKENS[c] ?? TokenType.Invalid;
    }
    this.emit(type, start, start + len);
    this.i = start + len;
  }

  private lineComment(start: number, i: number): void {
    // The comment includes its end-of-line ("\n" or "\r\n"), if any.
    const nl = this.s.indexOf("\n", i);
    const end = nl < 0 ? this.n : nl + 1;
    this.emit(TokenType.Comment, start, end);
    this.i = end;
  }

  /** `<<` or `<<-`, an identifier and a newline open a heredoc. */
  private tryHeredoc(start: number): boolean {
    const s = this.s;
    let i = start + 2;
    if (s.charCodeAt(i) === Ch.Minus) i++;
    const idStart = i;
    const idEnd = this.identEnd(i);
    if (idEnd === idStart) return false;
    let end = idEnd;
    if (s.charCodeAt(end) === Ch.CR) end++;
    if (s.charCodeAt(end) !== Ch.LF) return false;
    end++;
    this.emit(TokenType.OHeredoc, start, end);
    this.i = end;
    this.heredocs.push({ marker: s.slice(idStart, idEnd), startOfLine: true });
    this.modes.push(Mode.Heredoc);
    return true;
  }

  /**
   * Scans literal text from `i` up to (not including) the next template
   * sequence introducer, stop character, or bad code unit. `$${` and `%%{`
   * escapes are kept in the literal text.
   */
  private literalEnd(i: number, quoted: boolean): number {
    const s = this.s;
    const n = this.n;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === Ch.LF || c === Ch.CR) {
        if (quoted || c === Ch.LF) return i;
        // A "\r" in a heredoc or bare template is text unless it ends a line.
        if (s.charCodeAt(i + 1) === Ch.LF) return i;
        i++;
        continue;
      }
      if (c === Ch.Dollar || c === Ch.Percent) {
        const d = s.charCodeAt(i + 1);
        if (d === Ch.LBrace) return i;
        if (d === c && s.charCodeAt(i + 2) === Ch.LBrace) {
          i += 3;
          continue;
        }
        i++;
        continue;
      }
      if (quoted) {
        if (c === Ch.DQuote) return i;
        if (c === Ch.Backslash) {
          if (i + 1 >= n) return i;
          const d = s.charCodeAt(i + 1);
          if (d === Ch.LF || d === Ch.CR) return i;
          if (d >= 0xd800 && d <= 0xdfff && this.isBad(i + 1)) return i;
          i += 1 + this.cpLen(i + 1);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const l = this.cpLen(i);
        if (l === 1) return i; // bad
        i += 2;
        continue;
      }
      i++;
    }
    return i;
  }

  private scanString(): void {
    const s = this.s;
    const i = this.i;
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if ((c === Ch.Dollar || c === Ch.Percent) && next === Ch.LBrace) {
      this.pushTemplateSeq(
        c === Ch.Dollar ? TokenType.TemplateInterp : TokenType.TemplateControl,
        i,
      );
      return;
    }
    if (c === Ch.DQuote) {
      this.emit(TokenType.CQuote, i, i + 1);
      this.i = i + 1;
      this.modes.pop();
      return;
    }
    if (c === Ch.LF || c === Ch.CR) {
      let j = i + 1;
      while (j < this.n) {
        const d = s.charCodeAt(j);
        if (d !== Ch.LF && d !== Ch.CR) break;
        j++;
      }
      this.emit(TokenType.QuotedNewline, i, j);
      this.i = j;
      return;
    }
    const end = this.literalEnd(i, true);
    if (end > i) {
      this.emit(TokenType.QuotedLit, i, end);
      this.i = end;
      return;
    }
    this.badOrInvalid(i);
  }

  private badOrInvalid(i: number): void {
    if (this.isBad(i)) {
      this.emit(TokenType.BadUTF8, i, i + 1);
      this.i = i + 1;
    } else {
      const l = this.cpLen(i);
      this.emit(TokenType.Invalid, i, i + l);
      this.i = i + l;
    }
  }

  private scanHeredoc(): void {
    const s = this.s;
    const i = this.i;
    const c = s.charCodeAt(i);
    if ((c === Ch.Dollar || c === Ch.Percent) && s.charCodeAt(i + 1) === Ch.LBrace) {
      this.pushTemplateSeq(
        c === Ch.Dollar ? TokenType.TemplateInterp : TokenType.TemplateControl,
        i,
      );
      return;
    }
    let end = this.literalEnd(i, false);
    const doc = this.heredocs[this.heredocs.length - 1]!;
    const e = s.charCodeAt(end);
    if (end < this.n && e !== Ch.LF && e !== Ch.CR) {
      // Stopped at a sequence introducer or a bad byte.
      if (end > i) {
        doc.startOfLine = false;
        this.emit(TokenType.StringLit, i, end);
        this.i = end;
      } else {
        this.emit(TokenType.BadUTF8, i, i + 1);
        this.i = i + 1;
      }
      return;
    }
    if (end >= this.n) {
      doc.startOfLine = false;
      this.emit(TokenType.StringLit, i, end);
      this.i = end;
      return;
    }
    // At end of line.
    const nlStart = end;
    end += e === Ch.CR ? 2 : 1;
    if (doc.startOfLine && trimSpace(s.slice(i, nlStart)) === doc.marker) {
      this.emit(TokenType.CHeredoc, i, nlStart);
      this.emit(TokenType.Newline, nlStart, end);
      this.i = end;
      this.heredocs.pop();
      this.modes.pop();
      return;
    }
    doc.startOfLine = true;
    this.emit(TokenType.StringLit, i, end);
    this.i = end;
  }

  private scanBare(): void {
    const s = this.s;
    const i = this.i;
    const c = s.charCodeAt(i);
    if ((c === Ch.Dollar || c === Ch.Percent) && s.charCodeAt(i + 1) === Ch.LBrace) {
      this.pushTemplateSeq(
        c === Ch.Dollar ? TokenType.TemplateInterp : TokenType.TemplateControl,
        i,
      );
      return;
    }
    let end = this.literalEnd(i, false);
    const e = s.charCodeAt(end);
    if (end < this.n) {
      if (e === Ch.CR) end += 2;
      else if (e === Ch.LF) end += 1;
    }
    if (end > i) {
      this.emit(TokenType.StringLit, i, end);
      this.i = end;
      return;
    }
    this.emit(TokenType.BadUTF8, i, i + 1);
    this.i = i + 1;
  }
}

/**
 * Scan HCL native syntax source into tokens. `mode` "template" scans the
 * whole input as a bare template (as for HCL's JSON syntax strings). The
 * result always ends with an EOF token. Never throws.
 */
export function scan(
  src: string | Buffer,
  filename: string,
  mode: ScanMode = "normal",
  start?: Pos,
): Token[] {
  const { text, escaped } = decodeSource(src);
  let s = text;
  let st: Pos = start ?? { line: 1, column: 1, byte: 0 };
  if (s.charCodeAt(0) === 0xfeff) {
    s = s.slice(1);
    st = { line: st.line, column: st.column, byte: st.byte + 3 };
  }
  return new Scanner(s, filename, st, escaped, mode).run();
}
