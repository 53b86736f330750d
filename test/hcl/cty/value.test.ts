import assert from "node:assert/strict";
import { test } from "node:test";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { list, map, N, S, set, v } from "./helpers.js";

const T = Value.true;
const F = Value.false;
const U = (t: Type) => Value.unknown(t);

test("strings are NFC-normalized", () => {
  assert.equal(S("e\u0301").asString(), "\u00e9");
  assert.ok(S("e\u0301").rawEquals(S("\u00e9")));
  assert.equal(S("plain").asString(), "plain");
  const o = Value.object({ "e\u0301": N(1) });
  assert.deepEqual(
    o.entries().map(([k]) => k),
    ["\u00e9"],
  );
});

test("set ordering and deduplication", () => {
  const cases: [Value, unknown[]][] = [
    [set(S("b"), S("a"), S("b")), ["a", "b"]],
    [set(N(10), N(9), N("1e2"), N(-1), N(10)), [-1, 9, 10, 100]],
    [set(T, F, T), [false, true]],
    [set(S("\u{1F600}"), S("\uFFFD"), S("a")), ["a", "\uFFFD", "\u{1F600}"]],
    [set(N(1), N("1.0")), [1]],
  ];
  for (const [s, want] of cases) {
    const got = s
      .elements()
      .map((e) => (e.type.isNumber() ? e.asNumber() : e.type.isBool() ? e.asBool() : e.asString()));
    assert.deepEqual(got, want);
  }
  // Unknowns sort last and never collapse.
  const su = set(U(Type.string), S("z"), U(Type.string));
  assert.equal(su.elements().length, 3);
  assert.equal(su.elements()[0]?.asString(), "z");
  assert.ok(!su.length().isKnown());
  assert.equal(su.lengthInt(), 3);
  // Structural elements are ordered by cty's hash strings.
  const so = set(v({ a: "y" }), v({ a: "x" }), v({ a: "x" }));
  assert.deepEqual(
    so.elements().map((e) => e.getAttr("a").asString()),
    ["x", "y"],
  );
});

test("maps and objects iterate keys sorted", () => {
  const m = map({ b: N(1), a: N(2), "\u00e9": N(3), B: N(4) });
  assert.deepEqual(
    m.entries().map(([k]) => k),
    ["B", "a", "b", "\u00e9"],
  );
  assert.equal(m.type.toString(), "map(number)");
  const o = v({ z: 1, a: "x" });
  assert.equal(o.type.toString(), "object({a=string,z=number})");
});

test("equals", () => {
  const cases: [Value, Value, Value][] = [
    [N(1), N("1.0"), T],
    [N(1), N(2), F],
    [S("a"), S("a"), T],
    [S("1"), N(1), F],
    [Value.null(Type.string), Value.null(Type.number), T],
    [Value.null(Type.string), S("a"), F],
    [U(Type.string), S("a"), U(Type.bool)],
    [U(Type.string), N(1), F],
    [Value.null(Type.string), U(Type.string), U(Type.bool)],
    [Value.dynamic, S("a"), U(Type.bool)],
    [v([1, "a"]), v([1, "a"]), T],
    [v([1, "a"]), v([1, "b"]), F],
    [v([1, U(Type.string)]), v([2, "b"]), F],
    [v([U(Type.number), "a"]), v([2, "b"]), U(Type.bool)],
    [v({ a: 1 }), v({ a: 1 }), T],
    [v({ a: 1 }), v({ b: 1 }), F],
    [list(S("a")), v(["a"]), F],
    [set(S("a"), S("b")), set(S("b"), S("a")), T],
    [map({ a: N(1) }), map({ a: N(1) }), T],
    [map({ a: N(1) }), map({ b: N(1) }), F],
  ];
  for (const [a, b, want] of cases) {
    assert.ok(a.equals(b).rawEquals(want), `${a} == ${b}: got ${a.equals(b)}`);
  }
  assert.ok(N(1).mark("s").equals(N(1)).hasMark("s"));
});

