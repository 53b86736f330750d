// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL template syntax in test inputs
import assert from "node:assert/strict";
import { test } from "node:test";
import { ArgError, FunctionError, FunctionImpl } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import type { EvalContext, Expression } from "../../../src/hcl/structure.js";
import { getAttr, index, traverseAbs } from "../../../src/hcl/syntax/eval.js";
import { parseExpression, parseTraversalAbs } from "../../../src/hcl/syntax/parser.js";
import { showRange } from "./show.js";

/** A rendering that distinguishes null and unknown values of every type. */
function render(v: Value): string {
  const marks = v.isMarked() ? `.Mark(${[...v.marks()].map(String).join(",")})` : "";
  if (v.isNull()) return `null(${v.type.friendlyName()})${marks}`;
  if (!v.isKnown()) {
    if (v.type.kind === "dynamic") return `cty.DynamicVal${marks}`;
    return `unknown(${v.type.friendlyName()})${marks}`;
  }
  if (v.type.kind === "list" && v.lengthInt() === 0) {
    return `cty.ListValEmpty(${v.type.elementType().friendlyName()})${marks}`;
  }
  if (v.type.kind === "tuple" && v.lengthInt() === 0) return `cty.EmptyTupleVal${marks}`;
  if (v.type.kind === "object" && v.lengthInt() === 0) return `cty.EmptyObjectVal${marks}`;
  return v.toString();
}

const S = (s: string) => Value.string(s);
const N = (n: number) => Value.number(n);

const upper = new FunctionImpl({
  params: [{ name: "str", type: Type.string }],
  type: () => Type.string,
  impl: ([s]) => Value.string(s!.asString().toUpperCase()),
});
const join = new FunctionImpl({
  params: [{ name: "sep", type: Type.string }],
  varParam: { name: "parts", type: Type.string },
  type: () => Type.string,
  impl: ([sep, ...parts]) => Value.string(parts.map((p) => p.asString()).join(sep!.asString())),
});
const picky = new FunctionImpl({
  params: [{ name: "n", type: Type.number }],
  type: () => Type.number,
  impl: ([n]) => {
    if (n!.asNumber() < 0) throw new ArgError(0, "must not be negative");
    if (n!.asNumber() === 0) throw new FunctionError("zero is not allowed");
    return n!;
  },
});

function ctx(): EvalContext {
  return {
    variables: {
      a: N(1),
      s: S("hi"),
      t: Value.bool(true),
      l: Value.list([S("x"), S("y")]),
      el: Value.listEmpty(Type.string),
      tu: Value.tuple([N(1), S("two")]),
      o: Value.object({ k: S("v"), n: N(2) }),
      m: Value.map({ x: N(1), y: N(2) }),
      st: Value.set([S("p"), S("q")]),
      objs: Value.list([Value.object({ id: N(1) }), Value.object({ id: N(2) })]),
      nul: Value.null(Type.string),
      nulList: Value.null(Type.list(Type.string)),
      u: Value.unknown(Type.string),
      ul: Value.unknown(Type.list(Type.string)),
      dyn: Value.dynamic,
      sec: S("pw").mark("sensitive"),
      secList: Value.list([S("a"), S("b")]).mark("sensitive"),
      num: S("5"),
    },
    functions: { upper, join, picky },
  };
}

function evalSrc(src: string, c: EvalContext | null = ctx()) {
  const p = parseExpression(src, "t.hcl");
  assert.deepEqual(
    p.diags.map((d) => d.summary),
    [],
    `${src}: parse diagnostics`,
  );
  return p.expr.value(c ?? undefined);
}

