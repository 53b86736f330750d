import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ArgError,
  FunctionError,
  FunctionImpl,
  staticReturnType,
} from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { N, S, v } from "./helpers.js";

let implCalls = 0;
const upper = new FunctionImpl({
  description: "uppercase",
  params: [{ name: "str", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => {
    implCalls++;
    return Value.string((args[0] as Value).asString().toUpperCase());
  },
});

const join = new FunctionImpl({
  params: [{ name: "sep", type: Type.string }],
  varParam: { name: "lists", type: Type.list(Type.string) },
  type: staticReturnType(Type.string),
  impl: (args) =>
    Value.string(
      args
        .slice(1)
        .flatMap((l) => l.elements().map((e) => e.asString()))
        .join((args[0] as Value).asString()),
    ),
});

const coalesce = new FunctionImpl({
  params: [],
  varParam: { name: "vals", type: Type.dynamic, allowNull: true, allowUnknown: true },
  type: (args) => (args[0] ? args[0].type : Type.dynamic),
  impl: (args) => args.find((a) => !a.isNull()) ?? Value.null(Type.dynamic),
});

const failing = new FunctionImpl({
  params: [{ name: "x", type: Type.number }],
  type: staticReturnType(Type.number),
  impl: () => {
    throw new Error("boom");
  },
});

test("call converts arguments and returns results", () => {
  const cases: [FunctionImpl, Value[], Value][] = [
    [upper, [S("abc")], S("ABC")],
    [upper, [N(12)], S("12")],
    [join, [S("-"), v(["a", 1]), v(["b"])], S("a-1-b")],
    [join, [S(",")], S("")],
    [upper, [Value.unknown(Type.string)], Value.unknown(Type.string)],
    [upper, [Value.dynamic], Value.unknown(Type.string)],
    [coalesce, [Value.null(Type.string), S("x")], S("x")],
  ];
  for (const [f, args, want] of cases) {
    const got = f.call(args);
    assert.ok(got.rawEquals(want), `got ${got}, want ${want}`);
  }
  // coalesce type function sees the first arg's type; impl picks first non-null.
  assert.ok(coalesce.call([S("a"), S("b")]).rawEquals(S("a")));
});

test("unknown arguments short-circuit without calling impl", () => {
  implCalls = 0;
  upper.call([Value.unknown(Type.string)]);
  assert.equal(implCalls, 0);
  upper.call([S("a")]);
  assert.equal(implCalls, 1);
});

test("marks are removed for the impl and reapplied", () => {
  const r = upper.call([S("secret").mark("sensitive")]);
  assert.equal(r.asString(), "SECRET");
  assert.ok(r.hasMark("sensitive"));
  const r2 = join.call([S(","), Value.tuple([S("a").mark("m"), S("b")])]);
  assert.ok(r2.hasMark("m"));
  assert.equal(r2.asString(), "a,b");
});

test("errors", () => {
  const cases: [() => unknown, string, number | undefined][] = [
    [() => upper.call([]), "wrong number of arguments (1 required; 0 given)", undefined],
    [
      () => upper.call([S("a"), S("b")]),
      "wrong number of arguments (1 required; 2 given)",
      undefined,
    ],
    [() => join.call([]), "wrong number of arguments (at least 1 required; 0 given)", undefined],
    [() => upper.call([Value.null(Type.string)]), "argument must not be null", 0],
    [() => upper.call([v([])]), "string required", 0],
    [() => join.call([S(","), v(["a"]), S("x")]), "list of string required", 2],
    [() => failing.call([N(1)]), "boom", undefined],
  ];
  for (const [f, msg, argIndex] of cases) {
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof FunctionError, String(e));
      assert.equal(e.message, msg);
      if (argIndex === undefined) assert.ok(!(e instanceof ArgError));
      else {
        assert.ok(e instanceof ArgError);
        assert.equal(e.argIndex, argIndex);
      }
      return true;
    });
  }
});

test("returnType", () => {
  assert.ok(upper.returnType([Type.string]).equals(Type.string));
  assert.ok(upper.returnType([Type.dynamic]).equals(Type.dynamic));
  assert.ok(coalesce.returnType([Type.number, Type.string]).equals(Type.number));
  assert.equal(upper.params.length, 1);
  assert.equal(join.varParam?.name, "lists");
  assert.equal(upper.description, "uppercase");
});
