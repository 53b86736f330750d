// Table tests for the string functions. Expected values were pinned against
// `packer console` (1.6.6) where it has the function (regex_replace included);
// regex, regexall, startswith, endswith and strcontains follow current Packer
// docs. Values are built the way HCL literals are: [..] is a tuple, {..} an
// object, numbers are parsed at 512-bit precision.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import {
  floatText,
  formatGoInteger,
  goJsonQuote,
  goQuoteRune,
  graphemeCount,
} from "../../../src/hcl/functions/gofmt.js";
import {
  compileRegex,
  findAll,
  replaceAll,
  translateRegex,
} from "../../../src/hcl/functions/regex.js";
import { stringFunctions } from "../../../src/hcl/functions/string.js";

const S = (s: string): Value => Value.string(s);
const N = (s: string | number): Value => {
  const v = Value.numberFromString(String(s));
  if (v === undefined) throw new Error(`bad number ${s}`);
  return v;
};
const B = (b: boolean): Value => Value.bool(b);
const T = (...vs: Value[]): Value => Value.tuple(vs);
const L = (...vs: Value[]): Value => Value.list(vs);
const O = (rec: Record<string, Value>): Value => Value.object(rec);
const NULL = Value.null(Type.dynamic);
const NULLS = Value.null(Type.string);
const UNK = Value.unknown(Type.string);
const INF = N(1).divide(N(0));
const THIRD = N(1).divide(N(3));
const BIG = N("123456789012345678901234567890");

type Want = Value | string | { error: string; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = stringFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (typeof want === "string") want = S(want);
  if (want instanceof Value) {
    const got = f.call(args);
    assert.ok(got.rawEquals(want), `${fn}: got ${got}, want ${want}`);
    return;
  }
  const w = want;
  assert.throws(
    () => f.call(args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `${fn}: not a FunctionError: ${e}`);
      assert.equal(e.message, w.error);
      if (w.arg !== undefined) {
        assert.ok(e instanceof ArgError, `${fn}: expected an ArgError`);
        assert.equal(e.argIndex, w.arg);
      }
      return true;
    },
  );
}

const fmt = (spec: string, ...args: Value[]): Value[] => [S(spec), ...args];
const unsupported = (verb: string, off: number, msg: string) => ({
  error: `unsupported value for "${verb}" at ${off}: ${msg}`,
});

