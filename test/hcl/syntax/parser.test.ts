// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL template syntax in test inputs
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Body, Expr } from "../../../src/hcl/syntax/ast.js";
import {
  isValidIdentifier,
  parseConfig,
  parseExpression,
  parseTemplate,
  parseTraversalAbs,
} from "../../../src/hcl/syntax/parser.js";
import { show, showBody, showRange, showTraversal } from "./show.js";

function expr(src: string): { shown: string; diags: string[] } {
  const r = parseExpression(src, "t.hcl");
  return { shown: show(r.expr), diags: r.diags.map((d) => d.summary) };
}

// Expressions -> AST (operator precedence, traversals, templates, ...).
const exprCases: [string, string][] = [
  ["1 + 2 * 3", "(+ 1 (* 2 3))"],
  ["1 * 2 + 3", "(+ (* 1 2) 3)"],
  ["1 - 2 - 3", "(- (- 1 2) 3)"],
  ["1 % 2 / 3 * 4", "(* (/ (% 1 2) 3) 4)"],
  ["a || b && c", "(|| a (&& b c))"],
  ["a && b || c", "(|| (&& a b) c)"],
  ["a == b != c", "(!= (== a b) c)"],
  ["a < b == c > d", "(== (< a b) (> c d))"],
  ["a + 1 >= b - 1", "(>= (+ a 1) (- b 1))"],
  ["a <= b && c", "(&& (<= a b) c)"],
  ["-1 + 2", "(+ (neg 1) 2)"],
  ["!a && b", "(&& (! a) b)"],
  ["-a.b[0]", "(neg a.b[0])"],
  ["!!a", "(! (! a))"],
  ["a ? b : c ? d : e", "(? a b (? c d e))"],
  ["a ? b ? c : d : e", "(? a (? b c d) e)"],
  ["a || b ? 1 + 2 : 3", "(? (|| a b) (+ 1 2) 3)"],
  ["(1 + 2) * 3", "(* (paren (+ 1 2)) 3)"],
  ["(1 +\n 2)", "(paren (+ 1 2))"],
  ["1.5e3", "1500"],
  ["007", "7"],
  ["true", "true"],
  ["false", "false"],
  ["null", "null"],
  ["foo-bar", "foo-bar"],
  ["a.b[0].c", "a.b[0].c"],
  ['a["k"]', 'a["k"]'],
  ["a.0", "a[0]"],
  ["a.0.b", "a[0].b"],
  ["a[b]", "(index a b)"],
  ["a[b].c", "(rel (index a b) .c)"],
  ["f(x).y[1]", "(rel (call f x) .y[1])"],
  ["[1, 2][0]", "(rel [1 2] [0])"],
  ["a.*.b", "(splat. a (rel _ .b))"],
  ["a.*", "(splat. a _)"],
  ["a.*.0.b", "(splat. a (rel _ [0].b))"],
  ["a[*].b[0]", "(splat a (rel _ .b[0]))"],
  ["a[*]", "(splat a _)"],
  ["a[*][*].b", "(splat a (splat _ (rel _ .b)))"],
  ["f()", "(call f)"],
  ["f(1, 2)", "(call f 1 2)"],
  ["f(1, 2,)", "(call f 1 2)"],
  ["f(\n1,\n2\n)", "(call f 1 2)"],
  ["f(1, xs...)", "(call f 1 xs ...)"],
  ["[]", "[]"],
  ["[1, 2,]", "[1 2]"],
  ["[\n1,\n2\n]", "[1 2]"],
  ["{}", "{}"],
  ['{a = 1, "b": 2, (c) = 3}', '{a=1 (tmpl "b")=2 (key (paren c))=3}'],
  ["{\na = 1\nb = 2\n}", "{a=1 b=2}"],
  ["{a.b = 1}", "{a.b=1}"],
  ["{for x in y : x => x}", "(for x y x => x)"],
  ["[for x in y : x]", "(for x y x)"],
  ["[for i, x in y : x if i > 0]", "(for i,x y x if (> i 0))"],
  ["{for k, v in m : v => k...}", "(for k,v m v => k ...)"],
  ['{for k, v in m : v => k... if k != ""}', '(for k,v m v => k ... if (!= k (tmpl "")))'],
  ["[for x in\n y :\n x]", "(for x y x)"],
  ['"abc"', '(tmpl "abc")'],
  ['""', '(tmpl "")'],
  ['"a${b}c"', '(tmpl "a" b "c")'],
  ['"${b}"', "(wrap b)"],
  ['"${~ b ~}"', "(wrap b)"],
  ['" a ${~b~} c "', '(tmpl " a" b "c ")'],
  ['" a %{~ if x ~} b %{~ endif ~} c "', '(tmpl " a" (? x (tmpl "b") (tmpl "")) "c ")'],
  ['"%{if x}y%{else}z%{endif}"', '(tmpl (? x (tmpl "y") (tmpl "z")))'],
  ['"%{for x in y}${x}%{endfor}"', "(tmpl (join (for x y (tmpl x))))"],
  ['"%{for k, v in y}${k}%{endfor}"', "(tmpl (join (for k,v y (tmpl k))))"],
  ['"a\\nb\\t\\"\\\\\\u00e9\\U0001F600"', '(tmpl "a\\nb\\t\\"\\\\é😀")'],
  ['"$${a} %%{b} $$ %"', '(tmpl "${a} %{b} $$ %")'],
  ['"$$${a}"', '(tmpl "$${a}")'],
  ["<<EOT\nhello\n  ${x}\nEOT\n", '(tmpl "hello\\n  " x "\\n")'],
  ["<<-EOT\n    a\n      b\n    EOT\n", '(tmpl "a\\n  b\\n")'],
  ["<<-EOT\n  a\n\n    b\n  EOT\n", '(tmpl "a\\n\\n  b\\n")'],
  ["<<-EOT\n  ${x}\n    b\n  EOT\n", '(tmpl "" x "\\n  b\\n")'],
  ["<<EOT\n$${x}\nEOT\n", '(tmpl "${x}\\n")'],
  ["<<EOT\nEOT\n", '(tmpl "")'],
];

