import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatForConsole } from "../../../src/hcl/cty/format.js";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import { parseExpression } from "../../../src/hcl/syntax/parser.js";
import {
  evalContext,
  getBuilds,
  type HCL2Config,
  type LoadHCL2Options,
  loadHCL2Template,
} from "../../../src/template/hcl2/index.js";

// Behaviour of Packer 1.9.4's hcl2template that its fixtures don't exercise
// but its code decides (types.build.go, types.variables.go,
// types.required_plugins.go, types.hcp_packer_registry.go, ...), one table
// per concern. Each case is a template written here; "summary @ line" is the
// diagnostic kiln must give.

const root = mkdtempSync(join(tmpdir(), "kiln-hcl2-packer-"));
let counter = 0;

function folder(files: Record<string, string>): string {
  const d = join(root, `t${counter++}`);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, ".."), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

async function load(files: Record<string, string>, opts: LoadHCL2Options = {}) {
  const d = folder(files);
  return loadHCL2Template(d, { env: {}, ...opts, cwd: d });
}

function errors(diags: Diagnostic[]): string[] {
  return diags
    .filter((d) => d.severity === "error")
    .map((d) => `${d.summary} @ ${d.subject ? d.subject.start.line : "-"}`);
}

function show(cfg: HCL2Config, expr: string): string {
  const r = parseExpression(Buffer.from(expr), "<test>").expr.value(evalContext(cfg));
  assert.deepEqual(
    r.diags.map((d) => d.summary),
    [],
  );
  return formatForConsole(r.value);
}

const nullSource = `source "null" "a" { communicator = "none" }\n`;

test("source references: TYPE.NAME or X.TYPE.NAME with identifiers, else an error at the build block", async () => {
  const cases: [string, string[]][] = [
    ['"source.null.a"', []],
    ['"sources.null.a"', []],
    ['"null.a"', []],
    ['"anything.null.a"', []],
    ['"a"', ["Invalid source reference @ 2"]],
    ['"source.null.{{user `x`}}"', ["Invalid source reference @ 2"]],
    ['"source.1null.a"', ["Invalid source reference @ 2"]],
  ];
  for (const [ref, want] of cases) {
    const r = await load({ "t.pkr.hcl": `${nullSource}build {\n  sources = [${ref}]\n}\n` });
    assert.deepEqual(errors(r.diags), want, ref);
    if (want.length === 0) {
      const b = await getBuilds(r.config, { only: [], except: [] });
      assert.deepEqual(
        b.builds.map((x) => x.name),
        ["null.a"],
        ref,
      );
    }
  }
});

test("getBuilds: unknown sources at the build block, with a suggestion when one is close", async () => {
  const r = await load({
    "t.pkr.hcl": `${nullSource}\nbuild {\n  sources = ["null.b", "null.zzzz"]\n}\n`,
  });
  const b = await getBuilds(r.config, { only: [], except: [] });
  assert.deepEqual(
    b.diags.map((d) => [d.summary, d.detail, d.subject?.start.line]),
    [
      ["Unknown source null.b", 'Did you mean to use "null.a"?', 3],
      ["Unknown source null.zzzz", "Known: [null.a]", 3],
    ],
  );
});

test("variables without a type take their default's type, except for {} and []", async () => {
  const files = {
    "v.pkr.hcl": `
variable "n" { default = 1 }
variable "s" { default = "x" }
variable "o" { default = { a = "b" } }
variable "l" { default = [] }
variable "m" { default = {} }
variables { legacy = 3 }
`,
    "x.auto.pkrvars.hcl": `s = 5\nl = ["any", "list"]\nm = { any = "object" }\n`,
  };
  const r = await load(files, {
    env: { PKR_VAR_n: "41", PKR_VAR_legacy: "4" },
    vars: [{ kind: "var", text: 'o={ a = "from -var" }' }],
  });
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "var.n + 1"), "42");
  assert.equal(show(r.config, "var.s"), "5");
  assert.equal(show(r.config, "var.o.a"), "from -var");
  assert.equal(show(r.config, "var.l[1]"), "list");
  assert.equal(show(r.config, "var.m.any"), "object");
  assert.equal(show(r.config, "var.legacy * 2"), "8");
  // A value that doesn't fit the default's type is refused, as Packer refuses it.
  const bad = await load(files, { vars: [{ kind: "var", text: "n=[1]" }] });
  assert.deepEqual(errors(bad.diags), ["Invalid argument value for -var variable @ -"]);
  const badFile = await load({ ...files, "y.auto.pkrvars.hcl": `o = "flat"\n` });
  assert.deepEqual(errors(badFile.diags), ["Invalid value for variable @ 1"]);
});