const formatCases: Case[] = [
  ["format", fmt(""), ""],
  ["format", fmt("100%% sure"), "100% sure"],
  ["format", fmt("Hello, %s!", S("Ander")), "Hello, Ander!"],
  ["format", fmt("There are %d lights", N(4)), "There are 4 lights"],
  // floats: Go's big.Float formatting and rounding of the exact binary value
  ["format", fmt("%05.1f", N("3.14159")), "003.1"],
  ["format", fmt("%.f", N("2.5")), "2"],
  ["format", fmt("%.f", N("3.5")), "4"],
  ["format", fmt("%5.f|", N("2.5")), "    2|"],
  ["format", fmt("%.1f %.1f %.1f", N("0.35"), N("0.45"), N("0.25")), "0.3 0.4 0.2"],
  ["format", fmt("%.2f %.2f", N("1.005"), N("2.675")), "1.00 2.67"],
  ["format", fmt("%.0f %.0f", N("0.5"), N("1.5")), "0 2"],
  ["format", fmt("%08.3f", N("-3.14159")), "-003.142"],
  ["format", fmt("%-08.3f|", N("3.14159")), "3.142   |"],
  ["format", fmt("%f things", N(10)), "10.000000 things"],
  ["format", fmt("%+f % f", N(10), N(-10)), "+10.000000 -10.000000"],
  ["format", fmt("%f", S("1.5")), "1.500000"],
  ["format", fmt("%f", THIRD), "0.333333"],
  ["format", fmt("%.30f", THIRD), "0.333333333333333333333333333333"],
  ["format", fmt("%.3f", N("1e-10")), "0.000"],
  ["format", fmt("%f", BIG), "123456789012345678901234567890.000000"],
  ["format", fmt("%e", N(0)), "0.000000e+00"],
  ["format", fmt("%e", BIG), "1.234568e+29"],
  ["format", fmt("%e", N("1e-300")), "1.000000e-300"],
  ["format", fmt("%+.2e", N(12345)), "+1.23e+04"],
  ["format", fmt("%10.3e|", N(12345)), " 1.234e+04|"],
  ["format", fmt("%.0e %.0e", N(15), N(25)), "2e+01 2e+01"],
  ["format", fmt("%E", N("1.5")), "1.500000E+00"],
  ["format", fmt("%#e %#g %#f", N(1), N(1), N(1)), "1.000000e+00 1 1.000000"],
  ["format", fmt("%g", N(100000000)), "1e+08"],
  ["format", fmt("%g %g", N("1e21"), N("0.0001")), "1e+21 0.0001"],
  ["format", fmt("%g", N("0.00001")), "1e-05"],
  ["format", fmt("%.3g", N("1234.5678")), "1.23e+03"],
  ["format", fmt("%.2g", N("0.0001234")), "0.00012"],
  ["format", fmt("%.20g", N("0.1")), "0.1"],
  ["format", fmt("%g", BIG), "1.2345678901234567890123456789e+29"],
  ["format", fmt("%G", N("1e-10")), "1E-10"],
  ["format", fmt("%g", INF), "+Inf"],
  ["format", fmt("%08.2f|", INF), "    +Inf|"],
  ["format", fmt("%+f %f", INF, INF.negate()), "+Inf -Inf"],
  // integers: big.Int formatting
  ["format", fmt("%x %X %o %b", N(-255), N(3735928559), N(-8), N(-5)), "-ff DEADBEEF -10 -101"],
  ["format", fmt("%#x %#o %#b %#X %#d", N(255), N(8), N(5), N(255), N(5)), "0xff 010 0b101 0XFF 5"],
  ["format", fmt("%+08d|%-08d|% 5d", N(42), N(42), N(42)), "+0000042|42      |   42"],
  ["format", fmt("%.3d|%8.3d|%08.3d|%.3x", N(5), N(5), N(5), N(5)), "005|     005|     005|005"],
  ["format", fmt("%+x|% x|%-+5d|% +d", N(5), N(5), N(3), N(3)), "+5| 5|+3   |+3"],
  ["format", fmt("%x|%.0d|%5.0d|%#.0o|%o|%#o", N(0), N(0), N(0), N(0), N(0), N(0)), "0||||0|00"],
  ["format", fmt("%d", S("12")), "12"],
  ["format", fmt("%b", N("5.0")), "101"],
  ["format", fmt("%d", BIG), "123456789012345678901234567890"],
  ["format", fmt("%d", N("1.5")), unsupported("%d", 0, "an integer is required")],
  ["format", fmt("%d", INF), unsupported("%d", 0, "an integer is required")],
  ["format", fmt("%d", S("x")), unsupported("%d", 0, "a number is required")],
  ["format", fmt("%x", S("ff")), unsupported("%x", 0, "a number is required")],
  ["format", fmt("%d", B(true)), unsupported("%d", 0, "number required")],
  // %v and %#v
  ["format", fmt("%v %v %v", N(1234567), N(123456), N("0.0001")), "1.234567e+06 123456 0.0001"],
  ["format", fmt("%v %v %v", N("0.00001"), N("1e100"), N("0.1")), "1e-05 1e+100 0.1"],
  ["format", fmt("%v", THIRD), `0.${"3".repeat(154)}5`],
  ["format", fmt("%v", BIG), "1.2345678901234567890123456789e+29"],
  ["format", fmt("%v|%v", INF.negate(), B(true)), "-Inf|true"],
  ["format", fmt("%.3v|%5.1v|%.2v", N("3.14159"), N("3.14159"), S("abc")), "3.14159|3.14159|abc"],
  ["format", fmt("%+v|% v|%05v|%05v", N(1), N(1), N(1), S("a")), "1|1|00001|0000a"],
  ["format", fmt("%5v|", T(N(1))), "  [1]|"],
  ["format", fmt("%10.4v|", S("abcdef")), "    abcdef|"],
  ["format", fmt("%v", T(N(1), S("a"), B(true), NULL)), '[1,"a",true,null]'],
  ["format", fmt("%v", O({ a: N(1), b: T(N(2)) })), '{"a":1,"b":[2]}'],
  ["format", fmt("%v", O({ b: N(1), a: T(B(true), NULL) })), '{"a":[true,null],"b":1}'],
  ["format", fmt("%v|%#v", NULL, NULL), "null|null"],
  ["format", fmt("%#v|%#v|%#v", S("hello"), N(1234567), B(true)), '"hello"|1234567|true'],
  ["format", fmt("%#v", S('a"b<>&')), '"a\\"b\\u003c\\u003e\\u0026"'],
  ["format", fmt("%v", S("x\u2028")), "x\u2028"],
  ["format", fmt("%v", S("")), ""],
  ["format", fmt("%#v", T(N(1234567), N("0.1"), N("1e100"))), `[1234567,0.1,1${"0".repeat(100)}]`],
  ["format", fmt("tuple with unknown %v", T(UNK)), UNK],
  // strings, %q, %t
  ["format", fmt("%s|%s|%s", B(true), N("12.50"), S("%d")), "true|12.5|%d"],
  ["format", fmt("%10s|%-10s|", S("hello"), S("hello")), "     hello|hello     |"],
  ["format", fmt("%05s|%-05s|%08s|", S("ab"), S("ab"), S("ab")), "000ab|ab000|000000ab|"],
  [
    "format",
    fmt("%.2s|%.0s|%4.2s|%.2s", S("hello"), S("abc"), S("hello"), N(12345)),
    "he|abc|  he|12",
  ],
  ["format", fmt("%5.2s|", S("日本語")), "   日本|"],
  ["format", fmt("%4s|%-4s|", S("💃🏿"), S("💃🏿")), "   💃🏿|💃🏿   |"],
  ["format", fmt("%+s|%#s|%#q", S("ab"), S("a"), S("a")), 'ab|a|"a"'],
  ["format", fmt("%q", S("Hello\nWorld")), '"Hello\\nWorld"'],
  ["format", fmt("%q", S("a<>&\u2028")), '"a\\u003c\\u003e\\u0026\\u2028"'],
  ["format", fmt("%q", S("\t\u0001\u007f\u00ff")), '"\\t\\u0001\u007f\u00ff"'],
  ["format", fmt("%.2q|%6.2q|%-6q|", S("hello"), S("hello"), S("é")), '"he"|  "he"|"é"   |'],
  ["format", fmt("%q", B(false)), '"false"'],
  ["format", fmt("%t|%5t|%t", B(false), B(true), S("false")), "false|true|false"],
  ["format", fmt("%t", S("yes")), unsupported("%t", 0, "a bool is required")],
  ["format", fmt("%t", N(1)), unsupported("%t", 0, "bool required")],
  ["format", fmt("%s", T(N(1))), unsupported("%s", 0, "string required")],
  ["format", fmt("%s", NULLS), unsupported("%s", 0, "null value cannot be formatted")],
  ["format", fmt("%t", NULL), unsupported("%t", 0, "null value cannot be formatted")],
  // argument indexes
  ["format", fmt("%[2]s %s", S("a"), S("b"), S("c")), "b c"],
  ["format", fmt("%[2]s %[1]s", S("a"), S("b")), "b a"],
  ["format", fmt("%[3]s", S("a"), S("b"), S("c")), "c"],
  ["format", fmt("%v %[1]v %v", N(1), N(2)), "1 1 2"],
  ["format", fmt("%[1]v %[1]v", N(1)), "1 1"],
  [
    "format",
    fmt("%[2]v %v", N(1), N(2)),
    { error: 'not enough arguments for "%v" at 6: need index 3 but have 2 total' },
  ],
  [
    "format",
    fmt("%d %d", N(1)),
    { error: 'not enough arguments for "%d" at 3: need index 2 but have 1 total' },
  ],
  [
    "format",
    fmt("%[3]s is not here", B(true), B(true)),
    { error: 'not enough arguments for "%[3]s" at 0: need index 3 but have 2 total' },
  ],
  // scanner errors
  ["format", fmt("%"), { error: "invalid format string starting at offset 1" }],
  ["format", fmt("abc%"), { error: "invalid format string starting at offset 4" }],
  ["format", fmt("%5"), { error: "invalid format string starting at offset 2" }],
  ["format", fmt("%[1"), { error: "invalid format string starting at offset 3" }],
  ["format", fmt("日%"), { error: "invalid format string starting at offset 4" }],
  ["format", fmt("%[0]s", N(1)), { error: "unrecognized format character '0' at offset 2" }],
  ["format", fmt("%*d", N(3), N(2)), { error: "unrecognized format character '*' at offset 1" }],
  ["format", fmt("%5%|"), { error: "unrecognized format character '%' at offset 2" }],
  ["format", fmt("%[1]%|", N(1)), { error: "unrecognized format character '%' at offset 4" }],
  ["format", fmt("%☠", N(1)), { error: "unrecognized format character '☠' at offset 1" }],
  ["format", fmt("%\n", N(1)), { error: "unrecognized format character '\\n' at offset 1" }],
  ["format", fmt("%c", N(65)), { error: `unsupported format verb 'c' in "%c" at offset 0` }],
  ["format", fmt("日%z", N(1)), { error: `unsupported format verb 'z' in "%z" at offset 3` }],
  ["format", fmt("%012z", N(1)), { error: `unsupported format verb 'z' in "%012z" at offset 0` }],
  [
    "format",
    fmt("no verbs", N(1)),
    { error: "too many arguments; no verbs in format string", arg: 1 },
  ],
  [
    "format",
    fmt("%s", S("a"), S("b")),
    { error: "too many arguments; only 1 used by format string", arg: 2 },
  ],
  // unknowns
  ["format", fmt("Hello, %s!", UNK), UNK],
  ["format", [UNK, N(1)], UNK],
  ["format", [Value.null(Type.string)], { error: "argument must not be null", arg: 0 }],
];