const valueCases: [string, string][] = [
  // literals and arithmetic
  ["1", "cty.NumberVal(1)"],
  ["1.5", "cty.NumberVal(1.5)"],
  ["0.1 + 0.2", "cty.NumberVal(0.3)"],
  ["1 + 2 * 3", "cty.NumberVal(7)"],
  ["7 % 3", "cty.NumberVal(1)"],
  ["-7 % 3", "cty.NumberVal(-1)"],
  ["10 / 4", "cty.NumberVal(2.5)"],
  ["1 / 0", "cty.NumberVal(+Inf)"],
  ["-a", "cty.NumberVal(-1)"],
  ['"5" + 1', "cty.NumberVal(6)"],
  ["num * 2", "cty.NumberVal(10)"],
  ["12345678901234567890 + 1", "cty.NumberVal(12345678901234567891)"],
  // comparison and logic
  ["1 < 2", "cty.True"],
  ["2 <= 1", "cty.False"],
  ["3 > 2", "cty.True"],
  ["3 >= 4", "cty.False"],
  ['"2" > 1', "cty.True"],
  ["1 == 1.0", "cty.True"],
  ['1 == "1"', "cty.False"],
  ['"a" != "b"', "cty.True"],
  ["[1, 2] == [1, 2]", "cty.True"],
  ["{a = 1} == {a = 1}", "cty.True"],
  ["null == null", "cty.True"],
  ["nul == null", "cty.True"],
  ["true && false", "cty.False"],
  ["true || false", "cty.True"],
  ["!t", "cty.False"],
  ['"true" && true', "cty.True"],
  // short-circuit with unknowns and errors
  ["false && nope", "cty.False"],
  ["true || nope", "cty.True"],
  ['u == "x" || true', "cty.True"],
  ['u == "x" && false', "cty.False"],
  ['u == "x" && true', "unknown(bool)"],
  ['u == "x"', "unknown(bool)"],
  ["u == u", "unknown(bool)"],
  // conditionals
  ['true ? 1 : "one"', 'cty.StringVal("1")'],
  ['false ? 1 : "one"', 'cty.StringVal("one")'],
  ["t ? null : 1", "null(number)"],
  ["t ? 1 : null", "cty.NumberVal(1)"],
  ["t ? {a = 1} : {b = 2}", 'cty.MapVal({"a": cty.NumberVal(1)})'],
  ["t ? [1] : []", "cty.ListVal([cty.NumberVal(1)])"],
  ["t ? l : []", 'cty.ListVal([cty.StringVal("x"), cty.StringVal("y")])'],
  ['u == "x" ? 1 : 2', "unknown(number)"],
  ['"true" ? 1 : 2', "cty.NumberVal(1)"],
  ["t ? dyn : 1", "cty.DynamicVal"],
  // strings and templates
  ['"a${s}b"', 'cty.StringVal("ahib")'],
  ['"${a}"', "cty.NumberVal(1)"],
  ['"x${a}"', 'cty.StringVal("x1")'],
  ['"${t}"', "cty.True"],
  ['"${t} ${1.50}"', 'cty.StringVal("true 1.5")'],
  ['"${u}x"', "unknown(string)"],
  ['"${nul}"', "null(string)"],
  ['"${dyn}x"', "unknown(string)"],
  ['"%{if t}yes%{else}no%{endif}"', 'cty.StringVal("yes")'],
  ['"%{if !t}yes%{endif}"', 'cty.StringVal("")'],
  ['"%{for i, x in l}${i}:${x};%{endfor}"', 'cty.StringVal("0:x;1:y;")'],
  ['"%{for k, v in m}${k}=${v} %{endfor}"', 'cty.StringVal("x=1 y=2 ")'],
  // As in HCL, a strip marker in a heredoc strips only up to the end of its line.
  ["<<EOT\n%{for x in l~}\n  ${x}\n%{~endfor}\nEOT\n", 'cty.StringVal("  x  y\\n")'],
  ['"%{for x in l~}  ${x} %{~endfor}"', 'cty.StringVal("xy")'],
  ['"%{for x in ul}${x}%{endfor}"', "unknown(string)"],
  ['"$${literal}"', 'cty.StringVal("${literal}")'],
  ['"caf\\u00e9"', 'cty.StringVal("café")'],
  ['"e\\u0301"', 'cty.StringVal("é")'],
  ["<<EOT\na ${s}\nEOT\n", 'cty.StringVal("a hi\\n")'],
  ["<<-EOT\n    a\n      ${s}\n    EOT\n", 'cty.StringVal("a\\n  hi\\n")'],
  // collections
  ['[1, "a", true]', 'cty.TupleVal([cty.NumberVal(1), cty.StringVal("a"), cty.True])'],
  ["[]", "cty.EmptyTupleVal"],
  ["{}", "cty.EmptyObjectVal"],
  [
    '{a = 1, "b c" = 2, (s) = 3, 4 = 5}',
    'cty.ObjectVal({"4": cty.NumberVal(5), "a": cty.NumberVal(1), "b c": cty.NumberVal(2), "hi": cty.NumberVal(3)})',
  ],
  ["{a = 1, a = 2}", 'cty.ObjectVal({"a": cty.NumberVal(2)})'],
  ["{(u) = 1}", "cty.DynamicVal"],
  ["{null = 1, true = 2}", 'cty.ObjectVal({"null": cty.NumberVal(1), "true": cty.NumberVal(2)})'],
  // traversal and indexing
  ["l[0]", 'cty.StringVal("x")'],
  ["l[1.0]", 'cty.StringVal("y")'],
  ['l["1"]', 'cty.StringVal("y")'],
  ["l.1", 'cty.StringVal("y")'],
  ["tu[1]", 'cty.StringVal("two")'],
  ["o.k", 'cty.StringVal("v")'],
  ['o["n"]', "cty.NumberVal(2)"],
  ["m.x", "cty.NumberVal(1)"],
  ['m["y"]', "cty.NumberVal(2)"],
  ["l[a]", 'cty.StringVal("y")'],
  ["ul[0]", "unknown(string)"],
  ["dyn.foo[3]", "cty.DynamicVal"],
  ["l[u]", "unknown(string)"],
  // splats
  ["objs[*].id", "cty.ListVal([cty.NumberVal(1), cty.NumberVal(2)])"],
  ["objs.*.id", "cty.ListVal([cty.NumberVal(1), cty.NumberVal(2)])"],
  ["tu[*]", 'cty.TupleVal([cty.NumberVal(1), cty.StringVal("two")])'],
  ["o[*].k", 'cty.TupleVal([cty.StringVal("v")])'],
  ["nul[*]", "cty.EmptyTupleVal"],
  ["el[*]", "cty.ListValEmpty(string)"],
  ["st[*]", 'cty.ListVal([cty.StringVal("p"), cty.StringVal("q")])'],
  ["ul[*]", "unknown(list of string)"],
  ["u[*]", "cty.DynamicVal"],
  ["dyn[*]", "cty.DynamicVal"],
  ["[for o in objs : o.id][*]", "cty.TupleVal([cty.NumberVal(1), cty.NumberVal(2)])"],
  // for expressions
  ["[for x in l : upper(x)]", 'cty.TupleVal([cty.StringVal("X"), cty.StringVal("Y")])'],
  ["[for i, x in l : i]", "cty.TupleVal([cty.NumberVal(0), cty.NumberVal(1)])"],
  ['[for x in l : x if x != "x"]', 'cty.TupleVal([cty.StringVal("y")])'],
  ["{for k, v in m : v => k}", 'cty.ObjectVal({"1": cty.StringVal("x"), "2": cty.StringVal("y")})'],
  ["{for k, v in o : k => v}", 'cty.ObjectVal({"k": cty.StringVal("v"), "n": cty.NumberVal(2)})'],
  [
    '{for x in ["a", "b", "a"] : x => x...}',
    'cty.ObjectVal({"a": cty.TupleVal([cty.StringVal("a"), cty.StringVal("a")]), "b": cty.TupleVal([cty.StringVal("b")])})',
  ],
  ["[for x in st : x]", 'cty.TupleVal([cty.StringVal("p"), cty.StringVal("q")])'],
  ["[for k, x in st : k]", 'cty.TupleVal([cty.StringVal("p"), cty.StringVal("q")])'],
  ["[for x in ul : x]", "cty.DynamicVal"],
  ["[for x in dyn : x]", "cty.DynamicVal"],
  ["[for x in l : x if u == x]", "cty.DynamicVal"],
  ["[for x in [] : x]", "cty.EmptyTupleVal"],
  ["{for x in [] : x => x}", "cty.EmptyObjectVal"],
  // functions
  ['upper("a")', 'cty.StringVal("A")'],
  ["upper(a)", 'cty.StringVal("1")'],
  ['join("-", "a", "b")', 'cty.StringVal("a-b")'],
  ['join("-")', 'cty.StringVal("")'],
  ['join("-", l...)', 'cty.StringVal("x-y")'],
  ['join(["+", "a", "b"]...)', 'cty.StringVal("a+b")'],
  ["upper(u)", "unknown(string)"],
  ['join("-", dyn...)', "cty.DynamicVal"],
  ['join("-", ul...)', "cty.DynamicVal"],
  // marks
  ["sec", 'cty.StringVal("pw").Mark(sensitive)'],
  ['"x${sec}"', 'cty.StringVal("xpw").Mark(sensitive)'],
  ['sec == "pw"', "cty.True.Mark(sensitive)"],
  ["secList[0]", 'cty.StringVal("a").Mark(sensitive)'],
  ["secList[*]", 'cty.ListVal([cty.StringVal("a"), cty.StringVal("b")]).Mark(sensitive)'],
  [
    "[for x in secList : x]",
    'cty.TupleVal([cty.StringVal("a"), cty.StringVal("b")]).Mark(sensitive)',
  ],
  ["upper(sec)", 'cty.StringVal("PW").Mark(sensitive)'],
  ['join(",", secList...)', 'cty.StringVal("a,b").Mark(sensitive)'],
  ['sec == "pw" ? 1 : 2', "cty.NumberVal(1).Mark(sensitive)"],
  ["{(sec) = 1}", 'cty.ObjectVal({"pw": cty.NumberVal(1)}).Mark(sensitive)'],
  // parentheses and null
  ["(1)", "cty.NumberVal(1)"],
  ["null", "null(dynamic)"],
  ["nul", "null(string)"],
];

