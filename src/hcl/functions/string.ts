// String functions: chomp endswith format formatlist indent join lower
// regex regex_replace regexall replace split startswith strcontains strrev
// substr title trim trimprefix trimspace trimsuffix upper.

import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { formatValues, graphemes } from "./gofmt.js";
import { lazyRegExp } from "./lazy.js";
import { intToNumber, requireGoInt } from "./numeric.js";
import {
  type CompiledRegex,
  compileRegex,
  findAll,
  findFirst,
  type RegexMatch,
  RegexSyntaxError,
  replaceAll,
} from "./regex.js";

// ---------------------------------------------------------------------------
// Go unicode helpers

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Map each code point with a simple (one code point to one) case mapping. */
function mapSimpleCase(
  s: string,
  f: (ch: string) => string,
  special: (cp: number) => number | undefined,
): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const sp = special(cp);
    if (sp !== undefined) {
      out += String.fromCodePoint(sp);
      continue;
    }
    const m = f(ch);
    const mcp = m.codePointAt(0) as number;
    out += m.length === (mcp > 0xffff ? 2 : 1) ? m : ch;
  }
  return out;
}

/** Go's strings.ToUpper (per-rune simple case mapping). */
export function goToUpper(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  return mapSimpleCase(
    s,
    (ch) => ch.toUpperCase(),
    () => undefined,
  );
}

/** Go's strings.ToLower (per-rune simple case mapping). */
export function goToLower(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  return mapSimpleCase(
    s,
    (ch) => ch.toLowerCase(),
    (cp) => (cp === 0x130 ? 0x69 : undefined),
  );
}

// Title case differs from upper case only for these digraphs.
const TITLE_SPECIAL: Record<number, number> = {
  452: 0x1c5,
  453: 0x1c5,
  454: 0x1c5,
  455: 0x1c8,
  456: 0x1c8,
  457: 0x1c8,
  458: 0x1cb,
  459: 0x1cb,
  460: 0x1cb,
  497: 0x1f2,
  498: 0x1f2,
  499: 0x1f2,
};

function goToTitleRune(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  const sp = TITLE_SPECIAL[cp];
  if (sp !== undefined) return String.fromCodePoint(sp);
  return mapSimpleCase(
    ch,
    (c) => c.toUpperCase(),
    () => undefined,
  );
}

const SPACE_CPS = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Go's unicode.IsSpace. */
function isGoSpace(cp: number): boolean {
  return SPACE_CPS.has(cp);
}

const letterOrDigit = lazyRegExp(String.raw`^[\p{L}\p{Nd}]$`, "u");

function isTitleSeparator(cp: number): boolean {
  if (cp <= 0x7f) {
    if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) {
      return false;
    }
    return cp !== 0x5f;
  }
  if (letterOrDigit().test(String.fromCodePoint(cp))) return false;
  return isGoSpace(cp);
}

/** Go's strings.Title: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prev = 0x20;
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    out += isTitleSeparator(prev) ? goToTitleRune(ch) : ch;
    prev = cp;
  }
  return out;
}

/** Go's strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && isGoSpace((cps[a] as string).codePointAt(0) as number)) a++;
  while (b > a && isGoSpace((cps[b - 1] as string).codePointAt(0) as number)) b--;
  return cps.slice(a, b).join("");
}

/** Go's strings.Trim: strip leading and trailing code points found in cutset. */
export function goTrim(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  const cut = new Set(Array.from(cutset));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && cut.has(cps[a] as string)) a++;
  while (b > a && cut.has(cps[b - 1] as string)) b--;
  return cps.slice(a, b).join("");
}

/** Go's strings.Replace(s, old, new, -1). */
export function goReplaceAll(s: string, old: string, rep: string): string {
  if (old === "") {
    // An empty search string matches at the start and after each code point.
    return rep + Array.from(s).join(rep) + (s === "" ? "" : rep);
  }
  return s.split(old).join(rep);
}

