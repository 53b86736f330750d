// Table tests for the encoding functions and env. yamlencode/yamldecode,
// csvdecode, jsonencode, base64 and urlencode results were pinned against
// `packer console` 1.6.6 (where 1.6.6 had a bug since fixed, e.g. yamldecode
// of an empty document, current go-cty-yaml behaviour is expected instead);
// base64gzip and the text*base64 functions, absent from 1.6.6, follow
// current Packer.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { encodingFunctions } from "../../../src/hcl/functions/encoding.js";

const S = (s: string): Value => Value.string(s);
const N = (n: number | string): Value => Value.numberFromString(String(n)) as Value;
const B = (b: boolean): Value => Value.bool(b);
const T = (...vs: Value[]): Value => Value.tuple(vs);
const L = (...vs: Value[]): Value => Value.list(vs);
const O = (rec: Record<string, Value>): Value => Value.object(rec);
const NULL = Value.null(Type.dynamic);

type Want = Value | string | { error: string | RegExp; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = encodingFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (typeof want === "string") {
    assert.equal(f.call(args).asString(), want);
    return;
  }
  if (want instanceof Value) {
    const got = f.call(args);
    assert.ok(got.rawEquals(want), `${fn}: got ${got}, want ${want}`);
    return;
  }
  assert.throws(
    () => f.call(args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `${fn}: not a FunctionError: ${e}`);
      if (typeof want.error === "string") assert.equal(e.message, want.error);
      else assert.match(e.message, want.error);
      if (want.arg !== undefined) {
        assert.ok(e instanceof ArgError, `${fn}: expected an ArgError`);
        assert.equal(e.argIndex, want.arg);
      }
      return true;
    },
  );
}

function run(name: string, cases: Case[]): void {
  describe(name, () => {
    for (const c of cases)
      it(`${c[0]}(${c[1].map((a) => a.toString()).join(", ")})`, () => check(c));
  });
}

const LONG =
  "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt uuuu";