const formatlistCases: Case[] = [
  ["formatlist", fmt("%s-%d", T(S("a"), S("b")), T(N(1), N(2))), L(S("a-1"), S("b-2"))],
  ["formatlist", fmt("%s %s", T(S("a"), S("b")), S("x")), L(S("a x"), S("b x"))],
  ["formatlist", fmt("%s %s", S("x"), L(S("a"), S("b"))), L(S("x a"), S("x b"))],
  ["formatlist", fmt("%s", T()), Value.listEmpty(Type.string)],
  ["formatlist", fmt("%v", Value.null(Type.list(Type.string))), L(S("null"))],
  ["formatlist", fmt("hello"), L(S("hello"))],
  ["formatlist", fmt("%v", L(UNK, S("b"))), L(UNK, S("b"))],
  [
    "formatlist",
    fmt("%v", Value.unknown(Type.list(Type.string))),
    Value.unknown(Type.list(Type.string)),
  ],
  [
    "formatlist",
    fmt("%s %s", T(S("a"), S("b")), T(S("x"))),
    { error: "argument 2 has length 1, which is inconsistent with argument 1 of length 2", arg: 2 },
  ],
  [
    "formatlist",
    fmt("%s", O({})),
    { error: 'error on format iteration 0: unsupported value for "%s" at 0: string required' },
  ],
  [
    "formatlist",
    fmt("%d", T(S("x"))),
    { error: 'error on format iteration 0: unsupported value for "%d" at 0: a number is required' },
  ],
  [
    "formatlist",
    fmt("%s", S("a"), S("b")),
    { error: "error on format iteration 0: too many arguments; only 1 used by format string" },
  ],
  [
    "formatlist",
    fmt("%s"),
    { error: 'not enough arguments for "%s" at 0: need index 1 but have 0 total' },
  ],
];

