// The lexer of Go's text/template language, as Packer's legacy JSON templates
// use it ("{{ user `name` }}"). It follows the token rules of Go's
// text/template/parse package: "{{"/"}}" delimiters, "{{- " and " -}}" trim
// markers, comments "{{/* */}}", and inside actions the operands, keywords and
// punctuation of the language. Positions are indexes into the JS string; the
// parser converts them to Go's byte-based line:column when it reports.

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "comment"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  // keywords
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

export interface Item {
  type: ItemType;
  /** Index of the item's first character in the template text. */
  pos: number;
  /** Index just past the item. */
  end: number;
  val: string;
}

const KEYWORDS: Record<string, ItemType> = {
  ".": "dot",
  block: "block",
  break: "break",
  continue: "continue",
  define: "define",
  else: "else",
  end: "end",
  if: "if",
  range: "range",
  nil: "nil",
  template: "template",
  with: "with",
};

export function isKeyword(t: ItemType): boolean {
  return (
    t === "block" ||
    t === "break" ||
    t === "continue" ||
    t === "dot" ||
    t === "define" ||
    t === "else" ||
    t === "end" ||
    t === "if" ||
    t === "nil" ||
    t === "range" ||
    t === "template" ||
    t === "with"
  );
}

/** How Go prints a token in "unexpected X in Y" messages. */
export function itemString(i: Item): string {
  if (i.type === "eof") return "EOF";
  if (i.type === "error") return i.val;
  if (isKeyword(i.type)) return `<${i.val}>`;
  const chars = [...i.val];
  if (chars.length > 10) return `${goQuoteShort(chars.slice(0, 10).join(""))}...`;
  return goQuoteShort(i.val);
}

function goQuoteShort(s: string): string {
  // %q of a string: Go's strconv.Quote.
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const LEFT = "{{";
const RIGHT = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
const TRIM_MARKER_LEN = 2; // "- " or " -"

export function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}_]/u;

export function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  if (c.length === 1) {
    const code = c.charCodeAt(0);
    if (code < 0x80) {
      return (
        c === "_" ||
        (code >= 48 && code <= 57) ||
        (code >= 65 && code <= 90) ||
        (code >= 97 && code <= 122)
      );
    }
  }
  return LETTER_OR_DIGIT.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === "-" && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === "-";
}

function rightTrimLength(s: string): number {
  let n = s.length;
  while (n > 0 && isSpace(s[n - 1])) n--;
  return s.length - n;
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s[i])) i++;
  return i - from;
}

/** Go's %#U formatting of a rune: "U+0001" or "U+00E9 'é'". */
export function formatRuneU(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  const printable = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch);
  return printable ? `U+${hex} '${ch}'` : `U+${hex}`;
}

/**
 * Tokenise a whole template. Lexing stops at the first error, which is the
 * last item (type "error", val = the message); otherwise the last item is EOF.
 */
