// Table tests for the collection functions. Expected values were pinned
// against `packer console` (1.6.6) where it has the function with the same
// semantics; alltrue, anytrue, one, index (search), lookup without default,
// merge() and range's zero step follow current Packer/cty. Values are built
// like HCL literals: [..] is a tuple, {..} an object.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { collectionFunctions } from "../../../src/hcl/functions/collection.js";

const S = (s: string): Value => Value.string(s);
const N = (s: string | number): Value => {
  const v = Value.numberFromString(String(s));
  if (v === undefined) throw new Error(`bad number ${s}`);
  return v;
};
const B = (b: boolean): Value => Value.bool(b);
const T = (...vs: Value[]): Value => Value.tuple(vs);
const L = (...vs: Value[]): Value => Value.list(vs);
const SET = (...vs: Value[]): Value => Value.set(vs);
const O = (rec: Record<string, Value>): Value => Value.object(rec);
const M = (rec: Record<string, Value>): Value => Value.map(rec);
const NULL = Value.null(Type.dynamic);
const NULLS = Value.null(Type.string);
const UNK = Value.unknown(Type.string);
const LS = (...ss: string[]): Value =>
  ss.length === 0 ? Value.listEmpty(Type.string) : L(...ss.map(S));

type Want = Value | { error: string; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = collectionFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (want instanceof Value) {
    const got = f.call(args);
    assert.ok(got.rawEquals(want), `${fn}: got ${got}, want ${want}`);
    return;
  }
  assert.throws(
    () => f.call(args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `${fn}: not a FunctionError: ${e}`);
      assert.equal(e.message, want.error);
      if (want.arg !== undefined) {
        assert.ok(e instanceof ArgError, `${fn}: expected an ArgError`);
        assert.equal(e.argIndex, want.arg);
      }
      return true;
    },
  );
}