const stringCases: Case[] = [
  // case mapping (Go's per-rune simple mappings)
  ["upper", [S("hello")], "HELLO"],
  ["upper", [S("straße ǆ ﬁ")], "STRAßE Ǆ ﬁ"],
  ["upper", [N(1)], "1"],
  ["upper", [NULLS], { error: "argument must not be null", arg: 0 }],
  ["lower", [S("İSTANBUL ΣΑΣ Ǆ")], "istanbul σασ ǆ"],
  ["title", [S("hello wOrld-foo_bar élan 3rd o'neil")], "Hello WOrld-Foo_bar Élan 3rd O'Neil"],
  ["title", [S("ǆemal x")], "ǅemal X"],
  // whitespace and trimming
  ["chomp", [S("a\r\n\n\r")], "a"],
  ["chomp", [S("a\n\rb\n")], "a\n\rb"],
  ["chomp", [S("hello")], "hello"],
  ["trimspace", [S("\u00a0\u0085 a \ufeff")], "a \ufeff"],
  ["trimspace", [S("\t\n hello \r\n")], "hello"],
  ["trim", [S("xxhixyx"), S("xy")], "hi"],
  ["trim", [S("日本日"), S("日")], "本"],
  ["trim", [S("?!hello?!"), S("!?")], "hello"],
  ["trimprefix", [S("helloworld"), S("hello")], "world"],
  ["trimprefix", [S("helloworld"), S("world")], "helloworld"],
  ["trimsuffix", [S("helloworld"), S("world")], "hello"],
  ["trimsuffix", [S("helloworld"), S("")], "helloworld"],
  // indent
  ["indent", [N(2), S("a\nb\n")], "a\n  b\n  "],
  [
    "indent",
    [N("1.5"), S("a\nb")],
    { error: "value must be a whole number, between -9223372036854775808 and 9223372036854775807" },
  ],
  ["indent", [N(-1), S("a\nb")], { error: "the number of spaces must not be negative" }],
  // join
  ["join", [S(","), T(S("a"), S("b"))], "a,b"],
  ["join", [S("-"), T(S("a")), T(S("b"), S("c"))], "a-b-c"],
  ["join", [S(","), T()], ""],
  ["join", [S(","), T(N(1), B(true))], "1,true"],
  ["join", [S(","), L(S("a"), UNK)], UNK],
  ["join", [S(",")], { error: "at least one list is required" }],
  [
    "join",
    [S(","), T(S("a"), NULL)],
    { error: "element 1 is null; cannot concatenate null values", arg: 1 },
  ],
  [
    "join",
    [S(","), T(S("a")), T(S("b"), NULL)],
    { error: "element 1 of list 2 is null; cannot concatenate null values", arg: 2 },
  ],
  // split
  ["split", [S(","), S("a,,b")], L(S("a"), S(""), S("b"))],
  ["split", [S(","), S("")], L(S(""))],
  ["split", [S(""), S("abc")], L(S("a"), S("b"), S("c"))],
  ["split", [S(""), S("")], Value.listEmpty(Type.string)],
  // replace is a plain substring replacement in Packer (no /regex/ form)
  ["replace", [S("1 + 2 + 3"), S("+"), S("-")], "1 - 2 - 3"],
  ["replace", [S("aaa"), S("aa"), S("b")], "ba"],
  ["replace", [S("aaa"), S("a"), S("$1")], "$1$1$1"],
  ["replace", [S("abc"), S(""), S("-")], "-a-b-c-"],
  ["replace", [S("hello world"), S("/w.r/"), S("X")], "hello world"],
  ["replace", [S("/usr/local"), S("/usr/"), S("/opt/")], "/opt/local"],
  // strrev / substr (grapheme clusters)
  ["strrev", [S("héllo")], "olléh"],
  ["strrev", [S("e\u0301x")], "xé"],
  ["strrev", [S("👍🏽a🇺🇸")], "🇺🇸a👍🏽"],
  ["substr", [S("hello"), N(-3), N(2)], "ll"],
  ["substr", [S("hello"), N(1), N(-1)], "ello"],
  ["substr", [S("hello"), N(10), N(2)], ""],
  ["substr", [S("hello"), N(-10), N(2)], "he"],
  ["substr", [S("hello"), N(0), N(0)], ""],
  ["substr", [S("hello"), N(0), N(-2)], "hello"],
  ["substr", [S("héllo"), N(1), N(2)], "él"],
  ["substr", [S(""), N(0), N(1)], ""],
  [
    "substr",
    [S("hello"), N("1.5"), N(2)],
    { error: "value must be a whole number, between -9223372036854775808 and 9223372036854775807" },
  ],
  // predicates
  ["strcontains", [S("hello world"), S("wor")], B(true)],
  ["strcontains", [S("hello world"), S("wod")], B(false)],
  ["startswith", [S("hello world"), S("hello")], B(true)],
  ["startswith", [S("hello world"), S("world")], B(false)],
  ["startswith", [UNK, S("")], B(true)],
  ["startswith", [UNK, S("x")], Value.unknown(Type.bool)],
  ["endswith", [S("hello world"), S("world")], B(true)],
  ["endswith", [S("hello world"), S("hello")], B(false)],
];

