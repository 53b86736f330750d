// RE2 (Go regexp/syntax, Perl flavour) patterns translated to JavaScript
// RegExps, plus the matching and replacement loops of Go's regexp package.
//
// The pattern is parsed with Go's rules (same accepted syntax, same error
// codes and offending fragments) into a small tree, which is then emitted as
// a `u`-mode JS RegExp. Differences that the translation takes care of:
//
//  - flags (?i) (?m) (?s) (?U), also scoped (?i:...) and negated (?-s):
//    emulated per node, the JS regexp never uses its own i/m/s flags;
//  - named groups (?P<n>...) and (?<n>...): emitted as plain groups, the
//    names are kept on the side (JS restricts names, Go does not);
//  - \A \z, \Q...\E, \pN, \p{Greek}, \p{^Greek}, [[:alpha:]], [[:^alpha:]],
//    octal and \x{...} escapes, `]` first in a class, literal `{`;
//  - \d \s \w \b are ASCII-only as in RE2 (\s is [\t\n\f\r ]);
//  - `.` does not match only "\n" (JS also excludes \r, U+2028, U+2029);
//  - Go's leftmost-first iteration over all matches, including its handling
//    of empty matches next to a previous match.
//
// Known differences that remain: JS matching backtracks (no linear-time
// guarantee), captures inside a repeated group are reset on each iteration
// (JS) rather than keeping the last successful value (Go), and Unicode
// property classes under (?i) are not case-folded.

import { lazyRegExp } from "./lazy.js";

/** A Go regexp/syntax parse error: `error parsing regexp: CODE: \`EXPR\``. */
export class RegexSyntaxError extends Error {
  readonly code: string;
  readonly expr: string;
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = "RegexSyntaxError";
    this.code = code;
    this.expr = expr;
  }
}

const ErrInvalidCharClass = "invalid character class";
const ErrInvalidCharRange = "invalid character class range";
const ErrInvalidEscape = "invalid escape sequence";
const ErrInvalidNamedCapture = "invalid named capture";
const ErrInvalidPerlOp = "invalid or unsupported Perl syntax";
const ErrInvalidRepeatOp = "invalid nested repetition operator";
const ErrInvalidRepeatSize = "invalid repeat count";
const ErrMissingBracket = "missing closing ]";
const ErrMissingParen = "missing closing )";
const ErrMissingRepeatArgument = "missing argument to repetition operator";
const ErrTrailingBackslash = "trailing backslash at end of expression";
const ErrUnexpectedParen = "unexpected )";
const ErrNestingDepth = "expression nests too deeply";
const ErrLarge = "expression too large";

void ErrInvalidCharClass;

const MAX_REPEAT = 1000;
const MAX_HEIGHT = 1000;
const MAX_RUNE = 0x10ffff;

interface Flags {
  i: boolean; // FoldCase
  m: boolean; // multi-line: ^ and $ match at line boundaries
  s: boolean; // DotNL
  U: boolean; // NonGreedy
}

type Range = [number, number];

type Node =
  | { t: "empty" }
  | { t: "lit"; cp: number; fold: boolean }
  | { t: "class"; ranges: Range[]; props: string[]; neg: boolean }
  | { t: "any"; nl: boolean }
  | { t: "assert"; js: string }
  | { t: "group"; cap: number; sub: Node }
  | { t: "concat"; subs: Node[] }
  | { t: "alt"; subs: Node[] }
  | { t: "repeat"; min: number; max: number; greedy: boolean; sub: Node };

// ---------------------------------------------------------------------------
// Character class helpers (ranges of code points, inclusive).