test("arithmetic and comparison operators", () => {
  const cases: [Value, Value][] = [
    [N(1).add(N(2)), N(3)],
    [N(5).subtract(N(7)), N(-2)],
    [N(3).multiply(N("1.5")), N("4.5")],
    [N(1).divide(N(4)), N("0.25")],
    [N(-7).modulo(N(3)), N(-1)],
    [N(2).negate(), N(-2)],
    [N(1).add(U(Type.number)), U(Type.number)],
    [Value.dynamic.add(N(1)), U(Type.number)],
    [N(1).lessThan(N(2)), T],
    [N(2).lessThanOrEqualTo(N(2)), T],
    [N(2).greaterThan(N(2)), F],
    [N(3).greaterThanOrEqualTo(N(2)), T],
    [N(3).lessThan(U(Type.number)), U(Type.bool)],
    [T.and(F), F],
    [T.or(F), T],
    [T.not(), F],
    [F.and(U(Type.bool)), F],
    [T.and(U(Type.bool)), U(Type.bool)],
    [T.or(U(Type.bool)), T],
    [F.or(U(Type.bool)), U(Type.bool)],
  ];
  for (const [got, want] of cases) assert.ok(got.rawEquals(want), `${got} vs ${want}`);
  assert.equal(N(1).add(N(2)).asNumber(), 3);
  assert.throws(() => S("a").add(N(1)));
  assert.throws(() => Value.null(Type.number).add(N(1)));
  assert.throws(() => N(0).divide(N(0)), /can't divide zero by zero/);
});

test("marks propagate through operations", () => {
  const a = N(1).mark("sensitive");
  const b = N(2).mark("other");
  const r = a.add(b);
  assert.deepEqual([...r.marks()].sort(), ["other", "sensitive"]);
  assert.ok(a.lessThan(N(3)).hasMark("sensitive"));
  assert.ok(T.mark("m").not().hasMark("m"));
  assert.ok(N(1).mark("m").negate().hasMark("m"));
  const l = Value.tuple([S("x").mark("s"), S("y")]);
  assert.ok(!l.isMarked());
  assert.ok(l.containsMarked());
  const [u, ms] = l.unmarkDeep();
  assert.ok(!u.containsMarked());
  assert.deepEqual([...ms], ["s"]);
  assert.ok(l.index(N(0)).hasMark("s"));
  const marked = v({ a: "x" }).mark("s");
  assert.ok(marked.getAttr("a").hasMark("s"));
  assert.ok(marked.length().hasMark("s"));
  // Sets hoist element marks onto the set itself.
  const st = set(S("a").mark("s"), S("b"));
  assert.ok(st.hasMark("s"));
  assert.ok(!st.elements()[0]?.isMarked());
  // rawEquals includes marks.
  assert.ok(!S("a").mark("s").rawEquals(S("a")));
  assert.ok(S("a").mark("s").rawEquals(S("a").mark("s")));
  const [um, m2] = S("a").mark("s").mark("t").unmark();
  assert.ok(um.rawEquals(S("a")));
  assert.equal(m2.size, 2);
  assert.ok(
    S("a")
      .withMarks(new Set(["x", "y"]))
      .hasMark("y"),
  );
});

test("index, getAttr, hasIndex, hasElement", () => {
  const l = list(S("a"), S("b"));
  const t = v(["a", 1]);
  const m = map({ k: N(1) });
  assert.equal(l.index(N(1)).asString(), "b");
  assert.equal(t.index(N(1)).asNumber(), 1);
  assert.equal(m.index(S("k")).asNumber(), 1);
  assert.ok(l.index(U(Type.number)).rawEquals(U(Type.string)));
  assert.ok(U(Type.list(Type.string)).index(N(0)).rawEquals(U(Type.string)));
  assert.ok(Value.dynamic.index(N(0)).rawEquals(Value.dynamic));
  assert.throws(() => l.index(N(2)));
  assert.throws(() => l.index(S("x")));
  const hi: [Value, Value, Value][] = [
    [l, N(1), T],
    [l, N(2), F],
    [l, N(-1), F],
    [l, N("0.5"), F],
    [l, S("0"), F],
    [t, N(1), T],
    [m, S("k"), T],
    [m, S("z"), F],
    [m, U(Type.string), U(Type.bool)],
    [U(Type.list(Type.string)), N(0), U(Type.bool)],
    [S("x"), N(0), F],
  ];
  for (const [c, k, want] of hi) assert.ok(c.hasIndex(k).rawEquals(want), `${c}[${k}]`);
  const st = set(S("a"), S("b"));
  assert.ok(st.hasElement(S("a")).rawEquals(T));
  assert.ok(st.hasElement(S("c")).rawEquals(F));
  assert.ok(st.hasElement(U(Type.string)).rawEquals(U(Type.bool)));
  assert.equal(v({ a: 1, b: 2 }).getAttr("b").asNumber(), 2);
  assert.ok(
    U(Type.object({ a: Type.string }))
      .getAttr("a")
      .rawEquals(U(Type.string)),
  );
});

test("lengths and known-ness", () => {
  assert.equal(list(S("a"), S("b")).lengthInt(), 2);
  assert.equal(v([1, 2, 3]).length().asNumber(), 3);
  assert.equal(map({ a: N(1) }).lengthInt(), 1);
  assert.equal(v({ a: 1, b: 2 }).lengthInt(), 2);
  assert.ok(!U(Type.list(Type.string)).length().isKnown());
  assert.equal(
    Value.tuple([U(Type.string)])
      .length()
      .asNumber(),
    1,
  );
  assert.ok(!v([U(Type.string)]).isWhollyKnown());
  assert.ok(v([U(Type.string)]).isKnown());
  assert.ok(Value.null(Type.string).isWhollyKnown());
  assert.equal(Value.listEmpty(Type.string).type.toString(), "list(string)");
  assert.equal(Value.emptyTuple.lengthInt(), 0);
});

test("constructors reject inconsistent element types", () => {
  assert.throws(() => Value.list([S("a"), N(1)]));
  assert.throws(() => Value.set([S("a"), N(1)]));
  assert.throws(() => Value.map({ a: S("a"), b: N(1) }));
  assert.throws(() => Value.list([]));
});

test("set order of structural elements follows cty hash strings", () => {
  // Hash strings compare bytewise: "[10;]" < "[1;]" < "[9;]".
  const s = set(list(N(9)), list(N(10)), list(N(1)), list(N(9)));
  assert.deepEqual(
    s.elements().map((e) => e.index(N(0)).asNumber()),
    [10, 1, 9],
  );
  const t = set(v(["b", 1]), v(["a", 2]));
  assert.deepEqual(
    t.elements().map((e) => e.index(N(0)).asString()),
    ["a", "b"],
  );
});