const regexCases: Case[] = [
  ["regex", [S("[a-z]+"), S("53453453.someword.12312")], "someword"],
  [
    "regex",
    [S("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), S("2019-02-01")],
    T(S("2019"), S("02"), S("01")),
  ],
  [
    "regex",
    [S("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"), S("https://example.com")],
    O({ scheme: S("https"), authority: S("example.com") }),
  ],
  ["regex", [S("(x)(y)?"), S("xz")], T(S("x"), NULLS)],
  ["regex", [S("(?P<a>x)(?P<b>y)?"), S("xz")], O({ a: S("x"), b: NULLS })],
  ["regex", [S("(?<n>a)"), S("a")], O({ n: S("a") })],
  ["regex", [S("(?i)ABC"), S("xabcx")], "abc"],
  ["regex", [S("a(?i:b)c"), S("aBc")], "aBc"],
  ["regex", [S("(?s).+"), S("a\nb")], "a\nb"],
  ["regex", [S(".+"), S("a\nb")], "a"],
  ["regex", [S(".+"), S("a\rb")], "a\rb"],
  ["regex", [S("(?m)^b$"), S("a\nb\nc")], "b"],
  ["regex", [S("\\pL+"), S("12日本x1")], "日本x"],
  ["regex", [S("\\p{Greek}+"), S("abαβγ")], "αβγ"],
  ["regex", [S("[[:alpha:]]+"), S("12ab3")], "ab"],
  ["regex", [S("[[:^alpha:]]+"), S("ab12c")], "12"],
  ["regex", [S("\\Qa.b\\E"), S("xa.by")], "a.b"],
  ["regex", [S("\\x{65e5}"), S("日x")], "日"],
  ["regex", [S("(?U)a+"), S("aaa")], "a"],
  ["regex", [S("[]a]+"), S("]a]b")], "]a]"],
  ["regex", [S("a{,2}"), S("a{,2}")], "a{,2}"],
  ["regex", [S("\\s+"), S("a\u00a0\t b")], "\t "],
  ["regex", [S("\\w+"), S("é_ab")], "_ab"],
  ["regex", [S("(?i)k"), S("\u212a")], "\u212a"],
  ["regex", [S("x"), S("y")], { error: "pattern did not match any part of the given string" }],
  [
    "regex",
    [S("(?P<a>x)(y)"), S("xy")],
    { error: "invalid regexp pattern: cannot mix both named and unnamed capture groups", arg: 0 },
  ],
  ["regex", [S("["), S("x")], { error: "invalid regexp pattern: missing closing ] in [", arg: 0 }],
  [
    "regex",
    [S("a(?=b)"), S("ab")],
    { error: "invalid regexp pattern: invalid or unsupported Perl syntax in (?=", arg: 0 },
  ],
  [
    "regex",
    [S("\\1"), S("a")],
    { error: "invalid regexp pattern: invalid escape sequence in \\1", arg: 0 },
  ],
  ["regex", [UNK, S("a")], Value.dynamic],
  ["regex", [S("(a)"), UNK], Value.unknown(Type.tuple([Type.string]))],
  [
    "regexall",
    [S("(a)(b)?"), S("abab a")],
    L(T(S("a"), S("b")), T(S("a"), S("b")), T(S("a"), NULLS)),
  ],
  ["regexall", [S("[a-z]+"), S("1234abcd5678efgh9")], L(S("abcd"), S("efgh"))],
  ["regexall", [S("a*"), S("baaac")], L(S(""), S("aaa"), S(""))],
  ["regexall", [S("(?P<x>a)"), S("aa")], L(O({ x: S("a") }), O({ x: S("a") }))],
  ["regexall", [S("[a-z]+"), S("1234")], Value.listEmpty(Type.string)],
  ["regexall", [UNK, S("a")], Value.unknown(Type.list(Type.dynamic))],
  // regex_replace: Go's ReplaceAllString (pinned against packer 1.6.6)
  ["regex_replace", [S("hello world"), S("o"), S("0")], "hell0 w0rld"],
  ["regex_replace", [S("-ab-axxb-"), S("a(x*)b"), S("$1W")], "---"],
  ["regex_replace", [S("-ab-axxb-"), S("a(x*)b"), S(`\${1}W`)], "-W-xxW-"],
  ["regex_replace", [S("abc"), S("(?P<x>b)"), S("[$x]")], "a[b]c"],
  ["regex_replace", [S("abc"), S("(?P<first>a)"), S(`$first1|\${first}1`)], "|a1bc"],
  ["regex_replace", [S("baaac"), S("a*"), S("x")], "xbxcx"],
  ["regex_replace", [S("abc"), S(""), S("-")], "-a-b-c-"],
  ["regex_replace", [S("héllo"), S(""), S("-")], "-h-é-l-l-o-"],
  ["regex_replace", [S("abc"), S("b"), S("$$ $")], "a$ $c"],
  ["regex_replace", [S("abc"), S("(a)|b"), S("[$1]")], "[a][]c"],
  ["regex_replace", [S("aaa"), S("a*?"), S("x")], "xaxaxax"],
  ["regex_replace", [S("abAB"), S("a(?i)b"), S("x")], "xAB"],
  ["regex_replace", [S("abAB"), S("(?i)a(?-i)b"), S("x")], "xAB"],
  ["regex_replace", [S("x\ny"), S("(?m)^"), S(">")], ">x\n>y"],
  ["regex_replace", [S("x\ny\n"), S("(?m)$"), S("<")], "x<\ny<\n<"],
  ["regex_replace", [S("x\ny\n"), S("$"), S("<")], "x\ny\n<"],
  ["regex_replace", [S("k\u212aK"), S("(?i)k"), S("x")], "xxx"],
  ["regex_replace", [S("ſs"), S("(?i)S"), S("x")], "xx"],
  ["regex_replace", [S("a"), S("a(?i)*"), S("x")], "x"],
  [
    "regex_replace",
    [S("abc"), S("["), S("-")],
    { error: "error parsing regexp: missing closing ]: `[`" },
  ],
];

/** RE2 syntax errors, pinned against Go (via packer's regex_replace). */
const syntaxErrors: [string, string][] = [
  ["[", "missing closing ]: `[`"],
  ["[a", "missing closing ]: `[a`"],
  ["(", "missing closing ): `(`"],
  ["(a|b", "missing closing ): `(a|b`"],
  [")", "unexpected ): `)`"],
  ["a|b)", "unexpected ): `a|b)`"],
  ["a(?=b)", "invalid or unsupported Perl syntax: `(?=`"],
  ["(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`"],
  ["(?x)a", "invalid or unsupported Perl syntax: `(?x`"],
  ["a{1001}", "invalid repeat count: `{1001}`"],
  ["x{2,1}", "invalid repeat count: `{2,1}`"],
  ["((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "invalid repeat count: `{2}`"],
  ["a**", "invalid nested repetition operator: `**`"],
  ["x{2}{3}", "invalid nested repetition operator: `{2}{3}`"],
  ["a|*", "missing argument to repetition operator: `*`"],
  ["\\Q\\E*", "missing argument to repetition operator: `*`"],
  ["\\1", "invalid escape sequence: `\\1`"],
  ["\\8", "invalid escape sequence: `\\8`"],
  ["\\C", "invalid escape sequence: `\\C`"],
  ["\\xZZ", "invalid escape sequence: `\\xZZ`"],
  ["\\x{zz}", "invalid escape sequence: `\\x{z`"],
  ["[a-\\d]", "invalid escape sequence: `\\d`"],
  ["a\\", "trailing backslash at end of expression: ``"],
  ["(?P<>a)", "invalid named capture: `(?P<>`"],
  ["(?P<x y>a)", "invalid named capture: `(?P<x y>`"],
  ["[z-a]", "invalid character class range: `z-a`"],
  ["[[:foo:]]", "invalid character class range: `[:foo:]`"],
  ["\\p{Foo}", "invalid character class range: `\\p{Foo}`"],
];

describe("format", () => {
  for (const c of formatCases) it(JSON.stringify(c[1].map(String)), () => check(c));
});

describe("formatlist", () => {
  for (const c of formatlistCases) it(JSON.stringify(c[1].map(String)), () => check(c));
});

describe("string functions", () => {
  for (const c of stringCases) it(`${c[0]}(${c[1].map(String).join(", ")})`, () => check(c));
});

describe("regex functions", () => {
  for (const c of regexCases) it(`${c[0]}(${c[1].map(String).join(", ")})`, () => check(c));
});

describe("RE2 translation", () => {
  for (const [pattern, msg] of syntaxErrors) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      assert.throws(() => compileRegex(pattern), { message: `error parsing regexp: ${msg}` });
    });
  }
  it("keeps Go's group numbering and names", () => {
    const re = compileRegex("(?P<n>a)(b)(?<m>c)(?:d)");
    assert.equal(re.numSubexp, 3);
    assert.deepEqual(re.subexpNames, ["", "n", "", "m"]);
  });
  it("emits ASCII-only perl classes and explicit dot", () => {
    assert.equal(translateRegex("\\d.\\b"), "[0-9][^\\n]\\b");
    assert.equal(translateRegex("(?s)."), "[^]");
  });
  it("iterates matches like Go (no empty match right after a match)", () => {
    const re = compileRegex("a*");
    assert.deepEqual(
      findAll(re, "baaac").map((m) => [m.start, m.end]),
      [
        [0, 0],
        [1, 4],
        [5, 5],
      ],
    );
    assert.equal(replaceAll(compileRegex("x*"), "😀", "-"), "-😀-");
  });
});