const cases: Case[] = [
  // alltrue / anytrue
  ["alltrue", [T(B(true), S("true"))], B(true)],
  ["alltrue", [T(B(true), B(false))], B(false)],
  ["alltrue", [T()], B(true)],
  ["alltrue", [L(B(true), Value.null(Type.bool))], B(false)],
  ["alltrue", [L(B(true), Value.unknown(Type.bool))], Value.unknown(Type.bool)],
  ["anytrue", [T(B(false), B(true))], B(true)],
  ["anytrue", [T()], B(false)],
  ["anytrue", [L(Value.null(Type.bool), B(false))], B(false)],
  ["anytrue", [L(Value.unknown(Type.bool), B(true))], B(true)],
  ["anytrue", [L(Value.unknown(Type.bool), B(false))], Value.unknown(Type.bool)],
  // chunklist
  [
    "chunklist",
    [T(S("a"), S("b"), S("c"), S("d"), S("e")), N(2)],
    L(LS("a", "b"), LS("c", "d"), LS("e")),
  ],
  ["chunklist", [T(), N(2)], Value.listEmpty(Type.list(Type.dynamic))],
  ["chunklist", [T(S("a")), N(0)], L(LS("a"))],
  ["chunklist", [T(N(1), S("a")), N(1)], L(LS("1"), LS("a"))],
  ["chunklist", [T(S("a")), N(-1)], { error: "the size argument must be positive" }],
  [
    "chunklist",
    [T(S("a")), N("1.5")],
    {
      error:
        "invalid size: value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    },
  ],
  // coalesce / coalescelist
  ["coalesce", [S(""), S("a")], S("a")],
  ["coalesce", [N(1), S("2")], S("1")],
  ["coalesce", [NULLS, S("b")], S("b")],
  ["coalesce", [UNK, S("b")], UNK],
  ["coalesce", [S(""), NULLS], { error: "no non-null, non-empty-string arguments" }],
  ["coalesce", [N(1), T(N(1))], { error: "all arguments must have the same type" }],
  ["coalesce", [], { error: "all arguments must have the same type" }],
  ["coalescelist", [T(), T(S("a"))], T(S("a"))],
  ["coalescelist", [T(S("a")), T()], T(S("a"))],
  ["coalescelist", [LS(), LS("x")], LS("x")],
  ["coalescelist", [T(), T()], { error: "no non-null arguments" }],
  ["coalescelist", [S("a")], { error: "coalescelist arguments must be lists or tuples" }],
  ["coalescelist", [], { error: "at least one argument is required" }],
  // compact
  ["compact", [T(S("a"), S(""), NULL, S("b"))], LS("a", "b")],
  ["compact", [T(S(""), S(""))], LS()],
  ["compact", [T(S("a"), N(1))], LS("a", "1")],
  ["compact", [L(S("a"), UNK)], Value.unknown(Type.list(Type.string))],
  // concat
  ["concat", [T(S("a"), S("b")), T(S("c"))], T(S("a"), S("b"), S("c"))],
  ["concat", [T(N(1)), T(S("a"))], T(N(1), S("a"))],
  ["concat", [LS("a"), LS("b")], LS("a", "b")],
  ["concat", [LS("a"), L(N(1))], LS("a", "1")],
  ["concat", [LS(), LS()], LS()],
  ["concat", [LS("a"), T(N(1))], T(S("a"), N(1))],
  [
    "concat",
    [T(S("a")), O({ a: N(1) })],
    { error: "all arguments must be lists or tuples; got object", arg: 1 },
  ],
  ["concat", [], { error: "at least one argument is required" }],
  // contains
  ["contains", [T(S("a"), S("b")), S("b")], B(true)],
  ["contains", [T(N(1), N(2)), S("1")], B(false)],
  ["contains", [T(S("a"), N(1)), N(1)], B(true)],
  ["contains", [T(T(S("a"))), T(S("a"))], B(true)],
  ["contains", [T(), N(1)], B(false)],
  ["contains", [SET(S("x"), S("y")), S("y")], B(true)],
  ["contains", [L(S("a"), UNK), S("b")], Value.unknown(Type.bool)],
  ["contains", [L(S("a"), UNK), S("a")], B(true)],
  ["contains", [S("a"), S("a")], { error: "argument must be list, tuple, or set" }],
  // distinct
  ["distinct", [T(S("a"), S("b"), S("a"))], LS("a", "b")],
  ["distinct", [T(N(1), N(2), N(1), S("1"))], LS("1", "2")],
  ["distinct", [T(T(N(1)), T(N(1)))], L(T(N(1)))],
  ["distinct", [T()], Value.listEmpty(Type.dynamic)],
  // element
  ["element", [T(S("a"), S("b"), S("c")), N(1)], S("b")],
  ["element", [T(S("a"), S("b"), S("c")), N(3)], S("a")],
  ["element", [T(S("a"), S("b"), S("c")), N(4)], S("b")],
  ["element", [T(S("a"), N(1)), N(1)], N(1)],
  ["element", [LS("x", "y"), N(5)], S("y")],
  [
    "element",
    [T(S("a"), S("b")), N(-1)],
    { error: "cannot use element function with a negative index" },
  ],
  ["element", [T(), N(0)], { error: "cannot use element function with an empty list" }],
  ["element", [LS(), N(0)], { error: "cannot use element function with an empty list" }],
  [
    "element",
    [T(S("a")), N("1.5")],
    {
      error:
        "invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    },
  ],
  ["element", [O({ a: N(1) }), N(0)], { error: "cannot read elements from object" }],
  ["element", [T(S("a"), N(1)), Value.unknown(Type.number)], Value.dynamic],
  // flatten
  ["flatten", [T(T(N(1), T(N(2), N(3))), N(4), T())], T(N(1), N(2), N(3), N(4))],
  ["flatten", [T(T(T(S("a"))), S("b"), T(T(T())))], T(S("a"), S("b"))],
  ["flatten", [T()], T()],
  ["flatten", [T(T(S("a")), O({ a: N(1) }))], T(S("a"), O({ a: N(1) }))],
  ["flatten", [T(NULL, T(N(1)))], T(NULL, N(1))],
  ["flatten", [L(LS("a"), LS("b", "c"))], T(S("a"), S("b"), S("c"))],
  ["flatten", [T(LS("a"), Value.unknown(Type.list(Type.string)))], Value.dynamic],
  ["flatten", [S("a")], { error: "can only flatten lists, sets and tuples" }],
  // index (search, as Packer's own index function)
  ["index", [T(S("a"), S("b"), S("c")), S("b")], N(1)],
  ["index", [LS("a", "b"), S("a")], N(0)],
  ["index", [T(N(1), N(2)), S("2")], { error: "item not found" }],
  ["index", [T(S("a")), S("c")], { error: "item not found" }],
  ["index", [T(), S("c")], { error: "cannot search an empty list" }],
  ["index", [O({ a: N(1) }), N(1)], { error: "argument must be a list or tuple" }],
  ["index", [L(UNK, S("b")), S("b")], Value.unknown(Type.number)],
  // keys
  ["keys", [O({ b: N(1), a: N(2) })], T(S("a"), S("b"))],
  ["keys", [O({})], T()],
  ["keys", [M({ z: N(1), y: N(2) })], LS("y", "z")],
  ["keys", [Value.mapEmpty(Type.string)], LS()],
  ["keys", [Value.unknown(Type.object({ q: Type.string }))], T(S("q"))],
  ["keys", [Value.unknown(Type.map(Type.string))], Value.unknown(Type.list(Type.string))],
  ["keys", [T(N(1))], { error: "must have map or object type", arg: 0 }],
  ["keys", [Value.null(Type.map(Type.string))], { error: "argument must not be null", arg: 0 }],
  // length
  ["length", [S("")], N(0)],
  ["length", [S("héllo")], N(5)],
  ["length", [S("e\u0301x")], N(2)],
  ["length", [S("👍🏽👍")], N(2)],
  ["length", [S("🇺🇸🇫🇷")], N(2)],
  ["length", [T()], N(0)],
  ["length", [T(S("a"), N(1))], N(2)],
  ["length", [O({ a: N(1) })], N(1)],
  ["length", [M({ a: N(1), b: N(2) })], N(2)],
  ["length", [SET(S("a"), S("b"), S("a"))], N(2)],
  ["length", [Value.unknown(Type.tuple([Type.string]))], N(1)],
  ["length", [Value.unknown(Type.list(Type.string))], Value.unknown(Type.number)],
  ["length", [UNK], Value.unknown(Type.number)],
  ["length", [Value.dynamic], Value.unknown(Type.number)],
  [
    "length",
    [N(1)],
    { error: "argument must be a string, a collection type, or a structural type" },
  ],
  ["length", [NULL], { error: "argument must not be null", arg: 0 }],
  // lookup
  ["lookup", [O({ a: S("ay"), b: S("bee") }), S("a"), S("what?")], S("ay")],
  ["lookup", [O({ a: S("ay"), b: S("bee") }), S("c"), S("what?")], S("what?")],
  ["lookup", [O({ a: N(1) }), S("a"), S("x")], N(1)],
  ["lookup", [O({ a: N(1), b: S("x") }), S("b"), N(5)], S("x")],
  ["lookup", [M({ a: S("1") }), S("b"), N(2)], S("2")],
  ["lookup", [M({ a: S("1") }), S("a")], S("1")],
  ["lookup", [O({ a: N(1) }), S("b"), NULL], NULL],
  ["lookup", [M({ a: S("1") }), S("b")], { error: 'lookup failed to find key "b"' }],
  ["lookup", [O({ a: N(1) }), S("b")], { error: 'the given object has no attribute "b"', arg: 0 }],
  [
    "lookup",
    [M({ a: S("1") }), S("b"), T(N(1))],
    { error: "the default value must have the same type as the map elements", arg: 2 },
  ],
  [
    "lookup",
    [T(N(1)), S("a"), N(1)],
    { error: "lookup() requires a map as the first argument", arg: 0 },
  ],
  [
    "lookup",
    [M({ a: S("1") }), S("a"), S("x"), S("y")],
    { error: "lookup() takes two or three arguments, got 4" },
  ],
  // merge
  [
    "merge",
    [O({ a: S("b"), c: S("d") }), O({ e: S("f"), c: S("z") })],
    O({ a: S("b"), c: S("z"), e: S("f") }),
  ],
  ["merge", [O({ a: N(1) }), O({ a: S("x") })], O({ a: S("x") })],
  ["merge", [O({ a: N(1) }), NULL], O({ a: N(1) })],
  ["merge", [M({ a: S("1") }), M({ b: S("2") })], M({ a: S("1"), b: S("2") })],
  ["merge", [M({ a: S("1") }), O({ b: N(2) })], O({ a: S("1"), b: N(2) })],
  ["merge", [], O({})],
  ["merge", [O({ a: N(1) }), T(N(1))], { error: 'arguments must be maps or objects, got "tuple"' }],
  // one
  ["one", [T()], NULL],
  ["one", [T(S("a"))], S("a")],
  ["one", [LS()], NULLS],
  ["one", [SET(N(1))], N(1)],
  [
    "one",
    [LS("a", "b")],
    { error: "must be a list, set, or tuple value with either zero or one elements", arg: 0 },
  ],
  [
    "one",
    [T(N(1), N(2))],
    { error: "must be a list, set, or tuple value with either zero or one elements", arg: 0 },
  ],
  // range
  ["range", [N(3)], L(N(0), N(1), N(2))],
  ["range", [N(-3)], L(N(0), N(-1), N(-2))],
  ["range", [N(1), N(4)], L(N(1), N(2), N(3))],
  ["range", [N(4), N(1)], L(N(4), N(3), N(2))],
  ["range", [N(0), N(1), N("0.25")], L(N(0), N("0.25"), N("0.5"), N("0.75"))],
  ["range", [N("0.5")], L(N(0))],
  ["range", [N(0)], Value.listEmpty(Type.number)],
  [
    "range",
    [N(1), N(4), N(-1)],
    { error: "end must be less than start when step is negative", arg: 1 },
  ],
  [
    "range",
    [N(4), N(1), N(1)],
    { error: "end must be greater than start when step is positive", arg: 1 },
  ],
  ["range", [N(0), N(1), N(0)], { error: "step must not be zero", arg: 2 }],
  [
    "range",
    [N(2000)],
    {
      error:
        "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
    },
  ],
  ["range", [], { error: "must have one, two, or three arguments" }],
  ["range", [N(1), N(2), N(3), N(4)], { error: "must have one, two, or three arguments" }],
  // reverse
  ["reverse", [T(N(1), S("a"))], T(S("a"), N(1))],
  ["reverse", [LS("a", "b", "c")], LS("c", "b", "a")],
  ["reverse", [SET(S("b"), S("a"))], LS("b", "a")],
  ["reverse", [T()], T()],
  ["reverse", [S("abc")], { error: "can only reverse list or tuple values, not string", arg: 0 }],
  // sets
  ["setintersection", [T(S("a"), S("b")), T(S("b"), S("c")), T(S("b"), S("d"))], SET(S("b"))],
  ["setintersection", [T(N(1)), T(S("1"))], SET(S("1"))],
  ["setintersection", [T(S("a")), T(S("b"))], Value.setEmpty(Type.string)],
  ["setunion", [T(S("b")), T(S("a"), S("b"))], SET(S("a"), S("b"))],
  ["setunion", [T(S("a")), T(N(1))], SET(S("1"), S("a"))],
  ["setunion", [T()], Value.setEmpty(Type.dynamic)],
  [
    "setunion",
    [T(N(1)), T(B(true))],
    { error: "given sets must all have compatible element types" },
  ],
  [
    "setproduct",
    [T(S("development"), S("staging")), T(S("app1"), S("app2"))],
    L(
      T(S("development"), S("app1")),
      T(S("development"), S("app2")),
      T(S("staging"), S("app1")),
      T(S("staging"), S("app2")),
    ),
  ],
  [
    "setproduct",
    [T(S("a"), S("b")), T(N(1), N(2))],
    L(T(S("a"), N(1)), T(S("a"), N(2)), T(S("b"), N(1)), T(S("b"), N(2))),
  ],
  ["setproduct", [T(N(1), S("a")), T(S("x"))], L(T(S("1"), S("x")), T(S("a"), S("x")))],
  ["setproduct", [SET(S("a")), LS("x")], SET(T(S("a"), S("x")))],
  ["setproduct", [T(S("a")), T()], Value.listEmpty(Type.tuple([Type.string, Type.dynamic]))],
  ["setproduct", [T(S("a"))], { error: "at least two arguments are required" }],
  ["setproduct", [T(S("a")), S("x")], { error: "a set or a list is required", arg: 1 }],
  [
    "setproduct",
    [T(N(1), T(N(1))), T(S("x"))],
    { error: "all elements must be of the same type", arg: 0 },
  ],
  // slice
  ["slice", [T(S("a"), S("b"), S("c"), S("d")), N(1), N(3)], T(S("b"), S("c"))],
  ["slice", [LS("a", "b", "c"), N(1), N(2)], LS("b")],
  ["slice", [LS("a", "b", "c"), N(3), N(3)], LS()],
  ["slice", [T(S("a")), N(1), N(1)], T()],
  [
    "slice",
    [T(S("a"), S("b"), S("c")), N(2), N(1)],
    { error: "start index must not be greater than end index", arg: 1 },
  ],
  [
    "slice",
    [T(S("a"), S("b"), S("c")), N(1), N(4)],
    { error: "end index must not be greater than the length of the list", arg: 2 },
  ],
  [
    "slice",
    [T(S("a"), S("b"), S("c")), N(-1), N(2)],
    { error: "start index must not be less than zero", arg: 1 },
  ],
  [
    "slice",
    [SET(S("a")), N(0), N(1)],
    {
      error:
        "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
      arg: 0,
    },
  ],
  ["slice", [T(S("a"), N(1)), N(0), Value.unknown(Type.number)], Value.dynamic],
  // sort (lexical, by code point)
  ["sort", [T(S("e"), S("d"), S("a"), S("x"))], LS("a", "d", "e", "x")],
  ["sort", [T(S("b"), S("a"), S("B"), S("10"), S("9"))], LS("10", "9", "B", "a", "b")],
  ["sort", [T(N(3), N(1), N(20))], LS("1", "20", "3")],
  ["sort", [T(S("\uffff"), S("😀"))], LS("\uffff", "😀")],
  ["sort", [T()], LS()],
  ["sort", [L(S("a"), UNK)], Value.unknown(Type.list(Type.string))],
  [
    "sort",
    [T(S("a"), NULL)],
    { error: "given list element 1 is null; a null string cannot be sorted" },
  ],
  // values
  ["values", [O({ a: N(3), c: N(2), d: N(1) })], T(N(3), N(2), N(1))],
  ["values", [O({ b: N(1), a: S("x") })], T(S("x"), N(1))],
  ["values", [O({})], T()],
  ["values", [M({ b: S("1"), a: S("2") })], LS("2", "1")],
  ["values", [T(N(1))], { error: "values() requires a map as the first argument" }],
  // zipmap
  ["zipmap", [T(S("a"), S("b")), T(N(1), N(2))], O({ a: N(1), b: N(2) })],
  ["zipmap", [T(S("a"), S("b")), T(N(1), S("x"))], O({ a: N(1), b: S("x") })],
  ["zipmap", [T(S("a"), S("a")), T(N(1), N(2))], O({ a: N(2) })],
  ["zipmap", [LS("a", "b"), LS("x", "y")], M({ a: S("x"), b: S("y") })],
  ["zipmap", [T(), T()], O({})],
  [
    "zipmap",
    [T(S("a")), T(N(1), N(2))],
    { error: "number of keys (1) does not match number of values (2)" },
  ],
  [
    "zipmap",
    [LS("a"), LS("x", "y")],
    { error: "number of keys (1) does not match number of values (2)" },
  ],
  ["zipmap", [T(S("a")), S("x")], { error: "values argument must be a list or tuple value" }],
];

describe("collection functions", () => {
  for (const c of cases) {
    it(`${c[0]}(${c[1].map(String).join(", ")})`, () => check(c));
  }

  it("exports every collection function", () => {
    assert.deepEqual(Object.keys(collectionFunctions).sort(), [
      "alltrue",
      "anytrue",
      "chunklist",
      "coalesce",
      "coalescelist",
      "compact",
      "concat",
      "contains",
      "distinct",
      "element",
      "flatten",
      "index",
      "keys",
      "length",
      "lookup",
      "merge",
      "one",
      "range",
      "reverse",
      "setintersection",
      "setproduct",
      "setunion",
      "slice",
      "sort",
      "values",
      "zipmap",
    ]);
  });

  it("propagates marks", () => {
    const got = collectionFunctions.keys?.call([O({ a: N(1) }).mark("sensitive")]);
    assert.ok(got?.hasMark("sensitive"));
  });
});
