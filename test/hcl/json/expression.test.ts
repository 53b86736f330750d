// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL templates are written as "${...}" strings
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { isJSONExpression } from "../../../src/hcl/json/expression.js";
import { parseJSON, parseJSONExpression } from "../../../src/hcl/json/parser.js";
import { formatRange } from "../../../src/hcl/pos.js";
import {
  absTraversalForExpr,
  exprAsKeyword,
  exprCall,
  exprList,
  exprMap,
} from "../../../src/hcl/static.js";
import type { EvalContext, Expression, Traversal } from "../../../src/hcl/structure.js";
import { getTypeConstraint } from "../../../src/hcl/typeexpr.js";

function expr(src: string): Expression {
  const r = parseJSONExpression(src, "e.json");
  assert.deepEqual(r.diags, [], `parse diagnostics for ${src}`);
  return r.expr;
}

function traversalString(t: Traversal): string {
  return t
    .map((s) => {
      switch (s.kind) {
        case "root":
          return s.name;
        case "attr":
          return `.${s.name}`;
        case "index":
          return "[_]"; // the key itself is the native parser's business
        default:
          return "[*]";
      }
    })
    .join("");
}

describe("JSON expressions: literal mode (no context)", () => {
  const cases: { src: string; want: Value }[] = [
    { src: '"hello"', want: Value.string("hello") },
    { src: '"${var.x}"', want: Value.string("${var.x}") },
    { src: '"%{ if true }x%{ endif }"', want: Value.string("%{ if true }x%{ endif }") },
    { src: "true", want: Value.true },
    { src: "false", want: Value.false },
    { src: "1", want: Value.number(1) },
    { src: "-2.5e3", want: Value.number(-2500) },
    { src: "0.1", want: Value.numberFromString("0.1")! },
    {
      src: "123456789012345678901234567890",
      want: Value.numberFromString("123456789012345678901234567890")!,
    },
    { src: "null", want: Value.null(Type.dynamic) },
    { src: "[]", want: Value.emptyTuple },
    { src: "{}", want: Value.emptyObject },
    {
      src: '["1", 2, [true]]',
      want: Value.tuple([Value.string("1"), Value.number(2), Value.tuple([Value.true])]),
    },
    {
      src: '{"foo": "bar", "baz": 1, "${k}": null}',
      want: Value.object({
        foo: Value.string("bar"),
        baz: Value.number(1),
        "${k}": Value.null(Type.dynamic),
      }),
    },
  ];
  for (const c of cases) {
    it(c.src, () => {
      const r = expr(c.src).value();
      assert.deepEqual(r.diags, []);
      assert.ok(r.value.rawEquals(c.want), `got ${r.value.toString()}, want ${c.want.toString()}`);
    });
  }

  it("keeps 512-bit precision", () => {
    const v = expr("0.1").value().value;
    // 0.1 as a double would be 0.1000000000000000055511151231257827...
    assert.ok(!v.rawEquals(Value.number(0.1)));
  });

  it("a duplicate object key is an error", () => {
    const r = expr('{"a": 1,\n "a": 2}').value();
    assert.deepEqual(
      r.diags.map((d) => [d.summary, d.detail, formatRange(d.subject!)]),
      [
        [
          "Duplicate object attribute",
          'An attribute named "a" was already defined at e.json:1,2-5.',
          "e.json:2,2-5",
        ],
      ],
    );
    assert.ok(r.value.rawEquals(Value.object({ a: Value.number(1) })));
  });

  it("an invalid value evaluates to an unknown, without throwing", () => {
    const r = parseJSONExpression('{"a": }', "e.json");
    assert.equal(r.diags.length, 1);
    const v = r.expr.value();
    assert.ok(v.value.getAttr("a").rawEquals(Value.dynamic));
  });
});