test("expression parsing table", () => {
  for (const [src, want] of exprCases) {
    const r = expr(src);
    assert.deepEqual(r.diags, [], `${JSON.stringify(src)}: unexpected diagnostics`);
    assert.equal(r.shown, want, JSON.stringify(src));
  }
});

test("parseExpression reports extra characters", () => {
  const r = parseExpression("1 2", "t.hcl");
  assert.deepEqual(
    r.diags.map((d) => [d.summary, d.detail, showRange(d.subject)]),
    [
      [
        "Extra characters after expression",
        "An expression was successfully parsed, but extra characters were found after it.",
        "1:3-1:4",
      ],
    ],
  );
});

// Configuration files -> diagnostics (summary @ subject range), in HCL's order.
const errorCases: [string, string[]][] = [
  ["a = 1\na = 2\n", ["Attribute redefined @2:1-2:2"]],
  ['"a" = 1\n', ["Invalid argument name @1:1-1:2"]],
  ["a b = 1\n", ["Invalid block definition @1:5-1:6"]],
  ["a = 1 b = 2\n", ["Missing newline after argument @1:7-1:8"]],
  ["a = 1, b = 2\n", ["Unexpected comma after argument @1:6-1:7"]],
  ['b "l" = {\n}\n', ["Invalid block definition @1:7-1:8"]],
  ['b "l"\n{\n}\n', ["Invalid block definition @1:6-2:1"]],
  ["b { a = 1, c = 2 }\n", ["Invalid single-argument block definition @1:10-1:11"]],
  ["b {\n", ["Unclosed configuration block @1:3-1:4"]],
  ["b { a = 1 } c = 2\n", ["Missing newline after block definition @1:13-1:14"]],
  ["a =\n", ["Invalid expression @1:4-2:1"]],
  ["a = (1\n", ["Unbalanced parentheses @2:1-2:1"]],
  ["a = [1 2]\n", ["Missing item separator @1:8-1:9"]],
  ["a = [1\n", ["Unterminated tuple constructor expression @1:5-1:6"]],
  ["a = {b = 1 c = 2}\n", ["Missing attribute separator @1:12-1:13"]],
  ["a = {b = 1\n", ["Missing expression @2:1-2:1"]],
  ["a = {b}\n", ["Missing key/value separator @1:7-1:8"]],
  ["a = {b c}\n", ["Missing key/value separator @1:8-1:9"]],
  ["a = {b, c = 1}\n", ["Missing attribute value @1:7-1:8"]],
  ["a = [for x in y : x => x]\n", ["Invalid 'for' expression @1:19-1:20"]],
  ["a = {for x in y : x}\n", ["Invalid 'for' expression @1:19-1:20"]],
  ["a = [for in y : x]\n", ["Invalid 'for' expression @1:13-1:14"]],
  ["a = [for x y : x]\n", ["Invalid 'for' expression @1:12-1:13"]],
  ["a = [for x in y x]\n", ["Invalid 'for' expression @1:17-1:18"]],
  ["a = [for x, in y : x]\n", ["Invalid 'for' expression @1:16-1:17"]],
  ["a = [for x in y: x...]\n", ["Invalid 'for' expression @1:19-1:22"]],
  ["a = [for x in y: x if x x]\n", ["Invalid 'for' expression @1:25-1:26"]],
  ["a = f(1 2)\n", ["Missing argument separator @1:9-1:10"]],
  ["a = f(1... 2)\n", ["Missing closing parenthesis @1:8-1:11"]],
  ["a = f(1\n", ["Unterminated function call @1:5-1:7"]],
  ["a = x.\n", ["Invalid attribute name @1:7-2:1"]],
  ["a = x.*.*\n", ["Nested splat expression not allowed @1:9-1:10"]],
  ["a = x[*\n", ["Missing close bracket on splat index @1:8-2:1"]],
  ["a = x[1\n", ["Missing close bracket on index @2:1-2:1"]],
  ["a = x.0.1\n", ["Invalid legacy index syntax @1:7-1:10"]],
  ["a = x.*.0.1\n", ["Invalid legacy index syntax @1:7-1:8"]],
  [
    'a = "${x"\n',
    ["Invalid multi-line string @1:10-2:1", "Unclosed template interpolation sequence @1:6-1:8"],
  ],
  ['a = "${x y}"\n', ["Extra characters after interpolation expression @1:10-1:11"]],
  ['a = "${x:y}"\n', ["Extra characters after interpolation expression @1:9-1:10"]],
  ['a = "%{ bogus }"\n', ["Invalid template control keyword @1:9-1:14"]],
  ['a = "%{ iff x }"\n', ["Invalid template control keyword @1:9-1:12"]],
  ['a = "%{ if x }"\n', ["Unexpected end of template @1:15-1:16"]],
  ['a = "%{ endif }"\n', ["Unexpected endif directive @1:6-1:16"]],
  [
    'a = "%{ for x }%{ endfor }"\n',
    ["Invalid 'for' directive @1:15-1:16", "Unexpected endfor directive @1:16-1:27"],
  ],
  [
    'a = "%{ for x, }%{ endfor }"\n',
    ["Invalid 'for' directive @1:16-1:17", "Unexpected endfor directive @1:17-1:28"],
  ],
  [
    'a = "%{ for }%{ endfor }"\n',
    ["Invalid 'for' directive @1:13-1:14", "Unexpected endfor directive @1:14-1:25"],
  ],
  [
    'a = "%{ if x }a%{ else }b%{ else }c%{ endif }"\n',
    ["Unexpected else directive @1:26-1:35", "Unexpected endif directive @1:36-1:46"],
  ],
  [
    'a = "%{ for x in y }a%{ else }%{ endfor }"\n',
    ["Unexpected else directive @1:22-1:31", "Unexpected endfor directive @1:31-1:42"],
  ],
  ['a = "%{ for x in y }a"\n', ["Unexpected end of template @1:22-1:23"]],
  ['a = "%{ if x }a%{ endfor }"\n', ["Unexpected endfor directive @1:16-1:27"]],
  ['a = "%{ for x in y }a%{ endif }"\n', ["Unexpected endif directive @1:22-1:32"]],
  ['a = "%{ 1 }"\n', ["Invalid template directive @1:9-1:10"]],
  ['a = "%{ if x y }%{endif}"\n', ["Extra characters in if marker @1:14-1:15"]],
  [
    'a = "\\q \\u12 \\U0010FFFFF \\uD800"\n',
    [
      "Invalid escape sequence @1:6-1:8",
      "Invalid escape sequence @1:9-1:13",
      "Invalid escape sequence @1:26-1:32",
    ],
  ],
  ['a = "abc\n', ["Invalid multi-line string @1:9-2:1", "Unterminated template string @1:9-2:1"]],
  ['b "${x}" {}\n', ["Invalid string literal @1:4-1:6"]],
  ['b "%{x}" {}\n', ["Invalid string literal @1:4-1:6"]],
  ['b "a\n', ["Invalid multi-line string @1:5-2:1", "Invalid string literal @1:5-2:1"]],
  ["a = 1.2.3\n", ["Invalid number literal @1:5-1:10"]],
  ["a = 1 ? 2\n", ["Missing false expression in conditional @1:10-2:1"]],
  [
    "a = 1 & 2 ;\n",
    [
      "Unsupported operator @1:7-1:8",
      "Invalid character @1:11-1:12",
      "Missing newline after argument @1:7-1:8",
    ],
  ],
  ["a = 'x'\n", ["Invalid character @1:5-1:6", "Invalid expression @1:5-1:6"]],
  [
    "a = `x` `y`\n",
    ["Invalid character @1:5-1:6", "Invalid character @1:9-1:10", "Invalid expression @1:5-1:6"],
  ],
  ["a = 1 ** 2\n", ["Invalid expression @1:8-1:9"]],
  ["}\n", ["Argument or block definition required @1:1-1:2"]],
  ["a = @\n", ["Invalid character @1:5-1:6", "Invalid expression @1:5-1:6"]],
  ["a = <<EOT\nfoo\n", ["Unterminated template string @3:1-3:1"]],
  ["b { c { } }\n", ["Argument definition required @1:5-1:8"]],
  ['b { c "d" }\n', ["Argument definition required @1:5-1:8"]],
  ["b { c }\n", ["Argument or block definition required @1:5-1:6"]],
  ["b { a = 1\n}\n", ["Invalid single-argument block definition @1:10-2:1"]],
  ["b { a = 1\n", ["Invalid single-argument block definition @1:10-2:1"]],
  ["b { a = 1 ]\n", ["Invalid single-argument block definition @1:11-1:12"]],
  ["a = {\n  b = 1,\n  c = 2\n  d\n}\n", ["Missing attribute value @4:4-5:1"]],
  ["a = {\n", ["Missing expression @2:1-2:1"]],
  ["a = x ~ y\n", ["Unsupported operator @1:7-1:8", "Missing newline after argument @1:7-1:8"]],
  ["a = !\n", ["Invalid expression @1:6-2:1"]],
  ['b "x" y {\n}\n', []],
  ["b 1 {}\n", ["Argument or block definition required @1:1-1:2"]],
  [
    'a = "\\\n',
    [
      "Invalid character @1:6-1:7",
      "Invalid multi-line string @1:7-2:1",
      "Unterminated template string @1:6-1:7",
    ],
  ],
];