run("yamlencode", [
  [
    "yamlencode",
    [O({ a: N(1), b: S("x"), c: B(true), d: NULL, e: T(N(1), N(2)), f: O({ g: S("h") }) })],
    '"a": 1\n"b": "x"\n"c": true\n"d": null\n"e":\n- 1\n- 2\n"f":\n  "g": "h"\n',
  ],
  ["yamlencode", [S("hello")], '"hello"\n'],
  ["yamlencode", [N(1)], "1\n...\n"],
  ["yamlencode", [N(1.5)], "1.5\n...\n"],
  ["yamlencode", [N("12345678901234567890")], "12345678901234567890\n...\n"],
  ["yamlencode", [N("1e30")], "1000000000000000000000000000000\n...\n"],
  ["yamlencode", [N("1e-20")], "0.00000000000000000001\n...\n"],
  ["yamlencode", [B(true)], "true\n...\n"],
  ["yamlencode", [NULL], "null\n...\n"],
  ["yamlencode", [T()], "[]\n"],
  ["yamlencode", [O({})], "{}\n"],
  ["yamlencode", [S("multi\nline")], "|-\n  multi\n  line\n"],
  ["yamlencode", [S("multi\nline\n")], "|\n  multi\n  line\n"],
  ["yamlencode", [S("multi\nline\n\n")], "|+\n  multi\n  line\n\n"],
  ["yamlencode", [S("\nlead")], "|2-\n\n  lead\n"],
  ["yamlencode", [S("\n\nabc")], "|2-\n\n\n  abc\n"],
  ["yamlencode", [S("  x\ny")], "|2-\n    x\n  y\n"],
  ["yamlencode", [S("a\n b")], "|-\n  a\n   b\n"],
  ["yamlencode", [S("\n")], "|2+\n\n"],
  ["yamlencode", [S("x \ny")], '"x \\ny"\n'],
  ["yamlencode", [S(" \nx")], '" \\nx"\n'],
  ["yamlencode", [S("x\n ")], '"x\\n "\n'],
  ["yamlencode", [S("a\ttab\nb")], '"a\\ttab\\nb"\n'],
  ["yamlencode", [S("x\r\ny")], '"x\\r\\ny"\n'],
  ["yamlencode", [S("\u0001")], '"\\x01"\n'],
  ["yamlencode", [S("\u007f\u0000")], '"\\x7F\\0"\n'],
  ["yamlencode", [S("\u00e9\u2028x")], '"\u00e9\\Lx"\n'],
  ["yamlencode", [S("\u0085")], '"\\N"\n'],
  ["yamlencode", [S("x\n\u0085y")], '"x\\n\\Ny"\n'],
  ["yamlencode", [S("x\n\u2028y")], "|-\n  x\n\u2028  y\n"],
  ["yamlencode", [S("\u00a0\ufeffx\ufffe")], '"\u00a0\\uFEFFx\\uFFFE"\n'],
  ["yamlencode", [S("\ufeffx\ny")], '"\\uFEFF\\x78\\n\\x79"\n'],
  ["yamlencode", [S("\u{1f600}")], '"\\U0001F600"\n'],
  ["yamlencode", [S('ab"c\\d')], '"ab\\"c\\\\d"\n'],
  ["yamlencode", [S("")], '""\n'],
  ["yamlencode", [S("--- x")], '"--- x"\n'],
  [
    "yamlencode",
    [T(S("a"), S("1"), S("true"), S("yes"), S("null"), S("a: b"), S("- x"), S("#c"), S("\u00e9"))],
    '- "a"\n- "1"\n- "true"\n- "yes"\n- "null"\n- "a: b"\n- "- x"\n- "#c"\n- "\u00e9"\n',
  ],
  ["yamlencode", [T(S("multi\nline"))], "- |-\n  multi\n  line\n"],
  ["yamlencode", [O({ a: O({ b: S("multi\nline") }) })], '"a":\n  "b": |-\n    multi\n    line\n'],
  [
    "yamlencode",
    [T(T(N(1), T(N(2))), O({ a: T() }), O({ b: O({}) }))],
    '- - 1\n  - - 2\n- "a": []\n- "b": {}\n',
  ],
  [
    "yamlencode",
    [T(O({ a: N(1), b: N(2) }), O({ c: T(O({ d: N(1) })) }))],
    '- "a": 1\n  "b": 2\n- "c":\n  - "d": 1\n',
  ],
  ["yamlencode", [O({ a: T(O({ b: T(T()) })) })], '"a":\n- "b":\n  - []\n'],
  ["yamlencode", [T(T(T(T(S("deep")))))], '- - - - "deep"\n'],
  ["yamlencode", [T(S("a\nb"), O({ k: S("c\nd") }))], '- |-\n  a\n  b\n- "k": |-\n    c\n    d\n'],
  [
    "yamlencode",
    [O({ a: S("x\n"), b: T(S("y\n\n"), S("z")) })],
    '"a": |\n  x\n"b":\n- |+\n  y\n\n- "z"\n',
  ],
  ["yamlencode", [O({ "a b": N(1), "1": N(2), "": N(3) })], '"": 3\n"1": 2\n"a b": 1\n'],
  ["yamlencode", [O({ "a\nb": S("x") })], '? |-\n  a\n  b\n: "x"\n'],
  ["yamlencode", [O({ ["a".repeat(156)]: N(1) })], `? "${"a".repeat(156)}"\n: 1\n`],
  ["yamlencode", [O({ ["a".repeat(128)]: N(1) })], `"${"a".repeat(128)}": 1\n`],
  ["yamlencode", [S(LONG)], `"${LONG.slice(0, 84)}\n  ${LONG.slice(85)}"\n`],
  ["yamlencode", [O({ key: S(LONG) })], `"key": "${LONG.slice(0, 74)}\n  ${LONG.slice(75)}"\n`],
  [
    "yamlencode",
    [S(LONG.replace("pppp ", "pppp  "))],
    `"${LONG.slice(0, 79)}  qqqq\n  ${LONG.slice(85)}"\n`,
  ],
  ["yamlencode", [S(`${LONG}\nshort`)], `|-\n  ${LONG}\n  short\n`],
  ["yamlencode", [Value.set([S("b"), S("a")])], '- "a"\n- "b"\n'],
  ["yamlencode", [L(N(1), N(2))], "- 1\n- 2\n"],
  ["yamlencode", [Value.map({ k: S("v") })], '"k": "v"\n'],
]);

describe("yamlencode with unknowns", () => {
  it("is unknown when the value is not wholly known", () => {
    const got = encodingFunctions.yamlencode?.call([T(Value.unknown(Type.string))]);
    assert.ok(got && !got.isKnown() && got.type.equals(Type.string));
  });
});