describe("JSON expressions: template mode (with a context)", () => {
  const ctx: EvalContext = {
    variables: {
      noun: Value.string("world"),
      k: Value.string("key"),
      n: Value.number(3),
      b: Value.true,
      u: Value.unknown(Type.string),
      nul: Value.null(Type.string),
      obj: Value.object({ a: Value.string("x") }),
      var: Value.object({ region: Value.string("eu-west-1") }),
    },
  };
  const cases: { src: string; want: Value }[] = [
    { src: '"hello"', want: Value.string("hello") },
    { src: '"hello ${noun}"', want: Value.string("hello world") },
    { src: '"hello ${\\"world\\"}"', want: Value.string("hello world") },
    { src: '"${true}"', want: Value.true },
    { src: '"${n}"', want: Value.number(3) },
    { src: '"$${noun}"', want: Value.string("${noun}") },
    { src: '"${var.region}"', want: Value.string("eu-west-1") },
    { src: '"%{ if b }yes%{ else }no%{ endif }"', want: Value.string("yes") },
    { src: "7", want: Value.number(7) },
    { src: '["${noun}", 1]', want: Value.tuple([Value.string("world"), Value.number(1)]) },
    { src: '{"${k}": "${noun}"}', want: Value.object({ key: Value.string("world") }) },
    { src: '{"${n}": 1}', want: Value.object({ "3": Value.number(1) }) },
    { src: '{"${b}": 1}', want: Value.object({ true: Value.number(1) }) },
    { src: '{"${u}": 1, "x": 2}', want: Value.dynamic },
  ];
  for (const c of cases) {
    it(c.src, () => {
      const r = expr(c.src).value(ctx);
      assert.deepEqual(r.diags, []);
      assert.ok(r.value.rawEquals(c.want), `got ${r.value.toString()}, want ${c.want.toString()}`);
    });
  }

  const bad: { src: string; summary: string; detail?: string }[] = [
    {
      src: '{"${nul}": 1}',
      summary: "Invalid object key expression",
      detail: "Cannot use null value as an object key.",
    },
    {
      src: '{"${obj}": 1}',
      summary: "Invalid object key expression",
      detail: "Cannot use this expression as an object key: string required.",
    },
    { src: '"${"', summary: "" },
    { src: '"${nope}"', summary: "Unknown variable" },
  ];
  for (const c of bad) {
    it(`error: ${c.src}`, () => {
      const r = expr(c.src).value(ctx);
      assert.ok(r.diags.length > 0, "has diagnostics");
      assert.equal(r.diags[0]!.severity, "error");
      if (c.summary) assert.equal(r.diags[0]!.summary, c.summary);
      if (c.detail) assert.equal(r.diags[0]!.detail, c.detail);
      assert.ok(r.diags[0]!.subject, "has a subject");
    });
  }

  it("template positions start after the opening quote", () => {
    const r = expr('  "ab ${nope}"').value(ctx);
    const d = r.diags[0]!;
    assert.equal(formatRange(d.subject!), "e.json:1,9-13");
  });
});

describe("JSON expressions: variables()", () => {
  const cases: { src: string; want: string[] }[] = [
    { src: '"plain"', want: [] },
    { src: "1", want: [] },
    { src: '"${var.x}"', want: ["var.x"] },
    { src: '"a ${local.y.z} b ${var.list[0]}"', want: ["local.y.z", "var.list[_]"] },
    { src: '["${a}", {"k": "${b}"}]', want: ["a", "b"] },
    { src: '{"${k}": "${v}"}', want: ["k", "v"] },
    { src: '"${"', want: [] },
  ];
  for (const c of cases) {
    it(c.src, () => {
      assert.deepEqual(expr(c.src).variables().map(traversalString), c.want);
    });
  }

  it("variable ranges point into the string", () => {
    const [t] = expr(' "${var.x}"').variables();
    assert.equal(formatRange({ ...t![0]!.range }), "e.json:1,5-8");
  });
});