test("parse error table", () => {
  for (const [src, want] of errorCases) {
    const r = parseConfig(src, "t.hcl");
    assert.deepEqual(
      r.diags.map((d) => `${d.summary} @${showRange(d.subject)}`),
      want,
      JSON.stringify(src),
    );
    for (const d of r.diags) {
      assert.equal(d.severity, "error");
      assert.ok(d.detail && d.detail.length > 0, `${d.summary} has a detail`);
      assert.equal(d.subject?.filename, "t.hcl");
    }
  }
});

test("diagnostic details use HCL's wording", () => {
  const detail = (src: string) => parseConfig(src, "f.hcl").diags.map((d) => d.detail);
  assert.deepEqual(detail("a = 1\na = 2\n"), [
    'The argument "a" was already set at f.hcl:1,1-2. Each argument may be set only once.',
  ]);
  assert.deepEqual(detail('a = "%{ iff x }"\n'), [
    '"iff" is not a valid template control keyword. Did you mean "if"?',
  ]);
  assert.deepEqual(detail('a = "%{ if x }"\n'), [
    "The if directive at f.hcl:1,6-15 is missing its corresponding endif directive.",
  ]);
  assert.deepEqual(detail("a = x.0.1\n"), [
    "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [0][1].",
  ]);
  assert.deepEqual(detail('a = "\\q \\u12 \\uD800"\n'), [
    'The symbol "q" is not a valid escape sequence selector.',
    "The \\u escape sequence must be followed by four hexadecimal digits.",
    "Cannot encode character U+d800 in UTF-8.",
  ]);
  assert.deepEqual(detail('b "${x}" {}\n'), [
    'Template sequences are not allowed in this string. To include a literal "$", double it (as "$$") to escape it.',
  ]);
  assert.deepEqual(detail("b { c }\n"), [
    'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
  ]);
  assert.deepEqual(detail("a = 1 | 2\n").slice(0, 1), [
    'Bitwise operators are not supported. Did you mean boolean OR ("||")?',
  ]);
});

