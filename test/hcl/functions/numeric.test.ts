// Table tests for the numeric functions. Expected values were pinned against
// `packer console` (1.6.6) where it has the function; sum follows current
// Packer. Numbers are built like HCL literals (512-bit parse).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { fma, goExp, goLog, goPow, numericFunctions } from "../../../src/hcl/functions/numeric.js";

const S = (s: string): Value => Value.string(s);
const N = (s: string | number): Value => {
  const v = Value.numberFromString(String(s));
  if (v === undefined) throw new Error(`bad number ${s}`);
  return v;
};
const T = (...vs: Value[]): Value => Value.tuple(vs);
const INF = N(1).divide(N(0));

type Want = Value | { error: string; arg?: number } | ((v: Value) => void);
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = numericFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (want instanceof Value) {
    const got = f.call(args);
    assert.ok(got.rawEquals(want), `${fn}: got ${got}, want ${want}`);
    return;
  }
  if (typeof want === "function") {
    want(f.call(args));
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

/** Compare numbers by value, with the text packer prints for non-integers. */
const num =
  (text: string) =>
  (v: Value): void => {
    assert.ok(v.type.isNumber(), `not a number: ${v}`);
    assert.equal(v.asBigNum().toString(), text);
  };

const WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

const cases: Case[] = [
  // abs
  ["abs", [N("-1.5")], N("1.5")],
  ["abs", [S("-3")], N(3)],
  ["abs", [N(0)], N(0)],
  ["abs", [INF.negate()], INF],
  ["abs", [Value.null(Type.number)], { error: "argument must not be null", arg: 0 }],
  ["abs", [Value.unknown(Type.number)], Value.unknown(Type.number)],
  // ceil / floor
  ["ceil", [N("1.2")], N(2)],
  ["ceil", [N("-1.2")], N(-1)],
  ["ceil", [N("-0.5")], num("0")],
  ["ceil", [INF], INF],
  ["ceil", [N("1e30")], num("1000000000000000000000000000000")],
  ["ceil", [S("x")], { error: "a number is required", arg: 0 }],
  ["floor", [N("-1.5")], N(-2)],
  ["floor", [N(2)], N(2)],
  ["floor", [S("2.5")], N(2)],
  ["floor", [N("123456789012345678901234567890.5")], num("123456789012345678901234567890")],
  // log
  ["log", [N(8), N(2)], num("3")],
  ["log", [N(16), N(4)], num("2")],
  ["log", [N(1000), N(10)], num("2.9999999999999996")],
  ["log", [N(125), N(5)], num("3.0000000000000004")],
  ["log", [N(3), N(7)], num("0.5645750340535796")],
  ["log", [N(1), N(2)], num("0")],
  ["log", [N(0), N(10)], INF.negate()],
  ["log", [N(10), N(1)], INF],
  ["log", [N(-1), N(10)], { error: "cannot compute the logarithm: the result is not a number" }],
  // pow
  ["pow", [N(2), N(10)], num("1024")],
  ["pow", [N(2), N(-2)], num("0.25")],
  ["pow", [N(-2), N(3)], num("-8")],
  ["pow", [N(4), N("0.5")], num("2")],
  ["pow", [N(2), N("0.5")], num("1.4142135623730951")],
  ["pow", [N(27), N(1).divide(N(3))], num("2.9999999999999996")],
  ["pow", [N("1.5"), N("2.5")], num("2.7556759606310757")],
  ["pow", [N("5.5"), N("1.25")], num("8.422739362424162")],
  ["pow", [N("3.7"), N("10.3")], num("711996.3346353781")],
  ["pow", [N(10), N(300)], num(`10000000000000006${"0".repeat(284)}`)],
  ["pow", [N(7), N(22)], num("3909821048582988300")],
  ["pow", [N(10), N(400)], INF],
  ["pow", [N(0), N(-1)], INF],
  [
    "pow",
    [N(-8), N(1).divide(N(3))],
    { error: "cannot compute the power: the result is not a number" },
  ],
  // signum
  ["signum", [N(-5)], N(-1)],
  ["signum", [N(0)], N(0)],
  ["signum", [S("-3")], N(-1)],
  ["signum", [N(42)], N(1)],
  ["signum", [N("0.5")], { error: WHOLE }],
  ["signum", [N("1e30")], { error: WHOLE }],
  // max / min
  ["max", [N(1), N("2.5"), N(-3)], N("2.5")],
  ["max", [N(1), S("2.5")], N("2.5")],
  ["max", [N(-1), INF.negate()], N(-1)],
  ["min", [S("5"), N(3)], N(3)],
  ["min", [N(3), N(3)], N(3)],
  ["min", [N(1), Value.unknown(Type.number)], Value.unknown(Type.number)],
  ["max", [], { error: "must pass at least one number" }],
  ["min", [], { error: "must pass at least one number" }],
  // parseint
  ["parseint", [S("7fffffffffffffff"), N(16)], N("9223372036854775807")],
  ["parseint", [S("ffffffffffffffffffffffff"), N(16)], num("79228162514264337593543950335")],
  ["parseint", [S("-101"), N(2)], N(-5)],
  ["parseint", [S("+101"), N(2)], N(5)],
  ["parseint", [S("-0"), N(10)], N(0)],
  ["parseint", [S("FF"), N(16)], N(255)],
  ["parseint", [S("zz"), N(36)], N(1295)],
  ["parseint", [S("ZZ"), N(62)], N(3843)],
  ["parseint", [S("zz"), N(62)], N(2205)],
  ["parseint", [S("12"), S("10")], N(12)],
  ["parseint", [S("0x1f"), N(16)], { error: 'cannot parse "0x1f" as a base 16 integer', arg: 0 }],
  ["parseint", [S(""), N(10)], { error: 'cannot parse "" as a base 10 integer', arg: 0 }],
  ["parseint", [S("1_000"), N(10)], { error: 'cannot parse "1_000" as a base 10 integer', arg: 0 }],
  ["parseint", [S(" 1"), N(10)], { error: 'cannot parse " 1" as a base 10 integer', arg: 0 }],
  ["parseint", [S("1e3"), N(10)], { error: 'cannot parse "1e3" as a base 10 integer', arg: 0 }],
  ["parseint", [S("1f"), N("16.5")], { error: WHOLE, arg: 1 }],
  [
    "parseint",
    [S("12"), N(1)],
    { error: "base must be a whole number between 2 and 62 inclusive", arg: 1 },
  ],
  [
    "parseint",
    [S("12"), N(63)],
    { error: "base must be a whole number between 2 and 62 inclusive", arg: 1 },
  ],
  ["parseint", [N(12), N(10)], { error: "first argument must be a string, not number", arg: 0 }],
  // sum (current Packer)
  ["sum", [T(N(1), N(2), N("3.5"))], N("6.5")],
  ["sum", [T(S("1"), N(2))], N(3)],
  ["sum", [Value.set([N(1), N(2)])], N(3)],
  ["sum", [Value.list([N(1), Value.unknown(Type.number)])], Value.unknown(Type.number)],
  ["sum", [T()], { error: "cannot sum an empty list", arg: 0 }],
  ["sum", [N(1)], { error: "cannot sum noniterable", arg: 0 }],
  [
    "sum",
    [Value.object({ a: N(1) })],
    { error: "argument must be list, set, or tuple. Received object", arg: 0 },
  ],
  [
    "sum",
    [T(Value.null(Type.number))],
    { error: "argument must be list, set, or tuple of number values", arg: 0 },
  ],
  [
    "sum",
    [T(N(1), S("x"))],
    { error: "argument must be list, set, or tuple of number values", arg: 0 },
  ],
  ["sum", [T(INF, INF.negate())], { error: "can't compute sum of opposing infinities" }],
];

describe("numeric functions", () => {
  for (const c of cases) {
    it(`${c[0]}(${c[1].map(String).join(", ")})`, () => check(c));
  }

  it("exports every numeric function", () => {
    assert.deepEqual(Object.keys(numericFunctions).sort(), [
      "abs",
      "ceil",
      "floor",
      "log",
      "max",
      "min",
      "parseint",
      "pow",
      "signum",
      "sum",
    ]);
  });
});

describe("Go float64 math helpers", () => {
  it("fma rounds once", () => {
    // 0.1*10 - 1 is exactly 2^-54 before rounding; a separate multiply loses it.
    assert.equal(0.1 * 10 - 1, 0);
    assert.equal(fma(0.1, 10, -1), 2 ** -54);
    assert.equal(fma(2, 3, 4), 10);
  });
  it("goExp and goLog match Go on amd64", () => {
    assert.equal(goExp(0.5 * goLog(1.5)), 1.2247448713915892);
    assert.equal(goExp(0), 1);
    assert.equal(goExp(-1000), 0);
    assert.equal(goExp(710), Number.POSITIVE_INFINITY);
    assert.equal(goLog(1), 0);
    assert.ok(Number.isNaN(goLog(-1)));
  });
  it("goPow handles Go's special cases", () => {
    assert.equal(goPow(-2, 0.5), Number.NaN);
    assert.equal(goPow(-1, Number.POSITIVE_INFINITY), 1);
    assert.equal(goPow(0.5, Number.POSITIVE_INFINITY), 0);
    assert.equal(goPow(-0, -3), Number.NEGATIVE_INFINITY);
    assert.equal(goPow(2, -1074), 5e-324);
  });
});
