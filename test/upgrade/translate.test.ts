import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import type { JSONValue } from "../../src/template/legacy/index.js";
import {
  configBody,
  escapeString,
  formatNumber,
  renderItems,
} from "../../src/template/upgrade/hclwrite.js";
import { upgradeLegacyTemplate } from "../../src/template/upgrade/index.js";
import { goDuration } from "../../src/template/upgrade/sections.js";

// How single values come out of hcl2_upgrade: the Go-template calls in a
// string, the escaping of literal text, and the comments written above a
// block whose calls cannot all be translated.

/** Upgrade a template whose only builder has `v` set to `value`; the text before `build {`. */
function upgradeValue(value: JSONValue, key = "v"): string {
  const src = JSON.stringify({ builders: [{ type: "null", [key]: value }] });
  const r = upgradeLegacyTemplate(src, "t.json");
  assert.ok(r.converted);
  assert.deepEqual(
    parseConfig(r.text, "t.json.pkr.hcl").diags.filter((d) => d.severity === "error"),
    [],
  );
  return r.text.slice(0, r.text.indexOf("\nbuild {")).trim();
}

/** The `v = ...` line of the upgraded source block. */
function attributeOf(value: JSONValue): string {
  const text = upgradeValue(value);
  const line = text.split("\n").find((l) => l.startsWith("  v = "));
  assert.ok(line, text);
  return line.slice("  v = ".length);
}

const translations: [string, string][] = [
  ["plain text", '"plain text"'],
  ["{{user `region`}}", '"${var.region}"'],
  ["{{ user  `region` }}-x", '"${var.region}-x"'],
  ["{{ env `HOME` }}", '"${env("HOME")}"'],
  ['{{ env "HOME" }}', '"${env("HOME")}"'],
  ["{{timestamp}}", '"${local.timestamp}"'],
  ["{{ isotime }}", '"${timestamp()}"'],
  ['{{ isotime "2006-01-02" }}', '"${legacy_isotime("2006-01-02")}"'],
  ["{{ strftime `%Y-%m` }}", '"${legacy_strftime("%Y-%m")}"'],
  ["{{ uuid }}", '"${uuidv4()}"'],
  ["{{ pwd }}/x", '"${path.cwd}/x"'],
  ["{{ template_dir }}/x", '"${path.root}/x"'],
  ["{{ packer_version }}", '"${packer.version}"'],
  ["{{ build_name }}", '"${build.name}"'],
  ["{{ build_type }}", '"${build.type}"'],
  ["{{ build `SSHPublicKey` }}", '"${build.SSHPublicKey}"'],
  ["{{ (timestamp) }}", '"${local.timestamp}"'],
  ['{{ printf "%s!" (user `x`) }}', '"${var.x}!"'],
  // Runtime values stay Go-template text, normalised as Go prints them.
  ["{{ .Name }}", '"{{ .Name }}"'],
  ["http://{{.HTTPIP}}:{{ .HTTPPort }}/", '"http://{{ .HTTPIP }}:{{ .HTTPPort }}/"'],
  ["{{ .SourceAMITags.TagName }}", '"{{ .SourceAMITags.TagName }}"'],
  ["{{ `literal` }}", '"{{ `literal` }}"'],
  ["{{- ` a ` -}}", '"{{ ` a ` }}"'],
  ["{{ $x := user `a` }}{{ $x }}", '"{{ $x }}"'],
  ["{{/* a comment */}}x", '"x"'],
  // Literal text is escaped for HCL; translated calls are not.
  ["${HOME} %{if} $$ 100%", '"$${HOME} %%{if} $$ 100%"'],
  ["${{user `x`}}", '"$$${var.x}"'],
  ['a"b\\c\td\ne', '"a\\"b\\\\c\\td\\ne"'],
  ["\u0001 é ✓ \u00a0", '"\\u0001 é ✓ \\u00a0"'],
  ["cafe\u0301", '"café"'],
];

for (const [input, expected] of translations) {
  test(`translate ${JSON.stringify(input)}`, () => {
    assert.equal(attributeOf(input), expected);
  });
}