test("structure: attributes, blocks, labels and one-line blocks", () => {
  const src = [
    "# comment",
    'a = "x" # trailing',
    "b = 2 // trailing",
    "/* block */ c = 3",
    'block "l1" l2 {',
    "  inner = true",
    "  nested {",
    "  }",
    "}",
    "one { x = 1 }",
    "empty {}",
    "",
  ].join("\n");
  const r = parseConfig(src, "t.hcl");
  assert.deepEqual(r.diags, []);
  const body = r.file.body as Body;
  assert.equal(
    showBody(body),
    'a=(tmpl "x"); b=2; c=3; block "l1" "l2" {inner=true; nested {}}; one {x=1}; empty {}',
  );
  const a = body.attributes.get("a")!;
  assert.equal(showRange(a.range), "2:1-2:8");
  assert.equal(showRange(a.nameRange), "2:1-2:2");
  assert.equal(showRange(a.equalsRange), "2:3-2:4");
  const blk = body.blocks[0]!;
  assert.equal(showRange(blk.typeRange), "5:1-5:6");
  assert.deepEqual(blk.labelRanges.map(showRange), ["5:7-5:11", "5:12-5:14"]);
  assert.equal(showRange(blk.defRange), "5:1-5:14");
  assert.equal(showRange(blk.openBraceRange), "5:15-5:16");
  assert.equal(showRange(blk.closeBraceRange), "9:1-9:2");
  assert.equal(showRange(blk.range), "5:1-9:2");
  assert.equal(showRange(blk.body.missingItemRange()), "5:15-5:15");
  assert.equal(showRange(body.blocks[1]!.body.srcRange), "10:7-10:12");
  assert.equal(r.file.filename, "t.hcl");
  assert.equal(r.file.bytes.toString("utf8"), src);
});