/** Go's strings.Split. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === "") return Array.from(s);
  return s.split(sep);
}

function stringList(items: readonly string[]): Value {
  if (items.length === 0) return Value.listEmpty(Type.string);
  return Value.list(items.map((s) => Value.string(s)));
}

// ---------------------------------------------------------------------------
// Simple string functions

function unary(
  description: string,
  f: (s: string) => string,
  allowDynamicType = false,
): FunctionImpl {
  return new FunctionImpl({
    description,
    params: [{ name: "str", type: Type.string, allowDynamicType }],
    type: staticReturnType(Type.string),
    impl: (args) => Value.string(f((args[0] as Value).asString())),
  });
}

function binary(
  description: string,
  second: string,
  f: (s: string, t: string) => Value,
  ret: Type,
): FunctionImpl {
  return new FunctionImpl({
    description,
    params: [
      { name: "str", type: Type.string },
      { name: second, type: Type.string },
    ],
    type: staticReturnType(ret),
    impl: (args) => f((args[0] as Value).asString(), (args[1] as Value).asString()),
  });
}

const upper = unary("Converts all letters in the string to upper case.", goToUpper, true);
const lower = unary("Converts all letters in the string to lower case.", goToLower, true);
const title = unary("Converts the first letter of each word to upper case.", goTitle);
const trimspace = unary("Removes leading and trailing white space.", goTrimSpace);
const chomp = unary("Removes newline characters at the end of a string.", (s) =>
  s.replace(/[\r\n]+$/, ""),
);
const strrev = unary(
  "Reverses the characters (grapheme clusters) of a string.",
  (s) => graphemes(s).reverse().join(""),
  true,
);

const trim = binary(
  "Removes the given characters from the start and end of a string.",
  "cutset",
  (s, c) => Value.string(goTrim(s, c)),
  Type.string,
);
const trimprefix = binary(
  "Removes the given prefix from the start of a string.",
  "prefix",
  (s, p) => Value.string(s.startsWith(p) ? s.slice(p.length) : s),
  Type.string,
);
const trimsuffix = binary(
  "Removes the given suffix from the end of a string.",
  "suffix",
  (s, p) => Value.string(p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s),
  Type.string,
);
const strcontains = binary(
  "Reports whether a string contains the given substring.",
  "substr",
  (s, sub) => Value.bool(s.includes(sub)),
  Type.bool,
);
const endswith = binary(
  "Reports whether a string ends with the given suffix.",
  "suffix",
  (s, suf) => Value.bool(s.endsWith(suf)),
  Type.bool,
);

const startswith = new FunctionImpl({
  description: "Reports whether a string starts with the given prefix.",
  params: [
    { name: "str", type: Type.string, allowUnknown: true },
    { name: "prefix", type: Type.string },
  ],
  type: staticReturnType(Type.bool),
  impl: (args) => {
    const str = args[0] as Value;
    const prefix = (args[1] as Value).asString();
    if (!str.isKnown()) return prefix === "" ? Value.true : Value.unknown(Type.bool);
    return Value.bool(str.asString().startsWith(prefix));
  },
});

const split = new FunctionImpl({
  description: "Splits a string at each occurrence of the separator.",
  params: [
    { name: "separator", type: Type.string },
    { name: "str", type: Type.string },
  ],
  type: staticReturnType(Type.list(Type.string)),
  impl: (args) => stringList(goSplit((args[1] as Value).asString(), (args[0] as Value).asString())),
});

const replace = new FunctionImpl({
  description: "Replaces each occurrence of a substring with a replacement string.",
  params: [
    { name: "str", type: Type.string },
    { name: "substr", type: Type.string },
    { name: "replace", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const [s, sub, rep] = args.map((a) => a.asString()) as [string, string, string];
    return Value.string(goReplaceAll(s, sub, rep));
  },
});

const indent = new FunctionImpl({
  description: "Adds the given number of spaces after each newline of a multi-line string.",
  params: [
    { name: "spaces", type: Type.number },
    { name: "str", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const n = requireGoInt(args[0] as Value);
    if (n < 0n) throw new FunctionError("the number of spaces must not be negative");
    if (n > 1_000_000n) throw new FunctionError("the number of spaces is too large");
    const pad = " ".repeat(Number(n));
    return Value.string((args[1] as Value).asString().split("\n").join(`\n${pad}`));
  },
});

const substr = new FunctionImpl({
  description: "Extracts a substring by offset and length, counted in characters.",
  params: [
    { name: "str", type: Type.string, allowDynamicType: true },
    { name: "offset", type: Type.number, allowDynamicType: true },
    { name: "length", type: Type.number, allowDynamicType: true },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const str = (args[0] as Value).asString();
    let offset = intToNumber(requireGoInt(args[1] as Value));
    const length = intToNumber(requireGoInt(args[2] as Value));
    const chars = graphemes(str);
    if (offset < 0) offset += chars.length;
    if (offset < 0) offset = 0;
    if (offset >= chars.length) return Value.emptyString;
    if (length < 0) return Value.string(chars.slice(offset).join(""));
    return Value.string(chars.slice(offset, offset + length).join(""));
  },
});

const join = new FunctionImpl({
  description: "Concatenates the elements of one or more lists of strings with a separator.",
  params: [{ name: "separator", type: Type.string }],
  varParam: { name: "lists", type: Type.list(Type.string) },
  type: staticReturnType(Type.string),
  impl: (args) => {
    const sep = (args[0] as Value).asString();
    const lists = args.slice(1);
    if (lists.length === 0) throw new FunctionError("at least one list is required");
    for (const l of lists) if (!l.isWhollyKnown()) return Value.unknown(Type.string);
    const items: string[] = [];
    lists.forEach((list, ai) => {
      list.elements().forEach((v, ei) => {
        if (v.isNull()) {
          throw new ArgError(
            ai + 1,
            lists.length > 1
              ? `element ${ei} of list ${ai + 1} is null; cannot concatenate null values`
              : `element ${ei} is null; cannot concatenate null values`,
          );
        }
        items.push(v.asString());
      });
    });
    return Value.string(items.join(sep));
  },
});

// ---------------------------------------------------------------------------
// format / formatlist

const format = new FunctionImpl({
  description: "Formats values according to a printf-style specification string.",
  params: [{ name: "format", type: Type.string }],
  varParam: { name: "args", type: Type.dynamic, allowNull: true, allowUnknown: true },
  type: staticReturnType(Type.string),
  impl: (args) => {
    for (let i = 1; i < args.length; i++) {
      if (!(args[i] as Value).isWhollyKnown()) return Value.unknown(Type.string);
    }
    return Value.string(formatValues((args[0] as Value).asString(), args.slice(1)));
  },
});

const formatlist = new FunctionImpl({
  description: "Formats each element of the given lists, producing a list of strings.",
  params: [{ name: "format", type: Type.string }],
  varParam: { name: "args", type: Type.dynamic, allowNull: true, allowUnknown: true },
  type: staticReturnType(Type.list(Type.string)),
  impl: (args, retType) => {
    const fmt = (args[0] as Value).asString();
    const rest = args.slice(1);
    if (rest.length === 0) return Value.list([Value.string(formatValues(fmt, []))]);
    let iterLen = -1;
    let lenChooser = -1;
    const seqs: (readonly Value[] | undefined)[] = [];
    let unknown = false;
    rest.forEach((arg, i) => {
      const t = arg.type;
      if ((t.isList() || t.isSet() || t.isTuple()) && !arg.isNull()) {
        if (!t.isTuple() && !arg.isKnown()) {
          unknown = true;
          seqs.push(undefined);
          return;
        }
        const n = arg.lengthInt();
        if (iterLen === -1) {
          iterLen = n;
          lenChooser = i;
        } else if (n !== iterLen) {
          throw new ArgError(
            i + 1,
            `argument ${i + 1} has length ${n}, which is inconsistent with argument ${lenChooser + 1} of length ${iterLen}`,
          );
        }
        if (!arg.isKnown()) {
          unknown = true;
          seqs.push(undefined);
          return;
        }
        seqs.push(arg.elements());
        return;
      }
      if (t.isDynamic() && !arg.isKnown()) unknown = true;
      seqs.push(undefined);
    });
    if (unknown) return Value.unknown(retType);
    if (iterLen === 0) return Value.listEmpty(Type.string);
    if (iterLen === -1) iterLen = 1;
    const out: Value[] = [];
    for (let it = 0; it < iterLen; it++) {
      const fmtArgs = rest.map((arg, i) => {
        const s = seqs[i];
        return s === undefined ? arg : (s[it] as Value);
      });
      if (fmtArgs.some((a) => !a.isWhollyKnown())) {
        out.push(Value.unknown(Type.string));
        continue;
      }
      try {
        out.push(Value.string(formatValues(fmt, fmtArgs)));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new FunctionError(`error on format iteration ${it}: ${msg}`);
      }
    }
    return Value.list(out);
  },
});

// ---------------------------------------------------------------------------
// Regular expressions

function compileForFunction(pattern: string): CompiledRegex {
  try {
    return compileRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) {
      throw new ArgError(0, `invalid regexp pattern: ${e.code} in ${e.expr}`);
    }
    throw e;
  }
}

/** cty's regexPatternResultType: string, tuple of strings, or object of strings. */
function regexResultType(pattern: string): Type {
  const re = compileForFunction(pattern);
  const names = re.subexpNames.slice(1);
  const named = names.filter((n) => n !== "");
  const unnamed = names.length - named.length;
  if (names.length === 0) return Type.string;
  if (unnamed > 0 && named.length > 0) {
    throw new ArgError(
      0,
      "invalid regexp pattern: cannot mix both named and unnamed capture groups",
    );
  }
  if (unnamed > 0) return Type.tuple(names.map(() => Type.string));
  const attrs: Record<string, Type> = {};
  for (const n of named) attrs[n] = Type.string;
  return Type.object(attrs);
}