function cleanRanges(rs: Range[]): Range[] {
  if (rs.length < 2) return rs.slice();
  const sorted = rs.slice().sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: Range[] = [[sorted[0]![0], sorted[0]![1]]];
  for (let i = 1; i < sorted.length; i++) {
    const [lo, hi] = sorted[i]!;
    const last = out[out.length - 1]!;
    if (lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function negateRanges(rs: Range[]): Range[] {
  const clean = cleanRanges(rs);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of clean) {
    if (next <= lo - 1) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

// Simple case folding orbits (Go's unicode.SimpleFold), derived from JS case
// mappings and built lazily on first use.
const MIN_FOLD = 0x41;
const MAX_FOLD = 0x1e943;
let foldOrbits: Map<number, number[]> | undefined;

function singleCp(s: string): number | undefined {
  const cp = s.codePointAt(0) as number;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
}

const changesWhenCasemapped = lazyRegExp(String.raw`\p{Changes_When_Casemapped}`, "u");

/** Build the orbits: code points joined by their one-to-one case mappings. */
function buildFoldOrbits(): Map<number, number[]> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const casemapped = changesWhenCasemapped();
  for (let c = MIN_FOLD; c <= MAX_FOLD; c++) {
    // Skip blocks without cased letters (CJK, Hangul, Yi, surrogates, most
    // of the supplementary planes) to keep this cheap.
    if (c === 0x2d30) c = 0xa640;
    else if (c === 0xac00) c = 0xff00;
    else if (c === 0x11000) c = 0x118a0;
    else if (c === 0x11900) c = 0x16e40;
    else if (c === 0x16ea0) c = 0x1e900;
    // Dotted and dotless i have no simple case folding.
    if (c === 0x130 || c === 0x131) continue;
    const s = String.fromCodePoint(c);
    if (!casemapped.test(s)) continue;
    for (const m of [s.toLowerCase(), s.toUpperCase()]) {
      const cp = singleCp(m);
      if (cp !== undefined && cp !== c && cp !== 0x130 && cp !== 0x131) union(c, cp);
    }
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = []));
    g.push(x);
  }
  const out = new Map<number, number[]>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => a - b);
    for (const x of g) out.set(x, g);
  }
  return out;
}

function orbit(c: number): readonly number[] {
  if (c < MIN_FOLD || c > MAX_FOLD) return [c];
  foldOrbits ??= buildFoldOrbits();
  return foldOrbits.get(c) ?? [c];
}

function foldRanges(rs: Range[]): Range[] {
  const out: Range[] = [];
  for (const [lo0, hi0] of rs) {
    out.push([lo0, hi0]);
    if (lo0 <= MIN_FOLD && hi0 >= MAX_FOLD) continue;
    const lo = Math.max(lo0, MIN_FOLD);
    const hi = Math.min(hi0, MAX_FOLD);
    for (let c = lo; c <= hi; c++) {
      const o = orbit(c);
      if (o.length > 1) for (const x of o) if (x < lo0 || x > hi0) out.push([x, x]);
    }
  }
  return cleanRanges(out);
}

const PERL_GROUPS: Record<string, { neg: boolean; ranges: Range[] }> = {
  "\\d": { neg: false, ranges: [[0x30, 0x39]] },
  "\\D": { neg: true, ranges: [[0x30, 0x39]] },
  "\\s": {
    neg: false,
    ranges: [
      [0x09, 0x0a],
      [0x0c, 0x0d],
      [0x20, 0x20],
    ],
  },
  "\\S": {
    neg: true,
    ranges: [
      [0x09, 0x0a],
      [0x0c, 0x0d],
      [0x20, 0x20],
    ],
  },
  "\\w": {
    neg: false,
    ranges: [
      [0x30, 0x39],
      [0x41, 0x5a],
      [0x5f, 0x5f],
      [0x61, 0x7a],
    ],
  },
  "\\W": {
    neg: true,
    ranges: [
      [0x30, 0x39],
      [0x41, 0x5a],
      [0x5f, 0x5f],
      [0x61, 0x7a],
    ],
  },
};

const POSIX_GROUPS: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

function isalnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const GENERAL_CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(
    " ",
  ),
);

/** Go's canonicalName: leading capital, rest lower case, no _ - or spaces. */
function canonicalName(name: string): string {
  let out = "";
  let first = true;
  for (const ch of name) {
    if (ch === "_" || ch === "-" || ch === " ") continue;
    out += first ? ch.toUpperCase() : ch.toLowerCase();
    first = false;
  }
  return out;
}

function validJsProperty(body: string): boolean {
  try {
    new RegExp(`\\p{${body}}`, "u");
    return true;
  } catch {
    return false;
  }
}