test("a heredoc attribute ends at its closing marker", () => {
  const r = parseConfig("a = <<EOT\nx\nEOT\nb = 1\n", "t.hcl");
  assert.deepEqual(r.diags, []);
  const body = r.file.body as Body;
  assert.equal(showBody(body), 'a=(tmpl "x\\n"); b=1');
  assert.equal(showRange(body.attributes.get("a")!.range), "1:1-3:4");
});

test("parse errors recover and report several problems per file", () => {
  // As in HCL, once the parser has recovered from an error some follow-on
  // problems (here the missing newline on line 5) are no longer reported.
  const r = parseConfig(
    'a = [1 2]\nb = 3\nc = f(1 2)\nd "x" {\n  e = 1 f = 2\n}\ng = 4\n',
    "t.hcl",
  );
  assert.deepEqual(
    r.diags.map((d) => `${d.summary} @${showRange(d.subject)}`),
    ["Missing item separator @1:8-1:9", "Missing argument separator @3:9-3:10"],
  );
  assert.equal(showBody(r.file.body as Body), 'a=[1]; b=3; c=(call f 1); g=4; d "x" {e=1}');
});

test("parseTemplate parses a whole string as a template", () => {
  const cases: [string, string][] = [
    ["abc", '(tmpl "abc")'],
    ["", '(tmpl "")'],
    ["${a}", "(wrap a)"],
    ["a ${b} c", '(tmpl "a " b " c")'],
    ['say "${b}"\n', '(tmpl "say \\"" b "\\"\\n")'],
    ["%{if a}b%{endif}", '(tmpl (? a (tmpl "b") (tmpl "")))'],
    ["$${x} 50%", '(tmpl "${x} 50%")'],
    ["a\\nb", '(tmpl "a\\\\nb")'],
  ];
  for (const [src, want] of cases) {
    const r = parseTemplate(src, "t.hcl");
    assert.deepEqual(r.diags, [], src);
    assert.equal(show(r.expr as Expr), want, src);
  }
  const bad = parseTemplate("${a", "t.hcl");
  assert.deepEqual(
    bad.diags.map((d) => d.summary),
    ["Unclosed template interpolation sequence"],
  );
});

