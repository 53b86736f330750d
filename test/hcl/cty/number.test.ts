import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ArithmeticError, BigNum, formatFloatG } from "../../../src/hcl/cty/number.js";

const P = (s: string): BigNum => {
  const b = BigNum.parse(s);
  if (b === undefined) throw new Error(`bad literal ${s}`);
  return b;
};

/** Evaluate `a op b [op c]` left to right (all ops in a row share precedence). */
function calc(toks: string[]): BigNum {
  let acc = P(toks[0] as string);
  for (let i = 1; i < toks.length; i += 2) {
    const b = P(toks[i + 1] as string);
    switch (toks[i]) {
      case "+":
        acc = acc.add(b);
        break;
      case "-":
        acc = acc.sub(b);
        break;
      case "*":
        acc = acc.mul(b);
        break;
      case "/":
        acc = acc.div(b);
        break;
      case "%":
        acc = acc.mod(b);
        break;
      default:
        throw new Error(`bad op ${toks[i]}`);
    }
  }
  return acc;
}

// [expression tokens, packer console output, jsonencode output] from packer 1.6.6.
const oracle: [string[], string, string][] = [
  [
    ["1", "/", "3"],
    "0.3333333333333333",
    "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335",
  ],
  [
    ["2", "/", "3"],
    "0.6666666666666666",
    "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667",
  ],
  [["10", "/", "4"], "2.5", "2.5"],
  [["1", "/", "7", "*", "7"], "1", "1"],
  [["0.1", "+", "0.2"], "0.3", "0.3"],
  [["0.1", "*", "3"], "0.3", "0.3"],
  [["1e20", "+", "1"], "1e+20", "100000000000000000001"],
  [["123456789.123456789", "*", "1000"], "1.2345678912345679e+11", "123456789123.456789"],
  [
    ["3.14159265358979323846264338327950288419716939937510582097494459", "+", "1"],
    "4.141592653589793",
    "4.14159265358979323846264338327950288419716939937510582097494459",
  ],
  [["9007199254740993", "+", "0"], "9007199254740993", "9007199254740993"],
  [["9007199254740993", "*", "2"], "18014398509481986", "18014398509481986"],
  [["-7", "/", "2"], "-3.5", "-3.5"],
  [
    ["1", "-", "0.9"],
    "0.1",
    "0.10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003",
  ],
  [
    ["1e-10", "/", "3"],
    "3.3333333333333335e-11",
    "0.000000000033333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333",
  ],
  [
    ["2e300", "*", "2e300"],
    "+Inf",
    "4000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
  ],
  [
    ["1e-300", "*", "1e-300"],
    "0",
    "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000009999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999",
  ],
  [["100", "/", "3", "*", "3"], "100", "100"],
  [["0.5", "-", "0.25"], "0.25", "0.25"],
  [
    ["123.456", "-", "123"],
    "0.456",
    "0.4560000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000039",
  ],
  [["1", "/", "1024"], "0.0009765625", "0.0009765625"],
  [
    ["12345678901234567890", "*", "98765432109876543210"],
    "1.219326311370218e+39",
    "1219326311370217952237463801111263526900",
  ],
  [["-0.0000001"], "-1e-07", "-0.0000001"],
  [["5", "%", "3"], "2", "2"],
  [["-5", "%", "3"], "-2", "-2"],
  [["5", "%", "-3"], "2", "2"],
  [["7.5", "-", "0.5"], "7", "7"],
  [["1e15", "+", "0.3"], "1.0000000000000002e+15", "1000000000000000.3"],
  [
    ["0.3333333333333333", "*", "3"],
    "0.9999999999999999",
    "0.99999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005",
  ],
];

test("arithmetic matches packer console and jsonencode", () => {
  for (const [toks, consoleOut, text] of oracle) {
    const v = calc(toks);
    assert.equal(v.toConsoleString(), consoleOut, `console ${toks.join(" ")}`);
    assert.equal(v.toString(), text, `text ${toks.join(" ")}`);
  }
});

test("512-bit literal plus one is exact", () => {
  const pi = "3.14159265358979323846264338327950288419716939937510582097494459";
  assert.equal(
    P(pi).add(P("1")).toString(),
    "4.14159265358979323846264338327950288419716939937510582097494459",
  );
  assert.equal(P(pi).prec, 512);
});

test("11 % 5.1 equals the hcl specsuite literal", () => {
  const spec = readFileSync(
    "/work/shared/corpus/hcl-specsuite/specsuite/tests/expressions/operators.t",
    "utf8",
  );
  const m = /mod_frac\s*=\s*([0-9.]+)/.exec(spec);
  assert.ok(m, "mod_frac literal present");
  const want = P(m[1] as string);
  const got = P("11").mod(P("5.1"));
  assert.ok(got.eq(want), `${got} vs ${want}`);
  assert.equal(got.toString(), m[1]);
  assert.equal(P("11").mod(P("5")).toString(), "1");
});

