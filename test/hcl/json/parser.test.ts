// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL templates are written as "${...}" strings
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONNode } from "../../../src/hcl/json/ast.js";
import {
  MAX_NESTING,
  parseJSON,
  parseJSONExpression,
  parseJSONWithStartPos,
  parseNode,
} from "../../../src/hcl/json/parser.js";
import type { JSONBody } from "../../../src/hcl/json/structure.js";
import { formatRange, type Range } from "../../../src/hcl/pos.js";

/** A compact, comparable form of a syntax tree. */
function simplify(n: JSONNode): unknown {
  switch (n.kind) {
    case "object":
      return { obj: n.attrs.map((a) => [a.name, simplify(a.value)]) };
    case "array":
      return n.values.map(simplify);
    case "string":
      return n.value;
    case "number":
      return { num: n.text };
    case "bool":
      return n.value;
    case "null":
      return null;
    case "invalid":
      return { invalid: true };
  }
}

/** "line,col-line,col@byte-byte" */
function pos(r: Range): string {
  return `${r.start.line},${r.start.column}-${r.end.line},${r.end.column}@${r.start.byte}-${r.end.byte}`;
}

describe("JSON parser: valid input", () => {
  const cases: { src: string; want: unknown }[] = [
    { src: "{}", want: { obj: [] } },
    { src: "[]", want: [] },
    { src: " \t\r\n{ }\n", want: { obj: [] } },
    { src: '{"a": 1}', want: { obj: [["a", { num: "1" }]] } },
    {
      src: '{"a": 1, "a": 2}',
      want: {
        obj: [
          ["a", { num: "1" }],
          ["a", { num: "2" }],
        ],
      },
    },
    {
      src: '{"b": [true, false, null, -0.5e+10, "s"]}',
      want: { obj: [["b", [true, false, null, { num: "-0.5e+10" }, "s"]]] },
    },
    {
      src: '{"big": 123456789012345678901234567890.000000000000000000001}',
      want: { obj: [["big", { num: "123456789012345678901234567890.000000000000000000001" }]] },
    },
    { src: '{"n": 1E400}', want: { obj: [["n", { num: "1E400" }]] } },
    {
      src: '{"e": "\\"\\\\\\/\\b\\f\\n\\r\\t"}',
      want: { obj: [["e", '"\\/\b\f\n\r\t']] },
    },
    { src: '{"u": "\\u00e9\\u20AC"}', want: { obj: [["u", "é€"]] } },
    { src: '{"s": "\\ud83d\\ude00"}', want: { obj: [["s", "😀"]] } },
    { src: '{"lone": "\\ud83dx"}', want: { obj: [["lone", "\ufffdx"]] } },
    { src: '{"lo": "\\ude00"}', want: { obj: [["lo", "\ufffd"]] } },
    { src: '{"é": "naïve ☃ 😀"}', want: { obj: [["é", "naïve ☃ 😀"]] } },
    {
      src: '{"a": {"b": [{"c": {}}]}}',
      want: { obj: [["a", { obj: [["b", [{ obj: [["c", { obj: [] }]] }]]] }]] },
    },
    {
      src: '[{"a": 1}, {"b": 2}]',
      want: [{ obj: [["a", { num: "1" }]] }, { obj: [["b", { num: "2" }]] }],
    },
    { src: '{"": ""}', want: { obj: [["", ""]] } },
  ];
  for (const c of cases) {
    it(c.src, () => {
      const r = parseJSON(c.src, "t.json");
      assert.deepEqual(r.diags, []);
      const body = r.file.body as JSONBody;
      assert.deepEqual(simplify(body.root), c.want);
    });
  }

  it("agrees with JSON.parse on decoded strings", () => {
    const strings = ["plain", "tab\there", 'quote"s', "uni ☃ \u0001", "𝄞 clef", "back\\slash/"];
    for (const s of strings) {
      const src = JSON.stringify({ k: s });
      const r = parseJSON(src, "t.json");
      assert.deepEqual(r.diags, []);
      assert.deepEqual(simplify((r.file.body as JSONBody).root), { obj: [["k", s]] });
    }
  });

  it("accepts a Buffer and keeps the bytes", () => {
    const buf = Buffer.from('{"a": "é"}');
    const r = parseJSON(buf, "b.json");
    assert.deepEqual(r.diags, []);
    assert.equal(r.file.bytes, buf);
    assert.equal(r.file.filename, "b.json");
  });
});

