import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeHCLConfig } from "../../src/components/decode-hcl.js";
import { type ConfigSchema, field, UNKNOWN } from "../../src/components/schema.js";
import { Type } from "../../src/hcl/cty/type.js";
import { Value } from "../../src/hcl/cty/value.js";
import { parseJSON } from "../../src/hcl/json/parser.js";
import type { Range } from "../../src/hcl/pos.js";
import type { EvalContext } from "../../src/hcl/structure.js";
import { parseConfig } from "../../src/hcl/syntax/index.js";

// The HCL decoder on its own: HCL's diagnostics, conversion, defaults,
// unknown and sensitive values, and how Prepare-time problems are reported.

const blockRange: Range = {
  filename: "t.pkr.hcl",
  start: { line: 1, column: 1, byte: 0 },
  end: { line: 1, column: 10, byte: 9 },
};

function decode(src: string, schema: ConfigSchema, variables: Record<string, Value> = {}) {
  const { file, diags } = parseConfig(src, "t.pkr.hcl");
  assert.deepEqual(diags, []);
  const ctx: EvalContext = { variables };
  return decodeHCLConfig(file.body, schema, ctx, blockRange);
}

const schema: ConfigSchema = {
  fields: {
    name: field.string("name", { required: true }),
    count: field.number("count", { default: 3 }),
    enabled: field.bool("enabled"),
    tags: field.stringList("tags"),
    labels: field.stringMap("labels"),
    password: field.string("password", { sensitive: true }),
    wait: field.duration("wait", { default: "5s" }),
    port_min: field.number("port_min", { aliases: ["old_port_min"] }),
  },
  blocks: {
    extra: {
      nesting: "single",
      doc: "extra",
      schema: { fields: { a: field.string("a", { default: "x" }), b: field.stringList("b") } },
    },
    item: { nesting: "list", doc: "item", schema: { fields: { v: field.number("v") } } },
  },
  check(config) {
    return config.name === "bad" ? ["name must not be bad", "and another thing"] : [];
  },
  warn(config) {
    return config.enabled === true ? ["enabled is risky"] : [];
  },
};

test("a valid body decodes with defaults applied and values converted", () => {
  const r = decode(
    `name = "n"
tags = ["a", 1]
labels = { k = 2 }
extra {
  b = ["y"]
}
item {
  v = "4"
}
item {
  v = 5
}`,
    schema,
  );
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.config, {
    name: "n",
    count: 3,
    enabled: false,
    tags: ["a", "1"],
    labels: { k: "2" },
    wait: "5s",
    extra: { a: "x", b: ["y"] },
    item: [{ v: 4 }, { v: 5 }],
  });
  assert.equal(r.values.count!.asNumber(), 3);
  assert.ok(r.values.password!.isNull());
  assert.ok(r.values.password!.type.equals(Type.string));
  assert.deepEqual(r.checkErrors, []);
});

test("an unknown argument is HCL's Unsupported argument, with a suggestion", () => {
  const r = decode(`name = "n"\ncuont = 1`, schema);
  assert.equal(r.diags.length, 1);
  assert.equal(r.diags[0]!.summary, "Unsupported argument");
  assert.equal(
    r.diags[0]!.detail,
    'An argument named "cuont" is not expected here. Did you mean "count"?',
  );
  assert.equal(r.diags[0]!.subject!.start.line, 2);
});

test("an argument given as a block, and a block given as an argument", () => {
  const r = decode(`name = "n"\nextra = { a = "1" }\ntags { }`, schema);
  const details = r.diags.map((d) => d.detail);
  assert.ok(
    details.includes(
      'An argument named "extra" is not expected here. Did you mean to define a block of type "extra"?',
    ),
    details.join("\n"),
  );
  assert.ok(
    details.includes(
      'Blocks of type "tags" are not expected here. Did you mean to define argument "tags"? If so, use the equals sign to assign it a value.',
    ),
    details.join("\n"),
  );
});

test("a missing required argument is named", () => {
  const r = decode(`count = 1`, schema);
  assert.equal(r.diags.length, 1);
  assert.equal(r.diags[0]!.summary, "Missing required argument");
  assert.equal(r.diags[0]!.detail, 'The argument "name" is required, but no definition was found.');
});

test("a value of the wrong type names the expected type and points at the expression", () => {
  // Reported in source order.
  const r = decode(`name = "n"\ntags = "a"\ncount = "many"`, schema);
  assert.deepEqual(
    r.diags.map((d) => [d.summary, d.detail]),
    [
      [
        "Incorrect attribute value type",
        'Inappropriate value for attribute "tags": list of string required.',
      ],
      [
        "Incorrect attribute value type",
        'Inappropriate value for attribute "count": a number is required.',
      ],
    ],
  );
  assert.equal(r.diags[0]!.subject!.start.column, 8);
  assert.equal(r.diags[0]!.context!.start.column, 1);
});

