import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describeVariableForDiagnostic,
  formatForConsole,
  formatForDiagnostic,
} from "../../../src/hcl/cty/format.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { list, map, N, S, set, v } from "./helpers.js";

test("console output matches packer 1.6.6", () => {
  const cases: [Value, string][] = [
    [N(1).divide(N(3)), "0.3333333333333333"],
    [v([1, 2, "a"]), '[\n  1,\n  2,\n  "a",\n]'],
    [v({ a: 1, b: "x" }), '{\n  "a" = 1\n  "b" = "x"\n}'],
    [N(1).divide(N(0)), "+Inf"],
    [v([N(1).divide(N(0))]), "[\n  +Inf,\n]"],
    [N("9223372036854775807"), "9223372036854775807"],
    [N("9223372036854775808"), "9.223372036854776e+18"],
    [N("-9223372036854775809"), "-9.223372036854776e+18"],
    [N("1e30"), "1e+30"],
    [N("1e15"), "1000000000000000"],
    [N("1e-7"), "1e-07"],
    [N("0.0001"), "0.0001"],
    [N("1234567.5"), "1.2345675e+06"],
    [N("-0"), "0"],
    [S("a"), "a"],
    [S("a\nb"), "a\nb"],
    [v(["a\nb", 'q"x']), '[\n  "a\\nb",\n  "q\\"x",\n]'],
    [
      v(["é", "\t", "\u0001", "\u00ff", "\u{1F600}", "\\"]),
      '[\n  "é",\n  "\\t",\n  "\\x01",\n  "ÿ",\n  "😀",\n  "\\\\",\n]',
    ],
    [Value.null(Type.dynamic), "null"],
    [Value.emptyTuple, "[]"],
    [Value.emptyObject, "{}"],
    [v([[1, []], { a: {} }]), '[\n  [\n    1,\n    [],\n  ],\n  {\n    "a" = {}\n  },\n]'],
    [v({ "a b": 1, "1": 2 }), '{\n  "1" = 2\n  "a b" = 1\n}'],
    [v([null]), "[\n  null,\n]"],
    [v({ a: null }), "{}"],
    [v([{ a: null, b: 1 }]), '[\n  {\n    "b" = 1\n  },\n]'],
    [v({ a: [null] }), '{\n  "a" = [\n    null,\n  ]\n}'],
    [Value.true, "true"],
    [v({ a: "x", "b c": ["p", "q"] }), '{\n  "a" = "x"\n  "b c" = [\n    "p",\n    "q",\n  ]\n}'],
    [
      v({ a: { b: { c: 1 } }, d: [[1]] }),
      '{\n  "a" = {\n    "b" = {\n      "c" = 1\n    }\n  }\n  "d" = [\n    [\n      1,\n    ],\n  ]\n}',
    ],
    [Value.unknown(Type.string), "<unknown>"],
    [v([1, Value.unknown(Type.string)]), "<unknown>"],
    [set(S("b"), S("a")), '[\n  "a",\n  "b",\n]'],
    [map({ k: list(S("v")) }), '{\n  "k" = [\n    "v",\n  ]\n}'],
  ];
  for (const [val, want] of cases) assert.equal(formatForConsole(val), want, `${val}`);
});

test("console redaction of marked values", () => {
  const s = S("secret").mark("sensitive");
  assert.equal(formatForConsole(s), "secret");
  assert.equal(formatForConsole(s, { redactMarked: true }), "<sensitive>");
  assert.equal(formatForConsole(v([s]), { redactMarked: true }), '[\n  "<sensitive>",\n]');
});

test("diagnostic rendering", () => {
  const cases: [Value, string][] = [
    [S("foo"), '"foo"'],
    [S('a"b'), '"a\\"b"'],
    [N(1), "1"],
    [N("3.14159265358979"), "3.141592654"],
    [N("123456789012"), "1.23456789e+11"],
    [Value.true, "true"],
    [Value.null(Type.string), "null"],
    [Value.unknown(Type.string), "(not yet known)"],
    [list(S("a"), S("b"), S("c")), "list of string with 3 elements"],
    [list(S("a")), "list of string with 1 element"],
    [Value.listEmpty(Type.string), "empty list of string"],
    [Value.emptyTuple, "empty tuple"],
    [v([1, "a"]), "tuple with 2 elements"],
    [map({ a: N(1) }), "map of number with 1 element"],
    [Value.emptyObject, "object with no attributes"],
    [v({ a: 1 }), 'object with 1 attribute "a"'],
    [v({ a: 1, b: 2 }), "object with 2 attributes"],
  ];
  for (const [val, want] of cases) assert.equal(formatForDiagnostic(val), want);
  const stmts: [string, Value, string][] = [
    ["var.x", S("foo"), 'var.x is "foo"'],
    ["var.s", S("foo").mark("sensitive"), "var.s has a sensitive value"],
    ["var.u", Value.unknown(Type.string), "var.u is a string, known only after apply"],
    ["var.d", Value.dynamic, "var.d will be known only after apply"],
  ];
  for (const [name, val, want] of stmts)
    assert.equal(describeVariableForDiagnostic(name, val), want);
});
