import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import type { BodySchema, Body as HclBody } from "../../../src/hcl/structure.js";
import { parseConfig } from "../../../src/hcl/syntax/parser.js";
import { showRange } from "./show.js";

function body(src: string): HclBody {
  const r = parseConfig(src, "t.hcl");
  assert.deepEqual(r.diags, [], "test input must parse");
  return r.file.body;
}

function rows(diags: Diagnostic[]): [string, string, string][] {
  return diags.map((d) => [d.summary, d.detail ?? "", showRange(d.subject)]);
}

const schema: BodySchema = {
  attributes: [{ name: "name", required: true }, { name: "count" }],
  blocks: [
    { type: "source", labelNames: ["type", "name"] },
    { type: "provisioner", labelNames: ["type"] },
    { type: "locals" },
  ],
};

const contentCases: { name: string; src: string; want: [string, string, string][] }[] = [
  {
    name: "valid",
    src: 'name = "x"\nsource "a" "b" {}\nprovisioner "shell" {}\nlocals {}\n',
    want: [],
  },
  {
    name: "missing required argument",
    src: "count = 1\n",
    want: [
      [
        "Missing required argument",
        'The argument "name" is required, but no definition was found.',
        "1:1-1:1",
      ],
    ],
  },
  {
    name: "unsupported argument with suggestion",
    src: 'name = "x"\ncuont = 1\n',
    want: [
      [
        "Unsupported argument",
        'An argument named "cuont" is not expected here. Did you mean "count"?',
        "2:1-2:6",
      ],
    ],
  },
  {
    name: "no suggestion for an argument that is already set",
    src: 'name = "x"\ncount = 1\ncuont = 1\n',
    want: [["Unsupported argument", 'An argument named "cuont" is not expected here.', "3:1-3:6"]],
  },
  {
    name: "argument named like a block type",
    src: 'name = "x"\nlocals = {}\n',
    want: [
      [
        "Unsupported argument",
        'An argument named "locals" is not expected here. Did you mean to define a block of type "locals"?',
        "2:1-2:7",
      ],
    ],
  },
  {
    name: "unsupported block type with suggestion",
    src: 'name = "x"\nsorce "a" "b" {}\n',
    want: [
      [
        "Unsupported block type",
        'Blocks of type "sorce" are not expected here. Did you mean "source"?',
        "2:1-2:6",
      ],
    ],
  },
  {
    name: "block named like an argument",
    src: 'name = "x"\ncount {}\n',
    want: [
      [
        "Unsupported block type",
        'Blocks of type "count" are not expected here. Did you mean to define argument "count"? If so, use the equals sign to assign it a value.',
        "2:1-2:6",
      ],
    ],
  },
  {
    name: "extraneous label",
    src: 'name = "x"\nsource "a" "b" "c" {}\n',
    want: [
      [
        "Extraneous label for source",
        "Only 2 labels (type, name) are expected for source blocks.",
        "2:16-2:19",
      ],
    ],
  },
  {
    name: "no labels expected",
    src: 'name = "x"\nlocals "x" {}\n',
    want: [
      ["Extraneous label for locals", "No labels are expected for locals blocks.", "2:8-2:11"],
    ],
  },
  {
    name: "missing label",
    src: 'name = "x"\nsource "a" {}\n',
    want: [
      [
        "Missing name for source",
        "All source blocks must have 2 labels (type, name).",
        "2:12-2:13",
      ],
    ],
  },
  {
    name: "missing required argument in a nested body points at its brace",
    src: 'name = "x"\nprovisioner "shell" {\n}\n',
    want: [],
  },
];

test("Body.content", () => {
  for (const c of contentCases) {
    const r = body(c.src).content(schema);
    assert.deepEqual(rows(r.diags), c.want, c.name);
  }
  const ok = body('name = "x"\nsource "a" "b" {\n  x = 1\n}\nsource "c" "d" {}\n').content(schema);
  assert.deepEqual(Object.keys(ok.content.attributes), ["name"]);
  assert.deepEqual(
    ok.content.blocks.map((b) => [b.type, ...b.labels]),
    [
      ["source", "a", "b"],
      ["source", "c", "d"],
    ],
  );
  const inner = ok.content.blocks[0]!.body.content({ attributes: [{ name: "y", required: true }] });
  assert.deepEqual(rows(inner.diags), [
    [
      "Missing required argument",
      'The argument "y" is required, but no definition was found.',
      "2:16-2:16",
    ],
    [
      "Unsupported argument",
      'An argument named "x" is not expected here. Did you mean "y"?',
      "3:3-3:4",
    ],
  ]);
});

test("Body.partialContent leaves the rest for another schema", () => {
  const b = body('name = "x"\nextra = 1\nsource "a" "b" {}\nother {}\n');
  const p = b.partialContent({
    attributes: [{ name: "name" }],
    blocks: [{ type: "source", labelNames: ["t", "n"] }],
  });
  assert.deepEqual(p.diags, []);
  assert.deepEqual(Object.keys(p.content.attributes), ["name"]);
  assert.equal(p.content.blocks.length, 1);
  const rest = p.remain.content({ attributes: [{ name: "extra" }], blocks: [{ type: "other" }] });
  assert.deepEqual(rest.diags, []);
  assert.deepEqual(Object.keys(rest.content.attributes), ["extra"]);
  assert.deepEqual(
    rest.content.blocks.map((x) => x.type),
    ["other"],
  );
  // Items already taken are not offered again, and are not "unsupported".
  const again = p.remain.content({
    attributes: [{ name: "extra" }, { name: "name", required: true }],
    blocks: [{ type: "other" }],
  });
  assert.deepEqual(rows(again.diags), [
    [
      "Missing required argument",
      'The argument "name" is required, but no definition was found.',
      "1:1-1:1",
    ],
  ]);
  const attrs = p.remain.justAttributes();
  assert.deepEqual(Object.keys(attrs.attributes), ["extra"]);
  assert.deepEqual(rows(attrs.diags), [
    ['Unexpected "source" block', "Blocks are not allowed here.", "3:1-3:7"],
  ]);
});

test("Body.justAttributes", () => {
  const b = body("a = 1\nb = 2\n");
  const r = b.justAttributes();
  assert.deepEqual(r.diags, []);
  assert.deepEqual(Object.keys(r.attributes), ["a", "b"]);
  assert.equal(showRange(r.attributes.a!.nameRange), "1:1-1:2");
  const withBlock = body("a = 1\nblk {}\n").justAttributes();
  assert.deepEqual(rows(withBlock.diags), [
    ['Unexpected "blk" block', "Blocks are not allowed here.", "2:1-2:4"],
  ]);
  assert.deepEqual(Object.keys(withBlock.attributes), ["a"]);
});

test("missingItemRange is the start of the body", () => {
  const b = body("\n\nx {\n}\n");
  assert.equal(showRange(b.missingItemRange()), "1:1-1:1");
  assert.equal(
    showRange((b as unknown as { blocks: { body: HclBody }[] }).blocks[0]!.body.missingItemRange()),
    "3:3-3:3",
  );
  const r = parseConfig("# only a comment\n", "t.hcl");
  assert.equal(showRange(r.file.body.missingItemRange()), "1:1-1:1");
});