describe("Go formatting helpers", () => {
  it("floatText follows big.Float Text", () => {
    assert.equal(floatText(N("1234567").asBigNum(), "g", -1), "1.234567e+06");
    assert.equal(floatText(N("0.45").asBigNum(), "f", 1), "0.4");
    assert.equal(floatText(N("-0.006").asBigNum(), "f", 2), "-0.01");
    assert.equal(floatText(N("9.96").asBigNum(), "e", 1), "1.0e+01");
    assert.equal(floatText(N(0).asBigNum(), "g", 3), "0");
  });
  it("formatGoInteger follows big.Int Format", () => {
    const v = {
      raw: "%#-8x",
      offset: 0,
      argNum: 1,
      mode: "x",
      zero: false,
      sharp: true,
      plus: false,
      minus: true,
      space: false,
      width: 8,
      prec: -1,
    };
    assert.equal(formatGoInteger(255n, v), "0xff    ");
  });
  it("quotes like Go", () => {
    assert.equal(goQuoteRune(0x263a), "'☺'");
    assert.equal(goQuoteRune(0), "'\\x00'");
    assert.equal(goQuoteRune(0xa0), "'\\u00a0'");
    assert.equal(goJsonQuote("\b\f<é>\ud800"), '"\\b\\f\\u003cé\\u003e\\ufffd"');
  });
  it("counts grapheme clusters", () => {
    assert.equal(graphemeCount("👍🏽👍🇺🇸🇫🇷"), 4);
    assert.equal(graphemeCount("e\u0301x"), 2);
    assert.equal(graphemeCount("a\r\nb"), 3);
  });
});