run("yamldecode", [
  [
    "yamldecode",
    [S("a: 1\nb: [1, x, true]\nc: {d: null}")],
    O({ a: N(1), b: T(N(1), S("x"), B(true)), c: O({ d: NULL }) }),
  ],
  [
    "yamldecode",
    [
      S(
        "- yes\n- No\n- on\n- y\n- ~\n- \n- 0x1F\n- 0o17\n- 017\n- 1_000\n- 0b101\n- .5\n- -.inf\n- 1e3\n- 2001-12-14\n- 2001-12-14t21:59:43.10-05:00\n- '1'\n- \"true\"",
      ),
    ],
    T(
      B(true),
      B(false),
      B(true),
      B(true),
      NULL,
      NULL,
      N(31),
      N(15),
      N(17),
      N(1000),
      S("0b101"),
      N(0.5),
      N("-Inf"),
      N(1000),
      S("2001-12-14T00:00:00Z"),
      S("2001-12-14T21:59:43-05:00"),
      S("1"),
      S("true"),
    ),
  ],
  ["yamldecode", [S("")], NULL],
  ["yamldecode", [S("null")], NULL],
  ["yamldecode", [S("# just a comment\n")], NULL],
  ["yamldecode", [S("hello")], S("hello")],
  ["yamldecode", [S("a: &x {b: 1}\nc: *x")], O({ a: O({ b: N(1) }), c: O({ b: N(1) }) })],
  ["yamldecode", [S("!!binary aGVsbG8=")], S("aGVsbG8=")],
  ["yamldecode", [S("!!str 1")], S("1")],
  ["yamldecode", [S("<<: {a: 1}\nb: 2")], O({ a: N(1), b: N(2) })],
  ["yamldecode", [S("a: 1\n<<: {a: 2, b: 3}")], O({ a: N(2), b: N(3) })],
  ["yamldecode", [S("<<: {a: 2, b: 3}\na: 1")], O({ a: N(1), b: N(3) })],
  ["yamldecode", [S('"<<": {a: 1}')], O({ a: N(1) })],
  ["yamldecode", [S("a: |-\n  true")], O({ a: S("true") })],
  ["yamldecode", [S("a: !!str\nb: !!null ''")], O({ a: S(""), b: S("") })],
  ["yamldecode", [S("a: 1\n...\n")], O({ a: N(1) })],
  ["yamldecode", [S("%YAML 1.1\n---\na: 1")], O({ a: N(1) })],
  ["yamldecode", [S("a: 1\na: 2")], O({ a: N(2) })],
  ["yamldecode", [S("1.5: a\n2: b\ntrue: c")], O({ "1.5": S("a"), "2": S("b"), true: S("c") })],
  ["yamldecode", [S("? |\n  x\n: 1")], O({ "x\n": N(1) })],
  [
    "yamldecode",
    [S("- !!int 0x1F\n- !!int 0o17\n- !!float 0x10\n- !!int 1.5")],
    T(N(31), N(15), N(16), N(1.5)),
  ],
  ["yamldecode", [S("- !!bool 1")], T(N(1))],
  // current go-cty-yaml: "_" only inside integers, 0b only with an explicit tag
  ["yamldecode", [S("- 1e3\n- 1.e3\n- +.5\n- 1_0.5")], T(N(1000), N(1000), N(0.5), S("1_0.5"))],
  ["yamldecode", [S("- 0x_")], { error: 'cannot parse "0x_" as tag:yaml.org,2002:int' }],
  ["yamldecode", [S("x: 12:30\nw: -0b11\nz: +1")], O({ x: S("12:30"), w: S("-0b11"), z: N(1) })],
  // YAML 1.1 booleans apply to keys too
  ["yamldecode", [S("y: 1\nno: 2")], O({ true: N(1), false: N(2) })],
  [
    "yamldecode",
    [S("- 2001-12-14 21:59:43.10\n- 2001-1-2")],
    T(S("2001-12-14T21:59:43Z"), S("2001-01-02T00:00:00Z")),
  ],
  ["yamldecode", [S("- 9223372036854775808")], T(N("9223372036854775808"))],
  ["yamldecode", [S("--- 1\n--- 2")], { error: /only a single document is allowed$/ }],
  ["yamldecode", [S(".nan")], { error: "floating point NaN is not supported" }],
  [
    "yamldecode",
    [S("- !!float .nan\n")],
    { error: 'cannot parse ".nan" as tag:yaml.org,2002:float' },
  ],
  ["yamldecode", [S("a: *y")], { error: 'reference to undefined anchor "y"' }],
  [
    "yamldecode",
    [S("a: &a [1, *a]")],
    { error: 'cannot refer to anchor "a" from inside its own definition' },
  ],
  ["yamldecode", [S("!!int x")], { error: 'cannot parse "x" as tag:yaml.org,2002:int' }],
  ["yamldecode", [S("!foo x")], { error: 'unsupported tag "!foo"' }],
  [
    "yamldecode",
    [S("!!binary '!!'")],
    { error: 'cannot parse "!!" as tag:yaml.org,2002:binary: not valid base64' },
  ],
  ["yamldecode", [S("!!map [1]")], { error: "can't interpret sequence as tag:yaml.org,2002:map" }],
  [
    "yamldecode",
    [S("!!seq {a: 1}")],
    { error: "can't interpret mapping as tag:yaml.org,2002:seq" },
  ],
  [
    "yamldecode",
    [S("- !!timestamp x")],
    { error: 'cannot parse "x" as tag:yaml.org,2002:timestamp' },
  ],
  [
    "yamldecode",
    [S("<<: [{a: 2}, {a: 3, c: 4}]\nb: 1")],
    { error: "cannot merge tuple into mapping" },
  ],
  ["yamldecode", [S("<<: 5")], { error: "cannot merge number into mapping" }],
  ["yamldecode", [S("? [1]\n: x")], { error: "only strings are allowed as mapping keys" }],
  [
    "yamldecode",
    [S("1: a\ntrue: b\n~: c")],
    { error: "on line 2, column 1: mapping key cannot be null" },
  ],
  ["yamldecode", [S("a: [")], { error: /^on line 1, column \d+: / }],
  ["yamldecode", [S("'unterminated")], { error: /^on line 1, column \d+: / }],
  ["yamldecode", [S("\t- 1")], { error: /^on line 1, column \d+: / }],
]);