describe("JSON expressions: static analysis", () => {
  it("keywords", () => {
    const cases: [string, string | undefined][] = [
      ['"string"', "string"],
      ['"any"', "any"],
      ['"var.foo"', undefined],
      ['"list(string)"', undefined],
      ['"not valid!"', undefined],
      ["1", undefined],
      ["[]", undefined],
    ];
    for (const [src, want] of cases) assert.equal(exprAsKeyword(expr(src)), want, src);
  });

  it("traversals", () => {
    const cases: [string, string | undefined][] = [
      ['"var.foo"', "var.foo"],
      ['"sources.amazon-ebs.example"', "sources.amazon-ebs.example"],
      ['"source.file.x"', "source.file.x"],
      ['"var.list[0]"', "var.list[_]"],
      ['"foo"', "foo"],
      ['"1 + 2"', undefined],
      ['"${var.foo}"', undefined],
      ["true", undefined],
    ];
    for (const [src, want] of cases) {
      const { traversal, diags } = absTraversalForExpr(expr(src));
      if (want === undefined) {
        assert.equal(traversal, undefined, src);
        assert.equal(diags[0]?.summary, "Invalid expression", src);
      } else {
        assert.deepEqual(diags, [], src);
        assert.equal(traversalString(traversal!), want, src);
      }
    }
  });

  it("traversal ranges point into the string", () => {
    const { traversal } = absTraversalForExpr(expr('"var.foo"'));
    assert.equal(formatRange(traversal![0]!.range), "e.json:1,2-5");
    assert.equal(formatRange(traversal![1]!.range), "e.json:1,5-9");
  });

  it("calls", () => {
    const call = exprCall(expr('"list(string)"'));
    assert.ok(call);
    assert.equal(call.name, "list");
    assert.equal(call.args.length, 1);
    assert.equal(exprAsKeyword(call.args[0]!), "string");
    assert.equal(exprCall(expr('"string"')), undefined);
    assert.equal(exprCall(expr("[1]")), undefined);
    assert.equal(exprCall(expr('"list("')), undefined);
  });

  it("lists", () => {
    const list = exprList(expr('["a", 2, []]'));
    assert.ok(list);
    assert.equal(list.length, 3);
    assert.ok(list.every(isJSONExpression));
    assert.ok(list[1]!.value().value.rawEquals(Value.number(2)));
    assert.equal(exprList(expr('"[1]"')), undefined);
    assert.equal(exprList(expr("{}")), undefined);
  });

  it("maps", () => {
    const map = exprMap(expr('{"a": 1, "${b}": "c"}'));
    assert.ok(map);
    assert.deepEqual(
      map.map((i) => i.key.value().value.asString()),
      ["a", "${b}"],
    );
    assert.equal(formatRange(map[0]!.key.range), "e.json:1,2-5");
    assert.equal(map[1]!.key.value({ variables: { b: Value.string("B") } }).value.asString(), "B");
    assert.equal(exprMap(expr("[]")), undefined);
  });

  it("type constraints read from JSON strings", () => {
    const cases: [string, Type][] = [
      ['"string"', Type.string],
      ['"list(string)"', Type.list(Type.string)],
      ['"map(number)"', Type.map(Type.number)],
      [
        '"object({a = string, b = list(bool)})"',
        Type.object({ a: Type.string, b: Type.list(Type.bool) }),
      ],
      ['"any"', Type.dynamic],
    ];
    for (const [src, want] of cases) {
      const r = getTypeConstraint(expr(src));
      assert.deepEqual(r.diags, [], src);
      assert.ok(r.type.equals(want), src);
    }
  });
});

describe("JSON expressions: from a file", () => {
  it("attribute expressions evaluate both ways", () => {
    const r = parseJSON('{"greeting": "hello ${\\"world\\"}"}', "f.json");
    assert.deepEqual(r.diags, []);
    const { attributes, diags } = r.file.body.justAttributes();
    assert.deepEqual(diags, []);
    const e = attributes.greeting!.expr;
    assert.equal(e.value().value.asString(), 'hello ${"world"}');
    assert.equal(e.value({}).value.asString(), "hello world");
  });
});