/** The JS property body (inside \p{...}) for a Go Unicode class name, or undefined. */
function jsPropertyFor(name: string): string | undefined {
  if (name === "") return undefined;
  const canon = canonicalName(name);
  switch (canon) {
    case "Any":
      return "Any";
    case "Assigned":
      return "Assigned";
    case "Ascii":
      return "ASCII";
    case "Lc":
      return "LC";
  }
  for (const n of [name, canon]) {
    if (GENERAL_CATEGORIES.has(n)) return n;
  }
  if (!/^[A-Za-z0-9_ -]+$/.test(name)) return undefined;
  for (const n of [name, name.replace(/[ -]/g, "_")]) {
    if (validJsProperty(`Script=${n}`)) return `Script=${n}`;
    if (/^[A-Z][A-Za-z_]+$/.test(n) && validJsProperty(`General_Category=${n}`)) {
      return `General_Category=${n}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Parser

class Parser {
  private readonly src: string;
  private pos = 0;
  numCap = 0;
  readonly names: string[] = [""];
  private depth = 0;

  constructor(src: string) {
    this.src = src;
  }

  private peek(): number | undefined {
    return this.src.codePointAt(this.pos);
  }
  private width(cp: number): number {
    return cp > 0xffff ? 2 : 1;
  }

  parse(): Node {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const node = this.parseAlternation(flags, true);
    if (this.pos < this.src.length) {
      // Only a stray ')' can stop the top-level alternation early.
      throw new RegexSyntaxError(ErrUnexpectedParen, this.src);
    }
    return node;
  }

  /** Parses up to an unmatched ')' (not consumed) or the end of input. */
  private parseAlternation(flags: Flags, top: boolean): Node {
    if (++this.depth > MAX_HEIGHT) throw new RegexSyntaxError(ErrNestingDepth, this.src);
    const alts: Node[] = [];
    let concat: Node[] = [];
    let lastRepeatStart = -1;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      const tokStart = this.pos;
      let repeatStart = -1;
      if (c === 0x29 /* ) */) {
        if (top) throw new RegexSyntaxError(ErrUnexpectedParen, this.src);
        break;
      }
      switch (c) {
        case 0x7c /* | */:
          alts.push(seq(concat));
          concat = [];
          this.pos++;
          break;
        case 0x28 /* ( */:
          this.parseGroup(flags, concat);
          break;
        case 0x5e /* ^ */:
          concat.push({ t: "assert", js: flags.m ? "(?<![^\\n])" : "^" });
          this.pos++;
          break;
        case 0x24 /* $ */:
          concat.push({ t: "assert", js: flags.m ? "(?![^\\n])" : "$" });
          this.pos++;
          break;
        case 0x2e /* . */:
          concat.push({ t: "any", nl: flags.s });
          this.pos++;
          break;
        case 0x5b /* [ */:
          concat.push(this.parseClass(flags));
          break;
        case 0x2a /* * */:
        case 0x2b /* + */:
        case 0x3f /* ? */:
          {
            this.pos++;
            const min = c === 0x2b ? 1 : 0;
            const max = c === 0x3f ? 1 : -1;
            this.applyRepeat(concat, flags, min, max, tokStart, lastRepeatStart, false);
            repeatStart = tokStart;
            break;
          }
        case 0x7b /* { */:
          {
            const rep = this.parseRepeatBraces();
            if (rep === undefined) {
              concat.push({ t: "lit", cp: 0x7b, fold: false });
              this.pos++;
              break;
            }
            const [min, max, end] = rep;
            if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
              throw new RegexSyntaxError(ErrInvalidRepeatSize, this.src.slice(tokStart, end));
            }
            this.pos = end;
            this.applyRepeat(concat, flags, min, max, tokStart, lastRepeatStart, true);
            repeatStart = tokStart;
            break;
          }
        case 0x5c /* \ */:
          this.parseBackslash(flags, concat);
          break;
        default: {
          const cp = this.peek() as number;
          this.pos += this.width(cp);
          concat.push(literal(cp, flags));
        }
      }
      lastRepeatStart = repeatStart;
    }
    alts.push(seq(concat));
    this.depth--;
    return alts.length === 1 ? (alts[0] as Node) : { t: "alt", subs: alts };
  }

  private applyRepeat(
    concat: Node[],
    flags: Flags,
    min: number,
    max: number,
    opStart: number,
    lastRepeatStart: number,
    braces: boolean,
  ): void {
    let greedy = !flags.U;
    if (this.src.charCodeAt(this.pos) === 0x3f /* ? */) {
      this.pos++;
      greedy = !greedy;
    }
    if (lastRepeatStart >= 0) {
      throw new RegexSyntaxError(ErrInvalidRepeatOp, this.src.slice(lastRepeatStart, this.pos));
    }
    const sub = concat.pop();
    if (sub === undefined) {
      throw new RegexSyntaxError(ErrMissingRepeatArgument, this.src.slice(opStart, this.pos));
    }
    const node: Node = { t: "repeat", min, max, greedy, sub };
    if (braces && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
      throw new RegexSyntaxError(ErrInvalidRepeatSize, this.src.slice(opStart, this.pos));
    }
    concat.push(node);
  }

  /** {n}, {n,} or {n,m} at pos: [min, max, endIndex], min -1 if too big; undefined if not a repeat. */
  private parseRepeatBraces(): [number, number, number] | undefined {
    let i = this.pos + 1;
    const s = this.src;
    const readInt = (): number | undefined => {
      const start = i;
      if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return undefined;
      if (
        s.charCodeAt(i) === 0x30 &&
        i + 1 < s.length &&
        s.charCodeAt(i + 1) >= 0x30 &&
        s.charCodeAt(i + 1) <= 0x39
      ) {
        return undefined; // leading zeros are not allowed
      }
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
      const digits = s.slice(start, i);
      return digits.length > 8 ? -1 : Number(digits);
    };
    let min = readInt();
    if (min === undefined || i >= s.length) return undefined;
    let max: number;
    if (s[i] !== ",") max = min;
    else {
      i++;
      if (i >= s.length) return undefined;
      if (s[i] === "}") max = -1;
      else {
        const m = readInt();
        if (m === undefined) return undefined;
        max = m;
        if (m < 0) min = -1;
      }
    }
    if (i >= s.length || s[i] !== "}") return undefined;
    return [min, max, i + 1];
  }

  private parseGroup(flags: Flags, concat: Node[]): void {
    const s = this.src;
    const start = this.pos;
    if (s.charCodeAt(start + 1) !== 0x3f /* ? */) {
      this.pos++;
      const cap = ++this.numCap;
      this.names.push("");
      const sub = this.parseAlternation({ ...flags }, false);
      this.closeParen();
      concat.push({ t: "group", cap, sub });
      return;
    }
    const startsWithP = s.length - start > 4 && s[start + 2] === "P" && s[start + 3] === "<";
    const startsWithName = s.length - start > 3 && s[start + 2] === "<";
    if (startsWithP || startsWithName) {
      const nameStart = start + (startsWithP ? 4 : 3);
      const end = s.indexOf(">", start);
      if (end < 0) throw new RegexSyntaxError(ErrInvalidNamedCapture, s.slice(start));
      const name = s.slice(nameStart, end);
      if (name === "" || !/^[A-Za-z0-9_]+$/.test(name)) {
        throw new RegexSyntaxError(ErrInvalidNamedCapture, s.slice(start, end + 1));
      }
      this.pos = end + 1;
      const cap = ++this.numCap;
      this.names.push(name);
      const sub = this.parseAlternation({ ...flags }, false);
      this.closeParen();
      concat.push({ t: "group", cap, sub });
      return;
    }
    // Flags and/or non-capturing group.
    let i = start + 2;
    const nf: Flags = { ...flags };
    let neg = false;
    let sawFlag = false;
    while (i < s.length) {
      const c = s.codePointAt(i) as number;
      i += c > 0xffff ? 2 : 1;
      switch (c) {
        case 0x69 /* i */:
          nf.i = !neg;
          sawFlag = true;
          continue;
        case 0x6d /* m */:
          nf.m = !neg;
          sawFlag = true;
          continue;
        case 0x73 /* s */:
          nf.s = !neg;
          sawFlag = true;
          continue;
        case 0x55 /* U */:
          nf.U = !neg;
          sawFlag = true;
          continue;
        case 0x2d /* - */:
          if (neg) break;
          neg = true;
          sawFlag = false;
          continue;
        case 0x3a /* : */:
        case 0x29 /* ) */:
          if (neg && !sawFlag) break;
          this.pos = i;
          if (c === 0x29) {
            Object.assign(flags, nf); // flags apply to the rest of the enclosing group
            return;
          }
          {
            const sub = this.parseAlternation(nf, false);
            this.closeParen();
            concat.push({ t: "group", cap: 0, sub });
          }
          return;
      }
      break;
    }
    throw new RegexSyntaxError(ErrInvalidPerlOp, s.slice(start, i));
  }

  private closeParen(): void {
    if (this.pos >= this.src.length) throw new RegexSyntaxError(ErrMissingParen, this.src);
    this.pos++; // ')'
  }

  private parseBackslash(flags: Flags, concat: Node[]): void {
    const s = this.src;
    const start = this.pos;
    const next = s[start + 1];
    switch (next) {
      case "A":
        concat.push({ t: "assert", js: "^" });
        this.pos += 2;
        return;
      case "z":
        concat.push({ t: "assert", js: "$" });
        this.pos += 2;
        return;
      case "b":
        concat.push({ t: "assert", js: "\\b" });
        this.pos += 2;
        return;
      case "B":
        concat.push({ t: "assert", js: "\\B" });
        this.pos += 2;
        return;
      case "C":
        throw new RegexSyntaxError(ErrInvalidEscape, "\\C");
      case "Q": {
        const end = s.indexOf("\\E", start + 2);
        const lit = end < 0 ? s.slice(start + 2) : s.slice(start + 2, end);
        this.pos = end < 0 ? s.length : end + 2;
        for (const ch of lit) concat.push(literal(ch.codePointAt(0) as number, flags));
        return;
      }
      case "p":
      case "P": {
        concat.push(this.parseUnicodeClass(flags));
        return;
      }
    }
    const perl = next === undefined ? undefined : PERL_GROUPS[`\\${next}`];
    if (perl !== undefined) {
      this.pos += 2;
      let ranges = perl.ranges;
      if (flags.i) ranges = foldRanges(ranges);
      concat.push({
        t: "class",
        ranges: perl.neg ? negateRanges(ranges) : ranges,
        props: [],
        neg: false,
      });
      return;
    }
    concat.push(literal(this.parseEscape(), flags));
  }

  /** An escape sequence at pos (starting with '\'), returning the code point. */
  private parseEscape(): number {
    const s = this.src;
    const start = this.pos;
    let i = start + 1;
    if (i >= s.length) throw new RegexSyntaxError(ErrTrailingBackslash, "");
    const c = s.codePointAt(i) as number;
    i += c > 0xffff ? 2 : 1;
    const fail = (): never => {
      throw new RegexSyntaxError(ErrInvalidEscape, s.slice(start, i));
    };
    if (c < 0x80 && !isalnum(c)) {
      this.pos = i;
      return c;
    }
    switch (c) {
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37: {
        // A single non-zero digit would be a backreference, which RE2 lacks.
        const nextIsOctal = i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x37;
        if (c !== 0x30 && !nextIsOctal) fail();
        let r = c - 0x30;
        for (let k = 1; k < 3; k++) {
          if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x37) break;
          r = r * 8 + s.charCodeAt(i) - 0x30;
          i++;
        }
        this.pos = i;
        return r;
      }
      case 0x78 /* x */:
        {
          if (i >= s.length) fail();
          const d = s.codePointAt(i) as number;
          i += d > 0xffff ? 2 : 1;
          if (d === 0x7b /* { */) {
            let n = 0;
            let r = 0;
            for (;;) {
              if (i >= s.length) fail();
              const h = s.codePointAt(i) as number;
              i += h > 0xffff ? 2 : 1;
              if (h === 0x7d) break;
              const v = unhex(h);
              if (v < 0) fail();
              r = r * 16 + v;
              if (r > MAX_RUNE) fail();
              n++;
            }
            if (n === 0) fail();
            this.pos = i;
            return r;
          }
          const x = unhex(d);
          if (i >= s.length) fail();
          const e = s.codePointAt(i) as number;
          i += e > 0xffff ? 2 : 1;
          const y = unhex(e);
          if (x < 0 || y < 0) fail();
          this.pos = i;
          return x * 16 + y;
        }
      case 0x61 /* a */:
        this.pos = i;
        return 0x07;
      case 0x66 /* f */:
        this.pos = i;
        return 0x0c;
      case 0x6e /* n */:
        this.pos = i;
        return 0x0a;
      case 0x72 /* r */:
        this.pos = i;
        return 0x0d;
      case 0x74 /* t */:
        this.pos = i;
        return 0x09;
      case 0x76 /* v */:
        this.pos = i;
        return 0x0b;
    }
    return fail();
  }

  /** \pN, \p{Name}, \PN, \P{Name}, \p{^Name} at pos. */
  private parseUnicodeClass(flags: Flags): Node {
    const s = this.src;
    const start = this.pos;
    let negated = s[start + 1] === "P";
    let i = start + 2;
    let seq: string;
    let name: string;
    if (s[i] !== "{") {
      const c = s.codePointAt(i);
      if (c !== undefined) i += c > 0xffff ? 2 : 1;
      seq = s.slice(start, i);
      name = seq.slice(2);
    } else {
      const end = s.indexOf("}", i);
      if (end < 0) throw new RegexSyntaxError(ErrInvalidCharRange, s.slice(start));
      seq = s.slice(start, end + 1);
      name = s.slice(i + 1, end);
      i = end + 1;
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    const prop = jsPropertyFor(name);
    if (prop === undefined) throw new RegexSyntaxError(ErrInvalidCharRange, seq);
    this.pos = i;
    void flags;
    return { t: "class", ranges: [], props: [`\\${negated ? "P" : "p"}{${prop}}`], neg: false };
  }

  private parseClass(flags: Flags): Node {
    const s = this.src;
    const whole = s.slice(this.pos);
    let i = this.pos + 1;
    let neg = false;
    if (s[i] === "^") {
      neg = true;
      i++;
    }
    let ranges: Range[] = [];
    const props: string[] = [];
    let first = true;
    while (i >= s.length || s[i] !== "]" || first) {
      first = false;
      if (i >= s.length) throw new RegexSyntaxError(ErrMissingBracket, whole);
      // POSIX [:alpha:]
      if (s.length - i > 2 && s[i] === "[" && s[i + 1] === ":") {
        const end = s.indexOf(":]", i + 2);
        if (end >= 0) {
          const nameFull = s.slice(i, end + 2);
          let name = s.slice(i + 2, end);
          let pneg = false;
          if (name.startsWith("^")) {
            pneg = true;
            name = name.slice(1);
          }
          const g = Object.hasOwn(POSIX_GROUPS, name) ? POSIX_GROUPS[name] : undefined;
          if (g === undefined) throw new RegexSyntaxError(ErrInvalidCharRange, nameFull);
          const gr = flags.i ? foldRanges(g) : g;
          ranges.push(...(pneg ? negateRanges(gr) : gr));
          i = end + 2;
          continue;
        }
      }
      if (s[i] === "\\" && (s[i + 1] === "p" || s[i + 1] === "P")) {
        this.pos = i;
        const n = this.parseUnicodeClass(flags) as { props: string[] };
        props.push(...n.props);
        i = this.pos;
        continue;
      }
      const perl = s[i] === "\\" ? PERL_GROUPS[s.slice(i, i + 2)] : undefined;
      if (perl !== undefined) {
        const gr = flags.i ? foldRanges(perl.ranges) : perl.ranges;
        ranges.push(...(perl.neg ? negateRanges(gr) : gr));
        i += 2;
        continue;
      }
      const rangeStart = i;
      const lo = this.classChar(i, whole);
      i = this.pos;
      let hi = lo;
      if (s.length - i >= 2 && s[i] === "-" && s[i + 1] !== "]") {
        hi = this.classChar(i + 1, whole);
        i = this.pos;
        if (hi < lo) throw new RegexSyntaxError(ErrInvalidCharRange, s.slice(rangeStart, i));
      }
      ranges.push([lo, hi]);
    }
    this.pos = i + 1;
    ranges = cleanRanges(ranges);
    if (flags.i) ranges = foldRanges(ranges);
    if (props.length === 0) {
      return { t: "class", ranges: neg ? negateRanges(ranges) : ranges, props, neg: false };
    }
    return { t: "class", ranges, props, neg };
  }

  /** One class character at index i (sets pos after it). */
  private classChar(i: number, whole: string): number {
    const s = this.src;
    if (i >= s.length) throw new RegexSyntaxError(ErrMissingBracket, whole);
    this.pos = i;
    if (s[i] === "\\") return this.parseEscape();
    const cp = s.codePointAt(i) as number;
    this.pos = i + (cp > 0xffff ? 2 : 1);
    return cp;
  }
}

function literal(cp: number, flags: Flags): Node {
  return { t: "lit", cp, fold: flags.i && orbit(cp).length > 1 };
}

function seq(nodes: Node[]): Node {
  if (nodes.length === 0) return { t: "empty" };
  if (nodes.length === 1) return nodes[0] as Node;
  return { t: "concat", subs: nodes };
}

function repeatIsValid(re: Node, n: number): boolean {
  if (re.t === "repeat") {
    let m = re.max;
    if (m === 0) return true;
    if (m < 0) m = re.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
    return repeatIsValid(re.sub, n);
  }
  switch (re.t) {
    case "group":
      return repeatIsValid(re.sub, n);
    case "concat":
    case "alt":
      return re.subs.every((s) => repeatIsValid(s, n));
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------
// Emitter

function cpEscape(cp: number): string {
  if (isalnum(cp) || cp === 0x5f || cp === 0x20) return String.fromCharCode(cp);
  return `\\u{${cp.toString(16)}}`;
}

function emitRanges(ranges: Range[]): string {
  let out = "";
  for (const [lo, hi] of ranges) {
    out += lo === hi ? cpEscape(lo) : `${cpEscape(lo)}-${cpEscape(hi)}`;
  }
  return out;
}

function emit(n: Node): string {
  switch (n.t) {
    case "empty":
      return "";
    case "lit": {
      if (!n.fold) return cpEscape(n.cp);
      const o = orbit(n.cp);
      return `[${o.map(cpEscape).join("")}]`;
    }
    case "class":
      if (n.props.length === 0 && n.ranges.length === 1 && n.ranges[0]![0] === n.ranges[0]![1]) {
        return cpEscape(n.ranges[0]![0]);
      }
      return `[${n.neg ? "^" : ""}${emitRanges(n.ranges)}${n.props.join("")}]`;
    case "any":
      return n.nl ? "[^]" : "[^\\n]";
    case "assert":
      return n.js;
    case "group":
      return n.cap > 0 ? `(${emit(n.sub)})` : `(?:${emit(n.sub)})`;
    case "concat":
      return n.subs.map(emitConcatItem).join("");
    case "alt":
      return n.subs.map(emit).join("|");
    case "repeat": {
      let q: string;
      if (n.min === 0 && n.max === -1) q = "*";
      else if (n.min === 1 && n.max === -1) q = "+";
      else if (n.min === 0 && n.max === 1) q = "?";
      else if (n.max === -1) q = `{${n.min},}`;
      else if (n.min === n.max) q = `{${n.min}}`;
      else q = `{${n.min},${n.max}}`;
      const sub = n.sub;
      const simple = sub.t === "group" || sub.t === "class" || sub.t === "any" || sub.t === "lit";
      const atom = simple ? emit(sub) : `(?:${emit(sub)})`;
      return atom + q + (n.greedy ? "" : "?");
    }
  }
}

function emitConcatItem(n: Node): string {
  // An alternation inside a concatenation needs grouping.
  return n.t === "alt" ? `(?:${emit(n)})` : emit(n);
}

// ---------------------------------------------------------------------------
// Public API

export interface CompiledRegex {
  /** The RE2 source as given. */
  readonly pattern: string;
  /** The translated JS regexp, with flags "gu". */
  readonly regexp: RegExp;
  /** Number of capture groups. */
  readonly numSubexp: number;
  /** Go's SubexpNames: index 0 is the whole match (""), unnamed groups are "". */
  readonly subexpNames: readonly string[];
}

const cache = new Map<string, CompiledRegex>();

/** Compile an RE2 pattern; throws RegexSyntaxError for patterns Go would reject. */
export function compileRegex(pattern: string): CompiledRegex {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  if (pattern.length > 100_000) throw new RegexSyntaxError(ErrLarge, pattern);
  const p = new Parser(pattern);
  const tree = p.parse();
  const source = emit(tree);
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, "gu");
  } catch {
    // The translation should always be valid JS; if not, report it as Go would
    // report an expression it cannot handle.
    throw new RegexSyntaxError(ErrLarge, pattern);
  }
  const compiled: CompiledRegex = {
    pattern,
    regexp,
    numSubexp: p.numCap,
    subexpNames: p.names,
  };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** The JS source a pattern translates to (for tests and diagnostics). */
export function translateRegex(pattern: string): string {
  return compileRegex(pattern).regexp.source;
}

export interface RegexMatch {
  readonly start: number;
  readonly end: number;
  /** groups[0] is the whole match; undefined for groups that did not participate. */
  readonly groups: readonly (string | undefined)[];
}

function execAt(re: CompiledRegex, s: string, pos: number): RegexMatch | undefined {
  const rx = re.regexp;
  rx.lastIndex = pos;
  const m = rx.exec(s);
  if (m === null) return undefined;
  const groups: (string | undefined)[] = [];
  for (let i = 0; i <= re.numSubexp; i++) groups.push(m[i]);
  return { start: m.index, end: m.index + m[0].length, groups };
}

function runeWidthAt(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** The leftmost match (Go's FindStringSubmatchIndex), or undefined. */
export function findFirst(re: CompiledRegex, s: string): RegexMatch | undefined {
  return execAt(re, s, 0);
}

/** All successive non-overlapping matches, as Go's FindAllStringSubmatch(s, n). */
export function findAll(re: CompiledRegex, s: string, n = -1): RegexMatch[] {
  const out: RegexMatch[] = [];
  if (n < 0) n = s.length + 1;
  let pos = 0;
  let prevMatchEnd = -1;
  while (out.length < n && pos <= s.length) {
    const m = execAt(re, s, pos);
    if (m === undefined) break;
    let accept = true;
    if (m.end === pos) {
      // Empty match: not allowed right after a previous match.
      if (m.start === prevMatchEnd) accept = false;
      const w = runeWidthAt(s, pos);
      pos += w > 0 ? w : 1;
    } else {
      pos = m.end;
    }
    prevMatchEnd = m.end;
    if (accept) out.push(m);
  }
  return out;
}

const letterOrDigit = lazyRegExp(String.raw`[\p{L}\p{Nd}]`, "u");

function isNameChar(cp: number): boolean {
  return cp === 0x5f || letterOrDigit().test(String.fromCodePoint(cp));
}

/** Go's Regexp.Expand for a string template: $1, ${1}, $name, ${name}, $$. */
export function expandTemplate(re: CompiledRegex, template: string, m: RegexMatch): string {
  let out = "";
  let t = template;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    // Extract a name: letters, digits and underscores, optionally in braces.
    let j = 0;
    const brace = t.startsWith("{");
    if (brace) j = 1;
    const nameStart = j;
    while (j < t.length) {
      const cp = t.codePointAt(j) as number;
      if (!isNameChar(cp)) break;
      j += cp > 0xffff ? 2 : 1;
    }
    const name = t.slice(nameStart, j);
    if (name === "" || (brace && t[j] !== "}")) {
      out += "$"; // malformed: the $ is literal text
      continue;
    }
    if (brace) j++;
    t = t.slice(j);
    let num = -1;
    if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === "0") && name.length <= 9) {
      num = Number(name);
    }
    if (num >= 0) {
      const g = m.groups[num];
      if (num <= re.numSubexp && g !== undefined) out += g;
    } else {
      for (let k = 1; k < re.subexpNames.length; k++) {
        if (re.subexpNames[k] === name && m.groups[k] !== undefined) {
          out += m.groups[k];
          break;
        }
      }
    }
  }
  return out + t;
}

/** Go's Regexp.ReplaceAllString: every match replaced by the expanded template. */
export function replaceAll(re: CompiledRegex, src: string, template: string): string {
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(re, src, searchPos);
    if (m === undefined) break;
    out += src.slice(lastMatchEnd, m.start);
    // No replacement for an empty match right after a previous match.
    if (m.end > lastMatchEnd || m.start === 0) out += expandTemplate(re, template, m);
    lastMatchEnd = m.end;
    const w = runeWidthAt(src, searchPos);
    if (searchPos + w > m.end) searchPos += w;
    else if (searchPos + 1 > m.end) searchPos++;
    else searchPos = m.end;
  }
  return out + src.slice(lastMatchEnd);
}