describe("JSON parser: positions", () => {
  const src = '{\n  "a": "é☃",\n\t"b": [1, true],\n  "😀": null\n}';
  const r = parseJSON(src, "p.json");
  const root = (r.file.body as JSONBody).root;
  assert.equal(root.kind, "object");
  if (root.kind !== "object") return;
  const [a, b, smile] = root.attrs;
  const cases: { what: string; got: Range; want: string }[] = [
    { what: "object", got: root.range, want: "1,1-5,2@0-51" },
    { what: "open brace", got: root.openRange, want: "1,1-1,2@0-1" },
    { what: "close brace", got: root.closeRange, want: "5,1-5,2@50-51" },
    { what: "name a", got: a!.nameRange, want: "2,3-2,6@4-7" },
    // "é☃" is 2 code points and 5 bytes; the token has quotes.
    { what: "value a", got: a!.value.range, want: "2,8-2,12@9-16" },
    // a tab counts as two columns, as in HCL
    { what: "name b", got: b!.nameRange, want: "3,3-3,6@19-22" },
    { what: "value b", got: b!.value.range, want: "3,8-3,17@24-33" },
    { what: "emoji name", got: smile!.nameRange, want: "4,3-4,6@37-43" },
    { what: "null", got: smile!.value.range, want: "4,8-4,12@45-49" },
  ];
  for (const c of cases) {
    it(c.what, () => assert.equal(pos(c.got), c.want));
  }

  it("array element positions", () => {
    const arr = b!.value;
    assert.equal(arr.kind, "array");
    if (arr.kind !== "array") return;
    assert.equal(pos(arr.values[0]!.range), "3,9-3,10@25-26");
    assert.equal(pos(arr.values[1]!.range), "3,12-3,16@28-32");
  });

  it("CRLF line endings", () => {
    const r2 = parseJSON('{\r\n  "a": 1\r\n}', "crlf.json");
    const root2 = (r2.file.body as JSONBody).root;
    assert.equal(root2.kind, "object");
    if (root2.kind !== "object") return;
    assert.equal(pos(root2.attrs[0]!.nameRange), "2,3-2,6@5-8");
    assert.equal(pos(root2.closeRange), "3,1-3,2@13-14");
  });

  it("honours a start position", () => {
    const r2 = parseJSONWithStartPos('{"bar": "baz"}', "s.json", { line: 2, column: 10, byte: 20 });
    const root2 = (r2.file.body as JSONBody).root;
    assert.equal(root2.kind, "object");
    if (root2.kind !== "object") return;
    assert.equal(pos(root2.attrs[0]!.value.range), "2,18-2,23@28-33");
  });
});