test("parseTraversalAbs", () => {
  const ok: [string, string][] = [
    ["a", "a"],
    ["a.b.c", "a.b.c"],
    ['a[0]["k"].b', 'a[0]["k"].b'],
  ];
  for (const [src, want] of ok) {
    const r = parseTraversalAbs(src, "t.hcl");
    assert.deepEqual(r.diags, [], src);
    assert.equal(showTraversal(r.traversal), want);
  }
  const bad: [string, string][] = [
    ["1", "Variable name required"],
    ["a.*", "Attribute name required"],
    ["a.1", "Attribute name required"],
    ["a[*]", "Attribute name required"],
    ["a[b]", "Index value required"],
    ["a[0", "Unclosed index brackets"],
    ["a + 1", "Invalid character"],
  ];
  for (const [src, want] of bad) {
    const r = parseTraversalAbs(src, "t.hcl");
    assert.deepEqual(
      r.diags.map((d) => d.summary),
      [want],
      src,
    );
  }
});

test("isValidIdentifier", () => {
  assert.equal(isValidIdentifier("foo-bar_1"), true);
  assert.equal(isValidIdentifier("é"), true);
  assert.equal(isValidIdentifier("1a"), false);
  assert.equal(isValidIdentifier("a b"), false);
  assert.equal(isValidIdentifier(""), false);
});

test("static analysis hooks", () => {
  const e = (src: string) => parseExpression(src, "t.hcl").expr;
  assert.equal(e("string").asKeyword(), "string");
  assert.equal(e("null").asKeyword(), "null");
  assert.equal(e("a.b").asKeyword(), undefined);
  assert.equal(e('"string"').asKeyword(), undefined);
  assert.equal(showTraversal(e("a.b[0]").asTraversal()!), "a.b[0]");
  assert.equal(e("f(a)").asTraversal(), undefined);
  const call = (
    e("list(string, 1)") as Expr & { asCall(): { name: string; args: Expr[] } }
  ).asCall();
  assert.equal(call.name, "list");
  assert.deepEqual(call.args.map(show), ["string", "1"]);
  assert.deepEqual((e("[a, 1]") as Expr & { asList(): Expr[] }).asList().map(show), ["a", "1"]);
  const map = (e("{a = 1, (b) = c}") as Expr & { asMap(): { key: Expr; value: Expr }[] }).asMap();
  assert.deepEqual(
    map.map((i) => [i.key.asKeyword(), show(i.value)]),
    [
      ["a", "1"],
      [undefined, "c"],
    ],
  );
});

test("variables() lists references, excluding for-expression locals and splat items", () => {
  const vars = (src: string) => parseExpression(src, "t.hcl").expr.variables().map(showTraversal);
  assert.deepEqual(vars("a.b + c[0] + f(d)"), ["a.b", "c[0]", "d"]);
  assert.deepEqual(vars("[for k, v in m : k + v + z if v != w]"), ["m", "z", "w"]);
  assert.deepEqual(vars("{for x in xs : x => [for y in x : y + x + q]}"), ["xs", "q"]);
  assert.deepEqual(vars("a[*].b"), ["a"]);
  assert.deepEqual(vars("{k = v, (k2) = v2}"), ["v", "k2", "v2"]);
  assert.deepEqual(vars('"${a}%{for x in b}${x}${c}%{endfor}"'), ["a", "b", "c"]);
  assert.deepEqual(vars("a[b]"), ["a", "b"]);
});

test("pathological nesting yields a diagnostic, not a stack overflow", () => {
  const n = 20000;
  const inputs = [
    `a = ${"(".repeat(n)}1${")".repeat(n)}\n`,
    `a = ${"[".repeat(n)}\n`,
    `a = ${"-".repeat(n)}1\n`,
    "a {\n".repeat(n),
    `a = ${"x[".repeat(n)}\n`,
    `a = "${"%{if true}".repeat(n)}"\n`,
  ];
  for (const src of inputs) {
    const r = parseConfig(src, "t.hcl");
    assert.ok(
      r.diags.some((d) => d.summary === "Nesting too deep"),
      `${src.slice(0, 12)}: expected a nesting diagnostic`,
    );
  }
  const chain = parseExpression(`1${" + 1".repeat(n)}`, "t.hcl");
  assert.deepEqual(chain.diags, []);
  const v = chain.expr.value();
  assert.deepEqual(
    v.diags.map((d) => d.summary),
    ["Expression too complex"],
  );
  assert.equal(chain.expr.variables().length, 0);
});