test("parse", () => {
  const cases: [string, string | undefined][] = [
    ["0", "0"],
    ["-0", "-0"],
    ["+5", "5"],
    ["007", "7"],
    ["1.50", "1.5"],
    [".5", "0.5"],
    ["5.", "5"],
    ["1e3", "1000"],
    ["1E-3", "0.001"],
    ["1.5e+2", "150"],
    ["1p4", "16"],
    ["Inf", "+Inf"],
    ["-inf", "-Inf"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    ["", undefined],
    [".", undefined],
    ["1e", undefined],
    ["abc", undefined],
    [" 1", undefined],
    ["1_000", undefined],
    ["0x10", undefined],
    ["1.2.3", undefined],
  ];
  for (const [s, want] of cases) {
    const b = BigNum.parse(s);
    assert.equal(b?.toString(), want, JSON.stringify(s));
  }
});

test("precision of constructors", () => {
  const cases: [BigNum, number][] = [
    [P("1"), 512],
    [BigNum.fromNumber(3), 64],
    [BigNum.fromNumber(0.5), 53],
    [BigNum.fromFloat(3), 53],
    [BigNum.fromBigInt(5n), 64],
    [BigNum.fromBigInt(1n << 100n), 101],
    [BigNum.fromNumber(3).add(P("1")), 512],
    [BigNum.fromNumber(3).div(BigNum.fromNumber(7)), 64],
  ];
  for (const [b, prec] of cases) assert.equal(b.prec, prec, b.toString());
});

test("text at lower precisions", () => {
  const cases: [BigNum, string][] = [
    [BigNum.fromNumber(3).div(BigNum.fromNumber(7)), "0.42857142857142857144"],
    [BigNum.fromNumber(3).div(P("7")), P("3").div(P("7")).toString()],
    [BigNum.fromFloat(0.1), "0.1"],
    [BigNum.fromFloat(1e21), "1000000000000000000000"],
    [BigNum.fromFloat(1.5e-7), "0.00000015"],
    [BigNum.fromFloat(2 ** 70), "1180591620717411300000"],
    [BigNum.fromFloat(-2.5), "-2.5"],
  ];
  for (const [b, want] of cases) assert.equal(b.toString(), want);
});

test("infinities and signed zero", () => {
  const inf = P("1").div(P("0"));
  assert.equal(inf.toString(), "+Inf");
  assert.equal(P("-1").div(P("0")).toString(), "-Inf");
  assert.equal(P("1").div(P("-0")).toString(), "-Inf");
  assert.ok(inf.isInf());
  assert.equal(inf.toConsoleString(), "+Inf");
  assert.equal(P("0").mul(P("-1")).toString(), "-0");
  assert.equal(P("0").sub(P("0")).toString(), "0");
  assert.equal(P("0").div(P("-5")).toString(), "-0");
  assert.equal(P("-0").toConsoleString(), "0");
  assert.equal(inf.mod(P("2")).toString(), "+Inf");
  assert.equal(inf.mod(P("0")).toString(), "+Inf");
  assert.equal(P("-0").mod(P("5")).toString(), "-0");
  assert.equal(P("-6").mod(P("3")).toString(), "0");
  assert.equal(P("5.5").mod(P("0")).toString(), "5.5");
  assert.equal(P("-5.5").mod(P("2")).toString(), "-1.5");
  assert.ok(P("1e400").toConsoleString() === "+Inf");
  assert.equal(P("1e-400").toConsoleString(), "0");
});

test("operations without a result throw ArithmeticError with cty's wording", () => {
  const inf = P("1").div(P("0"));
  const cases: [() => BigNum, string][] = [
    [() => P("0").div(P("0")), "can't divide zero by zero or infinity by infinity"],
    [() => inf.div(inf), "can't divide zero by zero or infinity by infinity"],
    [() => P("0").mul(inf), "can't multiply zero by infinity"],
    [() => inf.sub(inf), "can't subtract infinity from itself"],
    [() => inf.add(inf.neg()), "can't compute sum of opposing infinities"],
    [() => P("5").mod(inf), "can't use modulo with zero and infinity"],
    [() => inf.mod(inf), "can't use modulo with zero and infinity"],
  ];
  for (const [f, msg] of cases) {
    assert.throws(f, (e: unknown) => e instanceof ArithmeticError && e.message === msg, msg);
  }
});

test("comparisons, floor, ceil, conversions", () => {
  assert.equal(P("0.1").cmp(BigNum.fromFloat(0.1)), -1); // 0.1 as double is above 0.1
  assert.equal(P("1").cmp(BigNum.fromNumber(1)), 0);
  assert.ok(P("-0").eq(P("0")));
  assert.equal(P("2").cmp(P("1e400")), -1);
  assert.equal(P("-1e400").cmp(P("-2")), -1);
  assert.equal(P("2.5").floor().toString(), "2");
  assert.equal(P("-2.5").floor().toString(), "-3");
  assert.equal(P("-2.5").ceil().toString(), "-2");
  assert.equal(P("1e30").add(P("0.5")).floor().toString(), "1000000000000000000000000000000");
  assert.equal(P("123456789012345678901234567890").toBigInt(), 123456789012345678901234567890n);
  assert.equal(P("-7.9").toBigInt(), -7n);
  assert.equal(P("0.1").toNumber(), 0.1);
  assert.equal(P("2.5e-324").toNumber(), 5e-324);
  assert.equal(P("2.4e-324").toNumber(), 0);
  assert.ok(P("3").isInt() && !P("3.5").isInt());
  assert.ok(P("9223372036854775807").isInt64() && !P("9223372036854775808").isInt64());
});

test("toStringG10 (Go big.Float String)", () => {
  const cases: [string, string][] = [
    ["1", "1"],
    ["100", "100"],
    ["1.5", "1.5"],
    ["1e10", "1e+10"],
    ["123456789012", "1.23456789e+11"],
    ["0.0001", "0.0001"],
    ["0.00001", "1e-05"],
    ["3.14159265358979", "3.141592654"],
    ["-2.5", "-2.5"],
  ];
  for (const [s, want] of cases) assert.equal(P(s).toStringG10(), want, s);
});

test("formatFloatG", () => {
  const cases: [number, string][] = [
    [1234567.5, "1.2345675e+06"],
    [123456.789, "123456.789"],
    [1e-7, "1e-07"],
    [1e21, "1e+21"],
    [0.0001, "0.0001"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [-0, "-0"],
  ];
  for (const [f, want] of cases) assert.equal(formatFloatG(f), want);
});