describe("JSON parser: invalid input", () => {
  // Each case: the diagnostics' summaries and the first one's subject.
  const cases: { src: string; summaries: string[]; subject: string; detail?: RegExp }[] = [
    { src: "", summaries: ["Missing value", "Root value must be object"], subject: "1,1-1,1@0-0" },
    { src: "true", summaries: ["Root value must be object"], subject: "1,1-1,5@0-4" },
    { src: '"x"', summaries: ["Root value must be object"], subject: "1,1-1,4@0-3" },
    {
      src: '{"a" = 1}',
      summaries: ["Missing property value colon", "Root value must be object"],
      subject: "1,6-1,7@5-6",
      detail: /not an equals sign/,
    },
    {
      src: '{"a" 1}',
      summaries: ["Missing property value colon", "Root value must be object"],
      subject: "1,6-1,7@5-6",
      detail: /A colon must appear/,
    },
    {
      src: '{"a"}',
      summaries: ["Missing object value", "Root value must be object"],
      subject: "1,5-1,6@4-5",
    },
    {
      src: '{"a": 1,}',
      summaries: ["Trailing comma in object", "Root value must be object"],
      subject: "1,8-1,9@7-8",
    },
    {
      src: "[1,]",
      summaries: ["Trailing comma in array", "Root value must be object"],
      subject: "1,3-1,4@2-3",
    },
    {
      src: '{"a": 1',
      summaries: ["Unclosed object", "Root value must be object"],
      subject: "1,1-1,2@0-1",
    },
    {
      src: "[1, 2",
      summaries: ["Unclosed object", "Root value must be object"],
      subject: "1,1-1,2@0-1",
      detail: /closing bracket/,
    },
    {
      src: '{"a": 1]',
      summaries: ["Mismatched braces", "Root value must be object"],
      subject: "1,8-1,9@7-8",
    },
    {
      src: "[1}",
      summaries: ["Mismatched brackets", "Root value must be object"],
      subject: "1,3-1,4@2-3",
    },
    {
      src: '{"a": 1 "b": 2}',
      summaries: ["Missing attribute seperator comma", "Root value must be object"],
      subject: "1,9-1,12@8-11",
    },
    {
      src: "[1 2]",
      summaries: ["Missing attribute seperator comma", "Root value must be object"],
      subject: "1,4-1,5@3-4",
    },
    {
      src: "[1: 2]",
      summaries: ["Invalid array value", "Root value must be object"],
      subject: "1,3-1,4@2-3",
    },
    {
      src: '{"a": }',
      summaries: ["Missing JSON value"],
      subject: "1,7-1,8@6-7",
    },
    {
      src: "[1, ]",
      summaries: ["Trailing comma in array", "Root value must be object"],
      subject: "1,3-1,4@2-3",
    },
    {
      src: "{1: 2}",
      summaries: ["Invalid object property name", "Root value must be object"],
      subject: "1,2-1,3@1-2",
    },
    {
      src: "{,}",
      summaries: [
        "Invalid start of value",
        "Invalid object property name",
        "Root value must be object",
      ],
      subject: "1,2-1,3@1-2",
    },
    {
      src: '{"a": tru}',
      summaries: ["Invalid JSON keyword"],
      subject: "1,7-1,10@6-9",
      detail: /"tru" is not a valid JSON keyword. Did you mean "true"\?/,
    },
    {
      src: '{"a": True}',
      summaries: ["Invalid JSON keyword"],
      subject: "1,7-1,11@6-10",
      detail: /Did you mean "true"/,
    },
    {
      src: '{"a": banana}',
      summaries: ["Invalid JSON keyword"],
      subject: "1,7-1,13@6-12",
      detail: /^"banana" is not a valid JSON keyword\.$/,
    },
    {
      src: '{"a": NaN}',
      summaries: ["Invalid JSON keyword"],
      subject: "1,7-1,10@6-9",
      detail: /JavaScript identifier "NaN"/,
    },
    { src: '{"a": 01}', summaries: ["Invalid JSON number"], subject: "1,7-1,9@6-8" },
    { src: '{"a": 1.}', summaries: ["Invalid JSON number"], subject: "1,7-1,9@6-8" },
    { src: '{"a": +1}', summaries: ["Invalid JSON number"], subject: "1,7-1,9@6-8" },
    { src: '{"a": 1-2}', summaries: ["Invalid JSON number"], subject: "1,7-1,10@6-9" },
    { src: '{"a": "\\q"}', summaries: ["Invalid JSON string"], subject: "1,8-1,10@7-9" },
    { src: '{"a": "é\\u12G4"}', summaries: ["Invalid JSON string"], subject: "1,9-1,15@9-15" },
    {
      src: '{"a": "abc\n"}',
      summaries: [
        "Invalid JSON string",
        "Missing attribute seperator comma",
        "Root value must be object",
      ],
      subject: "1,11-1,12@10-11",
    },
    {
      src: '{"a": "abc',
      summaries: ["Invalid JSON string", "Unclosed object", "Root value must be object"],
      subject: "1,11-1,12@10-11",
    },
    {
      src: "{'a': 1}",
      summaries: [
        "Invalid start of value",
        "Invalid object property name",
        "Root value must be object",
      ],
      subject: "1,2-1,3@1-2",
    },
    {
      src: '{"a": 1} {}',
      summaries: ["Extraneous data after value"],
      subject: "1,10-1,11@9-10",
    },
    {
      src: '\ufeff{"a": 1}',
      summaries: ["Invalid start of value", "Root value must be object"],
      subject: "1,1-1,2@0-1",
    },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.src), () => {
      const r = parseJSON(c.src, "bad.json");
      assert.deepEqual(
        r.diags.map((d) => d.summary),
        c.summaries,
      );
      for (const d of r.diags) assert.equal(d.severity, "error");
      const first = r.diags[0]!;
      assert.ok(first.subject, "first diagnostic has a subject");
      assert.equal(pos(first.subject), c.subject);
      assert.equal(first.subject.filename, "bad.json");
      if (c.detail) assert.match(first.detail ?? "", c.detail);
      // The file is always usable: an empty body when the root was lost.
      assert.ok(r.file.body);
      const { diags } = r.file.body.justAttributes();
      if (c.summaries.includes("Root value must be object")) assert.deepEqual(diags, []);
    });
  }

  it("never throws on arbitrary bytes", () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = '{}[],:="\\ \n\tabcdeftrunl0123456789.-+eEé☃\u0000/';
    for (let n = 0; n < 2000; n++) {
      let s = "";
      const len = rnd() % 40;
      for (let i = 0; i < len; i++) s += alphabet[rnd() % alphabet.length];
      const r = parseJSON(s, "fuzz.json");
      let jsOk = true;
      try {
        const v = JSON.parse(s);
        jsOk = typeof v === "object" && v !== null;
      } catch {
        jsOk = false;
      }
      // Anything JSON.parse accepts as an object/array, we accept too, and vice versa
      // (JSON.parse also accepts a leading BOM-less whitespace set identical to ours).
      assert.equal(r.diags.length === 0, jsOk, `disagreement on ${JSON.stringify(s)}`);
      for (const d of r.diags) {
        assert.ok(d.subject);
        assert.ok(d.subject.start.byte <= Buffer.byteLength(s) + 1);
      }
    }
  });
});