test("evaluation table", () => {
  for (const [src, want] of valueCases) {
    const r = evalSrc(src);
    assert.deepEqual(
      r.diags.map((d) => `${d.summary}: ${d.detail}`),
      [],
      `${src}: unexpected diagnostics`,
    );
    assert.equal(render(r.value), want, src);
  }
});

// Expression -> [summary, detail, subject range] of each diagnostic.
const errorCases: [string, [string, string, string][]][] = [
  ["nope", [["Unknown variable", 'There is no variable named "nope".', "1:1-1:5"]]],
  ["ss", [["Unknown variable", 'There is no variable named "ss". Did you mean "s"?', "1:1-1:3"]]],
  [
    "o.zz",
    [["Unsupported attribute", 'This object does not have an attribute named "zz".', "1:2-1:5"]],
  ],
  [
    "a.b",
    [
      [
        "Unsupported attribute",
        "Can't access attributes on a primitive-typed value (number).",
        "1:2-1:4",
      ],
    ],
  ],
  ["l.k", [["Unsupported attribute", "This value does not have any attributes.", "1:2-1:4"]]],
  [
    "objs.id",
    [
      [
        "Unsupported attribute",
        'Can\'t access attributes on a list of objects. Did you mean to access attribute "id" for a specific element of the list, or across all elements of the list?',
        "1:5-1:8",
      ],
    ],
  ],
  [
    "m.zz",
    [["Missing map element", 'This map does not have an element with the key "zz".', "1:2-1:5"]],
  ],
  [
    "nul.x",
    [
      [
        "Attempt to get attribute from null value",
        "This value is null, so it does not have any attributes.",
        "1:4-1:6",
      ],
    ],
  ],
  [
    "nul[0]",
    [
      [
        "Attempt to index null value",
        "This value is null, so it does not have any indices.",
        "1:4-1:7",
      ],
    ],
  ],
  [
    "l[5]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.",
        "1:2-1:5",
      ],
    ],
  ],
  [
    "el[0]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: the collection has no elements.",
        "1:3-1:6",
      ],
    ],
  ],
  [
    "l[-1]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.",
        "1:2-1:6",
      ],
    ],
  ],
  [
    "l[1.5]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.",
        "1:2-1:7",
      ],
    ],
  ],
  [
    'l["x"]',
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: a number is required.",
        "1:2-1:7",
      ],
    ],
  ],
  ["l[null]", [["Invalid index", "Can't use a null value as an indexing key.", "1:2-1:8"]]],
  [
    "o[0]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value. An object only supports looking up attributes by name, not by numeric index.",
        "1:2-1:5",
      ],
    ],
  ],
  [
    'm["zz"]',
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value.",
        "1:2-1:8",
      ],
    ],
  ],
  [
    "st[0]",
    [
      [
        "Invalid index",
        "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
        "1:3-1:6",
      ],
    ],
  ],
  ["a[0]", [["Invalid index", "This value does not have any indices.", "1:2-1:5"]]],
  [
    "l[s]",
    [
      [
        "Invalid index",
        "The given key does not identify an element in this collection value: a number is required.",
        "1:2-1:5",
      ],
    ],
  ],
  [
    '"a" + 1',
    [["Invalid operand", "Unsuitable value for left operand: a number is required.", "1:1-1:4"]],
  ],
  [
    '1 + "a"',
    [["Invalid operand", "Unsuitable value for right operand: a number is required.", "1:5-1:8"]],
  ],
  [
    "1 + l",
    [["Invalid operand", "Unsuitable value for right operand: number required.", "1:5-1:6"]],
  ],
  [
    '!"x"',
    [["Invalid operand", "Unsuitable value for unary operand: a bool is required.", "1:2-1:5"]],
  ],
  [
    "-s",
    [["Invalid operand", "Unsuitable value for unary operand: a number is required.", "1:2-1:3"]],
  ],
  [
    "null || true && null",
    [["Operation failed", "Error during operation: argument must not be null.", "1:9-1:21"]],
  ],
  [
    "nul + 1",
    [["Operation failed", "Error during operation: argument must not be null.", "1:1-1:8"]],
  ],
  [
    "-null",
    [["Operation failed", "Error during operation: argument must not be null.", "1:1-1:6"]],
  ],
  [
    "0 / 0",
    [
      [
        "Operation failed",
        "Error during operation: can't divide zero by zero or infinity by infinity.",
        "1:1-1:6",
      ],
    ],
  ],
  [
    "true ? 1 : [1]",
    [
      [
        "Inconsistent conditional result types",
        "The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is tuple.",
        "1:8-1:15",
      ],
    ],
  ],
  [
    "true ? {a = 1} : {b = [1]}",
    [
      [
        "Inconsistent conditional result types",
        "The true and false result expressions must have consistent types. The 'true' value includes object attribute \"a\", which is absent in the 'false' value.",
        "1:8-1:27",
      ],
    ],
  ],
  [
    "true ? [1] : [1, [2]]",
    [
      [
        "Inconsistent conditional result types",
        "The true and false result expressions must have consistent types. The 'true' tuple has length 1, but the 'false' tuple has length 2.",
        "1:8-1:22",
      ],
    ],
  ],
  [
    "nul ? 1 : 2",
    [
      [
        "Null condition",
        "The condition value is null. Conditions must either be true or false.",
        "1:1-1:4",
      ],
    ],
  ],
  [
    "s ? 1 : 2",
    [["Incorrect condition type", "The condition expression must be of type bool.", "1:1-1:2"]],
  ],
  ["true ? nope : 2", [["Unknown variable", 'There is no variable named "nope".', "1:8-1:12"]]],
  [
    '"x${nul}"',
    [
      [
        "Invalid template interpolation value",
        "The expression result is null. Cannot include a null value in a string template.",
        "1:5-1:8",
      ],
    ],
  ],
  [
    '"x${l}"',
    [
      [
        "Invalid template interpolation value",
        "Cannot include the given value in a string template: string required.",
        "1:5-1:6",
      ],
    ],
  ],
  [
    '"%{for x in [l]}${x}%{endfor}"',
    [
      [
        "Invalid template interpolation value",
        "Cannot include the given value in a string template: string required.",
        "1:19-1:20",
      ],
    ],
  ],
  [
    "[for x in nul : x]",
    [
      [
        "Iteration over null value",
        "A null value cannot be used as the collection in a 'for' expression.",
        "1:11-1:14",
      ],
    ],
  ],
  [
    "[for x in a : x]",
    [
      [
        "Iteration over non-iterable value",
        "A value of type number cannot be used as the collection in a 'for' expression.",
        "1:11-1:12",
      ],
    ],
  ],
  [
    "[for x in l : x if nul]",
    [["Condition is null", "The value of the 'if' clause must not be null.", "1:20-1:23"]],
  ],
  [
    "[for x in l : x if s]",
    [
      [
        "Invalid 'for' condition",
        "The 'if' clause value is invalid: a bool is required.",
        "1:20-1:21",
      ],
    ],
  ],
  [
    "[for x in l : x if x]",
    [
      [
        "Invalid 'for' condition",
        "The 'if' clause value is invalid: a bool is required.",
        "1:20-1:21",
      ],
    ],
  ],
  [
    "{for x in l : nul => x}",
    [
      [
        "Invalid object key",
        "Key expression in 'for' expression must not produce a null value.",
        "1:15-1:18",
      ],
    ],
  ],
  [
    "{for x in l : [x] => x}",
    [
      [
        "Invalid object key",
        "The key expression produced an invalid result: string required.",
        "1:15-1:18",
      ],
    ],
  ],
  [
    '{for x in ["a", "a"] : x => x}',
    [
      [
        "Duplicate object key",
        "Two different items produced the key \"a\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
        "1:24-1:25",
      ],
    ],
  ],
  ["{(nul) = 1}", [["Null value as key", "Can't use a null value as a key.", "1:10-1:11"]]],
  [
    "{(l) = 1}",
    [["Incorrect key type", "Can't use this value as a key: string required.", "1:2-1:5"]],
  ],
  [
    "{a.b = 1}",
    [
      [
        "Ambiguous attribute key",
        "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
        "1:2-1:5",
      ],
    ],
  ],
  [
    "nulList[*]",
    [
      [
        "Splat of null value",
        "Splat expressions (with the * symbol) cannot be applied to null sequences.",
        "1:1-1:8",
      ],
    ],
  ],
  // One diagnostic per element, as in HCL.
  [
    "objs[*].zz",
    [
      ["Unsupported attribute", 'This object does not have an attribute named "zz".', "1:8-1:11"],
      ["Unsupported attribute", 'This object does not have an attribute named "zz".', "1:8-1:11"],
    ],
  ],
  [
    "uper(s)",
    [
      [
        "Call to unknown function",
        'There is no function named "uper". Did you mean "upper"?',
        "1:1-1:5",
      ],
    ],
  ],
  [
    "upper()",
    [
      [
        "Not enough function arguments",
        'Function "upper" expects 1 argument(s). Missing value for "str".',
        "1:7-1:8",
      ],
    ],
  ],
  [
    "join()",
    [
      [
        "Not enough function arguments",
        'Function "join" expects at least 1 argument(s). Missing value for "sep".',
        "1:6-1:7",
      ],
    ],
  ],
  [
    'upper("a", "b")',
    [["Too many function arguments", 'Function "upper" expects only 1 argument(s).', "1:13-1:14"]],
  ],
  [
    "upper(l)",
    [
      [
        "Invalid function argument",
        'Invalid value for "str" parameter: string required.',
        "1:7-1:8",
      ],
    ],
  ],
  [
    'join("-", l, "x")',
    [
      [
        "Invalid function argument",
        'Invalid value for "parts" parameter: string required.',
        "1:11-1:12",
      ],
    ],
  ],
  [
    "picky(-1)",
    [
      [
        "Invalid function argument",
        'Invalid value for "n" parameter: must not be negative.',
        "1:7-1:8",
      ],
    ],
  ],
  [
    "picky(0)",
    [
      [
        "Error in function call",
        'Call to function "picky" failed: zero is not allowed.',
        "1:1-1:7",
      ],
    ],
  ],
  [
    'join("-", nulList...)',
    [
      [
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must not be null.",
        "1:11-1:18",
      ],
    ],
  ],
  [
    'join("-", null...)',
    [
      [
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must not be null.",
        "1:11-1:15",
      ],
    ],
  ],
  [
    'join("-", s...)',
    [
      [
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
        "1:11-1:12",
      ],
    ],
  ],
];