run("jsonencode / jsondecode", [
  [
    "jsonencode",
    [O({ a: S("<&>"), b: T(N(1.5), NULL) })],
    '{"a":"\\u003c\\u0026\\u003e","b":[1.5,null]}',
  ],
  ["jsonencode", [NULL], "null"],
  ["jsonencode", [L(S("x"))], '["x"]'],
  ["jsonencode", [N("12345678901234567890")], "12345678901234567890"],
  ["jsondecode", [S('{"a":[1,"x",null],"b":true}')], O({ a: T(N(1), S("x"), NULL), b: B(true) })],
  ["jsondecode", [S("1.5")], N(1.5)],
  ["jsondecode", [S("{")], { error: /./ }],
]);

describe("json with unknowns", () => {
  it("jsonencode is unknown for partially unknown values", () => {
    const got = encodingFunctions.jsonencode?.call([T(Value.unknown(Type.string))]);
    assert.ok(got && !got.isKnown());
  });
  it("jsondecode of an unknown string is unknown", () => {
    const got = encodingFunctions.jsondecode?.call([Value.unknown(Type.string)]);
    assert.ok(got && !got.isKnown());
  });
});

const row = (a: string, b: string) => O({ a: S(a), b: S(b) });

run("csvdecode", [
  ["csvdecode", [S("a,b\n1,2\n3,4\n")], L(row("1", "2"), row("3", "4"))],
  ["csvdecode", [S('a,b\r\n1,2\r\n\r\n3,"4\n5"')], L(row("1", "2"), row("3", "4\n5"))],
  ["csvdecode", [S('a,b\n"x,""y""",\n')], L(row('x,"y"', ""))],
  ["csvdecode", [S("a,b")], Value.listEmpty(Type.object({ a: Type.string, b: Type.string }))],
  ["csvdecode", [S("a,b\n1,2\r")], L(row("1", "2"))],
  ["csvdecode", [S("")], { error: "missing header line" }],
  ["csvdecode", [S("a,a\n")], { error: 'duplicate column name "a"' }],
  ["csvdecode", [S("a,b\n1\n")], { error: "CSV parse error on line 2: wrong number of fields" }],
  [
    "csvdecode",
    [S('a,b\n1,"2\n')],
    { error: 'CSV parse error on line 2: extraneous or missing " in quoted-field' },
  ],
  [
    "csvdecode",
    [S('a,b\n1,2"\n')],
    { error: 'CSV parse error on line 2: bare " in non-quoted-field' },
  ],
  [
    "csvdecode",
    [S('a,b\n"1"x,2\n')],
    { error: 'CSV parse error on line 2: extraneous or missing " in quoted-field' },
  ],
  [
    "csvdecode",
    [S('a,b\n\n\n1,"x\ny\nz')],
    { error: 'CSV parse error on line 6: extraneous or missing " in quoted-field' },
  ],
]);

run("base64 and url encoding", [
  ["base64encode", [S("h\u00e9llo")], "aMOpbGxv"],
  ["base64encode", [S("")], ""],
  ["base64decode", [S("aGVsbG8=")], "hello"],
  ["base64decode", [S("aGVs\nbG8=")], "hello"],
  ["base64decode", [S("aGVsbG8")], { error: "failed to decode base64 data 'aGVsbG8'" }],
  ["base64decode", [S("aGVs bG8=")], { error: "failed to decode base64 data 'aGVs bG8='" }],
  [
    "base64decode",
    [S("/w==")],
    { error: "the result of decoding the the provided string is not valid UTF-8" },
  ],
  ["urlencode", [S("a b&c=d/\u00e9~-_.*")], "a+b%26c%3Dd%2F%C3%A9~-_.%2A"],
  ["urlencode", [S("")], ""],
]);