test("calls with no HCL2 equivalent stay, with one comment per block naming them", () => {
  const text = upgradeValue(["{{ upper `a` }}", "{{ split `a-b` `-` 0 }}"]);
  assert.match(
    text,
    /^# 2 errors occurred upgrading the following block:\n# unhandled "upper" call:/,
  );
  assert.match(text, /\n# unhandled "split" call:\n# there is no way to automatically upgrade/);
  assert.match(text, /\n {2}v = \["\{\{ upper `a` \}\}", "\{\{ split `a-b` `-` 0 \}\}"\]/);
});

const keptCalls: [string, string, string][] = [
  ["{{ lower `B` }}", "{{ lower `B` }}", "lower"],
  ["{{ user `a` | upper }}", "{{ upper `${var.a}` }}", "upper"],
  ["{{ replace `a` `b` 2 `aaa` }}", "{{ replace `a` `b` `aaa` 2 }}", "replace"],
  ["{{ replace_all `a` `b` (user `s`) }}", "{{ replace_all `a` `b` `${var.s}` }}", "replace_all"],
  [
    "{{ build_name | clean_resource_name }}",
    "{{ clean_resource_name `${build.name}` }}",
    "clean_resource_name",
  ],
  // The argument is written escaped, so the HCL string still means C:\dir.
  ["{{ `C:\\dir` | lower }}", "{{ lower `C:\\\\dir` }}", "lower"],
];

for (const [input, kept, call] of keptCalls) {
  test(`keep ${JSON.stringify(input)} with a comment`, () => {
    const text = upgradeValue(input);
    assert.match(text, /^# 1 error occurred upgrading the following block:\n/);
    assert.ok(text.includes(`# unhandled "${call}" call:\n`), text);
    assert.equal(attributeOf(input), `"${kept}"`);
  });
}

const failures: [string, string][] = [
  ["{{ vault `secret/x` `key` }}", 'template: hcl2_upgrade:3: function \\"vault\\" not defined'],
  ["{{ user `x`", "template: hcl2_upgrade:3: unclosed action"],
  [
    "{{ env `A` }} {{ user 1 }}",
    'template: hcl2_upgrade:3:26: executing \\"hcl2_upgrade\\" at <1>: expected string; found 1',
  ],
  [
    "{{ aws_secretsmanager }}",
    'template: hcl2_upgrade:3:9: executing \\"hcl2_upgrade\\" at <aws_secretsmanager>: error calling aws_secretsmanager: runtime error: index out of range [0] with length 0',
  ],
];

for (const [input, message] of failures) {
  test(`a block that cannot be translated is kept as written: ${JSON.stringify(input)}`, () => {
    const text = upgradeValue(input);
    assert.equal(
      text.split("\n")[0],
      `# could not parse template for following block: "${message}"`,
    );
    assert.equal(attributeOf(input), JSON.stringify(input));
  });
}

test("if, with and range cannot be translated", () => {
  for (const [input, node] of [
    ["{{ if .X }}a{{ end }}", "IfNode"],
    ["{{ with .X }}a{{ end }}", "WithNode"],
    ["a {{ range .X }}{{ end }}", "RangeNode"],
  ]) {
    assert.equal(upgradeValue(input!).split("\n")[0], `# unhandled node type *parse.${node}`);
  }
});

test("one failing string keeps the whole block untranslated", () => {
  const text = upgradeValue(["{{ user `a` }}", "{{ consul_key `k` }}"]);
  assert.match(text, /\n {2}v = \["\{\{ user `a` \}\}", "\{\{ consul_key `k` \}\}"\]/);
});

test("map keys are translated too", () => {
  assert.equal(
    upgradeValue({ "{{user `k`}}": "v", plain: "w" }),
    'variable "k" {\n  type = string\n}\n\nsource "null" "autogenerated_1" {\n  v = {\n    plain      = "w"\n    "${var.k}" = "v"\n  }\n}',
  );
});

test("escapeString follows hclwrite", () => {
  assert.equal(escapeString('a"b\\c\nd\re\tf'), 'a\\"b\\\\c\\nd\\re\\tf');
  assert.equal(escapeString("${a} %{b} $a %a"), "$${a} %%{b} $a %a");
  assert.equal(escapeString("x$", "{"), "x$$");
  assert.equal(escapeString("x$", "a"), "x$");
  assert.equal(escapeString("\u0007\u2028😀"), "\\u0007\\u2028😀");
});

test("numbers are written in plain decimal with the shortest digits", () => {
  const cases: [number, string][] = [
    [48, "48"],
    [-3, "-3"],
    [0.0075, "0.0075"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [Number("12345678901234567890"), "12345678901234567000"],
    [2.5e-10, "0.00000000025"],
  ];
  for (const [n, s] of cases) assert.equal(formatNumber(n), s);
});

test("durations are written as Go prints them", () => {
  const cases: [bigint, string][] = [
    [0n, "0s"],
    [999n, "999ns"],
    [1500n, "1.5µs"],
    [500_000_000n, "500ms"],
    [5_000_000_000n, "5s"],
    [90_000_000_000n, "1m30s"],
    [3_600_000_000_000n, "1h0m0s"],
    [90_061_500_000_000n, "25h1m1.5s"],
  ];
  for (const [ns, s] of cases) assert.equal(goDuration(ns), s);
});

test("which maps and lists become blocks, as Packer guesses", () => {
  const body = (cfg: Record<string, JSONValue>) => renderItems(configBody(cfg));
  // A map of plain values is an attribute; one that holds a map, a list or null is a block.
  assert.equal(body({ tags: { a: "1", b: 2 } }), 'tags = {\na = "1"\nb = 2\n}\n');
  assert.equal(body({ filter: { names: ["x"] } }), 'filter {\nnames = ["x"]\n}\n');
  assert.equal(body({ opts: { a: null } }), "opts {\na = null\n}\n");
  assert.equal(body({ empty: {} }), "empty {\n}\n");
  // These three are always blocks, even when they only hold strings.
  assert.equal(
    body({ linux_options: { host_name: "h" } }),
    'linux_options {\nhost_name = "h"\n}\n',
  );
  // A list of maps is one block per map; an empty list is left out.
  assert.equal(
    body({ disk: [{ size: 1 }, { size: 2 }], none: [] }),
    "disk {\nsize = 1\n}\ndisk {\nsize = 2\n}\n",
  );
  // A list that ends with a list is an attribute, even when it holds maps.
  assert.equal(body({ mixed: [{ a: 1 }, ["b"]] }), 'mixed = [{\na = 1\n}, ["b"]]\n');
  // Packer would crash on maps mixed with plain values; kiln writes an attribute.
  assert.equal(body({ odd: ["a", { b: 1 }] }), 'odd = ["a", {\nb = 1\n}]\n');
  // Keys are sorted bytewise, as Go sorts them.
  assert.equal(body({ b: 1, B: 2, a: 3 }), "B = 2\na = 3\nb = 1\n");
});

// Where kiln deliberately writes something other than Packer 1.9.4, so that
// the file is valid HCL2 (each is a case Packer's own tests do not cover).
const deviations: { what: string; template: unknown; kiln: RegExp; packer: string }[] = [
  {
    what: "block labels are written as they are, never translated",
    template: { builders: [{ type: "null", name: "base-{{timestamp}}" }] },
    kiln: /\nsource "null" "base-\{\{timestamp\}\}" \{\n\}\n[\s\S]*sources = \["source\.null\.base-\{\{timestamp\}\}"\]/,
    packer: 'source "null" "base-${local.timestamp}" (a template in a label is invalid HCL2)',
  },
  {
    what: "a line break after the list of several untranslatable calls",
    template: {
      builders: [{ type: "null" }],
      provisioners: [{ type: "shell", inline: ["{{ upper `a` }}", "{{ lower `B` }}"] }],
    },
    kiln: /for more infos\.\n {2}provisioner "shell" \{\n/,
    packer: '"... for more infos.provisioner "shell" {" (the block header ends up in the comment)',
  },
  {
    what: "double quotes inside an action are understood wherever they are",
    template: {
      builders: [{ type: "null" }],
      provisioners: [{ type: "shell", inline: ['{{ user "a" }}', '{{ user "b" }}'] }],
    },
    kiln: /inline = \["\$\{var\.a\}", "\$\{var\.b\}"\]/,
    packer: "a comment: its quote fix-up spans both strings of the line and fails",
  },
];

for (const d of deviations) {
  test(`deliberate difference from Packer: ${d.what}`, () => {
    const r = upgradeLegacyTemplate(JSON.stringify(d.template), "t.json");
    assert.match(r.text, d.kiln, `Packer writes ${d.packer}`);
    assert.deepEqual(
      parseConfig(r.text, "t.pkr.hcl").diags.filter((x) => x.severity === "error"),
      [],
    );
  });
}