function diagRow(d: Diagnostic): [string, string, string] {
  return [d.summary, d.detail ?? "", showRange(d.subject)];
}

test("evaluation error table", () => {
  for (const [src, want] of errorCases) {
    const r = evalSrc(src);
    assert.deepEqual(r.diags.map(diagRow), want, src);
    for (const d of r.diags) {
      assert.ok(d.expression !== undefined, `${src}: diagnostic carries its expression`);
      assert.ok(d.evalContext !== undefined, `${src}: diagnostic carries its EvalContext`);
    }
  }
});

test("evaluation without a context", () => {
  const r = evalSrc("a + 1", null);
  assert.deepEqual(r.diags.map(diagRow), [
    ["Variables not allowed", "Variables may not be used here.", "1:1-1:2"],
  ]);
  const f = evalSrc('upper("a")', null);
  assert.deepEqual(f.diags.map(diagRow), [
    ["Function calls not allowed", "Functions may not be called here.", "1:1-1:11"],
  ]);
  assert.equal(
    render(evalSrc("[for x in [1, 2] : x * 2]", null).value),
    "cty.TupleVal([cty.NumberVal(2), cty.NumberVal(4)])",
  );
  assert.equal(
    render(evalSrc("[{a = 1}, {a = 2}][*].a", null).value),
    "cty.TupleVal([cty.NumberVal(1), cty.NumberVal(2)])",
  );
  assert.equal(render(evalSrc('"${1 + 1}"', null).value), "cty.NumberVal(2)");
});