test("-var and -var-file mistakes", async () => {
  const v = { "v.pkr.hcl": `variable "l" { type = list(string) }\n` };
  const cases: [LoadHCL2Options["vars"], string[], Record<string, string>?][] = [
    [[{ kind: "var", text: "l=true" }], ["Invalid argument value for -var variable @ -"]],
    [
      [
        { kind: "var", text: "nope=1" },
        { kind: "var", text: "l=[]" },
      ],
      ["Undefined -var variable @ -"],
    ],
    [
      [
        { kind: "var-file", path: "vars.txt" },
        { kind: "var", text: "l=[]" },
      ],
      ["Could not guess format of vars.txt @ -"],
      { "vars.txt": "l = []\n" },
    ],
    [
      [{ kind: "var-file", path: "decl.pkrvars.hcl" }],
      ["Variable declaration in a .pkrvar file @ 2"],
      { "decl.pkrvars.hcl": `l = []\nvariable "other" {}\n` },
    ],
  ];
  for (const [vars, want, extra] of cases) {
    const r = await load({ ...v, ...extra }, { vars });
    assert.deepEqual(errors(r.diags), want, JSON.stringify(vars));
  }
});

test("env() in defaults and locals reads the environment the template is loaded with", async () => {
  const r = await load(
    {
      "v.pkr.hcl": `variable "h" { default = env("KILN_FIXTURE_X") }\nlocals { l = env("KILN_FIXTURE_X") }\n`,
    },
    { env: { KILN_FIXTURE_X: "from-env" } },
  );
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "var.h"), "from-env");
  assert.equal(show(r.config, "local.l"), "from-env");
});

test("path.root is the template's folder as given; path.cwd is absolute", async () => {
  const d = folder({ "sub/t.pkr.hcl": `locals { r = path.root }\n` });
  const file = await loadHCL2Template("sub/t.pkr.hcl", { cwd: d, env: {} });
  assert.equal(show(file.config, "path.root"), "sub");
  assert.equal(show(file.config, "path.cwd"), d);
  const dir = await loadHCL2Template("sub", { cwd: d, env: {} });
  assert.equal(show(dir.config, "local.r"), "sub");
  const here = await loadHCL2Template("t.pkr.hcl", { cwd: join(d, "sub"), env: {} });
  assert.equal(show(here.config, "path.root"), ".");
});

test("required_plugins entries are checked as Packer 1.9 checks them", async () => {
  const entry = (body: string) => `packer {\n  required_plugins {\n${body}\n  }\n}\n`;
  const cases: [string, string[]][] = [
    [
      '    docker = {\n      source = "github.com/hashicorp/docker"\n      version = ">= 1.0.0"\n    }',
      [],
    ],
    [
      '    docker = {\n      source = "github.com/hashicorp/docker"\n    }',
      ["No version constraint was set @ 3"],
    ],
    [
      '    docker = {\n      source = "github.com/hashicorp/docker"\n      version = "~>> 1"\n    }',
      ["Invalid version constraint @ 3"],
    ],
    ['    docker = {\n      version = ">= 1"\n    }', ["No source was set @ 3"]],
    ['    docker = {\n      source = 1\n      version = ">= 1"\n    }', ["Invalid source @ 3"]],
    [
      '    docker = {\n      source = "docker/docker"\n      version = ">= 1"\n    }',
      ["Invalid plugin source string @ 3"],
    ],
    [
      '    docker = {\n      source = "github.com/hashicorp/docker"\n      version = ">= 1"\n      other = 1\n    }',
      ["Invalid required_plugins object @ 3"],
    ],
    [
      '    Docker = {\n      source = "github.com/hashicorp/docker"\n      version = ">= 1"\n    }',
      ["Invalid plugin local name @ 3"],
    ],
    ['    docker = ["github.com/hashicorp/docker"]', ["Invalid required_plugins syntax @ 3"]],
  ];
  for (const [body, want] of cases) {
    const r = await load({ "p.pkr.hcl": entry(body) }, { syntaxOnly: true });
    assert.deepEqual(errors(r.diags), want, body);
  }
  const twice = await load(
    {
      "p.pkr.hcl": `${entry('    docker = {\n      source = "github.com/hashicorp/docker"\n      version = ">= 1"\n    }')}${entry('    docker = {\n      source = "github.com/hashicorp/docker"\n      version = ">= 2"\n    }')}`,
    },
    { syntaxOnly: true },
  );
  assert.deepEqual(errors(twice.diags), ['Duplicate required_plugin."docker" block @ 11']);
});

