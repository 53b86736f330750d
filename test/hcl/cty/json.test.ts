import assert from "node:assert/strict";
import { test } from "node:test";
import { FunctionError } from "../../../src/hcl/cty/function.js";
import { jsonDecode, jsonEncode, jsonImpliedType } from "../../../src/hcl/cty/json.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { list, map, N, S, set, v } from "./helpers.js";

test("encode (outputs from packer 1.6.6 jsonencode)", () => {
  const cases: [Value, string][] = [
    [v({ a: "<>&" }), '{"a":"\\u003c\\u003e\\u0026"}'],
    [v({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}'],
    [v([null]), "[null]"],
    [S("\u0008\u000c\u2028\u007f\u0000é"), '"\\u0008\\u000c\\u2028\u007f\\u0000é"'],
    [S('q"\\\n\r\t'), '"q\\"\\\\\\n\\r\\t"'],
    [N("12345678901234567890"), "12345678901234567890"],
    [N(1).divide(N(3)).multiply(N(0)), "0"],
    [N("0.1"), "0.1"],
    [N("1e30"), "1000000000000000000000000000000"],
    [N("-0"), "-0"],
    [set(S("b"), S("a")), '["a","b"]'],
    [map({ z: N(1), a: N(2) }), '{"a":2,"z":1}'],
    [list(S("x")), '["x"]'],
    [Value.null(Type.string), "null"],
    [Value.emptyObject, "{}"],
  ];
  for (const [val, want] of cases) assert.equal(jsonEncode(val), want);
});

test("encode errors", () => {
  const cases: [Value, string][] = [
    [N(1).divide(N(0)), "cannot serialize infinity as JSON"],
    [Value.unknown(Type.string), "value is not known"],
    [v([Value.unknown(Type.string)]), "value is not known"],
    [S("x").mark("s"), "value has marks, so it cannot be serialized as JSON"],
  ];
  for (const [val, msg] of cases) {
    assert.throws(
      () => jsonEncode(val),
      (e: unknown) => e instanceof FunctionError && e.message === msg,
    );
  }
});

test("decode", () => {
  const cases: [string, Value][] = [
    ["1", N(1)],
    [" 1 ", N(1)],
    ["1.50", N("1.5")],
    ["-0", N("-0")],
    ['"a\\u00e9\\n"', S("aé\n")],
    ['"\\ud83d\\ude00"', S("\u{1F600}")],
    ['"\\ud800"', S("\ufffd")],
    ["true", Value.true],
    ["null", Value.null(Type.dynamic)],
    ["[]", Value.emptyTuple],
    ["{}", Value.emptyObject],
    ['[null, 1.50, "x", {"b":true,"a":[]}]', v([null, N("1.5"), "x", { a: [], b: true }])],
    ['{"a":1,"a":2}', v({ a: 2 })],
    ["1 ]", N(1)],
  ];
  for (const [text, want] of cases) {
    const got = jsonDecode(text);
    assert.ok(got.rawEquals(want), `${text}: got ${got}, want ${want}`);
  }
  assert.equal(jsonDecode("1e400").asBigNum().toConsoleString(), "+Inf");
  assert.equal(jsonDecode("0.1").asBigNum().prec, 512);
  assert.equal(
    jsonImpliedType('{"a":[1,"x"],"b":null}').toString(),
    "object({a=tuple([number,string]),b=any})",
  );
});

test("decode errors (messages from packer 1.6.6 jsondecode)", () => {
  const cases: [string, string][] = [
    ["", "EOF"],
    ["{", "EOF"],
    ["[1,", "EOF"],
    ["x", "invalid character 'x' looking for beginning of value"],
    ["1 2", "extraneous data after JSON object"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ["[1 2]", "invalid character '2' after array element"],
    ["01", "extraneous data after JSON object"],
    ["1.", "unexpected EOF"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ["{1:2}", "invalid character '1'"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ["tru", "unexpected EOF"],
    ["trux", "invalid character 'x' in literal true (expecting 'e')"],
    ["-x", "invalid character 'x' in numeric literal"],
    ["1.x", "invalid character 'x' after decimal point in numeric literal"],
    ["1ex", "invalid character 'x' in exponent of numeric literal"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"abc', "unexpected EOF"],
  ];
  for (const [text, msg] of cases) {
    assert.throws(
      () => jsonDecode(text),
      (e: unknown) => {
        assert.ok(e instanceof FunctionError);
        assert.equal(e.message, msg, JSON.stringify(text));
        return true;
      },
    );
  }
});

test("encode/decode round trip", () => {
  const val = v({ list: [1, "two", { three: [true, null] }], n: N("3.25") });
  const back = jsonDecode(jsonEncode(val));
  assert.equal(jsonEncode(back), jsonEncode(val));
});
