import assert from "node:assert/strict";
import { test } from "node:test";
import { canConvert, convert } from "../../../src/hcl/cty/convert.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { unify, unifyUnsafe } from "../../../src/hcl/cty/unify.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { list, map, N, S, set, v } from "./helpers.js";

const str = Type.string;
const num = Type.number;
const bool = Type.bool;
const dyn = Type.dynamic;

test("successful conversions", () => {
  const cases: [Value, Type, Value][] = [
    [N(1), str, S("1")],
    [N("1.50"), str, S("1.5")],
    [N("1e3"), str, S("1000")],
    [Value.true, str, S("true")],
    [S("12.5"), num, N("12.5")],
    [S("-0"), num, N("-0")],
    [S("true"), bool, Value.true],
    [S("1"), bool, Value.true],
    [S("0"), bool, Value.false],
    [v([1, "a"]), Type.list(str), list(S("1"), S("a"))],
    [v([1, "a"]), Type.list(dyn), list(S("1"), S("a"))],
    [v([1, 2]), Type.list(dyn), list(N(1), N(2))],
    [v(["b", "a", "b"]), Type.set(str), set(S("a"), S("b"))],
    [v([true, "x"]), Type.set(dyn), set(S("true"), S("x"))],
    [v({ b: 1, a: "x" }), Type.map(str), map({ a: S("x"), b: S("1") })],
    [v({ b: 1, a: 2 }), Type.map(dyn), map({ a: N(2), b: N(1) })],
    [map({ a: S("1") }), Type.object({ a: num }), v({ a: 1 })],
    [map({ a: S("1"), z: S("q") }), Type.object({ a: num }), v({ a: 1 })],
    [v({ a: 1, extra: true }), Type.object({ a: str }), v({ a: "1" })],
    [
      v({ b: 1 }),
      Type.object({ a: str, b: str }, ["a"]),
      Value.object({ a: Value.null(str), b: S("1") }),
    ],
    [list(S("b"), S("a")), Type.set(str), set(S("a"), S("b"))],
    [set(S("b"), S("a")), Type.list(str), list(S("a"), S("b"))],
    [list(N(1)), Type.list(str), list(S("1"))],
    [v([1, true]), Type.tuple([str, str]), v(["1", "true"])],
    [Value.emptyTuple, Type.list(str), Value.listEmpty(str)],
    [Value.emptyObject, Type.map(num), Value.mapEmpty(num)],
    [v([{ a: 1 }, { a: "x" }]), Type.list(dyn), list(v({ a: "1" }), v({ a: "x" }))],
    [S("x"), dyn, S("x")],
    [Value.null(dyn), Type.list(str), Value.null(Type.list(str))],
    [Value.dynamic, str, Value.unknown(str)],
    [Value.unknown(Type.tuple([num])), Type.list(dyn), Value.unknown(Type.list(num))],
    [Value.null(Type.list(str)), Type.list(dyn), Value.null(Type.list(str))],
    [S("5").mark("s"), num, N(5).mark("s")],
    [v([S("5").mark("s")]), Type.list(num), list(N(5).mark("s"))],
  ];
  for (const [input, want, expect] of cases) {
    const r = convert(input, want);
    assert.ok("value" in r, `${input} -> ${want}: ${"error" in r ? r.error : ""}`);
    assert.ok(r.value.rawEquals(expect), `${input} -> ${want}: got ${r.value}, want ${expect}`);
  }
});