test("check failures become one error at the block, in Packer's list form; warnings follow", () => {
  const r = decode(`name = "bad"\nenabled = true`, schema);
  assert.deepEqual(r.checkErrors, ["name must not be bad", "and another thing"]);
  assert.deepEqual(
    r.diags.map((d) => [d.severity, d.summary]),
    [
      ["error", "2 error(s) occurred:\n\n* name must not be bad\n* and another thing"],
      ["warning", "enabled is risky"],
    ],
  );
  assert.deepEqual(r.diags[0]!.subject, blockRange);
});

test("checks do not run when decoding failed", () => {
  const r = decode(`name = "bad"\ncount = []`, schema);
  assert.equal(r.diags.length, 1);
  assert.equal(r.diags[0]!.summary, "Incorrect attribute value type");
});

test("a duration that does not parse is a decoding error, as the plugin's decoder says", () => {
  const r = decode(`name = "bad"\nwait = "soon"`, schema);
  assert.deepEqual(
    r.diags.map((d) => d.summary),
    [`1 error(s) decoding:\n\n* error decoding 'wait': time: invalid duration "soon"`],
  );
  const five = decode(`name = "n"\nwait = 5`, schema);
  assert.equal(
    five.diags[0]!.summary,
    `1 error(s) decoding:\n\n* error decoding 'wait': time: missing unit in duration "5"`,
  );
});

test("unknown values become UNKNOWN and checks skip them", () => {
  const r = decode(`name = var.name\ntags = var.tags\nlabels = { k = var.name }`, schema, {
    var: Value.dynamic,
  });
  assert.deepEqual(r.diags, []);
  assert.equal(r.config.name, UNKNOWN);
  assert.equal(r.config.tags, UNKNOWN);
  assert.deepEqual(r.config.labels, { k: UNKNOWN });
  assert.ok(!r.values.name!.isKnown());
});

test("null means unset: the default applies", () => {
  const r = decode(`name = "n"\ncount = null`, schema);
  assert.deepEqual(r.diags, []);
  assert.equal(r.config.count, 3);
});

test("sensitive fields and sensitive-marked values are collected for redaction", () => {
  const r = decode(`name = var.secret\npassword = "hunter2"\ntags = ["a", var.secret]`, schema, {
    var: Value.object({ secret: Value.string("s3cr3t").mark("sensitive") }),
  });
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.sensitive.sort(), ["hunter2", "s3cr3t"]);
  assert.equal(r.config.name, "s3cr3t");
  assert.ok(r.values.name!.hasMark("sensitive"));
});

test("a deprecated alias sets its option, with Packer's warning", () => {
  const r = decode(`name = "n"\nold_port_min = 3000`, schema);
  assert.equal(r.config.port_min, 3000);
  assert.deepEqual(
    r.diags.map((d) => [d.severity, d.summary]),
    [
      [
        "warning",
        "old_port_min is deprecated and is being replaced by port_min. Please, update your template to use port_min. In future versions of Packer, inclusion of old_port_min will error your builds.",
      ],
    ],
  );
});

test("a second single block is a duplicate", () => {
  const r = decode(`name = "n"\nextra {}\nextra {}`, schema);
  assert.equal(r.diags.length, 1);
  assert.equal(r.diags[0]!.summary, "Duplicate extra block");
  assert.equal(
    r.diags[0]!.detail,
    'Only one block of type "extra" is allowed. Previous definition was at t.pkr.hcl:2,1-6.',
  );
});

test("unknown arguments inside a nested block are reported too", () => {
  const r = decode(`name = "n"\nextra {\n  bbb = []\n}`, schema);
  assert.equal(
    r.diags[0]!.detail,
    'An argument named "bbb" is not expected here. Did you mean "b"?',
  );
});

test("bodies in HCL's JSON syntax decode the same way", () => {
  const { file } = parseJSON(
    `{"name": "n", "tags": ["a"], "extra": {"b": ["c"]}, "cuont": 1}`,
    "t.pkr.json",
  );
  const r = decodeHCLConfig(file.body, schema, {}, blockRange);
  assert.deepEqual(r.config.extra, { a: "x", b: ["c"] });
  // HCL's JSON syntax words an unknown property its own way.
  assert.equal(r.diags.length, 1);
  assert.equal(r.diags[0]!.summary, "Extraneous JSON object property");
  assert.equal(
    r.diags[0]!.detail,
    'No argument or block type is named "cuont". Did you mean "count"?',
  );
});

test("a field that accepts a single value takes a string where a list is expected", () => {
  const s: ConfigSchema = { fields: { tag: field.stringList("tag", { acceptSingle: true }) } };
  assert.deepEqual(decode(`tag = "latest"`, s).config, { tag: ["latest"] });
  assert.deepEqual(decode(`tag = ["a", "b"]`, s).config, { tag: ["a", "b"] });
  assert.equal(
    decode(`tag = var.x`, s, { var: Value.object({ x: Value.unknown(Type.string) }) }).config.tag,
    UNKNOWN,
  );
});

test("without a subject, Prepare-time problems point at the body", () => {
  const { file } = parseConfig(`name = "bad"`, "t.pkr.hcl");
  const r = decodeHCLConfig(file.body, schema, {});
  assert.ok(r.diags[0]!.subject);
  assert.equal(r.diags[0]!.subject!.filename, "t.pkr.hcl");
});
