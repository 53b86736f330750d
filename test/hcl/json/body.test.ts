// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL templates are written as "${...}" strings
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonContextString } from "../../../src/hcl/json/navigation.js";
import { parseJSON } from "../../../src/hcl/json/parser.js";
import type { JSONBody } from "../../../src/hcl/json/structure.js";
import { formatRange } from "../../../src/hcl/pos.js";
import type { Block, Body, BodySchema } from "../../../src/hcl/structure.js";

function body(src: string): Body {
  const r = parseJSON(src, "b.json");
  assert.deepEqual(r.diags, [], `parse diagnostics for ${src}`);
  return r.file.body;
}

/** "type[label,label]{attr,attr}" for each block, attributes via justAttributes. */
function describeBlocks(blocks: Block[]): string[] {
  return blocks.map((b) => {
    const { attributes } = b.body.justAttributes();
    return `${b.type}[${b.labels.join(",")}]{${Object.keys(attributes).join(",")}}`;
  });
}

describe("JSON body: content", () => {
  const cases: {
    name: string;
    src: string;
    schema: BodySchema;
    attrs?: string[];
    blocks?: string[];
    diags?: string[];
    details?: string[];
  }[] = [
    {
      name: "attributes",
      src: '{"a": 1, "b": "x"}',
      schema: { attributes: [{ name: "a" }, { name: "b" }, { name: "c" }] },
      attrs: ["a", "b"],
    },
    {
      name: "missing required attribute",
      src: '{"a": 1}',
      schema: { attributes: [{ name: "a" }, { name: "c", required: true }] },
      attrs: ["a"],
      diags: ["Missing required argument"],
      details: ['The argument "c" is required, but no definition was found.'],
    },
    {
      name: "extraneous property with suggestion",
      src: '{"nme": 1}',
      schema: { attributes: [{ name: "name" }] },
      diags: ["Extraneous JSON object property"],
      details: ['No argument or block type is named "nme". Did you mean "name"?'],
    },
    {
      name: "extraneous property without suggestion",
      src: '{"zzzzzz": 1}',
      schema: { attributes: [{ name: "name" }], blocks: [{ type: "source" }] },
      diags: ["Extraneous JSON object property"],
      details: ['No argument or block type is named "zzzzzz".'],
    },
    {
      name: "a used argument is not suggested",
      src: '{"name": 1, "nam": 2}',
      schema: { attributes: [{ name: "name" }] },
      attrs: ["name"],
      diags: ["Extraneous JSON object property"],
      details: ['No argument or block type is named "nam".'],
    },
    {
      name: "comment property is ignored",
      src: '{"//": "a comment", "a": 1}',
      schema: { attributes: [{ name: "a" }] },
      attrs: ["a"],
    },
    {
      name: "duplicate argument",
      src: '{"a": 1,\n "a": 2}',
      schema: { attributes: [{ name: "a" }] },
      attrs: ["a"],
      diags: ["Duplicate argument"],
      details: ['The argument "a" was already set at b.json:1,2-8.'],
    },
    {
      name: "block as object",
      src: '{"b": {"x": 1}}',
      schema: { blocks: [{ type: "b" }] },
      blocks: ["b[]{x}"],
    },
    {
      name: "blocks as array of objects",
      src: '{"b": [{"x": 1}, {"y": 2}]}',
      schema: { blocks: [{ type: "b" }] },
      blocks: ["b[]{x}", "b[]{y}"],
    },
    {
      name: "null block is no block",
      src: '{"b": null}',
      schema: { blocks: [{ type: "b" }] },
      blocks: [],
    },
    {
      name: "repeated block property",
      src: '{"b": {"x": 1}, "b": {"y": 1}}',
      schema: { blocks: [{ type: "b" }] },
      blocks: ["b[]{x}", "b[]{y}"],
    },
    {
      name: "block of wrong type",
      src: '{"b": "nope"}',
      schema: { blocks: [{ type: "b" }] },
      blocks: [],
      diags: ["Incorrect JSON value type"],
      details: [
        'Either a JSON object or a JSON array is required, representing the contents of one or more "b" blocks.',
      ],
    },
    {
      name: "two labels",
      src: '{"source": {"amazon-ebs": {"ex": {"ami": "x"}}, "docker": {"d1": {}, "d2": {"image": "i"}}}}',
      schema: { blocks: [{ type: "source", labelNames: ["type", "name"] }] },
      blocks: ["source[amazon-ebs,ex]{ami}", "source[docker,d1]{}", "source[docker,d2]{image}"],
    },
    {
      name: "labels given through arrays",
      src: '{"v": [{"a": {"x": 1}}, {"b": [{"y": 1}, {"z": 2}]}]}',
      schema: { blocks: [{ type: "v", labelNames: ["name"] }] },
      blocks: ["v[a]{x}", "v[b]{y}", "v[b]{z}"],
    },
    {
      name: "missing block label",
      src: '{"v": {}}',
      schema: { blocks: [{ type: "v", labelNames: ["name"] }] },
      blocks: [],
      diags: ["Missing block label"],
      details: [
        "At least one object property is required, whose name represents the v block's name.",
      ],
    },
    {
      name: "label level of wrong type",
      src: '{"v": "x"}',
      schema: { blocks: [{ type: "v", labelNames: ["name"] }] },
      blocks: [],
      diags: ["Incorrect JSON value type", "Missing block label"],
      details: [
        "Either a JSON object or JSON array of objects is required here, to specify name labels for this block.",
        "At least one object property is required, whose name represents the v block's name.",
      ],
    },
    {
      name: "label array element of wrong type",
      src: '{"v": [1, {"a": {}}]}',
      schema: { blocks: [{ type: "v", labelNames: ["name"] }] },
      blocks: ["v[a]{}"],
      diags: ["Incorrect JSON value type"],
      details: ["A JSON object is required here, to specify name labels for this block."],
    },
    {
      name: "mixed attributes and blocks",
      src: '{"name": "n", "provisioner": [{"shell": {"inline": []}}, {"file": {"source": "s"}}], "sources": []}',
      schema: {
        attributes: [{ name: "name" }, { name: "sources" }],
        blocks: [{ type: "provisioner", labelNames: ["type"] }],
      },
      attrs: ["name", "sources"],
      blocks: ["provisioner[shell]{inline}", "provisioner[file]{source}"],
    },
    {
      name: "root array body",
      src: '[{"a": 1}, {"b": {}}, {"b": {}}]',
      schema: { attributes: [{ name: "a" }], blocks: [{ type: "b" }] },
      attrs: ["a"],
      blocks: ["b[]{}", "b[]{}"],
    },
    {
      name: "root array with a non-object",
      src: '[{"a": 1}, 2]',
      schema: { attributes: [{ name: "a" }] },
      attrs: ["a"],
      diags: ["Incorrect JSON value type"],
      details: ["A JSON object is required here, to define arguments and child blocks."],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { content, diags } = body(c.src).content(c.schema);
      assert.deepEqual(
        diags.map((d) => d.summary),
        c.diags ?? [],
      );
      if (c.details) {
        assert.deepEqual(
          diags.map((d) => d.detail),
          c.details,
        );
      }
      for (const d of diags) assert.ok(d.subject, "diagnostics have a subject");
      if (c.attrs) assert.deepEqual(Object.keys(content.attributes), c.attrs);
      if (c.blocks) assert.deepEqual(describeBlocks(content.blocks), c.blocks);
    });
  }
});

