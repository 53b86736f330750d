import assert from "node:assert/strict";
import { test } from "node:test";
import { compareStrings, Type } from "../../../src/hcl/cty/type.js";

const str = Type.string;
const num = Type.number;

test("names and type expressions", () => {
  const cases: [Type, string, string, string][] = [
    // [type, friendlyName, friendlyNameForConstraint, toString]
    [str, "string", "string", "string"],
    [Type.dynamic, "dynamic", "any type", "any"],
    [Type.list(str), "list of string", "list of string", "list(string)"],
    [Type.map(Type.dynamic), "map of dynamic", "map of any type", "map(any)"],
    [
      Type.set(Type.list(num)),
      "set of list of number",
      "set of list of number",
      "set(list(number))",
    ],
    [Type.tuple([str, num]), "tuple", "tuple", "tuple([string,number])"],
    [Type.object({ b: num, a: str }), "object", "object", "object({a=string,b=number})"],
    [Type.object({ "x y": str }, ["x y"]), "object", "object", 'object({"x y"=optional(string)})'],
    [
      Type.list(Type.map(str)),
      "list of map of string",
      "list of map of string",
      "list(map(string))",
    ],
  ];
  for (const [t, fn, fc, ts] of cases) {
    assert.equal(t.friendlyName(), fn);
    assert.equal(t.friendlyNameForConstraint(), fc);
    assert.equal(t.toString(), ts);
  }
});

test("equality and structure", () => {
  assert.ok(Type.list(str).equals(Type.list(str)));
  assert.ok(!Type.list(str).equals(Type.set(str)));
  assert.ok(Type.object({ a: str, b: num }).equals(Type.object({ b: num, a: str })));
  assert.ok(!Type.object({ a: str }).equals(Type.object({ a: str }, ["a"])));
  assert.ok(!Type.tuple([str]).equals(Type.tuple([num])));
  assert.ok(Type.tuple([]).equals(Type.emptyTuple));
  assert.ok(Type.object({}).equals(Type.emptyObject));
  const o = Type.object({ a: str, b: Type.list(Type.dynamic) }, ["b", "nope"]);
  assert.ok(o.attributeOptional("b") && !o.attributeOptional("a"));
  assert.ok(o.hasAttribute("a") && !o.hasAttribute("c"));
  assert.deepEqual(Object.keys(o.attributeTypes()), ["a", "b"]);
  assert.ok(o.hasDynamicTypes());
  assert.ok(!Type.list(str).hasDynamicTypes());
  assert.ok(
    o.withoutOptionalAttributesDeep().equals(Type.object({ a: str, b: Type.list(Type.dynamic) })),
  );
  assert.ok(Type.list(str).elementType().equals(str));
  assert.deepEqual(
    Type.tuple([str, num])
      .tupleElementTypes()
      .map((t) => t.kind),
    ["string", "number"],
  );
  assert.ok(Type.map(str).isCollection() && !Type.tuple([]).isCollection());
  assert.ok(str.isPrimitive() && !Type.dynamic.isPrimitive());
  assert.throws(() => str.elementType());
});

test("compareStrings orders by code point", () => {
  const sorted = ["b", "\u{1F600}", "a", "\uFFFD", "B", "ab", ""].sort(compareStrings);
  assert.deepEqual(sorted, ["", "B", "a", "ab", "b", "\uFFFD", "\u{1F600}"]);
});

test("types are interned", () => {
  assert.equal(Type.list(Type.map(str)), Type.list(Type.map(str)));
  assert.equal(Type.tuple([str, num]), Type.tuple([str, num]));
  assert.notEqual(Type.tuple([str, num]), Type.tuple([num, str]));
  assert.equal(Type.object({ a: str, b: num }), Type.object({ b: num, a: str }));
  assert.notEqual(Type.object({ a: str }), Type.object({ a: str }, ["a"]));
  assert.equal(Type.object({ "10": str, "9": num }).attributeNames().join(","), "10,9");
});