function captureValue(m: RegexMatch, i: number): Value {
  const g = m.groups[i];
  return g === undefined ? Value.null(Type.string) : Value.string(g);
}

function regexResult(re: CompiledRegex, m: RegexMatch, t: Type): Value {
  if (t.isString()) return Value.string(m.groups[0] as string);
  if (t.isTuple()) {
    const vals: Value[] = [];
    for (let i = 1; i <= re.numSubexp; i++) vals.push(captureValue(m, i));
    return Value.tuple(vals);
  }
  const attrs = new Map<string, Value>();
  for (let i = 1; i <= re.numSubexp; i++)
    attrs.set(re.subexpNames[i] as string, captureValue(m, i));
  return Value.object(attrs);
}

const regex = new FunctionImpl({
  description: "Applies a regular expression to a string and returns the matching substrings.",
  params: [
    { name: "pattern", type: Type.string },
    { name: "string", type: Type.string },
  ],
  type: (args) => {
    const p = args[0] as Value;
    if (!p.isKnown()) return Type.dynamic;
    return regexResultType(p.asString());
  },
  impl: (args, retType) => {
    if (retType.isDynamic()) return Value.dynamic;
    const re = compileForFunction((args[0] as Value).asString());
    const m = findFirst(re, (args[1] as Value).asString());
    if (m === undefined)
      throw new FunctionError("pattern did not match any part of the given string");
    return regexResult(re, m, retType);
  },
});

