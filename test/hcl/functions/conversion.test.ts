// Table tests for the type conversion functions (absent from packer 1.6.6;
// semantics and messages follow cty's MakeToFunc as current Packer uses it).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { conversionFunctions } from "../../../src/hcl/functions/conversion.js";

const S = (s: string): Value => Value.string(s);
const N = (n: number | string): Value => Value.numberFromString(String(n)) as Value;
const B = (b: boolean): Value => Value.bool(b);
const T = (...vs: Value[]): Value => Value.tuple(vs);
const L = (...vs: Value[]): Value => Value.list(vs);
const SET = (...vs: Value[]): Value => Value.set(vs);
const O = (rec: Record<string, Value>): Value => Value.object(rec);
const M = (rec: Record<string, Value>): Value => Value.map(rec);

type Want = Value | { error: string };
type Case = [fn: string, arg: Value, want: Want];

function check([fn, arg, want]: Case): void {
  const f = conversionFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (want instanceof Value) {
    const got = f.call([arg]);
    assert.ok(got.rawEquals(want), `${fn}(${arg}): got ${got}, want ${want}`);
    return;
  }
  assert.throws(
    () => f.call([arg]),
    (e: unknown) => {
      assert.ok(e instanceof ArgError, `${fn}: not an ArgError: ${e}`);
      assert.equal(e.argIndex, 0);
      assert.equal(e.message, want.error);
      return true;
    },
  );
}

const cases: Case[] = [
  // tostring
  ["tostring", S("x"), S("x")],
  ["tostring", N(1.5), S("1.5")],
  ["tostring", N("12345678901234567890"), S("12345678901234567890")],
  ["tostring", B(true), S("true")],
  ["tostring", Value.null(Type.dynamic), Value.null(Type.string)],
  ["tostring", Value.null(Type.number), Value.null(Type.string)],
  ["tostring", T(N(1)), { error: "cannot convert tuple to string" }],
  ["tostring", L(S("a")), { error: "cannot convert list of string to string" }],
  ["tostring", O({ a: S("b") }), { error: "cannot convert object to string" }],
  // tonumber
  ["tonumber", S("12"), N(12)],
  ["tonumber", S("-1.5e3"), N(-1500)],
  ["tonumber", N(3), N(3)],
  ["tonumber", Value.null(Type.string), Value.null(Type.number)],
  [
    "tonumber",
    S("x"),
    {
      error:
        'cannot convert "x" to number; given string must be a decimal representation of a number',
    },
  ],
  [
    "tonumber",
    S("0x10"),
    {
      error:
        'cannot convert "0x10" to number; given string must be a decimal representation of a number',
    },
  ],
  ["tonumber", B(true), { error: "cannot convert bool to number" }],
  ["tonumber", T(), { error: "cannot convert tuple to number" }],
  // tobool
  ["tobool", S("true"), B(true)],
  ["tobool", S("false"), B(false)],
  ["tobool", B(false), B(false)],
  ["tobool", Value.null(Type.string), Value.null(Type.bool)],
  [
    "tobool",
    S("yes"),
    { error: 'cannot convert "yes" to bool; only the strings "true" or "false" are allowed' },
  ],
  ["tobool", N(1), { error: "cannot convert number to bool" }],
  // tolist
  ["tolist", T(S("a"), S("b")), L(S("a"), S("b"))],
  ["tolist", T(S("a"), N(1), B(true)), L(S("a"), S("1"), S("true"))],
  ["tolist", SET(S("b"), S("a")), L(S("a"), S("b"))],
  ["tolist", T(), Value.listEmpty(Type.dynamic)],
  ["tolist", L(N(1)), L(N(1))],
  ["tolist", T(S("a"), T()), { error: "cannot convert tuple to list of any single type" }],
  ["tolist", O({ a: S("x") }), { error: "cannot convert object to list of any single type" }],
  ["tolist", S("a"), { error: "cannot convert string to list of any single type" }],
  // toset
  ["toset", T(S("b"), S("a"), S("a")), SET(S("a"), S("b"))],
  ["toset", T(N(1), S("1")), SET(S("1"))],
  ["toset", L(S("x")), SET(S("x"))],
  ["toset", T(O({}), S("a")), { error: "cannot convert tuple to set of any single type" }],
  // tomap
  ["tomap", O({ a: S("x"), b: N(1) }), M({ a: S("x"), b: S("1") })],
  ["tomap", O({ a: L(S("x")), b: T(S("y")) }), M({ a: L(S("x")), b: L(S("y")) })],
  ["tomap", M({ a: B(true) }), M({ a: B(true) })],
  ["tomap", O({ a: S("x"), b: T() }), { error: "cannot convert object to map of any single type" }],
  ["tomap", T(), { error: "cannot convert tuple to map of any single type" }],
];

describe("conversion functions", () => {
  for (const c of cases) it(`${c[0]}(${c[1]})`, () => check(c));

  it("return an unknown of the target type for unknown arguments", () => {
    const s = conversionFunctions.tostring?.call([Value.unknown(Type.number)]);
    assert.ok(s && !s.isKnown() && s.type.equals(Type.string));
    const l = conversionFunctions.tolist?.call([Value.dynamic]);
    assert.ok(l && !l.isKnown() && l.type.isList());
  });

  it("keep marks", () => {
    const got = conversionFunctions.tostring?.call([N(1).mark("sensitive")]);
    assert.ok(got?.hasMark("sensitive"));
    assert.equal(got?.unmark()[0].asString(), "1");
  });

  it("have the static return type of their target", () => {
    assert.ok(conversionFunctions.tostring?.returnType([Type.number]).equals(Type.string));
    assert.ok(
      conversionFunctions.tolist?.returnType([Type.dynamic]).equals(Type.list(Type.dynamic)),
    );
    assert.throws(
      () => conversionFunctions.tonumber?.returnType([Type.list(Type.string)]),
      ArgError,
    );
  });
});