describe("JSON body: ranges", () => {
  const src = '{\n  "source": {\n    "file": {\n      "x": {"a": 1}\n    }\n  },\n  "n": "v"\n}';
  const b = body(src);
  const { content, diags } = b.content({
    attributes: [{ name: "n" }],
    blocks: [{ type: "source", labelNames: ["type", "name"] }],
  });
  assert.deepEqual(diags, []);
  const blk = content.blocks[0]!;
  const attr = content.attributes.n!;
  const cases: [string, string, string][] = [
    ["block typeRange", formatRange(blk.typeRange), "b.json:2,3-11"],
    ["block label 0", formatRange(blk.labelRanges[0]!), "b.json:3,5-11"],
    ["block label 1", formatRange(blk.labelRanges[1]!), "b.json:4,7-10"],
    ["block defRange", formatRange(blk.defRange), "b.json:4,12-13"],
    ["attribute range", formatRange(attr.range), "b.json:7,3-11"],
    ["attribute nameRange", formatRange(attr.nameRange), "b.json:7,3-6"],
    ["expression range", formatRange(attr.expr.range), "b.json:7,8-11"],
    ["missing item range", formatRange(content.missingItemRange), "b.json:8,1-2"],
    ["block missing item", formatRange(blk.body.missingItemRange()), "b.json:4,19-20"],
  ];
  for (const [what, got, want] of cases) it(what, () => assert.equal(got, want));

  it("array blocks take the array's bracket as defRange", () => {
    const { content: c2 } = body('{"b": [{}, {}]}').content({ blocks: [{ type: "b" }] });
    assert.equal(c2.blocks.length, 2);
    for (const bl of c2.blocks) assert.equal(formatRange(bl.defRange), "b.json:1,7-8");
    assert.equal(formatRange(c2.blocks[0]!.body.missingItemRange()), "b.json:1,9-10");
  });

  it("missing required argument points at the closing brace", () => {
    const { diags: d } = body("{\n}").content({ attributes: [{ name: "x", required: true }] });
    assert.equal(formatRange(d[0]!.subject!), "b.json:2,1-2");
  });

  it("context string names the enclosing objects", () => {
    const root = (b as JSONBody).root;
    const off = src.indexOf('"a"');
    assert.equal(jsonContextString(root, off), "source.file.x");
    assert.equal(jsonContextString(root, src.indexOf('"n"')), "");
    const arr = '{"b": [{"c": {"d": 1}}]}';
    assert.equal(jsonContextString((body(arr) as JSONBody).root, arr.indexOf('"d"')), "b[0].c");
  });
});