export function lex(input: string): Item[] {
  const items: Item[] = [];
  let start = 0;
  let pos = 0;
  let parenDepth = 0;

  const emit = (type: ItemType): void => {
    items.push({ type, pos: start, end: pos, val: input.slice(start, pos) });
    start = pos;
  };
  const error = (msg: string): false => {
    items.push({ type: "error", pos: start, end: Math.max(pos, start), val: msg });
    return false;
  };
  /** The next character (a whole code point) or undefined at the end. */
  const peekChar = (at = pos): string | undefined => {
    if (at >= input.length) return undefined;
    const cp = input.codePointAt(at) as number;
    return String.fromCodePoint(cp);
  };
  const nextChar = (): string | undefined => {
    const c = peekChar();
    if (c !== undefined) pos += c.length;
    return c;
  };

  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + TRIM_MARKER_LEN)) {
      return { delim: true, trim: true };
    }
    if (input.startsWith(RIGHT, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };

  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isSpace(c)) return true;
    if (c === "." || c === "," || c === "|" || c === ":" || c === ")" || c === "(") return true;
    return input.startsWith(RIGHT, pos);
  };

  // Returns true to continue lexing text, false when done (EOF or error).
  const lexText = (): boolean => {
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit("text");
      emit("eof");
      return false;
    }
    pos = x;
    let trimLength = 0;
    if (hasLeftTrimMarker(input, pos + LEFT.length)) {
      trimLength = rightTrimLength(input.slice(start, pos));
    }
    const textEnd = pos - trimLength;
    if (textEnd > start) {
      items.push({ type: "text", pos: start, end: textEnd, val: input.slice(start, textEnd) });
    }
    start = pos;
    return lexLeftDelim();
  };

  const lexLeftDelim = (): boolean => {
    pos += LEFT.length;
    const trim = hasLeftTrimMarker(input, pos);
    const afterMarker = trim ? TRIM_MARKER_LEN : 0;
    if (input.startsWith(LEFT_COMMENT, pos + afterMarker)) {
      const commentStart = start;
      pos += afterMarker;
      return lexComment(commentStart);
    }
    items.push({ type: "leftDelim", pos: start, end: pos, val: input.slice(start, pos) });
    pos += afterMarker;
    start = pos;
    parenDepth = 0;
    return lexInsideAction();
  };

  const lexComment = (commentStart: number): boolean => {
    pos += LEFT_COMMENT.length;
    const x = input.indexOf(RIGHT_COMMENT, pos);
    if (x < 0) {
      start = commentStart;
      return error("unclosed comment");
    }
    pos = x + RIGHT_COMMENT.length;
    const { delim, trim } = atRightDelim();
    if (!delim) {
      start = commentStart;
      return error("comment ends before closing delimiter");
    }
    if (trim) pos += TRIM_MARKER_LEN;
    pos += RIGHT.length;
    items.push({
      type: "comment",
      pos: commentStart,
      end: pos,
      val: input.slice(commentStart, pos),
    });
    if (trim) pos += leftTrimLength(input, pos);
    start = pos;
    return true;
  };

  const lexRightDelim = (): boolean => {
    const { trim } = atRightDelim();
    if (trim) {
      pos += TRIM_MARKER_LEN;
      start = pos;
    }
    pos += RIGHT.length;
    emit("rightDelim");
    if (trim) {
      pos += leftTrimLength(input, pos);
      start = pos;
    }
    return true;
  };

  const scanNumber = (): boolean => {
    const accept = (valid: string): boolean => {
      const c = input[pos];
      if (c !== undefined && valid.includes(c)) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string): void => {
      while (pos < input.length && valid.includes(input[pos] as string)) pos++;
    };
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peekChar())) {
      nextChar();
      return false;
    }
    return true;
  };

  const lexNumber = (): boolean => {
    if (!scanNumber()) return error(`bad number syntax: ${goQuoteShort(input.slice(start, pos))}`);
    const sign = input[pos];
    if (sign === "+" || sign === "-") {
      if (!scanNumber() || input[pos - 1] !== "i") {
        return error(`bad number syntax: ${goQuoteShort(input.slice(start, pos))}`);
      }
      emit("complex");
      return true;
    }
    emit("number");
    return true;
  };

  const lexQuoted = (quote: string, type: ItemType, unterminated: string): boolean => {
    for (;;) {
      const c = nextChar();
      if (c === "\\" && quote !== "`") {
        const r = nextChar();
        if (r !== undefined && r !== "\n") continue;
        return error(unterminated);
      }
      if (c === undefined || (c === "\n" && quote !== "`")) return error(unterminated);
      if (c === quote) break;
    }
    emit(type);
    return true;
  };

  const lexFieldOrVariable = (type: "field" | "variable"): boolean => {
    if (atTerminator()) {
      emit(type === "variable" ? "variable" : "dot");
      return true;
    }
    let c: string | undefined;
    for (;;) {
      c = peekChar();
      if (!isAlphaNumeric(c)) break;
      nextChar();
    }
    if (!atTerminator()) {
      return error(`bad character ${formatRuneU(c ?? "\u0000")}`);
    }
    emit(type);
    return true;
  };

  const lexIdentifier = (): boolean => {
    for (;;) {
      const c = peekChar();
      if (isAlphaNumeric(c)) {
        nextChar();
        continue;
      }
      const word = input.slice(start, pos);
      if (!atTerminator()) return error(`bad character ${formatRuneU(c ?? "\u0000")}`);
      const kw = KEYWORDS[word];
      if (kw !== undefined && Object.hasOwn(KEYWORDS, word)) {
        // Go allows break/continue only inside {{range}}; the parser checks that.
        emit(kw);
      } else if (word === "true" || word === "false") emit("bool");
      else emit("identifier");
      return true;
    }
  };

  const lexSpace = (): boolean => {
    let numSpaces = 0;
    while (isSpace(input[pos])) {
      pos++;
      numSpaces++;
    }
    if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos - 1 + TRIM_MARKER_LEN)) {
      pos--; // before the space that belongs to the trim marker
      if (numSpaces === 1) return lexRightDelim();
    }
    emit("space");
    return true;
  };

  const lexInsideAction = (): boolean => {
    for (;;) {
      const { delim } = atRightDelim();
      if (delim) {
        if (parenDepth === 0) return lexRightDelim();
        return error("unclosed left paren");
      }
      const c = nextChar();
      if (c === undefined) return error("unclosed action");
      let ok: boolean;
      if (isSpace(c)) {
        pos -= c.length;
        ok = lexSpace();
        if (ok && items[items.length - 1]?.type === "rightDelim") return true;
      } else if (c === "=") {
        emit("assign");
        ok = true;
      } else if (c === ":") {
        if (nextChar() !== "=") return error("expected :=");
        emit("declare");
        ok = true;
      } else if (c === "|") {
        emit("pipe");
        ok = true;
      } else if (c === '"') {
        ok = lexQuoted('"', "string", "unterminated quoted string");
      } else if (c === "`") {
        ok = lexQuoted("`", "rawString", "unterminated raw quoted string");
      } else if (c === "$") {
        if (atTerminator()) {
          emit("variable");
          ok = true;
        } else ok = lexFieldOrVariable("variable");
      } else if (c === "'") {
        ok = lexQuoted("'", "charConstant", "unterminated character constant");
      } else if (
        c === "." &&
        !(input[pos] !== undefined && input[pos]! >= "0" && input[pos]! <= "9")
      ) {
        ok = lexFieldOrVariable("field");
      } else if (c === "." || c === "+" || c === "-" || (c >= "0" && c <= "9")) {
        pos -= c.length;
        ok = lexNumber();
      } else if (isAlphaNumeric(c)) {
        pos -= c.length;
        ok = lexIdentifier();
      } else if (c === "(") {
        parenDepth++;
        emit("leftParen");
        ok = true;
      } else if (c === ")") {
        parenDepth--;
        if (parenDepth < 0) return error(`unexpected right paren ${formatRuneU(c)}`);
        emit("rightParen");
        ok = true;
      } else if (c.length === 1 && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f) {
        emit("char");
        ok = true;
      } else {
        return error(`unrecognized character in action: ${formatRuneU(c)}`);
      }
      if (!ok) return false;
    }
  };

  while (lexText()) {
    // each round lexes one run of text and the action that follows it
  }
  return items;
}
