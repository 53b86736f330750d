import type { Pos, Range } from "../pos.js";

// A lazy, single-pass tokenizer for HCL's JSON syntax. Like HCL's, it is lax
// about the contents of multi-byte tokens (keywords, numbers, strings): it
// only marks where they are, and the parser validates them so it can explain
// what is wrong. Positions follow HCL's JSON scanner: a tab advances the
// column by 2, a carriage return by 0, and every other character by 1
// (characters are counted as code points).

export type TokenType =
  | "{"
  | "}"
  | "["
  | "]"
  | ","
  | ":"
  /** Not JSON; scanned only to explain that JSON uses a colon. */
  | "="
  | "keyword"
  | "string"
  | "number"
  | "eof"
  | "invalid";

/**
 * A token. Its Range is built only when asked for: most tokens (commas,
 * colons) never need one, and allocation dominates the cost of scanning.
 */
export class Token {
  private r: Range | undefined;
  constructor(
    readonly type: TokenType,
    /** Byte offsets of the token in the scanned buffer (not counting the start position). */
    readonly start: number,
    readonly end: number,
    private readonly filename: string,
    private readonly line: number,
    private readonly col: number,
    private readonly endLine: number,
    private readonly endCol: number,
    private readonly baseByte: number,
    /** For strings: whether the closing quote was found. */
    readonly closed = false,
    /** For strings: whether the contents are plain ASCII with no escapes. */
    readonly plain = false,
  ) {}

  get range(): Range {
    if (this.r === undefined) {
      this.r = {
        filename: this.filename,
        start: { line: this.line, column: this.col, byte: this.baseByte + this.start },
        end: { line: this.endLine, column: this.endCol, byte: this.baseByte + this.end },
      };
    }
    return this.r;
  }
}

const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_QUOTE = 0x22;
const CH_BACKSLASH = 0x5c;

// Byte classes, for a fast switch-free scan.
enum C {
  Other = 0,
  Punct = 1,
  NumberStart = 2,
  Alpha = 3,
  Quote = 4,
  Space = 5,
}

const CLASS = new Uint8Array(256);
for (const ch of "{}[],:=") CLASS[ch.charCodeAt(0)] = C.Punct;
for (const ch of "-+.0123456789") CLASS[ch.charCodeAt(0)] = C.NumberStart;
for (let b = 0x41; b <= 0x5a; b++) CLASS[b] = C.Alpha;
for (let b = 0x61; b <= 0x7a; b++) CLASS[b] = C.Alpha;
CLASS[CH_QUOTE] = C.Quote;
for (const b of [CH_TAB, CH_LF, CH_CR, CH_SPACE]) CLASS[b] = C.Space;

const PUNCT: TokenType[] = [];
for (const ch of "{}[],:=") PUNCT[ch.charCodeAt(0)] = ch as TokenType;

/** Bytes that may continue a number token (validated later by the parser). */
const NUMBER_CONT = new Uint8Array(256);
for (const ch of "-+.eE0123456789") NUMBER_CONT[ch.charCodeAt(0)] = 1;

export class Scanner {
  private i = 0;
  private line: number;
  private col: number;
  private readonly baseByte: number;
  private next: Token | undefined;
  /** Set after an invalid byte: HCL stops scanning there and reports EOF. */
  private stopped = false;

  constructor(
    readonly buf: Uint8Array,
    readonly filename: string,
    start: Pos = { line: 1, column: 1, byte: 0 },
  ) {
    this.line = start.line;
    this.col = start.column;
    this.baseByte = start.byte;
  }

  peek(): Token {
    if (this.next === undefined) this.next = this.scan();
    return this.next;
  }

  /** Consume and return the next token; at the end it keeps returning EOF. */
  read(): Token {
    const tok = this.peek();
    if (tok.type !== "eof") this.next = undefined;
    return tok;
  }

  /** A token from `start` (at line/column `line`, `col`) to the current position. */
  private tok(
    type: TokenType,
    start: number,
    line: number,
    col: number,
    closed = false,
    plain = false,
  ): Token {
    return new Token(
      type,
      start,
      this.i,
      this.filename,
      line,
      col,
      this.line,
      this.col,
      this.baseByte,
      closed,
      plain,
    );
  }

  private scan(): Token {
    const buf = this.buf;
    const n = buf.length;
    if (!this.stopped) this.skipWhitespace();
    const start = this.i;
    const line = this.line;
    const col = this.col;
    if (this.stopped || start >= n) return this.tok("eof", start, line, col);
    const b = buf[start]!;
    switch (CLASS[b] as C) {
      case C.Punct: {
        this.i++;
        this.col++;
        return this.tok(PUNCT[b]!, start, line, col);
      }
      case C.Quote:
        return this.scanString(line, col);
      case C.NumberStart: {
        let i = start + 1;
        while (i < n && NUMBER_CONT[buf[i]!] === 1) i++;
        this.col += i - start;
        this.i = i;
        return this.tok("number", start, line, col);
      }
      case C.Alpha: {
        let i = start + 1;
        while (i < n && (CLASS[buf[i]!] === C.Alpha || buf[i] === 0x5f)) i++;
        this.col += i - start;
        this.i = i;
        return this.tok("keyword", start, line, col);
      }
      default: {
        // Anything else cannot start a JSON value: report one byte as
        // invalid and stop, as HCL's scanner does.
        this.i++;
        this.col++;
        this.stopped = true;
        return this.tok("invalid", start, line, col);
      }
    }
  }

  private scanString(line: number, col: number): Token {
    const buf = this.buf;
    const n = buf.length;
    const start = this.i;
    let i = start + 1;
    let cols = 1;
    let escaping = false;
    let closed = false;
    let plain = true;
    while (i < n) {
      const b = buf[i]!;
      if (b === CH_BACKSLASH) {
        escaping = !escaping;
        plain = false;
        cols++;
        i++;
      } else if (b === CH_QUOTE) {
        cols++;
        i++;
        if (!escaping) {
          closed = true;
          break;
        }
        escaping = false;
      } else if (b < 0x20) {
        // A control character ends the token; the parser reports the
        // string as unterminated.
        break;
      } else {
        // Count code points: UTF-8 continuation bytes add no column.
        if (b >= 0x80) {
          plain = false;
          if ((b & 0xc0) !== 0x80) cols++;
        } else cols++;
        i++;
        escaping = false;
      }
    }
    this.i = i;
    this.col += cols;
    return this.tok("string", start, line, col, closed, plain);
  }

  private skipWhitespace(): void {
    const buf = this.buf;
    const n = buf.length;
    let i = this.i;
    let col = this.col;
    let line = this.line;
    while (i < n) {
      const b = buf[i]!;
      if (b === CH_SPACE) col++;
      else if (b === CH_LF) {
        line++;
        col = 1;
      } else if (b === CH_TAB) col += 2;
      else if (b !== CH_CR) break;
      i++;
    }
    this.i = i;
    this.col = col;
    this.line = line;
  }
}