describe("parseNode", () => {
  it("parses a lone value", () => {
    const r = parseNode(Buffer.from(' "x" '), "v.json");
    assert.deepEqual(r.diags, []);
    assert.deepEqual(simplify(r.node), "x");
    assert.equal(formatRange(r.node.range), "v.json:1,2-5");
  });
});

describe("JSON parser: limits", () => {
  it("deep nesting is an error, not a stack overflow", () => {
    const src = "[".repeat(200000) + "]".repeat(200000);
    const r = parseJSON(src, "deep.json");
    assert.deepEqual(
      r.diags.map((d) => d.summary),
      ["Too deeply nested", "Root value must be object"],
    );
    assert.equal(r.diags[0]!.subject!.start.byte, MAX_NESTING);
  });

  it("nesting up to the limit is fine", () => {
    const src = `${"[".repeat(MAX_NESTING)}${"]".repeat(MAX_NESTING)}`;
    const r = parseJSON(src, "deep.json");
    assert.deepEqual(r.diags, []);
    const v = r.file.body.justAttributes();
    assert.equal(v.diags.length, 1); // an array body has no attributes
    const e = parseJSONExpression(src, "deep.json");
    assert.deepEqual(e.expr.value().diags, []);
  });

  it("is linear in input size", () => {
    const item = '{"name": "value", "n": 1.5, "list": [1, 2, "three", true, null]}';
    const time = (n: number) => {
      const src = `[${Array(n).fill(item).join(",")}]`;
      const t = performance.now();
      const r = parseJSON(src, "big.json");
      assert.deepEqual(r.diags, []);
      return performance.now() - t;
    };
    time(2000); // warm up
    const small = Math.max(time(5000), 1);
    const big = time(50000);
    // 10x the input should take about 10x the time; allow generous noise.
    assert.ok(big < small * 40, `5k items: ${small}ms, 50k items: ${big}ms`);
  });
});