const regexall = new FunctionImpl({
  description: "Applies a regular expression to a string and returns a list of all matches.",
  params: [
    { name: "pattern", type: Type.string },
    { name: "string", type: Type.string },
  ],
  type: (args) => {
    const p = args[0] as Value;
    if (!p.isKnown()) return Type.list(Type.dynamic);
    return Type.list(regexResultType(p.asString()));
  },
  impl: (args, retType) => {
    const ety = retType.elementType();
    if (ety.isDynamic()) return Value.dynamic;
    const re = compileForFunction((args[0] as Value).asString());
    const ms = findAll(re, (args[1] as Value).asString());
    if (ms.length === 0) return Value.listEmpty(ety);
    return Value.list(ms.map((m) => regexResult(re, m, ety)));
  },
});

const regexReplace = new FunctionImpl({
  description: "Replaces each match of a regular expression with a replacement string.",
  params: [
    { name: "str", type: Type.string },
    { name: "substr", type: Type.string },
    { name: "replace", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const [s, pattern, rep] = args.map((a) => a.asString()) as [string, string, string];
    let re: CompiledRegex;
    try {
      re = compileRegex(pattern);
    } catch (e) {
      if (e instanceof RegexSyntaxError) throw new FunctionError(e.message);
      throw e;
    }
    return Value.string(replaceAll(re, s, rep));
  },
});

export const stringFunctions: Record<string, FunctionImpl> = {
  chomp,
  endswith,
  format,
  formatlist,
  indent,
  join,
  lower,
  regex,
  regex_replace: regexReplace,
  regexall,
  replace,
  split,
  startswith,
  strcontains,
  strrev,
  substr,
  title,
  trim,
  trimprefix,
  trimspace,
  trimsuffix,
  upper,
};