test("conversion errors carry cty's messages", () => {
  const cases: [Value, Type, string][] = [
    [S("x"), num, "a number is required"],
    [S("yes"), bool, "a bool is required"],
    [S("True"), bool, 'a bool is required; to convert from string, use lowercase "true"'],
    [N(1), bool, "bool required"],
    [v([]), str, "string required"],
    [S("a"), Type.object({ x: str }), "object required"],
    [v({ y: 1 }), Type.object({ x: str }), 'attribute "x" is required'],
    [v({}), Type.object({ x: str, y: str }), 'attributes "x" and "y" are required'],
    [v({}), Type.object({ x: str, y: str, z: str }), 'attributes "x", "y", and "z" are required'],
    [v({ x: [] }), Type.object({ x: str }), 'attribute "x": string required'],
    [v([[]]), Type.list(str), "element 0: string required"],
    [v({ k: [] }), Type.map(str), 'element "k": string required'],
    [v([1, []]), Type.list(dyn), "all list elements must have the same type"],
    [v([1, []]), Type.set(dyn), "all set elements must have the same type"],
    [v({ a: 1, b: [] }), Type.map(dyn), "all map elements must have the same type"],
    [list(N(1)), Type.map(str), "map of string required"],
    [list(v([])), Type.list(str), "incorrect list element type: string required"],
    [v(["x"]), Type.list(num), "a number is required"],
    [S("x"), Type.list(str), "list of string required"],
    [v([1]), Type.tuple([str, str]), "tuple required"],
    [map({ a: S("x") }), Type.object({ b: str }), 'map has no element for required attribute "b"'],
    [Value.dynamic.mark("s"), Type.list(Type.dynamic), ""],
  ];
  for (const [input, want, msg] of cases) {
    const r = convert(input, want);
    if (msg === "") {
      assert.ok("value" in r);
      continue;
    }
    assert.ok("error" in r, `${input} -> ${want} should fail`);
    assert.equal(r.error, msg, `${input} -> ${want}`);
  }
});

test("canConvert distinguishes safe and unsafe", () => {
  const cases: [Type, Type, boolean, boolean][] = [
    [num, str, true, true],
    [str, num, false, true],
    [str, bool, false, true],
    [bool, num, false, false],
    [Type.list(str), Type.set(str), false, true],
    [Type.set(str), Type.list(str), true, true],
    [Type.map(str), Type.object({ a: str }), false, true],
    [Type.object({ a: str }), Type.map(str), true, true],
    [dyn, str, false, true],
    [str, dyn, true, true],
    [Type.tuple([num, str]), Type.list(str), true, true],
    [Type.tuple([num, bool]), Type.list(num), false, false],
  ];
  for (const [a, b, safe, unsafe] of cases) {
    assert.equal(canConvert(a, b, false), safe, `${a} -> ${b} safe`);
    assert.equal(canConvert(a, b, true), unsafe, `${a} -> ${b} unsafe`);
  }
});

test("unification", () => {
  const cases: [Type[], string | undefined, string | undefined][] = [
    // [types, safe result, unsafe result]
    [[num, str], "string", "string"],
    [[num, bool], undefined, undefined],
    [[str, bool, num], "string", "string"],
    [[num, num], "number", "number"],
    [[dyn, str], "any", "any"],
    [[Type.list(str), Type.list(num)], "list(string)", "list(string)"],
    [[Type.list(str), Type.list(dyn)], "list(any)", "list(any)"],
    [
      [Type.object({ a: num }), Type.object({ a: str })],
      "object({a=string})",
      "object({a=string})",
    ],
    [[Type.object({ a: num }), Type.object({ b: str })], "map(string)", "map(string)"],
    [[Type.tuple([num]), Type.tuple([str])], "tuple([string])", "tuple([string])"],
    [[Type.tuple([num]), Type.tuple([str, str])], "list(string)", "list(string)"],
    [[Type.list(str), Type.tuple([num])], "list(string)", "list(string)"],
    [[Type.map(str), Type.object({ a: num })], "map(string)", "map(string)"],
    [[Type.object({ a: num }), Type.tuple([])], undefined, undefined],
    [[Type.set(str), Type.list(str)], "list(string)", "list(string)"],
    [[], undefined, undefined],
  ];
  for (const [types, safe, uns] of cases) {
    assert.equal(unify(types)?.type.toString(), safe, `safe ${types.join(",")}`);
    assert.equal(unifyUnsafe(types)?.type.toString(), uns, `unsafe ${types.join(",")}`);
  }
  // `true ? 1 : "one"`: the number converts to string "1".
  const u = unifyUnsafe([num, str]);
  assert.ok(u);
  const c = u.conversions[0];
  assert.ok(c);
  assert.ok(c(N(1)).rawEquals(S("1")));
  assert.equal(u.conversions[1], undefined);
});