describe("JSON body: partialContent", () => {
  it("returns the rest as a body of its own", () => {
    const b = body('{"a": 1, "b": {}, "c": 3, "//": "x"}');
    const { content, remain, diags } = b.partialContent({
      attributes: [{ name: "a" }],
      blocks: [{ type: "b" }],
    });
    assert.deepEqual(diags, []);
    assert.deepEqual(Object.keys(content.attributes), ["a"]);
    assert.equal(content.blocks.length, 1);
    const rest = remain.justAttributes();
    assert.deepEqual(rest.diags, []);
    assert.deepEqual(Object.keys(rest.attributes), ["c"]);
    const again = remain.content({ attributes: [{ name: "c" }] });
    assert.deepEqual(again.diags, []);
    assert.deepEqual(Object.keys(again.content.attributes), ["c"]);
    // What the first pass consumed is gone from the remainder.
    const hidden = remain.content({ attributes: [{ name: "a" }] });
    assert.deepEqual(Object.keys(hidden.content.attributes), []);
    assert.deepEqual(
      hidden.diags.map((d) => d.summary),
      ["Extraneous JSON object property"],
    );
  });

  it("does not report unknown properties", () => {
    const { diags } = body('{"zzz": 1}').partialContent({ attributes: [{ name: "a" }] });
    assert.deepEqual(diags, []);
  });

  it("still reports missing required arguments", () => {
    const { diags } = body("{}").partialContent({ attributes: [{ name: "a", required: true }] });
    assert.deepEqual(
      diags.map((d) => d.summary),
      ["Missing required argument"],
    );
  });
});

describe("JSON body: justAttributes", () => {
  it("all properties but comments", () => {
    const { attributes, diags } = body('{"a": 1, "//": "c", "b": {"x": 1}}').justAttributes();
    assert.deepEqual(diags, []);
    assert.deepEqual(Object.keys(attributes), ["a", "b"]);
  });

  it("duplicates are an error", () => {
    const { attributes, diags } = body('{"a": 1, "a": 2}').justAttributes();
    assert.deepEqual(Object.keys(attributes), ["a"]);
    assert.deepEqual(
      diags.map((d) => [d.summary, d.detail]),
      [["Duplicate attribute definition", 'The argument "a" was already set at b.json:1,2-8.']],
    );
  });

  it("an array body is an error", () => {
    const { diags } = body("[{}]").justAttributes();
    assert.deepEqual(
      diags.map((d) => d.summary),
      ["Incorrect JSON value type"],
    );
  });

  it("a mistyped block body reports when decoded", () => {
    const { content } = body('{"b": [1]}').content({ blocks: [{ type: "b" }] });
    assert.equal(content.blocks.length, 1);
    const inner = content.blocks[0]!.body;
    assert.deepEqual(
      inner.justAttributes().diags.map((d) => d.detail),
      ["A JSON object is required here, setting the arguments for this block."],
    );
    assert.deepEqual(
      inner.content({}).diags.map((d) => d.detail),
      [
        "Either a JSON object or JSON array of objects is required here, to define arguments and child blocks.",
      ],
    );
  });

  it("property names like __proto__ are ordinary names", () => {
    const { attributes, diags } = body('{"__proto__": 1, "constructor": 2}').justAttributes();
    assert.deepEqual(diags, []);
    assert.deepEqual(Object.keys(attributes), ["__proto__", "constructor"]);
  });
});