test("variables and functions are found through parent contexts", () => {
  const parent: EvalContext = { variables: { outer: S("o") }, functions: { upper } };
  const child: EvalContext = { parent, variables: { inner: S("i") } };
  const r = evalSrc('upper("${outer}${inner}")', child);
  assert.deepEqual(r.diags, []);
  assert.equal(render(r.value), 'cty.StringVal("OI")');
  const shadow: EvalContext = { parent, variables: { outer: S("shadowed") } };
  assert.equal(render(evalSrc("outer", shadow).value), 'cty.StringVal("shadowed")');
  // A context with no functions map at any level forbids calls.
  const noFns: EvalContext = { variables: {} };
  assert.equal(evalSrc("upper(1)", noFns).diags[0]!.summary, "Function calls not allowed");
});

test("index, getAttr and traverseAbs helpers", () => {
  const l = Value.list([S("a")]);
  assert.equal(render(index(l, N(0)).value), 'cty.StringVal("a")');
  assert.equal(index(l, N(3)).diags[0]!.summary, "Invalid index");
  assert.equal(render(getAttr(Value.object({ x: N(1) }), "x").value), "cty.NumberVal(1)");
  const t = parseTraversalAbs("o.k", "t.hcl").traversal;
  assert.equal(render(traverseAbs(t, ctx()).value), 'cty.StringVal("v")');
});