run("textencodebase64 / textdecodebase64", [
  ["textencodebase64", [S("Hello World"), S("UTF-16LE")], "SABlAGwAbABvACAAVwBvAHIAbABkAA=="],
  ["textencodebase64", [S("Hello World"), S("utf-16le")], "SABlAGwAbABvACAAVwBvAHIAbABkAA=="],
  ["textencodebase64", [S("hi"), S("UTF-16")], "/v8AaABp"],
  ["textencodebase64", [S("hi"), S("UTF-16BE")], "AGgAaQ=="],
  ["textencodebase64", [S("h\u00e9llo"), S("iso-8859-1")], "aOlsbG8="],
  ["textencodebase64", [S("h\u00e9llo"), S("latin1")], "aOlsbG8="],
  ["textencodebase64", [S("\u20ac"), S("windows-1252")], "gA=="],
  ["textencodebase64", [S("\u00c7"), S("cp437")], "gA=="],
  ["textencodebase64", [S("\u65e5\u672c"), S("Shift_JIS")], "k/qWew=="],
  ["textencodebase64", [S("abc123!?$*&()'-=@~"), S("CP936")], "YWJjMTIzIT8kKiYoKSctPUB+"],
  [
    "textencodebase64",
    [S("\u{1f914}"), S("cp437")],
    { error: "the given string contains characters that cannot be represented in IBM437", arg: 0 },
  ],
  [
    "textencodebase64",
    [S("\u00e9"), S("US-ASCII")],
    {
      error: "the given string contains characters that cannot be represented in US-ASCII",
      arg: 0,
    },
  ],
  [
    "textencodebase64",
    [S("x"), S("NOT-EXISTS")],
    { error: '"NOT-EXISTS" is not a supported IANA encoding name or alias', arg: 1 },
  ],
  ["textdecodebase64", [S("SABlAGwAbABvACAAVwBvAHIAbABkAA=="), S("UTF-16LE")], "Hello World"],
  ["textdecodebase64", [S("//5oAGkA"), S("UTF-16")], "hi"],
  ["textdecodebase64", [S("aOlsbG8="), S("ISO-8859-1")], "h\u00e9llo"],
  ["textdecodebase64", [S("k/qWew=="), S("shift_jis")], "\u65e5\u672c"],
  ["textdecodebase64", [S("0N3e"), S("ISO-8859-9")], "\u011e\u0130\u015e"],
  ["textdecodebase64", [S("gIE="), S("windows-1252")], "\u20ac\u0081"],
  [
    "textdecodebase64",
    [S("QQ"), S("UTF-8")],
    { error: "the given value is has an invalid base64 symbol at offset 0", arg: 0 },
  ],
  [
    "textdecodebase64",
    [S("QUJD!"), S("UTF-8")],
    { error: "the given value is has an invalid base64 symbol at offset 4", arg: 0 },
  ],
  [
    "textdecodebase64",
    [S("/w=="), S("UTF-8")],
    { error: "the given string contains symbols that are not defined for UTF-8", arg: 0 },
  ],
  [
    "textdecodebase64",
    [S("gA=="), S("US-ASCII")],
    { error: "the given string contains symbols that are not defined for US-ASCII", arg: 0 },
  ],
  [
    "textdecodebase64",
    [S("AA=="), S("nope")],
    { error: '"nope" is not a supported IANA encoding name or alias', arg: 1 },
  ],
]);

describe("base64gzip", () => {
  it("gzips the UTF-8 bytes with a Go-style header", () => {
    for (const s of ["test", "", "h\u00e9llo ".repeat(100)]) {
      const b64 = encodingFunctions.base64gzip?.call([S(s)]).asString() ?? "";
      const raw = Buffer.from(b64, "base64");
      assert.deepEqual([...raw.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
      assert.equal(gunzipSync(raw).toString("utf8"), s);
    }
  });
});

describe("env", () => {
  it("reads environment variables, empty when unset", () => {
    process.env.KILN_TEST_ENV_VAR = "v\u00e9";
    try {
      check(["env", [S("KILN_TEST_ENV_VAR")], "v\u00e9"]);
      check(["env", [S("KILN_TEST_ENV_VAR_UNSET_XYZ")], ""]);
    } finally {
      delete process.env.KILN_TEST_ENV_VAR;
    }
  });
});