test("provisioner override: an object keyed by source name, each entry an object", async () => {
  const tpl = (override: string) => `${nullSource}
source "null" "b" { communicator = "none" }
build {
  sources = ["null.a", "null.b"]
  provisioner "shell-local" {
    inline   = ["echo base"]
    override = ${override}
  }
}
`;
  const ok = await load({
    "t.pkr.hcl": tpl('{ a = { inline = ["echo a"] }, "null.b" = { inline = ["echo b"] } }'),
  });
  assert.deepEqual(errors(ok.diags), []);
  const b = await getBuilds(ok.config, { only: [], except: [] });
  // Packer looks entries up by the source's name alone: "null.b" applies to nothing.
  assert.deepEqual(
    b.builds.map((x) => x.provisioners[0]!.config.inline),
    [["echo a"], ["echo base"]],
  );
  const notObject = await load({ "t.pkr.hcl": tpl('"a"') });
  assert.deepEqual(errors(notObject.diags), [
    "provisioner's override block must be an HCL object @ 6",
  ]);
  const badEntry = await load({ "t.pkr.hcl": tpl('{ a = "x" }') });
  assert.deepEqual(errors(badEntry.diags), [
    "provisioner's override.'a' block must be an HCL object @ 6",
  ]);
});

test("hcp_packer_registry: bucket settings, labels vs bucket_labels", async () => {
  const tpl = (settings: string) =>
    `${nullSource}build {\n  hcp_packer_registry {\n${settings}\n  }\n  sources = ["null.a"]\n}\n`;
  const ok = await load({
    "t.pkr.hcl": tpl(
      '    bucket_name = "b"\n    description = "d"\n    build_labels = { x = "y" }\n    unknown_setting = 1',
    ),
  });
  assert.deepEqual(errors(ok.diags), []);
  assert.deepEqual(
    [ok.config.builds[0]!.hcpRegistry!.bucketName, ok.config.builds[0]!.hcpRegistry!.buildLabels],
    ["b", { x: "y" }],
  );
  const both = await load({
    "t.pkr.hcl": tpl('    labels = { a = "1" }\n    bucket_labels = { b = "2" }'),
  });
  assert.deepEqual(errors(both.diags), [
    "hcp_packer_registry.labels and hcp_packer_registry.bucket_labels are mutually exclusive; please use the recommended argument hcp_packer_registry.bucket_labels @ 3",
  ]);
});

test("validation rules: message and result checks", async () => {
  const rule = (condition: string, message: string) =>
    `variable "v" {\n  default = "x"\n  validation {\n    condition     = ${condition}\n    error_message = ${message}\n  }\n}\n`;
  const cases: [string, string, string[]][] = [
    ['var.v != ""', '"Fine, ending with a bang!"', []],
    ['var.v != ""', '"42 is not a letter, so no case rule."', []],
    ['var.v != ""', '""', ["Invalid validation error message @ 5"]],
    ['var.v != ""', '"lower case start."', ["Invalid validation error message @ 5"]],
    ['var.v == "x" ? null : true', '"Never null."', ["Invalid variable validation result @ 4"]],
    [
      'var.v == "x" ? "maybe" : true',
      '"Never a string."',
      ["Invalid variable validation result @ 4"],
    ],
  ];
  for (const [condition, message, want] of cases) {
    const r = await load({ "v.pkr.hcl": rule(condition, message) });
    assert.deepEqual(errors(r.diags), want, `${condition} / ${message}`);
  }
});

test("dynamic blocks in build blocks; dynamic blocks of a component's own types wait for it", async () => {
  const r = await load({
    "t.pkr.hcl": `${nullSource}
locals { words = ["one", "two"] }
build {
  sources = ["null.a"]
  dynamic "provisioner" {
    for_each = local.words
    labels   = ["shell-local"]
    content {
      inline = ["echo \${provisioner.value} \${source.name}"]
      dynamic "nonsense" {
        for_each = []
        content {}
      }
    }
  }
}
`,
  });
  assert.deepEqual(errors(r.diags), []);
  assert.equal(r.config.builds[0]!.provisioners.length, 2);
  const b = await getBuilds(r.config, { only: [], except: [] });
  // shell-local has no "nonsense" blocks: it says so when it decodes its body.
  assert.deepEqual(errors(b.diags), ["Unsupported block type @ 11", "Unsupported block type @ 11"]);
});

test("top-level communicator blocks are accepted and ignored, as in Packer 1.9", async () => {
  const r = await load({
    "t.pkr.hcl": `communicator "ssh" "x" {\n  anything = 1\n}\n${nullSource}build {\n  sources = ["null.a"]\n}\n`,
  });
  assert.deepEqual(errors(r.diags), []);
});