test("the evaluator never throws on corpus-like input", () => {
  // A broad sweep of odd combinations: each must return a value and diagnostics.
  const atoms = [
    "a",
    "s",
    "l",
    "o",
    "m",
    "st",
    "tu",
    "nul",
    "u",
    "ul",
    "dyn",
    "sec",
    "objs",
    "null",
    "1",
    '"x"',
    "true",
    "[]",
    "{}",
  ];
  const forms = [
    (x: string, y: string) => `${x} + ${y}`,
    (x: string, y: string) => `${x} == ${y}`,
    (x: string, y: string) => `${x} && ${y}`,
    (x: string, y: string) => `${x} < ${y}`,
    (x: string, y: string) => `${x}[${y}]`,
    (x: string, y: string) => `${x} ? ${y} : ${x}`,
    (x: string, y: string) => `"${"${"}${x}}${"${"}${y}}"`,
    (x: string, y: string) => `[for k, v in ${x} : ${y}]`,
    (x: string, y: string) => `{for k, v in ${x} : k => ${y}}`,
    (x: string, y: string) => `{for k, v in ${x} : v => ${y}...}`,
    (x: string, y: string) => `${x}[*].${y === "1" ? "a" : "b"}`,
    (x: string, y: string) => `upper(${x}, ${y})`,
    (x: string, y: string) => `join(${x}, ${y}...)`,
    (x: string, y: string) => `{(${x}) = ${y}}`,
    (x: string, y: string) => `"%{for v in ${x}}${"${"}${y}}%{endfor}"`,
    (x: string, y: string) => `-${x} * !${y}`,
  ];
  let count = 0;
  for (const f of forms) {
    for (const x of atoms) {
      for (const y of atoms) {
        const src = f(x, y);
        const p = parseExpression(src, "t.hcl");
        const r = p.expr.value(ctx());
        assert.ok(r.value instanceof Value, src);
        count++;
      }
    }
  }
  assert.ok(count > 5000);
});

test("functions that take unevaluated expressions (try/can style)", () => {
  class TryLike extends FunctionImpl {
    constructor() {
      super({
        params: [],
        varParam: { name: "e", type: Type.dynamic },
        type: () => Type.dynamic,
        impl: () => Value.dynamic,
      });
    }
    callExpressions(args: Expression[], c: EvalContext | undefined) {
      for (const a of args) {
        const r = a.value(c);
        if (!r.diags.some((d) => d.severity === "error")) return { value: r.value, diags: [] };
      }
      return { value: Value.dynamic, diags: [] };
    }
  }
  const c = ctx();
  c.functions = { ...c.functions, try: new TryLike() };
  assert.equal(render(evalSrc('try(nope, 1 / "x", "ok")', c).value), 'cty.StringVal("ok")');
  assert.equal(render(evalSrc("try(nope, l...)", c).value), 'cty.StringVal("x")');
  assert.deepEqual(
    evalSrc("try(s...)", c).diags.map((d) => d.summary),
    ["Invalid expanding argument value"],
  );
});
